#!/usr/bin/env bats
# dc-export: datasets in the generic formats and in Open311, OCDS, Atom, RSS, JSON Feed and
# iCalendar, each read back by a real consumer; privacy of the public formats; atomic -o;
# git publication; read-only SQL (dc-export(1)).

load helper

OCDS_REF=$FIXTURES/ocds

# Personal data that must never appear in a public export.
SECRETS=("Zoe Geheimname" "zoe.secret@example.org" "+49 170 5550199" "5550199"
	"Xaver Privat" "xaver@private.example" "0301234567" "Querulant" "ohne Ortstermin"
	"anna.nord@private.example" "Gewinnspiel-Geheimtext" "versteckt-geheim")

# seed_city, an auditor, a moderator, two cases full of personal data with internal and
# public notes, three orders (placed, approved after quotes, draft), feed posts: two events
# (timed and all-day), a question, a held and a hidden post.
setup() {
	seed_city
	cached_setup export_city C1 C2 O1 O2 O3 HIDDEN
	unset DC_USER
}

export_city() {
	dc-assign staff add mod --name "Mo Derator" --role moderator >/dev/null
	dc-assign dept add schule --name "Schulverwaltung" >/dev/null
	dc-assign staff add hana --name "Hana Haupt" --dept schule --role head >/dev/null
	dc-assign staff add carl --name "Carl Klein" --dept schule --role clerk >/dev/null
	dc config ocds.prefix ocds-abc123 >/dev/null
	C1=$(new_case --description "Tiefes Loch, Radweg" --address "Hauptstraße 1" --lat 52.1 --lon 10.5 \
		--name "Zoe Geheimname" --email zoe.secret@example.org --phone "+49 170 5550199" \
		--media https://img.example/1.jpg)
	C2=$(DC_NOW=2026-03-03T10:00:00Z new_case --description "Kleines Loch" --name "Xaver Privat" \
		--email xaver@private.example --phone 0301234567)
	DC_USER=anna dc-case note "$C1" "INTERN: Anwohner ist Querulant" >/dev/null
	DC_USER=anna dc-case status "$C1" in_progress --note "Reparatur ist beauftragt" >/dev/null
	DC_USER=anna dc-case note "$C2" "INTERN: ohne Ortstermin erledigt" >/dev/null
	DC_USER=anna dc-case status "$C2" in_progress >/dev/null
	DC_USER=anna dc-case status "$C2" resolved --note "Loch verfüllt" >/dev/null
	export DC_USER=bob
	dc-order vendor add acme --name "Acme & Co <GmbH>" --email sales@acme.example >/dev/null
	dc-order vendor add zeta --name "Zeta" --email z@zeta.example >/dev/null
	dc-order vendor add mueller --name "Müller" --email m@mueller.example >/dev/null
	dc-order budget add 4711 --dept schule --year 2026 --amount 50000 >/dev/null
	O1=$(DC_USER=carl dc-order new --dept schule --budget 4711 -q --line "Stühle;10;50.00;acme" --category moebel)
	DC_USER=hana dc-order approve "$O1" >/dev/null
	dc-order place "$O1" >/dev/null
	O2=$(DC_USER=carl dc-order new --dept schule --budget 4711 -q --line "Tafeln;10;500.00;acme")
	dc-order quote "$O2" --vendor acme --amount 5000 >/dev/null
	dc-order quote "$O2" --vendor zeta --amount 4800 >/dev/null
	dc-order quote "$O2" --vendor mueller --amount 5100 >/dev/null
	dc-order award "$O2" --vendor zeta >/dev/null
	DC_USER=hana dc-order approve "$O2" >/dev/null
	O3=$(DC_USER=carl dc-order new --dept schule --budget 4711 -q --line "Papier;1;20.00;acme")
	export DC_USER=paul
	dc-feed member add anna --name "Anna Nord" --kind citizen --district Nord --email anna.nord@private.example >/dev/null
	dc-feed member add stadt --name "Stadt Musterstadt" --kind authority >/dev/null
	dc-feed post --author stadt --title "Straßenfest; Nord, mit Musik" --kind event \
		--body "Ein langer Text über das Fest mit Umlauten äöü und Emoji 🎉🎉🎉🎉🎉🎉 der lang genug ist, damit gefaltet wird.
Zeile zwei; Komma, Backslash \\ Ende" \
		--starts 2026-03-20T15:00:00Z --ends 2026-03-20T20:00:00Z --location "Marktplatz, Nord" --topics fest,musik >/dev/null
	dc-feed post --author stadt --title "Flohmarkt ganztags" --body "Den ganzen Tag" --kind event \
		--starts 2026-03-21 --ends 2026-03-22 >/dev/null
	dc-feed post --author anna --title "Frage <b>&</b>" --body "Wer weiß was?" --kind question >/dev/null
	DC_USER=mod dc-feed filter add Gewinnspiel --action hold >/dev/null
	dc-feed post --author anna --title "Gewinnspiel" --body "Gewinnspiel-Geheimtext" >/dev/null
	HIDDEN=$(dc-feed post --author anna --title "bald weg" --body "versteckt-geheim" -q)
	DC_USER=mod dc-feed moderate "$HIDDEN" hide --reason "Spam" >/dev/null
	unset DC_USER
}

# no SECRET of $output
assert_private() {
	local s
	for s in "${SECRETS[@]}"; do
		if [[ $output == *"$s"* ]]; then
			fail "public export contains '$s'"
		fi
	done
}

# --- generic formats ---------------------------------------------------------------------

@test "cases as CSV read back by Python's csv: the internal dataset carries the reporter" {
	run env DC_USER=ines dc-export cases -f csv
	assert_success
	run $PY -c 'import csv,sys
rows = list(csv.DictReader(sys.stdin))
for r in rows: print(r["id"], r["status"], r["reporter.name"], r["reporter.email"], r["lat"])' <<<"$output"
	assert_output "$C1 in_progress Zoe Geheimname zoe.secret@example.org 52.1
$C2 resolved Xaver Privat xaver@private.example "
}

@test "every dataset in json, jsonl and tsv for the auditor; JSON read back by Python" {
	for ds in cases case-events services orders budgets catalog products shop-orders notifications posts events; do
		run env DC_USER=ines dc-export "$ds" -f json
		assert_success
		$PY -c 'import json,sys; d = json.load(sys.stdin); assert isinstance(d, list)' <<<"$output"
		run env DC_USER=ines dc-export "$ds" --jsonl
		assert_success
		$PY -c 'import json,sys
for l in sys.stdin:
    if l.strip(): json.loads(l)' <<<"$output"
		run env DC_USER=ines dc-export "$ds" -f tsv
		assert_success
	done
	run env DC_USER=ines dc-export orders -f json
	run $PY -c 'import json,sys; print(" ".join(r["id"] + ":" + r["status"] for r in json.load(sys.stdin)))' <<<"$output"
	assert_output "$O1:placed $O2:approved $O3:draft"
	DC_USER=ines dc-export notifications --jsonl | validate notification
	DC_USER=ines dc-export cases --jsonl | validate case
	DC_USER=ines dc-export orders --jsonl | validate order
	DC_USER=ines dc-export posts --jsonl | validate post
	run env DC_USER=ines dc-export posts -f csv
	run $PY -c 'import csv,sys; print(sorted(r["title"] for r in csv.DictReader(sys.stdin)))' <<<"$output"
	assert_output "['Flohmarkt ganztags', 'Frage <b>&</b>', 'Straßenfest; Nord, mit Musik']"
}

@test "filters: --status, --department, --since, --until" {
	run env DC_USER=ines dc-export cases -f csv --status resolved --fields id
	assert_output $'id\n'"$C2"
	run env DC_USER=ines dc-export cases -f csv --since 2026-03-03 --fields id
	assert_output $'id\n'"$C2"
	run env DC_USER=ines dc-export cases -f csv --until 2026-03-02 --fields id
	assert_output $'id\n'"$C1"
	run env DC_USER=ines dc-export cases -f csv --department buergerbuero --fields id
	assert_output "id"
	run env DC_USER=ines dc-export orders -f csv --status draft --fields id
	assert_output $'id\n'"$O3"
	run dc-export cases -f open311-json --status closed
	run $PY -c 'import json,sys; print([r["service_request_id"] for r in json.load(sys.stdin)])' <<<"$output"
	assert_output "['$C2']"
	run env DC_USER=ines dc-export cases --since 2026-13-01
	assert_failure 64
}

@test "filters: an unknown --status is a usage error naming the dataset's statuses" {
	local cases="new, assigned, in_progress, waiting, resolved, closed, rejected or duplicate"
	run env DC_USER=ines dc-export case-events --status neu
	assert_failure 64
	assert_line --index 0 "dc-export: field 'status': 'neu' is not one of $cases"
	run dc-export case-events -f open311-xml --status neu
	assert_failure 64
	assert_line --index 0 "dc-export: field 'status': 'neu' is not one of $cases"
	run dc-export cases -f open311-json --status offen
	assert_failure 64
	assert_line --index 0 "dc-export: field 'status': 'offen' is not one of open, $cases"
	run dc-export orders -f ocds --status bestellt
	assert_failure 64
	assert_line --index 0 "dc-export: field 'status': 'bestellt' is not one of draft, approved, placed, received, invoiced or cancelled"
	run env DC_USER=bob dc-export catalog --status aktiv
	assert_failure 64
	assert_line --index 0 "dc-export: field 'status': 'aktiv' is not one of active or discontinued"
	run env DC_USER=ines dc-export notifications --status gesendet -o "$BATS_TEST_TMPDIR/n.csv"
	assert_failure 64
	assert_line --index 0 "dc-export: field 'status': 'gesendet' is not one of pending, sending, sent, failed or dead"
	[ ! -e "$BATS_TEST_TMPDIR/n.csv" ]
	# the known ones still filter, each by its own column
	run dc-export cases -f open311-json --status open
	run $PY -c 'import json,sys; print([r["service_request_id"] for r in json.load(sys.stdin)])' <<<"$output"
	assert_output "['$C1']"
	run dc-export cases -f open311-json --status resolved
	run $PY -c 'import json,sys; print([r["service_request_id"] for r in json.load(sys.stdin)])' <<<"$output"
	assert_output "['$C2']"
	run env DC_USER=ines dc-export case-events -f csv --status in_progress --fields case --no-header
	assert_success
	run sort -u <<<"$output"
	assert_output "$C1"
	run dc-export orders -f ocds --status placed
	run $PY -c 'import json,sys; print([r["ocid"] for r in json.load(sys.stdin)["releases"]])' <<<"$output"
	assert_output "['ocds-abc123-$O1']"
	run env DC_USER=bob dc-export catalog -f csv --status discontinued --fields id
	assert_output "id"
	run env DC_USER=ines dc-export notifications -f csv --status dead --fields id
	assert_output "id"
}

@test "roles: internal datasets need a role, public formats do not, unknown formats are usage errors" {
	for ds in cases case-events orders budgets notifications shop-orders; do
		run env DC_USER=nobody dc-export "$ds" -f csv
		assert_failure 77
	done
	run env DC_USER=carl dc-export notifications -f csv
	assert_failure 77
	run env DC_USER=bob dc-export budgets -f csv --fields id
	assert_success
	assert_output $'id\n4711/2026'
	for f in "cases open311-json" "case-events open311-xml" "services open311-json" "orders ocds" \
		"posts atom" "posts rss" "posts jsonfeed" "events ical"; do
		set -- $f
		run env DC_USER=nobody dc-export "$1" -f "$2"
		assert_success
	done
	run dc-export orders -f atom
	assert_failure 64
	assert_output --partial "dataset 'orders' has no format 'atom'"
	run dc-export nosuch
	assert_failure 64
	run dc-export board -f csv
	assert_failure 64
}

# --- Open311 ----------------------------------------------------------------------------

@test "open311-json: GeoReport v2 service_requests field for field, public notes only" {
	run env DC_USER=nobody dc-export cases -f open311-json
	assert_success
	assert_private
	run $PY -c 'import json,sys
d = json.load(sys.stdin)
print(list(d[0].keys()))
for r in d: print(r["service_request_id"], r["status"], r["status_notes"], r["agency_responsible"], r["service_code"], r["lat"], r["long"], r["media_url"], r["expected_datetime"])' <<<"$output"
	assert_output "['service_request_id', 'status', 'status_notes', 'service_name', 'service_code', 'description', 'agency_responsible', 'service_notice', 'requested_datetime', 'updated_datetime', 'expected_datetime', 'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url']
$C1 open Reparatur ist beauftragt Tiefbauamt pothole 52.1 10.5 https://img.example/1.jpg 2026-03-10T22:59:59Z
$C2 closed Loch verfüllt Tiefbauamt pothole None None None None"
}

@test "open311-xml: well-formed (xmllint), the same requests, escaped text" {
	command -v xmllint || skip "xmllint missing (Debian: libxml2-utils)"
	dc-export cases -f open311-xml >"$BATS_TEST_TMPDIR/r.xml"
	run xmllint --noout "$BATS_TEST_TMPDIR/r.xml"
	assert_success
	run $PY -c 'import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
print(root.tag)
for r in root.findall("request"): print(r.findtext("service_request_id"), r.findtext("status"), r.findtext("status_notes"), r.findtext("address"), r.findtext("description"))' "$BATS_TEST_TMPDIR/r.xml"
	assert_output "service_requests
$C1 open Reparatur ist beauftragt Hauptstraße 1 Tiefes Loch, Radweg
$C2 closed Loch verfüllt None Kleines Loch"
	run dc-export services -f open311-xml
	assert_success
	run $PY -c 'import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.read().encode())
for s in root.findall("service"): print(root.tag, s.findtext("service_code"), s.findtext("service_name"), s.findtext("metadata"), s.findtext("type"), s.findtext("group"))' <<<"$output"
	assert_output "services parking Bewohnerparkausweis false realtime Bürgerbüro
services pothole Schlagloch true realtime Tiefbauamt"
}

@test "case-events in open311 formats: public events only" {
	run dc-export case-events -f open311-json
	assert_success
	assert_private
	run $PY -c 'import json,sys
for r in json.load(sys.stdin): print(r["service_request_id"], r["kind"], r["status"], r["status_notes"])' <<<"$output"
	assert_output "$C1 created None Schlagloch
$C2 created None Schlagloch
$C1 status in_progress Reparatur ist beauftragt
$C2 status in_progress None
$C2 status resolved Loch verfüllt"
	run env DC_USER=ines dc-export case-events -f csv
	assert_output --partial "Querulant"
}

# --- OCDS --------------------------------------------------------------------------------

@test "ocds: a release package valid against the OCDS 1.1.5 schema (Draft 4), drafts left out" {
	dc-export orders -f ocds >"$BATS_TEST_TMPDIR/o.json"
	run $PY -W ignore -c '
import json, sys, os
from jsonschema import Draft4Validator, RefResolver
ref = sys.argv[1]
pkg = json.load(open(os.path.join(ref, "release-package-schema.json")))
rel = json.load(open(os.path.join(ref, "release-schema.json")))
Draft4Validator.check_schema(pkg)
store = {rel["id"]: rel, rel["id"].rstrip("#"): rel}
v = Draft4Validator(pkg, resolver=RefResolver.from_schema(pkg, store=store))
doc = json.load(open(sys.argv[2]))
errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
for e in errs: print("/".join(map(str, e.path)), e.message)
rv = Draft4Validator(rel, resolver=RefResolver.from_schema(rel, store=store))
for r in doc["releases"]:
    for e in rv.iter_errors(r): print(r["ocid"], "/".join(map(str, e.path)), e.message); errs.append(e)
if errs: sys.exit(1)
for r in doc["releases"]:
    t = r["tender"]
    print(r["ocid"], ",".join(r["tag"]), t["status"], t["value"]["amount"], t["procurementMethod"],
          [a["suppliers"][0]["name"] for a in r.get("awards", [])], len(r.get("contracts", [])),
          sorted(p["name"] + ":" + "+".join(p["roles"]) for p in r["parties"]))
' "$OCDS_REF" "$BATS_TEST_TMPDIR/o.json"
	assert_success
	assert_output "ocds-abc123-$O1 award,contract complete 500.0 direct ['Acme & Co <GmbH>'] 1 ['Acme & Co <GmbH>:supplier', 'Schulverwaltung:buyer+procuringEntity']
ocds-abc123-$O2 tender active 5000.0 limited ['Zeta'] 0 ['Acme & Co <GmbH>:tenderer', 'Müller:tenderer', 'Schulverwaltung:buyer+procuringEntity', 'Zeta:tenderer+supplier']"
}

# --- feeds -------------------------------------------------------------------------------

@test "atom and rss: well-formed, visible posts only, author display name only" {
	command -v xmllint || skip "xmllint missing (Debian: libxml2-utils)"
	for f in atom rss; do
		dc-export posts -f $f >"$BATS_TEST_TMPDIR/f.xml"
		run xmllint --noout "$BATS_TEST_TMPDIR/f.xml"
		assert_success
		run cat "$BATS_TEST_TMPDIR/f.xml"
		assert_private
		refute_output --partial "bald weg"
	done
	dc-export posts -f atom >"$BATS_TEST_TMPDIR/a.xml"
	run $PY -c 'import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
f = ET.parse(sys.argv[1]).getroot()
print(f.tag, f.findtext(A + "title"), f.findtext(A + "updated"))
for e in f.findall(A + "entry"): print(e.findtext(A + "title"), "|", e.find(A + "author").findtext(A + "name"), "|", [c.get("term") for c in e.findall(A + "category")])' "$BATS_TEST_TMPDIR/a.xml"
	assert_output "${A:-}{http://www.w3.org/2005/Atom}feed Musterstadt 2026-03-02T09:00:00Z
Frage <b>&</b> | Anna Nord | []
Flohmarkt ganztags | Stadt Musterstadt | []
Straßenfest; Nord, mit Musik | Stadt Musterstadt | ['fest', 'musik']"
	dc-export posts -f rss >"$BATS_TEST_TMPDIR/r.xml"
	run $PY -c 'import sys, xml.etree.ElementTree as ET
c = ET.parse(sys.argv[1]).getroot()
print(c.tag, c.get("version"))
for i in c.find("channel").findall("item"): print(i.findtext("guid"), i.findtext("pubDate"))' "$BATS_TEST_TMPDIR/r.xml"
	assert_output "rss 2.0
P-2026-000003 Mon, 02 Mar 2026 09:00:00 +0000
P-2026-000002 Mon, 02 Mar 2026 09:00:00 +0000
P-2026-000001 Mon, 02 Mar 2026 09:00:00 +0000"
}

@test "jsonfeed: JSON Feed 1.1 read back by Python" {
	run dc-export posts -f jsonfeed
	assert_success
	assert_private
	run $PY -c 'import json,sys
d = json.load(sys.stdin)
print(d["version"], d["title"], d["home_page_url"])
for i in d["items"]: print(i["id"], i["title"], i["authors"], i.get("tags"), i["date_published"], i["url"])' <<<"$output"
	assert_output "https://jsonfeed.org/version/1.1 Musterstadt https://www.musterstadt.example
P-2026-000003 Frage <b>&</b> [{'name': 'Anna Nord'}] None 2026-03-02T09:00:00Z https://www.musterstadt.example/posts/P-2026-000003
P-2026-000002 Flohmarkt ganztags [{'name': 'Stadt Musterstadt'}] None 2026-03-02T09:00:00Z https://www.musterstadt.example/posts/P-2026-000002
P-2026-000001 Straßenfest; Nord, mit Musik [{'name': 'Stadt Musterstadt'}] ['fest', 'musik'] 2026-03-02T09:00:00Z https://www.musterstadt.example/posts/P-2026-000001"
}

@test "ical: RFC 5545 CRLF, 75-octet folding on UTF-8 boundaries, escaping, VALUE=DATE" {
	dc-export events -f ical >"$BATS_TEST_TMPDIR/e.ics"
	run $PY -c '
import sys
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b"\r\n"), "no final CRLF"
lines = raw[:-2].split(b"\r\n")
for l in lines:
    assert b"\n" not in l and b"\r" not in l, "bare LF/CR"
    assert len(l) <= 75, "line over 75 octets: %r" % l
    l.decode("utf-8")  # every physical line is valid UTF-8: no fold inside a sequence
folded = sum(1 for l in lines if l.startswith(b" "))
# unfold (RFC 5545 3.1) and parse content lines
logical = []
for l in lines:
    if l.startswith(b" "): logical[-1] += l[1:]
    else: logical.append(l)
text = [l.decode() for l in logical]
assert text[0] == "BEGIN:VCALENDAR" and text[-1] == "END:VCALENDAR"
assert "VERSION:2.0" in text and any(t.startswith("PRODID:") for t in text)
ev, cur = [], None
for t in text:
    if t == "BEGIN:VEVENT": cur = {}
    elif t == "END:VEVENT": ev.append(cur); cur = None
    elif cur is not None:
        name, _, value = t.partition(":")
        cur[name] = value
def unescape(v):
    out, i = "", 0
    while i < len(v):
        if v[i] == "\\":
            out += "\n" if v[i + 1] in "nN" else v[i + 1]; i += 2
        else:
            assert v[i] not in ";,", "unescaped %r in %r" % (v[i], v); out += v[i]; i += 1
    return out
print("folded", folded > 0)
for e in ev:
    for k in ("UID", "DTSTAMP", "SUMMARY"): assert k in e, k
    print(e["UID"], "|", unescape(e["SUMMARY"]), "|", [k + "=" + v for k, v in e.items() if k.startswith("DTSTART") or k.startswith("DTEND")], "|", unescape(e.get("LOCATION", "")))
    if "DESCRIPTION" in e: print(repr(unescape(e["DESCRIPTION"])))
' "$BATS_TEST_TMPDIR/e.ics"
	assert_success
	assert_output "folded True
P-2026-000002@www.musterstadt.example | Flohmarkt ganztags | ['DTSTART;VALUE=DATE=20260321', 'DTEND;VALUE=DATE=20260323'] | 
'Den ganzen Tag'
P-2026-000001@www.musterstadt.example | Straßenfest; Nord, mit Musik | ['DTSTART=20260320T150000Z', 'DTEND=20260320T200000Z'] | Marktplatz, Nord
'Ein langer Text über das Fest mit Umlauten äöü und Emoji 🎉🎉🎉🎉🎉🎉 der lang genug ist, damit gefaltet wird.\nZeile zwei; Komma, Backslash \\\\ Ende'"
}

