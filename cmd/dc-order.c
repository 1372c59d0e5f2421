/* dc-order: procurement (dc-order(1)).  Verb table and option specs; the work is in lib/procure. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "procure/procure.h"

static int
show_vendor(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_procure_vendor_list(ctx, id, &st), &st, "vendor", id);
}

static int
cmd_vendor_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_procure_vendor_add_spec, dc_procure_vendor_add, NULL,
	                      &dc_rt_vendor, show_vendor);
}

static int
cmd_vendor_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_vendor, dc_procure_vendor_list(ctx, NULL, &st), &st);
}

static int
cmd_vendor_show(struct dc *ctx, struct dc_args *a)
{
	return dc_out_show(ctx, a, &dc_rt_vendor, show_vendor);
}

static int
cmd_vendor_set(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_procure_vendor_set, &dc_rt_vendor, show_vendor);
}

static int
cmd_catalog_import(struct dc *ctx, struct dc_args *a)
{
	struct dc_catalog_opts o = {dc_arg(a, "vendor"), NULL, dc_arg(a, "mode"), NULL, NULL};
	static const char *const fmts[] = {"csv", "json", "jsonl", "tsv", "bmecat", NULL};
	const char *const *f;
	int i, rc = 0, first = 0;

	if (a->noperand < 1)
		return dc_error(ctx, DC_EUSAGE, "catalog import needs FILE... (or -)");
	if (o.mode && strcmp(o.mode, "full") && strcmp(o.mode, "update"))
		return dc_error(ctx, DC_EUSAGE, "--mode: '%s' is not full or update", o.mode);
	if ((o.format = dc_arg(a, "input"))) {
		for (f = fmts; *f && strcmp(*f, o.format); f++)
			;
		if (!*f)
			return dc_error(ctx, DC_EUSAGE, "-i: unknown catalog format '%s' (csv, json, jsonl, "
			                                "tsv, bmecat)",
			                o.format);
		if (strcmp(o.format, "bmecat"))
			ctx->input = !strcmp(o.format, "csv")    ? DC_IN_CSV
			             : !strcmp(o.format, "tsv")  ? DC_IN_TSV
			             : !strcmp(o.format, "json") ? DC_IN_JSON
			                                         : DC_IN_JSONL;
	}
	if ((rc = dc_db_open(ctx)) || (rc = dc_out_begin(ctx, &dc_rt_import)))
		return rc;
	/* one transaction per file: a bad file does not stop the others */
	for (i = 0; i < a->noperand; i++) {
		if ((rc = dc_procure_catalog_import(ctx, a->operand[i], &o, NULL))) {
			if (rc == DC_EBUSY || a->noperand == 1)
				return rc;
			dc_print_error(ctx);
			ctx->err = 0;
			ctx->errmsg[0] = '\0';
			first = first ? first : rc;
		}
	}
	rc = dc_out_end(ctx);
	return rc ? rc : first;
}

static int
cmd_catalog_search(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;
	char *text;
	int rc;

	if (a->noperand < 1)
		return dc_error(ctx, DC_EUSAGE, "catalog search needs TEXT");
	text = dc_operands_join(a);
	rc = dc_out_list(ctx, &dc_rt_item_hit, dc_procure_catalog_search(ctx, text, a, &st), &st);
	free(text);
	return rc;
}

static int
show_item(struct dc *ctx, const char *ref, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_procure_catalog_show(ctx, ref, &st), &st, "catalog item", ref);
}

static int
cmd_catalog_show(struct dc *ctx, struct dc_args *a)
{
	return dc_out_show(ctx, a, &dc_rt_item_show, show_item);
}


/* ---- rules ---- */

