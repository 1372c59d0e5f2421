#!/usr/bin/env bats
# dc-export report and board: self-contained accessible HTML pages (dc-export(1)); the board is
# public and carries no personal data; both load in a headless browser.

load helper

SECRETS=("Zoe Geheimname" "zoe.secret@example.org" "+49 170 5550199" "5550199"
	"Xaver Privat" "xaver@private.example" "0301234567" "Querulant" "ohne Ortstermin"
	"Anna Beck" "Hanna Kopf" "anna" "hanna" "Ines")

setup() {
	seed_city
	C1=$(DC_NOW=2026-02-10T09:00:00Z new_case --description "Tiefes Loch" --district Nord \
		--name "Zoe Geheimname" --email zoe.secret@example.org --phone "+49 170 5550199")
	C2=$(DC_NOW=2026-02-20T10:00:00Z new_case --description "Kleines <Loch> & mehr" \
		--district "Süd & 'Ost'" --name "Xaver Privat" --email xaver@private.example --phone 0301234567)
	C3=$(new_case --description "Noch eins")
	DC_USER=anna dc-case note "$C1" "INTERN: Anwohner ist Querulant" >/dev/null
	DC_USER=anna DC_NOW=2026-02-11T09:00:00Z dc-case status "$C1" in_progress --note "Reparatur ist beauftragt" >/dev/null
	DC_USER=anna dc-case note "$C2" "INTERN: ohne Ortstermin erledigt" >/dev/null
	DC_USER=anna DC_NOW=2026-02-21T09:00:00Z dc-case status "$C2" in_progress >/dev/null
	DC_USER=anna DC_NOW=2026-02-23T09:00:00Z dc-case status "$C2" resolved --note "Loch <verfüllt> & fertig" >/dev/null
	DC_USER=anna DC_NOW=2026-02-24T09:00:00Z dc-case status "$C2" closed >/dev/null
	DC_USER=anna dc-case note "$C1" "Öffentlicher Hinweis: Sperrung ab Montag" --public >/dev/null
	export DC_USER=ines
}

# check_html FILE: balanced tags (python's html.parser), no external resources, every <svg>
# has role="img", a <title>, a <desc> and aria-labelledby, and a <table> follows each chart.
check_html() {
	$PY - "$1" <<'EOF'
import re, sys
from html.parser import HTMLParser
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "rect", "line", "path", "circle"}
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.svgs, self.errors = [], [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if k in a and re.match(r"(https?:)?//", a[k] or ""):
                self.errors.append("external %s=%s" % (k, a[k]))
        if tag == "script" and "src" in a:
            self.errors.append("script src")
        if tag == "link":
            self.errors.append("link element")
        if tag == "svg":
            if a.get("role") != "img" or not a.get("aria-labelledby"):
                self.errors.append("svg without role/aria-labelledby")
            self.svgs.append(set())
        elif self.stack and "svg" in self.stack and self.stack[-1] == "svg":
            self.svgs[-1].add(tag)
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unbalanced </%s> (open: %s)" % (tag, self.stack[-3:]))
        else:
            self.stack.pop()
p = P()
text = open(sys.argv[1], encoding="utf-8").read()
p.feed(text)
p.close()
if p.stack:
    p.errors.append("unclosed: %s" % p.stack)
if not p.svgs:
    p.errors.append("no svg")
for s in p.svgs:
    if not {"title", "desc"} <= s:
        p.errors.append("svg without title/desc")
if not text.startswith("<!DOCTYPE html>"):
    p.errors.append("no doctype")
if re.search(r"@import|url\(", text):
    p.errors.append("external css")
if text.count("<svg") > text.count("<table"):
    p.errors.append("a chart without a table")
if p.errors:
    sys.exit("\n".join(p.errors))
print("ok: %d svgs" % len(p.svgs))
EOF
	if command -v xmllint >/dev/null; then
		# libxml2's HTML parser only knows HTML4: its complaints about HTML5/SVG tags are fine
		run bash -c "xmllint --html --noout '$1' 2>&1 | grep -E 'error' | grep -vE 'Tag (svg|rect|line|text|title|desc|section|header|main) invalid'"
		[ -z "$output" ] || { echo "$output"; return 1; }
	fi
}

# chromium_loads FILE TITLE: a headless browser renders the page and sees its title.
chromium_loads() {
	command -v chromium >/dev/null || skip "chromium not installed"
	local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
		--disable-background-networking --disable-component-update --disable-sync
		--user-data-dir="$BATS_TEST_TMPDIR/chrome")
	timeout 120 chromium "${flags[@]}" --screenshot="$BATS_TEST_TMPDIR/r.png" --window-size=1200,2000 \
		"file://$1" >/dev/null 2>&1 || true
	assert [ -s "$BATS_TEST_TMPDIR/r.png" ]
	run timeout 120 chromium "${flags[@]}" --dump-dom "file://$1"
	assert_output --partial "<title>$2</title>"
}

