#!/usr/bin/env bats
# Real vendor files (issue 13): the encodings spreadsheets and old systems write (--encoding,
# auto, a vendor's setting), header names as people write them (any case, German, a vendor's
# own, a ';' at the end of every line), JSON pretty-printed or concatenated, multivaluelist
# attributes as JSON arrays, and import errors that name file, line and field in every
# reader.  The files are in tests/fixtures/vendors/ (see its README).

load helper

setup() {
	seed_city
	export DC_USER=bob
	dc-order vendor add acme --name "Acme" >/dev/null
	dc-order vendor add grosso --name "Großhandel Grosso" >/dev/null
	V=$FIXTURES/vendors
	T=$BATS_TEST_TMPDIR
}

# item VENDOR:SKU F1,F2,...: the item's fields as Python values (prices as numbers, so that
# 2.50 and 2.5 read alike), one "f=value" per line.
item() {
	dc-order catalog show "$1" -f jsonl | $PY -c 'import json,sys
o = json.loads(sys.stdin.readline())
for f in sys.argv[1].split(","):
    print("%s=%r" % (f, o[f]))' "$2"
}

# import FILE [options]: a catalog import whose summary is not shown (stderr is).
import() { dc-order catalog import "$@" >/dev/null; }

# --- encodings ----------------------------------------------------------------------------

@test "Excel Windows-1252 export with German headers: read as windows-1252 with one note" {
	run dc-order catalog import --vendor acme "$V/excel-cp1252-de.csv" -f jsonl
	assert_success
	assert_line "dc-order: $V/excel-cp1252-de.csv:2: byte 0xfc is not UTF-8: the file is read as windows-1252"
	assert_equal "$(grep -c 'windows-1252' <<<"$output")" 1
	run item acme:100200 name,unit,price,vat,category,description
	assert_output "name='Ordner breit, grün'
unit='Stück'
price=2.49
vat=19.0
category='Büro'
description='Qualitätsordner „Öko“ – 80 mm'"
	run item acme:100201 description
	assert_output "description='Preis je Pack 25 Stück (0,12 € je Stück)'"
	run item acme:100202 name,price,vat,category
	assert_output "name='Kaffee Crema 1 kg'
price=14.9
vat=7.0
category='Küche'"
}

@test "--encoding utf-8 is strict: the Excel file exits 65 naming file, line and field" {
	run dc-order --encoding utf-8 catalog import --vendor acme "$V/excel-cp1252-de.csv"
	assert_failure 65
	assert_output "dc-order: $V/excel-cp1252-de.csv:2: field 'name': invalid UTF-8"
	assert_equal "$(dbsql 'select count(*) from catalog_item')" 0
	# given, windows-1252 says nothing
	run bash -c 'dc-order --encoding windows-1252 catalog import --vendor acme "$1" >/dev/null' _ \
		"$V/excel-cp1252-de.csv"
	assert_success
	assert_output ""
}

@test "auto: UTF-8 before a byte that is not UTF-8 exits 65 naming both lines" {
	printf 'sku;name;price\nA;Grün;1,00\nB;Gr\xfcn;2,00\n' >"$T/mixed.csv"
	run dc-order catalog import --vendor acme "$T/mixed.csv"
	assert_failure 65
	assert_output "dc-order: $T/mixed.csv:3: field 'name': invalid UTF-8 (line 2 is UTF-8, so the file is not read as windows-1252; see --encoding)"
	# a byte windows-1252 leaves undefined is named too
	printf 'sku;name;price\nA;Gr\xfcn \x81;1,00\n' >"$T/undef.csv"
	run dc-order catalog import --vendor acme "$T/undef.csv" --keep-going
	assert_failure 65
	assert_line "dc-order: $T/undef.csv:2: field 'name': a byte that is not a windows-1252 character"
	# a byte order mark says UTF-8, which contradicts a single-byte encoding
	printf '\xef\xbb\xbfsku;name;price\nA;B;1\n' >"$T/bom.csv"
	run dc-order --encoding iso-8859-1 catalog import --vendor acme "$T/bom.csv"
	assert_failure 65
	assert_output "dc-order: $T/bom.csv:1: the file begins with a UTF-8 byte order mark, not iso-8859-1 text"
	run dc-order --encoding latin-2 vendor list
	assert_failure 64
	assert_output --partial "unknown encoding 'latin-2' (auto, utf-8, windows-1252, iso-8859-1, iso-8859-15)"
}

