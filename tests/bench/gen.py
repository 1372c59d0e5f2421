"""Deterministic data for tests/bench/run: a city's organisation (made with the dcity commands),
a vendor catalog as CSV and as BMEcat, case intake records, and a database of many cases that
is written straight into the dcity schema, the way dc-case and dc-assign write it.

Everything derives from fixed seeds, so the same scale gives byte-identical files and rows on
every machine (the tracking tokens of the bulk cases are random in dcity and seeded here).
"""
import bisect
import datetime as dt
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import zoneinfo

TZ = zoneinfo.ZoneInfo("Europe/Berlin")
NOW = "2026-11-02T09:00:00Z"  # a Monday; DC_NOW of every command the harness runs
NOW_DT = dt.datetime(2026, 11, 2, 9, 0, 0, tzinfo=dt.timezone.utc)
HISTORY_START = dt.datetime(2023, 1, 2, 7, 0, 0, tzinfo=dt.timezone.utc)
# The city went live with dcity on 2025-07-01 and imported the requests of its old system
# (dc-case import --format open311) the evening before: those cases have one event each.
GO_LIVE = dt.datetime(2025, 6, 30, 18, 0, 0, tzinfo=dt.timezone.utc)
GENESIS = "0" * 64

DEPTS = [
    ("tiefbau", "Tiefbauamt"), ("gruen", "Grünflächenamt"), ("ordnung", "Ordnungsamt"),
    ("buergerbuero", "Bürgerbüro"), ("umwelt", "Umweltamt"), ("verkehr", "Straßenverkehrsamt"),
    ("bau", "Bauaufsicht"), ("soziales", "Sozialamt"), ("jugend", "Jugendamt"),
    ("schule", "Schulverwaltung"), ("kultur", "Kulturamt"), ("reinigung", "Stadtreinigung"),
]
CLERKS_PER_DEPT = 6

# code, name, kind, department, SLA in business days; pothole has the Open311 definition of
# tests/fixtures/pothole-definition.json (a required list attribute, a number, ...).
SERVICES = [
    ("pothole", "Schlagloch", "report", "tiefbau", 5),
    ("streetlight", "Straßenbeleuchtung defekt", "report", "tiefbau", 3),
    ("sidewalk", "Gehweg beschädigt", "report", "tiefbau", 10),
    ("manhole", "Kanaldeckel klappert", "report", "tiefbau", 5),
    ("tree", "Baum beschädigt oder umgestürzt", "report", "gruen", 2),
    ("playground", "Spielplatz: Gerät defekt", "report", "gruen", 5),
    ("grass", "Rasen / Hecke schneiden", "report", "gruen", 15),
    ("parking-violation", "Falschparker", "report", "ordnung", 1),
    ("noise", "Lärmbelästigung", "report", "ordnung", 5),
    ("abandoned-car", "Schrottfahrzeug", "report", "ordnung", 10),
    ("address-change", "Ummeldung", "application", "buergerbuero", 5),
    ("id-card", "Personalausweis beantragen", "application", "buergerbuero", 15),
    ("certificate", "Meldebescheinigung", "application", "buergerbuero", 3),
    ("illegal-dumping", "Illegale Müllablagerung", "report", "umwelt", 3),
    ("water", "Gewässerverschmutzung", "report", "umwelt", 2),
    ("traffic-sign", "Verkehrszeichen fehlt oder verdreht", "report", "verkehr", 5),
    ("traffic-light", "Ampel gestört", "report", "verkehr", 1),
    ("resident-parking", "Bewohnerparkausweis", "application", "verkehr", 10),
    ("building-permit", "Bauantrag", "application", "bau", 60),
    ("construction-site", "Baustelle ohne Genehmigung", "report", "bau", 10),
    ("housing-benefit", "Wohngeld", "application", "soziales", 30),
    ("daycare", "Kitaplatz", "application", "jugend", 30),
    ("school-transport", "Schülerbeförderung", "application", "schule", 20),
    ("event-permit", "Veranstaltung anmelden", "application", "kultur", 20),
    ("bulky-waste", "Sperrmüllabholung", "application", "reinigung", 10),
    ("street-cleaning", "Straße verschmutzt", "report", "reinigung", 3),
    ("graffiti", "Graffiti entfernen", "report", "reinigung", 10),
    ("bin-full", "Papierkorb voll", "report", "reinigung", 2),
]
WEIGHTS = [14, 8, 5, 3, 4, 3, 3, 10, 4, 2, 6, 3, 4, 6, 1, 3, 2, 3, 1, 1, 2, 2, 1, 1, 5, 4, 3, 3]
DISTRICTS = ["Altstadt", "Nord", "Süd", "Ost", "West", "Hafen", "Heide", "Bahnhof", "Oberdorf",
             "Unterdorf"]
