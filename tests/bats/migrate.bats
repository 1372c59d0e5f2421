#!/usr/bin/env bats
# dc migrate (dc(1), docs/postgresql.md): a city from its SQLite file into an empty PostgreSQL
# database and back into a new file; dc init, dc check and dc backup on PostgreSQL.  On a
# throwaway cluster (tests/pg/cluster) shared by the file's tests.

bats_require_minimum_version 1.5.0
load helper
load pg-helper

setup_file() {
	pg_cluster_start
}

teardown_file() {
	pg_cluster_stop
}

# every table's rows in SQLite's quote mode, in rowid order, but the search index's own
# (rebuilt by triggers on both engines)
dump() {
	local t
	for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%' ORDER BY name"); do
		echo "== $t"
		sqlite3 "$1" ".mode quote" "SELECT * FROM \"$t\" ORDER BY rowid"
	done
}

setup() {
	CONN=$(pg_cluster_conn)
	# the schema version: the number of the newest migration
	LATEST=$(ls "$ROOT"/schemas/sql/[0-9]*.sql | sed -n '$s|.*/0*\([0-9][0-9]*\)-.*|\1|p')
	fresh_db
	cached_setup pg_rich_city C1 PO
	export DC_USER=root
}

@test "migrate: SQLite to PostgreSQL and back, every table the same, the chain verified" {
	local url sum records
	url=$(pg_url round)
	sum=$(sha256sum "$DC_DB" | cut -d' ' -f1)
	run --separate-stderr dc migrate --to "$url" -f jsonl
	assert_success
	records=$output
	validate migrate-table <<<"$records"
	[[ $stderr =~ ^dc:\ [0-9]+\ tables,\ [0-9]+\ rows\ copied\;\ the\ audit\ chain\ of\ [0-9]+\ events\ verified\ on\ the\ target$ ]] ||
		fail "stderr: $stderr"
	# the source is only read
	assert_equal "$(sha256sum "$DC_DB" | cut -d' ' -f1)" "$sum"
	# what PostgreSQL holds: the rows, the search index its triggers filled, the sequences
	assert_equal "$(pg "$url" "SELECT count(*) FROM cases")" \
		"$(sqlite3 "$DC_DB" "SELECT count(*) FROM cases")"
	assert_equal "$(pg "$url" "SELECT count(*) FROM catalog_fts")" 2
	assert_equal "$(pg "$url" "SELECT lat FROM cases WHERE id = '$C1'")" 52.520008
	assert_equal "$(pg "$url" "SELECT count(*) FROM event WHERE ref = '-'")" \
		"$(sqlite3 "$DC_DB" "SELECT count(*) FROM event WHERE ref = '-'")"
	pg "$url" "INSERT INTO seq(name, value) VALUES ('probe', 1)" >/dev/null
	run pg "$url" "SELECT (SELECT max(id) FROM event) < nextval(pg_get_serial_sequence('event', 'id'))"
	assert_output t
	pg "$url" "DELETE FROM seq WHERE name = 'probe'" >/dev/null
	# the planner's statistics, gathered before the commit (ANALYZE)
	assert_equal "$(pg "$url" "SELECT count(*) FROM pg_stat_user_tables
		WHERE relname IN ('cases', 'event') AND last_analyze IS NOT NULL")" 2
	# the rows in the JSON records agree with the tables
	run $PY -c 'import json,sys; r={x["table"]: x["rows"] for x in map(json.loads, sys.stdin)}
print(r["cases"], r["invoice"], "catalog_fts" in r, "catalog_fts_data" in r)' <<<"$records"
	assert_output "$(sqlite3 "$DC_DB" "SELECT count(*) FROM cases") 1 False False"
	# and back into a new file: every table the same, byte for byte
	run --separate-stderr env DC_DB="$url" dc migrate --to "$BATS_TEST_TMPDIR/back.db" -q
	assert_success
	# the whole city's personal data, as a backup: for its owner only
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/back.db")" 600
	assert_equal "$(dump "$BATS_TEST_TMPDIR/back.db" | sha256sum)" "$(dump "$DC_DB" | sha256sum)"
	run env DC_DB="$BATS_TEST_TMPDIR/back.db" dc check -f csv --fields check,ok
	assert_success
	assert_line "audit-chain,true"
	# search finds the same on the copy
	assert_equal "$(DC_DB="$BATS_TEST_TMPDIR/back.db" dc-order catalog search porto -f csv)" \
		"$(dc-order catalog search porto -f csv)"
}

