/* Departments, staff, absences with deputies, holidays and business days. */
#include <stdlib.h>
#include <string.h>

#include "org/org.h"

const struct dc_rectype dc_rt_dept = {
	"department",
	(const struct dc_field[]){{"code", DC_T_STR}, {"name", DC_T_STR}, {"email", DC_T_STR},
	                          {"leitweg_id", DC_T_STR}, {"head", DC_T_LOGIN},
	                          {"staff", DC_T_INT}, {"open", DC_T_INT}, {"created_at", DC_T_STR}},
	8};
const struct dc_rectype dc_rt_staff = {
	"staff",
	(const struct dc_field[]){{"login", DC_T_STR}, {"name", DC_T_STR}, {"dept", DC_T_STR},
	                          {"role", DC_T_STR}, {"email", DC_T_STR}, {"active", DC_T_BOOL},
	                          {"away_until", DC_T_STR}, {"deputy", DC_T_STR},
	                          {"created_at", DC_T_STR}},
	9};
const struct dc_rectype dc_rt_absence = {
	"absence",
	(const struct dc_field[]){{"id", DC_T_STR}, {"login", DC_T_STR}, {"from", DC_T_STR},
	                          {"until", DC_T_STR}, {"deputy", DC_T_STR}, {"note", DC_T_STR},
	                          {"active", DC_T_BOOL}, {"created_at", DC_T_STR}},
	8};
const struct dc_rectype dc_rt_holiday = {
	"holiday", (const struct dc_field[]){{"date", DC_T_STR}, {"name", DC_T_STR}}, 2};
const struct dc_rectype dc_rt_overview = {
	"overview",
	(const struct dc_field[]){{"login", DC_T_STR}, {"name", DC_T_STR}, {"dept", DC_T_STR},
	                          {"role", DC_T_STR}, {"open", DC_T_INT}, {"assigned", DC_T_INT},
	                          {"in_progress", DC_T_INT}, {"waiting", DC_T_INT},
	                          {"overdue", DC_T_INT}, {"oldest_open", DC_T_STR},
	                          {"away_until", DC_T_STR}, {"deputy", DC_T_STR}},
	12};

static void
now_text(struct dc *ctx, char buf[21])
{
	dc_fmt_time(dc_now(ctx), buf);
}

static void
today_text(struct dc *ctx, char buf[11])
{
	dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), buf);
}

static int
check_code(struct dc *ctx, const char *field, const char *v)
{
	if (!*v || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
	               strlen(v) || strlen(v) > 64)
		return dc_error(ctx, DC_EDATA,
		                "field '%s': '%s' is not a code (letters, digits, - _ ., at most 64)",
		                field, v);
	return 0;
}

/* A new department: dept add's operand and options, or a record's fields. */
struct dept_new {
	const char *code, *name, *email, *leitweg_id;
};

const struct dc_opt dc_org_dept_add_spec[] = {
	{"code", DC_V_TEXT, DC_O_REQUIRED | DC_O_OPERAND, NULL, "CODE", NULL, NULL,
	 DC_AT(struct dept_new, code)},
	{"name", DC_V_TEXT, DC_O_REQUIRED, NULL, "NAME", NULL, NULL, DC_AT(struct dept_new, name)},
	{"email", DC_V_TEXT, 0, NULL, "E", NULL, NULL, DC_AT(struct dept_new, email)},
	{"leitweg-id", DC_V_TEXT, 0, NULL, "ID", "leitweg_id", NULL,
	 DC_AT(struct dept_new, leitweg_id)},
	{NULL},
};

/* The department's own Leitweg-ID, which invoices to it may name (dc-order(1) BT-10). */
static int
check_leitweg(struct dc *ctx, const char *v)
{
	const char *why = NULL;

	if (!v || dc_leitweg_valid(v, &why))
		return 0;
	return dc_field_error(ctx, "field 'leitweg-id': '%s' %s", v,
	                      why ? why : "is not a Leitweg-ID");
}

