#!/usr/bin/env bats
# dc-import: the catalog batch jobs (spool folder, git repository) and the dc-cron wrapper
# (dc-import(8)).

load helper

# The city of helper.bash, three vendors, a spool folder; the jobs run as paul (integrator).
setup() {
	seed_city
	export DC_USER=bob
	dc-order vendor add acme --name "Acme" >/dev/null
	dc-order vendor add zeta --name "Zeta" >/dev/null
	dc-order vendor add mueller --name "Müller & Söhne" >/dev/null
	export DC_USER=paul
	SPOOL=$BATS_TEST_TMPDIR/spool
	mkdir -p "$SPOOL/incoming"
}

db() { dbsql "$1"; }

items() { db "select count(*) from catalog_item where vendor = '$1'"; }

# Print field F of every JSONL record on stdin, one per line.
field() {
	$PY -c 'import json,sys
for l in sys.stdin:
    if not l.strip(): continue
    v = json.loads(l)[sys.argv[1]]
    print("null" if v is None else json.dumps(v) if isinstance(v, (bool, list, dict)) else v)' "$1"
}

# Keys K1,K2,... of the JSON text in FILE as "v1 v2 ...".
logfields() {
	$PY -c 'import json,sys
o = json.load(open(sys.argv[1]))
print(" ".join(json.dumps(o[k]) if isinstance(o[k], (bool, type(None))) else str(o[k]) for k in sys.argv[2].split(",")))' "$1" "$2"
}

drop() { cp "$FIXTURES/$1" "$SPOOL/incoming/$2"; }

# --- spool --------------------------------------------------------------------------------

@test "spool: CSV, German CSV, JSON and BMEcat are imported, summarised and moved to done/ with a log" {
	drop catalog-full-1.csv acme--full.csv
	drop catalog-de.csv zeta--de.csv
	drop catalog-array.json mueller--array.json
	cp "$FIXTURES/bmecat-2005-catalog.xml" "$SPOOL/incoming/acme--x.xml"
	run dc-import spool "$SPOOL"
	assert_success
	assert_equal "${#lines[@]}" 4
	# files in name order, one record each
	run field source <<<"$output"
	assert_output "$(printf 'acme--full.csv\nacme--x.xml\nmueller--array.json\nzeta--de.csv')"
	run dc-import spool "$SPOOL"
	assert_success
	assert_output ""
	assert_equal "$(ls -A "$SPOOL/incoming")" ""
	assert_equal "$(cd "$SPOOL/done" && ls | tr '\n' ' ')" \
		"acme--full.csv acme--full.csv.log acme--x.xml acme--x.xml.log mueller--array.json mueller--array.json.log zeta--de.csv zeta--de.csv.log "
	assert_equal "$(ls -A "$SPOOL/failed")" ""
	cmp "$SPOOL/done/zeta--de.csv" "$FIXTURES/catalog-de.csv"
	run logfields "$SPOOL/done/zeta--de.csv.log" status,vendor,source,format,added,changed,unchanged,discontinued,rejected,commit
	assert_output "done zeta zeta--de.csv csv 3 0 0 0 0 null"
	run logfields "$SPOOL/done/acme--x.xml.log" status,vendor,format,sha256
	assert_output "done acme bmecat $(sha256sum "$FIXTURES/bmecat-2005-catalog.xml" | cut -d' ' -f1)"
	run logfields "$SPOOL/done/mueller--array.json.log" status,format,added
	assert_output "done json 3"
	assert_equal "$(db "select count(*) from catalog_import")" 4
	assert_equal "$(items zeta)" 3
	assert_equal "$(db "select price from catalog_item where vendor = 'zeta' and sku = 'SC-2'")" 12345000
}

