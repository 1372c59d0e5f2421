#!/usr/bin/env bats
# --keep-going and --rejects on broken input: every reader makes progress on every error (a
# bad record is rejected once, in bounded time and space), a '"' inside an unquoted CSV field
# is text, and a rejects line holds source, line, error and the record's raw text (issue 11:
# a stray quote once made --keep-going write the same reject until the disk was full).

load helper
load malformed

setup() {
	seed_city
	export DC_USER=root
	dc-order vendor add v --name "Vendor V" >/dev/null
	T=$BATS_TEST_TMPDIR
}

# jq-like: print FIELD of every JSONL line of FILE (raw strings, JSON for the rest).
jfield() {
	$PY -c 'import json,sys
for l in open(sys.argv[1], encoding="utf-8"):
    v = json.loads(l).get(sys.argv[2])
    print(v if isinstance(v, str) else json.dumps(v))' "$1" "$2"
}

@test "the issue's reproductions: a stray quote imports as text, an unclosed quote is one reject; both end at once" {
	printf 'sku,name,price\nS1,Schraube 1/2" lang,0.12\nS2,ok,1\n' >"$T/v--5.csv"
	printf 'sku,name,price\nS1,"Schraube 1/2 lang,0.12\nS2,ok,1\n' >"$T/v--6.csv"
	cd "$T"
	SECONDS=0
	run timeout 10 dc-order catalog import v--5.csv --keep-going --rejects rj5.jsonl
	assert_success
	assert_line "dc-order: v--5.csv:2: field 'name': a '\"' inside an unquoted field was read as text (1 field in the file had one)"
	assert_equal "$(dbsql "select name from catalog_item where sku = 'S1'")" 'Schraube 1/2" lang'
	assert_equal "$(dbsql "select count(*) from catalog_item where vendor = 'v'")" 2
	assert [ ! -e rj5.jsonl ]
	run timeout 10 dc-order catalog import v--6.csv --keep-going --rejects rj6.jsonl
	assert_failure 65
	assert_line "dc-order: v--6.csv:2: field 'name': quoted field not closed before the end of the file"
	assert_equal "$(wc -l <rj6.jsonl)" 1
	run $PY -c 'import json; r = json.loads(open("rj6.jsonl").readline()); print(sorted(r)); print(r["source"], r["line"]); print(r["error"]); print(repr(r["raw"]))'
	assert_output "['error', 'line', 'raw', 'source']
v--6.csv 2
field 'name': quoted field not closed before the end of the file
'S1,\"Schraube 1/2 lang,0.12\\nS2,ok,1'"
	# well under a second each, even with the sanitizers
	[ "$SECONDS" -le 3 ] || fail "took ${SECONDS}s, expected at most 3 s"
	# without --keep-going the same file stops at once too, naming file, line and field (a
	# second vendor: the same file again would be skipped as imported)
	dc-order vendor add w --name "Vendor W" >/dev/null
	cp v--6.csv w--6.csv
	run timeout 10 dc-order catalog import w--6.csv
	assert_failure 65
	assert_output "dc-order: w--6.csv:2: field 'name': quoted field not closed before the end of the file"
}

@test "stray quotes: one warning per file counts the fields; a quoted field keeps its doubled quotes" {
	printf 'sku,name,price\nS1,Zoll 1" und 2" lang,1\nS2,"Rohr 3/4"" lang",2\nS3,Rohr 1" x,3\n' >"$T/stray.csv"
	run dc-order catalog import "$T/stray.csv" --vendor v
	assert_success
	assert_equal "$(grep -c 'read as text' <<<"$output")" 1
	assert_line "dc-order: $T/stray.csv:2: field 'name': a '\"' inside an unquoted field was read as text (2 fields in the file had one)"
	run dbsql "select sku || '=' || name from catalog_item where vendor = 'v' order by sku"
	assert_output 'S1=Zoll 1" und 2" lang
S2=Rohr 3/4" lang
S3=Rohr 1" x'
}

@test "every malformed CSV shape under --keep-going: exit 65, one bounded reject, the rest read on (dc-case new)" {
	malformed_files "$T"
	local name f line err good n
	for name in "${!MALFORMED[@]}"; do
		IFS='|' read -r line err good <<<"${MALFORMED[$name]}"
		f=$(ls "$T/$name".*)
		rm -f "$T/rj.jsonl"
		if on_pg; then db_teardown; else rm -f "$DC_DB"; fi
		seed_city
		export DC_USER=root
		run timeout 10 dc-case new --keep-going --rejects "$T/rj.jsonl" -q "$f"
		[ "$status" -ne 124 ] || fail "$name: still running after 10 s"
		assert_failure 65
		assert_equal "$name: $(grep -c . <<<"$(grep '^dc-case: ' <<<"$output")")" "$name: 1"
		assert_line "dc-case: $f:$line: $err"
		assert_equal "$name: $(wc -l <"$T/rj.jsonl")" "$name: 1"
		# bounded: the raw text is cut at 1 MiB
		n=$(stat -c %s "$T/rj.jsonl")
		[ "$n" -lt 1100000 ] || fail "$name: rejects file of $n bytes, expected under 1100000"
		assert_equal "$name: $(jfield "$T/rj.jsonl" source) $(jfield "$T/rj.jsonl" line)" "$name: $f $line"
		assert_equal "$name: $(jfield "$T/rj.jsonl" error)" "$name: $err"
		assert [ -n "$(jfield "$T/rj.jsonl" raw | tr -d '\0')" ]
		assert_equal "$name: $(dc-case list -q | wc -l)" "$name: $good"
	done
}