@test "ical: python3-icalendar reads the events back" {
	$PY -c 'import icalendar' 2>/dev/null || skip "python3-icalendar not installed"
	dc-export events -f ical >"$BATS_TEST_TMPDIR/e.ics"
	run $PY -c '
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
for e in sorted(cal.walk("VEVENT"), key=lambda e: str(e["UID"])):
    print(e["UID"], "|", e["SUMMARY"], "|", e.decoded("DTSTART"), "|", e.decoded("DTEND"), "|", e.get("LOCATION", ""))
' "$BATS_TEST_TMPDIR/e.ics"
	assert_success
	assert_output "P-2026-000001@www.musterstadt.example | Straßenfest; Nord, mit Musik | 2026-03-20 15:00:00+00:00 | 2026-03-20 20:00:00+00:00 | Marktplatz, Nord
P-2026-000002@www.musterstadt.example | Flohmarkt ganztags | 2026-03-21 | 2026-03-23 | "
}

# --- privacy -----------------------------------------------------------------------------

@test "privacy: no public export contains reporter data, internal notes, member emails or hidden posts" {
	local n=0
	for f in "cases open311-json" "cases open311-xml" "case-events open311-json" "case-events open311-xml" \
		"services open311-json" "services open311-xml" "orders ocds" "posts atom" "posts rss" \
		"posts jsonfeed" "events ical"; do
		set -- $f
		run env DC_USER=nobody dc-export "$1" -f "$2"
		assert_success
		assert_private
		n=$((n + 1))
	done
	assert_equal "$n" 11
	# the check itself finds the data where it belongs
	run env DC_USER=ines dc-export cases -f csv
	assert_output --partial "zoe.secret@example.org"
}

