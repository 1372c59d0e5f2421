#!/usr/bin/env bats
# The concurrency soak (issue 7): a short run of tests/soak/run against the sanitized binaries,
# proof that its invariant checks catch a broken database, and the dc-notify bookkeeping that
# the soak found waiting too little for a locked database.  `make soak` runs it for minutes.
# With DC_TEST_PG (make check DB=postgresql) the runs make their databases on that cluster.

load helper

SOAK=$ROOT/tests/soak/run
PG_ARGS=()
if [[ -n ${DC_TEST_PG-} ]]; then
	PG_ARGS=(--pg "$DC_TEST_PG")
fi

# soak_sql DIR SQL: run SQL on the database of the run kept in DIR (psql when it was on
# PostgreSQL: DIR/city.url)
soak_sql() {
	if [[ -f $1/city.url ]]; then
		psql -X -q -At -v ON_ERROR_STOP=1 -d "$(cat "$1/city.url")" -c "$2"
	else
		sqlite3 "$1/city.db" "$2"
	fi
}

# drop_kept DIR: drop the PostgreSQL database of the run kept in DIR, if it had one
drop_kept() {
	local name
	[[ -f $1/city.url ]] || return 0
	name=$(cat "$1/city.url")
	name=${name#*:///}
	psql -X -q -d "$DC_TEST_PG" -c "DROP DATABASE IF EXISTS \"${name%%\?*}\" WITH (FORCE)" \
		>/dev/null 2>&1 || true
}

teardown() {
	drop_kept "$BATS_TEST_TMPDIR/soak"
	db_teardown
}

# The figure in the soak's summary line "N exits 75 in ...".
exits75() {
	sed -n 's/.* \([0-9]*\) exits 75 in .*/\1/p' <<<"$output"
}

@test "soak: 8 processes, 2 notifiers and a catalog job for 20 s keep every invariant" {
	# a 10 ms busy timeout, so that exits 75 happen in 20 s however fast the machine (with 1 s
	# an idle machine had none), and a smaller catalog than make soak.  PostgreSQL's writers
	# queue for the lock first come, first served: a catalog import, which takes it again for
	# each batch, met 60 exits 75 and more per file at 10 ms, so it gets 100 ms there
	local busy=10
	[[ -n ${DC_TEST_PG-} ]] && busy=100
	run "$SOAK" --seconds 20 --procs 8 --bin "$BIN" --busy-timeout "$busy" --catalog-items 300 \
		--dir "$BATS_TEST_TMPDIR/soak" "${PG_ARGS[@]}"
	echo "$output"
	assert_success
	assert_output --partial "soak: 8 worker processes + 2 dc-notify runners + 1 dc-import job"
	assert_output --partial "all retried to an answer: yes"
	assert_line "soak: all invariants hold"
	refute_output --partial "FAIL"
	# the short busy timeout must have made the retry path run, or the test proves less
	assert [ "$(exits75)" -gt 0 ]
	# every kind of work happened (claims of a named case and cancellations may all lose
	# their race in a short run, so they are not counted on)
	for op in new claim_next status note order notify import; do
		assert_line --regexp "^soak: $op +[1-9][0-9]* "
	done
}

@test "soak: the checks fail on a lost write, a wrong status, a double delivery and lost stock" {
	local d=$BATS_TEST_TMPDIR/soak try
	# what is broken below needs two cases (one changed, another deleted) and a delivered
	# message; a short run on a busy machine may make less: a fresh run then, up to three
	enough() {
		[ -n "$(ls "$d/Maildir/new" 2>/dev/null)" ] &&
			(($(soak_sql "$d" "SELECT count(*) FROM cases") >= 2))
	}
	for try in 1 2 3; do
		drop_kept "$d"
		rm -rf "$d"
		run "$SOAK" --seconds 6 --procs 2 --notifiers 1 --bin "$BIN" --catalog-items 100 \
			--dir "$d" "${PG_ARGS[@]}"
		assert_success
		enough && break
	done
	enough || fail "three soak runs made fewer than two cases or delivered no message"
	# a case whose status no event explains (a status other than its own: the soak may
	# have closed that case itself); a case gone; a message delivered twice; one piece of
	# stock vanished (foreign keys off: PostgreSQL's are triggers, off for a replica's session)
	local off="PRAGMA foreign_keys = OFF;"
	if [[ -f $d/city.url ]]; then
		off="SET session_replication_role = replica;"
	fi
	soak_sql "$d" "$off
		UPDATE cases SET status = CASE status WHEN 'closed' THEN 'rejected' ELSE 'closed' END
			WHERE id = (SELECT min(id) FROM cases);
		DELETE FROM outbox WHERE ref_id = (SELECT max(id) FROM cases);
		DELETE FROM cases WHERE id = (SELECT max(id) FROM cases);
		UPDATE product SET stock = stock + 1 WHERE sku = 'P1'"
	local m
	m=$(ls "$d/Maildir/new" | head -1)
	cp "$d/Maildir/new/$m" "$d/Maildir/new/${m/.M/.M9}"
	run "$SOAK" --check-only --bin "$BIN" --dir "$d"
	assert_failure 1
	assert_output --regexp "FAIL: case [0-9-]+ is (closed|rejected) but its last status event says"
	assert_output --regexp "FAIL: [0-9]+ cases, [0-9]+ intakes succeeded"
	assert_output --regexp "FAIL: [0-9]+ messages but [0-9]+ distinct Message-IDs"
	assert_output --regexp "FAIL: P1: sold [0-9]+ \+ in stock [0-9]+ != initial 30"
	refute_line "soak: all invariants hold"
}

# A runner that has delivered must book the delivery even when another writer holds the
# database past the busy timeout; giving up (75) left the row claimed, to be sent again once the
# claim went stale.  The --exec transport starts a writer that holds the lock for 1 s.
@test "dc-notify run books a delivery made while the database is locked past the busy timeout" {
	seed_city
	dc config mail.from rathaus@example.org
	new_case --email eva@example.org >/dev/null
	export DC_USER=paul
	local t=$BATS_TEST_TMPDIR
	run dc-notify --busy-timeout 100 run --exec "cat >/dev/null; DC_DB='$DC_DB' \
		$ROOT/tests/hold-lock 1 $t/held >/dev/null 2>&1 & echo \$! >$t/holder
		while [ ! -e $t/held ]; do sleep 0.01; done"
	assert_success
	assert_output --partial '"status":"sent"'
	# the holder's last act, closing its SQLite connection, checkpoints the WAL: the sqlite3
	# shell, which does not wait for a lock, may only read once it has gone
	while kill -0 "$(cat "$t/holder")" 2>/dev/null; do sleep 0.01; done
	run dbsql "SELECT status, attempts FROM outbox"
	assert_output "sent|1"
}
