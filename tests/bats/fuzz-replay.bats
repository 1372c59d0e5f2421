#!/usr/bin/env bats
# The fuzz harnesses (tests/fuzz) without clang: each replays its seed corpus and every input
# that once crashed it (tests/fuzz/regress/NAME) through libdc built with ASan+UBSan.  make
# check builds build/san/fuzz/NAME; `make fuzz` is where new inputs are found.

load helper

FUZZ=$ROOT/tests/fuzz

replay() {
	local name=$1 bin=$ROOT/build/san/fuzz/$1 dirs=("$FUZZ/corpus/$1")
	[ -x "$bin" ] || fail "$bin not built (make check builds it)"
	# regress/NAME exists once a crash of NAME has been kept (git keeps no empty folder)
	[ -d "$FUZZ/regress/$name" ] && dirs+=("$FUZZ/regress/$name")
	run "$bin" "${dirs[@]}"
	assert_success
	# every seed and regression input was run, none skipped
	local want
	want=$(find -L "${dirs[@]}" -type f | wc -l)
	assert_equal "$(grep -c '^ok ' <<<"$output")" "$want"
	assert [ "$want" -gt 0 ]
}

@test "fuzz replay: record reader (JSONL, JSON array, CSV, excel-de CSV, TSV)" {
	replay records
}

@test "fuzz replay: BMEcat reader" {
	replay bmecat
}

@test "fuzz replay: Open311 import (JSON and XML)" {
	replay open311
}

@test "fuzz replay: holiday import (iCalendar, CSV, JSON)" {
	replay holidays
}

@test "fuzz replay: e-invoice reader and checks (UBL, CII, ZUGFeRD PDF)" {
	replay einvoice
}

@test "fuzz replay: notification templates and the mail built from them" {
	replay template
}

@test "fuzz replay: CRLF and a header in a template variable stay inside the Subject; a missing input fails" {
	# the harness aborts when the mail's header section gains a line that is no header or fold
	printf 'Betreff {{name}}\n\nText {{note}}\0Eva\r\nBcc: x@example.org\n.\r\n' \
		>"$BATS_TEST_TMPDIR/inject"
	run "$ROOT/build/san/fuzz/template" "$BATS_TEST_TMPDIR/inject"
	assert_success
	assert_output "ok 1 - $BATS_TEST_TMPDIR/inject"
	run "$ROOT/build/san/fuzz/template" "$BATS_TEST_TMPDIR/missing"
	assert_failure
	assert_output "not ok 1 - $BATS_TEST_TMPDIR/missing: cannot open"
}
