#!/usr/bin/env bats
# Audit anchors (dc(1) anchor, check --anchors; dcity(7) SECURITY): the chain's head kept in
# git, and a chain whose tail was cut or that was rebuilt found out by it.

bats_require_minimum_version 1.5.0
load helper

setup() {
	seed_city
	R=$BATS_TEST_TMPDIR/anchors
}

# anchor_line N: the Nth anchor (not comment) line of the committed file
anchor_line() {
	git -C "$R" show HEAD:audit-anchors | grep -v '^#' | sed -n "$1p"
}

@test "dc anchor: each run appends the chain's head and commits it; all anchors hold" {
	dc config mail.from 'Stadt Musterstadt <noreply@musterstadt.example>'
	n1=$(dbsql "SELECT count(*) FROM event")
	h1=$(dbsql "SELECT hash FROM event ORDER BY id DESC LIMIT 1")
	run dc anchor --git-repo "$R" -f json
	assert_success
	$PY -c 'import json,sys; r = json.load(sys.stdin)[0]; assert r["events"] == int(sys.argv[1]) and r["hash"] == sys.argv[2] and r["at"] == "2026-03-02T09:00:00Z" and r["path"] == "audit-anchors" and len(r["commit"]) == 40, r' "$n1" "$h1" <<<"$output"
	assert_equal "$(anchor_line 1)" "2026-03-02T09:00:00Z $n1 $h1"
	new_case --description "Loch" >/dev/null
	DC_NOW=2026-03-03T02:00:00Z run dc anchor --git-repo "$R"
	assert_success
	validate anchor <<<"$output"
	n2=$(dbsql "SELECT count(*) FROM event")
	h2=$(dbsql "SELECT hash FROM event ORDER BY id DESC LIMIT 1")
	assert [ "$n2" -gt "$n1" ]
	assert_equal "$(anchor_line 1)" "2026-03-02T09:00:00Z $n1 $h1"
	assert_equal "$(anchor_line 2)" "2026-03-03T02:00:00Z $n2 $h2"
	assert_equal "$(git -C "$R" rev-list --count HEAD)" 2
	# the author is the city's mailbox, display name and address apart
	assert_equal "$(git -C "$R" log -1 --format='%an|%ae|%s')" \
		"Stadt Musterstadt|noreply@musterstadt.example|dc anchor: $n2 events, head ${h2:0:12}"
	assert_equal "$(git -C "$R" status --porcelain)" ""
	run dc check --anchors "$R" --fields check,ok,detail
	assert_success
	assert_line --index 2 "{\"check\":\"anchors\",\"ok\":true,\"detail\":\"2 anchors hold (the latest: 2026-03-03T02:00:00Z, $n2 events)\"}"
	# another path and branch
	run dc anchor --git-repo "$R" --git-path dsb/anker.txt --git-branch dsb
	assert_success
	run dc check --anchors "$R" --git-path dsb/anker.txt
	assert_failure 66
	assert_output --partial "no file 'dsb/anker.txt'"
	rm -r "$R/dsb"
	git -C "$R" checkout -q dsb
	run dc check --anchors "$R" --git-path dsb/anker.txt --fields check,ok
	assert_success
	assert_line --index 2 '{"check":"anchors","ok":true}'
}

@test "dc check --anchors: a cut tail fails naming the first anchor that no longer holds" {
	DC_NOW=2026-03-02T10:00:00Z dc anchor --git-repo "$R" >/dev/null
	new_case >/dev/null
	DC_NOW=2026-03-02T11:00:00Z dc anchor --git-repo "$R" >/dev/null
	new_case >/dev/null
	DC_NOW=2026-03-02T12:00:00Z dc anchor --git-repo "$R" >/dev/null
	n1=$(anchor_line 1 | cut -d' ' -f2)
	n2=$(anchor_line 2 | cut -d' ' -f2)
	# whoever can write the file removes the last cases' events: the rest still chains
	dbsql "DROP TRIGGER event_no_delete; DELETE FROM event WHERE id IN
		(SELECT id FROM event ORDER BY id DESC LIMIT $(( $(dbsql "SELECT count(*) FROM event") - n2 + 1 )))"
	run dc check --fields check,ok
	assert_success
	run --separate-stderr dc check --anchors "$R" --fields check,ok,detail
	assert_failure 1
	assert_line --index 1 --partial '"check":"audit-chain","ok":true'
	assert_line --index 2 "{\"check\":\"anchors\",\"ok\":false,\"detail\":\"audit-anchors:4: the anchor of 2026-03-02T11:00:00Z ($n2 events) no longer holds: the chain has only $((n2 - 1)) events (its tail was cut)\"}"
	[[ $stderr == "dc: audit-anchors:4: the anchor of 2026-03-02T11:00:00Z ($n2 events) no longer holds"* ]]
	assert [ "$n1" -lt "$n2" ]
}

@test "dc check --anchors: a rebuilt chain (a valid chain of another history) fails" {
	rebuilt=$(db_copy rebuilt)
	new_case --description "echt" >/dev/null
	dc anchor --git-repo "$R" >/dev/null
	n=$(anchor_line 1 | cut -d' ' -f2)
	# the same steps with one value changed give a chain that verifies on its own, as one
	# rebuilt with every hash recomputed would
	real=$DC_DB
	export DC_DB=$rebuilt
	DC_NOW=2026-03-02T09:30:00Z new_case --description "gefälscht" >/dev/null
	new_case >/dev/null
	run dc check --fields check,ok
	assert_success
	run --separate-stderr dc check --anchors "$R" --fields check,ok,detail
	assert_failure 1
	assert_line --index 2 "{\"check\":\"anchors\",\"ok\":false,\"detail\":\"audit-anchors:3: the anchor of 2026-03-02T09:00:00Z ($n events) no longer holds: event $n of the chain has another hash (the chain was rebuilt)\"}"
	DC_DB=$real run dc check --anchors "$R"
	assert_success
}

@test "dc anchor and check --anchors: usage, missing repository, bad lines, a broken chain" {
	run dc anchor
	assert_failure 64
	assert_output --partial "--git-repo"
	run dc check --git-path x
	assert_failure 64
	run dc check --anchors "$BATS_TEST_TMPDIR/none"
	assert_failure 66
	assert_output --partial "is not a git repository"
	dc anchor --git-repo "$R" >/dev/null
	printf '# ok\n2026-03-02T09:00:00Z 12 nothex\n' >>"$R/audit-anchors"
	git -C "$R" -c user.name=X -c user.email=x@y commit -qam "hand-edited"
	run dc check --anchors "$R"
	assert_failure 65
	assert_output --partial "audit-anchors:5: not an anchor"
	# a chain broken already is not anchored, and nothing is committed
	dbsql "DROP TRIGGER event_no_update; UPDATE event SET actor='x' WHERE id=2"
	c=$(git -C "$R" rev-parse HEAD)
	run dc anchor --git-repo "$R"
	assert_failure 1
	assert_output --partial "event 2 breaks the hash chain: not anchored"
	assert_equal "$(git -C "$R" rev-parse HEAD)" "$c"
}
