#!/usr/bin/env bats
# dc-subject(1): a person's data found, exported and erased everywhere (issue 19), legal holds
# (dc-case hold), and the retention of every entity (dc purge --retention).

bats_require_minimum_version 1.5.0
load helper

# ---- helpers (db_files, raw_absent and raw_present are helper.bash's) ----------------------

# every WAL frame into the database, so that the raw scan sees the pages as stored (SQLite's
# log file; nothing to do on PostgreSQL)
checkpoint() {
	on_pg || dbsql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
}

# entity:field of each JSONL record on stdin, sorted and unique
kinds() {
	$PY -c 'import json,sys
print("\n".join(sorted({"%s:%s" % (r["entity"], r["field"]) for r in map(json.loads, filter(str.strip, sys.stdin))})))'
}

close_case() { # ID: through in_progress and resolved to closed, by anna
	DC_USER=anna dc-case status "$1" in_progress -q >/dev/null
	DC_USER=anna dc-case status "$1" resolved -q >/dev/null
	DC_USER=anna dc-case status "$1" closed -q >/dev/null
}

jid() { $PY -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])'; }

# The person, Wilhelmine Quastorf, everywhere: two cases (one through the Open311 CGI with
# device and account ids), member, poster, commenter, flagger, follower, shop buyer; and
# Bertram Olk, another citizen, beside her in the same places.
PERSON_STRINGS=(Wilhelmine Quastorf w.quastorf@privat.example 9988776 Zwetschgenweg
	Zwetschgenloch Gartenzaunbruch dev-quast-9 acc-quast-9 "Tauschbörse" "Einmachgläser"
	Sonntagsfrühstück Quastorfhinweis Rückrufnotiz Statusvermerk)
# what her export holds, sorted: a JSON file per entity that names her, and the summary
EXPORT_FILES="case.json
comment.json
event.json
flag.json
follow.json
member.json
outbox.json
post.json
shop_order.json
summary.html"

OTHER_STRINGS=(Bertram olk@example.org Olkstraße Olkloch Olkpost Olkkommentar Olkflagge)

person_city() {
	seed_city_build
	export DC_USER=root
	# the archive appraised the services and shop orders in advance (dc-archive(1)): no record
	# waits for it here, but in the test that says so
	dc-case service set pothole parking --archive destroy >/dev/null
	dc config archive.shop_order destroy >/dev/null
	local key
	key=$(dc-assign staff key add paul | $PY -c 'import json,sys; print(json.loads(sys.stdin.readline())["key"])')
	# her case at the counter, with a note naming her, and one posted through Open311
	C1=$(new_case --name "Wilhelmine  Quastorf" --email W.Quastorf@privat.example \
		--phone "+49 171 9988776" --address "Zwetschgenweg 17" \
		--description "Zwetschgenloch vor dem Haus")
	DC_USER=anna dc-case note "$C1" "Rückrufnotiz: Frau Quastorf bittet um Anruf" -q >/dev/null
	close_case "$C1"
	C2=$(o311 POST /requests.json "api_key=$key&service_code=pothole&attribute%5Bsize%5D=large&lat=52.52&long=13.405&email=w.quastorf%40privat.example&first_name=Wilhelmine&last_name=Quastorf&phone=%2B49+171+9988776&description=Gartenzaunbruch+am+Weg&device_id=dev-quast-9&account_id=acc-quast-9" |
		sed '1,/^$/d' | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["service_request_id"])')
	DC_USER=anna dc-case status "$C2" in_progress --note "Statusvermerk zu Quastorf" -q >/dev/null
	DC_USER=anna dc-case status "$C2" resolved -q >/dev/null
	DC_USER=anna dc-case status "$C2" closed -q >/dev/null
	# Bertram's case stays open: his data is not hers
	C3=$(new_case --name "Bertram Olk" --email olk@example.org --address "Olkstraße 3" \
		--description "Olkloch")
	# the feed
	dc-feed member add wquastorf --name "Wilhelmine Quastorf" --kind citizen \
		--email w.quastorf@privat.example -q >/dev/null
	dc-feed member add bolk --name "Bertram Olk" --kind citizen --email olk@example.org \
		-q >/dev/null
	P1=$(dc-feed post --author wquastorf --title "Tauschbörse im Hof" \
		--body "Tausche Einmachgläser" | jid)
	P2=$(dc-feed post --author bolk --title "Olkpost" --body "Flohmarkt" | jid)
	dc-feed comment "$P2" --author wquastorf --body "Sonntagsfrühstück?" -q >/dev/null
	dc-feed comment "$P1" --author bolk --body "Olkkommentar" -q >/dev/null
	dc-feed flag "$P2" --by wquastorf --reason spam --note "Quastorfhinweis" -q >/dev/null
	dc-feed flag "$P1" --by bolk --reason off-topic --note "Olkflagge" -q >/dev/null
	dc-feed follow wquastorf --topic garten -q >/dev/null
	# the shop: she buys as member, Bertram as guest
	dc-shop merchant add laden --name "Laden" --district Mitte -q >/dev/null
	dc-shop product add --merchant laden --sku BROT --name Brot --price 3 --stock 9 -q >/dev/null
	dc-shop slot add --merchant laden --at 2026-03-03T08:00:00Z --capacity 5 -q >/dev/null
	S1=$(dc-shop order new --member wquastorf --item laden:BROT:2 --slot 1 | jid)
	S2=$(dc-shop order new --email olk@example.org --item laden:BROT:1 --slot 1 | jid)
	dc-shop order status "$S1" ready -q >/dev/null
	dc-shop order status "$S1" collected -q >/dev/null
}

