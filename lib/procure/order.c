/*
 * Orders (dc-order(1)): new computes the value, the procedure band and the split check; quotes
 * and the award are recorded; approve checks band, quotes, award, split and budget and
 * freezes the rule version; place queues the order to the vendor; receive and invoice do the
 * three-way match.  Budgets' committed and spent amounts are derived from the orders.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "procure/procure.h"

#define ORDER_COLS                                                                             \
	"o.id, o.dept, o.budget, o.year, o.status, o.category, o.framework, o.procedure,"          \
	" o.min_quotes, o.net, o.gross, o.award, o.award_reason, o.repeat_vendor,"                 \
	" o.split_suspect, o.split_justification, o.tender_ref, o.rule_profile, o.rule_version,"  \
	" o.legal_basis, o.justification,"                                                         \
	" (SELECT group_concat(number, ', ') FROM (SELECT number FROM invoice"                     \
	"   WHERE order_id = o.id AND status = 'booked' ORDER BY id)),"                            \
	" (SELECT gross FROM order_invoiced WHERE order_id = o.id), o.cancel_reason,"              \
	" (SELECT json_group_array(json_object('line', l.line, 'vendor', l.vendor, 'sku', l.sku,"  \
	"   'text', l.text, 'qty', l.qty, 'unit', l.unit, 'unit_net', "                            \
	DC_SQL_PRICE("CASE WHEN l.on_request THEN NULL ELSE l.unit_net END") ","                   \
	"   'on_request', json(CASE WHEN l.on_request THEN 'true' ELSE 'false' END),"             \
	"   'vat', l.vat, 'received', l.received)) FROM (SELECT * FROM order_line l"              \
	"   WHERE l.order_id = o.id ORDER BY l.line) l),"                                          \
	" (SELECT json_group_array(json_object('vendor', q.vendor, 'amount', "                    \
	DC_SQL_MONEY("q.amount") ","                                                               \
	"   'note', q.note, 'at', q.at)) FROM (SELECT * FROM quote q WHERE q.order_id = o.id"      \
	"   ORDER BY q.amount, q.id) q),"                                                          \
	" (SELECT json_group_array(json_object('id', i.id, 'type', i.type, 'number', i.number,"   \
	"   'status', i.status, 'gross', " DC_SQL_MONEY("i.gross") ", 'issue_date',"               \
	"   i.issue_date)) FROM (SELECT * FROM invoice i WHERE i.order_id = o.id"                  \
	"   ORDER BY i.id) i),"                                                                    \
	" o.created_by, o.created_at, o.updated_at"

const struct dc_rectype dc_rt_order = {
	"order",
	(const struct dc_field[]){
	    {"id", DC_T_STR},           {"dept", DC_T_STR},           {"budget", DC_T_STR},
	    {"year", DC_T_INT},         {"status", DC_T_STR},         {"category", DC_T_STR},
	    {"framework", DC_T_STR},    {"procedure", DC_T_STR},      {"min_quotes", DC_T_INT},
	    {"net", DC_T_MONEY},        {"gross", DC_T_MONEY},        {"award", DC_T_STR},
	    {"award_reason", DC_T_STR}, {"repeat_vendor", DC_T_BOOL}, {"split_suspect", DC_T_BOOL},
	    {"split_justification", DC_T_STR}, {"tender_ref", DC_T_STR}, {"rule_profile", DC_T_STR},
	    {"rule_version", DC_T_STR}, {"legal_basis", DC_T_STR},    {"justification", DC_T_STR},
	    {"invoice_number", DC_T_STR}, {"invoice_amount", DC_T_MONEY},
	    {"cancel_reason", DC_T_STR}, {"lines", DC_T_JSON},        {"quotes", DC_T_JSON},
	    {"invoices", DC_T_JSON},
	    {"created_by", DC_T_STR},   {"created_at", DC_T_STR},     {"updated_at", DC_T_STR}},
	30};
const struct dc_rectype dc_rt_order_event = {
	"order event",
	(const struct dc_field[]){{"id", DC_T_INT}, {"order", DC_T_STR}, {"at", DC_T_STR},
	                          {"kind", DC_T_STR}, {"actor", DC_T_STR},
	                          {"on_behalf_of", DC_T_STR}, {"from", DC_T_STR}, {"to", DC_T_STR},
	                          {"note", DC_T_STR}, {"visibility", DC_T_STR}},
	10};
int
dc_procure_num(struct dc *ctx, const char *field, const char *v, const char *what, int scale,
               long long max, const char *currency, long long *out)
{
	int e;

	if (!v || !*v)
		return dc_field_error(ctx, "field '%s' is required", field);
	if (!(e = dc_num_parse(v, ctx->reading, scale, currency, max, out)) && *out < 0)
		e = DC_NUM_BAD;
	/* a bad value is bad data wherever it is given (dcity(7) "Numbers") */
	return e ? dc_num_error(ctx, DC_EDATA, e, field, v, what, scale, max) : 0;
}

static void
today(struct dc *ctx, char buf[11])
{
	dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), buf);
}

static int
event(struct dc *ctx, const char *id, const char *kind, const char *from, const char *to,
      const char *note)
{
	struct dc_event ev = {"order", id, kind, from, to, note, 0};

	return dc_audit(ctx, &ev);
}

/* ---- orders ---- */

/* What a verb needs to know about one order; texts owned. */
struct order {
	char *id, *dept, *status, *category, *framework, *procedure, *award, *budget;
	char *split_justification;
	long year;
	long long net, gross;
	int min_quotes, split_suspect;
};

static void
order_free(struct order *o)
{
	free(o->id);
	free(o->dept);
	free(o->status);
	free(o->category);
	free(o->framework);
	free(o->procedure);
	free(o->award);
	free(o->budget);
	free(o->split_justification);
	memset(o, 0, sizeof *o);
}

