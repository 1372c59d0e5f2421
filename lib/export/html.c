/*
 * The HTML report (internal: auditor, head, admin) and the public status board (anyone), each
 * one self-contained HTML5 page: inline CSS with print rules, inline SVG charts that carry
 * role="img", a <title> and a <desc>, and the charted numbers as a table under each chart.
 * No network resources.  Every query streams; the charts are drawn from one pass over the
 * statement and the table from a second (dc_reset).  Dates come from the clock
 * (DC_NOW) and the data only, so an unchanged database gives a byte-identical page.  Both
 * pages speak the city's language (setting lang: German for "de", English otherwise): every
 * text is a pair {English, German} picked by the page's language.
 */
#include <stdlib.h>
#include <string.h>

#include "export/export.h"
#include "org/org.h"

#define WEEKS 12

static const char *const palette[] = {"#1f5fa8", "#d9822b", "#3a8a3a", "#a33b3b"};

enum lang { EN, DE };
typedef const char *const tr[2]; /* a text in English and German */

static enum lang
page_lang(struct dc *ctx)
{
	char *l = dc_setting(ctx, "lang");
	enum lang lang = l && !strncmp(l, "de", 2) ? DE : EN;

	free(l);
	return lang;
}

/* A local date as people write it: 09.02.2026, 9 February 2026; short: 09.02., 9 Feb. */
static void
fmt_day(enum lang lang, long days, int brief, char *buf, size_t n)
{
	int y, m, d;

	dc_civil_from_days(days, &y, &m, &d);
	if (lang == DE)
		snprintf(buf, n, brief ? "%02d.%02d." : "%02d.%02d.%04d", d, m, y);
	else if (brief)
		snprintf(buf, n, "%d %.3s", d, dc_month_name(m));
	else
		snprintf(buf, n, "%d %s %04d", d, dc_month_name(m), y);
}

/* An instant (RFC 3339, UTC) as the local date and time: 10.03.2026, 14:30 or
 * 10 March 2026, 14:30; the text as it is when it is not an instant. */
static void
fmt_when(struct dc *ctx, enum lang lang, const char *at, char *buf, size_t n)
{
	time_t t;
	long days, secs;
	char day[32];

	if (!at || dc_parse_time(at, &t)) {
		snprintf(buf, n, "%s", at ? at : "");
		return;
	}
	days = dc_local_days(ctx, t);
	secs = (long)(t - dc_local_start_of_day(ctx, days));
	fmt_day(lang, days, 0, day, sizeof day);
	snprintf(buf, n, "%s, %02ld:%02ld", day, secs / 3600 % 24, secs / 60 % 60);
}

/* A case status as the page's language names it. */
static const char *
status_name(enum lang lang, const char *status)
{
	static const char *const names[][3] = {
	    {"new", "new", "neu"},
	    {"assigned", "assigned", "zugewiesen"},
	    {"in_progress", "in progress", "in Bearbeitung"},
	    {"waiting", "waiting", "wartend"},
	    {"resolved", "resolved", "erledigt"},
	    {"closed", "closed", "abgeschlossen"},
	    {"rejected", "rejected", "abgelehnt"},
	    {"duplicate", "duplicate", "Duplikat"},
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(names[i][0], status))
			return names[i][1 + lang];
	return status;
}

static void
esc(const char *s)
{
	char *e = dc_export_html_escape(s);

	fputs(e, stdout);
	free(e);
}

static const char *
coltext(struct dc_stmt *st, int i)
{
	const char *s = dc_col_text(st, i);

	return s ? s : "";
}

/* A number as the column format says: i integer, m money, d one decimal, p percent; German
 * with a decimal comma. */
static void
fmtnum(enum lang lang, char fmt, double v, char *buf, size_t n)
{
	char *dot;

	snprintf(buf, n,
	         fmt == 'm'   ? "%.2f"
	         : fmt == 'd' ? "%.1f"
	         : fmt == 'p' ? "%.1f %%"
	                      : "%.0f",
	         v);
	if (lang == DE && (dot = strchr(buf, '.')))
		*dot = ',';
}

