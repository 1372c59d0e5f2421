"""Shared by tests/soak/run and tests/crash/run: running the dcity commands, a small city,
and the checks that read the database and the Maildir back with independent consumers
(Python's sqlite3 or psycopg2, and email modules), never with dcity's own code.

A database is a SQLite file or, when it is a PostgreSQL URL (postgresql://...), a database on
a cluster: pg_create makes one for a run, connect() reads either with the same SQL (written so
that both engines run it, with ? for parameters)."""

import datetime
import email
import email.policy
import os
import random
import sqlite3
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOW = "2026-03-02T09:00:00Z"  # a Monday; every run uses a fixed clock (DC_NOW)
EX_TEMPFAIL = 75


class Dc:
    """Runs the commands of one build (BIN) against one database."""

    def __init__(self, bindir, db, now=NOW, busy_ms=None):
        self.bindir = os.path.abspath(bindir)
        self.env = dict(os.environ)
        self.env.update({"DC_DB": db, "DC_NOW": now, "PATH": self.bindir + ":" + os.environ["PATH"]})
        self.env.pop("DC_USER", None)
        if busy_ms is not None:
            self.env["DC_BUSY_TIMEOUT"] = str(busy_ms)
        self.db = db

    def popen(self, args, user=None, stdin=None, env=None):
        e = dict(self.env)
        if user:
            e["DC_USER"] = user
        if env:
            e.update(env)
        return subprocess.Popen([os.path.join(self.bindir, args[0])] + list(args[1:]), env=e,
                                stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def spawn(self, args, user=None, stdin=None, log=None, env=None):
        """Start a command with stdin from the file STDIN and stdout and stderr appended to
        the file LOG (a pipe nobody reads would stall it at a moment of its own choosing)."""
        e = dict(self.env)
        if user:
            e["DC_USER"] = user
        if env:
            e.update(env)
        fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
        fout = open(log, "ab") if log else subprocess.DEVNULL
        try:
            return subprocess.Popen([os.path.join(self.bindir, args[0])] + list(args[1:]),
                                    env=e, stdin=fin, stdout=fout, stderr=fout)
        finally:
            for f in (fin, fout):
                if f is not subprocess.DEVNULL:
                    f.close()

    def run(self, args, user=None, input=None, env=None):
        """(exit status, stdout, stderr)"""
        p = self.popen(args, user, subprocess.PIPE if input is not None else None, env)
        out, err = p.communicate(input)
        return p.returncode, out, err

    def must(self, args, user=None, input=None, env=None):
        rc, out, err = self.run(args, user, input, env)
        if rc != 0:
            sys.exit("setup failed: %s exited %d: %s" % (" ".join(args), rc, err.strip()))
        return out


def retrying(dc, args, stats, user=None, input=None, env=None, tries=200):
    """Run a command, again after every exit 75 (with a short random pause), as cron would.
    stats counts 'tempfail' (each 75) and 'resolved' (a 75 followed by a definite answer);
    returns the last (status, stdout, stderr)."""
    seen = False
    for _ in range(tries):
        rc, out, err = dc.run(args, user, input, env)
        if rc != EX_TEMPFAIL:
            if seen:
                stats["resolved"] = stats.get("resolved", 0) + 1
            return rc, out, err
        seen = True
        stats["tempfail"] = stats.get("tempfail", 0) + 1
        time.sleep(random.uniform(0.005, 0.05))
    stats["unresolved"] = stats.get("unresolved", 0) + 1
    return rc, out, err


def later(now, seconds):
    """The RFC 3339 instant SECONDS after NOW."""
    t = datetime.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_city(dc):
    """Two departments with a clerk each per worker, an admin, the portal's integrator account,
    an auditor, a buyer, two services (the city of tests/bats/helper.bash, larger)."""
    dc.must(["dc-assign", "dept", "add", "tiefbau", "--name", "Tiefbauamt"])
    dc.must(["dc-assign", "dept", "add", "buergerbuero", "--name", "Bürgerbüro"])
    dc.must(["dc-assign", "staff", "add", "root", "--name", "Ada Admin", "--role", "admin"])
    for login, role in (("portal", "integrator"), ("ines", "auditor"), ("bob", "buyer")):
        dc.must(["dc-assign", "staff", "add", login, "--name", login.title(), "--role", role],
                "root")
    dc.must(["dc", "config", "mail.from", "rathaus@musterstadt.example"], "root")
    dc.must(["dc-case", "service", "add", "--code", "pothole", "--name", "Schlagloch", "--kind",
             "report", "--department", "tiefbau", "--sla", "5"], "root")
    dc.must(["dc-case", "service", "add", "--code", "parking", "--name", "Bewohnerparkausweis",
             "--kind", "application", "--department", "buergerbuero", "--sla", "10"], "root")


def is_pg(db):
    """DB is a PostgreSQL URL (as DC_DB takes it), not a SQLite file."""
    return db.startswith(("postgresql://", "postgres://", "service="))


def pg_url(conn, name):
    """The URL of database NAME on the cluster of CONN, a URL naming its database postgres (as
    tests/pg/cluster start prints it: postgresql:///postgres?host=DIR&user=dcity)."""
    if "/postgres?" in conn:
        return conn.replace("/postgres?", "/%s?" % name, 1)
    if conn.endswith("/postgres"):
        return conn[:-len("postgres")] + name
    sys.exit("--pg: %s does not name the database postgres (postgresql://.../postgres?...)"
             % conn)


def pg_name(url):
    """The database name in URL (made by pg_url)."""
    return url.split("?", 1)[0].rsplit("/", 1)[1]


def pg_admin(conn, sql):
    """Run SQL outside a transaction (CREATE and DROP DATABASE need that)."""
    import psycopg2
    c = psycopg2.connect(conn)
    try:
        c.autocommit = True
        c.cursor().execute(sql)
    finally:
        c.close()


def pg_create(conn, prefix, tablespace=None):
    """A new, empty database on the cluster of CONN, named PREFIX and a random suffix (runs at
    once on one cluster must not meet), in TABLESPACE if given; amcheck installed in it, as the
    cluster's superuser, for integrity() and dc check.  Returns its URL; dc init has still to
    make the city there."""
    # not the random module: the runs draw their work from it with a seed
    url = pg_url(conn, "%s_%s" % (prefix, uuid.uuid4().hex[:10]))
    pg_admin(conn, 'CREATE DATABASE "%s"%s' % (pg_name(url), " TABLESPACE " + tablespace
                                               if tablespace else ""))
    pg_admin(url, "CREATE EXTENSION amcheck")
    return url


def pg_drop(conn, url):
    """Drop the database of URL from the cluster of CONN, closing what is still connected."""
    pg_admin(conn, 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % pg_name(url))


def pg_settle(db, timeout=60):
    """Wait until no other client is connected to DB.  A client killed by a signal leaves its
    server process working on until it next reads from or writes to the socket; only then does
    the server roll back the killed transaction and free its locks.  SQLite has nothing to
    wait for: the kernel frees a dead process's locks at once."""
    if not is_pg(db):
        return
    c = connect(db)
    try:
        end = time.time() + timeout
        while time.time() < end:
            if not c.execute("SELECT count(*) FROM pg_stat_activity WHERE datname ="
                             " current_database() AND pid <> pg_backend_pid()"
                             " AND backend_type = 'client backend'").fetchone()[0]:
                return
            time.sleep(0.01)
    finally:
        c.close()
    sys.exit("a killed client's server process was still connected to %s after %d s"
             % (db, timeout))


class PgConnection:
    """A read-only psycopg2 connection with what the checks use of sqlite3's: execute(SQL,
    PARAMS) with ? for each parameter, returning a cursor; numbers as SQLite gives them."""

    def __init__(self, url):
        import psycopg2
        import psycopg2.extensions as ext
        self.c = psycopg2.connect(url)
        self.c.set_session(readonly=True, autocommit=True)
        # sum() and the like are numeric, which psycopg2 makes Decimal: an int (or a float)
        # as in SQLite, so that figures print and compare the same on both engines
        number = ext.new_type(ext.DECIMAL.values, "DC_NUMBER", lambda v, cur: None if v is None
                              else int(v) if v.lstrip("-").isdigit() else float(v))
        ext.register_type(number, self.c)

    def execute(self, sql, params=()):
        cur = self.c.cursor()
        # psycopg2's placeholder is %s, and a literal % is written %%
        cur.execute(sql.replace("%", "%%").replace("?", "%s"), tuple(params))
        return cur

    def close(self):
        self.c.close()


def connect(db):
    if is_pg(db):
        return PgConnection(db)
    c = sqlite3.connect(db, timeout=60)
    c.execute("PRAGMA query_only = 1")
    return c


def integrity(db):
    """PRAGMA integrity_check, as text ('ok' when sound).  PostgreSQL has no twin: there
    amcheck checks every table of the city (verify_heapam: its pages and rows) and every B-tree
    index (bt_index_check with heapallindexed: ordered, and holding every row of its table);
    what it finds is returned one line each."""
    c = connect(db)
    try:
        if not is_pg(db):
            return "\n".join(r[0] for r in c.execute("PRAGMA integrity_check"))
        if not c.execute("SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'"
                         ).fetchone()[0]:
            return "amcheck is not installed in the database: nothing was checked"
        bad = []
        tables = c.execute("SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n"
                           " ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
                           " AND c.relkind IN ('r', 'm') ORDER BY 1").fetchall()
        for (t,) in tables:
            for blk, off, att, msg in c.execute(
                    "SELECT blkno, offnum, attnum, msg FROM verify_heapam(?::regclass,"
                    " check_toast => true)", (t,)):
                bad.append("%s: block %s, item %s, column %s: %s" % (t, blk, off, att, msg))
        indexes = c.execute("SELECT c.oid::regclass::text FROM pg_index i"
                            " JOIN pg_class c ON c.oid = i.indexrelid"
                            " JOIN pg_am a ON a.oid = c.relam"
                            " JOIN pg_namespace n ON n.oid = c.relnamespace"
                            " WHERE n.nspname = 'public' AND a.amname = 'btree'"
                            " AND i.indisvalid AND i.indisready ORDER BY 1").fetchall()
        for (i,) in indexes:
            try:
                c.execute("SELECT bt_index_check(?::regclass, true)", (i,))
            except Exception as e:  # psycopg2.Error: amcheck's finding, or none installed
                bad.append("%s: %s" % (i, str(e).strip().splitlines()[0]))
        return "\n".join(bad) or "ok"
    finally:
        c.close()


def case_problems(db):
    """Cases whose status differs from their last status event, or that lack what intake
    writes with them (created and routed events, the receipt in the outbox when an email
    was given)."""
    c = connect(db)
    bad = []
    rows = c.execute(
        "SELECT c.id, c.status, c.reporter_email,"
        " (SELECT to_value FROM event e WHERE e.entity = 'case' AND e.ref = c.id"
        "   AND e.kind IN ('created', 'status') ORDER BY e.id DESC LIMIT 1),"
        " (SELECT count(*) FROM event e WHERE e.entity = 'case' AND e.ref = c.id"
        "   AND e.kind = 'created'),"
        " (SELECT count(*) FROM event e WHERE e.entity = 'case' AND e.ref = c.id"
        "   AND e.kind = 'routed'),"
        " (SELECT count(*) FROM outbox o WHERE o.ref_type = 'case' AND o.ref_id = c.id"
        "   AND o.template = 'case-receipt')"
        " FROM cases c ORDER BY c.id").fetchall()
    for cid, status, mail, last, created, routed, receipt in rows:
        if status != last:
            bad.append("case %s is %s but its last status event says %s" % (cid, status, last))
        if created != 1 or routed != 1:
            bad.append("case %s has %d created and %d routed events" % (cid, created, routed))
        if receipt != (1 if mail else 0):
            bad.append("case %s has %d receipts in the outbox" % (cid, receipt))
    orphans = c.execute("SELECT count(*) FROM event e WHERE e.entity = 'case' AND NOT EXISTS"
                        " (SELECT 1 FROM cases c WHERE c.id = e.ref)").fetchone()[0]
    if orphans:
        bad.append("%d case events belong to no case" % orphans)
    c.close()
    return len(rows), bad


def maildir_messages(maildir, db, skip=()):
    """Read every file in MAILDIR/new (but the names in SKIP) as a mail message.  Returns
    (messages, problems) where messages maps outbox id -> list of Message-IDs; a problem is a
    file that is not a whole message: missing headers, a parse defect, or a body that differs
    from the outbox row it was made from (its id is in the Maildir file name, ...Q<id>.host)."""
    c = connect(db)
    msgs, bad = {}, []
    new = os.path.join(maildir, "new")
    for name in sorted(os.listdir(new)) if os.path.isdir(new) else []:
        if name in skip:
            continue
        path = os.path.join(new, name)
        with open(path, "rb") as f:
            raw = f.read()
        m = email.message_from_bytes(raw, policy=email.policy.default)
        try:
            oid = int(name.rsplit("Q", 1)[1].split(".")[0])
        except (IndexError, ValueError):
            bad.append("%s: no outbox id in the file name" % name)
            continue
        missing = [h for h in ("Date", "From", "To", "Subject", "Message-ID") if not m[h]]
        row = c.execute("SELECT body, recipient FROM outbox WHERE id = ?", (oid,)).fetchone()
        if missing or m.defects or not raw.endswith(b"\r\n"):
            bad.append("%s: incomplete (missing %s, defects %s)" % (name, missing, m.defects))
        elif row is None:
            bad.append("%s: no outbox row %d" % (name, oid))
        elif m.get_body().get_content().replace("\r\n", "\n") != row[0] or m["To"].addresses[0].addr_spec != row[1]:
            bad.append("%s: body or recipient differ from outbox row %d" % (name, oid))
        else:
            msgs.setdefault(oid, []).append(str(m["Message-ID"]))
    c.close()
    return msgs, bad


def catalog_state(db, vendor):
    """The vendor's active catalog as readers see it (catalog_live: not what an unfinished
    import staged): {sku: price in cents} (stored in ten-thousandths)."""
    c = connect(db)
    s = dict(c.execute("SELECT sku, price / 100 FROM catalog_live"
                       " WHERE vendor = ? AND status = 'active'", (vendor,)))
    c.close()
    return s


def write_catalog(path, version, n):
    """Catalog VERSION (1, 2, ...) of n items as RFC 4180 CSV: the versions differ in prices
    and in a tenth of their SKUs, so a mix of two versions cannot pass for either.  Returns
    {sku: price in cents}, what the vendor's active catalog must be after importing it."""
    items = {}
    with open(path + ".part", "w") as f:
        f.write("sku,name,unit,price,category,description\n")
        for i in range(n):
            sku = "V%d-%06d" % (version, i) if i % 10 == 0 else "A-%06d" % i
            cents = 100 + (i * 37 + version * 1009) % 50000
            items[sku] = cents
            f.write('%s,"Artikel %d, Version %d",C62,%d.%02d,buero,"Beschreibung %d"\n'
                    % (sku, i, version, cents // 100, cents % 100, i))
    os.rename(path + ".part", path)
    return items
