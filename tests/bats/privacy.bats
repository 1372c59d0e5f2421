#!/usr/bin/env bats
# Privacy (issue 7, item 6): dc-case purge and the retention of each service, verified by
# searching the raw bytes of the database files (secure_delete, no VACUUM); the audit chain
# that survives erasure; and every public output of every command scanned for personal data.

bats_require_minimum_version 1.5.0
load helper

# ---- helpers -----------------------------------------------------------------------------

# j FIELD[.FIELD]: a field of the first JSON record on stdin (null for null)
j() {
	$PY -c 'import json,sys
v=json.loads(sys.stdin.readline())
for k in sys.argv[1].split("."): v=v[k]
print(v if not isinstance(v,(dict,list,bool)) and v is not None else json.dumps(v))' "$1"
}

# db_files, raw_absent and raw_present are helper.bash's

# Keep a connection open (without a transaction) so that the write-ahead log stays on disk
# between the commands and accumulates every write, as under a long-running reader process;
# with "snapshot" it also holds a read transaction open. Waits until it is in place.  SQLite's
# log file: nothing to hold on PostgreSQL.
hold_db() {
	on_pg && return 0
	rm -f "$BATS_TEST_TMPDIR/held"
	$PY -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA user_version").fetchall()
if sys.argv[2] == "snapshot":
    c.execute("BEGIN")
    c.execute("SELECT count(*) FROM cases").fetchall()
open(sys.argv[3], "w").close()
time.sleep(120)
' "$DC_DB" "${1:-open}" "$BATS_TEST_TMPDIR/held" 3>&- >/dev/null 2>&1 &
	HOLDER=$!
	for _ in $(seq 100); do
		[ -e "$BATS_TEST_TMPDIR/held" ] && return 0
		sleep 0.05
	done
	fail "the holding connection did not open"
}

release_db() {
	if [ -n "${HOLDER:-}" ]; then
		kill "$HOLDER" 2>/dev/null || true
		wait "$HOLDER" 2>/dev/null || true
		HOLDER=
	fi
}

teardown() {
	release_db
	db_teardown
}

# The archive appraised both services in advance (dc-archive(1)): purge needs no offer.
no_archive() {
	dc-case service set pothole parking --archive destroy >/dev/null
}

close_case() { # ID: by anna, through in_progress and resolved
	if [ "$(dc-case show "$1" | j status)" != in_progress ]; then
		DC_USER=anna dc-case status "$1" in_progress -q >/dev/null
	fi
	DC_USER=anna dc-case status "$1" resolved -q >/dev/null
	DC_USER=anna dc-case status "$1" closed -q >/dev/null
}

# A case full of personal data, each piece distinctive and tagged with $1, with an internal
# note, a public note and a status note; prints its id.
personal_case() { # TAG [more dc-case new options]
	local t=$1
	shift
	new_case --name "Name$t Nachname$t" --email "mail$t@privat.example" --phone "+49 170 $t$t" \
		--description "Loch vor meinem Haus, Beschreibung$t, Wohnung$t" --address "Adresse$t 12" \
		--attr "note=Kennzeichen$t" --attr depth_cm=12 --attr hazards=bikes \
		--lat 51.513612 --lon 7.465311 --media "https://bilder.example/foto$t.jpg" "$@"
}

# what personal_case TAG wrote, as it is stored
personal_strings() { # TAG
	local t=$1
	printf '%s\n' "Name$t" "Nachname$t" "mail$t@privat.example" "+49 170 $t$t" "Beschreibung$t" \
		"Wohnung$t" "Adresse$t" "Kennzeichen$t" "foto$t.jpg" "Intern$t" "Oeffentlich$t" \
		"Statusnotiz$t" "Abgabe$t"
}

notes_on() { # ID TAG: an internal note, a public note, a status note, a transfer note
	DC_USER=anna dc-case note "$1" "Intern$2: Nachbar sagt, Herr Name$2 ist oft weg" -q >/dev/null
	DC_USER=anna dc-case note "$1" "Oeffentlich$2: danke fuer die Meldung" --public -q >/dev/null
	DC_USER=hanna dc-assign transfer "$1" --to-dept buergerbuero --note "Abgabe$2 an das Buergerbuero" -q >/dev/null
	DC_USER=root dc-assign transfer "$1" --to-dept tiefbau -q >/dev/null
	DC_USER=anna dc-case status "$1" in_progress --note "Statusnotiz$2: Kolonne kommt" -q >/dev/null
}

# ---- retention setting ---------------------------------------------------------------------

