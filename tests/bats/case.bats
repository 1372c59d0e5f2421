#!/usr/bin/env bats
# dc-case (dc-case(1)): services, intake, bulk, the status machine, notes, tracking,
# notifications, history, audit chain, purge, listing, Open311 import, concurrent claims.

bats_require_minimum_version 1.5.0
load helper

setup() {
	seed_city
}

# jq-like field access: j FIELD < json-line
j() {
	$PY -c 'import json,sys
v=json.loads(sys.stdin.readline())
for k in sys.argv[1].split("."): v=v[k]
print(v if not isinstance(v,(dict,list,bool)) and v is not None else json.dumps(v))' "$1"
}

@test "service add/list/show/set" {
	run dc-case service add --code graffiti --name "Graffiti" --kind report --department tiefbau --sla 3
	assert_success
	assert_equal "$(echo "$output" | j code)" graffiti
	assert_equal "$(echo "$output" | j sla)" 3
	run dc-case service list -q
	assert_success
	assert_output $'graffiti\nparking\npothole'
	run dc-case service show pothole
	assert_success
	assert_equal "$(echo "$output" | j department)" tiefbau
	assert_equal "$(echo "$output" | $PY -c 'import json,sys; print(json.load(sys.stdin)["attributes"][0]["code"])')" size
	run dc-case service set pothole --sla 7 --active false
	assert_success
	assert_equal "$(echo "$output" | j sla)" 7
	assert_equal "$(echo "$output" | j active)" false
}

@test "service show of an unknown code exits 2" {
	run dc-case service show nope
	assert_failure 2
	assert_output --partial "no service 'nope'"
	run dc-case show 2026-000099
	assert_failure 2
	assert_output --partial "no case '2026-000099'"
}

@test "service add with a bad definition exits 65; non-admin exits 77" {
	echo '{"attributes":[{"code":"x","datatype":"bogus"}]}' >"$BATS_TEST_TMPDIR/bad.json"
	run dc-case service add --code x --name X --kind report --department tiefbau \
		--definition "$BATS_TEST_TMPDIR/bad.json"
	assert_failure 65
	assert_output --partial "bogus"
	DC_USER=anna run dc-case service add --code y --name Y --kind report --department tiefbau
	assert_failure 77
	run dc-case service list -q
	assert_output $'parking\npothole'
}

@test "service add, route add: a bad value exits 64 on the command line, 65 in a record" {
	run dc-case service add --code x --name X --kind antrag --department tiefbau
	assert_failure 64
	assert_line "dc-case: field 'kind': 'antrag' is not one of report or application"
	assert_line --partial "usage: dc-case service add --code C --name N --kind report|application"
	run dc-case service add --code x --name X --kind report --department tiefbau --sla 366
	assert_failure 64
	assert_line "dc-case: field 'sla': '366' is not a whole number from 0 to 365"
	echo '{"code":"x","name":"X","kind":"antrag","department":"tiefbau"}' >"$BATS_TEST_TMPDIR/s.jsonl"
	run dc-case service add "$BATS_TEST_TMPDIR/s.jsonl"
	assert_failure 65
	assert_output "dc-case: $BATS_TEST_TMPDIR/s.jsonl:1: field 'kind': 'antrag' is not one of report or application"
	run dc-case route add --service pothole --district Nord
	assert_failure 64
	assert_line "dc-case: field 'department' is required"
	run bash -c "echo '{\"service\":\"pothole\",\"department\":\"tiefbau\"}' | dc-case route add -"
	assert_failure 65
	assert_output "dc-case: -:1: field 'district' is required"
	run dc-case service list -q
	assert_output $'parking\npothole'
	run dc-case route list
	assert_output ""
}

@test "new: record fields, due date over a holiday, token" {
	run dc-case new --service pothole --attr size=large
	assert_success
	$PY - "$output" <<'PY'
import json, re, sys
r = json.loads(sys.argv[1])
assert r["id"] == "2026-000001", r
assert r["department"] == "tiefbau" and r["status"] == "new", r
assert r["due_at"] == "2026-03-10T22:59:59Z", r["due_at"]
assert r["created_at"] == "2026-03-02T09:00:00Z"
assert r["attributes"] == {"size": "large"} and r["assignee"] is None
assert re.fullmatch(r"[0-9a-f]{32}", r["token"]), r["token"]
PY
	run dc-case show 2026-000001
	assert_success
	refute_output --partial token
}

