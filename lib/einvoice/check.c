/*
 * The EN 16931 rules an invoice's own numbers must keep, as the official XSLT
 * (ConnectingEurope/eInvoicing-EN16931) states them: BR-CO-10 to BR-CO-17 and the VAT
 * breakdown per category (BR-S-08, BR-Z-08, ...).  Amounts are cents, so "rounded to two
 * decimals" is exact; the tolerances are the XSLT's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "einvoice/internal.h"

/* The elements of the totals in each syntax, for messages: BT-106 ... BT-117. */
static const char *
el(const struct dc_einv *inv, int bt)
{
	static const char *const names[2][12] = {
	    {"LineExtensionAmount", "AllowanceTotalAmount", "ChargeTotalAmount",
	     "TaxExclusiveAmount", "TaxAmount", "TaxAmount", "TaxInclusiveAmount", "PrepaidAmount",
	     "PayableRoundingAmount", "PayableAmount", "TaxableAmount", "TaxAmount"},
	    {"LineTotalAmount", "AllowanceTotalAmount", "ChargeTotalAmount", "TaxBasisTotalAmount",
	     "TaxTotalAmount", "TaxTotalAmount", "GrandTotalAmount", "TotalPrepaidAmount",
	     "RoundingAmount", "DuePayableAmount", "BasisAmount", "CalculatedAmount"}};

	return names[inv->syntax == DC_EINV_CII][bt - 106];
}

static const char *
money(long long v, char buf[32])
{
	dc_num_fmt(v, 2, 2, '.', buf);
	return buf;
}

static int
overflow(struct dc *ctx, const char *path)
{
	return dc_error(ctx, DC_EDATA, "%s: the invoice's amounts add up beyond dcity's limits",
	                path);
}

/* The rule for the VAT breakdown of CATEGORY (UNTDID 5305) and whether it goes by rate (the
 * categories with a rate: standard, IGIC, IPSI) and with what tolerance in cents (the XSLT's
 * "- 1 <" and "+ 1 >": less than one currency unit; 0: exact). */
static const struct {
	const char *category, *rule;
	int by_rate, tolerance;
} breakdown_rules[] = {
    {"S", "BR-S-08", 1, 100}, {"Z", "BR-Z-08", 0, 0},    {"E", "BR-E-08", 0, 0},
    {"AE", "BR-AE-08", 0, 0}, {"K", "BR-IC-08", 0, 100}, {"G", "BR-G-08", 0, 0},
    {"O", "BR-O-08", 0, 0},   {"L", "BR-IG-08", 1, 100}, {"M", "BR-IP-08", 1, 100},
};

static int
same(const char *cat, double rate, const char *c, double r, int by_rate)
{
	if (!c || strcmp(cat, c))
		return 0;
	if (!by_rate)
		return 1;
	if (isnan(rate) || isnan(r))
		return isnan(rate) && isnan(r);
	return fabs(rate - r) < 1e-9;
}

