#!/usr/bin/env bats
# Conventions shared by every command (dcity(7)) and the front end dc (dc(1)).

bats_require_minimum_version 1.5.0
load helper

setup() {
	seed_city
}

# --- dc verbs ------------------------------------------------------------------------------

@test "dc init creates the database" {
	export DC_DB=$BATS_TEST_TMPDIR/new.db
	run dc init
	assert_success
	assert_output --regexp "^dc: database '$DC_DB' is ready \(schema [0-9]+\)$"
	assert [ -f "$DC_DB" ]
	run dbsql 'SELECT count(*) FROM dept'
	assert_output 0
}

@test "dc version, --version and help" {
	run dc version
	assert_success
	assert_line --index 0 --regexp '^dc \(dcity\) [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line --index 1 --regexp '^sqlite [0-9.]+, json-c [0-9.]+, schema [0-9]+$'
	for c in dc dc-case dc-assign; do
		run "$c" --version
		assert_success
		assert_output --regexp '^dc(-case|-assign)? \(dcity\) [0-9]+\.[0-9]+\.[0-9]+'
	done
	run dc help
	assert_success
	assert_line --index 0 'usage: dc <noun> <verb> [options]   or   dc <verb>'
	assert_output --partial '  assign   dc-assign: departments, staff, queues, claims, deputies, holidays'
	run dc help nosuchtopic
	assert_failure 2
}

@test "libxml2, libgit2 and libpq are loaded by the runs that use them, not at every start" {
	sqlite_only "a city on PostgreSQL loads libpq at every start"
	local c
	for c in dc dc-case dc-assign dc-order dc-import dc-shop dc-feed dc-notify dc-export \
		dc-open311 dc-archive dc-subject; do
		run ldd "$BIN/$c"
		assert_success
		refute_output --regexp 'libxml2|libgit2|libqpdf|libicu|libpq'
	done
	run env LD_DEBUG=files dc-case list
	assert_success
	refute_output --regexp 'file=lib(xml2|git2|pq)'
	run env LD_DEBUG=files dc-export services -f open311-xml
	assert_success
	assert_output --regexp 'file=libxml2\.so[.0-9]* .*dynamically loaded'
	run env LD_DEBUG=files dc anchor --git-repo "$BATS_TEST_TMPDIR/anchors"
	assert_success
	assert_output --regexp 'file=libgit2\.so[.0-9]* .*dynamically loaded'
}

@test "-h on every command and verb: exit 0, usage on stdout" {
	local c v
	for c in dc dc-case dc-assign; do
		run --separate-stderr "$c" -h
		assert_success
		assert_output --partial "usage: $c"
		assert_equal "$stderr" ""
	done
	for v in "dept add" "dept list" "dept show" "staff add" "staff list" "staff show" \
		"staff set" queue claim give steal release transfer list away "away list" back \
		overview "holiday add" "holiday list" "holiday import"; do
		# shellcheck disable=SC2086
		run --separate-stderr dc-assign $v -h
		assert_success
		assert_output --partial "usage: dc-assign [global options] $v"
		assert_equal "$stderr" ""
		run --separate-stderr dc-assign $v --help
		assert_success
	done
	for v in init config backup check version help; do
		run --separate-stderr dc "$v" -h
		assert_success
		assert_output --partial "usage: dc [global options] $v"
	done
	run --separate-stderr dc-case new -h
	assert_success
	assert_output --partial "usage: dc-case [global options] new --service C"
}

@test "unknown verb, noun or option exits 64" {
	run dc-assign bogus
	assert_failure 64
	assert_output "dc-assign: unknown verb 'bogus'; see dc-assign -h"
	run dc-assign dept list --bogus
	assert_failure 64
	assert_output "dc-assign: unknown option '--bogus' for dept list; see dc-assign dept list -h"
	run dc bogus
	assert_failure 64
	assert_output "dc: 'bogus' is not a dc command or verb (no dc-bogus found); see dc help"
	run dc-case bogus
	assert_failure 64
	run dc --bogus-option check
	assert_failure 64
}

# --- dc config -----------------------------------------------------------------------------

