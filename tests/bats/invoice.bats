#!/usr/bin/env bats
# dc-order invoice add|list|show|assign: typed invoices and XRechnung files (UBL, CII) booked
# against orders with the per-line three-way match, the checks and their exit codes, credit
# notes and corrected invoices, the evidence (dc-order(1) "Invoices").

load helper

FIX=$ROOT/tests/fixtures/einvoice/booking

# The city (Leitweg-ID of the suite's invoices), a school department with head hana, buyer
# bea, the publisher "verlag" (the suite's seller VAT id) with a catalog of the two items of
# zeitschrift-*.xml at the invoice's prices and 7 % VAT, and a budget.
setup() {
	fresh_db
	cached_setup invoice_city
	export DC_USER=bea
}

invoice_city() {
	dc-assign dept add schule --name "Schulverwaltung" >/dev/null
	dc-assign dept add tiefbau --name "Tiefbauamt" >/dev/null
	dc-assign staff add root --name "Ada Admin" --role admin >/dev/null
	export DC_USER=root
	dc-assign staff add hana --name "Hana Haupt" --dept schule --role head >/dev/null
	dc-assign staff add tom --name "Tom Tief" --dept tiefbau --role head >/dev/null
	dc-assign staff add carl --name "Carl Klein" --dept schule --role clerk >/dev/null
	dc-assign staff add bea --name "Bea Buyer" --role buyer >/dev/null
	dc config procurement.leitweg_id 04011000-12345-03 >/dev/null
	export DC_USER=bea
	dc-order vendor add verlag --name "Verlag" --email abo@verlag.example \
		--vat-id DE123456789 >/dev/null
	dc-order vendor add acme --name "Acme" --email sales@acme.example >/dev/null
	printf '%s\r\n' 'sku;name;unit;price;vat' '246;Zeitschrift [...];XPP;288,79;7' \
		'PORTO;Porto + Versandkosten;XPP;26,07;7' >"$BATS_TEST_TMPDIR/verlag--2026.csv"
	dc-order catalog import "$BATS_TEST_TMPDIR/verlag--2026.csv" >/dev/null
	dc-order budget add 4711 --dept schule --year 2026 --amount 50000 >/dev/null
}

# An order of ITEMs (VENDOR:SKU:QTY) approved, placed and received in full; prints its id.
received_order() {
	local id args=()
	for i in "$@"; do args+=(--item "$i"); done
	id=$(dc-order new --dept schule --budget 4711 "${args[@]}" | field id)
	# a test's orders are separate needs, not a split one
	DC_USER=hana dc-order approve "$id" --split-justification "Testbedarf" >/dev/null
	dc-order place "$id" >/dev/null
	dc-order receive "$id" >/dev/null
	echo "$id"
}

db() { dbsql "$1"; }

# field F of every JSONL record on stdin
field() {
	$PY -c 'import json,sys
for l in sys.stdin:
    if l.strip():
        v = json.loads(l)[sys.argv[1]]
        print("null" if v is None else json.dumps(v) if isinstance(v, (list, dict)) else v)' "$1"
}

# mutate IN OUT KEY=VALUE...: a copy of a fixture with number=, leitweg=, order= (BT-13 added),
# type=, preceding= (BT-25 added) set; amounts stay as they are.
mutate() {
	$PY - "$@" <<'EOF'
import re, sys
src, out, *kv = sys.argv[1:]
x = open(src, encoding="utf-8").read()
cii = "CrossIndustryInvoice" in x
for k, v in (a.split("=", 1) for a in kv):
    if k == "number":
        x = re.sub(r"(<rsm:ExchangedDocument>\s*<ram:ID>)[^<]*" if cii else
                   r"(</cbc:ProfileID>\s*<cbc:ID>)[^<]*", lambda m: m.group(1) + v, x, count=1)
    elif k == "leitweg":
        x = re.sub(r"(<(?:ram|cbc):BuyerReference>)[^<]*", lambda m: m.group(1) + v, x)
    elif k == "type":
        x = re.sub(r"(<ram:TypeCode>)380(</ram:TypeCode>)" if cii else
                   r"(<cbc:InvoiceTypeCode>)380(</cbc:InvoiceTypeCode>)",
                   lambda m: m.group(1) + v + m.group(2), x, count=1)
    elif k == "order" and not cii:
        x = x.replace("</cbc:BuyerReference>", "</cbc:BuyerReference>\n    <cac:OrderReference>"
                      "<cbc:ID>%s</cbc:ID></cac:OrderReference>" % v, 1)
    elif k == "preceding" and not cii:
        x = x.replace("<cac:AccountingSupplierParty>", "<cac:BillingReference>"
                      "<cac:InvoiceDocumentReference><cbc:ID>%s</cbc:ID>"
                      "</cac:InvoiceDocumentReference></cac:BillingReference>\n"
                      "    <cac:AccountingSupplierParty>" % v, 1)
    else:
        sys.exit("mutate: cannot set %s in %s" % (k, src))
open(out, "w", encoding="utf-8").write(x)
EOF
}