static void
page_begin(struct dc *ctx, enum lang lang, const char *title, const char *subtitle)
{
	char *city = dc_setting(ctx, "city.name");

	printf("<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	       lang == DE ? "de" : "en");
	esc(city);
	fputs(" — ", stdout);
	esc(title);
	fputs("</title>\n<style>\n"
	      "body{font-family:system-ui,sans-serif;color:#1a1a1a;background:#fff;max-width:60em;"
	      "margin:0 auto;padding:1em;line-height:1.4}\n"
	      "h1{font-size:1.6em;margin-bottom:0}h2{font-size:1.25em;margin-top:2em;"
	      "border-bottom:1px solid #888}\n"
	      ".sub{color:#444;margin-top:.2em}\n"
	      "svg{display:block;max-width:100%;height:auto;margin:.5em 0}\n"
	      "svg text{font-size:12px;fill:#1a1a1a}\n"
	      "table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em}\n"
	      "th,td{border:1px solid #999;padding:.2em .5em;text-align:left;vertical-align:top}\n"
	      "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	      "caption{text-align:left;font-weight:bold;padding:.2em 0}\n"
	      ".empty{color:#555;font-style:italic}\n"
	      "@media print{body{max-width:none;font-size:10pt;padding:0}"
	      "section{break-inside:avoid;page-break-inside:avoid}"
	      "h2{break-after:avoid;page-break-after:avoid}a{color:inherit;text-decoration:none}}\n"
	      "</style>\n</head>\n<body>\n<header>\n<h1>",
	      stdout);
	esc(city);
	fputs(" — ", stdout);
	esc(title);
	fputs("</h1>\n<p class=\"sub\">", stdout);
	esc(subtitle);
	fputs("</p>\n</header>\n<main>\n", stdout);
	free(city);
}

static void
page_end(void)
{
	fputs("</main>\n</body>\n</html>\n", stdout);
}

static void
section_begin(const char *id, const char *title, const char *intro)
{
	printf("<section id=\"%s\" aria-labelledby=\"%s-h\">\n<h2 id=\"%s-h\">", id, id, id);
	esc(title);
	fputs("</h2>\n", stdout);
	if (intro) {
		fputs("<p>", stdout);
		esc(intro);
		fputs("</p>\n", stdout);
	}
}

static void
svg_begin(const char *id, int w, int h, const char *title, const char *desc)
{
	printf("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"%d\" height=\"%d\" "
	       "viewBox=\"0 0 %d %d\" aria-labelledby=\"%s-t %s-d\">\n<title id=\"%s-t\">",
	       w, h, w, h, id, id, id);
	esc(title);
	printf("</title>\n<desc id=\"%s-d\">", id);
	esc(desc);
	fputs("</desc>\n", stdout);
}

static void
legend(const char *const *names, int n, int y)
{
	int i, x = 10;

	if (n < 2)
		return;
	for (i = 0; i < n; i++) {
		printf("<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
		       "<text x=\"%d\" y=\"%d\">",
		       x, y, palette[i % 4], x + 16, y + 11);
		esc(names[i]);
		fputs("</text>\n", stdout);
		x += 30 + 8 * (int)strlen(names[i]);
	}
}

struct col {
	tr name;
	char fmt; /* i m d p, or s: text */
};

static void
table_head(enum lang lang, const char *caption, const char *first, const struct col *cols, int n)
{
	int i;

	fputs("<table>\n<caption>", stdout);
	esc(caption);
	fputs("</caption>\n<thead><tr><th scope=\"col\">", stdout);
	esc(first);
	fputs("</th>", stdout);
	for (i = 0; i < n; i++) {
		printf("<th scope=\"col\"%s>", cols[i].fmt == 's' ? "" : " class=\"n\"");
		esc(cols[i].name[lang]);
		fputs("</th>", stdout);
	}
	fputs("</tr></thead>\n<tbody>\n", stdout);
}

static tr no_data = {"No data.", "Keine Daten."};

/*
 * Horizontal (stacked) bars from st: column 0 the label (NULL: NONE), 1..ncols the table's
 * columns of which the first nchart are charted (stacked), then the scale maximum and the row
 * count (both as window functions over the whole result).  Finalizes st.
 */
static int
hbars(struct dc *ctx, enum lang lang, struct dc_stmt *st, const char *id, const char *title,
      const char *desc, const char *first, const char *none, const struct col *cols, int ncols,
      int nchart)
{
	const char *names[4];
	double max;
	int rc, rows, row = 0, i, h;
	char buf[64];

	if ((rc = dc_step(ctx, st)) != DC_ROW) {
		dc_finish(ctx, st);
		if (rc)
			return rc;
		printf("<p class=\"empty\">%s</p>\n</section>\n", no_data[lang]);
		return 0;
	}
	max = dc_col_double(st, ncols + 1);
	rows = dc_col_int(st, ncols + 2);
	h = 20 + rows * 24 + (nchart > 1 ? 24 : 0);
	svg_begin(id, 720, h, title, desc);
	for (i = 0; i < nchart && i < 4; i++)
		names[i] = cols[i].name[lang];
	legend(names, nchart, 4);
	do {
		int y = (nchart > 1 ? 28 : 4) + row * 24;
		double x = 220, total = 0;

		fputs("<text x=\"214\" text-anchor=\"end\" y=\"", stdout);
		printf("%d\">", y + 15);
		esc(dc_col_text(st, 0) ? dc_col_text(st, 0) : none);
		fputs("</text>\n", stdout);
		for (i = 0; i < nchart; i++) {
			double v = dc_col_double(st, 1 + i),
			       w = max > 0 && v > 0 ? v / max * 420 : 0;

			total += v;
			if (w > 0)
				printf("<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" "
				       "fill=\"%s\"/>\n",
				       x, y, w, palette[i % 4]);
			x += w;
		}
		fmtnum(lang, cols[0].fmt, total, buf, sizeof buf);
		printf("<text x=\"%.1f\" y=\"%d\">%s</text>\n", x + 4, y + 15, buf);
		row++;
	} while ((rc = dc_step(ctx, st)) == DC_ROW);
	fputs("</svg>\n", stdout);
	if (rc) {
		dc_finish(ctx, st);
		return rc;
	}
	dc_reset(st);
	table_head(lang, title, first, cols, ncols);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		fputs("<tr><th scope=\"row\">", stdout);
		esc(dc_col_text(st, 0) ? dc_col_text(st, 0) : none);
		fputs("</th>", stdout);
		for (i = 0; i < ncols; i++) {
			if (cols[i].fmt == 's') {
				fputs("<td>", stdout);
				esc(coltext(st, 1 + i));
			} else {
				fmtnum(lang, cols[i].fmt, dc_col_double(st, 1 + i), buf, sizeof buf);
				printf("<td class=\"n\">%s", buf);
			}
			fputs("</td>", stdout);
		}
		fputs("</tr>\n", stdout);
	}
	fputs("</tbody>\n</table>\n</section>\n", stdout);
	dc_finish(ctx, st);
	return rc;
}

