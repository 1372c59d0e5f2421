#!/usr/bin/env bats
# dc-shop: merchants, products, import, search, services, offers, slots, orders, expiry,
# no overselling under concurrency, roles and audit (dc-shop(1)).

load helper

# An admin root, the portal's integrator account, a clerk with a department; members erna
# (with email), max (without), the baker's owner; a baker with bread and a pickup slot.
setup() {
	fresh_db
	cached_setup shop_city
	export DC_USER=root
}

shop_city() {
	dc-assign dept add tiefbau --name "Tiefbauamt" >/dev/null
	dc-assign staff add root --name "Ada Admin" --role admin >/dev/null
	export DC_USER=root
	dc-assign staff add portal --name "Paul Portal" --role integrator >/dev/null
	dc-assign staff add anna --name "Anna Beck" --dept tiefbau --role clerk >/dev/null
	dbsql "INSERT INTO member(handle, name, kind, email, district, created_at) VALUES
		('erna', 'Erna Meier', 'citizen', 'erna@example.org', 'Mitte', '2026-01-01T00:00:00Z'),
		('max', 'Max Muster', 'citizen', NULL, 'Nord', '2026-01-01T00:00:00Z'),
		('korn', 'Karl Korn', 'business', 'karl@korn.example', 'Mitte', '2026-01-01T00:00:00Z')"
	dc-shop merchant add bäcker --name "Bäckerei Korn" --owner korn --email laden@korn.example \
		--address "Hauptstr. 1, 12345 Musterstadt" --district Mitte --category lebensmittel >/dev/null
	dc-shop product add --merchant bäcker --sku BROT --name Roggenbrot --price 3,50 --stock 5 \
		--unit Stück --category brot --description "Kräftiges Roggenmischbrot" >/dev/null
}

# Field F of every JSONL record on stdin, one per line (null as "null", JSON for lists,
# objects and booleans).
field() {
	$PY -c 'import json,sys
for l in sys.stdin:
    if not l.strip(): continue
    v = json.loads(l)[sys.argv[1]]
    print("null" if v is None else json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict, bool)) else v)' "$1"
}

q() {
	dbsql "$1"
}

@test "merchant add, list, show, set: exact records" {
	run dc-shop merchant add hof --name "Hofladen Grün" --district Nord --category lebensmittel
	assert_success
	assert_output '{"id":"hof","name":"Hofladen Grün","owner":null,"email":null,"address":null,"district":"Nord","category":"lebensmittel","active":true,"products":0,"created_at":"2026-03-02T09:00:00Z"}'
	run dc-shop merchant list -q
	assert_output $'bäcker\nhof'
	run dc-shop merchant show bäcker
	assert_output '{"id":"bäcker","name":"Bäckerei Korn","owner":"korn","email":"laden@korn.example","address":"Hauptstr. 1, 12345 Musterstadt","district":"Mitte","category":"lebensmittel","active":true,"products":1,"created_at":"2026-03-02T09:00:00Z"}'
	run dc-shop merchant set hof --owner max --active false
	assert_success
	assert_output '{"id":"hof","name":"Hofladen Grün","owner":"max","email":null,"address":null,"district":"Nord","category":"lebensmittel","active":false,"products":0,"created_at":"2026-03-02T09:00:00Z"}'
	run dc-shop merchant add hof --name X
	assert_failure 3
	run dc-shop merchant add "a:b" --name X
	assert_failure 65
	run dc-shop merchant add neu --name X --owner nobody
	assert_failure 2
	run dc-shop merchant show nix
	assert_failure 2
}

@test "product add, show, set, list filters and search" {
	run dc-shop product add --merchant bäcker --sku SEMMEL --name "Semmel" --price 0.45 --stock 0 --category brot
	assert_success
	assert_output '{"id":"bäcker:SEMMEL","merchant":"bäcker","sku":"SEMMEL","name":"Semmel","price":0.45,"regular_price":0.45,"offer":null,"stock":0,"unit":null,"category":"brot","description":null,"active":true,"updated_at":"2026-03-02T09:00:00Z"}'
	run dc-shop product add --merchant bäcker --sku SEMMEL --name "Semmel" --price 0.45
	assert_failure 3
	run dc-shop product add --merchant nix --sku A --name A --price 1
	assert_failure 2
	run dc-shop product add --merchant bäcker --sku B --name B --price zwei
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'price': 'zwei' is not an amount in euros (12.50)"
	run dc-shop product list --in-stock -q
	assert_output 'bäcker:BROT'
	run dc-shop product list --category brot -q
	assert_output $'bäcker:BROT\nbäcker:SEMMEL'
	run dc-shop product set bäcker:SEMMEL --price 0,50 --stock 30 --active false
	assert_success
	assert_output '{"id":"bäcker:SEMMEL","merchant":"bäcker","sku":"SEMMEL","name":"Semmel","price":0.50,"regular_price":0.50,"offer":null,"stock":30,"unit":null,"category":"brot","description":null,"active":false,"updated_at":"2026-03-02T09:00:00Z"}'
	run dc-shop product list -q
	assert_output 'bäcker:BROT'
	run dc-shop product list --all -q
	assert_output $'bäcker:BROT\nbäcker:SEMMEL'
	run dc-shop product set bäcker:NIX --price 1
	assert_failure 2
	run dc-shop product show bäcker:BROT
	assert_output '{"id":"bäcker:BROT","merchant":"bäcker","sku":"BROT","name":"Roggenbrot","price":3.50,"regular_price":3.50,"offer":null,"stock":5,"unit":"Stück","category":"brot","description":"Kräftiges Roggenmischbrot","active":true,"updated_at":"2026-03-02T09:00:00Z"}'
	# search: prefix terms, diacritics folded, syntax characters are just text
	run dc-shop product search rogg
	assert_success
	assert_equal "$(echo "$output" | field id)" 'bäcker:BROT'
	run dc-shop product search kraftiges
	assert_equal "$(echo "$output" | field id)" 'bäcker:BROT'
	# German spellings find each other (dcity(7), SEARCH)
	run dc-shop product set bäcker:BROT \
		--description "Kräftiges Roggenmischbrot aus Großbäckerei"
	assert_success
	for q in grossback großbäck groesbaeck Kraeftiges; do
		run dc-shop product search "$q"
		assert_equal "$(echo "$output" | field id)" 'bäcker:BROT'
	done
	run dc-shop product search 'brot AND "x'
	assert_success
	assert_output ''
	run dc-shop -e product search semmel
	assert_failure 1
}