setup() {
	fresh_db
	cached_setup person_city C1 C2 C3 P1 P2 S1 S2
	export DC_USER=root
}

# ---- find ------------------------------------------------------------------------------

@test "find --email: every record naming her, in every entity, valid against the schema" {
	run dc-subject find --email w.quastorf@PRIVAT.example -f jsonl
	assert_success
	validate subject-record <<<"$output"
	run kinds <<<"$output"
	for k in case:reporter_name case:reporter_email case:reporter_phone case:description \
		case:address case:device_id case:account_id outbox:recipient event:note \
		event:on_behalf_of event:ref shop_order:member flag:member follow:member \
		comment:author post:author member:handle member:name member:email; do
		assert_line "$k"
	done
	# both cases, her post and comment; nothing of Bertram's
	run dc-subject find --email w.quastorf@privat.example -f csv --fields entity,id
	assert_line "case,$C1"
	assert_line "case,$C2"
	assert_line "post,$P1"
	assert_line "shop_order,$S1"
	refute_line "case,$C3"
	refute_line "post,$P2"
	refute_line "shop_order,$S2"
	# the Open311 case's device and account ids belong to it
	run dc-subject find --email w.quastorf@privat.example -f csv --fields entity,id,field
	assert_line "case,$C2,device_id"
	assert_line "case,$C2,account_id"
}

@test "find --phone by digits, --member, --name folded; one key, checked" {
	run dc-subject find --phone "49-171/998 87 76" -f csv --fields entity,id,field
	assert_success
	assert_line "case,$C1,reporter_phone"
	assert_line "case,$C2,reporter_phone"
	refute_line --partial "case,$C3"
	run dc-subject find --member wquastorf -f csv --fields entity,id,field
	assert_line "member,wquastorf,email"
	assert_line "post,$P1,author"
	assert_line "case,$C1,reporter_email"
	run dc-subject find --name "  wilhelmine   QUASTORF " -f csv --fields entity,id,field
	assert_line "case,$C1,reporter_name"
	assert_line "member,wquastorf,name"
	refute_line --partial "case,$C3"
	run dc-subject find --email a@b.example --phone 123456
	assert_failure 64
	assert_output --partial "give one of --email, --phone, --member, --name"
	run dc-subject find --phone 12-34
	assert_failure 64
	assert_output --partial "fewer than 6 digits"
	run dc-subject find --email nobody@example.org
	assert_success
	assert_output ""
	run env DC_USER=hanna dc-subject find --email w.quastorf@privat.example
	assert_failure 77
	assert_output --partial "permission denied"
}

