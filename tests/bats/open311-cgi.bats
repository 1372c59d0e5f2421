#!/usr/bin/env bats
# dc-open311(8): the Open311 GeoReport v2 endpoint.  Called directly as a web server calls a
# CGI program (fast), and through Debian's lighttpd with curl (the real thing).

bats_require_minimum_version 1.5.0
load helper

setup() {
	seed_city
	KEY=$(dc-assign staff key add paul | jf key)
}

# jf FIELD: a field of the first JSON record on stdin
jf() {
	$PY -c 'import json,sys; print(json.loads(sys.stdin.readline())[sys.argv[1]])' "$1"
}

# body: the answer without its headers
body() {
	sed '1,/^$/d' <<<"$output"
}

# a request with every parameter kind: coordinates, attributes (single and multi valued), the
# reporter, device and account, media
FULL="service_code=pothole&lat=52.52&long=13.405&attribute%5Bsize%5D=large&attribute%5Bhazards%5D%5B%5D=bikes&attribute%5Bhazards%5D%5B%5D=cars&attribute%5Bdepth_cm%5D=12&email=eva%40example.org&first_name=Eva&last_name=Ernst&phone=0301111&description=Loch+am+Radweg&media_url=https%3A%2F%2Fimg.example%2F1.jpg&device_id=dev-1&account_id=acc-1&jurisdiction_id=musterstadt"

post_full() {
	run o311 POST /requests.json "api_key=$KEY&$FULL"
	assert_success
	ID=$(body | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["service_request_id"])')
}