@test "product import: German CSV with decimal commas prints the diff summary; re-import unchanged" {
	run dc-shop product import "$FIXTURES/shop-products-de.csv" --merchant bäcker
	assert_success
	assert_output "{\"merchant\":\"bäcker\",\"source\":\"$FIXTURES/shop-products-de.csv\",\"added\":2,\"changed\":1,\"unchanged\":0,\"rejected\":0}"
	run dc-shop product show bäcker:KUCHEN
	assert_output '{"id":"bäcker:KUCHEN","merchant":"bäcker","sku":"KUCHEN","name":"Apfelkuchen; hausgemacht","price":12.90,"regular_price":12.90,"offer":null,"stock":4,"unit":"Blech","category":"kuchen","description":"Mit \"Streuseln\"","active":true,"updated_at":"2026-03-02T09:00:00Z"}'
	assert_equal "$(q "SELECT stock FROM product WHERE sku = 'BROT'")" 20
	run dc-shop product import "$FIXTURES/shop-products-de.csv" --merchant bäcker
	assert_output "{\"merchant\":\"bäcker\",\"source\":\"$FIXTURES/shop-products-de.csv\",\"added\":0,\"changed\":0,\"unchanged\":3,\"rejected\":0}"
	# RFC 4180 from stdin: one price changed, one new product
	run dc-shop product import - --merchant bäcker < "$FIXTURES/shop-products-rfc.csv"
	assert_output '{"merchant":"bäcker","source":"-","added":1,"changed":1,"unchanged":0,"rejected":0}'
	assert_equal "$(q "SELECT price FROM product WHERE sku = 'BROT'")" 370
	# JSONL; a bad record rolls back the whole file
	printf '{"sku":"A","name":"A","price":"1,00"}\n{"sku":"B","name":"B","price":"teuer"}\n' > "$BATS_TEST_TMPDIR/bad.jsonl"
	run dc-shop product import "$BATS_TEST_TMPDIR/bad.jsonl" --merchant bäcker
	assert_failure 65
	assert_output --partial "bad.jsonl:2"
	assert_equal "$(q "SELECT count(*) FROM product WHERE sku = 'A'")" 0
	run dc-shop --keep-going product import "$BATS_TEST_TMPDIR/bad.jsonl" --merchant bäcker
	assert_failure 65
	assert_line --partial '"added":1,"changed":0,"unchanged":0,"rejected":1}'
}

@test "service add, request, reply" {
	run dc-shop service add --merchant bäcker --code torte --name "Torte nach Wunsch" --price-from 25
	assert_success
	assert_output '{"id":"bäcker:torte","merchant":"bäcker","code":"torte","name":"Torte nach Wunsch","price_from":25.00,"created_at":"2026-03-02T09:00:00Z"}'
	run dc-shop request --merchant bäcker --service torte --member erna --text "Eine Sachertorte für Samstag?"
	assert_success
	assert_output '{"id":"R-2026-000001","merchant":"bäcker","service":"torte","member":"erna","text":"Eine Sachertorte für Samstag?","status":"open","replies":[],"created_at":"2026-03-02T09:00:00Z","updated_at":"2026-03-02T09:00:00Z"}'
	run dc-shop request --merchant bäcker --service nix --member erna --text x
	assert_failure 2
	DC_NOW=2026-03-02T10:00:00Z run dc-shop reply R-2026-000001 --text "Gern, 32 Euro."
	assert_success
	assert_output '{"id":"R-2026-000001","merchant":"bäcker","service":"torte","member":"erna","text":"Eine Sachertorte für Samstag?","status":"answered","replies":[{"at":"2026-03-02T10:00:00Z","by":"bäcker","text":"Gern, 32 Euro."}],"created_at":"2026-03-02T09:00:00Z","updated_at":"2026-03-02T10:00:00Z"}'
	run dc-shop request list --status answered -q
	assert_output 'R-2026-000001'
	run dc-shop reply R-2026-999999 --text x
	assert_failure 2
}

