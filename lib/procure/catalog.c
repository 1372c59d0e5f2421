/*
 * Catalog import (CSV, JSON/JSONL, BMEcat), search and show.  One file is one transaction;
 * an item whose fields are all unchanged is not written at all, so re-importing the same
 * file changes nothing, and a file whose SHA-256 equals the vendor's last import is skipped.
 */
#include <errno.h>
#include <signal.h>
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

/* State of one file's import; statements are prepared once and reused for every item.
 *
 * An import writes versions (dc-order(1) "Catalog imports", schema 13): an item the file
 * adds or changes gets a new row with gen = the import's id, the row it replaces is marked
 * retired = that id, and neither is seen as the vendor's catalog until vendor.catalog_gen
 * becomes the import's id in one short transaction at the end.  The writing is cut into
 * transactions of about BATCH_S seconds, so that other writers wait no longer than that. */
struct import {
	const char *vendor;   /* vendor id, borrowed */
	const char *source;   /* the file as the user knows it, borrowed */
	int full;             /* full mode: items not in the file become discontinued */
	int prices_only;      /* BMEcat T_UPDATE_PRICES: only prices change */
	const char *currency; /* default currency (BMEcat header), borrowed */
	long id;              /* catalog_import row: the generation this import writes */
	long long first_id;   /* largest item id before this file: its versions are above it */
	long added, changed, unchanged, discontinued;
	char now[21], today[11];
	double t0;            /* when the current short transaction began (dc_mono) */
	struct dc_stmt *get, *ins, *upd, *chk, *price_upd, *price_chk, *retire, *copy, *copy_hist,
	    *has_hist, *hist_fix, *hist_close, *hist_add, *del, *category;
	/* a full file: one bit per item id up to first_id, set for the current items the file
	 * names unchanged (the changed ones are replaced); the others become discontinued.  A
	 * temporary table was a tenth of an unchanged re-import (perf). */
	unsigned char *seen;
};

/* How long one of an import's transactions holds the write lock, and the pause between two
 * in which a waiting writer (busy_wait in db.c tries every millisecond) takes it. */
#define BATCH_S 0.1
#define PAUSE_US 2000
#define DEFER_ON "UPDATE catalog_fts_defer SET deferred = 1"
#define DEFER_OFF "UPDATE catalog_fts_defer SET deferred = 0"

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

/* Commit and begin again once the transaction has held the lock for BATCH_S.  The search
 * triggers stand aside only inside the import's own transactions (schema 7): a writer that
 * gets in between must find them on. */
static int
pace(struct dc *ctx, struct import *im)
{
	int rc;

	if (dc_mono() - im->t0 < BATCH_S)
		return 0;
	rc = dc_tx_split(ctx, DEFER_OFF, DEFER_ON, PAUSE_US);
	im->t0 = dc_mono();
	return rc;
}

static void
see(struct import *im, long long item)
{
	if (im->seen && item <= im->first_id)
		im->seen[item >> 3] |= (unsigned char)(1 << (item & 7));
}

/* A new version of the current item OLD, to be changed by the caller: OLD is retired by this
 * import, the copy (with OLD's price periods) is this import's, and *item becomes its id. */
static int
new_version(struct dc *ctx, struct import *im, long long *item)
{
	long long old = *item;
	int rc;

	dc_reset(im->retire);
	dc_bind_int(im->retire, 1, old);
	dc_bind_int(im->retire, 2, im->id);
	dc_reset(im->copy);
	dc_bind_int(im->copy, 1, old);
	dc_bind_int(im->copy, 2, im->id);
	if ((rc = dc_step(ctx, im->retire)) || (rc = dc_step(ctx, im->copy)))
		return rc;
	*item = dc_last_id(ctx);
	dc_reset(im->copy_hist);
	dc_bind_int(im->copy_hist, 1, old);
	dc_bind_int(im->copy_hist, 2, *item);
	return dc_step(ctx, im->copy_hist);
}

/* An item's values from the file's record, checked (parse_vals), to be bound. */
struct item_vals {
	long long hash; /* record_hash */
	const char *sku, *name, *currency, *tiers, *attrs, *prices, *category;
	char from[11], until[11]; /* valid_from (else today) and valid_until, or "" */
	long long price, vat, minq, step, cu;
	int has_price, has_vat, has_min, on_request;
};

/* Binds an item's values to ins, upd or chk (the same parameters). */
static void
bind_item(struct dc_stmt *st, struct import *im, struct dc_args *rec, const struct item_vals *v)
{
	dc_reset(st);
	dc_bind_text_ref(st, 1, im->vendor);
	dc_bind_text_ref(st, 2, v->sku);
	bind_opt(st, 3, v->name);
	bind_opt(st, 4, dc_arg(rec, "unit"));
	v->has_price ? dc_bind_int(st, 5, v->price) : dc_bind_null(st, 5);
	dc_bind_text_ref(st, 6, v->currency);
	v->has_vat ? dc_bind_double(st, 7, (double)v->vat / 100) : dc_bind_null(st, 7);
	bind_opt(st, 8, v->category);
	bind_opt(st, 9, dc_arg(rec, "gtin"));
	bind_opt(st, 10, dc_arg(rec, "description"));
	v->has_min ? dc_bind_double(st, 11, (double)v->minq / 1000) : dc_bind_null(st, 11);
	bind_opt(st, 12, dc_arg(rec, "valid_from") ? v->from : NULL);
	bind_opt(st, 13, v->until);
	dc_bind_text_ref(st, 14, v->tiers);
	dc_bind_text_ref(st, 15, v->attrs);
	dc_bind_text_ref(st, 16, im->now);
	dc_bind_int(st, 17, v->on_request);
	dc_bind_text_ref(st, 18, dc_arg(rec, "price_type"));
	dc_bind_text_ref(st, 19, v->prices ? v->prices : "[]");
	v->step ? dc_bind_double(st, 20, (double)v->step / 1000) : dc_bind_null(st, 20);
	v->cu ? dc_bind_double(st, 21, (double)v->cu / 1000) : dc_bind_null(st, 21);
	bind_opt(st, 22, dc_arg(rec, "search"));
	dc_bind_int(st, 23, im->id);
	dc_bind_int(st, 24, v->hash);
}

