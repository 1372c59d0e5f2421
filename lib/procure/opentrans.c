/*
 * Orders out as openTRANS 2.1 ORDER documents (dc-order(1) "openTRANS"): dc-order place
 * attaches one to the order mail, dc-order show -f opentrans prints it.  Written with libxml2's
 * xmlTextWriter, which escapes the texts; the element order and the length limits are those
 * of opentrans_2_1.xsd and bmecat_2005.xsd (schemas/xsd/opentrans-2.1/), which the tests
 * validate every document against.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/xmllib.h"

#include "procure/procure.h"

#define NS_OT "http://www.opentrans.org/XMLSchema/2.1"
#define NS_BMECAT "http://www.bmecat.org/bmecat/2005"
#define SKU_MAX 50 /* SUPPLIER_PID */

/* The writer and whether a call of it failed (only for want of memory). */
struct ot {
	xmlTextWriterPtr w;
	int bad;
};

static void
start(struct ot *o, const char *name)
{
	o->bad |= xmlTextWriterStartElement(o->w, BAD_CAST name) < 0;
}

static void
end(struct ot *o)
{
	o->bad |= xmlTextWriterEndElement(o->w) < 0;
}

static void
attr(struct ot *o, const char *name, const char *value)
{
	o->bad |= xmlTextWriterWriteAttribute(o->w, BAD_CAST name, BAD_CAST value) < 0;
}

/* <NAME>TEXT</NAME>, left out when TEXT is NULL or empty. */
static void
el(struct ot *o, const char *name, const char *text)
{
	if (text && *text)
		o->bad |= xmlTextWriterWriteElement(o->w, BAD_CAST name, BAD_CAST text) < 0;
}

/* <NAME type="TYPE">TEXT</NAME> */
static void
el_typed(struct ot *o, const char *name, const char *type, const char *text)
{
	start(o, name);
	attr(o, "type", type);
	o->bad |= xmlTextWriterWriteString(o->w, BAD_CAST text) < 0;
	end(o);
}

/* Bytes of S's first MAX characters (UTF-8): the schema's lengths count characters. */
static size_t
chars(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n] && max; max--)
		for (n++; ((unsigned char)s[n] & 0xc0) == 0x80; n++)
			;
	return n;
}

/* TEXT cut to MAX characters in element NAME (ADDRESS's fields are short in BMEcat 2005). */
static void
el_max(struct ot *o, const char *name, const char *text, size_t max)
{
	char *cut;

	if (!text || !*text)
		return;
	cut = dc_printf("%.*s", (int)chars(text, max), text);
	el(o, name, cut);
	free(cut);
}

/* A name of up to 150 characters as NAME, NAME2 and NAME3 of 50 each, the rest cut. */
static void
names(struct ot *o, const char *name)
{
	static const char *const el_name[] = {"bmecat:NAME", "bmecat:NAME2", "bmecat:NAME3"};
	size_t i, n;

	for (i = 0; i < 3 && name && *name; i++, name += n) {
		n = chars(name, 50);
		el_max(o, el_name[i], name, 50);
	}
}

/* The parts of a postal address written "street, 12345 town" (the vendor's address, the
 * setting procurement.address); owned.  Another form is kept whole as a remark. */
struct address {
	char *street, *zip, *city, *remark;
};

static void
address_parse(const char *s, struct address *a)
{
	const char *comma = s ? strrchr(s, ',') : NULL, *p;
	size_t digits;

	memset(a, 0, sizeof *a);
	if (!s || !*s)
		return;
	p = comma ? comma + 1 + strspn(comma + 1, " ") : NULL;
	digits = p ? strspn(p, "0123456789") : 0;
	if (!p || digits < 4 || digits > 5 || p[digits] != ' ' || !p[digits + 1]) {
		a->remark = dc_strdup(s);
		return;
	}
	a->street = dc_printf("%.*s", (int)(comma - s), s);
	a->zip = dc_printf("%.*s", (int)digits, p);
	a->city = dc_strdup(p + digits + 1);
}

static void
address_free(struct address *a)
{
	free(a->street);
	free(a->zip);
	free(a->city);
	free(a->remark);
}

/* An ADDRESS: NAME..NAME3, DEPARTMENT, STREET, ZIP, CITY, COUNTRY_CODED, VAT_ID, EMAIL and
 * ADDRESS_REMARKS in the schema's order. */