/*
 * Counts per week for the WEEKS weeks (Monday to Sunday, local) ending with the week of `end`:
 * st yields (instant, series) rows; drawn as grouped vertical bars and a table.
 */
static int
weekly(struct dc *ctx, enum lang lang, struct dc_stmt *st, long first, const char *id,
       const char *title, const char *desc, const struct col *series, int nseries)
{
	static tr week = {"Week starting", "Woche ab"};
	const char *names[4];
	long count[WEEKS][4];
	long max = 0;
	int rc, w, s;
	char day[32];

	memset(count, 0, sizeof count);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		time_t t;
		long d, k;

		s = dc_col_int(st, 1);
		if (s < 0 || s >= nseries || !dc_col_text(st, 0) ||
		    dc_parse_time(dc_col_text(st, 0), &t))
			continue;
		d = dc_local_days(ctx, t);
		k = d >= first ? (d - first) / 7 : -1;
		if (k >= 0 && k < WEEKS && ++count[k][s] > max)
			max = count[k][s];
	}
	dc_finish(ctx, st);
	if (rc)
		return rc;
	svg_begin(id, 720, 260, title, desc);
	for (s = 0; s < nseries && s < 4; s++)
		names[s] = series[s].name[lang];
	legend(names, nseries, 4);
	printf("<line x1=\"40\" y1=\"230\" x2=\"710\" y2=\"230\" stroke=\"#333\"/>\n"
	       "<text x=\"34\" y=\"34\" text-anchor=\"end\">%ld</text>\n"
	       "<text x=\"34\" y=\"230\" text-anchor=\"end\">0</text>\n",
	       max);
	for (w = 0; w < WEEKS; w++) {
		int gx = 44 + w * 55, bw = 48 / nseries;

		for (s = 0; s < nseries; s++) {
			double h = max ? (double)count[w][s] / (double)max * 190 : 0;

			if (h > 0)
				printf("<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
				       "fill=\"%s\"/>\n",
				       gx + s * bw, 230 - h, bw - 1, h, palette[s % 4]);
		}
		fmt_day(lang, first + w * 7, 1, day, sizeof day);
		printf("<text x=\"%d\" y=\"246\">%s</text>\n", gx, day);
	}
	fputs("</svg>\n", stdout);
	table_head(lang, title, week[lang], series, nseries);
	for (w = 0; w < WEEKS; w++) {
		fmt_day(lang, first + w * 7, 0, day, sizeof day);
		printf("<tr><th scope=\"row\">%s</th>", day);
		for (s = 0; s < nseries; s++)
			printf("<td class=\"n\">%ld</td>", count[w][s]);
		fputs("</tr>\n", stdout);
	}
	fputs("</tbody>\n</table>\n</section>\n", stdout);
	return 0;
}

/* SQL tails: the scale maximum of the charted sum and the number of rows. */
#define SCALE(sum) ", max(" sum ") OVER (), count(*) OVER ()"
#define ORDERS_SPENT "o.status IN ('approved', 'placed', 'received', 'invoiced')"
#define SPEND                                                                                      \
	"sum(o.gross) / 100.0, coalesce(sum((SELECT i.gross FROM order_invoiced i"                 \
	" WHERE i.order_id = o.id)), 0) / 100.0, count(*)" SCALE("sum(o.gross) / 100.0")
#define OPEN "c.status IN ('new', 'assigned', 'in_progress', 'waiting')"
#define CLOSED "c.status IN ('resolved', 'closed') AND c.closed_at IS NOT NULL"
#define MEDIAN "avg(CASE WHEN r.rn IN ((r.n + 1) / 2, (r.n + 2) / 2) THEN r.d END)"

static const struct col opened_closed[] = {{{"opened", "eröffnet"}, 'i'},
                                           {{"closed", "geschlossen"}, 'i'}};
static const struct col feed_series[] = {{{"posts", "Beiträge"}, 'i'},
                                         {{"flags", "Meldungen"}, 'i'},
                                         {{"hidden", "verborgen"}, 'i'}};
static const struct col backlog[] = {{{"new", "neu"}, 'i'},
                                     {{"assigned", "zugewiesen"}, 'i'},
                                     {{"in progress", "in Bearbeitung"}, 'i'},
                                     {{"waiting", "wartend"}, 'i'},
                                     {{"opened this month", "in diesem Monat eröffnet"}, 'i'}};
