/* Unit tests of lib/einvoice: every invoice of the XRechnung test suite read and checked
 * against values xmllint takes out of it (tests/einvoice-expected), UBL against CII for the
 * suite's pairs, each BR-CO rule broken in a copy, a ZUGFeRD PDF made with qpdf, hostile and
 * invalid files, Leitweg-IDs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/dc.h"
#include "einvoice/einvoice.h"

#define SUITE "build/suite-invoices/" /* links made by make (Makefile) */

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Read BYTES as PATH with a fresh context: the status, the message in msg. */
static int
read_bytes(const char *path, const char *bytes, size_t len, struct dc_einv *inv, int check,
           char msg[1024])
{
	struct dc ctx;
	int rc;

	dc_init(&ctx, "test");
	rc = dc_einv_read(&ctx, path, (const unsigned char *)bytes, len, inv);
	if (!rc && check)
		rc = dc_einv_check(&ctx, path, inv);
	snprintf(msg, 1024, "%s", rc ? ctx.errmsg : "");
	dc_free(&ctx);
	return rc;
}

static int
read_file(const char *path, struct dc_einv *inv, int check, char msg[1024])
{
	size_t len;
	char *bytes = slurp(path, &len);
	int rc = read_bytes(path, bytes, len, inv, check, msg);

	free(bytes);
	return rc;
}

/* An amount as the file writes it, in cents, by other means than the reader's (strtod);
 * empty: absent, 0. */
static long long
cents(const char *s)
{
	return *s ? llround(strtod(s, NULL) * 100) : 0;
}

static char *mutate(const char *xml, const char *anchor, const char *elem, const char *value,
                    long *line);

/* ---- the whole test suite ------------------------------------------------------------- */

