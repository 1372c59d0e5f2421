/* dc-assign: organisation, queues, claims, deputies (dc-assign(1)).  Verb table; work in lib/. */
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "org/org.h"

static int
show_dept(struct dc *ctx, const char *code, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_org_dept_list(ctx, code, &st), &st, "department", code);
}

static int
show_staff(struct dc *ctx, const char *login, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_org_staff_list(ctx, login, NULL, &st), &st, "staff", login);
}

static int
show_absence(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_org_away_list(ctx, NULL, NULL, id, &st), &st, "absence", id);
}

static int
show_holiday(struct dc *ctx, const char *date, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_org_holiday_list(ctx, date, &st), &st, "holiday", date);
}

static int
cmd_dept_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_org_dept_add_spec, dc_org_dept_add, NULL, &dc_rt_dept,
	                      show_dept);
}

static int
cmd_dept_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_dept, dc_org_dept_list(ctx, NULL, &st), &st);
}

static int
cmd_dept_set(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_org_dept_set, &dc_rt_dept, show_dept);
}

static int
cmd_dept_show(struct dc *ctx, struct dc_args *a)
{
	return dc_out_show(ctx, a, &dc_rt_dept, show_dept);
}

static int
cmd_staff_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_org_staff_add_spec, dc_org_staff_add, NULL, &dc_rt_staff,
	                      show_staff);
}

static int
cmd_staff_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_staff, dc_org_staff_list(ctx, NULL, dc_arg(a, "dept"), &st), &st);
}

static int
cmd_staff_show(struct dc *ctx, struct dc_args *a)
{
	return dc_out_show(ctx, a, &dc_rt_staff, show_staff);
}

static int
cmd_staff_set(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_org_staff_set, &dc_rt_staff, show_staff);
}

static int
cmd_key_add(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_org_key_add, &dc_rt_api_key, dc_org_key_show);
}

static int
cmd_key_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_api_key, dc_org_key_list(ctx, NULL, dc_arg(a, "login"), &st),
	                   &st);
}

static int
cmd_key_revoke(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_org_key_revoke, &dc_rt_api_key, dc_org_key_show);
}

static int
cmd_queue(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;
	long limit = 50;
	int rc;

	if ((rc = dc_arg_int(ctx, a, "limit", 1, 1000000000, &limit)))
		return rc;
	return dc_out_list(ctx, &dc_rt_case, dc_case_queue(ctx, dc_arg(a, "dept"), limit, &st), &st);
}

static int
claim_next(struct dc *ctx, const char *dept, struct dc_args *a)
{
	return dc_case_claim_next(ctx, dc_arg(a, "dept"));
}

static int
cmd_claim(struct dc *ctx, struct dc_args *a)
{
	if (dc_flag(a, "next")) {
		if (a->noperand)
			return dc_error(ctx, DC_EUSAGE, "claim --next takes no ids");
		dc_args_operand(a, "next");
		return dc_act_each(ctx, a, claim_next, &dc_rt_case, dc_case_show);
	}
	if (dc_arg(a, "dept"))
		return dc_error(ctx, DC_EUSAGE, "--dept goes with --next");
	return dc_act(ctx, a, dc_case_claim, &dc_rt_case, dc_case_show);
}

static int
cmd_give(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_case_give, &dc_rt_case, dc_case_show);
}

static int
cmd_steal(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_case_steal, &dc_rt_case, dc_case_show);
}

static int
cmd_release(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_case_release, &dc_rt_case, dc_case_show);
}

static int
cmd_transfer(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_case_transfer, &dc_rt_case, dc_case_show);
}

static int
cmd_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_task,
	                dc_case_tasks(ctx, dc_arg(a, "assignee"), dc_arg(a, "dept"), &st), &st);
}

static int
cmd_away(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_org_away_spec, dc_org_away, NULL, &dc_rt_absence,
	                      show_absence);
}

static int
cmd_away_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_absence,
	                dc_org_away_list(ctx, dc_arg(a, "dept"), dc_arg(a, "at"), NULL, &st), &st);
}

static int
cmd_back(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_org_back, &dc_rt_absence, show_absence);
}

static int
cmd_overview(struct dc *ctx, struct dc_args *a)
{
	const char *dept = dc_arg(a, "dept");
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_db_open(ctx)) || (rc = dc_require(ctx, "head auditor", "see the overview")))
		return rc;
	/* a head oversees their own department */
	if (!strcmp(ctx->role, "head")) {
		if (dept && strcmp(dept, ctx->dept))
			return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not see the overview of '%s'",
			                ctx->actor, dept);
		dept = ctx->dept;
	}
	return dc_out_list(ctx, &dc_rt_overview, dc_org_overview(ctx, dept, &st), &st);
}

