"""The engine's floor of a dcity write, for tests/bench/run: what the rows dcity wrote cost
the engine alone.

Before dcity's run, snapshot() notes each table's largest rowid and keeps the rows that may
change (every row of a small table; the rows a hint names in a large one).  After it, rows()
writes the difference (rows added, columns changed) in the order dcity wrote them as near as
can be told: each table's added rows spread evenly over the run (the table with fewer rows
first), so that one intake's case, events and receipt come together as dcity writes them.
tests/bench/floor/floor.c replays that file with prepared statements in one transaction into
a copy of the database dcity started from; as_sql() turns it into a script for the sqlite3
shell.

On PostgreSQL (tests/bench/run --pg) there is no floor program; pg_snapshot() and
pg_rows_sql() read the same difference through psql (the rows added past each identity
column's largest value, the small tables and the hinted rows compared whole) and write it as
plain SQL in one transaction, psql's counterpart of the write.
"""
import json
import sqlite3

SMALL = 10000  # tables up to this many rows are compared whole


def _tables(con):
    rows = con.execute("SELECT name, type, sql FROM sqlite_schema WHERE type = 'table'"
                       " AND name NOT LIKE 'sqlite_%' ORDER BY rowid").fetchall()
    virtual = [n for n, _, sql in rows if sql and sql.upper().startswith("CREATE VIRTUAL")]
    out = []
    for name, _, sql in rows:
        # FTS tables and their shadow tables are written by triggers, not by the statement
        if name in virtual or any(name.startswith(v + "_") for v in virtual):
            continue
        if "WITHOUT ROWID" in sql.upper():
            raise SystemExit("bench: floors: table %s has no rowid" % name)
        cols = con.execute("SELECT name, type, pk FROM pragma_table_info(?)",
                           (name,)).fetchall()
        pks = [c for c in cols if c[2]]
        alias = pks[0][0] if len(pks) == 1 and pks[0][1].upper() == "INTEGER" else None
        out.append((name, [c[0] for c in cols], alias))
    return out


