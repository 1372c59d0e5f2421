/* Budgets (an account of a department per year, with the committed and spent amounts derived
 * from the orders) and framework agreements (call-offs up to a maximum value). */
#include <stdlib.h>
#include <string.h>

#include "procure/procure.h"

const struct dc_rectype dc_rt_budget = {
	"budget",
	(const struct dc_field[]){{"id", DC_T_STR}, {"account", DC_T_STR}, {"year", DC_T_INT},
	                          {"dept", DC_T_STR}, {"name", DC_T_STR}, {"amount", DC_T_MONEY},
	                          {"committed", DC_T_MONEY}, {"spent", DC_T_MONEY},
	                          {"available", DC_T_MONEY}},
	9};
const struct dc_rectype dc_rt_framework = {
	"framework",
	(const struct dc_field[]){{"id", DC_T_STR}, {"vendor", DC_T_STR}, {"title", DC_T_STR},
	                          {"from", DC_T_STR}, {"until", DC_T_STR},
	                          {"max_value", DC_T_MONEY}, {"used", DC_T_MONEY},
	                          {"remaining", DC_T_MONEY}, {"category", DC_T_STR}},
	9};

int
dc_procure_budget_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	const char *account = dc_arg(rec, "account"), *dept = dc_arg(rec, "dept");
	long year;
	long long amount;
	char at[21], ytext[8], ctext[24], *ref;
	int rc, known;

	if ((rc = dc_require(ctx, "buyer", "add budgets")))
		return rc;
	if (!account || !dept || !dc_arg(rec, "year") || !dc_arg(rec, "amount"))
		return dc_field_error(ctx, "field '%s' is required",
		                !account ? "account" : !dept ? "dept" : !dc_arg(rec, "year") ? "year" : "amount");
	if ((rc = dc_arg_int(ctx, rec, "year", 2000, 2999, &year)) ||
	    (rc = dc_procure_money(ctx, "amount", dc_arg(rec, "amount"), &amount)) ||
	    (rc = dc_exists(ctx, "SELECT 1 FROM dept WHERE code = ?1", dept, &known)))
		return rc;
	if (!known)
		return dc_error(ctx, DC_EDATA, "field 'dept': unknown department '%s'", dept);
	snprintf(ytext, sizeof ytext, "%ld", year);
	snprintf(ctext, sizeof ctext, "%lld", amount);
	ref = dc_printf("%s/%ld", account, year);
	if ((rc = dc_must_not_exist(ctx, "SELECT 1 FROM budget WHERE account || '/' || year = ?1",
	                            "budget", ref)))
		goto done;
	dc_fmt_time(dc_now(ctx), at);
	if (!(rc = dc_exec(ctx, "INSERT INTO budget(account, year, dept, name, amount, created_at)"
	                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	                   6, account, ytext, dept, dc_arg(rec, "name"), ctext, at))) {
		struct dc_event ev = {"budget", ref, "created", NULL, ctext, dept, 0};

		if (!(rc = dc_audit(ctx, &ev)))
			rc = dc_touched(ctx, ref, NULL);
	}
done:
	free(ref);
	return rc;
}

int
dc_procure_budget_list(struct dc *ctx, const char *id, const char *dept, const char *year,
                       struct dc_stmt **st)
{
	struct dc_q q = {0};
	int rc;

	if ((rc = dc_require(ctx, "buyer auditor head", "see budgets")))
		return rc;
	/* committed: approved, not yet invoiced; spent: what the invoices said */
	dc_q_sql(&q, "SELECT id, account, year, dept, name, amount, committed, spent,"
	             " amount - committed - spent FROM (SELECT b.account || '/' || b.year AS id,"
	             " b.account, b.year, b.dept, b.name, b.amount,"
	             " coalesce((SELECT sum(gross) FROM purchase_order o WHERE o.budget = b.account"
	             "   AND o.year = b.year AND o.status IN ('approved', 'placed', 'received')),"
	             "   0) AS committed,"
	             " coalesce((SELECT sum(invoice_amount) FROM purchase_order o"
	             "   WHERE o.budget = b.account AND o.year = b.year AND o.status = 'invoiced'),"
	             "   0) AS spent FROM budget b");
	/* ID is ACCOUNT/YEAR, or an account's lines of every year */
	dc_q_where_if(&q, "b.account || '/' || b.year = ? OR b.account = ?", id);
	dc_q_where_if(&q, "b.dept = ?", dept);
	dc_q_where_if(&q, "b.year = ?", year);
	dc_q_sql(&q, ") ORDER BY year, account");
	return dc_q_prepare(ctx, &q, st);
}

int
dc_procure_framework_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	const char *id = dc_arg(rec, "id"), *vendor = dc_arg(rec, "vendor"), *title = dc_arg(rec, "title");
	const char *from = dc_arg(rec, "from"), *until = dc_arg(rec, "until");
	long long max;
	long d1, d2;
	char at[21], ctext[24];
	int rc, known;

	if ((rc = dc_require(ctx, "buyer", "add framework contracts")))
		return rc;
	if (!id || !vendor || !title || !from || !until || !dc_arg(rec, "max-value"))
		return dc_field_error(ctx, "fields id, vendor, title, from, until and max-value are "
		                                "required");
	if (dc_parse_date(from, &d1) < 0 || dc_parse_date(until, &d2) < 0 || d2 < d1)
		return dc_error(ctx, DC_EDATA, "field 'from'/'until': '%s'..'%s' is not a period of dates",
		                from, until);
	if ((rc = dc_procure_money(ctx, "max-value", dc_arg(rec, "max-value"), &max)))
		return rc;
	if ((rc = dc_exists(ctx, "SELECT 1 FROM vendor WHERE id = ?1", vendor, &known)))
		return rc;
	if (!known)
		return dc_error(ctx, DC_EDATA, "field 'vendor': no vendor '%s'", vendor);
	if ((rc = dc_must_not_exist(ctx, "SELECT 1 FROM framework WHERE id = ?1", "framework", id)))
		return rc;
	dc_fmt_time(dc_now(ctx), at);
	snprintf(ctext, sizeof ctext, "%lld", max);
	if ((rc = dc_exec(ctx, "INSERT INTO framework(id, vendor, title, from_date, until_date,"
	                       " max_value, category, created_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
	                  8, id, vendor, title, from, until, ctext, dc_arg(rec, "category"), at)))
		return rc;
	{
		struct dc_event ev = {"framework", id, "created", NULL, ctext, vendor, 0};

		return (rc = dc_audit(ctx, &ev)) ? rc : dc_touched(ctx, id, NULL);
	}
}

int
dc_procure_framework_list(struct dc *ctx, const char *id, struct dc_stmt **st)
{
	int rc;

	if ((rc = dc_require(ctx, "buyer auditor head clerk", "see framework contracts")))
		return rc;
	return dc_q_list(ctx, st,
	                 "SELECT id, vendor, title, from_date, until_date, max_value, used,"
	                 " max_value - used, category FROM (SELECT f.*,"
	                 " (SELECT coalesce(sum(net), 0) FROM purchase_order o"
	                 "   WHERE o.framework = f.id AND o.status <> 'cancelled') AS used"
	                 " FROM framework f",
	                 "f.id = ?", id, NULL, NULL, ") ORDER BY id");
}
