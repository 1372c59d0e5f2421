#!/usr/bin/env bats
# dc-notify (dc-notify(8)): delivery through Maildir, sendmail and a command, real RFC 5322/MIME
# read back by Python's email module, backoff and dead letters, concurrent runners, crash
# recovery, overdue escalation and member digests.

bats_require_minimum_version 1.5.0
load helper

setup() {
	seed_city
	export DC_USER=paul  # cron runs as the integrator
	MD=$BATS_TEST_TMPDIR/Maildir
}

q() { dbsql "$1"; }

# A case whose reporter gets a receipt and a public status change with an umlaut subject.
case_with_mail() {
	local id
	id=$(DC_USER=root new_case --email "buerger@example.org" --name "Jörg Müller")
	DC_USER=root dc-case status "$id" in_progress -q >/dev/null
	DC_USER=root dc-case status "$id" waiting --note "Bitte Foto schicken — danke!" --public -q >/dev/null
	echo "$id"
}

@test "run --maildir: real MIME mail, read back by Python's mailbox and email modules" {
	id=$(case_with_mail)
	assert_equal "$(q "SELECT count(*) FROM outbox WHERE status='pending'")" 3
	run dc-notify run --maildir "$MD"
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_equal "$(q "SELECT group_concat(status) FROM outbox")" "sent,sent,sent"
	assert_equal "$(q "SELECT group_concat(transport) FROM outbox")" "maildir,maildir,maildir"
	assert_equal "$(ls "$MD/new" | wc -l)" 3
	assert [ -d "$MD/cur" ]
	assert [ -d "$MD/tmp" ]
	assert_equal "$(ls "$MD/tmp")" ""
	body=$(q "SELECT body FROM outbox WHERE id=3")
	mid=$(q "SELECT message_id FROM outbox WHERE id=3")
	printf '%s' "$body" >"$BATS_TEST_TMPDIR/body"
	run $PY - "$MD" "$id" "$mid" "$BATS_TEST_TMPDIR/body" <<'PY'
import mailbox, sys, email.policy, glob
md, cid, mid, bodyfile = sys.argv[1:]
box = mailbox.Maildir(md, factory=None, create=False)
msgs = {}
for key in box.keys():
    raw = open(glob.glob(md + "/new/" + key)[0], "rb").read()
    assert b"\n" not in raw.replace(b"\r\n", b""), "bare LF"
    m = email.message_from_bytes(raw, policy=email.policy.default)
    msgs[m["Message-ID"]] = (m, raw)
m, raw = msgs[mid]
assert m["Subject"] == "Neuer Stand zu Ihrem Anliegen %s: wartet auf Rückmeldung" % cid, m["Subject"]
assert b"=?UTF-8?B?" in raw
assert m["Date"] == "Mon, 02 Mar 2026 09:00:00 +0000", m["Date"]
assert m["Date"].datetime.isoformat() == "2026-03-02T09:00:00+00:00"
assert m["MIME-Version"] == "1.0"
assert m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8"
assert m["Content-Transfer-Encoding"] == "quoted-printable"
assert m["Auto-Submitted"] == "auto-generated"
assert m["To"].addresses[0].addr_spec == "buerger@example.org"
assert m["From"].addresses[0].display_name == "Musterstadt"
assert m["From"].addresses[0].addr_spec == "dcity@musterstadt.example"
assert m["Reply-To"] is None
want = open(bodyfile, encoding="utf-8").read()
got = m.get_content().replace("\r\n", "\n")
assert got.rstrip("\n") == want.rstrip("\n"), (got, want)
assert "Jörg Müller" in got and "Bitte Foto schicken — danke!" in got
for line in raw.split(b"\r\n"):
    assert len(line) <= 78, line
print("ok", len(msgs))
PY
	assert_success
	assert_output "ok 3"
	# nothing is due any more
	run dc-notify run --maildir "$MD"
	assert_success
	assert_output ""
}

