/* Cases: the record types, what every case verb needs (loading a case, who may work on and
 * read it, notifying the reporter, events), show and list.  Intake is in intake.c, the status
 * machine and notes in status.c, purge in purge.c, queue work in queue.c. */
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cases/internal.h"
#include "org/org.h"

#define CASE_FIELDS                                                                            \
	{"id", DC_T_STR}, {"service", DC_T_STR}, {"service_name", DC_T_STR}, {"kind", DC_T_STR},   \
	    {"department", DC_T_STR}, {"status", DC_T_STR}, {"assignee", DC_T_STR},                \
	    {"priority", DC_T_STR}, {"description", DC_T_STR}, {"address", DC_T_STR},              \
	    {"district", DC_T_STR}, {"lat", DC_T_REAL}, {"lon", DC_T_REAL},                        \
	    {"attributes", DC_T_JSON}, {"media", DC_T_JSON}, {"reporter.name", DC_T_STR},          \
	    {"reporter.email", DC_T_STR}, {"reporter.phone", DC_T_STR}, {"channel", DC_T_STR},     \
	    {"external_id", DC_T_STR}, {"duplicate_of", DC_T_STR}, {"created_at", DC_T_STR},       \
	    {"updated_at", DC_T_STR}, {"due_at", DC_T_STR}, {"closed_at", DC_T_STR},               \
	    {"overdue", DC_T_BOOL}, {"hold.reason", DC_T_STR}, {"hold.by", DC_T_STR},              \
	{                                                                                          \
		"hold.at", DC_T_STR                                                                \
	}
#define NCASE 29

const struct dc_rectype dc_rt_case = {"case", (const struct dc_field[]){CASE_FIELDS}, NCASE};
const struct dc_rectype dc_rt_case_new = {
	"case", (const struct dc_field[]){CASE_FIELDS, {"token", DC_T_STR}}, NCASE + 1};
const struct dc_rectype dc_rt_task = {
	"case", (const struct dc_field[]){CASE_FIELDS, {"on_behalf_of", DC_T_STR}}, NCASE + 1};
const struct dc_rectype dc_rt_event = {
	"event",
	(const struct dc_field[]){{"id", DC_T_INT}, {"case", DC_T_STR}, {"at", DC_T_STR},
	                          {"kind", DC_T_STR}, {"actor", DC_T_STR},
	                          {"on_behalf_of", DC_T_STR}, {"from", DC_T_STR}, {"to", DC_T_STR},
	                          {"note", DC_T_STR}, {"visibility", DC_T_STR}},
	10};
const struct dc_rectype dc_rt_track = {
	"track",
	(const struct dc_field[]){{"id", DC_T_STR}, {"service_name", DC_T_STR}, {"kind", DC_T_STR},
	                          {"status", DC_T_STR}, {"open311_status", DC_T_STR},
	                          {"department", DC_T_STR}, {"description", DC_T_STR},
	                          {"address", DC_T_STR}, {"district", DC_T_STR},
	                          {"created_at", DC_T_STR}, {"updated_at", DC_T_STR},
	                          {"due_at", DC_T_STR}, {"closed_at", DC_T_STR},
	                          {"updates", DC_T_JSON}},
	14};

void
dc_cases_free(struct casex *c)
{
	free(c->id);
	free(c->dept);
	free(c->status);
	free(c->assignee);
	free(c->email);
	free(c->name);
	free(c->lang);
	free(c->service_name);
	free(c->dept_name);
	free(c->created_at);
	free(c->due_at);
	memset(c, 0, sizeof *c);
}