/* FNV-1a over the record's fields in order and over how it is read (numbers, currency, a
 * prices-only file): two records with the same hash make the same item. */
static long long
record_hash(struct dc *ctx, struct import *im, struct dc_args *rec)
{
	unsigned long long h = 14695981039346656037ULL;
	char how[8];

	snprintf(how, sizeof how, "%d%d", (int)ctx->reading, im->prices_only);
	for (int i = -2; i < rec->n; i++)
		for (int k = 0; k < 2; k++) {
			const char *p = i == -2 ? (k ? how : "")
			                : i == -1 ? (k ? (im->currency ? im->currency : "") : "")
			                          : k ? rec->vals[i] : rec->keys[i];

			do
				h = (h ^ (unsigned char)*p) * 1099511628211ULL;
			while (*p++);
		}
	return (long long)h;
}

static void
bind_price(struct dc_stmt *st, struct import *im, struct dc_args *rec, const struct item_vals *v)
{
	dc_reset(st);
	v->has_price ? dc_bind_int(st, 2, v->price) : dc_bind_null(st, 2);
	dc_bind_text_ref(st, 3, v->currency);
	v->has_vat ? dc_bind_double(st, 4, (double)v->vat / 100) : dc_bind_null(st, 4);
	bind_opt(st, 5, dc_arg(rec, "valid_from") ? v->from : NULL);
	bind_opt(st, 6, v->until);
	dc_bind_text_ref(st, 7, v->tiers);
	dc_bind_text_ref(st, 8, im->now);
	dc_bind_int(st, 9, v->on_request);
	dc_bind_text_ref(st, 10, dc_arg(rec, "price_type"));
	dc_bind_text_ref(st, 11, v->prices ? v->prices : "[]");
}

typedef void bind_fn(struct dc_stmt *, struct import *, struct dc_args *,
                     const struct item_vals *);

/* Does CHK find the item ITEM different from the file?  Then, unless the item is already
 * this import's own version, it gets one; then WRITE changes it.  BIND binds both (the same
 * parameters); WRITE only when it runs: an unchanged item is the common case of a re-import. */
static int
write_changed(struct dc *ctx, struct import *im, struct dc_args *rec, const struct item_vals *v,
              bind_fn *bind, struct dc_stmt *chk, struct dc_stmt *write, int own,
              long long *item, int *changed)
{
	int rc;

	*changed = 0;
	bind(chk, im, rec, v);
	dc_bind_int(chk, 1, *item);
	if ((rc = dc_step(ctx, chk)) != DC_ROW)
		return rc;
	if (!own && (rc = new_version(ctx, im, item)))
		return rc;
	bind(write, im, rec, v);
	dc_bind_int(write, 1, *item);
	if ((rc = dc_step(ctx, write)))
		return rc;
	*changed = 1;
	return 0;
}

/* The record's numbers and dates, checked: what an item the file adds or changes gets. */
static int
parse_vals(struct dc *ctx, struct import *im, struct dc_args *rec, struct item_vals *iv)
{
	const char *v;
	int rc = 0;

	iv->currency = (v = dc_arg(rec, "currency")) && *v ? v : im->currency ? im->currency : "EUR";
	if ((v = dc_arg(rec, "price")) && *v) {
		if ((rc = dc_procure_num(ctx, "price", v, "a price", 4, DC_PRICE_MAX, iv->currency,
		                         &iv->price)))
			return rc;
		iv->has_price = 1;
	}
	if ((v = dc_arg(rec, "vat")) && *v) {
		if ((rc = dc_procure_num(ctx, "vat", v, "a VAT percentage", 2, 10000, NULL,
		                         &iv->vat)))
			return rc;
		iv->has_vat = 1;
	}
	if ((v = dc_arg(rec, "min_qty")) && *v) {
		if ((rc = dc_procure_num(ctx, "min_qty", v, "a quantity", 3, DC_QTY_MAX * 1000, NULL,
		                         &iv->minq)))
			return rc;
		iv->has_min = 1;
	}
	if ((v = dc_arg(rec, "quantity_interval")) && *v &&
	    ((rc = dc_procure_num(ctx, "quantity_interval", v, "a quantity", 3,
	                          DC_QTY_MAX * 1000, NULL, &iv->step)) ||
	     iv->step <= 0))
		return rc ? rc : bad(ctx, "quantity_interval", v, "a quantity above 0");
	if ((v = dc_arg(rec, "cu_per_ou")) && *v &&
	    ((rc = dc_procure_num(ctx, "cu_per_ou", v, "a quantity", 3, DC_QTY_MAX * 1000, NULL,
	                          &iv->cu)) ||
	     iv->cu <= 0))
		return rc ? rc : bad(ctx, "cu_per_ou", v, "a quantity above 0");
	/* a reader that gives all prices has decided; elsewhere no price means on request */
	iv->on_request = dc_arg(rec, "on_request") ? 1 : !iv->has_price && !iv->prices;
	if ((rc = date_field(ctx, rec, "valid_from", iv->from)) ||
	    (rc = date_field(ctx, rec, "valid_until", iv->until)))
		return rc;
	return 0;
}