@test "new: a bad value is a usage error on the command line, bad data in a file" {
	run dc-case new --service pothole --attr size=large --priority hoch
	assert_failure 64
	assert_line --index 0 "dc-case: field 'priority': 'hoch' is not one of low, normal, high or urgent"
	assert_line --partial "usage: dc-case new --service C "
	run dc-case new --service pothole --attr size=large --lat 95 --lon 13
	assert_failure 64
	assert_line --index 0 "dc-case: field 'lat': '95' is not a number from -90 to 90"
	run dc-case new --service pothole --attr size=large --lat 52.5
	assert_failure 64
	assert_line --index 0 "dc-case: field 'lon': lat and lon go together"
	run dc-case new --service pothole --attr size=large --lang fr
	assert_failure 64
	assert_line --index 0 "dc-case: field 'lang': 'fr' is not one of de or en"
	printf '%s\n' '{"service":"pothole","attributes":{"size":"large"},"channel":"fax"}' >"$BATS_TEST_TMPDIR/c.jsonl"
	run dc-case new "$BATS_TEST_TMPDIR/c.jsonl"
	assert_failure 65
	assert_line --index 0 "dc-case: $BATS_TEST_TMPDIR/c.jsonl:1: field 'channel': 'fax' is not one of web, phone, email, counter, letter or open311"
	refute_line --partial usage
	printf 'service,lat,lon\npothole,,\n' >"$BATS_TEST_TMPDIR/c.csv"
	run dc-case new "$BATS_TEST_TMPDIR/c.csv"
	assert_failure 65
	assert_line --index 0 --partial "c.csv:2: field 'attr': required attribute 'size' is missing"
	run dc-case list -q
	assert_output ""
}

@test "new: attribute validation exits 65 naming the attribute" {
	run dc-case new --service pothole
	assert_failure 65
	assert_output --partial "'size'"
	run dc-case new --service pothole --attr size=huge
	assert_failure 65
	assert_output --partial "'size'"
	run dc-case new --service pothole --attr size=large --attr depth_cm=abc
	assert_failure 65
	assert_output --partial "'depth_cm'"
	run dc-case new --service pothole --attr size=large --attr foo=1
	assert_failure 65
	assert_output --partial "'foo'"
	run dc-case list -q
	assert_output ""
}

@test "new: district route override" {
	run dc-case route add --service pothole --district Nord --department buergerbuero
	assert_success
	run dc-case new --service pothole --attr size=large --district Nord
	assert_success
	assert_equal "$(echo "$output" | j department)" buergerbuero
	run dc-case new --service pothole --attr size=large --district Sued
	assert_equal "$(echo "$output" | j department)" tiefbau
}

@test "bulk JSONL: a bad record rejects the whole file" {
	run dc-case new "$FIXTURES/cases-bad.jsonl"
	assert_failure 65
	assert_output --partial "cases-bad.jsonl:2: field 'service': unknown service 'potholee'"
	run dc-case list -q
	assert_output ""
}

@test "bulk CSV: a bad record rejects the whole file, naming its line" {
	run dc-case new "$FIXTURES/cases-bad.csv"
	assert_failure 65
	assert_output --partial "cases-bad.csv:3: field 'service': unknown service 'potholee'"
	run dc-case list -q
	assert_output ""
}

@test "bulk --keep-going writes the good records and the rejects" {
	run dc-case new --keep-going --rejects "$BATS_TEST_TMPDIR/rej.jsonl" -q "$FIXTURES/cases-bad.jsonl"
	assert_failure 65
	run dc-case list -f csv --fields service,description,attributes,reporter --no-header
	$PY - "$BATS_TEST_TMPDIR/rej.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
r = json.loads(lines[0])
assert r["line"] == 2 and r["record"]["service"] == "potholee", r
PY
	run dc-case list --fields service,attributes,reporter
	assert_equal "${#lines[@]}" 2
	assert_equal "$(echo "${lines[0]}" | j attributes.depth_cm)" 12
	assert_equal "$(echo "${lines[0]}" | j reporter.email)" max@example.org
	assert_equal "$(echo "${lines[1]}" | j service)" parking
}

@test "bulk --batch N: a failure in batch 3 leaves batches 1-2 in, says so and prints them" {
	# 25 records, the 23rd of an unknown service: batches of 10 commit records 1-20
	$PY - "$BATS_TEST_TMPDIR/in.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1, 26):
        f.write(json.dumps({"service": "nope" if i == 23 else "parking",
                            "description": "Antrag %d" % i, "email": "b%d@example.org" % i})
                + "\n")
PY
	# without --batch the file is one transaction: nothing stays
	run dc-case new - < "$BATS_TEST_TMPDIR/in.jsonl"
	assert_failure 65
	assert_equal "$(dc-case list -q | wc -l)" 0
	run bash -c 'dc-case new --batch 10 - < "$1" > "$2"' _ "$BATS_TEST_TMPDIR/in.jsonl" \
		"$BATS_TEST_TMPDIR/out.jsonl"
	assert_failure 65
	msg="dc-case: --batch 10: the 20 records before the failing batch were committed"
	assert_line "$msg and stay; printed on stdout"
	assert_line "dc-case: -:23: field 'service': unknown service 'nope'"
	# what is printed is what stays: the cases of batches 1 and 2, receipts included
	assert_equal "$(wc -l < "$BATS_TEST_TMPDIR/out.jsonl")" 20
	assert_equal "$(tail -1 "$BATS_TEST_TMPDIR/out.jsonl" | j description)" "Antrag 20"
	assert_equal "$(dc-case list -q | wc -l)" 20
	assert_equal "$(dbsql "SELECT count(*) FROM outbox
		WHERE template = 'case-receipt'")" 20
	# each batch appended to the audit chain where the last left it
	run dc check
	assert_success
	assert_output --partial '"audit-chain","ok":true'
	# the rest after a fix, in batches again (the last one short)
	sed -n '21,25p' "$BATS_TEST_TMPDIR/in.jsonl" | sed 's/"nope"/"parking"/' \
		> "$BATS_TEST_TMPDIR/rest.jsonl"
	run dc-case new --batch 2 -q "$BATS_TEST_TMPDIR/rest.jsonl"
	assert_success
	assert_equal "${#lines[@]}" 5
	assert_equal "$(dc-case list -q | wc -l)" 25
	run dc check
	assert_success
}

