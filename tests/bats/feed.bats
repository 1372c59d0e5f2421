#!/usr/bin/env bats
# dc-feed: members, posts, comments, follows, flags, filters, moderation, guide (dc-feed(1)).

load helper

setup() {
	fresh_db
	cached_setup feed_city
	export DC_USER=portal
}

feed_city() {
	dc-assign staff add root --name "Ada Admin" --role admin >/dev/null
	export DC_USER=root
	dc-assign dept add tiefbau --name "Tiefbauamt" >/dev/null
	dc-assign staff add portal --name "Web Portal" --role integrator >/dev/null
	dc-assign staff add mod --name "Mia Moderator" --role moderator >/dev/null
	dc-assign staff add klaus --name "Klaus Clerk" --dept tiefbau --role clerk >/dev/null
	dc-assign staff add ines --name "Ines Prüf" --role auditor >/dev/null
	export DC_USER=portal
	dc-feed member add anna --name "Anna Nord" --kind citizen --district Nord \
		--interests sport,spielplatz --email anna@example.org >/dev/null
	dc-feed member add ben --name "Ben Süd" --kind citizen --district Süd --interests musik >/dev/null
	dc-feed member add stadt --name "Stadt Musterstadt" --kind authority >/dev/null
	dc-feed member add cem --name "Cem" --kind citizen >/dev/null
	dc-feed member add dora --name "Dora" --kind citizen >/dev/null
}

# Print field F of every JSONL record on stdin, one per line (null as "null").
field() {
	$PY -c 'import json,sys
for l in sys.stdin:
    v = json.loads(l)[sys.argv[1]]
    print("null" if v is None else json.dumps(v) if isinstance(v, (list, dict)) else v)' "$1"
}

# post [options]: publish as the portal and print the new post's id.
post() {
	DC_USER=portal dc-feed post "$@" | field id
}

# --- members -------------------------------------------------------------------------------

@test "member add prints the exact record; show, list, set" {
	run dc-feed member add eva --name "Eva Ost" --kind business --district Ost \
		--interests "Markt, Bio" --notify daily --email eva@example.org
	assert_success
	assert_output '{"handle":"eva","name":"Eva Ost","kind":"business","email":"eva@example.org","district":"Ost","interests":["markt","bio"],"notify":"daily","active":true,"follows":[],"posts":0,"created_at":"2026-03-02T09:00:00Z"}'
	run dc-feed member show ben
	assert_success
	assert_output '{"handle":"ben","name":"Ben Süd","kind":"citizen","email":null,"district":"Süd","interests":["musik"],"notify":"weekly","active":true,"follows":[],"posts":0,"created_at":"2026-03-02T09:00:00Z"}'
	run dc-feed member list -q
	assert_output $'anna\nben\ncem\ndora\neva\nstadt'
	run dc-feed member list --district nord -q
	assert_output 'anna'
	run dc-feed member list --kind business -q
	assert_output 'eva'
	run dc-feed member list --kind citizen --district süd -q
	assert_output 'ben'
	# an unknown kind is a usage error naming the kinds, not an empty list
	run dc-feed member list --kind buisness
	assert_failure 64
	assert_line "dc-feed: field 'kind': 'buisness' is not one of citizen, business, organisation or authority"
	run dc-feed member set ben --district Mitte --interests kultur --notify never --active false
	assert_success
	assert_output '{"handle":"ben","name":"Ben Süd","kind":"citizen","email":null,"district":"Mitte","interests":["kultur"],"notify":"never","active":false,"follows":[],"posts":0,"created_at":"2026-03-02T09:00:00Z"}'
	run dbsql "SELECT actor, on_behalf_of, kind FROM event WHERE entity='member' AND ref='ben' ORDER BY id"
	assert_output $'portal|ben|created\nportal|ben|changed'
}

