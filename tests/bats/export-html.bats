#!/usr/bin/env bats
# dc-export report and board: self-contained accessible HTML pages (dc-export(1)); the board is
# public and carries no personal data; both load in a headless browser.

load helper

SECRETS=("Zoe Geheimname" "zoe.secret@example.org" "+49 170 5550199" "5550199"
	"Xaver Privat" "xaver@private.example" "0301234567" "Querulant" "ohne Ortstermin"
	"Anna Beck" "Hanna Kopf" "anna" "hanna" "Ines")

setup() {
	seed_city
	cached_setup html_city C1 C2 C3
	export DC_USER=ines
}

html_city() {
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
	dc config lang en >/dev/null   # English unless a test says otherwise (the default is de)
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

# axe_clean FILE: axe-core (npm, cached under build/axe) in headless chromium finds no
# violation of the WCAG 2.1 A and AA rules (BITV 2.0) on the page.  axe runs in a copy of the
# page with the script added; the result is written into that copy's DOM and read back.
axe_clean() {
	command -v chromium >/dev/null || skip "chromium not installed"
	local axe=$ROOT/build/axe/node_modules/axe-core/axe.min.js
	if [ ! -s "$axe" ]; then
		command -v npm >/dev/null || skip "npm not installed"
		mkdir -p "$ROOT/build/axe"
		npm install --silent --no-audit --no-fund --prefix "$ROOT/build/axe" axe-core@4 >&2
	fi
	local dir=$BATS_TEST_TMPDIR/axe-$RANDOM
	mkdir -p "$dir"
	cp "$axe" "$dir/axe.min.js"
	$PY - "$1" "$dir/page.html" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
run = """<script src="axe.min.js"></script>
<script>
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                   resultTypes: ["violations"]})
  .then(function (r) { done(r.violations.map(function (v) {
      return {id: v.id, impact: v.impact, nodes: v.nodes.map(function (n) {
          return n.target.join(" "); })}; })); },
        function (e) { done("axe failed: " + e); });
function done(v) {
  var p = document.createElement("pre");
  p.id = "axe-result";
  p.textContent = JSON.stringify(v);
  document.documentElement.appendChild(p);
}
</script>
"""
assert "</body>" in page
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("</body>", run + "</body>"))
PY
	local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
		--disable-background-networking --disable-component-update --disable-sync
		--allow-file-access-from-files --virtual-time-budget=20000
		--user-data-dir="$BATS_TEST_TMPDIR/chrome-axe")
	timeout 180 chromium "${flags[@]}" --dump-dom "file://$dir/page.html" >"$dir/dom.html" \
		2>/dev/null || true
	$PY - "$dir/dom.html" <<'PY'
import html, json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<pre id="axe-result">(.*?)</pre>', dom, re.S)
if not m:
    sys.exit("axe did not report (no result in the DOM)")
v = json.loads(html.unescape(m.group(1)))
if v:
    sys.exit("axe: %s" % json.dumps(v, indent=1, ensure_ascii=False))
print("axe: no violations")
PY
}

@test "report: self-contained, well-formed, accessible charts with tables" {
	run dc-export report -o "$BATS_TEST_TMPDIR/r.html"
	assert_success
	check_html "$BATS_TEST_TMPDIR/r.html"
	run cat "$BATS_TEST_TMPDIR/r.html"
	assert_output --partial "<title>Musterstadt — Report</title>"
	assert_output --partial '<html lang="en">'
	assert_output --partial "@media print"
	for s in "Cases opened and closed per week" "Open cases per department" "SLA compliance" \
		"Overdue cases per department" "Time to close per service" "Cases per district" \
		"Spend per vendor" "Spend per procedure" "Budget use" \
		"Shop orders" "Feed activity" "Tiefbauamt" "Schlagloch"; do
		assert_output --partial "$s"
	done
	refute_output --partial "<script"
	refute_output --regexp '(src|href)="(https?:)?//'
	# the reporter's district text is escaped
	run dc-export report --since 2026-02-01 --until 2026-03-01
	assert_success
	assert_output --partial "Internal report for 1 February 2026 to 1 March 2026"
}