@test "Message-ID is deterministic; From display name and Reply-To follow the settings" {
	DC_USER=root dc config city.name "Stadt Büren" >/dev/null
	DC_USER=root dc config mail.reply_to "buergerbuero@bueren.example" >/dev/null
	DC_USER=root dc config mail.from "noreply@bueren.example" >/dev/null
	case_with_mail >/dev/null
	run dc-notify run --maildir "$MD" --limit 1
	assert_success
	assert_equal "${#lines[@]}" 1
	created=$(q "SELECT created_at FROM outbox WHERE id=1")
	hex=$(printf '1|%s' "$created" | sha256sum | cut -c1-16)
	assert_equal "$(q "SELECT message_id FROM outbox WHERE id=1")" "<dcity.1.$hex@bueren.example>"
	run $PY -c '
import email, email.policy, glob, sys
m = email.message_from_bytes(open(glob.glob(sys.argv[1] + "/new/*")[0], "rb").read(), policy=email.policy.default)
print(m["From"].addresses[0].display_name, m["Reply-To"].addresses[0].addr_spec, m["Message-ID"])' "$MD"
	assert_output "Stadt Büren buergerbuero@bueren.example <dcity.1.$hex@bueren.example>"
	assert_equal "$(q "SELECT count(*) FROM outbox WHERE status='pending'")" 2
}

@test "mail.from with a display name: the From header has that name and the address apart" {
	DC_USER=root dc config mail.from '"Stadt Musterstadt, Bürgerbüro" <noreply@musterstadt.example>' >/dev/null
	DC_USER=root dc config mail.reply_to 'Bürgerservice <service@musterstadt.example>' >/dev/null
	case_with_mail >/dev/null
	run dc-notify run --maildir "$MD" --limit 1
	assert_success
	run $PY -c '
import email, email.policy, glob, sys
m = email.message_from_bytes(open(glob.glob(sys.argv[1] + "/new/*")[0], "rb").read(), policy=email.policy.default)
a, r = m["From"].addresses, m["Reply-To"].addresses
print(len(a), a[0].display_name, a[0].addr_spec, m["Message-ID"].endswith("@musterstadt.example>"))
print(len(r), r[0].display_name, r[0].addr_spec)' "$MD"
	assert_output $'1 Stadt Musterstadt, Bürgerbüro noreply@musterstadt.example True\n1 Bürgerservice service@musterstadt.example'
	# dc config refuses it; a value an older dcity stored is refused where it is used
	DC_USER=root run dc config mail.from 'Stadt <noreply@musterstadt.example'
	assert_failure 65
	dbsql "DELETE FROM setting WHERE key = 'mail.from';
		INSERT INTO setting(key, value) VALUES ('mail.from', 'Stadt <noreply@musterstadt.example')"
	run dc-notify run --maildir "$MD"
	assert_failure 78
	assert_output --partial "setting 'mail.from': 'Stadt <noreply@musterstadt.example' is not a mailbox"
}

@test "mblaze lists and shows the delivered mail" {
	command -v mlist >/dev/null && command -v mshow >/dev/null || skip "mblaze not installed"
	id=$(case_with_mail)
	dc-notify run --maildir "$MD" >/dev/null
	assert_equal "$(mlist "$MD" | wc -l)" 3
	run sh -c "mlist '$MD' | mshow -q -h subject"
	assert_output --partial "wartet auf Rückmeldung"
}

@test "run --sendmail: the message on stdin of a sendmail-compatible command" {
	case_with_mail >/dev/null
	cat >"$BATS_TEST_TMPDIR/sendmail" <<EOF
#!/bin/sh
[ "\$1 \$2" = "-t -oi" ] || exit 64
n=\$(ls "$BATS_TEST_TMPDIR/out" 2>/dev/null | wc -l)
mkdir -p "$BATS_TEST_TMPDIR/out" && cat >"$BATS_TEST_TMPDIR/out/\$n.eml"
EOF
	chmod +x "$BATS_TEST_TMPDIR/sendmail"
	run dc-notify run --sendmail "$BATS_TEST_TMPDIR/sendmail -t -oi"
	assert_success
	assert_equal "$(ls "$BATS_TEST_TMPDIR/out" | wc -l)" 3
	assert_equal "$(q "SELECT group_concat(DISTINCT transport) FROM outbox")" sendmail
	grep -q $'^To: <buerger@example.org>\r$' "$BATS_TEST_TMPDIR/out/0.eml"
	grep -q $'^Content-Type: text/plain; charset=UTF-8\r$' "$BATS_TEST_TMPDIR/out/0.eml"
}