static const struct col overdue[] = {{{"overdue", "überfällig"}, 'i'},
                                     {{"open", "offen"}, 'i'},
                                     {{"overdue %", "überfällig in %"}, 'p'}};
static const struct col sla[] = {{{"on time %", "fristgerecht in %"}, 'p'},
                                 {{"resolved or closed", "erledigt oder abgeschlossen"}, 'i'},
                                 {{"on time", "fristgerecht"}, 'i'}};
static const struct col ttc[] = {{{"median days", "Median in Tagen"}, 'd'},
                                 {{"mean days", "Mittelwert in Tagen"}, 'd'},
                                 {{"cases", "Fälle"}, 'i'}};
static const struct col districts[] = {{{"open", "offen"}, 'i'},
                                       {{"resolved or closed", "erledigt oder abgeschlossen"}, 'i'},
                                       {{"declined", "abgelehnt"}, 'i'}};
static const struct col spend[] = {{{"gross", "brutto"}, 'm'},
                                   {{"invoiced", "abgerechnet"}, 'm'},
                                   {{"orders", "Bestellungen"}, 'i'}};
static const struct col budget[] = {{{"spent", "ausgegeben"}, 'm'},
                                    {{"committed", "gebunden"}, 'm'},
                                    {{"amount", "Ansatz"}, 'm'},
                                    {{"left", "verfügbar"}, 'm'}};
static const struct col shop[] = {{{"total", "Summe"}, 'm'}, {{"orders", "Bestellungen"}, 'i'}};

/* One piece of a section's SQL: its text, then the conditions of the SELECT it ends (the one
 * that always applies, the department's when the report is for one, and the time window on a
 * column), each only when there is one. */
struct part {
	const char *sql, *where, *dept, *at;
};
#define NPARTS 3

/*
 * The report's sections in page order.  A section with series counts per week (weekly(): its
 * SQL yields (instant, series) rows from the start of the first week to the end of the
 * window); any other draws horizontal bars (hbars(): its SQL takes the export's time window
 * on the parts' columns).  chart is the chart's id, title its title, desc its description
 * (for a weekly chart the subject of the sentence that names the weeks).  now: the SQL names
 * ?1, the current instant, and with 2 also ?2, the start of the local month.  city: a
 * section of the whole city's report only, not of a department's.
 */
