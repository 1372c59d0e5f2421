/*
 * BMEcat reader.  One pass over xmlTextReader nodes: a stack of element codes says where we
 * are, the text of an element we want is gathered into one capped buffer, and an item's fields
 * go into an argument list that is handed over and emptied at the item's end tag.  Memory is
 * bounded by the largest item and the catalog group names (at most MAX_GROUPS), never by the
 * number of items.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include "core/xmllib.h"

#include "procure/bmecat.h"

#define MAX_DEPTH 256      /* deeper nesting is refused */
#define MAX_TEXT (1 << 20) /* longest value, as dc_text_check allows */
#define MAX_PRICES 1000    /* prices in one item */
#define MAX_VALUES 10000   /* values in one item (keywords are repeated) */
#define MAX_GROUPS 100000  /* catalog groups (CATALOG_STRUCTURE) in one catalog */
#define MAX_PATH 32        /* levels of a catalog group's name path */

/* Elements the reader acts on; everything else is E_OTHER. */
enum elem {
	E_OTHER,
	E_BMECAT,
	E_HEADER,
	E_CATALOG,
	E_SUPPLIER,
	E_CATALOG_ID,
	E_CATALOG_VERSION,
	E_CATALOG_NAME,
	E_CURRENCY,
	E_SUPPLIER_ID,
	E_SUPPLIER_NAME,
	E_TRANSACTION, /* T_NEW_CATALOG, T_UPDATE_PRODUCTS, T_UPDATE_PRICES */
	E_ITEM,        /* ARTICLE, PRODUCT */
	E_SKU,         /* SUPPLIER_AID, SUPPLIER_PID */
	E_DESCRIPTION_SHORT,
	E_DESCRIPTION_LONG,
	E_EAN,
	E_INTERNATIONAL_PID,
	E_MANUFACTURER_NAME,
	E_MANUFACTURER_PID, /* MANUFACTURER_AID, MANUFACTURER_PID */
	E_ORDER_UNIT,
	E_CONTENT_UNIT,
	E_QUANTITY_MIN,
	E_QUANTITY_INTERVAL,
	E_KEYWORD,
	E_GROUP_MAP, /* ARTICLE_TO_CATALOGGROUP_MAP, PRODUCT_TO_CATALOGGROUP_MAP */
	E_CATALOG_GROUP_ID,
	E_MAP_ID, /* ART_ID, PROD_ID */
	E_FEATURE_GROUP_ID,
	E_PRICE_DETAILS, /* ARTICLE_PRICE_DETAILS, PRODUCT_PRICE_DETAILS */
	E_DATETIME,
	E_DATE,
	E_PRICE, /* ARTICLE_PRICE, PRODUCT_PRICE */
	E_PRICE_AMOUNT,
	E_PRICE_CURRENCY,
	E_TAX,
	E_PRICE_FACTOR,
	E_LOWER_BOUND,
	E_PRICE_QUANTITY,
	E_NO_CU_PER_OU,
	E_CATALOG_STRUCTURE,
	E_GROUP_ID,
	E_GROUP_NAME,
	E_PARENT_ID,
	E_FEATURE_SYSTEM_NAME,
	E_FEATURE, /* FEATURE, FTEMPLATE */
	E_FNAME,   /* FNAME, FT_NAME */
	E_FVALUE,
	E_FUNIT, /* FUNIT, FT_UNIT */
	E_FREF,
	E_MIME,
	E_MIME_TYPE,
	E_MIME_SOURCE,
	E_MIME_PURPOSE,
	E_MIME_DESCR,
};

static const struct {
	const char *name;
	enum elem code;
} elems[] = {
    {"BMECAT", E_BMECAT},
    {"HEADER", E_HEADER},
    {"CATALOG", E_CATALOG},
    {"SUPPLIER", E_SUPPLIER},
    {"CATALOG_ID", E_CATALOG_ID},
    {"CATALOG_VERSION", E_CATALOG_VERSION},
    {"CATALOG_NAME", E_CATALOG_NAME},
    {"CURRENCY", E_CURRENCY},
    {"SUPPLIER_ID", E_SUPPLIER_ID},
    {"SUPPLIER_NAME", E_SUPPLIER_NAME},
    {"T_NEW_CATALOG", E_TRANSACTION},
    {"T_UPDATE_PRODUCTS", E_TRANSACTION},
    {"T_UPDATE_PRICES", E_TRANSACTION},
    {"ARTICLE", E_ITEM},
    {"PRODUCT", E_ITEM},
    {"SUPPLIER_AID", E_SKU},
    {"SUPPLIER_PID", E_SKU},
    {"DESCRIPTION_SHORT", E_DESCRIPTION_SHORT},
    {"DESCRIPTION_LONG", E_DESCRIPTION_LONG},
    {"EAN", E_EAN},
    {"INTERNATIONAL_PID", E_INTERNATIONAL_PID},
    {"MANUFACTURER_NAME", E_MANUFACTURER_NAME},
    {"MANUFACTURER_AID", E_MANUFACTURER_PID},
    {"MANUFACTURER_PID", E_MANUFACTURER_PID},
    {"ORDER_UNIT", E_ORDER_UNIT},
    {"CONTENT_UNIT", E_CONTENT_UNIT},
    {"QUANTITY_MIN", E_QUANTITY_MIN},
    {"QUANTITY_INTERVAL", E_QUANTITY_INTERVAL},
    {"KEYWORD", E_KEYWORD},
    {"ARTICLE_TO_CATALOGGROUP_MAP", E_GROUP_MAP},
    {"PRODUCT_TO_CATALOGGROUP_MAP", E_GROUP_MAP},
    {"CATALOG_GROUP_ID", E_CATALOG_GROUP_ID},
    {"ART_ID", E_MAP_ID},
    {"PROD_ID", E_MAP_ID},
    {"REFERENCE_FEATURE_GROUP_ID", E_FEATURE_GROUP_ID},
    {"ARTICLE_PRICE_DETAILS", E_PRICE_DETAILS},
    {"PRODUCT_PRICE_DETAILS", E_PRICE_DETAILS},
    {"DATETIME", E_DATETIME},
    {"DATE", E_DATE},
    {"ARTICLE_PRICE", E_PRICE},
    {"PRODUCT_PRICE", E_PRICE},
    {"PRICE_AMOUNT", E_PRICE_AMOUNT},
    {"PRICE_CURRENCY", E_PRICE_CURRENCY},
    {"TAX", E_TAX},
    {"PRICE_FACTOR", E_PRICE_FACTOR},
    {"LOWER_BOUND", E_LOWER_BOUND},
    {"PRICE_QUANTITY", E_PRICE_QUANTITY},
    {"NO_CU_PER_OU", E_NO_CU_PER_OU},
    {"CATALOG_STRUCTURE", E_CATALOG_STRUCTURE},
    {"GROUP_ID", E_GROUP_ID},
    {"GROUP_NAME", E_GROUP_NAME},
    {"PARENT_ID", E_PARENT_ID},
    {"REFERENCE_FEATURE_SYSTEM_NAME", E_FEATURE_SYSTEM_NAME},
    {"FEATURE", E_FEATURE},
    {"FTEMPLATE", E_FEATURE},
    {"FNAME", E_FNAME},
    {"FT_NAME", E_FNAME},
    {"FVALUE", E_FVALUE},
    {"FUNIT", E_FUNIT},
    {"FT_UNIT", E_FUNIT},
    {"FREF", E_FREF},
    {"MIME", E_MIME},
    {"MIME_TYPE", E_MIME_TYPE},
    {"MIME_SOURCE", E_MIME_SOURCE},
    {"MIME_PURPOSE", E_MIME_PURPOSE},
    {"MIME_DESCR", E_MIME_DESCR},
};