@test "member errors: duplicate 3, unknown 2, bad kind or notify 64 (65 in a record), missing name 64" {
	run dc-feed member add anna --name "Anna" --kind citizen
	assert_failure 3
	assert_output "dc-feed: member 'anna' exists"
	run dc-feed member show nobody
	assert_failure 2
	run dc-feed member add zed --name Zed --kind alien
	assert_failure 64
	assert_line --index 0 "dc-feed: field 'kind': 'alien' is not one of citizen, business, organisation or authority"
	run dc-feed member add zed --name Zed --kind citizen --notify hourly
	assert_failure 64
	assert_line --index 0 "dc-feed: field 'notify': 'hourly' is not one of immediate, daily, weekly or never"
	run dc-feed member set ben --notify hourly
	assert_failure 64
	assert_line --index 0 "dc-feed: field 'notify': 'hourly' is not one of immediate, daily, weekly or never"
	run dc-feed member add zed --kind citizen
	assert_failure 64
	assert_line --index 0 "dc-feed: field 'name' is required"
	printf '%s\n' '{"handle":"zed","name":"Zed","kind":"citizen"}' \
		'{"handle":"yve","name":"Yve","kind":"alien"}' >"$BATS_TEST_TMPDIR/m.jsonl"
	run dc-feed member add - <"$BATS_TEST_TMPDIR/m.jsonl"
	assert_failure 65
	assert_output "dc-feed: -:2: field 'kind': 'alien' is not one of citizen, business, organisation or authority"
	run dc-feed member show zed
	assert_failure 2
	run dc-feed member set nobody --name X
	assert_failure 2
}

# --- posts ---------------------------------------------------------------------------------

@test "post prints the exact record and records actor and on_behalf_of" {
	run dc-feed post --author anna --title "Schaukel kaputt" --body "Am Spielplatz Nord" \
		--kind question --district Nord --topics "Spielplatz, Kinder"
	assert_success
	assert_output '{"id":"P-2026-000001","kind":"question","author":"anna","title":"Schaukel kaputt","body":"Am Spielplatz Nord","district":"Nord","topics":["spielplatz","kinder"],"starts_at":null,"ends_at":null,"all_day":false,"location":null,"ref":null,"status":"visible","hidden_by":null,"reason":null,"flags":0,"comment_count":0,"created_by":"portal","created_at":"2026-03-02T09:00:00Z","updated_at":"2026-03-02T09:00:00Z"}'
	run dbsql "SELECT actor, on_behalf_of FROM event WHERE entity='post'"
	assert_output 'portal|anna'
	run dc-feed post --author nobody --title T --body B
	assert_failure 2
	run dc-feed post --author anna --title T --body B --kind rumour
	assert_failure 64
	assert_line --index 0 "dc-feed: field 'kind': 'rumour' is not one of news, event, offer, question or notice"
	run dc-feed post --author anna --body B
	assert_failure 64
	assert_line --index 0 "dc-feed: field 'title' is required"
	printf '%s\n' '{"author":"anna","title":"A","body":"a"}' \
		'{"author":"anna","title":"B","body":"b","kind":"rumour"}' >"$BATS_TEST_TMPDIR/p.jsonl"
	run dc-feed post "$BATS_TEST_TMPDIR/p.jsonl"
	assert_failure 65
	assert_output "dc-feed: $BATS_TEST_TMPDIR/p.jsonl:2: field 'kind': 'rumour' is not one of news, event, offer, question or notice"
	run dc-feed list -q
	assert_output 'P-2026-000001'
}

@test "events: date-only --starts is all day, times are UTC, ends before starts is refused" {
	run dc-feed post --author stadt --title "Stadtfest" --body "Musik" --kind event \
		--starts 2026-03-14 --ends 2026-03-15 --location Marktplatz
	assert_success
	assert_output '{"id":"P-2026-000001","kind":"event","author":"stadt","title":"Stadtfest","body":"Musik","district":null,"topics":[],"starts_at":"2026-03-14","ends_at":"2026-03-15","all_day":true,"location":"Marktplatz","ref":null,"status":"visible","hidden_by":null,"reason":null,"flags":0,"comment_count":0,"created_by":"portal","created_at":"2026-03-02T09:00:00Z","updated_at":"2026-03-02T09:00:00Z"}'
	run dc-feed post --author stadt --title "Lauf" --body "x" --kind event \
		--starts 2026-03-14T10:00:00+01:00 --ends 2026-03-14T12:00:00+01:00
	assert_success
	assert_equal "$(echo "$output" | field starts_at) $(echo "$output" | field ends_at) $(echo "$output" | field all_day)" \
		"2026-03-14T09:00:00Z 2026-03-14T11:00:00Z False"
	run dc-feed post --author stadt --title "Lauf" --body "x" --kind event
	assert_failure 65
	assert_output "dc-feed: field 'starts': an event needs a start"
	run dc-feed post --author stadt --title "Lauf" --body "x" --kind event --starts 2026-03-14 --ends 2026-03-13
	assert_failure 65
	assert_output "dc-feed: field 'ends': 2026-03-13 is before 2026-03-14"
	run dc-feed post --author stadt --title "Lauf" --body "x" --starts 2026-03-14
	assert_failure 65
}

