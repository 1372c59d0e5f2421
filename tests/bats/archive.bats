#!/usr/bin/env bats
# The archive offer before destruction (issue 19, item 6; dc-archive(1)): archive policies,
# the xdomea 3.0.0 Aussonderung 0501 → 0504 → 0502 → 0505 → 0503 → 0507/0506 with every
# message dcity writes validated against the shipped XSD and the archive's side built by
# tests/archive/reply, the reference samples, bad messages, and purge keeping what the
# archive has not released.

bats_require_minimum_version 1.5.0
load helper

XSD=$ROOT/schemas/xsd/xdomea/xdomea-3.0.0/xdomea-Nachrichten-AussonderungDurchfuehren.xsd
REPLY=$ROOT/tests/archive/reply
SAMPLES=$FIXTURES/xdomea

setup() {
	seed_city
	OUT=$BATS_TEST_TMPDIR/out
	IN=$BATS_TEST_TMPDIR/in
	mkdir -p "$OUT" "$IN"
}

# j FIELD: a field of the first JSON record on stdin (null for null)
j() {
	$PY -c 'import json,sys
v=json.loads(sys.stdin.readline())[sys.argv[1]]
print("null" if v is None else v)' "$1"
}

# valid FILE...: each is valid against the shipped xdomea XSD
valid() {
	run xmllint --noout --schema "$XSD" "$@"
	assert_success
}

configure() {
	dc config archive.sender 05913000 >/dev/null
	dc config archive.recipient StA-Musterstadt >/dev/null
	dc config archive.recipient_name "Stadtarchiv Musterstadt" >/dev/null
}

close_case() { # ID [NOTE]: by anna, with an internal note and a closing note
	DC_USER=anna dc-case note "$1" "Intern: Rückruf bei Frau Lang" -q >/dev/null
	DC_USER=anna dc-case status "$1" in_progress -q >/dev/null
	DC_USER=anna dc-case status "$1" resolved -q >/dev/null
	DC_USER=anna dc-case status "$1" closed --note "${2:-Erledigt}" -q >/dev/null
}

closed_cases() { # N: N closed pothole cases with personal data; their ids in CASES
	local i id
	CASES=()
	for ((i = 1; i <= $1; i++)); do
		id=$(new_case --name "Eva Lang$i" --email "eva$i@privat.example" \
			--description "Loch vor Haus $i" --media "https://bilder.example/$i.jpg")
		close_case "$id" "Verfüllt $i"
		CASES+=("$id")
	done
}

# A shop order collected and a procurement file cancelled, both closed on 2026-03-02.
shop_and_procurement() {
	dbsql "INSERT INTO member(handle, name, kind, email, created_at)
		VALUES ('erna', 'Erna Meier', 'citizen', 'erna@example.org', '2026-01-01T00:00:00Z')"
	dc-shop merchant add baecker --name "Bäckerei Korn" >/dev/null
	dc-shop product add --merchant baecker --sku BROT --name Brot --price 3,50 --stock 5 >/dev/null
	SHOP=$(dc-shop order new --member erna --item baecker:BROT:1 | j id)
	dc-shop order status "$SHOP" ready >/dev/null
	dc-shop order status "$SHOP" collected >/dev/null
	DC_USER=bob dc-order vendor add acme --name Acme --email s@acme.example >/dev/null
	DC_USER=bob dc-order budget add 4711 --dept tiefbau --year 2026 --amount 50000 >/dev/null
	PO=$(DC_USER=anna dc-order new --dept tiefbau --budget 4711 --line "Papier;1;20.00;acme" -q)
	dc-order cancel "$PO" --reason "Bedarf entfallen" >/dev/null
}

stage_of() { # ENTITY REF
	dbsql "SELECT stage || ' ' || coalesce(appraisal, '-') FROM archive_record
		WHERE entity = '$1' AND ref = '$2'"
}

purged_at() { # CASE
	dbsql "SELECT purged_at FROM cases WHERE id = '$1'"
}

uuid_of() { # ENTITY REF
	dbsql "SELECT uuid FROM archive_record WHERE entity = '$1' AND ref = '$2'"
}

# ---- policies ------------------------------------------------------------------------------