budget() {
	dc-order budget list | $PY -c 'import json,sys
r = json.loads(sys.stdin.readline()); print(r["committed"], r["spent"], r["available"])'
}

@test "the typed invoice verb works as before and makes an invoice record" {
	id=$(dc-order new --dept schule --budget 4711 --line "Stühle;10;50.00;acme" | field id)
	DC_USER=hana dc-order approve "$id" >/dev/null
	dc-order place "$id" >/dev/null
	run dc-order invoice "$id" --number R-1 --amount 595.00
	assert_failure 3
	dc-order receive "$id" >/dev/null
	run dc-order invoice "$id" --number R-1 --amount 601.00
	assert_failure 3
	assert_output "dc-order: three-way match failed for '$id': ordered 595.00, received 595.00, invoiced 601.00 (gross; tolerance 1 %)"
	run dc-order invoice "$id" --number R-1 --amount 595.00
	assert_success
	assert_equal "$(field status <<<"$output") $(field invoice_number <<<"$output") $(field invoice_amount <<<"$output")" "invoiced R-1 595.0"
	assert_equal "$(budget)" "0.0 595.0 49405.0"
	run dc-order invoice list --order "$id"
	assert_success
	assert_equal "$(field id <<<"$output") $(field status <<<"$output") $(field format <<<"$output") $(field vendor <<<"$output") $(field gross <<<"$output")" \
		"INV-2026-000001 booked manual acme 595.0"
	# the same number from the same vendor again is a duplicate
	run dc-order invoice add "$id" --number R-1 --amount 1.00
	assert_failure 3
	assert_output --partial "'R-1' of seller 'vendor:acme' is booked already as 'INV-2026-000001'"
}

@test "invoice add --number --amount: needs the order; prints the invoice" {
	id=$(dc-order new --dept schule --budget 4711 --line "Stühle;10;50.00;acme" | field id)
	DC_USER=hana dc-order approve "$id" >/dev/null
	dc-order place "$id" >/dev/null
	dc-order receive "$id" >/dev/null
	run dc-order invoice add --number R-2 --amount 595.00
	assert_failure 64
	run dc-order invoice add "$id" --number R-2
	assert_failure 64
	run dc-order invoice add "$id" --number R-2 --amount 595.00
	assert_success
	assert_equal "$(field order <<<"$output") $(field status <<<"$output") $(field number <<<"$output")" "$id booked R-2"
	assert_equal "$(dc-order show "$id" | field status)" invoiced
	run env DC_USER=carl dc-order invoice add "$id" --number R-3 --amount 1
	assert_failure 77
}

