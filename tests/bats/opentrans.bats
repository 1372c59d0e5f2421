#!/usr/bin/env bats
# Orders out as openTRANS 2.1 (dc-order(1) "openTRANS", "Units"): dc-order place writes an
# ORDER, attaches it to the order mail (dc-notify(8) MESSAGES) and dc-order show -f opentrans
# prints it.  Every ORDER written is validated against the shipped opentrans_2_1.xsd.

bats_require_minimum_version 1.5.0
load helper

XSD=$ROOT/schemas/xsd/opentrans-2.1/opentrans_2_1.xsd

# A department schule (head hana, clerk carl), a buyer bea, a vendor acme with address and
# VAT id whose catalog has sub-cent prices and German units, a budget, the city's Leitweg-ID
# and postal address.
setup() {
	fresh_db
	cached_setup opentrans_city
	export DC_USER=bea
}

opentrans_city() {
	dc-assign dept add schule --name "Schulverwaltung" >/dev/null
	dc-assign staff add root --name "Ada Admin" --role admin >/dev/null
	export DC_USER=root
	dc-assign staff add hana --name "Hana Haupt" --dept schule --role head >/dev/null
	dc-assign staff add carl --name "Carl Klein" --dept schule --role clerk >/dev/null
	dc-assign staff add bea --name "Bea Buyer" --role buyer >/dev/null
	dc-assign staff add paul --name "Paul Portal" --role integrator >/dev/null
	dc config procurement.leitweg_id 05315000-1234-83 >/dev/null
	dc config procurement.address "Rathausplatz 1, 12345 Musterstadt" >/dev/null
	export DC_USER=bea
	dc-order vendor add acme --name "Acme & Söhne <Bürobedarf>" --email sales@acme.example \
		--vat-id DE123456789 --address "Industriestr. 9, 54321 Lieferstadt" >/dev/null
	dc-order budget add 4711 --dept schule --year 2026 --amount 50000 >/dev/null
	cat >"$BATS_TEST_TMPDIR/acme.csv" <<-'EOF'
	sku;name;unit;price;vat;category
	SCHR-4;Schrauben 4x40;Stk.;0,0125;19;buero
	KAF-1;Kaffee;kg;12,3456;7;buero
	TEP-2;Teppichfliesen;m²;19,99;19;buero
	PAP-A4;Papier A4 Recycling;Pck;4,05;19;buero
	KRT-9;Umzugskarton;Karton;1,5;19;buero
	OEL-1;Heizöl;Fass;80;19;buero
	EOF
	dc-order catalog import "$BATS_TEST_TMPDIR/acme.csv" --vendor acme -q >/dev/null
}

db() { dbsql "$1"; }

# Field F of the first JSON record on stdin.
first() { $PY -c 'import json,sys; print(json.loads(sys.stdin.readline())[sys.argv[1]])' "$1"; }

# An approved order of carl's for schule with the given --item/--line options; prints its id.
approved() {
	local id
	id=$(DC_USER=carl dc-order new --dept schule --budget 4711 --category buero -q "$@")
	DC_USER=hana dc-order approve "$id" >/dev/null
	echo "$id"
}

# XPath 1.0 over FILE, namespaces ignored: xp FILE ELEMENT [PREDICATE-AND-PATH]
xp() { xmllint --xpath "string(//*[local-name()='$2']$3)" "$1"; }

# The predicate of a PARTY with ROLE.
role() { echo "[*[local-name()='PARTY_ROLE']='$1']"; }

valid() { xmllint --noout --schema "$XSD" "$1"; }