static int
import_item(struct dc *ctx, struct dc_args *rec, void *arg)
{
	struct import *im = arg;
	struct item_vals iv = {0};
	const char *mode = dc_arg(rec, "mode"), *v;
	char *oldcat = NULL, *tiers = NULL, *attrs = NULL;
	long long item = 0, oldprice = 0;
	int exists, own = 0, active = 0, oldhas = 0, rc, changed = 0;

	iv.sku = dc_arg(rec, "sku");
	if ((rc = pace(ctx, im)))
		return rc;
	if (!iv.sku || !*iv.sku)
		return dc_error(ctx, DC_EDATA, "field 'sku' is required");
	dc_reset(im->get);
	dc_bind_text_ref(im->get, 1, iv.sku);
	if ((rc = dc_step(ctx, im->get)) > 0)
		return rc;
	iv.hash = record_hash(ctx, im, rec);
	if ((exists = rc == DC_ROW)) {
		item = dc_col_int(im->get, 0);
		oldhas = !dc_col_null(im->get, 1);
		oldprice = dc_col_int(im->get, 1);
		own = dc_col_int(im->get, 3) == im->id;
		active = !strcmp(dc_col_text(im->get, 4), "active");
		if (!own && active && (!mode || !strcmp(mode, "new") || !strcmp(mode, "update")) &&
		    !dc_col_null(im->get, 5) &&
		    dc_col_int(im->get, 5) == iv.hash) {
			/* written from the same record: unchanged, nothing to read */
			im->unchanged++;
			see(im, item);
			return 0;
		}
		oldcat = dc_strdup(dc_col_text(im->get, 2));
	}
	iv.name = dc_arg(rec, "name");
	iv.prices = dc_arg(rec, "prices");
	/* a category the file does not give (BMEcat 1.2 maps it later) is kept */
	iv.category = (v = dc_arg(rec, "category")) && *v ? v : oldcat;
	if ((rc = parse_vals(ctx, im, rec, &iv)))
		goto done;
	if (mode && !strcmp(mode, "map")) {
		/* a BMEcat 1.2 ARTICLE_TO_CATALOGGROUP_MAP, which follows all articles */
		v = dc_arg(rec, "category");
		if (!exists || !strcmp(oldcat ? oldcat : "", v ? v : ""))
			goto done;
		if (!own && (rc = new_version(ctx, im, &item)))
			goto done;
		dc_reset(im->category);
		dc_bind_int(im->category, 1, item);
		bind_opt(im->category, 2, v);
		rc = dc_step(ctx, im->category);
		goto done;
	}
	if (mode && !strcmp(mode, "delete")) {
		/* BMEcat deletes: the item stays for old orders, marked discontinued */
		if (!exists || !active || (!own && (rc = new_version(ctx, im, &item))))
			goto done;
		dc_reset(im->del);
		dc_bind_int(im->del, 1, item);
		dc_bind_text_ref(im->del, 2, im->now);
		if (!(rc = dc_step(ctx, im->del)))
			im->discontinued++;
		goto done;
	}
	if (!exists && mode && !strcmp(mode, "update"))
		return dc_error(ctx, DC_EDATA, "field 'sku': no item '%s' to update", iv.sku);
	if (!exists && (im->prices_only || !iv.name || !*iv.name))
		return im->prices_only
		           ? dc_error(ctx, DC_EDATA, "field 'sku': no item '%s' to update", iv.sku)
		           : dc_error(ctx, DC_EDATA, "field 'name' is required");
	if ((rc = tiers_json(ctx, rec, iv.currency, &tiers)))
		goto done;
	iv.tiers = tiers;
	iv.attrs = attrs = attributes_json(rec);
	if (!*iv.from)
		memcpy(iv.from, im->today, sizeof iv.from);
	if (im->prices_only) {
		rc = write_changed(ctx, im, rec, &iv, bind_price, im->price_chk, im->price_upd, own,
		                   &item, &changed);
	} else if (!exists) {
		bind_item(im->ins, im, rec, &iv);
		if (!(rc = dc_step(ctx, im->ins)))
			im->added++;
	} else {
		rc = write_changed(ctx, im, rec, &iv, bind_item, im->chk, im->upd, own, &item,
		                   &changed);
	}
	/* an item the file adds: its price period is written with its search entry */
	if (rc || !exists)
		goto done;
	*(changed ? &im->changed : &im->unchanged) += 1;
	if (!changed && !own) {
		/* still current, so not discontinued at the end */
		see(im, item);
		goto done;
	}
	if (own) {
		/* the file's second record of the item: if the first one added it, the price
		 * period is still to be written with its search entry */
		dc_reset(im->has_hist);
		dc_bind_int(im->has_hist, 1, item);
		if ((rc = dc_step(ctx, im->has_hist)) != DC_ROW)
			goto done;
		rc = 0;
	}
	if (oldhas != iv.has_price || oldprice != iv.price)
		rc = new_price_period(ctx, im, item, iv.from, iv.has_price, iv.price, iv.currency);
done:
	free(oldcat);
	free(tiers);
	free(attrs);
	return rc;
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
	/* an unchanged item matches none of the IS NOT: no new version, not counted changed */
#define DIFFERS                                                                                \
	" WHERE id = ?1 AND ?2 IS NOT NULL AND (name IS NOT ?3 OR unit IS NOT ?4"              \
	" OR price IS NOT ?5 OR currency IS NOT ?6 OR vat IS NOT ?7 OR category IS NOT ?8"     \
	" OR gtin IS NOT ?9 OR description IS NOT ?10 OR min_qty IS NOT ?11"                   \
	" OR valid_from IS NOT ?12 OR valid_until IS NOT ?13 OR tiers IS NOT ?14"              \
	" OR attributes IS NOT ?15 OR status <> 'active' OR on_request IS NOT ?17"             \
	" OR price_type IS NOT ?18 OR prices IS NOT ?19 OR quantity_interval IS NOT ?20"       \
	" OR cu_per_ou IS NOT ?21 OR search_text IS NOT ?22)"
#define PRICE_DIFFERS                                                                          \
	" WHERE id = ?1 AND (price IS NOT ?2 OR currency IS NOT ?3"                            \
	" OR (?4 IS NOT NULL AND vat IS NOT ?4) OR (?5 IS NOT NULL AND valid_from IS NOT ?5)"  \
	" OR (?6 IS NOT NULL AND valid_until IS NOT ?6) OR tiers IS NOT ?7"                    \
	" OR on_request IS NOT ?9 OR price_type IS NOT ?10 OR prices IS NOT ?11)"
#define COPY_COLS                                                                              \
	"vendor, sku, name, unit, price, currency, vat, category, gtin, description, min_qty,"  \
	" valid_from, valid_until, tiers, attributes, status, updated_at, on_request,"         \
	" price_type, prices, quantity_interval, cu_per_ou, search_text"
	static const char upd[] =
	    "UPDATE catalog_item SET name = ?3, unit = ?4, price = ?5, currency = ?6, vat = ?7,"
	    " category = ?8, gtin = ?9, description = ?10, min_qty = ?11, valid_from = ?12,"
	    " valid_until = ?13, tiers = ?14, attributes = ?15, status = 'active', updated_at = ?16,"
	    " on_request = ?17, price_type = ?18, prices = ?19, quantity_interval = ?20,"
	    " cu_per_ou = ?21, search_text = ?22, row_hash = ?24" DIFFERS;
	static const char price_upd[] =
	    "UPDATE catalog_item SET price = ?2, currency = ?3, vat = coalesce(?4, vat),"
	    " valid_from = coalesce(?5, valid_from), valid_until = coalesce(?6, valid_until),"
	    " tiers = ?7, updated_at = ?8, on_request = ?9, price_type = ?10, prices = ?11"
	    PRICE_DIFFERS;
	int rc;

	if ((rc = dc_prepare(ctx, &im->get, "SELECT id, price, category, gen, status, row_hash"
	                                    " FROM catalog_item WHERE vendor = ?2 AND sku = ?1"
	                                    " AND retired IS NULL")) ||
	    (rc = dc_prepare(ctx, &im->ins,
	                     "INSERT INTO catalog_item(vendor, sku, name, unit, price, currency, vat,"
	                     " category, gtin, description, min_qty, valid_from, valid_until, tiers,"
	                     " attributes, updated_at, on_request, price_type, prices,"
	                     " quantity_interval, cu_per_ou, search_text, gen, row_hash)"
	                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	                     " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)")) ||
	    (rc = dc_prepare(ctx, &im->upd, upd)) ||
	    (rc = dc_prepare(ctx, &im->chk, "SELECT 1 FROM catalog_item" DIFFERS)) ||
	    (rc = dc_prepare(ctx, &im->price_upd, price_upd)) ||
	    (rc = dc_prepare(ctx, &im->price_chk, "SELECT 1 FROM catalog_item" PRICE_DIFFERS)) ||
	    (rc = dc_prepare(ctx, &im->retire, "UPDATE catalog_item SET retired = ?2"
	                                       " WHERE id = ?1")) ||
	    (rc = dc_prepare(ctx, &im->copy, "INSERT INTO catalog_item(" COPY_COLS ", gen)"
	                                     " SELECT " COPY_COLS ", ?2 FROM catalog_item"
	                                     " WHERE id = ?1")) ||
	    (rc = dc_prepare(ctx, &im->copy_hist, "INSERT INTO price_history(item, price, currency,"
	                                          " valid_from, valid_to, import) SELECT ?2, price,"
	                                          " currency, valid_from, valid_to, import"
	                                          " FROM price_history WHERE item = ?1"
	                                          " ORDER BY id")) ||
	    (rc = dc_prepare(ctx, &im->has_hist, "SELECT 1 FROM price_history WHERE item = ?1")) ||
	    (rc = dc_prepare(ctx, &im->hist_fix, "UPDATE price_history SET price = ?2, currency = ?3,"
	                                         " import = ?5 WHERE item = ?1 AND valid_to IS NULL"
	                                         " AND valid_from = ?4")) ||
	    (rc = dc_prepare(ctx, &im->hist_close, "UPDATE price_history SET valid_to = ?2"
	                                           " WHERE item = ?1 AND valid_to IS NULL")) ||
	    (rc = dc_prepare(ctx, &im->hist_add, "INSERT INTO price_history(item, price, currency,"
	                                         " valid_from, import) VALUES (?1, ?2, ?3, ?4, ?5)")) ||
	    (rc = dc_prepare(ctx, &im->del, "UPDATE catalog_item SET status = 'discontinued',"
	                                    " updated_at = ?2 WHERE id = ?1 AND status = 'active'")) ||
	    (rc = dc_prepare(ctx, &im->category, "UPDATE catalog_item SET category = ?2"
	                                         " WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(im->get, 2, im->vendor);
	return 0;
}

static void
finalize_all(struct dc *ctx, struct import *im)
{
	struct dc_stmt **all[] = {&im->get,       &im->ins,       &im->upd,       &im->chk,
	                          &im->price_upd, &im->price_chk, &im->retire,    &im->copy,
	                          &im->copy_hist, &im->has_hist,  &im->hist_fix,  &im->hist_close,
	                          &im->hist_add,  &im->del,       &im->category};

	for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
		dc_finish(ctx, *all[i]);
		*all[i] = NULL;
	}
}

/* Items of the vendor's current catalog that a full file does not name are discontinued: a
 * new version each.  The ids are read a batch at a time, in id order from where the last
 * batch ended, so the whole catalog is read once. */
static int
discontinue_missing(struct dc *ctx, struct import *im)
{
	struct dc_stmt *st = NULL;
	long long ids[512], after = 0, item;
	int rc = 0, n, read;

	if ((rc = dc_prepare(ctx, &st, "SELECT id FROM catalog_item WHERE id > ?1 AND id <= ?2"
	                               " AND +vendor = ?3 AND retired IS NULL AND gen <> ?4"
	                               " AND status = 'active' ORDER BY id LIMIT 512")))
		return rc;
	do {
		dc_reset(st);
		dc_bind_int(st, 1, after);
		dc_bind_int(st, 2, im->first_id);
		dc_bind_text_ref(st, 3, im->vendor);
		dc_bind_int(st, 4, im->id);
		for (n = read = 0; (rc = dc_step(ctx, st)) == DC_ROW; read++) {
			after = dc_col_int(st, 0);
			if (!(im->seen[after >> 3] & 1 << (after & 7)))
				ids[n++] = after;
		}
		dc_reset(st);
		for (int i = 0; i < n && !rc; i++) {
			item = ids[i];
			if ((rc = pace(ctx, im)) || (rc = new_version(ctx, im, &item)))
				break;
			dc_reset(im->del);
			dc_bind_int(im->del, 1, item);
			dc_bind_text_ref(im->del, 2, im->now);
			if (!(rc = dc_step(ctx, im->del)))
				im->discontinued++;
		}
	} while (!rc && read == 512);
	dc_finish(ctx, st);
	return rc;
}

/* Runs SQL (?1 the range's low end, exclusive; ?2 its high end; ?3 P3, ?4 P4) over ids
 * (lo, hi] in ranges of as many ids as take about BATCH_S, each range in a transaction of its
 * own that ends with MARK (?1 the range's high end, ?2 P3) when MARK is not NULL. */
static int
in_batches(struct dc *ctx, long long lo, long long hi, const char *const sql[], const char *mark,
           const char *p3, const char *p4)
{
	long long step = 1000, to;
	char a[24], b[24];
	int rc = 0;

	for (; lo < hi && !rc; lo = to) {
		double t0 = dc_mono(), took;

		to = lo + step < hi ? lo + step : hi;
		snprintf(a, sizeof a, "%lld", lo);
		snprintf(b, sizeof b, "%lld", to);
		if ((rc = dc_tx_begin(ctx)))
			break;
		for (int i = 0; sql[i] && !rc; i++)
			rc = dc_exec(ctx, sql[i], 4, a, b, p3, p4);
		if (!rc && mark)
			rc = dc_exec(ctx, mark, 2, b, p3);
		if ((rc = dc_tx_end(ctx, rc)))
			break;
		/* the next range as long as this one would have needed BATCH_S */
		took = dc_mono() - t0;
		step = took > 0 ? (long long)((double)step * BATCH_S / took) : step * 2;
		step = step < 100 ? 100 : step > 1000000 ? 1000000 : step;
		if (!ctx->dry_run) {
			struct timespec pause = {0, PAUSE_US * 1000L};

			nanosleep(&pause, NULL);
		}
	}
	return rc;
}

#define FOLDED "dc_fold(name), dc_fold(description), dc_fold(category), dc_fold(sku), gtin," \
	" dc_fold(search_text)"

/* The versions this import wrote get their search entries (and the items it added their
 * first price period) in bulk, from what they finally are: FTS5 writes its pending terms out
 * at every statement, so row by row this was half an import's work (schema 7). */
static int
index_versions(struct dc *ctx, struct import *im)
{
#define FIRST_PRICES                                                                               \
	"INSERT INTO price_history(item, price, currency, valid_from, import)"                     \
	" SELECT id, price, currency, coalesce(valid_from, ?4), ?3"                                \
	" FROM catalog_item i WHERE id > ?1 AND id <= ?2 AND gen = ?3"                             \
	" AND NOT EXISTS (SELECT 1 FROM price_history h WHERE h.item = i.id) ORDER BY id"
#define VERSIONS " FROM catalog_item WHERE id > ?1 AND id <= ?2 AND gen = ?3 ORDER BY id"
	static const char *const sql[] = {
	    FIRST_PRICES,
	    "INSERT INTO catalog_fts(rowid, name, description, category, sku, gtin, search_text)"
	    " SELECT id, " FOLDED VERSIONS,
	    NULL};
	/* PostgreSQL's index is a tsvector per item (schemas/pg/0016-both-engines.sql) */
	static const char *const sql_pg[] = {
	    FIRST_PRICES,
	    "INSERT INTO catalog_fts(id, doc) SELECT id, dc_catalog_doc(" FOLDED ")" VERSIONS,
	    NULL};
#undef FIRST_PRICES
#undef VERSIONS
	struct dc_stmt *st = NULL;
	long long hi = im->first_id;
	char id[24];
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT coalesce(max(id), 0) FROM catalog_item")))
		return rc;
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		hi = dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	snprintf(id, sizeof id, "%ld", im->id);
	return rc ? rc
	          : in_batches(ctx, im->first_id, hi, dc_db_is_pg(ctx->db_path) ? sql_pg : sql,
	                       "UPDATE catalog_import SET indexed_to = ?1 WHERE id = ?2", id,
	                       im->today);
}

/* Deletes versions in batches, with their search entries (those with ids up to INDEXED have
 * one) and price periods: SEL (?1 P1, ?2 P2) gives the ids.  The triggers stand aside: the
 * entries go in one statement per batch. */
#define FORGET_PG "DELETE FROM catalog_fts WHERE id IN temp.batch AND id <= ?1"

static int
delete_versions(struct dc *ctx, const char *sel, const char *p1, const char *p2,
                long long indexed)
{
	static const char *const sql[] = {
	    /* FTS5 forgets an entry given the text it indexed; PostgreSQL's index row goes
	     * (below) */
	    "INSERT INTO catalog_fts(catalog_fts, rowid, name, description, category, sku, gtin,"
	    " search_text) SELECT 'delete', id, " FOLDED " FROM catalog_item"
	    " WHERE id IN temp.batch AND id <= ?1",
	    "DELETE FROM price_history WHERE item IN temp.batch",
	    DEFER_ON,
	    "DELETE FROM catalog_item WHERE id IN temp.batch",
	    DEFER_OFF,
	    "DELETE FROM temp.batch",
	    NULL};
	int pg = dc_db_is_pg(ctx->db_path);
	char *fill = dc_printf("INSERT INTO temp.batch(id) %s LIMIT ?3", sel), max[24], n[24];
	long long limit = 1000;
	int rc, more = 1;

	snprintf(max, sizeof max, "%lld", indexed);
	if ((rc = dc_exec(ctx, "CREATE TEMP TABLE IF NOT EXISTS batch(id INTEGER PRIMARY KEY)",
	                  0)))
		goto done;
	while (more && !rc) {
		double t0 = dc_mono(), took;

		snprintf(n, sizeof n, "%lld", limit);
		if ((rc = dc_tx_begin(ctx)))
			break;
		if (!(rc = dc_exec(ctx, "DELETE FROM temp.batch", 0)) &&
		    !(rc = dc_exec(ctx, fill, 3, p1, p2, n))) {
			more = dc_changes(ctx) == limit;
			for (int i = 0; sql[i] && !rc; i++)
				rc = dc_exec(ctx, i == 0 && pg ? FORGET_PG : sql[i], 1, max);
		}
		if ((rc = dc_tx_end(ctx, rc)) || ctx->dry_run)
			break;
		took = dc_mono() - t0;
		limit = took > 0 ? (long long)((double)limit * BATCH_S / took) : limit * 2;
		limit = limit < 100 ? 100 : limit > 100000 ? 100000 : limit;
		{
			struct timespec pause = {0, PAUSE_US * 1000L};

			nanosleep(&pause, NULL);
		}
	}
done:
	free(fill);
	return rc;
}

/* The versions a finished import replaced, which nobody sees any more. */
static int
delete_retired(struct dc *ctx, const char *vendor)
{
	return delete_versions(ctx, "SELECT id FROM catalog_item WHERE retired <= (SELECT"
	                            " catalog_gen FROM vendor WHERE id = ?1) AND +vendor = ?1",
	                       vendor, NULL, (long long)1 << 62);
}

/* What an unfinished import ID (killed, or failed) staged: its own versions go, the ones it
 * marked replaced are current again, and its catalog_import row goes last, so that a second
 * kill leaves it to be found again. */
static int
undo_import(struct dc *ctx, long id)
{
	struct dc_stmt *st = NULL;
	long long first = 0, indexed = 0;
	char idtext[24], firsttext[24];
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT coalesce(first_id, 0), coalesce(indexed_to, 0)"
	                               " FROM catalog_import WHERE id = ?1 AND state = 'staging'")))
		return rc;
	dc_bind_int(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		first = dc_col_int(st, 0);
		indexed = dc_col_int(st, 1);
	}
	dc_finish(ctx, st);
	if (rc != DC_ROW)
		return rc;
	snprintf(idtext, sizeof idtext, "%ld", id);
	snprintf(firsttext, sizeof firsttext, "%lld", first);
	if ((rc = delete_versions(ctx, "SELECT id FROM catalog_item WHERE id > ?2 AND gen = ?1",
	                          idtext, firsttext, indexed)))
		return rc;
	for (;;) {
		long changed = 0;

		if ((rc = dc_tx_begin(ctx)))
			break;
		if (!(rc = dc_exec(ctx, "UPDATE catalog_item SET retired = NULL WHERE id IN"
		                        " (SELECT id FROM catalog_item WHERE retired = ?1"
		                        " LIMIT 5000)", 1, idtext)) &&
		    !(changed = dc_changes(ctx)))
			rc = dc_exec(ctx, "DELETE FROM catalog_import WHERE id = ?1", 1, idtext);
		if ((rc = dc_tx_end(ctx, rc)) || !changed)
			break;
	}
	return rc;
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

