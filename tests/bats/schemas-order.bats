#!/usr/bin/env bats
# The procurement JSON Schemas in schemas/json/ against the records dc-order really prints:
# every line of JSONL output must validate (draft 2020-12), and every schema must be valid.

load helper

# The procurement office of the small city: a buyer, a department with its head, three
# vendors (one without email), a catalog in the German CSV dialect, a budget, a framework.
procure_city() {
	seed_city
	dc-assign dept add gruen --name "Grünflächenamt" >/dev/null
	dc-assign staff add berta --name "Berta Einkauf" --role buyer >/dev/null
	dc-assign staff add gustav --name "Gustav Grün" --dept gruen --role head >/dev/null
	dc-order --as berta vendor add bueromax --name "Büromax GmbH" \
		--email bestellung@bueromax.example --vat-id DE123456789 \
		--address "Hafenstraße 1, 44137 Dortmund" >"$BATS_TEST_TMPDIR/vendors.jsonl"
	dc-order --as berta vendor add gartenbau --name "Gartenbau Süd" >>"$BATS_TEST_TMPDIR/vendors.jsonl"
	dc-order --as berta vendor add holz --name "Holz AG" --email auftrag@holz.example \
		>>"$BATS_TEST_TMPDIR/vendors.jsonl"
	printf '%s\r\n' \
		'sku;name;unit;price;vat;category;gtin;description;min_qty;valid_from;farbe' \
		'A4-500;Kopierpapier A4, 500 Blatt;Paket;4,125;19;papier;4006381333931;Recycling, weiß;1;2026-01-01;weiß' \
		'STIFT-10;Kugelschreiber blau, 10 Stück;Packung;3,50;19;schreibwaren;;;;;blau' \
		'BANK-1;Parkbank Eiche;Stück;;19;moebel;;Preis auf Anfrage;;;' \
		>"$BATS_TEST_TMPDIR/bueromax--2026-03.csv"
	dc-order --as berta catalog import "$BATS_TEST_TMPDIR/bueromax--2026-03.csv" \
		>"$BATS_TEST_TMPDIR/imports.jsonl"
	dc-order --as berta budget add 5431000 --dept gruen --year 2026 --amount 20000 \
		--name "Geschäftsausstattung" >"$BATS_TEST_TMPDIR/budgets.jsonl"
	dc-order --as berta framework add RV-2026-07 --vendor holz --title "Holzlieferungen 2026" \
		--from 2026-01-01 --until 2026-12-31 --max-value 50000 --category holz \
		>"$BATS_TEST_TMPDIR/frameworks.jsonl"
}

# Orders through their life: a direct catalog order delivered in two parts and invoiced,
# a negotiated one with three quotes awarded to a non-cheapest vendor, a framework call-off,
# a cancelled one.  Prints every order record the verbs print.
some_orders() {
	dc-order --as berta new --dept gruen --budget 5431000 --item bueromax:A4-500:100 \
		--item bueromax:STIFT-10:20 --category papier --justification "Jahresbedarf"
	dc-order --as gustav approve PO-2026-000001
	dc-order --as berta place PO-2026-000001
	dc-order --as berta receive PO-2026-000001 --line 1 --qty 40
	dc-order --as berta receive PO-2026-000001
	dc-order --as berta invoice PO-2026-000001 --number RE-2026-0815 --amount 574.77
	dc-order --as berta new --dept gruen --budget 5431000 --category moebel \
		--line "Parkbank Eiche;4;1450;gartenbau"
	dc-order --as berta quote PO-2026-000002 --vendor gartenbau --amount 5800 --note "Lieferung 2 Wochen"
	dc-order --as berta quote PO-2026-000002 --vendor holz --amount 5600
	dc-order --as berta quote PO-2026-000002 --vendor bueromax --amount 6100
	dc-order --as berta award PO-2026-000002 --vendor gartenbau --reason "kürzere Lieferzeit"
	dc-order --as gustav approve PO-2026-000002
	dc-order --as berta new --dept gruen --budget 5431000 --framework RV-2026-07 \
		--line "Bohlen Lärche 4 m;20;35,50;holz"
	dc-order --as berta new --dept gruen --budget 5431000 --line "Stempel;1;25"
	dc-order --as berta cancel PO-2026-000004 --reason "doppelt angelegt"
	dc-order --as ines list
	dc-order --as ines show PO-2026-000002 PO-2026-000003
}