static const struct section {
	const char *id;
	tr heading, intro;
	struct part sql[NPARTS];
	const char *chart;
	tr title, desc;
	tr first, none;             /* bars: the first column's heading, its text for NULL */
	const struct col *cols;     /* bars: the table's columns, */
	int ncols, nchart;          /* of which the first nchart are charted */
	const struct col *series;   /* weekly: the series */
	int nseries;
	int now, city;
} sections[] = {
	{"trend", {"Cases opened and closed per week", "Eröffnete und geschlossene Fälle pro Woche"},
	 {NULL, NULL},
	 {{"SELECT created_at, 0 FROM cases", NULL, "dept = ?", "created_at"},
	  {" UNION ALL SELECT closed_at, 1 FROM cases", NULL, "dept = ?", "closed_at"}},
	 "trend-chart",
	 {"Cases opened and closed per week", "Eröffnete und geschlossene Fälle pro Woche"},
	 {"Cases opened and closed", "Eröffnete und geschlossene Fälle"}, {NULL, NULL},
	 {NULL, NULL}, NULL, 0, 0, opened_closed, 2, 0, 0},
	{"backlog", {"Open cases per department", "Offene Fälle pro Amt"},
	 {"Open cases by department and status, now; the last column counts those opened since "
	  "the first of this month.",
	  "Offene Fälle nach Amt und Status, heute; die letzte Spalte zählt die seit dem Ersten "
	  "dieses Monats eröffneten."},
	 {{"SELECT coalesce(d.name, c.dept), sum(c.status = 'new'), sum(c.status = 'assigned'),"
	   " sum(c.status = 'in_progress'), sum(c.status = 'waiting'), sum(c.created_at >= ?2)"
	   SCALE("count(*)") " FROM cases c LEFT JOIN dept d ON d.code = c.dept",
	   OPEN, "c.dept = ?", NULL},
	  {" GROUP BY c.dept, d.name ORDER BY c.dept IS NULL, 1", NULL, NULL, NULL}},
	 "backlog-chart",
	 {"Open cases per department by status", "Offene Fälle pro Amt nach Status"},
	 {"Stacked horizontal bars: open cases per department, split into new, assigned, in "
	  "progress and waiting",
	  "Gestapelte waagerechte Balken: offene Fälle pro Amt, aufgeteilt in neu, zugewiesen, in "
	  "Bearbeitung und wartend"},
	 {"Department", "Amt"}, {"(no department)", "(kein Amt)"}, backlog, 5, 4, NULL, 0, 2, 0},
	{"overdue", {"Overdue cases per department", "Überfällige Fälle pro Amt"},
	 {"Open cases whose due date has passed, now.",
	  "Offene Fälle, deren Frist abgelaufen ist, heute."},
	 {{"SELECT coalesce(d.name, c.dept), sum(c.due_at < ?1), count(*),"
	   " 100.0 * sum(c.due_at < ?1) / count(*)" SCALE("sum(c.due_at < ?1)")
	   " FROM cases c LEFT JOIN dept d ON d.code = c.dept",
	   OPEN, "c.dept = ?", NULL},
	  {" GROUP BY c.dept, d.name ORDER BY c.dept IS NULL, 1", NULL, NULL, NULL}},
	 "overdue-chart", {"Overdue cases per department", "Überfällige Fälle pro Amt"},
	 {"Horizontal bars: open cases past their due date per department",
	  "Waagerechte Balken: offene Fälle nach Fristablauf pro Amt"},
	 {"Department", "Amt"}, {"(no department)", "(kein Amt)"}, overdue, 3, 1, NULL, 0, 1, 0},
	{"time-to-close", {"Time to close per service", "Bearbeitungsdauer pro Leistung"},
	 {"Days from opening to resolution of resolved or closed cases: median and mean.",
	  "Tage von der Eröffnung bis zur Erledigung erledigter oder abgeschlossener Fälle: "
	  "Median und Mittelwert."},
	 {{"WITH r AS (SELECT c.service, julianday(c.closed_at) - julianday(c.created_at)"
	   " AS d, row_number() OVER (PARTITION BY c.service ORDER BY"
	   " julianday(c.closed_at) - julianday(c.created_at), c.id) AS rn,"
	   " count(*) OVER (PARTITION BY c.service) AS n FROM cases c",
	   CLOSED, "c.dept = ?", "c.closed_at"},
	  {") SELECT s.name, " MEDIAN ", avg(r.d), max(r.n)" SCALE(MEDIAN)
	   " FROM r JOIN service s ON s.code = r.service GROUP BY r.service, s.name ORDER BY 1",
	   NULL, NULL, NULL}},
	 "time-to-close-chart",
	 {"Median time to close per service (days)", "Median der Bearbeitungsdauer pro Leistung "
	  "(Tage)"},
	 {"Horizontal bars: median days from opening to resolution per service",
	  "Waagerechte Balken: Median der Tage von der Eröffnung bis zur Erledigung pro Leistung"},
	 {"Service", "Leistung"}, {NULL, NULL}, ttc, 3, 1, NULL, 0, 0, 0},
	{"sla", {"SLA compliance per service", "Fristeinhaltung pro Leistung"},
	 {"Share of resolved or closed cases that were closed by their due date.",
	  "Anteil der erledigten oder abgeschlossenen Fälle, die fristgerecht geschlossen wurden."},
	 {{"SELECT s.name, 100.0 * sum(c.closed_at <= c.due_at) / count(*), count(*),"
	   " sum(c.closed_at <= c.due_at), 100.0, count(*) OVER ()"
	   " FROM cases c JOIN service s ON s.code = c.service",
	   CLOSED, "c.dept = ?", "c.closed_at"},
	  {" GROUP BY c.service, s.name ORDER BY 1", NULL, NULL, NULL}},
	 "sla-chart", {"SLA compliance per service", "Fristeinhaltung pro Leistung"},
	 {"Horizontal bars: percentage of resolved or closed cases per service closed by the "
	  "due date (0 to 100 %)",
	  "Waagerechte Balken: Anteil der erledigten oder abgeschlossenen Fälle pro Leistung, "
	  "die fristgerecht geschlossen wurden (0 bis 100 %)"},
	 {"Service", "Leistung"}, {NULL, NULL}, sla, 3, 1, NULL, 0, 0, 0},
	{"districts", {"Cases per district", "Fälle pro Stadtteil"},
	 {"Cases opened in the period per district, by where they stand now.",
	  "Im Zeitraum eröffnete Fälle pro Stadtteil, nach ihrem heutigen Stand."},
	 {{"SELECT c.district, sum(" OPEN "), sum(c.status IN ('resolved', 'closed')),"
	   " sum(c.status IN ('rejected', 'duplicate'))" SCALE("count(*)") " FROM cases c",
	   NULL, "c.dept = ?", "c.created_at"},
	  {" GROUP BY c.district ORDER BY c.district IS NULL, 1", NULL, NULL, NULL}},
	 "districts-chart", {"Cases per district by status", "Fälle pro Stadtteil nach Status"},
	 {"Stacked horizontal bars: cases per district, split into open, resolved or closed, "
	  "and declined",
	  "Gestapelte waagerechte Balken: Fälle pro Stadtteil, aufgeteilt in offen, erledigt oder "
	  "abgeschlossen, und abgelehnt"},
	 {"District", "Stadtteil"}, {"(no district)", "(kein Stadtteil)"}, districts, 3, 3, NULL, 0,
	 0, 0},
	{"vendors", {"Spend per vendor", "Ausgaben pro Lieferant"},
	 {"Orders from approved to invoiced: gross amounts and invoiced amounts.",
	  "Bestellungen von genehmigt bis abgerechnet: Bruttobeträge und abgerechnete Beträge."},
	 {{"SELECT coalesce(v.name, o.vendor), " SPEND
	   " FROM (SELECT o.*, coalesce(o.award, (SELECT l.vendor FROM order_line l"
	   " WHERE l.order_id = o.id AND l.vendor IS NOT NULL ORDER BY l.line LIMIT 1))"
	   " AS vendor FROM purchase_order o",
	   ORDERS_SPENT, NULL, "o.created_at"},
	  {") o LEFT JOIN vendor v ON v.id = o.vendor GROUP BY o.vendor, v.name"
	   " ORDER BY o.vendor IS NULL, 1", NULL, NULL, NULL}},
	 "vendors-chart", {"Spend per vendor", "Ausgaben pro Lieferant"},
	 {"Horizontal bars: gross amount of approved to invoiced orders per vendor",
	  "Waagerechte Balken: Bruttobetrag genehmigter bis abgerechneter Bestellungen pro "
	  "Lieferant"},
	 {"Vendor", "Lieferant"}, {"(none)", "(keiner)"}, spend, 3, 1, NULL, 0, 0, 1},
	{"procedures", {"Spend per procedure", "Ausgaben pro Vergabeart"},
	 {"Orders from approved to invoiced: gross amounts and invoiced amounts.",
	  "Bestellungen von genehmigt bis abgerechnet: Bruttobeträge und abgerechnete Beträge."},
	 {{"SELECT o.procedure, " SPEND " FROM purchase_order o", ORDERS_SPENT, NULL,
	   "o.created_at"},
	  {" GROUP BY o.procedure ORDER BY 1", NULL, NULL, NULL}},
	 "procedures-chart", {"Spend per procedure", "Ausgaben pro Vergabeart"},
	 {"Horizontal bars: gross amount of approved to invoiced orders per procurement procedure",
	  "Waagerechte Balken: Bruttobetrag genehmigter bis abgerechneter Bestellungen pro "
	  "Vergabeart"},
	 {"Procedure", "Vergabeart"}, {NULL, NULL}, spend, 3, 1, NULL, 0, 0, 1},
	{"budgets", {"Budget use", "Haushaltsmittel"},
	 {"Per budget: spent (invoiced) and committed (approved, not yet invoiced).",
	  "Pro Haushaltsstelle: ausgegeben (abgerechnet) und gebunden (genehmigt, noch nicht "
	  "abgerechnet)."},
	 {{"SELECT label, spent, committed, amount, amount - committed - spent,"
	   " max(max(amount, committed + spent)) OVER (), count(*) OVER () FROM"
	   " (SELECT b.account || '/' || b.year || coalesce(' ' || b.name, '') AS label,"
	   " b.amount / 100.0 AS amount,"
	   " u.committed / 100.0 AS committed, u.spent / 100.0 AS spent FROM budget b"
	   " JOIN budget_use u ON u.account = b.account AND u.year = b.year) ORDER BY label",
	   NULL, NULL, NULL}},
	 "budgets-chart", {"Budget use", "Haushaltsmittel"},
	 {"Stacked horizontal bars: spent and committed amount per budget",
	  "Gestapelte waagerechte Balken: ausgegebener und gebundener Betrag pro Haushaltsstelle"},
	 {"Budget", "Haushaltsstelle"}, {NULL, NULL}, budget, 4, 2, NULL, 0, 0, 1},
	{"shop", {"Shop orders", "Shop-Bestellungen"},
	 {"Click & collect orders per merchant and status.",
	  "Click-&-Collect-Bestellungen pro Händler und Status."},
	 {{"SELECT coalesce(m.name, o.merchant) || ' — ' || o.status, sum(o.total) / 100.0,"
	   " count(*)" SCALE("sum(o.total) / 100.0")
	   " FROM shop_order o LEFT JOIN merchant m ON m.id = o.merchant",
	   NULL, NULL, "o.created_at"},
	  {" GROUP BY o.merchant, o.status, m.name ORDER BY 1", NULL, NULL, NULL}},
	 "shop-chart", {"Shop order totals per merchant and status",
	               "Summe der Shop-Bestellungen pro Händler und Status"},
	 {"Horizontal bars: total amount of click and collect orders per merchant and status",
	  "Waagerechte Balken: Gesamtbetrag der Click-&-Collect-Bestellungen pro Händler und "
	  "Status"},
	 {"Merchant — status", "Händler — Status"}, {NULL, NULL}, shop, 2, 1, NULL, 0, 0, 1},
	{"feed", {"Feed activity", "Aktivität im Stadtfeed"},
	 {"Posts, flags and hidden posts per week.",
	  "Beiträge, Meldungen und verborgene Beiträge pro Woche."},
	 {{"SELECT created_at, 0 FROM post", NULL, NULL, "created_at"},
	  {" UNION ALL SELECT created_at, 1 FROM flag", NULL, NULL, "created_at"},
	  {" UNION ALL SELECT created_at, 2 FROM post", "status = 'hidden'", NULL, "created_at"}},
	 "feed-chart", {"Feed activity per week", "Aktivität im Stadtfeed pro Woche"},
	 {"Feed posts, flags and hidden posts", "Beiträge, Meldungen und verborgene Beiträge"},
	 {NULL, NULL}, {NULL, NULL}, NULL, 0, 0, feed_series, 3, 0, 1},
};