@test "UBL file: booked per line against an order built from it; show text, html, json" {
	id=$(received_order verlag:246:1 verlag:PORTO:1)
	run dc-order invoice add "$id" --file "$FIX/zeitschrift-ubl.xml"
	assert_success
	out=$output
	assert_equal "$(field status <<<"$out") $(field format <<<"$out") $(field number <<<"$out") $(field gross <<<"$out") $(field vendor <<<"$out")" \
		"booked ubl 123456XX 336.9 verlag"
	assert_equal "$(field sha256 <<<"$out")" "$(sha256sum "$FIX/zeitschrift-ubl.xml" | cut -d' ' -f1)"
	$PY -c 'import json,sys
r = json.loads(sys.stdin.readline())
assert [(l["order_line"], l["qty"], l["price"], l["net"]) for l in r["lines"]] == [(1, 1, 288.79, 288.79), (2, 1, 26.07, 26.07)], r["lines"]' <<<"$out"
	run validate invoice <<<"$out"
	assert_success
	assert_equal "$(dc-order show "$id" | field status)" invoiced
	assert_equal "$(budget)" "0.0 336.9 49663.1"
	# the stored file is the original, byte for byte
	db_file "select file from invoice where id = 'INV-2026-000001'" "$BATS_TEST_TMPDIR/stored.xml"
	cmp "$BATS_TEST_TMPDIR/stored.xml" "$FIX/zeitschrift-ubl.xml"
	run dc-order invoice show INV-2026-000001 -f text
	assert_success
	assert_output --partial "Rechnung 123456XX"
	assert_output --partial "Leitweg-ID              04011000-12345-03"
	assert_output --partial "IBAN                    DE79000000001234567890"
	assert_output --partial "Zeitschrift [...]"
	assert_output --partial "Gesamtbetrag brutto     336,90 EUR"
	assert_output --partial "USt-IdNr.               DE 123456789"
	run dc-order invoice show INV-2026-000001 -f html
	assert_success
	assert_output --partial '<html lang="de">'
	assert_output --partial "<th>Zahlbetrag</th><td>336,90 EUR</td>"
	printf '%s\n' "$output" | xmllint --html --noout - 2>&1 | { ! grep -q . ; }
	run dc-order invoice show INV-2026-000001 -f json
	assert_success
	assert_equal "$($PY -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin)])' <<<"$output")" "['INV-2026-000001']"
	run dc-order invoice show INV-2026-000001 -f jsonl
	assert_success
	run validate invoice <<<"$output"
	assert_success
	run dc-order show "$id"
	assert_equal "$($PY -c 'import json,sys; r=json.load(sys.stdin); print(r["invoices"][0]["id"], r["invoice_number"])' <<<"$output")" "INV-2026-000001 123456XX"
}

@test "CII file booked with the PO given; the same number again is a duplicate (3)" {
	id=$(received_order verlag:246:2 verlag:PORTO:2)
	run dc-order invoice add "$id" --file "$FIX/zeitschrift-cii.xml"
	assert_success
	assert_equal "$(field format <<<"$output") $(field status <<<"$output")" "cii booked"
	assert_equal "$(dc-order show "$id" | field status)" received
	run dc-order invoice add "$id" --file "$FIX/zeitschrift-ubl.xml"
	assert_failure 3
	assert_output --partial "BT-1 (invoice number): '123456XX' of seller 'DE123456789' is booked already as 'INV-2026-000001'"
	mutate "$FIX/zeitschrift-ubl.xml" "$BATS_TEST_TMPDIR/second.xml" number=123456XY
	run dc-order invoice add "$id" --file "$BATS_TEST_TMPDIR/second.xml"
	assert_success
	assert_equal "$(dc-order show "$id" | field status)" invoiced
	assert_equal "$(db "select count(*) from invoice")" 2
}

@test "ZUGFeRD PDF (made with qpdf --add-attachment): the embedded CII booked, the PDF kept" {
	id=$(received_order verlag:246:2 verlag:PORTO:2)
	t=$BATS_TEST_TMPDIR
	cp "$FIX/zeitschrift-cii.xml" "$t/factur-x.xml"
	(cd "$t" && qpdf --empty in.pdf && qpdf in.pdf rechnung.pdf --add-attachment factur-x.xml --)
	run dc-order invoice add "$id" --file "$t/rechnung.pdf"
	assert_success
	assert_equal "$(field format <<<"$output") $(field status <<<"$output")" "pdf booked"
	assert_equal "$(field sha256 <<<"$output")" "$(sha256sum "$t/rechnung.pdf" | cut -d' ' -f1)"
	# booked as the CII itself is (the same lines, half of what was received)
	assert_equal "$(db "select count(*) from invoice_line")" 2
	assert_equal "$(dc-order show "$id" | field invoice_number)" 123456XX
	# a PDF without an invoice inside is refused, naming it
	run dc-order invoice add "$id" --file "$t/in.pdf"
	assert_failure 65
	assert_output --partial "in.pdf"
}

