#!/usr/bin/env bats
# Numbers and money (dcity(7) NUMBERS): the reading of a file and of the command line, unit
# prices to four decimals, checked arithmetic against the maxima.

load helper

setup() {
	fresh_db
	dc-assign dept add schule --name "Schulverwaltung" >/dev/null
	dc-assign staff add root --name "Ada Admin" --role admin >/dev/null
	export DC_USER=root
	dc-assign staff add carl --name "Carl Klein" --dept schule --role clerk >/dev/null
	dc-assign staff add bea --name "Bea Buyer" --role buyer >/dev/null
	export DC_USER=bea
	dc-order vendor add acme --name "Acme" --email sales@acme.example >/dev/null
	dc-order budget add 4711 --dept schule --year 2026 --amount 50000 >/dev/null
}

db() { dbsql "$1"; }

# Each item's sku and stored price (ten-thousandths of a euro) in sku order.
prices() { db "select sku || '=' || coalesce(CAST(price AS TEXT), 'null') from catalog_item order by sku"; }

new_order() { DC_USER=carl dc-order new --dept schule --budget 4711 "$@"; }

# A merchant baecker owned by the business member korn.
shop() {
	db "INSERT INTO member(handle, name, kind, email, district, created_at) VALUES
		('korn', 'Karl Korn', 'business', 'karl@korn.example', 'Mitte', '2026-01-01T00:00:00Z')"
	DC_USER=root dc-shop merchant add baecker --name "Bäckerei" --owner korn \
		--email laden@korn.example >/dev/null
}

# --- files: the reading follows the separator ----------------------------------------------

@test "vendors/grosshandel-de.csv: ';' is the German reading, 1.234 is 1234, marks of € go" {
	run dc-order catalog import "$FIXTURES/vendors/grosshandel-de.csv" --vendor acme
	assert_success
	run prices
	assert_output "$(printf '%s\n' BEAM-1=12999500 KLAMMER=875 KOP-500=32000 LAM-A3=12340000 \
		STIFT-50=125000 TISCH-160=12340000)"
	# JSON prints a unit price without trailing zeros, tables with at least two decimals
	run dc-order catalog show acme:KLAMMER acme:KOP-500 acme:TISCH-160 --fields sku,price
	assert_output $'{"sku":"KLAMMER","price":0.0875}\n{"sku":"KOP-500","price":3.2}\n{"sku":"TISCH-160","price":1234}'
	run dc-order catalog show acme:KOP-500 acme:KLAMMER -f csv --fields sku,price
	assert_output $'sku,price\nKOP-500,3.20\nKLAMMER,0.0875'
	run dc-order catalog show acme:KOP-500 -f csv --dialect excel-de --fields sku,price
	assert_output $'\xef\xbb\xbfsku;price\r\nKOP-500;3,20\r'
}

@test "vendors/cteile-rfc.csv: four decimals kept exactly, 'EUR ' before the price" {
	run dc-order catalog import "$FIXTURES/vendors/cteile-rfc.csv" --vendor acme
	assert_success
	run prices
	assert_output "$(printf '%s\n' BIT-SET=199000 DUEBEL-8=350 KASTEN=12345000 M6-20=412 \
		M8-40=1234 SCHEIBE-6=99)"
	run dc-order catalog show acme:M8-40
	assert_output --partial '"price":0.1234,'
	assert_output --partial '"history":[{"price":0.1234,"currency":"EUR"'
	dc-order catalog show acme:M8-40 | validate catalog-item
}

@test "vendors/lager-export.tsv: a tab is the RFC reading" {
	run dc-order catalog import "$FIXTURES/vendors/lager-export.tsv" --vendor acme -i tsv
	assert_success
	run prices
	assert_output "$(printf '%s\n' ETI-1000=123456 KABEL=10500 T-900=899000)"
}