@test "spool: a malformed file exits 65, goes to failed/ with a log naming file, line and error; nothing written" {
	drop catalog-full-1.csv acme--full.csv
	dc-import spool "$SPOOL" >/dev/null
	before=$(items acme)
	imports=$(db "select count(*) from catalog_import")
	drop catalog-unterminated.csv acme--broken.csv
	drop catalog-full-2.csv zeta--ok.csv
	run dc-import spool "$SPOOL"
	assert_failure 65
	assert_line --partial "acme--broken.csv:2: field 'name': quoted field not closed before the end of the file"
	# the good file of the same run is imported all the same
	assert_line --partial '"source":"zeta--ok.csv"'
	assert_equal "$(items acme)" "$before"
	assert_equal "$(db "select count(*) from catalog_import where vendor = 'acme'")" 1
	assert_equal "$(db "select count(*) from catalog_import")" $((imports + 1))
	assert [ -f "$SPOOL/failed/acme--broken.csv" ]
	assert [ ! -e "$SPOOL/incoming/acme--broken.csv" ]
	assert [ -f "$SPOOL/done/zeta--ok.csv" ]
	run logfields "$SPOOL/failed/acme--broken.csv.log" status,file,exit
	assert_output "failed acme--broken.csv 65"
	run logfields "$SPOOL/failed/acme--broken.csv.log" error
	assert_output --regexp "acme--broken\.csv:2: field 'name': quoted field not closed"
	# a malformed BMEcat likewise
	cp "$FIXTURES/bmecat-malformed.xml" "$SPOOL/incoming/acme--bad.xml"
	run dc-import spool "$SPOOL"
	assert_failure 65
	assert [ -f "$SPOOL/failed/acme--bad.xml.log" ]
	assert_equal "$(items acme)" "$before"
}

@test "spool: a file still being written (dot name) stays in incoming/" {
	drop catalog-full-1.csv .acme--full.csv
	drop catalog-full-2.csv zeta--full.csv
	run dc-import spool "$SPOOL"
	assert_success
	assert_equal "${#lines[@]}" 1
	assert [ -f "$SPOOL/incoming/.acme--full.csv" ]
	assert [ ! -e "$SPOOL/done/.acme--full.csv" ]
	assert_equal "$(items acme)" 0
	# renamed into place when complete, it is taken by the next run
	mv "$SPOOL/incoming/.acme--full.csv" "$SPOOL/incoming/acme--full.csv"
	run dc-import spool "$SPOOL"
	assert_success
	assert_output --partial '"vendor":"acme"'
	assert_equal "$(items acme)" 3
}

@test "spool: a symlink in incoming/ is refused: failed/, exit 65, nothing of its target read" {
	ln -s /etc/passwd "$SPOOL/incoming/acme--passwd.csv"
	mkdir "$SPOOL/incoming/acme--dir.csv"
	run dc-import spool "$SPOOL"
	assert_failure 65
	assert_output --partial "acme--passwd.csv: not a regular file (symlinks are refused)"
	assert_output --partial "acme--dir.csv: not a regular file"
	assert [ -L "$SPOOL/failed/acme--passwd.csv" ]
	run logfields "$SPOOL/failed/acme--passwd.csv.log" status,exit
	assert_output "failed 65"
	assert_equal "$(db "select count(*) from catalog_import")" 0
	assert_equal "$(items acme)" 0
	assert_equal "$(db "select count(*) from catalog_item where name like '%root%' or sku like '%root%'")" 0
	# the target is untouched
	assert [ -f /etc/passwd ]
}

@test "spool: a BMEcat file without VENDOR-- in its name takes the vendor from SUPPLIER_ID" {
	DC_USER=bob dc-order vendor add 314159265 --name "DUNS Lieferant" >/dev/null
	cp "$FIXTURES/bmecat-2005-catalog.xml" "$SPOOL/incoming/katalog.xml"
	run dc-import spool "$SPOOL"
	assert_success
	run field vendor <<<"$output"
	assert_output 314159265
	run logfields "$SPOOL/done/katalog.xml.log" status,vendor,format
	assert_output "done 314159265 bmecat"
}