@test "report and board: in German when lang is de, every text and date" {
	DC_USER=root dc config lang de >/dev/null
	run dc-export report --since 2026-02-01 --until 2026-03-01 -o "$BATS_TEST_TMPDIR/r.html"
	assert_success
	check_html "$BATS_TEST_TMPDIR/r.html"
	run cat "$BATS_TEST_TMPDIR/r.html"
	assert_output --partial '<html lang="de">'
	assert_output --partial "<title>Musterstadt — Bericht</title>"
	assert_output --partial "Interner Bericht vom 01.02.2026 bis 01.03.2026"
	for s in "Eröffnete und geschlossene Fälle pro Woche" "Offene Fälle pro Amt" \
		"Überfällige Fälle pro Amt" "Bearbeitungsdauer pro Leistung" "Fälle pro Stadtteil" \
		"Fristeinhaltung pro Leistung" "Ausgaben pro Lieferant" "Haushaltsmittel" \
		"Woche ab" "Median in Tagen" "Mittelwert in Tagen" "in Bearbeitung" \
		'<th scope="row">09.02.2026</th>' '<text x="44" y="246">08.12.</text>'; do
		assert_output --partial "$s"
	done
	# no English text is left: every heading, caption and column of the page is German
	$PY - "$BATS_TEST_TMPDIR/r.html" <<'PY'
import re, sys
page = re.sub(r"<[^>]*>", " ", open(sys.argv[1], encoding="utf-8").read())  # the text only
english = ["per week", "Department", "Service", "District", "Week starting", "opened",
           "closed", "No data", "median", "Report", "as of", "Spend", "Budget use", "overdue",
           "in progress", "waiting", "Vendor", "January", "February", "March"]
found = [w for w in english if w in page]
assert not found, found
PY
	DC_USER= run dc-export board -o "$BATS_TEST_TMPDIR/b.html"
	assert_success
	run cat "$BATS_TEST_TMPDIR/b.html"
	assert_output --partial '<html lang="de">'
	assert_output --partial "<title>Musterstadt — Statusübersicht</title>"
	assert_output --partial "Öffentliche Statusübersicht, Stand 02.03.2026"
	assert_output --partial "Neueste öffentliche Meldungen"
	assert_output --partial "(kein Stadtteil)"
	# status names and local date-times (Europe/Berlin: 10:00 UTC is 11:00 in February)
	assert_output --partial "<td>23.02.2026, 10:00</td>"
	assert_output --partial "<td>erledigt</td>"
	assert_output --partial "<td>in Bearbeitung</td>"
	refute_output --partial "in_progress"
	DC_USER=root dc config lang en >/dev/null
	run dc-export board
	assert_output --partial "<td>23 February 2026, 10:00</td>"
	assert_output --partial "<td>in progress</td>"
}

@test "report: the sections clerks ask for, with stable ids and their numbers" {
	DC_USER=paul dc-case new --service parking --description "Antrag" --district Nord -q
	run dc-export report --until 2026-03-02
	assert_success
	for id in backlog overdue time-to-close districts trend; do
		assert_output --partial "<section id=\"$id\" aria-labelledby=\"$id-h\">"
	done
	# backlog: tiefbau has C1 in progress and C3 new (opened this month), Bürgerbüro one new
	assert_output --partial '<tr><th scope="row">Tiefbauamt</th><td class="n">1</td><td class="n">0</td><td class="n">1</td><td class="n">0</td><td class="n">1</td></tr>'
	assert_output --partial '<tr><th scope="row">Bürgerbüro</th><td class="n">1</td><td class="n">0</td><td class="n">0</td><td class="n">0</td><td class="n">1</td></tr>'
	# time to close: C2 took 4 days (02-20 10:00 to 02-24 09:00 = 3.96 days)
	assert_output --partial '<tr><th scope="row">Schlagloch</th><td class="n">4.0</td><td class="n">4.0</td><td class="n">1</td></tr>'
	# districts: Nord has C1 (open) and the parking case (open)
	assert_output --partial '<tr><th scope="row">Nord</th><td class="n">2</td><td class="n">0</td><td class="n">0</td></tr>'
	# overdue: C1 (due in February) is overdue on 2026-03-20
	DC_NOW=2026-03-20T09:00:00Z run dc-export report
	assert_output --partial '<tr><th scope="row">Tiefbauamt</th><td class="n">2</td><td class="n">2</td><td class="n">100.0 %</td></tr>'
}

