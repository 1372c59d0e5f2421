/*
 * Reading an EN 16931 invoice into struct dc_einv: the XML (or the XML a PDF carries) parsed by
 * libxml2 into a tree, validated against the shipped XSD, then each business term taken with
 * an XPath from one table per syntax.  Invoices are small (the test suite's largest is 0.4
 * MiB), so the tree costs nothing worth a streaming reader.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "einvoice/internal.h"

/* Namespaces by URI: the prefixes a file uses are its own. */
static const char *const ns[][2] = {
    {"ubl", "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"},
    {"cn", "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"},
    {"cac", "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"},
    {"cbc", "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"},
    {"rsm", "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"},
    {"ram", "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"},
    {"udt", "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"},
};

/* A business term: its number and where it is, relative to the node its group starts at. */
struct term {
	const char *bt, *x;
};

/* Where the terms are in one syntax.  The totals are in the order of struct dc_einv's. */
struct syntax {
	struct term customization, third_party;
	struct term number, type, issue_date, due_date, currency, buyer_ref, order_ref, preceding,
	    iban, terms;
	const char *seller, *buyer; /* the parties, from the root */
	struct term seller_t[10], buyer_t[10]; /* name, id, vat_id, tax_id, street, city,
	                                        * postcode, country, email, contact */
	const char *totals;         /* BG-22 from the root */
	struct term total[9];       /* BT-106 ... BT-115 from BG-22 */
	const char *vats;           /* BG-23 from the root */
	struct term base, tax, category, rate, exemption, exemption_code;
	const char *allowances;     /* BG-20 and BG-21 from the root */
	struct term charge, amount, reason, a_category, a_rate;
	const char *lines;          /* BG-25 from the root */
	struct term line_id, quantity, unit, net, order_line, name, seller_item, l_category,
	    l_rate, price, base_quantity;
	int date102;                /* dates as CII's format 102, YYYYMMDD */
};

