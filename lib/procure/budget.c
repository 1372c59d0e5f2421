/* Budgets (an account of a department per year, with the committed and spent amounts derived
 * from the orders) and framework agreements (call-offs up to a maximum value). */
#include <stdlib.h>
#include <string.h>

#include "org/org.h"
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

/* The spec takes any amount; a budget or contract value is not negative. */
static int
not_negative(struct dc *ctx, const struct dc_args *rec, const char *field, long long cents)
{
	if (cents < 0)
		return dc_field_error(ctx, "field '%s': '%s' is not an amount of money", field,
		                      dc_arg(rec, field));
	return 0;
}

/* A new budget line: budget add's operand and options, or a record's fields. */
struct budget_new {
	const char *account, *dept, *name;
	long year;
	long long amount;
};

const struct dc_opt dc_procure_budget_add_spec[] = {
	{"account", DC_V_TEXT, DC_O_REQUIRED | DC_O_OPERAND, NULL, "ACCOUNT", NULL, NULL,
	 DC_AT(struct budget_new, account)},
	{"dept", DC_V_TEXT, DC_O_REQUIRED, NULL, "D", NULL, NULL, DC_AT(struct budget_new, dept)},
	{"year", DC_V_INT, DC_O_REQUIRED, "2000..2999", "Y", NULL, NULL,
	 DC_AT(struct budget_new, year)},
	{"amount", DC_V_MONEY, DC_O_REQUIRED, NULL, "X", NULL, NULL,
	 DC_AT(struct budget_new, amount)},
	{"name", DC_V_TEXT, 0, NULL, "N", NULL, NULL, DC_AT(struct budget_new, name)},
	{NULL},
};

int
dc_procure_budget_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct budget_new b;
	char at[21], ytext[8], ctext[24], *ref;
	int rc;

	if ((rc = dc_require(ctx, "buyer", "add budgets")) ||
	    (rc = dc_decode(ctx, dc_procure_budget_add_spec, rec, &b)) ||
	    (rc = not_negative(ctx, rec, "amount", b.amount)) ||
	    (rc = dc_org_dept_known(ctx, "dept", b.dept)))
		return rc;
	snprintf(ytext, sizeof ytext, "%ld", b.year);
	snprintf(ctext, sizeof ctext, "%lld", b.amount);
	ref = dc_printf("%s/%ld", b.account, b.year);
	if ((rc = dc_must_not_exist(ctx, "SELECT 1 FROM budget WHERE account || '/' || year = ?1",
	                            "budget", ref)))
		goto done;
	dc_fmt_time(dc_now(ctx), at);
	if (!(rc = dc_exec(ctx, "INSERT INTO budget(account, year, dept, name, amount, created_at)"
	                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	                   6, b.account, ytext, b.dept, b.name, ctext, at))) {
		struct dc_event ev = {"budget", ref, "created", NULL, ctext, b.dept, 0};

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
	/* committed: approved, not yet invoiced; spent: the booked invoices (schema 12's view) */
	dc_q_sql(&q, "SELECT id, account, year, dept, name, amount, committed, spent,"
	             " amount - committed - spent FROM (SELECT b.account || '/' || b.year AS id,"
	             " b.account, b.year, b.dept, b.name, b.amount, u.committed, u.spent"
	             " FROM budget b JOIN budget_use u ON u.account = b.account"
	             " AND u.year = b.year");
	/* ID is ACCOUNT/YEAR, or an account's lines of every year */
	dc_q_where_if(&q, "b.account || '/' || b.year = ? OR b.account = ?", id);
	dc_q_where_if(&q, "b.dept = ?", dept);
	dc_q_where_if(&q, "b.year = ?", year);
	dc_q_sql(&q, ") ORDER BY year, account");
	return dc_q_prepare(ctx, &q, st);
}

/* A new framework contract: framework add's operand and options, or a record's fields. */
struct framework_new {
	const char *id, *vendor, *title, *category;
	long from, until;
	long long max;
};

const struct dc_opt dc_procure_framework_add_spec[] = {
	{"id", DC_V_TEXT, DC_O_REQUIRED | DC_O_OPERAND, NULL, "ID", NULL, NULL,
	 DC_AT(struct framework_new, id)},
	{"vendor", DC_V_TEXT, DC_O_REQUIRED, NULL, "V", NULL, NULL,
	 DC_AT(struct framework_new, vendor)},
	{"title", DC_V_TEXT, DC_O_REQUIRED, NULL, "T", NULL, NULL,
	 DC_AT(struct framework_new, title)},
	{"from", DC_V_DATE, DC_O_REQUIRED, NULL, "DATE", NULL, NULL,
	 DC_AT(struct framework_new, from)},
	{"until", DC_V_DATE, DC_O_REQUIRED, NULL, "DATE", NULL, NULL,
	 DC_AT(struct framework_new, until)},
	{"max-value", DC_V_MONEY, DC_O_REQUIRED, NULL, "X", NULL, NULL,
	 DC_AT(struct framework_new, max)},
	{"category", DC_V_TEXT, 0, NULL, "C", NULL, NULL, DC_AT(struct framework_new, category)},
	{NULL},
};

int
dc_procure_framework_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct framework_new f;
	char at[21], ctext[24], from[11], until[11];
	int rc, known;

	if ((rc = dc_require(ctx, "buyer", "add framework contracts")) ||
	    (rc = dc_decode(ctx, dc_procure_framework_add_spec, rec, &f)) ||
	    (rc = not_negative(ctx, rec, "max-value", f.max)))
		return rc;
	/* the spec reads YYYY-MM-DD only, so the dates print back as they were given */
	dc_fmt_date(f.from, from);
	dc_fmt_date(f.until, until);
	if (f.until < f.from)
		return dc_field_error(ctx,
		                      "field 'from'/'until': '%s'..'%s' is not a period of dates",
		                      from, until);
	if ((rc = dc_exists(ctx, "SELECT 1 FROM vendor WHERE id = ?1", f.vendor, &known)))
		return rc;
	if (!known)
		return dc_error(ctx, DC_EDATA, "field 'vendor': no vendor '%s'", f.vendor);
	if ((rc = dc_must_not_exist(ctx, "SELECT 1 FROM framework WHERE id = ?1", "framework",
	                            f.id)))
		return rc;
	dc_fmt_time(dc_now(ctx), at);
	snprintf(ctext, sizeof ctext, "%lld", f.max);
	if ((rc = dc_exec(ctx, "INSERT INTO framework(id, vendor, title, from_date, until_date,"
	                       " max_value, category, created_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
	                  8, f.id, f.vendor, f.title, from, until, ctext, f.category, at)))
		return rc;
	{
		struct dc_event ev = {"framework", f.id, "created", NULL, ctext, f.vendor, 0};

		return (rc = dc_audit(ctx, &ev)) ? rc : dc_touched(ctx, f.id, NULL);
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