@test "posts from JSONL records; one bad record writes nothing" {
	printf '%s\n' '{"author":"anna","title":"A","body":"a","topics":["Sport","fest"]}' \
		'{"author":"ben","title":"B","body":"b"}' >"$BATS_TEST_TMPDIR/p.jsonl"
	run dc-feed post "$BATS_TEST_TMPDIR/p.jsonl" -q
	assert_success
	assert_output $'P-2026-000001\nP-2026-000002'
	run dc-feed show P-2026-000001 --fields topics
	assert_output '{"topics":["sport","fest"]}'
	run sh -c 'printf "%s\n" "{\"author\":\"anna\",\"title\":\"C\",\"body\":\"c\"}" "{\"author\":\"zz\",\"title\":\"D\",\"body\":\"d\"}" | dc-feed post -'
	assert_failure 2
	run dc-feed list -q
	assert_output $'P-2026-000002\nP-2026-000001'
}

# --- listings ------------------------------------------------------------------------------

@test "list: anyone reads the public feed, newest first, with filters" {
	A=$(DC_NOW=2026-03-01T08:00:00Z post --author anna --title "Sport" --body x --district Nord --topics sport)
	B=$(DC_NOW=2026-03-01T09:00:00Z post --author ben --title "Konzert" --body x --district Süd --topics musik)
	C=$(DC_NOW=2026-03-01T10:00:00Z post --author stadt --title "Sperrung" --body x --kind notice)
	run env DC_USER=stranger dc-feed list -q
	assert_success
	assert_output "$C"$'\n'"$B"$'\n'"$A"
	run env DC_USER=stranger dc-feed list --district nord -q
	assert_output "$A"
	run dc-feed list --topic Musik -q
	assert_output "$B"
	run dc-feed list --kind notice -q
	assert_output "$C"
	run dc-feed list --since 2026-03-01T08:30:00Z -q
	assert_output "$C"$'\n'"$B"
	run dc-feed list --limit 1 -q
	assert_output "$C"
	run dc-feed list --kind gossip
	assert_failure 64
	assert_line "dc-feed: field 'kind': 'gossip' is not one of news, event, offer, question or notice"
	run dc-feed list --for anna --kind gossip
	assert_failure 64
	assert_line "dc-feed: field 'kind': 'gossip' is not one of news, event, offer, question or notice"
	run dc-feed list --limit 0
	assert_failure 64
	assert_line "dc-feed: field 'limit': '0' is not a whole number from 1 to 1000000000"
	run dc-feed list --district Ost -e
	assert_failure 1
	run env DC_USER=stranger dc-feed show "$A" --fields id,status
	assert_success
	assert_output '{"id":"'"$A"'","status":"visible"}'
}

@test "list --for: notices first, then the member's matches newest first, with why" {
	N1=$(DC_NOW=2026-03-01T07:00:00Z post --author stadt --title "Wahl" --body x --kind notice)
	A1=$(DC_NOW=2026-03-01T08:00:00Z post --author cem --title "Nord-Flohmarkt" --body x --district Nord)
	S1=$(DC_NOW=2026-03-01T09:00:00Z post --author cem --title "Fussball" --body x --topics sport)
	M1=$(DC_NOW=2026-03-01T10:00:00Z post --author cem --title "Chor" --body x --topics musik)
	B1=$(DC_NOW=2026-03-01T11:00:00Z post --author cem --title "Süd-Fest" --body x --district Süd)
	X1=$(DC_NOW=2026-03-01T12:00:00Z post --author cem --title "Nichts" --body x --topics garten)
	N2=$(DC_NOW=2026-03-01T13:00:00Z post --author stadt --title "Baustelle" --body x)
	dc-feed follow anna --topic garten >/dev/null
	run dc-feed list --for anna --fields id,why
	assert_success
	assert_output - <<-EOF
	{"id":"$N2","why":"notice"}
	{"id":"$N1","why":"notice"}
	{"id":"$X1","why":"topic:garten"}
	{"id":"$S1","why":"interest:sport"}
	{"id":"$A1","why":"district"}
	EOF
	run dc-feed list --for ben --fields id,why
	assert_success
	assert_output - <<-EOF
	{"id":"$N2","why":"notice"}
	{"id":"$N1","why":"notice"}
	{"id":"$B1","why":"district"}
	{"id":"$M1","why":"interest:musik"}
	EOF
	dc-feed follow ben --district Nord >/dev/null
	run dc-feed list --for ben --fields id,why --kind news
	assert_output - <<-EOF
	{"id":"$N2","why":"notice"}
	{"id":"$B1","why":"district"}
	{"id":"$M1","why":"interest:musik"}
	{"id":"$A1","why":"district:Nord"}
	EOF
	run dc-feed list --for nobody
	assert_failure 2
	run env DC_USER=stranger dc-feed list --for anna
	assert_failure 77
}