/* One ARTICLE_PRICE / PRODUCT_PRICE of the current item; all strings owned. */
struct price {
	char *type;     /* price_type attribute, "" when missing */
	char *amount;   /* PRICE_AMOUNT, checked decimal */
	char *currency; /* PRICE_CURRENCY or NULL */
	char *tax;      /* TAX as in the file or NULL */
	char *factor;   /* PRICE_FACTOR or NULL */
	char *lower;    /* LOWER_BOUND or NULL (= 1) */
	char *quantity; /* PRICE_QUANTITY or NULL (= 1) */
	char *from;     /* its price details block's valid_start_date or NULL */
	char *until;    /* and valid_end_date */
	long long unit; /* net price of one order unit, 1/10000 (price4), when has_unit */
	int has_unit;
	long line; /* line of the price's start tag */
};

/* A CATALOG_STRUCTURE: its id, name and parent; all owned. */
struct group {
	char *id, *name, *parent;
};

/* An element name seen before (interned by libxml2) and its code. */
#define NAME_CACHE 256
struct name_cache {
	const xmlChar *name;
	enum elem code;
};

/* Where a captured text value goes. */
enum dest {
	D_NONE,
	D_SLOT, /* into *st->slot unless already set (header, price and category parts) */
	D_ITEM, /* into the item under st->cap_key */
	D_JSON, /* into st->jobj under st->cap_key (appended to an array when cap_repeat) */
};

struct reader {
	struct dc *ctx;               /* borrowed */
	const char *path;             /* as given, shown in messages; borrowed */
	xmlTextReaderPtr xr;          /* owned */
	int fd;                       /* file we opened, or -1 (stdin is never closed) */
	struct dc_xml_guard guard;    /* sees the bytes before libxml2 does */
	struct name_cache names[NAME_CACHE];
	struct dc_bmecat_header *hdr; /* caller's, filled as the header streams by */
	dc_bmecat_fn fn;              /* callback and its argument */
	void *arg;
	/* libxml2's first error, kept by the structured error handler */
	int xerr;       /* error code or 0 */
	long xline;     /* its line */
	char xmsg[256]; /* its message, newline stripped */
	/* position */
	enum elem stack[MAX_DEPTH]; /* element code at each depth */
	int in_header;              /* inside HEADER */
	int trans_depth;            /* depth of the transaction element, -1 outside */
	int item_depth;             /* depth of the current ARTICLE/PRODUCT or map, -1 outside */
	int entities;               /* the DOCTYPE declares entities */
	/* the current item */
	struct dc_args item;  /* its fields; owned, emptied after each callback */
	int is_map;           /* the "item" is a top-level catalog group map */
	long item_line;       /* line of its start tag */
	char *mode;           /* mode attribute or NULL; owned */
	char *map_category;   /* CATALOG_GROUP_ID from a map inside the item; owned */
	int in_details;       /* inside a price details block */
	int datetime;         /* in a price DATETIME: 1 valid_start_date, 2 valid_end_date, 0 */
	struct price *prices; /* prices of all its details blocks; owned */
	int nprice, pricecap; /* used and allocated */
	int in_price;         /* inside a price element (prices[nprice - 1]) */
	char *price_qty;      /* the item's PRICE_QUANTITY (order details), for every price */
	char *blk_from;       /* the current price details block's valid_start_date; owned */
	char *blk_until;      /* and valid_end_date; owned */
	json_object *features, *media, *classification; /* attributes; owned, NULL when none */
	json_object *jobj;    /* the FEATURE or MIME being read (inside features or media) */
	char today[11];       /* the local date, which picks the price period in force */
	/* catalog groups, sorted by id once the first item needs them */
	struct group *groups;
	int ngroup, groupcap, groups_sorted;
	int in_group; /* inside a CATALOG_STRUCTURE (groups[ngroup - 1]) */
	/* the text being captured */
	enum dest cap;       /* D_NONE when nothing is captured */
	int cap_depth;       /* depth of the element whose text is captured */
	long cap_line;       /* its line */
	const char *cap_key; /* field name for D_ITEM and for messages */
	char **slot;         /* D_SLOT target */
	int cap_number;      /* the value must be a decimal number */
	int cap_repeat;      /* the field repeats (keywords) rather than first-wins */
	char *buf;           /* captured text; owned */
	size_t len, bufcap;  /* used and allocated bytes of buf */
};

static int end_element(struct reader *st, int depth);

/* The code of an element name.  libxml2 interns names in the reader's dictionary, so the same
 * name comes back as the same pointer: a small cache by pointer saves the table search for
 * nearly every element (a tenth of a catalog import before it). */
static enum elem
elem_code(struct reader *st, const xmlChar *name)
{
	struct name_cache *c = &st->names[((uintptr_t)name >> 4) % NAME_CACHE];
	size_t i;

	if (c->name == name)
		return c->code;
	c->name = name;
	for (i = 0; i < sizeof elems / sizeof elems[0]; i++)
		if (!strcmp((const char *)name, elems[i].name))
			return c->code = elems[i].code;
	return c->code = E_OTHER;
}

static void
on_xml_error(void *data, xmlErrorPtr e)
{
	struct reader *st = data;
	size_t n;

	if (st->xerr || e->level < XML_ERR_ERROR)
		return;
	st->xerr = e->code ? e->code : -1;
	st->xline = e->line;
	snprintf(st->xmsg, sizeof st->xmsg, "%s", e->message ? e->message : "parse error");
	n = strlen(st->xmsg);
	while (n > 0 && (st->xmsg[n - 1] == '\n' || st->xmsg[n - 1] == ' '))
		st->xmsg[--n] = '\0';
}

/* Line of the current node: exact while libxml2 keeps it (below 65535), else the parser's. */
static long
node_line(struct reader *st)
{
	xmlNodePtr n = xmlTextReaderCurrentNode(st->xr);
	long line = n ? xmlGetLineNo(n) : -1;

	if (line <= 0 || line >= 65535)
		line = xmlTextReaderGetParserLineNumber(st->xr);
	return line;
}