static int
cmd_rules_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_profile p;
	json_object *rows;
	int rc;
	size_t i, n;

	if ((rc = dc_db_open(ctx)) || (rc = dc_procure_profile_load(ctx, dc_arg(a, "profile"), &p)))
		return rc;
	if ((rc = dc_out_begin(ctx, &dc_rt_rule)))
		goto done;
	json_object_object_get_ex(p.json, "rows", &rows);
	n = json_object_array_length(rows);
	for (i = 0; i < n && !rc; i++) {
		json_object *r = json_object_array_get_idx(rows, i), *v;
		char up[32] = "", q[16] = "";
		const char *vals[10];
		const char *keys[] = {"procedure", "category", "valid_from", "valid_to", "legal_basis"};
		const char *got[5];

		for (int k = 0; k < 5; k++)
			got[k] = json_object_object_get_ex(r, keys[k], &v) && !json_object_is_type(v, json_type_null)
			             ? json_object_get_string(v)
			             : NULL;
		if (json_object_object_get_ex(r, "up_to", &v) && !json_object_is_type(v, json_type_null))
			snprintf(up, sizeof up, "%lld", (long long)llround(json_object_get_double(v) * 100));
		if (json_object_object_get_ex(r, "min_quotes", &v))
			snprintf(q, sizeof q, "%d", json_object_get_int(v));
		vals[0] = p.name, vals[1] = got[0], vals[2] = got[1], vals[3] = *up ? up : NULL;
		vals[4] = q, vals[5] = got[2], vals[6] = got[3], vals[7] = got[4], vals[8] = p.version;
		vals[9] = p.imported ? "imported" : "built-in";
		rc = dc_out_row(ctx, vals);
	}
	if (!rc)
		rc = dc_out_end(ctx);
done:
	dc_procure_profile_free(&p);
	return rc;
}

static int
cmd_rules_use(struct dc *ctx, struct dc_args *a)
{
	struct dc_profile p;
	int rc;

	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "rules use needs one PROFILE");
	if ((rc = dc_db_open(ctx)) || (rc = dc_procure_profile_load(ctx, a->operand[0], &p)))
		return rc;
	dc_procure_profile_free(&p);
	return dc_setting_set(ctx, "procurement.profile", a->operand[0]);
}

static int
rules_import(struct dc *ctx, const char *path, struct dc_args *a)
{
	return dc_procure_rules_import(ctx, path);
}

static int
cmd_rules_import(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand < 1)
		return dc_error(ctx, DC_EUSAGE, "rules import needs FILE...");
	return dc_act_each(ctx, a, rules_import, NULL, NULL);
}

struct explain {
	long long net;
	long date;
	const char *category, *dept, *profile;
};

static const struct dc_opt explain_spec[] = {
	{"value", DC_V_MONEY, DC_O_REQUIRED, NULL, "NET", NULL, NULL, DC_AT(struct explain, net)},
	{"category", DC_V_TEXT, 0, NULL, "C", NULL, NULL, DC_AT(struct explain, category)},
	{"dept", DC_V_TEXT, 0, NULL, "D", NULL, NULL, DC_AT(struct explain, dept)},
	{"profile", DC_V_TEXT, 0, NULL, "P", NULL, NULL, DC_AT(struct explain, profile)},
	{"date", DC_V_DATE, 0, NULL, "DATE", NULL, NULL, DC_AT(struct explain, date)},
	{NULL},
};

static int
cmd_rules_explain(struct dc *ctx, struct dc_args *a)
{
	const char *date = dc_arg(a, "date"), *dept = dc_arg(a, "dept");
	const char *suspect = NULL;
	struct dc_profile p = {0};
	struct dc_band b = {0};
	struct explain x;
	char today[11], cents[24], up[24];
	long long net, others = 0;
	int rc;

	if ((rc = dc_decode(ctx, explain_spec, a, &x)))
		return rc;
	if ((net = x.net) < 0)
		return dc_field_error(ctx, "field 'value': '%s' is not an amount of 0 or more",
		                      dc_arg(a, "value"));
	if ((rc = dc_db_open(ctx)) || (rc = dc_procure_profile_load(ctx, dc_arg(a, "profile"), &p)))
		return rc;
	if (!date) {
		dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), today);
		date = today;
	}
	if ((rc = dc_procure_band(ctx, &p, net, dc_arg(a, "category"), date, &b)))
		goto done;
	/* with --dept: what the department's other orders this year make of it (split check) */
	if (dept) {
		int s;

		rc = dc_procure_split_suspect(ctx, &p, dept, atol(date), dc_arg(a, "category"), NULL,
		                              net, b.procedure, date, &others, &s);
		suspect = s ? "1" : "0";
	}
	if (!rc && !(rc = dc_out_begin(ctx, &dc_rt_band))) {
		char q[16], o[24];
		const char *vals[12];

		snprintf(cents, sizeof cents, "%lld", net);
		snprintf(up, sizeof up, "%lld", b.up_to);
		snprintf(q, sizeof q, "%d", b.min_quotes);
		snprintf(o, sizeof o, "%lld", others);
		vals[0] = cents, vals[1] = p.name, vals[2] = b.procedure, vals[3] = q;
		vals[4] = b.legal_basis, vals[5] = b.valid_from, vals[6] = *b.valid_to ? b.valid_to : NULL;
		vals[7] = b.category, vals[8] = b.up_to < 0 ? NULL : up, vals[9] = p.version;
		vals[10] = dept ? o : NULL, vals[11] = suspect;
		if (!(rc = dc_out_row(ctx, vals)))
			rc = dc_out_end(ctx);
	}