@test "slot add and list; slot capacity: the third order of a slot for two exits 3" {
	run dc-shop slot add --merchant bäcker --at 2026-03-03T08:00:00Z --capacity 2
	assert_success
	assert_output '{"id":"1","merchant":"bäcker","at":"2026-03-03T08:00:00Z","capacity":2,"booked":0,"free":2}'
	run dc-shop slot add --merchant bäcker --at 2026-03-03T08:00:00Z --capacity 2
	assert_failure 3
	run dc-shop order new --member erna --item bäcker:BROT:1 --slot 1
	assert_success
	assert_equal "$(echo "$output" | field slot_at)" 2026-03-03T08:00:00Z
	run dc-shop order new --email gast@example.org --item bäcker:BROT:1 --slot 1
	assert_success
	run dc-shop order new --member max --item bäcker:BROT:1 --slot 1
	assert_failure 3
	assert_output 'dc-shop: slot 1 is full'
	# nothing of the refused order was written
	assert_equal "$(q "SELECT stock FROM product WHERE sku = 'BROT'")" 3
	assert_equal "$(q "SELECT count(*) FROM shop_order")" 2
	run dc-shop slot list --merchant bäcker
	assert_output '{"id":"1","merchant":"bäcker","at":"2026-03-03T08:00:00Z","capacity":2,"booked":2,"free":0}'
	# a slot of another merchant
	dc-shop merchant add hof --name Hof >/dev/null
	dc-shop slot add --merchant hof --at 2026-03-03T08:00:00Z --capacity 5 >/dev/null
	run dc-shop order new --member max --item bäcker:BROT:1 --slot 2
	assert_failure 3
	run dc-shop order new --member max --item bäcker:BROT:1 --slot 99
	assert_failure 2
}

@test "expire: reservations end after the slot's local day plus grace; stock and slot place return" {
	dc-shop slot add --merchant bäcker --at 2026-03-03T08:00:00Z --capacity 2 >/dev/null
	dc-shop order new --member erna --item bäcker:BROT:2 --slot 1 >/dev/null
	DC_NOW=2026-03-04T08:00:00Z dc-shop order new --member max --item bäcker:BROT:1 >/dev/null
	dc-shop order status S-2026-000002 ready >/dev/null 2>&1
	# slot day 2026-03-03 + 1 grace day: until 2026-03-04 23:59:59 Berlin = 22:59:59Z
	DC_NOW=2026-03-04T22:59:00Z run dc-shop expire
	assert_success
	assert_output ''
	assert_equal "$(q "SELECT status FROM shop_order ORDER BY id")" $'reserved\nready'
	DC_NOW=2026-03-04T23:00:00Z run dc-shop expire
	assert_success
	assert_output '{"id":"S-2026-000001","kind":"shop_order","status":"expired","at":"2026-03-04T23:00:00Z"}'
	assert_equal "$(q "SELECT stock FROM product WHERE sku = 'BROT'")" 4
	assert_equal "$(q "SELECT booked FROM slot WHERE id = 1")" 0
	# without a slot: the order's local day (2026-03-04) + grace
	assert_equal "$(q "SELECT status FROM shop_order WHERE id = 'S-2026-000002'")" ready
	dc config shop.grace_days 3 >/dev/null
	DC_NOW=2026-03-06T10:00:00Z run dc-shop expire
	assert_output ''
	dc config shop.grace_days 1 >/dev/null
	DC_NOW=2026-03-06T10:00:00Z run dc-shop expire
	assert_output '{"id":"S-2026-000002","kind":"shop_order","status":"expired","at":"2026-03-06T10:00:00Z"}'
	assert_equal "$(q "SELECT stock FROM product WHERE sku = 'BROT'")" 5
	# an expired order cannot be collected
	run dc-shop order status S-2026-000002 collected
	assert_failure 3
}