# --- -o ----------------------------------------------------------------------------------

@test "-o writes atomically; no file and no temporary file on error; 73 when it cannot be created" {
	local d=$BATS_TEST_TMPDIR/out
	mkdir "$d"
	run env DC_USER=ines dc-export cases -f csv -o "$d/cases.csv"
	assert_success
	assert_output ""
	run $PY -c 'import csv,sys; print(len(list(csv.DictReader(open(sys.argv[1])))))' "$d/cases.csv"
	assert_output 2
	echo old >"$d/keep.csv"
	run env DC_USER=nobody dc-export cases -f csv -o "$d/keep.csv"
	assert_failure 77
	assert_equal "$(cat "$d/keep.csv")" old
	run env DC_USER=nobody dc-export cases -f csv -o "$d/new.csv"
	assert_failure 77
	assert [ ! -e "$d/new.csv" ]
	run ls -A "$d"
	assert_output $'cases.csv\nkeep.csv'
	run dc-export posts -f atom -o "$BATS_TEST_TMPDIR/no/such/dir/feed.xml"
	assert_failure 73
	run dc-export -o "$d/feed.xml" -f atom posts
	assert_success
	run xmllint --noout "$d/feed.xml"
	assert_success
}

@test "-o file modes: personal and internal data 0600 whatever the umask, public exports as the umask says" {
	local d=$BATS_TEST_TMPDIR/modes
	mkdir "$d"
	umask 022
	export DC_USER=ines
	dc-export cases -f csv -o "$d/cases.csv"
	dc-export cases -f open311-json -o "$d/cases311.json"
	dc-export case-events -f jsonl -o "$d/events.jsonl"
	dc-export case-events -f open311-xml -o "$d/events311.xml"
	dc-export orders -o "$d/orders.csv"
	dc-export orders -f ocds -o "$d/ocds.json"
	dc-export shop-orders -o "$d/shop.csv"
	dc-export notifications -o "$d/notifications.csv"
	dc-export sql "SELECT 1" -o "$d/sql.csv"
	dc-export services -o "$d/services.csv"
	dc-export posts -f atom -o "$d/posts.xml"
	dc-export events -f ical -o "$d/events.ics"
	dc-export report -o "$d/report.html"
	dc-export board -o "$d/board.html"
	run stat -c '%n %a' "$d/cases.csv" "$d/cases311.json" "$d/events.jsonl" "$d/events311.xml" \
		"$d/orders.csv" "$d/ocds.json" "$d/shop.csv" "$d/notifications.csv" "$d/sql.csv" \
		"$d/services.csv" "$d/posts.xml" "$d/events.ics" "$d/report.html" "$d/board.html"
	assert_output "$d/cases.csv 600
$d/cases311.json 644
$d/events.jsonl 600
$d/events311.xml 644
$d/orders.csv 600
$d/ocds.json 644
$d/shop.csv 600
$d/notifications.csv 600
$d/sql.csv 600
$d/services.csv 644
$d/posts.xml 644
$d/events.ics 644
$d/report.html 600
$d/board.html 644"
	# a public file follows the umask; a private one stays 0600 under the widest umask
	umask 027
	dc-export posts -f rss -o "$d/rss.xml"
	umask 0
	dc-export cases -f json -o "$d/cases.json"
	run stat -c '%a' "$d/rss.xml" "$d/cases.json"
	assert_output $'640\n600'
	# git publication writes its working-tree file by the same rule
	umask 022
	dc-export cases -f csv --git-repo "$d/repo" >/dev/null
	dc-export cases -f open311-json --git-repo "$d/repo" >/dev/null
	run stat -c '%a' "$d/repo/cases.csv" "$d/repo/cases.json"
	assert_output $'600\n644'
}