# ---- erase ------------------------------------------------------------------------------

@test "erase: none of her strings stays in the database files; Bertram's data does; dc check passes" {
	raw_present "${PERSON_STRINGS[@]}"
	run dc-subject find --email w.quastorf@privat.example -f jsonl
	local before=$output
	run --separate-stderr dc-subject erase --email w.quastorf@privat.example -f jsonl
	assert_success
	[[ $stderr == "dc-subject: DSR-2026-000001: erased: case 2,"* ]] || fail "stderr: $stderr"
	# erase lists what find listed
	assert_equal "$(kinds <<<"$output")" "$(kinds <<<"$before")"
	validate subject-record <<<"$output"
	# audited with counts, never her address
	run dbsql "SELECT ref, note FROM event WHERE entity = 'subject'"
	assert_output --regexp '^DSR-2026-000001\|erased: case 2, outbox [0-9]+, event [0-9]+, shop_order 1, flag 1, follow 1, comment 1, post 1, member 1; held: none; kept: none$'
	checkpoint
	# her handle too: the chain held it only as a salted hash (on_behalf_of, the ref of a
	# member's events), and value and salt are gone
	raw_absent "${PERSON_STRINGS[@]}" wquastorf
	raw_present "${OTHER_STRINGS[@]}" bolk
	run dbsql "SELECT (SELECT count(*) FROM member WHERE handle = 'wquastorf')
		+ (SELECT count(*) FROM post WHERE author = 'wquastorf')
		+ (SELECT count(*) FROM comment WHERE author = 'wquastorf')
		+ (SELECT count(*) FROM flag WHERE member = 'wquastorf')
		+ (SELECT count(*) FROM follow WHERE member = 'wquastorf')
		+ (SELECT count(*) FROM shop_order WHERE member = 'wquastorf')"
	assert_output 0
	# her post and comment keep their place; the order its amounts and lines
	run dbsql "SELECT author, title, body FROM post WHERE id = '$P1';
		SELECT author, body FROM comment WHERE post = '$P2';
		SELECT CASE WHEN member IS NULL THEN 1 ELSE 0 END, email, total, status FROM shop_order WHERE id = '$S1';
		SELECT count(*) FROM shop_order_line WHERE order_id = '$S1';
		SELECT member, reason, CASE WHEN note IS NULL THEN 1 ELSE 0 END FROM flag WHERE post = '$P2'"
	assert_output "gelöscht|[gelöscht]|[gelöscht]
gelöscht|[gelöscht]
1|(gelöscht)|600|collected
1
gelöscht|spam|1"
	# Bertram's comment on her post, his flag, his case, his guest order are whole
	run dbsql "SELECT author, body FROM comment WHERE post = '$P1';
		SELECT member, note FROM flag WHERE post = '$P1';
		SELECT reporter_name, reporter_email, description FROM cases WHERE id = '$C3';
		SELECT email FROM shop_order WHERE id = '$S2'"
	assert_output "bolk|Olkkommentar
bolk|Olkflagge
Bertram Olk|olk@example.org|Olkloch
olk@example.org"
	run dc check
	assert_success
	assert_output --partial '"audit-chain","ok":true'
	# found no more
	run dc-subject find --email w.quastorf@privat.example -f csv --fields entity,action
	refute_output --partial anonymise
	refute_output --partial delete
	refute_output --partial "erase"
}