@test "a value not well-formed in its file's reading is refused with file:line:field" {
	printf 'sku;name;price\nA;Alpha;1,50\nB;Beta;1.23\n' >"$BATS_TEST_TMPDIR/de.csv"
	run dc-order catalog import "$BATS_TEST_TMPDIR/de.csv" --vendor acme
	assert_failure 65
	assert_output "dc-order: $BATS_TEST_TMPDIR/de.csv:3: field 'price': '1.23' is not a price"
	assert_equal "$(db "select count(*) from catalog_item")" 0
	printf 'sku,name,price\nA,Alpha,"1,50"\n' >"$BATS_TEST_TMPDIR/rfc.csv"
	run dc-order catalog import "$BATS_TEST_TMPDIR/rfc.csv" --vendor acme
	assert_failure 65
	assert_output "dc-order: $BATS_TEST_TMPDIR/rfc.csv:2: field 'price': '1,50' is not a price"
	printf 'sku,name,price\nA,Alpha,0.12345\n' >"$BATS_TEST_TMPDIR/five.csv"
	run dc-order catalog import "$BATS_TEST_TMPDIR/five.csv" --vendor acme
	assert_failure 65
	assert_output --partial "five.csv:2: field 'price': '0.12345' is not a price: more than 4 decimals"
	printf 'sku;name;price;currency\nA;Alpha;3,20 €;USD\n' >"$BATS_TEST_TMPDIR/usd.csv"
	run dc-order catalog import "$BATS_TEST_TMPDIR/usd.csv" --vendor acme
	assert_failure 65
	assert_output --partial "usd.csv:2: field 'price': '3,20 €' is not a price: a mark of another currency"
	# --dialect says how the numbers are written, whatever the separator
	printf 'sku;name;price\nA;Alpha;1.50\n' >"$BATS_TEST_TMPDIR/dot.csv"
	run dc-order --dialect rfc4180 catalog import "$BATS_TEST_TMPDIR/dot.csv" --vendor acme
	assert_success
	assert_equal "$(prices)" "A=15000"
}

# --- unit prices to four decimals -----------------------------------------------------------

@test "a sub-cent unit price survives into the order; a line's net rounds half up to cents" {
	dc-order catalog import "$FIXTURES/vendors/cteile-rfc.csv" --vendor acme >/dev/null
	# 5 × 0.1234 = 0.617 → 0.62; 1 × 0.125 = 0.125 → 0.13 (half up, not to even)
	run new_order --item acme:M8-40:5 --line "Kleinteil;1;0,125;acme" -f json
	assert_success
	run $PY -c 'import json,sys
o = json.load(sys.stdin)[0]
print(o["net"], o["gross"], [(l["qty"], l["unit_net"]) for l in o["lines"]])' <<<"$output"
	assert_output "0.75 0.89 [(5.0, 0.1234), (1.0, 0.125)]"
	assert_equal "$(db "select group_concat(unit_net) from order_line")" "1234,1250"
	new_order --item acme:M8-40:5 | validate order
}

@test "the migration turns cents into ten-thousandths" {
	sqlite_only "schema 9's migration of SQLite files; a city on PostgreSQL starts at schema 13"
	dc-order catalog import "$FIXTURES/vendors/cteile-rfc.csv" --vendor acme >/dev/null
	new_order --item acme:KASTEN:2 -q >/dev/null
	# back to cents, as an older dcity left them, and the migration's price statements again
	db "update catalog_item set price = price / 100; update price_history set price = price / 100;
	    update order_line set unit_net = unit_net / 100"
	sed -n '/^-- prices: BEGIN/,/^-- prices: END/p' "$BATS_TEST_DIRNAME/../../schemas/sql/0009-vendor-files.sql" |
		sqlite3 "$DC_DB"
	run dc-order catalog show acme:KASTEN --fields price
	assert_output '{"price":1234.5}'
	assert_equal "$(db "select unit_net from order_line")" 12345000
	assert_equal "$(db "select group_concat(price) from price_history where item =
		(select id from catalog_item where sku = 'KASTEN')")" 12345000
}

# --- the command line -----------------------------------------------------------------------

@test "command line: 1234.56, 1234,56, 1.234,56 and 1,234.56; 1.500 is ambiguous" {
	for v in 1234.56 1234,56 1.234,56 1,234.56; do
		run dc-order rules explain --value "$v" --fields value
		assert_success
		assert_output '{"value":1234.56}'
	done
	run dc-order rules explain --value 0.125 --fields value
	assert_failure 64
	assert_line --index 0 "dc-order: field 'value': '0.125' is not an amount in euros (12.50): more than 2 decimals"
	run dc-order rules explain --value 1.500
	assert_failure 64
	assert_line --index 0 "dc-order: field 'value': '1.500' is ambiguous: write 1500 or 1.5"
	run dc-order rules explain --value 1.5 --fields value
	assert_output '{"value":1.50}'
	run new_order --line "Papier;2;1.500;acme"
	assert_failure 65
	assert_output "dc-order: field 'line': '1.500' is ambiguous: write 1500 or 1.5"
	run new_order --line "Papier;2,750;1.50;acme"
	assert_failure 65
	assert_output "dc-order: field 'line': '2,750' is ambiguous: write 2750 or 2.75"
	run new_order --line "Papier;0.125;1.50;acme" -q
	assert_success
	assert_equal "$(db "select qty from order_line")" 0.125
}

