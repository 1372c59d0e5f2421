/*
 * BMEcat reader.  One pass over xmlTextReader nodes: a stack of element codes says where we
 * are, the text of an element we want is gathered into one capped buffer, and an item's fields
 * go into an argument list that is handed over and emptied at the item's end tag.  Memory is
 * bounded by the largest item, never by the catalog.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlreader.h>

#include "procure/bmecat.h"

#define MAX_DEPTH 256      /* deeper nesting is refused */
#define MAX_TEXT (1 << 20) /* longest value, as dc_text_check allows */
#define MAX_PRICES 1000    /* prices in one item */
#define MAX_VALUES 10000   /* values in one item (keywords are repeated) */

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
};

/* One ARTICLE_PRICE / PRODUCT_PRICE of the current item; all strings owned. */
struct price {
	char *type;     /* price_type attribute, "" when missing */
	char *amount;   /* PRICE_AMOUNT, checked decimal */
	char *currency; /* PRICE_CURRENCY or NULL */
	char *tax;      /* TAX as in the file or NULL */
	char *factor;   /* PRICE_FACTOR or NULL */
	char *lower;    /* LOWER_BOUND or NULL (= 1) */
	long line;      /* line of the price's start tag */
};

/* Where a captured text value goes. */
enum dest {
	D_NONE,
	D_SLOT, /* into *st->slot unless already set (header, price and category parts) */
	D_ITEM, /* into the item under st->cap_key */
};

struct reader {
	struct dc *ctx;               /* borrowed */
	const char *path;             /* as given, shown in messages; borrowed */
	xmlTextReaderPtr xr;          /* owned */
	int fd;                       /* file we opened, or -1 (stdin is never closed) */
	struct dc_xml_guard guard;    /* sees the bytes before libxml2 does */
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
	char *feat_category;  /* first REFERENCE_FEATURE_GROUP_ID; owned */
	int ndetails;         /* price details blocks seen in this item */
	int in_details;       /* inside the first price details block */
	int datetime;         /* in a price DATETIME: 1 valid_start_date, 2 valid_end_date, 0 */
	struct price *prices; /* prices of the first details block; owned */
	int nprice, pricecap; /* used and allocated */
	int in_price;         /* inside a price element (prices[nprice - 1]) */
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

static enum elem
elem_code(const xmlChar *name)
{
	size_t i;

	for (i = 0; i < sizeof elems / sizeof elems[0]; i++)
		if (!strcmp((const char *)name, elems[i].name))
			return elems[i].code;
	return E_OTHER;
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
	free(st->feat_category);
	st->mode = st->map_category = st->feat_category = NULL;
	st->is_map = st->ndetails = st->in_details = st->datetime = st->in_price = 0;
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

/* The price type to use: net_customer, else net_list, else the first one's. */
static const char *
chosen_type(const struct reader *st)
{
	int i;

	for (i = 0; i < st->nprice; i++)
		if (!strcmp(st->prices[i].type, "net_customer"))
			return "net_customer";
	for (i = 0; i < st->nprice; i++)
		if (!strcmp(st->prices[i].type, "net_list"))
			return "net_list";
	return st->prices[0].type;
}

static int
add_prices(struct reader *st)
{
	const char *type;
	const struct price *best = NULL;
	char *vat = NULL;
	int i, rc = 0;

	if (st->nprice == 0)
		return 0;
	type = chosen_type(st);
	for (i = 0; i < st->nprice && !rc; i++) {
		const struct price *p = &st->prices[i];
		const char *lb = p->lower ? p->lower : "1";
		char *tier;

		if (strcmp(p->type, type))
			continue;
		if (!best || strtod(lb, NULL) < strtod(best->lower ? best->lower : "1", NULL))
			best = p;
		tier = malloc(strlen(lb) + strlen(p->amount) + 2);
		if (!tier)
			abort();
		sprintf(tier, "%s=%s", lb, p->amount);
		rc = item_add(st, p->line, "tier", tier);
		free(tier);
	}
	if (rc)
		return rc;
	if ((rc = item_add(st, best->line, "price", best->amount)))
		return rc;
	if (*type && (rc = item_add(st, best->line, "price_type", type)))
		return rc;
	if (best->currency || st->hdr->currency)
		rc = item_add(st, best->line, "currency",
		              best->currency ? best->currency : st->hdr->currency);
	if (!rc && best->tax) {
		vat = tax_percent(best->tax);
		rc = item_add(st, best->line, "vat", vat);
		free(vat);
	}
	if (!rc && best->factor)
		rc = item_add(st, best->line, "price_factor", best->factor);
	return rc;
}

/* The item's end tag: complete its fields and hand it over. */
static int
end_item(struct reader *st)
{
	const char *t = st->hdr->transaction;
	const char *mode;
	const char *cat = st->map_category ? st->map_category : st->feat_category;
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
	if (cat && (rc = item_add(st, st->item_line, "category", cat)))
		goto done;
	for (int i = 0; i < st->nprice; i++)
		if (!st->prices[i].amount) {
			rc = field_error(st, st->prices[i].line, "price", "PRICE_AMOUNT missing");
			goto done;
		}
	if ((rc = add_prices(st)))
		goto done;
	rc = st->fn(st->ctx, &st->item, st->item_line, st->arg);
done:
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
	    {E_KEYWORD, "keywords"},
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
	if (e == E_FEATURE_GROUP_ID)
		return begin_capture(st, depth, D_SLOT, "category", &st->feat_category);
	if (e == E_INTERNATIONAL_PID) {
		s = attr(st, "type");
		if (s && (!strcmp(s, "gtin") || !strcmp(s, "ean")))
			begin_capture(st, depth, D_ITEM, "gtin", NULL);
		free(s);
		return 0;
	}
	if (e == E_PRICE_DETAILS) {
		st->in_details = ++st->ndetails == 1;
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
		begin_capture(st, depth, D_ITEM, st->datetime == 1 ? "valid_from" : "valid_until",
		              NULL);
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
		default:
			break;
		}
	}
	return 0;
}

static int
start_element(struct reader *st, int depth)
{
	const xmlChar *name = xmlTextReaderConstLocalName(st->xr);
	enum elem e = elem_code(name), parent = depth > 0 ? st->stack[depth - 1] : E_OTHER;
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