@test "POST requests: every parameter kind, validated and stored as dc-case new stores it" {
	post_full
	assert_line "Status: 200 OK"
	assert_line "Content-Type: application/json; charset=utf-8"
	local token
	token=$(body | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["tracking_token"])')
	[ ${#token} -eq 32 ]
	run dbsql "SELECT service, attributes, reporter_name, reporter_email, reporter_phone,
		device_id, account_id, channel, media, lat, lon FROM cases WHERE id = '$ID'"
	assert_output 'pothole|{"size":"large","depth_cm":12,"hazards":["bikes","cars"]}|Eva Ernst|eva@example.org|0301111|dev-1|acc-1|open311|["https:\/\/img.example\/1.jpg"]|52.52|13.405'
	# the key acts as its integrator, audited as such
	run dbsql "SELECT DISTINCT actor FROM event WHERE entity = 'case' AND ref = '$ID'"
	assert_output paul
	# the token is the citizen's: dc-case track takes it
	run env DC_USER=nobody dc-case track "$ID" --token "$token"
	assert_success
	# address_string instead of coordinates; XML answer
	run o311 POST /requests.xml "api_key=$KEY&service_code=pothole&address_string=Hauptstra%C3%9Fe+1&attribute%5Bsize%5D=small"
	assert_success
	body | xmllint --noout -
	body | xmllint --xpath 'count(/service_requests/request/service_request_id)' - | grep -qx 1
	body | xmllint --xpath 'count(/service_requests/request/tracking_token)' - | grep -qx 1
}

@test "POST requests: the same checks as dc-case new, as 400 error documents" {
	local bad msg
	while IFS='|' read -r bad msg; do
		run o311 POST /requests.json "api_key=$KEY&$bad"
		assert_failure
		assert_line "Status: 400 Bad Request"
		assert_line --partial "$msg"
	done <<'EOF'
service_code=pothole&lat=1&long=2|required attribute 'size' is missing
service_code=pothole&lat=1&long=2&attribute%5Bsize%5D=huge|'huge' is not one of its values
service_code=pothole&lat=1&long=2&attribute%5Bsize%5D=large&attribute%5Bhazards%5D%5B%5D=boats|'boats' is not one of its values
service_code=pothole&lat=1&long=2&attribute%5Bsize%5D=large&attribute%5Bdepth_cm%5D=tief|is not a number
service_code=pothole&lat=1&long=2&attribute%5Bsize%5D=large&attribute%5Bcolour%5D=red|unknown attribute 'colour'
service_code=pothole&lat=95&long=2&attribute%5Bsize%5D=large|lat
service_code=pothole&lat=1&attribute%5Bsize%5D=large|lat and lon go together
service_code=pothole&lat=1&long=2&attribute%5Bsize%5D=large&email=kein-at|is not an email address
service_code=nope&lat=1&long=2|unknown service 'nope'
service_code=pothole&attribute%5Bsize%5D=large|needs lat and long, address_string or address_id
service_code=pothole&lat=1&long=2&attribute%5Bsize%5D=large&colour=red|unknown parameter 'colour'
service_code=pothole&lat=1&long=2&description=%ZZ|bad %-escape
EOF
	[ "$(dbsql 'SELECT count(*) FROM cases')" -eq 0 ]
}

@test "GET requests: the records are dc-export's, byte for byte, in JSON and XML" {
	post_full
	new_case --description "Zweites Loch" >/dev/null
	run o311 GET /requests.json
	assert_success
	# one record a line; the order differs (newest first here), and so the commas between
	body | sed '1d;$d;s/,$//' | sort >"$BATS_TEST_TMPDIR/cgi"
	DC_USER=nobody dc-export cases -f open311-json | sed '1d;$d;s/,$//' | sort >"$BATS_TEST_TMPDIR/export"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/cgi")" -eq 2 ]
	cmp "$BATS_TEST_TMPDIR/cgi" "$BATS_TEST_TMPDIR/export"
	run o311 GET "/requests/$ID.xml"
	assert_success
	body | xmllint --noout -
	diff <(body | xmllint --xpath '/service_requests/request' -) \
		<(DC_USER=nobody dc-export cases -f open311-xml |
			xmllint --xpath "/service_requests/request[service_request_id='$ID']" -)
	# no reporter, device or account in any answer
	refute_output --partial Ernst
	refute_output --partial dev-1
	refute_output --partial acc-1
}

@test "GET requests: filters, the 90-day window, pages, extensions with meta.total" {
	post_full
	local a b c old bad
	a=$ID
	b=$(DC_NOW=2026-03-02T09:01:00Z new_case --lat 48.1 --lon 11.5 --description "Südloch")
	c=$(DC_NOW=2026-03-02T09:02:00Z new_case --description "Drittes")
	old=$(DC_NOW=2025-10-01T09:00:00Z new_case --description "Altes Loch")
	DC_USER=anna dc-case status "$c" in_progress >/dev/null
	DC_USER=anna dc-case status "$c" resolved --note "verfüllt" >/dev/null
	ids() { body | $PY -c 'import json,sys
d = json.load(sys.stdin)
d = d["service_requests"] if isinstance(d, dict) else d
print(" ".join(r["service_request_id"] for r in d))'; }
	run o311 GET /requests.json
	assert_success
	assert_equal "$(ids)" "$c $b $a"   # newest first, the old one outside 90 days
	run o311 GET "/requests.json?service_request_id=$old,$a"
	assert_equal "$(ids)" "$a $old"
	run o311 GET "/requests.json?status=closed"
	assert_equal "$(ids)" "$c"
	run o311 GET "/requests.json?status=open&service_code=pothole"
	assert_equal "$(ids)" "$b $a"
	run o311 GET "/requests.json?start_date=2025-09-01T00:00:00Z&end_date=2025-11-01T00:00:00%2B01:00"
	assert_equal "$(ids)" "$old"
	run o311 GET "/requests.json?bbox=11,48,12,49"
	assert_equal "$(ids)" "$b"
	run o311 GET "/requests.json?q=S%C3%BCdloch"
	assert_equal "$(ids)" "$b"
	run o311 GET "/requests.json?page_size=2&page=2"
	assert_equal "$(ids)" "$a"
	DC_NOW=2026-03-05T09:00:00Z DC_USER=anna dc-case note "$b" "bald" --public >/dev/null
	run o311 GET "/requests.json?updated_after=2026-03-04T00:00:00Z"
	assert_equal "$(ids)" "$b"
	run o311 GET "/requests.json?updated_before=2026-03-04T00:00:00Z&start_date=2026-01-01T00:00:00Z"
	assert_equal "$(ids)" "$c $a"
	run o311 GET "/requests.json?extensions=true&page_size=1"
	assert_success
	body | $PY -c 'import json,sys
d = json.load(sys.stdin)
assert d["meta"]["total"] == 3, d
r = d["service_requests"][0]
assert r["extended_attributes"]["status"] == "resolved", r
assert r["status"] == "closed" and r["status_notes"] == "verfüllt", r'
	run o311 GET "/requests.xml?extensions=true&service_request_id=$a"
	body | xmllint --noout -
	assert_equal "$(body | xmllint --xpath 'string(//meta/total)' -)" 1
	assert_equal "$(body | xmllint --xpath 'string(//extended_attributes/media_urls/media_url)' -)" \
		https://img.example/1.jpg
	for bad in "page_size=1001" "page=0" "status=fixed" "start_date=gestern" "bbox=1,2,3" "extensions=vielleicht"; do
		run o311 GET "/requests.json?$bad"
		assert_line "Status: 400 Bad Request"
	done
}

@test "discovery, services, service definitions: GeoReport's documents, well-formed XML" {
	run o311 GET /discovery.xml
	assert_success
	body | xmllint --noout -
	assert_equal "$(body | xmllint --xpath 'string(/discovery/endpoints/endpoint/url)' -)" \
		http://localhost/open311
	assert_equal "$(body | xmllint --xpath 'count(/discovery/endpoints/endpoint/formats/format)' -)" 2
	run o311 GET /discovery.json
	body | $PY -c 'import json,sys; d=json.load(sys.stdin); assert d["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"'
	run o311 GET /services.xml
	body | xmllint --noout -
	assert_equal "$(body | xmllint --xpath 'string(/services/service[service_code="pothole"]/metadata)' -)" true
	run o311 GET /services/pothole.xml
	assert_success
	body | xmllint --noout -
	assert_equal "$(body | xmllint --xpath 'string(/service_definition/attributes/attribute[code="hazards"]/values/value[2]/key)' -)" cars
	run o311 GET /services/pothole.json
	body | $PY -c 'import json,sys; d=json.load(sys.stdin); assert d["service_code"] == "pothole" and d["attributes"][0]["code"] == "size"'
	run o311 GET /services/nope.json
	assert_line "Status: 404 Not Found"
	assert_line '[{"code":404,"description":"no service '"'"'nope'"'"'"}]'
}

@test "servicerequestupdates: FixMyStreet pulls status changes and public notes, posts comments" {
	post_full
	DC_NOW=2026-03-03T09:00:00Z DC_USER=anna dc-case note "$ID" "intern" >/dev/null
	DC_NOW=2026-03-03T10:00:00Z DC_USER=anna dc-case status "$ID" in_progress --note "beauftragt" >/dev/null
	DC_NOW=2026-03-03T11:00:00Z run o311 POST /servicerequestupdates.xml "api_key=$KEY&service_request_id=$ID&update_id=fms-7&description=Ist+immer+noch+da&email=c%40x.example&first_name=C&updated_datetime=2026-03-03T11:00:00Z"
	assert_success
	body | xmllint --noout -
	body | xmllint --xpath 'string(/service_request_updates/request_update/update_id)' - | grep -Eqx '[0-9]+'
	run dbsql "SELECT actor, visibility, note FROM event WHERE ref = '$ID' AND kind = 'note' ORDER BY id DESC LIMIT 1"
	assert_output "paul|public|Ist immer noch da"
	DC_NOW=2026-03-04T10:00:00Z DC_USER=anna dc-case status "$ID" resolved >/dev/null
	run o311 GET "/servicerequestupdates.xml?start_date=2026-03-03T00:00:00Z&end_date=2026-03-05T00:00:00Z"
	assert_success
	body | xmllint --noout -
	run o311 GET "/servicerequestupdates.json?start_date=2026-03-03T00:00:00Z&end_date=2026-03-05T00:00:00Z"
	body | $PY -c 'import json,sys
u = json.load(sys.stdin)
got = [(x["status"], x["description"]) for x in u]
assert got == [("in_progress", "beauftragt"), ("in_progress", "Ist immer noch da"), ("fixed", "")], got
assert all(set(x) == {"update_id", "service_request_id", "status", "description", "updated_datetime", "media_url"} for x in u)'
	refute_output --partial intern
	run o311 POST /servicerequestupdates.json "api_key=$KEY&service_request_id=2026-999999&description=x"
	assert_line "Status: 404 Not Found"
	run o311 POST /servicerequestupdates.json "api_key=$KEY&service_request_id=$ID"
	assert_line "Status: 400 Bad Request"
}

@test "errors: 403 key, 404 resource and tokens, 405 method, 411, 413, 415, 503 busy" {
	local p
	run o311 POST /requests.json "$FULL"
	assert_equal "$status" 77
	assert_line "Status: 403 Forbidden"
	run o311 POST /requests.json "api_key=falsch&$FULL"
	assert_line "Status: 403 Forbidden"
	run o311 GET "/requests.json?api_key=falsch"
	assert_line "Status: 403 Forbidden"
	for p in /nothing.json /requests /requests.txt /requests/a/b.json /services/.json; do
		run o311 GET "$p"
		assert_line "Status: 404 Not Found"
	done
	run o311 GET /tokens/abc.xml
	assert_line "Status: 404 Not Found"
	body | xmllint --noout -
	assert_equal "$(body | xmllint --xpath 'string(/errors/error/code)' -)" 404
	run o311 DELETE /requests.json
	assert_line "Status: 405 Method Not Allowed"
	assert_line "Allow: GET, POST"
	run o311 POST /services.json "api_key=$KEY"
	assert_line "Status: 405 Method Not Allowed"
	run o311 GE /requests.json
	assert_line "Status: 405 Method Not Allowed"
	CONTENT_LENGTH= run o311 POST /requests.json "api_key=$KEY"
	assert_line "Status: 411 Length Required"
	CONTENT_LENGTH=1048577 run o311 POST /requests.json "api_key=$KEY"
	assert_line "Status: 413 Content Too Large"
	CONTENT_TYPE=application/json run o311 POST /requests.json '{"service_code":"pothole"}'
	assert_line "Status: 415 Unsupported Media Type"
	CONTENT_TYPE="application/x-www-form-urlencoded; charset=UTF-8" run o311 POST /requests.json "api_key=$KEY&$FULL"
	assert_line "Status: 200 OK"
	# a writer holds the database: 503 with Retry-After, nothing written
	"$ROOT/tests/hold-lock" 3 "$BATS_TEST_TMPDIR/locked" 3>&- &
	while [ ! -e "$BATS_TEST_TMPDIR/locked" ]; do sleep 0.05; done
	DC_BUSY_TIMEOUT=100 run o311 POST /requests.json "api_key=$KEY&$FULL"
	assert_equal "$status" 75
	assert_line "Status: 503 Service Unavailable"
	assert_line "Retry-After: 1"
	wait
	[ "$(dbsql 'SELECT count(*) FROM cases')" -eq 1 ]
}

@test "keys: integrators only, shown once, stored hashed, revoked; open311.public_read" {
	run dc-assign staff key add anna
	assert_failure 3
	assert_output --partial "not an active integrator"
	run dc-assign staff key list
	assert_success
	refute_output --partial "$KEY"
	[ "$(dbsql "SELECT count(*) FROM api_key WHERE key_hash = '$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)'")" -eq 1 ]
	run env DC_USER=anna dc-assign staff key list
	assert_failure 77
	run o311 GET "/requests.json?api_key=$KEY"
	assert_line "Status: 200 OK"
	dc config open311.public_read false >/dev/null
	run o311 GET /requests.json
	assert_line "Status: 403 Forbidden"
	run o311 GET "/requests.json?api_key=$KEY"
	assert_line "Status: 200 OK"
	run dc config open311.public_read vielleicht
	assert_failure 65
	run dc-assign staff key revoke 1
	assert_success
	run dc-assign staff key revoke 1
	assert_failure 3
	run o311 POST /requests.json "api_key=$KEY&$FULL"
	assert_line "Status: 403 Forbidden"
	# a key stops working when its integrator leaves
	KEY=$(dc-assign staff key add paul | jf key)
	dc-assign staff set paul --active false >/dev/null
	run o311 POST /requests.json "api_key=$KEY&$FULL"
	assert_line "Status: 403 Forbidden"
}

@test "purge: device_id and account_id go with the rest of the reporter's data" {
	post_full
	DC_USER=anna dc-case status "$ID" in_progress >/dev/null
	DC_USER=anna dc-case status "$ID" resolved >/dev/null
	DC_USER=anna dc-case status "$ID" closed >/dev/null
	run dbsql "SELECT device_id, account_id FROM cases WHERE id = '$ID'"
	assert_output "dev-1|acc-1"
	dc-case service set "$(dbsql "SELECT service FROM cases WHERE id = '$ID'")" \
		--archive destroy >/dev/null
	DC_NOW=2026-04-10T09:00:00Z dc-case purge --closed-before 2026-04-01 >/dev/null
	run dbsql "SELECT CASE WHEN device_id IS NULL THEN 1 ELSE 0 END, CASE WHEN account_id IS NULL THEN 1 ELSE 0 END FROM cases WHERE id = '$ID'"
	assert_output "1|1"
}

# lines: the elements of the JSON array (or of .service_requests) in the answer, as JSONL
lines() {
	body | $PY -c 'import json,sys
d = json.load(sys.stdin)
for r in (d["service_requests"] if isinstance(d, dict) else d): print(json.dumps(r))'
}

@test "JSON Schemas: api-key, open311-request (dc-open311 and dc-export), open311-update, open311-error" {
	{
		dc-assign staff key add paul
		dc-assign staff key list
		dc-assign staff key revoke 2
	} >"$BATS_TEST_TMPDIR/keys.jsonl"
	run validate api-key <"$BATS_TEST_TMPDIR/keys.jsonl"
	assert_success
	post_full
	new_case --description "Zweites" >/dev/null
	DC_USER=anna dc-case status "$ID" in_progress --note "beauftragt" >/dev/null
	{
		run o311 GET /requests.json
		lines
		run o311 GET "/requests.json?extensions=true"
		lines
		DC_USER=nobody dc-export cases -f open311-json | $PY -c 'import json,sys
for r in json.load(sys.stdin): print(json.dumps(r))'
	} >"$BATS_TEST_TMPDIR/requests.jsonl"
	run validate open311-request <"$BATS_TEST_TMPDIR/requests.jsonl"
	assert_success
	assert_output "6 records valid"
	run o311 GET "/servicerequestupdates.json?start_date=2026-01-01T00:00:00Z"
	lines >"$BATS_TEST_TMPDIR/updates.jsonl"
	run validate open311-update <"$BATS_TEST_TMPDIR/updates.jsonl"
	assert_success
	{
		run o311 GET /nothing.json
		lines
		run o311 DELETE /requests.json
		lines
		run o311 POST /requests.json "$FULL"
		lines
	} >"$BATS_TEST_TMPDIR/errors.jsonl"
	run validate open311-error <"$BATS_TEST_TMPDIR/errors.jsonl"
	assert_success
	assert_output "3 records valid"
}

# ---- through a real web server ---------------------------------------------------------------

# lighttpd on 127.0.0.1 and a free port, dc-open311 under /open311 by mod_cgi: the
# configuration dc-open311(8) gives, with the test's database and clock.
start_lighttpd() {
	command -v lighttpd >/dev/null || fail "lighttpd is not installed (scripts/install-deps)"
	PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir -p "$BATS_TEST_TMPDIR/www"
	cat >"$BATS_TEST_TMPDIR/lighttpd.conf" <<EOF
server.document-root = "$BATS_TEST_TMPDIR/www"
server.bind = "127.0.0.1"
server.port = $PORT
server.errorlog = "$BATS_TEST_TMPDIR/error.log"
server.modules = ("mod_alias", "mod_cgi", "mod_setenv")
alias.url = ("/open311" => "$BIN/dc-open311")
cgi.assign = ("/dc-open311" => "")
setenv.add-environment = ("DC_DB" => "$DC_DB", "DC_NOW" => "$DC_NOW",
	"ASAN_OPTIONS" => "$ASAN_OPTIONS", "UBSAN_OPTIONS" => "$UBSAN_OPTIONS")
EOF
	lighttpd -D -f "$BATS_TEST_TMPDIR/lighttpd.conf" 3>&- &
	LIGHTTPD=$!
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return 0
		sleep 0.05
	done
	fail "lighttpd did not start: $(cat "$BATS_TEST_TMPDIR/error.log")"
}

teardown() {
	if [ -n "${LIGHTTPD-}" ]; then
		kill "$LIGHTTPD" 2>/dev/null || true
		wait "$LIGHTTPD" 2>/dev/null || true
	fi
	db_teardown
}

# check STATUS CURL-ARGS...: the answer has STATUS and an Open311 error document
check() {
	run curl -s -o "$BATS_TEST_TMPDIR/err" -w '%{http_code}' "${@:2}"
	assert_output "$1"
	$PY -c 'import json,sys; e = json.load(open(sys.argv[1]))[0]; assert e["code"] == int(sys.argv[2]) and e["description"], e' \
		"$BATS_TEST_TMPDIR/err" "$1"
}

@test "lighttpd: a round trip over HTTP — create, list, filter, pull updates, every error status" {
	start_lighttpd
	local U=http://127.0.0.1:$PORT/open311 id
	run curl -s "$U/discovery.xml"
	assert_success
	xmllint --noout - <<<"$output"
	# create with every parameter kind
	run curl -s -w '\n%{http_code}' --data "api_key=$KEY&$FULL" "$U/requests.json"
	assert_line 200
	id=$(head -1 <<<"$output" | $PY -c 'import json,sys; print(json.load(sys.stdin)[0]["service_request_id"])')
	run curl -s -w '\n%{http_code}' --data "api_key=$KEY&service_code=pothole&address_id=A-17&attribute%5Bsize%5D=small" "$U/requests.xml"
	assert_line 200
	sed '$d' <<<"$output" | xmllint --noout -
	# list and filter
	run curl -s "$U/requests.json?service_request_id=$id"
	assert_output --partial "\"service_request_id\":\"$id\""
	refute_output --partial dev-1
	run curl -s "$U/requests.xml?status=open&extensions=true"
	xmllint --noout - <<<"$output"
	assert_equal "$(xmllint --xpath 'string(//meta/total)' - <<<"$output")" 2
	run curl -s -i "$U/requests/$id.json"
	assert_line --partial "Content-Type: application/json"
	# FixMyStreet: a comment in, the updates out
	run curl -s -w '\n%{http_code}' --data "api_key=$KEY&service_request_id=$id&description=Danke" "$U/servicerequestupdates.xml"
	assert_line 200
	DC_USER=anna dc-case status "$id" in_progress --note "beauftragt" >/dev/null
	run curl -s "$U/servicerequestupdates.xml?start_date=2026-03-01T00:00:00Z&end_date=2026-03-03T00:00:00Z"
	xmllint --noout - <<<"$output"
	assert_equal "$(xmllint --xpath 'count(//request_update)' - <<<"$output")" 2
	# every error status, each with an error document
	check 400 --data "api_key=$KEY&service_code=pothole&lat=1&long=2" "$U/requests.json"
	check 403 --data "$FULL" "$U/requests.json"
	check 404 "$U/requests/2026-999999.json"
	check 404 "$U/tokens/abc.json"
	check 405 -X PUT "$U/requests.json"
	head -c 1100000 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/big"
	check 413 --data-binary "@$BATS_TEST_TMPDIR/big" "$U/requests.json"
	check 415 -H 'Content-Type: application/json' --data '{}' "$U/requests.json"
	"$ROOT/tests/hold-lock" 7 "$BATS_TEST_TMPDIR/locked" 3>&- &
	local locker=$!
	while [ ! -e "$BATS_TEST_TMPDIR/locked" ]; do sleep 0.05; done
	run curl -s -i --data "api_key=$KEY&$FULL" "$U/requests.json"
	kill "$locker"
	assert_line --partial "503"
	assert_line --partial "Retry-After: 1"
}