int
dc_org_dept_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct dept_new d;
	char at[21];
	struct dc_event ev = {"dept", NULL, "created", NULL, NULL, NULL, 0};
	int rc;

	if ((rc = dc_require(ctx, "", "add departments")) ||
	    (rc = dc_decode(ctx, dc_org_dept_add_spec, rec, &d)) ||
	    (rc = check_code(ctx, "code", d.code)) || (rc = check_leitweg(ctx, d.leitweg_id)))
		return rc;
	if ((rc = dc_must_not_exist(ctx, "SELECT 1 FROM dept WHERE code = ?1", "department",
	                            d.code)))
		return rc;
	now_text(ctx, at);
	if ((rc = dc_exec(ctx, "INSERT INTO dept(code, name, email, leitweg_id, created_at)"
	                       " VALUES (?1, ?2, ?3, ?4, ?5)",
	                  5, d.code, d.name, d.email, d.leitweg_id, at)))
		return rc;
	ev.ref = d.code;
	ev.to = d.name;
	if ((rc = dc_audit(ctx, &ev)))
		return rc;
	return dc_touched(ctx, d.code, NULL);
}

int
dc_org_dept_list(struct dc *ctx, const char *code, struct dc_stmt **st)
{

	return dc_q_list(ctx, st,
	                 "SELECT d.code, d.name, d.email, d.leitweg_id,"
	                 " (SELECT group_concat(login, ',') FROM staff"
	                 "   WHERE dept = d.code AND role = 'head' AND active = 1),"
	                 " (SELECT count(*) FROM staff WHERE dept = d.code AND active = 1),"
	                 " (SELECT count(*) FROM cases WHERE dept = d.code"
	                 "   AND status IN ('new','assigned','in_progress','waiting')),"
	                 " d.created_at FROM dept d",
	                 "d.code = ?", code, NULL, NULL, " ORDER BY d.code");
}

/* dept set: name, email and Leitweg-ID (an empty --leitweg-id removes it). */
const struct dc_opt dc_org_dept_set_spec[] = {
	{"code", DC_V_TEXT, DC_O_REQUIRED | DC_O_OPERAND, NULL, "CODE...", NULL, NULL, DC_NOFIELD},
	{"name", DC_V_TEXT, 0, NULL, "NAME", NULL, NULL, DC_NOFIELD},
	{"email", DC_V_TEXT, 0, NULL, "E", NULL, NULL, DC_NOFIELD},
	{"leitweg-id", DC_V_TEXT, 0, NULL, "ID", NULL, NULL, DC_NOFIELD},
	{NULL},
};

int
dc_org_dept_set(struct dc *ctx, const char *code, struct dc_args *a)
{
	static const struct dc_setfield fields[] = {
	    {"name", "name", 0}, {"email", "email", 0}, {"leitweg-id", "leitweg_id", 0}};
	const char *lw = dc_arg(a, "leitweg-id");
	struct dc_event ev = {"dept", code, "changed", NULL, NULL, NULL, 0};
	char *note = NULL;
	int rc;

	if ((rc = dc_require(ctx, "", "change departments")) ||
	    (rc = check_leitweg(ctx, lw && *lw ? lw : NULL)) ||
	    (rc = dc_must_exist(ctx, "SELECT 1 FROM dept WHERE code = ?1", "department", code)))
		return rc;
	if (dc_arg(a, "name") && !*dc_arg(a, "name"))
		return dc_field_error(ctx, "field 'name': a department needs a name");
	if ((rc = dc_set_fields(ctx, "dept", "code", code, fields, 3, a, &note)))
		return rc;
	if (note) {
		/* an empty Leitweg-ID is none, not a text that no invoice can name */
		if (!(rc = dc_exec(ctx, "UPDATE dept SET leitweg_id = nullif(leitweg_id, ''),"
		                        " email = nullif(email, '') WHERE code = ?1", 1, code))) {
			ev.to = note;
			rc = dc_audit(ctx, &ev);
		}
		free(note);
	}
	return rc ? rc : dc_touched(ctx, code, NULL);
}