static void
test_suite(void **state)
{
	FILE *p = popen("tests/einvoice-expected " SUITE, "r");
	char buf[4096], msg[1024], file[256] = "", path[512];
	struct dc_einv inv = {0};
	size_t k = 0;
	int invoices = 0, ubl = 0, cii = 0, nlines = 0;

	assert_non_null(p);
	while (fgets(buf, sizeof buf, p)) {
		char *f[16], *s = buf;
		int n = 0;

		buf[strcspn(buf, "\n")] = '\0';
		while (n < 16 && (f[n++] = strsep(&s, "\t")))
			;
		n--;
		if (!strcmp(f[0], "F")) {
			long long want[9];
			long long got[9];
			int i;

			if (*file)
				assert_int_equal(k, inv.nlines);
			dc_einv_free(&inv);
			assert_int_equal(n, 13);
			snprintf(file, sizeof file, "%s", f[1]);
			snprintf(path, sizeof path, SUITE "%s", file);
			if (read_file(path, &inv, 1, msg))
				fail_msg("%s", msg);
			invoices++;
			if (!strcmp(f[2], "CrossIndustryInvoice")) {
				assert_int_equal(inv.syntax, DC_EINV_CII);
				cii++;
			} else {
				assert_int_equal(inv.syntax, !strcmp(f[2], "Invoice")
				                                 ? DC_EINV_UBL_INVOICE
				                                 : DC_EINV_UBL_CREDIT);
				ubl++;
			}
			assert_int_equal(inv.nlines, atoi(f[3]));
			got[0] = inv.line_total, got[1] = inv.allowance_total;
			got[2] = inv.charge_total, got[3] = inv.tax_exclusive;
			got[4] = inv.tax_total, got[5] = inv.tax_inclusive;
			got[6] = inv.prepaid, got[7] = inv.rounding, got[8] = inv.payable;
			for (i = 0; i < 9; i++) {
				want[i] = cents(f[4 + i]);
				if (got[i] != want[i])
					fail_msg("%s: total %d: %lld, xmllint %s", file, i, got[i],
					         f[4 + i]);
			}
			assert_string_equal(inv.source, "xml");
			assert_non_null(inv.number);
			assert_non_null(inv.seller.name);
			k = 0;
		} else {
			assert_string_equal(f[0], "L");
			assert_int_equal(n, 4);
			assert_string_equal(f[1], file);
			assert_true(k < inv.nlines);
			assert_string_equal(inv.lines[k].id, f[2]);
			if (inv.lines[k].net != cents(f[3]))
				fail_msg("%s: line %s: %lld, xmllint %s", file, f[2],
				         inv.lines[k].net, f[3]);
			k++;
			nlines++;
		}
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(k, inv.nlines);
	dc_einv_free(&inv);
	/* the suite as the issue counts it */
	assert_int_equal(invoices, 86);
	assert_int_equal(ubl, 45);
	assert_int_equal(cii, 41);
	assert_true(nlines > 86);
}

/* The suite's pairs say the same in UBL and CII: what is read from one is read from the
 * other.  Not the parties: the files fill them with different placeholders ("[Seller city]",
 * "[City]") and VAT ids (01.21a). */
#define SAME_STR(a, b)                                                                             \
	do {                                                                                       \
		if (((a) || (b)) && (!(a) || !(b) || strcmp((a), (b))))                            \
			fail_msg("%s: %s: '%s' != '%s'", name, #a, (a) ? (a) : "(none)",           \
			         (b) ? (b) : "(none)");                                            \
	} while (0)
#define SAME_INT(a, b)                                                                             \
	do {                                                                                       \
		if ((a) != (b))                                                                    \
			fail_msg("%s: %s: %lld != %lld", name, #a, (long long)(a),                 \
			         (long long)(b));                                                  \
	} while (0)

static void
test_pairs(void **state)
{
	FILE *p = popen("cd " SUITE " && ls *_ubl.xml", "r");
	char name[256], cname[300], msg[1024], path[512];
	int pairs = 0;

	assert_non_null(p);
	while (fgets(name, sizeof name, p)) {
		struct dc_einv u = {0}, c = {0};
		size_t i;

		name[strcspn(name, "\n")] = '\0';
		snprintf(cname, sizeof cname, SUITE "%.*suncefact.xml",
		         (int)(strlen(name) - strlen("ubl.xml")), name);
		if (access(cname, R_OK))
			continue;
		snprintf(path, sizeof path, SUITE "%s", name);
		if (read_file(path, &u, 0, msg) || read_file(cname, &c, 0, msg))
			fail_msg("%s", msg);
		SAME_STR(u.number, c.number);
		SAME_STR(u.type, c.type);
		SAME_STR(u.issue_date, c.issue_date);
		SAME_STR(u.currency, c.currency);
		SAME_STR(u.buyer_reference, c.buyer_reference);
		/* UBL must give cac:OrderReference/cbc:ID for a seller's order reference (BT-14)
		 * alone, and the suite puts "Dummywert" there */
		if (u.order_reference && c.order_reference)
			SAME_STR(u.order_reference, c.order_reference);
		SAME_STR(u.seller.country, c.seller.country);
		SAME_INT(u.payable, c.payable);
		SAME_INT(u.nvats, c.nvats);
		for (i = 0; i < u.nvats; i++) {
			SAME_STR(u.vats[i].category, c.vats[i].category);
			SAME_INT(u.vats[i].base, c.vats[i].base);
			SAME_INT(u.vats[i].amount, c.vats[i].amount);
		}
		SAME_INT(u.nallowances, c.nallowances);
		for (i = 0; i < u.nallowances; i++) {
			SAME_INT(u.allowances[i].charge, c.allowances[i].charge);
			SAME_INT(u.allowances[i].amount, c.allowances[i].amount);
		}
		SAME_INT(u.nlines, c.nlines);
		for (i = 0; i < u.nlines; i++) {
			const struct dc_einv_line *a = &u.lines[i], *b = &c.lines[i];

			SAME_STR(a->id, b->id);
			SAME_INT(llround(a->quantity * 1000), llround(b->quantity * 1000));
			SAME_STR(a->unit, b->unit);
			SAME_INT(a->price, b->price);
			SAME_INT(a->net, b->net);
			SAME_STR(a->vat_category, b->vat_category);
			SAME_STR(a->seller_item, b->seller_item);
		}
		dc_einv_free(&u);
		dc_einv_free(&c);
		pairs++;
	}
	pclose(p);
	assert_true(pairs >= 40);
}

/* One invoice read in full: the terms of 01.01a as its UBL file states them. */
static void
test_terms(void **state)
{
	struct dc_einv inv;
	char msg[1024], *xml, *bad;
	size_t len;

	if (read_file(SUITE "01.01a-INVOICE_ubl.xml", &inv, 1, msg))
		fail_msg("%s", msg);
	assert_int_equal(inv.syntax, DC_EINV_UBL_INVOICE);
	assert_string_equal(inv.type, "380");
	assert_string_equal(inv.currency, "EUR");
	assert_string_equal(inv.buyer_reference, "04011000-12345-03");
	assert_int_equal(inv.nvats, 1);
	assert_string_equal(inv.vats[0].category, "S");
	assert_true(fabs(inv.vats[0].rate - 7) < 1e-9);
	assert_int_equal(inv.vats[0].base, 31486);
	assert_int_equal(inv.vats[0].amount, 2204);
	assert_int_equal(inv.nlines, 2);
	assert_string_equal(inv.lines[0].unit, "XPP");
	assert_true(fabs(inv.lines[0].quantity - 1) < 1e-9);
	assert_true(fabs(inv.lines[0].base_quantity - 1) < 1e-9);
	assert_int_equal(inv.lines[0].price, 2887900);
	assert_true(inv.lines[0].xml_line > 1);
	assert_non_null(strstr(inv.xml, "<cac:LegalMonetaryTotal>"));
	assert_int_equal(inv.xml_len, strlen(inv.xml));
	assert_false(inv.extension);
	dc_einv_free(&inv);
	/* a net price with more decimals than dcity keeps is rounded half away from zero */
	xml = slurp(SUITE "01.01a-INVOICE_ubl.xml", &len);
	bad = mutate(xml, "<cac:InvoiceLine>", "cbc:PriceAmount", "288.79005", NULL);
	if (read_bytes("p.xml", bad, strlen(bad), &inv, 1, msg))
		fail_msg("%s", msg);
	assert_int_equal(inv.lines[0].price, 2887901);
	dc_einv_free(&inv);
	free(bad);
	bad = mutate(xml, "<cac:InvoiceLine>", "cbc:PriceAmount", "288.7900499999", NULL);
	if (read_bytes("p.xml", bad, strlen(bad), &inv, 1, msg))
		fail_msg("%s", msg);
	assert_int_equal(inv.lines[0].price, 2887900);
	dc_einv_free(&inv);
	free(bad);
	free(xml);
	/* the extension's third party payments */
	if (read_file(SUITE "05.01a-INVOICE_ubl.xml", &inv, 1, msg))
		fail_msg("%s", msg);
	assert_true(inv.extension);
	assert_int_equal(inv.third_party_paid, 2996);
	dc_einv_free(&inv);
}

/* S with every FROM replaced by TO; S is freed. */
static char *
replace(char *s, const char *from, const char *to)
{
	size_t at = 0;
	char *p, *o;

	while ((p = strstr(s + at, from))) {
		o = dc_printf("%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
		at = (size_t)(p - s) + strlen(to);
		free(s);
		s = o;
	}
	return s;
}

/* A credit note (381) made of a suite invoice in each syntax: UBL's CreditNote document with
 * its own elements, CII's type code; both refer to the invoice they correct (BT-25). */
static void
test_credit(void **state)
{
	struct dc_einv inv, orig;
	char msg[1024], *x;
	size_t len;

	if (read_file(SUITE "01.01a-INVOICE_ubl.xml", &orig, 1, msg))
		fail_msg("%s", msg);
	x = slurp(SUITE "01.01a-INVOICE_ubl.xml", &len);
	x = replace(x, "ubl:Invoice", "ubl:CreditNote");
	x = replace(x, "xsd:Invoice-2", "xsd:CreditNote-2");
	x = replace(x, "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>",
	            "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>");
	x = replace(x, "cac:InvoiceLine>", "cac:CreditNoteLine>");
	x = replace(x, "cbc:InvoicedQuantity", "cbc:CreditedQuantity");
	x = replace(x, "</cbc:BuyerReference>",
	            "</cbc:BuyerReference><cac:BillingReference><cac:InvoiceDocumentReference>"
	            "<cbc:ID>R-2016-1</cbc:ID></cac:InvoiceDocumentReference>"
	            "</cac:BillingReference>");
	if (read_bytes("credit.xml", x, strlen(x), &inv, 1, msg))
		fail_msg("%s", msg);
	assert_int_equal(inv.syntax, DC_EINV_UBL_CREDIT);
	assert_string_equal(inv.type, "381");
	assert_string_equal(inv.preceding, "R-2016-1");
	assert_int_equal(inv.nlines, orig.nlines);
	assert_true(fabs(inv.lines[1].quantity - orig.lines[1].quantity) < 1e-9);
	assert_string_equal(inv.lines[1].unit, orig.lines[1].unit);
	assert_int_equal(inv.payable, orig.payable);
	dc_einv_free(&inv);
	dc_einv_free(&orig);
	free(x);

	x = slurp(SUITE "01.01a-INVOICE_uncefact.xml", &len);
	x = replace(x, "<ram:TypeCode>380</ram:TypeCode>", "<ram:TypeCode>381</ram:TypeCode>");
	x = replace(x, "</ram:SpecifiedTradeSettlementHeaderMonetarySummation>",
	            "</ram:SpecifiedTradeSettlementHeaderMonetarySummation>"
	            "<ram:InvoiceReferencedDocument><ram:IssuerAssignedID>R-2016-1"
	            "</ram:IssuerAssignedID></ram:InvoiceReferencedDocument>");
	if (read_bytes("credit.xml", x, strlen(x), &inv, 1, msg))
		fail_msg("%s", msg);
	assert_int_equal(inv.syntax, DC_EINV_CII);
	assert_string_equal(inv.type, "381");
	assert_string_equal(inv.preceding, "R-2016-1");
	dc_einv_free(&inv);
	/* a mandatory term the CII schema leaves optional */
	x = replace(x, "<ram:DuePayableAmount>336.9</ram:DuePayableAmount>", "");
	assert_int_equal(read_bytes("credit.xml", x, strlen(x), &inv, 1, msg), DC_EDATA);
	if (!strstr(msg, "credit.xml:162: BT-115 (DuePayableAmount) is missing"))
		fail_msg("%s", msg);
	dc_einv_free(&inv);
	free(x);
}

/* ---- broken copies ---------------------------------------------------------------------- */

/* XML with the text of the first element ELEM after the first ANCHOR set to VALUE; *line
 * gets the element's line. */
static char *
mutate(const char *xml, const char *anchor, const char *elem, const char *value, long *line)
{
	const char *a = anchor ? strstr(xml, anchor) : xml, *b, *e, *q;
	char open[128];

	assert_non_null(a);
	snprintf(open, sizeof open, "<%s", elem);
	b = strstr(a, open);
	assert_non_null(b);
	if (line)
		for (*line = 1, q = xml; q < b; q++)
			*line += *q == '\n';
	b = strchr(b, '>') + 1;
	e = strchr(b, '<');
	return dc_printf("%.*s%s%s", (int)(b - xml), xml, value, e);
}

/* FILE with ELEM after ANCHOR set to VALUE fails with status 65 and a message holding WANT
 * (each "%ld" in it is the element's line). */
static void
broken(const char *file, const char *anchor, const char *elem, const char *value, const char *want)
{
	size_t len;
	char *xml = slurp(file, &len), *bad, msg[1024], exp[512];
	struct dc_einv inv;
	long line;

	bad = mutate(xml, anchor, elem, value, &line);
	assert_int_equal(read_bytes(file, bad, strlen(bad), &inv, 1, msg), DC_EDATA);
	snprintf(exp, sizeof exp, want, line, line);
	if (!strstr(msg, exp))
		fail_msg("'%s' does not say '%s'", msg, exp);
	dc_einv_free(&inv);
	free(bad);
	free(xml);
}

static void
test_rules(void **state)
{
	const char *u = SUITE "01.01a-INVOICE_ubl.xml", *c = SUITE "01.01a-INVOICE_uncefact.xml",
	           *ac = SUITE "02.01a-INVOICE_ubl.xml";
	const char *lmt = "<cac:LegalMonetaryTotal>";
	const char *sum = "<ram:SpecifiedTradeSettlementHeaderMonetarySummation>";

	broken(u, "<cac:InvoiceLine>", "cbc:LineExtensionAmount", "288.80",
	       "BR-CO-10: BT-106 (LineExtensionAmount) 314.86 is not the sum of the line net "
	       "amounts (BT-131) = 314.87");
	broken(c, "<ram:IncludedSupplyChainTradeLineItem>", "ram:LineTotalAmount", "288.80",
	       "BR-CO-10: BT-106 (LineTotalAmount) 314.86 is not the sum");
	broken(ac, lmt, "cbc:AllowanceTotalAmount", "1.00", "BR-CO-11: BT-107");
	broken(ac, lmt, "cbc:ChargeTotalAmount", "1.00", "BR-CO-12: BT-108");
	broken(u, lmt, "cbc:TaxExclusiveAmount", "314.87",
	       "BR-CO-13: BT-109 (TaxExclusiveAmount) 314.87 is not BT-106 - BT-107 + BT-108 = "
	       "314.86 - 0.00 + 0.00");
	broken(u, "<cac:TaxTotal>", "cbc:TaxAmount", "23.04",
	       "BR-CO-14: BT-110 (TaxAmount) 23.04 is not the sum of the VAT category tax "
	       "amounts (BT-117) = 22.04");
	broken(u, lmt, "cbc:TaxInclusiveAmount", "337.90",
	       "BR-CO-15: BT-112 (TaxInclusiveAmount) 337.90 is not BT-109 + BT-110 = 314.86 + "
	       "22.04");
	broken(c, sum, "ram:GrandTotalAmount", "337.90",
	       "BR-CO-15: BT-112 (GrandTotalAmount) 337.90 is not BT-109 + BT-110");
	broken(u, lmt, "cbc:PayableAmount", "300.00",
	       "BR-CO-16: BT-115 (PayableAmount) 300.00 is not BT-112 - BT-113 + BT-114 = "
	       "336.90 - 0.00 + 0.00");
	broken(u, "<cac:TaxSubtotal>", "cbc:Percent", "19",
	       "BR-CO-17: BT-117 (TaxAmount) 22.04 of VAT category S is not BT-116 × BT-119 / "
	       "100 = 314.86 × 19 / 100 = 59.82");
	broken(c, "<ram:ApplicableHeaderTradeSettlement>", "ram:RateApplicablePercent", "19",
	       "BR-CO-17: BT-117 (CalculatedAmount) 22.04");
	/* XRechnung's extension: third party payments are due besides (BR-DEX-09) */
	broken(SUITE "05.01a-INVOICE_ubl.xml", lmt, "cbc:PayableAmount", "336.90",
	       "BR-DEX-09: BT-115 (PayableAmount) 336.90 is not BT-112 - BT-113 + BT-114 + "
	       "BT-DEX-002 = 336.90 - 0.00 + 0.00 + 29.96");
	/* the breakdown: a taxable amount that is not its lines' */
	broken(u, "<cac:TaxSubtotal>", "cbc:TaxableAmount", "315.86",
	       "BR-S-08: BT-116 (TaxableAmount) 315.86 of VAT category S 7 %% is not its lines' "
	       "net amounts (BT-131) plus its charges less its allowances = 314.86");
	/* and what the reader refuses: more decimals than EN 16931 allows, the XSD */
	broken(u, "<cac:InvoiceLine>", "cbc:LineExtensionAmount", "288.799",
	       SUITE "01.01a-INVOICE_ubl.xml:%ld: BT-131 (LineExtensionAmount): '288.799' is not "
	             "an amount with at most 2 decimals");
	broken(u, "<cac:InvoiceLine>", "cbc:PriceAmount", "288.79x",
	       ":%ld: not valid against UBL-Invoice-2.1.xsd: Element 'PriceAmount': '288.79x' is "
	       "not a valid value");
	broken(u, NULL, "cbc:IssueDate", "2016-13-45",
	       SUITE "01.01a-INVOICE_ubl.xml:%ld: not valid against UBL-Invoice-2.1.xsd: "
	             "Element 'IssueDate': '2016-13-45' is not a valid value");
	broken(c, "<rsm:ExchangedDocument>", "udt:DateTimeString", "2016x",
	       ":%ld: BT-2 (DateTimeString): '2016x' is not a date YYYYMMDD (format 102)");
}

static void
test_hostile(void **state)
{
	static const char *const bad[][2] = {
	    {"<?xml version='1.0'?>\n<!DOCTYPE x [<!ENTITY a 'b'>]>\n<x>&a;</x>",
	     "t.xml:2: a DOCTYPE, which an invoice never has"},
	    {"<?xml version='1.0'?>\n<!DOCTYPE x SYSTEM 'file:///etc/passwd'>\n<x/>",
	     "t.xml:2: a DOCTYPE"},
	    {"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'>\n<a>",
	     "t.xml:2: not well-formed XML"},
	    {"<x/>", "t.xml:1: not an invoice: the root element x is neither"},
	    {"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>",
	     "t.xml:1: not valid against UBL-Invoice-2.1.xsd"},
	    {"%PDF-1.4 nothing else", "t.xml: not a readable PDF"},
	    {"\xef\xbb\xbf <x>%PDF-1.4</x>", "t.xml:1: not an invoice: the root element x"},
	};
	struct dc_einv inv;
	char msg[1024], *many;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(read_bytes("t.xml", bad[i][0], strlen(bad[i][0]), &inv, 0, msg),
		                 DC_EDATA);
		if (!strstr(msg, bad[i][1]))
			fail_msg("'%s' does not say '%s'", msg, bad[i][1]);
		dc_einv_free(&inv);
	}
	/* the XML guard: quadratic attributes are refused before libxml2 sees them */
	many = malloc(300 * 12 + 64);
	assert_non_null(many);
	strcpy(many, "<x");
	for (i = 0; i < 300; i++)
		sprintf(many + strlen(many), " a%zu='1'", i);
	strcat(many, "/>");
	assert_int_equal(read_bytes("t.xml", many, strlen(many), &inv, 0, msg), DC_EDATA);
	assert_non_null(strstr(msg, "more than 256 attributes"));
	dc_einv_free(&inv);
	free(many);
}

/* ---- PDFs ------------------------------------------------------------------------------ */

static char tmp[64];

static void
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (system(cmd))
		fail_msg("failed: %s", cmd);
}