@test "run --sendmail through msmtp into an aiosmtpd sink" {
	command -v msmtp >/dev/null || skip "msmtp not installed"
	$PY -c 'import aiosmtpd' 2>/dev/null || skip "python3-aiosmtpd not installed"
	port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$BATS_TEST_TMPDIR/sink/tmp" "$BATS_TEST_TMPDIR/sink/new" "$BATS_TEST_TMPDIR/sink/cur"
	$PY -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Mailbox "$BATS_TEST_TMPDIR/sink" &
	sink=$!
	for _ in $(seq 50); do $PY -c "import socket; socket.create_connection(('127.0.0.1',$port))" 2>/dev/null && break; sleep 0.1; done
	case_with_mail >/dev/null
	run dc-notify run --sendmail "msmtp --host=127.0.0.1 --port=$port --from=dcity@musterstadt.example -t"
	kill "$sink"
	assert_success
	assert_equal "$(q "SELECT count(*) FROM outbox WHERE status='sent'")" 3
	assert_equal "$(ls "$BATS_TEST_TMPDIR/sink/new" | wc -l)" 3
	# the same messages arrived: their Message-IDs and decoded subjects are the outbox's
	run $PY -c '
import mailbox, sys, email.header
m = mailbox.Maildir(sys.argv[1], create=False)
for msg in sorted(m, key=lambda x: x["Message-ID"]):
    print(msg["Message-ID"], str(email.header.make_header(email.header.decode_header(msg["Subject"]))))
' "$BATS_TEST_TMPDIR/sink"
	assert_success
	assert_output "$(q "SELECT message_id || ' ' || subject FROM outbox ORDER BY message_id")"
}

@test "run --exec: the notification as one JSON object on stdin" {
	case_with_mail >/dev/null
	run dc-notify run --limit 1 --exec "cat >'$BATS_TEST_TMPDIR/n.json'"
	assert_success
	run $PY -c '
import json, sys
o = json.load(open(sys.argv[1]))
print(o["id"], o["recipient"], o["template"], o["message_id"].startswith("<dcity.1."), "\r\nMIME-Version: 1.0\r\n" in o["message"])' "$BATS_TEST_TMPDIR/n.json"
	assert_output "1 buerger@example.org case-receipt True True"
}

# fail_at NOW ATTEMPTS STATUS NEXT_AT: a run with a failing transport and its record
fail_at() {
	DC_NOW=$1 run --separate-stderr dc-notify run --exec false
	assert_failure 69
	assert_equal "$stderr" "dc-notify: all 1 deliveries failed (is the transport down?); the last: 'false' exited with status 1"
	assert_equal "$(echo "$output" | $PY -c 'import json,sys; o=json.loads(sys.stdin.readline()); print(o["status"], o["attempts"], o["next_at"], o["transport"])')" "$3 $2 $4 exec"
}

@test "a failing transport: backoff 5 min, 30 min, 2 h, 12 h, then dead; retry brings it back" {
	DC_USER=root new_case --email "a@example.org" >/dev/null
	fail_at 2026-03-02T09:00:00Z 1 failed 2026-03-02T09:05:00Z
	DC_NOW=2026-03-02T09:04:59Z run dc-notify run --exec false
	assert_output ""
	fail_at 2026-03-02T09:05:00Z 2 failed 2026-03-02T09:35:00Z
	DC_NOW=2026-03-02T09:34:59Z run dc-notify run --exec false
	assert_output ""
	fail_at 2026-03-02T09:35:00Z 3 failed 2026-03-02T11:35:00Z
	fail_at 2026-03-02T11:35:00Z 4 failed 2026-03-02T23:35:00Z
	assert_equal "$(q "SELECT last_error FROM outbox")" "'false' exited with status 1"
	DC_NOW=2026-03-02T23:34:59Z run dc-notify plan
	assert_output ""
	fail_at 2026-03-02T23:35:00Z 5 dead None
	assert_equal "$(q "SELECT status, attempts, CASE WHEN next_at IS NULL THEN 1 ELSE 0 END FROM outbox")" "dead|5|1"
	DC_NOW=2026-03-05T00:00:00Z run dc-notify plan
	assert_output ""
	run dc-notify list --status dead -q
	assert_output 1
	DC_USER=anna run dc-notify retry --dead
	assert_failure 77
	DC_NOW=2026-03-05T00:00:00Z run dc-notify retry --dead
	assert_success
	assert_equal "$(q "SELECT status, next_at FROM outbox")" "pending|2026-03-05T00:00:00Z"
	DC_NOW=2026-03-05T00:00:00Z run dc-notify run --maildir "$MD"
	assert_success
	assert_equal "$(q "SELECT status FROM outbox")" sent
	run dc-notify retry 1
	assert_failure 3
	run dc-notify retry 99
	assert_failure 2
}