@test "vendor.schema.json: dc-order vendor add, set, list, show" {
	procure_city
	{
		cat "$BATS_TEST_TMPDIR/vendors.jsonl"
		dc-order --as berta vendor set gartenbau --email info@gartenbau.example --active false
		dc-order --as berta vendor list
		dc-order --as ines vendor show bueromax
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	run validate vendor <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
	grep -q '"items":3,"last_import":"2026-03-02T09:00:00Z"' "$BATS_TEST_TMPDIR/out.jsonl"
}

@test "catalog-item.schema.json: dc-order catalog search and show" {
	procure_city
	{
		dc-order --as berta catalog search papier
		dc-order --as berta catalog search blau --vendor bueromax --max-price 5 --limit 1
		dc-order --as anna catalog search bank
		dc-order --as berta catalog show bueromax:A4-500 bueromax:BANK-1
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	run validate catalog-item <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
	# the German dialect: decimal comma, kept to four decimals; an empty price is on request
	grep -q '"sku":"A4-500".*"price":4.125,' "$BATS_TEST_TMPDIR/out.jsonl"
	grep -q '"sku":"BANK-1".*"price":null' "$BATS_TEST_TMPDIR/out.jsonl"
	grep -q '"attributes":{"farbe":"weiß"}' "$BATS_TEST_TMPDIR/out.jsonl"
	grep -q '"history":\[{"price":4.125,"currency":"EUR","valid_from":"2026-01-01"' "$BATS_TEST_TMPDIR/out.jsonl"
}

@test "catalog-import.schema.json: dc-order catalog import, again (skipped), changed, update" {
	procure_city
	sed 's/3,50/3,75/' "$BATS_TEST_TMPDIR/bueromax--2026-03.csv" | grep -v BANK-1 \
		>"$BATS_TEST_TMPDIR/v2.csv"
	printf '%s\n' '[{"sku":"LINEAL-30","name":"Lineal 30 cm","unit":"Stück","price":0.99,"vat":19}]' \
		>"$BATS_TEST_TMPDIR/add.json"
	{
		cat "$BATS_TEST_TMPDIR/imports.jsonl"
		dc-order --as berta catalog import "$BATS_TEST_TMPDIR/bueromax--2026-03.csv"
		dc-order --as berta catalog import "$BATS_TEST_TMPDIR/v2.csv" --vendor bueromax
		dc-order --as paul catalog import -i json --mode update --vendor bueromax - \
			<"$BATS_TEST_TMPDIR/add.json"
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	run validate catalog-import <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
	run sed -n 2p "$BATS_TEST_TMPDIR/out.jsonl"
	assert_output --partial '"skipped":true'
	run sed -n 3p "$BATS_TEST_TMPDIR/out.jsonl"
	assert_output --partial '"added":0,"changed":1,"unchanged":1,"discontinued":1,"rejected":0'
	run sed -n 4p "$BATS_TEST_TMPDIR/out.jsonl"
	assert_output --partial '"format":"json","mode":"update","added":1'
}

@test "framework.schema.json: dc-order framework add, list after a call-off" {
	procure_city
	dc-order --as berta new --dept gruen --budget 5431000 --framework RV-2026-07 \
		--line "Bohlen Lärche 4 m;20;35,50;holz" >/dev/null
	{
		cat "$BATS_TEST_TMPDIR/frameworks.jsonl"
		dc-order --as berta framework add RV-2026-08 --vendor bueromax --title "Büromaterial" \
			--from 2026-01-01 --until 2027-12-31 --max-value 8000
		dc-order --as ines framework list
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	run validate framework <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
	grep -q '"used":710.00,"remaining":49290.00' "$BATS_TEST_TMPDIR/out.jsonl"
}

@test "budget.schema.json: dc-order budget add, list, show with commitments" {
	procure_city
	some_orders >/dev/null
	{
		cat "$BATS_TEST_TMPDIR/budgets.jsonl"
		dc-order --as berta budget add 0815 --dept gruen --year 2027 --amount 1000.5
		dc-order --as gustav budget list --dept gruen
		dc-order --as ines budget show 5431000/2026 0815
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	run validate budget <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
	grep -q '"amount":20000.00,"committed":6902.00,"spent":574.77,"available":12523.23' \
		"$BATS_TEST_TMPDIR/out.jsonl"
}

@test "order.schema.json: dc-order new, quote, award, approve, place, receive, invoice, cancel, list, show" {
	procure_city
	some_orders >"$BATS_TEST_TMPDIR/out.jsonl"
	dc-order --as berta record PO-2026-000001 -f json | head -1 >>"$BATS_TEST_TMPDIR/out.jsonl"
	run validate order <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
	grep -q '"status":"invoiced".*"invoice_amount":574.77' "$BATS_TEST_TMPDIR/out.jsonl"
	grep -q '"id":"PO-2026-000003",.*"procedure":"framework","min_quotes":0' "$BATS_TEST_TMPDIR/out.jsonl"
}

@test "order-event.schema.json: dc-order record -f json" {
	procure_city
	some_orders >/dev/null
	{
		for id in PO-2026-000001 PO-2026-000002 PO-2026-000003 PO-2026-000004; do
			dc-order --as ines record "$id" -f json | tail -n +2
		done
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	run validate order-event <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
	grep -q '"kind":"awarded",.*"to":"gartenbau","note":"kürzere Lieferzeit"' "$BATS_TEST_TMPDIR/out.jsonl"
	grep -q '"kind":"cancelled",.*"from":"draft","to":"cancelled"' "$BATS_TEST_TMPDIR/out.jsonl"
}

@test "rule.schema.json: dc-order rules list, built in and imported" {
	procure_city
	cat >"$BATS_TEST_TMPDIR/stadt.json" <<'JSON'
{"profile": "stadt", "title": "Vergabesatzung der Stadt",
 "rows": [
  {"procedure": "direct", "category": "*", "up_to": 5000.00, "min_quotes": 1,
   "valid_from": "2026-01-01", "valid_to": null, "legal_basis": "§ 3 Vergabesatzung"},
  {"procedure": "negotiated", "category": "*", "up_to": 215999.99, "min_quotes": 3,
   "valid_from": "2026-01-01", "valid_to": null, "legal_basis": "§ 4 Vergabesatzung"},
  {"procedure": "eu", "category": "*", "up_to": null, "min_quotes": 0,
   "valid_from": "2026-01-01", "valid_to": null, "legal_basis": "§ 106 GWB"}]}
JSON
	dc-order --as berta rules import "$BATS_TEST_TMPDIR/stadt.json" >/dev/null
	{
		for p in eu uvgo bund by bw ni he nrw st; do
			dc-order --as ines rules list --profile "$p"
		done
		dc-order --as ines rules list
		dc-order --as ines rules list --profile stadt
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	run validate rule <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
	grep -q '"profile":"stadt","procedure":"eu","category":"\*","up_to":null,.*"version":"stadt@[0-9a-f]\{12\}","source":"imported"' \
		"$BATS_TEST_TMPDIR/out.jsonl"
}

@test "band.schema.json: dc-order rules explain" {
	procure_city
	{
		for v in 0 800 1000 1000.01 25000 215999.99 216000 10000000; do
			dc-order --as ines rules explain --value "$v"
		done
		dc-order --as ines rules explain --value 300000 --category works --profile by
		dc-order --as ines rules explain --value 220000 --profile eu --date 2025-06-01
		dc-order --as ines rules explain --value 5000 --category unbekannt --profile nrw
	} >"$BATS_TEST_TMPDIR/out.jsonl"
	run validate band <"$BATS_TEST_TMPDIR/out.jsonl"
	assert_success
	run sed -n 2p "$BATS_TEST_TMPDIR/out.jsonl"
	assert_output --partial '"value":800.00,"profile":"uvgo","procedure":"direct","min_quotes":1'
	run sed -n 8p "$BATS_TEST_TMPDIR/out.jsonl"
	assert_output --partial '"procedure":"eu"'
}