static void
address(struct ot *o, const char *name, const char *dept, const char *postal, const char *vat_id,
        const char *email)
{
	struct address a;

	address_parse(postal, &a);
	start(o, "ADDRESS");
	names(o, name);
	el_max(o, "bmecat:DEPARTMENT", dept, 50);
	el_max(o, "bmecat:STREET", a.street, 50);
	el_max(o, "bmecat:ZIP", a.zip, 20);
	el_max(o, "bmecat:CITY", a.city, 50);
	if (a.zip && strlen(a.zip) == 5) /* a German postcode; 4 digits may be Austria's */
		el(o, "bmecat:COUNTRY_CODED", "DE");
	el_max(o, "bmecat:VAT_ID", vat_id, 50);
	el_max(o, "bmecat:EMAIL", email, 255);
	el_max(o, "bmecat:ADDRESS_REMARKS", a.remark, 250);
	end(o);
	address_free(&a);
}

static void
party(struct ot *o, const char *id, const char *leitweg, const char *const *roles)
{
	start(o, "PARTY");
	el_typed(o, "bmecat:PARTY_ID", "buyer_specific", id);
	if (leitweg && *leitweg)
		el_typed(o, "bmecat:PARTY_ID", "leitwegid", leitweg);
	for (; *roles; roles++)
		el(o, "PARTY_ROLE", *roles);
}

/* What the ORDER says besides the lines; texts owned. */
struct head {
	char *dept, *dept_name, *dept_email, *vendor, *vendor_name, *vendor_email, *vat_id;
	char *vendor_address, *city, *address, *leitweg, *delivery;
};

static void
head_free(struct head *h)
{
	char **f[] = {&h->dept,        &h->dept_name,    &h->dept_email, &h->vendor,
	              &h->vendor_name, &h->vendor_email, &h->vat_id,     &h->vendor_address,
	              &h->city,        &h->address,      &h->leitweg,    &h->delivery};

	for (size_t i = 0; i < sizeof f / sizeof *f; i++)
		free(*f[i]);
}