static int
order_load(struct dc *ctx, const char *id, struct order *o)
{
	struct dc_stmt *st = NULL;
	int rc;

	memset(o, 0, sizeof *o);
	if ((rc = dc_prepare(ctx, &st, "SELECT id, dept, status, category, framework, procedure,"
	                               " award, budget, split_justification, year, net, gross,"
	                               " min_quotes, split_suspect FROM purchase_order WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		char **f[] = {&o->id,        &o->dept,  &o->status, &o->category,
		              &o->framework, &o->procedure, &o->award, &o->budget,
		              &o->split_justification};

		for (int i = 0; i < 9; i++)
			*f[i] = dc_strdup(dc_col_text(st, i));
		o->year = dc_col_int(st, 9);
		o->net = dc_col_int(st, 10);
		o->gross = dc_col_int(st, 11);
		o->min_quotes = dc_col_int(st, 12);
		o->split_suspect = dc_col_int(st, 13);
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no order '%s'", id);
	dc_finish(ctx, st);
	return rc;
}

static int
need_status(struct dc *ctx, const struct order *o, const char *want, const char *verb)
{
	if (!strcmp(o->status, want))
		return 0;
	return dc_error(ctx, DC_ECONFLICT, "order '%s' is %s; %s needs it %s", o->id, o->status, verb,
	                want);
}

/* The ordering department's staff (head, clerk), buyers and admins may make orders and take
 * their deliveries; WHAT names the act in the refusal. */
static int
may_order(struct dc *ctx, const char *dept, const char *what)
{
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (dc_has_role(ctx, "buyer") || (dc_has_role(ctx, "head clerk") && ctx->dept &&
	                                  !strcmp(ctx->dept, dept)))
		return 0;
	return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not %s for '%s'", ctx->actor,
	                what, dept);
}

/* Sum of the department's other orders of this category and budget year (dc-order(1) split). */
static int
split_sum(struct dc *ctx, const char *dept, long year, const char *category, const char *except,
          long long *sum)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT coalesce(sum(net), 0) FROM purchase_order"
	                               " WHERE dept = ?1 AND year = ?2 AND category IS ?3"
	                               " AND status <> 'cancelled' AND id IS NOT ?4")))
		return rc;
	dc_bind_text_ref(st, 1, dept);
	dc_bind_int(st, 2, year);
	dc_bind_text_ref(st, 3, category);
	dc_bind_text_ref(st, 4, except);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*sum = dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

int
dc_procure_split_suspect(struct dc *ctx, const struct dc_profile *p, const char *dept, long year,
                         const char *category, const char *except, long long net,
                         const char *band, const char *date, long long *others, int *suspect)
{
	struct dc_band b;
	int rc;

	*others = 0;
	*suspect = 0;
	if ((rc = split_sum(ctx, dept, year, category, except, others)) || !*others ||
	    (rc = dc_procure_band(ctx, p, net + *others, category, date, &b)))
		return rc;
	*suspect = dc_procure_rank(b.procedure) > dc_procure_rank(band);
	dc_band_free(&b);
	return 0;
}

struct line {
	char *vendor, *sku, *text, *unit;
	long long qty;      /* thousandths */
	long long unit_net; /* ten-thousandths of a euro; 0 while on_request */
	double vat;
	int on_request; /* no price until the vendor's quote is awarded */
};

/* The net and gross of an order's stored lines that have a price (checked: a line on request
 * has none until its quote is awarded). */
static int
lines_sum(struct dc *ctx, const char *order, long long *net, long long *gross)
{
	struct dc_stmt *st = NULL;
	long long ln, lg;
	int rc;

	*net = *gross = 0;
	if ((rc = dc_prepare(ctx, &st, "SELECT qty, unit_net, vat FROM order_line"
	                               " WHERE order_id = ?1 AND NOT on_request ORDER BY line")))
		return rc;
	dc_bind_text_ref(st, 1, order);
	while ((rc = dc_step(ctx, st)) == DC_ROW)
		if (dc_money_line(llround(dc_col_double(st, 0) * 1000), dc_col_int(st, 1), &ln) ||
		    dc_money_vat(ln, dc_col_double(st, 2), &lg) || dc_money_add(*net, ln, net) ||
		    dc_money_add(*gross, lg, gross)) {
			rc = dc_error(ctx, DC_EDATA, "order '%s': its value is above the maximum",
			              order);
			break;
		}
	dc_finish(ctx, st);
	return rc;
}

/* The catalog's order rules: at least QUANTITY_MIN, then steps of QUANTITY_INTERVAL, and
 * whole order units when an order unit holds NO_CU_PER_OU content units.  Quantities in
 * thousandths, as the catalog keeps them. */
static int
allowed_qty(struct dc *ctx, const char *ref, long long q, struct dc_stmt *st)
{
	double qty = (double)q / 1000;
	long long min = dc_col_null(st, 4) ? 0 : llround(dc_col_double(st, 4) * 1000);
	long long step = dc_col_null(st, 5) ? 0 : llround(dc_col_double(st, 5) * 1000);
	int whole = !dc_col_null(st, 6);

	if (!step && whole)
		step = 1000;
	if (q >= min && (!step || (q - min) % step == 0))
		return 0;
	if (!step)
		return dc_error(ctx, DC_ECONFLICT, "field 'item': %g is not an allowed quantity of "
		                "'%s': at least %g", qty, ref, (double)min / 1000);
	{
		long long first = min ? min : step;

		return dc_error(ctx, DC_ECONFLICT, "field 'item': %g is not an allowed quantity of "
		                "'%s': %g, %g, %g, ... (at least %g, in steps of %g)", qty, ref,
		                (double)first / 1000, (double)(first + step) / 1000,
		                (double)(first + 2 * step) / 1000, (double)first / 1000,
		                (double)step / 1000);
	}
}

static void
lines_free(struct line *l, int n)
{
	for (int i = 0; i < n; i++) {
		free(l[i].vendor);
		free(l[i].sku);
		free(l[i].text);
		free(l[i].unit);
	}
	free(l);
}

/* A quantity in thousandths, above 0 and at most DC_QTY_MAX. */
static int
qty_of(struct dc *ctx, const char *field, const char *v, long long *q)
{
	int rc = dc_procure_num(ctx, field, v, "a quantity", 3, DC_QTY_MAX * 1000, NULL, q);

	if (!rc && !*q)
		rc = dc_error(ctx, DC_EDATA, "field '%s': '%s' is not a quantity", field, v);
	return rc;
}

/* A line whose value, net or gross, would pass DC_MONEY_MAX is bad data, never a wrapped
 * number. */
static int
too_much(struct dc *ctx, const char *field, const char *spec, const char *what)
{
	char top[32];

	dc_num_fmt(DC_MONEY_MAX, 2, 2, '.', top);
	return dc_error(ctx, DC_EDATA, "field '%s': '%s': %s is above the maximum %s EUR", field,
	                spec, what, top);
}

/* --item VENDOR:SKU:QTY at the catalog's price on DATE (frozen into the order) */
#define LOWER_BOUND "coalesce(CAST(p.value ->> 'lower_bound' AS REAL), 1)"
#define MIN_QTY "CAST(json_extract(t.value, '$.min_qty') AS REAL)"