@test "BT-13 finds the order; no known order: stored unmatched, exit 3, then assign" {
	id=$(received_order verlag:246:1 verlag:PORTO:1)
	mutate "$FIX/zeitschrift-ubl.xml" "$BATS_TEST_TMPDIR/po.xml" order="$id"
	run dc-order invoice add --file "$BATS_TEST_TMPDIR/po.xml"
	assert_success
	assert_equal "$(field order <<<"$output")" "$id"
	id2=$(received_order verlag:246:1 verlag:PORTO:1)
	mutate "$FIX/zeitschrift-ubl.xml" "$BATS_TEST_TMPDIR/nopo.xml" number=N-2 order=PO-2026-999999
	run dc-order invoice add --file "$BATS_TEST_TMPDIR/nopo.xml"
	assert_failure 3
	assert_line --partial '"status":"unmatched"'
	assert_line "dc-order: invoice 'INV-2026-000002' names no known order: kept as unmatched; book it with dc-order invoice assign INV-2026-000002 PO"
	run dc-order invoice list --unmatched
	assert_equal "$(field id <<<"$output")" INV-2026-000002
	run dc-order invoice assign INV-2026-000002 PO-2026-999999
	assert_failure 2
	run dc-order invoice assign INV-2026-000002 "$id2"
	assert_success
	assert_equal "$(field status <<<"$output") $(field order <<<"$output")" "booked $id2"
	assert_equal "$(dc-order show "$id2" | field status)" invoiced
	run dc-order invoice assign INV-2026-000002 "$id2"
	assert_failure 3
	run dc-order invoice list --unmatched
	assert_output ""
}

@test "wrong Leitweg-ID, wrong VAT id, wrong currency: exit 65, nothing stored" {
	id=$(received_order verlag:246:1 verlag:PORTO:1)
	mutate "$FIX/zeitschrift-ubl.xml" "$BATS_TEST_TMPDIR/lw.xml" leitweg=04011000-12345-04
	run dc-order invoice add "$id" --file "$BATS_TEST_TMPDIR/lw.xml"
	assert_failure 65
	assert_output --partial "BT-10 (Leitweg-ID): '04011000-12345-04'"
	# a right Leitweg-ID, but another department's
	DC_USER=root dc-assign dept set tiefbau --leitweg-id 04011000-12346-97 >/dev/null
	mutate "$FIX/zeitschrift-ubl.xml" "$BATS_TEST_TMPDIR/lw2.xml" leitweg=04011000-12346-97
	run dc-order invoice add "$id" --file "$BATS_TEST_TMPDIR/lw2.xml"
	assert_failure 65
	assert_output --partial "is neither the city's (procurement.leitweg_id 04011000-12345-03) nor department 'schule's"
	# the ordering department's own one is taken
	DC_USER=root dc-assign dept set schule --leitweg-id 04011000-12346-97 >/dev/null
	DC_USER=root dc-assign dept set tiefbau --leitweg-id "" >/dev/null
	dc-order vendor set verlag --vat-id DE999999999 >/dev/null
	run dc-order invoice add "$id" --file "$BATS_TEST_TMPDIR/lw2.xml"
	assert_failure 65
	assert_output --partial "BT-31 (seller VAT identifier): 'DE 123456789' is not the VAT id of vendor 'verlag' (DE999999999)"
	dc-order vendor set verlag --vat-id "de 123 456 789" >/dev/null
	sed 's/currencyID="EUR"/currencyID="CHF"/g; s/>EUR</>CHF</' "$BATS_TEST_TMPDIR/lw2.xml" >"$BATS_TEST_TMPDIR/chf.xml"
	run dc-order invoice add "$id" --file "$BATS_TEST_TMPDIR/chf.xml"
	assert_failure 65
	assert_output --partial "BT-5 (invoice currency code): 'CHF' is not EUR"
	assert_equal "$(db "select count(*) from invoice")" 0
	run dc-order invoice add "$id" --file "$BATS_TEST_TMPDIR/lw2.xml"
	assert_success
}

