#!/usr/bin/env bats
# Hostile input (issue 7, item 5): SQL metacharacters stored and printed back verbatim; NUL
# bytes, invalid UTF-8 and over-long fields refused with exit 65 naming file, line and field;
# deeply nested JSON; XML external entities and entity expansion; symlinks in the import
# spool; CSV formula injection in the excel-de dialect.  Complements core.bats (UTF-8 and NUL
# on stdin, = and + in excel-de), order.bats (BMEcat XXE and laughs from fixtures) and
# import.bats (a symlink in incoming/).  Each test counts the hostile inputs it tries (tried N);
# the file ends by printing the total as a TAP comment.

load helper
load malformed

setup() {
	seed_city
}

tried() {
	echo "$1" >>"$BATS_FILE_TMPDIR/tries"
}

teardown_file() {
	[ -f "$BATS_FILE_TMPDIR/tries" ] &&
		echo "# hostile.bats: $(awk '{ n += $1 } END { print n }' "$BATS_FILE_TMPDIR/tries") hostile inputs tried" >&3
	return 0
}

# Strings that break SQL built by string pasting, LIKE patterns, printf formats, templates,
# shells and CSV; each must come back byte for byte.
HOSTILE=(
	"'; DROP TABLE cases;--"
	'""'
	'\'
	'%'
	'_'
	"Robert'); DROP TABLE staff;--"
	"' OR '1'='1"
	'%s%n%x%%'
	'{{track_url}} {{token}}'
	'$(touch /tmp/dcity-pwned) `id`'
	'a\nb\"c'
	'"quoted; with, separators"'
	'Straße 😀 ünïcödé'
)

# The value of a JSON path (a.b) in the one JSONL record on stdin, raw.
jget() {
	$PY -c 'import json,sys
v = json.loads(sys.stdin.readline())
for k in sys.argv[1].split("."): v = v[k]
sys.stdout.write(v if isinstance(v, str) else json.dumps(v))' "$1"
}

# the tables the strings try to drop are there, and the database is intact (on PostgreSQL:
# dc check, which reads every index with amcheck)
tables_intact() {
	if on_pg; then
		run dbsql "SELECT count(*) FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_name IN ('cases', 'staff', 'event')"
		assert_output 3
		run dc check --fields check,ok,detail -f tsv --no-header
		assert_line $'integrity\ttrue\tok'
	else
		run dbsql "SELECT count(*) FROM sqlite_schema WHERE name IN ('cases', 'staff', 'event')"
		assert_output 3
		run dbsql "PRAGMA integrity_check"
		assert_output ok
	fi
}

# --- SQL metacharacters and quotes -----------------------------------------------------------