@test "service --retention: add, set, none; in the service record and its schema; bad values" {
	seed_city
	no_archive
	run dc-case service add --code lamp --name Laterne --kind report --department tiefbau --retention 90
	assert_success
	assert_equal "$(j retention <<<"$output")" 90
	assert_equal "$(dc-case service show pothole | j retention)" null
	dc-case service set pothole --retention 30 >/dev/null
	assert_equal "$(dc-case service show pothole | j retention)" 30
	dc-case service set pothole --sla 4 >/dev/null # other changes keep it
	assert_equal "$(dc-case service show pothole | j retention)" 30
	run dc-case service set pothole --retention none
	assert_success
	assert_equal "$(j retention <<<"$output")" null
	dc-case service set parking --retention 0 >/dev/null
	run dc-case service set pothole --retention -1
	assert_failure 64
	assert_output --partial "field 'retention': '-1' is not a whole number from 0 to 36500"
	run dc-case service set pothole --retention 36501
	assert_failure 64
	printf 'code,name,kind,department,retention\nx,X,report,tiefbau,zwei\n' >"$BATS_TEST_TMPDIR/s.csv"
	run dc-case service add "$BATS_TEST_TMPDIR/s.csv"
	assert_failure 65
	run env DC_USER=anna dc-case service set pothole --retention 5
	assert_failure 77
	# the change is in the audit trail
	run dbsql "SELECT to_value FROM event WHERE entity = 'service' AND ref = 'parking' ORDER BY id DESC LIMIT 1"
	assert_output "department=- sla=- active=- retention=0"
	run validate service < <(dc-case service list)
	assert_success
	assert_output "3 records valid"
}

# ---- purge: what it removes, found in the raw files ------------------------------------------

@test "purge --closed-before and --retention: the personal data is gone from the raw database files, the kept case's is not" {
	seed_city
	no_archive
	hold_db # the WAL stays on disk and collects every page written from here on
	A=$(personal_case 4711)
	B=$(personal_case 5822)
	C=$(personal_case 6933)
	for x in "$A:4711" "$B:5822" "$C:6933"; do notes_on "${x%%:*}" "${x#*:}"; done
	close_case "$A"
	DC_NOW=2026-03-04T09:00:00Z close_case "$C"
	# the check can fail: before any purge every string is in the files
	for t in 4711 5822 6933; do
		mapfile -t s < <(personal_strings $t)
		raw_present "${s[@]}"
	done

	# A: closed on 2 March, purged by date; B is open and C closed on 4 March, both kept
	DC_NOW=2026-03-10T09:00:00Z run --separate-stderr dc-case purge --closed-before 2026-03-03 -q
	assert_success
	assert_output "$A"
	if ! on_pg; then # SQLite's log file
		assert [ -e "$DC_DB-wal" ] # held open: the log is there, and purge truncated it
		assert [ ! -s "$DC_DB-wal" ]
	fi
	mapfile -t s < <(personal_strings 4711)
	raw_absent "${s[@]}"
	mapfile -t s < <(personal_strings 5822)
	raw_present "${s[@]}"
	mapfile -t s < <(personal_strings 6933)
	raw_present "${s[@]}"

	# C: pothole keeps 7 days after the local day of closing (4 March): gone on 12 March
	dc-case service set pothole --retention 7 >/dev/null
	DC_NOW=2026-03-11T22:59:59Z run --separate-stderr dc-case purge --retention -q # 11 March, 23:59:59 local
	assert_success
	assert_output ""
	DC_NOW=2026-03-11T23:00:00Z run --separate-stderr dc-case purge --retention -q # 12 March, 00:00 local
	assert_success
	assert_output "$C"
	mapfile -t s < <(personal_strings 6933)
	raw_absent "${s[@]}"
	mapfile -t s < <(personal_strings 5822)
	raw_present "${s[@]}"

	# and after the last connection closes, which checkpoints again
	release_db
	on_pg || dbsql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	mapfile -t s < <(personal_strings 4711; personal_strings 6933)
	raw_absent "${s[@]}"
	mapfile -t s < <(personal_strings 5822)
	raw_present "${s[@]}"
	run dc-case verify
	assert_success
}