@test "a pipe is read like a file: windows-1252 from stdin, one note" {
	printf 'service;description;attr\npothole;Loch vor der B\xe4ckerei;size=large\n' >"$T/p.csv"
	run bash -c 'cat "$1" | DC_USER=anna dc-case new - -q >/dev/null' _ "$T/p.csv"
	assert_success
	assert_output "dc-case: -:2: byte 0xe4 is not UTF-8: the file is read as windows-1252"
	run env DC_USER=anna dc-case list --fields description -f jsonl
	assert_output '{"description":"Loch vor der Bäckerei"}'
}

@test "ISO-8859-15 TSV: the vendor's setting is honoured by dc-import spool; the option wins" {
	run dc-order vendor set grosso --encoding ISO-8859-15 -f jsonl
	assert_success
	assert_output --partial '"encoding":"iso-8859-15","columns":null}'
	mkdir -p "$T/spool/incoming"
	cp "$V/erp-latin9.tsv" "$T/spool/incoming/grosso--erp.tsv"
	run env DC_USER=paul dc-import spool "$T/spool"
	assert_success
	run item grosso:L9-1 name,unit,price,description
	assert_output "name='Straßenbesen 60 cm'
unit='Stück'
price=24.9
description='Rosshaar, Preis inkl. Stiel: 29,90 €'"
	# --encoding on the command line comes before the vendor's setting (a changed file: the
	# same one again would be skipped)
	{ cat "$V/erp-latin9.tsv"; printf 'L9-3\tBesenstiel\tSt\xfcck\t9.90\tEUR\t\n'; } >"$T/erp2.tsv"
	import --vendor grosso --encoding windows-1252 "$T/erp2.tsv" -q
	run item grosso:L9-1 description
	assert_output "description='Rosshaar, Preis inkl. Stiel: 29,90 ¤'"
}

@test "dc-import git honours the vendor's encoding" {
	dc-order vendor set grosso --encoding iso-8859-15 >/dev/null
	REPO=$T/repo
	git init -q -b main "$REPO"
	git -C "$REPO" config user.email test@example.org
	git -C "$REPO" config user.name Test
	cp "$V/erp-latin9.tsv" "$REPO/grosso--erp.tsv"
	git -C "$REPO" add -A
	git -C "$REPO" commit -qm erp
	run env DC_USER=paul dc-import git "$REPO"
	assert_success
	run item grosso:L9-2 name,description
	assert_output "name='Schneeschieber'
description='Alu-Kante, für Gehwege'"
	run item grosso:L9-1 description
	assert_output "description='Rosshaar, Preis inkl. Stiel: 29,90 €'"
}

# --- header names -------------------------------------------------------------------------

@test "SKU;Name;Price imports: header names ignore case" {
	printf 'SKU;Name;Price\nA1;Stift;1,20\n' >"$T/caps.csv"
	import --vendor acme "$T/caps.csv"
	run item acme:A1 sku,name,price
	assert_output "sku='A1'
name='Stift'
price=1.2"
	import --vendor acme "$V/webshop-capitals.csv"
	run item acme:WS-1 name,price,unit,vat,category,attributes
	assert_output "name='Toner, black'
price=89
unit='piece'
vat=19.0
category='IT'
attributes={'Color': 'black'}"
	run item acme:WS-2 name,price,attributes
	assert_output "name='Paper A4'
price=4.2
attributes={}"
}

