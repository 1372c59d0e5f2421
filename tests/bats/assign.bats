#!/usr/bin/env bats
# dc-assign: departments, staff, queues, claims, deputies, overview, holidays (dc-assign(1)).

bats_require_minimum_version 1.5.0
load helper

setup() {
	seed_city
}

# Print field F of every JSONL record on stdin, one per line (null as "null").
field() {
	$PY -c 'import json,sys
for l in sys.stdin:
    v = json.loads(l)[sys.argv[1]]
    print("null" if v is None else v)' "$1"
}

# --- departments ---------------------------------------------------------------------------

@test "dept add prints the exact record" {
	run dc-assign dept add ordnung --name "Ordnungsamt" --email ordnung@stadt.example
	assert_success
	assert_output '{"code":"ordnung","name":"Ordnungsamt","email":"ordnung@stadt.example","leitweg_id":null,"head":null,"staff":0,"open":0,"created_at":"2026-03-02T09:00:00Z"}'
}

@test "dept list and show" {
	run dc-assign dept list -q
	assert_success
	assert_output $'buergerbuero\ntiefbau'
	run dc-assign dept show tiefbau
	assert_success
	assert_output '{"code":"tiefbau","name":"Tiefbauamt","email":null,"leitweg_id":null,"head":"hanna","staff":3,"open":0,"created_at":"2026-03-02T09:00:00Z"}'
}

@test "duplicate dept exits 3, unknown dept show exits 2" {
	run dc-assign dept add tiefbau --name "Noch einmal"
	assert_failure 3
	assert_output --partial "dc-assign: department 'tiefbau' exists"
	run dc-assign dept show nowhere
	assert_failure 2
	assert_output "dc-assign: no department 'nowhere'"
}

# --- staff ---------------------------------------------------------------------------------

@test "staff add, show and list" {
	run dc-assign staff add dora --name "Dora Neu" --dept tiefbau --role clerk --email dora@stadt.example
	assert_success
	assert_output '{"login":"dora","name":"Dora Neu","dept":"tiefbau","role":"clerk","email":"dora@stadt.example","active":true,"away_until":null,"deputy":null,"created_at":"2026-03-02T09:00:00Z"}'
	run dc-assign staff show anna
	assert_success
	assert_output '{"login":"anna","name":"Anna Beck","dept":"tiefbau","role":"clerk","email":null,"active":true,"away_until":null,"deputy":null,"created_at":"2026-03-02T09:00:00Z"}'
	run dc-assign staff list --dept tiefbau -q
	assert_success
	assert_output $'anna\nbernd\ndora\nhanna'
	run dc-assign staff show nobody
	assert_failure 2
}

@test "staff set changes role, dept and active" {
	run dc-assign staff set bernd --role head --dept buergerbuero --active false --fields login,dept,role,active
	assert_success
	assert_output '{"login":"bernd","dept":"buergerbuero","role":"head","active":false}'
	run dc-assign staff show bernd --fields active
	assert_output '{"active":false}'
	run dc-assign staff set bernd --active maybe
	assert_failure 64
	assert_line --index 0 "dc-assign: field 'active': 'maybe' is not true or false"
	run dc-assign staff set bernd --role boss
	assert_failure 64
	assert_line --index 0 "dc-assign: field 'role': 'boss' is not one of admin, head, clerk, buyer, moderator, integrator, auditor or privacy"
	run dc-assign staff set bernd --active yes --fields active
	assert_output '{"active":true}'
}

@test "clerk without --dept and unknown role: 64 on the command line, 65 in a record" {
	run dc-assign staff add xaver --name "Xaver" --role clerk
	assert_failure 64
	assert_line --index 0 "dc-assign: field 'dept': a clerk needs a department"
	run dc-assign staff add xaver --name "Xaver" --dept tiefbau --role boss
	assert_failure 64
	assert_line --index 0 "dc-assign: field 'role': 'boss' is not one of admin, head, clerk, buyer, moderator, integrator, auditor or privacy"
	assert_line --partial "usage: dc-assign staff add LOGIN --name N"
	run dc-assign staff show xaver
	assert_failure 2
	run bash -c 'printf "%s\n" "{\"login\":\"xaver\",\"name\":\"Xaver\",\"role\":\"boss\",\"dept\":\"tiefbau\"}" | dc-assign staff add -'
	assert_failure 65
	assert_line --index 0 "dc-assign: -:1: field 'role': 'boss' is not one of admin, head, clerk, buyer, moderator, integrator, auditor or privacy"
	run bash -c 'printf "%s\n" "{\"name\":\"Xaver\"}" | dc-assign staff add -'
	assert_failure 65
	assert_line --index 0 "dc-assign: -:1: field 'login' is required"
}