# --- comments, show ------------------------------------------------------------------------

@test "comment and show: visible comments in the post; locked and hidden posts refuse 3" {
	P=$(post --author anna --title "Frage" --body x)
	run dc-feed comment "$P" --author ben --body "Gute Frage"
	assert_success
	assert_output '{"id":"C-1","post":"'"$P"'","author":"ben","body":"Gute Frage","status":"visible","hidden_by":null,"reason":null,"created_by":"portal","created_at":"2026-03-02T09:00:00Z"}'
	run dc-feed show "$P" --fields id,comment_count,comments
	assert_output '{"id":"'"$P"'","comment_count":1,"comments":[{"id":"C-1","author":"ben","body":"Gute Frage","status":"visible","created_at":"2026-03-02T09:00:00Z"}]}'
	run dbsql "SELECT actor, on_behalf_of, kind, to_value FROM event WHERE entity='post' AND kind='comment'"
	assert_output "portal|ben|comment|C-1"
	DC_USER=mod dc-feed moderate "$P" lock --reason "genug" >/dev/null
	run dc-feed comment "$P" --author ben --body "Noch was"
	assert_failure 3
	assert_output "dc-feed: post '$P' is locked: no new comments"
	run dc-feed list -q
	assert_output "$P"
	DC_USER=mod dc-feed moderate "$P" hide --reason "weg" >/dev/null
	run dc-feed comment "$P" --author ben --body "Noch was"
	assert_failure 3
	run dc-feed comment P-2026-999999 --author ben --body "x"
	assert_failure 2
	run dc-feed comment "$P" --author ben
	assert_failure 64
	assert_line --index 0 "dc-feed: field 'body' is required"
}

@test "hiding a post hides its comments; restoring shows them again" {
	P=$(post --author anna --title "Thema" --body x)
	dc-feed comment "$P" --author ben --body "eins" >/dev/null
	dc-feed comment "$P" --author cem --body "zwei" >/dev/null
	run dc-feed list --fields id,comment_count
	assert_output '{"id":"'"$P"'","comment_count":2}'
	DC_USER=mod dc-feed moderate C-2 hide --reason "Spam" >/dev/null
	run dc-feed list --fields id,comment_count
	assert_output '{"id":"'"$P"'","comment_count":1}'
	run dc-feed show "$P" --fields comments
	assert_output '{"comments":[{"id":"C-1","author":"ben","body":"eins","status":"visible","created_at":"2026-03-02T09:00:00Z"}]}'
	run env DC_USER=mod dc-feed moderate "$P" hide --reason "Streit"
	assert_success
	assert_equal "$(echo "$output" | field status) $(echo "$output" | field hidden_by)" "hidden moderator"
	run dc-feed list -q
	assert_output ''
	run dc-feed show "$P"
	assert_failure 2
	run env DC_USER=mod dc-feed show "$P" --fields status,comment_count,comments
	assert_success
	assert_output '{"status":"hidden","comment_count":0,"comments":[{"id":"C-1","author":"ben","body":"eins","status":"hidden","created_at":"2026-03-02T09:00:00Z"},{"id":"C-2","author":"cem","body":"zwei","status":"hidden","created_at":"2026-03-02T09:00:00Z"}]}'
	run env DC_USER=mod dc-feed moderate C-1 --explain --fields cause,explanation
	assert_output '{"cause":"post","explanation":"hidden with its post '"$P"'"}'
	DC_USER=mod dc-feed moderate "$P" restore --reason "geklärt" >/dev/null
	run dc-feed show "$P" --fields status,comment_count
	assert_output '{"status":"visible","comment_count":1}'
	run env DC_USER=mod dc-feed moderate "$P" restore --reason "nochmal"
	assert_failure 3
}

# --- follows -------------------------------------------------------------------------------

@test "follow and unfollow topics and districts" {
	run dc-feed follow anna --topic Garten
	assert_success
	assert_equal "$(echo "$output" | field follows)" '["topic:garten"]'
	run dc-feed follow anna --district Mitte --fields follows
	assert_output '{"follows":["district:Mitte","topic:garten"]}'
	run dc-feed follow anna --district Mitte --fields follows
	assert_success
	assert_output '{"follows":["district:Mitte","topic:garten"]}'
	run dbsql "SELECT count(*) FROM follow WHERE member='anna'"
	assert_output 2
	run dc-feed unfollow anna --topic garten --fields follows
	assert_success
	assert_output '{"follows":["district:Mitte"]}'
	run dc-feed unfollow anna --topic garten
	assert_failure 2
	run dc-feed follow anna --topic a --district b
	assert_failure 64
	run dc-feed follow anna
	assert_failure 64
	run dc-feed follow nobody --topic x
	assert_failure 2
}