@test "order status: ready queues the pickup notice, collected; cancel returns stock; bad transitions exit 3" {
	dc-shop slot add --merchant bäcker --at 2026-03-03T08:00:00Z --capacity 2 >/dev/null
	run dc-shop order new --member erna --item bäcker:BROT:2 --slot 1
	assert_success
	assert_output '{"id":"S-2026-000001","merchant":"bäcker","member":"erna","email":null,"slot":"1","slot_at":"2026-03-03T08:00:00Z","status":"reserved","total":7.00,"lines":[{"line":1,"product":"bäcker:BROT","name":"Roggenbrot","qty":2,"price":3.50,"offer":null}],"created_by":"root","created_at":"2026-03-02T09:00:00Z","updated_at":"2026-03-02T09:00:00Z"}'
	run dc-shop order status S-2026-000001 collected
	assert_failure 3
	assert_output "dc-shop: shop order 'S-2026-000001' is reserved; it cannot become collected"
	DC_NOW=2026-03-02T15:00:00Z run dc-shop order status S-2026-000001 ready
	assert_success
	assert_equal "$(echo "$output" | field status)" ready
	assert_equal "$(q "SELECT recipient || '|' || template || '|' || ref_type || '|' || ref_id FROM outbox")" 'erna@example.org|shop-ready|shop_order|S-2026-000001'
	run q "SELECT subject || char(10) || body FROM outbox"
	assert_line --index 0 'Ihre Bestellung S-2026-000001 liegt zur Abholung bereit – Musterstadt'
	assert_line 'Abholung: 03.03.2026, 09:00 Uhr'
	assert_line 'Adresse: Hauptstr. 1, 12345 Musterstadt'
	assert_line 'Summe: 7.00 EUR'
	assert_output --partial 'bei Bäckerei Korn liegt'
	run dc-shop order status S-2026-000001 collected
	assert_success
	run dc-shop order status S-2026-000001 cancelled
	assert_failure 3
	# cancel returns stock and the slot place
	dc-shop order new --email gast@example.org --item bäcker:BROT:3 --slot 1 >/dev/null
	assert_equal "$(q "SELECT stock FROM product WHERE sku = 'BROT'")" 0
	run dc-shop order status S-2026-000002 cancelled
	assert_success
	assert_equal "$(q "SELECT stock FROM product WHERE sku = 'BROT'")" 3
	assert_equal "$(q "SELECT booked FROM slot")" 1
	run dc-shop order status S-2026-000002 ready
	assert_failure 3
	run dc-shop order status S-2026-000002 shipped
	assert_failure 64
	run dc-shop order status S-2026-999999 ready
	assert_failure 2
	run dc-shop order list --status cancelled -q
	assert_output S-2026-000002
	run dc-shop order list --member erna -q
	assert_output S-2026-000001
	# the guest's ready notice goes to --email
	dc-shop order new --email gast@example.org --item bäcker:BROT:1 >/dev/null
	dc-shop order status S-2026-000003 ready >/dev/null
	assert_equal "$(q "SELECT recipient FROM outbox ORDER BY id DESC LIMIT 1")" gast@example.org
}

@test "order list, request list: an unknown --status exits 64 naming the allowed values" {
	dc-shop order new --member erna --item bäcker:BROT:1 >/dev/null
	dc-shop service add --merchant bäcker --code torte --name Torte >/dev/null
	dc-shop request --merchant bäcker --service torte --member erna --text x >/dev/null
	run dc-shop order list --status redy
	assert_failure 64
	assert_line "dc-shop: field 'status': 'redy' is not one of reserved, ready, collected, cancelled or expired"
	run dc-shop order list --status reserved,ready
	assert_failure 64
	# dc-export shop-orders filters through the same listing
	run dc-export shop-orders -f csv --status redy
	assert_failure 64
	assert_line "dc-export: field 'status': 'redy' is not one of reserved, ready, collected, cancelled or expired"
	run dc-shop request list --status closd
	assert_failure 64
	assert_line "dc-shop: field 'status': 'closd' is not one of open, answered or closed"
	# the allowed values still filter, together with the other filters
	run dc-shop order list --status reserved --member erna -q
	assert_success
	assert_output S-2026-000001
	run dc-shop order list --status expired -q
	assert_success
	assert_output ''
	run dc-shop request list --status open --merchant bäcker -q
	assert_success
	assert_output R-2026-000001
	run dc-shop request list --status closed -q
	assert_success
	assert_output ''
}

@test "order new: out of stock exits 3 and writes nothing; unknown product 2; usage" {
	run dc-shop order new --member erna --item bäcker:BROT:6
	assert_failure 3
	assert_output "dc-shop: out of stock: 'bäcker:BROT' has 5, 6 ordered"
	assert_equal "$(q "SELECT count(*) FROM shop_order")" 0
	assert_equal "$(q "SELECT stock FROM product")" 5
	run dc-shop order new --member erna --item bäcker:NIX:1
	assert_failure 2
	run dc-shop order new --item bäcker:BROT:1
	assert_failure 64
	assert_line --index 0 "dc-shop: order new needs --member H or --email E"
	run dc-shop order new --member erna
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'item' is required"
	assert_line --index 1 "usage: dc-shop order new [--member H] [--email E] --item MERCHANT:SKU:QTY ... [--slot SLOT_ID] | -"
	run dc-shop order new --member erna --item bäcker:BROT:0
	assert_failure 65
	# in a record the same is bad data, named with file and line
	printf '%s\n' '{"member":"erna","item":["bäcker:BROT:1"]}' '{"member":"erna","item":[]}' \
		'{"item":["bäcker:BROT:1"]}' >"$BATS_TEST_TMPDIR/o.jsonl"
	run dc-shop --keep-going order new - <"$BATS_TEST_TMPDIR/o.jsonl"
	assert_failure 65
	assert_line "dc-shop: -:2: field 'item' is required"
	assert_line "dc-shop: -:3: order new needs --member H or --email E"
	assert_equal "$(q "SELECT count(*) FROM shop_order")" 1
	run dc-shop order new --member niemand --item bäcker:BROT:1
	assert_failure 2
}