@test "report: clerks and heads for their department, auditors and admins for any or all" {
	DC_USER=paul dc-case new --service parking --description "Antrag" --district Nord -q
	# a clerk gets their own department without asking, and may name it
	DC_USER=anna run dc-export report
	assert_success
	assert_output --partial "Internal report as of 2 March 2026 — department tiefbau"
	assert_output --partial "Tiefbauamt"
	refute_output --partial "Bürgerbüro"
	refute_output --partial 'id="vendors"'   # the city's spending is not a department's
	DC_USER=anna run dc-export report --department tiefbau
	assert_success
	DC_USER=anna run dc-export report --department buergerbuero
	assert_failure 77
	assert_output --partial "tiefbau"
	DC_USER=clara run dc-export report
	assert_success
	assert_output --partial "Bürgerbüro"
	refute_output --partial "Tiefbauamt"
	DC_USER=hanna run dc-export report --department buergerbuero
	assert_failure 77
	DC_USER=hanna run dc-export report
	assert_success
	refute_output --partial "Bürgerbüro"
	# auditors and admins: all, or the department they name
	run dc-export report
	assert_output --partial "Bürgerbüro"
	assert_output --partial 'id="vendors"'
	run dc-export report --department buergerbuero
	assert_success
	refute_output --partial "Tiefbauamt"
	DC_USER=root run dc-export report --department nirgends
	assert_failure 65
	DC_USER=bob run dc-export report
	assert_failure 77
}

@test "report and board: axe-core finds no WCAG 2.1 A/AA violation, German and English" {
	for lang in de en; do
		DC_USER=root dc config lang $lang >/dev/null
		dc-export report -o "$BATS_TEST_TMPDIR/r-$lang.html"
		DC_USER= dc-export board -o "$BATS_TEST_TMPDIR/b-$lang.html"
		grep -q "<html lang=\"$lang\">" "$BATS_TEST_TMPDIR/r-$lang.html"
		axe_clean "$BATS_TEST_TMPDIR/r-$lang.html"
		axe_clean "$BATS_TEST_TMPDIR/b-$lang.html"
	done
}

@test "report: internal, for auditors, heads and admins only" {
	DC_USER=bob run dc-export report
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
	assert_output --partial '<tr><th scope="row">9 February 2026</th><td class="n">1</td><td class="n">0</td></tr>'
	assert_output --partial '<tr><th scope="row">16 February 2026</th><td class="n">1</td><td class="n">0</td></tr>'
	assert_output --partial '<tr><th scope="row">23 February 2026</th><td class="n">0</td><td class="n">1</td></tr>'
	assert_output --partial '<tr><th scope="row">2 March 2026</th><td class="n">1</td><td class="n">0</td></tr>'
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
	grep -q "Keine öffentlichen Meldungen" "$BATS_TEST_TMPDIR/b.html"   # lang de by default
}

@test "report: loads in headless chromium" {
	dc-export report -o "$BATS_TEST_TMPDIR/r.html"
	chromium_loads "$BATS_TEST_TMPDIR/r.html" "Musterstadt — Report"
}

@test "board: loads in headless chromium" {
	dc-export board -o "$BATS_TEST_TMPDIR/b.html"
	chromium_loads "$BATS_TEST_TMPDIR/b.html" "Musterstadt — Status board"
}