@test "purge: what an anonymised case keeps, its history and its notifications" {
	seed_city
	no_archive
	A=$(personal_case 4711 --district Nord)
	notes_on "$A" 4711
	close_case "$A"
	B=$(personal_case 5822)
	DC_NOW=2026-04-01T09:00:00Z run --separate-stderr dc-case purge --closed-before 2026-03-03
	assert_success
	assert_output --partial "\"id\":\"$A\""
	assert_equal "$stderr" "dc-case: 1 case anonymised, 4 notes erased"
	run dc-case show "$A"
	$PY - "$output" <<'PY'
import json, sys
c = json.loads(sys.argv[1])
assert c["reporter"] == {"name": None, "email": None, "phone": None}, c
assert c["description"] is None and c["address"] is None and c["media"] == [], c
# list-valued attributes stay (the city's own words), free text and numbers go
assert c["attributes"] == {"size": "large", "hazards": ["bikes"]}, c["attributes"]
assert (c["lat"], c["lon"]) == (51.514, 7.465), (c["lat"], c["lon"])
assert (c["status"], c["district"], c["service"], c["department"]) == ("closed", "Nord", "pothole", "tiefbau")
assert c["closed_at"] == "2026-03-02T09:00:00Z" and c["updated_at"] == "2026-04-01T09:00:00Z"
PY
	# the history keeps every event and its status moves; the notes are gone
	run dc-case history "$A" -f tsv --fields kind,from,to,note,visibility
	assert_output "$(printf '%s\n' \
		$'kind\tfrom\tto\tnote\tvisibility' \
		$'created\t\tnew\tSchlagloch\tpublic' \
		$'routed\t\ttiefbau\tNord\tinternal' \
		$'note\t\t\t\tinternal' \
		$'note\t\t\t\tpublic' \
		$'transferred\ttiefbau\tbuergerbuero\t\tinternal' \
		$'transferred\tbuergerbuero\ttiefbau\t\tinternal' \
		$'status\tnew\tin_progress\t\tpublic' \
		$'claimed\t\tanna\t\tinternal' \
		$'status\tin_progress\tresolved\t\tpublic' \
		$'status\tresolved\tclosed\t\tpublic' \
		$'purged\t\t\tpersonal data removed: closed before 2026-03-03\tinternal')"
	# every message to the reporter: no address, no text, and none still waiting goes out
	run dbsql "SELECT DISTINCT recipient, subject, body, status, last_error FROM outbox WHERE ref_id = '$A'"
	assert_output "(purged)|(purged)|(purged)|dead|purged before delivery"
	run dbsql "SELECT count(*) FROM outbox WHERE ref_id = '$B' AND recipient = 'mail5822@privat.example'"
	assert_output 1
	# the token no longer opens the case; the case is not found by its reporter
	run dc-case list --reporter mail4711@privat.example -q
	assert_output ""
	# a second run finds nothing more to do
	DC_NOW=2026-04-01T09:00:00Z run --separate-stderr dc-case purge --closed-before 2026-03-03 -q
	assert_success
	assert_output ""
}

@test "purge: a sent notification keeps its status, only its text goes" {
	seed_city
	no_archive
	A=$(personal_case 4711)
	close_case "$A"
	dc-notify run --maildir "$BATS_TEST_TMPDIR/mail" >/dev/null 2>&1
	run dbsql "SELECT DISTINCT status FROM outbox WHERE ref_id = '$A'"
	assert_output sent
	DC_NOW=2026-04-01T09:00:00Z dc-case purge --closed-before 2026-03-03 -q >/dev/null
	run dbsql "SELECT DISTINCT recipient, status, CASE WHEN last_error IS NULL THEN 1 ELSE 0 END FROM outbox WHERE ref_id = '$A'"
	assert_output "(purged)|sent|1"
}

@test "purge --retention: each service's own period; none means no limit; --service narrows" {
	seed_city
	no_archive
	dc-case service set pothole --retention 10 >/dev/null
	dc-case service set parking --retention 0 >/dev/null
	dc-case service add --code lamp --name Laterne --kind report --department tiefbau >/dev/null
	P=$(personal_case 1111)
	close_case "$P"
	R=$(dc-case new --service parking --name "Parker Eins" -q)
	DC_USER=clara dc-case status "$R" rejected -q >/dev/null
	L=$(dc-case new --service lamp --name "Lampen Person" -q)
	close_case "$L"
	D=$(personal_case 2222)
	DC_USER=anna dc-case status "$D" duplicate --duplicate-of "$P" -q >/dev/null
	S=$(personal_case 3333)
	DC_USER=anna dc-case status "$S" in_progress -q >/dev/null
	DC_USER=anna dc-case status "$S" resolved -q >/dev/null # resolved is not final: kept
	# 2 March closed; on 3 March only parking (0 days) is due
	DC_NOW=2026-03-03T09:00:00Z run --separate-stderr dc-case purge --retention --service pothole -q
	assert_output ""
	DC_NOW=2026-03-03T09:00:00Z run --separate-stderr dc-case purge --retention -q
	assert_success
	assert_output "$R"
	# pothole's 10 days end with 12 March: on 13 March both potholes go, resolved S stays
	DC_NOW=2026-03-12T12:00:00Z run --separate-stderr dc-case purge --retention -q
	assert_output ""
	DC_NOW=2026-03-13T12:00:00Z run --separate-stderr dc-case purge --retention -q
	assert_output "$P
$D"
	# lamp has no retention: kept however old, unless a date is given
	DC_NOW=2036-03-13T12:00:00Z run --separate-stderr dc-case purge --retention -q
	assert_output ""
	assert_equal "$(dc-case show "$L" | j reporter.name)" "Lampen Person"
	assert_equal "$(dc-case show "$S" | j reporter.name)" "Name3333 Nachname3333"
	run dbsql "SELECT note FROM event WHERE kind = 'purged' ORDER BY id"
	assert_output "personal data removed: closed before 2026-03-03 (retention of parking: 0 days)
personal data removed: closed before 2026-03-03 (retention of pothole: 10 days)
personal data removed: closed before 2026-03-03 (retention of pothole: 10 days)"
}