@test "OVERSELL: 8 processes order the last 5 units at once; exactly 5 succeed" {
	for i in 1 2 3 4 5 6 7 8; do
		q "INSERT INTO member(handle, name, kind, created_at) VALUES ('m$i', 'M $i', 'citizen', '2026-01-01T00:00:00Z')"
	done
	for i in 1 2 3 4 5 6 7 8; do
		(
			rc=0
			dc-shop --busy-timeout 10000 order new --member m$i --item bäcker:BROT:1 \
				>"$BATS_TEST_TMPDIR/out$i" 2>"$BATS_TEST_TMPDIR/err$i" || rc=$?
			echo $rc >"$BATS_TEST_TMPDIR/rc$i"
		) &
	done
	wait
	ok=0 conflict=0
	for i in 1 2 3 4 5 6 7 8; do
		rc=$(cat "$BATS_TEST_TMPDIR/rc$i")
		case $rc in
		0) ok=$((ok + 1)) ;;
		3) conflict=$((conflict + 1)); grep -q 'out of stock' "$BATS_TEST_TMPDIR/err$i" ;;
		*) cat "$BATS_TEST_TMPDIR/err$i"; false ;;
		esac
	done
	assert_equal "$ok" 5
	assert_equal "$conflict" 3
	assert_equal "$(q "SELECT stock FROM product WHERE sku = 'BROT'")" 0
	assert_equal "$(q "SELECT count(*) FROM shop_order")" 5
	assert_equal "$(q "SELECT sum(qty) + (SELECT stock FROM product WHERE sku = 'BROT') FROM shop_order_line")" 5
}

@test "offers: price only inside the window; expire records the end; feed post of kind offer" {
	run dc-shop offer add --merchant bäcker --title "Brotwoche" --sku BROT --price 2.99 \
		--from 2026-03-03T07:00:00Z --until 2026-03-05
	assert_success
	assert_output '{"id":"O-2026-000001","merchant":"bäcker","title":"Brotwoche","product":"bäcker:BROT","price":2.99,"regular_price":3.50,"from_at":"2026-03-03T07:00:00Z","until_at":"2026-03-05T23:00:00Z","max_qty":null,"sold":0,"ended_at":null,"active":false,"post":"P-2026-000001","created_at":"2026-03-02T09:00:00Z"}'
	assert_equal "$(q "SELECT id, author, kind, title, district, topics, ref, status, created_by FROM post")" \
		'P-2026-000001|korn|offer|Brotwoche|Mitte|["lebensmittel"]|O-2026-000001|visible|root'
	assert_equal "$(q "SELECT body FROM post")" $'Roggenbrot: 2.99 EUR (3.50 EUR)\n2026-03-03 08:00 – 2026-03-06 00:00'
	# before
	run dc-shop product list
	assert_equal "$(echo "$output" | field price) $(echo "$output" | field offer)" '3.5 null'
	run dc-shop offer list --active
	assert_output ''
	# during
	DC_NOW=2026-03-04T12:00:00Z run dc-shop product list
	assert_output '{"id":"bäcker:BROT","merchant":"bäcker","sku":"BROT","name":"Roggenbrot","price":2.99,"regular_price":3.50,"offer":"O-2026-000001","stock":5,"unit":"Stück","category":"brot","description":"Kräftiges Roggenmischbrot","active":true,"updated_at":"2026-03-02T09:00:00Z"}'
	DC_NOW=2026-03-04T12:00:00Z run dc-shop offer list --active -q
	assert_output O-2026-000001
	DC_NOW=2026-03-04T12:00:00Z run dc-shop order new --member erna --item bäcker:BROT:1
	assert_equal "$(echo "$output" | field total)" 2.99
	# after: by the clock alone, then expire records the end
	DC_NOW=2026-03-05T23:00:00Z run dc-shop product list
	assert_equal "$(echo "$output" | field price) $(echo "$output" | field offer)" '3.5 null'
	DC_NOW=2026-03-06T01:00:00Z run dc-shop expire
	# the offer ended at until_at; the uncollected order of 2026-03-04 expired with it
	assert_output $'{"id":"O-2026-000001","kind":"offer","status":"ended","at":"2026-03-05T23:00:00Z"}\n{"id":"S-2026-000001","kind":"shop_order","status":"expired","at":"2026-03-06T01:00:00Z"}'
	DC_NOW=2026-03-06T01:00:00Z run dc-shop expire
	assert_output ''
	# an offer without a product, and a merchant without owner: no post
	dc-shop merchant add hof --name Hof >/dev/null
	run dc-shop offer add --merchant hof --title "Hoffest" --from 2026-03-07 --until 2026-03-08
	assert_success
	assert_equal "$(echo "$output" | field post)" null
	assert_equal "$(q "SELECT count(*) FROM post")" 1
	run dc-shop offer add --merchant bäcker --title x --sku BROT --from 2026-03-07 --until 2026-03-08
	assert_failure 64
	run dc-shop offer add --merchant bäcker --title x --from 2026-03-08 --until 2026-03-07
	assert_failure 65
}

