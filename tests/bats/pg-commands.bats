#!/usr/bin/env bats
# The commands on PostgreSQL (docs/postgresql.md "The backend"): the same city on both engines
# gives the same output and exit status, command by command; BEGIN IMMEDIATE's one writer at
# a time; one audit chain under concurrent writers.  On a throwaway cluster (tests/pg/cluster).

bats_require_minimum_version 1.5.0
load helper
load pg-helper

setup_file() {
	pg_cluster_start
}

teardown_file() {
	pg_cluster_stop
}

teardown() {
	if [[ -n ${STANDBY:-} ]]; then
		"$ROOT/tests/pg/cluster" stop "$STANDBY"
	fi
	db_teardown
}

setup() {
	CONN=$(pg_cluster_conn)
	fresh_db
	cached_setup pg_rich_city C1 PO
	export DC_USER=root
	PGDB=$(pg_url "t$BATS_TEST_NUMBER")
	dc migrate --to "$PGDB" -q >/dev/null
}

# r CMD...: the command line, then what it printed (stderr too) and its exit status
r() {
	local rc=0
	echo "\$ $*"
	"$@" 2>&1 || rc=$?
	echo "rc=$rc"
}

# both FUNCTION: FUNCTION's transcript on the SQLite city and on its copy on PostgreSQL must
# be the same, but the random tracking tokens
both() {
	local sq=$BATS_TEST_TMPDIR/sqlite.out pgo=$BATS_TEST_TMPDIR/pg.out
	(DC_DB=$DC_DB "$1") >"$sq" 2>&1
	(DC_DB=$PGDB "$1") >"$pgo" 2>&1
	sed -i -E 's/"token":"[0-9a-f]{32}"/"token":"T"/' "$sq" "$pgo"
	# the transcript ran, and failures of both engines alike are compared too
	[[ $(grep -c '^rc=0$' "$sq") -ge ${2:-10} ]] || fail "$(cat "$sq")"
	run diff "$sq" "$pgo"
	assert_success
}

day() {
	export DC_USER=root
	r dc-case new --service pothole --attr size=small --address "Markt 2" \
		--description "Tiefes Loch" --email eva@example.org
	r dc-case new --service parking --description "Ausweis bitte" --name "Otto Normal"
	r dc-case new --service nope --description "x"
	export DC_USER=anna
	r dc-assign queue --dept tiefbau
	r dc-assign claim 2026-000002
	r dc-case note 2026-000002 "Ortstermin vereinbart, 'Ecke' \\ Markt"
	r dc-case status 2026-000002 in_progress
	r dc-case status 2026-000002 bogus
	r dc-case list --status in_progress -f csv
	export DC_USER=hanna
	r dc-assign give "$C1" --to bernd
	r dc-assign list
	r dc-case history 2026-000002
	r dc-case status 2026-000002 resolved --note "Verfüllt"
	r dc-case show 2026-000002 "$C1" --history
	r dc-assign overview
	r dc-case hold "$C1" --reason "Rechtsstreit"
	r dc-case show "$C1"
	export DC_USER=clara
	r dc-assign claim --next --dept buergerbuero
	r dc-assign away clara --from 2026-03-03 --until 2026-03-05 --deputy anna
	export DC_USER=root
	r dc-feed member add lena --name "Lena Sommer" --kind citizen --email lena@example.org
	r dc-feed post --author lena --title "Flohmarkt" --body "Samstag am Markt" --topics kultur
	r dc-feed follow lena --topic kultur
	r dc-feed list
	r dc-feed member list
	r dc-subject find --member lena
	r dc-subject erase --member lena
	r dc-subject find --member lena
	r dc-feed list
	r dc-case status 2026-000002 closed
	r dc-case purge --closed-before 2026-04-01 --limit 1
	r dc-case service set pothole --archive destroy
	r dc-case purge --closed-before 2026-04-01
	r dc purge --retention
	r dc-notify escalate
	r dc-notify list
	r dc-case verify
}

