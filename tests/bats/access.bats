#!/usr/bin/env bats
# The access matrix (tests/access/matrix.tsv): every verb of every command run as every role
# (dcity(7) "Identity and roles") against a copy of a seeded city, allowed or denied (exit 77, nothing written) as
# the table says; the table lists exactly the verbs the commands have.  tests/access/run does
# the work; these tests run it and prove that it catches what it is there to catch.

load helper

RUN=$ROOT/tests/access/run
MATRIX=$ROOT/tests/access/matrix.tsv

# About 1,900 runs; ACCESS_JOBS sets how many at once (default: CPUs).  They run the release
# binaries (ACCESS_BIN): the roles are the same code in both builds, and the sanitized ones cost
# 225 s of CPU here against about 35 s, a sixth of make check.  `make check-access-sanitized`
# runs the matrix with the sanitized binaries.
ACCESS_BIN=${ACCESS_BIN:-$ROOT/build/rel}

@test "access matrix: every verb of every command as every role is allowed or denied as the table says" {
	DC_BIN=$ACCESS_BIN run "$RUN" ${ACCESS_JOBS:+-j "$ACCESS_JOBS"}
	echo "$output"
	assert_success
	assert_line --regexp '^access matrix: 1[0-9][0-9] verbs, [0-9]+ rows x 9 roles = [0-9]+ runs; [0-9]+ allowed, [0-9]+ denied; 0 problems;'
	refute_line --partial 'not ok'
}

# A table with a verb left out, a verb that does not exist and three wrong cells, run against
# binaries where dc-import misbehaves for two roles: writes before its 77, prints data with it,
# or exits 77 without saying why.  Every one of these must be reported.
@test "access matrix: the checker reports missing and unknown verbs, wrong cells and leaky denials" {
	m=$BATS_TEST_TMPDIR/matrix.tsv
	fake=$BATS_TEST_TMPDIR/bin
	mkdir "$fake"
	for c in "$BIN"/dc "$BIN"/dc-*; do ln -s "$c" "$fake/"; done
	rm "$fake/dc-import"
	cat >"$fake/dc-import" <<-EOF
		#!/bin/sh
		case \$DC_USER:\$1 in
		zoe:spool) sqlite3 "\$DC_DB" "UPDATE staff SET name = 'x' WHERE login = 'anna'"
		           echo "dc-import: permission denied" >&2; exit 77 ;;
		zoe:git)   echo "secret"; echo "dc-import: permission denied" >&2; exit 77 ;;
		mo:git)    exit 77 ;;
		esac
		exec "$BIN/dc-import" "\$@"
	EOF
	chmod +x "$fake/dc-import"
	awk -F '\t' -v OFS='\t' '
		$1 == "dc-feed" && $2 == "guide" { next }          # a verb the table forgets
		$1 == "dc-import" && $2 == "spool" { $7 = "deny" }  # buyer: allowed in truth
		$1 == "dc-import" && $2 == "git" { $4 = "allow:3"; $6 = "allow" }  # admin: exit 0; clerk: 77
		{ print }
		END { print "dc-feed", "shout", "shout hello", "allow", "deny", "deny", "deny", "deny", "deny", "deny", "deny", "deny" }
	' "$MATRIX" >"$m"
	DC_BIN=$fake run "$RUN" --matrix "$m" --only dc-import
	echo "$output"
	assert_failure 1
	assert_line "not ok: dc-feed guide: a verb that the access matrix does not list"
	assert_line --regexp "^not ok: dc-feed shout: listed in the access matrix \(line [0-9]+\) but no such verb$"
	assert_line --regexp "^not ok: .*:[0-9]+: dc-import spool as buyer \(bob\): expected deny \(77\), got exit 0$"
	assert_line --regexp "^not ok: .*:[0-9]+: dc-import git as clerk \(anna\): expected allow \(exit 0\), got exit 77$"
	assert_line --regexp "^not ok: .*:[0-9]+: dc-import spool as unknown \(zoe\): denied, but the database changed \(tables: staff\)$"
	assert_line --regexp "^not ok: .*:[0-9]+: dc-import git as unknown \(zoe\): denied, but printed on stdout: 'secret\\\\n'$"
	assert_line --regexp "^not ok: .*:[0-9]+: dc-import git as moderator \(mo\): denied without saying 'permission denied': ''$"
	assert_line --regexp "^not ok: .*:[0-9]+: dc-import git as admin \(root\): expected allow:3 \(exit 3\), got exit 0$"
	assert_line --regexp '^access matrix: 1[0-9][0-9] verbs, 3 rows x 9 roles = 27 runs; .* 8 problems;'
}

@test "access matrix: a malformed table is refused with its file and line" {
	m=$BATS_TEST_TMPDIR/matrix.tsv
	sed 's/^\(dc-case\tservice list\t[^\t]*\t\)allow/\1maybe/' "$MATRIX" >"$m"
	DC_BIN=$BIN run "$RUN" --matrix "$m"
	assert_failure
	assert_output --regexp "matrix.tsv:[0-9]+: role admin: 'maybe' is not allow, allow:N or deny$"
	{ cat "$MATRIX"; printf 'dc-case\tverify\tverify\tallow\n'; } >"$m"
	DC_BIN=$BIN run "$RUN" --matrix "$m"
	assert_failure
	assert_output --regexp "matrix.tsv:[0-9]+: 4 cells, want 12 \(command, verb, args, one per role\)$"
}