static int
item_line(struct dc *ctx, const char *spec, const char *date, struct line *l)
{
	char *copy = dc_strdup(spec), *sku, *qty;
	struct dc_stmt *st = NULL;
	int rc;

	if (!(sku = strchr(copy, ':')) || !(qty = strrchr(sku + 1, ':'))) {
		rc = dc_error(ctx, DC_EDATA, "field 'item': '%s' is not VENDOR:SKU:QTY", spec);
		goto done;
	}
	*sku++ = '\0';
	*qty++ = '\0';
	if ((rc = qty_of(ctx, "item", qty, &l->qty)) ||
	    /* a catalog that gave all its prices (BMEcat): the price type's period in force on the
	     * order's date, else the last one begun, and in it the tier for the quantity; other
	     * catalogs: the tier for the quantity (largest min_qty not above it), else the price */
	    (rc = dc_prepare(ctx, &st, "SELECT name, unit, CASE WHEN on_request THEN NULL"
	                               " WHEN prices <> '[]' THEN (SELECT "
	                               /* numbers out of JSON as reals: the same on
	                                * PostgreSQL, whose ->> gives text */
	                               DC_PRICE_STORE_SQL("CAST(p.value ->> 'unit_price' AS REAL)")
	                               " FROM json_each(prices) p"
	                               " WHERE p.value ->> 'type' = price_type"
	                               " AND p.value ->> 'unit_price' IS NOT NULL"
	                               " AND coalesce(p.value ->> 'valid_from', '') <= ?4"
	                               " AND " LOWER_BOUND " <= ?3"
	                               " ORDER BY coalesce(p.value ->> 'valid_until', ?4) >= ?4"
	                               " DESC,"
	                               " coalesce(p.value ->> 'valid_from', '') DESC,"
	                               " " LOWER_BOUND " DESC LIMIT 1)"
	                               " ELSE coalesce((SELECT"
	                               " round(CAST(json_extract(t.value, '$.price') AS REAL)"
	                               " * 10000)"
	                               " FROM json_each(tiers) t"
	                               " WHERE " MIN_QTY " <= ?3"
	                               " ORDER BY " MIN_QTY " DESC LIMIT 1),"
	                               " price) END, coalesce(vat, 19), min_qty, quantity_interval,"
	                               " cu_per_ou"
	                               " FROM catalog_live"
	                               " WHERE vendor = ?1 AND sku = ?2 AND status = 'active'")))
		goto done;
	dc_bind_text_ref(st, 1, copy);
	dc_bind_text_ref(st, 2, sku);
	dc_bind_double(st, 3, (double)l->qty / 1000);
	dc_bind_text_ref(st, 4, date);
	if ((rc = dc_step(ctx, st)) == 0)
		rc = dc_error(ctx, DC_EDATA, "field 'item': no active catalog item '%s:%s'", copy, sku);
	else if (rc == DC_ROW) {
		char *ref = dc_printf("%s:%s", copy, sku);

		rc = allowed_qty(ctx, ref, l->qty, st);
		free(ref);
	}
	if (rc == 0) {
		l->vendor = dc_strdup(copy);
		l->sku = dc_strdup(sku);
		l->text = dc_strdup(dc_col_text(st, 0));
		l->unit = dc_strdup(dc_col_text(st, 1));
		/* no price on the order's date: the vendor's quote will give it */
		l->on_request = dc_col_null(st, 2);
		l->unit_net = l->on_request ? 0 : dc_col_int(st, 2);
		l->vat = dc_col_double(st, 3);
	}
done:
	dc_finish(ctx, st);
	free(copy);
	return rc;
}

/* --line "TEXT;QTY;UNIT_NET;VENDOR" for what no catalog has (VENDOR optional, VAT 19 %) */
static int
free_line(struct dc *ctx, const char *spec, struct line *l)
{
	char *copy = dc_strdup(spec), *f[4] = {0}, *p = copy;
	int n = 0, rc = 0, known = 1;

	while (n < 4) {
		f[n++] = p;
		if (!(p = strchr(p, ';')))
			break;
		*p++ = '\0';
	}
	if (n < 3 || !*f[0])
		rc = dc_error(ctx, DC_EDATA, "field 'line': '%s' is not TEXT;QTY;UNIT_NET[;VENDOR]", spec);
	else if (!(rc = qty_of(ctx, "line", f[1], &l->qty)) &&
	         !(rc = dc_procure_num(ctx, "line", f[2], "a unit price", 4, DC_PRICE_MAX, "EUR",
	                               &l->unit_net))) {
		if (n == 4 && *f[3])
			rc = dc_exists(ctx, "SELECT 1 FROM vendor WHERE id = ?1", f[3], &known);
		if (!rc && !known)
			rc = dc_error(ctx, DC_EDATA, "field 'line': no vendor '%s'", f[3]);
		if (!rc) {
			l->text = dc_strdup(f[0]);
			l->vendor = n == 4 && *f[3] ? dc_strdup(f[3]) : NULL;
			l->vat = 19;
		}
	}
	free(copy);
	return rc;
}

/* A new order: new's options or a record's fields.  --item and --line repeat and are read one
 * by one (item_line, free_line); the struct would hold only the last. */
struct order_new {
	const char *dept, *budget, *framework, *category, *justification;
};

const struct dc_opt dc_procure_order_new_spec[] = {
	{"dept", DC_V_TEXT, DC_O_REQUIRED, NULL, "D", NULL, NULL, DC_AT(struct order_new, dept)},
	{"budget", DC_V_TEXT, DC_O_REQUIRED, NULL, "ACCOUNT", NULL, NULL,
	 DC_AT(struct order_new, budget)},
	{"item", DC_V_TEXT, DC_O_REPEAT, NULL, "VENDOR:SKU:QTY", NULL, NULL, DC_NOFIELD},
	{"line", DC_V_TEXT, DC_O_REPEAT, NULL, "\"TEXT;QTY;UNIT_NET;VENDOR\"", NULL, NULL,
	 DC_NOFIELD},
	{"framework", DC_V_TEXT, 0, NULL, "F", NULL, NULL, DC_AT(struct order_new, framework)},
	{"category", DC_V_TEXT, 0, NULL, "C", NULL, NULL, DC_AT(struct order_new, category)},
	{"justification", DC_V_TEXT, DC_O_LINES, NULL, "TEXT", NULL, NULL,
	 DC_AT(struct order_new, justification)},
	{NULL},
};

