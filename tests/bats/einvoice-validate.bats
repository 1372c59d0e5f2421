#!/usr/bin/env bats
# The full EN 16931 and XRechnung rule sets (issue 17 item 4): the settings einvoice.validator
# and einvoice.validator_timeout (dcity(7) "Settings").

load helper

setup() {
	fresh_db
	T=$BATS_TEST_TMPDIR
}

@test "einvoice.validator: a command by its absolute path, with arguments; checked when set" {
	printf '#!/bin/sh\nexit 0\n' >"$T/v"
	chmod 755 "$T/v"
	printf 'not executable\n' >"$T/plain"
	while IFS='|' read -r value msg; do
		run dc config einvoice.validator "$value"
		assert_failure 65
		assert_output "dc: setting 'einvoice.validator': '$value' $msg"
	done <<EOF
einvoice-validate|is not a command: it starts with the program's absolute path
./v|is not a command: it starts with the program's absolute path
$T/nonexistent|does not start with an executable file
$T/plain|does not start with an executable file
$T|does not start with an executable file
EOF
	run dc config einvoice.validator ''
	assert_failure 65
	run dc config einvoice.validator_timeout 0
	assert_failure 65
	assert_output --partial "_timeout': '0' is not a whole number from 1 to 3600"
	run sqlite3 "$DC_DB" "SELECT count(*) FROM setting"
	assert_output 0
	run dc config einvoice.validator "$T/v --rules all"
	assert_success
	run dc config einvoice.validator
	assert_output '{"key":"einvoice.validator","value":"'"$T"'/v --rules all","type":"command"}'
	run dc config einvoice.validator_timeout
	assert_output --partial '"value":"120","type":"whole number 1..3600"}'
}