@test "spool: an unknown vendor or a name without VENDOR-- goes to failed/" {
	drop catalog-full-1.csv nobody--full.csv
	drop catalog-full-1.csv catalog.csv
	run dc-import spool "$SPOOL"
	assert_failure 65
	assert_output --partial "nobody--full.csv: no active vendor 'nobody'"
	assert_output --partial "catalog.csv: which vendor?"
	run logfields "$SPOOL/failed/nobody--full.csv.log" status,exit
	assert_output "failed 65"
	run logfields "$SPOOL/failed/catalog.csv.log" status,exit
	assert_output "failed 64"
	assert_equal "$(db "select count(*) from catalog_import")" 0
}

@test "spool: the same content dropped again is skipped and changes nothing" {
	drop catalog-full-1.csv acme--full.csv
	dc-import spool "$SPOOL" >/dev/null
	before=$(db "select count(*), group_concat(sku || price || status) from catalog_item")
	imports=$(db "select count(*) from catalog_import")
	drop catalog-full-1.csv acme--full.csv
	run dc-import spool "$SPOOL"
	assert_success
	run field skipped <<<"$output"
	assert_output true
	assert_equal "$(db "select count(*), group_concat(sku || price || status) from catalog_item")" "$before"
	assert_equal "$(db "select count(*) from catalog_import")" "$imports"
	# moved next to the first copy, never over it
	assert [ -f "$SPOOL/done/acme--full.csv" ]
	assert [ -f "$SPOOL/done/acme--full.csv.1" ]
	run logfields "$SPOOL/done/acme--full.csv.1.log" status,id
	assert_output "done 1"
}

@test "spool: crash after commit, before the move: the re-run skips the file and moves it to done/" {
	cp "$FIXTURES/catalog-full-1.csv" "$BATS_TEST_TMPDIR/acme--full.csv"
	dc-order catalog import "$BATS_TEST_TMPDIR/acme--full.csv" >/dev/null
	before=$(db "select count(*), group_concat(sku || price || status) from catalog_item")
	drop catalog-full-1.csv acme--full.csv
	run dc-import spool "$SPOOL"
	assert_success
	run field skipped <<<"$output"
	assert_output true
	assert [ -f "$SPOOL/done/acme--full.csv" ]
	assert [ ! -e "$SPOOL/incoming/acme--full.csv" ]
	assert_equal "$(db "select count(*) from catalog_import")" 1
	assert_equal "$(db "select count(*), group_concat(sku || price || status) from catalog_item")" "$before"
}

@test "spool: an empty incoming/ is no work; a missing one exits 66; roles are checked (77)" {
	run dc-import spool "$SPOOL"
	assert_success
	assert_output ""
	assert [ -d "$SPOOL/done" ]
	assert [ -d "$SPOOL/failed" ]
	run dc-import spool "$BATS_TEST_TMPDIR/nowhere"
	assert_failure 66
	drop catalog-full-1.csv acme--full.csv
	DC_USER=anna run dc-import spool "$SPOOL"
	assert_failure 77
	assert [ -f "$SPOOL/incoming/acme--full.csv" ]
	DC_USER=bob run dc-import spool "$SPOOL"
	assert_success
	run dc-import spool
	assert_failure 64
}

@test "spool: --dry-run checks the files but writes nothing and leaves them in incoming/" {
	drop catalog-full-1.csv acme--full.csv
	drop catalog-unterminated.csv zeta--broken.csv
	run dc-import -n spool "$SPOOL"
	assert_failure 65
	assert_output --partial "zeta--broken.csv:2: field 'name': quoted field not closed before the end of the file"
	assert [ -f "$SPOOL/incoming/acme--full.csv" ]
	assert [ -f "$SPOOL/incoming/zeta--broken.csv" ]
	assert_equal "$(ls -A "$SPOOL/done" "$SPOOL/failed" | grep -c .)" 2 # the two headers only
	assert_equal "$(db "select count(*) from catalog_import")" 0
	run dc-import spool "$SPOOL"
	assert_failure 65
	assert [ -f "$SPOOL/done/acme--full.csv" ]
	assert [ -f "$SPOOL/failed/zeta--broken.csv" ]
	assert_equal "$(items acme)" 3
}

# --- concurrency ------------------------------------------------------------------------

