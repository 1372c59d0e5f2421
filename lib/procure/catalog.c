/*
 * Catalog import (CSV, JSON/JSONL, BMEcat), search and show.  One file is one transaction;
 * an item whose fields are all unchanged is not written at all, so re-importing the same
 * file changes nothing, and a file whose SHA-256 equals the vendor's last import is skipped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procure/bmecat.h"
#include "procure/procure.h"

#define ITEM_FIELDS                                                                            \
	{"id", DC_T_STR}, {"vendor", DC_T_STR}, {"sku", DC_T_STR}, {"name", DC_T_STR},             \
	    {"unit", DC_T_STR}, {"price", DC_T_PRICE}, {"currency", DC_T_STR}, {"vat", DC_T_REAL}, \
	    {"category", DC_T_STR}, {"gtin", DC_T_STR}, {"description", DC_T_STR},                 \
	    {"min_qty", DC_T_REAL}, {"valid_from", DC_T_STR}, {"valid_until", DC_T_STR},           \
	    {"tiers", DC_T_JSON}, {"attributes", DC_T_JSON}, {"status", DC_T_STR},                 \
	    {"updated_at", DC_T_STR}, {"on_request", DC_T_BOOL}, {"price_type", DC_T_STR},         \
	    {"prices", DC_T_JSON}, {"quantity_interval", DC_T_REAL}, {"cu_per_ou", DC_T_REAL}
#define NITEM 23
#define ITEM_COLS                                                                              \
	"i.vendor || ':' || i.sku, i.vendor, i.sku, i.name, i.unit, i.price, i.currency, i.vat,"   \
	" i.category, i.gtin, i.description, i.min_qty, i.valid_from, i.valid_until, i.tiers,"     \
	" i.attributes, i.status, i.updated_at, i.on_request, i.price_type, i.prices,"             \
	" i.quantity_interval, i.cu_per_ou"

const struct dc_rectype dc_rt_item = {"catalog item", (const struct dc_field[]){ITEM_FIELDS},
                                      NITEM};
const struct dc_rectype dc_rt_item_hit = {
	"catalog item", (const struct dc_field[]){ITEM_FIELDS, {"score", DC_T_REAL}}, NITEM + 1};
const struct dc_rectype dc_rt_item_show = {
	"catalog item",
	(const struct dc_field[]){ITEM_FIELDS, {"history", DC_T_JSON}, {"future_prices", DC_T_JSON}},
	NITEM + 2};
const struct dc_rectype dc_rt_import = {
	"catalog import",
	(const struct dc_field[]){{"id", DC_T_INT}, {"vendor", DC_T_STR}, {"source", DC_T_STR},
	                          {"sha256", DC_T_STR}, {"format", DC_T_STR}, {"mode", DC_T_STR},
	                          {"added", DC_T_INT}, {"changed", DC_T_INT},
	                          {"unchanged", DC_T_INT}, {"discontinued", DC_T_INT},
	                          {"rejected", DC_T_INT}, {"commit", DC_T_STR},
	                          {"skipped", DC_T_BOOL}, {"at", DC_T_STR}},
	14};

/* The fields a catalog record names; every other column is kept in attributes. */
static const char *const known[] = {"sku",     "name",        "unit",       "price",
                                    "currency", "vat",        "category",   "gtin",
                                    "description", "min_qty", "valid_from", "valid_until",
                                    "mode",    "tier",        "price_type", "keywords",
                                    "on_request", "prices",   "quantity_interval",
                                    "cu_per_ou", "search",    NULL};
/* Fields a reader gives as JSON text (BMEcat features, media, classification): kept in
 * attributes as JSON, not as a string. */
static const char *const json_attrs[] = {"features", "media", "classification", NULL};

/* The header names a CSV or TSV catalog may use for the fields (dc-order(1) "Column
 * names"): each field's own name, and the German ones of spreadsheet and wholesaler exports.
 * Matched after trimming and ignoring case (dc_in_header_eq); a vendor's own names
 * (vendor set --columns) come first. */
static const struct dc_column synonyms[] = {
	{"sku", "sku"},                   {"Artikelnummer", "sku"},
	{"Artikel-Nr.", "sku"},           {"Art.-Nr.", "sku"},
	{"Art.Nr.", "sku"},               {"Bestellnummer", "sku"},
	{"Bestell-Nr.", "sku"},           {"Best.-Nr.", "sku"},
	{"name", "name"},                 {"Bezeichnung", "name"},
	{"Artikelbezeichnung", "name"},   {"Kurztext", "name"},
	{"description", "description"},   {"Langtext", "description"},
	{"Beschreibung", "description"},  {"Artikelbeschreibung", "description"},
	{"unit", "unit"},                 {"Einheit", "unit"},
	{"ME", "unit"},                   {"Mengeneinheit", "unit"},
	{"price", "price"},               {"Preis", "price"},
	{"Nettopreis", "price"},          {"EK-Preis", "price"},
	{"Einkaufspreis", "price"},       {"currency", "currency"},
	{"Währung", "currency"},          {"vat", "vat"},
	{"MwSt", "vat"},                  {"MwSt.", "vat"},
	{"USt", "vat"},                   {"USt.", "vat"},
	{"Steuersatz", "vat"},            {"category", "category"},
	{"Warengruppe", "category"},      {"Kategorie", "category"},
	{"gtin", "gtin"},                 {"EAN", "gtin"},
	{"min_qty", "min_qty"},           {"Mindestbestellmenge", "min_qty"},
	{"Mindestmenge", "min_qty"},      {"valid_from", "valid_from"},
	{"Gültig ab", "valid_from"},      {"valid_until", "valid_until"},
	{"Gültig bis", "valid_until"},    {NULL, NULL},
};

/* The fields a vendor's own header name may give (vendor set --columns). */
static const char *const mappable[] = {"sku",      "name",     "description", "unit",
                                       "price",    "currency", "vat",         "category",
                                       "gtin",     "min_qty",  "valid_from",  "valid_until",
                                       NULL};

