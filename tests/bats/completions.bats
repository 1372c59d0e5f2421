#!/usr/bin/env bats
# The generated completions (scripts/gen-completions): values after the options that take one,
# only the options of the verb typed, departments and services from the database.

load helper

setup() {
	seed_city
	COMP=$ROOT/completions
}

# complete WORD...: the bash completion's candidates for the command line WORD... (the last
# word is the one under the cursor), one per line, sorted.
complete_bash() {
	bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_dc_complete
		printf "%s\n" "${COMPREPLY[@]}" | sort' complete "$COMP/dc.bash" "$@"
}

@test "completions: the committed files are what scripts/gen-completions makes, valid syntax" {
	DC_BIN=$BIN run "$ROOT/scripts/gen-completions" --check
	assert_success
	bash -n "$COMP/dc.bash"
	command -v zsh >/dev/null || skip "zsh not installed"
	zsh -n "$COMP/_dc"
}

@test "completions (bash): values after an option that takes one" {
	run complete_bash dc-case list --status ''
	assert_output $'assigned\nclosed\nduplicate\nin_progress\nnew\nrejected\nresolved\nwaiting'
	run complete_bash dc-case list --status in
	assert_output in_progress
	run complete_bash dc-case list --priority=u
	assert_output --priority=urgent
	run complete_bash dc-case list -f ''
	assert_output $'csv\njson\njsonl\ntable\ntsv'
	run complete_bash dc-export cases --format o
	assert_output $'ocds\nopen311-json\nopen311-xml'
	run complete_bash dc-case list --dialect ''
	assert_output $'excel-de\nrfc4180'
	run complete_bash dc-assign staff add x --role a
	assert_output $'admin\nauditor'
	run complete_bash dc-assign staff set x --active ''
	assert_output $'false\ntrue'
	# departments and services from the database (DC_DB, or -D before the verb)
	run complete_bash dc-case list --department ''
	assert_output $'buergerbuero\ntiefbau'
	run complete_bash dc-case new --service p
	assert_output $'parking\npothole'
	run complete_bash dc-case -D "$DC_DB" list --service ''
	assert_output $'parking\npothole'
	DC_DB=$BATS_TEST_TMPDIR/none.db run complete_bash dc-case list --department ''
	assert_success
	assert_output ''
	assert [ ! -e "$BATS_TEST_TMPDIR/none.db" ]   # a completion never creates a database
	# a value that is free text or a file: no words offered (bash falls back to file names)
	run complete_bash dc-case list --search ''
	assert_output ''
}

@test "completions (bash): only the options of the verb typed" {
	run complete_bash dc-case show --
	assert_line --history
	refute_line --status
	run complete_bash dc-case list --st
	assert_output $'--status'
	run complete_bash dc-case new --pri
	assert_output --priority
	# an operand is not a verb: show's options after its id, list's after an option's value
	run complete_bash dc-case show 2026-000001 --h
	assert_output $'--help\n--history'
	run complete_bash dc-case --as anna list --sta
	assert_output --status
	run complete_bash dc-case list --status new --ov
	assert_output --overdue
	# sub-verbs, and dc NOUN
	run complete_bash dc-case service ''
	assert_output $'add\nimport\nlist\nset\nshow'
	run complete_bash dc-case service add --ki
	assert_output --kind
	run complete_bash dc case list --status cl
	assert_output closed
	# no verb yet: the global options only
	run complete_bash dc-case --st
	assert_output ''
}

@test "completions (zsh): values and the verb's options" {
	command -v zsh >/dev/null || skip "zsh not installed"
	# compadd and _files stand in for the completion system: they print what would be offered
	run zsh -c '
		compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
		_files() { print "(files)"; }
		f=$1; shift; words=("$@"); CURRENT=$#; source "$f"' zsh "$COMP/_dc" dc-case list --status ''
	assert_success
	assert_line in_progress
	assert_line closed
	run zsh -c '
		compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
		_files() { print "(files)"; }
		f=$1; shift; words=("$@"); CURRENT=$#; source "$f"' zsh "$COMP/_dc" dc-case show --
	assert_line --history
	refute_line --status
	run zsh -c '
		compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
		_files() { print "(files)"; }
		f=$1; shift; words=("$@"); CURRENT=$#; source "$f"' zsh "$COMP/_dc" dc-case new --service ''
	assert_line pothole
	assert_line parking
	DC_DB=$BATS_TEST_TMPDIR/none.db run zsh -c '
		compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
		_files() { print "(files)"; }
		f=$1; shift; words=("$@"); CURRENT=$#; source "$f"' zsh "$COMP/_dc" dc-case list --department ''
	assert_output ''
	assert [ ! -e "$BATS_TEST_TMPDIR/none.db" ]
}