@test "service --archive: add, set, in service show and list and their schema; bad values" {
	run dc-case service show pothole
	assert_equal "$(j archive <<<"$output")" offer
	run dc-case service add --code lamp --name Laterne --kind report --department tiefbau \
		--archive keep
	assert_success
	assert_equal "$(j archive <<<"$output")" keep
	dc-case service set pothole parking --archive destroy >/dev/null
	run dc-case service list -f csv --fields code,archive
	assert_output "code,archive
lamp,keep
parking,destroy
pothole,destroy"
	run validate service < <(dc-case service list)
	assert_success
	run dbsql "SELECT to_value FROM event WHERE entity = 'service' AND ref = 'pothole'
		AND kind = 'changed'"
	assert_output "department=- sla=- active=- retention=- archive=destroy"
	run dc-case service set pothole --archive never
	assert_failure 64
	assert_output --partial "'never' is not one of offer, keep or destroy"
	run dc config archive.shop_order
	assert_output --partial offer
	run dc config archive.procurement sometimes
	assert_failure 65
	DC_USER=anna run dc-case service set pothole --archive keep
	assert_failure 77
}

# ---- the round trip ------------------------------------------------------------------------

@test "round trip 0501 → 0504 → 0502 → 0505 → 0503 → 0507/0506 → purge, every message valid" {
	configure
	closed_cases 3
	shop_and_procurement
	open_case=$(new_case --name "Offen Noch")
	export DC_NOW=2026-06-02T09:00:00Z

	# 0501: the three cases, the shop order and the procurement file, not the open case
	run --separate-stderr dc-archive offer --closed-before 2026-06-01 -o "$OUT"
	assert_success
	validate archive-record <<<"$output"
	assert_equal "$(echo "$output" | wc -l)" 5
	[[ $stderr == "dc-archive: wrote $OUT/"*"_Aussonderung.Anbieteverzeichnis.0501.xml" ]]
	offer=$(ls "$OUT"/*_Aussonderung.Anbieteverzeichnis.0501.xml)
	process=$(basename "$offer" _Aussonderung.Anbieteverzeichnis.0501.xml)
	valid "$offer"
	assert_equal "$(stage_of case "${CASES[0]}")" "offered -"
	assert_equal "$(stage_of shop_order "$SHOP")" "offered -"
	assert_equal "$(stage_of order "$PO")" "offered -"
	assert_equal "$(stage_of case "$open_case")" ""
	grep -q "<xdomea:ID>$(uuid_of case "${CASES[1]}")</xdomea:ID>" "$offer"
	grep -q "<xdomea:ProzessID>$process</xdomea:ProzessID>" "$offer"
	grep -q '<xdomea:Erstellungszeitpunkt>2026-06-02T09:00:00Z<' "$offer"
	grep -q '<code>StA-Musterstadt</code>' "$offer"
	! grep -q 'Eva Lang' "$offer"
	[ "$(stat -c %a "$offer")" = 600 ]
	# offered once: a second offer finds nothing due
	run dc-archive offer --closed-before 2026-06-01 -o "$OUT"
	assert_success
	assert_output --partial "nothing offered"
	assert_equal "$(ls "$OUT" | wc -l)" 1

	# purge holds them all: offered, not appraised
	run dc-case purge --closed-before 2026-06-01
	assert_failure 3
	assert_output --partial "case ${CASES[0]} not anonymised: offered to the archive, awaiting its appraisal"
	assert_output --partial "0 cases anonymised, 0 notes erased, 3 awaiting_archive"

	# 0504
	$REPLY 0504 "$offer" "$IN/0504.xml"
	valid "$IN/0504.xml"
	run dc-archive receive "$IN/0504.xml"
	assert_success
	assert_equal "$(stage_of case "${CASES[2]}")" "offer_received -"

	# 0502: the first case V, the rest A; answered with a valid 0505
	$REPLY 0502 "$offer" "$IN/0502.xml" --v 1
	valid "$IN/0502.xml"
	run dc-archive receive "$IN/0502.xml" -o "$OUT"
	assert_success
	assert_equal "$(stage_of case "${CASES[0]}")" "appraised V"
	assert_equal "$(stage_of case "${CASES[1]}")" "appraised A"
	assert_equal "$(stage_of order "$PO")" "appraised A"
	valid "$OUT/${process}_Aussonderung.BewertungEmpfangBestaetigen.0505.xml"
	grep -q "<xdomea:ProzessID>$process<" "$OUT/${process}_Aussonderung.BewertungEmpfangBestaetigen.0505.xml"

	# the case appraised V may go now, the others not yet
	run dc-case purge --closed-before 2026-06-01
	assert_failure 3
	assert_output --partial "1 case anonymised"
	assert_output --partial "case ${CASES[1]} not anonymised: appraised archivwürdig, awaiting the hand-over"
	assert_equal "$(purged_at "${CASES[0]}")" 2026-06-02T09:00:00Z

	# 0503: the ZIP with the message and its primary documents
	export DC_NOW=2026-06-03T09:00:00Z
	run --separate-stderr dc-archive handover -o "$OUT"
	assert_success
	assert_equal "$(echo "$output" | wc -l)" 4
	zip=$OUT/${process}_Aussonderung.Aussonderung.0503.zip
	[ "$(stat -c %a "$zip")" = 600 ]
	mkdir "$BATS_TEST_TMPDIR/zip"
	(cd "$BATS_TEST_TMPDIR/zip" && unzip -q "$zip")
	msg=$BATS_TEST_TMPDIR/zip/${process}_Aussonderung.Aussonderung.0503.xml
	valid "$msg"
	# every primary document the message names is in the ZIP, and nothing else
	$PY - "$msg" "$BATS_TEST_TMPDIR/zip" <<'EOF'
import os, sys, xml.etree.ElementTree as ET
X = "{urn:xoev-de:xdomea:schema:3.0.0}"
named = {e.text for e in ET.parse(sys.argv[1]).iter(X + "Dateiname")}
have = set(os.listdir(sys.argv[2])) - {os.path.basename(sys.argv[1])}
assert named == have, (named, have)
assert len([n for n in have if n.endswith("_datensatz.json")]) == 4, have
EOF
	# the case's full content: record, notes (internal and public), history, media by reference
	cat "$BATS_TEST_TMPDIR"/zip/*_datensatz.json | grep -q '"email":"eva2@privat.example"'
	cat "$BATS_TEST_TMPDIR"/zip/*_notiz.txt | grep -q 'Intern: Rückruf bei Frau Lang'
	cat "$BATS_TEST_TMPDIR"/zip/*_notiz.txt | grep -q 'Verfüllt 2'
	grep -q '<xdomea:Bemerkung>https://bilder.example/2.jpg</xdomea:Bemerkung>' "$msg"
	grep -q '<xdomea:MetadatumNeuerWert>closed</xdomea:MetadatumNeuerWert>' "$msg"
	grep -q '"lines":\[{"line":1,"vendor":"acme"' "$BATS_TEST_TMPDIR"/zip/*_datensatz.json
	! grep -q "<xdomea:ID>$(uuid_of case "${CASES[0]}")<" "$msg"
	assert_equal "$(stage_of case "${CASES[1]}")" "handed_over A"
	# the entries are dated by the clock
	unzip -l "$zip" | grep -q '2026-06-03'
	run dc-archive handover -o "$OUT"
	assert_success
	assert_output --partial "await the hand-over"

	# 0507 and 0506: one import fails and goes back to the next hand-over
	$REPLY 0507 "$zip" "$IN/0507.xml"
	valid "$IN/0507.xml"
	run dc-archive receive "$IN/0507.xml"
	assert_success
	assert_equal "$(stage_of case "${CASES[2]}")" "received A"
	$REPLY 0506 "$zip" "$IN/0506.xml" --fail 1
	valid "$IN/0506.xml"
	run dc-archive receive "$IN/0506.xml"
	assert_success
	assert_output --partial "could not import 1 record"
	assert_equal "$(stage_of case "${CASES[1]}")" "appraised A"
	assert_equal "$(dc-archive status "$(uuid_of case "${CASES[1]}")" | j error)" \
		"Primärdokument fehlt"
	assert_equal "$(stage_of case "${CASES[2]}")" "imported A"
	assert_equal "$(dc-archive status "$(uuid_of case "${CASES[2]}")" | j archive_id)" \
		"StA-Best.-2"

	# the imported case may go, the failed one not
	run dc-case purge --closed-before 2026-06-01
	assert_failure 3
	assert_output --partial "case ${CASES[1]} not anonymised: appraised archivwürdig"
	assert_equal "$(purged_at "${CASES[2]}")" 2026-06-03T09:00:00Z

	# the failed one handed over again, imported (a 0506 in its ZIP), then purged
	rm -rf "$OUT"/*.zip "$BATS_TEST_TMPDIR/zip"
	run --separate-stderr dc-archive handover -o "$OUT"
	assert_success
	assert_equal "$(echo "$output" | j ref)" "${CASES[1]}"
	$REPLY 0506 "$zip" "$IN/again.xml"
	valid "$IN/again.xml"
	(cd "$IN" && cp again.xml "${process}_Aussonderung.AussonderungImportBestaetigen.0506.xml" &&
		zip -q again.zip "${process}_Aussonderung.AussonderungImportBestaetigen.0506.xml")
	run dc-archive receive "$IN/again.zip"
	assert_success
	run dc-case purge --closed-before 2026-06-01
	assert_success
	assert_equal "$(purged_at "${CASES[1]}")" 2026-06-03T09:00:00Z
	assert_equal "$(purged_at "$open_case")" ""

	# the status listing, its schema and its formats; the audit trail
	run dc-archive status
	assert_success
	validate archive-record <<<"$output"
	run dc-archive status --entity case --stage imported -f csv --fields ref,stage,appraisal
	assert_output "ref,stage,appraisal
${CASES[1]},imported,A
${CASES[2]},imported,A"
	run dc archive status --appraisal V -q
	assert_output "$(uuid_of case "${CASES[0]}")"
	run dbsql "SELECT kind || ': ' || to_value FROM event WHERE entity = 'archive'
		ORDER BY id"
	assert_line --index 0 "offered: 0501: 5 records offered"
	assert_line "appraised: 0502: 4 archivwürdig, 1 vernichten; 0505 sent"
	assert_line "imported: 0506: 3 imported, 1 failed"
	run dc-case verify
	assert_success
}

# ---- purge and the policies ----------------------------------------------------------------

@test "purge --retention skips and counts awaiting_archive (exit 0); keep is never purged, destroy needs no offer" {
	configure
	dc-case service add --code lamp --name Laterne --kind report --department tiefbau \
		--archive keep >/dev/null
	closed_cases 2
	lamp=$(dc-case new --service lamp --name "Lampen Lene" | j id)
	close_case "$lamp"
	dc-case service set pothole lamp --retention 10 >/dev/null
	export DC_NOW=2026-06-02T09:00:00Z
	run dc-case purge --retention
	assert_success
	assert_output --partial "0 cases anonymised, 0 notes erased, 3 awaiting_archive"
	# a record offered, appraised V: purged by the next run; keep stays
	dc-archive offer --closed-before 2026-06-01 -o "$OUT" >/dev/null
	offer=$(ls "$OUT"/*0501.xml)
	grep -q "<xdomea:Kennzeichen>$lamp<" "$offer" && fail "a service kept is offered"
	$REPLY 0502 "$offer" "$IN/0502.xml" --v 2
	dc-archive receive "$IN/0502.xml" -o "$OUT" >/dev/null
	run dc-case purge --retention
	assert_success
	assert_output --partial "2 cases anonymised"
	assert_output --partial "1 awaiting_archive"
	run dc-case purge --closed-before 2026-06-01 --service lamp
	assert_failure 3
	assert_output --partial "case $lamp not anonymised: kept for the archive (policy keep)"
	# destroy: purged without an offer
	dc-case service set lamp --archive destroy >/dev/null
	run dc-case purge --closed-before 2026-06-01
	assert_success
	assert_output --partial "1 case anonymised"
}

@test "shop orders and procurement files follow archive.shop_order and archive.procurement" {
	configure
	shop_and_procurement
	dc config archive.shop_order keep >/dev/null
	dc config archive.procurement destroy >/dev/null
	export DC_NOW=2026-06-02T09:00:00Z
	run dc-archive offer --closed-before 2026-06-01 -o "$OUT"
	assert_success
	assert_output --partial "nothing offered"
	dc config archive.shop_order offer >/dev/null
	run --separate-stderr dc-archive offer --closed-before 2026-06-01 -o "$OUT"
	assert_success
	assert_equal "$(echo "$output" | j entity)" shop_order
	valid "$OUT"/*0501.xml
	grep -q '<xdomea:Typ>Bestellung im Marktplatz</xdomea:Typ>' "$OUT"/*0501.xml
}

# ---- the reference samples and bad messages ------------------------------------------------

@test "receive: the reference samples 0501-0504 are read; unknown offers and messages dcity sends are refused" {
	configure
	valid "$SAMPLES"/*.xml
	run dc-archive receive "$SAMPLES/xx_Aussonderung.AnbietungEmpfangBestaetigen.0504.xml"
	assert_failure 65
	assert_output "dc-archive: $SAMPLES/xx_Aussonderung.AnbietungEmpfangBestaetigen.0504.xml:9: field 'ProzessID': no offer '242f44e8-bebf-4503-a086-db252c6a4277' (dc-archive status lists the offers)"
	run dc-archive receive "$SAMPLES/xx_Aussonderung.Bewertungsverzeichnis.0502.xml" -o "$OUT"
	assert_failure 65
	assert_output --partial "Bewertungsverzeichnis.0502.xml:9: field 'ProzessID': no offer"
	run dc-archive receive "$SAMPLES/xx_Aussonderung.Anbieteverzeichnis.0501.xml"
	assert_failure 65
	assert_output --partial "Anbieteverzeichnis.0501.xml:7: Aussonderung.Anbieteverzeichnis.0501 is a message dcity sends to the archive"
	run dc-archive receive "$SAMPLES/xx_Aussonderung.Aussonderung.0503.xml"
	assert_failure 65
	assert_output --partial "is a message dcity sends"
	assert_equal "$(ls "$OUT" | wc -l)" 0
	assert_equal "$(dbsql "SELECT count(*) FROM event WHERE entity = 'archive'")" 0
}

@test "receive: the samples' structure with this city's ids is read (0504, 0502)" {
	configure
	closed_cases 1
	export DC_NOW=2026-06-02T09:00:00Z
	dc-archive offer --closed-before 2026-06-01 -o "$OUT" >/dev/null
	offer=$(ls "$OUT"/*0501.xml)
	process=$(basename "$offer" _Aussonderung.Anbieteverzeichnis.0501.xml)
	uuid=$(uuid_of case "${CASES[0]}")
	sed "s/242f44e8-bebf-4503-a086-db252c6a4277/$process/" \
		"$SAMPLES/xx_Aussonderung.AnbietungEmpfangBestaetigen.0504.xml" >"$IN/0504.xml"
	sed "s/242f44e8-bebf-4503-a086-db252c6a4277/$process/; s/cbdbfccc-72e5-44b2-9e71-937e6f4f8ce9/$uuid/" \
		"$SAMPLES/xx_Aussonderung.Bewertungsverzeichnis.0502.xml" >"$IN/0502.xml"
	valid "$IN/0504.xml" "$IN/0502.xml"
	run dc-archive receive "$IN/0504.xml"
	assert_success
	run dc-archive receive "$IN/0502.xml" -o "$OUT"
	assert_success
	assert_equal "$(stage_of case "${CASES[0]}")" "appraised A"
}

@test "receive: bad messages name file, line and field, exit 65 (3 for a stage), and change nothing" {
	configure
	closed_cases 2
	export DC_NOW=2026-06-02T09:00:00Z
	dc-archive offer --closed-before 2026-06-01 -o "$OUT" >/dev/null
	offer=$(ls "$OUT"/*0501.xml)
	$REPLY 0502 "$offer" "$IN/0502.xml" --v 1
	before=$(dbsql "SELECT group_concat(stage) FROM archive_record")
	# a 0502 needs -o for its 0505
	run dc-archive receive "$IN/0502.xml"
	assert_failure 64
	assert_output --partial "a 0502 is answered with a 0505: give -o DIR"
	# unknown record id (the second record's id changed), on its line
	uuid=$(uuid_of case "${CASES[1]}")
	sed "s/$uuid/00000000-0000-4000-8000-000000000000/" "$IN/0502.xml" >"$IN/unknown.xml"
	line=$(grep -n 00000000-0000-4000-8000-000000000000 "$IN/unknown.xml" | cut -d: -f1)
	run dc-archive receive "$IN/unknown.xml" -o "$OUT"
	assert_failure 65
	assert_output "dc-archive: $IN/unknown.xml:$line: field 'ID': no record '00000000-0000-4000-8000-000000000000' in offer '$(basename "$offer" _Aussonderung.Anbieteverzeichnis.0501.xml)'"
	# B is no appraisal
	sed "s/<code>V</<code>B</" "$IN/0502.xml" >"$IN/b.xml"
	run dc-archive receive "$IN/b.xml" -o "$OUT"
	assert_failure 65
	assert_output --partial "field 'Aussonderungsart': 'B' is no appraisal"
	# not valid against the XSD: a UUID that is none
	sed "s/$uuid/kein-uuid/" "$IN/0502.xml" >"$IN/invalid.xml"
	run dc-archive receive "$IN/invalid.xml" -o "$OUT"
	assert_failure 65
	assert_output --partial "invalid.xml:"
	assert_output --partial "not valid against xdomea-Nachrichten-AussonderungDurchfuehren.xsd"
	# not well-formed, a DOCTYPE, no file
	head -c 300 "$IN/0502.xml" >"$IN/cut.xml"
	run dc-archive receive "$IN/cut.xml" -o "$OUT"
	assert_failure 65
	assert_output --partial "cut.xml:"
	assert_output --partial "not well-formed XML"
	printf '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<x>&e;</x>\n' >"$IN/dt.xml"
	run dc-archive receive "$IN/dt.xml" -o "$OUT"
	assert_failure 65
	assert_output --partial "dt.xml:2: a DOCTYPE"
	run dc-archive receive "$IN/none.xml"
	assert_failure 66
	# a 0506 for records not handed over: a conflict of state
	$REPLY 0506 "$offer" "$IN/0506.xml"
	run dc-archive receive "$IN/0506.xml"
	assert_failure 3
	assert_output --partial "field 'IDSGO': record"
	assert_output --partial "is offered, not handed over"
	# nothing changed, nothing written
	assert_equal "$(dbsql "SELECT group_concat(stage) FROM archive_record")" "$before"
	assert_equal "$(ls "$OUT" | wc -l)" 1
	assert_equal "$(dbsql "SELECT count(*) FROM event WHERE entity = 'archive'")" 1
}

@test "offer and handover need the settings (78), -o (64) and an admin (77); status: unknown id, roles" {
	closed_cases 1
	export DC_NOW=2026-06-02T09:00:00Z
	run dc-archive offer --closed-before 2026-06-01 -o "$OUT"
	assert_failure 78
	assert_output --partial "setting 'archive.sender' is not set"
	configure
	run dc-archive offer --closed-before 2026-06-01
	assert_failure 64
	run dc-archive offer --closed-before 1.6.2026 -o "$OUT"
	assert_failure 64
	DC_USER=anna run dc-archive offer --closed-before 2026-06-01 -o "$OUT"
	assert_failure 77
	run dc-archive offer --closed-before 2026-06-01 -o "$BATS_TEST_TMPDIR/missing"
	assert_failure 73
	assert_equal "$(dbsql "SELECT count(*) FROM archive_record")" 0
	run dc-archive offer --closed-before 2026-06-01 -o "$OUT" -n
	assert_success
	assert_output --partial "dry run"
	assert_equal "$(ls "$OUT" | wc -l)" 0
	dc-archive offer --closed-before 2026-06-01 -o "$OUT" >/dev/null
	DC_USER=hanna run dc-archive status
	assert_success
	DC_USER=ines run dc-archive status -f json
	assert_success
	DC_USER=anna run dc-archive status
	assert_failure 77
	run dc-archive status 00000000-0000-4000-8000-000000000000
	assert_failure 2
	run dc-archive status --stage lost
	assert_failure 64
}