@test "bulk --batch: only with records; never a record's field; nothing on --dry-run" {
	run dc-case new --batch 10 --service parking
	assert_failure 64
	assert_output --partial "--batch goes with records from - or FILE"
	run dc-case new --batch 0 -
	assert_failure 64
	run bash -c 'echo "{\"service\": \"parking\", \"batch\": \"2\"}" | dc-case new -'
	assert_failure 65
	assert_output --partial "unknown field 'batch'"
	run bash -c 'for i in 1 2 3; do echo "{\"service\": \"parking\"}"; done |
		dc-case new --batch 1 --dry-run -q -'
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_equal "$(dc-case list -q | wc -l)" 0
}

@test "bulk CSV with BOM, CRLF and quoted commas, newlines, umlauts" {
	run dc-case new "$FIXTURES/cases-bom-crlf.csv"
	assert_success
	run dc-case list --fields description,reporter
	assert_equal "${#lines[@]}" 2
	$PY - "$output" <<'PY'
import json, sys
a, b = [json.loads(l) for l in sys.argv[1].splitlines()]
assert a["description"] == 'Loch, tief; vor dem Café "Zur Mühle"\nzweite Zeile: Straßenecke', a
assert a["reporter"]["name"] == "Jürgen Größ"
assert b["description"] == "Ausweis, bitte" and b["reporter"]["name"] == "Ölke, Ümit", b
assert b["reporter"]["email"] == "u@example.org"
PY
}

@test "bulk JSONL with nested attributes and reporter objects (the list output's shape)" {
	printf '%s\n' '{"service":"pothole","attributes":{"size":"small","depth_cm":4},"reporter":{"email":"n@example.org"}}' \
		>"$BATS_TEST_TMPDIR/nested.jsonl"
	run dc-case new "$BATS_TEST_TMPDIR/nested.jsonl"
	assert_success
	assert_equal "$(echo "$output" | j attributes.depth_cm)" 4
	assert_equal "$(echo "$output" | j reporter.email)" n@example.org
}

# drive case $1 to status $2 as anna
drive() {
	local id=$1
	case $2 in
	new) ;;
	assigned) dc-assign claim "$id" -q ;;
	in_progress) dc-case status "$id" in_progress -q ;;
	waiting) dc-case status "$id" in_progress -q && dc-case status "$id" waiting -q ;;
	resolved) dc-case status "$id" in_progress -q && dc-case status "$id" resolved -q ;;
	closed) dc-case status "$id" in_progress -q && dc-case status "$id" resolved -q &&
		dc-case status "$id" closed -q ;;
	rejected) dc-assign claim "$id" -q && dc-case status "$id" rejected -q ;;
	duplicate) dc-assign claim "$id" -q &&
		dc-case status "$id" duplicate --duplicate-of 2026-000001 -q ;;
	esac
}

@test "the whole transition table of dc-case(1)" {
	local from to id rc want bad=""
	local -A ok=(
		[new:assigned]=1 [new:in_progress]=1 [new:rejected]=1 [new:duplicate]=1
		[assigned:in_progress]=1 [assigned:waiting]=1 [assigned:resolved]=1
		[assigned:rejected]=1 [assigned:duplicate]=1 [assigned:new]=1
		[in_progress:waiting]=1 [in_progress:resolved]=1 [in_progress:rejected]=1
		[in_progress:duplicate]=1 [in_progress:new]=1
		[waiting:in_progress]=1 [waiting:resolved]=1 [waiting:rejected]=1
		[resolved:closed]=1 [resolved:in_progress]=1
		[closed:in_progress]=1 [rejected:in_progress]=1 [duplicate:in_progress]=1
	)
	local all="new assigned in_progress waiting resolved closed rejected duplicate"
	new_case >/dev/null   # 2026-000001: target of duplicates
	export DC_USER=anna
	for from in $all; do
		for to in $all; do
			id=$(DC_USER=root new_case)
			drive "$id" "$from" || { bad+=" drive:$from"; continue; }
			[ "$(dc-case show "$id" | j status)" = "$from" ] || bad+=" reach:$from"
			rc=0
			if [ "$to" = duplicate ]; then
				dc-case status "$id" duplicate --duplicate-of 2026-000001 -q >/dev/null 2>&1 || rc=$?
			else
				dc-case status "$id" "$to" -q >/dev/null 2>&1 || rc=$?
			fi
			want=3
			[ -n "${ok[$from:$to]:-}" ] && want=0
			[ "$rc" -eq "$want" ] || bad+=" $from->$to:$rc(want $want)"
		done
	done
	assert_equal "$bad" ""
}