@test "purge: the line of crontab.example runs under dc-cron as cron's integrator account" {
	seed_city
	no_archive
	A=$(personal_case 4711)
	close_case "$A"
	dc-case service set pothole --retention 0 >/dev/null
	local line
	line=$(grep -E '^[^#].*dc purge' "$ROOT/scripts/cron/crontab.example" | sed 's/^[^d]*//')
	assert_equal "$line" "dc-cron dc purge --retention"
	# shellcheck disable=SC2086
	DC_NOW=2026-03-03T01:20:00Z run env PATH="$ROOT/scripts/cron:$PATH" DC_USER=paul \
		DC_CRON_LOCKDIR="$BATS_TEST_TMPDIR" $line
	assert_success
	assert_equal "$(dc-case show "$A" | j reporter.name)" null
}

@test "purge --limit: the cases closed longest ago first, the rest in the next run" {
	seed_city
	no_archive
	A=$(personal_case 1111)
	B=$(personal_case 2222)
	C=$(personal_case 3333)
	DC_NOW=2026-03-04T09:00:00Z close_case "$A"
	DC_NOW=2026-03-03T09:00:00Z close_case "$B"
	DC_NOW=2026-03-05T09:00:00Z close_case "$C"
	DC_NOW=2026-04-01T09:00:00Z run --separate-stderr dc-case purge --closed-before 2026-04-01 --limit 2 -q
	assert_success
	assert_output "$(printf '%s\n' "$A" "$B" | sort)"
	assert_equal "$stderr" "dc-case: 2 cases anonymised, 0 notes erased"
	dc-case service set pothole --retention 1 >/dev/null
	DC_NOW=2026-04-01T09:00:00Z run --separate-stderr dc-case purge --retention --limit 2 -q
	assert_output "$C"
}

@test "purge: usage, roles, dry run" {
	seed_city
	no_archive
	A=$(personal_case 4711)
	close_case "$A"
	dc-case service set pothole --retention 0 >/dev/null
	export DC_NOW=2026-03-05T09:00:00Z
	run --separate-stderr dc-case purge
	assert_failure 64
	assert_regex "$stderr" '^dc-case: purge needs either --closed-before DATE or --retention'
	run --separate-stderr dc-case purge --retention --closed-before 2026-03-03
	assert_failure 64
	run --separate-stderr dc-case purge --retention "$A"
	assert_failure 64
	run --separate-stderr dc-case purge --closed-before 3.3.2026
	assert_failure 64
	assert_regex "$stderr" "'3\.3\.2026' is not a date"
	run --separate-stderr dc-case purge --retention --service nosuch
	assert_failure 2
	run --separate-stderr dc-case purge --retention --limit 0
	assert_failure 64
	# a date is the admin's decision; the services' retention is a batch job for cron
	run env DC_USER=paul dc-case purge --closed-before 2026-03-04
	assert_failure 77
	run env DC_USER=hanna dc-case purge --retention
	assert_failure 77
	run env DC_USER=anna dc-case purge --retention
	assert_failure 77
	run --separate-stderr dc-case purge --retention -n -q
	assert_success
	assert_output "$A"
	assert_equal "$(dc-case show "$A" | j reporter.name)" "Name4711 Nachname4711"
	run --separate-stderr env DC_USER=paul dc-case purge --retention -q
	assert_success
	assert_output "$A"
	assert_equal "$(dc-case show "$A" | j reporter.name)" null
}