@test "run's exit status: 0 all sent or none due, 75 some failed (retried), 69 all failed; dc-cron" {
	DC_USER=root new_case --email "a@example.org" >/dev/null
	DC_USER=root new_case --email "kaputt@example.org" >/dev/null
	DC_USER=root new_case --email "b@example.org" >/dev/null
	cat >"$BATS_TEST_TMPDIR/picky" <<-'EOF'
		#!/bin/sh
		grep -q kaputt@ && exit 1
		exit 0
	EOF
	chmod +x "$BATS_TEST_TMPDIR/picky"
	run --separate-stderr dc-notify run --exec "$BATS_TEST_TMPDIR/picky"
	assert_failure 75
	assert_equal "$stderr" "dc-notify: 1 of 3 deliveries failed; the next run retries them (dc-notify list --status failed); the last: '$BATS_TEST_TMPDIR/picky' exited with status 1"
	assert_equal "${#lines[@]}" 3
	assert_equal "$(q "SELECT status, count(*) FROM outbox GROUP BY status ORDER BY 1")" $'failed|1\nsent|2'
	# nothing due (the failed one waits 5 minutes): 0
	run --separate-stderr dc-notify run --exec false
	assert_success
	assert_equal "$stderr" ""
	# dc-cron: 75 is a notice and exit 0, a dead transport (69) is reported
	export DC_CRON_LOCKDIR=$BATS_TEST_TMPDIR
	DC_USER=root new_case --email "kaputt@example.org" >/dev/null
	DC_USER=root new_case --email "c@example.org" >/dev/null
	run "$ROOT/scripts/cron/dc-cron" dc-notify run --exec "$BATS_TEST_TMPDIR/picky"
	assert_success
	DC_USER=root new_case --email "d@example.org" >/dev/null
	run "$ROOT/scripts/cron/dc-cron" dc-notify run --exec false
	assert_failure 69
	# once every transport works again: 0
	DC_NOW=2026-03-02T12:00:00Z run dc-notify run --maildir "$MD"
	assert_success
	assert_equal "$(q "SELECT DISTINCT status FROM outbox")" sent
}

@test "plan and list show without changing; -n delivers nothing; roles" {
	case_with_mail >/dev/null
	run dc-notify plan
	assert_success
	assert_equal "${#lines[@]}" 3
	echo "$output" | validate notification
	run dc-notify run -n --maildir "$MD"
	assert_success
	assert_equal "${#lines[@]}" 3
	[ ! -e "$MD/new" ] || assert_equal "$(ls "$MD/new")" ""
	assert_equal "$(q "SELECT group_concat(status) FROM outbox")" "pending,pending,pending"
	DC_USER=ines run dc-notify list --status pending -q
	assert_success
	assert_output $'1\n2\n3'
	DC_USER=ines run dc-notify run --maildir "$MD"
	assert_failure 77
	DC_USER=anna run dc-notify plan
	assert_failure 77
	run dc-notify list --status bogus
	assert_failure 64
	assert_line "dc-notify: field 'status': 'bogus' is not one of pending, sending, sent, failed or dead"
	DC_USER=ines run dc-notify list --status faild
	assert_failure 64
	assert_line --partial "'faild' is not one of"
	run dc-notify run --maildir "$MD" --exec cat
	assert_failure 64
	dc-notify run --maildir "$MD" | validate notification
}

