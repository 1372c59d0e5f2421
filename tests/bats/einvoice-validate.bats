#!/usr/bin/env bats
# The full EN 16931 and XRechnung rule sets (issue 17 item 4): the settings einvoice.validator
# and einvoice.validator_timeout (dcity(7) "Settings").

load helper
bats_require_minimum_version 1.5.0

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
	run dbsql "SELECT count(*) FROM setting"
	assert_output 0
	run dc config einvoice.validator "$T/v --rules all"
	assert_success
	run dc config einvoice.validator
	assert_output '{"key":"einvoice.validator","value":"'"$T"'/v --rules all","type":"command"}'
	run dc config einvoice.validator_timeout
	assert_output --partial '"value":"120","type":"whole number 1..3600"}'
}

# --- scripts/einvoice-validate: Saxon-HE, the EN 16931 XSLT and the XRechnung Schematron ---------

SUITE=$FIXTURES/einvoice/suite/src/test/business-cases/standard

# mutate NAME: a copy of the suite's 01.01a invoice in $T/sample/ that breaks one rule: ubl-co15
# has BT-112 (and so BT-115) 10 EUR above BT-109 + BT-110 (BR-CO-15), cii-de15 no buyer
# reference BT-10 (XRechnung's BR-DE-15).
mutate() {
	local src
	mkdir -p "$T/sample"
	case $1 in
	ubl-co15)
		src=$SUITE/01.01a-INVOICE_ubl.xml
		sed 's/">336.9</">346.9</' "$src" >"$T/sample/$1.xml" ;;
	cii-de15)
		src=$SUITE/01.01a-INVOICE_uncefact.xml
		grep -v '<ram:BuyerReference>' "$src" >"$T/sample/$1.xml" ;;
	esac
	! cmp -s "$T/sample/$1.xml" "$src"
}

# svrl FILE: the findings of an SVRL document, "flag id" a line, read independently of dcity
svrl() {
	$PY -c 'import sys, xml.etree.ElementTree as ET
S = "{http://purl.oclc.org/dsdl/svrl}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == S + "schematron-output", root.tag
for e in root:
    if e.tag in (S + "failed-assert", S + "successful-report"):
        print(e.get("flag"), e.get("id"))' "$1"
}

@test "einvoice-validate --dir: UBL and CII in one JVM, a report each, the broken rules fatal" {
	mkdir -p "$T/sample/clean"
	cp "$SUITE/01.01a-INVOICE_ubl.xml" "$T/sample/clean/"
	cp "$SUITE/01.01a-INVOICE_uncefact.xml" "$T/sample/"
	mutate ubl-co15
	mutate cii-de15
	run "$ROOT/scripts/einvoice-validate" --dir "$T/sample" "$T/out"
	assert_failure 1
	assert_output "$(printf '%s\t%s\t%s\t%s\t%s\n' \
		01.01a-INVOICE_uncefact.xml 0 0 1 '' \
		cii-de15.xml 1 0 1 BR-DE-15 \
		clean/01.01a-INVOICE_ubl.xml 0 0 1 '' \
		ubl-co15.xml 1 0 1 BR-CO-15)"
	run svrl "$T/out/ubl-co15.xml.svrl"
	assert_success
	assert_output "$(printf 'fatal BR-CO-15\ninformation BR-DE-TMP-32')"
	run svrl "$T/out/01.01a-INVOICE_uncefact.xml.svrl"
	assert_output "information BR-DE-TMP-32"
	# no fatal finding: exit 0 (one UBL file, so that only the UBL rules are compiled again)
	run "$ROOT/scripts/einvoice-validate" --dir "$T/sample/clean" "$T/out2"
	assert_success
	assert_output "$(printf '01.01a-INVOICE_ubl.xml\t0\t0\t1\t')"
}

@test "einvoice-validate FILE: the merged SVRL of both rule sets on stdout, exit 1 on a fatal" {
	mutate cii-de15
	run --separate-stderr "$ROOT/scripts/einvoice-validate" "$T/sample/cii-de15.xml"
	assert_failure 1
	printf '%s\n' "$output" >"$T/r.svrl"
	assert_line --index 1 '<?einvoice-validate fatal="1" warning="0" information="1"?>'
	run svrl "$T/r.svrl"
	assert_output "$(printf 'fatal BR-DE-15\ninformation BR-DE-TMP-32')"
	grep -q 'title="EN 16931 and XRechnung (CII)"' "$T/r.svrl"
}

@test "einvoice-validate: what it cannot check exits 2, 64, 66 or 69 with why" {
	printf '<?xml version="1.0"?>\n<Order xmlns="urn:x"/>\n' >"$T/order.xml"
	# an entity that would pull another file into the report
	local ubl=urn:oasis:names:specification:ubl:schema:xsd:Invoice-2
	printf '<?xml version="1.0"?>\n%s\n<Invoice xmlns="%s">&s;</Invoice>\n' \
		'<!DOCTYPE x [<!ENTITY s SYSTEM "file:///etc/passwd">]>' "$ubl" >"$T/xxe.xml"
	mkdir "$T/dir"
	cp "$T/order.xml" "$T/xxe.xml" "$T/dir/"
	run "$ROOT/scripts/einvoice-validate" --dir "$T/dir" "$T/out"
	assert_failure 2
	assert_line --index 0 "$(printf 'order.xml\terror\tthe root element is {urn:x}Order, %s' \
		'not a UBL Invoice or CreditNote or a CII CrossIndustryInvoice')"
	assert_line --index 1 "$(printf 'xxe.xml\terror\tnot well-formed XML, or a DOCTYPE')"
	run "$ROOT/scripts/einvoice-validate" "$T/xxe.xml"
	assert_failure 2
	assert_output --partial "DOCTYPE is disallowed"
	refute_output --partial "root:"
	# the last line says why (dcity's message quotes it)
	[[ ${lines[-1]} == "einvoice-validate: $T/xxe.xml: not checked: line 2: DOCTYPE is disallowed"* ]]
	run "$ROOT/scripts/einvoice-validate"
	assert_failure 64
	run "$ROOT/scripts/einvoice-validate" "$T/none.xml"
	assert_failure 66
	assert_output "einvoice-validate: $T/none.xml: cannot read"
	DC_EINVOICE_RULES=$T/nowhere run "$ROOT/scripts/einvoice-validate" "$T/order.xml"
	assert_failure 69
	assert_output --partial "no compiled rules in $T/nowhere"
	SAXON_JAR=$T/none.jar run "$ROOT/scripts/einvoice-validate" "$T/order.xml"
	assert_failure 69
	assert_output --partial "Saxon-HE not found at $T/none.jar"
}