@test "offers: the order that reaches --max-qty ends the offer; the next pays the regular price; cancel sells back" {
	dc-shop offer add --merchant bäcker --title "Nur 3" --sku BROT --price 2.00 \
		--from 2026-03-01 --until 2026-03-10 --max-qty 3 >/dev/null
	run dc-shop order new --member erna --item bäcker:BROT:2
	assert_equal "$(echo "$output" | field total)" 4.0
	# 2 ordered, 1 left at the offer price: one line at 2.00, one at 3.50
	run dc-shop order new --member max --item bäcker:BROT:2
	assert_equal "$(echo "$output" | field lines)" '[{"line": 1, "product": "bäcker:BROT", "name": "Roggenbrot", "qty": 1, "price": 2.0, "offer": "O-2026-000001"}, {"line": 2, "product": "bäcker:BROT", "name": "Roggenbrot", "qty": 1, "price": 3.5, "offer": null}]'
	run dc-shop offer list
	assert_equal "$(echo "$output" | field sold) $(echo "$output" | field ended_at) $(echo "$output" | field active)" '3 2026-03-02T09:00:00Z false'
	dc-shop product set bäcker:BROT --stock 5 >/dev/null
	run dc-shop order new --member erna --item bäcker:BROT:1
	assert_equal "$(echo "$output" | field total)" 3.5
	run dc-shop product list
	assert_equal "$(echo "$output" | field price)" 3.5
	# cancelling an offer order sells back: the offer opens again inside its window
	dc-shop order status S-2026-000001 cancelled >/dev/null
	run dc-shop offer list
	assert_equal "$(echo "$output" | field sold) $(echo "$output" | field ended_at) $(echo "$output" | field active)" '1 null true'
}

@test "an order over two merchants becomes two orders" {
	dc-shop merchant add hof --name "Hofladen" >/dev/null
	dc-shop product add --merchant hof --sku EIER --name "Eier (10)" --price 3.20 --stock 10 >/dev/null
	dc-shop slot add --merchant hof --at 2026-03-03T15:00:00Z --capacity 1 >/dev/null
	run dc-shop order new --member erna --item bäcker:BROT:1 --item hof:EIER:2 --item bäcker:BROT:1 --slot 1
	assert_success
	assert_equal "$(echo "$output" | field id)" $'S-2026-000001\nS-2026-000002'
	assert_equal "$(echo "$output" | field merchant)" $'bäcker\nhof'
	assert_equal "$(echo "$output" | field total)" $'7.0\n6.4'
	assert_equal "$(echo "$output" | field slot)" $'null\n1'
	run dc-shop order show S-2026-000001
	assert_equal "$(echo "$output" | field lines)" '[{"line": 1, "product": "bäcker:BROT", "name": "Roggenbrot", "qty": 1, "price": 3.5, "offer": null}, {"line": 2, "product": "bäcker:BROT", "name": "Roggenbrot", "qty": 1, "price": 3.5, "offer": null}]'
	# one merchant out of stock: neither order is written
	run dc-shop order new --member erna --item hof:EIER:1 --item bäcker:BROT:9
	assert_failure 3
	assert_equal "$(q "SELECT count(*) FROM shop_order")" 2
	assert_equal "$(q "SELECT stock FROM product WHERE sku = 'EIER'")" 8
}

@test "roles: a clerk gets 77; the integrator acts, audited with on_behalf_of; reading is public" {
	export DC_USER=anna
	run dc-shop product add --merchant bäcker --sku X --name X --price 1
	assert_failure 77
	run dc-shop order new --member erna --item bäcker:BROT:1
	assert_failure 77
	run dc-shop expire
	assert_failure 77
	run dc-shop order list
	assert_failure 77
	run dc-shop product list -q
	assert_success
	assert_output bäcker:BROT
	DC_USER=stranger run dc-shop merchant list -q
	assert_success
	DC_USER=stranger run dc-shop offer list
	assert_success
	DC_USER=stranger run dc-shop slot list
	assert_success
	export DC_USER=portal
	run dc-shop product add --merchant bäcker --sku X --name X --price 1
	assert_success
	run dc-shop order new --member erna --item bäcker:BROT:1
	assert_success
	assert_equal "$(echo "$output" | field created_by)" portal
	assert_equal "$(q "SELECT actor || '|' || on_behalf_of || '|' || kind FROM event WHERE entity = 'product' AND ref = 'bäcker:X'")" 'portal|bäcker|created'
	assert_equal "$(q "SELECT actor || '|' || on_behalf_of || '|' || kind FROM event WHERE entity = 'shop_order' AND ref = 'S-2026-000001'")" 'portal|erna|created'
	dc-shop order status S-2026-000001 ready >/dev/null
	assert_equal "$(q "SELECT actor || '|' || on_behalf_of || '|' || from_value || '|' || to_value FROM event WHERE entity = 'shop_order' AND kind = 'status'")" 'portal|bäcker|reserved|ready'
}

@test "help, version and usage" {
	run dc-shop -h
	assert_success
	assert_output --partial 'order new'
	run dc-shop order new -h
	assert_success
	run dc-shop --version
	assert_success
	run dc-shop product search
	assert_failure 64
	run dc-shop bogus
	assert_failure 64
}