# district overrides: these services in these districts go to another department
ROUTES = [("tree", "Hafen", "umwelt"), ("street-cleaning", "Altstadt", "tiefbau"),
          ("graffiti", "Bahnhof", "ordnung")]
HOLIDAYS = {  # Niedersachsen, 2023-2027
    "2023-01-01": "Neujahr", "2023-04-07": "Karfreitag", "2023-04-10": "Ostermontag",
    "2023-05-01": "Tag der Arbeit", "2023-05-18": "Christi Himmelfahrt",
    "2023-05-29": "Pfingstmontag", "2023-10-03": "Tag der Deutschen Einheit",
    "2023-10-31": "Reformationstag", "2023-12-25": "1. Weihnachtstag",
    "2023-12-26": "2. Weihnachtstag", "2024-01-01": "Neujahr", "2024-03-29": "Karfreitag",
    "2024-04-01": "Ostermontag", "2024-05-01": "Tag der Arbeit",
    "2024-05-09": "Christi Himmelfahrt", "2024-05-20": "Pfingstmontag",
    "2024-10-03": "Tag der Deutschen Einheit", "2024-10-31": "Reformationstag",
    "2024-12-25": "1. Weihnachtstag", "2024-12-26": "2. Weihnachtstag", "2025-01-01": "Neujahr",
    "2025-04-18": "Karfreitag", "2025-04-21": "Ostermontag", "2025-05-01": "Tag der Arbeit",
    "2025-05-29": "Christi Himmelfahrt", "2025-06-09": "Pfingstmontag",
    "2025-10-03": "Tag der Deutschen Einheit", "2025-10-31": "Reformationstag",
    "2025-12-25": "1. Weihnachtstag", "2025-12-26": "2. Weihnachtstag", "2026-01-01": "Neujahr",
    "2026-04-03": "Karfreitag", "2026-04-06": "Ostermontag", "2026-05-01": "Tag der Arbeit",
    "2026-05-14": "Christi Himmelfahrt", "2026-05-25": "Pfingstmontag",
    "2026-10-03": "Tag der Deutschen Einheit", "2026-10-31": "Reformationstag",
    "2026-12-25": "1. Weihnachtstag", "2026-12-26": "2. Weihnachtstag", "2027-01-01": "Neujahr",
    "2027-03-26": "Karfreitag", "2027-03-29": "Ostermontag", "2027-05-01": "Tag der Arbeit",
}

FIRST = ["Erika", "Max", "Jürgen", "Anna", "Mehmet", "Sofia", "Lukas", "Emma", "Özlem", "Paul",
         "Marie", "Felix", "Hannah", "Jonas", "Lea", "Ali", "Katarzyna", "Tim", "Lina", "Noah"]
LAST = ["Mustermann", "Müller", "Schäfer", "Schmidt", "Yilmaz", "Weber", "Wagner", "Becker",
        "Hoffmann", "Schulz", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schröder", "Kaya",
        "Nowak", "Braun", "Zimmermann"]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Lindenallee", "Schulstraße", "Gartenweg",
           "Kirchplatz", "Am Markt", "Feldstraße", "Mühlenweg", "Rosenstraße", "Bergstraße",
           "Hafenstraße", "Goethestraße", "Schillerplatz", "Waldweg", "Birkenweg"]
WHAT = ["vor der Hausnummer", "gegenüber vom Kindergarten", "an der Bushaltestelle",
        "neben dem Supermarkt", "am Radweg", "an der Kreuzung", "hinter der Schule",
        "beim Spielplatz", "an der Einfahrt", "vor dem Rathaus"]
HOW = ["seit drei Tagen", "seit letzter Woche", "nach dem Sturm", "seit dem Frost",
       "schon wieder", "immer abends", "heute morgen bemerkt", "gefährlich für Radfahrer",
       "bitte dringend ansehen", "Anwohner beschweren sich"]
NOTES = [None, None, None, "Kolonne ist unterwegs", "Ortstermin vereinbart",
         "Auftrag an Fremdfirma erteilt", "Unterlagen angefordert"]