@test "erase: an open case holds; nothing is erased, exit 3; --except-held erases the rest" {
	C4=$(new_case --name "Wilhelmine Quastorf" --email w.quastorf@privat.example \
		--description "Noch offen")
	run dc-subject erase --email w.quastorf@privat.example -f csv --fields entity,id,action,reason
	assert_failure 3
	assert_line "case,$C4,held,case $C4 is still open"
	assert_output --partial "are under a hold (listed): nothing erased"
	run dbsql "SELECT count(*) FROM member WHERE handle = 'wquastorf'"
	assert_output 1
	run dc-subject erase --email w.quastorf@privat.example --except-held -q
	assert_success
	run dbsql "SELECT reporter_name, description FROM cases WHERE id = '$C4';
		SELECT count(*) FROM member WHERE handle = 'wquastorf';
		SELECT CASE WHEN reporter_name IS NULL THEN 1 ELSE 0 END FROM cases WHERE id = '$C1'"
	assert_output "Wilhelmine Quastorf|Noch offen
0
1"
	run dbsql "SELECT note FROM event WHERE entity = 'subject'"
	assert_output --regexp "held: case 1, outbox [0-9]+"
	run dc check
	assert_success
}

@test "erase: a closed case the archive has not released is held, exit 3 (dc-archive(1))" {
	dc-case service set pothole --archive offer >/dev/null
	run dc-subject erase --email w.quastorf@privat.example -f csv --fields entity,id,action,reason
	assert_failure 3
	assert_line "case,$C1,held,case $C1 awaits the archive"
	run dbsql "SELECT reporter_name FROM cases WHERE id = '$C1'"
	assert_output "Wilhelmine  Quastorf"
	# appraised "vernichten" in advance: erased
	dc-case service set pothole --archive destroy >/dev/null
	run dc-subject erase --email w.quastorf@privat.example -q
	assert_success
	run dbsql "SELECT CASE WHEN reporter_name IS NULL THEN 1 ELSE 0 END FROM cases WHERE id = '$C1'"
	assert_output 1
}

@test "erase: --name is refused, - erases exactly the records read, a bad line is an error" {
	run dc-subject erase --name "Wilhelmine Quastorf"
	assert_failure 64
	assert_output --partial "--name only finds: names are not unique"
	# only her post, her follow and the events written on her behalf
	dc-subject find --member wquastorf -f jsonl |
		grep -E '"entity":"(post|follow)"|"field":"on_behalf_of"' >"$BATS_TEST_TMPDIR/some.jsonl"
	run dc-subject erase - -f csv --fields entity,id,field,action <"$BATS_TEST_TMPDIR/some.jsonl"
	assert_success
	assert_line "post,$P1,author,anonymise"
	assert_line --regexp '^event,[0-9]+,on_behalf_of,erase$'
	run dbsql "SELECT author, title FROM post WHERE id = '$P1';
		SELECT count(*) FROM follow WHERE member = 'wquastorf';
		SELECT count(*) FROM member WHERE handle = 'wquastorf';
		SELECT count(*) FROM event WHERE on_behalf_of = 'wquastorf'"
	assert_output "gelöscht|[gelöscht]
0
1
0"
	printf '{"entity":"case","id":"%s","field":"reporter_name"}\n{"entity":"nope","id":"1","field":"x"}\n' \
		"$C1" >"$BATS_TEST_TMPDIR/bad.jsonl"
	run dc-subject erase - <"$BATS_TEST_TMPDIR/bad.jsonl"
	assert_failure 65
	assert_output "dc-subject: -:2: field 'field': not a record of dc-subject find"
	run dbsql "SELECT reporter_name FROM cases WHERE id = '$C1'"
	assert_output "Wilhelmine  Quastorf"
	run dc check
	assert_success
}

@test "erase -n changes nothing; erase by --phone and by --member" {
	run dc-subject erase --member wquastorf -n -q
	assert_success
	run dbsql "SELECT count(*) FROM member WHERE handle = 'wquastorf'"
	assert_output 1
	run dc-subject erase --phone "+49 171 9988776" -q
	assert_success
	run dbsql "SELECT count(*) FROM cases WHERE reporter_phone IS NOT NULL AND id IN ('$C1', '$C2')"
	assert_output 0
	run dc-subject erase --member wquastorf -q
	assert_success
	run dbsql "SELECT count(*) FROM member WHERE handle = 'wquastorf'"
	assert_output 0
	# the member is gone, and so is her handle from the audit chain: nothing is found
	run dc-subject find --member wquastorf -f csv --no-header --fields entity,field,action
	assert_success
	assert_output ""
	run dc check
	assert_success
}