@test "two runners at once deliver each message exactly once" {
	for i in $(seq 30); do echo "{\"service\":\"parking\",\"email\":\"p$i@example.org\"}"; done |
		DC_USER=root dc-case new - >/dev/null
	assert_equal "$(q "SELECT count(*) FROM outbox")" 30
	dc-notify run --maildir "$MD" >"$BATS_TEST_TMPDIR/a" &
	a=$!
	dc-notify run --maildir "$MD" >"$BATS_TEST_TMPDIR/b" &
	b=$!
	dc-notify run --maildir "$MD" >"$BATS_TEST_TMPDIR/c"
	wait $a
	wait $b
	assert_equal "$(ls "$MD/new" | wc -l)" 30
	assert_equal "$(cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" "$BATS_TEST_TMPDIR/c" | wc -l)" 30
	assert_equal "$(q "SELECT count(*) FROM outbox WHERE status='sent' AND attempts=1")" 30
}

@test "a runner that crashed after delivery: delivered again at most once, same Message-ID" {
	DC_USER=root new_case --email "a@example.org" >/dev/null
	dc-notify run --maildir "$MD" >/dev/null
	mid=$(q "SELECT message_id FROM outbox")
	# the crash: the file is in new/, the row still 'sending' under a dead runner's claim
	q "UPDATE outbox SET status='sending', claim='dead-runner', claimed_at='2026-03-02T08:50:00Z', sent_at=NULL, attempts=0"
	run dc-notify run --maildir "$MD"     # claim only 10 minutes old: left alone
	assert_output ""
	DC_NOW=2026-03-02T09:05:00Z run dc-notify run --maildir "$MD"
	assert_success
	assert_equal "${#lines[@]}" 1
	DC_NOW=2026-03-02T09:06:00Z run dc-notify run --maildir "$MD"
	assert_output ""
	assert_equal "$(ls "$MD/new" | wc -l)" 2
	assert_equal "$(grep -l "^Message-ID: $mid" "$MD"/new/* | wc -l)" 2
	assert_equal "$(q "SELECT status, message_id FROM outbox")" "sent|$mid"
}

@test "escalate: heads of the department, once per case and local day" {
	DC_USER=root dc-assign staff add hanna2 --name "Hanna Zwei" --dept tiefbau --role head --email zwei@stadt.example >/dev/null
	DC_USER=root dc-assign staff add kurt --name "Kurt Kopf" --dept buergerbuero --role head --email kurt@stadt.example >/dev/null
	late=$(DC_USER=root new_case)                 # due 10 March (5 business days, holiday)
	DC_USER=root dc-case new --service parking -q >/dev/null   # due later (10 days)
	done_=$(DC_USER=root new_case)
	DC_USER=root dc-case status "$done_" in_progress -q >/dev/null
	DC_USER=root dc-case status "$done_" resolved -q >/dev/null
	DC_NOW=2026-03-10T22:59:59Z run dc-notify escalate   # due 2026-03-10T22:59:59Z: not yet
	assert_success
	assert_output ""
	DC_NOW=2026-03-11T07:00:00Z run dc-notify escalate
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_equal "$(q "SELECT template, recipient, ref_id, status FROM outbox WHERE template='escalation'")" "escalation|zwei@stadt.example|$late|pending"
	assert_equal "$(q "SELECT subject FROM outbox WHERE template='escalation'")" "Überfälliges Anliegen $late: Schlagloch (fällig 10.03.2026)"
	assert_regex "$(q "SELECT body FROM outbox WHERE template='escalation'")" $'\nFällig:  10\\.03\\.2026, 23:59 Uhr\n'
	DC_NOW=2026-03-11T22:30:00Z run dc-notify escalate   # 23:30 in Berlin: the same local day
	assert_output ""
	DC_NOW=2026-03-11T23:30:00Z run dc-notify escalate   # 00:30 on 12 March in Berlin
	assert_equal "${#lines[@]}" 1
	assert_equal "$(q "SELECT count(*) FROM notify_escalation")" 2
	DC_USER=anna run dc-notify escalate
	assert_failure 77
}