int
dc_procure_order_new(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct order_new o;
	int nitem = dc_arg_count(rec, "item"), nline = dc_arg_count(rec, "line"), n = nitem + nline;
	struct dc_profile p = {0};
	struct dc_band band = {0};
	struct line *lines = NULL;
	struct dc_stmt *st = NULL;
	char id[32], now[21], date[11], ytext[8];
	const char *award = NULL, *procedure, *basis;
	char *fw_category = NULL;
	long long net = 0, gross = 0, others;
	long year;
	int i, rc, suspect = 0, min_quotes, pending = 0;

	if ((rc = dc_decode(ctx, dc_procure_order_new_spec, rec, &o)))
		return rc;
	if ((rc = may_order(ctx, o.dept, "order")))
		return rc;
	if (!n)
		return dc_error(ctx, DC_EUSAGE, "an order needs --item VENDOR:SKU:QTY or --line ...");
	today(ctx, date);
	year = atol(date);
	snprintf(ytext, sizeof ytext, "%ld", year);
	{
		char *ref = dc_printf("%s/%ld", o.budget, year);
		int known;

		if (!(rc = dc_exists(ctx, "SELECT 1 FROM budget WHERE account || '/' || year = ?1",
		                     ref, &known)) &&
		    !known)
			rc = dc_error(ctx, DC_EDATA, "field 'budget': no budget '%s'", ref);
		free(ref);
		if (rc)
			return rc;
	}
	if (!(lines = calloc((size_t)n, sizeof *lines)))
		abort();
	for (i = 0; i < n; i++) {
		struct line *l = &lines[i];

		const char *field = i < nitem ? "item" : "line";
		long long ln, lg;

		if ((rc = i < nitem ? item_line(ctx, dc_arg_nth(rec, "item", i), date, l)
		                    : free_line(ctx, dc_arg_nth(rec, "line", i - nitem), l)))
			goto done;
		/* the awarded quote prices the one line on request: two could not be told apart */
		if (l->on_request && pending++) {
			rc = dc_error(ctx, DC_ECONFLICT,
			              "field 'item': '%s:%s' is priced on request as is another "
			              "item of this order; order each such item on its own",
			              l->vendor, l->sku);
			goto done;
		}
		if (dc_money_line(l->qty, l->unit_net, &ln) || dc_money_vat(ln, l->vat, &lg)) {
			rc = too_much(ctx, field, dc_arg_nth(rec, field, i < nitem ? i : i - nitem),
			              "its value");
			goto done;
		}
		if (dc_money_add(net, ln, &net) || dc_money_add(gross, lg, &gross)) {
			rc = too_much(ctx, field, dc_arg_nth(rec, field, i < nitem ? i : i - nitem),
			              "the order's value with it");
			goto done;
		}
		/* one vendor for every line is the award already (catalog and framework orders) */
		if (i == 0)
			award = l->vendor;
		else if (award && (!l->vendor || strcmp(award, l->vendor)))
			award = NULL;
	}
	if ((rc = dc_procure_profile_load(ctx, NULL, &p)))
		goto done;
	if (o.framework) {
		struct dc_stmt *f = NULL;

		if ((rc = dc_prepare(ctx, &f, "SELECT vendor, from_date <= ?2 AND until_date >= ?2,"
		                              " max_value - (SELECT coalesce(sum(net), 0) FROM purchase_order"
		                              "  WHERE framework = ?1 AND status <> 'cancelled'), category"
		                              " FROM framework WHERE id = ?1")))
			goto done;
		dc_bind_text_ref(f, 1, o.framework);
		dc_bind_text_ref(f, 2, date);
		if ((rc = dc_step(ctx, f)) == 0)
			rc = dc_error(ctx, DC_EDATA, "field 'framework': no framework '%s'",
			              o.framework);
		else if (rc == DC_ROW && (!award || strcmp(award, dc_col_text(f, 0))))
			rc = dc_error(ctx, DC_ECONFLICT,
			              "framework '%s' is with '%s'; every line must be from "
			              "that vendor",
			              o.framework, dc_col_text(f, 0));
		else if (rc == DC_ROW && !dc_col_int(f, 1))
			rc = dc_error(ctx, DC_ECONFLICT, "framework '%s' is not in force on %s",
			              o.framework, date);
		else if (rc == DC_ROW && dc_col_int(f, 2) < net)
			rc = dc_error(ctx, DC_ECONFLICT,
			              "framework '%s' has %.2f left; the order needs %.2f",
			              o.framework, (double)dc_col_int(f, 2) / 100,
			              (double)net / 100);
		else if (rc == DC_ROW) {
			fw_category = dc_strdup(dc_col_text(f, 3));
			rc = 0;
		}
		dc_finish(ctx, f);
		if (rc)
			goto done;
		procedure = "framework";
		min_quotes = 0;
		if (!o.category && fw_category)
			o.category = fw_category; /* a call-off buys what the framework is for */
		basis = "Abruf aus Rahmenvereinbarung (§ 15 UVgO, § 21 VgV)";
	} else {
		if ((rc = dc_procure_band(ctx, &p, net, o.category, date, &band)))
			goto done;
		procedure = band.procedure;
		min_quotes = band.min_quotes;
		basis = band.legal_basis;
		if ((rc = dc_procure_split_suspect(ctx, &p, o.dept, year, o.category, NULL, net,
		                                   procedure, date, &others, &suspect)))
			goto done;
	}
	if (!award || (strcmp(procedure, "direct") && strcmp(procedure, "framework")) || pending)
		award = NULL; /* competitive procedures and prices on request award after quotes */
	if ((rc = dc_next_id(ctx, "po", "PO", dc_now(ctx), id)))
		goto done;
	dc_fmt_time(dc_now(ctx), now);
	if ((rc = dc_prepare(ctx, &st,
	                     "INSERT INTO purchase_order(id, dept, budget, year, status, category,"
	                     " framework, justification, procedure, min_quotes, net, gross, award,"
	                     " split_suspect, rule_profile, rule_version, legal_basis, created_by,"
	                     " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'draft', ?5, ?6, ?7, ?8,"
	                     " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18)")))
		goto done;
	dc_bind_text_ref(st, 1, id);
	dc_bind_text_ref(st, 2, o.dept);
	dc_bind_text_ref(st, 3, o.budget);
	dc_bind_int(st, 4, year);
	dc_bind_text_ref(st, 5, o.category);
	dc_bind_text_ref(st, 6, o.framework);
	dc_bind_text_ref(st, 7, o.justification);
	dc_bind_text_ref(st, 8, procedure);
	dc_bind_int(st, 9, min_quotes);
	dc_bind_int(st, 10, net);
	dc_bind_int(st, 11, gross);
	dc_bind_text_ref(st, 12, award);
	dc_bind_int(st, 13, suspect);
	dc_bind_text_ref(st, 14, p.name);
	dc_bind_text_ref(st, 15, p.version);
	dc_bind_text_ref(st, 16, basis);
	dc_bind_text_ref(st, 17, ctx->actor);
	dc_bind_text_ref(st, 18, now);
	rc = dc_step(ctx, st);
	dc_finish(ctx, st);
	st = NULL;
	if (rc || (rc = dc_prepare(ctx, &st, "INSERT INTO order_line(order_id, line, vendor, sku, text,"
	                                     " qty, unit, unit_net, vat, on_request)"
	                                     " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)")))
		goto done;
	for (i = 0; i < n && !rc; i++) {
		dc_reset(st);
		dc_bind_text_ref(st, 1, id);
		dc_bind_int(st, 2, i + 1);
		dc_bind_text_ref(st, 3, lines[i].vendor);
		dc_bind_text_ref(st, 4, lines[i].sku);
		dc_bind_text_ref(st, 5, lines[i].text);
		dc_bind_double(st, 6, (double)lines[i].qty / 1000);
		dc_bind_text_ref(st, 7, lines[i].unit);
		dc_bind_int(st, 8, lines[i].unit_net);
		dc_bind_double(st, 9, lines[i].vat);
		dc_bind_int(st, 10, lines[i].on_request);
		rc = dc_step(ctx, st);
	}
	if (!rc) {
		char amount[32], *note;

		dc_num_fmt(net, 2, 2, '.', amount);
		note = dc_printf("%s, %s net%s%s", procedure, amount,
		                 suspect ? ", split suspect" : "",
		                 pending ? ", a line priced on request" : "");

		rc = event(ctx, id, "created", NULL, "draft", note);
		free(note);
	}
	if (!rc)
		rc = dc_touched(ctx, id, NULL);
done:
	dc_finish(ctx, st);
	lines_free(lines, n);
	dc_band_free(&band);
	dc_procure_profile_free(&p);
	free(fw_category);
	return rc;
}