/* A vendor's header names, "HEADER=field,...", as a column table followed by the synonyms:
 * *cols and *text (the pieces the table points into) are the caller's to free; *nown (if not
 * NULL) gets the number of the vendor's own.  The header names are trimmed; each field must
 * be one that a catalog has. */
static int
columns_parse(struct dc *ctx, const char *given, struct dc_column **cols, char **text,
              size_t *nown)
{
	size_t n = 1, i = 0, k;
	char *p, *next;

	*text = dc_strdup(given ? given : "");
	for (p = *text; *p; p++)
		n += *p == ',';
	n += sizeof synonyms / sizeof *synonyms;
	if (!(*cols = calloc(n, sizeof **cols)))
		abort();
	for (p = *text; *p; p = next) {
		char *eq, *h, *f, *end;
		const char *const *m;

		next = p + strcspn(p, ",");
		if (*next)
			*next++ = '\0';
		if (!(eq = strchr(p, '=')))
			return dc_field_error(ctx, "option '--columns': '%s' is not HEADER=FIELD",
			                      p);
		*eq = '\0';
		for (h = p + strspn(p, " \t"), end = eq; end > h && strchr(" \t", end[-1]); end--)
			;
		*end = '\0';
		for (f = eq + 1 + strspn(eq + 1, " \t"), end = f + strlen(f);
		     end > f && strchr(" \t", end[-1]); end--)
			;
		*end = '\0';
		for (m = mappable; *m && strcmp(*m, f); m++)
			;
		if (!*h || !*m)
			return dc_field_error(
			    ctx, "option '--columns': '%s=%s': %s", h, f,
			    !*h ? "no header name"
			        : "not a catalog field (sku, name, description, unit, price,"
			          " currency, vat, category, gtin, min_qty, valid_from,"
			          " valid_until)");
		(*cols)[i].header = h;
		(*cols)[i++].field = *m;
	}
	if (nown)
		*nown = i;
	for (k = 0; synonyms[k].header; k++)
		(*cols)[i++] = synonyms[k];
	return 0;
}

int
dc_procure_columns_check(struct dc *ctx, const char *given, char **norm)
{
	struct dc_column *cols = NULL;
	char *text = NULL, *out = dc_strdup(""), *next;
	size_t i, n;
	int rc;

	*norm = NULL;
	if (!(rc = columns_parse(ctx, given, &cols, &text, &n))) {
		for (i = 0; i < n; i++) {
			next = dc_printf("%s%s%s=%s", out, i ? "," : "", cols[i].header,
			                 cols[i].field);
			free(out);
			out = next;
		}
		*norm = out;
		out = NULL;
	}
	free(out);
	free(cols);
	free(text);
	return rc;
}

/* State of one file's import; statements are prepared once and reused for every item. */
struct import {
	const char *vendor;   /* vendor id, borrowed */
	const char *source;   /* the file as the user knows it, borrowed */
	int full;             /* full mode: items not in the file become discontinued */
	int prices_only;      /* BMEcat T_UPDATE_PRICES: only prices change */
	const char *currency; /* default currency (BMEcat header), borrowed */
	long id;              /* catalog_import row */
	long long max_before; /* largest item id before this file: items above it are its own */
	long added, changed, unchanged, discontinued;
	char now[21], today[11];
	struct dc_stmt *get, *ins, *upd, *price_upd, *hist_fix, *hist_close, *hist_add, *seen, *del;
	struct dc_stmt *fts_changed,
	    *fts_old; /* what the search index needs at the end (fts_flush) */
};

static int
bad(struct dc *ctx, const char *field, const char *v, const char *what)
{
	return dc_error(ctx, DC_EDATA, "field '%s': '%s' is not %s", field, v, what);
}

/* YYYY-MM-DD, also accepted as the date part of an RFC 3339 timestamp. */
static int
date_field(struct dc *ctx, struct dc_args *rec, const char *field, char out[11])
{
	const char *v = dc_arg(rec, field);
	long d;
	char buf[11];

	*out = '\0';
	if (!v || !*v)
		return 0;
	snprintf(buf, sizeof buf, "%s", v);
	if (dc_parse_date(buf, &d) < 0 || (v[10] && v[10] != 'T' && v[10] != ' '))
		return bad(ctx, field, v, "a date (YYYY-MM-DD)");
	memcpy(out, buf, 11);
	return 0;
}

/* tier "LOWER_BOUND=PRICE" values → [{"min_qty":1,"price":12.5},...] */
static int
tiers_json(struct dc *ctx, struct dc_args *rec, const char *currency, char **out)
{
	json_object *arr = json_object_new_array();
	int i, rc = 0;

	for (i = 0; i < dc_arg_count(rec, "tier") && !rc; i++) {
		const char *t = dc_arg_nth(rec, "tier", i), *eq = strchr(t, '=');
		long long q, price;
		char qty[64];

		if (!eq || (size_t)(eq - t) >= sizeof qty) {
			rc = bad(ctx, "tier", t, "LOWER_BOUND=PRICE");
			break;
		}
		snprintf(qty, sizeof qty, "%.*s", (int)(eq - t), t);
		if ((rc = dc_procure_num(ctx, "tier", qty, "a quantity", 3, DC_QTY_MAX * 1000, NULL,
		                         &q)) ||
		    (rc = dc_procure_num(ctx, "tier", eq + 1, "a price", 4, DC_PRICE_MAX, currency,
		                         &price)))
			break;
		{
			json_object *o = json_object_new_object();
			char num[32];

			dc_num_fmt(price, 4, 0, '.', num);
			json_object_object_add(o, "min_qty", json_object_new_double((double)q / 1000));
			json_object_object_add(o, "price",
			                       json_object_new_double_s((double)price / 10000, num));
			json_object_array_add(arr, o);
		}
	}
	if (!rc)
		*out = dc_strdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	return rc;
}