# --- git ---------------------------------------------------------------------------------

@test "--git-repo: creates the repository, commits, a second identical export makes no commit" {
	local r=$BATS_TEST_TMPDIR/pub
	run env DC_GIT_AUTHOR_NAME="Open Data" DC_GIT_AUTHOR_EMAIL=od@stadt.example \
		dc-export cases -f open311-json --git-repo "$r"
	assert_success
	c1=$($PY -c 'import json,sys; r = json.loads(sys.stdin.readline()); assert r["changed"] is True and r["path"] == "cases.json" and r["dataset"] == "cases" and r["format"] == "open311-json"; print(r["commit"])' <<<"$output")
	assert_equal "$(git -C "$r" rev-parse HEAD)" "$c1"
	validate export-summary <<<"$output"
	assert_equal "$(git -C "$r" log --format='%an <%ae>|%s' | head -1)" "Open Data <od@stadt.example>|dc-export cases (open311-json)"
	diff <(git -C "$r" show HEAD:cases.json) <(dc-export cases -f open311-json)
	assert_equal "$(git -C "$r" status --porcelain)" ""
	run dc-export cases -f open311-json --git-repo "$r"
	assert_success
	run $PY -c 'import json,sys; r = json.loads(sys.stdin.readline()); print(r["changed"], r["commit"])' <<<"$output"
	assert_output "False $c1"
	assert_equal "$(git -C "$r" rev-list --count HEAD)" 1
	DC_USER=anna dc-case note "$C1" "Asphalt bestellt" --public >/dev/null
	run dc-export cases -f open311-json --git-repo "$r" --git-message "Tagesstand"
	assert_success
	assert_equal "$(git -C "$r" rev-list --count HEAD)" 2
	assert_equal "$(git -C "$r" log -1 --format=%s)" "Tagesstand"
	git -C "$r" show HEAD:cases.json | $PY -c 'import json,sys; assert json.load(sys.stdin)[0]["status_notes"] == "Asphalt bestellt"'
	# another file and branch in the same repository
	run dc-export events -f ical --git-repo "$r" --git-path cal/events.ics --git-branch site
	assert_success
	assert_equal "$(git -C "$r" show site:cal/events.ics | head -1 | tr -d '\r')" "BEGIN:VCALENDAR"
	assert_equal "$(git -C "$r" rev-list --count HEAD)" 2
	run dc-export cases --git-path x.csv
	assert_failure 64
}