@test "concurrency: two runs started together import each file exactly once" {
	local v
	for v in acme zeta mueller; do
		for i in 1 2; do
			printf 'sku,name,unit,price\n%s-%s,Artikel %s,C62,%s.00\n' "$v" "$i" "$i" "$i" \
				>"$SPOOL/incoming/$v--$i.csv"
		done
	done
	dc-import --busy-timeout 30000 spool "$SPOOL" >"$BATS_TEST_TMPDIR/o1" 2>"$BATS_TEST_TMPDIR/e1" &
	p1=$!
	dc-import --busy-timeout 30000 spool "$SPOOL" >"$BATS_TEST_TMPDIR/o2" 2>"$BATS_TEST_TMPDIR/e2" &
	p2=$!
	wait $p1 && wait $p2
	assert_equal "$(cat "$BATS_TEST_TMPDIR/e1" "$BATS_TEST_TMPDIR/e2")" ""
	assert_equal "$(cat "$BATS_TEST_TMPDIR/o1" "$BATS_TEST_TMPDIR/o2" | wc -l)" 6
	assert_equal "$(db "select count(*) from catalog_import")" 6
	assert_equal "$(db "select count(distinct source) from catalog_import")" 6
	assert_equal "$(ls "$SPOOL/done" | grep -cv '\.log$')" 6
	assert_equal "$(ls "$SPOOL/done" | grep -c '\.csv\.[0-9]')" 0
	assert_equal "$(ls -A "$SPOOL/failed")" ""
	assert_equal "$(ls -A "$SPOOL/incoming")" ""
}

@test "concurrency: with the lock held, a run with --busy-timeout 200 exits 75 and leaves the files" {
	drop catalog-full-1.csv acme--full.csv
	flock "$SPOOL/.lock" sleep 3 &
	holder=$!
	sleep 0.5
	run dc-import --busy-timeout 200 spool "$SPOOL"
	assert_failure 75
	assert_output --partial "retry later"
	assert [ -f "$SPOOL/incoming/acme--full.csv" ]
	assert_equal "$(db "select count(*) from catalog_import")" 0
	wait $holder
	run dc-import spool "$SPOOL"
	assert_success
	assert [ -f "$SPOOL/done/acme--full.csv" ]
}

# --- git --------------------------------------------------------------------------------

git_repo() {
	REPO=$BATS_TEST_TMPDIR/repo
	git init -q -b main "$REPO"
	git -C "$REPO" config user.email test@example.org
	git -C "$REPO" config user.name Test
	mkdir "$REPO/catalogs"
	cp "$FIXTURES/catalog-full-1.csv" "$REPO/catalogs/acme--main.csv"
	cp "$FIXTURES/catalog-de.csv" "$REPO/catalogs/zeta--main.csv"
	echo "Kataloge der Lieferanten" >"$REPO/README"
	git -C "$REPO" add -A
	git -C "$REPO" commit -qm "two catalogs"
}

commit_all() { git -C "$REPO" add -A && git -C "$REPO" commit -qm "$1"; }

@test "git: imports the catalogs of a commit once, records the commit, then only what changed" {
	git_repo
	head=$(git -C "$REPO" rev-parse HEAD)
	run dc-import git "$REPO" --path catalogs
	assert_success
	assert_equal "${#lines[@]}" 2
	run field commit <<<"$output"
	assert_output "$(printf '%s\n%s' "$head" "$head")"
	assert_equal "$(db "select group_concat(vendor || ':' || commit_id, ' ') from catalog_import")" "acme:$head zeta:$head"
	assert_equal "$(db "select commit_id from import_source")" "$head"
	# no new commit: nothing to do
	run dc-import git "$REPO" --path catalogs
	assert_success
	assert_output ""
	# a commit that changes one file imports that file only
	cp "$FIXTURES/catalog-full-2.csv" "$REPO/catalogs/acme--main.csv"
	echo more >>"$REPO/README"
	commit_all "acme prices"
	head=$(git -C "$REPO" rev-parse HEAD)
	run dc-import git "$REPO" --path catalogs
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_output --partial '"vendor":"acme"'
	assert_output --partial "\"commit\":\"$head\""
	assert_output --partial '"changed":1'
	assert_equal "$(db "select count(*) from catalog_import")" 3
	assert_equal "$(db "select commit_id from import_source")" "$head"
}