/* Is the process that staged an import still running?  dcity runs on one machine with its
 * database; this process's own pid means an earlier import of its own that failed. */
static int
pid_alive(long long pid)
{
	return pid > 0 && pid != (long long)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int
dc_procure_catalog_leftovers(struct dc *ctx, const char *vendor, int clean,
                             struct dc_catalog_leftovers *l)
{
	struct dc_stmt *st = NULL;
	long dead[64];
	int rc, n = 0;

	memset(l, 0, sizeof *l);
	if ((rc = dc_prepare(ctx, &st, "SELECT id, coalesce(pid, 0) FROM catalog_import"
	                               " WHERE state = 'staging' AND (?1 IS NULL OR vendor = ?1)"
	                               " ORDER BY id")))
		return rc;
	dc_bind_text_ref(st, 1, vendor);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		if (pid_alive(dc_col_int(st, 1)))
			l->running++;
		else if (l->staged++ < 64)
			dead[n++] = (long)dc_col_int(st, 0);
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc || (rc = dc_prepare(ctx, &st, "SELECT count(*) FROM catalog_item i"
	                                     " JOIN vendor v ON v.id = i.vendor"
	                                     " WHERE i.retired <= v.catalog_gen"
	                                     " AND (?1 IS NULL OR v.id = ?1)")))
		return rc;
	dc_bind_text_ref(st, 1, vendor);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		l->retired = dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	for (int i = 0; clean && !rc && i < n; i++)
		rc = undo_import(ctx, dead[i]);
	if (!clean || rc || !l->retired)
		return rc;
	if ((rc = dc_prepare(ctx, &st, "SELECT DISTINCT i.vendor FROM catalog_item i"
	                               " JOIN vendor v ON v.id = i.vendor"
	                               " WHERE i.retired <= v.catalog_gen"
	                               " AND (?1 IS NULL OR v.id = ?1)")))
		return rc;
	dc_bind_text_ref(st, 1, vendor);
	{
		struct dc_args vendors = {0};

		while ((rc = dc_step(ctx, st)) == DC_ROW)
			dc_args_add(&vendors, "vendor", dc_col_text(st, 0));
		dc_finish(ctx, st);
		for (int i = 0; !rc && i < vendors.n; i++)
			rc = delete_retired(ctx, vendors.vals[i]);
		dc_args_free(&vendors);
	}
	return rc;
}