static int
is_decimal(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	if (s[digits] == '.') {
		size_t frac = strspn(s + digits + 1, "0123456789");

		return frac > 0 && s[digits + 1 + frac] == '\0';
	}
	return digits > 0 && s[digits] == '\0';
}

static int
field_error(struct reader *st, long line, const char *field, const char *why)
{
	return dc_error(st->ctx, DC_EDATA, "%s:%ld: field '%s': %s", st->path, line, field, why);
}

/* TAX is a fraction (0.19); the item carries percent text ("19").  Vendors who already write
 * 19 get it unchanged. */
static char *
tax_percent(const char *tax)
{
	const char *dot = strchr(tax, '.');
	size_t ilen = dot ? (size_t)(dot - tax) : strlen(tax);
	const char *frac = dot ? dot + 1 : "";
	char *out;
	size_t n, flen = strlen(frac);

	if (strspn(tax, "0") < ilen)
		out = dc_strdup(tax);
	else {
		out = malloc(flen + 4);
		if (!out)
			abort();
		/* the first two fraction digits become the integer part */
		n = 0;
		out[n++] = flen > 0 ? frac[0] : '0';
		out[n++] = flen > 1 ? frac[1] : '0';
		if (flen > 2) {
			out[n++] = '.';
			memcpy(out + n, frac + 2, flen - 2);
			n += flen - 2;
		}
		out[n] = '\0';
		if (out[0] == '0' && out[1] != '.')
			memmove(out, out + 1, n--);
	}
	if (strchr(out, '.')) {
		n = strlen(out);
		while (out[n - 1] == '0')
			out[--n] = '\0';
		if (out[n - 1] == '.')
			out[--n] = '\0';
	}
	return out;
}

static int
item_add(struct reader *st, long line, const char *key, const char *val)
{
	if (st->item.n >= MAX_VALUES)
		return field_error(st, line, key, "too many values in one item");
	return dc_args_add(&st->item, key, val) ? dc_error(st->ctx, DC_EINTERNAL, "out of memory")
	                                        : 0;
}

static void
prices_clear(struct reader *st)
{
	int i;

	for (i = 0; i < st->nprice; i++) {
		free(st->prices[i].type);
		free(st->prices[i].amount);
		free(st->prices[i].currency);
		free(st->prices[i].tax);
		free(st->prices[i].factor);
		free(st->prices[i].lower);
		free(st->prices[i].quantity);
		free(st->prices[i].from);
		free(st->prices[i].until);
	}
	st->nprice = 0;
}

static void
item_clear(struct reader *st)
{
	dc_args_free(&st->item);
	memset(&st->item, 0, sizeof st->item);
	prices_clear(st);
	free(st->mode);
	free(st->map_category);
	st->mode = st->map_category = NULL;
	free(st->blk_from);
	free(st->blk_until);
	free(st->price_qty);
	st->blk_from = st->blk_until = st->price_qty = NULL;
	json_object_put(st->features);
	json_object_put(st->media);
	json_object_put(st->classification);
	st->features = st->media = st->classification = st->jobj = NULL;
	st->is_map = st->in_details = st->datetime = st->in_price = 0;
	st->item_depth = -1;
}

static int
begin_capture(struct reader *st, int depth, enum dest d, const char *key, char **slot)
{
	st->cap = d;
	st->slot = slot;
	st->cap_depth = depth;
	st->cap_line = node_line(st);
	st->cap_key = key;
	st->cap_number = st->cap_repeat = 0;
	st->len = 0;
	return 0;
}

static int
append_text(struct reader *st, const char *s)
{
	size_t n = strlen(s);

	if (st->len + n > MAX_TEXT)
		return field_error(st, st->cap_line, st->cap_key, "field longer than 1 MiB");
	if (st->len + n + 1 > st->bufcap) {
		size_t cap = st->bufcap ? st->bufcap : 256;
		char *p;

		while (cap < st->len + n + 1)
			cap *= 2;
		if (!(p = realloc(st->buf, cap)))
			return dc_error(st->ctx, DC_EINTERNAL, "out of memory");
		st->buf = p;
		st->bufcap = cap;
	}
	memcpy(st->buf + st->len, s, n + 1);
	st->len += n;
	return 0;
}

/* The captured element ended: trim, check and store its text. */
static int
end_capture(struct reader *st)
{
	const char *ws = " \t\r\n";
	char *v;
	size_t n;
	int rc = 0;

	if (append_text(st, ""))
		return st->ctx->err;
	v = st->buf + strspn(st->buf, ws);
	n = strlen(v);
	while (n > 0 && strchr(ws, v[n - 1]))
		v[--n] = '\0';
	if (dc_text_check(st->ctx, v, n)) {
		rc = dc_error_prefix(st->ctx, "%s:%ld: field '%s'", st->path, st->cap_line, st->cap_key);
		goto done;
	}
	if (n == 0)
		goto done;
	if (st->cap_number && !is_decimal(v)) {
		rc = field_error(st, st->cap_line, st->cap_key, "not a decimal number");
		goto done;
	}
	switch (st->cap) {
	case D_SLOT:
		if (!*st->slot)
			*st->slot = dc_strdup(v);
		break;
	case D_ITEM:
		if (st->cap_repeat || !dc_arg(&st->item, st->cap_key))
			rc = item_add(st, st->cap_line, st->cap_key, v);
		break;
	case D_JSON:
		if (st->cap_repeat) {
			json_object *arr;

			if (!json_object_object_get_ex(st->jobj, st->cap_key, &arr)) {
				arr = json_object_new_array();
				json_object_object_add(st->jobj, st->cap_key, arr);
			}
			if (json_object_array_length(arr) >= MAX_VALUES) {
				rc = field_error(st, st->cap_line, st->cap_key, "too many values");
				break;
			}
			json_object_array_add(arr, json_object_new_string(v));
		} else if (!json_object_object_get_ex(st->jobj, st->cap_key, NULL))
			json_object_object_add(st->jobj, st->cap_key, json_object_new_string(v));
		break;
	case D_NONE:
		break;
	}
done:
	st->cap = D_NONE;
	return rc;
}

static struct price *
price_new(struct reader *st)
{
	struct price *p;

	if (st->nprice >= MAX_PRICES) {
		field_error(st, node_line(st), "price", "too many prices in one item");
		return NULL;
	}
	if (st->nprice == st->pricecap) {
		int cap = st->pricecap ? st->pricecap * 2 : 8;

		if (!(p = realloc(st->prices, (size_t)cap * sizeof *p))) {
			dc_error(st->ctx, DC_EINTERNAL, "out of memory");
			return NULL;
		}
		st->prices = p;
		st->pricecap = cap;
	}
	p = &st->prices[st->nprice++];
	memset(p, 0, sizeof *p);
	p->line = node_line(st);
	p->from = st->blk_from ? dc_strdup(st->blk_from) : NULL;
	p->until = st->blk_until ? dc_strdup(st->blk_until) : NULL;
	return p;
}