done:
	dc_band_free(&b);
	dc_procure_profile_free(&p);
	return rc;
}

/* ---- budgets and frameworks ---- */

static int
show_budget(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_procure_budget_list(ctx, id, NULL, NULL, &st), &st, "budget", id);
}

static int
cmd_budget_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_procure_budget_add_spec, dc_procure_budget_add, NULL,
	                      &dc_rt_budget, show_budget);
}

static int
cmd_budget_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_budget,
	                dc_procure_budget_list(ctx, NULL, dc_arg(a, "dept"), dc_arg(a, "year"), &st),
	                &st);
}

static int
cmd_budget_show(struct dc *ctx, struct dc_args *a)
{
	return dc_out_show(ctx, a, &dc_rt_budget, show_budget);
}

static int
show_framework(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_procure_framework_list(ctx, id, &st), &st, "framework", id);
}

static int
cmd_framework_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_procure_framework_add_spec, dc_procure_framework_add, NULL,
	                      &dc_rt_framework, show_framework);
}

static int
cmd_framework_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_framework, dc_procure_framework_list(ctx, NULL, &st), &st);
}

/* ---- orders ---- */

static int
show_order(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_procure_order_list(ctx, id, NULL, &st), &st, "order", id);
}

static int
cmd_new(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_procure_order_new_spec, dc_procure_order_new, NULL,
	                      &dc_rt_order, show_order);
}

static int
cmd_quote(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_procure_order_quote, &dc_rt_order, show_order);
}

static int
cmd_award(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_procure_order_award, &dc_rt_order, show_order);
}

static int
cmd_approve(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_procure_order_approve, &dc_rt_order, show_order);
}

static int
cmd_place(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_procure_order_place, &dc_rt_order, show_order);
}

static int
cmd_receive(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_procure_order_receive, &dc_rt_order, show_order);
}

static int
cmd_invoice(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_procure_order_invoice, &dc_rt_order, show_order);
}

/* ---- invoices ---- */

static int
show_invoice(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;
	const char *inv = extra ? extra : id;

	return dc_out_one(ctx, dc_procure_invoice_list(ctx, inv, NULL, &st), &st, "invoice", inv);
}

struct invoice_add {
	struct dc_args *a;
	char id[32];
	int unmatched;
};

static int
invoice_add(struct dc *ctx, void *arg)
{
	struct invoice_add *x = arg;

	return dc_procure_invoice_add(ctx, x->a->noperand ? x->a->operand[0] : NULL, x->a, x->id,
	                              &x->unmatched);
}

static int
cmd_invoice_add(struct dc *ctx, struct dc_args *a)
{
	struct invoice_add x = {a, "", 0};
	int rc;

	if (a->noperand > 1)
		return dc_error(ctx, DC_EUSAGE, "invoice add takes at most one order ID");
	if ((rc = dc_act_call(ctx, invoice_add, &x, &dc_rt_invoice, show_invoice)))
		return rc;
	/* kept, and printed, but not booked: dcity(7) exit 3 */
	if (x.unmatched)
		return dc_error(ctx, DC_ECONFLICT, "invoice '%s' names no known order: kept as "
		                "unmatched; book it with dc-order invoice assign %s PO", x.id, x.id);
	return 0;
}

struct invoice_assign {
	const char *inv, *po;
	int accept_extra;
};

static int
invoice_assign(struct dc *ctx, void *arg)
{
	struct invoice_assign *x = arg;

	return dc_procure_invoice_assign(ctx, x->inv, x->po, x->accept_extra);
}

static int
cmd_invoice_assign(struct dc *ctx, struct dc_args *a)
{
	struct invoice_assign x;

	if (a->noperand != 2)
		return dc_error(ctx, DC_EUSAGE, "invoice assign needs INV and PO");
	x.inv = a->operand[0];
	x.po = a->operand[1];
	x.accept_extra = dc_flag(a, "accept-extra");
	return dc_act_call(ctx, invoice_assign, &x, &dc_rt_invoice, show_invoice);
}

