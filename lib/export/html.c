/*
 * The HTML report (internal: auditor, head, admin) and the public status board (anyone), each
 * one self-contained HTML5 page: inline CSS with print rules, inline SVG charts that carry
 * role="img", a <title> and a <desc>, and the charted numbers as a table under each chart.
 * No network resources.  Every query streams; the charts are drawn from one pass over the
 * statement and the table from a second (dc_reset).  Dates come from the clock
 * (DC_NOW) and the data only, so an unchanged database gives a byte-identical page.
 */
#include <stdlib.h>
#include <string.h>

#include "export/export.h"

#define WEEKS 12

static const char *const palette[] = {"#1f5fa8", "#d9822b", "#3a8a3a", "#a33b3b"};

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

/* A number as the column format says: i integer, m money, d one decimal, p percent. */
static void
fmtnum(char fmt, double v, char *buf, size_t n)
{
	snprintf(buf, n,
	         fmt == 'm'   ? "%.2f"
	         : fmt == 'd' ? "%.1f"
	         : fmt == 'p' ? "%.1f %%"
	                      : "%.0f",
	         v);
}

static void
page_begin(struct dc *ctx, const char *title, const char *subtitle)
{
	char *city = dc_setting(ctx, "city.name");

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      stdout);
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
	const char *name;
	char fmt; /* i m d p, or s: text */
};

static void
table_head(const char *caption, const char *first, const struct col *cols, int n)
{
	int i;

	fputs("<table>\n<caption>", stdout);
	esc(caption);
	fputs("</caption>\n<thead><tr><th scope=\"col\">", stdout);
	esc(first);
	fputs("</th>", stdout);
	for (i = 0; i < n; i++) {
		printf("<th scope=\"col\"%s>", cols[i].fmt == 's' ? "" : " class=\"n\"");
		esc(cols[i].name);
		fputs("</th>", stdout);
	}
	fputs("</tr></thead>\n<tbody>\n", stdout);
}

/*
 * Horizontal (stacked) bars from st: column 0 the label, 1..ncols the table's columns of which
 * the first nchart are charted (stacked), then the scale maximum and the row count (both as
 * window functions over the whole result).  Finalizes st.
 */