@test "letters: a neutral salutation without a name, local dates, the receipt's link with the token" {
	DC_USER=root dc config track.url "https://www.musterstadt.example/anliegen/{id}?token={token}" >/dev/null
	# 13:30 UTC on 10 March is 14:30 in Berlin
	out=$(DC_USER=root DC_NOW=2026-03-10T13:30:00Z dc-case new --service pothole --attr size=large \
		--email buerger@example.org)
	id=$($PY -c 'import json,sys; print(json.loads(sys.stdin.readline())["id"])' <<<"$out")
	token=$($PY -c 'import json,sys; print(json.loads(sys.stdin.readline())["token"])' <<<"$out")
	en=$(DC_USER=root DC_NOW=2026-03-10T13:30:00Z new_case --email eve@example.org --name "Eve Adams" --lang en)
	body=$(q "SELECT body FROM outbox WHERE ref_id = '$id'")
	assert_equal "$(sed -n 1p <<<"$body")" "Guten Tag,"
	assert_equal "$(grep '^Eingegangen:' <<<"$body")" "Eingegangen: 10.03.2026, 14:30 Uhr"
	assert_equal "$(grep '^Voraussichtlich' <<<"$body")" "Voraussichtlich erledigt bis: 17.03.2026"
	assert_equal "$(grep '^https:' <<<"$body")" "https://www.musterstadt.example/anliegen/$id?token=$token"
	assert_equal "$(q "SELECT secret FROM outbox WHERE ref_id = '$id'")" "$token"
	body=$(q "SELECT body FROM outbox WHERE ref_id = '$en'")
	assert_equal "$(sed -n 1p <<<"$body")" "Hello Eve Adams,"
	assert_equal "$(grep '^Received:' <<<"$body")" "Received: 10 March 2026, 14:30"
	assert_equal "$(grep '^Expected' <<<"$body")" "Expected to be done by: 17 March 2026"
	# a later letter has no token to give: its link leaves the parameter out
	DC_USER=root dc-case status "$id" in_progress -q >/dev/null
	assert_equal "$(q "SELECT body FROM outbox WHERE ref_id = '$id' AND template = 'case-status'" | grep '^https:')" \
		"https://www.musterstadt.example/anliegen/$id"
	DC_NOW=2026-03-10T14:00:00Z run dc-notify run --maildir "$MD"
	assert_success
	# the mail has the token; the stored text no longer does
	run $PY - "$MD" "$token" <<'PY'
import mailbox, sys, email.policy
md, token = sys.argv[1:]
box = mailbox.Maildir(md, factory=None, create=False)
bodies = [email.message_from_bytes(box.get_bytes(k), policy=email.policy.default).get_content()
          .replace("\r\n", "\n") for k in box.keys()]
print(sum(token in b for b in bodies), sum(b.startswith("Guten Tag,\n") for b in bodies))
PY
	assert_output "1 2"
	run q "SELECT count(*) FROM outbox WHERE body LIKE '%$token%' OR secret IS NOT NULL"
	assert_output 0
	assert_equal "$(q "SELECT body FROM outbox WHERE ref_id = '$id' AND template = 'case-receipt'" | grep '^https:')" \
		"https://www.musterstadt.example/anliegen/$id?token=…"
}

@test "digest: a period given but wrong is said to be wrong, not missing" {
	run dc-notify digest --period monthly
	assert_failure 64
	assert_line --index 0 "dc-notify: field 'period': 'monthly' is not daily or weekly"
	run dc-notify digest
	assert_failure 64
	assert_line --index 0 "dc-notify: field 'period' is required (daily or weekly)"
}

# post_at NOW AUTHOR TITLE [options]: a post created at NOW
post_at() {
	DC_NOW=$1 dc-feed post --author "$2" --title "$3" --body B --kind news "${@:4}" -q >/dev/null
}