#define ROLES "admin " DC_STAFF

/* A new staff member: staff add's operand and options, or a record's fields. */
struct staff_new {
	const char *login, *name, *dept, *role, *email;
};

const struct dc_opt dc_org_staff_add_spec[] = {
	{"login", DC_V_TEXT, DC_O_REQUIRED | DC_O_OPERAND, NULL, "LOGIN", NULL, NULL,
	 DC_AT(struct staff_new, login)},
	{"name", DC_V_TEXT, DC_O_REQUIRED, NULL, "N", NULL, NULL, DC_AT(struct staff_new, name)},
	{"dept", DC_V_TEXT, 0, NULL, "CODE", NULL, NULL, DC_AT(struct staff_new, dept)},
	{"role", DC_V_ENUM, 0, ROLES, "R", NULL, NULL, DC_AT(struct staff_new, role)},
	{"email", DC_V_TEXT, 0, NULL, "E", NULL, NULL, DC_AT(struct staff_new, email)},
	{NULL},
};

const struct dc_opt dc_org_staff_set_spec[] = {
	{"login", DC_V_TEXT, DC_O_REQUIRED | DC_O_OPERAND, NULL, "LOGIN...", NULL, NULL,
	 DC_NOFIELD},
	{"role", DC_V_ENUM, 0, ROLES, "R", NULL, NULL, DC_NOFIELD},
	{"dept", DC_V_TEXT, 0, NULL, "D", NULL, NULL, DC_NOFIELD},
	{"active", DC_V_BOOL, 0, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{NULL},
};

/* The role itself is checked by the specs; a clerk and a head work in a department. */
static int
check_role(struct dc *ctx, const char *role, const char *dept)
{
	if ((!strcmp(role, "clerk") || !strcmp(role, "head")) && !dept)
		return dc_field_error(ctx, "field 'dept': a %s needs a department", role);
	return 0;
}

int
dc_org_dept_known(struct dc *ctx, const char *field, const char *dept)
{
	int rc, known;

	if (!dept)
		return 0;
	if ((rc = dc_exists(ctx, "SELECT 1 FROM dept WHERE code = ?1", dept, &known)))
		return rc;
	return known ? 0
	             : dc_error(ctx, DC_EDATA, "field '%s': unknown department '%s'", field, dept);
}

int
dc_org_staff_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct dc_event ev = {"staff", NULL, "created", NULL, NULL, NULL, 0};
	struct staff_new s;
	char at[21];
	int rc;

	if ((rc = dc_require(ctx, "", "add staff")) ||
	    (rc = dc_decode(ctx, dc_org_staff_add_spec, rec, &s)))
		return rc;
	if (!s.role)
		s.role = "clerk";
	if ((rc = check_code(ctx, "login", s.login)) || (rc = check_role(ctx, s.role, s.dept)) ||
	    (rc = dc_org_dept_known(ctx, "dept", s.dept)))
		return rc;
	if ((rc = dc_must_not_exist(ctx, "SELECT 1 FROM staff WHERE login = ?1", "staff", s.login)))
		return rc;
	now_text(ctx, at);
	if ((rc = dc_exec(ctx, "INSERT INTO staff(login, name, dept, role, email, active, created_at)"
	                       " VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
	                  6, s.login, s.name, s.dept, s.role, s.email, at)))
		return rc;
	ev.ref = s.login;
	ev.to = s.role;
	ev.note = s.dept;
	if ((rc = dc_audit(ctx, &ev)))
		return rc;
	return dc_touched(ctx, s.login, NULL);
}