@test "place: a department's own Leitweg-ID goes into the ORDER and the order mail" {
	DC_USER=root dc-assign dept set schule --leitweg-id 05315000-4711-31 >/dev/null
	id=$(approved --item acme:SCHR-4:10)
	run dc-order place "$id"
	assert_success
	db_file "SELECT content FROM outbox_attachment" "$BATS_TEST_TMPDIR/o.xml"
	f=$BATS_TEST_TMPDIR/o.xml
	assert_equal "$(xp "$f" PARTY "$(role buyer)/*[@type='leitwegid']")" 05315000-4711-31
	assert_equal "$(xp "$f" INVOICE_RECIPIENT_IDREF "[@type='leitwegid']")" 05315000-4711-31
	run db "SELECT body FROM outbox WHERE ref_id = '$id'"
	assert_output --partial "Leitweg-ID 05315000-4711-31"
	refute_output --partial 05315000-1234-83
}

@test "place: an ORDER with several lines, sub-cent prices and mapped units that validates" {
	id=$(approved --item acme:SCHR-4:1000 --item acme:KAF-1:2.5 --item acme:TEP-2:12 \
		--item acme:PAP-A4:10 --item acme:KRT-9:3 --line "Aufbau vor Ort;1;150;acme")
	run dc-order place "$id"
	assert_success
	db_file "SELECT content FROM outbox_attachment" "$BATS_TEST_TMPDIR/o.xml"
	run valid "$BATS_TEST_TMPDIR/o.xml"
	assert_success
	f=$BATS_TEST_TMPDIR/o.xml
	assert_equal "$(xp "$f" ORDER_ID)" "$id"
	assert_equal "$(xp "$f" ORDER_DATE)" 2026-03-02
	assert_equal "$(xp "$f" TOTAL_ITEM_NUM)" 6
	# the buyer: the department, its Leitweg-ID, also the invoice recipient
	assert_equal "$(xp "$f" PARTY "$(role buyer)/*[@type='leitwegid']")" 05315000-1234-83
	assert_equal "$(xp "$f" INVOICE_RECIPIENT_IDREF "[@type='leitwegid']")" 05315000-1234-83
	assert_equal "$(xp "$f" BUYER_IDREF)" schule
	assert_equal "$(xp "$f" PARTY "$(role supplier)//*[local-name()='NAME']")" \
		"Acme & Söhne <Bürobedarf>"
	assert_equal "$(xp "$f" PARTY "$(role supplier)//*[local-name()='VAT_ID']")" \
		DE123456789
	assert_equal "$(xp "$f" PARTY "$(role supplier)//*[local-name()='ZIP']")" 54321
	assert_equal "$(xp "$f" PARTY "$(role supplier)//*[local-name()='COUNTRY_CODED']")" DE
	# the delivery party: the department at the city's address, named by DELIVERY_IDREF
	delivery=$(xp "$f" DELIVERY_IDREF)
	assert_equal "$(xp "$f" PARTY "[*='$delivery']/*[local-name()='PARTY_ROLE']")" delivery
	assert_equal "$(xp "$f" PARTY "$(role delivery)//*[local-name()='STREET']")" \
		"Rathausplatz 1"
	assert_equal "$(xp "$f" PARTY "$(role delivery)//*[local-name()='DEPARTMENT']")" \
		Schulverwaltung
	# per line: SKU, quantity, unit code, unit price to four decimals, VAT, line net
	run $PY - "$f" <<-'PY'
	import sys, xml.etree.ElementTree as ET
	ns = {"o": "http://www.opentrans.org/XMLSchema/2.1",
	      "b": "http://www.bmecat.org/bmecat/2005"}
	for it in ET.parse(sys.argv[1]).getroot().iterfind("o:ORDER_ITEM_LIST/o:ORDER_ITEM", ns):
	    print(it.findtext("o:LINE_ITEM_ID", None, ns),
	          it.findtext("o:PRODUCT_ID/b:SUPPLIER_PID", "-", ns),
	          it.findtext("o:QUANTITY", None, ns), it.findtext("b:ORDER_UNIT", None, ns),
	          it.findtext("o:PRODUCT_PRICE_FIX/b:PRICE_AMOUNT", None, ns),
	          it.findtext("o:PRODUCT_PRICE_FIX/o:TAX_DETAILS_FIX/b:TAX", None, ns),
	          it.findtext("o:PRICE_LINE_AMOUNT", None, ns), sep="|")
	PY
	assert_output "1|SCHR-4|1000|C62|0.0125|0.19|12.50
2|KAF-1|2.5|KGM|12.3456|0.07|30.86
3|TEP-2|12|MTK|19.99|0.19|239.88
4|PAP-A4|10|PK|4.05|0.19|40.50
5|KRT-9|3|CT|1.50|0.19|4.50
6|-|1|C62|150.00|0.19|150.00"
	# the total is the order's net as dc-order show has it
	net=$(dc-order show "$id" | first net)
	assert_equal "$net" 478.24
	assert_equal "$(xp "$f" TOTAL_AMOUNT)" "$net"
}

@test "place: a unit without a code exits 3 naming the line and the unit, and places nothing" {
	id=$(approved --item acme:SCHR-4:10 --item acme:OEL-1:2)
	run dc-order place "$id"
	assert_failure 3
	assert_output --partial \
		"order '$id' line 2: unit 'Fass' has no UN/ECE Recommendation 20 code"
	assert_equal "$(dc-order show "$id" | first status)" approved
	assert_equal "$(db "SELECT CAST((SELECT count(*) FROM outbox) AS TEXT)
		|| CAST((SELECT count(*) FROM outbox_attachment) AS TEXT)
		|| CAST((SELECT count(*) FROM event WHERE entity = 'order' AND kind = 'placed') AS TEXT)")" 000
	run dc-order show "$id" -f opentrans
	assert_failure 3
	assert_output --partial "unit 'Fass'"
}

@test "show -f opentrans: an approved order previews, a placed one prints what was sent" {
	id=$(approved --item acme:SCHR-4:100 --item acme:TEP-2:2.5)
	run dc-order show "$id" -f opentrans
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/preview.xml"
	run valid "$BATS_TEST_TMPDIR/preview.xml"
	assert_success
	dc-order place "$id" >/dev/null
	dc-order show "$id" -f opentrans >"$BATS_TEST_TMPDIR/placed.xml"
	cmp "$BATS_TEST_TMPDIR/preview.xml" "$BATS_TEST_TMPDIR/placed.xml"
	db_file "SELECT content FROM outbox_attachment" "$BATS_TEST_TMPDIR/stored.xml"
	cmp "$BATS_TEST_TMPDIR/stored.xml" "$BATS_TEST_TMPDIR/placed.xml"
	# later changes to the vendor do not rewrite the document the vendor got
	dc-order vendor set acme --name "Acme GmbH" >/dev/null
	DC_NOW=2026-04-01T09:00:00Z dc-order show "$id" -f opentrans |
		cmp - "$BATS_TEST_TMPDIR/placed.xml"
	# the other formats still work; a draft and an unknown order have none
	run dc-order show "$id" -f csv --fields id,status
	assert_success
	assert_output "id,status
$id,placed"
	draft=$(DC_USER=carl dc-order new --dept schule --budget 4711 --item acme:KAF-1:1 -q)
	run dc-order show "$draft" -f opentrans
	assert_failure 3
	assert_output --partial "is draft and no openTRANS order was sent"
	run dc-order show PO-2026-999999 -f opentrans
	assert_failure 2
	run dc-order show "$id" "$draft" -f opentrans
	assert_failure 64
	run dc-order show "$id" -f xml
	assert_failure 64
	run env DC_USER=paul dc-order show "$id" -f opentrans
	assert_failure 77
}

@test "ORDER: long names and texts, escaping, no Leitweg-ID or address still validate" {
	db "DELETE FROM setting WHERE key IN ('procurement.leitweg_id', 'procurement.address')"
	long=$(printf 'Lange Bezeichnung %.0s' $(seq 12))
	dc-order vendor add zeta \
		--name "Zeta Büro- und Objekteinrichtung GmbH & Co. KG, Niederlassung Süd-West" \
		--email z@zeta.example --address "Postfach 12 irgendwo" >/dev/null
	id=$(approved --line "Möbel \"Classic\" <grau> & mehr: $long;3;99.9990;zeta")
	dc-order place "$id" >/dev/null
	f=$BATS_TEST_TMPDIR/o.xml
	dc-order show "$id" -f opentrans >"$f"
	run valid "$f"
	assert_success
	assert_equal "$(xp "$f" DESCRIPTION_LONG)" "Möbel \"Classic\" <grau> & mehr: $long"
	assert_equal "$(xp "$f" DESCRIPTION_SHORT | wc -m)" 151  # 150 characters and the line end
	assert_equal "$(xp "$f" PARTY "$(role supplier)//*[local-name()='NAME']")" \
		"Zeta Büro- und Objekteinrichtung GmbH & Co. KG, Ni"
	assert_equal "$(xp "$f" PARTY "$(role supplier)//*[local-name()='ADDRESS_REMARKS']")" \
		"Postfach 12 irgendwo"
	assert_equal "$(xp "$f" INVOICE_RECIPIENT_IDREF "[@type='buyer_specific']")" schule
	assert_equal "$(xmllint --xpath "count(//*[@type='leitwegid'])" "$f")" 0
	assert_equal "$(xp "$f" PRICE_AMOUNT)" 99.999
	assert_equal "$(xp "$f" PRICE_LINE_AMOUNT)" 300.00
}

@test "the order mail carries the ORDER as an application/xml part, byte for byte" {
	id=$(approved --item acme:SCHR-4:1000 --item acme:KAF-1:2.5)
	dc-order place "$id" >/dev/null
	dc-order show "$id" -f opentrans >"$BATS_TEST_TMPDIR/show.xml"
	run env DC_USER=paul dc-notify run --maildir "$BATS_TEST_TMPDIR/md"
	assert_success
	printf '%s\n' "$output" | validate notification
	size=$(wc -c <"$BATS_TEST_TMPDIR/show.xml")
	assert_equal "$(printf '%s\n' "$output" | first attachments)" \
		"[{'filename': '$id.xml', 'content_type': 'application/xml', 'bytes': $size}]"
	run $PY - "$BATS_TEST_TMPDIR/md" "$BATS_TEST_TMPDIR/show.xml" "$id" <<-'PY'
	import glob, sys, email, email.policy
	md, show, po = sys.argv[1:]
	raw = open(glob.glob(md + "/new/*")[0], "rb").read()
	assert b"\n" not in raw.replace(b"\r\n", b""), "bare LF"
	assert max(len(l) for l in raw.split(b"\r\n")) <= 78
	m = email.message_from_bytes(raw, policy=email.policy.default)
	assert m.get_content_type() == "multipart/mixed", m.get_content_type()
	parts = list(m.iter_parts())
	assert [p.get_content_type() for p in parts] == ["text/plain", "application/xml"]
	assert po in parts[0].get_content() and "05315000-1234-83" in parts[0].get_content()
	assert parts[1].get_filename() == po + ".xml"
	assert parts[1].get_content_disposition() == "attachment"
	assert parts[1]["Content-Transfer-Encoding"] == "base64"
	assert parts[1].get_payload(decode=True) == open(show, "rb").read()
	print("ok")
	PY
	assert_success
	assert_output ok
	# mblaze sees the two parts and extracts the ORDER unchanged
	if command -v mshow >/dev/null; then
		msg=$(ls "$BATS_TEST_TMPDIR"/md/new/*)
		run mshow -t "$msg"
		assert_output --partial "application/xml"
		assert_output --partial "$id.xml"
		(cd "$BATS_TEST_TMPDIR" && mshow -x "$msg" 3 >/dev/null)
		cmp "$BATS_TEST_TMPDIR/$id.xml" "$BATS_TEST_TMPDIR/show.xml"
	fi
}

@test "the ORDER through SMTP: msmtp into an aiosmtpd sink" {
	command -v msmtp >/dev/null || skip "msmtp not installed"
	$PY -c 'import aiosmtpd' 2>/dev/null || skip "python3-aiosmtpd not installed"
	id=$(approved --item acme:TEP-2:7 --item acme:PAP-A4:3)
	dc-order place "$id" >/dev/null
	dc-order show "$id" -f opentrans >"$BATS_TEST_TMPDIR/show.xml"
	port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0))
print(s.getsockname()[1])')
	sink=$BATS_TEST_TMPDIR/sink
	mkdir -p "$sink/tmp" "$sink/new" "$sink/cur"
	$PY -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$sink" &
	pid=$!
	for _ in $(seq 50); do
		$PY -c "import socket; socket.create_connection(('127.0.0.1',$port))" 2>/dev/null &&
			break
		sleep 0.1
	done
	run env DC_USER=paul dc-notify run \
		--sendmail "msmtp --host=127.0.0.1 --port=$port --from=dcity@musterstadt.example -t"
	kill "$pid"
	assert_success
	run $PY - "$sink" "$BATS_TEST_TMPDIR/show.xml" <<-'PY'
	import mailbox, sys
	box = mailbox.Maildir(sys.argv[1], create=False)
	(msg,) = list(box)
	parts = [p for p in msg.walk() if p.get_content_type() == "application/xml"]
	assert len(parts) == 1
	assert parts[0].get_payload(decode=True) == open(sys.argv[2], "rb").read()
	print("ok")
	PY
	assert_output ok
	run valid "$BATS_TEST_TMPDIR/show.xml"
	assert_success
}

@test "run --exec: the attachments in the JSON object" {
	id=$(approved --item acme:KRT-9:20)
	dc-order place "$id" >/dev/null
	run env DC_USER=paul dc-notify run --exec "cat >'$BATS_TEST_TMPDIR/n.json'"
	assert_success
	dc-order show "$id" -f opentrans >"$BATS_TEST_TMPDIR/show.xml"
	run $PY - "$BATS_TEST_TMPDIR/n.json" "$BATS_TEST_TMPDIR/show.xml" "$id" <<-'PY'
	import json, sys
	n = json.load(open(sys.argv[1]))
	(a,) = n["attachments"]
	assert a["filename"] == sys.argv[3] + ".xml" and a["content_type"] == "application/xml"
	assert a["content"] == open(sys.argv[2], encoding="utf-8").read()
	assert "multipart/mixed" in n["message"]
	print("ok")
	PY
	assert_output ok
}