@test "digest daily: the previous local day, each post once across midnight and a skipped day" {
	dc-feed member add anna --name "Anna Nord" --kind citizen --district Nord --interests sport \
		--email anna@example.org --notify daily >/dev/null
	dc-feed member add ben --name "Ben" --kind citizen --district Süd --email ben@example.org --notify weekly >/dev/null
	dc-feed member add otto --name "Otto" --kind organisation >/dev/null
	dc-feed follow anna --topic kultur >/dev/null
	post_at 2026-03-02T10:00:00Z otto "Nord eins" --district Nord
	post_at 2026-03-02T22:59:59Z otto "Sport spät" --topics sport       # 23:59:59 local, 2 March
	post_at 2026-03-02T23:00:00Z otto "Kultur nach Mitternacht" --topics kultur  # 00:00 local, 3 March
	post_at 2026-03-02T12:00:00Z otto "Süd nur" --district Süd
	post_at 2026-03-02T12:00:00Z anna "Eigener Beitrag" --district Nord
	DC_NOW=2026-03-03T05:00:00Z run dc-notify digest --period daily
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_equal "$(q "SELECT recipient, template, ref_id FROM outbox")" "anna@example.org|digest|anna"
	body=$(q "SELECT body FROM outbox")
	assert_regex "$body" 'Nord eins'
	assert_regex "$body" 'Sport spät'
	refute_regex "$body" 'Kultur'
	refute_regex "$body" 'Süd nur'
	refute_regex "$body" 'Eigener'
	assert_equal "$(q "SELECT subject FROM outbox")" "Musterstadt: Neues aus Ihrer Nachbarschaft (02.03.2026 bis 02.03.2026)"
	assert_regex "$(q "SELECT unsubscribe FROM outbox")" '^https://www\.musterstadt\.example/abmelden\?member=anna&token='
	DC_NOW=2026-03-03T20:00:00Z run dc-notify digest --period daily   # same window again
	assert_success
	assert_output ""
	# 4 March skipped; on 5 March the digest covers 3 and 4 March
	post_at 2026-03-04T09:00:00Z otto "Sport am Mittwoch" --topics sport
	DC_NOW=2026-03-05T05:00:00Z run dc-notify digest --period daily
	assert_equal "${#lines[@]}" 1
	body=$(q "SELECT body FROM outbox WHERE id=2")
	assert_regex "$body" 'Kultur nach Mitternacht'
	assert_regex "$body" 'Sport am Mittwoch'
	refute_regex "$body" 'Nord eins'
	assert_equal "$(q "SELECT window_end FROM notify_digest WHERE period='daily'")" 2026-03-05
	# run writes List-Unsubscribe for digests
	DC_NOW=2026-03-05T05:00:00Z dc-notify run --maildir "$MD" >/dev/null
	url=$(q "SELECT unsubscribe FROM outbox WHERE id=1")
	assert_equal "$(grep -h '^List-Unsubscribe:' "$MD"/new/* | sort -u | wc -l)" 1
	grep -qF "List-Unsubscribe: <$url>" "$MD"/new/*
}

@test "digest weekly: the previous ISO week, Monday to Sunday local time" {
	dc-feed member add ben --name "Ben Süd" --kind citizen --district Süd --email ben@example.org --notify weekly >/dev/null
	dc-feed member add otto --name "Otto" --kind organisation >/dev/null
	post_at 2026-03-01T22:59:59Z otto "Sonntagabend" --district Süd   # Sun 1 March 23:59:59 local
	post_at 2026-03-01T23:00:00Z otto "Montag null Uhr" --district Süd  # Mon 2 March 00:00 local
	post_at 2026-03-08T12:00:00Z otto "Sonntag" --district Süd
	post_at 2026-03-09T08:00:00Z otto "Neue Woche" --district Süd
	DC_NOW=2026-03-04T10:00:00Z run dc-notify digest --period weekly   # week 23 Feb – 1 March
	assert_equal "${#lines[@]}" 1
	body=$(q "SELECT body FROM outbox WHERE id=1")
	assert_regex "$body" 'Sonntagabend'
	refute_regex "$body" 'Montag null Uhr'
	DC_NOW=2026-03-08T22:00:00Z run dc-notify digest --period weekly   # still the same week
	assert_output ""
	DC_NOW=2026-03-09T06:00:00Z run dc-notify digest --period weekly   # week 2 – 8 March
	assert_equal "${#lines[@]}" 1
	body=$(q "SELECT body FROM outbox WHERE id=2")
	assert_regex "$body" 'Montag null Uhr'
	assert_regex "$body" 'Sonntag'
	refute_regex "$body" 'Sonntagabend'
	refute_regex "$body" 'Neue Woche'
	assert_equal "$(q "SELECT subject FROM outbox WHERE id=2")" "Musterstadt: Neues aus Ihrer Nachbarschaft (02.03.2026 bis 08.03.2026)"
	run dc-notify digest --period monthly
	assert_failure 64
}