int
dc_procure_order_quote(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *vendor = dc_arg(a, "vendor");
	struct order o;
	long long amount;
	char now[21], ctext[24];
	int rc;

	if ((rc = dc_require(ctx, "buyer", "record quotes")))
		return rc;
	if (!vendor || !dc_arg(a, "amount"))
		return dc_error(ctx, DC_EUSAGE, "quote needs --vendor V and --amount NET");
	if ((rc = dc_procure_num(ctx, "amount", dc_arg(a, "amount"), "an amount of money", 2,
	                         DC_MONEY_MAX, "EUR", &amount)))
		return rc;
	if ((rc = order_load(ctx, id, &o)))
		return rc;
	if ((rc = need_status(ctx, &o, "draft", "a quote")))
		goto done;
	if ((rc = dc_must_exist(ctx, "SELECT 1 FROM vendor WHERE id = ?1", "vendor", vendor))) {
		goto done;
	}
	dc_fmt_time(dc_now(ctx), now);
	snprintf(ctext, sizeof ctext, "%lld", amount);
	if (!(rc = dc_exec(ctx, "INSERT INTO quote(order_id, vendor, amount, note, at, actor)"
	                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	                   6, id, vendor, ctext, dc_arg(a, "note"), now, ctx->actor)) &&
	    !(rc = dc_exec(ctx, "UPDATE purchase_order SET updated_at = ?2 WHERE id = ?1", 2, id, now)) &&
	    !(rc = event(ctx, id, "quote", NULL, vendor, dc_arg(a, "amount"))))
		rc = dc_touched(ctx, id, NULL);
done:
	order_free(&o);
	return rc;
}

/*
 * The award prices a line on request from the awarded vendor: the vendor's best quote is the
 * order's net, so the line gets what the other lines leave of it, per unit.  The order's net,
 * gross and (outside a framework) procedure band follow.
 */
static int
price_on_request(struct dc *ctx, struct order *o, const char *vendor)
{
	struct dc_stmt *st = NULL;
	struct dc_profile p = {0};
	struct dc_band band = {0};
	long long quote = 0, others = 0, net = 0, gross = 0, unit;
	double qty = 0;
	long line = 0;
	char date[11], nums[4][24];
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT line, qty, (SELECT min(amount) FROM quote"
	                               " WHERE order_id = ?1 AND vendor = ?2) FROM order_line"
	                               " WHERE order_id = ?1 AND on_request AND vendor = ?2")))
		return rc;
	dc_bind_text_ref(st, 1, o->id);
	dc_bind_text_ref(st, 2, vendor);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		line = (long)dc_col_int(st, 0);
		qty = dc_col_double(st, 1);
		quote = dc_col_int(st, 2);
		rc = 0;
	}
	dc_finish(ctx, st);
	if (rc || !line || (rc = lines_sum(ctx, o->id, &others, &gross)))
		return rc;
	if (quote < others)
		return dc_error(ctx, DC_ECONFLICT,
		                "the quote of '%s' (%.2f) is less than the order's other lines "
		                "(%.2f): it cannot price line %ld", vendor, (double)quote / 100,
		                (double)others / 100, line);
	/* cents to ten-thousandths of a euro per unit */
	unit = llround((double)(quote - others) * 100 / qty);
	snprintf(nums[0], 24, "%ld", line);
	snprintf(nums[1], 24, "%lld", unit);
	if ((rc = dc_exec(ctx, "UPDATE order_line SET unit_net = ?3, on_request = 0"
	                       " WHERE order_id = ?1 AND line = ?2", 3, o->id, nums[0], nums[1])) ||
	    (rc = lines_sum(ctx, o->id, &net, &gross)))
		return rc;
	snprintf(nums[2], 24, "%lld", net);
	snprintf(nums[3], 24, "%lld", gross);
	if ((rc = dc_exec(ctx, "UPDATE purchase_order SET net = ?2, gross = ?3 WHERE id = ?1", 3,
	                  o->id, nums[2], nums[3])))
		return rc;
	if (o->framework)
		return event(ctx, o->id, "priced", NULL, vendor, "line priced by the awarded quote");
	/* the price now known may reach a higher band than the draft's */
	today(ctx, date);
	if (!(rc = dc_procure_profile_load(ctx, NULL, &p)) &&
	    !(rc = dc_procure_band(ctx, &p, net, o->category, date, &band))) {
		char mq[8], amount[32], *note;

		snprintf(mq, sizeof mq, "%d", band.min_quotes);
		dc_num_fmt(net, 2, 2, '.', amount);
		note = dc_printf("line %ld priced by the awarded quote: %s, %s net", line,
		                 band.procedure, amount);
		if (!(rc = dc_exec(ctx, "UPDATE purchase_order SET procedure = ?2, min_quotes = ?3,"
		                        " legal_basis = ?4 WHERE id = ?1", 4, o->id, band.procedure,
		                   mq, band.legal_basis)))
			rc = event(ctx, o->id, "priced", o->procedure, band.procedure, note);
		free(note);
	}
	dc_band_free(&band);
	dc_procure_profile_free(&p);
	return rc;
}

