#!/usr/bin/env bats
# BMEcat files as vendors send them (issue 13, items 5 and 6): the hand-made files of
# tests/fixtures/vendors/ (README says which real export each imitates) and the values they
# import; orders from items priced on request, with price factors, tiers, periods and order
# rules.

load helper

V=$BATS_TEST_DIRNAME/../fixtures/vendors

setup() {
	fresh_db
	dc-assign dept add schule --name "Schulverwaltung" >/dev/null
	dc-assign staff add root --name "Ada Admin" --role admin >/dev/null
	export DC_USER=root
	dc-assign staff add hana --name "Hana Haupt" --dept schule --role head >/dev/null
	dc-assign staff add carl --name "Carl Klein" --dept schule --role clerk >/dev/null
	dc-assign staff add bea --name "Bea Buyer" --role buyer >/dev/null
	export DC_USER=bea
	for v in lichtwerk schraubhaus blitzblank spielraum kabelkiste; do
		dc-order vendor add "$v" --name "$v" --email "po@$v.example" >/dev/null
	done
	dc-order budget add 4711 --dept schule --year 2026 --amount 50000 >/dev/null
}

# The value of a path (a.b.0.c) in the one JSON record of `catalog show VENDOR:SKU`.
item() {
	dc-order catalog show "$1" -f json | $PY -c 'import json,sys
v = json.load(sys.stdin)[0]
for k in sys.argv[1].split("."): v = v[int(k)] if isinstance(v, list) else v[k]
print("null" if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, (list, dict, bool)) else v)' "$2"
}

# The value of a path in the order record of `show ID`.
order() {
	dc-order show "$1" -f json | $PY -c 'import json,sys
v = json.load(sys.stdin)[0]
for k in sys.argv[1].split("."): v = v[int(k)] if isinstance(v, list) else v[k]
print("null" if v is None else json.dumps(v) if isinstance(v, (list, dict, bool)) else v)' "$2"
}

@test "manufacturer BMEcat 2005 with ECLASS features and no prices: on request, features, media, group path, searchable" {
	run dc-order catalog import "$V/bmecat-2005-manufacturer-eclass.xml" --vendor lichtwerk
	assert_success
	a=lichtwerk:SL-LED-60W
	assert_equal "$(item $a price)" null
	assert_equal "$(item $a on_request)" true
	assert_equal "$(item $a price_type)" null
	assert_equal "$(item $a category)" "Leuchten / Außenleuchten / Straßenleuchten"
	assert_equal "$(item $a attributes.classification)" '{"group": "27-11-06-01", "system": "ECLASS-11.0"}'
	assert_equal "$(item $a attributes.features.0)" '{"name": "Lichtstrom", "unit": "lm", "values": ["7800"]}'
	assert_equal "$(item $a attributes.features.2.values)" '["warmweiß", "neutralweiß"]'
	assert_equal "$(item $a attributes.media.1)" '{"description": "Datenblatt", "purpose": "data_sheet", "source": "datenblaetter/sl-led-60w.pdf", "type": "application/pdf"}'
	assert_equal "$(item $a attributes.manufacturer)" Lichtwerk
	# the ETIM template form; without a catalog group the feature group id is the category
	b=lichtwerk:MA-76
	assert_equal "$(item $b attributes.features)" '[{"name": "EF000008", "unit": "mm", "values": ["76"]}]'
	assert_equal "$(item $b attributes.classification.system)" ETIM-9.0
	assert_equal "$(item $b category)" EC002892
	# features, classification, group names and manufacturer are searchable
	assert_equal "$(dc-order catalog search warmweiß -q)" $a
	assert_equal "$(dc-order catalog search IP66 -q)" $a
	assert_equal "$(dc-order catalog search Straßenleuchten -q)" $a
	assert_equal "$(dc-order catalog search 27-11-06-01 -q)" $a
	assert_equal "$(dc-order catalog search EC002892 -q)" $b
	assert_equal "$(dc-order catalog search Lichtwerk -q | sort | tr '\n' ' ')" "$b $a "
	# the same file again changes nothing
	run dc-order catalog import "$V/bmecat-2005-manufacturer-eclass.xml" --vendor lichtwerk
	assert_output --partial '"skipped":true'
}