@test "--price 1.500 is refused with a hint: 64 as an option, 65 in a record" {
	shop
	export DC_USER=root
	run dc-shop product add --merchant baecker --sku BROT --name Brot --price 1.500
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'price': '1.500' is ambiguous: write 1500 or 1.5"
	run dc-shop product add --merchant baecker --sku BROT --name Brot --price 1.234,50
	assert_success
	assert_equal "$(db "select price from product")" 123450
}

@test "dc config shop.grace_days -1: a negative number is a value, not an option" {
	export DC_USER=root
	run dc config shop.grace_days -1
	assert_failure 65
	assert_output "dc: setting 'shop.grace_days': '-1' is not a whole number from 0 to 365"
	run dc config shop.grace_days 1.500
	assert_failure 65
	assert_output "dc: setting 'shop.grace_days': '1.500' is ambiguous: write 1500 or 1.5"
	run dc config shop.grace_days 2
	assert_success
	assert_equal "$(db "select value from setting where key = 'shop.grace_days'")" 2
}

# --- checked arithmetic ---------------------------------------------------------------------

@test "two lines of 10^9 × 10^13 € are bad data, not an order of 0.00 in the direct band" {
	run new_order --line "X;1000000000;10000000000000.00" --line "X;1000000000;10000000000000.00"
	assert_failure 65
	assert_output "dc-order: field 'line': '10000000000000.00' is not a unit price: above the maximum 100000000000"
	# within each maximum, beyond them together
	run new_order --line "X;1000000;1000000"
	assert_failure 65
	assert_output "dc-order: field 'line': 'X;1000000;1000000': its value is above the maximum 100000000000.00 EUR"
	# the value with VAT counts: 84033613445.39 net is 100000000000.01 gross
	run new_order --line "X;1;84033613445.39"
	assert_failure 65
	assert_output "dc-order: field 'line': 'X;1;84033613445.39': its value is above the maximum 100000000000.00 EUR"
	run new_order --line "X;1;50000000000" --line "Y;1;50000000000"
	assert_failure 65
	assert_output "dc-order: field 'line': 'Y;1;50000000000': the order's value with it is above the maximum 100000000000.00 EUR"
	run new_order --line "X;1000000001;1"
	assert_failure 65
	assert_output "dc-order: field 'line': '1000000001' is not a quantity: above the maximum 1000000000"
	assert_equal "$(db "select count(*) from purchase_order")" 0
	# the maximum itself is an order
	run new_order --line "X;1;84033613445.38" -f json
	assert_success
	assert_output --partial '"net":84033613445.38,"gross":100000000000.00,'
	# an amount of money above it is refused where it is given
	run dc-order budget add 4712 --dept schule --year 2026 --amount 100000000000.01
	assert_failure 64
	assert_line --index 0 "dc-order: field 'amount': '100000000000.01' is not an amount in euros (12.50): above the maximum 100000000000.00"
}

@test "a shop order's total above the maximum is bad data" {
	shop
	export DC_USER=root
	dc-shop product add --merchant baecker --sku GOLD --name Goldbarren \
		--price 60000000000 --stock 1000 >/dev/null
	run dc-shop order new --item baecker:GOLD:1 --item baecker:GOLD:1 --email gast@example.org
	assert_failure 65
	assert_output --partial "the order's total is above the maximum 100000000000.00 EUR"
	assert_equal "$(db "select count(*) from shop_order")" 0
}

@test "a budget whose orders' sum leaves 64 bits is bad data, not a wrapped number" {
	new_order --line "Papier;1;20.00;acme" -q >/dev/null
	new_order --line "Toner;1;90.00;acme" -q >/dev/null
	# orders written by something else than dcity, beyond every maximum
	db "update purchase_order set status = 'approved', gross = 5000000000000000000"
	run dc-order budget list
	assert_failure 65
	assert_output "dc-order: database: a sum of money or quantities is above the maxima (dcity(7) NUMBERS)"
}