int
dc_procure_order_award(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *vendor = dc_arg(a, "vendor"), *reason = dc_arg(a, "reason");
	struct dc_stmt *st = NULL;
	struct order o;
	char now[21];
	int rc;

	if ((rc = dc_require(ctx, "buyer", "award orders")))
		return rc;
	if (!vendor)
		return dc_error(ctx, DC_EUSAGE, "award needs --vendor V");
	if ((rc = order_load(ctx, id, &o)))
		return rc;
	if ((rc = need_status(ctx, &o, "draft", "an award")))
		goto done;
	/* the vendor's best quote against the cheapest one */
	if ((rc = dc_prepare(ctx, &st, "SELECT (SELECT min(amount) FROM quote WHERE order_id = ?1"
	                               " AND vendor = ?2), (SELECT min(amount) FROM quote"
	                               " WHERE order_id = ?1)")))
		goto done;
	dc_bind_text_ref(st, 1, id);
	dc_bind_text_ref(st, 2, vendor);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		rc = 0;
		if (dc_col_null(st, 0))
			rc = dc_error(ctx, DC_ECONFLICT, "order '%s' has no quote from '%s'", id, vendor);
		else if (dc_col_int(st, 0) > dc_col_int(st, 1) && !reason)
			rc = dc_error(ctx, DC_ECONFLICT,
			              "'%s' is not the cheapest offer (%.2f > %.2f): "
			              "give --reason",
			              vendor, (double)dc_col_int(st, 0) / 100,
			              (double)dc_col_int(st, 1) / 100);
	}
	dc_finish(ctx, st);
	if (rc)
		goto done;
	dc_fmt_time(dc_now(ctx), now);
	if (!(rc = dc_exec(ctx, "UPDATE purchase_order SET award = ?2, award_reason = ?3,"
	                        " updated_at = ?4 WHERE id = ?1",
	                   4, id, vendor, reason, now)) &&
	    !(rc = event(ctx, id, "awarded", o.award, vendor, reason)) &&
	    !(rc = price_on_request(ctx, &o, vendor)))
		rc = dc_touched(ctx, id, NULL);
done:
	order_free(&o);
	return rc;
}

/* Budget left: amount − committed − spent of the order's budget. */
static int
budget_available(struct dc *ctx, const struct order *o, long long *avail)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT b.amount - u.committed - u.spent FROM budget b"
	                     " JOIN budget_use u ON u.account = b.account AND u.year = b.year"
	                     " WHERE b.account = ?1 AND b.year = ?2")))
		return rc;
	dc_bind_text_ref(st, 1, o->budget);
	dc_bind_int(st, 2, o->year);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*avail = dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

int
dc_procure_order_approve(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *tender = dc_arg(a, "tender-ref"), *just = dc_arg(a, "split-justification");
	struct dc_profile p = {0};
	struct dc_stmt *st = NULL;
	struct order o;
	long long avail = 0, others;
	char now[21], date[11];
	int rc, quotes = 0, suspect = 0, repeat = 0;

	if ((rc = order_load(ctx, id, &o)))
		return rc;
	if ((rc = dc_whoami(ctx)))
		goto done;
	if (!dc_is_admin(ctx) && !(!strcmp(ctx->role, "head") && ctx->dept && !strcmp(ctx->dept, o.dept))) {
		rc = dc_error(ctx, DC_EPERM, "permission denied: only the head of '%s' or an admin "
		                             "approves its orders",
		              o.dept);
		goto done;
	}
	if ((rc = need_status(ctx, &o, "draft", "approval")))
		goto done;
	if ((rc = dc_prepare(ctx, &st, "SELECT line, vendor, sku FROM order_line WHERE order_id = ?1"
	                               " AND on_request ORDER BY line LIMIT 1")))
		goto done;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW)
		rc = dc_error(ctx, DC_ECONFLICT,
		              "order '%s' line %lld ('%s:%s') is priced on request: record the "
		              "vendor's quote (dc-order quote %s --vendor %s --amount NET) and "
		              "award it",
		              id, dc_col_int(st, 0), dc_col_text(st, 1), dc_col_text(st, 2), id,
		              dc_col_text(st, 1));
	dc_finish(ctx, st);
	st = NULL;
	if (rc)
		goto done;
	if ((!strcmp(o.procedure, "tender") || !strcmp(o.procedure, "eu")) && !tender) {
		rc = dc_error(ctx, DC_ECONFLICT, "order '%s' needs a %s procedure: give --tender-ref of "
		                                 "the external award",
		              id, !strcmp(o.procedure, "eu") ? "EU-wide" : "tender");
		goto done;
	}
	if ((rc = dc_prepare(ctx, &st, "SELECT count(DISTINCT vendor) FROM quote WHERE order_id = ?1")))
		goto done;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		quotes = dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc)
		goto done;
	/* a direct award needs no competing offers: the catalog or line price is the offer */
	if (!tender && strcmp(o.procedure, "direct") && quotes < o.min_quotes) {
		rc = dc_error(ctx, DC_ECONFLICT, "order '%s' (%s) needs %d quotes, has %d", id, o.procedure,
		              o.min_quotes, quotes);
		goto done;
	}
	if (!o.award) {
		rc = dc_error(ctx, DC_ECONFLICT, "order '%s' has no award: dc-order award %s --vendor V", id,
		              id);
		goto done;
	}
	today(ctx, date);
	if ((rc = dc_procure_profile_load(ctx, NULL, &p)))
		goto done;
	if (!o.framework &&
	    (rc = dc_procure_split_suspect(ctx, &p, o.dept, o.year, o.category, id, o.net,
	                                   o.procedure, date, &others, &suspect)))
		goto done;
	if (suspect && !just) {
		rc = dc_error(ctx, DC_ECONFLICT, "order '%s' is split-suspect (§ 3 Abs. 2 VgV): with the "
		                                 "department's other '%s' orders of %ld it reaches a higher "
		                                 "band; give --split-justification",
		              id, o.category ? o.category : "uncategorised", o.year);
		goto done;
	}
	if ((rc = budget_available(ctx, &o, &avail)))
		goto done;
	if (avail < o.gross) {
		rc = dc_error(ctx, DC_ECONFLICT, "budget '%s/%ld' has %.2f available; order '%s' needs %.2f",
		              o.budget, o.year, (double)avail / 100, id, (double)o.gross / 100);
		goto done;
	}
	/* vendor rotation: flagged, not refused */
	if (!strcmp(o.procedure, "direct")) {
		if ((rc = dc_prepare(ctx, &st, "SELECT 1 FROM purchase_order WHERE award = ?1"
		                               " AND category IS ?2 AND procedure = 'direct' AND id <> ?3"
		                               " AND status NOT IN ('draft', 'cancelled')"
		                               " AND created_at >= ?4")))
			goto done;
		{
			char since[21];

			dc_fmt_time(dc_now(ctx) - 365L * 86400, since);
			dc_bind_text_ref(st, 1, o.award);
			dc_bind_text_ref(st, 2, o.category);
			dc_bind_text_ref(st, 3, id);
			dc_bind_text(st, 4, since);
			rc = dc_step(ctx, st);
		}
		dc_finish(ctx, st);
		st = NULL;
		if (rc > 0)
			goto done;
		repeat = rc == DC_ROW;
	}
	dc_fmt_time(dc_now(ctx), now);
	{
		const char *s = suspect ? "1" : "0", *r = repeat ? "1" : "0";

		/* the rule version in force now is frozen into the order */
		rc = dc_exec(ctx, "UPDATE purchase_order SET status = 'approved', tender_ref = ?2,"
		                  " split_suspect = ?3, split_justification = ?4, repeat_vendor = ?5,"
		                  " rule_profile = ?6, rule_version = ?7, updated_at = ?8 WHERE id = ?1",
		             8, id, tender, s, just, r, p.name, p.version, now);
	}
	if (!rc) {
		char *note = dc_printf("budget %s/%ld committed %lld.%02lld%s%s%s", o.budget, o.year,
		                       o.gross / 100, o.gross % 100, just ? "; split justified: " : "",
		                       just ? just : "", repeat ? "; repeat direct award to this vendor" : "");

		rc = event(ctx, id, "approved", "draft", "approved", note);
		free(note);
	}
	if (!rc)
		rc = dc_touched(ctx, id, NULL);