@test "--git-repo: the author from mail.from with a display name (RFC 5322), quoted or not" {
	local r=$BATS_TEST_TMPDIR/pub
	dc config mail.from 'Stadt Musterstadt <noreply@musterstadt.example>'
	run dc-export services -f open311-json --git-repo "$r"
	assert_success
	assert_equal "$(git -C "$r" log -1 --format='%an|%ae')" "Stadt Musterstadt|noreply@musterstadt.example"
	dc config mail.from '"Musterstadt, Amt für <Daten>" <od@musterstadt.example>'
	run dc-export services -f csv --git-repo "$r"
	assert_success
	assert_equal "$(git -C "$r" log -1 --format='%an|%ae')" "Musterstadt, Amt für Daten|od@musterstadt.example"
	dc config mail.from 'od@musterstadt.example'
	dc config city.name 'Musterstadt'
	run dc-export services -f tsv --git-repo "$r"
	assert_success
	assert_equal "$(git -C "$r" log -1 --format='%an|%ae')" "Musterstadt|od@musterstadt.example"
	# dc config refuses it; a value stored by an older dcity is refused where it is used
	run dc config mail.from 'Stadt <od@musterstadt.example'
	assert_failure 65
	dbsql "DELETE FROM setting WHERE key = 'mail.from';
		INSERT INTO setting(key, value) VALUES ('mail.from', 'Stadt <od@musterstadt.example')"
	run dc-export services -f jsonl --git-repo "$r"
	assert_failure 78
	assert_output --partial "setting 'mail.from': 'Stadt <od@musterstadt.example' is not a mailbox"
	assert_equal "$(git -C "$r" rev-list --count HEAD)" 3
}

