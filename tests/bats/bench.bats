#!/usr/bin/env bats
# tests/bench/run (make bench) at a tiny scale, so that the harness cannot rot: it generates
# its data with the commands, every measurement runs and checks what the commands printed,
# and the table has a row for every performance target of DESIGN.md and for the reports.

load helper

@test "bench: the harness runs at a tiny scale and reports every target" {
	run $PY "$ROOT/tests/bench/run" --scale 0.0002 --runs 1 --point-runs 2 --bin "$BIN" \
		--dir "$BATS_TEST_TMPDIR/data" --results "$BATS_TEST_TMPDIR/RESULTS.md"
	assert_success
	refute_output --partial "FAILED"
	for row in "into an empty catalog" "FTS index in one statement" "the engine's floor" \
		"at 20 random moments during a" "re-import the same catalog unchanged" \
		"re-import the identical file" "cases as CSV" "cases as JSONL" "dc-case show ID" \
		"dc-assign queue" "bulk intake of" "the same intake against its floor" \
		"-case database .* against its floor" \
		"dc-case status ID in_progress" "the same status change against its floor" \
		"peak memory of any import or export" \
		"dc-notify run --maildir" "dc-import spool" "dc-order catalog import" \
		"dc-export report" "dc-open311. GET requests.json.page_size=50, one CGI process" \
		"GET requests.json.page_size=50 through lighttpd" "POST requests.json .intake. through lighttpd"; do
		# one table row each, ending in its verdict
		grep -E "^\| [^|]*$row[^|]* \|.*\| (met|\*\*NOT met\*\*|\(report only\)) \|$" \
			"$BATS_TEST_TMPDIR/RESULTS.md" || fail "no result row for '$row'"
	done
	assert_equal "$(grep -cE '\| (met|\*\*NOT met\*\*|\(report only\)) \|$' "$BATS_TEST_TMPDIR/RESULTS.md")" 23
	for m in "git commit" "CPU" "RAM" "kernel" "sqlite3 shell" "load average" "\`uptime\`"; do
		grep -q "^| $m" "$BATS_TEST_TMPDIR/RESULTS.md" || fail "no machine line '$m'"
	done
	# the generated database is one dcity itself accepts: integrity and the audit chain
	DC_DB="$BATS_TEST_TMPDIR/data/cases.db" DC_NOW=2026-11-02T09:00:00Z DC_USER=root run dc check
	assert_success
	assert_output --partial '"audit-chain","ok":true'
}