@test "wholesaler CSV: German headers, ';' at the end of every line, unknown columns in attributes" {
	import --vendor grosso "$V/wholesaler-trailing-semicolon.csv"
	run item grosso:GH-4711 name,description,unit,price,currency,vat,gtin,min_qty,attributes
	assert_output "name='Schraube M6x40 verzinkt'
description='DIN 933, Festigkeit 8.8'
unit='100 ST'
price=7.8
currency='EUR'
vat=19.0
gtin='4006381333931'
min_qty=5.0
attributes={'Hersteller': 'Würth'}"
	run item grosso:GH-4712 price,gtin,min_qty,attributes
	assert_output "price=2.15
gtin=None
min_qty=10.0
attributes={}"
	run item grosso:GH-4713 price,attributes
	assert_output "price=1204
attributes={'Hersteller': 'Fischer'}"
	# a ';' at the end of the records only, not of the header, is an empty column too
	printf 'sku;name;price\nA;B;1,00;\n' >"$T/tail.csv"
	import --vendor acme "$T/tail.csv"
	run item acme:A name
	assert_output "name='B'"
	# but a value there has no column
	printf 'sku;name;price\nA;B;1,00;x\n' >"$T/extra.csv"
	run dc-order catalog import --vendor acme "$T/extra.csv"
	assert_failure 65
	assert_output "dc-order: $T/extra.csv:2: record has 4 fields, the header 3"
	printf 'sku;name;;price\nA;B;x;1,00\n' >"$T/noname.csv"
	run dc-order catalog import --vendor acme "$T/noname.csv"
	assert_failure 65
	assert_output "dc-order: $T/noname.csv:2: field 3: a value in a column without a name"
}

@test "ISO-8859-1 spreadsheet with blanks around the header names" {
	import --vendor acme "$V/latin1-headers-spaces.csv" -q 2>/dev/null
	run item acme:LT-1 name,price,unit
	assert_output "name='Bürstenkopf'
price=3.75
unit='Stück'"
	run item acme:LT-2 name,price
	assert_output "name='Gummiwischer 45 cm'
price=11.2"
}

@test "vendor set --columns: a vendor's own header names; the rest stay attributes" {
	run dc-order catalog import --vendor acme "$V/custom-columns.csv"
	assert_failure 65
	assert_output "dc-order: $V/custom-columns.csv:2: field 'name' is required"
	run dc-order vendor set acme --columns ' Text = name, VK=price' -f jsonl
	assert_success
	assert_output --partial '"columns":"Text=name,VK=price"}'
	import --vendor acme "$V/custom-columns.csv"
	run item acme:K-01 sku,name,price,attributes
	assert_output "sku='K-01'
name='Kreide weiß'
price=4.95
attributes={'Gebinde': 'PK 100', 'Farbe': 'weiß'}"
	run item acme:K-02 price
	assert_output "price=5.45"
	# the vendor's name for a field and another column for it: which one holds it?
	dc-order vendor set acme --columns 'Text=name,VK=price,Brutto=price' >/dev/null
	printf 'Art.Nr.;Text;VK;Brutto\nX;Y;1;2\n' >"$T/two.csv"
	run dc-order catalog import --vendor acme "$T/two.csv"
	assert_failure 65
	assert_output "dc-order: $T/two.csv:1: header field 4: 'Brutto' is a second column for field 'price'"
	run dc-order vendor set acme --columns 'VK=preis'
	assert_failure 64
	assert_output --partial "option '--columns': 'VK=preis': not a catalog field"
	run dc-order vendor set acme --columns 'VK'
	assert_failure 64
	assert_output --partial "option '--columns': 'VK' is not HEADER=FIELD"
}

@test "holiday import: Excel Windows-1252 with capitalised header names" {
	export DC_USER=root
	run dc-assign holiday import "$V/holidays-excel-cp1252.csv"
	assert_success
	run dc-assign holiday list -f jsonl --fields date,name
	assert_line '{"date":"2026-08-15","name":"Mariä Himmelfahrt"}'
	assert_line '{"date":"2026-11-18","name":"Buß- und Bettag"}'
}

