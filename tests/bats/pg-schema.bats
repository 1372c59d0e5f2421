#!/usr/bin/env bats
# The PostgreSQL schema (schemas/pg/, docs/postgresql.md) against the SQLite one, and what its
# triggers guarantee, on a throwaway cluster (tests/pg/cluster) shared by the file's tests.

load helper

setup_file() {
	pg_cluster_start
}

teardown_file() {
	pg_cluster_stop
}

setup() {
	CONN=$(pg_cluster_conn)
	# the schema version: the number of the newest migration
	LATEST=$(ls "$ROOT"/schemas/sql/[0-9]*.sql | sed -n '$s|.*/0*\([0-9][0-9]*\)-.*|\1|p')
}

# pg_db NAME: a database NAME with the schemas of schemas/pg/ loaded
pg_db() {
	psql -X -q -v ON_ERROR_STOP=1 -d "$CONN" -c "CREATE DATABASE $1" >/dev/null
	local f
	for f in "$ROOT"/schemas/pg/[0-9]*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -d "$CONN" -c "\\connect $1" -1 -f "$f" >/dev/null
	done
}

# pg NAME SQL: run SQL in database NAME, rows unaligned
pg() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$CONN" -c "\\connect $1" -c "$2"
}

@test "schema-drift: the PostgreSQL schema is the SQLite schema" {
	run "$ROOT/scripts/schema-drift" --bin "$BIN" --conn "$CONN"
	assert_success
	assert_output --partial "SQLite schema $LATEST and PostgreSQL agree"
}

