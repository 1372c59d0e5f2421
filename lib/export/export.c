/* dc-export: dataset dispatch, the generic formats, atomic -o files, git publication, SQL. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases/cases.h"
#include "export/export.h"
#include "feed/feed.h"
#include "notify/notify.h"
#include "procure/procure.h"
#include "shop/shop.h"

static const struct dc_rectype rt_catalog = {"catalog item",
                                             (const struct dc_field[]){{"id", DC_T_STR},
                                                                       {"vendor", DC_T_STR},
                                                                       {"sku", DC_T_STR},
                                                                       {"name", DC_T_STR},
                                                                       {"unit", DC_T_STR},
                                                                       {"price", DC_T_PRICE},
                                                                       {"currency", DC_T_STR},
                                                                       {"vat", DC_T_REAL},
                                                                       {"category", DC_T_STR},
                                                                       {"gtin", DC_T_STR},
                                                                       {"description", DC_T_STR},
                                                                       {"min_qty", DC_T_REAL},
                                                                       {"valid_from", DC_T_STR},
                                                                       {"valid_until", DC_T_STR},
                                                                       {"tiers", DC_T_JSON},
                                                                       {"attributes", DC_T_JSON},
                                                                       {"status", DC_T_STR},
                                                                       {"updated_at", DC_T_STR}},
                                             18};

static const struct dc_rectype rt_summary = {"export",
                                             (const struct dc_field[]){{"dataset", DC_T_STR},
                                                                       {"format", DC_T_STR},
                                                                       {"path", DC_T_STR},
                                                                       {"commit", DC_T_STR},
                                                                       {"changed", DC_T_BOOL}},
                                             5};

/* Which formats beyond the generic ones each dataset has (the first is its git extension
 * default when the format is generic), and which of its formats are public: a file in any
 * other holds personal or internal data and is written 0600 (dc_file_mode). */
static const struct {
	const char *name, *formats, *public;
	const char *only; /* its formats only, this one the default */
} datasets[] = {
    {"cases", "open311-json open311-xml", "open311-json open311-xml", NULL},
    {"case-events", "open311-json open311-xml", "open311-json open311-xml", NULL},
    {"services", "open311-json open311-xml", "*", NULL},
    {"orders", "ocds", "ocds", NULL},
    {"budgets", "", "", NULL},
    {"catalog", "", "", NULL},
    {"products", "", "*", NULL},
    {"shop-orders", "", "", NULL},
    {"notifications", "", "", NULL},
    {"posts", "atom rss jsonfeed", "*", NULL},
    {"events", "ical", "*", NULL},
    {"report", "html", "", "html"},
    {"board", "html", "*", "html"},
    {"dcat", "ttl rdfxml", "*", "ttl"},
    {NULL, NULL, NULL, NULL},
};