# --- flags ---------------------------------------------------------------------------------

@test "flag threshold: two flags keep a post visible, the third distinct flagger hides it" {
	P=$(post --author anna --title "Werbung" --body x)
	run dc-feed flag "$P" --by ben --reason spam
	assert_success
	assert_output '{"id":"'"$P"':ben","post":"'"$P"'","by":"ben","reason":"spam","note":null,"flags":1,"threshold":3,"post_status":"visible","created_at":"2026-03-02T09:00:00Z"}'
	# the same member flagging twice counts once: exit 0, the first flag stays
	run dc-feed flag "$P" --by ben --reason offensive
	assert_success
	assert_output '{"id":"'"$P"':ben","post":"'"$P"'","by":"ben","reason":"spam","note":null,"flags":1,"threshold":3,"post_status":"visible","created_at":"2026-03-02T09:00:00Z"}'
	run dc-feed flag "$P" --by cem --reason offensive --note "beleidigend"
	assert_equal "$(echo "$output" | field flags) $(echo "$output" | field post_status)" "2 visible"
	run dc-feed list -q
	assert_output "$P"
	run dc-feed flag "$P" --by dora --reason spam
	assert_equal "$(echo "$output" | field flags) $(echo "$output" | field post_status)" "3 hidden"
	run dc-feed list -q
	assert_output ''
	run dbsql "SELECT count(*) FROM flag WHERE post='$P'"
	assert_output 3
	run env DC_USER=mod dc-feed moderation --fields id,type,status,hidden_by,flags,flag_reasons
	assert_output '{"id":"'"$P"'","type":"post","status":"hidden","hidden_by":"flags","flags":3,"flag_reasons":["spam","offensive","spam"]}'
	run env DC_USER=mod dc-feed moderate "$P" --explain --fields cause,flags,threshold,flaggers,explanation
	assert_output '{"cause":"automatic","flags":3,"threshold":3,"flaggers":[{"member":"ben","reason":"spam","note":null,"at":"2026-03-02T09:00:00Z"},{"member":"cem","reason":"offensive","note":"beleidigend","at":"2026-03-02T09:00:00Z"},{"member":"dora","reason":"spam","note":null,"at":"2026-03-02T09:00:00Z"}],"explanation":"hidden automatically: 3 distinct flags reached the threshold of 3 (spam, offensive, spam)"}'
	run dc-feed flag "$P" --by anna --reason spam
	assert_failure 3
	run dc-feed flag "$P" --by anna --reason boring
	assert_failure 65
	# a moderator's restore takes the post out of the queue
	DC_USER=mod dc-feed moderate "$P" restore --reason "harmlos" >/dev/null
	run env DC_USER=mod dc-feed moderation
	assert_output ''
	run dc-feed list -q
	assert_output "$P"
}

@test "feed.flag_threshold setting is honoured" {
	DC_USER=root dc config feed.flag_threshold 2 >/dev/null
	P=$(post --author anna --title "Werbung" --body x)
	dc-feed flag "$P" --by ben --reason spam >/dev/null
	run dc-feed flag "$P" --by cem --reason spam --fields flags,threshold,post_status
	assert_output '{"flags":2,"threshold":2,"post_status":"hidden"}'
}

# --- filters and moderation ----------------------------------------------------------------