@test "purge: a reader holding an old snapshot is reported; the next purge truncates the log" {
	seed_city # first: it sets DC_DB, which sqlite_only looks at
	sqlite_only "the write-ahead log file a reader's snapshot keeps"
	no_archive
	hold_db # writes collect in the WAL
	A=$(personal_case 4711)
	notes_on "$A" 4711
	close_case "$A"
	release_db
	hold_db snapshot # a reader in the middle of a transaction: the log cannot be reset
	DC_BUSY_TIMEOUT=200 DC_NOW=2026-04-01T09:00:00Z run --separate-stderr dc-case purge --closed-before 2026-03-03 -q
	assert_success
	assert_output "$A"
	assert_regex "$stderr" 'warning: could not truncate the write-ahead log'
	# the warning tells the truth: the old pages are still in the log
	raw_present "mail4711@privat.example"
	release_db
	hold_db
	DC_NOW=2026-04-01T09:00:00Z run --separate-stderr dc-case purge --closed-before 2026-03-03 -q
	assert_success
	assert_output ""
	mapfile -t s < <(personal_strings 4711)
	raw_absent "${s[@]}"
}

# ---- the audit chain survives erasure --------------------------------------------------------

@test "audit: erased notes keep the chain; a note altered or erased without a purge breaks it" {
	seed_city
	no_archive
	A=$(personal_case 4711)
	notes_on "$A" 4711
	close_case "$A"
	B=$(personal_case 5822)
	notes_on "$B" 5822
	DC_NOW=2026-04-01T09:00:00Z dc-case purge --closed-before 2026-03-03 -q >/dev/null
	run dc-case verify
	assert_success
	# the salted hash stays, the note and its salt are gone
	run dbsql "SELECT count(*), count(note), count(note_salt), count(note_hash) FROM event
		WHERE ref = '$A' AND kind IN ('note', 'transferred', 'status') AND note_hash IS NOT NULL"
	assert_output "4|0|0|4"
	# the trigger allows exactly that erasure and nothing else
	local n
	n=$(dbsql "SELECT min(id) FROM event WHERE ref = '$B' AND kind = 'note'")
	run dbsql "UPDATE event SET note = 'anders' WHERE id = $n"
	assert_failure
	assert_output --partial "append-only"
	run dbsql "UPDATE event SET actor = 'x', note = NULL, note_salt = NULL WHERE id = $n"
	assert_failure
	run dbsql "DELETE FROM event WHERE id = $n"
	assert_failure
	run dbsql "UPDATE event SET note = NULL WHERE kind = 'created' AND ref = '$B'"
	assert_failure # a note without a hash is in the chain itself
	# an erasure that no purge accounts for is found by verify
	dbsql "UPDATE event SET note = NULL, note_salt = NULL WHERE id = $n"
	run dc-case verify
	assert_failure 1
	assert_output --partial "audit chain broken at event $n"
	# so is a changed note, even when the hash column is left alone
	n=$(dbsql "SELECT max(id) FROM event WHERE ref = '$B' AND kind = 'note'")
	dbsql "DROP TRIGGER event_no_update; UPDATE event SET note = 'Oeffentlich5822: anders'
		WHERE id = $n"
	run dc check
	assert_failure 1
}

@test "purge: notes written before schema 8 are counted, not silently kept" {
	seed_city
	no_archive
	A=$(personal_case 4711)
	DC_USER=anna dc-case note "$A" "Intern4711 alt" -q >/dev/null
	close_case "$A"
	# what a note of an older database looks like: the text in the chain, no hash
	dbsql "DROP TRIGGER event_no_update; UPDATE event SET note_hash = NULL,
		note_salt = NULL WHERE ref = '$A' AND kind = 'note'"
	DC_NOW=2026-04-01T09:00:00Z run --separate-stderr dc-case purge --closed-before 2026-03-03 -q
	assert_success
	assert_output "$A"
	assert_equal "$stderr" "dc-case: 1 case anonymised, 0 notes erased
dc-case: warning: 1 note written before schema 8 stays in the audit trail"
}