static char *
attributes_json(struct dc_args *rec)
{
	json_object *o = json_object_new_object();
	char *s;
	int i;

	for (i = 0; i < rec->n; i++) {
		const char *const *k;

		for (k = known; *k && strcmp(*k, rec->keys[i]); k++)
			;
		if (*k)
			continue;
		for (k = json_attrs; *k && strcmp(*k, rec->keys[i]); k++)
			;
		if (*k) {
			json_object *j = json_tokener_parse(rec->vals[i]);

			json_object_object_add(o, rec->keys[i],
			                       j ? j : json_object_new_string(rec->vals[i]));
			continue;
		}
		/* a JSON record's "attributes" object, as catalog show prints it, is the same */
		dc_in_json_field(o,
		                 rec->keys[i] + (strncmp(rec->keys[i], "attributes.", 11) ? 0 : 11),
		                 rec->vals[i]);
	}
	s = dc_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* Values are bound by reference (dc_bind_text_ref): they live in the record or the import, which
 * outlive every step of the statement; copying each of them cost a tenth of an import (callgrind).
 */
static void
bind_opt(struct dc_stmt *st, int i, const char *v)
{
	dc_bind_text_ref(st, i, v && *v ? v : NULL);
}

/* The previous price period ends the day before the new one starts. */
static int
new_price_period(struct dc *ctx, struct import *im, long long item, const char *from,
                 int has_price, long long price, const char *currency)
{
	char end[11];
	long d;
	int rc;

	/* a second change on the day the open period began corrects that period */
	dc_reset(im->hist_fix);
	dc_bind_int(im->hist_fix, 1, item);
	has_price ? dc_bind_int(im->hist_fix, 2, price) : dc_bind_null(im->hist_fix, 2);
	dc_bind_text_ref(im->hist_fix, 3, currency);
	dc_bind_text_ref(im->hist_fix, 4, from);
	dc_bind_int(im->hist_fix, 5, im->id);
	if ((rc = dc_step(ctx, im->hist_fix)) || dc_changes(ctx))
		return rc;
	dc_parse_date(from, &d);
	dc_fmt_date(d - 1, end);
	dc_reset(im->hist_close);
	dc_bind_int(im->hist_close, 1, item);
	dc_bind_text_ref(im->hist_close, 2, end);
	if ((rc = dc_step(ctx, im->hist_close)))
		return rc;
	dc_reset(im->hist_add);
	dc_bind_int(im->hist_add, 1, item);
	if (has_price)
		dc_bind_int(im->hist_add, 2, price);
	else
		dc_bind_null(im->hist_add, 2);
	dc_bind_text_ref(im->hist_add, 3, currency);
	dc_bind_text_ref(im->hist_add, 4, from);
	dc_bind_int(im->hist_add, 5, im->id);
	return dc_step(ctx, im->hist_add);
}

/*
 * Items this file adds get ids above im->max_before (rowids only grow), and their search
 * entries and first price periods are written in bulk by fts_flush, from what they finally
 * are.  For an older item whose indexed text changes, the text the index holds is kept in
 * temp.fts_old before the update (the first time only), because an FTS5 index with external
 * content is told what to delete, and its id in temp.fts_changed.
 */
static int
fts_note(struct dc *ctx, struct import *im, long long item)
{
	int rc;

	if (item > im->max_before)
		return 0;
	dc_reset(im->fts_old);
	dc_bind_int(im->fts_old, 1, item);
	for (int i = 2; i <= 7; i++)
		dc_bind_col(im->fts_old, i, im->get, i);
	if ((rc = dc_step(ctx, im->fts_old)))
		return rc;
	dc_reset(im->fts_changed);
	dc_bind_int(im->fts_changed, 1, item);
	return dc_step(ctx, im->fts_changed);
}

/* Would the indexed column at get's column COL become V (NULL and "" both mean none)? */
static int
fts_differs(struct import *im, int col, const char *v)
{
	const char *old = dc_col_text(im->get, col);

	return strcmp(old ? old : "", v ? v : "") != 0;
}

static int
fts_flush(struct dc *ctx, struct import *im)
{
	char max[24], id[24];
	int rc;

	snprintf(max, sizeof max, "%lld", im->max_before);
	snprintf(id, sizeof id, "%ld", im->id);
	if ((rc = dc_exec(ctx, "INSERT INTO price_history(item, price, currency, valid_from, import)"
	                       " SELECT id, price, currency, coalesce(valid_from, ?2), ?3"
	                       " FROM catalog_item WHERE id > ?1 ORDER BY id", 3, max, im->today, id)) ||
	    (rc = dc_exec(ctx, "INSERT INTO catalog_fts(catalog_fts, rowid, name, description,"
	                       " category, sku, gtin, search_text) SELECT 'delete', id,"
	                       " dc_fold(name), dc_fold(description), dc_fold(category),"
	                       " dc_fold(sku), gtin, dc_fold(search_text) FROM temp.fts_old", 0)) ||
	    (rc = dc_exec(ctx, "INSERT INTO catalog_fts(rowid, name, description, category, sku,"
	                       " gtin, search_text) SELECT id, dc_fold(name), dc_fold(description),"
	                       " dc_fold(category), dc_fold(sku), gtin, dc_fold(search_text)"
	                       " FROM catalog_item WHERE id > ?1 OR id IN (SELECT id FROM"
	                       " temp.fts_changed) ORDER BY id", 1, max)))
		return rc;
	return dc_exec(ctx, "UPDATE catalog_fts_defer SET deferred = 0", 0);
}

static int
import_item(struct dc *ctx, struct dc_args *rec, void *arg)
{
	struct import *im = arg;
	const char *sku = dc_arg(rec, "sku"), *name = dc_arg(rec, "name");
	const char *mode = dc_arg(rec, "mode"), *v, *currency;
	char from[11], until[11], *tiers = NULL, *attrs = NULL;
	long long price = 0, vat = 0, minq = 0, item = 0, oldprice = 0, step = 0, cu = 0;
	int has_price = 0, has_vat = 0, has_min = 0, exists, oldhas = 0, rc, on_request;
	const char *prices = dc_arg(rec, "prices");

	if (!sku || !*sku)
		return dc_error(ctx, DC_EDATA, "field 'sku' is required");
	currency = (v = dc_arg(rec, "currency")) && *v ? v : im->currency ? im->currency : "EUR";
	if ((v = dc_arg(rec, "price")) && *v) {
		if ((rc = dc_procure_num(ctx, "price", v, "a price", 4, DC_PRICE_MAX, currency,
		                         &price)))
			return rc;
		has_price = 1;
	}
	if ((v = dc_arg(rec, "vat")) && *v) {
		if ((rc = dc_procure_num(ctx, "vat", v, "a VAT percentage", 2, 10000, NULL, &vat)))
			return rc;
		has_vat = 1;
	}
	if ((v = dc_arg(rec, "min_qty")) && *v) {
		if ((rc = dc_procure_num(ctx, "min_qty", v, "a quantity", 3, DC_QTY_MAX * 1000, NULL,
		                         &minq)))
			return rc;
		has_min = 1;
	}
	if ((v = dc_arg(rec, "quantity_interval")) && *v &&
	    ((rc = dc_procure_num(ctx, "quantity_interval", v, "a quantity", 3,
	                          DC_QTY_MAX * 1000, NULL, &step)) ||
	     step <= 0))
		return rc ? rc : bad(ctx, "quantity_interval", v, "a quantity above 0");
	if ((v = dc_arg(rec, "cu_per_ou")) && *v &&
	    ((rc = dc_procure_num(ctx, "cu_per_ou", v, "a quantity", 3, DC_QTY_MAX * 1000, NULL,
	                          &cu)) ||
	     cu <= 0))
		return rc ? rc : bad(ctx, "cu_per_ou", v, "a quantity above 0");
	/* a reader that gives all prices has decided; elsewhere no price means on request */
	on_request = dc_arg(rec, "on_request") ? 1 : !has_price && !prices;
	if ((rc = date_field(ctx, rec, "valid_from", from)) ||
	    (rc = date_field(ctx, rec, "valid_until", until)))
		return rc;
	dc_reset(im->get);
	dc_bind_text_ref(im->get, 1, sku);
	if ((rc = dc_step(ctx, im->get)) > 0)
		return rc;
	if ((exists = rc == DC_ROW)) {
		item = dc_col_int(im->get, 0);
		oldhas = !dc_col_null(im->get, 1);
		oldprice = dc_col_int(im->get, 1);
	}
	if (mode && !strcmp(mode, "map")) {
		/* a BMEcat 1.2 ARTICLE_TO_CATALOGGROUP_MAP, which follows all articles */
		if (!exists || !fts_differs(im, 4, dc_arg(rec, "category")))
			return 0;
		return (rc = fts_note(ctx, im, item))
		           ? rc
		           : dc_exec(ctx, "UPDATE catalog_item SET category = ?2 WHERE id = ?1", 2,
		                     dc_col_text(im->get, 0), dc_arg(rec, "category"));
	}
	if (mode && !strcmp(mode, "delete")) {
		/* BMEcat deletes: the item stays for old orders, marked discontinued */
		if (!exists)
			return 0;
		dc_reset(im->del);
		dc_bind_int(im->del, 1, item);
		dc_bind_text_ref(im->del, 2, im->now);
		if ((rc = dc_step(ctx, im->del)))
			return rc;
		im->discontinued += dc_changes(ctx);
		return 0;
	}
	if (!exists && mode && !strcmp(mode, "update"))
		return dc_error(ctx, DC_EDATA, "field 'sku': no item '%s' to update", sku);
	if (!exists && (im->prices_only || !name || !*name))
		return im->prices_only ? dc_error(ctx, DC_EDATA, "field 'sku': no item '%s' to update", sku)
		                       : dc_error(ctx, DC_EDATA, "field 'name' is required");
	if ((rc = tiers_json(ctx, rec, currency, &tiers)))
		return rc;
	attrs = attributes_json(rec);
	if (!*from)
		memcpy(from, im->today, sizeof from);
	if (im->prices_only) {
		struct dc_stmt *st = im->price_upd;

		dc_reset(st);
		dc_bind_int(st, 1, item);
		has_price ? dc_bind_int(st, 2, price) : dc_bind_null(st, 2);
		dc_bind_text_ref(st, 3, currency);
		has_vat ? dc_bind_double(st, 4, (double)vat / 100) : dc_bind_null(st, 4);
		bind_opt(st, 5, dc_arg(rec, "valid_from") ? from : NULL);
		bind_opt(st, 6, until);
		dc_bind_text_ref(st, 7, tiers);
		dc_bind_text_ref(st, 8, im->now);
		dc_bind_int(st, 9, on_request);
		dc_bind_text_ref(st, 10, dc_arg(rec, "price_type"));
		dc_bind_text_ref(st, 11, prices ? prices : "[]");
		if ((rc = dc_step(ctx, st)) == 0)
			*(dc_changes(ctx) ? &im->changed : &im->unchanged) += 1;
	} else {
		struct dc_stmt *st = exists ? im->upd : im->ins;

		dc_reset(st);
		if (exists)
			dc_bind_int(st, 1, item);
		else {
			dc_bind_text_ref(st, 1, im->vendor);
		}
		dc_bind_text_ref(st, 2, sku);
		bind_opt(st, 3, name);
		bind_opt(st, 4, dc_arg(rec, "unit"));
		has_price ? dc_bind_int(st, 5, price) : dc_bind_null(st, 5);
		dc_bind_text_ref(st, 6, currency);
		has_vat ? dc_bind_double(st, 7, (double)vat / 100) : dc_bind_null(st, 7);
		bind_opt(st, 8, dc_arg(rec, "category"));
		bind_opt(st, 9, dc_arg(rec, "gtin"));
		bind_opt(st, 10, dc_arg(rec, "description"));
		has_min ? dc_bind_double(st, 11, (double)minq / 1000) : dc_bind_null(st, 11);
		bind_opt(st, 12, dc_arg(rec, "valid_from") ? from : NULL);
		bind_opt(st, 13, until);
		dc_bind_text_ref(st, 14, tiers);
		dc_bind_text_ref(st, 15, attrs);
		dc_bind_text_ref(st, 16, im->now);
		dc_bind_int(st, 17, on_request);
		dc_bind_text_ref(st, 18, dc_arg(rec, "price_type"));
		dc_bind_text_ref(st, 19, prices ? prices : "[]");
		step ? dc_bind_double(st, 20, (double)step / 1000) : dc_bind_null(st, 20);
		cu ? dc_bind_double(st, 21, (double)cu / 1000) : dc_bind_null(st, 21);
		bind_opt(st, 22, dc_arg(rec, "search"));
		/* what the index holds must be noted while get still shows it */
		if (exists && (fts_differs(im, 2, name) ||
		               fts_differs(im, 3, dc_arg(rec, "description")) ||
		               (dc_arg(rec, "category") && fts_differs(im, 4, dc_arg(rec, "category"))) ||
		               fts_differs(im, 5, dc_arg(rec, "gtin")) ||
		               fts_differs(im, 7, dc_arg(rec, "search"))) &&
		    (rc = fts_note(ctx, im, item)))
			goto done;
		/* the update's WHERE leaves an unchanged item alone: no change, no row written */
		if ((rc = dc_step(ctx, st)) == 0 && dc_changes(ctx)) {
			if (!exists)
				item = dc_last_id(ctx);
			*(exists ? &im->changed : &im->added) += 1;
		} else if (rc == 0)
			im->unchanged++;
	}
done:
	free(tiers);
	free(attrs);
	if (rc)
		return rc;
	if (item > im->max_before)
		return 0; /* added by this file: fts_flush writes its price period; not discontinued */
	if ((oldhas != has_price || oldprice != price) &&
	    (rc = new_price_period(ctx, im, item, from, has_price, price, currency)))
		return rc;
	if (im->full) {
		dc_reset(im->seen);
		dc_bind_int(im->seen, 1, item);
		return dc_step(ctx, im->seen);
	}
	return 0;
}

/* An item's error names the file as the user knows it and the item's line, rejected under
 * --keep-going or not (the reader's own errors name them already). */
static int
bmecat_item(struct dc *ctx, struct dc_args *item, long line, void *arg)
{
	struct import *im = arg;
	int rc;

	/* an item's error names the file and the item's line, also under --keep-going */
	free(ctx->cursrc);
	ctx->cursrc = dc_strdup(im->source);
	ctx->curline = line;
	ctx->reading = DC_READ_RFC; /* XML's decimals */
	rc = dc_apply_record(ctx, item, NULL, import_item, arg);
	ctx->reading = DC_READ_CMDLINE;
	if (rc && ctx->errmsg[0])
		dc_error_prefix(ctx, "%s:%ld", im->source, line);
	free(ctx->cursrc);
	ctx->cursrc = NULL;
	return rc;
}

static int
prepare_all(struct dc *ctx, struct import *im)
{
	/* an unchanged item matches every IS NOT and so is not written (nor counted changed) */
	static const char upd[] =
	    "UPDATE catalog_item SET name = ?3, unit = ?4, price = ?5, currency = ?6, vat = ?7,"
	    " category = coalesce(?8, category), gtin = ?9, description = ?10, min_qty = ?11, valid_from = ?12,"
	    " valid_until = ?13, tiers = ?14, attributes = ?15, status = 'active', updated_at = ?16,"
	    " on_request = ?17, price_type = ?18, prices = ?19, quantity_interval = ?20,"
	    " cu_per_ou = ?21, search_text = ?22"
	    /* a category the file does not give (BMEcat 1.2 maps it later) is kept */
	    " WHERE id = ?1 AND ?2 IS NOT NULL AND (name IS NOT ?3 OR unit IS NOT ?4"
	    " OR price IS NOT ?5 OR currency IS NOT ?6 OR vat IS NOT ?7"
	    " OR (?8 IS NOT NULL AND category IS NOT ?8)"
	    " OR gtin IS NOT ?9 OR description IS NOT ?10 OR min_qty IS NOT ?11"
	    " OR valid_from IS NOT ?12 OR valid_until IS NOT ?13 OR tiers IS NOT ?14"
	    " OR attributes IS NOT ?15 OR status <> 'active' OR on_request IS NOT ?17"
	    " OR price_type IS NOT ?18 OR prices IS NOT ?19 OR quantity_interval IS NOT ?20"
	    " OR cu_per_ou IS NOT ?21 OR search_text IS NOT ?22)";
	static const char price_upd[] =
	    "UPDATE catalog_item SET price = ?2, currency = ?3, vat = coalesce(?4, vat),"
	    " valid_from = coalesce(?5, valid_from), valid_until = coalesce(?6, valid_until),"
	    " tiers = ?7, updated_at = ?8, on_request = ?9, price_type = ?10, prices = ?11"
	    " WHERE id = ?1 AND (price IS NOT ?2 OR currency IS NOT ?3"
	    " OR (?4 IS NOT NULL AND vat IS NOT ?4) OR (?5 IS NOT NULL AND valid_from IS NOT ?5)"
	    " OR (?6 IS NOT NULL AND valid_until IS NOT ?6) OR tiers IS NOT ?7"
	    " OR on_request IS NOT ?9 OR price_type IS NOT ?10 OR prices IS NOT ?11)";
	int rc;

	if ((rc = dc_prepare(ctx, &im->get, "SELECT id, price, name, description, category, gtin,"
	                                    " sku, search_text FROM catalog_item"
	                                    " WHERE vendor = ?2 AND sku = ?1")) ||
	    (rc = dc_prepare(ctx, &im->ins,
	                     "INSERT INTO catalog_item(vendor, sku, name, unit, price, currency, vat,"
	                     " category, gtin, description, min_qty, valid_from, valid_until, tiers,"
	                     " attributes, updated_at, on_request, price_type, prices,"
	                     " quantity_interval, cu_per_ou, search_text)"
	                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	                     " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)")) ||
	    (rc = dc_prepare(ctx, &im->upd, upd)) ||
	    (rc = dc_prepare(ctx, &im->price_upd, price_upd)) ||
	    (rc = dc_prepare(ctx, &im->hist_fix, "UPDATE price_history SET price = ?2, currency = ?3,"
	                                         " import = ?5 WHERE item = ?1 AND valid_to IS NULL"
	                                         " AND valid_from = ?4")) ||
	    (rc = dc_prepare(ctx, &im->hist_close, "UPDATE price_history SET valid_to = ?2"
	                                           " WHERE item = ?1 AND valid_to IS NULL")) ||
	    (rc = dc_prepare(ctx, &im->hist_add, "INSERT INTO price_history(item, price, currency,"
	                                         " valid_from, import) VALUES (?1, ?2, ?3, ?4, ?5)")) ||
	    (rc = dc_prepare(ctx, &im->seen, "INSERT OR IGNORE INTO temp.seen(id) VALUES (?1)")) ||
	    (rc = dc_prepare(ctx, &im->del, "UPDATE catalog_item SET status = 'discontinued',"
	                                    " updated_at = ?2 WHERE id = ?1 AND status = 'active'")) ||
	    (rc = dc_prepare(ctx, &im->fts_changed, "INSERT OR IGNORE INTO temp.fts_changed(id)"
	                                        " VALUES (?1)")) ||
	    (rc = dc_prepare(ctx, &im->fts_old, "INSERT OR IGNORE INTO temp.fts_old(id, name,"
	                                        " description, category, gtin, sku, search_text)"
	                                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")))
		return rc;
	dc_bind_text_ref(im->get, 2, im->vendor);
	return 0;
}

static void
finalize_all(struct dc *ctx, struct import *im)
{
	dc_finish(ctx, im->get);
	dc_finish(ctx, im->ins);
	dc_finish(ctx, im->upd);
	dc_finish(ctx, im->price_upd);
	dc_finish(ctx, im->hist_fix);
	dc_finish(ctx, im->hist_close);
	dc_finish(ctx, im->hist_add);
	dc_finish(ctx, im->seen);
	dc_finish(ctx, im->del);
	dc_finish(ctx, im->fts_changed);
	dc_finish(ctx, im->fts_old);
}

/* VENDOR--anything.ext names its vendor (dc-import spool). */
static char *
vendor_from_name(const char *path)
{
	const char *base = strrchr(path, '/'), *sep;

	base = base ? base + 1 : path;
	if (!(sep = strstr(base, "--")) || sep == base)
		return NULL;
	return dc_printf("%.*s", (int)(sep - base), base);
}

/* The catalog's format: -i, else from the first byte: '<' BMEcat, '[' JSON, '{' JSONL. */
static const char *
detect_format(const char *path, const char *format)
{
	FILE *fp;
	int c;

	if (format)
		return format;
	if (!(fp = fopen(path, "r")))
		return "csv";
	while ((c = getc(fp)) != EOF && (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	                                 c == 0xef || c == 0xbb || c == 0xbf))
		;
	fclose(fp);
	return c == '<' ? "bmecat" : c == '[' ? "json" : c == '{' ? "jsonl" : "csv";
}

/* stdin is copied to a temporary file first: the file is read twice (hash, then import). */
static int
spool_stdin(struct dc *ctx, char **tmp)
{
	char buf[65536];
	const char *dir = getenv("TMPDIR");
	size_t n;
	FILE *fp;
	int fd, rc = 0;

	*tmp = dc_printf("%s/dc-catalog-XXXXXX", dir && *dir ? dir : "/tmp");
	if ((fd = mkstemp(*tmp)) < 0 || !(fp = fdopen(fd, "w")))
		return dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", *tmp, strerror(errno));
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
		if (fwrite(buf, 1, n, fp) != n)
			break;
	if (ferror(stdin) || ferror(fp))
		rc = dc_error(ctx, DC_EIO, "copying standard input: %s", strerror(errno));
	if (fclose(fp) && !rc)
		rc = dc_error(ctx, DC_EIO, "copying standard input: %s", strerror(errno));
	return rc;
}

static int
summary(struct dc *ctx, long id, int skipped)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT id, vendor, source, sha256, format, mode, ?2 * added,"
	                               " ?2 * changed, CASE WHEN ?2 THEN unchanged ELSE"
	                               " added + changed + unchanged END, ?2 * discontinued,"
	                               " ?2 * rejected, commit_id, NOT ?2, at"
	                               " FROM catalog_import WHERE id = ?1")))
		return rc;
	dc_bind_int(st, 1, id);
	dc_bind_int(st, 2, !skipped);
	if ((rc = dc_step(ctx, st)) == DC_ROW)
		rc = dc_out_stmt(ctx, st);
	dc_finish(ctx, st);
	return rc;
}