int
dc_org_staff_set(struct dc *ctx, const char *login, struct dc_args *a)
{
	const char *role = dc_arg(a, "role"), *dept = dc_arg(a, "dept");
	/* checked as true/false (or 1/0, yes/no) by the spec */
	const char *active = !dc_arg(a, "active") ? NULL : dc_flag(a, "active") ? "true" : "false";
	struct dc_stmt *st = NULL;
	char *oldrole = NULL, *olddept = NULL, *change;
	struct dc_event ev = {"staff", login, "changed", NULL, NULL, NULL, 0};
	int rc;

	if ((rc = dc_require(ctx, "", "change staff")))
		return rc;
	if ((rc = dc_prepare(ctx, &st, "SELECT role, dept FROM staff WHERE login = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, login);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		oldrole = dc_strdup(dc_col_text(st, 0));
		olddept = dc_strdup(dc_col_text(st, 1));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no staff '%s'", login);
	dc_finish(ctx, st);
	if (rc)
		goto done;
	if ((rc = check_role(ctx, role ? role : oldrole, dept ? dept : olddept)) ||
	    (rc = dc_org_dept_known(ctx, "dept", dept)))
		goto done;
	if ((rc = dc_exec(ctx, "UPDATE staff SET role = coalesce(?2, role), dept = coalesce(?3, dept),"
	                       " active = coalesce(" DC_SQL_FLAG("?4") ", active) WHERE login = ?1",
	                  4, login, role, dept, active)))
		goto done;
	change = dc_printf("role=%s dept=%s active=%s", role ? role : oldrole,
	                   dept ? dept : olddept ? olddept : "", active ? active : "unchanged");
	ev.to = change;
	rc = dc_audit(ctx, &ev);
	free(change);
	if (!rc)
		rc = dc_touched(ctx, login, NULL);
done:
	free(oldrole);
	free(olddept);
	return rc;
}

/* The columns of a staff record; ?1 is today's local date. */
#define STAFF_SELECT                                                                           \
	"SELECT s.login, s.name, s.dept, s.role, s.email, s.active,"                               \
	" (SELECT max(until_date) FROM absence a WHERE a.login = s.login"                          \
	"   AND a.from_date <= ?1 AND a.until_date >= ?1),"                                        \
	" (SELECT deputy FROM absence a WHERE a.login = s.login"                                   \
	"   AND a.from_date <= ?1 AND a.until_date >= ?1 ORDER BY a.id DESC LIMIT 1),"             \
	" s.created_at FROM staff s "

int
dc_org_staff_list(struct dc *ctx, const char *login, const char *dept, struct dc_stmt **st)
{
	char today[11];
	struct dc_q q = {0};
	int rc;

	/* names, e-mails and roles of the staff are for the staff (dcity(7) "Identity and roles") */
	if ((rc = dc_require(ctx, DC_STAFF, "see the staff directory")))
		return rc;
	today_text(ctx, today);
	dc_q_param(&q, today);
	dc_q_sql(&q, STAFF_SELECT);
	dc_q_where_if(&q, "s.login = ?", login);
	dc_q_where_if(&q, "s.dept = ?", dept);
	dc_q_sql(&q, " ORDER BY s.login");
	return dc_q_prepare(ctx, &q, st);
}

/* Head of LOGIN's department (or admin) manages absences; staff may also record their own. */
static int
may_manage(struct dc *ctx, const char *login)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (dc_is_admin(ctx) || !strcmp(ctx->actor, login))
		return 0;
	if (!strcmp(ctx->role, "head")) {
		if ((rc = dc_prepare(ctx, &st, "SELECT 1 FROM staff WHERE login = ?1 AND dept = ?2")))
			return rc;
		dc_bind_text_ref(st, 1, login);
		dc_bind_text_ref(st, 2, ctx->dept);
		rc = dc_step(ctx, st);
		dc_finish(ctx, st);
		if (rc != 0)
			return rc == DC_ROW ? 0 : rc;
	}
	return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not manage absences of '%s'",
	                ctx->actor, login);
}

static int
active_staff(struct dc *ctx, const char *field, const char *login)
{
	int rc = dc_must_exist(ctx, "SELECT 1 FROM staff WHERE login = ?1 AND active = 1",
	                       "active staff", login);

	return rc ? dc_error_prefix(ctx, "field '%s'", field) : 0;
}

/* An absence: away's operand and options, or a record's fields. */
struct absence_new {
	const char *login, *deputy, *note;
	long from, until;
};

const struct dc_opt dc_org_away_spec[] = {
	{"login", DC_V_TEXT, DC_O_REQUIRED | DC_O_OPERAND, NULL, "LOGIN", NULL, NULL,
	 DC_AT(struct absence_new, login)},
	{"from", DC_V_DATE, DC_O_REQUIRED, NULL, "DATE", NULL, NULL,
	 DC_AT(struct absence_new, from)},
	{"until", DC_V_DATE, DC_O_REQUIRED, NULL, "DATE", NULL, NULL,
	 DC_AT(struct absence_new, until)},
	{"deputy", DC_V_TEXT, DC_O_REQUIRED, NULL, "LOGIN", NULL, NULL,
	 DC_AT(struct absence_new, deputy)},
	{"note", DC_V_TEXT, DC_O_LINES, NULL, "TEXT", NULL, NULL, DC_AT(struct absence_new, note)},
	{NULL},
};

int
dc_org_away(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct absence_new n;
	struct dc_event ev = {"staff", NULL, "away", NULL, NULL, NULL, 0};
	struct dc_stmt *st = NULL;
	char at[21], from[11], until[11], *id = NULL;
	int rc;

	if ((rc = dc_decode(ctx, dc_org_away_spec, rec, &n)))
		return rc;
	dc_fmt_date(n.from, from);
	dc_fmt_date(n.until, until);
	if (n.until < n.from)
		return dc_error(ctx, DC_EDATA, "field 'until': %s is before %s", until, from);
	if (!strcmp(n.login, n.deputy))
		return dc_error(ctx, DC_EDATA,
		                "field 'deputy': '%s' cannot deputise for themselves", n.login);
	if ((rc = active_staff(ctx, "login", n.login)) ||
	    (rc = active_staff(ctx, "deputy", n.deputy)) || (rc = may_manage(ctx, n.login)))
		return rc;
	now_text(ctx, at);
	if ((rc = dc_prepare(ctx, &st, "INSERT INTO absence(login, from_date, until_date, deputy, note,"
	                               " created_at) VALUES (?1,?2,?3,?4,?5,?6) RETURNING id")))
		return rc;
	dc_bind_text_ref(st, 1, n.login);
	dc_bind_text_ref(st, 2, from);
	dc_bind_text_ref(st, 3, until);
	dc_bind_text_ref(st, 4, n.deputy);
	dc_bind_text_ref(st, 5, n.note);
	dc_bind_text_ref(st, 6, at);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		id = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	}
	dc_finish(ctx, st);
	if (rc)
		return rc;
	ev.ref = n.login;
	ev.from = from;
	ev.to = until;
	ev.note = n.deputy;
	if (!(rc = dc_audit(ctx, &ev)))
		rc = dc_touched(ctx, id, NULL);
	free(id);
	return rc;
}