def fmt_time(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Chain:
    """The audit hash chain of lib/core/audit.c: hash = SHA-256(prev || canonical event),
    canonical = each field as <byte length>:<bytes>, NULL as '-'."""

    def __init__(self, prev):
        self.prev = prev

    def event(self, f):
        parts = [self.prev.encode()]
        for v in f:
            if v is None:
                parts.append(b"-,")
            else:
                b = v.encode()
                parts.append(b"%d:%s," % (len(b), b))
        h = hashlib.sha256(b"".join(parts)).hexdigest()
        row = (*f, self.prev, h)
        self.prev = h
        return row


class BusinessDays:
    """due_at as lib/cases/case.c computes it: the end (23:59:59 local) of the SLA's last
    business day, counting from the day after intake, skipping weekends and holidays."""

    def __init__(self):
        self.memo = {}

    def due(self, created, sla):
        day = created.astimezone(TZ).date()
        key = (day, sla)
        if key not in self.memo:
            d, n = day, sla
            while n > 0:
                d += dt.timedelta(days=1)
                if d.weekday() >= 5 or d.isoformat() in HOLIDAYS:
                    continue
                n -= 1
            end = dt.datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=TZ)
            self.memo[key] = fmt_time(end.astimezone(dt.timezone.utc))
        return self.memo[key]


def staff_of(dept):
    return [f"{dept}.c{i}" for i in range(1, CLERKS_PER_DEPT + 1)]


# ---- the organisation, made with the commands ----

def setup_org(run, bindir, fixtures, work):
    """Departments, staff of every role, holidays, services, routes, settings, a vendor: with
    the dcity commands, as an installation would.  run(argv, env_extra, stdin_path) runs one
    command."""
    run(["dc", "init"])
    for code, name in DEPTS:
        run(["dc-assign", "dept", "add", code, "--name", name])
    run(["dc-assign", "staff", "add", "root", "--name", "Ada Admin", "--role", "admin"])
    admin = {"DC_USER": "root"}
    staff = []
    for code, name in DEPTS:
        staff.append({"login": f"{code}.head", "name": f"Leitung {name}", "dept": code,
                      "role": "head"})
        for i, login in enumerate(staff_of(code)):
            staff.append({"login": login, "name": f"{FIRST[i]} {LAST[(i * 7) % 20]}",
                          "dept": code, "role": "clerk"})
    staff += [{"login": "paul", "name": "Paul Portal", "role": "integrator"},
              {"login": "ines", "name": "Ines Prüf", "role": "auditor"},
              {"login": "bob", "name": "Bob Buyer", "role": "buyer"}]
    path = os.path.join(work, "staff.jsonl")
    with open(path, "w") as f:
        for s in staff:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")
    run(["dc-assign", "staff", "add", "-"], admin, path)
    path = os.path.join(work, "holidays.csv")
    with open(path, "w") as f:
        f.write("date,name\n")
        for d, n in sorted(HOLIDAYS.items()):
            f.write(f"{d},{n}\n")
    run(["dc-assign", "holiday", "import", path], admin)
    for code, name, kind, dept, sla in SERVICES:
        argv = ["dc-case", "service", "add", "--code", code, "--name", name, "--kind", kind,
                "--department", dept, "--sla", str(sla)]
        if code == "pothole":
            argv += ["--definition", os.path.join(fixtures, "pothole-definition.json")]
        run(argv, admin)
    for svc, district, dept in ROUTES:
        run(["dc-case", "route", "add", "--service", svc, "--district", district,
             "--department", dept], admin)
    run(["dc", "config", "mail.from", "buergerservice@musterstadt.example"], admin)
    run(["dc-order", "vendor", "add", "acme", "--name", "ACME Bürobedarf GmbH", "--email",
         "auftrag@acme.example"], {"DC_USER": "bob"})
    run(["dc-order", "vendor", "add", "bmevendor", "--name", "Müller & Söhne Bürobedarf GmbH",
         "--email", "auftrag@mueller.example"], {"DC_USER": "bob"})


# ---- the vendor catalog ----

PRODUCTS = ["Ordner", "Kopierpapier", "Kugelschreiber", "Textmarker", "Heftgerät", "Locher",
            "Briefumschlag", "Haftnotizen", "Schreibtischlampe", "Bürostuhl", "Aktenschrank",
            "Tonerkartusche", "Tintenpatrone", "Whiteboard", "Pinnwand", "Laminierfolie",
            "Etiketten", "Klebeband", "Schere", "Radiergummi", "Bleistift", "Collegeblock",
            "Hängeregister", "Trennblätter", "Stempelkissen", "Maus", "Tastatur", "Monitor",
            "Reinigungstücher", "Handseife", "Müllbeutel", "Kaffeebecher", "Warnweste",
            "Arbeitshandschuhe", "Streusalz", "Schaufel", "Besen", "Leuchtmittel LED",
            "Batterien AA", "Verlängerungskabel"]