@test "new -> in_progress claims; reopening an unassigned case lands in new" {
	id=$(new_case)
	DC_USER=anna run dc-case status "$id" in_progress
	assert_success
	assert_equal "$(echo "$output" | j assignee)" anna
	id=$(new_case)
	DC_USER=anna run dc-case status "$id" rejected
	assert_success
	assert_equal "$(echo "$output" | j assignee)" null
	DC_USER=anna run dc-case status "$id" in_progress
	assert_success
	assert_equal "$(echo "$output" | j status)" new
	run dc-case status "$id" duplicate
	assert_failure 64
	assert_output --partial "--duplicate-of"
}

@test "notes and track: public view only" {
	out=$(dc-case new --service pothole --attr size=large --email max@example.org --name "Max Muster")
	token=$(echo "$out" | j token)
	export DC_USER=anna
	run dc-case note 2026-000001 "intern geheim" -q
	assert_success
	run dc-case note 2026-000001 "Wir kümmern uns" --public -q
	assert_success
	run dc-case status 2026-000001 in_progress -q
	assert_success
	run dc-case history 2026-000001 --fields kind,note,visibility
	assert_line '{"kind":"note","note":"intern geheim","visibility":"internal"}'
	assert_line '{"kind":"note","note":"Wir kümmern uns","visibility":"public"}'
	unset DC_USER
	run dc-case track 2026-000001 --token "$token"
	assert_success
	assert_output --partial "Wir kümmern uns"
	assert_output --partial '"status":"in_progress"'
	refute_output --partial "intern geheim"
	refute_output --partial anna
	refute_output --partial root
	refute_output --partial "Max Muster"
	refute_output --partial max@example.org
	run dc-case track 2026-000001 --token 0123456789abcdef0123456789abcdef
	assert_failure 2
	assert_output "dc-case: no case '2026-000001' with this token"
	run dc-case track 2026-000099 --token "$token"
	assert_failure 2
	assert_output "dc-case: no case '2026-000099' with this token"
}

# dcity(7) "Identity and roles": an unknown id and a wrong token answer alike, for everyone, so
# that case ids cannot be probed; a case without a token (an Open311 import) too.
@test "track: unknown id, wrong token and a case without a token get one answer, nothing on stdout" {
	token=$(dc-case new --service pothole --attr size=large -f jsonl | j token)
	dc-case new --service pothole --attr size=large -q
	# as an Open311 import leaves a case: no token at all
	dbsql "UPDATE cases SET token_hash = NULL WHERE id = '2026-000002'"
	for who in root anna zoe; do
		for args in "2026-000001 --token wrong" "2026-000002 --token $token" \
			"2026-000003 --token $token"; do
			# shellcheck disable=SC2086
			DC_USER=$who run --separate-stderr dc-case track $args
			assert_failure 2
			assert_output ""
			assert_equal "$stderr" "dc-case: no case '${args%% *}' with this token"
		done
	done
	DC_USER=zoe run dc-case track 2026-000001 --token "$token" --fields id
	assert_success
	assert_output '{"id":"2026-000001"}'
}