@test "shop product import: a till system's Windows-1252 export" {
	DC_USER=root dc-shop merchant add baecker --name "Bäckerei" >/dev/null
	run env DC_USER=root dc-shop product import --merchant baecker "$V/shop-till-cp1252.csv"
	assert_success
	run dc-shop product show baecker:KSK -f jsonl
	run $PY -c 'import json,sys; o = json.loads(sys.argv[1]); print(o["name"], o["price"], o["stock"], o["description"])' "$output"
	assert_output "Käsekuchen 2.6 12 Quark-Käsekuchen – hausgemacht"
	printf 'SKU;Name;Price\nBRT;Brot;3,10\n' >"$T/caps.csv"
	run env DC_USER=root dc-shop product import --merchant baecker "$T/caps.csv"
	assert_success
	run dc-shop product show baecker:BRT -f jsonl
	run $PY -c 'import json,sys; o = json.loads(sys.argv[1]); print(o["name"], o["price"])' "$output"
	assert_output "Brot 3.1"
}

# --- JSON ---------------------------------------------------------------------------------

@test "a pretty-printed JSON array and concatenated JSON objects are read as records" {
	import --vendor acme "$V/api-pretty-array.json"
	run item acme:API-1 name,price,unit,attributes
	assert_output "name='Müllsack 120 l'
price=0.35
unit='Stück'
attributes={'farbe': 'blau'}"
	import --vendor acme --mode update "$V/api-concatenated.json"
	run item acme:CC-1 name,price
	assert_output "name='Warnweste gelb'
price=3.9"
	run item acme:CC-3 name,price
	assert_output "name='Leitkegel 50 cm'
price=7.25"
	# the records' first lines
	printf '{"sku": "A",\n "price": "x"}\n{\n  "sku": "B",\n  "name": "B",\n  "price": "y"\n}\n' >"$T/bad.json"
	run dc-order catalog import --vendor acme --mode update --keep-going "$T/bad.json"
	assert_failure 65
	assert_line "dc-order: $T/bad.json:1: field 'price': 'x' is not a price"
	assert_line "dc-order: $T/bad.json:3: field 'price': 'y' is not a price"
}

@test "JSON stream: a record cut short costs itself only, the next line begins the next" {
	printf '{"service":"pothole","attributes":{"size":"large"}}\n{"service":"pothole","description":"cut\n{"service":"pothole",\n  "attributes":{"size":"small"}}\n{"service":"pothole","attributes":{"size":\n{"service":"pothole","attributes":{"size":"large"}} 7\n' >"$T/s.jsonl"
	run env DC_USER=anna dc-case new --keep-going --rejects "$T/rj.jsonl" -q "$T/s.jsonl"
	assert_failure 65
	assert_equal "$(DC_USER=anna dc-case list -q | wc -l)" 3
	run $PY -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l); print(r["line"], r["error"])' "$T/rj.jsonl"
	assert_output "2 a line break inside a string
5 the record ends before its '}'
6 not a JSON object"
}

@test "round trip: a multivaluelist as dc-case prints it is accepted; a reject keeps the list" {
	export DC_USER=anna
	id=$(new_case --attr hazards=bikes,cars)
	dc-case show "$id" -f jsonl | $PY -c 'import json,sys
o = json.loads(sys.stdin.readline())
print(json.dumps({"service": o["service"], "attributes": o["attributes"]}, indent=2))' >"$T/again.json"
	run dc-case new "$T/again.json" -f jsonl --fields attributes
	assert_success
	assert_output '{"attributes":{"size":"large","hazards":["bikes","cars"]}}'
	printf '{"service":"pothole","attributes":{"size":"large","hazards":["bikes","trucks"]}}\n{"service":"pothole","attributes":{"size":["large","small"]}}\n' >"$T/bad.jsonl"
	run dc-case new --keep-going --rejects "$T/rj.jsonl" "$T/bad.jsonl"
	assert_failure 65
	assert_line "dc-case: $T/bad.jsonl:1: field 'attr': attribute 'hazards': 'trucks' is not one of its values"
	assert_line "dc-case: $T/bad.jsonl:2: field 'attr': attribute 'size': one value expected, not a list"
	run $PY -c 'import json,sys
for l in open(sys.argv[1]):
    print(json.dumps(json.loads(l)["record"], sort_keys=True))' "$T/rj.jsonl"
	assert_output '{"attributes.hazards": ["bikes", "trucks"], "attributes.size": "large", "service": "pothole"}
{"attributes.size": ["large", "small"], "service": "pothole"}'
}