static char *
attr(struct reader *st, const char *name)
{
	xmlChar *x = xmlTextReaderGetAttribute(st->xr, (const xmlChar *)name);
	char *s = x ? dc_strdup((const char *)x) : NULL;

	xmlFree(x);
	return s;
}

/* The price types an item's price is taken from, in this order; others are kept unused. */
static const char *const used_types[] = {"net_customer", "net_list", "gros_list", "nrp", NULL};

/* Exact price arithmetic: 18 digits times 18 digits fit. */
__extension__ typedef __int128 wide;

/* A checked decimal (is_decimal) as mantissa and scale: "12.50" → 1250, 2.  -1 when it has
 * more digits than a price can use. */
static int
dec_split(const char *s, wide *m, int *scale)
{
	int digits = 0;

	*m = 0;
	*scale = -1;
	for (; *s; s++) {
		if (*s == '.') {
			*scale = 0;
			continue;
		}
		if (++digits > 18)
			return -1;
		*m = *m * 10 + (*s - '0');
		if (*scale >= 0)
			++*scale;
	}
	if (*scale < 0)
		*scale = 0;
	return 0;
}

static wide
pow10i(int n)
{
	wide r = 1;

	while (n-- > 0)
		r *= 10;
	return r;
}

/* *r = a × b, 0 or -1 on overflow */
static int
mul(wide a, wide b, wide *r)
{
	return __builtin_mul_overflow(a, b, r) ? -1 : 0;
}

/* num / den rounded half up, for num >= 0 and den > 0. */
static wide
div_round(wide num, wide den)
{
	return (num + den / 2) / den;
}

#define PRICE4_MAX 1000000000000000LL /* 10^11 EUR in 1/10000: above it a price is bad data */

/*
 * The net price of one order unit in 1/10000 (price4), exactly: PRICE_AMOUNT × PRICE_FACTOR ÷
 * PRICE_QUANTITY, rounded half up once at the end; a gros_list price is made net with its
 * TAX (a fraction, or a percentage when 1 or more).
 */
static int
unit_price(struct reader *st, struct price *p)
{
	wide a, f = 1, q = 1, t = 0, num, den;
	const char *qty = p->quantity ? p->quantity : st->price_qty;
	int sa, sf = 0, sq = 0, stx = 0, gross = !strcmp(p->type, "gros_list");

	if (dec_split(p->amount, &a, &sa) || (p->factor && dec_split(p->factor, &f, &sf)) ||
	    (qty && dec_split(qty, &q, &sq)) ||
	    (p->tax && dec_split(p->tax, &t, &stx)))
		return field_error(st, p->line, "price", "too many digits");
	if (f == 0)
		return field_error(st, p->line, "price_factor", "PRICE_FACTOR is 0");
	if (q == 0)
		return field_error(st, p->line, "price_quantity", "PRICE_QUANTITY is 0");
	if (gross && !p->tax)
		return field_error(st, p->line, "vat",
		                   "a gros_list price without TAX cannot be made net");
	/* TAX ≥ 1 is a percentage already: 19 → 0.19 */
	if (gross && t >= pow10i(stx))
		stx += 2;
	/* a·10^-sa × f·10^-sf ÷ (q·10^-sq) × 10^4, net: ÷ (1 + t·10^-stx) */
	if (mul(a, f, &num) || mul(num, pow10i(sq + 4), &num) || mul(q, pow10i(sa + sf), &den) ||
	    (gross && (mul(num, pow10i(stx), &num) || mul(den, pow10i(stx) + t, &den))))
		return field_error(st, p->line, "price", "too many digits");
	num = div_round(num, den);
	if (num > PRICE4_MAX)
		return field_error(st, p->line, "price", "larger than 100000000000");
	p->unit = (long long)num;
	p->has_unit = 1;
	return 0;
}

/* price4 as decimal text without trailing zeros: 39500 → "3.95". */
static void
fmt_price4(long long v, char out[32])
{
	int n = snprintf(out, 32, "%lld.%04lld", v / 10000, v % 10000);

	while (out[n - 1] == '0')
		out[--n] = '\0';
	if (out[n - 1] == '.')
		out[--n] = '\0';
}

/* JSON text written as json-c writes it (JSON_C_TO_STRING_PLAIN, '/' escaped), so that what
 * is stored compares equal with what earlier imports stored: the prices of an item were a
 * json-c object each, a hash table per price, a tenth of a BMEcat import (perf). */
struct jtext {
	char *s;         /* the text, NUL-terminated; owned */
	size_t len, cap; /* used and allocated bytes */
};

static void
jt_raw(struct jtext *t, const char *s, size_t n)
{
	while (t->len + n + 1 > t->cap)
		if (!(t->s = realloc(t->s, t->cap = t->cap ? t->cap * 2 : 256)))
			abort();
	memcpy(t->s + t->len, s, n);
	t->s[t->len += n] = '\0';
}

/* ,"k":"v" (without the comma for an object's first member); nothing when v is NULL */
static void
jt_str(struct jtext *t, const char *k, const char *v)
{
	static const char hex[] = "0123456789abcdef";

	if (!v)
		return;
	jt_raw(t, t->s[t->len - 1] == '{' ? "\"" : ",\"", t->s[t->len - 1] == '{' ? 1 : 2);
	jt_raw(t, k, strlen(k));
	jt_raw(t, "\":\"", 3);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		static const char from[] = "\"\\/\b\f\n\r\t", to[] = "\"\\/bfnrt";
		const char *q = strchr(from, *p);
		char e[7];

		if (q)
			snprintf(e, sizeof e, "\\%c", to[q - from]);
		else if (*p < 0x20)
			snprintf(e, sizeof e, "\\u00%c%c", hex[*p >> 4], hex[*p & 15]);
		jt_raw(t, q || *p < 0x20 ? e : (const char *)p, q ? 2 : *p < 0x20 ? 6 : 1);
	}
	jt_raw(t, "\"", 1);
}