int
dc_cases_load(struct dc *ctx, const char *id, struct casex *c)
{
	struct dc_stmt *st = NULL;
	int rc;

	memset(c, 0, sizeof *c);
	/* A login that is no staff may do nothing with a case by its id (dc-case track, with its
	 * token, is the citizen's way): refused before the lookup, so that an existing id and an
	 * unknown one get the same answer and ids cannot be probed. */
	if ((rc = dc_require(ctx, DC_STAFF, "see or change cases")))
		return rc;
	if ((rc = dc_prepare(ctx, &st, "SELECT c.id, c.dept, c.status, c.assignee, c.reporter_email,"
	                               " c.reporter_name, c.lang, s.name, d.name, c.created_at, c.due_at"
	                               " FROM cases c JOIN service s ON s.code = c.service"
	                               " LEFT JOIN dept d ON d.code = c.dept WHERE c.id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		char **f[] = {&c->id,   &c->dept,         &c->status,    &c->assignee,
		              &c->email, &c->name,        &c->lang,      &c->service_name,
		              &c->dept_name, &c->created_at, &c->due_at};

		for (int i = 0; i < 11; i++)
			*f[i] = dc_strdup(dc_col_text(st, i));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no case '%s'", id);
	dc_finish(ctx, st);
	return rc;
}

int
dc_cases_same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/*
 * May the actor work on this case?  Admin always; a head for the department; a clerk for a
 * case of the department that is unassigned or theirs; anyone who is today's deputy of the
 * assignee, recorded as acting on the assignee's behalf (dc-assign(1)).
 */
int
dc_cases_may_work(struct dc *ctx, const struct casex *c)
{
	int rc, deputy = 0;

	ctx->on_behalf_of = NULL;
	if ((rc = dc_whoami(ctx)))
		return rc;
	if (dc_is_admin(ctx))
		return 0;
	if (!strcmp(ctx->role, "head") && dc_cases_same(ctx->dept, c->dept))
		return 0;
	if (!strcmp(ctx->role, "clerk") && dc_cases_same(ctx->dept, c->dept) &&
	    (!c->assignee || dc_cases_same(c->assignee, ctx->actor)))
		return 0;
	if (*ctx->role && c->assignee &&
	    (rc = dc_org_is_deputy(ctx, ctx->actor, c->assignee, &deputy)))
		return rc;
	if (deputy) {
		ctx->on_behalf_of = c->assignee;
		return 0;
	}
	if (c->assignee && !strcmp(ctx->role, "clerk") && dc_cases_same(ctx->dept, c->dept))
		return dc_error(ctx, DC_EPERM, "permission denied: case '%s' is assigned to '%s'", c->id,
		                c->assignee);
	return dc_error(ctx, DC_EPERM, "permission denied: '%s'%s%s%s may not work on case '%s'",
	                ctx->actor, *ctx->role ? " (" : "", ctx->role, *ctx->role ? ")" : "", c->id);
}

/* Read access: admin, auditor, integrator everything; head and clerk their department's cases
 * and those they deputise for. */
int
dc_cases_may_read(struct dc *ctx, const struct casex *c)
{
	int rc, deputy = 0;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (dc_has_role(ctx, "auditor integrator"))
		return 0;
	if (dc_has_role(ctx, "head clerk") && dc_cases_same(ctx->dept, c->dept))
		return 0;
	if (*ctx->role && (rc = dc_org_is_deputy(ctx, ctx->actor, c->assignee, &deputy)))
		return rc;
	return deputy ? 0
	              : dc_error(ctx, DC_EPERM, "permission denied: '%s' may not read case '%s'",
	                         ctx->actor, c->id);
}

void
dc_cases_now(struct dc *ctx, char buf[21])
{
	dc_fmt_time(dc_now(ctx), buf);
}

/* Put VALUE in place of each NAME ("{id}") in URL; free URL, return the new text. */
static char *
fill(char *url, const char *name, const char *value)
{
	size_t at = 0;
	char *p;

	while ((p = strstr(url + at, name))) {
		char *next;

		*p = '\0';
		next = dc_printf("%s%s%s", url, value, p + strlen(name));
		at = (size_t)(p - url) + strlen(value); /* on after the value, whatever it holds */
		free(url);
		url = next;
	}
	return url;
}

/* Without the token (known only at intake), the query parameter or path segment that holds
 * "{token}" goes, so that no link ends in a placeholder or an empty "?token=". */
static char *
drop_token(char *url)
{
	char *p, *from, *to;

	while ((p = strstr(url, "{token}"))) {
		for (from = p; from > url && !strchr("?&/#", from[-1]); from--)
			;
		to = p + strcspn(p, "?&/#");
		if (from > url && from[-1] == '&')
			from--; /* "…&token={token}" */
		else if (from > url && strchr("?/", from[-1]) && *to && strchr("&/", *to))
			to++; /* "?token={token}&x", "/{token}/x": what follows takes its place */
		else if (from > url && strchr("?/#", from[-1]) && (!*to || *to == '#'))
			from--; /* "…?token={token}", "…/{token}" at the end */
		memmove(from, to, strlen(to) + 1);
	}
	return url;
}

char *
dc_cases_track_url(struct dc *ctx, const char *id, const char *token)
{
	char *url = dc_setting(ctx, "track.url");

	if (!url)
		return dc_strdup("");
	url = fill(url, "{id}", id);
	return token ? fill(url, "{token}", token) : drop_token(url);
}

const char *
dc_cases_status_text(const char *status, int en)
{
	static const char *const t[][3] = {
		{"new", "eingegangen", "received"},
		{"assigned", "in Bearbeitung (zugewiesen)", "assigned to a clerk"},
		{"in_progress", "in Bearbeitung", "in progress"},
		{"waiting", "wartet auf Rückmeldung", "waiting for a reply"},
		{"resolved", "erledigt", "resolved"},
		{"closed", "abgeschlossen", "closed"},
		{"rejected", "abgelehnt", "rejected"},
		{"duplicate", "bereits gemeldet (Duplikat)", "already reported (duplicate)"},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (!strcmp(t[i][0], status))
			return t[i][en ? 2 : 1];
	return status;
}

/* Queue a notification to the reporter, if the case has an email. */
int
dc_cases_notify(struct dc *ctx, const struct casex *c, const char *tmpl, const char *status,
                const char *note)
{
	char *city, *url, *lang, *due, *created;
	const char *vars[24];
	int rc, en;

	if (!c->email)
		return 0;
	city = dc_setting(ctx, "city.name");
	url = dc_cases_track_url(ctx, c->id, c->token);
	lang = c->lang ? dc_strdup(c->lang) : dc_setting(ctx, "lang");
	en = dc_cases_same(lang, "en");
	vars[0] = "id", vars[1] = c->id, vars[2] = "service_name", vars[3] = c->service_name;
	vars[4] = "name", vars[5] = c->name ? c->name : "";
	vars[6] = "city", vars[7] = city, vars[8] = "track_url", vars[9] = url;
	vars[10] = "status_text", vars[11] = status ? dc_cases_status_text(status, en) : "";
	vars[12] = "note", vars[13] = note ? note : "";
	/* dates as the reader reads them: local time, in the letter's language */
	due = dc_instant_text(ctx, c->due_at, lang, 0);
	created = dc_instant_text(ctx, c->created_at, lang, 1);
	vars[14] = "department", vars[15] = c->dept_name ? c->dept_name : c->dept;
	vars[16] = "created_at", vars[17] = created, vars[18] = "due_date", vars[19] = due;
	vars[20] = NULL;
	rc = dc_outbox_add_secret(ctx, tmpl, lang, c->email, "case", c->id, vars, c->token);
	free(city);
	free(url);
	free(lang);
	free(due);
	free(created);
	return rc;
}

/* Notes that clerks and citizens write may name people, so purge must be able to erase them
 * (dc_audit_purge); the system's own notes at intake (service name, district) do not. */
int
dc_cases_event(struct dc *ctx, const char *id, const char *kind, const char *from,
               const char *to, const char *note, int public)
{
	struct dc_event ev = {"case", id, kind, from, to, note, public};

	return strcmp(kind, "created") && strcmp(kind, "routed") ? dc_audit_personal(ctx, &ev)
	                                                         : dc_audit(ctx, &ev);
}


int
dc_case_show(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;
	char now[21];
	const char *vals[NCASE + 1];
	int rc, i;

	if ((rc = dc_prepare(ctx, &st, CASE_SELECT "WHERE c.id = ?2")))
		return rc;
	dc_cases_now(ctx, now);
	dc_bind_text_ref(st, 1, now);
	dc_bind_text_ref(st, 2, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		for (i = 0; i < NCASE; i++)
			vals[i] = dc_col_text(st, i);
		vals[NCASE] = extra;
		rc = dc_out_row(ctx, vals);
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no case '%s'", id);
	dc_finish(ctx, st);
	return rc;
}

#define CASE_PRIORITIES "low normal high urgent"

/* dc-case list's filters (and dc-export cases'): each given one adds its condition. */
const struct dc_opt dc_case_list_spec[] = {
	{"status", DC_V_ENUM, DC_O_LIST, DC_CASE_STATUSES, "S", NULL, "c.status IN (?)", DC_NOFIELD},
	{"open", DC_V_FLAG, 0, NULL, NULL, NULL, "c.status IN " OPEN_STATUSES, DC_NOFIELD},
	{"service", DC_V_TEXT, 0, NULL, "C", NULL, "c.service = ?", DC_NOFIELD},
	{"priority", DC_V_ENUM, DC_O_LIST, CASE_PRIORITIES, "P", NULL, "c.priority IN (?)",
	 DC_NOFIELD},
	{"department", DC_V_TEXT, 0, NULL, "D", NULL, "c.dept = ?", DC_NOFIELD},
	{"assignee", DC_V_TEXT, 0, NULL, "L", NULL, "c.assignee = ?", DC_NOFIELD},
	{"district", DC_V_TEXT, 0, NULL, "D", NULL, "c.district = ?", DC_NOFIELD},
	{"reporter", DC_V_TEXT, 0, NULL, "EMAIL", NULL, "c.reporter_email = ? COLLATE NOCASE",
	 DC_NOFIELD},
	{"since", DC_V_DATE, DC_O_DAYSTART, NULL, "DATE", NULL, "c.created_at >= ?", DC_NOFIELD},
	{"until", DC_V_DATE, DC_O_DAYEND, NULL, "DATE", NULL, "c.created_at <= ?", DC_NOFIELD},
	{"overdue", DC_V_FLAG, 0, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{"search", DC_V_TEXT, 0, NULL, "TEXT", NULL,
	 "instr(dc_fold(coalesce(c.description, '') || ' ' || coalesce(c.address, '') || ' ' ||"
	 " s.name || ' ' || c.id), dc_fold(?)) > 0",
	 DC_NOFIELD},
	{"sort", DC_V_ENUM, 0,
	 "id -id created_at -created_at updated_at -updated_at due_at -due_at status -status"
	 " priority -priority service -service department -department",
	 "[-]FIELD", NULL, NULL, DC_NOFIELD},
	{"limit", DC_V_INT, 0, "0..1000000000", "N", NULL, NULL, DC_NOFIELD},
	{NULL},
};

/* Listing with filters; clerks and heads see their department (and cases they deputise). */
int
dc_case_list(struct dc *ctx, struct dc_args *f, struct dc_stmt **st)
{
	const char *sort = dc_arg(f, "sort"), *order = "c.created_at, c.id";
	char now[21], today[11], orderbuf[128];
	struct dc_q q = {0};
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (!dc_has_role(ctx, "auditor integrator head clerk"))
		return dc_error(ctx, DC_EPERM, "permission denied: '%s' may not list cases", ctx->actor);
	if ((rc = dc_decode(ctx, dc_case_list_spec, f, NULL)))
		return rc;
	if (sort) {
		const char *field = sort + (*sort == '-'), *desc = *sort == '-' ? " DESC" : "";

		if (!strcmp(field, "priority"))
			snprintf(orderbuf, sizeof orderbuf,
			         "CASE c.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1"
			         " WHEN 'normal' THEN 2 ELSE 3 END%s, c.id",
			         desc);
		else
			/* field is one of the spec's values, never the user's own text */
			snprintf(orderbuf, sizeof orderbuf, "c.%s%s, c.id",
			         !strcmp(field, "department") ? "dept" : field, desc);
		order = orderbuf;
	}
	dc_cases_now(ctx, now);
	dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), today);
	/* the first parameter is now, for CASE_COLS' ?1 and the overdue filter */
	dc_q_param(&q, now);
	dc_q_sql(&q, "SELECT " CASE_COLS CASE_FROM);
	if ((rc = dc_q_where_spec(ctx, &q, dc_case_list_spec, f)))
		goto done;
	if (dc_flag(f, "overdue"))
		dc_q_where(&q, "c.due_at < ?1 AND c.status IN " OPEN_STATUSES);
	if (!dc_has_role(ctx, "auditor integrator")) {
		/* their department, and the cases of those they stand in for today */
		dc_q_open(&q);
		dc_q_text(&q, "c.dept = ?", ctx->dept ? ctx->dept : "");
		dc_q_text(&q, " OR c.assignee IN (SELECT login FROM absence WHERE deputy = ?",
		          ctx->actor);
		dc_q_text(&q, " AND from_date <= ? AND until_date >= ?)", today);
		dc_q_close(&q);
	}
	dc_q_sql(&q, " ORDER BY ");
	dc_q_sql(&q, order);
	if (dc_arg(f, "limit"))
		dc_q_int(&q, " LIMIT ?", strtol(dc_arg(f, "limit"), NULL, 10));
	return dc_q_prepare(ctx, &q, st);
done:
	dc_q_free(&q);
	return rc;
}
