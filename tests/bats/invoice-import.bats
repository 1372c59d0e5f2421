#!/usr/bin/env bats
# dc-import invoices DIR: the e-invoice spool (dc-import(8) "Invoice mode").

load helper

FIX=$ROOT/tests/fixtures/einvoice/booking

db() { dbsql "$1"; }

setup() {
	fresh_db
	dc-assign dept add schule --name "Schulverwaltung" >/dev/null
	dc-assign staff add root --name "Ada Admin" --role admin >/dev/null
	export DC_USER=root
	dc-assign staff add hana --name "Hana Haupt" --dept schule --role head >/dev/null
	dc-assign staff add bea --name "Bea Buyer" --role buyer >/dev/null
	dc-assign staff add paul --name "Paul Portal" --role integrator >/dev/null
	dc-assign staff add carl --name "Carl Klein" --dept schule --role clerk >/dev/null
	dc config procurement.leitweg_id 04011000-12345-03 >/dev/null
	export DC_USER=bea
	dc-order vendor add verlag --name "Verlag" --email abo@verlag.example \
		--vat-id DE123456789 >/dev/null
	printf '%s\r\n' 'sku;name;unit;price;vat' '246;Zeitschrift [...];XPP;288,79;7' \
		'PORTO;Porto + Versandkosten;XPP;26,07;7' >"$BATS_TEST_TMPDIR/verlag--2026.csv"
	dc-order catalog import "$BATS_TEST_TMPDIR/verlag--2026.csv" >/dev/null
	dc-order budget add 4711 --dept schule --year 2026 --amount 50000 >/dev/null
	PO=$(dc-order new --dept schule --budget 4711 --item verlag:246:1 --item verlag:PORTO:1 |
		$PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	DC_USER=hana dc-order approve "$PO" >/dev/null
	dc-order place "$PO" >/dev/null
	dc-order receive "$PO" >/dev/null
	SPOOL=$BATS_TEST_TMPDIR/spool
	mkdir -p "$SPOOL/incoming"
}

# a copy of the UBL fixture with invoice number N and order reference R (BT-13)
ubl() {
	sed -e "0,/<cbc:ID>123456XX</s//<cbc:ID>$1</" \
		-e "s|</cbc:BuyerReference>|</cbc:BuyerReference><cac:OrderReference><cbc:ID>$2</cbc:ID></cac:OrderReference>|" \
		"$FIX/zeitschrift-ubl.xml"
}

@test "booked, unmatched and bad files go to done/ and failed/ with their logs" {
	ubl A-1 "$PO" >"$SPOOL/incoming/a.xml"
	ubl B-1 PO-2026-999999 >"$SPOOL/incoming/b.xml"
	echo "<Invoice/>" >"$SPOOL/incoming/c.xml"
	ln -s "$FIX/zeitschrift-ubl.xml" "$SPOOL/incoming/d.xml"
	ubl E-1 "$PO" >"$SPOOL/incoming/.e.xml"
	run env DC_USER=paul dc-import invoices "$SPOOL"
	assert_failure 65
	# the records of the two stored invoices on stdout, the rest on stderr
	assert_equal "$(grep -c '^{' <<<"$output")" 2
	assert_line --partial "b.xml: invoice 'INV-2026-000002' names no known order: kept as unmatched"
	assert_line --partial "d.xml: not a regular file (symlinks are refused)"
	[ -f "$SPOOL/done/a.xml" ] && [ -f "$SPOOL/done/b.xml" ] && [ -f "$SPOOL/failed/c.xml" ]
	[ -L "$SPOOL/failed/d.xml" ] && [ -f "$SPOOL/incoming/.e.xml" ]
	run $PY -c 'import json,sys
for n in sys.argv[1:]:
    r = json.load(open(n)); print(r["status"], r.get("invoice"), r.get("order"), r.get("exit"))' \
		"$SPOOL/done/a.xml.log" "$SPOOL/done/b.xml.log" "$SPOOL/failed/c.xml.log"
	assert_output "booked INV-2026-000001 $PO None
unmatched INV-2026-000002 None None
failed None None 65"
	assert_equal "$(db "select sha256 from invoice where id = 'INV-2026-000001'")" \
		"$(sha256sum "$SPOOL/done/a.xml" | cut -d' ' -f1)"
	assert_equal "$(dc-order show "$PO" | $PY -c 'import json,sys; print(json.load(sys.stdin)["status"])')" invoiced
	# a second run has nothing to do
	run env DC_USER=paul dc-import invoices "$SPOOL"
	assert_success
	assert_output ""
	# the unmatched one is booked later by hand
	run dc-order invoice assign INV-2026-000002 "$PO"
	assert_failure 3
	assert_output --partial "quantity 1, order '$PO' line 1: received 1, invoiced so far 1"
}

@test "a clerk may not run it; --dry-run leaves the files and stores nothing" {
	ubl A-1 "$PO" >"$SPOOL/incoming/a.xml"
	run env DC_USER=carl dc-import invoices "$SPOOL"
	assert_failure 77
	run env DC_USER=paul dc-import --dry-run invoices "$SPOOL"
	assert_success
	[ -f "$SPOOL/incoming/a.xml" ]
	assert_equal "$(db "select count(*) from invoice")" 0
}