@test "filter hold: the post is held, queued, never listed, restore publishes it" {
	run env DC_USER=mod dc-feed filter add Gewinnspiel --action hold
	assert_success
	assert_output '{"word":"Gewinnspiel","action":"hold","created_at":"2026-03-02T09:00:00Z"}'
	DC_USER=mod dc-feed filter add idiot --action hide >/dev/null
	run env DC_USER=mod dc-feed filter add spam --action block
	assert_failure 64
	assert_line --index 0 "dc-feed: field 'action': 'block' is not one of hide or hold"
	printf '%s\n' '{"word":"spam","action":"hide"}' '{"word":"werbung","action":"block"}' \
		>"$BATS_TEST_TMPDIR/f.jsonl"
	run env DC_USER=mod dc-feed filter add - <"$BATS_TEST_TMPDIR/f.jsonl"
	assert_failure 65
	assert_output "dc-feed: -:2: field 'action': 'block' is not one of hide or hold"
	run env DC_USER=mod dc-feed filter list -q
	assert_output $'Gewinnspiel\nidiot'
	run dc-feed post --author anna --title "Großes GEWINNSPIEL!" --body "mitmachen" --district Nord --fields id,status,hidden_by,reason
	assert_success
	assert_output '{"id":"P-2026-000001","status":"held","hidden_by":"filter","reason":"filter word '\''gewinnspiel'\''"}'
	# a word inside another word does not match
	run dc-feed post --author anna --title "Gewinnspielregeln" --body x --district Nord --fields status
	assert_output '{"status":"visible"}'
	run dc-feed list -q
	assert_output 'P-2026-000002'
	run dc-feed list --for anna -q
	assert_output 'P-2026-000002'
	run dc-feed show P-2026-000001
	assert_failure 2
	run env DC_USER=mod dc-feed moderation --fields id,type,status,reason
	assert_output '{"id":"P-2026-000001","type":"post","status":"held","reason":"filter word '\''gewinnspiel'\''"}'
	run env DC_USER=mod dc-feed moderate P-2026-000001 --explain --fields cause,word,explanation
	assert_output '{"cause":"filter","word":"gewinnspiel","explanation":"held by the keyword filter: word '\''gewinnspiel'\''"}'
	run dc-feed comment P-2026-000001 --author ben --body x
	assert_failure 3
	# a comment with a hide word is hidden at once
	run dc-feed comment P-2026-000002 --author ben --body "du Idiot" --fields id,status,hidden_by
	assert_output '{"id":"C-1","status":"hidden","hidden_by":"filter"}'
	run dc-feed show P-2026-000002 --fields comment_count,comments
	assert_output '{"comment_count":0,"comments":[]}'
	run env DC_USER=mod dc-feed moderate P-2026-000001 restore --reason "geprüft" --fields id,status,hidden_by,reason
	assert_success
	assert_output '{"id":"P-2026-000001","status":"visible","hidden_by":null,"reason":null}'
	run dc-feed list -q
	assert_output $'P-2026-000002\nP-2026-000001'
	run env DC_USER=mod dc-feed moderation
	assert_output ''
}

@test "held comments wait in the queue; a moderator restores them" {
	DC_USER=mod dc-feed filter add werbung --action hold >/dev/null
	P=$(post --author anna --title "Thema" --body x)
	run dc-feed comment "$P" --author ben --body "Werbung hier" --fields id,status
	assert_output '{"id":"C-1","status":"held"}'
	run env DC_USER=mod dc-feed moderation --fields id,type,post,status
	assert_output '{"id":"C-1","type":"comment","post":"'"$P"'","status":"held"}'
	run env DC_USER=mod dc-feed moderate C-1 restore --reason ok --fields id,status
	assert_output '{"id":"C-1","status":"visible"}'
	run dc-feed show "$P" --fields comment_count
	assert_output '{"comment_count":1}'
}

@test "moderate --explain: manual hide names the moderator and the reason" {
	P=$(post --author anna --title "Streit" --body x)
	run env DC_USER=mod dc-feed moderate "$P" hide --reason "Beleidigung" --explain --fields id,status,cause,moderator,reason,explanation
	assert_success
	assert_output '{"id":"'"$P"'","status":"hidden","cause":"manual","moderator":"mod","reason":"Beleidigung","explanation":"hidden by moderator '\''mod'\'': Beleidigung"}'
	run dbsql "SELECT actor, coalesce(on_behalf_of, '-'), kind, from_value, to_value, note FROM event WHERE entity='post' AND kind='hidden'"
	assert_output 'mod|-|hidden|visible|hidden|Beleidigung'
	Q=$(post --author anna --title "Ruhig" --body x)
	run env DC_USER=mod dc-feed moderate "$Q" --explain --fields status,cause,explanation
	assert_output '{"status":"visible","cause":"none","explanation":"visible"}'
	run env DC_USER=mod dc-feed moderate "$Q" hide
	assert_failure 64
	run env DC_USER=mod dc-feed moderate "$Q"
	assert_failure 64
	run env DC_USER=mod dc-feed moderate P-2026-999999 hide --reason x
	assert_failure 2
}

# --- roles ---------------------------------------------------------------------------------

