/*
 * Products: add, change, list (at the active offer's price), full-text search and import.
 * An import is one transaction; a product whose fields are all unchanged is not written,
 * so re-importing the same file reports everything unchanged and changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "shop/shop.h"

#define PRODUCT_FIELDS                                                                             \
	{"id", DC_T_STR}, {"merchant", DC_T_STR}, {"sku", DC_T_STR}, {"name", DC_T_STR},           \
	    {"price", DC_T_MONEY}, {"regular_price", DC_T_MONEY}, {"offer", DC_T_STR},             \
	    {"stock", DC_T_INT}, {"unit", DC_T_STR}, {"category", DC_T_STR},                       \
	    {"description", DC_T_STR}, {"active", DC_T_BOOL},                                      \
	{                                                                                          \
		"updated_at", DC_T_STR                                                             \
	}
#define NPRODUCT 13
/* columns in field order; the product is p, its active offer o (joined by the caller) */
#define PRODUCT_COLS                                                                               \
	"p.merchant || ':' || p.sku, p.merchant, p.sku, p.name, coalesce(o.price, p.price),"       \
	" p.price, o.id, p.stock, p.unit, p.category, p.description, p.active, p.updated_at"

const struct dc_rectype dc_rt_product = {"product", (const struct dc_field[]){PRODUCT_FIELDS},
                                         NPRODUCT};
const struct dc_rectype dc_rt_product_hit = {
    "product", (const struct dc_field[]){PRODUCT_FIELDS, {"score", DC_T_REAL}}, NPRODUCT + 1};
const struct dc_rectype dc_rt_product_import = {"product import",
                                                (const struct dc_field[]){{"merchant", DC_T_STR},
                                                                          {"source", DC_T_STR},
                                                                          {"added", DC_T_INT},
                                                                          {"changed", DC_T_INT},
                                                                          {"unchanged", DC_T_INT},
                                                                          {"rejected", DC_T_INT}},
                                                6};

/* An optional text field: absent and empty are the same. */
static const char *
opt(const char *v)
{
	return v && *v ? v : NULL;
}

static int
stock_arg(struct dc *ctx, const char *v, long long *out)
{
	char *end;

	if (!v)
		return 0;
	*out = strtoll(v, &end, 10);
	if (end == v || *end || *out < 0 || *out > 1000000000)
		return dc_error(ctx, DC_EDATA, "field 'stock': '%s' is not a count", v);
	return 1;
}

/* Products are added to a merchant that exists (exit 2) and is active (exit 3). */
static int
merchant_active(struct dc *ctx, const char *m)
{
	int rc, active;

	if ((rc = dc_must_exist(ctx, "SELECT 1 FROM merchant WHERE id = ?1", "merchant", m)) ||
	    (rc = dc_exists(ctx, "SELECT 1 FROM merchant WHERE id = ?1 AND active", m, &active)))
		return rc;
	return active ? 0 : dc_error(ctx, DC_ECONFLICT, "merchant '%s' is not active", m);
}

/* The fields of one product record, checked: product add's options or record, a record of
 * product import (whose merchant is its --merchant). */
struct prod {
	const char *merchant, *sku, *name, *unit, *category, *description; /* from the record */
	long long price;
	long stock; /* DC_UNSET: not given */
};

/* A product's own fields, which add and import share. */
#define PRODUCT_SPEC                                                                               \
	{"sku", DC_V_TEXT, DC_O_REQUIRED, NULL, "S", NULL, NULL, DC_AT(struct prod, sku)},         \
	{"name", DC_V_TEXT, DC_O_REQUIRED, NULL, "N", NULL, NULL, DC_AT(struct prod, name)},       \
	{"price", DC_V_MONEY, DC_O_REQUIRED, NULL, "P", NULL, NULL, DC_AT(struct prod, price)},    \
	{"stock", DC_V_INT, 0, "0..1000000000", "Q", NULL, NULL, DC_AT(struct prod, stock)},       \
	{"unit", DC_V_TEXT, 0, NULL, "U", NULL, NULL, DC_AT(struct prod, unit)},                   \
	{"category", DC_V_TEXT, 0, NULL, "C", NULL, NULL, DC_AT(struct prod, category)},           \
	{"description", DC_V_TEXT, DC_O_LINES, NULL, "T", NULL, NULL,                              \
	 DC_AT(struct prod, description)}

const struct dc_opt dc_shop_product_add_spec[] = {
	{"merchant", DC_V_TEXT, DC_O_REQUIRED, NULL, "M", NULL, NULL, DC_AT(struct prod, merchant)},
	PRODUCT_SPEC,
	{NULL},
};