# --- file:line:field in every reader, with and without --keep-going ----------------------------

# both FILE LINE FIELD-MESSAGE COMMAND...: the command exits 65 naming FILE:LINE: and the
# message, alone and under --keep-going (where the good records go in).
both() {
	local file=$1 line=$2 msg=$3
	shift 3
	run "$@"
	assert_failure 65
	assert_line "${1}: $file:$line: $msg"
	run "$@" --keep-going
	assert_failure 65
	assert_line "${1}: $file:$line: $msg"
}

@test "file:line:field: catalog CSV, TSV, JSONL and BMEcat" {
	printf 'sku,name,price\nA,Alpha,1\nB,Beta,zwei\n' >"$T/c.csv"
	both "$T/c.csv" 3 "field 'price': 'zwei' is not a price" dc-order catalog import --vendor acme "$T/c.csv"
	printf 'sku\tname\tvat\nA\tAlpha\t300\n' >"$T/c.tsv"
	both "$T/c.tsv" 2 "field 'vat': '300' is not a VAT percentage: above the maximum 100.00" dc-order catalog import --vendor acme "$T/c.tsv"
	printf '{"sku":"A","name":"Alpha"}\n{"sku":"B","name":"Beta","valid_from":"2026-02-30"}\n' >"$T/c.jsonl"
	both "$T/c.jsonl" 2 "field 'valid_from': '2026-02-30' is not a date (YYYY-MM-DD)" dc-order catalog import --vendor acme "$T/c.jsonl"
	both "$FIXTURES/bmecat-12-update-prices.xml" 16 "field 'sku': no item 'KP-A4-80' to update" \
		dc-order catalog import --vendor acme "$FIXTURES/bmecat-12-update-prices.xml"
}

@test "file:line:field: holidays (CSV, ICS), services, shop products, cases" {
	export DC_USER=root
	printf 'date,name\n2026-12-24,Heiligabend\n2026-13-01,Nie\n' >"$T/h.csv"
	both "$T/h.csv" 3 "field 'date': '2026-13-01' is not a date (YYYY-MM-DD)" dc-assign holiday import "$T/h.csv"
	printf 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:2026130\nSUMMARY:X\nEND:VEVENT\nEND:VCALENDAR\n' >"$T/h.ics"
	run dc-assign holiday import "$T/h.ics"
	assert_failure 65
	assert_output "dc-assign: $T/h.ics:3: field 'DTSTART': '2026130' is not a date"
	printf '[{"service_code":"a","service_name":"A"},\n {"service_code":"b","attributes":[{"code":"x","datatype":"bogus"}]}]\n' >"$T/s.json"
	both "$T/s.json" 2 "field 'attributes': attribute 'x': unknown datatype 'bogus'" dc-case service import --department tiefbau "$T/s.json"
	dc-shop merchant add m1 --name M >/dev/null
	printf 'sku;name;price\nA;Brot;3,50\nB;Semmel;x\n' >"$T/p.csv"
	both "$T/p.csv" 3 "field 'price': 'x' is not an amount in euros (12.50)" dc-shop product import --merchant m1 "$T/p.csv"
	printf 'service,description,attr\npothole,a,size=huge\n' >"$T/k.csv"
	both "$T/k.csv" 2 "field 'attr': attribute 'size': 'huge' is not one of its values" dc-case new "$T/k.csv"
	export DC_USER=paul
	printf '[{"service_request_id":"1","service_code":"pothole","status":"open"},\n {"service_request_id":"2","service_code":"pothole","status":"weird"}]\n' >"$T/o.json"
	both "$T/o.json" 2 "field 'status': 'weird' is not open or closed" dc-case import "$T/o.json"
}