@test "cases: metacharacters in description, address, name and notes are stored and shown verbatim" {
	local s id
	for s in "${HOSTILE[@]}"; do
		id=$(new_case --description "$s" --address "$s" --name "$s")
		assert_equal "$(dc-case show "$id" | jget description)" "$s"
		assert_equal "$(dc-case show "$id" | jget address)" "$s"
		assert_equal "$(DC_USER=root dc-case show "$id" | jget reporter.name)" "$s"
		DC_USER=anna dc-case note "$id" "$s" >/dev/null
		assert_equal "$(dc-case history "$id" | tail -n 1 | jget note)" "$s"
		# and through CSV, read back by Python's csv module
		run bash -c "dc-case list --csv --fields id,description,address | $PY -c '
import csv, sys
for r in csv.DictReader(sys.stdin):
    if r[\"id\"] == sys.argv[1]: print(r[\"description\"] == r[\"address\"] == sys.argv[2])' $id \"\$1\"" _ "$s"
		assert_output True
		tried 1
	done
	assert_equal "$(dc-case list -q | wc -l)" "${#HOSTILE[@]}"
	tables_intact
	assert [ ! -e /tmp/dcity-pwned ]
}

@test "cases: search words with % _ and quotes match literally, not as patterns" {
	new_case --description "Rabatt 100% sicher" >/dev/null
	new_case --description "a_b Unterstrich" >/dev/null
	new_case --description "gar nichts" >/dev/null
	run dc-case list --search % -q
	assert_success
	assert_output 2026-000001
	run dc-case list --search _ -q
	assert_output 2026-000002
	run dc-case list --search "'; DROP TABLE cases;--" -q
	assert_success
	assert_output ""
	tried 3
	tables_intact
}

@test "shop: metacharacters in merchant and product fields verbatim; product search treats them as text" {
	local s i=0
	for s in "${HOSTILE[@]}"; do
		i=$((i + 1))
		dc-shop merchant add "m$i" --name "$s" --address "$s" >/dev/null
		assert_equal "$(dc-shop merchant show "m$i" | jget name)" "$s"
		dc-shop product add --merchant "m$i" --sku "S$i" --name "$s" --description "$s" --price 1 >/dev/null
		assert_equal "$(dc-shop product show "m$i:S$i" | jget description)" "$s"
		# FTS5 query syntax (quotes, *, NEAR, -, ^) must not reach MATCH as syntax
		run dc-shop product search -- "$s"
		assert_success
		tried 1
	done
	for s in '"' '*' 'NEAR(a b)' 'a OR' '-x' '^a' '(' 'AND' ':' '"""'; do
		run dc-shop product search -- "$s"
		assert_success
		tried 1
	done
	tables_intact
}

@test "catalog search: FTS5 syntax in the search text is text, not syntax" {
	local s
	DC_USER=bob dc-order vendor add acme --name "ACME" >/dev/null
	DC_USER=bob dc-order catalog import "$FIXTURES/catalog-full-1.csv" --vendor acme >/dev/null
	for s in "${HOSTILE[@]}" '"' '*' 'NEAR(a b)' 'a OR' '-x' '^a' '(' 'AND' ':'; do
		run dc-order catalog search -- "$s"
		assert_success
		tried 1
	done
}

@test "feed: metacharacters in posts and comments verbatim" {
	local s id
	export DC_USER=paul
	dc-feed member add eva --name "Eva" --kind citizen >/dev/null
	for s in "${HOSTILE[@]}"; do
		id=$(dc-feed post --author eva --title "$s" --body "$s" | jget id)
		assert_equal "$(dc-feed show "$id" | head -n 1 | jget title)" "$s"
		assert_equal "$(dc-feed show "$id" | head -n 1 | jget body)" "$s"
		dc-feed comment "$id" --author eva --body "$s" >/dev/null
		tried 1
	done
	run bash -c "dc-feed list --json | $PY -c '
import json, sys
posts = json.load(sys.stdin)
print(sorted(p[\"title\"] for p in posts) == sorted(sys.argv[1:]))' \"\$@\"" _ "${HOSTILE[@]}"
	assert_output True
	tables_intact
}

@test "notifications: a template variable's value is not rendered again" {
	id=$(new_case --name '{{track_url}}' --email eva@example.org --description '{{id}}')
	run dbsql "SELECT count(*) FROM outbox WHERE ref_id = '$id' AND replace(body, '{{track_url}}', '') <> body"
	assert_output 1
	tried 1
}

# --- NUL bytes, invalid UTF-8, over-long fields ----------------------------------------------

@test "arguments: invalid UTF-8 in an option or operand exits 65 naming it" {
	run dc-case new --service pothole --attr size=large --description $'bad \xff'
	assert_failure 65
	assert_output "dc-case: option '--description': invalid UTF-8"
	id=$(new_case)
	run dc-case note "$id" $'over\xc0\x80long'
	assert_failure 65
	assert_output "dc-case: operand 2: invalid UTF-8"
	run dc-shop merchant add m1 --name $'\xed\xa0\x80surrogate'
	assert_failure 65
	assert_output "dc-shop: option '--name': invalid UTF-8"
	assert_equal "$(dc-case list -q)" "$id"
	tried 3
}

@test "files: NUL, invalid UTF-8 and over-long fields exit 65 with file, line and field" {
	local t=$BATS_TEST_TMPDIR big
	big=$($PY -c 'print("x" * ((1 << 20) + 1))')
	printf 'service,description,attr\npothole,ok,size=large\npothole,"a\0b",size=large\n' >"$t/nul.csv"
	printf 'service,description,attr\npothole,ok,size=large\npothole,"a\xffb",size=large\n' >"$t/bad.csv"
	printf 'service,description,attr\npothole,%s,size=large\n' "$big" >"$t/long.csv"
	printf 'service\tdescription\tattr\npothole\tok\tsize=large\npothole\ta\0b\tsize=large\n' >"$t/nul.tsv"
	printf '{"service":"pothole","attributes":{"size":"large"},"description":"a\\u0000b"}\n' >"$t/u0.jsonl"
	printf '{"service":"pothole","attributes":{"size":"large"},"description":"%s"}\n' "$big" >"$t/long.jsonl"
	printf '{"service":"pothole","attributes":{"size":"large"}}\n{"service":"pothole","attributes":{"size":"large"},"address":"\xc3"}\n' >"$t/cut.jsonl"
	printf '[{"service":"pothole","attributes":{"size":"large"},"reporter":{"name":"\xf8\x88\x80\x80\x80"}}]\n' >"$t/bad.json"
	run dc-case new "$t/nul.csv"
	assert_failure 65
	assert_output "dc-case: $t/nul.csv:3: field 'description': NUL byte in input"
	# strict: auto would read a file of ASCII before the bad byte as windows-1252
	run dc-case --encoding utf-8 new "$t/bad.csv"
	assert_failure 65
	assert_output "dc-case: $t/bad.csv:3: field 'description': invalid UTF-8"
	run dc-case new "$t/long.csv"
	assert_failure 65
	assert_output "dc-case: $t/long.csv:2: field 'description': field longer than 1 MiB"
	run dc-case new "$t/nul.tsv"
	assert_failure 65
	assert_output "dc-case: $t/nul.tsv:3: field 'description': NUL byte in input"
	run dc-case new "$t/u0.jsonl"
	assert_failure 65
	assert_output "dc-case: $t/u0.jsonl:1: field 'description': NUL byte in input"
	run dc-case new "$t/long.jsonl"
	assert_failure 65
	assert_output "dc-case: $t/long.jsonl:1: field 'description': field longer than 1 MiB"
	run dc-case new "$t/cut.jsonl"
	assert_failure 65
	assert_output "dc-case: $t/cut.jsonl:2: field 'address': invalid UTF-8"
	run dc-case new "$t/bad.json"
	assert_failure 65
	assert_output "dc-case: $t/bad.json:1: field 'reporter.name': invalid UTF-8"
	# all or nothing: the good records before the bad one were not kept
	assert_equal "$(dc-case list -q)" ""
	tried 8
}

@test "every malformed CSV and TSV shape (malformed.bash) is refused whole, naming file, line and field" {
	local t=$BATS_TEST_TMPDIR name f line err good
	malformed_files "$t"
	for name in "${!MALFORMED[@]}"; do
		IFS='|' read -r line err good <<<"${MALFORMED[$name]}"
		f=$(ls "$t/$name".*)
		run timeout 10 dc-case new "$f"
		assert_failure 65
		assert_output "dc-case: $f:$line: $err"
		# no library wording reaches the user
		refute_output --partial "strict checking"
	done
	assert_equal "$(dc-case list -q)" ""
	tried ${#MALFORMED[@]}
}

@test "imports: NUL, invalid UTF-8 and over-long fields in .ics, BMEcat and Open311 exit 65" {
	local t=$BATS_TEST_TMPDIR big
	big=$($PY -c 'print("x" * ((1 << 20) + 1))')
	printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261225\r\nSUMMARY:X\xff\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$t/bad.ics"
	printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261225\r\nSUMMARY:X\0Y\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$t/nul.ics"
	printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20000101\r\nDTEND:99991231\r\nSUMMARY:Forever\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$t/forever.ics"
	run dc-assign holiday import "$t/bad.ics"
	assert_failure 65
	assert_output "dc-assign: $t/bad.ics:4: field 'SUMMARY': invalid UTF-8"
	run dc-assign holiday import "$t/nul.ics"
	assert_failure 65
	assert_output "dc-assign: $t/nul.ics:4: NUL byte in input"
	run dc-assign holiday import "$t/forever.ics"
	assert_failure 65
	assert_output "dc-assign: $t/forever.ics:2: field 'DTEND': event longer than 366 days"
	assert_equal "$(dc-assign holiday list -q)" 2026-03-04
	o311() { printf '<?xml version="1.0" encoding="utf-8"?>\n<service_requests>\n<request>\n<service_request_id>1</service_request_id>\n<service_code>pothole</service_code>\n<description>%s</description>\n</request>\n</service_requests>\n' "$1"; }
	o311 "$big" >"$t/long.xml"
	o311 $'a\xffb' >"$t/bad.xml"
	o311 'a&#0;b' >"$t/nul.xml"
	export DC_USER=paul
	run dc-case import "$t/long.xml"
	assert_failure 65
	assert_output --regexp "^dc-case: $t/long.xml:[0-9]+: field 'description': field longer than 1 MiB\$"
	run dc-case import "$t/bad.xml"
	assert_failure 65
	assert_output "dc-case: $t/bad.xml:6: not well-formed XML"
	run dc-case import "$t/nul.xml"
	assert_failure 65
	assert_output "dc-case: $t/nul.xml:6: not well-formed XML"
	sed 's/Kugelschreiber/Kugel\xff/' "$FIXTURES/bmecat-2005-catalog.xml" >"$t/bad-bme.xml"
	grep -q $'\xff' "$t/bad-bme.xml"
	DC_USER=bob dc-order vendor add acme --name ACME >/dev/null
	run env DC_USER=bob dc-order catalog import "$t/bad-bme.xml" --vendor acme
	assert_failure 65
	assert_output --regexp "^dc-order: $t/bad-bme.xml:[0-9]+: "
	assert_equal "$(dc-case list -q)" ""
	tried 7
}

# --- deeply nested JSON -----------------------------------------------------------------------

@test "JSON nested 100,000 levels deep is refused cleanly (exit 65) by every JSON reader" {
	local t=$BATS_TEST_TMPDIR
	$PY -c 'print("{\"service\":\"pothole\",\"x\":" + "[" * 100000 + "]" * 100000 + "}")' >"$t/deep.jsonl"
	$PY -c 'print("[{\"service\":\"pothole\",\"x\":" + "{\"a\":" * 100000 + "1" + "}" * 100000 + "}]")' >"$t/deep.json"
	$PY -c 'print("[" * 100000 + "]" * 100000)' >"$t/brackets.json"
	$PY -c 'print("{\"a\":" * 100000)' >"$t/open.jsonl"
	run dc-case new "$t/deep.jsonl"
	assert_failure 65
	assert_output "dc-case: $t/deep.jsonl:1: invalid JSON: nesting too deep"
	run dc-case new "$t/deep.json"
	assert_failure 65
	assert_output "dc-case: $t/deep.json:1: invalid JSON: nesting too deep"
	run dc-case new "$t/brackets.json"
	assert_failure 65
	run dc-case new "$t/open.jsonl"
	assert_failure 65
	run env DC_USER=paul dc-case import "$t/deep.json"
	assert_failure 65
	assert_output "dc-case: $t/deep.json:1: invalid JSON: nesting too deep"
	run dc-assign holiday import "$t/deep.json"
	assert_failure 65
	run dc-case service add --code deep --name D --kind report --department tiefbau --definition "$t/deep.json"
	assert_failure 65
	DC_USER=bob dc-order vendor add acme --name ACME >/dev/null
	run env DC_USER=bob dc-order catalog import "$t/deep.json" --vendor acme
	assert_failure 65
	run dc-shop product import "$t/deep.jsonl" --merchant nobody
	assert_failure
	assert [ "$status" -lt 99 ]
	assert_equal "$(dc-case list -q)" ""
	tried 9
}

# --- XML external entities and entity expansion ----------------------------------------------

# A TCP listener on 127.0.0.1 that records every connection; its port in $PORT.
listen() {
	$PY -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    open(sys.argv[1], "a").write("connection\n"); c.close()' "$BATS_TEST_TMPDIR/hits" >"$BATS_TEST_TMPDIR/port" &
	LISTENER=$!
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -s "$BATS_TEST_TMPDIR/port" ] && break
		sleep 0.2
	done
	PORT=$(cat "$BATS_TEST_TMPDIR/port")
	: >"$BATS_TEST_TMPDIR/hits"
}

teardown() {
	[ -z "${LISTENER:-}" ] || kill "$LISTENER" 2>/dev/null || true
	db_teardown
}

# The DOCTYPE internal subsets tried against each XML reader: file and http external
# entities, a parameter entity fetching a DTD, an external DTD, billion laughs, quadratic
# blow-up.  $1 is the root element, $2 the secret file, $3 the listener's port.
doctypes() {
	local laughs='<!ENTITY l0 "lol">' i q
	for i in 1 2 3 4 5 6 7 8 9; do
		laughs="$laughs<!ENTITY l$i \"$(printf "&l$((i - 1));%.0s" 1 2 3 4 5 6 7 8 9 10)\">"
	done
	q=$($PY -c 'print("x" * 50000)')
	printf '%s\n' \
		"<!DOCTYPE $1 [<!ENTITY x SYSTEM \"file://$2\">]>|&x;" \
		"<!DOCTYPE $1 [<!ENTITY x SYSTEM \"$2\">]>|&x;" \
		"<!DOCTYPE $1 [<!ENTITY x SYSTEM \"http://127.0.0.1:$3/x\">]>|&x;" \
		"<!DOCTYPE $1 [<!ENTITY % p SYSTEM \"http://127.0.0.1:$3/p.dtd\"> %p;]>|&x;" \
		"<!DOCTYPE $1 SYSTEM \"http://127.0.0.1:$3/ext.dtd\">|text" \
		"<!DOCTYPE $1 [$laughs]>|&l9;" \
		"<!DOCTYPE $1 [<!ENTITY q \"$q\">]>|$(printf '&q;%.0s' $(seq 200))"
}

@test "Open311 XML: XXE (file, http), parameter entities, external DTD, billion laughs refused; nothing read or fetched" {
	local t=$BATS_TEST_TMPDIR dt ref n=0
	listen
	echo "SECRET-7f3a9c" >"$t/secret.txt"
	export DC_USER=paul
	while IFS='|' read -r dt ref; do
		n=$((n + 1))
		printf '<?xml version="1.0" encoding="utf-8"?>\n%s\n<service_requests><request><service_request_id>x%d</service_request_id><service_code>pothole</service_code><description>%s</description></request></service_requests>\n' \
			"$dt" "$n" "$ref" >"$t/e$n.xml"
		run dc-case import "$t/e$n.xml"
		assert_failure 65
		assert_output --regexp "^dc-case: $t/e$n.xml:[0-9]+: (DOCTYPE and entities are not accepted|not well-formed XML)$"
	done < <(doctypes service_requests "$t/secret.txt" "$PORT")
	assert_equal "$n" 7
	assert_equal "$(cat "$t/hits")" ""
	assert_equal "$(dc-case list -q)" ""
	run grep -c SECRET-7f3a9c < <(db_dump)
	assert_output 0
	if ! on_pg; then # the file's raw bytes, free pages too (SQLite's file only)
		run grep -c SECRET-7f3a9c "$DC_DB"
		assert_output 0
	fi
	tried "$n"
}

@test "BMEcat: XXE over http, parameter entities, external DTD, quadratic blow-up refused; nothing fetched" {
	local t=$BATS_TEST_TMPDIR dt ref n=0
	listen
	echo "SECRET-7f3a9c" >"$t/secret.txt"
	DC_USER=bob dc-order vendor add acme --name ACME >/dev/null
	while IFS='|' read -r dt ref; do
		n=$((n + 1))
		sed -e "s|<BMECAT |$dt\n<BMECAT |" -e "s|<DESCRIPTION_SHORT>[^<]*<|<DESCRIPTION_SHORT>$ref<|" \
			"$FIXTURES/bmecat-2005-catalog.xml" >"$t/e$n.xml"
		grep -q DOCTYPE "$t/e$n.xml"
		run env DC_USER=bob dc-order catalog import "$t/e$n.xml" --vendor acme
		assert_failure 65
	done < <(doctypes BMECAT "$t/secret.txt" "$PORT")
	assert_equal "$n" 7
	assert_equal "$(cat "$t/hits")" ""
	assert_equal "$(dbsql "SELECT count(*) FROM catalog_item")" 0
	run grep -c SECRET-7f3a9c < <(db_dump)
	assert_output 0
	if ! on_pg; then # the file's raw bytes, free pages too (SQLite's file only)
		run grep -c SECRET-7f3a9c "$DC_DB"
		assert_output 0
	fi
	tried "$n"
}

# --- the import spool ---------------------------------------------------------------------------

@test "spool: ../ symlinks, a FIFO, symlinked done/ and a planted log symlink are refused; nothing outside touched" {
	local t=$BATS_TEST_TMPDIR spool=$BATS_TEST_TMPDIR/spool
	DC_USER=bob dc-order vendor add acme --name ACME >/dev/null
	mkdir -p "$spool/incoming" "$spool/done" "$spool/failed" "$t/outside"
	cp "$FIXTURES/catalog-full-1.csv" "$t/outside/acme--secret.csv"
	echo "precious" >"$t/outside/precious"
	ln -s ../../outside/acme--secret.csv "$spool/incoming/acme--up.csv"
	ln -s "$t/outside/../outside/acme--secret.csv" "$spool/incoming/acme--abs.csv"
	mkfifo "$spool/incoming/acme--fifo.csv"
	# a log symlink planted where the job writes its log for the failed file
	ln -s "$t/outside/precious" "$spool/failed/acme--up.csv.log.tmp"
	run timeout 60 dc-import spool "$spool"
	assert_failure 65
	assert_output --partial "acme--up.csv: not a regular file (symlinks are refused)"
	assert_output --partial "acme--abs.csv: not a regular file (symlinks are refused)"
	assert_output --partial "acme--fifo.csv: not a regular file"
	assert_equal "$(cat "$t/outside/precious")" precious
	assert_equal "$(dbsql "SELECT count(*) FROM catalog_item")" 0
	assert [ -f "$spool/failed/acme--up.csv.log" ]
	# done/ replaced by a symlink to elsewhere: refused before any file is taken
	rm -rf "$spool/done" "$spool/incoming"/* "$spool/failed"/*
	ln -s "$t/outside" "$spool/done"
	cp "$FIXTURES/catalog-full-1.csv" "$spool/incoming/acme--full.csv"
	run dc-import spool "$spool"
	assert_failure 73
	assert_output --partial "is not a directory (symlinks are refused)"
	assert [ -f "$spool/incoming/acme--full.csv" ]
	assert_equal "$(ls "$t/outside" | sort | tr '\n' ' ')" "acme--secret.csv precious "
	tried 5
}

# --- CSV formula injection ----------------------------------------------------------------------

@test "excel-de: cells starting with = + - @ tab CR are neutralised; rfc4180 keeps them verbatim" {
	local s v id
	local -a F=('=1+2' '+49 30 1234' '-2+3' '@SUM(A1)' $'\t=1' $'\r=1' '=HYPERLINK("http://evil.example","x")' "=cmd|' /C calc'!A0")
	# a tab or CR cannot be stored at intake any more (one-line address, no lone CR): the cells
	# are set as older data would have them, which the dialect must still neutralise
	for s in "${F[@]}"; do
		id=$(new_case --description x --address x)
		s=${s//\'/\'\'}
		dbsql "UPDATE cases SET description = '$s', address = 'ok $s' WHERE id = '$id'"
	done
	dc-case list --csv --dialect excel-de --fields id,description,address --sort id >"$BATS_TEST_TMPDIR/de.csv"
	dc-case list --csv --fields id,description,address --sort id >"$BATS_TEST_TMPDIR/rfc.csv"
	run $PY -c '
import csv, sys
de = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline=""), delimiter=";"))
rfc = list(csv.DictReader(open(sys.argv[2], encoding="utf-8", newline="")))
want = sys.argv[3:]
assert [r["description"] for r in rfc] == want, [r["description"] for r in rfc]
assert [r["description"] for r in de] == ["\x27" + w for w in want], [r["description"] for r in de]
assert [r["address"] for r in de] == ["ok " + w for w in want]
print(len(want))' "$BATS_TEST_TMPDIR/de.csv" "$BATS_TEST_TMPDIR/rfc.csv" "${F[@]}"
	assert_success
	assert_output "${#F[@]}"
	tried "${#F[@]}"
}

# --- readers and writers not covered above: holiday .ics, Open311 XML, the feeds ------------

@test "holiday .ics: hostile SUMMARY texts verbatim; control characters and a folded END refused or kept as text" {
	local t=$BATS_TEST_TMPDIR s n=0
	export DC_USER=root
	{
		printf 'BEGIN:VCALENDAR\r\n'
		for s in "${HOSTILE[@]}"; do
			n=$((n + 1))
			# RFC 5545 escaping: backslash, semicolon and comma
			s=${s//\\/\\\\}
			s=${s//;/\\;}
			s=${s//,/\\,}
			printf 'BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:202710%02d\r\nSUMMARY:%s\r\nEND:VEVENT\r\n' "$n" "$s"
		done
		printf 'END:VCALENDAR\r\n'
	} >"$t/h.ics"
	run dc-assign holiday import "$t/h.ics"
	assert_success
	run bash -c "dc-assign holiday list --json | $PY -c '
import json, sys
names = [h[\"name\"] for h in json.load(sys.stdin) if h[\"date\"].startswith(\"2027-10\")]
print(names == sys.argv[1:])' \"\$@\"" _ "${HOSTILE[@]}"
	assert_output True
	# a control character, raw or as an escaped newline, in the one-line name: 65, nothing kept
	ev() { printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20271224\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' "$1"; }
	ev $'Heiligabend\e[2J' >"$t/esc.ics"
	ev $'Heilig\x7fabend' >"$t/del.ics"
	ev $'Heilig\tabend' >"$t/tab.ics"
	for f in esc del tab; do
		run dc-assign holiday import "$t/$f.ics"
		assert_failure 65
		assert_output --regexp "^dc-assign: $t/$f.ics:2: field 'name': control character U\\+00(1B|7F|09) is not allowed in a one-line text\$"
	done
	# an escaped newline (\n) in a SUMMARY reads as a space: a holiday's name is one line
	ev 'Heilig\nabend' >"$t/nl.ics"
	run dc-assign holiday import "$t/nl.ics"
	assert_success
	assert_output --partial '"name":"Heilig abend"'
	# a folded line is one line: its continuation " END:VEVENT" is text of the SUMMARY
	printf 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20271225\r\nSUMMARY:Weihnachten\r\n END:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >"$t/fold.ics"
	run dc-assign holiday import "$t/fold.ics"
	assert_success
	run dc-assign holiday list --fields date,name
	assert_line '{"date":"2027-12-25","name":"WeihnachtenEND:VEVENT"}'
	refute_output --partial 'Heiligabend'
	refute_output --partial 'Heilig\u007f'
	refute_output --partial 'Heilig\tabend'
	tried $((n + 4))
}

@test "Open311 XML import: hostile texts verbatim; control characters by reference and a second address refused (65)" {
	local t=$BATS_TEST_TMPDIR s n=0 x
	export DC_USER=paul
	xesc() { $PY -c 'import sys, xml.sax.saxutils as s; sys.stdout.write(s.escape(sys.argv[1]))' "$1"; }
	{
		printf '<?xml version="1.0" encoding="utf-8"?>\n<service_requests>\n'
		for s in "${HOSTILE[@]}"; do
			n=$((n + 1))
			x=$(xesc "$s")
			printf '<request><service_request_id>h%d</service_request_id><service_code>pothole</service_code><description>%s</description><address><![CDATA[%s]]></address><first_name>%s</first_name></request>\n' "$n" "$x" "${s//]]>/}" "$x"
		done
		printf '</service_requests>\n'
	} >"$t/h.xml"
	run dc-case import "$t/h.xml"
	assert_success
	run bash -c "dc-case list --json --fields description,reporter.name | $PY -c '
import json, sys
rows = json.load(sys.stdin)
print(sorted(r[\"description\"] for r in rows) == sorted(sys.argv[1:]),
      sorted(r[\"reporter\"][\"name\"] for r in rows) == sorted(sys.argv[1:]))' \"\$@\"" _ "${HOSTILE[@]}"
	assert_output "True True"
	one() { printf '<?xml version="1.0" encoding="utf-8"?>\n<service_requests>\n<request><service_request_id>%s</service_request_id><service_code>pothole</service_code>%s</request>\n</service_requests>\n' "$1" "$2"; }
	one c1 '<description>Loch &#155;2J</description>' >"$t/c1.xml"
	one cr '<first_name>Max&#13;Evil</first_name>' >"$t/cr.xml"
	one lf '<email>a@example.org&#10;Bcc: b@example.org</email>' >"$t/lf.xml"
	one two '<email>a@example.org, b@example.org</email>' >"$t/two.xml"
	one ok '<description>Zeile 1&#10;Zeile 2&#9;Tab</description>' >"$t/ok.xml"
	run dc-case import "$t/c1.xml"
	assert_failure 65
	assert_output --regexp "^dc-case: $t/c1.xml:[0-9]+: field 'description': control character U\\+009B is not allowed in text"
	run dc-case import "$t/cr.xml"
	assert_failure 65
	assert_output --regexp "field 'first_name': control character U\\+000D is not allowed in a one-line text\$"
	run dc-case import "$t/lf.xml"
	assert_failure 65
	assert_output --regexp "field 'email': control character U\\+000A"
	run dc-case import "$t/two.xml"
	assert_failure 65
	assert_output --partial "field 'email': 'a@example.org, b@example.org' is not an email address"
	run dbsql "SELECT count(*) FROM cases WHERE external_id IN ('c1', 'cr', 'lf', 'two')"
	assert_output 0
	run dc-case import "$t/ok.xml"
	assert_success
	assert_equal "$(dbsql "SELECT description FROM cases WHERE external_id = 'ok'" | tr '\t' T)" $'Zeile 1\nZeile 2TTab'
	tried $((n + 5))
}

@test "feeds: hostile posts through Atom, RSS and JSON Feed come back as the same text from a real feed parser" {
	$PY -c 'import feedparser' 2>/dev/null || skip "python3-feedparser missing (scripts/install-deps)"
	local t=$BATS_TEST_TMPDIR s
	export DC_USER=paul
	dc-feed member add eva --name 'Eva <b>&amp; "Co"' --kind citizen >/dev/null
	local extra=('<script>alert(1)</script>' ']]><entry><title>forged</title></entry>' '&amp; &lt;b&gt; &#x3C;' '<![CDATA[x]]>' $'Zeile 1\n\nZeile 2\twith tab')
	for s in "${HOSTILE[@]}" "${extra[@]}"; do
		dc-feed post --author eva --title "${s//[$'\n\t']/ }" --body "$s" >/dev/null
		tried 1
	done
	dc-export posts -f atom >"$t/f.atom"
	dc-export posts -f rss >"$t/f.rss"
	dc-export posts -f jsonfeed >"$t/f.json"
	run $PY - "$t" "${HOSTILE[@]}" "${extra[@]}" <<-'PY'
		import feedparser, html, json, sys
		d, want = sys.argv[1], sys.argv[2:]
		titles = sorted(w.replace("\n", " ").replace("\t", " ") for w in want)
		bodies = sorted(want)
		atom = feedparser.parse(open(d + "/f.atom", "rb").read())
		rss = feedparser.parse(open(d + "/f.rss", "rb").read())
		assert not atom.bozo and not rss.bozo, (atom.get("bozo_exception"), rss.get("bozo_exception"))
		assert atom.version == "atom10" and rss.version == "rss20", (atom.version, rss.version)
		assert len(atom.entries) == len(rss.entries) == len(want), (len(atom.entries), len(rss.entries))
		assert sorted(e.title for e in atom.entries) == titles
		assert sorted(e.content[0].value for e in atom.entries) == bodies
		assert all(e.content[0].type == "text/plain" for e in atom.entries)
		assert {e.author for e in atom.entries} == {'Eva <b>&amp; "Co"'}
		# RSS readers take a description as HTML: it holds the text as HTML text, no markup
		assert sorted(html.unescape(e.summary) for e in rss.entries) == bodies, \
			sorted(e.summary for e in rss.entries)
		assert not any("<" in e.summary for e in rss.entries)
		feed = json.load(open(d + "/f.json"))
		assert feed["version"] == "https://jsonfeed.org/version/1.1"
		assert sorted(i["title"] for i in feed["items"]) == titles
		assert sorted(i["content_text"] for i in feed["items"]) == bodies
		assert all("content_html" not in i for i in feed["items"])
		print("ok")
	PY
	assert_success
	assert_output ok
}