static int
cmd_invoice_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_invoice, dc_procure_invoice_list(ctx, NULL, a, &st), &st);
}

static int
cmd_invoice_show(struct dc *ctx, struct dc_args *a)
{
	static const char *const names[] = {"table", "json", "jsonl", "csv", "tsv"};
	static const enum dc_format fmts[] = {DC_FMT_TABLE, DC_FMT_JSON, DC_FMT_JSONL, DC_FMT_CSV,
	                                      DC_FMT_TSV};
	const char *f = dc_arg(a, "format");
	char *text = NULL;
	int rc = 0, i;

	if (a->noperand < 1)
		return dc_error(ctx, DC_EUSAGE, "invoice show needs INV...");
	if (f && (!strcmp(f, "text") || !strcmp(f, "html"))) {
		if ((rc = dc_db_open(ctx)))
			return rc;
		for (i = 0; i < a->noperand && !rc; i++) {
			if (!(rc = dc_procure_invoice_render(ctx, a->operand[i], !strcmp(f, "html"),
			                                     &text)))
				rc = dc_out_text(ctx, text);
			free(text);
			text = NULL;
		}
		return rc;
	}
	for (i = 0; f && i < 5 && strcmp(f, names[i]); i++)
		;
	if (f && i == 5)
		return dc_error(ctx, DC_EUSAGE,
		                "invoice show: -f text, html, table, json, jsonl, csv or tsv");
	if (f)
		ctx->format = fmts[i];
	return dc_out_show(ctx, a, &dc_rt_invoice, show_invoice);
}

static int
cmd_cancel(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_procure_order_cancel, &dc_rt_order, show_order);
}

static int
cmd_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_order, dc_procure_order_list(ctx, NULL, a, &st), &st);
}

/* -f opentrans: the openTRANS ORDER (dc-order(1) "openTRANS"); another -f: the records. */
static int
cmd_show(struct dc *ctx, struct dc_args *a)
{
	const char *f = dc_arg(a, "format");
	char *xml = NULL;
	int rc;

	if (f && strcmp(f, "opentrans") && (rc = dc_format_set(ctx, f)))
		return rc;
	if (!f || strcmp(f, "opentrans"))
		return dc_out_show(ctx, a, &dc_rt_order, show_order);
	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "show -f opentrans needs one order ID");
	if ((rc = dc_db_open(ctx)))
		return rc;
	if (!(rc = dc_procure_order_opentrans(ctx, a->operand[0], &xml)))
		rc = dc_out_text(ctx, xml);
	free(xml);
	return rc;
}

static int
cmd_record(struct dc *ctx, struct dc_args *a)
{
	const char *f = dc_arg(a, "format");
	struct dc_stmt *st = NULL;
	char *text = NULL;
	int rc;

	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "record needs one order ID");
	if (f && strcmp(f, "text") && strcmp(f, "json"))
		return dc_error(ctx, DC_EUSAGE, "record: -f text or -f json");
	if ((rc = dc_db_open(ctx)))
		return rc;
	if (!f || !strcmp(f, "text")) {
		if (!(rc = dc_procure_order_record(ctx, a->operand[0], &text)))
			rc = dc_out_text(ctx, text);
		free(text);
		return rc;
	}
	/* JSON: the order record, then its history as event records */
	ctx->format = DC_FMT_JSONL;
	if ((rc = dc_procure_order_record(ctx, a->operand[0], &text)))
		return rc;
	free(text);
	if ((rc = dc_out_begin(ctx, &dc_rt_order)) || (rc = show_order(ctx, a->operand[0], NULL)) ||
	    (rc = dc_out_end(ctx)) || (rc = dc_procure_order_events(ctx, a->operand[0], &st)))
		return rc;
	return dc_out_query(ctx, &dc_rt_order_event, st);
}