@test "git: a malformed file exits 65 and is retried, the position held, until a commit fixes it" {
	git_repo
	dc-import git "$REPO" --path catalogs >/dev/null
	good=$(git -C "$REPO" rev-parse HEAD)
	imports=$(db "select count(*) from catalog_import")
	cp "$FIXTURES/catalog-unterminated.csv" "$REPO/catalogs/acme--main.csv"
	commit_all "broken"
	for run in 1 2; do
		run dc-import git "$REPO" --path catalogs
		assert_failure 65
		assert_output --partial ": catalogs/acme--main.csv:2: field 'name': quoted field not closed before the end of the file"
		assert_output --partial "quoted field not closed"
		assert_equal "$(db "select commit_id from import_source")" "$good"
		assert_equal "$(db "select count(*) from catalog_import")" "$imports"
		assert_equal "$(items acme)" 3
	done
	cp "$FIXTURES/catalog-full-2.csv" "$REPO/catalogs/acme--main.csv"
	commit_all "fixed"
	fixed=$(git -C "$REPO" rev-parse HEAD)
	run dc-import git "$REPO" --path catalogs
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_output --partial "\"commit\":\"$fixed\""
	assert_equal "$(db "select commit_id from import_source")" "$fixed"
	run dc-import git "$REPO" --path catalogs
	assert_success
	assert_output ""
}

@test "git: --dry-run imports nothing and keeps the position" {
	git_repo
	run dc-import -n git "$REPO" --path catalogs
	assert_success
	assert_equal "$(db "select count(*) from import_source")" 0
	assert_equal "$(db "select count(*) from catalog_import")" 0
	run dc-import git "$REPO" --path catalogs
	assert_success
	assert_equal "${#lines[@]}" 2
}

@test "git: --ref imports another branch, with its own position; --path limits the folder" {
	git_repo
	git -C "$REPO" checkout -q -b vendor-update
	cp "$FIXTURES/catalog-array.json" "$REPO/catalogs/mueller--new.json"
	cp "$FIXTURES/catalog-full-1.csv" "$REPO/elsewhere--x.csv"
	commit_all "mueller"
	branch=$(git -C "$REPO" rev-parse vendor-update)
	git -C "$REPO" checkout -q main
	run dc-import git "$REPO" --path catalogs
	assert_success
	assert_equal "${#lines[@]}" 2
	refute_output --partial mueller
	run dc-import git "$REPO" --ref vendor-update --path catalogs
	assert_success
	assert_output --partial '"vendor":"mueller"'
	assert_output --partial "\"commit\":\"$branch\""
	refute_output --partial elsewhere
	assert_equal "$(items mueller)" 3
	assert_equal "$(db "select count(*) from import_source")" 2
	run dc-import git "$REPO" --ref vendor-update --path catalogs
	assert_success
	assert_output ""
	run dc-import git "$REPO" --ref no-such-branch
	assert_failure 65
	run dc-import git "$BATS_TEST_TMPDIR" --path catalogs
	assert_failure 66
}

# --- dc-cron ----------------------------------------------------------------------------

# A logger that writes to a file, so that the syslog lines can be checked anywhere.
fake_logger() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/logger" <<-EOF
		#!/bin/sh
		printf '%s\n' "\$*" >>"$BATS_TEST_TMPDIR/syslog"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/logger"
	PATH="$BATS_TEST_TMPDIR/bin:$PATH"
}