static const struct dc_opt product_import_spec[] = {
	PRODUCT_SPEC,
	{NULL},
};

/* A till system's or spreadsheet's header names, in whatever case (SKU;Name;Price). */
static const struct dc_column product_columns[] = {
	{"sku", "sku"},   {"name", "name"},         {"price", "price"},
	{"stock", "stock"}, {"unit", "unit"},       {"category", "category"},
	{"description", "description"}, {NULL, NULL},
};

static int
prod_read(struct dc *ctx, const struct dc_opt *spec, struct dc_args *rec, struct prod *p)
{
	int rc;

	if ((rc = dc_decode(ctx, spec, rec, p)) ||
	    (rc = dc_shop_price_check(ctx, rec, "price", p->price)))
		return rc;
	/* an empty cell stores nothing new: an import keeps the stored value */
	p->unit = opt(p->unit), p->category = opt(p->category);
	p->description = opt(p->description);
	return 0;
}

static void
bind_opt(struct dc_stmt *st, int i, const char *v)
{
	dc_bind_text_ref(st, i, v);
}

int
dc_shop_product_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct dc_stmt *st = NULL;
	struct prod p;
	char at[21], *id;
	int rc;

	if ((rc = dc_shop_write_role(ctx, "add products")) ||
	    (rc = prod_read(ctx, dc_shop_product_add_spec, rec, &p)) ||
	    (rc = merchant_active(ctx, p.merchant)))
		return rc;
	id = dc_printf("%s:%s", p.merchant, p.sku);
	if ((rc = dc_must_not_exist(ctx, "SELECT 1 FROM product WHERE merchant || ':' || sku = ?1",
	                            "product", id)))
		goto done;
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_prepare(ctx, &st,
	                     "INSERT INTO product(merchant, sku, name, price, stock, unit,"
	                     " category, description, updated_at)"
	                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")))
		goto done;
	bind_opt(st, 1, p.merchant), bind_opt(st, 2, p.sku), bind_opt(st, 3, p.name);
	dc_bind_int(st, 4, p.price);
	dc_bind_int(st, 5, p.stock != DC_UNSET ? p.stock : 0);
	bind_opt(st, 6, p.unit), bind_opt(st, 7, p.category), bind_opt(st, 8, p.description);
	bind_opt(st, 9, at);
	if ((rc = dc_step(ctx, st)) == 0 &&
	    !(rc = dc_shop_audit(ctx, p.merchant, "product", id, "created", NULL, p.name)))
		rc = dc_touched(ctx, id, NULL);
done:
	dc_finish(ctx, st);
	free(id);
	return rc;
}

int
dc_shop_product_set(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *active = dc_arg(a, "active"), *price = dc_arg(a, "price");
	char cents[24], at[21], merchant[80], *change;
	const char *colon = strchr(id, ':');
	long long stock;
	int rc, known;

	if ((rc = dc_shop_write_role(ctx, "change products")))
		return rc;
	if ((rc = dc_exists(ctx, "SELECT 1 FROM product WHERE merchant || ':' || sku = ?1", id,
	                    &known)))
		return rc;
	if (!known)
		return dc_error(ctx, DC_ENOTFOUND, "no product '%s' (MERCHANT:SKU)", id);
	if (active && strcmp(active, "true") && strcmp(active, "false"))
		return dc_error(ctx, DC_EDATA, "field 'active': '%s' is not true or false", active);
	if (price && (rc = dc_shop_money_arg(ctx, "price", price, cents)))
		return rc;
	if ((rc = stock_arg(ctx, dc_arg(a, "stock"), &stock)) < 0 || rc > 1)
		return rc;
	snprintf(merchant, sizeof merchant, "%.*s", (int)(colon - id), id);
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx,
	                  "UPDATE product SET price = coalesce(?2, price),"
	                  " stock = coalesce(?3, stock), name = coalesce(?4, name),"
	                  " unit = coalesce(?5, unit), category = coalesce(?6, category),"
	                  " description = coalesce(?7, description),"
	                  " active = coalesce(" DC_SQL_FLAG("?8") ", active), updated_at = ?9"
	                  " WHERE merchant || ':' || sku = ?1",
	                  9, id, price ? cents : NULL, dc_arg(a, "stock"), dc_arg(a, "name"),
	                  dc_arg(a, "unit"), dc_arg(a, "category"), dc_arg(a, "description"),
	                  active, at)))
		return rc;
	change = dc_printf("price=%s stock=%s active=%s", price ? cents : "-",
	                   dc_arg(a, "stock") ? dc_arg(a, "stock") : "-", active ? active : "-");
	rc = dc_shop_audit(ctx, merchant, "product", id, "changed", NULL, change);
	free(change);
	return rc ? rc : dc_touched(ctx, id, NULL);
}