static int
import_file(struct dc *ctx, const char *path, const char *source, const struct dc_catalog_opts *o,
            long *done_id, int *skipped)
{
	struct dc_bmecat_header hdr = {0};
	struct import im = {0};
	struct dc_stmt *st = NULL;
	struct dc_column *cols = NULL;
	char sha[65], *vendor = NULL, *encoding = NULL, *coltext = NULL;
	const char *format = detect_format(path, o->format);
	int rc, known, bmecat = !strcmp(format, "bmecat");
	long last = 0;

	*skipped = 0;
	if ((rc = dc_sha256_file(ctx, path, sha)))
		return rc;
	if (bmecat) {
		/* the header names the vendor and the kind of transaction; read it first; messages
		 * name the file as the user knows it, not a temporary copy */
		ctx->input_name = strcmp(path, source) ? source : NULL;
		rc = dc_bmecat_read(ctx, path, &hdr, NULL, NULL);
		ctx->input_name = NULL;
		if (rc)
			goto done;
	}
	vendor = dc_strdup(o->vendor);
	if (!vendor)
		vendor = vendor_from_name(source);
	if (!vendor && hdr.supplier_id)
		vendor = dc_strdup(hdr.supplier_id);
	if (!vendor) {
		rc = dc_error(ctx, DC_EUSAGE, "%s: which vendor? use --vendor or name the file VENDOR--*",
		              source);
		goto done;
	}
	/* how the vendor's files are read: --encoding wins over the vendor's setting */
	if ((rc = dc_prepare(ctx, &st, "SELECT encoding, columns FROM vendor"
	                               " WHERE id = ?1 AND active = 1")))
		goto done;
	dc_bind_text_ref(st, 1, vendor);
	if ((known = (rc = dc_step(ctx, st)) == DC_ROW)) {
		encoding = dc_strdup(dc_col_text(st, 0));
		rc = columns_parse(ctx, dc_col_text(st, 1), &cols, &coltext, NULL);
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc)
		goto done;
	if (!known) {
		rc = dc_error(ctx, DC_EDATA, "%s: no active vendor '%s'", source, vendor);
		goto done;
	}
	im.vendor = vendor;
	im.source = source;
	im.prices_only = hdr.transaction && !strcmp(hdr.transaction, "T_UPDATE_PRICES");
	im.full = o->mode ? !strcmp(o->mode, "full")
	                  : !(hdr.transaction && strcmp(hdr.transaction, "T_NEW_CATALOG"));
	im.currency = hdr.currency;
	dc_fmt_time(dc_now(ctx), im.now);
	dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), im.today);
	if ((rc = dc_tx_begin(ctx)))
		goto done;
	/* the same content as the vendor's last import: nothing to do */
	if ((rc = dc_prepare(ctx, &st, "SELECT id, sha256 = ?2 FROM catalog_import WHERE vendor = ?1"
	                               " ORDER BY id DESC LIMIT 1")))
		goto tx;
	dc_bind_text_ref(st, 1, vendor);
	dc_bind_text_ref(st, 2, sha);
	if ((rc = dc_step(ctx, st)) == DC_ROW && dc_col_int(st, 1)) {
		last = dc_col_int(st, 0);
		*skipped = 1;
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc > 0 || *skipped) {
		*done_id = last;
		rc = rc > 0 ? rc : 0;
		goto tx;
	}
	if ((rc = dc_prepare(ctx, &st, "INSERT INTO catalog_import(vendor, source, sha256, format,"
	                               " mode, added, changed, unchanged, discontinued, rejected,"
	                               " commit_id, at, actor) VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, 0, 0,"
	                               " 0, ?6, ?7, ?8) RETURNING id")))
		goto tx;
	dc_bind_text_ref(st, 1, vendor);
	dc_bind_text_ref(st, 2, source);
	dc_bind_text_ref(st, 3, sha);
	dc_bind_text_ref(st, 4, format);
	dc_bind_text_ref(st, 5, im.full ? "full" : "update");
	dc_bind_text_ref(st, 6, o->commit);
	dc_bind_text_ref(st, 7, im.now);
	dc_bind_text_ref(st, 8, ctx->actor);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		im.id = dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc || (rc = dc_exec(ctx, "CREATE TEMP TABLE IF NOT EXISTS seen(id INTEGER PRIMARY KEY)",
	                        0)) ||
	    (rc = dc_exec(ctx, "CREATE TEMP TABLE IF NOT EXISTS fts_changed(id INTEGER PRIMARY KEY)",
	                  0)) ||
	    (rc = dc_exec(ctx, "CREATE TEMP TABLE IF NOT EXISTS fts_old(id INTEGER PRIMARY KEY,"
	                       " name, description, category, gtin, sku, search_text)", 0)) ||
	    (rc = dc_exec(ctx, "DELETE FROM temp.seen", 0)) ||
	    (rc = dc_exec(ctx, "DELETE FROM temp.fts_changed", 0)) ||
	    (rc = dc_exec(ctx, "DELETE FROM temp.fts_old", 0)) ||
	    (rc = dc_exec(ctx, "UPDATE catalog_fts_defer SET deferred = 1", 0)) ||
	    (rc = prepare_all(ctx, &im)))
		goto tx;
	if ((rc = dc_prepare(ctx, &st, "SELECT coalesce(max(id), 0) FROM catalog_item")))
		goto tx;
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		im.max_before = dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc)
		goto tx;
	ctx->nrejected = 0;
	if (bmecat) {
		struct dc_bmecat_header again;

		/* the reader fills a header again; keep the first one, which im.currency borrows */
		ctx->input_name = strcmp(path, source) ? source : NULL;
		rc = dc_bmecat_read(ctx, path, &again, bmecat_item, &im);
		ctx->input_name = NULL;
		dc_bmecat_header_free(&again);
	} else {
		/* messages name the file as the user knows it, not a temporary copy */
		ctx->input_name = strcmp(path, source) ? source : NULL;
		ctx->encoding_default = encoding;
		ctx->columns = cols;
		rc = dc_bulk(ctx, path, NULL, 0, import_item, &im);
		ctx->input_name = NULL;
		ctx->encoding_default = NULL;
		ctx->columns = NULL;
	}
	free(ctx->cursrc);
	ctx->cursrc = NULL;
	if (rc || (rc = fts_flush(ctx, &im)))
		goto tx;
	/* an empty file is far more likely a truncated upload than a vendor selling nothing */
	if (im.full && !im.added && !im.changed && !im.unchanged && !ctx->nrejected) {
		rc = dc_error(ctx, DC_EDATA, "%s: no items; a full catalog without items would "
		                             "discontinue all of '%s' (import it with --mode update)",
		              source, vendor);
		goto tx;
	}
	/* a rejected record may be an item the vendor still sells: only a file read whole says
	 * which items are gone */
	if (im.full && ctx->nrejected)
		dc_warn(ctx, "%s: %ld record%s rejected, so no item is marked discontinued", source,
		        ctx->nrejected, ctx->nrejected == 1 ? "" : "s");
	else if (im.full) {
		char maxtext[24];

		/* items this file added are active, and not in temp.seen */
		snprintf(maxtext, sizeof maxtext, "%lld", im.max_before);
		if ((rc = dc_exec(ctx, "UPDATE catalog_item SET status = 'discontinued', updated_at = ?2"
		                       " WHERE vendor = ?1 AND status = 'active' AND id <= ?3"
		                       " AND id NOT IN (SELECT id FROM temp.seen)",
		                  3, vendor, im.now, maxtext)))
			goto tx;
		im.discontinued += dc_changes(ctx);
	}
	{
		char nums[5][24], idtext[24];
		struct dc_event ev = {"vendor", vendor, "catalog-import", NULL, sha, source, 0};

		snprintf(nums[0], 24, "%ld", im.added);
		snprintf(nums[1], 24, "%ld", im.changed);
		snprintf(nums[2], 24, "%ld", im.unchanged);
		snprintf(nums[3], 24, "%ld", im.discontinued);
		snprintf(nums[4], 24, "%ld", ctx->nrejected);
		snprintf(idtext, 24, "%ld", im.id);
		if ((rc = dc_exec(ctx, "UPDATE catalog_import SET added = ?2, changed = ?3, unchanged = ?4,"
		                       " discontinued = ?5, rejected = ?6 WHERE id = ?1",
		                  6, idtext, nums[0], nums[1], nums[2], nums[3], nums[4])) ||
		    (rc = dc_audit(ctx, &ev)))
			goto tx;
	}
	*done_id = im.id;