@test "line mismatch: price, quantity and unit differences each print a line and exit 3" {
	# ordered 288.79 but the catalog price is now higher: 300.00 is off by more than 1 %
	printf '%s\r\n' 'sku;name;unit;price;vat' '246;Zeitschrift [...];XPP;300,00;7' \
		'PORTO;Porto + Versandkosten;kg;26,07;7' >"$BATS_TEST_TMPDIR/verlag--2027.csv"
	dc-order catalog import "$BATS_TEST_TMPDIR/verlag--2027.csv" >/dev/null
	id=$(dc-order new --dept schule --budget 4711 --item verlag:246:1 --item verlag:PORTO:2 | field id)
	DC_USER=hana dc-order approve "$id" >/dev/null
	dc-order place "$id" >/dev/null
	dc-order receive "$id" --line 2 --qty 1 >/dev/null
	run dc-order invoice add "$id" --file "$FIX/zeitschrift-ubl.xml"
	assert_failure 3
	assert_line "dc-order: invoice line 1: unit price 288.79, order '$id' line 1: 300.00 (tolerance 1 %)"
	assert_line "dc-order: invoice line 1: quantity 1, order '$id' line 1: received 0, invoiced so far 0"
	assert_line "dc-order: invoice line 2: unit 'XPP', order '$id' line 2: 'kg'"
	assert_line "dc-order: three-way match failed for '$id': 3 differences between invoice 'INV-2026-000001' and the order"
	assert_equal "$(db "select count(*) from invoice")" 0
}

@test "extra lines: refused, then booked with --accept-extra by the head within 1 %" {
	# ten subscriptions ordered (a negotiated order: quote and award) and received, one
	# invoiced with postage that no line orders
	id=$(dc-order new --dept schule --budget 4711 --item verlag:246:10 | field id)
	dc-order quote "$id" --vendor verlag --amount 2887.90 >/dev/null
	dc-order award "$id" --vendor verlag >/dev/null
	DC_USER=hana dc-order approve "$id" --tender-ref "Verhandlungsvergabe 2026-3" >/dev/null
	dc-order place "$id" >/dev/null
	dc-order receive "$id" >/dev/null
	run dc-order invoice add "$id" --file "$FIX/zeitschrift-ubl.xml"
	assert_failure 3
	assert_line "dc-order: invoice line 2 ('Porto + Versandkosten', 26.07 net) matches no line of order '$id'"
	assert_line --partial "has 1 line that match no line of order '$id': a head or admin books them with --accept-extra"
	# a buyer, a clerk and another department's head may not accept them
	run dc-order invoice add "$id" --file "$FIX/zeitschrift-ubl.xml" --accept-extra
	assert_failure 77
	assert_output --partial "only the head of 'schule' or an admin accepts extra invoice lines"
	run env DC_USER=carl dc-order invoice add "$id" --file "$FIX/zeitschrift-ubl.xml" --accept-extra
	assert_failure 77
	run env DC_USER=tom dc-order invoice add "$id" --file "$FIX/zeitschrift-ubl.xml" --accept-extra
	assert_failure 77
	assert_equal "$(db "select count(*) from invoice")" 0
	# the head of schule accepts: 26.07 is within 1 % of 2887.90
	run env DC_USER=hana dc-order invoice add "$id" --file "$FIX/zeitschrift-ubl.xml" --accept-extra
	assert_success
	# the extra line is listed on standard error all the same
	assert_line "dc-order: invoice line 2 ('Porto + Versandkosten', 26.07 net) matches no line of order '$id'"
	rec=$(grep '^{' <<<"$output")
	assert_equal "$(field extra_accepted_by <<<"$rec")" hana
	$PY -c 'import json,sys
r = json.loads(sys.stdin.readline()); assert [l["order_line"] for l in r["lines"]] == [1, None]' <<<"$rec"
	# a small order: the same postage is more than 1 % of it
	id2=$(received_order verlag:246:1)
	mutate "$FIX/zeitschrift-ubl.xml" "$BATS_TEST_TMPDIR/small.xml" number=S-1
	run env DC_USER=root dc-order invoice add "$id2" --file "$BATS_TEST_TMPDIR/small.xml" --accept-extra
	assert_failure 3
	assert_output --partial "extra lines of 26.07 net are more than 1 % of order '$id2' (288.79 net)"
}