/* The import's catalog_import row, staging, in a short transaction of its own; *skipped (and
 * *last, the vendor's last import) when the file is the one the vendor's catalog came from. */
static int
begin_import(struct dc *ctx, struct import *im, const struct dc_catalog_opts *o, const char *sha,
             const char *format, long *last, int *skipped)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_tx_begin(ctx)))
		return rc;
	/* the same content as the vendor's last import: nothing to do */
	if ((rc = dc_prepare(ctx, &st, "SELECT id, sha256 = ?2 FROM catalog_import WHERE vendor = ?1"
	                               " AND state = 'done' ORDER BY id DESC LIMIT 1")))
		goto tx;
	dc_bind_text_ref(st, 1, im->vendor);
	dc_bind_text_ref(st, 2, sha);
	if ((rc = dc_step(ctx, st)) == DC_ROW && dc_col_int(st, 1)) {
		*last = dc_col_int(st, 0);
		*skipped = 1;
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc > 0 || *skipped) {
		rc = rc > 0 ? rc : 0;
		goto tx;
	}
	/* one import of a vendor's catalog at a time: each would replace the other's versions */
	if ((rc = dc_prepare(ctx, &st, "SELECT pid FROM catalog_import WHERE vendor = ?1"
	                               " AND state = 'staging'")))
		goto tx;
	dc_bind_text_ref(st, 1, im->vendor);
	if ((rc = dc_step(ctx, st)) == DC_ROW)
		rc = dc_error(ctx, DC_EBUSY, "%s: an import of vendor '%s' is running"
		                             " (process %lld); try again when it has finished",
		              im->source, im->vendor, dc_col_int(st, 0));
	dc_finish(ctx, st);
	st = NULL;
	if (rc || (rc = dc_prepare(ctx, &st, "INSERT INTO catalog_import(vendor, source,"
	                                     " sha256, format, mode, added, changed, unchanged,"
	                                     " discontinued, rejected, commit_id, at, actor, state,"
	                                     " pid, first_id) VALUES (?1, ?2, ?3, ?4, ?5, 0, 0, 0,"
	                                     " 0, 0, ?6, ?7, ?8, 'staging', ?9,"
	                                     " (SELECT coalesce(max(id), 0) FROM catalog_item))"
	                                     " RETURNING id, first_id")))
		goto tx;
	dc_bind_text_ref(st, 1, im->vendor);
	dc_bind_text_ref(st, 2, im->source);
	dc_bind_text_ref(st, 3, sha);
	dc_bind_text_ref(st, 4, format);
	dc_bind_text_ref(st, 5, im->full ? "full" : "update");
	dc_bind_text_ref(st, 6, o->commit);
	dc_bind_text_ref(st, 7, im->now);
	dc_bind_text_ref(st, 8, ctx->actor);
	dc_bind_int(st, 9, (long long)getpid());
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		im->id = (long)dc_col_int(st, 0);
		im->first_id = dc_col_int(st, 1);
		rc = 0;
	}
	dc_finish(ctx, st);
	if (!rc && im->full && !(im->seen = calloc((size_t)(im->first_id >> 3) + 1, 1)))
		abort();