tx:
	finalize_all(ctx, &im);
	rc = dc_tx_end(ctx, rc);
done:
	dc_bmecat_header_free(&hdr);
	free(vendor);
	free(encoding);
	free(cols);
	free(coltext);
	return rc;
}

int
dc_procure_catalog_import(struct dc *ctx, const char *path, const struct dc_catalog_opts *o,
                          long *import_id)
{
	char *tmp = NULL;
	long id = 0;
	int rc, skipped;

	if ((rc = dc_require(ctx, "buyer integrator", "import catalogs")))
		return rc;
	if (!strcmp(path, "-") && (rc = spool_stdin(ctx, &tmp)))
		goto done;
	rc = import_file(ctx, tmp ? tmp : path, o->source ? o->source : path, o, &id, &skipped);
	if (!rc && id && !ctx->dry_run)
		rc = summary(ctx, id, skipped);
	if (import_id)
		*import_id = rc ? 0 : id;
done:
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	return rc;
}

/* FTS5 query from free text: each word a quoted prefix term, so that no input is syntax. */
static char *
fts_query(const char *text)
{
	size_t cap = strlen(text) * 2 + 16, len = 0;
	char *q = malloc(cap);
	const char *p = text;

	if (!q)
		abort();
	while (*p) {
		size_t n;

		p += strspn(p, " \t\n");
		if (!(n = strcspn(p, " \t\n")))
			break;
		if (len + n * 2 + 8 > cap && !(q = realloc(q, cap = (len + n * 2 + 8) * 2)))
			abort();
		len += (size_t)sprintf(q + len, "%s\"", len ? " " : "");
		for (size_t i = 0; i < n; i++) {
			if (p[i] == '"')
				q[len++] = '"';
			q[len++] = p[i];
		}
		len += (size_t)sprintf(q + len, "\"*");
		p += n;
	}
	q[len] = '\0';
	return q;
}