@test "report: self-contained, well-formed, accessible charts with tables" {
	run dc-export report -o "$BATS_TEST_TMPDIR/r.html"
	assert_success
	check_html "$BATS_TEST_TMPDIR/r.html"
	run cat "$BATS_TEST_TMPDIR/r.html"
	assert_output --partial "<title>Musterstadt — Report</title>"
	assert_output --partial "@media print"
	for s in "Cases opened and closed per week" "Backlog per department" "SLA compliance" \
		"Median resolution time" "Spend per vendor" "Spend per procedure" "Budget use" \
		"Shop orders" "Feed activity" "Tiefbauamt" "Schlagloch"; do
		assert_output --partial "$s"
	done
	refute_output --partial "<script"
	refute_output --regexp '(src|href)="(https?:)?//'
	# the reporter's district text is escaped
	run dc-export report --since 2026-02-01 --until 2026-03-01
	assert_success
	assert_output --partial "2026-02-01 to 2026-03-01"
}

@test "report: internal, for auditors, heads and admins only" {
	DC_USER=anna run dc-export report
	assert_failure 77
	DC_USER=hanna run dc-export report
	assert_success
	DC_USER=root run dc-export report
	assert_success
	run dc-export report -f csv
	assert_failure 64
	run dc-export report -f html
	assert_success
}

@test "report: the weekly numbers" {
	run dc-export report --until 2026-03-02
	assert_success
	# C1 opened 2026-02-10 (week of 02-09), C2 opened 02-20 and closed 02-24 (week of 02-23)
	assert_output --partial '<tr><th scope="row">2026-02-09</th><td class="n">1</td><td class="n">0</td></tr>'
	assert_output --partial '<tr><th scope="row">2026-02-16</th><td class="n">1</td><td class="n">0</td></tr>'
	assert_output --partial '<tr><th scope="row">2026-02-23</th><td class="n">0</td><td class="n">1</td></tr>'
	assert_output --partial '<tr><th scope="row">2026-03-02</th><td class="n">1</td><td class="n">0</td></tr>'
}

@test "board: public, no personal data, escaped" {
	DC_USER= run dc-export board -o "$BATS_TEST_TMPDIR/b.html"
	assert_success
	check_html "$BATS_TEST_TMPDIR/b.html"
	run cat "$BATS_TEST_TMPDIR/b.html"
	assert_output --partial "Reparatur ist beauftragt"
	assert_output --partial "Sperrung ab Montag"
	assert_output --partial "Loch &lt;verfüllt&gt; &amp; fertig"
	assert_output --partial "Süd &amp; &#39;Ost&#39;"
	assert_output --partial "Nord"
	for s in "${SECRETS[@]}"; do
		refute_output --partial "$s"
	done
	refute_output --partial "Tiefes Loch"   # descriptions are not on the board
	refute_output --partial "<script"
}

@test "report and board: deterministic, published to git once" {
	run dc-export report --git-repo "$BATS_TEST_TMPDIR/pub"
	assert_success
	assert_output --partial '"path":"report.html"'
	assert_output --partial '"changed":true'
	run dc-export report --git-repo "$BATS_TEST_TMPDIR/pub"
	assert_success
	assert_output --partial '"changed":false'
	run dc-export board --git-repo "$BATS_TEST_TMPDIR/pub"
	assert_output --partial '"changed":true'
	run dc-export board --git-repo "$BATS_TEST_TMPDIR/pub"
	assert_output --partial '"changed":false'
	assert_equal "$(git -C "$BATS_TEST_TMPDIR/pub" rev-list --count HEAD)" 2
}

@test "report and board: an empty city still gives valid pages" {
	export DC_DB=$BATS_TEST_TMPDIR/empty.db
	dc-assign staff add root --name "Ada Admin" --role admin >/dev/null
	DC_USER=root run dc-export report -o "$BATS_TEST_TMPDIR/r.html"
	assert_success
	check_html "$BATS_TEST_TMPDIR/r.html"
	run dc-export board -o "$BATS_TEST_TMPDIR/b.html"
	assert_success
	grep -q "No public updates" "$BATS_TEST_TMPDIR/b.html"
}

@test "report: loads in headless chromium" {
	dc-export report -o "$BATS_TEST_TMPDIR/r.html"
	chromium_loads "$BATS_TEST_TMPDIR/r.html" "Musterstadt — Report"
}

@test "board: loads in headless chromium" {
	dc-export board -o "$BATS_TEST_TMPDIR/b.html"
	chromium_loads "$BATS_TEST_TMPDIR/b.html" "Musterstadt — Status board"
}