tx:
	return dc_tx_end(ctx, rc);
}

/* The file read into versions, in short transactions; then, for a full file, the items it
 * does not name discontinued. */
static int
stage(struct dc *ctx, struct import *im, const char *path, int bmecat, const char *encoding,
      struct dc_column *cols)
{
	const char *source = im->source;
	int rc;

	if ((rc = dc_tx_begin(ctx)))
		return rc;
	/* every item is looked up by its SKU in the file's order, which is not the index's: with
	 * SQLite's 2 MiB of cache most lookups read their page again (perf: a third of an
	 * unchanged re-import in pread).  8 MiB keeps peak memory well under 32 MiB. */
	if ((rc = dc_db_cache(ctx, 8192)) || (rc = dc_exec(ctx, DEFER_ON, 0)) ||
	    (rc = prepare_all(ctx, im)))
		goto tx;
	im->t0 = dc_mono();
	ctx->nrejected = 0;
	/* messages name the file as the user knows it, not a temporary copy */
	ctx->input_name = strcmp(path, source) ? source : NULL;
	if (bmecat) {
		struct dc_bmecat_header again;

		/* the reader fills a header again; keep the first one, which im->currency borrows */
		rc = dc_bmecat_read(ctx, path, &again, bmecat_item, im);
		dc_bmecat_header_free(&again);
	} else {
		ctx->encoding_default = encoding;
		ctx->columns = cols;
		rc = dc_bulk(ctx, path, NULL, 0, import_item, im);
		ctx->encoding_default = NULL;
		ctx->columns = NULL;
	}
	ctx->input_name = NULL;
	free(ctx->cursrc);
	ctx->cursrc = NULL;
	if (rc)
		goto tx;
	/* an empty file is far more likely a truncated upload than a vendor selling nothing */
	if (im->full && !im->added && !im->changed && !im->unchanged && !ctx->nrejected) {
		rc = dc_error(ctx, DC_EDATA, "%s: no items; a full catalog without items would"
		              " discontinue all of '%s' (import it with --mode update)", source,
		              im->vendor);
		goto tx;
	}
	/* a rejected record may be an item the vendor still sells: only a file read whole says
	 * which items are gone */
	if (im->full && ctx->nrejected)
		dc_warn(ctx, "%s: %ld record%s rejected, so no item is marked discontinued", source,
		        ctx->nrejected, ctx->nrejected == 1 ? "" : "s");
	else if (im->full && (rc = discontinue_missing(ctx, im)))
		goto tx;
	rc = dc_exec(ctx, DEFER_OFF, 0);
tx:
	finalize_all(ctx, im);
	return dc_tx_end(ctx, rc);
}