reads() {
	export DC_USER=root
	r dc config
	r dc-case list -f tsv
	r dc-case service list
	r dc-assign dept list
	r dc-assign staff list -f csv
	r dc-assign holiday list
	export DC_USER=ines
	local x
	for x in cases case-events services orders budgets catalog products shop-orders \
		notifications posts events report board; do
		r dc-export "$x"
	done
	# formats that read a query's columns before its rows
	for x in open311-xml open311-json geojson; do
		r dc-export cases -f "$x"
	done
	r dc-export services -f open311-xml
	r dc-export orders -f ocds
	export DC_USER=bob
	r dc-order list
	r dc-order show "$PO"
	r dc-order show "$PO" -f opentrans
	r dc-order vendor list
	r dc-order budget list
	r dc-order invoice list
	r dc-order framework list
	r dc-order catalog search porto --fields id,name,price
	r dc-order catalog search "zeitschrift porto"
	export DC_USER=root
	r dc-shop merchant list
	r dc-shop product list
	r dc-shop order list
	r dc-feed moderation
	r dc-notify list
	r dc-notify plan
	r dc-archive status
	r dc-subject find --email a@b.example
	r dc-subject find --member bleibt
	r dc-subject find --name "Hanna Kopf"
}

# a vendor's catalog imported and replaced: the search index kept in bulk on both engines
catalogs() {
	export DC_USER=bob
	r dc-order vendor add acme --name "Acme Bürobedarf" --email a@acme.example
	r dc-order catalog import "$FIXTURES/catalog-full-1.csv" --vendor acme
	r dc-order catalog search füller --fields id,name,price
	r dc-order catalog search tinte --fields id,name,price
	r dc-order catalog import "$FIXTURES/catalog-full-2.csv" --vendor acme
	r dc-order catalog search füller --fields id,name,price
	r dc-order catalog search tinte --fields id,name,price
	r dc-order catalog show acme:F-1
	r dc-export catalog
}

@test "pg: a day of work gives the same output and exit status on SQLite and PostgreSQL" {
	both day 20
}

@test "pg: every list and export of a city with something of every kind reads the same" {
	both reads 30
}

@test "pg: a catalog imported and replaced is searched the same on both engines" {
	both catalogs 8
	# the search index holds the live versions only, as FTS5's does on SQLite
	assert_equal "$(pg "$PGDB" "SELECT count(*) FROM catalog_fts")" \
		"$(sqlite3 "$DC_DB" "SELECT count(*) FROM catalog_fts")"
}

@test "pg: dc-import git on PostgreSQL: one import at a time by an advisory lock" {
	local repo=$BATS_TEST_TMPDIR/repo holder
	git init -q -b main "$repo"
	mkdir "$repo/catalogs"
	cp "$FIXTURES/catalog-full-1.csv" "$repo/catalogs/acme--main.csv"
	git -C "$repo" add -A
	git -C "$repo" -c user.name=T -c user.email=t@example.org commit -qm "a catalog"
	DC_DB=$PGDB DC_USER=bob dc-order vendor add acme --name "Acme" -q >/dev/null
	# another import holds the city's import lock (a file beside a SQLite database)
	psql -X -q -d "$PGDB" -c "SELECT pg_advisory_lock(1145260373)" -c "SELECT pg_sleep(3)" &
	holder=$!
	sleep 1
	run env DC_DB="$PGDB" DC_USER=paul dc-import git "$repo" --path catalogs --busy-timeout 300
	assert_failure 75
	assert_output "dc-import: another dc-import holds the city's import lock; retry later"
	wait "$holder"
	run env DC_DB="$PGDB" DC_USER=paul dc-import git "$repo" --path catalogs -f csv \
		--fields vendor,added
	assert_success
	assert_line "acme,3"
	run env DC_DB="$PGDB" DC_USER=bob dc-order catalog search tinte --fields id
	assert_line '{"id":"acme:F-2"}'
}