done:
	dc_procure_profile_free(&p);
	order_free(&o);
	return rc;
}

/* The order lines as text for the vendor's message. */
static char *
lines_text(struct dc *ctx, const char *id)
{
	struct dc_stmt *st = NULL;
	char *out = dc_strdup(""), *next;

	if (dc_prepare(ctx, &st, "SELECT line, qty, coalesce(unit, ''), text, coalesce(sku, ''),"
	                         " unit_net FROM order_line WHERE order_id = ?1 ORDER BY line"))
		return out;
	dc_bind_text_ref(st, 1, id);
	while (dc_step_row(st)) {
		char u[32];

		dc_num_fmt(dc_col_int(st, 5), 4, 2, ',', u);
		next = dc_printf("%s%lld. %g %s %s%s%s%s à %s EUR netto\n", out, dc_col_int(st, 0),
		                 dc_col_double(st, 1), dc_col_text(st, 2), dc_col_text(st, 3),
		                 *dc_col_text(st, 4) ? " (" : "", dc_col_text(st, 4),
		                 *dc_col_text(st, 4) ? ")" : "", u);
		free(out);
		out = next;
	}
	dc_finish(ctx, st);
	return out;
}

int
dc_procure_order_place(struct dc *ctx, const char *id, struct dc_args *a)
{
	struct dc_stmt *st = NULL;
	struct order o;
	char now[21], *email = NULL, *name = NULL, *city = NULL, *leitweg = NULL, *lines = NULL,
	                  *lang = NULL, *xml = NULL, *file = NULL, net[32], gross[32], day[11];
	int rc;

	if ((rc = dc_require(ctx, "buyer", "place orders")))
		return rc;
	if ((rc = order_load(ctx, id, &o)))
		return rc;
	if ((rc = need_status(ctx, &o, "approved", "placing")))
		goto done;
	today(ctx, day);
	/* first, so that a unit without a code refuses the order before anything is written */
	if ((rc = dc_procure_opentrans_build(ctx, id, day, &xml)))
		goto done;
	if ((rc = dc_prepare(ctx, &st, "SELECT email, name FROM vendor WHERE id = ?1")))
		goto done;
	dc_bind_text_ref(st, 1, o.award);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		email = dc_strdup(dc_col_text(st, 0));
		name = dc_strdup(dc_col_text(st, 1));
		rc = 0;
	}
	dc_finish(ctx, st);
	if (rc)
		goto done;
	if (!email) {
		rc = dc_error(ctx, DC_ECONFLICT, "vendor '%s' has no email: dc-order vendor set %s --email E",
		              o.award, o.award);
		goto done;
	}
	city = dc_setting(ctx, "city.name");
	leitweg = dc_procure_leitweg(ctx, o.dept);
	lang = dc_setting(ctx, "lang");
	lines = lines_text(ctx, id);
	snprintf(net, sizeof net, "%lld,%02lld", o.net / 100, o.net % 100);
	snprintf(gross, sizeof gross, "%lld,%02lld", o.gross / 100, o.gross % 100);
	{
		const char *vars[] = {"id", id, "vendor", name, "city", city, "leitweg_id",
		                      leitweg ? leitweg : "-", "lines", lines, "net", net, "gross", gross,
		                      "dept", o.dept, NULL};

		if ((rc = dc_outbox_add(ctx, "order-placed", lang, email, "order", id, vars)))
			goto done;
	}
	file = dc_printf("%s.xml", id);
	if ((rc = dc_outbox_attach(ctx, dc_last_id(ctx), file, "application/xml", xml)))
		goto done;
	dc_fmt_time(dc_now(ctx), now);
	if (!(rc = dc_exec(ctx, "UPDATE purchase_order SET status = 'placed', updated_at = ?2"
	                        " WHERE id = ?1", 2, id, now)) &&
	    !(rc = event(ctx, id, "placed", "approved", "placed", email)))
		rc = dc_touched(ctx, id, NULL);