# --- DCAT-AP.de ----------------------------------------------------------------------------

dcat_settings() {
	dc config opendata.base_url https://opendata.musterstadt.example/daten/ >/dev/null
	dc config city.ars 091620000000 >/dev/null
	dc config opendata.contributor_id http://dcat-ap.de/def/contributors/stadtMusterstadt >/dev/null
	dc config city.name 'Stadt "Muster" <&> \ Süd' >/dev/null
	dc config mail.reply_to 'Bürgerservice <buergerservice@musterstadt.example>' >/dev/null
}

@test "dcat: Turtle and RDF/XML parse with rapper, say the same, and hold every DCAT-AP.de property" {
	dcat_settings
	run dc-export dcat -o "$BATS_TEST_TMPDIR/c.ttl"
	assert_success
	run dc-export dcat -f rdfxml -o "$BATS_TEST_TMPDIR/c.rdf"
	assert_success
	run rapper -q -i turtle -c "$BATS_TEST_TMPDIR/c.ttl"
	assert_success
	run rapper -i turtle -c "$BATS_TEST_TMPDIR/c.ttl"
	n=$(sed -n 's/.*returned \([0-9]*\) triples.*/\1/p' <<<"$output")
	run rapper -i rdfxml -c "$BATS_TEST_TMPDIR/c.rdf"
	assert_success
	assert_output --partial "returned $n triples"
	xmllint --noout "$BATS_TEST_TMPDIR/c.rdf"
	output=$(cat "$BATS_TEST_TMPDIR/c.ttl" "$BATS_TEST_TMPDIR/c.rdf")
	assert_private
	run "$PY" - "$BATS_TEST_TMPDIR/c.ttl" "$BATS_TEST_TMPDIR/c.rdf" <<-'PY'
		import sys
		from rdflib import Graph, Literal, URIRef
		from rdflib.compare import isomorphic
		ttl, xml = Graph().parse(sys.argv[1], format="turtle"), Graph().parse(sys.argv[2], format="xml")
		assert isomorphic(ttl, xml), "the two syntaxes differ"
		P = """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
		PREFIX dcatde: <http://dcat-ap.de/def/dcatde/> PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
		PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> """
		name = 'Stadt "Muster" <&> \\ Süd'
		cat = list(ttl.query(P + """SELECT ?c ?t ?d ?n WHERE { ?c a dcat:Catalog ; dct:title ?t ;
		    dct:description ?d ; dct:publisher ?p . ?p foaf:name ?n .
		    FILTER(lang(?t) = "de" && lang(?d) = "de") }"""))
		assert len(cat) == 1 and str(cat[0].n) == name and name in str(cat[0].t), cat
		sets = {}
		for r in ttl.query(P + """SELECT ?s ?t ?d ?fn ?mail ?m ?theme ?contrib ?geo WHERE {
		    ?c a dcat:Catalog ; dcat:dataset ?s . ?s a dcat:Dataset ; dct:title ?t ;
		    dct:description ?d ; dct:publisher ?p ; dct:modified ?m ; dcat:theme ?theme ;
		    dcatde:contributorID ?contrib ; dcatde:politicalGeocodingURI ?geo ;
		    dcat:contactPoint [ vcard:fn ?fn ; vcard:hasEmail ?mail ] .
		    FILTER(lang(?t) = "de" && lang(?d) = "de" && datatype(?m) = xsd:dateTime) }"""):
		    sets[str(r.s).split("#")[1]] = r
		assert sorted(sets) == sorted(["cases", "case-events", "services", "orders", "posts",
		                               "events", "board"]), sorted(sets)
		for k, r in sets.items():
		    assert str(r.fn) == name and str(r.mail) == "mailto:buergerservice@musterstadt.example", r
		    assert str(r.contrib) == "http://dcat-ap.de/def/contributors/stadtMusterstadt"
		    assert str(r.geo) == "http://dcat-ap.de/def/politicalGeocoding/regionalKey/091620000000"
		    assert str(r.theme).startswith("http://publications.europa.eu/resource/authority/data-theme/")
		dists = list(ttl.query(P + """SELECT ?s ?dl ?acc ?f ?mt ?lic WHERE { ?s dcat:distribution ?x .
		    ?x a dcat:Distribution ; dcat:downloadURL ?dl ; dcat:accessURL ?acc ; dct:format ?f ;
		    dcat:mediaType ?mt ; dct:license ?lic }"""))
		n = len(list(ttl.objects(None, URIRef("http://www.w3.org/ns/dcat#distribution"))))
		assert len(dists) == n == 12, (len(dists), n)
		for d in dists:
		    assert str(d.acc) == "https://opendata.musterstadt.example/daten/", d.acc
		    assert str(d.lic) == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
		    assert str(d.f).startswith("http://publications.europa.eu/resource/authority/file-type/")
		    assert str(d.mt).startswith("https://www.iana.org/assignments/media-types/")
		    assert str(d.dl).startswith(str(d.acc)), d.dl
		print(len(sets), len(dists))
		PY
	assert_success
	assert_output "7 12"
	# each download URL is where `dc-export DATASET -f FORMAT --git-repo` puts its file
	while read -r id; do
		set=${id%%-open311*}; set=${set%-ocds}; set=${set%-atom}; set=${set%-rss}
		set=${set%-jsonfeed}; set=${set%-ical}; set=${set%-html}; fmt=${id#"$set"-}
		path=$(dc-export "$set" -f "$fmt" --git-repo "$BATS_TEST_TMPDIR/pub" |
			$PY -c 'import json,sys; print(json.loads(sys.stdin.readline())["path"])')
		grep -q "dcat:downloadURL <https://opendata.musterstadt.example/daten/$path>" \
			"$BATS_TEST_TMPDIR/c.ttl" || fail "$set -f $fmt writes $path, not in the catalog"
		ids=$((${ids:-0} + 1))
	done < <(grep -o 'dcat#[a-z-]*-[a-z0-9-]*> a dcat:Distribution' "$BATS_TEST_TMPDIR/c.ttl" |
		sed 's/dcat#//; s/> a.*//')
	assert_equal "$ids" 12
}

@test "dcat: --git-repo next to the data; settings missing or bad exit 78 naming them" {
	run dc-export dcat
	assert_failure 78
	assert_output --partial "setting 'opendata.base_url' is unset"
	dcat_settings
	dc config city.ars 09162 >/dev/null
	run dc-export dcat
	assert_failure 78
	assert_output --partial "setting 'city.ars': '09162' is not a Regionalschlüssel (12 digits)"
	dc config city.ars 091620000000 >/dev/null
	run dc config opendata.license 'dl-by-de 2.0'
	assert_failure 65
	dbsql "DELETE FROM setting WHERE key = 'opendata.license';
		INSERT INTO setting(key, value) VALUES ('opendata.license', 'dl-by-de 2.0')"
	run dc-export dcat -f rdfxml
	assert_failure 78
	assert_output --partial "setting 'opendata.license': 'dl-by-de 2.0' is not an http(s) IRI"
	dc config opendata.license 'http://dcat-ap.de/def/licenses/dl-zero-de/2.0' >/dev/null
	run dc-export dcat -f csv
	assert_failure 64
	assert_output --partial "dataset 'dcat' has no format 'csv' (ttl rdfxml)"
	run dc-export dcat --git-repo "$BATS_TEST_TMPDIR/pub"
	assert_success
	$PY -c 'import json,sys; r = json.loads(sys.stdin.readline()); assert r["path"] == "dcat.ttl" and r["changed"], r' <<<"$output"
	validate export-summary <<<"$output"
	run dc-export dcat -f rdfxml --git-repo "$BATS_TEST_TMPDIR/pub"
	assert_success
	git -C "$BATS_TEST_TMPDIR/pub" show HEAD:dcat.rdf | rapper -q -i rdfxml -c - http://x/
	git -C "$BATS_TEST_TMPDIR/pub" show HEAD:dcat.ttl | grep -q 'dl-zero-de/2.0'
	# an unchanged city gives the same catalog: no new commit
	run dc-export dcat --git-repo "$BATS_TEST_TMPDIR/pub"
	assert_success
	assert_output --partial '"changed":false'
	assert_equal "$(git -C "$BATS_TEST_TMPDIR/pub" rev-list --count HEAD)" 2
}

# --- sql ---------------------------------------------------------------------------------

@test "sql: auditor and admin only, read-only, column names from the statement" {
	run env DC_USER=ines dc-export sql "SELECT id AS case_id, status, lat FROM cases ORDER BY id" -f csv
	assert_success
	assert_output "case_id,status,lat
$C1,in_progress,52.1
$C2,resolved,"
	run env DC_USER=root dc-export sql "SELECT count(*) AS n FROM cases" -f json
	assert_success
	run $PY -c 'import json,sys; print(json.load(sys.stdin))' <<<"$output"
	assert_output "[{'n': 2}]"
	run env DC_USER=ines dc-export sql "SELECT id FROM cases ORDER BY id" -f csv -o "$BATS_TEST_TMPDIR/ids.csv"
	assert_success
	assert_equal "$(cat "$BATS_TEST_TMPDIR/ids.csv")" $'id\n'"$C1"$'\n'"$C2"
	run env DC_USER=carl dc-export sql "SELECT 1" -o "$BATS_TEST_TMPDIR/no.csv"
	assert_failure 77
	assert [ ! -e "$BATS_TEST_TMPDIR/no.csv" ]
	run env DC_USER=carl dc-export sql "SELECT 1"
	assert_failure 77
	run env DC_USER=ines dc-export sql "INSERT INTO holiday VALUES ('2026-12-24', 'x')"
	assert_failure 77
	run env DC_USER=ines dc-export sql "UPDATE cases SET reporter_name = 'x'"
	assert_failure 77
	run env DC_USER=ines dc-export sql "SELECT 1; DELETE FROM cases"
	assert_failure 64
	run env DC_USER=ines dc-export sql "SELEKT 1"
	assert_failure 65
	assert_equal "$(dbsql "select count(*) from holiday where date = '2026-12-24'")/$(dbsql "select count(*) from cases where reporter_name = 'x'")" "0/0"
}

@test "sql: each value is quoted by its own type, not by its column's first row (no JSON key, no Excel formula)" {
	new_case --description '1,"admin":true' >/dev/null
	new_case --description '=HYPERLINK("http://evil.example","x")' >/dev/null
	# a number in the first row (PostgreSQL: a column has one type, so a text there)
	local one=1
	on_pg && one="'1'"
	q="SELECT CASE WHEN id = (SELECT min(id) FROM cases) THEN $one ELSE description END AS d FROM cases ORDER BY id"
	run env DC_USER=ines dc-export sql "$q" -f jsonl
	assert_success
	run $PY -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    assert list(r) == ["d"], r
    print(repr(r["d"]))' <<<"$output"
	assert_output "$one
'Kleines Loch'
'1,\"admin\":true'
'=HYPERLINK(\"http://evil.example\",\"x\")'"
	run env DC_USER=ines dc-export sql "$q" -f json
	$PY -c 'import json,sys; assert [list(r) for r in json.load(sys.stdin)] == [["d"]] * 4' <<<"$output"
	run env DC_USER=ines dc-export --dialect excel-de sql "$q" -f csv
	assert_success
	assert_line --index 4 $'"\'=HYPERLINK(""http://evil.example"",""x"")"\r'
	# a text first and numbers later: the numbers stay numbers; a real that is no number is
	# text (SQLite's values have types of their own; PostgreSQL's column has one type)
	on_pg && return
	run env DC_USER=ines dc-export sql "SELECT 'a' AS v UNION ALL SELECT 2 UNION ALL SELECT 1e999" -f json
	assert_output '[
{"v":"a"},
{"v":2},
{"v":"Inf"}
]'
}