@test "schema-drift: a column missing on the PostgreSQL side fails the check" {
	mkdir "$BATS_TEST_TMPDIR/pg"
	cp "$ROOT"/schemas/pg/*.sql "$BATS_TEST_TMPDIR/pg/"
	# cases.device_id, and the CHECK of slot.capacity, gone from the copy
	sed -i -e '/^\tdevice_id  *text,$/d' \
		-e 's/^\(\tcapacity bigint NOT NULL\) CHECK (capacity > 0),$/\1,/' \
		"$BATS_TEST_TMPDIR/pg/0013-baseline.sql"
	run diff "$ROOT/schemas/pg/0013-baseline.sql" "$BATS_TEST_TMPDIR/pg/0013-baseline.sql"
	assert_failure 1
	assert_equal "$(grep -c '^<' <<<"$output")" 2
	run "$ROOT/scripts/schema-drift" --bin "$BIN" --conn "$CONN" \
		--pg-dir "$BATS_TEST_TMPDIR/pg"
	assert_failure 1
	assert_line "cases.device_id: column missing in PostgreSQL"
	assert_line "slot: 2 CHECK constraints in SQLite, 1 in PostgreSQL"
	assert_line --partial "schema-drift: 2 differences"
}

@test "schema-drift: a twin migration that leaves the schema version behind fails the check" {
	mkdir "$BATS_TEST_TMPDIR/pg"
	cp "$ROOT"/schemas/pg/*.sql "$BATS_TEST_TMPDIR/pg/"
	echo 'UPDATE dc_meta SET user_version = 9999;' >"$BATS_TEST_TMPDIR/pg/9999-later.sql"
	run "$ROOT/scripts/schema-drift" --bin "$BIN" --conn "$CONN" \
		--pg-dir "$BATS_TEST_TMPDIR/pg"
	assert_failure 1
	assert_line "dc_meta.user_version: PRAGMA user_version is $LATEST in SQLite, dc_meta has 9999"
}

@test "PostgreSQL schema: the audit trail is append-only but for the erasure of personal fields" {
	pg_db audit
	pg audit "INSERT INTO event(at, entity, ref, kind, actor, visibility, prev_hash, hash,
	          note, note_salt, note_hash) VALUES ('2026-03-02T09:00:00Z', 'case', '2026-000001',
	          'note', 'anna', 'internal', 'p', 'h', 'Frau Muster', 'salt', 'nh'),
	          ('2026-03-02T09:00:01Z', 'case', '2026-000001', 'status', 'anna', 'public',
	          'h', 'h2', NULL, NULL, NULL)"
	for sql in "UPDATE event SET kind = 'x' WHERE id = 1" \
		"UPDATE event SET note = NULL, note_salt = NULL, hash = 'z' WHERE id = 1" \
		"UPDATE event SET note = 'x' WHERE id = 2" \
		"DELETE FROM event WHERE id = 2" "TRUNCATE event"; do
		run pg audit "$sql"
		assert_failure
		assert_output --partial "the audit trail is append-only"
	done
	run pg audit "UPDATE event SET note = NULL, note_salt = NULL WHERE id = 1 RETURNING hash"
	assert_success
	assert_output h
	run pg audit "SELECT count(*), count(note) FROM event"
	assert_output "2|0"
	# schema 15: a member's handle as on_behalf_of and as a member event's ref, the same way
	pg audit "INSERT INTO event(at, entity, ref, kind, actor, on_behalf_of, visibility,
	          prev_hash, hash, who_salt, who_hash, ref_salt, ref_hash) VALUES
	          ('2026-03-02T09:00:02Z', 'member', 'muster', 'created', 'portal', 'muster',
	          'internal', 'h2', 'h3', 's1', 'wh', 's2', 'rh')"
	for sql in "UPDATE event SET on_behalf_of = NULL WHERE id = 3" \
		"UPDATE event SET ref = 'x', ref_salt = NULL WHERE id = 3" \
		"UPDATE event SET on_behalf_of = NULL, who_salt = NULL, who_hash = NULL WHERE id = 3" \
		"UPDATE event SET ref = '-', ref_salt = NULL WHERE id = 2"; do
		run pg audit "$sql"
		assert_failure
		assert_output --partial "the audit trail is append-only"
	done
	run pg audit "UPDATE event SET on_behalf_of = NULL, who_salt = NULL, ref = '-',
	              ref_salt = NULL WHERE id = 3 RETURNING ref, hash"
	assert_success
	assert_output -- "-|h3"
}

@test "PostgreSQL schema: catalog search folds German, skips staged items, forgets row_hash" {
	pg_db search
	pg search "INSERT INTO vendor(id, name, created_at, catalog_gen) VALUES ('v', 'V', 't', 1);
	           INSERT INTO catalog_item(vendor, sku, name, description, updated_at, gen,
	           row_hash) VALUES ('v', 'A-1', 'Schraube Größe 5', 'Müllerstraße', 't', 1, 7);
	           INSERT INTO catalog_import(id, vendor, source, sha256, format, mode, added,
	           changed, unchanged, discontinued, rejected, at, actor, state, first_id)
	           VALUES (2, 'v', 'f', 's', 'csv', 'full', 0, 0, 0, 0, 0, 't', 'a', 'staging', 1);
	           INSERT INTO catalog_item(vendor, sku, name, updated_at, gen)
	           VALUES ('v', 'A-2', 'Groesse staged', 't', 2)"
	run pg search "SELECT id FROM catalog_fts WHERE doc @@ to_tsquery('dc_search',
	               dc_fold('GROESSE') || ' & ' || dc_fold('mullerstrasse'))"
	assert_output 1
	run pg search "SELECT id FROM catalog_fts WHERE doc @@ to_tsquery('dc_search',
	               dc_fold('größe')) ORDER BY id"
	assert_output 1
	run pg search "UPDATE catalog_item SET name = 'Mutter' WHERE id = 1
	               RETURNING row_hash IS NULL"
	assert_output t
	run pg search "SELECT id FROM catalog_fts WHERE doc @@ to_tsquery('dc_search', 'mutter')"
	assert_output 1
	run pg search "DELETE FROM catalog_item WHERE id = 1; SELECT count(*) FROM catalog_fts"
	assert_output 0
}