SIZES = ["A4", "A5", "A3", "DIN lang", "klein", "mittel", "groß", "XL", "5 cm", "8 cm",
         "500 Blatt", "100 Stück", "10er-Pack", "1 m", "5 m", "25 m"]
COLORS = ["blau", "schwarz", "rot", "grün", "gelb", "weiß", "grau", "orange", "transparent",
          "natur"]
UNITS = ["C62", "ST", "PK", "KAR", "SET", "RO", "BL", "L", "KG", "MTR"]
CATEGORIES = [f"{g}-{s}" for g in ("buero", "papier", "it", "moebel", "hygiene", "bauhof",
                                    "licht", "technik") for s in ("a", "b", "c", "d", "e")]
ADJ = ["Hochwertiges", "Robustes", "Praktisches", "Langlebiges", "Umweltfreundliches",
       "Ergonomisches", "Preiswertes", "Stabiles", "Leichtes", "Klassisches"]
USE = ["für Büro und Verwaltung", "für Schule und Kita", "für den Bauhof",
       "für Archiv und Registratur", "für Laser- und Tintendrucker", "für den Außeneinsatz",
       "nach DIN EN ISO 9001 gefertigt", "aus 100 % Recyclingmaterial",
       "mit Blauem Engel", "für Besprechungsräume"]


def gtin13(n):
    digits = "400%09d" % (n % 10**9)
    odd = sum(map(int, digits[1::2]))
    s = sum(map(int, digits[0::2])) + 3 * odd
    return digits + str((10 - s % 10) % 10)