static void
test_pdf(void **state)
{
	struct dc_einv x, p;
	char msg[1024], path[128];
	size_t i;

	snprintf(tmp, sizeof tmp, "/tmp/test_einvoice.XXXXXX");
	assert_non_null(mkdtemp(tmp));
	/* a PDF with the CII invoice as factur-x.xml (deflated by qpdf), one with it stored
	 * plain as zugferd-invoice.xml, one without */
	sh("cd %s && qpdf --empty in.pdf && cp $OLDPWD/" SUITE "01.01a-INVOICE_uncefact.xml "
	   "factur-x.xml && qpdf in.pdf zugferd.pdf --add-attachment factur-x.xml -- && "
	   "cp factur-x.xml zugferd-invoice.xml && qpdf in.pdf plain.pdf --add-attachment "
	   "zugferd-invoice.xml -- && qpdf --stream-data=uncompress plain.pdf plain2.pdf",
	   tmp);
	if (read_file(SUITE "01.01a-INVOICE_uncefact.xml", &x, 1, msg))
		fail_msg("%s", msg);
	snprintf(path, sizeof path, "%s/zugferd.pdf", tmp);
	if (read_file(path, &p, 1, msg))
		fail_msg("%s", msg);
	assert_string_equal(p.source, "factur-x.xml");
	assert_int_equal(p.syntax, DC_EINV_CII);
	assert_int_equal(p.xml_len, x.xml_len);
	assert_memory_equal(p.xml, x.xml, x.xml_len);
	assert_string_equal(p.number, x.number);
	assert_int_equal(p.line_total, x.line_total);
	assert_int_equal(p.tax_exclusive, x.tax_exclusive);
	assert_int_equal(p.tax_total, x.tax_total);
	assert_int_equal(p.tax_inclusive, x.tax_inclusive);
	assert_int_equal(p.payable, x.payable);
	assert_int_equal(p.nlines, x.nlines);
	for (i = 0; i < p.nlines; i++)
		assert_int_equal(p.lines[i].net, x.lines[i].net);
	dc_einv_free(&p);
	snprintf(path, sizeof path, "%s/plain2.pdf", tmp);
	if (read_file(path, &p, 1, msg))
		fail_msg("%s", msg);
	assert_string_equal(p.source, "zugferd-invoice.xml");
	assert_int_equal(p.payable, x.payable);
	dc_einv_free(&p);
	dc_einv_free(&x);
	snprintf(path, sizeof path, "%s/in.pdf", tmp);
	assert_int_equal(read_file(path, &p, 0, msg), DC_EDATA);
	assert_non_null(strstr(msg, "in.pdf: a PDF without an embedded invoice (factur-x.xml"));
	dc_einv_free(&p);
	/* an error inside the embedded XML names the PDF and the attachment */
	sh("cd %s && sed 's/<ram:GrandTotalAmount>336.9</<ram:GrandTotalAmount>337.9</' "
	   "zugferd-invoice.xml > factur-x.xml && grep -q 337.9 factur-x.xml && "
	   "qpdf in.pdf bad.pdf --add-attachment factur-x.xml --",
	   tmp);
	snprintf(path, sizeof path, "%s/bad.pdf", tmp);
	assert_int_equal(read_file(path, &p, 1, msg), DC_EDATA);
	if (!strstr(msg, "bad.pdf:factur-x.xml:") ||
	    !strstr(msg, "BR-CO-15: BT-112 (GrandTotalAmount) 337.90"))
		fail_msg("%s", msg);
	dc_einv_free(&p);
	/* a deflate bomb: 80 MiB of blanks in a few kilobytes are refused at 64 MiB */
	sh("cd %s && head -c 83886080 /dev/zero | tr '\\0' ' ' > factur-x.xml && "
	   "qpdf in.pdf bomb.pdf --add-attachment factur-x.xml -- && "
	   "test $(stat -c %%s bomb.pdf) -lt 1000000",
	   tmp);
	snprintf(path, sizeof path, "%s/bomb.pdf", tmp);
	assert_int_equal(read_file(path, &p, 0, msg), DC_EDATA);
	assert_non_null(strstr(msg, "bomb.pdf: the embedded factur-x.xml is larger than 64 MiB"));
	dc_einv_free(&p);
	sh("rm -rf %s", tmp);
}