/* COL CMP the instant AT ("col >= ?"), when there is one. */
static void
bound(struct dc_q *q, const char *col, const char *cmp, const char *at)
{
	if (!*at)
		return;
	dc_q_open(q);
	dc_q_sql(q, col);
	dc_q_text(q, cmp, at);
	dc_q_close(q);
}

/* What a section's statement needs besides its SQL. */
struct window {
	const char *since, *until; /* instants, "" for an open end */
	const char *dept;          /* the department the report is for, or NULL */
	char now[21], month[21];   /* ?1 and ?2 (section.now) */
};

/* A section's statement: the window's time bounds on its parts' columns, the department. */
static int
prep(struct dc *ctx, const struct section *s, const struct window *w, struct dc_stmt **st)
{
	struct dc_q q = {0};
	const struct part *p;

	if (s->now)
		dc_q_param(&q, w->now);
	if (s->now > 1)
		dc_q_param(&q, w->month);
	for (p = s->sql; p < s->sql + NPARTS && p->sql; p++) {
		/* each part is a SELECT of its own: its first condition opens WHERE */
		dc_q_select(&q, p->sql);
		if (p->where)
			dc_q_where(&q, p->where);
		if (p->dept && w->dept)
			dc_q_where_if(&q, p->dept, w->dept);
		if (p->at) {
			bound(&q, p->at, " >= ?", w->since);
			bound(&q, p->at, " <= ?", w->until);
		}
	}
	return dc_q_prepare(ctx, &q, st);
}