@test "pg: one writer at a time; a second one gives up after --busy-timeout with exit 75" {
	local holder
	# a writer's transaction holds the lock every writer takes (BEGIN IMMEDIATE's)
	psql -X -q -d "$PGDB" -c "BEGIN" -c "SELECT pg_advisory_xact_lock(1145260372)" \
		-c "SELECT pg_sleep(4)" -c "COMMIT" &
	holder=$!
	sleep 1
	SECONDS=0
	run env DC_DB="$PGDB" DC_USER=anna dc-case note "$C1" "wartet" --busy-timeout 500
	assert_failure 75
	assert_output "dc-case: database is locked (gave up after 500 ms); retry later"
	# readers are never blocked
	run env DC_DB="$PGDB" dc-case show "$C1" -f csv --fields id
	assert_success
	[[ $SECONDS -lt 3 ]] || fail "waited ${SECONDS}s"
	# nothing was written; the next writer after the holder is served
	assert_equal "$(pg "$PGDB" "SELECT count(*) FROM event WHERE note = 'wartet'")" 0
	run env DC_DB="$PGDB" DC_USER=anna dc-case note "$C1" "wartet" --busy-timeout 10000
	assert_success
	wait "$holder"
	assert_equal "$(pg "$PGDB" "SELECT count(*) FROM event WHERE note = 'wartet'")" 1
}

@test "pg: eight writers at once keep one unbroken audit chain" {
	local i n before
	before=$(pg "$PGDB" "SELECT count(*) FROM event")
	for i in 1 2 3 4 5 6 7 8; do
		(for n in 1 2 3 4 5; do
			DC_DB=$PGDB DC_USER=anna dc-case note "$C1" "Schreiber $i, Notiz $n" -q ||
				echo "writer $i failed" >&2
		done) &
	done
	wait
	assert_equal "$(pg "$PGDB" "SELECT count(*) FROM event")" $((before + 40))
	# every event follows the one before it: no fork in the chain
	assert_equal "$(pg "$PGDB" "SELECT count(DISTINCT prev_hash) FROM event")" \
		"$(pg "$PGDB" "SELECT count(*) FROM event")"
	run env DC_DB="$PGDB" dc-case verify
	assert_success
	assert_output "dc-case: audit chain intact: $((before + 40)) events verified"
}

# copies N: N copies of case C1 (X1, X2, …) in place of those before, made by SQL (no audit
# events: the exports read the cases only)
copies() {
	pg "$PGDB" "DELETE FROM cases WHERE id LIKE 'X%'" >/dev/null
	pg "$PGDB" "INSERT INTO cases(id, service, dept, status, priority, description,
		attributes, media, channel, token_hash, created_at, updated_at, due_at)
		SELECT 'X' || g, service, dept, status, priority, description || g,
		attributes, media, channel, token_hash, created_at, updated_at, due_at
		FROM cases, generate_series(1, $1) g WHERE id = '$C1'" >/dev/null
}

@test "pg: an export streams its rows through a cursor, in constant memory" {
	local n rss small
	# no quarantine of freed memory, which the sanitizer would count
	for n in 5000 50000; do
		copies "$n"
		rss=$(ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=0 DC_DB=$PGDB DC_USER=ines \
			/usr/bin/time -f %M dc-export cases -f csv 2>&1 \
			>"$BATS_TEST_TMPDIR/cases.csv")
		assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/cases.csv")" $((n + 2))
		small=${small:-$rss}
	done
	# ten times the rows, not more memory: fetched all at once, 45,000 more cases would
	# take some 25 MB
	[[ $rss -lt $((small + 4096)) ]] || fail "5,000 cases: $small KiB; 50,000 cases: $rss KiB"
}

@test "pg: a query of a batch of rows reads them at once; one row more goes through a cursor" {
	local n have trace=$BATS_TEST_TMPDIR/trace
	have=$(pg "$PGDB" "SELECT count(*) FROM cases")
	# BATCH (lib/core/pgdb.c) is 1000: first exactly that many cases, then one more
	for n in 1000 1001; do
		copies $((n - have))
		DC_PG_TRACE=1 DC_DB=$PGDB DC_USER=ines dc-export cases -f csv --fields id \
			>"$BATS_TEST_TMPDIR/ids.csv" 2>"$trace"
		# every case once
		assert_equal "$(sed 1d "$BATS_TEST_TMPDIR/ids.csv" | sort -u | wc -l)" "$n"
		assert_equal "$(sed 1d "$BATS_TEST_TMPDIR/ids.csv" | wc -l)" "$n"
		# first asked for a batch and a row; a cursor only when that row came
		grep -q "FROM cases c .* LIMIT 1001 -> PGRES_TUPLES_OK" "$trace" ||
			fail "$(cat "$trace")"
		if [[ $n == 1000 ]]; then
			run grep -c "DECLARE dc_c" "$trace"
			assert_output 0
		else
			grep -q "DECLARE dc_c[0-9]* NO SCROLL CURSOR FOR .* FROM cases c " "$trace" ||
				fail "$(cat "$trace")"
		fi
	done
}