@test "roles: moderator and admin moderate; clerk gets 77 for moderate, post, filter" {
	P=$(post --author anna --title "A" --body x)
	run env DC_USER=mod dc-feed moderate "$P" lock --reason "zu" --fields status
	assert_success
	assert_output '{"status":"locked"}'
	run env DC_USER=root dc-feed moderate "$P" restore --reason "auf" --fields status
	assert_success
	assert_output '{"status":"visible"}'
	run env DC_USER=klaus dc-feed moderate "$P" hide --reason x
	assert_failure 77
	assert_output "dc-feed: permission denied: 'klaus' (clerk) may not moderate"
	run env DC_USER=klaus dc-feed post --author anna --title T --body B
	assert_failure 77
	run env DC_USER=portal dc-feed moderate "$P" hide --reason x
	assert_failure 77
	run env DC_USER=klaus dc-feed filter add x --action hide
	assert_failure 77
	run env DC_USER=klaus dc-feed moderation
	assert_failure 77
	run env DC_USER=klaus dc-feed member add x --name X --kind citizen
	assert_failure 77
	run env DC_USER=klaus dc-feed flag "$P" --by ben --reason spam
	assert_failure 77
	run env DC_USER=mod dc-feed comment "$P" --author ben --body x
	assert_failure 77
	run env DC_USER=klaus dc-feed list -q
	assert_success
	assert_output "$P"
	run env DC_USER=ines dc-feed moderation
	assert_success
	run env DC_USER=root dc-feed post --author anna --title "Admin" --body x --fields created_by
	assert_output '{"created_by":"root"}'
}

# --- guide ---------------------------------------------------------------------------------

@test "guide: an offer without a price says none (not 0.00 EUR)" {
	dbsql "INSERT INTO merchant(id, name, district, created_at) VALUES ('korn', 'Bäckerei Korn', 'Nord', '2026-01-01T00:00:00Z');
		INSERT INTO offer(id, merchant, title, price, from_at, until_at, created_at)
		VALUES ('O-2026-000001', 'korn', 'Brezeln ab 14 Uhr', NULL, '2026-03-01T00:00:00Z', '2026-03-05T00:00:00Z', '2026-03-01T00:00:00Z')"
	run dc-feed guide anna --fields id,detail
	assert_success
	assert_line '{"id":"O-2026-000001","detail":"Bäckerei Korn, until 2026-03-05T00:00:00Z"}'
}

@test "guide: services, an active shop offer only while active, upcoming visible events" {
	DC_USER=root dc-case service add --code spielplatz --name "Spielplatzschaden" --kind report --department tiefbau >/dev/null
	DC_USER=root dc-case service add --code parken --name "Bewohnerparkausweis" --kind application --department tiefbau >/dev/null
	dbsql "INSERT INTO merchant(id, name, district, created_at) VALUES ('korn', 'Bäckerei Korn', 'Nord', '2026-01-01T00:00:00Z');
		INSERT INTO offer(id, merchant, title, price, from_at, until_at, created_at)
		VALUES ('O-2026-000001', 'korn', 'Brezeln zum halben Preis', 99, '2026-03-03T00:00:00Z', '2026-03-05T00:00:00Z', '2026-03-01T00:00:00Z')"
	E=$(post --author stadt --title "Sportfest" --body x --kind event --starts 2026-03-04 --topics sport)
	H=$(post --author stadt --title "Geheimfest" --body x --kind event --starts 2026-03-04T18:00:00Z)
	DC_USER=mod dc-feed moderate "$H" hide --reason "abgesagt" >/dev/null
	run dc-feed guide anna
	assert_success
	assert_output - <<-EOF
	{"id":"spielplatz","kind":"service","title":"Spielplatzschaden","detail":null,"district":null,"starts_at":null,"why":"interest:spielplatz"}
	{"id":"$E","kind":"event","title":"Sportfest","detail":null,"district":null,"starts_at":"2026-03-04","why":"notice"}
	EOF
	run env DC_NOW=2026-03-04T12:00:00Z dc-feed guide anna
	assert_output - <<-EOF
	{"id":"spielplatz","kind":"service","title":"Spielplatzschaden","detail":null,"district":null,"starts_at":null,"why":"interest:spielplatz"}
	{"id":"O-2026-000001","kind":"offer","title":"Brezeln zum halben Preis","detail":"Bäckerei Korn, 0.99 EUR, until 2026-03-05T00:00:00Z","district":"Nord","starts_at":"2026-03-03T00:00:00Z","why":"district"}
	{"id":"$E","kind":"event","title":"Sportfest","detail":null,"district":null,"starts_at":"2026-03-04","why":"notice"}
	EOF
	run env DC_NOW=2026-03-05T00:00:00Z dc-feed guide anna -q
	assert_output 'spielplatz'
	# nothing matches ben: every application service
	run env DC_NOW=2026-03-04T12:00:00Z dc-feed guide ben --fields id,kind,why
	assert_output - <<-EOF
	{"id":"parken","kind":"service","why":"application"}
	{"id":"O-2026-000001","kind":"offer","why":"offer"}
	{"id":"$E","kind":"event","why":"notice"}
	EOF
	dbsql "UPDATE offer SET max_qty = 5, sold = 5"
	run env DC_NOW=2026-03-04T12:00:00Z dc-feed guide ben -q --fields id
	refute_output --partial 'O-2026-000001'
	run dc-feed guide nobody
	assert_failure 2
}