/* BT-116 of each BG-23 against its lines and document level allowances and charges. */
static int
breakdown(struct dc *ctx, const char *path, const struct dc_einv *inv)
{
	char a[32], b[32], rate[32] = "";
	size_t i, j, k;

	for (i = 0; i < inv->nvats; i++) {
		const struct dc_einv_vat *v = &inv->vats[i];
		long long sum = 0, d;

		for (k = 0; k < sizeof breakdown_rules / sizeof *breakdown_rules; k++)
			if (!strcmp(v->category, breakdown_rules[k].category))
				break;
		if (k == sizeof breakdown_rules / sizeof *breakdown_rules)
			continue; /* a code EN 16931 does not know: its code list rule, not ours */
		for (j = 0; j < inv->nlines; j++)
			if (same(v->category, v->rate, inv->lines[j].vat_category,
			         inv->lines[j].vat_rate, breakdown_rules[k].by_rate) &&
			    dc_money_add(sum, inv->lines[j].net, &sum))
				return overflow(ctx, path);
		for (j = 0; j < inv->nallowances; j++) {
			const struct dc_einv_allowance *al = &inv->allowances[j];

			if (same(v->category, v->rate, al->category, al->rate,
			         breakdown_rules[k].by_rate) &&
			    dc_money_add(sum, al->charge ? al->amount : -al->amount, &sum))
				return overflow(ctx, path);
		}
		d = llabs(v->base - sum);
		if (breakdown_rules[k].tolerance ? d < breakdown_rules[k].tolerance : !d)
			continue;
		if (breakdown_rules[k].by_rate && !isnan(v->rate))
			snprintf(rate, sizeof rate, " %g %%", v->rate);
		return dc_error(ctx, DC_EDATA,
		                "%s:%ld: %s: BT-116 (%s) %s of VAT category %s%s is "
		                "not its lines' net amounts (BT-131) plus its charges less its "
		                "allowances = %s",
		                path, v->xml_line, breakdown_rules[k].rule, el(inv, 116),
		                money(v->base, a), v->category, rate, money(sum, b));
	}
	return 0;
}

/* BR-CO-17: BT-117 = BT-116 × BT-119 / 100 rounded to two decimals, as the XSLT has it:
 * within one currency unit (UBL: less than, CII: up to), and about zero at a zero rate. */
static int
vat_amounts(struct dc *ctx, const char *path, const struct dc_einv *inv)
{
	char a[32], b[32], c[32];
	size_t i;

	for (i = 0; i < inv->nvats; i++) {
		const struct dc_einv_vat *v = &inv->vats[i];
		double rate = isnan(v->rate) ? 0 : v->rate;
		long long want = llround(fabs((double)v->base) * rate / 100), d;
		int ok;

		if (rate < 0.5) /* XPath's round(rate) = 0: then round(BT-117) = 0 */
			ok = v->amount >= -50 && v->amount < 50;
		else {
			d = llabs(llabs(v->amount) - want);
			ok = inv->syntax == DC_EINV_CII ? d <= 100 : d < 100;
		}
		if (ok)
			continue;
		return dc_error(ctx, DC_EDATA,
		                "%s:%ld: BR-CO-17: BT-117 (%s) %s of VAT category %s "
		                "is not BT-116 × BT-119 / 100 = %s × %g / 100 = %s",
		                path, v->xml_line, el(inv, 117), money(v->amount, a), v->category,
		                money(v->base, b), rate, money(want, c));
	}
	return 0;
}