@test "import: an Open311 dump imported again does not bring back a purged case's data" {
	seed_city
	no_archive
	cat >"$BATS_TEST_TMPDIR/r.json" <<'EOF'
[{"service_request_id":"77001","status":"closed","status_notes":"Erledigt, Frau Importiert informiert","service_code":"pothole","description":"Importbeschreibung","requested_datetime":"2026-02-20T10:15:00+01:00","updated_datetime":"2026-02-25T08:00:00+01:00","address":"Importstrasse 9","lat":51.51,"long":7.46,"media_url":"https://bilder.example/import.jpg","first_name":"Ida","last_name":"Importiert","email":"ida@import.example"}]
EOF
	A=$(DC_USER=paul dc-case import "$BATS_TEST_TMPDIR/r.json" -q)
	DC_NOW=2026-04-01T09:00:00Z run --separate-stderr dc-case purge --closed-before 2026-03-01 -q
	assert_output "$A"
	run --separate-stderr env DC_USER=paul dc-case import "$BATS_TEST_TMPDIR/r.json" -q
	assert_success
	assert_output "$A"
	run dc-case show "$A"
	$PY - "$output" <<'PY'
import json, sys
c = json.loads(sys.argv[1])
assert c["description"] is None and c["address"] is None and c["media"] == [], c
assert c["reporter"]["email"] is None and c["external_id"] == "77001", c
PY
	raw_absent Importbeschreibung Importstrasse "Frau Importiert" ida@import.example
}

# ---- every public output -------------------------------------------------------------------

# Personal data that no public output may carry: reporters, internal and transfer notes,
# staff emails, members' emails, a guest customer, a service request, a flag note, hidden
# and held posts and a comment on a hidden post.
SECRETS=("Zoe Geheimname" "zoe.secret@example.org" "+49 170 5550199" "5550199"
	"Xaver Privat" "xaver@private.example" "0301234567" "Querulant" "ohne Ortstermin"
	"Abgabe-intern" "anna.beck@stadt.example" "anna.nord@private.example"
	"gast.kunde@private.example" "Rueckruf-0176-5550123" "Flagnotiz-geheim"
	"Gewinnspiel-Geheimtext" "versteckt-geheim" "Kommentar-unter-verstecktem" "Anke Beck")

public_city() {
	seed_city
	no_archive
	dc-assign staff add anke --name "Anke Beck" --dept tiefbau --role clerk \
		--email anna.beck@stadt.example >/dev/null
	dc config city.url https://www.musterstadt.example >/dev/null
	C1=$(new_case --description "Tiefes Loch, Radweg" --address "Hauptstraße 1" --lat 52.1 --lon 10.5 \
		--name "Zoe Geheimname" --email zoe.secret@example.org --phone "+49 170 5550199" \
		--district Nord --media https://img.example/1.jpg)
	C2=$(DC_NOW=2026-03-03T10:00:00Z new_case --description "Kleines Loch" --name "Xaver Privat" \
		--email xaver@private.example --phone 0301234567 --district Süd)
	DC_USER=anna dc-case note "$C1" "INTERN: Anwohner ist Querulant" >/dev/null
	DC_USER=anna dc-case status "$C1" in_progress --note "Reparatur ist beauftragt" >/dev/null
	DC_USER=anna dc-case note "$C2" "INTERN: ohne Ortstermin erledigt" >/dev/null
	DC_USER=hanna dc-assign transfer "$C2" --to-dept buergerbuero --note "Abgabe-intern" >/dev/null
	DC_USER=root dc-assign transfer "$C2" --to-dept tiefbau >/dev/null
	DC_USER=anna dc-case status "$C2" in_progress >/dev/null
	DC_USER=anna dc-case status "$C2" resolved --note "Loch verfüllt" >/dev/null
	export DC_USER=paul
	dc-feed member add anna --name "Anna Nord" --kind citizen --district Nord \
		--email anna.nord@private.example >/dev/null
	dc-feed member add stadt --name "Stadt Musterstadt" --kind authority >/dev/null
	dc-feed post --author stadt --title "Straßenfest" --kind event --body "Fest im Norden" \
		--starts 2026-03-20T15:00:00Z --ends 2026-03-20T20:00:00Z --location "Marktplatz" >/dev/null
	Q=$(dc-feed post --author anna --title "Frage" --body "Wer weiß was?" --kind question -q)
	DC_USER=root dc-feed filter add Gewinnspiel --action hold >/dev/null
	dc-feed post --author anna --title "Gewinnspiel" --body "Gewinnspiel-Geheimtext" >/dev/null
	HIDDEN=$(dc-feed post --author anna --title "bald weg" --body "versteckt-geheim" -q)
	dc-feed comment "$HIDDEN" --author stadt --body "Kommentar-unter-verstecktem Post" >/dev/null
	DC_USER=root dc-feed moderate "$HIDDEN" hide --reason "Spam" >/dev/null
	dc-feed flag "$Q" --by stadt --reason spam --note "Flagnotiz-geheim" >/dev/null
	dc-shop merchant add baecker --name "Bäckerei" --owner anna --district Nord >/dev/null
	dc-shop product add --merchant baecker --sku BROT --name Brot --price 3,50 --stock 5 >/dev/null
	dc-shop service add --merchant baecker --code torte --name "Torte backen" >/dev/null
	dc-shop request --merchant baecker --service torte --member anna \
		--text "Bitte Rueckruf-0176-5550123" >/dev/null
	dc-shop order new --email gast.kunde@private.example --item baecker:BROT:1 >/dev/null
	unset DC_USER
}

# Outputs that the public (an unknown login) gets, or that are published as they are, must
# not carry any SECRET; a refusal (77), a hidden record (2) or a format the dataset does not
# have (64) is no output.
scan() { # LABEL COMMAND...
	run "${@:2}"
	case $status in
	0)
		local s
		for s in "${SECRETS[@]}"; do
			[[ $output != *"$s"* ]] || fail "$1 contains '$s'"
		done
		PUBLIC+=("$1")
		;;
	2 | 64 | 77) ;;
	*) fail "$1: exit $status: $output" ;;
	esac
}