@test "an item on request: the draft's line has no price; approve exits 3 until the vendor's quote is awarded" {
	dc-order catalog import "$V/bmecat-2005-on-request.xml" --vendor spielraum >/dev/null
	# price_type on_request with an amount, and no PRICE_AMOUNT: on request, never 0
	for s in KLETTER-3 SCHAUKEL-2; do
		assert_equal "$(item spielraum:$s price)" null
		assert_equal "$(item spielraum:$s on_request)" true
	done
	assert_equal "$(item spielraum:KLETTER-3 prices)" '[{"amount": "0.00", "currency": "EUR", "type": "on_request"}]'
	assert_equal "$(item spielraum:SAND-T price)" 38.5
	assert_equal "$(item spielraum:SAND-T on_request)" false
	id=$(DC_USER=carl dc-order new --dept schule --budget 4711 --item spielraum:KLETTER-3:1 \
		--item spielraum:SAND-T:4 -q)
	assert_equal "$(order "$id" lines.0.unit_net)" null
	assert_equal "$(order "$id" lines.0.on_request)" true
	assert_equal "$(order "$id" lines.1.unit_net)" 38.5
	assert_equal "$(order "$id" net)" 154.0
	assert_equal "$(order "$id" award)" null
	run env DC_USER=hana dc-order approve "$id"
	assert_failure 3
	assert_output --partial "line 1 ('spielraum:KLETTER-3') is priced on request"
	# two items on request in one order cannot share one quote
	run env DC_USER=carl dc-order new --dept schule --budget 4711 --item spielraum:KLETTER-3:1 \
		--item spielraum:SCHAUKEL-2:1
	assert_failure 3
	# a quote from another vendor, awarded, does not price the line
	dc-order quote "$id" --vendor lichtwerk --amount 9000 >/dev/null
	dc-order quote "$id" --vendor spielraum --amount 12154.00 >/dev/null
	dc-order award "$id" --vendor lichtwerk --reason "Test" >/dev/null
	run env DC_USER=hana dc-order approve "$id"
	assert_failure 3
	dc-order award "$id" --vendor spielraum --reason "Vor-Ort-Service" >/dev/null
	assert_equal "$(order "$id" lines.0.unit_net)" 12000
	assert_equal "$(order "$id" lines.0.on_request)" false
	assert_equal "$(order "$id" net)" 12154.0
	assert_equal "$(order "$id" gross)" 14463.26
	# the known price moved the order to a higher band, which needs its quotes
	assert_equal "$(order "$id" procedure)" negotiated
	run env DC_USER=hana dc-order approve "$id"
	assert_failure 3
	assert_output --partial "needs 3 quotes, has 2"
	dc-order quote "$id" --vendor blitzblank --amount 13000 >/dev/null
	run env DC_USER=hana dc-order approve "$id"
	assert_success
	run dc-order record "$id" -f json
	assert_output --partial '"kind":"priced"'
}