@test "sql: the authorizer allows reading and plain functions, and denies ATTACH, PRAGMA, fts3_tokenizer and the rest (77)" {
	export DC_USER=ines
	run dc-export sql "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3) SELECT group_concat(x) AS g, upper('a') AS u, json_extract('{\"a\":5}', '\$.a') AS j FROM n" -f csv
	assert_success
	assert_output $'g,u,j\n"1,2,3",A,5'
	run dc-export sql "SELECT count(*) AS n FROM json_each('[1,2]')"
	assert_success
	if on_pg; then
		# SQLite's PRAGMA functions and full-text tables have no PostgreSQL translation
		run dc-export sql "SELECT name FROM pragma_table_info('holiday')"
		assert_failure 77
		run dc-export sql "SELECT count(*) FROM catalog_fts WHERE catalog_fts MATCH 'stuhl'"
		assert_failure 65
		assert_output --partial "MATCH is SQLite's and has no PostgreSQL translation"
		# what PostgreSQL offers beyond SQLite's functions is refused as SQLite's are
		run dc-export sql "SELECT pg_read_file('/etc/passwd')"
		assert_failure 77
		assert_output "dc-export: permission denied: sql exports may not call pg_read_file()"
		run dc-export sql "SELECT \"set_config\"('role', 'x', true)"
		assert_failure 77
		run dc-export sql "WITH d AS (DELETE FROM cases RETURNING id) SELECT * FROM d"
		assert_failure 77
		assert_output "dc-export: permission denied: sql exports are read-only"
		# the server's words, without its "ERROR:"
		run dc-export sql "SELECT nosuch FROM cases"
		assert_failure 65
		assert_output 'dc-export: sql: column "nosuch" does not exist'
	else
		run dc-export sql "SELECT name FROM pragma_table_info('holiday') ORDER BY cid LIMIT 1" -q
		assert_output date
		run dc-export sql "SELECT count(*) FROM catalog_fts WHERE catalog_fts MATCH 'stuhl'"
		assert_success
	fi
	# fts3_tokenizer hands out the address of code in the (setgid) binary and takes one back
	run dc-export sql "SELECT hex(fts3_tokenizer('simple'))"
	assert_failure 77
	assert_output "dc-export: permission denied: sql exports may not call fts3_tokenizer()"
	run dc-export sql "SELECT fts3_tokenizer('simple', x'4141414141414141')"
	assert_failure 77
	run dc-export sql "SELECT load_extension('/tmp/x.so')"
	assert_failure 77
	run dc-export sql "SELECT length(zeroblob(1000000000))"
	assert_failure 77
	run dc-export sql "ATTACH '$BATS_TEST_TMPDIR/other.db' AS o"
	assert_failure 77
	assert_output "dc-export: permission denied: sql exports may not attach databases"
	assert [ ! -e "$BATS_TEST_TMPDIR/other.db" ]
	run dc-export sql "PRAGMA writable_schema = ON"
	assert_failure 77
	assert_output "dc-export: permission denied: sql exports may not run PRAGMA writable_schema"
	run dc-export sql "SELECT * FROM pragma_journal_mode"
	assert_failure 77
	run dc-export sql "BEGIN IMMEDIATE"
	assert_failure 77
	assert_output "dc-export: permission denied: sql exports are read-only"
}