static int
hbars(struct dc *ctx, struct dc_stmt *st, const char *id, const char *title, const char *desc,
      const char *first, const struct col *cols, int ncols, int nchart)
{
	const char *names[4];
	double max;
	int rc, rows, row = 0, i, h;
	char buf[64];

	if ((rc = dc_step(ctx, st)) != DC_ROW) {
		dc_finish(ctx, st);
		if (rc)
			return rc;
		fputs("<p class=\"empty\">No data.</p>\n</section>\n", stdout);
		return 0;
	}
	max = dc_col_double(st, ncols + 1);
	rows = dc_col_int(st, ncols + 2);
	h = 20 + rows * 24 + (nchart > 1 ? 24 : 0);
	svg_begin(id, 720, h, title, desc);
	for (i = 0; i < nchart && i < 4; i++)
		names[i] = cols[i].name;
	legend(names, nchart, 4);
	do {
		int y = (nchart > 1 ? 28 : 4) + row * 24;
		double x = 220, total = 0;

		fputs("<text x=\"214\" text-anchor=\"end\" y=\"", stdout);
		printf("%d\">", y + 15);
		esc(coltext(st, 0));
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
		fmtnum(cols[0].fmt, total, buf, sizeof buf);
		printf("<text x=\"%.1f\" y=\"%d\">%s</text>\n", x + 4, y + 15, buf);
		row++;
	} while ((rc = dc_step(ctx, st)) == DC_ROW);
	fputs("</svg>\n", stdout);
	if (rc) {
		dc_finish(ctx, st);
		return rc;
	}
	dc_reset(st);
	table_head(title, first, cols, ncols);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		fputs("<tr><th scope=\"row\">", stdout);
		esc(coltext(st, 0));
		fputs("</th>", stdout);
		for (i = 0; i < ncols; i++) {
			if (cols[i].fmt == 's') {
				fputs("<td>", stdout);
				esc(coltext(st, 1 + i));
			} else {
				fmtnum(cols[i].fmt, dc_col_double(st, 1 + i), buf, sizeof buf);
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
weekly(struct dc *ctx, struct dc_stmt *st, long first, const char *id, const char *title,
       const char *desc, const char *const *series, int nseries)
{
	long count[WEEKS][4];
	long max = 0;
	int rc, w, s;
	char day[11];

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
	legend(series, nseries, 4);
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
		dc_fmt_date(first + w * 7, day);
		printf("<text x=\"%d\" y=\"246\">%s</text>\n", gx, day + 5);
	}
	fputs("</svg>\n", stdout);
	{
		struct col cols[4];

		for (s = 0; s < nseries; s++)
			cols[s].name = series[s], cols[s].fmt = 'i';
		table_head(title, "Week starting", cols, nseries);
	}
	for (w = 0; w < WEEKS; w++) {
		dc_fmt_date(first + w * 7, day);
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
	"sum(o.gross) / 100.0, coalesce(sum(CASE WHEN o.status = 'invoiced' THEN o.invoice_amount" \
	" END), 0) / 100.0, count(*)" SCALE("sum(o.gross) / 100.0")

static const char *const opened_closed[] = {"opened", "closed"};
static const char *const feed_series[] = {"posts", "flags", "hidden"};
static const struct col backlog[] = {
    {"new", 'i'}, {"assigned", 'i'}, {"in progress", 'i'}, {"waiting", 'i'}};
static const struct col sla[] = {{"on time %", 'p'}, {"resolved or closed", 'i'}, {"on time", 'i'}};
static const struct col median[] = {{"median days", 'd'}, {"cases", 'i'}};
static const struct col spend[] = {{"gross", 'm'}, {"invoiced", 'm'}, {"orders", 'i'}};
static const struct col budget[] = {
    {"spent", 'm'}, {"committed", 'm'}, {"amount", 'm'}, {"left", 'm'}};
static const struct col shop[] = {{"total", 'm'}, {"orders", 'i'}};

/* One piece of a section's SQL: its text, then the conditions of the SELECT it ends (the one
 * that always applies and the time window on a column), each only when there is one. */
struct part {
	const char *sql, *where, *at;
};
#define NPARTS 3

/*
 * The report's sections in page order.  A section with series counts per week (weekly(): its
 * SQL yields (instant, series) rows from the start of the first week to the end of the
 * window); any other draws horizontal bars (hbars(): its SQL takes the export's time window
 * on the parts' columns).  chart is the chart's id, title its title, desc its description
 * (for a weekly chart the subject of the sentence that names the weeks).
 */
static const struct section {
	const char *id, *heading, *intro;
	struct part sql[NPARTS];
	const char *chart, *title, *desc;
	const char *first;                           /* bars: the first column's heading */
	const struct col *cols;                      /* bars: the table's columns, */
	int ncols, nchart;                           /* of which the first nchart are charted */
	const char *const *series;                   /* weekly: the series' names */
	int nseries;
} sections[] = {
	{"weekly", "Cases opened and closed per week", NULL,
	 {{"SELECT created_at, 0 FROM cases", NULL, "created_at"},
	  {" UNION ALL SELECT closed_at, 1 FROM cases", NULL, "closed_at"}},
	 "weekly", "Cases opened and closed per week", "Cases opened and closed", NULL, NULL, 0, 0,
	 opened_closed, 2},
	{"backlog", "Backlog per department", "Open cases by department and status, now.",
	 {{"SELECT coalesce(d.name, c.dept, '(no department)'),"
	   " sum(c.status = 'new'), sum(c.status = 'assigned'),"
	   " sum(c.status = 'in_progress'), sum(c.status = 'waiting')" SCALE("count(*)")
	   " FROM cases c LEFT JOIN dept d ON d.code = c.dept"
	   " WHERE c.status IN ('new', 'assigned', 'in_progress', 'waiting')"
	   " GROUP BY c.dept ORDER BY 1", NULL, NULL}},
	 "backlog", "Open cases per department by status",
	 "Stacked horizontal bars: open cases per department, split into new, "
	 "assigned, in progress and waiting",
	 "Department", backlog, 4, 4, NULL, 0},
	{"sla", "SLA compliance per service",
	 "Share of resolved or closed cases that were closed by their due date.",
	 {{"SELECT s.name, 100.0 * sum(c.closed_at <= c.due_at) / count(*), count(*),"
	   " sum(c.closed_at <= c.due_at), 100.0, count(*) OVER ()"
	   " FROM cases c JOIN service s ON s.code = c.service",
	   "c.status IN ('resolved', 'closed') AND c.closed_at IS NOT NULL", "c.closed_at"},
	  {" GROUP BY c.service ORDER BY 1", NULL, NULL}},
	 "sla", "SLA compliance per service",
	 "Horizontal bars: percentage of resolved or closed cases per service "
	 "closed by the due date (0 to 100 %)",
	 "Service", sla, 3, 1, NULL, 0},
	{"median", "Median resolution time per service",
	 "Days from opening to resolution of resolved or closed cases.",
	 {{"WITH r AS (SELECT c.service, julianday(c.closed_at) - julianday(c.created_at)"
	   " AS d, row_number() OVER (PARTITION BY c.service ORDER BY"
	   " julianday(c.closed_at) - julianday(c.created_at), c.id) AS rn,"
	   " count(*) OVER (PARTITION BY c.service) AS n FROM cases c",
	   "c.status IN ('resolved', 'closed') AND c.closed_at IS NOT NULL", "c.closed_at"},
	  {") SELECT s.name, avg(r.d), max(r.n)" SCALE("avg(r.d)")
	   " FROM r JOIN service s ON s.code = r.service"
	   " WHERE r.rn IN ((r.n + 1) / 2, (r.n + 2) / 2) GROUP BY r.service ORDER BY 1",
	   NULL, NULL}},
	 "median", "Median resolution time per service (days)",
	 "Horizontal bars: median days from opening to resolution per service", "Service", median,
	 2, 1, NULL, 0},
	{"vendors", "Spend per vendor",
	 "Orders from approved to invoiced: gross amounts and invoiced amounts.",
	 {{"SELECT coalesce(v.name, o.vendor, '(none)'), " SPEND
	   " FROM (SELECT o.*, coalesce(o.award, (SELECT l.vendor FROM order_line l"
	   " WHERE l.order_id = o.id AND l.vendor IS NOT NULL ORDER BY l.line LIMIT 1))"
	   " AS vendor FROM purchase_order o",
	   ORDERS_SPENT, "o.created_at"},
	  {") o LEFT JOIN vendor v ON v.id = o.vendor GROUP BY o.vendor ORDER BY 1", NULL, NULL}},
	 "vendors", "Spend per vendor",
	 "Horizontal bars: gross amount of approved to invoiced orders per vendor", "Vendor", spend,
	 3, 1, NULL, 0},
	{"procedures", "Spend per procedure",
	 "Orders from approved to invoiced: gross amounts and invoiced amounts.",
	 {{"SELECT o.procedure, " SPEND " FROM purchase_order o", ORDERS_SPENT, "o.created_at"},
	  {" GROUP BY o.procedure ORDER BY 1", NULL, NULL}},
	 "procedures", "Spend per procedure",
	 "Horizontal bars: gross amount of approved to invoiced orders per "
	 "procurement procedure",
	 "Procedure", spend, 3, 1, NULL, 0},
	{"budgets", "Budget use",
	 "Per budget: spent (invoiced) and committed (approved, not yet invoiced).",
	 {{"SELECT label, spent, committed, amount, amount - committed - spent,"
	   " max(max(amount, committed + spent)) OVER (), count(*) OVER () FROM"
	   " (SELECT b.account || '/' || b.year || coalesce(' ' || b.name, '') AS label,"
	   " b.amount / 100.0 AS amount,"
	   " coalesce((SELECT sum(gross) FROM purchase_order o WHERE o.budget = b.account"
	   " AND o.year = b.year AND o.status IN ('approved', 'placed', 'received')), 0)"
	   " / 100.0 AS committed,"
	   " coalesce((SELECT sum(invoice_amount) FROM purchase_order o WHERE"
	   " o.budget = b.account AND o.year = b.year AND o.status = 'invoiced'), 0)"
	   " / 100.0 AS spent FROM budget b) ORDER BY label", NULL, NULL}},
	 "budgets", "Budget use", "Stacked horizontal bars: spent and committed amount per budget",
	 "Budget", budget, 4, 2, NULL, 0},
	{"shop", "Shop orders", "Click & collect orders per merchant and status.",
	 {{"SELECT coalesce(m.name, o.merchant) || ' — ' || o.status, sum(o.total) / 100.0,"
	   " count(*)" SCALE("sum(o.total) / 100.0")
	   " FROM shop_order o LEFT JOIN merchant m ON m.id = o.merchant",
	   NULL, "o.created_at"},
	  {" GROUP BY o.merchant, o.status ORDER BY 1", NULL, NULL}},
	 "shop", "Shop order totals per merchant and status",
	 "Horizontal bars: total amount of click and collect orders per merchant and status",
	 "Merchant — status", shop, 2, 1, NULL, 0},
	{"feed", "Feed activity", "Posts, flags and hidden posts per week.",
	 {{"SELECT created_at, 0 FROM post", NULL, "created_at"},
	  {" UNION ALL SELECT created_at, 1 FROM flag", NULL, "created_at"},
	  {" UNION ALL SELECT created_at, 2 FROM post", "status = 'hidden'", "created_at"}},
	 "feed-weekly", "Feed activity per week", "Feed posts, flags and hidden posts", NULL, NULL,
	 0, 0, feed_series, 3},
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

/* A section's statement, the window SINCE to UNTIL ("" for an open end) on its parts' columns. */
static int
prep(struct dc *ctx, const struct part *parts, const char *since, const char *until,
     struct dc_stmt **st)
{
	struct dc_q q = {0};
	const struct part *p;

	for (p = parts; p < parts + NPARTS && p->sql; p++) {
		/* each part is a SELECT of its own: its first condition opens WHERE */
		dc_q_select(&q, p->sql);
		if (p->where)
			dc_q_where(&q, p->where);
		if (p->at) {
			bound(&q, p->at, " >= ?", since);
			bound(&q, p->at, " <= ?", until);
		}
	}
	return dc_q_prepare(ctx, &q, st);
}

static int
report(struct dc *ctx, const struct dc_export *x)
{
	const struct section *s;
	struct dc_stmt *st = NULL;
	long end, first;
	char from[21], day[11], day2[11], *sub;
	int rc;

	if ((rc = dc_require(ctx, "auditor head", "export the report")))
		return rc;
	if (!x->until || dc_parse_date(x->until, &end) < 0)
		end = dc_local_days(ctx, dc_now(ctx));
	first = end - dc_weekday(end) - (WEEKS - 1) * 7;
	dc_fmt_time(dc_local_start_of_day(ctx, first), from);
	if (*x->since_at && strcmp(x->since_at, from) > 0)
		strcpy(from, x->since_at);
	dc_fmt_date(end, day);
	if (x->since)
		sub = dc_printf("Internal report for %s to %s", x->since, day);
	else
		sub = dc_printf("Internal report as of %s", day);
	page_begin(ctx, "Report", sub);
	free(sub);
	dc_fmt_date(first, day2);
	for (s = sections; s < sections + sizeof sections / sizeof *sections; s++) {
		section_begin(s->id, s->heading, s->intro);
		if (s->series) {
			if ((rc = prep(ctx, s->sql, from, x->until_at, &st)))
				return rc;
			sub = dc_printf("%s per week for the %d weeks from %s to %s", s->desc, WEEKS, day2,
			                day);
			rc = weekly(ctx, st, first, s->chart, s->title, sub, s->series, s->nseries);
			free(sub);
		} else if (!(rc = prep(ctx, s->sql, x->since_at, x->until_at, &st)))
			rc = hbars(ctx, st, s->chart, s->title, s->desc, s->first, s->cols, s->ncols,
			           s->nchart);
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
	    {"new", 'i'}, {"in progress", 'i'}, {"resolved or closed", 'i'}, {"declined", 'i'}};
	struct dc_stmt *st = NULL;
	char day[11], *sub;
	int rc, n = 0;

	dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), day);
	sub = dc_printf("Public status board as of %s", day);
	page_begin(ctx, "Status board", sub);
	free(sub);

	section_begin("districts", "Cases by district and status", NULL);
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT coalesce(c.district, '(no district)'), sum(c.status = 'new'),"
	                     " sum(c.status IN ('assigned', 'in_progress', 'waiting')),"
	                     " sum(c.status IN ('resolved', 'closed')),"
	                     " sum(c.status IN ('rejected', 'duplicate'))" SCALE(
	                         "count(*)") " FROM cases c GROUP BY c.district ORDER BY "
	                                     "c.district IS NULL, 1")) ||
	    (rc = hbars(ctx, st, "districts", "Cases by district and status",
	                "Stacked horizontal bars: cases per district, split into new, in progress, "
	                "resolved or closed, and declined",
	                "District", groups, 4, 4)))
		return rc;

	section_begin("notes", "Latest public updates",
	              "The 50 most recent public status changes and notes.");
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
		if (!n++)
			fputs("<table>\n<caption>Latest public updates</caption>\n<thead><tr>"
			      "<th scope=\"col\">Date</th><th scope=\"col\">Case</th>"
			      "<th scope=\"col\">Service</th><th scope=\"col\">District</th>"
			      "<th scope=\"col\">Status</th><th "
			      "scope=\"col\">Note</th></tr></thead>\n"
			      "<tbody>\n",
			      stdout);
		fputs("<tr><td>", stdout);
		esc(coltext(st, 0));
		fputs("</td><th scope=\"row\">", stdout);
		esc(coltext(st, 1));
		fputs("</th><td>", stdout);
		esc(coltext(st, 2));
		fputs("</td><td>", stdout);
		esc(coltext(st, 3));
		fputs("</td><td>", stdout);
		if (!strcmp(coltext(st, 4), "status"))
			esc(coltext(st, 5));
		fputs("</td><td>", stdout);
		esc(coltext(st, 6));
		fputs("</td></tr>\n", stdout);
	}
	dc_finish(ctx, st);
	if (rc)
		return rc;
	fputs(n ? "</tbody>\n</table>\n</section>\n"
	        : "<p class=\"empty\">No public updates.</p>\n</section>\n",
	      stdout);
	page_end();
	(void)x;
	return dc_export_flush(ctx);
}

int
dc_export_html(struct dc *ctx, const struct dc_export *x)
{
	return !strcmp(x->dataset, "board") ? board(ctx, x) : report(ctx, x);
}