static int
head_load(struct dc *ctx, const char *id, struct head *h)
{
	struct dc_stmt *st = NULL;
	int rc;

	memset(h, 0, sizeof *h);
	if ((rc = dc_prepare(ctx, &st, "SELECT o.dept, d.name, d.email, o.award, v.name, v.email,"
	                               " v.vat_id, v.address FROM purchase_order o"
	                               " JOIN dept d ON d.code = o.dept"
	                               " LEFT JOIN vendor v ON v.id = o.award WHERE o.id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		char **f[] = {&h->dept,        &h->dept_name,    &h->dept_email, &h->vendor,
		              &h->vendor_name, &h->vendor_email, &h->vat_id,     &h->vendor_address};

		for (int i = 0; i < 8; i++)
			*f[i] = dc_col_null(st, i) ? NULL : dc_strdup(dc_col_text(st, i));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no order '%s'", id);
	dc_finish(ctx, st);
	if (rc)
		return rc;
	if (!h->vendor)
		return dc_error(ctx, DC_ECONFLICT, "order '%s' has no award: an openTRANS order "
		                "needs the vendor", id);
	h->city = dc_setting(ctx, "city.name");
	h->address = dc_setting(ctx, "procurement.address");
	h->leitweg = dc_procure_leitweg(ctx, h->dept);
	h->delivery = dc_printf("%s:delivery", h->dept);
	return 0;
}

/* ORDER_HEADER: the order's id and date, the parties (buyer with the Leitweg-ID, supplier,
 * delivery), the references between them, the currency. */
static void
order_header(struct ot *o, const char *id, const char *date, const struct head *h)
{
	static const char *const buyer[] = {"buyer", "invoice_recipient", NULL};
	static const char *const supplier[] = {"supplier", NULL};
	static const char *const delivery[] = {"delivery", NULL};
	int lw = h->leitweg && *h->leitweg;

	start(o, "ORDER_HEADER");
	start(o, "ORDER_INFO");
	el(o, "ORDER_ID", id);
	el(o, "ORDER_DATE", date);
	start(o, "PARTIES");
	party(o, h->dept, h->leitweg, buyer);
	address(o, h->city, h->dept_name, h->address, NULL, h->dept_email);
	end(o);
	party(o, h->vendor, NULL, supplier);
	address(o, h->vendor_name, NULL, h->vendor_address, h->vat_id, h->vendor_email);
	end(o);
	party(o, h->delivery, NULL, delivery);
	address(o, h->city, h->dept_name, h->address, NULL, NULL);
	end(o);
	end(o); /* PARTIES */
	start(o, "ORDER_PARTIES_REFERENCE");
	el_typed(o, "bmecat:BUYER_IDREF", "buyer_specific", h->dept);
	el_typed(o, "bmecat:SUPPLIER_IDREF", "buyer_specific", h->vendor);
	el_typed(o, "INVOICE_RECIPIENT_IDREF", lw ? "leitwegid" : "buyer_specific",
	         lw ? h->leitweg : h->dept);
	start(o, "SHIPMENT_PARTIES_REFERENCE");
	el_typed(o, "DELIVERY_IDREF", "buyer_specific", h->delivery);
	end(o);
	end(o); /* ORDER_PARTIES_REFERENCE */
	el(o, "bmecat:CURRENCY", "EUR");
	end(o); /* ORDER_INFO */
	end(o); /* ORDER_HEADER */
}

/* ORDER_ITEM_LIST and ORDER_SUMMARY.  A line's unit must have a code (dc-order(1) "Units");
 * one without a unit counts pieces. */
static int
order_items(struct dc *ctx, struct ot *o, const char *id)
{
	struct dc_stmt *st = NULL;
	long long total = 0, n = 0;
	char num[32];
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT line, coalesce(sku, ''), text, qty, unit, unit_net,"
	                               " vat, on_request FROM order_line WHERE order_id = ?1"
	                               " ORDER BY line")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	start(o, "ORDER_ITEM_LIST");
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		const char *sku = dc_col_text(st, 1), *text = dc_col_text(st, 2);
		const char *unit = dc_col_null(st, 4) ? NULL : dc_col_text(st, 4), *code;
		long long line = dc_col_int(st, 0), qty = llround(dc_col_double(st, 3) * 1000);
		long long price = dc_col_int(st, 5), net, gross;
		double vat = dc_col_double(st, 6);

		code = unit && *unit ? dc_unit_bmecat(dc_unit_rec20(unit)) : "C62";
		if (!code) {
			rc = dc_error(ctx, DC_ECONFLICT,
			              "order '%s' line %lld: unit '%s' has no UN/ECE "
			              "Recommendation 20 code (dc-order(1) Units)", id, line, unit);
			break;
		}
		if (dc_col_int(st, 7)) {
			rc = dc_error(ctx, DC_ECONFLICT,
			              "order '%s' line %lld has no price yet (on request)", id,
			              line);
			break;
		}
		if (strlen(sku) > SKU_MAX) {
			rc = dc_error(ctx, DC_ECONFLICT,
			              "order '%s' line %lld: SKU '%s' is longer than openTRANS "
			              "allows (%d characters)", id, line, sku, SKU_MAX);
			break;
		}
		if (dc_money_line(qty, price, &net) || dc_money_vat(net, vat, &gross) ||
		    dc_money_add(total, net, &total)) {
			rc = dc_error(ctx, DC_EDATA, "order '%s': its value is above the maximum",
			              id);
			break;
		}
		n++;
		start(o, "ORDER_ITEM");
		snprintf(num, sizeof num, "%lld", line);
		el(o, "LINE_ITEM_ID", num);
		start(o, "PRODUCT_ID");
		if (*sku)
			el_typed(o, "bmecat:SUPPLIER_PID", "supplier_specific", sku);
		el_max(o, "bmecat:DESCRIPTION_SHORT", text, 150);
		if (strlen(text) > chars(text, 150))
			el_max(o, "bmecat:DESCRIPTION_LONG", text, 64000);
		end(o);
		dc_num_fmt(qty, 3, 0, '.', num);
		el(o, "QUANTITY", num);
		el(o, "bmecat:ORDER_UNIT", code);
		start(o, "PRODUCT_PRICE_FIX");
		dc_num_fmt(price, 4, 2, '.', num);
		el(o, "bmecat:PRICE_AMOUNT", num);
		start(o, "TAX_DETAILS_FIX");
		el(o, "bmecat:TAX_TYPE", "vat");
		dc_num_fmt(llround(vat * 100), 4, 2, '.', num); /* 19 % as 0.19 */
		el(o, "bmecat:TAX", num);
		dc_num_fmt(gross - net, 2, 2, '.', num);
		el(o, "TAX_AMOUNT", num);
		end(o);
		end(o); /* PRODUCT_PRICE_FIX */
		dc_num_fmt(net, 2, 2, '.', num);
		el(o, "PRICE_LINE_AMOUNT", num);
		end(o); /* ORDER_ITEM */
	}
	dc_finish(ctx, st);
	if (rc)
		return rc;
	if (!n)
		return dc_error(ctx, DC_ECONFLICT, "order '%s' has no lines", id);
	end(o); /* ORDER_ITEM_LIST */
	start(o, "ORDER_SUMMARY");
	snprintf(num, sizeof num, "%lld", n);
	el(o, "TOTAL_ITEM_NUM", num);
	dc_num_fmt(total, 2, 2, '.', num);
	el(o, "TOTAL_AMOUNT", num);
	end(o);
	return 0;
}