static int
cmd_holiday_add(struct dc *ctx, struct dc_args *a)
{
	/* dc_create_spec fills one operand, and DATE NAME are two: they become the fields here */
	if (a->noperand == 2) {
		dc_args_add(a, "date", a->operand[0]);
		dc_args_add(a, "name", a->operand[1]);
		free(a->operand[1]);
		free(a->operand[0]);
		a->noperand = 0;
	} else if (a->noperand != 1 || strcmp(a->operand[0], "-"))
		return dc_error(ctx, DC_EUSAGE,
		                "holiday add needs DATE and NAME (or - to read records)");
	return dc_create_spec(ctx, a, dc_org_holiday_add_spec, dc_org_holiday_add, NULL,
	                      &dc_rt_holiday, show_holiday);
}

static int
cmd_holiday_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_holiday, dc_org_holiday_list(ctx, NULL, &st), &st);
}

static int
holiday_import(struct dc *ctx, const char *path, struct dc_args *a)
{
	return dc_org_holiday_import(ctx, path);
}

static int
cmd_holiday_import(struct dc *ctx, struct dc_args *a)
{
	int rc;

	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "holiday import needs one FILE (or -)");
	if ((rc = dc_db_open(ctx)) || (rc = dc_require(ctx, "", "import holidays")))
		return rc;
	return dc_act_each(ctx, a, holiday_import, &dc_rt_holiday, show_holiday);
}

static const struct dc_verb verbs[] = {
	{"dept add", cmd_dept_add, NULL, "%o | -", "add a department", dc_org_dept_add_spec},
	{"dept list", cmd_dept_list, "", "", "list departments", NULL},
	{"dept show", cmd_dept_show, "", "CODE...", "show departments", NULL},
	{"dept set", cmd_dept_set, NULL, "",
	 "change departments: name, email, Leitweg-ID (admin)", dc_org_dept_set_spec},
	{"staff add", cmd_staff_add, NULL, "%o | -", "add a staff member", dc_org_staff_add_spec},
	{"staff list", cmd_staff_list, "dept=", "[--dept D]", "list staff", NULL},
	{"staff show", cmd_staff_show, "", "LOGIN...", "show staff members", NULL},
	{"staff set", cmd_staff_set, NULL, "", "change staff", dc_org_staff_set_spec},
	{"staff key add", cmd_key_add, "", "LOGIN...",
	 "make an integrator's API key for dc-open311, shown once (admin)", NULL},
	{"staff key list", cmd_key_list, "login=", "[--login LOGIN]", "list API keys (admin)", NULL},
	{"staff key revoke", cmd_key_revoke, "", "ID...", "revoke API keys (admin)", NULL},
	{"queue", cmd_queue, "dept= limit=", "[--dept D] [--limit N]",
	 "unassigned cases of a department, most urgent first", NULL},
	{"claim", cmd_claim, "next dept=", "ID...|- | --next [--dept D]",
	 "take cases into my task list", NULL},
	{"give", cmd_give, "to=", "ID...|- --to LOGIN",
	 "hand cases to a clerk (head, admin)", NULL},
	{"steal", cmd_steal, "", "ID...|-", "take cases from someone else (head, admin)", NULL},
	{"release", cmd_release, "note=", "ID...|- [--note TEXT]",
	 "put cases back into the queue", NULL},
	{"transfer", cmd_transfer, "to-dept= note=", "ID...|- --to-dept D [--note TEXT]",
	 "move cases to another department's queue", NULL},
	{"list", cmd_list, "assignee= dept=", "[--assignee LOGIN|me] [--dept D]",
	 "task lists (default: mine, with the cases I hold as deputy)", NULL},
	{"away", cmd_away, NULL, "%o | -", "record an absence and its deputy", dc_org_away_spec},
	{"away list", cmd_away_list, "dept= at=", "[--dept D] [--at DATE]",
	 "current and coming absences", NULL},
	{"back", cmd_back, "", "LOGIN...", "end an absence today", NULL},
	{"overview", cmd_overview, "dept=", "[--dept D]",
	 "per staff and queue: open, overdue, waiting, absences", NULL},
	{"holiday add", cmd_holiday_add, NULL, "%o | -", "add a holiday", dc_org_holiday_add_spec},
	{"holiday list", cmd_holiday_list, "", "", "list holidays", NULL},
	{"holiday import", cmd_holiday_import, "", "FILE",
	 "import holidays from CSV, JSON or iCalendar (.ics)", NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	return dc_main(argc, argv, "dc-assign", verbs,
	               "dc-assign: departments, staff, queues, claims, deputies, holidays.");
}