@test "dc config: list, get, set" {
	run dc config -q
	assert_success
	assert_line --index 0 city.name
	assert_line feed.flag_threshold
	assert_line city.timezone
	run dc config feed.flag_threshold
	assert_success
	assert_output '{"key":"feed.flag_threshold","value":"3","type":"whole number 1..1000000"}'
	run dc config city.name "Musterstadt an der Dc"
	assert_success
	run dc config city.name
	assert_output '{"key":"city.name","value":"Musterstadt an der Dc","type":"text"}'
}

@test "dc config checks a value against the setting's type (65), and stores nothing then" {
	while IFS='|' read -r key value msg; do
		run dc config "$key" "$value"
		assert_failure 65
		assert_output "dc: setting '$key': '$value' $msg"
	done <<'EOF'
city.timezone|Mars/Olympus|is not a zone of the tz database (Europe/Berlin)
city.timezone|../../../etc/passwd|is not a zone of the tz database (Europe/Berlin)
city.timezone|/usr/share/zoneinfo/UTC|is not a zone of the tz database (Europe/Berlin)
city.timezone|CET-1CEST,M3.5.0,M10.5.0/3|is not a zone of the tz database (Europe/Berlin)
lang|fr|is not one of de or en
feed.flag_threshold|0|is not a whole number from 1 to 1000000
feed.flag_threshold|3x|is not a whole number from 1 to 1000000
shop.grace_days|366|is not a whole number from 0 to 365
holidays.years_ahead|51|is not a whole number from 0 to 50
city.url|www.musterstadt.example|is not an http or https URL
city.url|https://bad host/|is not an http or https URL
track.url|https://x.example/{case}|has a placeholder other than {id} {token}
mail.from|rathaus|is not an email address (or Name <address>)
mail.reply_to|Stadt <a@b.example|is not an email address (or Name <address>)
mail.templates|relative/dir|is not an absolute path
mail.templates|/nonexistent/dir|is not a directory
ocds.prefix|ocds-ABC|is not an OCDS prefix (ocds- and six lower-case letters or digits)
procurement.leitweg_id|0531|is not a Leitweg-ID (04011000-1234512345-06): it does not begin with 2 to 12 digits and '-' (the Grobadressierung)
procurement.leitweg_id|05315000-1234-56|is not a Leitweg-ID (04011000-1234512345-06): it has wrong check digits (ISO 7064 MOD 97-10)
procurement.leitweg_id|05315000-1234567890123456789012345678901-83|is not a Leitweg-ID (04011000-1234512345-06): it has a Feinadressierung that is not 1 to 30 letters or digits
procurement.leitweg_id|05315000-12_4-83|is not a Leitweg-ID (04011000-1234512345-06): it does not end in '-' and 2 check digits
city.name||is empty
EOF
	run dbsql "SELECT count(*) FROM setting"
	assert_output 0
	# a good value of each type is taken
	while IFS='|' read -r key value; do
		run dc config "$key" "$value"
		assert_success
	done <<EOF
city.timezone|America/New_York
lang|en
shop.grace_days|0
track.url|https://www.musterstadt.example/anliegen/{id}?token={token}
mail.from|Stadt Musterstadt <noreply@musterstadt.example>
ocds.prefix|ocds-abc123
mail.templates|$BATS_TEST_TMPDIR
procurement.leitweg_id|04011000-1234512345-06
holidays.years_ahead|0
EOF
	run dbsql "SELECT count(*) FROM setting"
	assert_output 9
	run dc config city.timezone
	assert_output '{"key":"city.timezone","value":"America/New_York","type":"time zone"}'
	# the profile is checked by the command that sets it
	run dc config procurement.profile nowhere
	assert_failure 64
	assert_line --index 0 "dc: setting 'procurement.profile' is set with dc-order rules use, which checks it"
}

@test "a zone stored before dc config checked them is warned about, not silently UTC" {
	dbsql "INSERT INTO setting VALUES ('city.timezone', 'Mars/Olympus')"
	run dc-case new --service pothole --attr size=large --description x
	assert_success
	assert_line --index 0 "dc-case: setting 'city.timezone': 'Mars/Olympus' is not a zone of the tz database; dates are reckoned in UTC"
}