def snapshot(db, hints=None):
    """The state a floor is taken against.  hints: {table: (WHERE clause, params)} for the
    rows of a large table the operation may change."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    snap = {}
    for name, cols, alias in _tables(con):
        q = '"%s"' % name
        (top, n) = con.execute("SELECT coalesce(max(rowid), 0), count(*) FROM " + q).fetchone()
        kept = {}
        where, params = (None, ())
        if n <= SMALL:
            where = "1"
        elif hints and name in hints:
            where, params = hints[name]
        if where:
            for r in con.execute("SELECT rowid, * FROM %s WHERE %s" % (q, where), params):
                kept[r[0]] = r[1:]
        snap[name] = dict(cols=cols, alias=alias, top=top, n=n, kept=kept, where=where,
                          params=params)
    con.close()
    return snap


def _value(v):
    if v is None:
        return b"-"
    if isinstance(v, int):
        return b"i%d" % v
    if isinstance(v, float):
        return b"r" + repr(v).encode()
    if isinstance(v, str):
        if "\0" in v:
            raise SystemExit("bench: floors: a text value holds a NUL byte")
        return b"t" + v.encode()
    raise SystemExit("bench: floors: a blob value (not supported)")


def rows(db, snap, path):
    """Write the rows dcity wrote since snap into path (floor.c's format); their count."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    stmts, work = {}, []
    for order, (name, t) in enumerate(snap.items()):
        q = '"%s"' % name
        cols = t["cols"]
        (n,) = con.execute("SELECT count(*) FROM " + q).fetchone()
        added = con.execute("SELECT * FROM %s WHERE rowid > ? ORDER BY rowid" % q,
                            (t["top"],)).fetchall()
        if n != t["n"] + len(added):
            raise SystemExit("bench: floors: %s lost rows or was written below its last rowid"
                             " (deletes are not replayed)" % name)
        if added:
            keep = [i for i, c in enumerate(cols) if c != t["alias"]]
            sql = "INSERT INTO %s(%s) VALUES (%s)" % (
                q, ", ".join('"%s"' % cols[i] for i in keep), ", ".join("?" * len(keep)))
            k = stmts.setdefault(sql, len(stmts))
            for i, r in enumerate(added):
                work.append((i / len(added), len(added), order, k, [r[j] for j in keep]))
        if t["where"]:
            now = {r[0]: r[1:] for r in con.execute(
                "SELECT rowid, * FROM %s WHERE rowid <= ? AND (%s)" % (q, t["where"]),
                (t["top"],) + tuple(t["params"]))}
            for rowid, old in t["kept"].items():
                new = now.get(rowid)
                if new is None:
                    raise SystemExit("bench: floors: a row of %s was deleted" % name)
                diff = [i for i in range(len(cols)) if new[i] != old[i]]
                if not diff:
                    continue
                sql = "UPDATE %s SET %s WHERE rowid = ?" % (
                    q, ", ".join('"%s" = ?' % cols[i] for i in diff))
                k = stmts.setdefault(sql, len(stmts))
                work.append((1.0, 0, order, k, [new[i] for i in diff] + [rowid]))
    con.close()
    work.sort(key=lambda w: w[:3])
    with open(path, "wb") as f:
        for sql in stmts:
            f.write(b"S\0" + sql.encode() + b"\0")
        for _, _, _, k, vals in work:
            f.write(b"R\0%d\0" % k + b"".join(_value(v) + b"\0" for v in vals))
    return len(work)


def as_sql(path, out):
    """The rows file as one transaction of plain SQL for the sqlite3 shell."""
    def lit(v):
        t, s = v[:1], v[1:].decode()
        if t == b"-":
            return "NULL"
        if t in (b"i", b"r"):
            return s
        return "'" + s.replace("'", "''") + "'"

    with open(path, "rb") as f:
        fields = f.read().split(b"\0")[:-1]
    stmts, i = [], 0
    with open(out, "w") as g:
        g.write("PRAGMA foreign_keys = ON;\nPRAGMA synchronous = NORMAL;\nBEGIN IMMEDIATE;\n")
        while i < len(fields):
            if fields[i] == b"S":
                stmts.append(fields[i + 1].decode().split("?"))
                i += 2
                continue
            parts = stmts[int(fields[i + 1])]
            vals = fields[i + 2:i + 2 + len(parts) - 1]
            i += 2 + len(parts) - 1
            g.write("".join(p + (lit(vals[j]) if j < len(vals) else "")
                            for j, p in enumerate(parts)) + ";\n")
        g.write("COMMIT;\n")


# ---- the same on PostgreSQL (tests/bench/run --pg): the rows dcity wrote, read back through
# psql, as one transaction of plain SQL for psql.  psql(sql) runs one statement in the
# database and returns what `psql -X -A -t` printed. ----

def pg_layout(psql):
    """Each table of the city's schema with its columns, its identity column, its primary key
    and whether it is small enough to be compared whole.  The search tables (`*_fts`) are
    written by triggers, not by the statement, and left out as on SQLite."""
    tabs = json.loads(psql(
        "SELECT json_agg(json_build_object("
        "'name', c.relname,"
        " 'cols', (SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a"
        "  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
        "  AND a.attgenerated = ''),"
        " 'ident', (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid"
        "  AND a.attidentity <> '' AND NOT a.attisdropped LIMIT 1),"
        " 'pk', (SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_index i"
        "  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
        "  WHERE i.indrelid = c.oid AND i.indisprimary)) ORDER BY c.oid)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        " AND c.relname NOT LIKE '%\\_fts'"))
    counts = json.loads(psql("SELECT json_build_object(%s)" % ", ".join(
        "'%s', (SELECT count(*) FROM \"%s\")" % (t["name"], t["name"]) for t in tabs)))
    for t in tabs:
        t["small"] = counts[t["name"]] <= SMALL
        t["key"] = [t["ident"]] if t["ident"] else (t["pk"] or t["cols"])
    return tabs


def _pg_query(layout, hints, tops=None):
    """One statement that returns the state of every table as one JSON object."""
    parts = []
    for t in layout:
        q = '"%s"' % t["name"]
        where = "true" if t["small"] else (hints or {}).get(t["name"])
        if tops is not None and t["ident"]:
            # after the run: the rows added since the snapshot too
            added = '"%s" > %d' % (t["ident"], tops[t["name"]])
            where = "%s OR %s" % (where, added) if where else added
        sub = []
        if where:
            sub.append("'rows', (SELECT coalesce(json_agg(x), '[]') FROM %s x WHERE %s)"
                       % (q, where))
        if t["ident"]:
            sub.append("'top', (SELECT coalesce(max(\"%s\"), 0) FROM %s)" % (t["ident"], q))
        elif not where:
            # a large table without identity: only that nothing was added is checked
            sub.append("'n', (SELECT count(*) FROM %s)" % q)
        parts.append("'%s', json_build_object(%s)" % (t["name"], ", ".join(sub)))
    return "SELECT json_build_object(%s)" % ", ".join(parts)


def pg_snapshot(psql, layout, hints=None):
    """The state before dcity's run.  hints: {table: WHERE clause} for the rows of a large
    table the operation may change."""
    state = json.loads(psql(_pg_query(layout, hints)))
    return dict(hints=hints, state=state)


def _pg_lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if not isinstance(v, str):
        v = json.dumps(v, ensure_ascii=False)
    return "'" + v.replace("'", "''") + "'"


def pg_rows_sql(psql, layout, snap, out):
    """The rows dcity wrote since snap as one transaction of INSERTs and UPDATEs for psql
    (identity columns left to the database, as floor.c leaves the rowid); their count."""
    before = snap["state"]
    tops = {t["name"]: before[t["name"]]["top"] for t in layout if t["ident"]}
    after = json.loads(psql(_pg_query(layout, snap["hints"], tops)))
    stmts = []
    for t in layout:
        name, q, key = t["name"], '"%s"' % t["name"], t["key"]
        b, a = before[name], after[name]
        if "n" in b and a["n"] != b["n"]:
            raise SystemExit("bench: floors: rows were added to or deleted from %s (a large"
                             " table without an identity column; not replayed)" % name)
        kv = lambda r: tuple(json.dumps(r[c]) for c in key)  # noqa: E731
        old = {kv(r): r for r in b.get("rows", [])}
        added = []
        for r in a.get("rows", []):
            k = kv(r)
            if k not in old:
                added.append(r)
                continue
            o = old.pop(k)
            diff = [c for c in t["cols"] if r[c] != o[c]]
            if diff:
                stmts.append("UPDATE %s SET %s WHERE %s" % (
                    q, ", ".join('"%s" = %s' % (c, _pg_lit(r[c])) for c in diff),
                    " AND ".join('"%s" = %s' % (c, _pg_lit(o[c])) for c in key)))
        if old:
            raise SystemExit("bench: floors: a row of %s was deleted (not replayed)" % name)
        cols = [c for c in t["cols"] if c != t["ident"]]
        for r in sorted(added, key=lambda r: r[t["ident"]]) if t["ident"] else added:
            stmts.append("INSERT INTO %s(%s) VALUES (%s)" % (
                q, ", ".join('"%s"' % c for c in cols), ", ".join(_pg_lit(r[c]) for c in cols)))
    with open(out, "w") as f:
        f.write("BEGIN;\n" + "".join(s + ";\n" for s in stmts) + "COMMIT;\n")
    return len(stmts)