@test "credit note (381) reduces what was booked; corrected invoice (384) replaces it" {
	id=$(received_order verlag:246:1 verlag:PORTO:1)
	dc-order invoice add "$id" --file "$FIX/zeitschrift-ubl.xml" >/dev/null
	assert_equal "$(dc-order show "$id" | field status)" invoiced
	assert_equal "$(budget)" "0.0 336.9 49663.1"
	mutate "$FIX/zeitschrift-ubl.xml" "$BATS_TEST_TMPDIR/credit.xml" number=G-1 type=381 preceding=123456XX
	run dc-order invoice add "$id" --file "$BATS_TEST_TMPDIR/credit.xml"
	assert_success
	assert_equal "$(field type <<<"$output") $(field preceding <<<"$output")" "381 123456XX"
	assert_equal "$(dc-order show "$id" | field status)" received
	assert_equal "$(budget)" "336.9 0.0 49663.1"
	# a second credit note would credit more than was invoiced
	mutate "$FIX/zeitschrift-ubl.xml" "$BATS_TEST_TMPDIR/credit2.xml" number=G-2 type=381
	run dc-order invoice add "$id" --file "$BATS_TEST_TMPDIR/credit2.xml"
	assert_failure 3
	assert_line --partial "invoice line 1: quantity 1, order '$id' line 1: credited at most"
	# invoiced again, then corrected: the correction replaces the invoice it names
	mutate "$FIX/zeitschrift-ubl.xml" "$BATS_TEST_TMPDIR/again.xml" number=R-2
	dc-order invoice add "$id" --file "$BATS_TEST_TMPDIR/again.xml" >/dev/null
	mutate "$FIX/zeitschrift-ubl.xml" "$BATS_TEST_TMPDIR/corr.xml" number=K-1 type=384 preceding=R-2
	run dc-order invoice add "$id" --file "$BATS_TEST_TMPDIR/corr.xml"
	assert_success
	assert_equal "$(field replaces <<<"$output")" INV-2026-000003
	assert_equal "$(db "select status from invoice where number = 'R-2'")" replaced
	assert_equal "$(dc-order show "$id" | field status)" invoiced
	assert_equal "$(budget)" "0.0 336.9 49663.1"
	run dc-order show "$id"
	assert_equal "$(field invoice_number <<<"$output") $(field invoice_amount <<<"$output")" "123456XX, G-1, K-1 336.9"
	run dc-order record "$id"
	assert_output --partial "INV-2026-000003: Nr. R-2 (Rechnung) vom 2016-04-04 über 336,90 € brutto, ersetzt, Datei again.xml"
	assert_output --partial "INV-2026-000002: Nr. G-1 (Gutschrift)"
	run dc-order invoice list --order "$id"
	run validate invoice <<<"$output"
	assert_success
	run dc-order show "$id"
	run validate order <<<"$output"
	assert_success
}

@test "dc-assign dept set --leitweg-id: checked, shown, removed with an empty value" {
	export DC_USER=root
	run dc-assign dept set schule --leitweg-id 04011000-12345-04
	assert_failure 64
	run dc-assign dept set nowhere --leitweg-id 04011000-12345-03
	assert_failure 2
	run dc-assign dept set schule --leitweg-id 04011000-12346-97
	assert_success
	assert_equal "$(field leitweg_id <<<"$output")" 04011000-12346-97
	run validate department <<<"$output"
	assert_success
	run env DC_USER=bea dc-assign dept set schule --leitweg-id ""
	assert_failure 77
	run dc-assign dept set schule --leitweg-id ""
	assert_equal "$(field leitweg_id <<<"$output")" null
	assert_equal "$(db "select count(*) from event where entity = 'dept' and kind = 'changed'")" 2
}