done:
	free(email);
	free(name);
	free(city);
	free(leitweg);
	free(lines);
	free(lang);
	free(xml);
	free(file);
	order_free(&o);
	return rc;
}

int
dc_procure_order_receive(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *line = dc_arg(a, "line"), *qty = dc_arg(a, "qty");
	struct order o;
	char now[21];
	int rc, open;
	long long q = 0;

	if ((rc = dc_require(ctx, "buyer head clerk", "receive deliveries")))
		return rc;
	if (!line != !qty)
		return dc_error(ctx, DC_EUSAGE, "--line N and --qty Q go together");
	if (qty && (rc = qty_of(ctx, "qty", qty, &q)))
		return rc;
	if ((rc = order_load(ctx, id, &o)))
		return rc;
	/* a head or clerk takes deliveries for their own department only, as they order */
	if ((rc = may_order(ctx, o.dept, "receive deliveries")) ||
	    (rc = need_status(ctx, &o, "placed", "a delivery")))
		goto done;
	if (line) {
		char qtext[64];

		snprintf(qtext, sizeof qtext, "%.17g", (double)q / 1000);
		/* more than was ordered is refused: an over-delivery goes back, it is not booked */
		if ((rc = dc_exec(ctx, "UPDATE order_line SET received = received + ?3"
		                       " WHERE order_id = ?1 AND line = ?2 AND received + ?3 <= qty",
		                  3, id, line, qtext)))
			goto done;
		if (!dc_changes(ctx)) {
			struct dc_stmt *st = NULL;

			if ((rc = dc_prepare(ctx, &st, "SELECT qty, received FROM order_line"
			                               " WHERE order_id = ?1 AND line = ?2")))
				goto done;
			dc_bind_text_ref(st, 1, id);
			dc_bind_text_ref(st, 2, line);
			if ((rc = dc_step(ctx, st)) == DC_ROW)
				rc = dc_error(ctx, DC_ECONFLICT,
				              "order '%s' line %s: %g ordered, %g received "
				              "so far; %g more is too many",
				              id, line, dc_col_double(st, 0), dc_col_double(st, 1),
				              (double)q / 1000);
			else if (rc == 0)
				rc = dc_error(ctx, DC_ENOTFOUND, "order '%s' has no line %s", id, line);
			dc_finish(ctx, st);
			goto done;
		}
	} else if ((rc = dc_exec(ctx, "UPDATE order_line SET received = qty WHERE order_id = ?1", 1, id)))
		goto done;
	/* received once every line has arrived in full */
	if ((rc = dc_exists(ctx, "SELECT 1 FROM order_line WHERE order_id = ?1 AND received < qty",
	                    id, &open)))
		goto done;
	dc_fmt_time(dc_now(ctx), now);
	if (!(rc = dc_exec(ctx, "UPDATE purchase_order SET status = ?2, updated_at = ?3 WHERE id = ?1",
	                   3, id, open ? "placed" : "received", now)) &&
	    !(rc = event(ctx, id, "received", line ? line : "all", qty ? qty : "in full",
	                 open ? "partial delivery" : NULL)))
		rc = dc_touched(ctx, id, NULL);
done:
	order_free(&o);
	return rc;
}

int
dc_procure_order_cancel(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *reason = dc_arg(a, "reason");
	struct order o;
	char now[21];
	int rc;

	if (!reason || !*reason)
		return dc_error(ctx, DC_EUSAGE, "cancel needs --reason TEXT");
	if ((rc = order_load(ctx, id, &o)))
		return rc;
	if ((rc = dc_whoami(ctx)))
		goto done;
	if (!dc_has_role(ctx, "buyer") && !(!strcmp(ctx->role, "head") && ctx->dept &&
	                                    !strcmp(ctx->dept, o.dept))) {
		rc = dc_error(ctx, DC_EPERM, "permission denied: '%s' may not cancel order '%s'", ctx->actor,
		              id);
		goto done;
	}
	if (!strcmp(o.status, "invoiced") || !strcmp(o.status, "cancelled")) {
		rc = dc_error(ctx, DC_ECONFLICT, "order '%s' is %s and cannot be cancelled", id, o.status);
		goto done;
	}
	dc_fmt_time(dc_now(ctx), now);
	/* the commitment goes with the status: budgets count approved..received orders only */
	if (!(rc = dc_exec(ctx, "UPDATE purchase_order SET status = 'cancelled', cancel_reason = ?2,"
	                        " updated_at = ?3 WHERE id = ?1", 3, id, reason, now)) &&
	    !(rc = event(ctx, id, "cancelled", o.status, "cancelled", reason)))
		rc = dc_touched(ctx, id, NULL);
done:
	order_free(&o);
	return rc;
}

/* The values of purchase_order.status (schemas/sql/0002-procurement.sql). */
#define ORDER_STATUSES "draft approved placed received invoiced cancelled"

/* dc-order list's filters (and dc-export orders'): each given one adds its condition. */
const struct dc_opt dc_procure_order_list_spec[] = {
	{"status", DC_V_ENUM, 0, ORDER_STATUSES, NULL, NULL, "o.status = ?", DC_NOFIELD},
	{"dept", DC_V_TEXT, 0, NULL, "D", NULL, "o.dept = ?", DC_NOFIELD},
	{"vendor", DC_V_TEXT, 0, NULL, "V", NULL, "o.award = ?", DC_NOFIELD},
	{"budget", DC_V_TEXT, 0, NULL, "ACCOUNT", NULL, "o.budget = ?", DC_NOFIELD},
	{NULL},
};

int
dc_procure_order_list(struct dc *ctx, const char *id, struct dc_args *f, struct dc_stmt **st)
{
	int rc;

	if ((rc = dc_require(ctx, "buyer auditor head clerk", "see orders")))
		return rc;
	return dc_q_list(ctx, st,
	                 "SELECT " ORDER_COLS " FROM purchase_order o",
	                 "o.id = ?", id, dc_procure_order_list_spec, f, " ORDER BY o.id");
}

int
dc_procure_order_events(struct dc *ctx, const char *id, struct dc_stmt **st)
{
	int rc;

	if ((rc = dc_prepare(ctx, st, "SELECT id, ref, at, kind, actor, on_behalf_of, from_value,"
	                              " to_value, note, visibility FROM event WHERE entity = 'order'"
	                              " AND ref = ?1 ORDER BY id")))
		return rc;
	dc_bind_text(*st, 1, id);
	return 0;
}