@test "PRICE_FACTOR and PRICE_QUANTITY, tiers, a future price period; order rules checked at new" {
	dc-order catalog import "$V/bmecat-2005-factor-period.xml" --vendor schraubhaus >/dev/null
	a=schraubhaus:SPAX-4X40
	# 1250.00 × 0.9 ÷ 100 per pack, tiers likewise; the raw values stay with the item
	assert_equal "$(item $a price)" 11.25
	assert_equal "$(item $a price_type)" net_customer
	assert_equal "$(item $a tiers)" '[{"min_qty": 2.0, "price": 11.25}, {"min_qty": 20.0, "price": 9.9}]'
	assert_equal "$(item $a prices.0)" '{"amount": "1250.00", "currency": "EUR", "factor": "0.9", "lower_bound": "2", "quantity": "100", "tax": "0.19", "type": "net_customer", "unit_price": 11.25, "valid_from": "2026-01-01", "valid_until": "2026-03-31"}'
	assert_equal "$(item $a prices.2.unit_price)" 12.033
	assert_equal "$(item $a valid_until)" 2026-03-31
	assert_equal "$(item $a min_qty)" 2.0
	assert_equal "$(item $a quantity_interval)" 2.0
	assert_equal "$(item $a cu_per_ou)" 200.0
	# catalog show lists the period that has not begun
	assert_equal "$(item $a future_prices)" '[{"amount": "1337.00", "currency": "EUR", "factor": "0.9", "lower_bound": "2", "quantity": "100", "tax": "0.19", "type": "net_customer", "unit_price": 12.033, "valid_from": "2026-04-01"}]'
	# quantities: at least 2, in steps of 2
	run env DC_USER=carl dc-order new --dept schule --budget 4711 --item $a:3
	assert_failure 3
	assert_output "dc-order: field 'item': 3 is not an allowed quantity of '$a': 2, 4, 6, ... (at least 2, in steps of 2)"
	run env DC_USER=carl dc-order new --dept schule --budget 4711 --item $a:1
	assert_failure 3
	id=$(DC_USER=carl dc-order new --dept schule --budget 4711 --item $a:4 -q)
	assert_equal "$(order "$id" lines.0.unit_net)" 11.25
	id=$(DC_USER=carl dc-order new --dept schule --budget 4711 --item $a:20 -q)
	assert_equal "$(order "$id" lines.0.unit_net)" 9.9
	# an order on a day of the next period takes its price
	id=$(DC_NOW=2026-04-02T09:00:00Z DC_USER=carl dc-order new --dept schule --budget 4711 --item $a:4 -q)
	assert_equal "$(order "$id" lines.0.unit_net)" 12.033
	assert_equal "$(order "$id" net)" 48.13
}

@test "several price types: net_customer, net_list, gros_list (made net with TAX), nrp; others kept unused" {
	dc-order catalog import "$V/bmecat-2005-price-types.xml" --vendor blitzblank >/dev/null
	assert_equal "$(item blitzblank:SEIFE-5L price)" 14.2
	assert_equal "$(item blitzblank:SEIFE-5L price_type)" net_list
	assert_equal "$(item blitzblank:SEIFE-5L prices.3)" '{"amount": "9.99", "currency": "EUR", "tax": "0.19", "type": "udp_staffel_aktion", "unit_price": 9.99}'
	# 4.76 gross with TAX 19 (a percentage) is 4.00 net
	assert_equal "$(item blitzblank:TUCH-100 price)" 4
	assert_equal "$(item blitzblank:TUCH-100 price_type)" gros_list
	assert_equal "$(item blitzblank:TUCH-100 vat)" 19.0
	assert_equal "$(item blitzblank:EIMER-12 price)" 6.49
	assert_equal "$(item blitzblank:EIMER-12 price_type)" nrp
	# only a type that is not used: on request
	assert_equal "$(item blitzblank:MOPP-PRO price)" null
	assert_equal "$(item blitzblank:MOPP-PRO on_request)" true
	assert_equal "$(item blitzblank:MOPP-PRO prices.0.type)" udp_messepreis
}