static int
word_in(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p = list;

	while ((p = strstr(p, w))) {
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

/* ---- the generic formats ---- */

/* The datasets whose queries export builds itself: their filters and their statements. */

static int
case_events(struct dc *ctx, const struct dc_export *x, struct dc_stmt **st)
{
	struct dc_q q = {0};
	int rc;

	if ((rc = dc_require(ctx, "auditor head clerk", "export case events")))
		return rc;
	dc_q_sql(&q, "SELECT e.id, e.ref, e.at, e.kind, e.actor, e.on_behalf_of, e.from_value,"
	             " e.to_value, e.note, e.visibility FROM event e JOIN cases c ON c.id = e.ref");
	dc_q_where(&q, "e.entity = 'case'");
	/* clerks and heads see their own department only */
	if (!dc_has_role(ctx, "auditor"))
		dc_q_where_if(&q, "c.dept = ?", ctx->dept ? ctx->dept : "");
	return dc_export_query(ctx, &q, dc_export_events_spec, x, " ORDER BY e.id", st);
}

static const struct dc_opt catalog_spec[] = {
	{"status", DC_V_ENUM, 0, "active discontinued", "S", NULL, "i.status = ?", DC_NOFIELD},
	{NULL},
};

static int
catalog(struct dc *ctx, const struct dc_export *x, struct dc_stmt **st)
{
	struct dc_q q = {0};
	int rc;

	/* vendors' prices are internal: the readers of dc-order catalog search */
	if ((rc = dc_require(ctx, "buyer auditor head clerk integrator", "export catalogs")))
		return rc;
	dc_q_sql(&q, "SELECT i.vendor || ':' || i.sku, i.vendor, i.sku, i.name, i.unit, i.price,"
	             " i.currency, i.vat, i.category, i.gtin, i.description, i.min_qty,"
	             " i.valid_from, i.valid_until, i.tiers, i.attributes, i.status, i.updated_at"
	             " FROM catalog_live i");
	return dc_export_query(ctx, &q, catalog_spec, x, " ORDER BY i.vendor, i.sku", st);
}

static const struct dc_opt outbox_spec[] = {
	{"since", DC_V_DATE, DC_O_DAYSTART, NULL, "DATE", NULL, "created_at >= ?", DC_NOFIELD},
	{"until", DC_V_DATE, DC_O_DAYEND, NULL, "DATE", NULL, "created_at <= ?", DC_NOFIELD},
	{"status", DC_V_ENUM, 0, "pending sending sent failed dead", "S", NULL, "status = ?",
	 DC_NOFIELD},
	{NULL},
};

static int
notifications(struct dc *ctx, const struct dc_export *x, struct dc_stmt **st)
{
	struct dc_q q = {0};
	int rc;

	if ((rc = dc_require(ctx, "integrator auditor", "export notifications")))
		return rc;
	dc_q_sql(&q, "SELECT " DC_NOTIFY_COLS " FROM outbox");
	return dc_export_query(ctx, &q, outbox_spec, x, " ORDER BY id", st);
}

static int
generic(struct dc *ctx, const struct dc_export *x)
{
	const char *ds = x->dataset;
	struct dc_stmt *st = NULL;
	const struct dc_rectype *rt = NULL;
	struct dc_args f = {0};
	int rc;

	dc_export_filters(x, &f);
	if (!strcmp(ds, "cases")) {
		/* internal: carries the reporter; dc_case_list checks the role */
		rt = &dc_rt_case;
		rc = dc_case_list(ctx, &f, &st);
	} else if (!strcmp(ds, "case-events")) {
		rt = &dc_rt_event;
		rc = case_events(ctx, x, &st);
	} else if (!strcmp(ds, "services")) {
		rt = &dc_rt_service;
		rc = dc_case_service_list(ctx, NULL, &st);
	} else if (!strcmp(ds, "orders")) {
		rt = &dc_rt_order;
		rc = dc_procure_order_list(ctx, NULL, &f, &st);
	} else if (!strcmp(ds, "budgets")) {
		rt = &dc_rt_budget;
		rc = dc_procure_budget_list(ctx, NULL, x->department, NULL, &st);
	} else if (!strcmp(ds, "catalog")) {
		rt = &rt_catalog;
		rc = catalog(ctx, x, &st);
	} else if (!strcmp(ds, "products")) {
		rt = &dc_rt_product;
		rc = dc_shop_product_list(ctx, NULL, NULL, &st);
	} else if (!strcmp(ds, "shop-orders")) {
		rt = &dc_rt_shop_order;
		rc = dc_shop_order_list(ctx, NULL, &f, &st);
	} else if (!strcmp(ds, "notifications")) {
		rt = &dc_rt_notification;
		rc = notifications(ctx, x, &st);
	} else {
		/* posts and events: what the public feed shows (visible and locked posts) */
		struct dc_feed_query q = {NULL, NULL, NULL, NULL, NULL, -1};

		q.kind = !strcmp(ds, "events") ? "event" : NULL;
		q.since = *x->since_at ? x->since_at : NULL;
		rt = &dc_rt_post;
		rc = dc_feed_list(ctx, &q, &st);
	}
	dc_args_free(&f);
	return rc ? rc : dc_out_query(ctx, rt, st);
}

static int
set_generic(struct dc *ctx, const char *f)
{
	static const char *const names[] = {"table", "jsonl", "json", "csv", "tsv", "ndjson"};
	static const enum dc_format fmts[] = {DC_FMT_TABLE, DC_FMT_JSONL, DC_FMT_JSON,
	                                      DC_FMT_CSV,   DC_FMT_TSV,   DC_FMT_JSONL};
	size_t i;

	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(f, names[i])) {
			ctx->format = fmts[i];
			return 1;
		}
	return 0;
}

static const char *
format_name(struct dc *ctx)
{
	static const char *const n[] = {"table", "jsonl", "json", "csv", "tsv"};

	return n[ctx->format];
}

static enum dc_privacy
privacy(const struct dc_export *x)
{
	int i;

	for (i = 0; datasets[i].name && strcmp(datasets[i].name, x->dataset); i++)
		;
	if (!datasets[i].name || !strcmp(datasets[i].public, ""))
		return DC_PRIVATE;
	if (!strcmp(datasets[i].public, "*"))
		return DC_PUBLIC;
	return x->format && word_in(datasets[i].public, x->format) ? DC_PUBLIC : DC_PRIVATE;
}

static int
write_export(struct dc *ctx, struct dc_export *x)
{
	const char *f = x->format;

	if (!f || set_generic(ctx, f))
		return generic(ctx, x);
	if (!strcmp(f, "open311-json") || !strcmp(f, "open311-xml")) {
		int xml = !strcmp(f, "open311-xml");

		return !strcmp(x->dataset, "cases") ? dc_export_open311_cases(ctx, x, xml)
		       : !strcmp(x->dataset, "case-events")
		           ? dc_export_open311_events(ctx, x, xml)
		           : dc_export_open311_services(ctx, x, xml);
	}
	if (!strcmp(f, "ocds"))
		return dc_export_ocds(ctx, x);
	if (!strcmp(f, "ical"))
		return dc_export_ical(ctx, x);
	if (!strcmp(f, "html"))
		return dc_export_html(ctx, x);
	if (!strcmp(f, "ttl") || !strcmp(f, "rdfxml"))
		return dc_export_dcat(ctx, x, !strcmp(f, "rdfxml"));
	return dc_export_feed(ctx, x, f);
}

/* ---- atomic files: stdout points at a temporary file in the target's directory ---- */

struct redirect {
	char *tmp; /* temporary file name; owned */
	int saved; /* the real stdout, dup'ed */
};

static int
redirect_begin(struct dc *ctx, const char *path, enum dc_privacy p, struct redirect *r)
{
	int rc, fd;

	if ((rc = dc_file_tmp(ctx, path, p, &r->tmp, &fd)))
		return rc;
	fflush(stdout);
	r->saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	return 0;
}

static int
redirect_end(struct dc *ctx, const char *path, struct redirect *r, int rc)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		clearerr(stdout);
		if (!rc)
			rc = dc_error(ctx, DC_EIO, "write error on '%s'", path);
	}
	if (!rc && fsync(STDOUT_FILENO))
		rc = dc_error(ctx, DC_EIO, "cannot sync '%s': %s", path, strerror(errno));
	dup2(r->saved, STDOUT_FILENO);
	close(r->saved);
	if (!rc && rename(r->tmp, path))
		rc = dc_error(ctx, DC_ECANTCREAT, "cannot rename to '%s': %s", path,
		              strerror(errno));
	if (rc)
		unlink(r->tmp);
	free(r->tmp);
	return rc;
}