/* "SELECT " PRODUCT_COLS MORE_COLS FROM, joined with each product's active offer at NOW: what
 * a listing and a search share. */
/* FROM's text may have one parameter, FROM_VALUE (or NULL). */
static void
product_select(struct dc_q *q, const char *more_cols, const char *from, const char *from_value,
               const char *now)
{
	dc_q_sql(q, "SELECT " PRODUCT_COLS);
	dc_q_sql(q, more_cols);
	if (from_value)
		dc_q_text(q, from, from_value);
	else
		dc_q_sql(q, from);
	dc_q_text(q, " LEFT JOIN offer o ON o.id = " DC_SHOP_ACTIVE_OFFER("p.id", "?"), now);
}

int
dc_shop_product_list(struct dc *ctx, const char *id, const struct dc_args *a, struct dc_stmt **st)
{
	struct dc_q q = {0};
	char now[21];

	dc_fmt_time(dc_now(ctx), now);
	product_select(&q, "", " FROM product p", NULL, now);
	dc_q_where_if(&q, "p.merchant || ':' || p.sku = ?", id);
	if (a) {
		dc_q_where_if(&q, "p.merchant = ?", dc_arg(a, "merchant"));
		dc_q_where_if(&q, "p.category = ?", dc_arg(a, "category"));
		if (dc_flag(a, "in-stock"))
			dc_q_where(&q, "p.stock > 0");
		/* inactive ones only with --all; show and dc-export (no A) see every product */
		if (!dc_flag(a, "all"))
			dc_q_where(&q, "p.active = 1");
	}
	dc_q_sql(&q, " ORDER BY p.merchant, p.sku");
	return dc_q_prepare(ctx, &q, st);
}

/* An FTS5 query from free text: every word becomes a quoted prefix term, so that no input
 * is query syntax ("a AND b" searches for the three words). */
static char *
match_terms(const char *text)
{
	size_t n = strlen(text), o = 0;
	char *q = malloc(3 * n + 8);
	int inword = 0;

	if (!q)
		abort();
	for (const char *p = text;; p++) {
		int blank = !*p || *p == ' ' || *p == '\t' || *p == '\n';

		if (inword && blank) {
			q[o++] = '"', q[o++] = '*', q[o++] = ' ';
			inword = 0;
		} else if (!inword && !blank) {
			q[o++] = '"';
			inword = 1;
		}
		if (!*p)
			break;
		if (!blank) {
			if (*p == '"')
				q[o++] = '"';
			q[o++] = *p;
		}
	}
	q[o ? o - 1 : 0] = '\0';
	return q;
}

int
dc_shop_product_search(struct dc *ctx, const char *text, const struct dc_args *a,
                       struct dc_stmt **st)
{
	char now[21], *terms = match_terms(text);
	struct dc_q q = {0};

	if (!*terms) {
		free(terms);
		return dc_error(ctx, DC_EUSAGE, "product search needs TEXT");
	}
	dc_fmt_time(dc_now(ctx), now);
	if (dc_db_is_pg(ctx->db_path)) {
		/* the index is a tsvector there: ts_rank's scores (docs/postgresql.md) */
		product_select(&q, ", round(ts_rank(f.doc, m.q)::numeric, 6)",
		               " FROM (SELECT dc_fts_query(dc_fold(?)) AS q) m"
		               " JOIN product_fts f ON f.doc @@ m.q JOIN product p ON p.id = f.id",
		               terms, now);
		dc_q_where(&q, "p.active = 1");
		dc_q_where_if(&q, "p.merchant = ?", a ? dc_arg(a, "merchant") : NULL);
		dc_q_sql(&q, " ORDER BY ts_rank(f.doc, m.q) DESC, p.merchant, p.sku");
		free(terms);
		return dc_q_prepare(ctx, &q, st);
	}
	product_select(&q, ", round(-bm25(product_fts), 6)",
	               " FROM product_fts JOIN product p ON p.id = product_fts.rowid", NULL, now);
	dc_q_open(&q);
	dc_q_text(&q, "product_fts MATCH dc_fold(?)", terms);
	dc_q_close(&q);
	dc_q_where(&q, "p.active = 1");
	dc_q_where_if(&q, "p.merchant = ?", a ? dc_arg(a, "merchant") : NULL);
	dc_q_sql(&q, " ORDER BY bm25(product_fts), p.merchant, p.sku");
	free(terms);
	return dc_q_prepare(ctx, &q, st);
}