int
dc_procure_catalog_search(struct dc *ctx, const char *text, struct dc_args *f, struct dc_stmt **st)
{
	const char *max = dc_arg(f, "max-price");
	long long price = 0;
	long limit = 50;
	struct dc_q q = {0};
	char *match;
	int rc, e;

	if ((rc = dc_require(ctx, "buyer auditor head clerk integrator", "search catalogs")))
		return rc;
	if (max && (e = dc_num_parse(max, DC_READ_CMDLINE, 4, "EUR", DC_PRICE_MAX, &price)))
		return dc_num_error(ctx, DC_EUSAGE, e, "max-price", max, "a price", 4, DC_PRICE_MAX);
	match = fts_query(text);
	if (!*match) {
		rc = dc_error(ctx, DC_EUSAGE, "search needs TEXT");
		goto done;
	}
	if ((rc = dc_arg_int(ctx, f, "limit", 1, 1000000, &limit)))
		goto done;
	/* bm25 weights: name counts most, then category and sku, then the description and the
	 * BMEcat search text */
	dc_q_sql(&q, "SELECT " ITEM_COLS ", round(-bm25(catalog_fts, 10.0, 1.0, 3.0, 3.0, 3.0,"
	             " 1.0), 4)"
	             " FROM catalog_fts JOIN catalog_item i ON i.id = catalog_fts.rowid"
	             " JOIN vendor v ON v.id = i.vendor");
	dc_q_where_if(&q, "catalog_fts MATCH dc_fold(?)", match);
	dc_q_where(&q, "i.status = 'active' AND v.active = 1");
	dc_q_where_if(&q, "i.vendor = ?", dc_arg(f, "vendor"));
	dc_q_where_if(&q, "i.category = ?", dc_arg(f, "category"));
	if (max) {
		dc_q_open(&q);
		dc_q_int(&q, "i.price <= ?", price);
		dc_q_close(&q);
	}
	dc_q_sql(&q, " ORDER BY bm25(catalog_fts, 10.0, 1.0, 3.0, 3.0, 3.0, 1.0), i.price");
	dc_q_int(&q, " LIMIT ?", limit);
	rc = dc_q_prepare(ctx, &q, st);
done:
	free(match);
	return rc;
}

