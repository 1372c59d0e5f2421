#!/usr/bin/env bats
# The JSON Schemas in schemas/json/ against the records the real commands print: every line
# of JSONL output must validate (draft 2020-12), and every schema must itself be valid.

load helper

# A few cases in different states: new with a token, claimed, waiting with a note, a
# duplicate, a closed and purged one, and an Open311 import of an unknown service.
some_cases() {
	A=$(new_case --email max@example.org --name "Max Muster" --phone "0231 123" \
		--lat 51.5136 --lon 7.4653 --address "Hauptstraße 1" --district Mitte \
		--media https://example.org/a.jpg --priority high --channel phone)
	B=$(new_case --description "Loch am Radweg" --attr hazards=bikes,cars --attr depth_cm=12)
	C=$(new_case)
	dc-assign claim --as anna "$A" >/dev/null
	dc-case status --as anna "$A" waiting --note "Rückfrage an Bürger" >/dev/null
	dc-case note --as anna "$A" "Wir melden uns." --public >/dev/null
	dc-case status --as hanna "$C" duplicate --duplicate-of "$B" >/dev/null
	dc-case status --as hanna "$B" in_progress >/dev/null
	dc-case status --as hanna "$B" resolved >/dev/null
	dc-case status --as hanna "$B" closed >/dev/null
	printf '%s\n' '[{"service_request_id":"638344","status":"closed","status_notes":"Erledigt.","service_name":"Straßenschaden","service_code":"street-damage","description":"Tiefes <b>Loch</b>","requested_datetime":"2026-02-20T10:15:00+01:00","updated_datetime":"2026-02-25T08:00:00+01:00","address":"Hauptstraße 5","lat":51.51,"long":7.46,"media_url":"https://example.org/m.jpg","first_name":"Eva","last_name":"Lang","email":"eva@example.org"}]' \
		>"$BATS_TEST_TMPDIR/requests.json"
	dc-case import --as paul "$BATS_TEST_TMPDIR/requests.json" >/dev/null
}

@test "service.schema.json: dc-case service add, list, show, set, import" {
	seed_city
	{
		dc-case service add --code lamp --name "Straßenlaterne defekt" --kind report \
			--department tiefbau --sla 3 --description "Leuchte aus oder flackert"
		dc-case service set parking --active false
		dc-case service list
		dc-case service show pothole
		printf '%s\n' '[{"service_code":"graffiti","service_name":"Graffiti","description":"Schmiererei"}]' \
			>"$BATS_TEST_TMPDIR/services.json"
		dc-case service import "$BATS_TEST_TMPDIR/services.json" --department tiefbau
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	run validate service <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
}

@test "case.schema.json: dc-case new, show, list, status, import, purge and dc-assign verbs" {
	seed_city
	dc-assign staff add --as root bernd2 --name "Bernd Zwei" --dept tiefbau >/dev/null
	{
		dc-case new --service pothole --attr size=small --email eva@example.org --lang en
		dc-case new --service parking --name "Eva Lang" --channel counter
	} >"$BATS_TEST_TMPDIR/new.jsonl"
	run validate case <"$BATS_TEST_TMPDIR/new.jsonl"
	assert_success
	grep -q '"token":"[0-9a-f]\{32\}"' "$BATS_TEST_TMPDIR/new.jsonl"
	some_cases
	D=$(new_case --priority urgent)
	dc-assign away --as hanna anna --from 2026-03-02 --until 2026-03-06 --deputy bernd >/dev/null
	{
		dc-case list
		dc-case show "$A" "$B" "$C"
		dc-assign queue --as hanna
		dc-assign claim --as bernd2 --next
		dc-assign list --as bernd
		dc-assign list --as hanna --dept tiefbau
		dc-case list --status new --as hanna | dc-assign give --as hanna --to anna -
		dc-assign release --as bernd2 "$D" --note "zurück in die Warteschlange"
		dc-assign transfer --as hanna "$A" --to-dept buergerbuero --note "falsch zugeordnet"
		dc-case service set --as root $(dc-case service list -q) --archive destroy >/dev/null
		DC_NOW=2026-06-01T09:00:00Z dc-case purge --as root --closed-before 2026-06-01
		dc-case list --as ines --overdue
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	grep -q '"on_behalf_of":"anna"' "$BATS_TEST_TMPDIR/out.jsonl"
	grep -q '"external_id":"638344"' "$BATS_TEST_TMPDIR/out.jsonl"
	run validate case <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
}

@test "case-event.schema.json: dc-case history and show --history" {
	seed_city
	some_cases
	dc-assign away --as hanna anna --from 2026-03-02 --until 2026-03-06 --deputy bernd >/dev/null
	dc-case note --as bernd "$A" "Vertretung: Anruf erledigt" >/dev/null
	dc-case service set --as root $(dc-case service list -q) --archive destroy >/dev/null
	dc-case purge --as root --closed-before 2026-03-03 >/dev/null
	{
		for id in $(dc-case list -q); do dc-case history "$id"; done
		dc-case show --history "$A" | grep '"visibility"'
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	grep -q '"on_behalf_of":"anna"' "$BATS_TEST_TMPDIR/out.jsonl"
	grep -q '"kind":"purged"' "$BATS_TEST_TMPDIR/out.jsonl"
	run validate case-event <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
}

@test "department.schema.json: dc-assign dept add, list, show" {
	seed_city
	new_case >/dev/null
	{
		dc-assign dept add ordnungsamt --name "Ordnungsamt" --email ordnungsamt@musterstadt.example
		dc-assign dept list
		dc-assign dept show tiefbau
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	run validate department <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
}

@test "staff.schema.json: dc-assign staff add, list, show, set" {
	seed_city
	dc-assign away --as hanna anna --from 2026-03-02 --until 2026-03-06 --deputy bernd >/dev/null
	{
		dc-assign staff add mmeier --name "Maria Meier" --dept tiefbau --role head \
			--email m.meier@musterstadt.example
		dc-assign staff list
		dc-assign staff show anna
		dc-assign staff set bob --active false
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	run validate staff <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
}

@test "absence.schema.json: dc-assign away, away list, back" {
	seed_city
	{
		dc-assign away --as hanna anna --from 2026-03-01 --until 2026-03-06 --deputy bernd \
			--note "Urlaub"
		dc-assign away --as bernd bernd --from 2026-04-01 --until 2026-04-03 --deputy anna
		dc-assign away list
		dc-assign away list --at 2026-04-02 --dept tiefbau
		dc-assign back --as hanna anna
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	run validate absence <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
}