static int
item_add_json(struct reader *st, const char *key, json_object *o)
{
	return item_add(st, st->item_line, key,
	                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

/* Is the period [from, until] in force on day (YYYY-MM-DD, compared as text)? */
static int
covers(const struct price *p, const char *day)
{
	return (!p->from || strcmp(p->from, day) <= 0) && (!p->until || strcmp(p->until, day) >= 0);
}

/*
 * The item's prices: every price with its raw values and unit price goes into "prices"; the
 * first used type present is the price type; the latest period of that type in force today
 * gives price, tiers, currency, VAT and validity.  A price type "on_request", or no used type
 * with an amount, makes the item "on request" (no price).
 */
static int
add_prices(struct reader *st)
{
	struct jtext all = {0};
	const char *type = NULL;
	const struct price *cur = NULL, *best = NULL;
	char num[32];
	int i, k, on_request = 0, rc = 0;

	jt_raw(&all, "[", 1);
	for (i = 0; i < st->nprice && !rc; i++) {
		struct price *p = &st->prices[i];

		if (!strcmp(p->type, "on_request"))
			on_request = 1;
		else if (p->amount)
			rc = unit_price(st, p);
		jt_raw(&all, i ? ",{" : "{", i ? 2 : 1);
		jt_str(&all, "type", *p->type ? p->type : NULL);
		jt_str(&all, "amount", p->amount);
		jt_str(&all, "currency", p->currency ? p->currency : st->hdr->currency);
		jt_str(&all, "factor", p->factor);
		jt_str(&all, "quantity", p->quantity ? p->quantity : st->price_qty);
		jt_str(&all, "lower_bound", p->lower);
		jt_str(&all, "tax", p->tax);
		jt_str(&all, "valid_from", p->from);
		jt_str(&all, "valid_until", p->until);
		if (p->has_unit) {
			fmt_price4(p->unit, num);
			if (all.s[all.len - 1] != '{')
				jt_raw(&all, ",", 1);
			jt_raw(&all, "\"unit_price\":", 13);
			jt_raw(&all, num, strlen(num));
		}
		jt_raw(&all, "}", 1);
	}
	jt_raw(&all, "]", 1);
	for (k = 0; used_types[k] && !type && !on_request && !rc; k++)
		for (i = 0; i < st->nprice && !type; i++)
			if (st->prices[i].has_unit && !strcmp(st->prices[i].type, used_types[k]))
				type = used_types[k];
	if (rc)
		goto done;
	if (st->nprice && (rc = item_add(st, st->item_line, "prices", all.s)))
		goto done;
	if (!type) {
		rc = item_add(st, st->item_line, "on_request", "1");
		goto done;
	}
	if ((rc = item_add(st, st->item_line, "price_type", type)))
		goto done;
	/* the period in force today that began last, else (a catalog left standing after its end
	 * date) the one that began last; a period that begins in the future is not today's */
	for (i = 0; i < st->nprice; i++) {
		const struct price *p = &st->prices[i];
		int c = covers(p, st->today), cc = cur && covers(cur, st->today);

		if (!p->has_unit || strcmp(p->type, type) ||
		    (p->from && strcmp(p->from, st->today) > 0))
			continue;
		if (!cur || c > cc ||
		    (c == cc && strcmp(p->from ? p->from : "", cur->from ? cur->from : "") > 0))
			cur = p;
	}
	if (!cur)
		goto done; /* only future periods: no price today */
	for (i = 0; i < st->nprice && !rc; i++) {
		const struct price *p = &st->prices[i];
		const char *lb = p->lower ? p->lower : "1";
		char *tier;

		if (!p->has_unit || strcmp(p->type, type) ||
		    strcmp(p->from ? p->from : "", cur->from ? cur->from : "") ||
		    strcmp(p->until ? p->until : "", cur->until ? cur->until : ""))
			continue;
		if (!best || strtod(lb, NULL) < strtod(best->lower ? best->lower : "1", NULL))
			best = p;
		fmt_price4(p->unit, num);
		tier = dc_printf("%s=%s", lb, num);
		rc = item_add(st, p->line, "tier", tier);
		free(tier);
	}
	if (rc)
		goto done;
	fmt_price4(best->unit, num);
	if ((rc = item_add(st, best->line, "price", num)))
		goto done;
	if (best->currency || st->hdr->currency)
		rc = item_add(st, best->line, "currency",
		              best->currency ? best->currency : st->hdr->currency);
	if (!rc && best->tax) {
		char *vat = tax_percent(best->tax);

		rc = item_add(st, best->line, "vat", vat);
		free(vat);
	}
	if (!rc && best->from)
		rc = item_add(st, best->line, "valid_from", best->from);
	if (!rc && best->until)
		rc = item_add(st, best->line, "valid_until", best->until);
	if (!rc && best->factor)
		rc = item_add(st, best->line, "price_factor", best->factor);
	if (!rc && (best->quantity || st->price_qty))
		rc = item_add(st, best->line, "price_quantity",
		              best->quantity ? best->quantity : st->price_qty);
done:
	free(all.s);
	return rc;
}

static int
group_cmp(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->id, ((const struct group *)b)->id);
}

static const struct group *
group_find(struct reader *st, const char *id)
{
	struct group key = {(char *)id, NULL, NULL};

	if (!st->ngroup)
		return NULL; /* qsort and bsearch take no NULL array, even empty */
	if (!st->groups_sorted) {
		qsort(st->groups, (size_t)st->ngroup, sizeof *st->groups, group_cmp);
		st->groups_sorted = 1;
	}
	return bsearch(&key, st->groups, (size_t)st->ngroup, sizeof *st->groups, group_cmp);
}

/* A catalog group's names from the top down ("Büro / Papier"), or NULL when the catalog has
 * no such group (the id is kept then). */
static char *
group_path(struct reader *st, const char *id)
{
	const struct group *chain[MAX_PATH];
	const struct group *g = group_find(st, id);
	char *out = NULL, *next;
	int n = 0;

	while (g && n < MAX_PATH) {
		chain[n++] = g;
		g = g->parent && strcmp(g->parent, g->id) ? group_find(st, g->parent) : NULL;
	}
	while (n-- > 0) {
		const char *name = chain[n]->name ? chain[n]->name : chain[n]->id;

		next = out ? dc_printf("%s / %s", out, name) : dc_strdup(name);
		free(out);
		out = next;
	}
	return out;
}

/* Appends v to the growing text *buf (space-separated). */
static void
text_put(char **buf, size_t *len, size_t *cap, const char *v)
{
	size_t n = v ? strlen(v) : 0;

	if (!n)
		return;
	while (*len + n + 2 > *cap)
		if (!(*buf = realloc(*buf, *cap *= 2)))
			abort();
	*len += (size_t)sprintf(*buf + *len, "%s%s", *len ? " " : "", v);
}

/* Text the search index gets beyond name, description, category, sku and gtin: keywords,
 * manufacturer, classification and features. */
static int
add_search(struct reader *st)
{
	size_t cap = 256, len = 0;
	char *buf = malloc(cap);
	int i, rc = 0;

	if (!buf)
		abort();
	buf[0] = '\0';
	for (i = 0; i < st->item.n; i++)
		if (!strcmp(st->item.keys[i], "keywords") ||
		    !strcmp(st->item.keys[i], "manufacturer") ||
		    !strcmp(st->item.keys[i], "manufacturer_pid"))
			text_put(&buf, &len, &cap, st->item.vals[i]);
	if (st->classification) {
		json_object_object_foreach(st->classification, k, v)
		{
			(void)k;
			text_put(&buf, &len, &cap, json_object_get_string(v));
		}
	}
	for (i = 0; st->features && i < (int)json_object_array_length(st->features); i++) {
		json_object *f = json_object_array_get_idx(st->features, i), *vals;

		json_object_object_foreach(f, k, v)
		{
			if (strcmp(k, "values"))
				text_put(&buf, &len, &cap, json_object_get_string(v));
		}
		if (json_object_object_get_ex(f, "values", &vals))
			for (size_t j = 0; j < json_object_array_length(vals); j++)
				text_put(&buf, &len, &cap,
				         json_object_get_string(json_object_array_get_idx(vals, j)));
	}
	if (len > MAX_TEXT)
		rc = field_error(st, st->item_line, "features", "longer than 1 MiB");
	else if (len)
		rc = item_add(st, st->item_line, "search", buf);
	free(buf);
	return rc;
}

static int
end_item(struct reader *st)
{
	const char *t = st->hdr->transaction;
	const char *mode;
	json_object *fg = NULL;
	const char *cat = st->map_category;
	char *path = NULL;
	int rc = 0;

	if (!dc_arg(&st->item, "sku")) {
		rc = field_error(st, st->item_line, "sku",
		                 st->is_map ? "ART_ID/PROD_ID missing"
		                            : "SUPPLIER_AID/SUPPLIER_PID missing");
		goto done;
	}
	if (st->is_map)
		mode = "map";
	else if (!strcmp(t, "T_NEW_CATALOG"))
		mode = "new";
	else if (!strcmp(t, "T_UPDATE_PRICES"))
		mode = "update";
	else if (!st->mode) {
		rc = field_error(st, st->item_line, "mode", "mode attribute missing");
		goto done;
	} else if (strcmp(st->mode, "new") && strcmp(st->mode, "update") &&
	           strcmp(st->mode, "delete")) {
		rc = field_error(st, st->item_line, "mode", "not new, update or delete");
		goto done;
	} else
		mode = st->mode;
	if ((rc = item_add(st, st->item_line, "mode", mode)))
		goto done;
	/* a catalog group is named by its path of names; a feature group only has its id */
	if (!cat && st->classification &&
	    json_object_object_get_ex(st->classification, "group", &fg))
		cat = json_object_get_string(fg);
	if (st->is_map && (cat = dc_arg(&st->item, "category")) && (path = group_path(st, cat)))
		rc = item_add(st, st->item_line, "category", path); /* the last one wins */
	else if (!st->is_map && st->map_category && (path = group_path(st, st->map_category)))
		rc = item_add(st, st->item_line, "category", path);
	else if (!st->is_map && cat)
		rc = item_add(st, st->item_line, "category", cat);
	if (rc || (!st->is_map && strcmp(mode, "delete") && (rc = add_prices(st))))
		goto done;
	if (st->features && (rc = item_add_json(st, "features", st->features)))
		goto done;
	if (st->media && (rc = item_add_json(st, "media", st->media)))
		goto done;
	if (st->classification && (rc = item_add_json(st, "classification", st->classification)))
		goto done;
	if (!st->is_map && (rc = add_search(st)))
		goto done;
	rc = st->fn(st->ctx, &st->item, st->item_line, st->arg);
done:
	free(path);
	item_clear(st);
	return rc;
}

/* A start tag inside HEADER. */
static int
header_element(struct reader *st, enum elem e, enum elem parent, int depth)
{
	struct dc_bmecat_header *h = st->hdr;

	if (parent == E_CATALOG && e == E_CATALOG_ID)
		begin_capture(st, depth, D_SLOT, "catalog_id", &h->catalog_id);
	else if (parent == E_CATALOG && e == E_CATALOG_VERSION)
		begin_capture(st, depth, D_SLOT, "catalog_version", &h->catalog_version);
	else if (parent == E_CATALOG && e == E_CATALOG_NAME)
		begin_capture(st, depth, D_SLOT, "catalog_name", &h->catalog_name);
	else if (parent == E_CATALOG && e == E_CURRENCY)
		begin_capture(st, depth, D_SLOT, "currency", &h->currency);
	else if (e == E_SUPPLIER_ID)
		begin_capture(st, depth, D_SLOT, "supplier_id", &h->supplier_id);
	else if (e == E_SUPPLIER_NAME && parent == E_SUPPLIER)
		begin_capture(st, depth, D_SLOT, "supplier_name", &h->supplier_name);
	return 0;
}

/* A start tag inside an item (or a top-level map). */
static int
item_element(struct reader *st, enum elem e, enum elem parent, int depth)
{
	static const struct {
		enum elem e;
		const char *key;
	} simple[] = {
	    {E_DESCRIPTION_SHORT, "name"},
	    {E_DESCRIPTION_LONG, "description"},
	    {E_EAN, "gtin"},
	    {E_MANUFACTURER_NAME, "manufacturer"},
	    {E_MANUFACTURER_PID, "manufacturer_pid"},
	    {E_ORDER_UNIT, "unit"},
	    {E_CONTENT_UNIT, "content_unit"},
	    {E_QUANTITY_MIN, "min_qty"},
	    {E_QUANTITY_INTERVAL, "quantity_interval"},
	    {E_NO_CU_PER_OU, "cu_per_ou"},
	    {E_KEYWORD, "keywords"},
	};
	static const struct {
		enum elem e, parent;
		const char *key;
		int repeat;
	} json[] = {
	    {E_FNAME, E_FEATURE, "name", 0},          {E_FVALUE, E_FEATURE, "values", 1},
	    {E_FUNIT, E_FEATURE, "unit", 0},          {E_FREF, E_FEATURE, "ref", 0},
	    {E_MIME_TYPE, E_MIME, "type", 0},         {E_MIME_SOURCE, E_MIME, "source", 0},
	    {E_MIME_PURPOSE, E_MIME, "purpose", 0},   {E_MIME_DESCR, E_MIME, "description", 0},
	};
	struct price *p;
	char *s;
	size_t i;

	if (st->is_map) {
		if (e == E_MAP_ID)
			begin_capture(st, depth, D_ITEM, "sku", NULL);
		else if (e == E_CATALOG_GROUP_ID)
			begin_capture(st, depth, D_ITEM, "category", NULL);
		return 0;
	}
	if (e == E_SKU && depth == st->item_depth + 1)
		return begin_capture(st, depth, D_ITEM, "sku", NULL);
	if (e == E_CATALOG_GROUP_ID && parent == E_GROUP_MAP)
		return begin_capture(st, depth, D_SLOT, "category", &st->map_category);
	if (e == E_FEATURE_GROUP_ID || e == E_FEATURE_SYSTEM_NAME) {
		if (!st->classification)
			st->classification = json_object_new_object();
		st->jobj = st->classification;
		begin_capture(st, depth, D_JSON, e == E_FEATURE_GROUP_ID ? "group" : "system", NULL);
		return 0;
	}
	if (e == E_FEATURE || e == E_MIME) {
		json_object **arr = e == E_FEATURE ? &st->features : &st->media;

		if (!*arr)
			*arr = json_object_new_array();
		if (json_object_array_length(*arr) >= MAX_PRICES)
			return field_error(st, node_line(st), e == E_FEATURE ? "features" : "media",
			                   "too many in one item");
		st->jobj = json_object_new_object();
		json_object_array_add(*arr, st->jobj);
		return 0;
	}
	for (i = 0; i < sizeof json / sizeof json[0]; i++)
		if (json[i].e == e && json[i].parent == parent && st->jobj) {
			begin_capture(st, depth, D_JSON, json[i].key, NULL);
			st->cap_repeat = json[i].repeat;
			return 0;
		}
	if (e == E_INTERNATIONAL_PID) {
		s = attr(st, "type");
		if (s && (!strcmp(s, "gtin") || !strcmp(s, "ean")))
			begin_capture(st, depth, D_ITEM, "gtin", NULL);
		free(s);
		return 0;
	}
	if (e == E_PRICE_DETAILS) {
		st->in_details = 1;
		free(st->blk_from);
		free(st->blk_until);
		st->blk_from = st->blk_until = NULL;
		return 0;
	}
	if (!st->in_details && e == E_PRICE_QUANTITY) {
		begin_capture(st, depth, D_SLOT, "price_quantity", &st->price_qty);
		st->cap_number = 1;
		return 0;
	}
	if (!st->in_details) {
		for (i = 0; i < sizeof simple / sizeof simple[0]; i++)
			if (simple[i].e == e) {
				begin_capture(st, depth, D_ITEM, simple[i].key, NULL);
				st->cap_repeat = e == E_KEYWORD;
			}
		return 0;
	}
	if (e == E_DATETIME && parent == E_PRICE_DETAILS) {
		s = attr(st, "type");
		st->datetime = !s                               ? 0
		               : !strcmp(s, "valid_start_date") ? 1
		               : !strcmp(s, "valid_end_date")   ? 2
		                                                : 0;
		free(s);
	} else if (e == E_DATE && parent == E_DATETIME && st->datetime)
		begin_capture(st, depth, D_SLOT, st->datetime == 1 ? "valid_from" : "valid_until",
		              st->datetime == 1 ? &st->blk_from : &st->blk_until);
	else if (e == E_PRICE && parent == E_PRICE_DETAILS) {
		if (!(p = price_new(st)))
			return st->ctx->err;
		s = attr(st, "price_type");
		p->type = s ? s : dc_strdup("");
		st->in_price = 1;
	} else if (st->in_price && parent == E_PRICE) {
		p = &st->prices[st->nprice - 1];
		switch (e) {
		case E_PRICE_AMOUNT:
			begin_capture(st, depth, D_SLOT, "price", &p->amount);
			st->cap_number = 1;
			break;
		case E_PRICE_CURRENCY:
			begin_capture(st, depth, D_SLOT, "currency", &p->currency);
			break;
		case E_TAX:
			begin_capture(st, depth, D_SLOT, "vat", &p->tax);
			st->cap_number = 1;
			break;
		case E_PRICE_FACTOR:
			begin_capture(st, depth, D_SLOT, "price_factor", &p->factor);
			st->cap_number = 1;
			break;
		case E_LOWER_BOUND:
			begin_capture(st, depth, D_SLOT, "tier", &p->lower);
			st->cap_number = 1;
			break;
		case E_PRICE_QUANTITY:
			begin_capture(st, depth, D_SLOT, "price_quantity", &p->quantity);
			st->cap_number = 1;
			break;
		default:
			break;
		}
	}
	return 0;
}

static int
group_new(struct reader *st)
{
	if (st->ngroup >= MAX_GROUPS)
		return field_error(st, node_line(st), "group_id", "too many catalog groups");
	if (st->ngroup == st->groupcap) {
		int cap = st->groupcap ? st->groupcap * 2 : 64;
		struct group *g = realloc(st->groups, (size_t)cap * sizeof *g);

		if (!g)
			return dc_error(st->ctx, DC_EINTERNAL, "out of memory");
		st->groups = g;
		st->groupcap = cap;
	}
	memset(&st->groups[st->ngroup++], 0, sizeof *st->groups);
	st->groups_sorted = 0;
	st->in_group = 1;
	return 0;
}

static void
group_drop(struct reader *st)
{
	struct group *g = &st->groups[--st->ngroup];

	free(g->id);
	free(g->name);
	free(g->parent);
}

static int
start_element(struct reader *st, int depth)
{
	const xmlChar *name = xmlTextReaderConstLocalName(st->xr);
	enum elem e = elem_code(st, name), parent = depth > 0 ? st->stack[depth - 1] : E_OTHER;
	int rc = 0;

	if (depth >= MAX_DEPTH)
		return dc_error(st->ctx, DC_EDATA, "%s:%ld: elements nested too deeply", st->path,
		                node_line(st));
	st->stack[depth] = e;
	if (depth == 0) {
		if (e != E_BMECAT)
			return dc_error(st->ctx, DC_EDATA,
			                "%s:%ld: not a BMEcat document (root <%s>)", st->path,
			                node_line(st), (const char *)name);
		st->hdr->version = attr(st, "version");
		return 0;
	}
	if (st->cap != D_NONE)
		return 0; /* markup inside a value, e.g. HTML in a description */
	if (depth == 1 && e == E_HEADER)
		st->in_header = 1;
	else if (depth == 1 && e == E_TRANSACTION) {
		if (st->hdr->transaction)
			return dc_error(st->ctx, DC_EDATA, "%s:%ld: more than one transaction",
			                st->path, node_line(st));
		st->hdr->transaction = dc_strdup((const char *)name);
		st->hdr->transaction_id = attr(st, "prev_version");
		st->trans_depth = depth;
	} else if (st->in_header)
		rc = header_element(st, e, parent, depth);
	else if (st->trans_depth >= 0 && st->item_depth < 0 && e == E_CATALOG_STRUCTURE)
		rc = group_new(st);
	else if (st->in_group && parent == E_CATALOG_STRUCTURE &&
	         (e == E_GROUP_ID || e == E_GROUP_NAME || e == E_PARENT_ID)) {
		struct group *g = &st->groups[st->ngroup - 1];

		begin_capture(st, depth, D_SLOT, e == E_GROUP_ID ? "group_id" : e == E_GROUP_NAME
		                                  ? "group_name" : "parent_id",
		              e == E_GROUP_ID ? &g->id : e == E_GROUP_NAME ? &g->name : &g->parent);
	}
	else if (st->trans_depth >= 0 && st->item_depth < 0 && (e == E_ITEM || e == E_GROUP_MAP)) {
		st->item_depth = depth;
		st->item_line = node_line(st);
		st->is_map = e == E_GROUP_MAP;
		if (e == E_ITEM)
			st->mode = attr(st, "mode");
	} else if (st->item_depth >= 0)
		rc = item_element(st, e, parent, depth);
	if (!rc && xmlTextReaderIsEmptyElement(st->xr))
		rc = end_element(st, depth);
	return rc;
}

static int
end_element(struct reader *st, int depth)
{
	enum elem e = st->stack[depth];

	if (st->cap != D_NONE)
		return depth == st->cap_depth ? end_capture(st) : 0;
	if (depth == st->item_depth)
		return end_item(st);
	if (depth == 1 && e == E_HEADER)
		st->in_header = 0;
	else if (depth == st->trans_depth)
		st->trans_depth = -1;
	else if (e == E_PRICE)
		st->in_price = 0;
	else if (e == E_FEATURE || e == E_MIME)
		st->jobj = NULL;
	else if (e == E_CATALOG_STRUCTURE && st->in_group) {
		st->in_group = 0;
		if (!st->groups[st->ngroup - 1].id) /* a group without id names nothing */
			group_drop(st);
	}
	else if (e == E_PRICE_DETAILS)
		st->in_details = 0;
	else if (e == E_DATETIME)
		st->datetime = 0;
	return 0;
}

static int
entity_error(struct reader *st, long line)
{
	return dc_error(st->ctx, DC_EDATA, "%s:%ld: entities are not allowed", st->path, line);
}

/* The DOCTYPE node: external DTDs are never loaded, but an internal subset declaring entities
 * (XXE, billion laughs) fails the read before any reference could be expanded. */
static int
doctype(struct reader *st)
{
	xmlNodePtr n = xmlTextReaderCurrentNode(st->xr);
	xmlDtdPtr dtd = n && n->type == XML_DTD_NODE ? (xmlDtdPtr)n : NULL;

	if (dtd && (dtd->entities || dtd->pentities)) {
		st->entities = 1;
		return entity_error(st, node_line(st));
	}
	return 0;
}

/* A failure reported by libxml2: entity trouble gets the entity message. */
static int
xml_error(struct reader *st)
{
	long line = st->xline > 0 ? st->xline : xmlTextReaderGetParserLineNumber(st->xr);

	switch (st->xerr) {
	case XML_ERR_UNDECLARED_ENTITY:
	case XML_WAR_UNDECLARED_ENTITY:
	case XML_ERR_ENTITY_LOOP:
	case XML_ERR_ENTITY_PE_INTERNAL:
	case XML_ERR_ENTITY_BOUNDARY:
		return entity_error(st, line);
	default:
		if (st->entities)
			return entity_error(st, line);
		return dc_error(st->ctx, DC_EDATA, "%s:%ld: not well-formed XML: %s", st->path,
		                line, st->xerr ? st->xmsg : "parse error");
	}
}

static int
node(struct reader *st)
{
	int depth = xmlTextReaderDepth(st->xr);

	switch (xmlTextReaderNodeType(st->xr)) {
	case XML_READER_TYPE_ELEMENT:
		return start_element(st, depth);
	case XML_READER_TYPE_END_ELEMENT:
		return end_element(st, depth);
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_WHITESPACE:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		if (st->cap == D_NONE)
			return 0;
		return append_text(st, (const char *)xmlTextReaderConstValue(st->xr));
	case XML_READER_TYPE_ENTITY_REFERENCE:
	case XML_READER_TYPE_ENTITY:
		return entity_error(st, node_line(st));
	case XML_READER_TYPE_DOCUMENT_TYPE:
		return doctype(st);
	default:
		return 0;
	}
}

int
dc_bmecat_read(struct dc *ctx, const char *path, struct dc_bmecat_header *hdr, dc_bmecat_fn fn,
               void *arg)
{
	/* no entity substitution, no DTD loading, no network, no size limits lifted */
	const int opts = XML_PARSE_NONET | XML_PARSE_BIG_LINES;
	struct reader *st;
	int r, rc = 0;

	memset(hdr, 0, sizeof *hdr);
	if (!(st = calloc(1, sizeof *st)))
		return dc_error(ctx, DC_EINTERNAL, "out of memory");
	st->ctx = ctx;
	st->path = ctx->input_name ? ctx->input_name : path; /* as the user knows it */
	st->hdr = hdr;
	st->fn = fn;
	st->arg = arg;
	st->fd = -1;
	st->trans_depth = st->item_depth = -1;
	dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), st->today);
	if (strcmp(path, "-") && (st->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = dc_error(ctx, DC_ENOINPUT, "%s: %s", st->path, strerror(errno));
		goto done;
	}
	dc_xml_guard_init(&st->guard, ctx, st->path, st->fd >= 0 ? st->fd : 0);
	st->xr = xmlReaderForIO(dc_xml_guard_read, NULL, &st->guard, NULL, NULL, opts);
	if (!st->xr) {
		rc = dc_error(ctx, DC_EINTERNAL, "%s: cannot create XML reader", path);
		goto done;
	}
	xmlTextReaderSetStructuredErrorHandler(st->xr, on_xml_error, st);
	while ((r = xmlTextReaderRead(st->xr)) == 1 && !st->xerr) {
		if ((rc = node(st)))
			goto done;
		/* without a callback only the header is wanted: it ends where the transaction starts */
		if (!fn && hdr->transaction)
			goto done;
	}
	if (st->guard.failed) {
		rc = ctx->err;
		goto done;
	}
	if (r < 0 || st->xerr) {
		rc = xml_error(st);
		goto done;
	}
	if (!hdr->transaction)
		rc = dc_error(ctx, DC_EDATA,
		              "%s: no T_NEW_CATALOG, T_UPDATE_PRODUCTS or T_UPDATE_PRICES", path);
done:
	if (st->xr)
		xmlFreeTextReader(st->xr);
	if (st->fd >= 0)
		close(st->fd);
	item_clear(st);
	while (st->ngroup)
		group_drop(st);
	free(st->groups);
	free(st->prices);
	free(st->buf);
	free(st);
	return rc;
}

void
dc_bmecat_header_free(struct dc_bmecat_header *hdr)
{
	free(hdr->version);
	free(hdr->transaction);
	free(hdr->transaction_id);
	free(hdr->supplier_id);
	free(hdr->supplier_name);
	free(hdr->catalog_id);
	free(hdr->catalog_version);
	free(hdr->catalog_name);
	free(hdr->currency);
	memset(hdr, 0, sizeof *hdr);
}