@test "only an admin adds staff once an admin exists" {
	DC_USER=anna run dc-assign staff add yves --name Yves --role admin
	assert_failure 77
	assert_output "dc-assign: permission denied: 'anna' (clerk) may not add staff"
}

@test "bootstrap: before any admin exists anyone may add staff" {
	export DC_DB=$BATS_TEST_TMPDIR/fresh.db
	DC_USER=somebody run dc-assign dept add d1 --name D1 -q
	assert_success
	assert_output d1
	DC_USER=somebody run dc-assign staff add boss --name Boss --role admin -q
	assert_success
	assert_output boss
	DC_USER=somebody run dc-assign staff add other --name Other --role auditor
	assert_failure 77
}

@test "role privacy: added and set like any role; reads the directory, changes no staff" {
	run dc-assign staff add petra --name "Petra Schutz" --role privacy
	assert_success
	assert_output '{"login":"petra","name":"Petra Schutz","dept":null,"role":"privacy","email":null,"active":true,"away_until":null,"deputy":null,"created_at":"2026-03-02T09:00:00Z"}'
	run validate staff <<<"$output"
	assert_success
	run dc-assign staff set ines --role privacy --fields role
	assert_output '{"role":"privacy"}'
	DC_USER=petra run dc-assign staff list -q
	assert_success
	assert_line petra
	DC_USER=petra run dc-assign overview --dept buergerbuero -q
	assert_success
	DC_USER=petra run dc-assign staff set anna --role head
	assert_failure 77
	assert_output "dc-assign: permission denied: 'petra' (privacy) may not change staff"
	DC_USER=petra run dc-assign holiday add 2026-12-24 Heiligabend
	assert_failure 77
}

# dcity(7) "Identity and roles": a login that is no staff reads public data only.
@test "staff directory and absences are for staff: 77 for a login that is no staff, known login or not" {
	DC_USER=hanna dc-assign away anna --from 2026-03-05 --until 2026-03-06 --deputy bernd >/dev/null
	for who in hanna anna bob paul ines; do
		DC_USER=$who run dc-assign staff show anna --fields login
		assert_success
		DC_USER=$who run dc-assign away list --fields login
		assert_output '{"login":"anna"}'
	done
	DC_USER=zoe run --separate-stderr dc-assign staff list
	assert_failure 77
	assert_output ""
	assert_equal "$stderr" "dc-assign: permission denied: 'zoe' (not active staff) may not see the staff directory"
	DC_USER=zoe run dc-assign staff show anna
	assert_failure 77
	assert_output "dc-assign: permission denied: 'zoe' (not active staff) may not see the staff directory"
	DC_USER=zoe run dc-assign staff show nobody
	assert_failure 77
	assert_output "dc-assign: permission denied: 'zoe' (not active staff) may not see the staff directory"
	DC_USER=zoe run --separate-stderr dc-assign away list --at 2026-03-05
	assert_failure 77
	assert_output ""
	assert_equal "$stderr" "dc-assign: permission denied: 'zoe' (not active staff) may not see absences"
	# a login set inactive is no staff any more
	dc-assign staff set bernd --active false -q
	DC_USER=bernd run dc-assign staff list
	assert_failure 77
	assert_output "dc-assign: permission denied: 'bernd' (not active staff) may not see the staff directory"
}