static int
write_file(struct dc *ctx, struct dc_export *x, const char *path)
{
	struct redirect r = {NULL, -1};
	int rc;

	if ((rc = redirect_begin(ctx, path, privacy(x), &r)))
		return rc;
	return redirect_end(ctx, path, &r, write_export(ctx, x));
}

/* ---- git publication ---- */

static int
git_write(struct dc *ctx, void *x, const char *full, const char *old, size_t oldlen)
{
	return write_file(ctx, x, full);
}

static int
publish(struct dc *ctx, struct dc_export *x, const char *format)
{
	struct dc_git g = {x->git_repo, x->git_branch, NULL, x->git_message, "", 0};
	char *path = NULL, *msg = NULL;
	int rc;

	g.path = path = x->git_path ? dc_strdup(x->git_path)
	                            : dc_printf("%s.%s", x->dataset, dc_export_ext(format));
	if (!g.message)
		g.message = msg = dc_printf("dc-export %s (%s)", x->dataset, format);
	if (!(rc = dc_git_commit(ctx, &g, git_write, x))) {
		const char *vals[] = {x->dataset, format, path, g.commit, g.changed ? "1" : "0"};

		if (ctx->format == DC_FMT_CSV || ctx->format == DC_FMT_TSV ||
		    ctx->format == DC_FMT_JSON)
			ctx->format = DC_FMT_JSONL;
		if (!(rc = dc_out_begin(ctx, &rt_summary)) && !(rc = dc_out_row(ctx, vals)))
			rc = dc_out_end(ctx);
	}
	free(msg);
	free(path);
	return rc;
}

/* ---- the entry point ---- */

static int
window(struct dc *ctx, const char *opt, const char *v, int end, char out[21])
{
	long d;

	*out = '\0';
	if (!v)
		return 0;
	if (dc_parse_date(v, &d) < 0)
		return dc_error(ctx, DC_EUSAGE, "--%s: '%s' is not a date (YYYY-MM-DD)", opt, v);
	dc_fmt_time(end ? dc_local_end_of_day(ctx, d) : dc_local_start_of_day(ctx, d), out);
	return 0;
}

