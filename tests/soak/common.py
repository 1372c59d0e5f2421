"""Shared by tests/soak/run and tests/crash/run: running the dcity commands, a small city,
and the checks that read the database and the Maildir back with independent consumers
(Python's sqlite3 and email modules), never with dcity's own code."""

import datetime
import email
import email.policy
import os
import random
import sqlite3
import subprocess
import sys
import time

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


def connect(db):
    c = sqlite3.connect(db, timeout=60)
    c.execute("PRAGMA query_only = 1")
    return c


def integrity(db):
    """PRAGMA integrity_check, as text ('ok' when sound)."""
    c = connect(db)
    try:
        return "\n".join(r[0] for r in c.execute("PRAGMA integrity_check"))
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