/* Whose cases the report covers: auditors and admins any one department or all of them,
 * heads and clerks their own. */
static int
scope(struct dc *ctx, const struct dc_export *x, const char **dept)
{
	if (dc_has_role(ctx, "auditor")) {
		*dept = x->department;
		return dc_org_dept_known(ctx, "department", x->department);
	}
	if (!ctx->dept)
		return dc_error(ctx, DC_EPERM, "permission denied: '%s' belongs to no department",
		                ctx->actor ? ctx->actor : "");
	if (x->department && strcmp(x->department, ctx->dept))
		return dc_error(ctx, DC_EPERM,
		                "permission denied: '%s' may export the report of department '%s'"
		                " only, not of '%s'",
		                ctx->actor ? ctx->actor : "", ctx->dept, x->department);
	*dept = ctx->dept;
	return 0;
}

static int
report(struct dc *ctx, const struct dc_export *x)
{
	static tr title = {"Report", "Bericht"}, as_of = {"Internal report as of %s%s",
	                                                 "Interner Bericht, Stand %s%s"},
	          period = {"Internal report for %s to %s%s", "Interner Bericht vom %s bis %s%s"},
	          of_dept = {" — department %s", " — Amt %s"},
	          weeks = {"%s per week for the %d weeks from %s to %s",
	                   "%s pro Woche in den %d Wochen vom %s bis %s"};
	enum lang lang = page_lang(ctx);
	const struct section *s;
	struct dc_stmt *st = NULL;
	struct window w = {x->since_at, x->until_at, NULL, "", ""};
	long end, first, today, since;
	char from[21], day[32], day2[32], *sub, *who = NULL;
	int rc, y, m, d;

	if ((rc = dc_require(ctx, "auditor head clerk", "export the report")) ||
	    (rc = scope(ctx, x, &w.dept)))
		return rc;
	if (w.dept)
		who = dc_printf(of_dept[lang], w.dept);
	today = dc_local_days(ctx, dc_now(ctx));
	dc_fmt_time(dc_now(ctx), w.now);
	dc_civil_from_days(today, &y, &m, &d);
	dc_fmt_time(dc_local_start_of_day(ctx, dc_days_from_civil(y, (unsigned)m, 1)), w.month);
	if (!x->until || dc_parse_date(x->until, &end) < 0)
		end = today;
	first = end - dc_weekday(end) - (WEEKS - 1) * 7;
	dc_fmt_time(dc_local_start_of_day(ctx, first), from);
	if (*x->since_at && strcmp(x->since_at, from) > 0)
		strcpy(from, x->since_at);
	fmt_day(lang, end, 0, day, sizeof day);
	if (x->since && dc_parse_date(x->since, &since) >= 0) {
		fmt_day(lang, since, 0, day2, sizeof day2);
		sub = dc_printf(period[lang], day2, day, who ? who : "");
	} else
		sub = dc_printf(as_of[lang], day, who ? who : "");
	page_begin(ctx, lang, title[lang], sub);
	free(sub);
	free(who);
	fmt_day(lang, first, 0, day2, sizeof day2);
	for (s = sections; s < sections + sizeof sections / sizeof *sections; s++) {
		if (s->city && w.dept)
			continue;
		section_begin(s->id, s->heading[lang], s->intro[lang]);
		if (s->series) {
			struct window weekly_w = w;

			weekly_w.since = from;
			if ((rc = prep(ctx, s, &weekly_w, &st)))
				return rc;
			sub = dc_printf(weeks[lang], s->desc[lang], WEEKS, day2, day);
			rc = weekly(ctx, lang, st, first, s->chart, s->title[lang], sub, s->series,
			            s->nseries);
			free(sub);
		} else if (!(rc = prep(ctx, s, &w, &st)))
			rc = hbars(ctx, lang, st, s->chart, s->title[lang], s->desc[lang],
			           s->first[lang], s->none[lang], s->cols, s->ncols, s->nchart);
		if (rc)
			return rc;
	}
	page_end();
	return dc_export_flush(ctx);
}

