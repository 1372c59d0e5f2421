/*
 * E-invoices (EN 16931): reading an XRechnung or ZUGFeRD/Factur-X invoice into one struct,
 * whatever its syntax, and the checks that need no more than the invoice itself.
 *
 * Read: UBL 2.1 Invoice and CreditNote, UN/CEFACT CII D16B (CrossIndustryInvoice), and a PDF
 * carrying one of them as the embedded file factur-x.xml, zugferd-invoice.xml or xrechnung.xml
 * (libqpdf's object handles find it).  The XML is parsed by libxml2 without network, DTD or
 * entities, after the XML guard of core/dc.h, and validated against the XSDs shipped in
 * schemas/xsd (docs/einvoice.md).  Amounts are integer cents, BT-146 ten-thousandths, as
 * everywhere in dcity (dcity(7) NUMBERS); an amount with more decimals is bad data.
 *
 * The business terms (BT-n, BG-n) are those of EN 16931-1; the comments name them.  Every
 * char * member is owned by the struct and freed by dc_einv_free(); a term the invoice does
 * not give stays NULL (a number 0, a rate NAN where noted).
 */
#ifndef DC_EINVOICE_H
#define DC_EINVOICE_H

#include "core/dc.h"

enum dc_einv_syntax { DC_EINV_UBL_INVOICE, DC_EINV_UBL_CREDIT, DC_EINV_CII };

struct dc_einv_party {  /* BG-4 seller, BG-7 buyer */
	char *name;     /* BT-27 seller name, BT-44 buyer name */
	char *id;       /* BT-29 seller identifier, BT-46 buyer identifier */
	char *vat_id;   /* BT-31 seller VAT identifier, BT-48 buyer VAT identifier */
	char *tax_id;   /* BT-32 seller tax registration identifier (Steuernummer) */
	char *street;   /* BT-35 seller address line 1, BT-50 buyer address line 1 */
	char *city;     /* BT-37 seller city, BT-52 buyer city */
	char *postcode; /* BT-38 seller post code, BT-53 buyer post code */
	char *country;  /* BT-40 seller country code, BT-55 buyer country code (ISO 3166-1) */
	char *email;    /* BT-43 seller contact email, BT-58 buyer contact email */
	char *contact;  /* BT-41 seller contact point, BT-56 buyer contact point */
};

struct dc_einv_vat {      /* BG-23 VAT breakdown */
	char *category;   /* BT-118 VAT category code (UNTDID 5305: S, Z, E, AE, K, G, O, L, M) */
	double rate;      /* BT-119 VAT category rate, percent; NAN when not given */
	long long base;   /* BT-116 VAT category taxable amount, cents */
	long long amount; /* BT-117 VAT category tax amount, cents */
	char *exemption;  /* BT-120 VAT exemption reason text (or BT-121's code when no text) */
	long xml_line;    /* line of the element in the XML, for messages */
};

/* BG-20 allowance (charge 0) and BG-21 charge (charge 1) at document level */
struct dc_einv_allowance {
	int charge;        /* 0: allowance (BG-20), 1: charge (BG-21) */
	long long amount;  /* BT-92 allowance amount, BT-99 charge amount, cents */
	char *reason;      /* BT-97 allowance reason, BT-104 charge reason */
	char *category;    /* BT-95 allowance VAT category code, BT-102 charge VAT category code */
	double rate;       /* BT-96 allowance, BT-103 charge VAT rate; NAN when not given */
	long xml_line;     /* line of the element in the XML, for messages */
};

struct dc_einv_line {         /* BG-25 invoice line */
	char *id;             /* BT-126 invoice line identifier */
	char *order_line;     /* BT-132 referenced purchase order line reference */
	char *seller_item;    /* BT-155 item seller's identifier (the catalog SKU) */
	char *name;           /* BT-153 item name */
	double quantity;      /* BT-129 invoiced quantity (negative in a corrective line) */
	char *unit;           /* BT-130 invoiced quantity unit of measure code, UN/ECE Rec 20 */
	long long price;      /* BT-146 item net price, ten-thousandths of the currency unit
	                       * (more decimals are rounded half away from zero) */
	double base_quantity; /* BT-149 item price base quantity, 1 when absent */
	long long net;        /* BT-131 invoice line net amount, cents */
	char *vat_category;   /* BT-151 invoiced item VAT category code */
	double vat_rate;      /* BT-152 invoiced item VAT rate, percent; NAN when not given */
	long xml_line;        /* line of the element in the XML, for messages */
};