@test "T_UPDATE_PRICES with an unknown item: rejected with file:line; the rest goes on under --keep-going" {
	dc-order catalog import "$V/bmecat-2005-price-types.xml" --vendor blitzblank >/dev/null
	f=$V/bmecat-12-update-prices-unknown.xml
	run dc-order catalog import "$f" --vendor blitzblank
	assert_failure 65
	assert_output "dc-order: $f:25: field 'sku': no item 'BESEN-XXL' to update"
	assert_equal "$(item blitzblank:EIMER-12 price)" 6.49
	run dc-order catalog import "$f" --vendor blitzblank --keep-going
	assert_failure 65
	assert_line "dc-order: $f:25: field 'sku': no item 'BESEN-XXL' to update"
	assert_line --partial '"changed":2,"unchanged":0,"discontinued":0,"rejected":1'
	assert_equal "$(item blitzblank:EIMER-12 price)" 5.1
	assert_equal "$(item blitzblank:EIMER-12 price_type)" net_list
	assert_equal "$(item blitzblank:TUCH-100 price)" 3.95
	assert_equal "$(item blitzblank:SEIFE-5L price)" 14.2
	# T_UPDATE_PRODUCTS likewise: mode update for an unknown item
	cat >"$BATS_TEST_TMPDIR/p.xml" <<-'XML'
	<?xml version="1.0" encoding="UTF-8"?>
	<BMECAT version="2005">
	<HEADER><CATALOG><CURRENCY>EUR</CURRENCY></CATALOG></HEADER>
	<T_UPDATE_PRODUCTS prev_version="3">
	<PRODUCT mode="update"><SUPPLIER_PID>SEIFE-5L</SUPPLIER_PID>
	<PRODUCT_DETAILS><DESCRIPTION_SHORT>Flüssigseife 5 l, parfümfrei</DESCRIPTION_SHORT></PRODUCT_DETAILS>
	</PRODUCT>
	<PRODUCT mode="update"><SUPPLIER_PID>BESEN-XXL</SUPPLIER_PID>
	<PRODUCT_DETAILS><DESCRIPTION_SHORT>Besen</DESCRIPTION_SHORT></PRODUCT_DETAILS>
	</PRODUCT>
	</T_UPDATE_PRODUCTS>
	</BMECAT>
	XML
	run dc-order catalog import "$BATS_TEST_TMPDIR/p.xml" --vendor blitzblank
	assert_failure 65
	assert_output "dc-order: $BATS_TEST_TMPDIR/p.xml:8: field 'sku': no item 'BESEN-XXL' to update"
	run dc-order catalog import "$BATS_TEST_TMPDIR/p.xml" --vendor blitzblank --keep-going
	assert_failure 65
	assert_equal "$(item blitzblank:SEIFE-5L name)" "Flüssigseife 5 l, parfümfrei"
}

@test "BMEcat 1.2: catalog group names from a map after the articles, features, media" {
	dc-order catalog import "$V/bmecat-12-groups-features.xml" --vendor kabelkiste >/dev/null
	a=kabelkiste:CAT6-3M
	assert_equal "$(item $a category)" "Kabel / Netzwerkkabel"
	assert_equal "$(item $a price)" 2.35
	assert_equal "$(item $a attributes.features.1)" '{"name": "Schirmung", "values": ["S/FTP"]}'
	assert_equal "$(item $a attributes.media)" '[{"purpose": "thumbnail", "source": "cat6-3m.png", "type": "image/png"}]'
	assert_equal "$(item $a attributes.classification)" '{"group": "19-03-09-01", "system": "ECLASS-5.1"}'
	assert_equal "$(dc-order catalog search Netzwerkkabel -q)" $a
	assert_equal "$(dc-order catalog search S/FTP -q)" $a
}

@test "catalog-item and order schemas hold for BMEcat items and an order line on request" {
	dc-order catalog import "$V/bmecat-2005-manufacturer-eclass.xml" --vendor lichtwerk >/dev/null
	dc-order catalog import "$V/bmecat-2005-factor-period.xml" --vendor schraubhaus >/dev/null
	dc-order catalog import "$V/bmecat-2005-price-types.xml" --vendor blitzblank >/dev/null
	dc-order catalog import "$V/bmecat-2005-on-request.xml" --vendor spielraum >/dev/null
	dc-order catalog import "$V/bmecat-12-groups-features.xml" --vendor kabelkiste >/dev/null
	id=$(DC_USER=carl dc-order new --dept schule --budget 4711 --item spielraum:KLETTER-3:1 -q)
	{
		dc-order catalog show $(dbsql "SELECT vendor || ':' || sku FROM catalog_item")
		dc-order catalog search Lichtwerk
	} >"$BATS_TEST_TMPDIR/items.jsonl"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/items.jsonl")" 13
	run validate catalog-item <"$BATS_TEST_TMPDIR/items.jsonl"
	assert_success
	dc-order show "$id" >"$BATS_TEST_TMPDIR/order.jsonl"
	run validate order <"$BATS_TEST_TMPDIR/order.jsonl"
	assert_success
}