@test "privacy: every public output of every command — exports in every format, track, feeds, shop, board, report, notifications" {
	public_city
	PUBLIC=()
	local datasets formats ds f
	# every dataset dc-export knows, from its own help, in every format there is
	datasets=$(dc-export -h | awk '/^verbs:/ {v = 1; next} v && /^  [a-z]/ {print $1} /^$/ {v = 0}' | grep -vx sql)
	assert [ "$(wc -w <<<"$datasets")" -ge 13 ]
	formats="table csv tsv json jsonl open311-json open311-xml ocds atom rss jsonfeed ical html"
	for ds in $datasets; do
		for f in $formats; do
			scan "export $ds $f (public)" env DC_USER=nobody dc-export "$ds" -f "$f"
		done
	done
	# the HTML report is for the auditor but meant to be passed on: aggregates only
	scan "export report html (auditor)" env DC_USER=ines dc-export report -f html
	# the citizen's own view
	run dc-case new --service pothole --attr size=large --name "Zoe Geheimname" \
		--email zoe.secret@example.org --phone "+49 170 5550199" -f jsonl
	local id token
	id=$(j id <<<"$output")
	token=$(j token <<<"$output")
	DC_USER=anna dc-case note "$id" "INTERN: Anwohner ist Querulant" >/dev/null
	DC_USER=anna dc-case note "$id" "öffentlich: wir kommen" --public >/dev/null
	scan "track" env DC_USER=nobody dc-case track "$id" --token "$token"
	assert_output --partial "öffentlich: wir kommen"
	scan "track $C1" env DC_USER=nobody dc-case track "$C1" --token wrong
	# what an unknown login may read in the other commands
	local cmd
	while read -r cmd; do
		# shellcheck disable=SC2086
		scan "$cmd (public)" env DC_USER=nobody $cmd
	done <<EOF
dc-case service list
dc-case route list
dc-feed list
dc-feed show $Q
dc-feed show $HIDDEN
dc-feed member list
dc-feed member show anna
dc-feed guide anna
dc-feed moderation
dc-feed filter list
dc-shop merchant list
dc-shop product list
dc-shop product search Brot
dc-shop service list
dc-shop offer list
dc-shop slot list --merchant baecker
dc-shop request list
dc-shop order list
dc-assign staff list
dc-assign staff show anke
dc-assign away list
dc-assign dept list
dc-assign dept show tiefbau
dc-case show $C1
dc-case history $C1
EOF
	# the citizen's notifications carry the public notes, never the internal ones
	run dbsql "SELECT subject || body FROM outbox WHERE ref_type = 'case'"
	assert_output --partial "Reparatur ist beauftragt"
	refute_output --partial "Querulant"
	refute_output --partial "ohne Ortstermin"
	refute_output --partial "Abgabe-intern"
	# what is public, and so scanned; a change here is a privacy decision, made on purpose
	printf '%s\n' "${PUBLIC[@]}" >"$BATS_TEST_TMPDIR/public"
	run cat "$BATS_TEST_TMPDIR/public"
	assert_output "$(cat <<EOF
export cases open311-json (public)
export cases open311-xml (public)
export case-events open311-json (public)
export case-events open311-xml (public)
export services table (public)
export services csv (public)
export services tsv (public)
export services json (public)
export services jsonl (public)
export services open311-json (public)
export services open311-xml (public)
export orders ocds (public)
export products table (public)
export products csv (public)
export products tsv (public)
export products json (public)
export products jsonl (public)
export posts table (public)
export posts csv (public)
export posts tsv (public)
export posts json (public)
export posts jsonl (public)
export posts atom (public)
export posts rss (public)
export posts jsonfeed (public)
export events table (public)
export events csv (public)
export events tsv (public)
export events json (public)
export events jsonl (public)
export events ical (public)
export board html (public)
export report html (auditor)
track
dc-case service list (public)
dc-case route list (public)
dc-feed list (public)
dc-feed show $Q (public)
dc-shop merchant list (public)
dc-shop product list (public)
dc-shop product search Brot (public)
dc-shop service list (public)
dc-shop offer list (public)
dc-shop slot list --merchant baecker (public)
dc-assign dept list (public)
dc-assign dept show tiefbau (public)
EOF
)"
	# the scan finds the data where it is: every SECRET is in the database
	local dump s
	dump=$(db_dump)
	for s in "${SECRETS[@]}"; do
		[[ $dump == *"$s"* ]] || fail "'$s' is not in the database: the scan proves nothing"
	done
}