int
dc_org_back(struct dc *ctx, const char *login, struct dc_args *a)
{
	struct dc_event ev = {"staff", login, "back", NULL, NULL, NULL, 0};
	struct dc_stmt *st = NULL;
	char today[11], yesterday[11];
	int rc, n = 0;

	if ((rc = active_staff(ctx, "login", login)) || (rc = may_manage(ctx, login)))
		return rc;
	today_text(ctx, today);
	dc_fmt_date(dc_local_days(ctx, dc_now(ctx)) - 1, yesterday);
	/* An absence that has begun ends yesterday; one that has not begun is dropped. */
	if ((rc = dc_prepare(ctx, &st, "UPDATE absence SET until_date = ?3 WHERE login = ?1"
	                               " AND from_date < ?2 AND until_date >= ?2 RETURNING id")))
		return rc;
	dc_bind_text_ref(st, 1, login);
	dc_bind_text_ref(st, 2, today);
	dc_bind_text_ref(st, 3, yesterday);
	while ((rc = dc_step(ctx, st)) == DC_ROW &&
	       !(rc = dc_touched(ctx, dc_col_text(st, 0), NULL)))
		n++;
	dc_finish(ctx, st);
	if (rc > 0)
		return rc;
	if ((rc = dc_prepare(ctx, &st, "DELETE FROM absence WHERE login = ?1 AND from_date >= ?2"
	                               " AND from_date <= ?2 RETURNING id")))
		return rc;
	dc_bind_text_ref(st, 1, login);
	dc_bind_text_ref(st, 2, today);
	while ((rc = dc_step(ctx, st)) == DC_ROW)
		n++;
	dc_finish(ctx, st);
	if (rc > 0)
		return rc;
	if (!n)
		return dc_error(ctx, DC_ECONFLICT, "'%s' is not away today", login);
	ev.to = today;
	return dc_audit(ctx, &ev);
}

