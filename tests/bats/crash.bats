#!/usr/bin/env bats
# Crash safety (issue 7): kill -9 at random moments, 20 times per job, during a catalog import,
# a bulk intake and a notification run; a database on a full file system; backups while
# writers run.  tests/crash/run does the work and the checks (see its header); these are the
# short versions with small data.  Kill tests use the release build (DC_BIN overrides), which
# make check builds too: the sanitized binaries are too slow to hit at random moments.  With
# DC_TEST_PG (make check DB=postgresql) the jobs make their databases on that cluster.

load helper

CRASH=$ROOT/tests/crash/run
CRASH_BIN=${DC_BIN:-$ROOT/build/rel}
PG_ARGS=()
if [[ -n ${DC_TEST_PG-} ]]; then
	PG_ARGS=(--pg "$DC_TEST_PG")
fi

crash() {
	run "$CRASH" --small --kills 20 --bin "$CRASH_BIN" --dir "$BATS_TEST_TMPDIR/crash" \
		"${PG_ARGS[@]}" --jobs "$@"
	echo "$output"
}

# The databases the jobs made on PostgreSQL (--dir keeps them) go with the test.
teardown() {
	local url name
	if [[ -f $BATS_TEST_TMPDIR/crash/pg-databases ]]; then
		while read -r url; do
			name=${url#*:///}
			psql -X -q -d "$DC_TEST_PG" \
				-c "DROP DATABASE IF EXISTS \"${name%%\?*}\" WITH (FORCE)" >/dev/null 2>&1 || true
		done <"$BATS_TEST_TMPDIR/crash/pg-databases"
	fi
	if [[ -s $BATS_TEST_TMPDIR/full-conn ]]; then
		"$ROOT/tests/pg/cluster" stop "$(cat "$BATS_TEST_TMPDIR/full-conn")"
	fi
	db_teardown
}

@test "crash: 20 kills -9 during a catalog import: each time wholly the old or the new catalog" {
	crash import
	assert_success
	assert_line --regexp "^crash: import: 20 kills -9 of a 2000-item catalog import .* every state was wholly one version"
	assert_line "crash: import: nothing lost"
}

@test "crash: 20 kills -9 during a bulk intake: whole batches only, no case without its events and receipt" {
	crash intake
	assert_success
	assert_line --regexp "^crash: intake: 20 kills -9 of a bulk intake of 100 cases .* none in part"
	assert_line "crash: intake: nothing lost"
}

@test "crash: 20 kills -9 during a bulk intake with --batch 10: whole batches only, each whole" {
	crash intake-batch
	assert_success
	assert_line --regexp "^crash: intake-batch: 20 kills -9 .* --batch 10 .* whole batches only"
	assert_line "crash: intake-batch: nothing lost"
}

@test "crash: 20 kills -9 during dc-notify run: whole messages in new/, all delivered, duplicates only with the same Message-ID" {
	crash notify
	assert_success
	assert_line --regexp "^crash: notify: 20 kills -9 of dc-notify run into a Maildir, .* all delivered, [0-9]+ files in new/ all whole"
	assert_line "crash: notify: nothing lost"
}

@test "crash: a database on a full tmpfs: writes exit 74 saying why, the data stays intact" {
	if ((${#PG_ARGS[@]})); then
		# a cluster of its own: the shared one's buffers are every test's, and a backend of
		# another test that evicts a dirty page of the full tablespace gets its "No space
		# left on device" (it did: dc init of the notify job, exit 74)
		"$ROOT/tests/pg/cluster" start >"$BATS_TEST_TMPDIR/full-conn"
		PG_ARGS=(--pg "$(cat "$BATS_TEST_TMPDIR/full-conn")")
	fi
	crash full
	if [[ $output == *"full: SKIP"* ]]; then
		skip "${output##*SKIP }"
	fi
	assert_success
	if ((${#PG_ARGS[@]})); then
		# the server names the file it could not extend (in quotes)
		assert_output --regexp 'a 300-case intake exited 74 \("dc-case: [^()]*No space left on device"\)'
		assert_output --regexp 'exited 74 in mid-transaction \("dc-case: [^()]*No space left on device"\)'
		assert_line "crash: full: nothing lost"
		return
	fi
	# the exact text depends on where SQLite meets the full disk; it must say so
	assert_output --regexp 'writes exited 74 \("dc-case: [^"]*(No space left on device|disk is full)[^"]*"\)'
	assert_output --regexp 'intake exited 74 in mid-transaction \("dc-case: [^"]*(No space left on device|disk is full)[^"]*"\)'
	assert_line "crash: full: nothing lost"
}

@test "crash: dc backup while writers run: every copy whole, opening and verifying" {
	crash backup
	assert_success
	assert_line --regexp "^crash: backup: 4 backups taken while 3 writers made [1-9][0-9]* intakes"
	assert_line "crash: backup: nothing lost"
}

# The checks themselves: a message cut short in new/ and a catalog mixing two versions are
# reported, so the jobs above could not pass on a broken database.
@test "crash checks: a half-written message and a mixed catalog are caught" {
	seed_city
	dc config mail.from rathaus@example.org
	new_case --email eva@example.org >/dev/null
	new_case --email max@example.org >/dev/null
	DC_USER=paul dc-notify run --maildir "$BATS_TEST_TMPDIR/M" >/dev/null
	local m
	m=$(ls "$BATS_TEST_TMPDIR/M/new" | head -1)
	head -c 300 "$BATS_TEST_TMPDIR/M/new/$m" >"$BATS_TEST_TMPDIR/cut"
	mv "$BATS_TEST_TMPDIR/cut" "$BATS_TEST_TMPDIR/M/new/$m"
	dc-order vendor add acme --name Acme >/dev/null
	run $PY - "$ROOT/tests/soak" "$BATS_TEST_TMPDIR" "$DC_DB" <<-'PY'
		import os, subprocess, sys
		sys.path.insert(0, sys.argv[1])
		import common
		tmp, db = sys.argv[2], sys.argv[3]
		msgs, bad = common.maildir_messages(tmp + "/M", db)
		print("messages", len(msgs), "bad", len(bad), bad[0] if bad else "")
		v1 = common.write_catalog(tmp + "/v1.csv", 1, 50)
		v2 = common.write_catalog(tmp + "/v2.csv", 2, 50)
		subprocess.run(["dc-order", "catalog", "import", tmp + "/v1.csv", "--vendor", "acme"],
		               check=True, stdout=subprocess.DEVNULL)
		print("v1", common.catalog_state(db, "acme") == v1)
		sql = "UPDATE catalog_item SET price = price + 100 WHERE sku = 'A-000001'"
		subprocess.run(["psql", "-X", "-q", "-d", db, "-c", sql] if common.is_pg(db)
		               else ["sqlite3", db, sql], check=True, stdout=subprocess.DEVNULL)
		s = common.catalog_state(db, "acme")
		print("mixed", s != v1 and s != v2)
	PY
	assert_success
	assert_line --regexp "^messages 1 bad 1 .*Q[0-9]+\..*: (incomplete|body or recipient differ)"
	assert_line "v1 True"
	assert_line "mixed True"
}