@test "audit chain: handles and guest addresses are in it as salted hashes; tampering breaks it" {
	# the events written for a member or guest, and a member's own events, carry the value
	# and its salt beside the chain, which covers only their hash
	run dbsql "SELECT CASE WHEN count(*) > 3 THEN 1 ELSE 0 END,
		CASE WHEN count(who_salt) = count(*) THEN 1 ELSE 0 END,
		CASE WHEN count(ref_hash) > 1 THEN 1 ELSE 0 END
		FROM event WHERE on_behalf_of IN ('wquastorf', 'bolk', 'olk@example.org')"
	assert_output "1|1|1"
	run dbsql "SELECT count(*) FROM event WHERE entity = 'member' AND ref_hash IS NULL"
	assert_output 0
	# a deputy's on_behalf_of is a staff login, in the chain as it is
	run dbsql "SELECT count(*) FROM event WHERE entity = 'case' AND who_hash IS NOT NULL"
	assert_output 0
	# the trigger allows exactly the erasure: value and salt together, a ref to '-'
	local m n
	m=$(dbsql "SELECT id FROM event WHERE entity = 'member' AND ref = 'bolk'
		AND kind = 'created'")
	n=$(dbsql "SELECT min(id) FROM event WHERE entity = 'post' AND on_behalf_of = 'bolk'")
	for sql in "UPDATE event SET on_behalf_of = 'someone' WHERE id = $n" \
		"UPDATE event SET on_behalf_of = NULL WHERE id = $n" \
		"UPDATE event SET on_behalf_of = NULL, who_salt = NULL, who_hash = NULL WHERE id = $n" \
		"UPDATE event SET ref = 'x', ref_salt = NULL WHERE id = $m" \
		"UPDATE event SET on_behalf_of = 'anna', who_salt = NULL WHERE entity = 'case'"; do
		run dbsql "$sql"
		assert_failure
		assert_output --partial "append-only"
	done
	# an erasure that no 'purged' event accounts for is found by verify
	dbsql "UPDATE event SET on_behalf_of = NULL, who_salt = NULL WHERE id = $n"
	run dc-case verify
	assert_failure 1
	assert_output --partial "audit chain broken at event $n"
	# so is a changed handle, even with its hash and salt left alone (an earlier event)
	dbsql "DROP TRIGGER event_no_update; UPDATE event SET ref = 'bolk2' WHERE id = $m"
	run dc-case verify
	assert_failure 1
	assert_output --partial "audit chain broken at event $m"
	# what was written before schema 15 has no hash: kept, and find says why
	dbsql "UPDATE event SET who_hash = NULL, who_salt = NULL
		WHERE entity = 'post' AND on_behalf_of = 'wquastorf'"
	run dc-subject find --member wquastorf -f csv --no-header --fields entity,field,action,reason
	assert_line 'event,on_behalf_of,keep,"written before schema 15 into the audit hash chain, which erasure must not break"'
}

# ---- export ------------------------------------------------------------------------------

@test "export: a JSON file per entity and summary.html in a new private directory; audited without her data" {
	local d=$BATS_TEST_TMPDIR/auskunft
	run --separate-stderr dc-subject export --email w.quastorf@privat.example -o "$d"
	assert_success
	[[ $stderr == "dc-subject: DSR-2026-000001: $d written: case 2, outbox "* ]] || fail "$stderr"
	run ls "$d"
	assert_output "$EXPORT_FILES"
	assert_equal "$(stat -c %a "$d")" 700
	assert_equal "$(stat -c '%a' "$d"/*.json "$d/summary.html" | sort -u)" 600
	# the whole records, hers only, without the city's security material
	$PY - "$d" "$C1" "$C2" "$C3" <<-'PY'
		import json, sys, os
		d, c1, c2, c3 = sys.argv[1:]
		cases = json.load(open(os.path.join(d, "case.json")))
		assert sorted(c["id"] for c in cases) == sorted([c1, c2]), cases
		c = next(c for c in cases if c["id"] == c2)
		assert c["device_id"] == "dev-quast-9" and c["account_id"] == "acc-quast-9", c
		assert "token_hash" not in c
		posts = json.load(open(os.path.join(d, "post.json")))
		assert [p["title"] for p in posts] == ["Tauschbörse im Hof"], posts
		ev = json.load(open(os.path.join(d, "event.json")))
		assert ev and all("hash" not in e and "note_salt" not in e for e in ev), ev
		for f in os.listdir(d):
		    assert "Olk" not in open(os.path.join(d, f)).read(), f
	PY
	# the summary: German, each entity with its purpose, since when, when deleted; recipients
	run cat "$d/summary.html"
	assert_output --partial '<html lang="de">'
	assert_output --partial "<td>Ihre Beiträge</td><td>1</td>"
	assert_output --partial "Veröffentlichung Ihrer Beiträge im Stadtteil-Netzwerk"
	assert_output --partial "<td>2026-03-02</td>"
	assert_output --partial "730 Tage nach Ihrem letzten Beitrag"
	assert_output --partial "90 Tage nach Abholung oder Stornierung"
	assert_output --partial "<td>case-receipt</td><td>w.quastorf@privat.example</td>"
	xmllint --html --noout "$d/summary.html"
	# a purpose is a setting
	dc config subject.purpose.post "Zweck für Beiträge <eigen>" >/dev/null
	dc-subject export --member wquastorf -o "$d-2" -q
	grep -qF "Zweck für Beiträge &lt;eigen&gt;" "$d-2/summary.html"
	# audited: counts, no address, no handle
	run dbsql "SELECT kind, note FROM event WHERE entity = 'subject' ORDER BY id"
	assert_line --regexp '^exported\|case 2, outbox [0-9]+, event [0-9]+, shop_order 1, flag 1, follow 1, comment 1, post 1, member 1$'
	refute_output --partial quastorf
	# a directory that exists is refused, nothing written
	run dc-subject export --email w.quastorf@privat.example -o "$d"
	assert_failure 73
	assert_output --partial "exists"
	run dc-subject export --name Quastorf -o "$d-3"
	assert_failure 64
	run env DC_USER=hanna dc-subject export --email w.quastorf@privat.example -o "$d-4"
	assert_failure 77
	[ ! -e "$d-4" ]
	run dc-subject export --email w.quastorf@privat.example -o "$d-5" -n
	assert_success
	[ ! -e "$d-5" ]
	run dbsql "SELECT count(*) FROM event WHERE entity = 'subject'"
	assert_output 2
}

@test "export -o FILE.zip: the same files in one private ZIP, whole or not at all" {
	local z=$BATS_TEST_TMPDIR/auskunft.zip
	run --separate-stderr dc-subject export --email w.quastorf@privat.example -o "$z"
	assert_success
	assert_equal "$(stat -c %a "$z")" 600
	run $PY -c 'import sys, zipfile; print("\n".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))' "$z"
	assert_output "$EXPORT_FILES"
	$PY - "$z" "$C1" "$C2" <<-'PY'
		import json, sys, zipfile
		z = zipfile.ZipFile(sys.argv[1])
		assert z.testzip() is None
		cases = json.loads(z.read("case.json"))
		assert sorted(c["id"] for c in cases) == sorted(sys.argv[2:]), cases
		assert '<html lang="de">' in z.read("summary.html").decode()
	PY
	# an existing file is refused; -n writes nothing; no temporary file stays
	run dc-subject export --email w.quastorf@privat.example -o "$z"
	assert_failure 73
	run dc-subject export --email w.quastorf@privat.example -o "$z-2.ZIP" -n
	assert_success
	[ ! -e "$z-2.ZIP" ]
	run ls -A "$BATS_TEST_TMPDIR"
	refute_output --partial ".auskunft"
}

@test "erase: an open procurement file holds the vendor's address it names; a cancelled one does not" {
	dc-assign dept add schule --name Schulverwaltung >/dev/null
	dc-assign staff add carl --name "Carl Klein" --dept schule --role clerk >/dev/null
	dc-order vendor add quast --name "Quastorf Handwerk" --email w.quastorf@privat.example -q >/dev/null
	dc-order budget add 4711 --dept schule --year 2026 --amount 50000 -q >/dev/null
	local po
	po=$(DC_USER=carl dc-order new --dept schule --budget 4711 --line "Zaun;1;20.00;quast" -q)
	run dc-subject erase --email w.quastorf@privat.example -f csv --fields entity,id,action,reason
	assert_failure 3
	assert_line "vendor,quast,held,open procurement file $po"
	dc-order cancel "$po" --reason "doppelt" -q >/dev/null
	run dc-subject erase --email w.quastorf@privat.example -f csv --fields entity,id,action
	assert_success
	assert_line "vendor,quast,anonymise"
	run dbsql "SELECT CASE WHEN email IS NULL THEN 1 ELSE 0 END, name FROM vendor WHERE id = 'quast'"
	assert_output "1|Quastorf Handwerk"
}

# ---- legal holds ---------------------------------------------------------------------------

@test "dc-case hold: shown, kept by erase and purge (counted), lifted by unhold" {
	run dc-case hold "$C1" --reason "Klage Az. 7 K 12/26"
	assert_success
	run dc-case show "$C1" -f jsonl
	validate case <<<"$output"
	assert_output --partial '"hold":{"reason":"Klage Az. 7 K 12/26","by":"root","at":"'
	run dc-subject erase --email w.quastorf@privat.example -f csv --fields entity,id,action,reason
	assert_failure 3
	assert_line "case,$C1,held,legal hold: Klage Az. 7 K 12/26"
	run --separate-stderr dc-case purge --closed-before 2026-12-31
	assert_success
	[[ $stderr =~ ^dc-case:\ 1\ case\ anonymised,\ [0-9]+\ notes?\ erased,\ 1\ held$ ]] ||
		fail "stderr: $stderr"
	run dbsql "SELECT reporter_name FROM cases WHERE id = '$C1'"
	assert_output "Wilhelmine  Quastorf"
	run env DC_USER=anna dc-case hold "$C1" --reason x
	assert_failure 77
	run dc-case hold "$C1" --reason ""
	assert_failure 64
	run env DC_USER=hanna dc-case unhold "$C1"
	assert_success
	run dc-case show "$C1" -f jsonl
	assert_output --partial '"hold":{"reason":null,"by":null,"at":null}'
	run dc-case unhold "$C1"
	assert_failure 3
	assert_output --partial "is not held"
}

# ---- retention (dc purge --retention) -------------------------------------------------------

# purge_on DATE: dc purge --retention at 09:00 UTC of DATE, quietly
purge_on() {
	DC_NOW=${1}T09:00:00Z dc purge --retention -f csv 2>/dev/null
}

@test "retention.outbox_days: sent messages keep their text through day D + N" {
	dc-notify run --maildir "$BATS_TEST_TMPDIR/mail" -q >/dev/null
	dc config retention.outbox_days 10 >/dev/null
	run dbsql "SELECT count(*) FROM outbox WHERE status = 'sent'"
	local sent=$output
	((sent > 0))
	run purge_on 2026-03-12
	assert_success
	assert_line "outbox,text dropped,0"
	run purge_on 2026-03-13
	assert_line "outbox,text dropped,$sent"
	run dbsql "SELECT DISTINCT recipient, subject, body FROM outbox WHERE status = 'sent'"
	assert_output "(gelöscht)|(gelöscht)|(gelöscht)"
	run purge_on 2026-03-14
	assert_line "outbox,text dropped,0"
	run dc check
	assert_success
}

@test "retention.shop_order_days: a collected order loses the person after N days, an open one never" {
	dc config retention.shop_order_days 5 >/dev/null
	run purge_on 2026-03-07
	assert_line "shop_order,anonymised,0"
	# offered to the archive first (dc-archive(1)): skipped and counted until it is released
	dc config archive.shop_order offer >/dev/null
	run purge_on 2026-03-08
	assert_success
	assert_line "shop_order,anonymised,0"
	assert_line "shop_order,awaiting_archive,1"
	dc config archive.shop_order destroy >/dev/null
	run purge_on 2026-03-08
	assert_line "shop_order,anonymised,1"
	assert_line "shop_order,awaiting_archive,0"
	run dbsql "SELECT id, member, email, total FROM shop_order ORDER BY id"
	assert_output "$S1||(gelöscht)|600
$S2||olk@example.org|300"
	# the order's events forget whom they were written for; the open order's keep it
	run dbsql "SELECT ref, count(on_behalf_of) FROM event WHERE entity = 'shop_order'
		AND kind <> 'purged' GROUP BY ref ORDER BY ref"
	assert_output "$S1|0
$S2|1"
	run dc check
	assert_success
}

@test "retention.post_days: a post goes with its comments and flags N days after its last comment" {
	dc config retention.post_days 30 >/dev/null
	DC_NOW=2026-03-20T09:00:00Z dc-feed comment "$P2" --author bolk --body "Spät" -q >/dev/null
	run purge_on 2026-04-01
	assert_line "post,removed,0"
	run purge_on 2026-04-02
	assert_line "post,removed,1"
	assert_line "comment,removed,1"
	run dbsql "SELECT id FROM post; SELECT count(*) FROM flag WHERE post = '$P1'"
	assert_output "$P2
0"
	run purge_on 2026-04-20
	assert_line "post,removed,1"
	assert_line "comment,removed,2"
	run dc check
	assert_success
}

@test "retention.member_days: a member without posts, comments, follows or orders for N days goes" {
	dc config retention.member_days 60 >/dev/null
	DC_NOW=2026-04-01T09:00:00Z dc-feed follow bolk --district Nord -q >/dev/null
	run purge_on 2026-05-01
	assert_line "member,removed,0"
	run purge_on 2026-05-02
	assert_line "member,removed,1"
	run dbsql "SELECT handle FROM member ORDER BY handle;
		SELECT author, title FROM post WHERE id = '$P1';
		SELECT CASE WHEN member IS NULL THEN 1 ELSE 0 END FROM shop_order WHERE id = '$S1'"
	assert_output "bolk
gelöscht
gelöscht|[gelöscht]
1"
	run purge_on 2026-05-31
	assert_line "member,removed,0"
	run purge_on 2026-06-01
	assert_line "member,removed,1"
	run dc check
	assert_success
}

@test "dc purge --retention: cases by their service's retention, held ones counted; roles; usage" {
	dc-case service set pothole --retention 3 >/dev/null
	dc-case hold "$C2" --reason "Akteneinsicht" -q >/dev/null
	run purge_on 2026-03-05
	assert_line "case,anonymised,0"
	run purge_on 2026-03-06
	assert_line "case,anonymised,1"
	assert_line "case,held,1"
	run dbsql "SELECT id, CASE WHEN reporter_name IS NULL THEN 1 ELSE 0 END FROM cases WHERE id IN ('$C1', '$C2') ORDER BY id"
	assert_output "$C1|1
$C2|0"
	run env DC_USER=paul dc purge --retention -q
	assert_success
	run env DC_USER=anna dc purge --retention
	assert_failure 77
	assert_output --partial "permission denied"
	run dc purge
	assert_failure 64
	run dc config retention.post_days -1
	assert_failure 65
}