@test "einvoice.validator: warnings are stored with the invoice, a fatal finding refuses it" {
	id=$(received_order verlag:246:1 verlag:PORTO:1)
	# a validator that answers as scripts/einvoice-validate does: SVRL on stdout, exit 1 when
	# something is fatal; FLAG says which
	cat >"$BATS_TEST_TMPDIR/validator" <<'SH'
#!/bin/sh
grep -q '<cbc:ID>123456XX</cbc:ID>' "$1" || exit 2
cat <<SVRL
<svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl">
<svrl:failed-assert id="BR-DE-TEST" flag="$FLAG" location="/Invoice"><svrl:text>Prüfhinweis</svrl:text></svrl:failed-assert>
</svrl:schematron-output>
SVRL
[ "$FLAG" = fatal ] && exit 1
exit 0
SH
	chmod +x "$BATS_TEST_TMPDIR/validator"
	DC_USER=root dc config einvoice.validator "$BATS_TEST_TMPDIR/validator" >/dev/null
	run env FLAG=fatal dc-order invoice add "$id" --file "$FIX/zeitschrift-ubl.xml"
	assert_failure 65
	assert_line "dc-order: zeitschrift-ubl.xml: BR-DE-TEST: Prüfhinweis"
	assert_equal "$(db "select count(*) from invoice")" 0
	run env FLAG=warning dc-order invoice add "$id" --file "$FIX/zeitschrift-ubl.xml"
	assert_success
	assert_equal "$(field findings <<<"$output")" '[{"rule": "BR-DE-TEST", "flag": "warning", "text": "Pr\u00fcfhinweis", "location": "/Invoice"}]'
	run dc-order invoice show INV-2026-000001 -f text
	assert_output --partial "BR-DE-TEST"
}

@test "OCDS: booked invoices are the contract's transactions, a credit note negative; valid" {
	DC_USER=root dc config ocds.prefix ocds-abc123 >/dev/null
	id=$(received_order verlag:246:1 verlag:PORTO:1)
	dc-order invoice add "$id" --file "$FIX/zeitschrift-ubl.xml" >/dev/null
	mutate "$FIX/zeitschrift-ubl.xml" "$BATS_TEST_TMPDIR/credit.xml" number=G-1 type=381
	dc-order invoice add "$id" --file "$BATS_TEST_TMPDIR/credit.xml" >/dev/null
	dc-export orders -f ocds >"$BATS_TEST_TMPDIR/o.json"
	run $PY -W ignore -c '
import json, sys, os
from jsonschema import Draft4Validator, RefResolver
ref = sys.argv[1]
pkg = json.load(open(os.path.join(ref, "release-package-schema.json")))
rel = json.load(open(os.path.join(ref, "release-schema.json")))
store = {rel["id"]: rel, rel["id"].rstrip("#"): rel}
doc = json.load(open(sys.argv[2]))
errs = list(Draft4Validator(pkg, resolver=RefResolver.from_schema(pkg, store=store)).iter_errors(doc))
rv = Draft4Validator(rel, resolver=RefResolver.from_schema(rel, store=store))
for r in doc["releases"]:
    errs += list(rv.iter_errors(r))
for e in errs: print("/".join(map(str, e.path)), e.message)
if errs: sys.exit(1)
for r in doc["releases"]:
    for c in r["contracts"]:
        for t in c["implementation"]["transactions"]:
            print(t["id"], t["date"], t["value"]["amount"], t["value"]["currency"])
' "$FIXTURES/ocds" "$BATS_TEST_TMPDIR/o.json"
	assert_success
	assert_output "INV-2026-000001 2026-03-02T09:00:00Z 336.9 EUR
INV-2026-000002 2026-03-02T09:00:00Z -336.9 EUR"
}