# dcity(7) "Identity and roles": the verbs that take a case id answer a login that is no staff
# alike for an existing case and an unknown one.
@test "claim, give, steal, release, transfer: a login that is no staff cannot probe case ids" {
	new_case >/dev/null
	local args known
	for args in "claim ID" "give ID --to anna" "steal ID" "release ID" \
		"transfer ID --to-dept buergerbuero"; do
		# shellcheck disable=SC2086
		DC_USER=zoe run --separate-stderr dc-assign ${args//ID/2026-000001}
		assert_failure 77
		assert_output ""
		known=$stderr
		assert_equal "$known" \
			"dc-assign: permission denied: 'zoe' (not active staff) may not see or change cases"
		# shellcheck disable=SC2086
		DC_USER=zoe run --separate-stderr dc-assign ${args//ID/2026-000099}
		assert_failure 77
		assert_output ""
		assert_equal "$stderr" "$known"
	done
	assert_equal "$(dbsql "SELECT status || '|' || coalesce(assignee, '') FROM cases")" "new|"
}

@test "departments are public, the logins of their heads are for staff" {
	DC_USER=zoe run dc-assign dept show tiefbau
	assert_success
	assert_output '{"code":"tiefbau","name":"Tiefbauamt","email":null,"leitweg_id":null,"staff":3,"open":0,"created_at":"2026-03-02T09:00:00Z"}'
	run validate department <<<"$output"
	assert_success
	DC_USER=zoe run dc-assign dept list -f csv
	assert_success
	assert_line --index 0 "code,name,email,leitweg_id,staff,open,created_at"
	refute_output --partial hanna
	DC_USER=zoe run dc-assign dept list -f table
	refute_output --partial hanna
	DC_USER=zoe run dc-assign dept show tiefbau --fields code,head
	assert_failure 64
	assert_output --partial "unknown field 'head' for department records; valid fields: code,name,email,leitweg_id,staff,open,created_at"
	DC_USER=anna run dc-assign dept show tiefbau --fields code,head
	assert_success
	assert_output '{"code":"tiefbau","head":"hanna"}'
}

# --- queue and claims ----------------------------------------------------------------------

@test "queue: due date first, then priority, then age; --limit" {
	a=$(new_case --priority low)
	b=$(new_case --priority urgent)
	c=$(DC_NOW=2026-03-02T10:00:00Z new_case --priority high)
	d=$(DC_NOW=2026-03-02T08:00:00Z new_case --priority high)
	e=$(DC_NOW=2026-02-27T08:00:00Z new_case --priority low)   # Friday: due a day earlier
	DC_USER=anna run dc-assign queue -q
	assert_success
	assert_output "$(printf '%s\n' "$e" "$b" "$d" "$c" "$a")"
	DC_USER=anna run dc-assign queue --limit 2 -q
	assert_success
	assert_output "$(printf '%s\n' "$e" "$b")"
}

@test "claim, and claim of someone else's case exits 3" {
	id=$(new_case)
	DC_USER=anna run dc-assign claim "$id" --fields id,status,assignee
	assert_success
	assert_output "{\"id\":\"$id\",\"status\":\"assigned\",\"assignee\":\"anna\"}"
	DC_USER=bernd run dc-assign claim "$id"
	assert_failure 3
	assert_output "dc-assign: case '$id' is assigned to 'anna'"
}

@test "claim --next takes the most urgent case" {
	new_case --priority low >/dev/null
	u=$(new_case --priority urgent)
	new_case --priority normal >/dev/null
	DC_USER=bernd run dc-assign claim --next --fields id,assignee
	assert_success
	assert_output "{\"id\":\"$u\",\"assignee\":\"bernd\"}"
}

@test "a clerk of another department may not claim" {
	id=$(new_case)
	DC_USER=clara run dc-assign claim "$id"
	assert_failure 77
	assert_output "dc-assign: permission denied: 'clara' may not claim cases of 'tiefbau'"
}

@test "dc-case list --status new piped into claim - claims them all" {
	a=$(new_case); b=$(new_case); c=$(new_case)
	run bash -c 'dc-case list --status new | DC_USER=anna dc-assign claim - --fields id,assignee'
	assert_success
	assert_equal "$(echo "$output" | field assignee | sort -u)" anna
	assert_equal "$(echo "$output" | field id | sort)" "$(printf '%s\n' "$a" "$b" "$c")"
	DC_USER=anna run dc-assign queue -q
	assert_success
	assert_output ""
}

@test "give --to: head and admin may, clerk may not, target must be in the department" {
	a=$(new_case); b=$(new_case)
	DC_USER=hanna run dc-assign give "$a" --to anna --fields id,status,assignee
	assert_success
	assert_output "{\"id\":\"$a\",\"status\":\"assigned\",\"assignee\":\"anna\"}"
	run dc-assign give "$b" --to bernd --fields assignee      # root, admin
	assert_success
	assert_output '{"assignee":"bernd"}'
	DC_USER=anna run dc-assign give "$b" --to anna
	assert_failure 77
	DC_USER=hanna run dc-assign give "$b" --to clara
	assert_failure 3
	assert_output "dc-assign: 'clara' is not active staff of 'tiefbau'"
}

@test "steal, release and transfer" {
	id=$(new_case)
	DC_USER=anna dc-assign claim "$id" >/dev/null
	DC_USER=bernd run dc-assign steal "$id"
	assert_failure 77
	DC_USER=hanna run dc-assign steal "$id" --fields assignee,status
	assert_success
	assert_output '{"assignee":"hanna","status":"assigned"}'
	DC_USER=hanna run dc-assign release "$id" --fields assignee,status
	assert_success
	assert_output '{"assignee":null,"status":"new"}'
	DC_USER=hanna run dc-assign release "$id"
	assert_failure 3
	DC_USER=hanna run dc-assign transfer "$id" --to-dept buergerbuero --fields department,status,assignee
	assert_success
	assert_output '{"department":"buergerbuero","status":"new","assignee":null}'
	DC_USER=clara run dc-assign queue -q
	assert_output "$id"
	DC_USER=anna run dc-assign queue -q
	assert_output ""
}

@test "list: my tasks by default, --assignee for the head" {
	a=$(new_case); b=$(new_case)
	DC_USER=anna dc-assign claim "$a" >/dev/null
	DC_USER=bernd dc-assign claim "$b" >/dev/null
	DC_USER=anna run dc-assign list --fields id,assignee,on_behalf_of
	assert_success
	assert_output "{\"id\":\"$a\",\"assignee\":\"anna\",\"on_behalf_of\":null}"
	DC_USER=hanna run dc-assign list --assignee bernd -q
	assert_success
	assert_output "$b"
	DC_USER=hanna run dc-assign list -q
	assert_success
	assert_output ""
	DC_USER=anna run dc-assign list --assignee bernd
	assert_failure 77
}

# --- deputies ------------------------------------------------------------------------------

@test "deputy: access only from..until, recorded on behalf of the absent clerk" {
	id=$(new_case)
	DC_USER=anna dc-assign claim "$id" >/dev/null
	DC_USER=hanna run dc-assign away anna --from 2026-03-05 --until 2026-03-06 --deputy bernd \
		--fields login,from,until,deputy,active
	assert_success
	assert_output '{"login":"anna","from":"2026-03-05","until":"2026-03-06","deputy":"bernd","active":false}'

	DC_NOW=2026-03-04T10:00:00Z DC_USER=bernd run dc-case status "$id" in_progress
	assert_failure 77

	DC_NOW=2026-03-05T10:00:00Z DC_USER=bernd run dc-assign list --fields id,assignee,on_behalf_of
	assert_success
	assert_output "{\"id\":\"$id\",\"assignee\":\"anna\",\"on_behalf_of\":\"anna\"}"
	DC_NOW=2026-03-05T10:00:00Z DC_USER=bernd run dc-case status "$id" in_progress --fields id,status
	assert_success
	assert_output "{\"id\":\"$id\",\"status\":\"in_progress\"}"
	run bash -c "dc-case history '$id' | tail -1"
	assert_success
	assert_equal "$(echo "$output" | field actor)" bernd
	assert_equal "$(echo "$output" | field on_behalf_of)" anna
	assert_equal "$(echo "$output" | field to)" in_progress

	# the clock alone ends it
	DC_NOW=2026-03-07T10:00:00Z DC_USER=bernd run dc-case status "$id" waiting
	assert_failure 77
	DC_NOW=2026-03-07T10:00:00Z DC_USER=bernd run dc-assign list -q
	assert_success
	assert_output ""
}

@test "away: a bad or missing date is a usage error (64), in a record bad data (65)" {
	run env DC_USER=hanna dc-assign away anna --from 2026-03-05 --until 2026-02-30 --deputy bernd
	assert_failure 64
	assert_line --index 0 "dc-assign: field 'until': '2026-02-30' is not a date (YYYY-MM-DD)"
	run env DC_USER=hanna dc-assign away anna --from 2026-03-05 --deputy bernd
	assert_failure 64
	assert_line --index 0 "dc-assign: field 'until' is required"
	run env DC_USER=hanna dc-assign away anna --from 2026-03-06 --until 2026-03-05 --deputy bernd
	assert_failure 65
	assert_output "dc-assign: field 'until': 2026-03-05 is before 2026-03-06"
	printf '%s\n' '{"login":"anna","from":"2026-03-05","until":"2026-03-06","deputy":"bernd"}' \
		'{"login":"bernd","from":"5.3.2026","until":"2026-03-06","deputy":"anna"}' \
		>"$BATS_TEST_TMPDIR/a.jsonl"
	run env DC_USER=hanna dc-assign away - <"$BATS_TEST_TMPDIR/a.jsonl"
	assert_failure 65
	assert_output "dc-assign: -:2: field 'from': '5.3.2026' is not a date (YYYY-MM-DD)"
	run dc-assign away list -q
	assert_output ""
}

@test "away list --at, and back" {
	DC_USER=hanna dc-assign away anna --from 2026-03-05 --until 2026-03-06 --deputy bernd >/dev/null
	run dc-assign away list --fields login,deputy
	assert_success
	assert_output '{"login":"anna","deputy":"bernd"}'
	run dc-assign away list --at 2026-03-06 --fields login,active
	assert_output '{"login":"anna","active":false}'
	run dc-assign away list --at 2026-03-07
	assert_success
	assert_output ""
	DC_NOW=2026-03-05T10:00:00Z run dc-assign staff show anna --fields away_until,deputy
	assert_output '{"away_until":"2026-03-06","deputy":"bernd"}'
	DC_NOW=2026-03-05T10:00:00Z DC_USER=anna run dc-assign back bernd
	assert_failure 77
	DC_NOW=2026-03-05T10:00:00Z DC_USER=hanna run dc-assign back anna
	assert_success
	DC_NOW=2026-03-05T10:00:00Z run dc-assign away list --at 2026-03-05
	assert_output ""
	DC_NOW=2026-03-05T10:00:00Z DC_USER=hanna run dc-assign back anna
	assert_failure 3
}

# --- overview ------------------------------------------------------------------------------

@test "overview: counts per staff and the queues" {
	a=$(new_case); b=$(new_case); c=$(new_case)
	DC_USER=anna dc-assign claim "$a" "$b" >/dev/null
	DC_USER=anna dc-case status "$b" in_progress >/dev/null
	new_case >/dev/null
	DC_NOW=2026-03-12T09:00:00Z DC_USER=hanna run dc-assign overview --dept tiefbau \
		--fields login,open,assigned,in_progress,waiting,overdue
	assert_success
	assert_output - <<-'EOF'
	{"login":"(queue)","open":2,"assigned":0,"in_progress":0,"waiting":0,"overdue":2}
	{"login":"anna","open":2,"assigned":1,"in_progress":1,"waiting":0,"overdue":2}
	{"login":"bernd","open":0,"assigned":0,"in_progress":0,"waiting":0,"overdue":0}
	{"login":"hanna","open":0,"assigned":0,"in_progress":0,"waiting":0,"overdue":0}
	EOF
	DC_USER=anna run dc-assign overview
	assert_failure 77
}

# --- holidays ------------------------------------------------------------------------------

@test "holiday add and list" {
	run dc-assign holiday add 2026-12-24 "Heiligabend"
	assert_success
	assert_output '{"date":"2026-12-24","name":"Heiligabend"}'
	run dc-assign holiday list
	assert_success
	assert_output $'{"date":"2026-03-04","name":"Testfeiertag"}\n{"date":"2026-12-24","name":"Heiligabend"}'
	run dc-assign holiday add 2026-13-01 "Nie"
	assert_failure 64
	assert_line --index 0 "dc-assign: field 'date': '2026-13-01' is not a date (YYYY-MM-DD)"
	run dc-assign holiday add 2026-12-31
	assert_failure 64
	assert_line --index 0 "dc-assign: holiday add needs DATE and NAME (or - to read records)"
	printf '%s\n' '{"date":"2026-12-31","name":"Silvester"}' '{"date":"2026-12-32","name":"Nie"}' \
		>"$BATS_TEST_TMPDIR/h.jsonl"
	run dc-assign holiday add - <"$BATS_TEST_TMPDIR/h.jsonl"
	assert_failure 65
	assert_output "dc-assign: -:2: field 'date': '2026-12-32' is not a date (YYYY-MM-DD)"
	run dc-assign holiday list -q
	assert_output $'2026-03-04\n2026-12-24'
}

@test "holiday import CSV" {
	run dc-assign holiday import "$FIXTURES/holidays.csv"
	assert_success
	assert_output $'{"date":"2026-10-03","name":"Tag der Deutschen Einheit"}\n{"date":"2026-11-01","name":"Allerheiligen, katholisch"}'
}

@test "holiday import JSON array" {
	run dc-assign holiday import "$FIXTURES/holidays.json"
	assert_success
	assert_output $'{"date":"2026-05-01","name":"Tag der Arbeit"}\n{"date":"2026-05-14","name":"Christi Himmelfahrt"}'
}

@test "holiday import iCalendar: unfolded, unescaped" {
	run dc-assign holiday import "$FIXTURES/holidays.ics"
	assert_success
	run dc-assign holiday list
	assert_success
	assert_output - <<-'EOF'
	{"date":"2026-03-04","name":"Testfeiertag"}
	{"date":"2026-04-06","name":"Ostermontag"}
	{"date":"2026-12-25","name":"1. Weihnachtstag"}
	{"date":"2026-12-26","name":"2. Weihnachtstag (Stephanstag), gesetzlicher Feiertag in allen Bundesländern"}
	EOF
	DC_USER=anna run dc-assign holiday import "$FIXTURES/holidays.ics"
	assert_failure 77
}

@test "holiday import iCalendar: RRULE FREQ=YEARLY expanded for this year and holidays.years_ahead more" {
	cat >"$BATS_TEST_TMPDIR/r.ics" <<-'EOF'
	BEGIN:VCALENDAR
	BEGIN:VTIMEZONE
	TZID:Europe/Berlin
	BEGIN:DAYLIGHT
	DTSTART:19810329T020000
	RRULE:FREQ=MONTHLY;BYMONTH=3;BYDAY=-1SU
	END:DAYLIGHT
	END:VTIMEZONE
	BEGIN:VEVENT
	DTSTART;VALUE=DATE:20200101
	RRULE:FREQ=YEARLY
	SUMMARY:Neujahr
	END:VEVENT
	BEGIN:VEVENT
	DTSTART;VALUE=DATE:20241003
	RRULE:FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=3
	EXDATE;VALUE=DATE:20271003
	SUMMARY:Tag der Deutschen Einheit
	END:VEVENT
	BEGIN:VEVENT
	DTSTART;VALUE=DATE:20241124
	RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=-1SU;UNTIL=20271231
	SUMMARY:Letzter Sonntag im November
	END:VEVENT
	BEGIN:VEVENT
	DTSTART;VALUE=DATE:20260907
	RRULE:FREQ=YEARLY;BYMONTH=9;BYDAY=1MO;COUNT=2
	SUMMARY:Labor Day
	END:VEVENT
	BEGIN:VEVENT
	DTSTART;VALUE=DATE:20260105
	RRULE:FREQ=YEARLY;BYDAY=1MO;INTERVAL=2
	SUMMARY:Erster Montag
	END:VEVENT
	BEGIN:VEVENT
	DTSTART;VALUE=DATE:20260406
	SUMMARY:Ostermontag
	END:VEVENT
	END:VCALENDAR
	EOF
	run dc-assign holiday import "$BATS_TEST_TMPDIR/r.ics"
	assert_success
	run dc-assign holiday list --csv --no-header
	assert_output - <<-'EOF'
	2026-01-01,Neujahr
	2026-01-05,Erster Montag
	2026-03-04,Testfeiertag
	2026-04-06,Ostermontag
	2026-09-07,Labor Day
	2026-10-03,Tag der Deutschen Einheit
	2026-11-29,Letzter Sonntag im November
	2027-01-01,Neujahr
	2027-09-06,Labor Day
	2027-11-28,Letzter Sonntag im November
	2028-01-01,Neujahr
	2028-01-03,Erster Montag
	2028-10-03,Tag der Deutschen Einheit
	EOF
	# the setting decides how far ahead; this local year is counted from DC_NOW
	dbsql "DELETE FROM holiday"
	dc config holidays.years_ahead 0 >/dev/null
	DC_NOW=2027-06-01T10:00:00Z run dc-assign holiday import "$BATS_TEST_TMPDIR/r.ics"
	assert_success
	run dc-assign holiday list -q
	assert_output $'2026-04-06\n2027-01-01\n2027-09-06\n2027-11-28'
}

@test "holiday import iCalendar: any RRULE but FREQ=YEARLY's parts exits 65 naming its line" {
	while IFS='|' read -r rule msg; do
		printf 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nSUMMARY:X\nRRULE:%s\nEND:VEVENT\nEND:VCALENDAR\n' \
			"$rule" >"$BATS_TEST_TMPDIR/bad.ics"
		run dc-assign holiday import "$BATS_TEST_TMPDIR/bad.ics"
		assert_failure 65
		assert_output "dc-assign: $BATS_TEST_TMPDIR/bad.ics:5: field 'RRULE': $msg"
	done <<-'EOF'
	FREQ=MONTHLY;BYMONTHDAY=1|FREQ=MONTHLY is not supported, only FREQ=YEARLY
	FREQ=YEARLY;BYWEEKNO=20|BYWEEKNO is not supported (FREQ=YEARLY with BYMONTH, BYMONTHDAY, BYDAY, COUNT, UNTIL, INTERVAL)
	FREQ=YEARLY;BYSETPOS=-1;BYDAY=MO|BYSETPOS is not supported (FREQ=YEARLY with BYMONTH, BYMONTHDAY, BYDAY, COUNT, UNTIL, INTERVAL)
	FREQ=YEARLY;BYMONTH=13|BYMONTH=13 is not valid
	FREQ=YEARLY;BYDAY=1XY|BYDAY=1XY is not valid
	BYMONTH=5|FREQ is missing
	FREQ=YEARLY;COUNT=3;UNTIL=20300101|COUNT and UNTIL together
	EOF
	run dc-assign holiday list -q
	assert_output 2026-03-04
}

@test "a holiday moves a due date" {
	# Monday 2 March + 5 business days, skipping Wednesday 4 March: Tuesday 10 March
	run bash -c 'dc-case new --service pothole --attr size=large --fields due_at'
	assert_output '{"due_at":"2026-03-10T22:59:59Z"}'
	dc-assign holiday add 2026-03-06 "Noch ein Feiertag" >/dev/null
	run bash -c 'dc-case new --service pothole --attr size=large --fields due_at'
	assert_output '{"due_at":"2026-03-11T22:59:59Z"}'
}

# --- concurrency ---------------------------------------------------------------------------

@test "two concurrent claims of one case: exactly one wins" {
	id=$(new_case)
	for i in 1 2 3; do
		DC_USER=anna dc-assign claim "$id" >"$BATS_TEST_TMPDIR/anna.out" 2>&1 &
		p1=$!
		DC_USER=bernd dc-assign claim "$id" >"$BATS_TEST_TMPDIR/bernd.out" 2>&1 &
		p2=$!
		r1=0; wait $p1 || r1=$?
		r2=0; wait $p2 || r2=$?
		assert_equal "$(printf '%s\n' $r1 $r2 | sort | tr '\n' ' ')" "0 3 "
		winner=$(dc-case show "$id" --fields assignee | field assignee)
		if [ "$r1" = 0 ]; then assert_equal "$winner" anna; else assert_equal "$winner" bernd; fi
		DC_USER=hanna dc-assign release "$id" >/dev/null
	done
}

@test "holiday import reads iCalendar and CSV from standard input" {
	run dc-assign holiday import - < "$FIXTURES/holidays.ics"
	assert_success
	run dc-assign holiday list -q
	assert_line "2026-12-25"
	printf '\xef\xbb\xbfdate,name\n2027-05-01,Tag der Arbeit\n' | dc-assign holiday import - >/dev/null
	run dc-assign holiday list --csv --fields date,name
	assert_line "2027-05-01,Tag der Arbeit"
}

@test "a bad option value is a usage error (64), a bad record field a data error (65)" {
	run env DC_USER=anna dc-assign queue --limit 0
	assert_equal "$status" 64
	run bash -c 'echo "{\"service\":\"pothole\",\"attr\":\"size=large\",\"lat\":\"north\",\"lon\":\"1\"}" | dc-case new -'
	assert_equal "$status" 65
}