@test "dc-cron: exit 0 → 0, 75 → 0 (retry next time), 65 → 65, usage → 64" {
	export DC_CRON_LOCKDIR=$BATS_TEST_TMPDIR
	fake_logger
	CRON=$ROOT/scripts/cron/dc-cron
	run "$CRON" true
	assert_success
	run "$CRON" sh -c 'exit 75'
	assert_success
	run "$CRON" sh -c 'echo oops >&2; exit 65'
	assert_failure 65
	run "$CRON"
	assert_failure 64
	# a lock folder that does not exist: logged, exit 73 (not the shell's 2)
	DC_CRON_LOCKDIR=$BATS_TEST_TMPDIR/nowhere run "$CRON" true
	assert_failure 73
	run cat "$BATS_TEST_TMPDIR/syslog"
	assert_line --partial "-t dcity/true -p user.err -- cannot open lock $BATS_TEST_TMPDIR/nowhere/dc-cron.true."
	assert_line "-t dcity/true -p user.info -- ok"
	assert_line "-t dcity/sh -p user.notice -- temporary failure (exit 75); will retry next run"
	assert_line "-t dcity/sh -p user.warning -- oops"
	assert_line "-t dcity/sh -p user.err -- failed with exit status 65"
}

@test "dc-cron: a second run of the same job while the first runs exits 0 at once" {
	export DC_CRON_LOCKDIR=$BATS_TEST_TMPDIR
	fake_logger
	CRON=$ROOT/scripts/cron/dc-cron
	"$CRON" sleep 3 &
	first=$!
	sleep 0.5
	start=$(date +%s)
	run "$CRON" sleep 3
	assert_success
	assert [ $(($(date +%s) - start)) -lt 2 ]
	grep -q -- "-t dcity/sleep -p user.notice -- previous run still active; skipped" "$BATS_TEST_TMPDIR/syslog"
	# another job line is another lock
	run "$CRON" sleep 0
	assert_success
	wait $first
	ls "$DC_CRON_LOCKDIR"/dc-cron.sleep.*.lock
}

@test "dc-cron: runs dc-import spool; a held spool lock is a quiet retry; a bad file is 65" {
	export DC_CRON_LOCKDIR=$BATS_TEST_TMPDIR
	fake_logger
	CRON=$ROOT/scripts/cron/dc-cron
	drop catalog-full-1.csv acme--full.csv
	flock "$SPOOL/.lock" sleep 2 &
	holder=$!
	sleep 0.3
	run "$CRON" dc-import --busy-timeout 200 spool "$SPOOL"
	assert_success
	assert [ -f "$SPOOL/incoming/acme--full.csv" ]
	wait $holder
	run "$CRON" dc-import spool "$SPOOL"
	assert_success
	assert_output --partial '"vendor":"acme"'
	drop catalog-unterminated.csv zeta--bad.csv
	run "$CRON" dc-import spool "$SPOOL"
	assert_failure 65
	grep -q -- "-t dcity/dc-import -p user.warning -- dc-import: .*zeta--bad.csv:2:" "$BATS_TEST_TMPDIR/syslog"
}

@test "dc-cron: with the real logger (skipped without logger)" {
	command -v logger >/dev/null || skip "logger not available"
	export DC_CRON_LOCKDIR=$BATS_TEST_TMPDIR
	run "$ROOT/scripts/cron/dc-cron" sh -c 'exit 75'
	assert_success
	run "$ROOT/scripts/cron/dc-cron" sh -c 'exit 65'
	assert_failure 65
}

@test "an empty full catalog is refused instead of discontinuing the vendor" {
	mkdir -p "$BATS_TEST_TMPDIR/s/incoming"
	printf 'sku,name,price\nA-1,Stift,1.00\n' >"$BATS_TEST_TMPDIR/s/incoming/acme--one.csv"
	dc-import spool "$BATS_TEST_TMPDIR/s" >/dev/null
	printf 'sku,name,price\n' >"$BATS_TEST_TMPDIR/s/incoming/acme--empty.csv"
	run dc-import spool "$BATS_TEST_TMPDIR/s"
	assert_failure 65
	assert_output --partial "no items; a full catalog without items would discontinue all of 'acme'"
	run dbsql "select status from catalog_item where vendor = 'acme'"
	assert_output active
	assert [ -f "$BATS_TEST_TMPDIR/s/failed/acme--empty.csv" ]
}