@test "migrate: only into an empty database, only by an admin, one engine to the other" {
	local url
	url=$(pg_url busy)
	pg "$url" "CREATE TABLE mine (x int)"
	run dc migrate --to "$url"
	assert_failure 3
	assert_output "dc: the PostgreSQL database is not empty (1 tables): dc migrate writes only into an empty one"
	assert_equal "$(pg "$url" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 1
	# two at once into one empty database: one copies, the other then finds it not empty
	url=$(pg_url twice)
	dc migrate --to "$url" >/dev/null 2>"$BATS_TEST_TMPDIR/m1" & local p1=$!
	dc migrate --to "$url" >/dev/null 2>"$BATS_TEST_TMPDIR/m2" & local p2=$!
	local s1=0 s2=0
	wait "$p1" || s1=$?
	wait "$p2" || s2=$?
	assert_equal "$(printf '%s\n' "$s1" "$s2" | sort | tr '\n' ' ')" "0 3 "
	# the loser waited for the winner's schema lock, not for a clash of rows
	run cat "$BATS_TEST_TMPDIR/m1" "$BATS_TEST_TMPDIR/m2"
	assert_line --partial "the PostgreSQL database is not empty"
	url=$(pg_url other)
	run env DC_USER=anna dc migrate --to "$url"
	assert_failure 77
	assert_output --partial "permission denied: 'anna' (clerk) may not migrate the city"
	run dc migrate --to "$BATS_TEST_TMPDIR/x.db"
	assert_failure 64
	run dc migrate
	assert_failure 64
	assert_output --partial "migrate needs --to"
	run dc migrate --to "postgresql:///nope?host=$BATS_TEST_TMPDIR/no-such-dir"
	assert_failure 69
	assert_output --partial "dc: PostgreSQL: cannot connect:"
	# libpq is loaded by the runs that use it, as libxml2 and libgit2 are (core.bats)
	run env LD_DEBUG=files dc migrate --to "postgresql:///nope?host=$BATS_TEST_TMPDIR/none"
	assert_output --regexp 'file=libpq\.so[.0-9]* .*dynamically loaded'
	# into PostgreSQL and back over a file that exists: refused, the file untouched
	dc migrate --to "$url" -q
	: >"$BATS_TEST_TMPDIR/there.db"
	run env DC_DB="$url" dc migrate --to "$BATS_TEST_TMPDIR/there.db"
	assert_failure 3
	assert_output --partial "exists: dc migrate makes a new file"
	[ ! -s "$BATS_TEST_TMPDIR/there.db" ]
	run env DC_DB="$url" dc migrate --to "$BATS_TEST_TMPDIR/no/such/dir/x.db"
	assert_failure 73
	assert_output --partial "cannot create '$BATS_TEST_TMPDIR/no/such/dir/x.db'"
	# the other commands run on a city there (pg-commands.bats), and say what a database
	# that holds none is, without printing its URL (it may hold a password)
	run env DC_DB="$CONN" dc-case list
	assert_failure 69
	assert_output "dc-case: the PostgreSQL database is not a dcity database: dc init makes one, dc migrate moves a city there"
}

@test "migrate: a broken audit chain is found on the target and nothing is migrated" {
	local url n
	url=$(pg_url broken)
	n=$(sqlite3 "$DC_DB" "SELECT max(id) FROM event WHERE note_hash IS NULL AND note IS NOT NULL")
	sqlite3 "$DC_DB" "DROP TRIGGER event_no_update; UPDATE event SET note = note || '!' WHERE id = $n"
	run dc migrate --to "$url"
	assert_failure 1
	assert_output "dc: the audit chain breaks at event $n on the target: nothing migrated"
	assert_equal "$(pg "$url" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0
}

@test "dc check and dc backup on PostgreSQL: the chain, the indexes (amcheck), a pg_dump archive" {
	local url url2
	url=$(pg_url ops)
	dc migrate --to "$url" >/dev/null 2>&1
	run env DC_DB="$url" dc check -f csv --fields check,ok,detail
	assert_success
	assert_line "dc: warning: amcheck is not installed in this database (CREATE EXTENSION amcheck): its indexes were not checked"
	assert_line "integrity,true,ok"
	assert_line --regexp '^audit-chain,true,[0-9]+ events verified$'
	assert_line 'catalog-imports,true,"0 unfinished imports, 0 replaced item versions, 0 running"'
	refute_line --partial wal-size
	pg "$url" "CREATE EXTENSION amcheck" >/dev/null
	run env DC_DB="$url" dc check -f csv --fields check,ok,detail
	assert_success
	assert_line "integrity,true,ok"
	refute_output --partial amcheck
	run env DC_DB="$url" dc check --repair -f csv --fields check,ok
	assert_success
	assert_line catalog-imports,true
	# a backup in pg_dump's custom format, for its owner only, that restores to the same city
	run env DC_DB="$url" dc backup "$BATS_TEST_TMPDIR/city.dump"
	assert_success
	assert_output "dc: backup written to '$BATS_TEST_TMPDIR/city.dump'"
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/city.dump")" 600
	url2=$(pg_url restored)
	pg_restore --no-owner -d "$url2" "$BATS_TEST_TMPDIR/city.dump"
	DC_DB="$url2" dc migrate --to "$BATS_TEST_TMPDIR/restored.db" >/dev/null 2>&1
	assert_equal "$(dump "$BATS_TEST_TMPDIR/restored.db" | sha256sum)" "$(dump "$DC_DB" | sha256sum)"
	# refusals: a clerk, a file that exists, no pg_dump
	run env DC_DB="$url" DC_USER=anna dc backup "$BATS_TEST_TMPDIR/x.dump"
	assert_failure 77
	assert_output --partial "permission denied: 'anna' (clerk) may not make backups"
	run env DC_DB="$url" dc backup "$BATS_TEST_TMPDIR/city.dump"
	assert_failure 73
	run env DC_DB="$url" PATH="$BIN" "$BIN/dc" backup "$BATS_TEST_TMPDIR/y.dump"
	assert_failure 69
	assert_output "dc: pg_dump is not installed (Debian: postgresql-client): no backup"
	[ ! -e "$BATS_TEST_TMPDIR/y.dump" ]
	# an event altered behind the triggers' back breaks the chain
	pg "$url" "ALTER TABLE event DISABLE TRIGGER event_no_update;
		UPDATE event SET actor = 'x' WHERE id = 3" >/dev/null
	run env DC_DB="$url" dc check -f csv --fields check,ok,detail
	assert_failure 1
	assert_line "audit-chain,false,event 3 breaks the hash chain"
}