@test "JSON Schemas: real output of every record type validates (python3 jsonschema)" {
	dc-shop slot add --merchant bäcker --at 2026-03-03T08:00:00Z --capacity 2 >/dev/null
	dc-shop service add --merchant bäcker --code torte --name Torte >/dev/null
	dc-shop request --merchant bäcker --service torte --member erna --text "Torte?" >/dev/null
	dc-shop reply R-2026-000001 --text "Ja" >/dev/null
	dc-shop offer add --merchant bäcker --title Woche --sku BROT --price 2 --from 2026-03-01 --until 2026-03-09 --max-qty 9 >/dev/null
	dc-shop merchant add hof --name Hof >/dev/null
	dc-shop offer add --merchant hof --title Fest --from 2026-03-01 --until 2026-03-09 >/dev/null
	dc-shop order new --member erna --item bäcker:BROT:1 --slot 1 >/dev/null
	dc-shop order new --email gast@example.org --item bäcker:BROT:1 >/dev/null
	dc-shop merchant list >"$BATS_TEST_TMPDIR/merchant.jsonl"
	{ dc-shop product list --all; dc-shop product search brot; } >"$BATS_TEST_TMPDIR/product.jsonl"
	dc-shop offer list >"$BATS_TEST_TMPDIR/offer.jsonl"
	dc-shop slot list >"$BATS_TEST_TMPDIR/slot.jsonl"
	dc-shop order list >"$BATS_TEST_TMPDIR/shop-order.jsonl"
	dc-shop request list >"$BATS_TEST_TMPDIR/service-request.jsonl"
	run $PY - "$ROOT/schemas/json" "$BATS_TEST_TMPDIR" <<'PY'
import json, sys, jsonschema
d, t = sys.argv[1], sys.argv[2]
n = 0
for name in ("merchant", "product", "offer", "slot", "shop-order", "service-request"):
    schema = json.load(open(f"{d}/{name}.schema.json"))
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    rows = [json.loads(l) for l in open(f"{t}/{name}.jsonl") if l.strip()]
    assert rows, name
    for r in rows:
        v.validate(r)
        n += 1
print(n)
PY
	assert_success
	assert_output 10
}

@test "merchant set audits every field it changes; a product for an inactive merchant exits 3" {
	dc-shop merchant set bäcker --email neu@korn.example --address "Markt 2" --district Nord \
		--category cafe -q >/dev/null
	run dbsql "SELECT to_value FROM event WHERE entity = 'merchant' AND kind = 'changed'"
	assert_output "email=neu@korn.example address=Markt 2 district=Nord category=cafe"
	run dc-shop merchant set bäcker --active maybe
	assert_failure 65
	assert_output "dc-shop: field 'active': 'maybe' is not true or false"
	dc-shop merchant set bäcker --active false -q >/dev/null
	run dc-shop product add --merchant bäcker --sku KUCHEN --name Kuchen --price 2
	assert_failure 3
	assert_output "dc-shop: merchant 'bäcker' is not active"
	run dc-shop product add --merchant nobody --sku KUCHEN --name Kuchen --price 2
	assert_failure 2
	assert_output "dc-shop: no merchant 'nobody'"
}

# The creation verbs read options and records through their specs (dc-shop(1)): a missing or
# bad field is a usage error on the command line, bad data with file and line in a record.
@test "merchant add, product add: a bad field exits 64 on the command line, 65 in a record" {
	run dc-shop merchant add hof
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'name' is required"
	assert_line --index 1 "usage: dc-shop merchant add ID --name N [--owner MEMBER] [--email E] [--address A] [--district D] [--category C] | -"
	run bash -c 'printf "%s\n" "{\"id\":\"hof\",\"name\":\"Hof\"}" "{\"id\":\"feld\"}" | dc-shop merchant add -'
	assert_failure 65
	assert_output "dc-shop: -:2: field 'name' is required"
	assert_equal "$(q "SELECT count(*) FROM merchant WHERE id IN ('hof', 'feld')")" 0
	run dc-shop product add --merchant bäcker --sku B --name B
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'price' is required"
	run dc-shop product add --merchant bäcker --sku B --name B --price 1.999
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'price': '1.999' is ambiguous: write 1999 or 1.9990"
	run dc-shop product add --merchant bäcker --sku B --name B --price 1,9999
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'price': '1,9999' is not an amount in euros (12.50): more than 2 decimals"
	run dc-shop product add --merchant bäcker --sku B --name B --price -1
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'price': '-1' is below 0"
	run dc-shop product add --merchant bäcker --sku B --name B --price 1 --stock viele
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'stock': 'viele' is not a whole number from 0 to 1000000000"
	printf '%s\n' '{"merchant":"bäcker","sku":"B","name":"B","price":"1,20"}' \
		'{"merchant":"bäcker","sku":"C","name":"C","price":"1,20","stock":-1}' >"$BATS_TEST_TMPDIR/p.jsonl"
	run dc-shop product add - <"$BATS_TEST_TMPDIR/p.jsonl"
	assert_failure 65
	assert_output "dc-shop: -:2: field 'stock': '-1' is not a whole number from 0 to 1000000000"
	printf '%s\n' '{"merchant":"bäcker","sku":"B","name":"B","price":"-1,20"}' >"$BATS_TEST_TMPDIR/p.jsonl"
	run dc-shop product add - <"$BATS_TEST_TMPDIR/p.jsonl"
	assert_failure 65
	assert_output "dc-shop: -:1: field 'price': '-1,20' is below 0"
	assert_equal "$(q "SELECT count(*) FROM product")" 1
	# an empty cell of a record is a field not given; a ',' file reads numbers the RFC way
	printf 'merchant,sku,name,price,stock,unit\nbäcker,C,Breze,"0,80",,\n' >"$BATS_TEST_TMPDIR/p.csv"
	run dc-shop product add "$BATS_TEST_TMPDIR/p.csv"
	assert_failure 65
	assert_output "dc-shop: $BATS_TEST_TMPDIR/p.csv:2: field 'price': '0,80' is not an amount in euros (12.50)"
	printf 'merchant,sku,name,price,stock,unit\nbäcker,B,Breze,0.80,,\n' >"$BATS_TEST_TMPDIR/p.csv"
	run dc-shop product add "$BATS_TEST_TMPDIR/p.csv"
	assert_success
	assert_equal "$(echo "$output" | field stock) $(echo "$output" | field unit)" '0 null'
}

