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
"""
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