# --- schemas -------------------------------------------------------------------------------

@test "member, post, comment and flag records validate against their JSON Schemas" {
	S=$ROOT/schemas/json
	validate() {
		$PY -c '
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
n = 0
for line in sys.stdin:
    if line.strip():
        n += 1
        for e in v.iter_errors(json.loads(line)):
            sys.exit("%s: %s" % ("/".join(map(str, e.path)), e.message))
if not n:
    sys.exit("no records")
print(n)' "$S/$1.schema.json"
	}
	dc-feed follow anna --topic garten >/dev/null
	run bash -c "$(declare -f validate); S=$S PY=$PY; dc-feed member list | validate member"
	assert_success
	assert_output 5
	P=$(post --author anna --title "A" --body x --topics a,b --district Nord)
	post --author stadt --title "E" --body x --kind event --starts 2026-03-04 --ends 2026-03-05 --location Park >/dev/null
	post --author stadt --title "F" --body x --kind event --starts 2026-03-04T10:00:00Z >/dev/null
	dc-feed comment "$P" --author ben --body "c1" >/dev/null
	DC_USER=mod dc-feed filter add bah --action hold >/dev/null
	dc-feed comment "$P" --author ben --body "bah" >/dev/null
	run bash -c "$(declare -f validate); S=$S PY=$PY; dc-feed list | validate post"
	assert_success
	assert_output 3
	run bash -c "$(declare -f validate); S=$S PY=$PY; dc-feed list --for anna | validate post"
	assert_success
	run bash -c "$(declare -f validate); S=$S PY=$PY; dc-feed show $P | validate post"
	assert_success
	run bash -c "$(declare -f validate); S=$S PY=$PY; DC_USER=mod dc-feed moderate C-1 C-2 --explain >/dev/null; DC_USER=mod dc-feed moderate C-1 hide --reason x | validate comment"
	assert_success
	run bash -c "$(declare -f validate); S=$S PY=$PY; dc-feed comment $P --author cem --body ok | validate comment"
	assert_success
	run bash -c "$(declare -f validate); S=$S PY=$PY; { dc-feed flag $P --by ben --reason spam; dc-feed flag $P --by cem --reason illegal --note x; dc-feed flag $P --by dora --reason off-topic; } | validate flag"
	assert_success
	assert_output 3
}

# dcity(7) "Identity and roles": the staff login that posted for a member is for the staff; a
# login that is no staff reads the post without it, in every format and in dc-export.
@test "created_by: for staff only; left out for a login that is no staff in every format" {
	P=$(post --author anna --title "Flohmarkt" --body "Samstag" --topics markt)
	for who in portal mod klaus ines root; do
		DC_USER=$who run dc-feed show "$P" --fields id,created_by
		assert_success
		assert_output '{"id":"'"$P"'","created_by":"portal"}'
	done
	DC_USER=stranger run dc-feed show "$P"
	assert_success
	assert_output --partial '"comment_count":0,"created_at":'
	refute_output --partial created_by
	refute_output --partial portal
	run validate post <<<"$output"
	assert_success
	DC_USER=stranger run dc-feed list -f jsonl
	assert_success
	refute_output --partial created_by
	refute_output --partial portal
	run validate post <<<"$output"
	assert_success
	local f
	for f in csv tsv table json; do
		DC_USER=stranger run dc-feed list -f "$f"
		assert_success
		assert_output --partial Flohmarkt
		refute_output --partial created_by
		refute_output --partial portal
		DC_USER=portal run dc-feed list -f "$f"
		assert_output --partial portal
	done
	DC_USER=stranger run dc-export posts -f jsonl
	assert_success
	assert_output --partial Flohmarkt
	refute_output --partial created_by
	DC_USER=stranger run dc-feed show "$P" --fields id,created_by
	assert_failure 64
	assert_output --partial "unknown field 'created_by' for post records"
	DC_USER=stranger run dc-feed list --fields created_by
	assert_failure 64
}

@test "help and usage" {
	run dc-feed -h
	assert_success
	assert_output --partial "moderate"
	run dc-feed moderate -h
	assert_success
	run dc-feed frobnicate
	assert_failure 64
}
