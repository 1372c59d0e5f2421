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

fresh_db() {
	export DC_DB=$BATS_TEST_TMPDIR/city.db
	export DC_NOW=${DC_NOW:-2026-03-02T09:00:00Z}   # a Monday
	unset DC_USER
}

# A small city: departments tiefbau and buergerbuero, staff of every role, a holiday,
# a report service with a required list attribute and an application service.  Its thirteen
# commands took 3.7 s per test with the sanitized binaries on a loaded machine, most of the
# suite's time: the first test of a run (per DC_NOW) builds the city, the others copy it.
seed_city() {
	fresh_db
	local tpl=$BATS_RUN_TMPDIR/seed-city-${DC_NOW//[^0-9A-Za-z]/_}.db
	if [[ -f $tpl ]]; then
		cp "$tpl" "$DC_DB"
	else
		seed_city_build
		cp "$DC_DB" "$tpl.$$" && mv "$tpl.$$" "$tpl"
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
		cp "$tpl.db" "$DC_DB"
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
	cp "$DC_DB" "$tpl.db.$$" && mv "$tpl.db.$$" "$tpl.db"
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

# A throwaway PostgreSQL cluster shared by a test file's tests (tests/pg/cluster, docs/
# postgresql.md): pg_cluster_start in setup_file, pg_cluster_stop in teardown_file, and
# pg_cluster_conn prints its connection string.
pg_cluster_start() {
	"$ROOT/tests/pg/cluster" start >"$BATS_FILE_TMPDIR/conn"
}

pg_cluster_stop() {
	if [[ -s $BATS_FILE_TMPDIR/conn ]]; then
		"$ROOT/tests/pg/cluster" stop "$(cat "$BATS_FILE_TMPDIR/conn")"
	fi
}

pg_cluster_conn() {
	cat "$BATS_FILE_TMPDIR/conn"
}