@test "service add, request: a bad field exits 64 on the command line, 65 in a record" {
	run dc-shop service add --merchant bäcker --code torte --name Torte --price-from ab25
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'price-from': 'ab25' is not an amount in euros (12.50)"
	assert_line --index 1 "usage: dc-shop service add --merchant M --code C --name N [--price-from P] | -"
	run dc-shop service add --merchant bäcker --code torte --name Torte --price-from -5
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'price-from': '-5' is below 0"
	printf '%s\n' '{"merchant":"bäcker","code":"torte","name":"Torte","price_from":"25,-"}' >"$BATS_TEST_TMPDIR/s.jsonl"
	run dc-shop service add - <"$BATS_TEST_TMPDIR/s.jsonl"
	assert_failure 65
	assert_output "dc-shop: -:1: field 'price-from': '25,-' is not an amount in euros (12.50)"
	dc-shop service add --merchant bäcker --code torte --name Torte >/dev/null
	run dc-shop request --merchant bäcker --service torte --member erna
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'text' is required"
	printf '%s\n' '{"merchant":"bäcker","service":"torte","member":"erna","text":""}' >"$BATS_TEST_TMPDIR/r.jsonl"
	run dc-shop request - <"$BATS_TEST_TMPDIR/r.jsonl"
	assert_failure 65
	assert_output "dc-shop: -:1: field 'text' is required"
	assert_equal "$(q "SELECT count(*) FROM service_request")" 0
}

@test "offer add, slot add: a bad field exits 64 on the command line, 65 in a record" {
	run dc-shop offer add --merchant bäcker --title x --sku BROT --price 2,999 --from 2026-03-07 --until 2026-03-08
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'price': '2,999' is ambiguous: write 2999 or 2.9990"
	run dc-shop offer add --merchant bäcker --title x --from 2026-03-07 --until 2026-03-08 --max-qty 0
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'max-qty': '0' is not a whole number from 1 to 1000000000"
	run dc-shop offer add --merchant bäcker --title x --from 2026-03-07
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'until' is required"
	assert_line --index 1 "usage: dc-shop offer add --merchant M --title T [--sku S] [--price P] --from DT --until DT [--max-qty N] | -"
	printf '%s\n' '{"merchant":"bäcker","title":"x","sku":"BROT","from":"2026-03-07","until":"2026-03-08"}' \
		'{"merchant":"bäcker","title":"x","from":"2026-03-07","until":"2026-03-08","max_qty":"viele"}' >"$BATS_TEST_TMPDIR/o.jsonl"
	run dc-shop offer add - <"$BATS_TEST_TMPDIR/o.jsonl"
	assert_failure 65
	assert_output "dc-shop: -:1: --sku and --price go together"
	run dc-shop --keep-going offer add - <"$BATS_TEST_TMPDIR/o.jsonl"
	assert_failure 65
	assert_line "dc-shop: -:2: field 'max-qty': 'viele' is not a whole number from 1 to 1000000000"
	assert_equal "$(q "SELECT count(*) FROM offer")" 0
	run dc-shop slot add --merchant bäcker --at 2026-03-03T08:00:00Z --capacity 100001
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'capacity': '100001' is not a whole number from 1 to 100000"
	run dc-shop slot add --merchant bäcker --capacity 2
	assert_failure 64
	assert_line --index 0 "dc-shop: field 'at' is required"
	printf 'merchant,at,capacity\nbäcker,2026-03-03T08:00:00Z,2\nbäcker,2026-03-03T09:00:00Z,zwei\n' >"$BATS_TEST_TMPDIR/s.csv"
	run dc-shop slot add "$BATS_TEST_TMPDIR/s.csv"
	assert_failure 65
	assert_output "dc-shop: $BATS_TEST_TMPDIR/s.csv:3: field 'capacity': 'zwei' is not a whole number from 1 to 100000"
	assert_equal "$(q "SELECT count(*) FROM slot")" 0
}