# Every dc-case verb but track that takes a case id: a login that is no staff gets the same exit
# and the same message for an existing case and an unknown one (dcity(7) "Identity and roles").
@test "a login that is no staff cannot tell existing case ids from unknown ones" {
	dc-case new --service pothole --attr size=large -q
	local args known
	for args in "show ID" "show ID --history" "history ID" "status ID in_progress" \
		"note ID Notiz" "status ID closed --note x"; do
		# shellcheck disable=SC2086
		DC_USER=zoe run --separate-stderr dc-case ${args//ID/2026-000001}
		assert_failure 77
		assert_output ""
		known=$stderr
		assert_equal "$known" \
			"dc-case: permission denied: 'zoe' (not active staff) may not see or change cases"
		# shellcheck disable=SC2086
		DC_USER=zoe run --separate-stderr dc-case ${args//ID/2026-000099}
		assert_failure 77
		assert_output ""
		assert_equal "$stderr" "$known"
	done
	# staff who may not read the case still learn that it exists, as before
	DC_USER=bob run dc-case show 2026-000099
	assert_failure 2
}

outbox() {
	dbsql "SELECT $1 FROM outbox $([[ $1 == count* ]] || echo ORDER BY id)"
}

@test "outbox: receipt, public changes and notes, never internal notes" {
	dc-case new --service pothole --attr size=large --email max@example.org --name "Max Muster" -q
	run outbox "recipient, ref_id, lang"
	assert_output "max@example.org|2026-000001|de"
	export DC_USER=anna
	dc-case note 2026-000001 "intern geheim" -q
	assert_equal "$(outbox 'count(*)')" 1
	dc-case note 2026-000001 "Wir kümmern uns" --public -q
	dc-case status 2026-000001 in_progress -q
	dc-case status 2026-000001 resolved -q
	assert_equal "$(outbox 'count(*)')" 4
	run dbsql "SELECT count(*) FROM outbox WHERE body LIKE '%intern geheim%'"
	assert_output 0
	run dbsql "SELECT count(*) FROM outbox WHERE body LIKE '%Wir kümmern uns%'"
	assert_output 1
	DC_USER=root dc-case new --service pothole --attr size=large -q
	dc-case status 2026-000002 in_progress -q
	assert_equal "$(outbox 'count(*)')" 4
}

@test "outbox: English receipt with --lang en" {
	dc-case new --service pothole --attr size=large --email jo@example.org --lang en -q
	run outbox "lang"
	assert_output en
	run outbox "subject || body"
	assert_output --partial "2026-000001"
	refute_output --partial "Guten Tag"
	refute_output --partial "eingegangen"
}

@test "history: oldest first, with actor and on_behalf_of" {
	id=$(new_case)
	DC_USER=anna dc-case status "$id" in_progress -q
	DC_USER=anna dc-assign away anna --from 2026-03-02 --until 2026-03-05 --deputy bernd -q
	DC_USER=bernd dc-case note "$id" "vertretung" -q
	run dc-case history "$id" --fields kind,actor,on_behalf_of,from,to
	assert_success
	$PY - "$output" <<'PY'
import json, sys
ev = [json.loads(l) for l in sys.argv[1].splitlines()]
assert [e["kind"] for e in ev] == ["created", "routed", "status", "claimed", "note"], ev
assert ev[0]["actor"] == "root" and ev[0]["to"] == "new"
assert ev[2] == {"kind": "status", "actor": "anna", "on_behalf_of": None, "from": "new", "to": "in_progress"}, ev[2]
assert ev[4]["actor"] == "bernd" and ev[4]["on_behalf_of"] == "anna", ev[4]
PY
}

@test "verify: intact chain, then a tampered event" {
	new_case >/dev/null
	run dc-case verify
	assert_success
	dbsql "DROP TRIGGER event_no_update; UPDATE event SET note='x' WHERE id=3"
	run dc-case verify
	assert_failure 1
	assert_output --partial "event 3"
}

@test "purge anonymises old closed cases, also in the WAL" {
	dc-case new --service pothole --attr size=large --email gone@example.org --name "Greta Gone" -q
	dc-case new --service pothole --attr size=large --email stays@example.org -q
	DC_USER=anna dc-case status 2026-000001 in_progress -q
	DC_USER=anna dc-case status 2026-000001 resolved -q
	DC_USER=anna dc-case status 2026-000001 closed -q
	dc-case service set pothole --archive destroy >/dev/null
	DC_NOW=2026-06-01T09:00:00Z run dc-case purge --closed-before 2026-04-01
	assert_success
	# the bytes of SQLite's file; PostgreSQL's pages keep old row versions until they are
	# overwritten (docs/postgresql.md, "Removing personal data")
	if ! on_pg; then
		run grep -c gone@example.org "$DC_DB"
		assert_output 0
		if [ -e "$DC_DB-wal" ]; then
			run grep -c gone@example.org "$DC_DB-wal"
			assert_output 0
		fi
	fi
	run dc-case list --reporter stays@example.org -q
	assert_output 2026-000002
	assert_equal "$(dc-case show 2026-000001 | j reporter.email)" null
}

@test "list filters" {
	dc-case new --service pothole --attr size=large --email max@example.org --description "Loch am Markt" -q
	dc-case new --service pothole --attr size=small --description "=HYPERLINK(\"x\")" -q
	dc-case new --service parking --description "Ausweis" -q
	DC_USER=anna dc-case status 2026-000001 in_progress -q
	DC_USER=clara dc-case status 2026-000003 rejected -q
	run dc-case list --status in_progress -q
	assert_output 2026-000001
	run dc-case list --status in_progress,rejected -q
	assert_output $'2026-000001\n2026-000003'
	run dc-case list --open -q
	assert_output $'2026-000001\n2026-000002'
	run dc-case list --reporter max@example.org -q
	assert_output 2026-000001
	run dc-case list --search Markt -q
	assert_output 2026-000001
	run dc-case list --fields id,status --status new
	assert_output '{"id":"2026-000002","status":"new"}'
	DC_NOW=2026-03-20T09:00:00Z run dc-case list --overdue -q
	assert_output $'2026-000001\n2026-000002'
	run dc-case list --overdue -q
	assert_output ""
	run dc-case list --status waiting -e
	assert_failure 1
	run dc-case list -e -q
	assert_success
	dc-case list --csv >"$BATS_TEST_TMPDIR/l.csv"
	$PY - "$BATS_TEST_TMPDIR/l.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert [r["id"] for r in rows] == ["2026-000001", "2026-000002", "2026-000003"], rows
assert rows[0]["status"] == "in_progress" and rows[1]["description"] == '=HYPERLINK("x")'
PY
	dc-case list --csv --dialect excel-de --fields id,description >"$BATS_TEST_TMPDIR/x.csv"
	$PY - "$BATS_TEST_TMPDIR/x.csv" <<'PY'
import csv, io, sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), raw[:10]
assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
rows = list(csv.reader(io.StringIO(raw[3:].decode(), newline=""), delimiter=";"))
assert rows[0] == ["id", "description"], rows
assert rows[2] == ["2026-000002", "'=HYPERLINK(\"x\")"], rows
PY
	# German spellings find each other (dcity(7), SEARCH)
	dc-case new --service parking --description "Anwohner Große Straße 3" -q
	for q in "grosse strasse" "GROESSE STRASSE" "große straße" "grose stras" "Anwohner"; do
		run dc-case list --search "$q" -q
		assert_output 2026-000004
	done
	run dc-case list --search "grosse strase 4" -q
	assert_output ""
}

@test "list: every filter alone and together, the department's view, sort and limit" {
	dc-case new --service pothole --attr size=large --description "Loch am Markt" --priority urgent -q
	DC_NOW=2026-03-03T09:00:00Z dc-case new --service parking --description "Ausweis" -q
	DC_NOW=2026-03-04T09:00:00Z dc-case new --service pothole --attr size=small --district Mitte -q
	DC_USER=anna dc-case status 2026-000001 in_progress -q
	run dc-case list --priority urgent,high -q
	assert_output 2026-000001
	run dc-case list --since 2026-03-03 --until 2026-03-03 -q
	assert_output 2026-000002
	run dc-case list --service pothole --district Mitte -q
	assert_output 2026-000003
	run dc-case list --assignee anna --status in_progress --priority urgent --open -q
	assert_output 2026-000001
	run dc-case list --sort -created_at --limit 2 -q
	assert_output $'2026-000003\n2026-000002'
	run dc-case list --sort priority -q
	assert_line --index 0 2026-000001
	# a clerk sees their department's cases only (parking belongs to another)
	DC_USER=anna run dc-case list -q
	refute_line 2026-000002
	assert_line 2026-000001
}

@test "status: an unknown status is a usage error (64), an unreachable one a conflict (3)" {
	dc-case new --service pothole --attr size=large -q
	run dc-case status 2026-000001 erledigt
	assert_failure 64
	assert_line --index 0 "dc-case: field 'status': 'erledigt' is not one of new, assigned, in_progress, waiting, resolved, closed, rejected or duplicate"
	run dc-case status 2026-000001 closed
	assert_failure 3
	assert_line --index 0 "dc-case: case '2026-000001' cannot go from 'new' to 'closed'"
	run dc-case show 2026-000001 --fields status
	assert_output '{"status":"new"}'
}

@test "list: an unknown status, priority or sort is a usage error naming the allowed values" {
	run dc-case list --status neu
	assert_failure 64
	assert_line --index 0 "dc-case: field 'status': 'neu' is not one of new, assigned, in_progress, waiting, resolved, closed, rejected or duplicate"
	assert_line --partial "usage: dc-case list [--status S[,S]]"
	run dc-case list --status new,opne
	assert_failure 64
	assert_line --index 0 --partial "'opne' is not one of new,"
	run dc-case list --status ''
	assert_failure 64
	assert_line --index 0 --partial "field 'status': '' is not one of new,"
	run dc-case list --priority hoch
	assert_failure 64
	assert_line --index 0 "dc-case: field 'priority': 'hoch' is not one of low, normal, high or urgent"
	run dc-case list --sort colour
	assert_failure 64
	assert_line --index 0 --partial "field 'sort': 'colour' is not one of id, -id, created_at,"
	run dc-case list --limit -1
	assert_failure 64
	run dc-case list --since 2026-02-30
	assert_failure 64
	assert_line --index 0 "dc-case: field 'since': '2026-02-30' is not a date (YYYY-MM-DD)"
	# dc-export cases takes the same filters and checks them the same way
	run dc-export cases --status opne
	assert_failure 64
	assert_line --index 0 --partial "field 'status': 'opne' is not one of"
}

import_checks() {
	run dc-case list --fields id,service,status,external_id,created_at,lat,lon,media,description
	assert_equal "${#lines[@]}" 2
	$PY - "$output" <<'PY'
import json, sys
a, b = [json.loads(l) for l in sys.argv[1].splitlines()]
assert a["external_id"] == "638344" and a["status"] == "closed", a
assert a["created_at"] == "2026-02-10T07:15:00Z", a
assert a["description"] == "Tiefes Schlagloch vor der Bäckerei"
assert a["lat"] == 52.520008 and a["lon"] == 13.404954
assert a["media"] == ["https://img.musterstadt.example/open311/638344.jpg"], a
assert b["external_id"] == "638345" and b["description"] is None and b["status"] == "new", b
assert b["service"] == "illegal-dumping" and b["created_at"] == "2026-02-11T13:05:30Z", b
PY
	run dc-case service show illegal-dumping --fields name,active
	assert_output '{"name":"Wilder Müll","active":false}'
	run dc-case history 2026-000001 --fields kind,note,visibility
	assert_line '{"kind":"note","note":"<p>Repariert &amp; geprüft</p>","visibility":"public"}'
	assert_equal "$(echo "$output" | grep -c Repariert)" 1
}

@test "import open311 JSON; re-import updates without duplicates" {
	export DC_USER=paul
	run dc-case import "$FIXTURES/open311-requests.json" -q
	assert_success
	import_checks
	run dc-case import "$FIXTURES/open311-requests.json" -q
	assert_success
	import_checks
}

@test "import open311 XML; re-import updates without duplicates" {
	export DC_USER=paul
	run dc-case import "$FIXTURES/open311-requests.xml" -q
	assert_success
	import_checks
	run dc-case import "$FIXTURES/open311-requests.xml" -q
	assert_success
	import_checks
}

@test "import --format open311 is the verb's option" {
	DC_USER=paul run dc-case import --format open311 "$FIXTURES/open311-requests.json" -q
	assert_success
	assert_output $'2026-000001\n2026-000002'
}

@test "concurrent claims: exactly one wins" {
	id=$(new_case)
	DC_USER=anna dc-assign claim "$id" -q >/dev/null 2>&1 &
	p1=$!
	DC_USER=bernd dc-assign claim "$id" -q >/dev/null 2>&1 &
	p2=$!
	rc1=0; wait $p1 || rc1=$?
	rc2=0; wait $p2 || rc2=$?
	echo "rc1=$rc1 rc2=$rc2"
	assert_equal "$((rc1 + rc2))" 3
	[ "$rc1" -eq 0 ] || [ "$rc2" -eq 0 ] || fail "neither claim won: rc1=$rc1 rc2=$rc2"
	run dc-case show "$id"
	winner=$(echo "$output" | j assignee)
	if [ $rc1 -eq 0 ]; then assert_equal "$winner" anna; else assert_equal "$winner" bernd; fi
}

@test "an installation's own notification text in mail.templates replaces the built-in one" {
	mkdir -p "$BATS_TEST_TMPDIR/tpl"
	printf 'Eingang {{id}} bei {{city}}\n\nHallo {{name}}, danke!\n' >"$BATS_TEST_TMPDIR/tpl/case-receipt.de.txt"
	dc config mail.templates "$BATS_TEST_TMPDIR/tpl" >/dev/null
	id=$(new_case --email eva@example.org --name "Eva Müller")
	run dbsql "SELECT subject || '|' || body FROM outbox WHERE ref_id = '$id'"
	assert_output "Eingang $id bei Musterstadt|Hallo Eva Müller, danke!"
	# a text the folder does not have stays built in
	DC_USER=anna dc-assign claim "$id" >/dev/null
	run dbsql "SELECT subject FROM outbox WHERE ref_id = '$id' ORDER BY id DESC LIMIT 1"
	assert_output "Neuer Stand zu Ihrem Anliegen $id: in Bearbeitung (zugewiesen)"
}

# --- text from citizens is data, never control (dcity(7) SECURITY) -----------------------

@test "intake: an email address with CR/LF or a second address is refused by delivery's rule (65), nothing stored" {
	run dc-case new --service pothole --attr size=large --email $'max@example.org\r\nBcc: all@example.org'
	assert_failure 65
	assert_output "dc-case: option '--email': control character U+000D is not allowed in a one-line text"
	printf '%s\n' '{"service":"pothole","attributes":{"size":"small"},"reporter":{"email":"a@example.org\nBcc: b@example.org"}}' >"$BATS_TEST_TMPDIR/c.jsonl"
	run dc-case new "$BATS_TEST_TMPDIR/c.jsonl"
	assert_failure 65
	assert_output "dc-case: $BATS_TEST_TMPDIR/c.jsonl:1: field 'email': control character U+000A is not allowed in a one-line text"
	run dc-case new --service pothole --attr size=large --email 'a@example.org, b@example.org'
	assert_failure
	assert_output --partial "field 'email': 'a@example.org, b@example.org' is not an email address"
	run dc-case new --service pothole --attr size=large --email 'Max <max@example.org>'
	assert_failure
	assert_equal "$(dbsql 'SELECT count(*) FROM cases')" 0
	# what intake takes, delivery takes: no receipt fails later for its address
	run dc-case new --service pothole --attr size=large --email max@example.org -q
	assert_success
}

@test "one-line fields refuse control characters (65); descriptions and notes keep newlines and tabs only" {
	run dc-case new --service pothole --attr size=large --name $'Max\e[2J' --email m@example.org
	assert_failure 65
	assert_output "dc-case: option '--name': control character U+001B is not allowed in a one-line text"
	run dc-case new --service pothole --attr size=large --address $'Hauptstr. 1\nZeile 2'
	assert_failure 65
	run dc-case new --service pothole --attr size=large --description $'Loch\x07'
	assert_failure 65
	assert_output "dc-case: option '--description': control character U+0007 is not allowed in text (newlines and tabs are)"
	# C1 controls too (U+009B is a CSI of its own)
	run dc-case new --service pothole --attr size=large --description $'Loch \xc2\x9b2J'
	assert_failure 65
	assert_output --partial "U+009B"
	run dc-case new --service pothole --attr "size=large"$'\e' --description x
	assert_failure 65
	id=$(dc-case new --service pothole --attr size=large --description $'Zeile 1\nZeile 2\tmit Tab\r\nZeile 3' -q)
	assert_equal "$(dbsql "SELECT description FROM cases WHERE id = '$id'" | tr '\t\r' 'TR')" $'Zeile 1\nZeile 2Tmit TabR\nZeile 3'
	# a verb without a typed spec: its text keeps lines, never escapes
	DC_USER=anna run dc-case note "$id" $'Anwohner \e]0;pwned\a informiert'
	assert_failure 65
	assert_output "dc-case: operand 2: control character U+001B is not allowed in text (newlines and tabs are)"
	DC_USER=anna run dc-case note "$id" $'zwei\nZeilen'
	assert_success
	DC_USER=anna run dc-case status "$id" in_progress --note $'x\e[31m'
	assert_failure 65
	assert_output --partial "option '--note'"
	# the same in records of other areas: a post's title is one line, its body may have many
	dc-feed member add anna --name "Anna" --kind citizen >/dev/null
	run dc-feed post --author anna --title $'Titel\nzwei' --body x
	assert_failure 65
	run dc-feed post --author anna --title Titel --body $'Absatz 1\n\nAbsatz 2' -q
	assert_success
	run dc-feed member add zed --name "Zed" --kind citizen --email $'z@example.org\rX'
	assert_failure 65
	# set verbs hold their fields to their add verb's rules
	run dc-case service set pothole --name $'Schlag\tloch'
	assert_failure 65
	assert_output "dc-case: field 'name': control character U+0009 is not allowed in a one-line text"
	DC_USER=bob dc-order vendor add acme --name Acme >/dev/null
	run env DC_USER=bob dc-order vendor set acme --name $'Acme\nGmbH'
	assert_failure 65
	run env DC_USER=bob dc-order vendor set acme --address $'Hauptstr. 1\n12345 Musterstadt'
	assert_success
	assert_equal "$(dc-case service show pothole | j name)/$(dbsql "SELECT name FROM vendor")" "Schlagloch/Acme"
}

@test "table output and error messages show a stored control character escaped, never obey it" {
	id=$(new_case --description ok --name "Max")
	# older data, from before intake refused it
	dbsql "UPDATE cases SET description = 'Loch' || char(27) || '[2J' || char(155) || 'x', reporter_name = 'A' || char(13) || 'B' WHERE id = '$id'"
	DC_USER=anna run dc-case list -f table --fields id,description,reporter.name
	assert_success
	[[ $output != *$'\e'* && $output != *$'\r'* && $output != *$'\xc2\x9b'* ]] || fail "raw control character in the table"
	assert_line --index 1 --regexp "^$id +Loch\\\\x1b\\[2J\\\\u009bx +A\\\\x0dB\$"
	# JSON was always escaped; it still is
	DC_USER=anna run dc-case show "$id" --fields description
	assert_output $'{"description":"Loch\\u001b[2J\xc2\x9bx"}'
	# an error that quotes a bad value shows it escaped as well
	run dc-case show $'nope\e[2J'
	assert_failure
	[[ $output != *$'\e'* ]] || fail "raw ESC in the error message"
}