/* ---- import ---- */

struct import {
	const char *merchant; /* borrowed */
	char now[21];
	long added, changed, unchanged;
	struct dc_stmt *get, *ins, *upd; /* prepared once, reused for every record */
};

static int
import_item(struct dc *ctx, struct dc_args *rec, void *arg)
{
	struct import *im = arg;
	struct dc_stmt *st;
	struct prod p;
	int rc, exists;

	if ((rc = prod_read(ctx, product_import_spec, rec, &p)))
		return rc;
	dc_reset(im->get);
	bind_opt(im->get, 1, im->merchant), bind_opt(im->get, 2, p.sku);
	if ((rc = dc_step(ctx, im->get)) > 0)
		return rc;
	exists = rc == DC_ROW;
	st = exists ? im->upd : im->ins;
	dc_reset(st);
	dc_clear_bindings(st);
	bind_opt(st, 1, im->merchant), bind_opt(st, 2, p.sku), bind_opt(st, 3, p.name);
	dc_bind_int(st, 4, p.price);
	if (p.stock != DC_UNSET)
		dc_bind_int(st, 5, p.stock);
	else if (!exists)
		dc_bind_int(st, 5, 0);
	bind_opt(st, 6, p.unit), bind_opt(st, 7, p.category), bind_opt(st, 8, p.description);
	bind_opt(st, 9, im->now);
	if ((rc = dc_step(ctx, st)) > 0)
		return rc;
	if (!exists)
		im->added++;
	else
		*(dc_changes(ctx) ? &im->changed : &im->unchanged) += 1;
	return 0;
}

int
dc_shop_product_import(struct dc *ctx, const char *path, const char *merchant)
{
	struct import im = {merchant, "", 0, 0, 0, NULL, NULL, NULL};
	char nums[4][24], *change = NULL;
	const char *vals[6];
	int rc;

	if ((rc = dc_shop_write_role(ctx, "import products")) || (rc = dc_tx_begin(ctx)))
		return rc;
	if ((rc = merchant_active(ctx, merchant)))
		goto done;
	dc_fmt_time(dc_now(ctx), im.now);
	if ((rc = dc_prepare(ctx, &im.get,
	                     "SELECT id FROM product WHERE merchant = ?1 AND sku = ?2")) ||
	    (rc = dc_prepare(ctx, &im.ins,
	                     "INSERT INTO product(merchant, sku, name, price, stock,"
	                     " unit, category, description, updated_at)"
	                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")) ||
	    /* a column the file leaves out keeps its value; an unchanged product is not written */
	    (rc = dc_prepare(
	         ctx, &im.upd,
	         "UPDATE product SET name = ?3, price = ?4, stock = coalesce(?5, stock),"
	         " unit = coalesce(?6, unit), category = coalesce(?7, category),"
	         " description = coalesce(?8, description), active = 1, updated_at = ?9"
	         " WHERE merchant = ?1 AND sku = ?2 AND (name IS NOT ?3 OR price IS NOT ?4"
	         " OR stock IS NOT coalesce(?5, stock) OR unit IS NOT coalesce(?6, unit)"
	         " OR category IS NOT coalesce(?7, category)"
	         " OR description IS NOT coalesce(?8, description) OR active = 0)")))
		goto done;
	ctx->nrejected = 0;
	ctx->columns = product_columns;
	rc = dc_bulk(ctx, path, NULL, 0, import_item, &im);
	ctx->columns = NULL;
	if (rc)
		goto done;
	snprintf(nums[0], 24, "%ld", im.added);
	snprintf(nums[1], 24, "%ld", im.changed);
	snprintf(nums[2], 24, "%ld", im.unchanged);
	snprintf(nums[3], 24, "%ld", ctx->nrejected);
	change = dc_printf("added=%s changed=%s unchanged=%s rejected=%s", nums[0], nums[1],
	                   nums[2], nums[3]);
	rc = dc_shop_audit(ctx, merchant, "merchant", merchant, "product-import", path, change);
done:
	dc_finish(ctx, im.get);
	dc_finish(ctx, im.ins);
	dc_finish(ctx, im.upd);
	free(change);
	if ((rc = dc_tx_end(ctx, rc)))
		return rc;
	vals[0] = merchant, vals[1] = path, vals[2] = nums[0], vals[3] = nums[1];
	vals[4] = nums[2], vals[5] = nums[3];
	return dc_out_row(ctx, vals);
}