@test "dc config: unknown key set 64, get 2; non-admin set 77" {
	run dc config no.such.key x
	assert_failure 64
	assert_line --index 0 "dc: unknown setting 'no.such.key'; see dc config"
	run dc config no.such.key
	assert_failure 2
	assert_output "dc: unknown setting 'no.such.key'; dc config lists them"
	DC_USER=anna run dc config city.name Elsewhere
	assert_failure 77
	assert_output "dc: permission denied: 'anna' (clerk) may not change settings"
	run dc config city.name
	refute_output --partial Elsewhere
}

# --- dc check / backup ---------------------------------------------------------------------

@test "dc check: ok, then a tampered event exits 1" {
	run dc check --fields check,ok
	assert_success
	# the write-ahead log is SQLite's; PostgreSQL's is the server's to watch
	assert_output "$(printf '{"check":"%s","ok":true}\n' integrity audit-chain catalog-imports \
		$(on_pg || echo wal-size))"
	dbsql "DROP TRIGGER event_no_update; UPDATE event SET actor='x' WHERE id=2"
	run dc check --fields check,ok,detail
	assert_failure 1
	assert_line --index 1 '{"check":"audit-chain","ok":false,"detail":"event 2 breaks the hash chain"}'
}

@test "dc backup writes a valid database and will not overwrite" {
	run dc backup "$BATS_TEST_TMPDIR/copy.db"
	assert_success
	assert_output "dc: backup written to '$BATS_TEST_TMPDIR/copy.db'"
	if on_pg; then
		# pg_dump's custom format, restored into a new database
		psql -X -q -d "$DC_TEST_PG" -c "CREATE DATABASE \"$(db_name)_r\""
		pg_restore --no-owner -d "${DC_DB/\/$(db_name)\?//$(db_name)_r?}" \
			"$BATS_TEST_TMPDIR/copy.db"
		DC_DB=${DC_DB/\/$(db_name)\?//$(db_name)_r?} run dc-assign dept list -q
	else
		run sqlite3 "$BATS_TEST_TMPDIR/copy.db" 'PRAGMA integrity_check'
		assert_output ok
		DC_DB=$BATS_TEST_TMPDIR/copy.db run dc-assign dept list -q
	fi
	assert_output $'buergerbuero\ntiefbau'
	run dc backup "$BATS_TEST_TMPDIR/copy.db"
	assert_failure 73
	assert_output "dc: '$BATS_TEST_TMPDIR/copy.db' exists; will not overwrite it"
	DC_USER=anna run dc backup "$BATS_TEST_TMPDIR/other.db"
	assert_failure 77
}

@test "dc backup is 0600 whatever the umask: it holds every reporter's name and email" {
	umask 022
	dc backup "$BATS_TEST_TMPDIR/b1.db" 2>/dev/null
	umask 0
	dc backup "$BATS_TEST_TMPDIR/b2.db" 2>/dev/null
	run stat -c '%a' "$BATS_TEST_TMPDIR/b1.db" "$BATS_TEST_TMPDIR/b2.db"
	assert_output $'600\n600'
	# no temporary file is left beside it, on success or failure
	run dc backup "$BATS_TEST_TMPDIR/no/such/dir/b.db"
	assert_failure 73
	run ls -A "$BATS_TEST_TMPDIR"
	refute_output --partial ".b1.db."
	refute_output --partial ".b2.db."
}

# --- the database file ---------------------------------------------------------------------

@test "--db or DC_DB in a missing directory exits 69 naming it and creates nothing" {
	run dc -D "$BATS_TEST_TMPDIR/nosuch/sub/x.db" init
	assert_failure 69
	assert_output "dc: cannot open database '$BATS_TEST_TMPDIR/nosuch/sub/x.db': no directory '$BATS_TEST_TMPDIR/nosuch/sub'"
	DC_DB=$BATS_TEST_TMPDIR/nosuch/x.db run dc-case new --service pothole --description x
	assert_failure 69
	assert_output --partial "no directory '$BATS_TEST_TMPDIR/nosuch'"
	assert [ ! -e "$BATS_TEST_TMPDIR/nosuch" ]
	echo x >"$BATS_TEST_TMPDIR/file"
	DC_DB=$BATS_TEST_TMPDIR/file/x.db run dc-assign dept list
	assert_failure 69
	assert_output --partial "no directory '$BATS_TEST_TMPDIR/file'"
}

@test "without --db or DC_DB the XDG data directory is made, private (0700)" {
	unset DC_DB
	HOME=$BATS_TEST_TMPDIR/home XDG_DATA_HOME= run dc init
	assert_success
	assert [ -f "$BATS_TEST_TMPDIR/home/.local/share/dcity/city.db" ]
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/home/.local/share/dcity")" 700
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/home/.local")" 700
	XDG_DATA_HOME=$BATS_TEST_TMPDIR/xdg run dc init
	assert_success
	assert [ -f "$BATS_TEST_TMPDIR/xdg/dcity/city.db" ]
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/xdg/dcity")" 700
}

@test "a text file as database exits 69" {
	echo "not a database" >"$BATS_TEST_TMPDIR/notes.txt"
	DC_DB=$BATS_TEST_TMPDIR/notes.txt run dc-assign dept list
	assert_failure 69
	assert_output --partial "notes.txt"
	run cat "$BATS_TEST_TMPDIR/notes.txt"
	assert_output "not a database"
}

@test "a foreign sqlite database exits 69" {
	sqlite3 "$BATS_TEST_TMPDIR/other.db" 'CREATE TABLE t(x); INSERT INTO t VALUES (1)'
	DC_DB=$BATS_TEST_TMPDIR/other.db run dc-assign dept list
	assert_failure 69
}

@test "a newer schema exits 78" {
	if on_pg; then
		dbsql 'UPDATE dc_meta SET user_version = 99'
	else
		dbsql 'PRAGMA user_version=99'
	fi
	run dc-assign dept list
	assert_failure 78
	assert_output --partial "has schema version 99"
}

@test "a locked database past the busy timeout exits 75" {
	"$ROOT/tests/hold-lock" 3 "$BATS_TEST_TMPDIR/locked" &
	locker=$!
	for _ in $(seq 50); do
		[ -e "$BATS_TEST_TMPDIR/locked" ] && break
		sleep 0.1
	done
	run dc-assign dept add x --name X --busy-timeout 200
	assert_failure 75
	assert_output "dc-assign: database is locked (gave up after 200 ms); retry later"
	wait "$locker"
	run dc-assign dept add x --name X -q
	assert_success
	assert_output x
}

# --- output formats ------------------------------------------------------------------------

# A name is one line now (dcity(7) SECURITY); one with a newline stored before that still
# has to come out quoted in every format.
add_tricky_dept() {
	printf '{"code":"trick","name":"Amt \\"Süd\\", Außenstelle"}\n' | dc-assign dept add - >/dev/null
	dbsql "UPDATE dept SET name = name || char(10) || 'zweite Zeile' WHERE code = 'trick'"
}

@test "--csv reads back with python csv" {
	add_tricky_dept
	run bash -c 'dc-assign dept list --csv --fields code,name | '"$PY"' -c "
import csv, sys, json
print(json.dumps(list(csv.reader(sys.stdin)), ensure_ascii=False))"'
	assert_success
	assert_output '[["code", "name"], ["buergerbuero", "Bürgerbüro"], ["tiefbau", "Tiefbauamt"], ["trick", "Amt \"Süd\", Außenstelle\nzweite Zeile"]]'
}

@test "--tsv and --no-header" {
	run dc-assign dept list --tsv --fields code,name,staff
	assert_success
	assert_output $'code\tname\tstaff\nbuergerbuero\tBürgerbüro\t1\ntiefbau\tTiefbauamt\t3'
	run dc-assign dept list --csv --no-header --fields code,staff
	assert_output $'buergerbuero,1\ntiefbau,3'
}

@test "--json is one array, --jsonl one object per line" {
	add_tricky_dept
	run bash -c 'dc-assign dept list --json | '"$PY"' -c "
import json, sys
d = json.load(sys.stdin)
print(len(d), d[2][\"name\"] == \"Amt \\\"Süd\\\", Außenstelle\nzweite Zeile\")"'
	assert_success
	assert_output "3 True"
	run bash -c 'dc-assign dept list --jsonl | '"$PY"' -c "
import json, sys
print([json.loads(l)[\"code\"] for l in sys.stdin])"'
	assert_output "['buergerbuero', 'tiefbau', 'trick']"
	run bash -c 'dc-assign -f ndjson dept list | wc -l'
	assert_output 3
	run bash -c 'dc-assign dept show nowhere --json'
	assert_failure 2
}

@test "--fields keeps the order; an unknown field is 64 and lists valid fields" {
	run dc-assign dept list --fields name,code
	assert_success
	assert_output $'{"name":"Bürgerbüro","code":"buergerbuero"}\n{"name":"Tiefbauamt","code":"tiefbau"}'
	run dc-assign dept list --fields name,bogus
	assert_failure 64
	assert_line --index 0 "dc-assign: unknown field 'bogus' for department records; valid fields: code,name,email,leitweg_id,head,staff,open,created_at"
	run dc-assign dept show tiefbau --fields bogus
	assert_failure 64
}

@test "-q prints ids only" {
	run dc-assign dept list -q
	assert_output $'buergerbuero\ntiefbau'
	run dc-assign --quiet staff list --dept tiefbau
	assert_output $'anna\nbernd\nhanna'
}

@test "excel-de: BOM, semicolons, CRLF, formulas neutralised" {
	dc-assign dept add formel --name "=HYPERLINK(1)" >/dev/null
	dc-assign dept add plus --name "+49 Amt" >/dev/null
	dc-assign dept list --csv --dialect excel-de --fields code,name,staff >"$BATS_TEST_TMPDIR/x.csv"
	run $PY -c '
import csv, sys
b = open(sys.argv[1], "rb").read()
assert b.startswith(b"\xef\xbb\xbf"), b[:3]
lines = b[3:].split(b"\r\n")
assert lines[-1] == b"" and all(b"\n" not in l for l in lines), lines
rows = list(csv.reader(b[3:].decode().splitlines(), delimiter=";"))
print(rows)' "$BATS_TEST_TMPDIR/x.csv"
	assert_success
	assert_output "[['code', 'name', 'staff'], ['buergerbuero', 'Bürgerbüro', '1'], ['formel', \"'=HYPERLINK(1)\", '0'], ['plus', \"'+49 Amt\", '0'], ['tiefbau', 'Tiefbauamt', '3']]"
}

@test "excel-de: instants in local time as Excel reads a date and time; rfc4180 keeps UTC" {
	# 13:30 UTC is 14:30 in Berlin in March (CET), 15:30 in July (CEST)
	a=$(DC_NOW=2026-03-10T13:30:00Z new_case)
	b=$(DC_NOW=2026-07-01T13:30:00Z new_case)
	run dc-case list --csv --dialect excel-de --fields id,created_at,description
	assert_success
	assert_line --index 0 $'\xef\xbb\xbf'"id;created_at;description"$'\r'
	assert_line "$a;10.03.2026 14:30;"$'\r'
	assert_line "$b;01.07.2026 15:30;"$'\r'
	run dc-case list --csv --fields id,created_at
	assert_line "$a,2026-03-10T13:30:00Z"
	# the city's zone decides
	dc config city.timezone America/New_York >/dev/null
	run dc-case list --csv --dialect excel-de --fields id,created_at
	assert_line "$a;10.03.2026 09:30"$'\r'
}

@test "a terminal gets a table with a capitalised header" {
	run script -qec "dc-assign dept list --fields code,name,staff" /dev/null
	assert_success
	assert_line --index 0 --regexp '^CODE +NAME +STAFF'
	assert_line --index 1 --regexp '^buergerbuero +Bürgerbüro +1'
}

# --- input ---------------------------------------------------------------------------------

@test "invalid UTF-8 and NUL bytes in input exit 65" {
	run bash -c "printf '{\"code\":\"u1\",\"name\":\"bad \\xff byte\"}\n' | dc-assign dept add -"
	assert_failure 65
	assert_output "dc-assign: -:1: field 'name': invalid UTF-8"
	run bash -c "printf '{\"code\":\"u2\",\"name\":\"nul\\0byte\"}\n' | dc-assign dept add -"
	assert_failure 65
	assert_output "dc-assign: -:1: NUL byte in input"
	run dc-assign dept list -q
	assert_output $'buergerbuero\ntiefbau'
}

@test "a JSON array file as input" {
	printf '[{"code":"a1","name":"A1"},\n {"code":"a2","name":"A2","email":"a2@stadt.example"}]\n' \
		>"$BATS_TEST_TMPDIR/depts.json"
	run bash -c "dc-assign dept add - --fields code,name,email <'$BATS_TEST_TMPDIR/depts.json'"
	assert_success
	assert_output $'{"code":"a1","name":"A1","email":null}\n{"code":"a2","name":"A2","email":"a2@stadt.example"}'
}

@test "a CSV with an empty cell as input" {
	printf 'code,name,email\r\ne1,E1,\r\ne2,E2,e2@stadt.example\r\n' >"$BATS_TEST_TMPDIR/depts.csv"
	run bash -c "dc-assign dept add - --fields code,email <'$BATS_TEST_TMPDIR/depts.csv'"
	assert_success
	assert_output $'{"code":"e1","email":null}\n{"code":"e2","email":"e2@stadt.example"}'
}

@test "bulk input is atomic: a bad record writes nothing" {
	printf '{"code":"ok1","name":"OK"}\n{"code":"tiefbau","name":"dup"}\n' >"$BATS_TEST_TMPDIR/d.jsonl"
	run bash -c "dc-assign dept add - <'$BATS_TEST_TMPDIR/d.jsonl'"
	assert_failure 3
	assert_output --partial ":2:"
	run dc-assign dept show ok1
	assert_failure 2
}

# --- dispatch, dry run, pipes --------------------------------------------------------------

@test "dc NOUN dispatches to dc-NOUN" {
	run dc assign dept list
	assert_success
	expected=$(dc-assign dept list)
	assert_output "$expected"
	run dc --csv assign dept list --fields code
	assert_output $'code\nbuergerbuero\ntiefbau'
}

@test "-n prints the record but writes nothing" {
	run dc-assign dept add probe --name Probe -n
	assert_success
	assert_output '{"code":"probe","name":"Probe","email":null,"leitweg_id":null,"head":null,"staff":0,"open":0,"created_at":"2026-03-02T09:00:00Z"}'
	run dc-assign dept show probe
	assert_failure 2
	run dbsql "SELECT count(*) FROM dept WHERE code = 'probe'"
	assert_output 0
	run dc-assign --dry-run dept add tiefbau --name X
	assert_failure 3
}

@test "stdout closed early by the reader is success" {
	for i in $(seq 1 300); do printf '{"code":"d%03d","name":"Abteilung %d"}\n' "$i" "$i"; done |
		dc-assign dept add - >/dev/null
	run bash -c 'dc-assign dept list | head -0; echo "${PIPESTATUS[0]}"'
	assert_output 0
	run bash -c 'dc-assign dept list --csv | head -1 >/dev/null; echo "${PIPESTATUS[0]}"'
	assert_output 0
}

@test "check-layers: passes on this tree; fails naming SQLite outside db.c, an area in lib/core, a layer used from below" {
	run "$ROOT/scripts/check-layers"
	assert_success
	local t=$BATS_TEST_TMPDIR/tree
	mkdir -p "$t/lib/core" "$t/lib/cases" "$t/cmd"
	printf '#include <sqlite3.h>\nsqlite3_open(x);\n' >"$t/lib/core/db.c"
	printf 'int ok(void);\n' >"$t/lib/cases/cases.h"
	printf 'int main(void) { return 0; }\n' >"$t/cmd/dc-x.c"
	run "$ROOT/scripts/check-layers" "$t"
	assert_success
	printf '#include <sqlite3.h>\n' >>"$t/lib/cases/cases.h"
	printf 'static void f(sqlite3_stmt *s);\n' >>"$t/cmd/dc-x.c"
	printf 'if (rc == SQLITE_ROW) return;\n' >"$t/lib/cases/case.c"
	run "$ROOT/scripts/check-layers" "$t"
	assert_failure 1
	assert_line "lib/cases/cases.h:2:#include <sqlite3.h>"
	assert_line "cmd/dc-x.c:2:static void f(sqlite3_stmt *s);"
	assert_line "lib/cases/case.c:1:if (rc == SQLITE_ROW) return;"
	# lib/core includes no area; its files use only the layers below them
	rm "$t/lib/cases/cases.h" "$t/cmd/dc-x.c" "$t/lib/cases/case.c"
	printf '#include "cases/cases.h"\n' >"$t/lib/core/out.c"
	mkdir -p "$t/build/rel/lib/core"
	printf 'int dc_audit(void) { return 0; }\n' >"$t/audit.c"
	printf 'int dc_audit(void);\nint dc_now(void) { return dc_audit(); }\n' >"$t/util.c"
	printf 'int dc_rogue(void) { return 1; }\n' >"$t/rogue.c"
	for f in audit util rogue; do cc -c "$t/$f.c" -o "$t/build/rel/lib/core/$f.o"; done
	run "$ROOT/scripts/check-layers" "$t"
	assert_failure 1
	assert_line 'lib/core/out.c:1:#include "cases/cases.h"   (lib/core includes an area)'
	assert_line "lib/core/util.c uses dc_audit of lib/core/audit.c, a layer above it"
	assert_line "lib/core/rogue.c is in no layer of scripts/check-layers"
}

# --- records and options: one place decides (issue 12) ------------------------------------------

@test "records: a missing required field is bad data (65, no usage line); on the command line a usage error (64)" {
	run bash -c 'echo "{\"description\":\"x\"}" | dc-case new -'
	assert_failure 65
	assert_output "dc-case: -:1: field 'service' is required"
	DC_USER=bob run bash -c "printf 'name\nAcme\n' | dc-order vendor add -"
	assert_failure 65
	assert_output "dc-order: -:2: field 'id' is required"
	run dc-case new --description x
	assert_failure 64
	assert_line "dc-case: field 'service' is required"
	assert_line --partial "usage: dc-case new"
}

@test "records: a list for a single-value field is refused; repeatable fields and attributes take lists" {
	run bash -c 'echo "{\"service\":[\"nope\",\"pothole\"],\"attributes\":{\"size\":\"large\"}}" | dc-case new -'
	assert_failure 65
	assert_output "dc-case: -:1: field 'service': one value expected, not a list"
	assert_equal "$(dc-case list -q)" ""
	run bash -c 'echo "{\"service\":\"pothole\",\"attr\":[\"size=large\"],\"media\":[\"https://a.example/1.jpg\",\"https://a.example/2.jpg\"]}" | dc-case new - -q'
	assert_success
	assert_equal "$(dc-case show "$output" -f json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)[0]["media"]))')" 2
}

@test "records: every printed field name reads back ('_' for '-'); --dept and --department are one option" {
	export DC_USER=bob
	run bash -c 'echo "{\"id\":\"w\",\"name\":\"W GmbH\",\"vat_id\":\"DE123456789\"}" | dc-order vendor add - -q'
	assert_success
	assert_equal "$(dc-order vendor show w -f json | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["vat_id"])')" DE123456789
	# what vendor show prints, fed back
	dc-order vendor show w -f jsonl | $PY -c 'import json,sys
r = json.loads(sys.stdin.readline())
print(json.dumps({"id": "w2", "name": r["name"], "vat_id": r["vat_id"]}))' >"$BATS_TEST_TMPDIR/w.jsonl"
	run bash -c "dc-order vendor add - -q <'$BATS_TEST_TMPDIR/w.jsonl'"
	assert_success
	run dc-order vendor add w3 --name W3 --vat_id DE3 -q
	assert_success
	assert_equal "$(dbsql "select group_concat(vat_id, ' ') from (select vat_id from vendor where id like 'w%' order by id) as v")" \
		"DE123456789 DE123456789 DE3"
	export DC_USER=root
	id=$(new_case)
	run dc-case list --dept tiefbau -q
	assert_output "$id"
	run dc-case list --department buergerbuero -q
	assert_output ""
	DC_USER=anna run dc-assign queue --department tiefbau -q
	assert_output "$id"
}