int
dc_org_away_list(struct dc *ctx, const char *dept, const char *at, const char *id,
                 struct dc_stmt **st)
{
	char today[11];
	struct dc_q q = {0};
	long d;
	int rc;

	/* who is away, until when and who stands in: for the staff, as the directory is */
	if ((rc = dc_require(ctx, DC_STAFF, "see absences")))
		return rc;
	if (at && dc_parse_date(at, &d) < 0)
		return dc_error(ctx, DC_EUSAGE, "--at: '%s' is not a date (YYYY-MM-DD)", at);
	today_text(ctx, today);
	dc_q_param(&q, today);
	dc_q_sql(&q, "SELECT a.id, a.login, a.from_date, a.until_date, a.deputy, a.note,"
	             " a.from_date <= ?1 AND a.until_date >= ?1, a.created_at"
	             " FROM absence a JOIN staff s ON s.login = a.login");
	dc_q_where_if(&q, "s.dept = ?", dept);
	dc_q_where_if(&q, "a.from_date <= ? AND a.until_date >= ?", at);
	dc_q_where_if(&q, "a.id = ?", id);
	/* without a day or an id: the current and coming ones */
	if (!at && !id)
		dc_q_where(&q, "a.until_date >= ?1");
	dc_q_sql(&q, " ORDER BY a.from_date, a.login");
	return dc_q_prepare(ctx, &q, st);
}

int
dc_org_is_deputy(struct dc *ctx, const char *actor, const char *assignee, int *yes)
{
	struct dc_stmt *st = NULL;
	char today[11];
	int rc;

	*yes = 0;
	if (!assignee)
		return 0;
	/* Only the clock decides: no job has to end a deputyship (dc-assign(1)). */
	today_text(ctx, today);
	if ((rc = dc_prepare(ctx, &st, "SELECT 1 FROM absence WHERE login = ?1 AND deputy = ?2"
	                               " AND from_date <= ?3 AND until_date >= ?3")))
		return rc;
	dc_bind_text_ref(st, 1, assignee);
	dc_bind_text_ref(st, 2, actor);
	dc_bind_text_ref(st, 3, today);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*yes = 1;
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

/* A holiday: holiday add's two operands, or a record's fields. */
struct holiday_new {
	long date;
	const char *name;
};

const struct dc_opt dc_org_holiday_add_spec[] = {
	{"date", DC_V_DATE, DC_O_REQUIRED | DC_O_OPERAND, NULL, "DATE", NULL, NULL,
	 DC_AT(struct holiday_new, date)},
	{"name", DC_V_TEXT, DC_O_REQUIRED | DC_O_OPERAND, NULL, "NAME", NULL, NULL,
	 DC_AT(struct holiday_new, name)},
	{NULL},
};

int
dc_org_holiday_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct holiday_new h;
	struct dc_event ev = {"holiday", NULL, "created", NULL, NULL, NULL, 0};
	char date[11];
	int rc;

	if ((rc = dc_require(ctx, "", "add holidays")) ||
	    (rc = dc_decode(ctx, dc_org_holiday_add_spec, rec, &h)))
		return rc;
	dc_fmt_date(h.date, date);
	if ((rc = dc_exec(ctx, "INSERT INTO holiday(date, name) VALUES (?1, ?2)"
	                       " ON CONFLICT(date) DO UPDATE SET name = excluded.name",
	                  2, date, h.name)))
		return rc;
	ev.ref = date;
	ev.to = h.name;
	if ((rc = dc_audit(ctx, &ev)))
		return rc;
	return dc_touched(ctx, date, NULL);
}

