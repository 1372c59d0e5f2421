#!/usr/bin/env bats
# The progress line of long imports and exports (dcity(7), Messages): only when stderr is a
# terminal, with a percentage when the input's size is known, the rate, and the final count
# on the line it leaves.  script(1) gives the command a terminal; DC_PROGRESS=0 shows the
# line at once instead of after two seconds.

load helper

setup() {
	seed_city
	command -v script >/dev/null || skip "script (util-linux) not installed"
	$PY - "$BATS_TEST_TMPDIR" <<'PY'
import json, sys
d = sys.argv[1]
with open(d + "/cat.csv", "w") as f:
    f.write("sku,name,price\n")
    for i in range(3000):
        f.write("P-%04d,Artikel %d,1.50\n" % (i, i))
with open(d + "/cases.jsonl", "w") as f:
    for i in range(600):
        f.write(json.dumps({"service": "parking", "description": "Antrag %d" % i}) + "\n")
PY
	export DC_PROGRESS=0
}

# on_tty COMMAND: run COMMAND (a shell string) with stdin, stdout and stderr on a terminal;
# $output is what the terminal showed.
on_tty() {
	run script -qec "$1" /dev/null
}

@test "progress: an import on a terminal shows percentage and rate, and ends with the count" {
	DC_USER=bob on_tty "dc-order catalog import $BATS_TEST_TMPDIR/cat.csv --vendor v >/dev/null"
	assert_failure   # no vendor v yet: the error comes before any record
	DC_USER=bob dc-order vendor add v --name V >/dev/null
	DC_USER=bob on_tty "dc-order catalog import $BATS_TEST_TMPDIR/cat.csv --vendor v >/dev/null"
	assert_success
	assert_output --regexp $'\rdc-order: [^\r]*/cat\\.csv: 256 records, [0-9]+ %, [0-9]+ records/s'
	# the line it leaves: the final count, the whole file, the rate (the new line after it is
	# what bats's run strips)
	assert_output --regexp $'\rdc-order: [^\r]*/cat\\.csv: 3000 records, 100 %, [0-9]+ records/s +\r?$'
}

@test "progress: no percentage when the size is unknown (a pipe)" {
	DC_USER=paul on_tty "cat $BATS_TEST_TMPDIR/cases.jsonl | dc-case new - -q >/dev/null"
	assert_success
	assert_output --regexp $'\rdc-case: -: 600 records, [0-9]+ records/s +\r?$'
	refute_output --partial "%"
	# the same from the file: its size is known
	DC_USER=paul on_tty "dc-case new $BATS_TEST_TMPDIR/cases.jsonl -q >/dev/null"
	assert_success
	assert_output --regexp $'\rdc-case: [^\r]*/cases\\.jsonl: 600 records, 100 %, [0-9]+ records/s +\r?$'
}

@test "progress: never when stderr is not a terminal" {
	DC_USER=bob dc-order vendor add v --name V >/dev/null
	DC_USER=bob run dc-order catalog import "$BATS_TEST_TMPDIR/cat.csv" --vendor v
	assert_success
	refute_output --partial "records/s"
	refute_output --partial $'\r'
	# stdout on the terminal, stderr to a file: still nothing
	DC_USER=bob on_tty "dc-order catalog import $BATS_TEST_TMPDIR/cat.csv --vendor v --mode update 2>$BATS_TEST_TMPDIR/err"
	assert_success
	assert [ ! -s "$BATS_TEST_TMPDIR/err" ]
	DC_USER=paul on_tty "dc-case new $BATS_TEST_TMPDIR/cases.jsonl -q 2>$BATS_TEST_TMPDIR/err"
	assert_success
	assert [ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "progress: a long export to a file shows the count; a listing on the terminal does not" {
	DC_USER=paul dc-case new "$BATS_TEST_TMPDIR/cases.jsonl" -q
	DC_USER=ines on_tty "dc-export cases -f csv -o $BATS_TEST_TMPDIR/c.csv"
	assert_success
	assert_output --regexp $'\rdc-export: case: 600 records, [0-9]+ records/s +\r?$'
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/c.csv")" 601
	DC_USER=ines on_tty "dc-export cases -f jsonl | wc -l"
	assert_output --partial "600 records"
	# the records themselves on the terminal: no progress line between them
	DC_USER=ines on_tty "dc-case list -f jsonl"
	assert_success
	refute_output --partial "records/s"
	DC_USER=ines on_tty "dc-export cases -f jsonl >/dev/null 2>/dev/null"
	refute_output --partial "records/s"
}