@test "rejects: a record the verb refuses carries its fields and its raw text; the error names no place" {
	printf 'service,description,attr\npothole,one,size=large\npotholee,"two, with comma",size=large\npothole,three,size=large\n' >"$T/c.csv"
	run dc-case new --keep-going --rejects "$T/rj.jsonl" -q "$T/c.csv"
	assert_failure 65
	assert_line --regexp "^dc-case: $T/c.csv:3: "
	assert_equal "$(dc-case list -q | wc -l)" 2
	run $PY -c 'import json,sys; r = json.loads(open(sys.argv[1]).readline())
print(r["source"] == sys.argv[2], r["line"], sys.argv[2] in r["error"], ":3:" in r["error"])
print(r["record"]["service"], "|", r["record"]["description"])
print(r["raw"])' "$T/rj.jsonl" "$T/c.csv"
	assert_output 'True 3 False False
potholee | two, with comma
potholee,"two, with comma",size=large'
	# a rejects file is JSON even when the record was not UTF-8
	printf '{"service":"pothole","attributes":{"size":"large"}}\n{"service":"pothole","description":"\xff\xfe"}\n' >"$T/bad.jsonl"
	run dc-case new --keep-going --rejects "$T/rj2.jsonl" -q "$T/bad.jsonl"
	assert_failure 65
	run $PY -c 'import json,sys; r = json.loads(open(sys.argv[1], encoding="utf-8").readline()); print(r["line"], r["error"], "record" in r, r["raw"])' "$T/rj2.jsonl"
	assert_output "2 field 'description': invalid UTF-8 False {\"service\":\"pothole\",\"description\":\"��\"}"
}

@test "JSON: a bad array element or JSONL line costs itself only; text outside the array the rest" {
	printf '[{"service":"pothole","attributes":{"size":"large"}},\n 5, "text", [1, {"x": 2}],\n {"service":"pothole","attributes":{"size":"large"}}\n] trailing\n' >"$T/a.json"
	run timeout 10 dc-case new --keep-going --rejects "$T/rj.jsonl" -q "$T/a.json"
	assert_failure 65
	assert_equal "$(dc-case list -q | wc -l)" 2
	run jfield "$T/rj.jsonl" error
	assert_output 'array element is not an object
array element is not an object
array element is not an object
text after the end of the JSON array'
	run jfield "$T/rj.jsonl" raw
	assert_output '5
"text"
[1, {"x": 2}]
] trailing'
	printf '{"service":"pothole","attributes":{"size":"large"}}\n{"service":\n{"service":"pothole","attributes":{"size":"large"}}\n' >"$T/l.jsonl"
	run timeout 10 dc-case new --keep-going --rejects "$T/rj2.jsonl" -q "$T/l.jsonl"
	assert_failure 65
	assert_equal "$(dc-case list -q | wc -l)" 4
	assert_equal "$(jfield "$T/rj2.jsonl" line)" 2
}

@test "a full catalog import with rejects marks nothing discontinued" {
	printf 'sku,name,price\nA,Alpha,1\nB,Beta,2\nC,Gamma,3\n' >"$T/v--1.csv"
	dc-order catalog import "$T/v--1.csv" --vendor v >/dev/null
	printf 'sku,name,price\nA,Alpha,1\nB,"Beta,2\n' >"$T/v--2.csv"
	run dc-order catalog import "$T/v--2.csv" --vendor v --keep-going
	assert_failure 65
	assert_line "dc-order: $T/v--2.csv: 1 record rejected, so no item is marked discontinued"
	assert_equal "$(dbsql "select group_concat(x, ' ') from (select sku || ':' || status as x from catalog_item where vendor = 'v' order by sku) as s")" \
		"A:active B:active C:active"
}

@test "dc-import spool --keep-going: a broken vendor file ends at once, its good records kept" {
	local spool=$T/spool
	mkdir -p "$spool/incoming"
	printf 'sku,name,price\nS1,Schraube 1/2" lang,0.12\nS2,ok,1\n' >"$spool/incoming/v--5.csv"
	printf 'sku,name,price\nS3,"ab"cd,1\nS4,ok,1\n' >"$spool/incoming/v--6.csv"
	run timeout 20 dc-import spool "$spool" --keep-going
	[ "$status" -ne 124 ] || fail "spool still running after 20 s"
	assert_failure 65
	assert_equal "$(dbsql "select group_concat(sku, ' ') from (select sku from catalog_item where vendor = 'v' order by sku) as s")" \
		"S1 S2 S4"
}