int
dc_org_holiday_list(struct dc *ctx, const char *date, struct dc_stmt **st)
{

	return dc_q_list(ctx, st,
	                 "SELECT date, name FROM holiday",
	                 "date = ?", date, NULL, NULL, " ORDER BY date");
}

int
dc_org_add_business_days(struct dc *ctx, long from, int n, long *out)
{
	struct dc_stmt *st = NULL;
	char date[11];
	long d = from;
	int rc = 0;

	if ((rc = dc_prepare(ctx, &st, "SELECT 1 FROM holiday WHERE date = ?1")))
		return rc;
	while (n > 0) {
		d++;
		if (dc_weekday(d) >= 5)
			continue;
		dc_fmt_date(d, date);
		dc_reset(st);
		dc_bind_text_ref(st, 1, date);
		if ((rc = dc_step(ctx, st)) == DC_ROW)
			continue;
		if (rc)
			break;
		n--;
	}
	dc_finish(ctx, st);
	*out = d;
	return rc > 0 ? rc : 0;
}

int
dc_org_overview(struct dc *ctx, const char *dept, struct dc_stmt **st)
{
	char now[21], today[11];
	struct dc_q q = {0};

	dc_fmt_time(dc_now(ctx), now);
	today_text(ctx, today);
	dc_q_param(&q, now);
	dc_q_param(&q, today);
	dc_q_sql(&q, "SELECT s.login, s.name, s.dept, s.role,"
	             " count(c.id),"
	             " count(c.id) FILTER (WHERE c.status = 'assigned'),"
	             " count(c.id) FILTER (WHERE c.status = 'in_progress'),"
	             " count(c.id) FILTER (WHERE c.status = 'waiting'),"
	             " count(c.id) FILTER (WHERE c.due_at < ?1),"
	             " min(c.created_at),"
	             " (SELECT max(until_date) FROM absence a WHERE a.login = s.login"
	             "   AND a.from_date <= ?2 AND a.until_date >= ?2),"
	             " (SELECT deputy FROM absence a WHERE a.login = s.login"
	             "   AND a.from_date <= ?2 AND a.until_date >= ?2 ORDER BY a.id DESC LIMIT 1)"
	             " FROM staff s LEFT JOIN cases c ON c.assignee = s.login"
	             "  AND c.status IN ('assigned', 'in_progress', 'waiting')");
	dc_q_where(&q, "s.active = 1 AND s.dept IS NOT NULL");
	dc_q_where_if(&q, "s.dept = ?", dept);
	dc_q_sql(&q, " GROUP BY s.login UNION ALL ");
	dc_q_select(&q, "SELECT '(queue)', d.name, d.code, NULL,"
	                " count(c.id), 0, 0, 0, count(c.id) FILTER (WHERE c.due_at < ?1),"
	                " min(c.created_at), NULL, NULL"
	                " FROM dept d LEFT JOIN cases c ON c.dept = d.code AND c.status = 'new'");
	dc_q_where_if(&q, "d.code = ?", dept);
	dc_q_sql(&q, " GROUP BY d.code ORDER BY 3, 1");
	return dc_q_prepare(ctx, &q, st);
}
