/* Cases: queue work — the queue, claims, give, steal, release, transfer, a clerk's tasks. */
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cases/internal.h"

int
dc_case_queue(struct dc *ctx, const char *dept, long limit, struct dc_stmt **st)
{
	char now[21];
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (!dc_has_role(ctx, "auditor integrator head clerk"))
		return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not see queues", ctx->actor);
	if (!dept && !(dept = ctx->dept))
		return dc_error(ctx, DC_EUSAGE, "--dept D is needed ('%s' has no department)", ctx->actor);
	if (dc_has_role(ctx, "head clerk") && !dc_has_role(ctx, "auditor integrator") &&
	    !dc_cases_same(dept, ctx->dept))
		return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not see the queue of '%s'",
		                ctx->actor, dept);
	/* most urgent first: due date, then priority, then age */
	if ((rc = dc_prepare(ctx, st, CASE_SELECT "WHERE c.dept = ?2 AND c.status = 'new'"
	                                          " ORDER BY c.due_at, CASE c.priority WHEN 'urgent'"
	                                          " THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2"
	                                          " ELSE 3 END, c.created_at, c.id LIMIT ?3")))
		return rc;
	dc_cases_now(ctx, now);
	dc_bind_text(*st, 1, now);
	dc_bind_text(*st, 2, dept);
	dc_bind_int(*st, 3, limit);
	return 0;
}

/* Take case c for `to` (claim: to = actor; give: to = target). */
static int
assign(struct dc *ctx, struct casex *c, const char *to, const char *kind)
{
	const char *status = !strcmp(c->status, "new") ? "assigned" : c->status;
	char now[21];
	int rc;

	dc_cases_now(ctx, now);
	if ((rc = dc_exec(ctx, "UPDATE cases SET assignee = ?2, status = ?3, updated_at = ?4"
	                       " WHERE id = ?1",
	                  4, c->id, to, status, now)) ||
	    (rc = dc_cases_event(ctx, c->id, kind, c->assignee, to, NULL, 0)))
		return rc;
	if (strcmp(status, c->status) &&
	    ((rc = dc_cases_event(ctx, c->id, "status", c->status, status, NULL, 1)) ||
	     (rc = dc_cases_notify(ctx, c, "case-status", status, NULL))))
		return rc;
	return dc_touched(ctx, c->id, NULL);
}

static int
open_case(struct dc *ctx, const struct casex *c)
{
	if (!strcmp(c->status, "new") || !strcmp(c->status, "assigned") ||
	    !strcmp(c->status, "in_progress") || !strcmp(c->status, "waiting"))
		return 0;
	return dc_error(ctx, DC_ECONFLICT, "case '%s' is %s", c->id, c->status);
}

int
dc_case_claim(struct dc *ctx, const char *id, struct dc_args *a)
{
	struct casex c;
	int rc;

	if ((rc = dc_cases_load(ctx, id, &c)))
		return rc;
	if ((rc = dc_whoami(ctx)))
		goto done;
	/* the role first: who may not claim here learns nothing of the case's state or assignee */
	if (!dc_has_role(ctx, "head clerk") || (!dc_is_admin(ctx) && !dc_cases_same(ctx->dept, c.dept))) {
		rc = dc_error(ctx, DC_EPERM, "permission denied: '%s' may not claim cases of '%s'",
		              ctx->actor, c.dept ? c.dept : "");
		goto done;
	}
	if ((rc = open_case(ctx, &c)))
		goto done;
	if (c.assignee) {
		rc = dc_cases_same(c.assignee, ctx->actor)
		         ? dc_error(ctx, DC_ECONFLICT, "case '%s' is already yours", id)
		         : dc_error(ctx, DC_ECONFLICT, "case '%s' is assigned to '%s'", id, c.assignee);
		goto done;
	}
	rc = assign(ctx, &c, ctx->actor, "claimed");
done:
	dc_cases_free(&c);
	return rc;
}

int
dc_case_claim_next(struct dc *ctx, const char *dept)
{
	struct dc_stmt *st = NULL;
	char *id = NULL;
	int rc;

	if ((rc = dc_case_queue(ctx, dept, 1, &st)))
		return rc;
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		id = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_EPROBLEM, "the queue is empty");
	dc_finish(ctx, st);
	if (!rc)
		rc = dc_case_claim(ctx, id, NULL);
	free(id);
	return rc;
}

/* give and steal: heads (for their department) and admins. */
static int
may_manage(struct dc *ctx, const struct casex *c, const char *what)
{
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (dc_is_admin(ctx) || (!strcmp(ctx->role, "head") && dc_cases_same(ctx->dept, c->dept)))
		return 0;
	return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not %s cases of '%s'", ctx->actor,
	                what, c->dept ? c->dept : "");
}

int
dc_case_give(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *to = dc_arg(a, "to");
	struct dc_stmt *st = NULL;
	struct casex c;
	int rc;

	if (!to)
		return dc_error(ctx, DC_EUSAGE, "give needs --to LOGIN");
	if ((rc = dc_cases_load(ctx, id, &c)))
		return rc;
	if ((rc = may_manage(ctx, &c, "give")) || (rc = open_case(ctx, &c)))
		goto done;
	if ((rc = dc_prepare(ctx, &st, "SELECT 1 FROM staff WHERE login = ?1 AND active = 1"
	                               " AND dept = ?2")))
		goto done;
	dc_bind_text_ref(st, 1, to);
	dc_bind_text_ref(st, 2, c.dept);
	rc = dc_step(ctx, st);
	dc_finish(ctx, st);
	if (rc == 0)
		rc = dc_error(ctx, DC_ECONFLICT, "'%s' is not active staff of '%s'", to, c.dept);
	if (rc != DC_ROW)
		goto done;
	if (dc_cases_same(c.assignee, to)) {
		rc = dc_error(ctx, DC_ECONFLICT, "case '%s' is already assigned to '%s'", id, to);
		goto done;
	}
	rc = assign(ctx, &c, to, "given");
done:
	dc_cases_free(&c);
	return rc;
}