#define UBL_PARTY(bt27, bt29, bt31, bt32, bt35, bt37, bt38, bt40, bt43, bt41)                  \
	{{bt27, "cac:PartyLegalEntity/cbc:RegistrationName"},                                  \
	 {bt29, "cac:PartyIdentification/cbc:ID"},                                             \
	 {bt31, "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID = 'VAT']/cbc:CompanyID"},             \
	 {bt32, "cac:PartyTaxScheme[not(cac:TaxScheme/cbc:ID = 'VAT')]/cbc:CompanyID"},        \
	 {bt35, "cac:PostalAddress/cbc:StreetName"},                                           \
	 {bt37, "cac:PostalAddress/cbc:CityName"},                                             \
	 {bt38, "cac:PostalAddress/cbc:PostalZone"},                                           \
	 {bt40, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"},                       \
	 {bt43, "cac:Contact/cbc:ElectronicMail"},                                             \
	 {bt41, "cac:Contact/cbc:Name"}}
#define CII_PARTY(bt27, bt29, bt31, bt32, bt35, bt37, bt38, bt40, bt43, bt41)                  \
	{{bt27, "ram:Name"},                                                                   \
	 {bt29, "ram:ID | ram:GlobalID"},                                                      \
	 {bt31, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID = 'VA']"},                      \
	 {bt32, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID = 'FC']"},                      \
	 {bt35, "ram:PostalTradeAddress/ram:LineOne"},                                         \
	 {bt37, "ram:PostalTradeAddress/ram:CityName"},                                        \
	 {bt38, "ram:PostalTradeAddress/ram:PostcodeCode"},                                    \
	 {bt40, "ram:PostalTradeAddress/ram:CountryID"},                                       \
	 {bt43, "ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID"},       \
	 {bt41, "ram:DefinedTradeContact/ram:PersonName | "                                    \
	        "ram:DefinedTradeContact/ram:DepartmentName"}}

static const struct syntax ubl = {
    .customization = {"BT-24", "cbc:CustomizationID"},
    .third_party = {"BT-DEX-002", "cac:PrepaidPayment/cbc:PaidAmount"},
    .number = {"BT-1", "cbc:ID"},
    .type = {"BT-3", "cbc:InvoiceTypeCode | cbc:CreditNoteTypeCode"},
    .issue_date = {"BT-2", "cbc:IssueDate"},
    .due_date = {"BT-9", "cbc:DueDate | cac:PaymentMeans/cbc:PaymentDueDate"},
    .currency = {"BT-5", "cbc:DocumentCurrencyCode"},
    .buyer_ref = {"BT-10", "cbc:BuyerReference"},
    .order_ref = {"BT-13", "cac:OrderReference/cbc:ID"},
    .preceding = {"BT-25", "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"},
    .iban = {"BT-84", "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"},
    .terms = {"BT-20", "cac:PaymentTerms/cbc:Note"},
    .seller = "cac:AccountingSupplierParty/cac:Party",
    .buyer = "cac:AccountingCustomerParty/cac:Party",
    .seller_t = UBL_PARTY("BT-27", "BT-29", "BT-31", "BT-32", "BT-35", "BT-37", "BT-38",
                          "BT-40", "BT-43", "BT-41"),
    .buyer_t = UBL_PARTY("BT-44", "BT-46", "BT-48", "BG-7", "BT-50", "BT-52", "BT-53",
                         "BT-55", "BT-58", "BT-56"),
    .totals = "cac:LegalMonetaryTotal",
    .total = {{"BT-106", "cbc:LineExtensionAmount"},
              {"BT-107", "cbc:AllowanceTotalAmount"},
              {"BT-108", "cbc:ChargeTotalAmount"},
              {"BT-109", "cbc:TaxExclusiveAmount"},
              {"BT-110", "../cac:TaxTotal/cbc:TaxAmount[@currencyID = "
                         "/*/cbc:DocumentCurrencyCode]"},
              {"BT-112", "cbc:TaxInclusiveAmount"},
              {"BT-113", "cbc:PrepaidAmount"},
              {"BT-114", "cbc:PayableRoundingAmount"},
              {"BT-115", "cbc:PayableAmount"}},
    .vats = "cac:TaxTotal/cac:TaxSubtotal",
    .base = {"BT-116", "cbc:TaxableAmount"},
    .tax = {"BT-117", "cbc:TaxAmount"},
    .category = {"BT-118", "cac:TaxCategory/cbc:ID"},
    .rate = {"BT-119", "cac:TaxCategory/cbc:Percent"},
    .exemption = {"BT-120", "cac:TaxCategory/cbc:TaxExemptionReason"},
    .exemption_code = {"BT-121", "cac:TaxCategory/cbc:TaxExemptionReasonCode"},
    .allowances = "cac:AllowanceCharge",
    .charge = {"BG-20/BG-21", "cbc:ChargeIndicator"},
    .amount = {"BT-92/BT-99", "cbc:Amount"},
    .reason = {"BT-97/BT-104", "cbc:AllowanceChargeReason"},
    .a_category = {"BT-95/BT-102", "cac:TaxCategory/cbc:ID"},
    .a_rate = {"BT-96/BT-103", "cac:TaxCategory/cbc:Percent"},
    .lines = "cac:InvoiceLine | cac:CreditNoteLine",
    .line_id = {"BT-126", "cbc:ID"},
    .quantity = {"BT-129", "cbc:InvoicedQuantity | cbc:CreditedQuantity"},
    .unit = {"BT-130", "cbc:InvoicedQuantity/@unitCode | cbc:CreditedQuantity/@unitCode"},
    .net = {"BT-131", "cbc:LineExtensionAmount"},
    .order_line = {"BT-132", "cac:OrderLineReference/cbc:LineID"},
    .name = {"BT-153", "cac:Item/cbc:Name"},
    .seller_item = {"BT-155", "cac:Item/cac:SellersItemIdentification/cbc:ID"},
    .l_category = {"BT-151", "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"},
    .l_rate = {"BT-152", "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"},
    .price = {"BT-146", "cac:Price/cbc:PriceAmount"},
    .base_quantity = {"BT-149", "cac:Price/cbc:BaseQuantity"},
};

#define CII_S "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
#define CII_A "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
static const struct syntax cii = {
    .customization = {"BT-24", "rsm:ExchangedDocumentContext/"
                               "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"},
    .number = {"BT-1", "rsm:ExchangedDocument/ram:ID"},
    .type = {"BT-3", "rsm:ExchangedDocument/ram:TypeCode"},
    .issue_date = {"BT-2", "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"},
    .due_date = {"BT-9", CII_S "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/"
                               "udt:DateTimeString"},
    .currency = {"BT-5", CII_S "ram:InvoiceCurrencyCode"},
    .buyer_ref = {"BT-10", CII_A "ram:BuyerReference"},
    .order_ref = {"BT-13", CII_A "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"},
    .preceding = {"BT-25", CII_S "ram:InvoiceReferencedDocument/ram:IssuerAssignedID"},
    .iban = {"BT-84", CII_S "ram:SpecifiedTradeSettlementPaymentMeans/"
                            "ram:PayeePartyCreditorFinancialAccount/ram:IBANID | "
                      CII_S "ram:SpecifiedTradeSettlementPaymentMeans/"
                            "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID"},
    .terms = {"BT-20", CII_S "ram:SpecifiedTradePaymentTerms/ram:Description"},
    .seller = CII_A "ram:SellerTradeParty",
    .buyer = CII_A "ram:BuyerTradeParty",
    .seller_t = CII_PARTY("BT-27", "BT-29", "BT-31", "BT-32", "BT-35", "BT-37", "BT-38",
                          "BT-40", "BT-43", "BT-41"),
    .buyer_t = CII_PARTY("BT-44", "BT-46", "BT-48", "BG-7", "BT-50", "BT-52", "BT-53",
                         "BT-55", "BT-58", "BT-56"),
    .totals = CII_S "ram:SpecifiedTradeSettlementHeaderMonetarySummation",
    .total = {{"BT-106", "ram:LineTotalAmount"},
              {"BT-107", "ram:AllowanceTotalAmount"},
              {"BT-108", "ram:ChargeTotalAmount"},
              {"BT-109", "ram:TaxBasisTotalAmount"},
              {"BT-110", "ram:TaxTotalAmount[@currencyID = ../../ram:InvoiceCurrencyCode or "
                         "not(@currencyID)]"},
              {"BT-112", "ram:GrandTotalAmount"},
              {"BT-113", "ram:TotalPrepaidAmount"},
              {"BT-114", "ram:RoundingAmount"},
              {"BT-115", "ram:DuePayableAmount"}},
    .vats = CII_S "ram:ApplicableTradeTax",
    .base = {"BT-116", "ram:BasisAmount"},
    .tax = {"BT-117", "ram:CalculatedAmount"},
    .category = {"BT-118", "ram:CategoryCode"},
    .rate = {"BT-119", "ram:RateApplicablePercent"},
    .exemption = {"BT-120", "ram:ExemptionReason"},
    .exemption_code = {"BT-121", "ram:ExemptionReasonCode"},
    .allowances = CII_S "ram:SpecifiedTradeAllowanceCharge",
    .charge = {"BG-20/BG-21", "ram:ChargeIndicator/udt:Indicator"},
    .amount = {"BT-92/BT-99", "ram:ActualAmount"},
    .reason = {"BT-97/BT-104", "ram:Reason"},
    .a_category = {"BT-95/BT-102", "ram:CategoryTradeTax/ram:CategoryCode"},
    .a_rate = {"BT-96/BT-103", "ram:CategoryTradeTax/ram:RateApplicablePercent"},
    .lines = "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem",
    .line_id = {"BT-126", "ram:AssociatedDocumentLineDocument/ram:LineID"},
    .quantity = {"BT-129", "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"},
    .unit = {"BT-130", "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode"},
    .net = {"BT-131", "ram:SpecifiedLineTradeSettlement/"
                      "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"},
    .order_line = {"BT-132", "ram:SpecifiedLineTradeAgreement/"
                             "ram:BuyerOrderReferencedDocument/ram:LineID"},
    .name = {"BT-153", "ram:SpecifiedTradeProduct/ram:Name"},
    .seller_item = {"BT-155", "ram:SpecifiedTradeProduct/ram:SellerAssignedID"},
    .l_category = {"BT-151", "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/"
                             "ram:CategoryCode"},
    .l_rate = {"BT-152", "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/"
                         "ram:RateApplicablePercent"},
    .price = {"BT-146", "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/"
                        "ram:ChargeAmount"},
    .base_quantity = {"BT-149", "ram:SpecifiedLineTradeAgreement/"
                                "ram:NetPriceProductTradePrice/ram:BasisQuantity"},
    .date102 = 1,
};

struct rd {
	struct dc *ctx;
	const char *path; /* for messages: the file, or "FILE:ATTACHMENT" */
	const struct syntax *sx;
	xmlXPathContextPtr xp;
};

/* EN 16931 sets a net price (BT-146) no limit of decimals (the test suite has "0.061232374"):
 * S rounded half away from zero to the four dcity keeps, which are the ones a price match
 * sees. */
static int
price_rounded(const char *s, long long *out)
{
	const char *dot = strchr(s, '.');
	char *four;
	int err;

	if (!dot || strspn(dot + 1, "0123456789") != strlen(dot + 1))
		return DC_NUM_BAD;
	if (!(four = dc_printf("%.*s", (int)(dot + 5 - s), s)))
		return DC_NUM_BAD;
	err = dc_num_parse(four, DC_READ_RFC, 4, NULL, DC_PRICE_MAX, out);
	free(four);
	if (!err && dot[5] >= '5' && llabs(*out) < DC_PRICE_MAX)
		*out += *s == '-' ? -1 : 1;
	return err;
}

/* ---- terms ------------------------------------------------------------------------------- */

static long
line_of(xmlNodePtr n)
{
	if (n && n->type == XML_ATTRIBUTE_NODE)
		n = n->parent;
	return n ? xmlGetLineNo(n) : 0;
}

/* The element's name as the file has it, without prefix: "LineExtensionAmount". */
static const char *
name_of(xmlNodePtr n)
{
	return n ? (const char *)n->name : "?";
}

/* The last step of X (of its first alternative, without its predicate), for a term that is
 * missing: "cbc:PayableAmount" → "PayableAmount". */
static void
last_step(const char *x, char *buf, size_t size)
{
	const char *e = strchr(x, '|') ? strchr(x, '|') : x + strlen(x), *b;
	int depth = 0;

	while (e > x && e[-1] == ' ')
		e--;
	while (e > x && (e[-1] == ']' || depth)) {
		depth += (e[-1] == ']') - (e[-1] == '[');
		e--;
	}
	for (b = e; b > x && b[-1] != '/' && b[-1] != ':' && b[-1] != '@';)
		b--;
	snprintf(buf, size, "%.*s", (int)(e - b), b);
}

static xmlXPathObjectPtr
all(struct rd *r, xmlNodePtr at, const char *x)
{
	xmlXPathObjectPtr o = xmlXPathNodeEval(at, (const xmlChar *)x, r->xp);

	if (o && (o->type != XPATH_NODESET || !o->nodesetval)) {
		xmlXPathFreeObject(o);
		o = NULL;
	}
	return o;
}

static xmlNodePtr
find(struct rd *r, xmlNodePtr at, const char *x)
{
	xmlXPathObjectPtr o = all(r, at, x);
	xmlNodePtr n = o && o->nodesetval->nodeNr > 0 ? o->nodesetval->nodeTab[0] : NULL;

	xmlXPathFreeObject(o);
	return n;
}

/* N's text with white space collapsed (XPath's normalize-space), or NULL when empty. */
static char *
content(xmlNodePtr n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s, *o, *p;

	if (!c)
		return NULL;
	for (s = o = p = (char *)c; *p; p++) {
		if (strchr(" \t\r\n", *p)) {
			if (o > s && o[-1] != ' ')
				*o++ = ' ';
		} else
			*o++ = *p;
	}
	while (o > s && o[-1] == ' ')
		o--;
	*o = '\0';
	s = *s ? strdup(s) : NULL;
	xmlFree(c);
	return s;
}

static int
missing(struct rd *r, xmlNodePtr at, const struct term *t)
{
	char step[64];

	last_step(t->x, step, sizeof step);
	return dc_error(r->ctx, DC_EDATA, "%s:%ld: %s (%s) is missing", r->path, line_of(at),
	                t->bt, step);
}

/* Term T under AT as one line of text into *out (NULL when absent): 65 when REQUIRED and
 * absent, or when it holds a control character. */
static int
text(struct rd *r, xmlNodePtr at, const struct term *t, int required, char **out)
{
	xmlNodePtr n = find(r, at, t->x);

	*out = n ? content(n) : NULL;
	if (!*out)
		return required ? missing(r, at, t) : 0;
	if (dc_text_plain(r->ctx, *out, 0))
		return dc_error_prefix(r->ctx, "%s:%ld: %s (%s)", r->path, line_of(n), t->bt,
		                       name_of(n));
	return 0;
}

/* An amount in 10^-SCALE units: cents (EN 16931 allows two decimals) or, for BT-146,
 * ten-thousandths as dcity keeps prices.  *given says whether it is there. */
static int
amount(struct rd *r, xmlNodePtr at, const struct term *t, int scale, int required,
       long long *out, int *given)
{
	xmlNodePtr n = find(r, at, t->x);
	char *s = n ? content(n) : NULL;
	int err, rc = 0;

	*out = 0;
	if (given)
		*given = s != NULL;
	if (!s)
		return required ? missing(r, at, t) : 0;
	err = dc_num_parse(s + (*s == '+'), DC_READ_RFC, scale, NULL,
	                   scale == 2 ? DC_MONEY_MAX : DC_PRICE_MAX, out);
	if (err == DC_NUM_PRECISION && scale == 4)
		err = price_rounded(s + (*s == '+'), out);
	if (err == DC_NUM_PRECISION)
		rc = dc_error(r->ctx, DC_EDATA, "%s:%ld: %s (%s): '%s' is not %s with at most %d "
		              "decimals", r->path, line_of(n), t->bt, name_of(n), s,
		              scale == 2 ? "an amount" : "a price", scale);
	else if (err)
		rc = dc_error(r->ctx, DC_EDATA, "%s:%ld: %s (%s): '%s' is not an amount%s", r->path,
		              line_of(n), t->bt, name_of(n), s,
		              err == DC_NUM_RANGE ? " within dcity's limits" : "");
	free(s);
	return rc;
}

/* A quantity or a percentage: *out, or DFLT when absent. */
static int
number(struct rd *r, xmlNodePtr at, const struct term *t, double dflt, double *out)
{
	xmlNodePtr n = find(r, at, t->x);
	char *s = n ? content(n) : NULL, *end;
	int rc = 0;

	*out = dflt;
	if (!s)
		return 0;
	errno = 0;
	*out = strtod(s, &end);
	if (*end || errno || !isfinite(*out) || strpbrk(s, "xXnN"))
		rc = dc_error(r->ctx, DC_EDATA, "%s:%ld: %s (%s): '%s' is not a decimal number",
		              r->path, line_of(n), t->bt, name_of(n), s);
	free(s);
	return rc;
}

/* A date as YYYY-MM-DD, from UBL's xs:date or CII's format 102 (YYYYMMDD). */
static int
date(struct rd *r, xmlNodePtr at, const struct term *t, int required, char **out)
{
	xmlNodePtr n = find(r, at, t->x);
	char *s = n ? content(n) : NULL;
	long days;

	*out = NULL;
	if (!s)
		return required ? missing(r, at, t) : 0;
	if (r->sx->date102 && strlen(s) == 8 && strspn(s, "0123456789") == 8)
		*out = dc_printf("%.4s-%.2s-%.2s", s, s + 4, s + 6);
	else if (!r->sx->date102)
		*out = strdup(s);
	if (!*out || strlen(*out) != 10 || dc_parse_date(*out, &days)) {
		free(*out);
		*out = NULL;
		dc_error(r->ctx, DC_EDATA, "%s:%ld: %s (%s): '%s' is not a date%s", r->path,
		         line_of(n), t->bt, name_of(n), s,
		         r->sx->date102 ? " YYYYMMDD (format 102)" : "");
		free(s);
		return DC_EDATA;
	}
	free(s);
	return 0;
}

/* ---- groups ------------------------------------------------------------------------------ */

static int
party(struct rd *r, xmlNodePtr root, const char *where, const struct term *t,
      struct dc_einv_party *p)
{
	char **f[] = {&p->name,   &p->id,       &p->vat_id,  &p->tax_id, &p->street,
	              &p->city,   &p->postcode, &p->country, &p->email,  &p->contact};
	xmlNodePtr n = find(r, root, where);
	size_t i;
	int rc;

	if (!n) {
		char step[64];

		last_step(where, step, sizeof step);
		return dc_error(r->ctx, DC_EDATA, "%s:%ld: %s (%s) is missing", r->path,
		                line_of(root), t == r->sx->seller_t ? "BG-4" : "BG-7", step);
	}
	for (i = 0; i < sizeof f / sizeof *f; i++)
		if ((rc = text(r, n, &t[i], i == 0, f[i])))
			return rc;
	return 0;
}

static int
totals(struct rd *r, xmlNodePtr root, struct dc_einv *inv)
{
	long long *v[] = {&inv->line_total, &inv->allowance_total, &inv->charge_total,
	                  &inv->tax_exclusive, &inv->tax_total, &inv->tax_inclusive,
	                  &inv->prepaid, &inv->rounding, &inv->payable};
	int *given[] = {NULL, &inv->has_allowance_total, &inv->has_charge_total, NULL,
	                &inv->has_tax_total, NULL, NULL, NULL, NULL};
	/* BT-106, BT-109, BT-112 and BT-115 are mandatory */
	static const int required[] = {1, 0, 0, 1, 0, 1, 0, 0, 1};
	xmlNodePtr n = find(r, root, r->sx->totals);
	int i, rc;

	if (!n) {
		char step[64];

		last_step(r->sx->totals, step, sizeof step);
		return dc_error(r->ctx, DC_EDATA, "%s:%ld: BG-22 (%s) is missing", r->path,
		                line_of(root), step);
	}
	inv->totals_line = line_of(n);
	for (i = 0; i < 9; i++)
		if ((rc = amount(r, n, &r->sx->total[i], 2, required[i], v[i], given[i])))
			return rc;
	return 0;
}

static int
vats(struct rd *r, xmlNodePtr root, struct dc_einv *inv)
{
	xmlXPathObjectPtr o = all(r, root, r->sx->vats);
	int i, n = o ? o->nodesetval->nodeNr : 0, rc = 0;

	if (n && !(inv->vats = calloc((size_t)n, sizeof *inv->vats)))
		rc = dc_error(r->ctx, DC_EINTERNAL, "out of memory");
	for (i = 0; !rc && i < n; i++) {
		xmlNodePtr at = o->nodesetval->nodeTab[i];
		struct dc_einv_vat *v = &inv->vats[inv->nvats++];

		v->xml_line = line_of(at);
		if ((rc = amount(r, at, &r->sx->base, 2, 1, &v->base, NULL)) ||
		    (rc = amount(r, at, &r->sx->tax, 2, 1, &v->amount, NULL)) ||
		    (rc = text(r, at, &r->sx->category, 1, &v->category)) ||
		    (rc = number(r, at, &r->sx->rate, NAN, &v->rate)) ||
		    (rc = text(r, at, &r->sx->exemption, 0, &v->exemption)))
			break;
		if (!v->exemption)
			rc = text(r, at, &r->sx->exemption_code, 0, &v->exemption);
	}
	xmlXPathFreeObject(o);
	return rc;
}

/* The XRechnung extension's third party payments (BG-DEX-09), summed. */
static int
third_party(struct rd *r, xmlNodePtr root, struct dc_einv *inv)
{
	xmlXPathObjectPtr o = r->sx->third_party.x ? all(r, root, r->sx->third_party.x) : NULL;
	struct term t = {r->sx->third_party.bt, "."};
	int i, n = o ? o->nodesetval->nodeNr : 0, rc = 0;
	long long v;

	for (i = 0; !rc && i < n; i++)
		if (!(rc = amount(r, o->nodesetval->nodeTab[i], &t, 2, 1, &v, NULL)) &&
		    dc_money_add(inv->third_party_paid, v, &inv->third_party_paid))
			rc = dc_error(r->ctx, DC_EDATA, "%s:%ld: BT-DEX-002 (PaidAmount): the "
			              "third party payments add up beyond dcity's limits",
			              r->path, line_of(o->nodesetval->nodeTab[i]));
	xmlXPathFreeObject(o);
	return rc;
}

static int
indicator(struct rd *r, xmlNodePtr at, const struct term *t, int *out)
{
	char *s;
	int rc = text(r, at, t, 1, &s);

	if (rc)
		return rc;
	if (!strcmp(s, "true") || !strcmp(s, "1"))
		*out = 1;
	else if (!strcmp(s, "false") || !strcmp(s, "0"))
		*out = 0;
	else
		rc = dc_error(r->ctx, DC_EDATA, "%s:%ld: %s (ChargeIndicator): '%s' is not true or "
		              "false", r->path, line_of(at), t->bt, s);
	free(s);
	return rc;
}

static int
allowances(struct rd *r, xmlNodePtr root, struct dc_einv *inv)
{
	xmlXPathObjectPtr o = all(r, root, r->sx->allowances);
	int i, n = o ? o->nodesetval->nodeNr : 0, rc = 0;

	if (n && !(inv->allowances = calloc((size_t)n, sizeof *inv->allowances)))
		rc = dc_error(r->ctx, DC_EINTERNAL, "out of memory");
	for (i = 0; !rc && i < n; i++) {
		xmlNodePtr at = o->nodesetval->nodeTab[i];
		struct dc_einv_allowance *a = &inv->allowances[inv->nallowances++];

		a->xml_line = line_of(at);
		if ((rc = indicator(r, at, &r->sx->charge, &a->charge)) ||
		    (rc = amount(r, at, &r->sx->amount, 2, 1, &a->amount, NULL)) ||
		    (rc = text(r, at, &r->sx->reason, 0, &a->reason)) ||
		    (rc = text(r, at, &r->sx->a_category, 0, &a->category)) ||
		    (rc = number(r, at, &r->sx->a_rate, NAN, &a->rate)))
			break;
	}
	xmlXPathFreeObject(o);
	return rc;
}

static int
lines(struct rd *r, xmlNodePtr root, struct dc_einv *inv)
{
	xmlXPathObjectPtr o = all(r, root, r->sx->lines);
	int i, n = o ? o->nodesetval->nodeNr : 0, rc = 0;

	if (n && !(inv->lines = calloc((size_t)n, sizeof *inv->lines)))
		rc = dc_error(r->ctx, DC_EINTERNAL, "out of memory");
	for (i = 0; !rc && i < n; i++) {
		xmlNodePtr at = o->nodesetval->nodeTab[i];
		struct dc_einv_line *l = &inv->lines[inv->nlines++];

		l->xml_line = line_of(at);
		if ((rc = text(r, at, &r->sx->line_id, 1, &l->id)) ||
		    (rc = number(r, at, &r->sx->quantity, NAN, &l->quantity)) ||
		    (rc = text(r, at, &r->sx->unit, 0, &l->unit)) ||
		    (rc = amount(r, at, &r->sx->net, 2, 1, &l->net, NULL)) ||
		    (rc = text(r, at, &r->sx->order_line, 0, &l->order_line)) ||
		    (rc = text(r, at, &r->sx->name, 0, &l->name)) ||
		    (rc = text(r, at, &r->sx->seller_item, 0, &l->seller_item)) ||
		    (rc = text(r, at, &r->sx->l_category, 0, &l->vat_category)) ||
		    (rc = number(r, at, &r->sx->l_rate, NAN, &l->vat_rate)) ||
		    (rc = amount(r, at, &r->sx->price, 4, 0, &l->price, NULL)) ||
		    (rc = number(r, at, &r->sx->base_quantity, 1, &l->base_quantity)))
			break;
		if (isnan(l->quantity))
			rc = missing(r, at, &r->sx->quantity);
	}
	xmlXPathFreeObject(o);
	return rc;
}

static int
header(struct rd *r, xmlNodePtr root, struct dc_einv *inv)
{
	const struct syntax *sx = r->sx;
	int rc;

	if ((rc = text(r, root, &sx->customization, 0, &inv->customization)) ||
	    (rc = text(r, root, &sx->number, 1, &inv->number)) ||
	    (rc = text(r, root, &sx->type, 1, &inv->type)) ||
	    (rc = date(r, root, &sx->issue_date, 1, &inv->issue_date)) ||
	    (rc = date(r, root, &sx->due_date, 0, &inv->due_date)) ||
	    (rc = text(r, root, &sx->currency, 1, &inv->currency)) ||
	    (rc = text(r, root, &sx->buyer_ref, 0, &inv->buyer_reference)) ||
	    (rc = text(r, root, &sx->order_ref, 0, &inv->order_reference)) ||
	    (rc = text(r, root, &sx->preceding, 0, &inv->preceding)) ||
	    (rc = text(r, root, &sx->iban, 0, &inv->iban)) ||
	    (rc = text(r, root, &sx->terms, 0, &inv->payment_terms)) ||
	    (rc = party(r, root, sx->seller, sx->seller_t, &inv->seller)) ||
	    (rc = party(r, root, sx->buyer, sx->buyer_t, &inv->buyer)))
		return rc;
	inv->extension = inv->customization &&
	                 strstr(inv->customization, "#conformant#urn:xeinkauf.de:kosit:extension:");
	/* UBL's binding: "NA" when the order reference is there for BT-14 alone */
	if (inv->order_reference && !strcmp(inv->order_reference, "NA")) {
		free(inv->order_reference);
		inv->order_reference = NULL;
	}
	return 0;
}

/* ---- the whole ----------------------------------------------------------------------------- */

static int
syntax_of(struct rd *r, xmlNodePtr root, enum dc_einv_syntax *s)
{
	const char *uri = root->ns ? (const char *)root->ns->href : "";
	const char *name = (const char *)root->name;

	if (!strcmp(uri, ns[0][1]) && !strcmp(name, "Invoice"))
		*s = DC_EINV_UBL_INVOICE;
	else if (!strcmp(uri, ns[1][1]) && !strcmp(name, "CreditNote"))
		*s = DC_EINV_UBL_CREDIT;
	else if (!strcmp(uri, ns[4][1]) && !strcmp(name, "CrossIndustryInvoice"))
		*s = DC_EINV_CII;
	else
		return dc_error(r->ctx, DC_EDATA, "%s:%ld: not an invoice: the root element %s%s%s "
		                "is neither UBL 2.1 Invoice or CreditNote nor CII "
		                "CrossIndustryInvoice", r->path, line_of(root), *uri ? uri : "",
		                *uri ? ":" : "", name);
	r->sx = *s == DC_EINV_CII ? &cii : &ubl;
	return 0;
}

static int
is_pdf(const unsigned char *b, size_t len)
{
	size_t i = len >= 3 && !memcmp(b, "\xef\xbb\xbf", 3) ? 3 : 0;

	/* XML begins with '<' (after a BOM and blanks); PDF readers accept the header anywhere
	 * in the first kilobyte */
	while (i < len && strchr(" \t\r\n", b[i]) && b[i])
		i++;
	return (i == len || b[i] != '<') && memmem(b, len < 1024 ? len : 1024, "%PDF-", 5);
}

int
dc_einv_read(struct dc *ctx, const char *path, const unsigned char *bytes, size_t len,
             struct dc_einv *out)
{
	struct rd r = {ctx, path, NULL, NULL};
	struct dc_xml_guard g;
	char *where = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (len > (size_t)DC_EINV_MAX)
		return dc_error(ctx, DC_EDATA, "%s: larger than %ld MiB, which no invoice is", path,
		                DC_EINV_MAX >> 20);
	if (is_pdf(bytes, len)) {
		if ((rc = dc_einv_pdf_extract(ctx, path, bytes, len, &out->xml, &out->xml_len,
		                              &out->source)))
			goto done;
		r.path = where = dc_printf("%s:%s", path, out->source);
	} else {
		if (!(out->xml = malloc(len + 1))) {
			rc = dc_error(ctx, DC_EINTERNAL, "out of memory");
			goto done;
		}
		memcpy(out->xml, bytes, len);
		out->xml[len] = '\0';
		out->xml_len = len;
		out->source = "xml";
	}
	dc_xml_guard_init_mem(&g, ctx, r.path, out->xml, out->xml_len);
	if ((rc = dc_xml_parse(&g, "an invoice", &doc)))
		goto done;
	if (!(root = xmlDocGetRootElement(doc))) {
		rc = dc_error(ctx, DC_EDATA, "%s: no root element", r.path);
		goto done;
	}
	if ((rc = syntax_of(&r, root, &out->syntax)) ||
	    (rc = dc_einv_xsd_validate(ctx, r.path, doc, out->syntax)))
		goto done;
	if (!(r.xp = xmlXPathNewContext(doc))) {
		rc = dc_error(ctx, DC_EINTERNAL, "out of memory");
		goto done;
	}
	for (i = 0; i < sizeof ns / sizeof *ns; i++)
		xmlXPathRegisterNs(r.xp, (const xmlChar *)ns[i][0], (const xmlChar *)ns[i][1]);
	if ((rc = header(&r, root, out)) || (rc = totals(&r, root, out)) ||
	    (rc = third_party(&r, root, out)) || (rc = vats(&r, root, out)) ||
	    (rc = allowances(&r, root, out)) ||
	    (rc = lines(&r, root, out)))
		goto done;
done:
	xmlXPathFreeContext(r.xp);
	xmlFreeDoc(doc);
	free(where);
	return rc;
}

const char *
dc_einv_syntax_name(enum dc_einv_syntax s)
{
	return s == DC_EINV_UBL_INVOICE ? "UBL Invoice"
	       : s == DC_EINV_UBL_CREDIT ? "UBL CreditNote"
	                                 : "CII";
}

static void
party_free(struct dc_einv_party *p)
{
	free(p->name);
	free(p->id);
	free(p->vat_id);
	free(p->tax_id);
	free(p->street);
	free(p->city);
	free(p->postcode);
	free(p->country);
	free(p->email);
	free(p->contact);
}

void
dc_einv_free(struct dc_einv *inv)
{
	size_t i;

	if (!inv)
		return;
	free(inv->customization);
	free(inv->type);
	free(inv->number);
	free(inv->issue_date);
	free(inv->due_date);
	free(inv->currency);
	free(inv->buyer_reference);
	free(inv->order_reference);
	free(inv->preceding);
	free(inv->iban);
	free(inv->payment_terms);
	party_free(&inv->seller);
	party_free(&inv->buyer);
	for (i = 0; i < inv->nlines; i++) {
		struct dc_einv_line *l = &inv->lines[i];

		free(l->id);
		free(l->order_line);
		free(l->seller_item);
		free(l->name);
		free(l->unit);
		free(l->vat_category);
	}
	free(inv->lines);
	for (i = 0; i < inv->nvats; i++) {
		free(inv->vats[i].category);
		free(inv->vats[i].exemption);
	}
	free(inv->vats);
	for (i = 0; i < inv->nallowances; i++) {
		free(inv->allowances[i].reason);
		free(inv->allowances[i].category);
	}
	free(inv->allowances);
	free(inv->xml);
	memset(inv, 0, sizeof *inv);
}
