# Shared set-up for the CLI tests: a fresh database and a fixed clock per test, the sanitized
# binaries first on PATH, and a small city (two departments, staff of every role).
load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BIN=${DC_BIN:-$ROOT/build/san}
export PATH="$BIN:$PATH"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
FIXTURES=$ROOT/tests/fixtures
PY=/usr/bin/python3

# make check DB=postgresql (tests/run) sets DC_TEST_PG, the connection string of a throwaway
# cluster holding dc_template, an empty city: every test gets a database of its own copied
# from it (CREATE DATABASE ... TEMPLATE, a tenth of a second), dropped again in teardown.
fresh_db() {
	export DC_NOW=${DC_NOW:-2026-03-02T09:00:00Z}   # a Monday
	unset DC_USER
	if [[ -z ${DC_TEST_PG-} ]]; then
		export DC_DB=$BATS_TEST_TMPDIR/city.db
		return
	fi
	local name
	name=t$(printf '%s' "$BATS_TEST_TMPDIR" | md5sum | cut -c1-16)
	pg_copy_db dc_template "$name"
	export DC_DB=${DC_TEST_PG/\/postgres\?//$name?}
}

# on_pg: the test runs against PostgreSQL (make check DB=postgresql)
on_pg() {
	[[ $DC_DB == postgres* ]]
}

# sqlite_only REASON: skip the test on PostgreSQL, for what is about SQLite's file itself
# (also as a test's first line, before its city is made)
sqlite_only() {
	if [[ -n ${DC_TEST_PG-} ]]; then
		skip "about SQLite: $1"
	fi
}

# dbsql SQL: run SQL on the test's city as the sqlite3 shell prints it (columns joined by |,
# NULL empty); on PostgreSQL through psql, which prints the same for plain values, with the
# few SQLite spellings the tests use in PostgreSQL's (a trigger dropped names its table,
# char() is chr()).
dbsql() {
	if on_pg; then
		psql -X -q -At -v ON_ERROR_STOP=1 -d "$DC_DB" -c "$(sed -E \
			-e 's/DROP TRIGGER (event_no_[a-z]+);/DROP TRIGGER \1 ON event;/g' \
			-e 's/\<char\(/chr(/g' <<<"$1")"
	else
		sqlite3 "$DC_DB" "$1"
	fi
}

# db_file SQL FILE: the one value SQL selects, a text or a blob (bytea on PostgreSQL), written
# to FILE byte for byte (the sqlite3 shell's writefile(); on PostgreSQL through base64)
db_file() {
	if on_pg; then
		local x=x
		[[ $(dbsql "SELECT pg_typeof(x) FROM ($1) AS b(x)") == bytea ]] || x="convert_to(x, 'UTF8')"
		dbsql "SELECT encode($x, 'base64') FROM ($1) AS b(x)" | base64 -d >"$2"
	else
		sqlite3 "$DC_DB" "SELECT writefile('$2', ($1))" >/dev/null
	fi
}

# db_dump: the city's content as SQL text (the sqlite3 shell's .dump; pg_dump's, whose COPY
# lines escape tabs, newlines and backslashes, without the random key of its \restrict lines)
db_dump() {
	if on_pg; then
		pg_dump --no-owner -d "$DC_DB" | sed -E '/^\\(un)?restrict /d'
	else
		sqlite3 "$DC_DB" .dump
	fi
}

# the files SQLite may keep data in: the database, its write-ahead log and index, a journal
db_files() {
	local f
	for f in "$DC_DB" "$DC_DB-wal" "$DC_DB-shm" "$DC_DB-journal"; do
		[ -e "$f" ] && printf '%s\n' "$f"
	done
	return 0
}

# The privacy tests' scan of the raw files (privacy.bats, subject.bats).  On PostgreSQL
# raw_absent and raw_present read the database's rows as pg_dump prints them: its pages keep
# an old row version until VACUUM frees it, so the raw files are SQLite's guarantee only
# (docs/postgresql.md "Removing personal data").
dump_file() {
	db_dump >"$BATS_TEST_TMPDIR/dump.sql"
	printf '%s\n' "$BATS_TEST_TMPDIR/dump.sql"
}

# raw_absent STRING...: no file of the database holds any STRING
raw_absent() {
	local s f
	if on_pg; then
		f=$(dump_file)
		for s in "$@"; do
			! grep -qaF -- "$s" "$f" ||
				fail "'$s' is still in a row ($(grep -caF -- "$s" "$f") lines)"
		done
		return 0
	fi
	for s in "$@"; do
		while read -r f; do
			if grep -qaF -- "$s" "$f"; then
				fail "'$s' is still in $(basename "$f") ($(grep -caF -- "$s" "$f") lines)"
			fi
		done < <(db_files)
	done
}

# raw_present STRING...: some file of the database holds each STRING
raw_present() {
	local s files
	if on_pg; then files=$(dump_file); else files=$(db_files); fi
	for s in "$@"; do
		# shellcheck disable=SC2086
		grep -qaF -- "$s" $files || fail "'$s' is in no database file"
	done
}

# catalog_index_ok: the catalog's search index agrees with the catalog (FTS5's integrity-check;
# on PostgreSQL every item's tsvector row as dc_catalog_doc makes it, and no other row)
catalog_index_ok() {
	if on_pg; then
		run dbsql "SELECT count(*) FROM catalog_fold f FULL JOIN catalog_fts t USING (id)
			WHERE t.doc IS DISTINCT FROM dc_catalog_doc(f.name, f.description, f.category,
				f.sku, f.gtin, f.search_text)"
		assert_output 0
	else
		run dbsql "INSERT INTO catalog_fts(catalog_fts) VALUES ('integrity-check')"
		assert_output ""
	fi
	assert_success
}

# db_copy NAME: a copy of the test's city (a file beside it, or a database on the cluster),
# its DC_DB on stdout
db_copy() {
	if on_pg; then
		pg_copy_db "$(db_name)" "$(db_name)_$1"
		printf '%s\n' "${DC_DB/\/$(db_name)\?//$(db_name)_$1?}"
	else
		sqlite3 "$DC_DB" ".backup '$BATS_TEST_TMPDIR/$1.db'"
		printf '%s\n' "$BATS_TEST_TMPDIR/$1.db"
	fi
}

# pg_copy_db FROM TO: database TO, a copy of FROM on the test cluster.  The server process
# of a command that has just exited may still be leaving FROM ("being accessed by other
# users"): tried again for up to 5 s.
pg_copy_db() {
	local i err
	for i in $(seq 50); do
		err=$(psql -X -q -v ON_ERROR_STOP=1 -d "$DC_TEST_PG" \
			-c "CREATE DATABASE \"$2\" TEMPLATE \"$1\"" 2>&1 >/dev/null) && return 0
		[[ $err == *"being accessed by other users"* ]] || break
		sleep 0.1
	done
	printf '%s\n' "$err" >&2
	return 1
}

# The test's PostgreSQL database goes with it; a test file with a teardown of its own calls
# db_teardown at its end.
db_teardown() {
	local name
	if [[ -n ${DC_TEST_PG-} && ${DC_DB-} == postgres* ]]; then
		# with its copies (db_copy)
		for name in $(psql -X -At -d "$DC_TEST_PG" -c "SELECT datname FROM pg_database
			WHERE datname = '$(db_name)' OR datname LIKE '$(db_name)\_%'"); do
			psql -X -q -d "$DC_TEST_PG" \
				-c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 || true
		done
	fi
}

teardown() {
	db_teardown
}

# db_name: the test database's name on PostgreSQL
db_name() {
	local n=${DC_DB#*:///}
	printf '%s\n' "${n%%\?*}"
}

# db_snapshot TPL / db_restore TPL: keep the test's city under the name TPL (a file, or a
# template database beside it) and copy it back in another test
db_snapshot() {
	if on_pg; then
		local name
		name=s$(printf '%s' "$1" | md5sum | cut -c1-16)
		# a test beside it may have made it first
		pg_copy_db "$(db_name)" "$name" 2>/dev/null || return 0
		: >"$1"
	else
		cp "$DC_DB" "$1.$$" && mv "$1.$$" "$1"
	fi
}

db_restore() {
	if on_pg; then
		psql -X -q -d "$DC_TEST_PG" -c "DROP DATABASE \"$(db_name)\"" >/dev/null
		pg_copy_db "s$(printf '%s' "$1" | md5sum | cut -c1-16)" "$(db_name)"
	else
		cp "$1" "$DC_DB"
	fi
}

# A small city: departments tiefbau and buergerbuero, staff of every role, a holiday,
# a report service with a required list attribute and an application service.  Its thirteen
# commands took 3.7 s per test with the sanitized binaries on a loaded machine, most of the
# suite's time: the first test of a run (per DC_NOW) builds the city, the others copy it.
seed_city() {
	fresh_db
	local tpl=$BATS_RUN_TMPDIR/seed-city-${DC_NOW//[^0-9A-Za-z]/_}.db
	if [[ -f $tpl ]]; then
		db_restore "$tpl"
	else
		seed_city_build
		db_snapshot "$tpl"
	fi
	export DC_USER=root
}

# cached_setup FUNCTION VAR...: FUNCTION builds on the database of the test file's setup
# and sets VARs (ids); the first test of a run (per file and DC_NOW) runs it, the others copy
# its database and VARs.  For setups that write nothing but the database.
cached_setup() {
	local fn=$1 tpl
	shift
	tpl=$BATS_RUN_TMPDIR/setup-$(basename "$BATS_TEST_FILENAME" .bats)-$fn-${DC_NOW//[^0-9A-Za-z]/_}
	if [[ -f $tpl.db ]]; then
		db_restore "$tpl.db"
		source "$tpl.vars"
		return
	fi
	"$fn"
	# as globals, since source runs inside this function
	: >"$tpl.vars.$$"
	if (($#)); then
		declare -p "$@" | sed 's/^declare -\(-\)\?/declare -g/' >"$tpl.vars.$$"
	fi
	# whole files only, the database last: a parallel run (bats --jobs) sees both or neither
	mv "$tpl.vars.$$" "$tpl.vars"
	db_snapshot "$tpl.db"
}

seed_city_build() {
	dc-assign dept add tiefbau --name "Tiefbauamt" >/dev/null
	dc-assign dept add buergerbuero --name "Bürgerbüro" >/dev/null
	dc-assign staff add root --name "Ada Admin" --role admin >/dev/null
	export DC_USER=root
	dc-assign staff add hanna --name "Hanna Kopf" --dept tiefbau --role head >/dev/null
	dc-assign staff add anna --name "Anna Beck" --dept tiefbau --role clerk >/dev/null
	dc-assign staff add bernd --name "Bernd Roth" --dept tiefbau --role clerk >/dev/null
	dc-assign staff add clara --name "Clara Demir" --dept buergerbuero --role clerk >/dev/null
	dc-assign staff add paul --name "Paul Portal" --role integrator >/dev/null
	dc-assign staff add ines --name "Ines Prüf" --role auditor >/dev/null
	dc-assign staff add bob --name "Bob Buyer" --role buyer >/dev/null
	dc-assign holiday add 2026-03-04 "Testfeiertag" >/dev/null
	dc-case service add --code pothole --name "Schlagloch" --kind report --department tiefbau \
		--sla 5 --definition "$FIXTURES/pothole-definition.json" >/dev/null
	dc-case service add --code parking --name "Bewohnerparkausweis" --kind application \
		--department buergerbuero --sla 10 >/dev/null
}

SCHEMAS=$ROOT/schemas/json  # the record schemas that validate() checks output against

# validate SCHEMA-NAME: every JSONL line on stdin against schemas/json/NAME.schema.json;
# fails on an empty input, so a test cannot pass by printing nothing.
validate() {
	$PY -c '
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
n = 0
for lineno, line in enumerate(sys.stdin, 1):
    if not line.strip():
        continue
    n += 1
    errs = sorted(v.iter_errors(json.loads(line)), key=lambda e: list(e.path))
    for e in errs:
        print("line %d: %s: %s" % (lineno, "/".join(map(str, e.path)), e.message))
    if errs:
        sys.exit(1)
if not n:
    sys.exit("no records")
print("%d records valid" % n)
' "$SCHEMAS/$1.schema.json"
}

# Create a pothole case and print its id.
new_case() {
	dc-case new --service pothole --attr size=large "$@" | $PY -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])'
}

# o311 METHOD PATH[?QUERY] [BODY]: one call of the CGI program dc-open311 as a web server makes
# it (RFC 3875 variables, the form body on stdin); prints the answer, its CRs dropped, and
# exits as dc-open311 does.  CONTENT_TYPE may be set by the caller.
o311() {
	local path=${2%%\?*} query= body=${3-}
	[[ $2 == *\?* ]] && query=${2#*\?}
	REQUEST_METHOD=$1 PATH_INFO=$path QUERY_STRING=$query SCRIPT_NAME=/open311 \
		HTTP_HOST=localhost CONTENT_TYPE=${CONTENT_TYPE-application/x-www-form-urlencoded} \
		CONTENT_LENGTH=${CONTENT_LENGTH-${#body}} dc-open311 < <(printf '%s' "$body") |
		tr -d '\r'
	return "${PIPESTATUS[0]}"
}

# A throwaway PostgreSQL cluster shared by a test file's tests (scripts/pg-test-cluster, which
# is tests/pg/cluster; docs/postgresql.md): pg_cluster_start in setup_file, pg_cluster_stop in
# teardown_file, and pg_cluster_conn prints its connection string.
pg_cluster_start() {
	"$ROOT/scripts/pg-test-cluster" start >"$BATS_FILE_TMPDIR/conn"
}

pg_cluster_stop() {
	if [[ -s $BATS_FILE_TMPDIR/conn ]]; then
		"$ROOT/scripts/pg-test-cluster" stop "$(cat "$BATS_FILE_TMPDIR/conn")"
	fi
}

pg_cluster_conn() {
	cat "$BATS_FILE_TMPDIR/conn"
}