@test "dc init on PostgreSQL: makes the schema in an empty database, migrates an older one" {
	local url v
	url=$(pg_url fresh)
	run env DC_DB="$url" dc init
	assert_success
	assert_output "dc: the PostgreSQL database is ready (schema $LATEST, made)"
	assert_equal "$(pg "$url" "SELECT user_version FROM dc_meta")" "$LATEST"
	run env DC_DB="$url" dc init
	assert_success
	assert_output "dc: the PostgreSQL database is ready (schema $LATEST)"
	# a database at the baseline (13), as a city made before the twins: they are applied
	url=$(pg_url older)
	psql -X -q -v ON_ERROR_STOP=1 -d "$url" -1 -f "$ROOT/schemas/pg/0013-baseline.sql" >/dev/null
	run env DC_DB="$url" dc init
	assert_success
	assert_output "dc: the PostgreSQL database is ready (schema $LATEST, migrated)"
	run pg "$url" "SELECT user_version FROM dc_meta;
		SELECT count(*) FROM information_schema.columns WHERE table_name = 'event'
		AND column_name IN ('who_hash', 'ref_hash')"
	assert_output "$LATEST
2"
	# and a city moved into it is as good as one moved into an empty database: not empty now
	run dc migrate --to "$url"
	assert_failure 3
	# newer than this program, and a database that is not dcity's
	pg "$url" "UPDATE dc_meta SET user_version = 9999" >/dev/null
	run env DC_DB="$url" dc init
	assert_failure 78
	assert_output "dc: the PostgreSQL database has schema version 9999; this program knows up to $LATEST: upgrade dcity"
	url=$(pg_url alien)
	pg "$url" "CREATE TABLE mine (x int)" >/dev/null
	run env DC_DB="$url" dc init
	assert_failure 69
	assert_output "dc: the PostgreSQL database is not a dcity database"
}

@test "migrate killed (kill -9) in the middle of its copy: PostgreSQL stays empty; the next run copies all" {
	local url pid n
	url=$(pg_url killed)
	# volume, so that the copy takes a while: 200,000 sent messages as the outbox keeps them
	sqlite3 "$DC_DB" "WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k
		WHERE x < 200000) INSERT INTO outbox(created_at, template, lang, recipient, subject,
		body, status) SELECT '2026-03-02T09:00:00Z', 'case-receipt', 'de',
		'r' || x || '@example.org', 'Betreff ' || x, printf('%.100c', 'x'), 'sent' FROM k"
	dc migrate --to "$url" >/dev/null 2>&1 &
	pid=$!
	for n in $(seq 400); do
		[[ $(pg "$CONN" "SELECT count(*) FROM pg_stat_activity WHERE datname = 'killed'
			AND query LIKE 'COPY %'") -gt 0 ]] && break
		sleep 0.05
	done
	((n < 400)) || fail "no COPY of dc migrate was seen"
	kill -9 "$pid"
	wait "$pid" || true
	# the server ends the dead client's transaction: nothing of it stays
	for n in $(seq 200); do
		[[ $(pg "$CONN" "SELECT count(*) FROM pg_stat_activity
			WHERE datname = 'killed'") -eq 0 ]] && break
		sleep 0.05
	done
	assert_equal "$(pg "$url" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0
	run dc migrate --to "$url" -f csv
	assert_success
	assert_line "outbox,$(sqlite3 "$DC_DB" "SELECT count(*) FROM outbox")"
}

@test "migrate: PostgreSQL's refusals become dcity's exit statuses (privileges: 77)" {
	local url
	url=$(pg_url guarded)
	pg "$CONN" "CREATE ROLE limited LOGIN" >/dev/null
	run dc migrate --to "${url/user=dcity/user=limited}"
	assert_failure 77
	assert_output --regexp '^dc: PostgreSQL: 0013-baseline: .*permission denied'
	assert_equal "$(pg "$url" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" 0
}