@test "privacy: every GET of dc-open311, in JSON and XML, with and without extensions" {
	public_city
	local key id route f secrets=("${SECRETS[@]}" "Geraet-geheim-42" "Konto-geheim-43")
	key=$(DC_USER=root dc-assign staff key add paul | j key)
	run o311 POST /requests.json "api_key=$key&service_code=pothole&lat=52.1&long=10.5&attribute%5Bsize%5D=large&first_name=Zoe&last_name=Geheimname&email=zoe.secret%40example.org&phone=%2B49+170+5550199&device_id=Geraet-geheim-42&account_id=Konto-geheim-43&description=Loch"
	assert_success
	id=$(sed -n 's/.*"service_request_id":"\([^"]*\)".*/\1/p' <<<"$output")
	[ -n "$id" ]
	DC_USER=anna dc-case note "$id" "INTERN: Anwohner ist Querulant" >/dev/null
	[ "$(dbsql "SELECT device_id FROM cases WHERE id = '$id'")" = Geraet-geheim-42 ]
	for f in json xml; do
		for route in "/discovery.$f" "/services.$f" "/services/pothole.$f" "/requests.$f" \
			"/requests.$f?extensions=true" "/requests.$f?status=open,closed&extensions=true" \
			"/requests/$id.$f" "/requests/$C1.$f" "/requests/$C2.$f" \
			"/servicerequestupdates.$f?start_date=2026-01-01T00:00:00Z"; do
			run o311 GET "$route"
			assert_success
			assert_line --partial "Status: 200"
			for s in "${secrets[@]}"; do
				[[ $output != *"$s"* ]] || fail "GET $route contains '$s'"
			done
		done
	done
}

# dcity(7) "Identity and roles": the data-protection officer reads what an auditor reads, with
# the personal data, and changes nothing outside the data-subject verbs.
@test "role privacy: reads cases with the reporter's data, the audit trail and exports; changes nothing" {
	seed_city
	dc-assign staff add petra --name "Petra Schutz" --role privacy >/dev/null
	local id
	id=$(new_case --name "Zoe Geheimname" --email zoe.secret@example.org)
	DC_USER=anna dc-case note "$id" "INTERN: Rückruf" >/dev/null
	export DC_USER=petra
	run dc-case show "$id" --fields reporter
	assert_success
	assert_output '{"reporter":{"name":"Zoe Geheimname","email":"zoe.secret@example.org","phone":null}}'
	run dc-case history "$id" --fields kind,note -f csv --no-header
	assert_success
	assert_line "note,INTERN: Rückruf"
	run dc-case list -q
	assert_output "$id"
	run dc-export sql "SELECT count(*) AS n FROM event WHERE entity = 'case'" -f csv --no-header
	assert_success
	run dc-export cases -f jsonl
	assert_output --partial zoe.secret@example.org
	run dc backup "$BATS_TEST_TMPDIR/copy.db"
	assert_success
	local before
	before=$(db_dump | sha256sum)
	for args in "dc-case note $id x" "dc-case status $id in_progress" "dc-assign claim $id" \
		"dc-case service set pothole --sla 9" "dc config city.name X" \
		"dc-assign staff set anna --role head" "dc-case purge --retention"; do
		# shellcheck disable=SC2086
		run --separate-stderr $args
		assert_failure 77
		assert_output ""
		[[ $stderr == *"permission denied: 'petra'"* ]] || fail "$args: $stderr"
	done
	assert_equal "$(db_dump | sha256sum)" "$before"
}