int
dc_case_steal(struct dc *ctx, const char *id, struct dc_args *a)
{
	struct casex c;
	int rc;

	if ((rc = dc_cases_load(ctx, id, &c)))
		return rc;
	if ((rc = may_manage(ctx, &c, "steal")) || (rc = open_case(ctx, &c)))
		goto done;
	if (dc_cases_same(c.assignee, ctx->actor)) {
		rc = dc_error(ctx, DC_ECONFLICT, "case '%s' is already yours", id);
		goto done;
	}
	rc = assign(ctx, &c, ctx->actor, "stolen");
done:
	dc_cases_free(&c);
	return rc;
}

int
dc_case_release(struct dc *ctx, const char *id, struct dc_args *a)
{
	struct casex c;
	int rc;

	if ((rc = dc_cases_load(ctx, id, &c)))
		return rc;
	if ((rc = dc_cases_may_work(ctx, &c)))
		goto done;
	if (!c.assignee) {
		rc = dc_error(ctx, DC_ECONFLICT, "case '%s' is not assigned", id);
		goto done;
	}
	if (!dc_cases_allowed(c.status, "new")) {
		rc = dc_error(ctx, DC_ECONFLICT, "case '%s' cannot go from '%s' to 'new'", id, c.status);
		goto done;
	}
	rc = dc_cases_move(ctx, &c, "new", NULL, dc_arg(a, "note"), NULL, "released");
done:
	ctx->on_behalf_of = NULL;
	dc_cases_free(&c);
	return rc;
}

int
dc_case_transfer(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *to = dc_arg(a, "to-dept");
	struct casex c;
	char now[21];
	int rc;

	if (!to)
		return dc_error(ctx, DC_EUSAGE, "transfer needs --to-dept D");
	if ((rc = dc_cases_load(ctx, id, &c)))
		return rc;
	if ((rc = dc_cases_may_work(ctx, &c)) || (rc = open_case(ctx, &c)))
		goto done;
	if ((rc = dc_must_exist(ctx, "SELECT 1 FROM dept WHERE code = ?1", "department", to))) {
		goto done;
	}
	if (dc_cases_same(c.dept, to)) {
		rc = dc_error(ctx, DC_ECONFLICT, "case '%s' is already in '%s'", id, to);
		goto done;
	}
	dc_cases_now(ctx, now);
	if ((rc = dc_exec(ctx, "UPDATE cases SET dept = ?2, assignee = NULL, status = 'new',"
	                       " updated_at = ?3 WHERE id = ?1",
	                  3, id, to, now)) ||
	    (rc = dc_cases_event(ctx, id, "transferred", c.dept, to, dc_arg(a, "note"), 0)))
		goto done;
	if (strcmp(c.status, "new") &&
	    ((rc = dc_cases_event(ctx, id, "status", c.status, "new", NULL, 1)) ||
	     (rc = dc_cases_notify(ctx, &c, "case-status", "new", NULL))))
		goto done;
	rc = dc_touched(ctx, id, NULL);
done:
	ctx->on_behalf_of = NULL;
	dc_cases_free(&c);
	return rc;
}

int
dc_case_tasks(struct dc *ctx, const char *assignee, const char *dept, struct dc_stmt **st)
{
	char now[21], today[11];
	struct dc_q q = {0};
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (!assignee || !strcmp(assignee, "me"))
		assignee = dept && !assignee ? NULL : ctx->actor;
	if (assignee && strcmp(assignee, ctx->actor) && !dc_has_role(ctx, "head auditor"))
		return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not see the tasks of '%s'",
		                ctx->actor, assignee);
	if (dept && !dc_has_role(ctx, "head auditor"))
		return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not see all tasks of '%s'",
		                ctx->actor, dept);
	dc_cases_now(ctx, now);
	dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), today);
	/* my own cases plus those of colleagues I deputise for today, marked on_behalf_of; or
	 * a department's cases that someone works on */
	dc_q_param(&q, now);
	dc_q_sql(&q, "SELECT " CASE_COLS ",");
	if (assignee)
		dc_q_text(&q, " CASE WHEN c.assignee = ? THEN NULL ELSE c.assignee END", assignee);
	else
		dc_q_sql(&q, " NULL");
	dc_q_sql(&q, CASE_FROM);
	dc_q_where(&q, "c.status IN " OPEN_STATUSES);
	if (!assignee)
		dc_q_where(&q, "c.assignee IS NOT NULL");
	else if (dept)
		dc_q_where_if(&q, "c.assignee = ?", assignee);
	else {
		dc_q_open(&q);
		dc_q_text(&q, "c.assignee = ? OR c.assignee IN (SELECT login FROM absence"
		              " WHERE deputy = ?", assignee);
		dc_q_text(&q, " AND from_date <= ? AND until_date >= ?)", today);
		dc_q_close(&q);
	}
	dc_q_where_if(&q, "c.dept = ?", dept);
	dc_q_sql(&q, " ORDER BY c.due_at, c.id");
	return dc_q_prepare(ctx, &q, st);
}