/* ---- Leitweg-IDs -------------------------------------------------------------------------- */

static void
test_leitweg(void **state)
{
	/* from the test suite's BT-10 (and the specification's example) */
	static const char *const good[] = {
	    "04011000-12345-03",   "04011000-12354-73", "11002002-98765-14",
	    "1234567890-54321-40", "99000000-18188-18", "991-33333TEST-33",
	    "992-90009-96",        "90000000-03083-72", "04011000-1234512345-06",
	    "991-33333test-33",    "05315000-55",
	};
	/* wrong check digits: three of them are in the test suite as they are */
	static const char *const wrong[] = {
	    "04011000-12345-34", "99000000-01944-98", "99000000-05676-98",
	    "04011000-12345-04", "991-33333TEST-34",  "05315000-1234-56",
	};
	static const char *const syntax[][2] = {
	    {"Leitweg-ID", "does not begin with 2 to 12 digits"},
	    {"0-12345-03", "does not begin with 2 to 12 digits"},
	    {"0401100012345-12345-03", "does not begin with 2 to 12 digits"},
	    {"04011000", "does not begin with 2 to 12 digits"},
	    {"04011000-12345-3", "does not end in '-' and 2 check digits"},
	    {"04011000-12345-033", "does not end in '-' and 2 check digits"},
	    {"04011000-123_45-03", "does not end in '-' and 2 check digits"},
	    {"04011000--03", "Feinadressierung that is not 1 to 30"},
	    {"04011000-1234567890123456789012345678901-03", "Feinadressierung that is not 1 to 30"},
	    {"04011000-12345-03 ", "does not end in '-' and 2 check digits"},
	    {"", "does not begin with 2 to 12 digits"},
	};
	const char *why;
	size_t i;

	for (i = 0; i < sizeof good / sizeof *good; i++) {
		why = "unset";
		if (!dc_leitweg_valid(good[i], &why))
			fail_msg("%s: %s", good[i], why);
		assert_null(why);
	}
	for (i = 0; i < sizeof wrong / sizeof *wrong; i++) {
		assert_false(dc_leitweg_valid(wrong[i], &why));
		assert_string_equal(why, "has wrong check digits (ISO 7064 MOD 97-10)");
	}
	for (i = 0; i < sizeof syntax / sizeof *syntax; i++) {
		assert_false(dc_leitweg_valid(syntax[i][0], &why));
		if (!strstr(why, syntax[i][1]))
			fail_msg("%s: '%s'", syntax[i][0], why);
	}
	assert_false(dc_leitweg_valid("04011000-12345-34", NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_suite),   cmocka_unit_test(test_pairs),
	    cmocka_unit_test(test_terms),   cmocka_unit_test(test_credit),
	    cmocka_unit_test(test_rules),
	    cmocka_unit_test(test_hostile), cmocka_unit_test(test_pdf),
	    cmocka_unit_test(test_leitweg),
	};

	if (getenv("T")) /* T=test_pdf runs that one */
		cmocka_set_test_filter(getenv("T"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