/* The public board: no reporter, no assignee, no actor, no internal event. */
static int
board(struct dc *ctx, const struct dc_export *x)
{
	static const struct col groups[] = {
	    {{"new", "neu"}, 'i'},
	    {{"in progress", "in Bearbeitung"}, 'i'},
	    {{"resolved or closed", "erledigt oder abgeschlossen"}, 'i'},
	    {{"declined", "abgelehnt"}, 'i'}};
	static tr title = {"Status board", "Statusübersicht"},
	          as_of = {"Public status board as of %s", "Öffentliche Statusübersicht, Stand %s"},
	          by_district = {"Cases by district and status", "Fälle nach Stadtteil und Status"},
	          bars = {"Stacked horizontal bars: cases per district, split into new, in "
	                  "progress, resolved or closed, and declined",
	                  "Gestapelte waagerechte Balken: Fälle pro Stadtteil, aufgeteilt in neu, "
	                  "in Bearbeitung, erledigt oder abgeschlossen, und abgelehnt"},
	          district = {"District", "Stadtteil"}, none = {"(no district)", "(kein Stadtteil)"},
	          latest = {"Latest public updates", "Neueste öffentliche Meldungen"},
	          latest_intro = {"The 50 most recent public status changes and notes.",
	                          "Die 50 neuesten öffentlichen Statusänderungen und Hinweise."},
	          head[] = {{"Date", "Datum"},     {"Case", "Fall"},     {"Service", "Leistung"},
	                    {"District", "Stadtteil"}, {"Status", "Status"}, {"Note", "Hinweis"}},
	          no_updates = {"No public updates.", "Keine öffentlichen Meldungen."};
	enum lang lang = page_lang(ctx);
	struct dc_stmt *st = NULL;
	char day[32], when[48], *sub;
	size_t i;
	int rc, n = 0;

	fmt_day(lang, dc_local_days(ctx, dc_now(ctx)), 0, day, sizeof day);
	sub = dc_printf(as_of[lang], day);
	page_begin(ctx, lang, title[lang], sub);
	free(sub);

	section_begin("districts", by_district[lang], NULL);
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT c.district, sum(c.status = 'new'),"
	                     " sum(c.status IN ('assigned', 'in_progress', 'waiting')),"
	                     " sum(c.status IN ('resolved', 'closed')),"
	                     " sum(c.status IN ('rejected', 'duplicate'))" SCALE(
	                         "count(*)") " FROM cases c GROUP BY c.district ORDER BY "
	                                     "c.district IS NULL, 1")) ||
	    (rc = hbars(ctx, lang, st, "districts-chart", by_district[lang], bars[lang],
	                district[lang], none[lang], groups, 4, 4)))
		return rc;

	section_begin("notes", latest[lang], latest_intro[lang]);
	if ((rc = dc_prepare(
	         ctx, &st,
	         "SELECT e.at, e.ref, s.name, c.district, e.kind, e.to_value, e.note FROM event e"
	         " JOIN cases c ON c.id = e.ref JOIN service s ON s.code = c.service"
	         " WHERE e.entity = 'case' AND e.visibility = 'public'"
	         " AND e.kind IN ('status', 'note')"
	         " AND (e.kind = 'status' OR e.note IS NOT NULL)"
	         " ORDER BY e.id DESC LIMIT 50")))
		return rc;
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		if (!n++) {
			fputs("<table>\n<caption>", stdout);
			esc(latest[lang]);
			fputs("</caption>\n<thead><tr>", stdout);
			for (i = 0; i < sizeof head / sizeof *head; i++)
				printf("<th scope=\"col\">%s</th>", head[i][lang]);
			fputs("</tr></thead>\n<tbody>\n", stdout);
		}
		fmt_when(ctx, lang, dc_col_text(st, 0), when, sizeof when);
		fputs("<tr><td>", stdout);
		esc(when);
		fputs("</td><th scope=\"row\">", stdout);
		esc(coltext(st, 1));
		fputs("</th><td>", stdout);
		esc(coltext(st, 2));
		fputs("</td><td>", stdout);
		esc(coltext(st, 3));
		fputs("</td><td>", stdout);
		if (!strcmp(coltext(st, 4), "status"))
			esc(status_name(lang, coltext(st, 5)));
		fputs("</td><td>", stdout);
		esc(coltext(st, 6));
		fputs("</td></tr>\n", stdout);
	}
	dc_finish(ctx, st);
	if (rc)
		return rc;
	if (n)
		fputs("</tbody>\n</table>\n</section>\n", stdout);
	else
		printf("<p class=\"empty\">%s</p>\n</section>\n", no_updates[lang]);
	page_end();
	(void)x;
	return dc_export_flush(ctx);
}

int
dc_export_html(struct dc *ctx, const struct dc_export *x)
{
	return !strcmp(x->dataset, "board") ? board(ctx, x) : report(ctx, x);
}