/* The staged versions become the vendor's catalog: one short transaction. */
static int
make_current(struct dc *ctx, struct import *im, const char *sha)
{
	char nums[6][24];
	struct dc_event ev = {"vendor", im->vendor, "catalog-import", NULL, sha, im->source, 0};
	int rc;

	snprintf(nums[0], 24, "%ld", im->id);
	snprintf(nums[1], 24, "%ld", im->added);
	snprintf(nums[2], 24, "%ld", im->changed);
	snprintf(nums[3], 24, "%ld", im->unchanged);
	snprintf(nums[4], 24, "%ld", im->discontinued);
	snprintf(nums[5], 24, "%ld", ctx->nrejected);
	if ((rc = dc_tx_begin(ctx)))
		return rc;
	if (!(rc = dc_exec(ctx, "UPDATE vendor SET catalog_gen = ?2 WHERE id = ?1", 2, im->vendor,
	                   nums[0])) &&
	    !(rc = dc_exec(ctx, "UPDATE catalog_import SET state = 'done', pid = NULL, added = ?2,"
	                        " changed = ?3, unchanged = ?4, discontinued = ?5, rejected = ?6"
	                        " WHERE id = ?1",
	                   6, nums[0], nums[1], nums[2], nums[3], nums[4], nums[5])))
		rc = dc_audit(ctx, &ev);
	return dc_tx_end(ctx, rc);
}