int
dc_procure_opentrans_build(struct dc *ctx, const char *id, const char *date, char **xml)
{
	struct ot o = {NULL, 0};
	xmlBufferPtr buf = xmlBufferCreate();
	struct head h;
	int rc;

	*xml = NULL;
	if (!buf || !(o.w = xmlNewTextWriterMemory(buf, 0)))
		abort();
	if ((rc = head_load(ctx, id, &h)))
		goto done;
	o.bad |= xmlTextWriterSetIndent(o.w, 1) < 0;
	o.bad |= xmlTextWriterSetIndentString(o.w, BAD_CAST "\t") < 0;
	o.bad |= xmlTextWriterStartDocument(o.w, NULL, "UTF-8", NULL) < 0;
	start(&o, "ORDER");
	attr(&o, "xmlns", NS_OT);
	attr(&o, "xmlns:bmecat", NS_BMECAT);
	attr(&o, "version", "2.1");
	attr(&o, "type", "standard");
	order_header(&o, id, date, &h);
	if ((rc = order_items(ctx, &o, id)))
		goto done;
	end(&o); /* ORDER */
	o.bad |= xmlTextWriterEndDocument(o.w) < 0;
	xmlFreeTextWriter(o.w); /* flushes into buf */
	o.w = NULL;
	if (o.bad)
		rc = dc_error(ctx, DC_EINTERNAL, "order '%s': writing the openTRANS document failed",
		              id);
	else
		*xml = dc_strdup((const char *)xmlBufferContent(buf));
done:
	if (o.w)
		xmlFreeTextWriter(o.w);
	xmlBufferFree(buf);
	head_free(&h);
	return rc;
}

int
dc_procure_order_opentrans(struct dc *ctx, const char *id, char **xml)
{
	struct dc_stmt *st = NULL;
	char *status = NULL, day[11];
	int rc;

	*xml = NULL;
	if ((rc = dc_require(ctx, "buyer auditor head clerk", "see orders")))
		return rc;
	/* what place sent, byte for byte, as the outbox keeps it */
	if ((rc = dc_prepare(ctx, &st, "SELECT a.content FROM outbox o"
	                               " JOIN outbox_attachment a ON a.outbox_id = o.id"
	                               " WHERE o.ref_type = 'order' AND o.ref_id = ?1"
	                               " AND o.template = 'order-placed'"
	                               " AND a.content_type = 'application/xml'"
	                               " ORDER BY o.id DESC, a.seq LIMIT 1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*xml = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	}
	dc_finish(ctx, st);
	if (rc || *xml)
		return rc;
	if ((rc = dc_prepare(ctx, &st, "SELECT status FROM purchase_order WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		status = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no order '%s'", id);
	dc_finish(ctx, st);
	if (rc)
		goto done;
	/* an approved order: what place would send today; one placed before schema 12 kept no
	 * document, and one never placed has none */
	if (strcmp(status, "approved")) {
		rc = dc_error(ctx, DC_ECONFLICT, "order '%s' is %s and no openTRANS order was sent; "
		              "an approved order prints the one place would send", id, status);
		goto done;
	}
	dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), day);
	rc = dc_procure_opentrans_build(ctx, id, day, xml);
done:
	free(status);
	return rc;
}