static int
check(struct dc *ctx, const char *path, const struct dc_einv *inv)
{
	long long lines = 0, allow = 0, charge = 0, tax = 0, x;
	char a[32], b[32], c[32], d[32], e[32];
	long at = inv->totals_line;
	size_t i;

	for (i = 0; i < inv->nlines; i++)
		if (dc_money_add(lines, inv->lines[i].net, &lines))
			return overflow(ctx, path);
	for (i = 0; i < inv->nallowances; i++)
		if (dc_money_add(inv->allowances[i].charge ? charge : allow,
		                 inv->allowances[i].amount,
		                 inv->allowances[i].charge ? &charge : &allow))
			return overflow(ctx, path);
	for (i = 0; i < inv->nvats; i++)
		if (dc_money_add(tax, inv->vats[i].amount, &tax))
			return overflow(ctx, path);
	if (inv->line_total != lines)
		return dc_error(ctx, DC_EDATA,
		                "%s:%ld: BR-CO-10: BT-106 (%s) %s is not the sum of "
		                "the line net amounts (BT-131) = %s",
		                path, at, el(inv, 106), money(inv->line_total, a), money(lines, b));
	if (inv->has_allowance_total ? inv->allowance_total != allow : allow != 0)
		return dc_error(ctx, DC_EDATA,
		                "%s:%ld: BR-CO-11: BT-107 (%s) %s is not the sum of "
		                "the document level allowances (BT-92) = %s",
		                path, at, el(inv, 107),
		                inv->has_allowance_total ? money(inv->allowance_total, a)
		                                         : "missing",
		                money(allow, b));
	if (inv->has_charge_total ? inv->charge_total != charge : charge != 0)
		return dc_error(ctx, DC_EDATA,
		                "%s:%ld: BR-CO-12: BT-108 (%s) %s is not the sum of "
		                "the document level charges (BT-99) = %s",
		                path, at, el(inv, 108),
		                inv->has_charge_total ? money(inv->charge_total, a) : "missing",
		                money(charge, b));
	if (dc_money_add(inv->line_total, inv->charge_total - inv->allowance_total, &x))
		return overflow(ctx, path);
	if (inv->tax_exclusive != x)
		return dc_error(ctx, DC_EDATA,
		                "%s:%ld: BR-CO-13: BT-109 (%s) %s is not BT-106 - "
		                "BT-107 + BT-108 = %s - %s + %s",
		                path, at, el(inv, 109), money(inv->tax_exclusive, a),
		                money(inv->line_total, b), money(inv->allowance_total, c),
		                money(inv->charge_total, d));
	if (inv->has_tax_total && inv->nvats && inv->tax_total != tax)
		return dc_error(ctx, DC_EDATA,
		                "%s:%ld: BR-CO-14: BT-110 (%s) %s is not the sum of "
		                "the VAT category tax amounts (BT-117) = %s",
		                path, at, el(inv, 110), money(inv->tax_total, a), money(tax, b));
	if (dc_money_add(inv->tax_exclusive, inv->tax_total, &x))
		return overflow(ctx, path);
	if (inv->tax_inclusive != x)
		return dc_error(ctx, DC_EDATA,
		                "%s:%ld: BR-CO-15: BT-112 (%s) %s is not BT-109 + "
		                "BT-110 = %s + %s",
		                path, at, el(inv, 112), money(inv->tax_inclusive, a),
		                money(inv->tax_exclusive, b), money(inv->tax_total, c));
	if (dc_money_add(inv->tax_inclusive, inv->rounding - inv->prepaid, &x))
		return overflow(ctx, path);
	if (inv->extension && inv->third_party_paid) {
		/* XRechnung's extension: what third parties were paid is due besides */
		if (dc_money_add(x, inv->third_party_paid, &x))
			return overflow(ctx, path);
		if (inv->payable != x)
			return dc_error(ctx, DC_EDATA,
			                "%s:%ld: BR-DEX-09: BT-115 (%s) %s is not "
			                "BT-112 - BT-113 + BT-114 + BT-DEX-002 = %s - %s + %s + %s",
			                path, at, el(inv, 115), money(inv->payable, a),
			                money(inv->tax_inclusive, b), money(inv->prepaid, c),
			                money(inv->rounding, d), money(inv->third_party_paid, e));
	} else if (inv->payable != x)
		return dc_error(ctx, DC_EDATA,
		                "%s:%ld: BR-CO-16: BT-115 (%s) %s is not BT-112 - "
		                "BT-113 + BT-114 = %s - %s + %s",
		                path, at, el(inv, 115), money(inv->payable, a),
		                money(inv->tax_inclusive, b), money(inv->prepaid, c),
		                money(inv->rounding, d));
	if (vat_amounts(ctx, path, inv))
		return ctx->err;
	return breakdown(ctx, path, inv);
}

int
dc_einv_check(struct dc *ctx, const char *path, const struct dc_einv *inv)
{
	/* the lines are the XML's: an invoice out of a PDF is named as dc_einv_read names it */
	char *where = inv->source && strcmp(inv->source, "xml")
	                  ? dc_printf("%s:%s", path, inv->source)
	                  : NULL;
	int rc = check(ctx, where ? where : path, inv);

	free(where);
	return rc;
}