def catalog_items(n, seed=6):
    """(sku, name, unit, price, vat, category, gtin, description) of n items, in a
    vendor's arbitrary order; skus unique."""
    rand = random.Random(seed).random
    np, ns, nc, nu, ncat, na, nuse = (len(PRODUCTS), len(SIZES), len(COLORS), len(UNITS),
                                      len(CATEGORIES), len(ADJ), len(USE))
    for i in range(n):
        k = (i * 7919 + 13) % 10_000_000  # a permutation: unique, not in file order
        p = PRODUCTS[int(rand() * np)]
        name = "%s %s, %s" % (p, SIZES[int(rand() * ns)], COLORS[int(rand() * nc)])
        if rand() < 0.05:
            name += ' "Premium"'
        cents = 19 + int(rand() * 249981)
        desc = "%s %s %s, Artikel %d, Lieferung in %d Werktagen" % (
            ADJ[int(rand() * na)], p, USE[int(rand() * nuse)], k, 1 + int(rand() * 14))
        yield ("%s-%07d" % (p[:3].upper(), k), name, UNITS[int(rand() * nu)],
               "%d.%02d" % (cents // 100, cents % 100), "19" if rand() < 0.9 else "7",
               CATEGORIES[int(rand() * ncat)], gtin13(k * 31), desc)


def csv_field(v):
    if '"' in v or "," in v or "\n" in v:
        return '"' + v.replace('"', '""') + '"'
    return v


CATALOG_COLUMNS = ["sku", "name", "unit", "price", "vat", "category", "gtin", "description"]


def write_catalog_csv(path, n):
    with open(path, "w", newline="") as f:
        f.write(",".join(CATALOG_COLUMNS) + "\n")
        buf = []
        for item in catalog_items(n):
            buf.append(",".join(csv_field(v) for v in item))
            if len(buf) >= 10000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")


def write_catalog_variant(src, dst):
    """The same items with the first two data rows swapped: another SHA-256, nothing to
    change, so a re-import has to compare every item."""
    with open(src, "rb") as f, open(dst, "wb") as g:
        header, a, b = f.readline(), f.readline(), f.readline()
        g.write(header + b + a)
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            g.write(chunk)


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_bmecat(path, n):
    """A BMEcat 2005 T_NEW_CATALOG of n products (like tests/fixtures/bmecat-2005-catalog.xml):
    descriptions, GTIN, manufacturer, keywords, order details, two price tiers, a group."""
    rng = random.Random(2005)
    with open(path, "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<BMECAT version="2005" xmlns="http://www.bmecat.org/bmecat/2005">\n'
                "  <HEADER>\n    <GENERATOR_INFO>bench</GENERATOR_INFO>\n    <CATALOG>\n"
                '      <LANGUAGE default="true">deu</LANGUAGE>\n'
                "      <CATALOG_ID>BENCH-2026</CATALOG_ID>\n"
                "      <CATALOG_VERSION>1.0</CATALOG_VERSION>\n"
                "      <CURRENCY>EUR</CURRENCY>\n    </CATALOG>\n"
                "    <SUPPLIER>\n      <SUPPLIER_ID>bmevendor</SUPPLIER_ID>\n"
                "      <SUPPLIER_NAME>Müller &amp; Söhne Bürobedarf GmbH</SUPPLIER_NAME>\n"
                "    </SUPPLIER>\n  </HEADER>\n  <T_NEW_CATALOG>\n")
        for i, (sku, name, unit, price, vat, cat, gtin, desc) in enumerate(catalog_items(n, 7)):
            cents = int(price.replace(".", ""))
            tier = max(1, cents * 9 // 10)
            f.write(f"""    <PRODUCT mode="new">
      <SUPPLIER_PID type="supplier_specific">{sku}</SUPPLIER_PID>
      <PRODUCT_DETAILS>
        <DESCRIPTION_SHORT lang="deu">{xml_escape(name)}</DESCRIPTION_SHORT>
        <DESCRIPTION_LONG lang="deu">{xml_escape(desc)}</DESCRIPTION_LONG>
        <INTERNATIONAL_PID type="gtin">{gtin}</INTERNATIONAL_PID>
        <MANUFACTURER_PID>MP-{i}</MANUFACTURER_PID>
        <MANUFACTURER_NAME>Hersteller {LAST[i % 20]} &amp; Co</MANUFACTURER_NAME>
        <KEYWORD>{cat}</KEYWORD>
        <KEYWORD>{COLORS[i % 10]}</KEYWORD>
      </PRODUCT_DETAILS>
      <PRODUCT_ORDER_DETAILS>
        <ORDER_UNIT>{unit}</ORDER_UNIT>
        <QUANTITY_MIN>1</QUANTITY_MIN>
        <QUANTITY_INTERVAL>1</QUANTITY_INTERVAL>
      </PRODUCT_ORDER_DETAILS>
      <PRODUCT_PRICE_DETAILS>
        <DATETIME type="valid_start_date"><DATE>2026-01-01</DATE></DATETIME>
        <PRODUCT_PRICE price_type="net_customer">
          <PRICE_AMOUNT>{price}</PRICE_AMOUNT>
          <PRICE_CURRENCY>EUR</PRICE_CURRENCY>
          <TAX>0.{vat if len(vat) == 2 else "0" + vat}</TAX>
          <LOWER_BOUND>1</LOWER_BOUND>
        </PRODUCT_PRICE>
        <PRODUCT_PRICE price_type="net_customer">
          <PRICE_AMOUNT>{tier // 100}.{tier % 100:02d}</PRICE_AMOUNT>
          <PRICE_CURRENCY>EUR</PRICE_CURRENCY>
          <TAX>0.{vat if len(vat) == 2 else "0" + vat}</TAX>
          <LOWER_BOUND>10</LOWER_BOUND>
        </PRODUCT_PRICE>
      </PRODUCT_PRICE_DETAILS>
      <PRODUCT_TO_CATALOGGROUP_MAP>
        <CATALOG_GROUP_ID>{cat}</CATALOG_GROUP_ID>
      </PRODUCT_TO_CATALOGGROUP_MAP>
    </PRODUCT>
""")
        f.write("  </T_NEW_CATALOG>\n</BMECAT>\n")


# ---- citizens' cases ----

def citizen(rng):
    first, last = FIRST[rng.randrange(20)], LAST[rng.randrange(20)]
    return first, last


def case_text(rng, svc_name):
    return (f"{svc_name} {WHAT[rng.randrange(len(WHAT))]} {rng.randrange(1, 120)}, "
            f"{HOW[rng.randrange(len(HOW))]}.")


def address(rng):
    return f"{STREETS[rng.randrange(len(STREETS))]} {rng.randrange(1, 150)}, 12345 Musterstadt"


def pothole_attrs(rng):
    size = "large" if rng.random() < 0.4 else "small"
    if rng.random() < 0.5:
        return [f"size={size}", f"depth_cm={rng.randrange(2, 30)}"]
    return [f"size={size}"]


def intake_records(n, seed=100):
    """n records for dc-case new: the fields a citizen portal sends (dc-case(1) intake)."""
    rng = random.Random(seed)
    codes = [s[0] for s in SERVICES]
    names = {s[0]: s[1] for s in SERVICES}
    for i in range(n):
        svc = rng.choices(codes, WEIGHTS)[0]
        first, last = citizen(rng)
        r = {"service": svc, "description": case_text(rng, names[svc]), "address": address(rng),
             "district": DISTRICTS[rng.randrange(len(DISTRICTS))]}
        if rng.random() < 0.7:
            r["lat"] = round(52.47 + rng.random() * 0.1, 5)
            r["lon"] = round(13.35 + rng.random() * 0.1, 5)
        if svc == "pothole":
            r["attr"] = pothole_attrs(rng)
        r["name"] = f"{first} {last}"
        # every record has an email: the notifications are part of intake (and of dc-notify)
        r["email"] = f"{first.lower()}.{last.lower()}{i}@example.org"
        if rng.random() < 0.2:
            r["phone"] = f"+49 30 {rng.randrange(1000000, 9999999)}"
        if rng.random() < 0.1:
            r["priority"] = "high"
        if rng.random() < 0.05:
            r["lang"] = "en"
        r["channel"] = "web"
        yield r


def write_intake(path_jsonl, path_json, n):
    recs = list(intake_records(n))
    with open(path_jsonl, "w") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    # the same records as one JSON array, for the sqlite3 reference (json_each)
    with open(path_json, "w") as f:
        json.dump(recs, f, ensure_ascii=False)


# status mix by age: young cases are mostly open, old ones mostly closed
MIX = [
    (14, {"new": 45, "assigned": 15, "in_progress": 25, "waiting": 5, "resolved": 5,
          "rejected": 3, "duplicate": 2}),
    (90, {"new": 8, "assigned": 5, "in_progress": 12, "waiting": 5, "resolved": 25,
          "closed": 37, "rejected": 5, "duplicate": 3}),
    (None, {"new": 0.5, "assigned": 0.5, "in_progress": 1, "waiting": 0.5, "resolved": 3,
            "closed": 87, "rejected": 5, "duplicate": 2.5}),
]
PRIORITIES = ["low", "normal", "high", "urgent"]
PRIO_W = [5, 80, 12, 3]
CHANNELS = ["web", "phone", "email", "counter", "letter", "open311"]
CHANNEL_W = [60, 12, 10, 10, 3, 5]


class Pick:
    """A weighted choice by one uniform number (random.choices rebuilds its table per call,
    and the builder makes millions of choices)."""

    def __init__(self, items, weights):
        self.items = list(items)
        total, self.cum = 0, []
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, u):
        return self.items[bisect.bisect(self.cum, u * self.total)]


class Clock:
    """RFC 3339 UTC text and local (Europe/Berlin) calendar days of epoch seconds, from tables:
    strftime and astimezone per row would dominate the builder."""

    def __init__(self):
        self.day = {}
        self.tod = ["T%02d:%02d:%02dZ" % (s // 3600, s // 60 % 60, s % 60) for s in range(86400)]
        self.local = {}

    def text(self, t):
        d, s = divmod(t, 86400)
        day = self.day.get(d)
        if day is None:
            day = self.day[d] = (dt.date(1970, 1, 1) + dt.timedelta(days=d)).isoformat()
        return day + self.tod[s]

    def local_date(self, t):
        h = t // 3600  # the offset changes on the hour
        v = self.local.get(h)
        if v is None:
            v = self.local[h] = dt.datetime.fromtimestamp(h * 3600, TZ).date()
        return v


def build_cases_db(db, n, progress=None):
    """n cases over four years, straight into the dcity schema, as intake, claims and status
    changes would have left them: the case rows, their history (created, routed, claimed,
    status events in the audit hash chain, so dc check and dc-case verify pass) and the
    case sequences.  The notifications these cases once caused are not kept (they would be
    sent long ago and do not take part in any measurement).  Cases before GO_LIVE came from
    the old system as dc_case_upsert_open311 writes them (channel open311, external_id, one
    created event, closed or still new).  Events are grouped by case, in case order, where
    dcity would interleave them in time; each case's history is in order."""
    rng = random.Random(1000000)
    rand = rng.random
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -262144")
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("BEGIN")
    # indexes are built once at the end (sorting is faster than n random inserts)
    idx = con.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'index'"
                      " AND tbl_name IN ('cases', 'event') AND sql IS NOT NULL").fetchall()
    for name, _ in idx:
        con.execute(f"DROP INDEX {name}")
    svc = {code: (name, dept, sla) for code, name, kind, dept, sla in SERVICES}
    routes = {(s, d): dept for s, d, dept in ROUTES}
    pick_service = Pick([s[0] for s in SERVICES], WEIGHTS)
    pick_status = [(age, Pick(m.keys(), m.values())) for age, m in MIX]
    pick_prio = Pick(PRIORITIES, PRIO_W)
    pick_channel = Pick(CHANNELS, CHANNEL_W)
    clerks = {d: staff_of(d) for d, _ in DEPTS}
    (prev,) = con.execute("SELECT hash FROM event ORDER BY id DESC LIMIT 1").fetchone()
    clock = Clock()
    frag = {}  # canonical form of a field (lib/core/audit.c): <byte length>:<bytes>,

    def f(v):
        if v is None:
            return "-,"
        r = frag.get(v)
        if r is None:
            r = frag[v] = "%d:%s," % (len(v.encode()), v)
        return r

    sha256 = hashlib.sha256
    now = int(NOW_DT.timestamp())
    go_live = int(GO_LIVE.timestamp())
    import_at = clock.text(go_live)
    start = int(HISTORY_START.timestamp())
    step = (now - 3600 - start) / n
    due_memo = {}
    seq = {}
    ids_by_service = {}
    cases, events = [], []
    ins_case = ("INSERT INTO cases(id, service, dept, status, assignee, priority, description,"
                " address, district, lat, lon, attributes, media, reporter_name, reporter_email,"
                " reporter_phone, lang, channel, duplicate_of, token_hash, external_id, created_at,"
                " updated_at, due_at, closed_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
    ins_event = ("INSERT INTO event(at, entity, ref, kind, actor, on_behalf_of, from_value,"
                 " to_value, note, visibility, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")

    def due(created, sla):
        day = clock.local_date(created)
        key = (day, sla)
        r = due_memo.get(key)
        if r is None:
            d, k = day, sla
            while k > 0:
                d += dt.timedelta(days=1)
                if d.weekday() >= 5 or d.isoformat() in HOLIDAYS:
                    continue
                k -= 1
            end = dt.datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=TZ)
            r = due_memo[key] = clock.text(int(end.timestamp()))
        return r

    for i in range(n):
        if len(cases) >= 20000:
            con.executemany(ins_case, cases)
            con.executemany(ins_event, events)
            cases.clear()
            events.clear()
            if progress:
                progress(i, n)
        created = start + int(i * step + rand() * step * 0.9)
        year = clock.local_date(created).year
        seq[year] = k = seq.get(year, 0) + 1
        cid = "%d-%06d" % (year, k)
        code = pick_service(rand())
        sname, sdept, sla = svc[code]
        first, last = FIRST[int(rand() * 20)], LAST[int(rand() * 20)]
        email = "%s.%s%d@example.org" % (first.lower(), last.lower(), i) if rand() < 0.85 else None
        lat = lon = None
        if rand() < 0.7:
            lat = round(52.47 + rand() * 0.1, 5)
            lon = round(13.35 + rand() * 0.1, 5)
        media = ('["https://portal.musterstadt.example/media/%d.jpg"]' % i
                 if rand() < 0.15 else "[]")
        description = "%s %s %d, %s." % (sname, WHAT[int(rand() * 10)], 1 + int(rand() * 119),
                                         HOW[int(rand() * 10)])
        addr = "%s %d, 12345 Musterstadt" % (STREETS[int(rand() * 16)], 1 + int(rand() * 149))
        phone = "+49 30 %d" % (1000000 + int(rand() * 8999999)) if rand() < 0.2 else None
        s0 = clock.text(created)
        if created < go_live:
            # imported: the service's department, no district, closed when the old system
            # had closed it (at its updated_datetime), else new and still in the queue
            closed = rand() < 0.97
            t1 = created + int(min((go_live - created) * 0.5, 86400 + rand() * 2 * sla * 86400))
            updated = clock.text(t1) if closed else s0
            status = "closed" if closed else "new"
            h = sha256((prev + "20:" + import_at + ",4:case,%d:%s," % (len(cid), cid) +
                        "7:created,4:root,-,-," + f(status) + "14:open311 import,6:public,"
                        ).encode()).hexdigest()
            events.append((import_at, "case", cid, "created", "root", None, None, status,
                           "open311 import", "public", prev, h))
            prev = h
            cases.append((cid, code, sdept, status, None, "normal", description, addr, None, lat,
                          lon, "{}", media, first + " " + last, email, phone, None, "open311",
                          None, None, "alt-%d" % i, s0, updated, due(created, sla),
                          updated if closed else None))
            continue
        district = DISTRICTS[int(rand() * len(DISTRICTS))]
        dept = routes.get((code, district), sdept)
        age = (now - created) / 86400
        for limit, pick in pick_status:
            if limit is None or age < limit:
                status = pick(rand())
                break
        channel = pick_channel(rand())
        dclerks = clerks[dept]
        intake_actor = "paul" if channel in ("web", "open311") else dclerks[int(rand() * 6)]
        clerk = dclerks[int(rand() * 6)]
        if code == "pothole":
            # as json-c writes them: the list value a string, the number as typed
            size = "large" if rand() < 0.4 else "small"
            attrs = ('{"size":"%s","depth_cm":%d}' % (size, 2 + int(rand() * 28))
                     if rand() < 0.5 else '{"size":"%s"}' % size)
        else:
            attrs = "{}"
        # the times of the later steps, all before now
        rest = now - created
        t1 = created + int(min(rest * 0.1, 3600 + rand() * 3 * 86400))
        t2 = t1 + int(min((now - t1) * 0.8, 43200 + rand() * 2 * sla * 86400))
        t3 = t2 + int(min((now - t2) * 0.9, 14 * 86400))
        s1, s2, s3 = clock.text(t1), clock.text(t2), clock.text(t3)
        ev = [(s0, "created", intake_actor, None, "new", sname, "public"),
              (s0, "routed", intake_actor, None, dept, district, "internal")]
        assignee, closed_at, dup, updated = None, None, None, s0
        note = NOTES[int(rand() * len(NOTES))]
        if status == "assigned":  # dc-assign claim: the claim, then the status
            assignee, updated = clerk, s1
            ev += [(s1, "claimed", clerk, None, clerk, None, "internal"),
                   (s1, "status", clerk, "new", "assigned", None, "public")]
        elif status in ("in_progress", "waiting", "resolved", "closed"):
            # dc-case status in_progress on a queue case claims it
            assignee, updated = clerk, s1
            ev += [(s1, "status", clerk, "new", "in_progress", note, "public"),
                   (s1, "claimed", clerk, None, clerk, None, "internal")]
            if status == "waiting":
                updated = s2
                ev.append((s2, "status", clerk, "in_progress", "waiting",
                           "Unterlagen angefordert", "public"))
            elif status in ("resolved", "closed"):
                updated = closed_at = s2
                ev.append((s2, "status", clerk, "in_progress", "resolved", "Erledigt", "public"))
                if status == "closed":
                    updated = closed_at = s3
                    ev.append((s3, "status", clerk, "resolved", "closed", None, "public"))
        elif status == "rejected":
            updated = closed_at = s1
            ev.append((s1, "status", clerk, "new", "rejected", "Nicht zuständig", "public"))
        elif status == "duplicate":
            dup = ids_by_service.get(code)
            if dup is None:
                status = "new"
            else:
                updated = closed_at = s1
                ev.append((s1, "status", clerk, "new", "duplicate", None, "public"))
        if rand() < 0.3:
            ids_by_service[code] = cid
        fcid = "4:case,%d:%s," % (len(cid), cid)
        for at, kind, actor, frm, to, nt, vis in ev:
            h = sha256((prev + "20:" + at + "," + fcid + f(kind) + f(actor) + "-," + f(frm) +
                        f(to) + f(nt) + f(vis)).encode()).hexdigest()
            events.append((at, "case", cid, kind, actor, None, frm, to, nt, vis, prev, h))
            prev = h
        cases.append((cid, code, dept, status, assignee, pick_prio(rand()), description, addr,
                      district, lat, lon, attrs, media, first + " " + last, email, phone,
                      "en" if rand() < 0.05 else None, channel, dup,
                      "%064x" % rng.getrandbits(256), None, s0, updated, due(created, sla),
                      closed_at))
    con.executemany(ins_case, cases)
    con.executemany(ins_event, events)
    for year, v in seq.items():
        con.execute("INSERT INTO seq(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE"
                    " SET value = excluded.value", (f"case-{year}", v))
    for _, sql in idx:
        con.execute(sql)
    con.execute("COMMIT")
    # as dc init left it: WAL (the pragmas above only held for this connection)
    con.execute("PRAGMA journal_mode = WAL")
    con.close()