@test "pg: a statement run again and again is prepared once on the server, with SQLite's output" {
	local i trace=$BATS_TEST_TMPDIR/trace
	# twelve reports, every third without an e-mail address (a NULL: another statement)
	for i in $(seq 1 12); do
		printf '{"service":"pothole","attributes.size":"small","description":"Loch %d"%s}\n' \
			"$i" "$( ((i % 3)) && printf ',"email":"b%d@example.org"' "$i")"
	done >"$BATS_TEST_TMPDIR/intake.jsonl"
	DC_USER=anna dc-case new - <"$BATS_TEST_TMPDIR/intake.jsonl" >"$BATS_TEST_TMPDIR/sqlite.out"
	DC_PG_TRACE=1 DC_DB=$PGDB DC_USER=anna dc-case new - <"$BATS_TEST_TMPDIR/intake.jsonl" \
		>"$BATS_TEST_TMPDIR/pg.out" 2>"$trace"
	sed -i -E 's/"token":"[0-9a-f]{32}"/"token":"T"/' "$BATS_TEST_TMPDIR"/*.out
	run diff "$BATS_TEST_TMPDIR/sqlite.out" "$BATS_TEST_TMPDIR/pg.out"
	assert_success
	# the event, the case with and without its NULL, the lookups: each text prepared once
	# (at its fifth run), then run by its name with the values as parameters
	[[ $(grep -c '^pg: prepare dc_p[0-9]*: .* -> ok$' "$trace") -ge 4 ]] ||
		fail "$(cat "$trace")"
	run bash -c "grep '^pg: prepare ' '$trace' | sed 's/dc_p[0-9]*//' | sort | uniq -d"
	assert_output ""
	grep -q '^pg: prepared: INSERT INTO event(.*VALUES (\$1, ' "$trace" || fail "$(cat "$trace")"
	# the first four runs of a text went with literals
	assert_equal "$(grep -c "^pg: INSERT INTO cases(.*'Loch [0-9]*'" "$trace")" 8
	# inside the write transaction lookups are single statements: no cursor
	run grep -c "DECLARE" "$trace"
	assert_output 0
}

@test "pg: a text PostgreSQL cannot type runs with literals; the NOT NULL columns known are the catalog's" {
	local unit=$ROOT/build/san/unit/test_pgdb
	[[ -x $unit ]] || skip "no $unit: make check builds it"
	# the database interface on this city (tests/unit/test_pgdb.c, test_live_*): prepared
	# statements, and the columns whose NULL order the translation leaves to the index
	run env DC_TEST_PG_CITY="$PGDB" DC_PG_TRACE=1 "$unit"
	assert_success
	assert_line --partial "[  PASSED  ] 2 test(s)."
	# at its fifth run the prepare failed, inside a savepoint; the later runs had literals
	assert_line "pg: prepare dc_p1: SELECT concat(\$1, '!') LIMIT 1001 -> ERROR:  could not determine data type of parameter \$1"
	assert_line "pg: SELECT concat('x11''', '!') LIMIT 1001 -> PGRES_TUPLES_OK"
	# ?1 IS NULL: NULL IS NULL or 0 IS NULL, each text prepared
	assert_line --regexp '^pg: prepare dc_p[0-9]: SELECT count.* \(NULL IS NULL OR key = NULL\) LIMIT 1001 -> ok$'
	assert_line --regexp '^pg: prepared: SELECT count.* \(0 IS NULL OR key = \$1\) LIMIT 1001 -> PGRES_TUPLES_OK$'
	assert_equal "$(pg "$PGDB" "SELECT value FROM setting WHERE key = 'test.prepared'")" ja
}

@test "pg: erasing a person's data on PostgreSQL frees the old row versions (VACUUM)" {
	local before
	before=$(pg "$PGDB" "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'member'")
	run env DC_DB="$PGDB" dc-subject erase --member bleibt -f csv --fields entity,action
	assert_success
	assert_line "member,delete"
	assert_equal "$(pg "$PGDB" "SELECT count(*) FROM member WHERE handle = 'bleibt'")" 0
	assert_equal "$(pg "$PGDB" "SELECT vacuum_count > $before FROM pg_stat_user_tables
		WHERE relname = 'member'")" t
	# a dry run removes nothing and vacuums nothing
	before=$(pg "$PGDB" "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'member'")
	run env DC_DB="$PGDB" dc-subject erase --email a@b.example -n
	assert_equal "$(pg "$PGDB" "SELECT vacuum_count FROM pg_stat_user_tables
		WHERE relname = 'member'")" "$before"
}

@test "pg: exports read from a hot standby (DC_DB_READ); a write there is refused clearly" {
	local sdb i
	STANDBY=$("$ROOT/tests/pg/cluster" standby "$CONN")
	sdb=$(sed "s|/postgres?|/t$BATS_TEST_NUMBER?|" <<<"$STANDBY")
	# written on the primary, streamed to the standby
	DC_DB=$PGDB DC_USER=anna dc-case note "$C1" "nach der Sicherung" -q
	for i in $(seq 50); do
		[[ $(pg "$sdb" "SELECT count(*) FROM event
			WHERE note = 'nach der Sicherung'") = 1 ]] && break
		sleep 0.2
	done
	assert_equal "$(pg "$sdb" "SELECT pg_is_in_recovery()")" t
	# the export reads the standby: the same lines as from the primary
	DC_DB=$PGDB DC_USER=ines dc-export case-events -f csv >"$BATS_TEST_TMPDIR/primary.csv"
	run env DC_DB="$PGDB" DC_DB_READ="$sdb" DC_USER=ines dc-export case-events -f csv
	assert_success
	assert_output "$(cat "$BATS_TEST_TMPDIR/primary.csv")"
	assert_line --partial "nach der Sicherung"
	# and not DC_DB: one that does not exist is not opened
	run env DC_DB="$(sed "s|/postgres?|/nosuchdb?|" <<<"$CONN")" DC_DB_READ="$sdb" \
		DC_USER=ines dc-export cases -f csv --fields id
	assert_success
	assert_line "$C1"
	# only exports: other commands use DC_DB, and a write on the standby is refused
	run env DC_DB="$sdb" DC_USER=anna dc-case note "$C1" "auf dem Standby"
	assert_failure 69
	assert_output --partial "the PostgreSQL database takes no writes (a hot standby?): write to the primary"
	# a SQLite city ignores it
	run env DC_DB_READ="$sdb" DC_USER=ines dc-export cases -f csv --fields id
	assert_success
	assert_line "$C1"
}

@test "pg: a city at an older schema is refused with what to do; what has no translation says so" {
	pg "$PGDB" "UPDATE dc_meta SET user_version = user_version - 1"
	run env DC_DB="$PGDB" dc-case list
	assert_failure 78
	assert_output --regexp "^dc-case: the PostgreSQL database has schema version [0-9]+, this program [0-9]+: run dc init to migrate it$"
	pg "$PGDB" "UPDATE dc_meta SET user_version = user_version + 1"
	run env DC_DB="$PGDB" DC_USER=ines dc-export sql "SELECT rowid FROM cases"
	assert_failure 65
	assert_output "dc-export: sql: rowid is SQLite's and has no PostgreSQL translation (docs/postgresql.md)"
	# the parameters are literals in the statement, quoted: no text is SQL
	run env DC_DB="$PGDB" DC_USER=anna dc-case note "$C1" "x'); DROP TABLE cases; --"
	assert_success
	assert_equal "$(pg "$PGDB" "SELECT count(*) FROM cases")" 1
	assert_equal "$(pg "$PGDB" "SELECT note FROM event WHERE kind = 'note' ORDER BY id DESC LIMIT 1")" \
		"x'); DROP TABLE cases; --"
}