static const struct dc_verb verbs[] = {
	{"vendor add", cmd_vendor_add, NULL, "%o | -", "add a vendor", dc_procure_vendor_add_spec},
	{"vendor list", cmd_vendor_list, "", "", "list vendors", NULL},
	{"vendor show", cmd_vendor_show, "", "ID...", "show vendors", NULL},
	{"vendor set", cmd_vendor_set, "name= email= vat-id= address= active= encoding= columns=",
	 "ID... [--name N] [--email E] [--vat-id V] [--address A] [--active true|false]"
	 " [--encoding E] [--columns HEADER=FIELD,...]",
	 "change vendors", NULL},
	{"catalog import", cmd_catalog_import, "vendor= mode= input=",
	 "FILE... [--vendor ID] [-i csv|json|jsonl|tsv|bmecat] [--mode full|update]",
	 "import vendor catalogs (CSV, JSON, BMEcat 1.2 and 2005), one transaction per file", NULL},
	{"catalog search", cmd_catalog_search, "vendor= category= max-price= limit=",
	 "TEXT [--vendor V] [--category C] [--max-price X] [--limit N]",
	 "full-text search of active catalog items, best match first", NULL},
	{"catalog show", cmd_catalog_show, "", "VENDOR:SKU...",
	 "an item with its current price and price history", NULL},
	{"framework add", cmd_framework_add, NULL, "%o | -",
	 "add a framework contract (Rahmenvereinbarung)", dc_procure_framework_add_spec},
	{"framework list", cmd_framework_list, "", "",
	 "framework contracts with used and remaining value", NULL},
	{"budget add", cmd_budget_add, NULL, "%o | -", "add a budget line",
	 dc_procure_budget_add_spec},
	{"budget list", cmd_budget_list, "dept= year=", "[--dept D] [--year Y]",
	 "budgets with committed, spent and available", NULL},
	{"budget show", cmd_budget_show, "", "ACCOUNT[/YEAR]...", "show budgets", NULL},
	{"rules list", cmd_rules_list, "profile=", "[--profile P]",
	 "the bands of a rule profile", NULL},
	{"rules use", cmd_rules_use, "", "PROFILE", "choose the city's rule profile (admin)", NULL},
	{"rules import", cmd_rules_import, "", "FILE...",
	 "import a custom rule profile (JSON)", NULL},
	{"rules explain", cmd_rules_explain, NULL, "", "which procedure a value needs, and why",
	 explain_spec},
	{"new", cmd_new, NULL, "%o | -", "request an order: value, procedure band, split check",
	 dc_procure_order_new_spec},
	{"quote", cmd_quote, "vendor= amount= note=", "ID --vendor V --amount NET [--note T]",
	 "record an offer", NULL},
	{"award", cmd_award, "vendor= reason=", "ID --vendor V [--reason T]",
	 "award the order", NULL},
	{"approve", cmd_approve, "tender-ref= split-justification=",
	 "ID... [--tender-ref REF] [--split-justification TEXT]",
	 "approve (head or admin): band, quotes, award, split, budget", NULL},
	{"place", cmd_place, "", "ID...", "send the order to the vendor (queued message)", NULL},
	{"receive", cmd_receive, "line= qty=", "ID [--line N --qty Q]", "record a delivery", NULL},
	{"invoice", cmd_invoice, "number= amount=", "ID --number N --amount GROSS",
	 "book a typed invoice (three-way match, 1 % tolerance); prints the order", NULL},
	{"invoice add", cmd_invoice_add, "file= number= amount= accept-extra",
	 "[PO] (--file F | --number N --amount GROSS) [--accept-extra]",
	 "book an invoice: XRechnung (UBL, CII) or ZUGFeRD file, or typed; matched per line", NULL},
	{"invoice list", cmd_invoice_list, NULL, "", "list invoices", dc_procure_invoice_list_spec},
	{"invoice show", cmd_invoice_show, "format=", "INV... [-f text|html|json|jsonl|csv|tsv]",
	 "show invoices; -f text or html renders one for the visual check", NULL},
	{"invoice assign", cmd_invoice_assign, "accept-extra", "INV PO [--accept-extra]",
	 "book an unmatched invoice against an order", NULL},
	{"cancel", cmd_cancel, "reason=", "ID... --reason T",
	 "cancel; releases the commitment", NULL},
	{"list", cmd_list, NULL, "", "list orders", dc_procure_order_list_spec},
	{"show", cmd_show, "format=", "ID... [-f table|json|jsonl|csv|tsv|opentrans]",
	 "show orders with lines and quotes, or one as an openTRANS 2.1 ORDER", NULL},
	{"record", cmd_record, "format=", "ID [-f text|json]",
	 "the procurement record (Vergabevermerk)", NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	return dc_main(argc, argv, "dc-order", verbs,
	               "dc-order: procurement — vendors, catalogs, rules, budgets, orders.");
}