int
dc_procure_catalog_show(struct dc *ctx, const char *ref, struct dc_stmt **st)
{
	const char *colon = strchr(ref, ':');
	int rc;

	if ((rc = dc_require(ctx, "buyer auditor head clerk integrator", "see catalogs")))
		return rc;
	if (!colon)
		return dc_error(ctx, DC_EUSAGE, "'%s' is not VENDOR:SKU", ref);
	if ((rc = dc_prepare(ctx, st,
	                     "SELECT " ITEM_COLS ", (SELECT json_group_array(json_object("
	                     "  'price', " DC_SQL_PRICE("h.price") ", 'currency', h.currency,"
	                     "  'valid_from', h.valid_from, 'valid_to', h.valid_to, 'import', h.import))"
	                     "  FROM (SELECT * FROM price_history h WHERE h.item = i.id"
	                     "  ORDER BY h.id) h),"
	                     " (SELECT json_group_array(json(p.value)) FROM json_each(i.prices) p"
	                     "  WHERE p.value ->> 'valid_from' > ?3)"
	                     " FROM catalog_item i WHERE i.vendor = ?1 AND i.sku = ?2")))
		return rc;
	dc_bind_textn(*st, 1, ref, (int)(colon - ref));
	dc_bind_text(*st, 2, colon + 1);
	{
		char day[11];

		dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), day);
		dc_bind_text(*st, 3, day);
	}
	return 0;
}