struct dc_einv {
	enum dc_einv_syntax syntax;
	char *customization;   /* BT-24 specification identifier (urn:cen.eu:en16931:2017#...) */
	char *type;            /* BT-3 invoice type code (UNTDID 1001): 380, 381, 384, 389, ... */
	char *number;          /* BT-1 invoice number */
	char *issue_date;      /* BT-2 invoice issue date, YYYY-MM-DD */
	char *due_date;        /* BT-9 payment due date, YYYY-MM-DD */
	char *currency;        /* BT-5 invoice currency code (ISO 4217) */
	char *buyer_reference; /* BT-10 buyer reference: the Leitweg-ID in an XRechnung */
	char *order_reference; /* BT-13 purchase order reference */
	char *preceding;       /* BT-25 preceding invoice reference, the one a 381/384 refers to */
	char *iban;            /* BT-84 payment account identifier (the first credit transfer's) */
	char *payment_terms;   /* BT-20 payment terms */
	struct dc_einv_party seller, buyer; /* BG-4, BG-7 */
	long long line_total;               /* BT-106 sum of invoice line net amount, cents */
	long long allowance_total;          /* BT-107 sum of allowances on document level */
	long long charge_total;             /* BT-108 sum of charges on document level */
	long long tax_exclusive;            /* BT-109 invoice total amount without VAT */
	long long tax_total;        /* BT-110 invoice total VAT amount (in BT-5's currency) */
	long long tax_inclusive;    /* BT-112 invoice total amount with VAT */
	long long prepaid;          /* BT-113 paid amount */
	long long rounding;         /* BT-114 rounding amount */
	long long payable;          /* BT-115 amount due for payment */
	long long third_party_paid; /* BT-DEX-002 summed: third party payments (BG-DEX-09) of an
	                             * XRechnung extension invoice, UBL only; BR-DEX-09 then
	                             * replaces BR-CO-16 */
	int extension;              /* BT-24 names the XRechnung extension */
	int has_allowance_total;    /* BT-107 is given (BR-CO-11 asks only then, or for BG-20s) */
	int has_charge_total;       /* BT-108 is given */
	int has_tax_total;          /* BT-110 is given */
	long totals_line;           /* line of the totals (BG-22) in the XML, for messages */
	struct dc_einv_line *lines; /* BG-25, in document order */
	size_t nlines;
	struct dc_einv_vat *vats; /* BG-23 */
	size_t nvats;
	struct dc_einv_allowance *allowances; /* BG-20 and BG-21, in document order */
	size_t nallowances;
	char *xml; /* the XML read (taken out of the PDF when embedded), NUL after */
	size_t xml_len;
	const char *source; /* "xml", or the name of the PDF's attachment it came from */
};

/* Reads FILE's bytes (XML or PDF): detects the syntax, validates against the shipped XSD,
 * fills OUT (which the caller frees with dc_einv_free, also after an error).  PATH names the
 * file in messages.  Errors: 65 DC_EDATA naming the file, line and business term
 * ("invoice.xml:42: BT-131 (LineExtensionAmount): '1.234' is not an amount with at most 2
 * decimals"); 78 DC_ESCHEMA when the shipped schemas cannot be found or parsed. */
int dc_einv_read(struct dc *ctx, const char *path, const unsigned char *bytes, size_t len,
                 struct dc_einv *out);

/* EN 16931 arithmetic BR-CO-10 ... BR-CO-17 (BR-DEX-09 for BR-CO-16 in an XRechnung
 * extension invoice with third party payments) and the VAT breakdown per category and rate
 * (BR-S-08, ...): 0, or 65 for the first rule broken, "PATH:LINE: BR-CO-15: BT-112
 * (TaxInclusiveAmount) 337.90 is not BT-109 + BT-110 = 314.86 + 22.04" (PATH:ATTACHMENT for
 * the XML out of a PDF, as dc_einv_read names it).  docs/einvoice.md lists the rules. */
int dc_einv_check(struct dc *ctx, const char *path, const struct dc_einv *inv);

/* "UBL Invoice", "UBL CreditNote", "CII". */
const char *dc_einv_syntax_name(enum dc_einv_syntax s);

/* The Leitweg-ID's check, dc_leitweg_valid, is in core/dc.h (the setting
 * procurement.leitweg_id uses it too). */

void dc_einv_free(struct dc_einv *inv);

/* Validate DOC (an xmlDocPtr), read from PATH, against the shipped XSD FILE ("xsd/..." under
 * schemas/: the build tree's, else the installed one), parsed once into *CACHE (an
 * xmlSchemaPtr, NULL at first) and kept for the process: 0, 65 naming PATH, the line and what
 * libxml2 found, or 78 when the schema is missing or does not parse (schema.c).  For lib/archive's
 * xdomea messages too. */
struct _xmlDoc;
struct _xmlSchema;
int dc_xsd_validate(struct dc *ctx, const char *path, struct _xmlDoc *doc, const char *file,
                    struct _xmlSchema **cache);

#endif