static int
import_file(struct dc *ctx, const char *path, const char *source, const struct dc_catalog_opts *o,
            long *done_id, int *skipped)
{
	struct dc_bmecat_header hdr = {0};
	struct import im = {0};
	struct dc_stmt *st = NULL;
	struct dc_column *cols = NULL;
	struct dc_catalog_leftovers left;
	char sha[65], *vendor = NULL, *encoding = NULL, *coltext = NULL;
	const char *format = detect_format(path, o->format);
	int rc, known, bmecat = !strcmp(format, "bmecat"), outer = 0;
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
	/* under --dry-run everything stays one transaction, rolled back at the end */
	if (ctx->dry_run && (rc = dc_tx_begin(ctx)))
		goto done;
	outer = ctx->dry_run;
	/* what a killed import of this vendor left is cleaned first */
	if ((rc = dc_procure_catalog_leftovers(ctx, vendor, 1, &left)) ||
	    (rc = begin_import(ctx, &im, o, sha, format, &last, skipped)))
		goto tx;
	if (*skipped) {
		*done_id = last;
		goto tx;
	}
	if ((rc = stage(ctx, &im, path, bmecat, encoding, cols)) ||
	    (rc = index_versions(ctx, &im)) || (rc = make_current(ctx, &im, sha))) {
		if (!ctx->dry_run)
			undo_import(ctx, im.id);
		goto tx;
	}
	*done_id = im.id;
	/* the replaced versions go after the new catalog is current; if this is killed, dc check
	 * or the vendor's next import deletes the rest */
	rc = delete_retired(ctx, vendor);
tx:
	if (outer)
		rc = dc_tx_end(ctx, rc);
done:
	free(im.seen);
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
	int rc, e, pg = dc_db_is_pg(ctx->db_path);

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
	 * BMEcat search text; on PostgreSQL the same as ts_rank's weights of D, C, B, A */
	if (pg)
		dc_q_text(&q, "SELECT " ITEM_COLS ", round(ts_rank('{0.1, 0.3, 0.3, 1.0}', f.doc,"
		              " m.q)::numeric, 4) FROM (SELECT dc_fts_query(dc_fold(?)) AS q) m"
		              " JOIN catalog_fts f ON f.doc @@ m.q"
		              " JOIN catalog_live i ON i.id = f.id JOIN vendor v ON v.id = i.vendor",
		              match);
	else {
		dc_q_sql(&q, "SELECT " ITEM_COLS ", round(-bm25(catalog_fts, 10.0, 1.0, 3.0, 3.0,"
		             " 3.0, 1.0), 4)"
		             " FROM catalog_fts JOIN catalog_live i ON i.id = catalog_fts.rowid"
		             " JOIN vendor v ON v.id = i.vendor");
		dc_q_where_if(&q, "catalog_fts MATCH dc_fold(?)", match);
	}
	dc_q_where(&q, "i.status = 'active' AND v.active = 1");
	dc_q_where_if(&q, "i.vendor = ?", dc_arg(f, "vendor"));
	dc_q_where_if(&q, "i.category = ?", dc_arg(f, "category"));
	if (max) {
		dc_q_open(&q);
		dc_q_int(&q, "i.price <= ?", price);
		dc_q_close(&q);
	}
	dc_q_sql(&q, pg ? " ORDER BY ts_rank('{0.1, 0.3, 0.3, 1.0}', f.doc, m.q) DESC, i.price"
	                : " ORDER BY bm25(catalog_fts, 10.0, 1.0, 3.0, 3.0, 3.0, 1.0), i.price");
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
	                     " FROM catalog_live i WHERE i.vendor = ?1 AND i.sku = ?2")))
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