int
dc_export_run(struct dc *ctx, struct dc_export *x)
{
	const char *f = x->format;
	int i, rc;

	for (i = 0; datasets[i].name && strcmp(datasets[i].name, x->dataset); i++)
		;
	if (!datasets[i].name)
		return dc_error(ctx, DC_EUSAGE, "unknown dataset '%s'", x->dataset);
	if (datasets[i].only && !f)
		f = datasets[i].only; /* report and board: html only; dcat: ttl or rdfxml */
	else if (datasets[i].only && !word_in(datasets[i].formats, f))
		return dc_error(ctx, DC_EUSAGE, "dataset '%s' has no format '%s' (%s)", x->dataset,
		                f, datasets[i].formats);
	if (f && !datasets[i].only && !set_generic(ctx, f) && !word_in(datasets[i].formats, f))
		return dc_error(ctx, DC_EUSAGE,
		                "dataset '%s' has no format '%s' (table, csv, tsv, json, "
		                "jsonl%s%s)",
		                x->dataset, f, *datasets[i].formats ? " " : "",
		                datasets[i].formats);
	if (f && !datasets[i].only && set_generic(ctx, f))
		f = NULL; /* generic: ctx->format says which */
	x->format = f;
	if ((rc = window(ctx, "since", x->since, 0, x->since_at)) ||
	    (rc = window(ctx, "until", x->until, 1, x->until_at)))
		return rc;
	if ((x->git_path || x->git_branch || x->git_message) && !x->git_repo)
		return dc_error(ctx, DC_EUSAGE,
		                "--git-path, --git-branch and --git-message need --git-repo");
	if (x->git_repo && x->output)
		return dc_error(ctx, DC_EUSAGE, "-o and --git-repo exclude each other");
	if (!f && ctx->format == DC_FMT_TABLE && (x->git_repo || x->output))
		ctx->format = DC_FMT_CSV; /* a file gets data, not a terminal table */
	if ((rc = dc_db_open(ctx)) || (rc = dc_whoami(ctx)))
		return rc;
	if (x->git_repo)
		return publish(ctx, x, f ? f : format_name(ctx));
	if (x->output)
		return write_file(ctx, x, x->output);
	return write_export(ctx, x);
}

/* ---- read-only SQL ---- */

static int sql_rows(struct dc *ctx, const char *sql);

int
dc_export_sql(struct dc *ctx, const char *sql, const char *output)
{
	struct redirect r = {NULL, -1};
	int rc;

	if (!output)
		return sql_rows(ctx, sql);
	if (ctx->format == DC_FMT_TABLE)
		ctx->format = DC_FMT_CSV;
	/* a query may read anything: its file is private */
	if ((rc = redirect_begin(ctx, output, DC_PRIVATE, &r)))
		return rc;
	return redirect_end(ctx, output, &r, sql_rows(ctx, sql));
}

/* A value's own type decides how it is written, never its column's first row: a column of
 * `CASE WHEN … THEN 1 ELSE description END` has numbers and text, and text written as a
 * number would be raw JSON (a key injected) or an Excel formula let through.  A real that is
 * not finite has no JSON number: it is written as text. */
static void
sql_types(struct dc_stmt *st, struct dc_field *fields, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		enum dc_coltype t = dc_col_type(st, i);

		fields[i].type = t == DC_COL_INT                                    ? DC_T_INT
		                 : t == DC_COL_REAL && isfinite(dc_col_double(st, i)) ? DC_T_REAL
		                                                                      : DC_T_STR;
	}
}

static int
sql_rows(struct dc *ctx, const char *sql)
{
	struct dc_stmt *st = NULL;
	struct dc_field *fields = NULL;
	struct dc_rectype rt;
	int rc, i, n;

	if ((rc = dc_db_open_readonly(ctx)) || (rc = dc_require(ctx, "auditor", "run SQL exports")))
		return rc;
	if ((rc = dc_prepare_query(ctx, &st, sql)))
		return rc;
	if ((n = dc_col_count(st)) < 1 || n > 64) {
		rc = dc_error(ctx, DC_EUSAGE, "sql: a query with 1 to 64 columns is needed");
		goto done;
	}
	if (!(fields = calloc((size_t)n, sizeof *fields)))
		abort();
	for (i = 0; i < n; i++) {
		fields[i].name = dc_col_name(st, i);
		fields[i].type = DC_T_STR;
	}
	rt.name = "row";
	rt.fields = fields;
	rt.nfields = n;
	if ((rc = dc_out_begin(ctx, &rt)))
		goto done;
	/* the writer reads the types through rt for each row it writes */
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		sql_types(st, fields, n);
		if ((rc = dc_out_stmt(ctx, st)))
			goto done;
	}
	if (!rc)
		rc = dc_out_end(ctx);
done:
	if (rc)
		dc_out_discard(ctx);
	dc_finish(ctx, st);
	free(fields);
	return rc;
}
