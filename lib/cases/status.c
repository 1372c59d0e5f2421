/* Cases: the status machine, notes, history, the citizen's tracking view, verify. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cases/cases.h"
#include "cases/internal.h"

static const struct {
	const char *from, *to;
} transitions[] = {
	{"new", "assigned"},         {"new", "in_progress"},      {"new", "rejected"},
	{"new", "duplicate"},        {"assigned", "in_progress"}, {"assigned", "waiting"},
	{"assigned", "resolved"},    {"assigned", "rejected"},    {"assigned", "duplicate"},
	{"assigned", "new"},         {"in_progress", "waiting"},  {"in_progress", "resolved"},
	{"in_progress", "rejected"}, {"in_progress", "duplicate"}, {"in_progress", "new"},
	{"waiting", "in_progress"},  {"waiting", "resolved"},     {"waiting", "rejected"},
	{"resolved", "closed"},      {"resolved", "in_progress"}, {"closed", "in_progress"},
	{"rejected", "in_progress"}, {"duplicate", "in_progress"},
};

/* dc-case status's STATUS operand: an unknown status is a usage error (64) naming the
 * statuses; a known one the case cannot reach from where it is, a conflict (3). */
const struct dc_opt dc_case_status_spec[] = {
	{"status", DC_V_ENUM, DC_O_REQUIRED | DC_O_OPERAND, DC_CASE_STATUSES, "STATUS", NULL, NULL,
	 DC_NOFIELD},
	{NULL},
};

int
dc_cases_allowed(const char *from, const char *to)
{
	for (size_t i = 0; i < sizeof transitions / sizeof *transitions; i++)
		if (!strcmp(transitions[i].from, from) && !strcmp(transitions[i].to, to))
			return 1;
	return 0;
}

int
dc_cases_is_closed(const char *s)
{
	return !strcmp(s, "closed") || !strcmp(s, "rejected") || !strcmp(s, "duplicate") ||
	       !strcmp(s, "resolved");
}

/* Move a loaded case to status `to`, with the assignee it has afterwards; records the event
 * (public) and queues the reporter's notification. */
int
dc_cases_move(struct dc *ctx, struct casex *c, const char *to, const char *assignee,
              const char *note, const char *dup, const char *kind)
{
	char now[21];
	int rc;

	dc_cases_now(ctx, now);
	if ((rc = dc_exec(ctx, "UPDATE cases SET status = ?2, assignee = ?3, updated_at = ?4,"
	                       " duplicate_of = CASE WHEN ?2 = 'duplicate' THEN ?5 ELSE duplicate_of END,"
	                       " closed_at = CASE WHEN ?6 = '1' THEN coalesce(closed_at, ?4)"
	                       "  WHEN ?2 IN ('closed') THEN ?4 ELSE NULL END WHERE id = ?1",
	                  6, c->id, to, assignee, now, dup,
	                  dc_cases_is_closed(to) && strcmp(to, "closed") ? "1" : "0")))
		return rc;
	if (strcmp(c->status, to) &&
	    (rc = dc_cases_event(ctx, c->id, "status", c->status, to, note, 1)))
		return rc;
	if (kind && (rc = dc_cases_event(ctx, c->id, kind, c->assignee, assignee, NULL, 0)))
		return rc;
	if (strcmp(c->status, to) && (rc = dc_cases_notify(ctx, c, "case-status", to, note)))
		return rc;
	return dc_touched(ctx, c->id, NULL);
}

int
dc_case_set_status(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *to = dc_arg(a, "status"), *dup = dc_arg(a, "duplicate-of");
	const char *assignee;
	struct casex c;
	int rc, known;

	if ((rc = dc_cases_load(ctx, id, &c)))
		return rc;
	if ((rc = dc_cases_may_work(ctx, &c)))
		goto done;
	if (!dc_cases_allowed(c.status, to)) {
		rc = dc_error(ctx, DC_ECONFLICT, "case '%s' cannot go from '%s' to '%s'", id, c.status, to);
		goto done;
	}
	/* reopening an unassigned case puts it back into the queue (dc-case(1)) */
	if (!strcmp(to, "in_progress") && dc_cases_is_closed(c.status) && strcmp(c.status, "resolved") &&
	    !c.assignee)
		to = "new";
	if (!strcmp(to, "duplicate")) {
		if (!dup) {
			rc = dc_error(ctx, DC_EUSAGE, "status 'duplicate' needs --duplicate-of ID");
			goto done;
		}
		if ((rc = dc_exists(ctx, "SELECT 1 FROM cases WHERE id = ?1", dup, &known)))
			goto done;
		if (!known || !strcmp(dup, id)) {
			rc = dc_error(ctx, DC_ENOTFOUND, "--duplicate-of: no other case '%s'", dup);
			goto done;
		}
	} else if (dup) {
		rc = dc_error(ctx, DC_EUSAGE, "--duplicate-of goes with status 'duplicate'");
		goto done;
	}
	assignee = c.assignee;
	if (!strcmp(to, "new"))
		assignee = NULL;
	else if (!c.assignee && (!strcmp(to, "in_progress") || !strcmp(to, "assigned")))
		assignee = ctx->actor; /* moving a queue case into work claims it */
	rc = dc_cases_move(ctx, &c, to, assignee, dc_arg(a, "note"), dup,
	          !dc_cases_same(assignee, c.assignee) ? (assignee ? "claimed" : "released") : NULL);
done:
	ctx->on_behalf_of = NULL;
	dc_cases_free(&c);
	return rc;
}

int
dc_case_note(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *text = dc_arg(a, "text");
	int public = dc_flag(a, "public"), rc;
	struct casex c;
	char now[21];

	if (!text || !*text)
		return dc_error(ctx, DC_EUSAGE, "a note needs TEXT");
	if ((rc = dc_cases_load(ctx, id, &c)))
		return rc;
	if ((rc = dc_cases_may_work(ctx, &c)))
		goto done;
	dc_cases_now(ctx, now);
	if ((rc = dc_cases_event(ctx, id, "note", NULL, NULL, text, public)) ||
	    (rc = dc_exec(ctx, "UPDATE cases SET updated_at = ?2 WHERE id = ?1", 2, id, now)) ||
	    (public && (rc = dc_cases_notify(ctx, &c, "case-note", NULL, text))))
		goto done;
	rc = dc_touched(ctx, id, NULL);
done:
	ctx->on_behalf_of = NULL;
	dc_cases_free(&c);
	return rc;
}

int
dc_case_comment(struct dc *ctx, const char *id, const char *text, long long *event_id)
{
	struct casex c;
	char now[21];
	int rc;

	if (!text || !*text)
		return dc_field_error(ctx, "field 'description': a comment needs text");
	if ((rc = dc_require(ctx, "integrator", "add citizens' comments")) ||
	    (rc = dc_cases_load(ctx, id, &c)))
		return rc;
	dc_cases_now(ctx, now);
	if ((rc = dc_cases_event(ctx, id, "note", NULL, NULL, text, 1)))
		goto done;
	*event_id = dc_last_id(ctx);
	rc = dc_exec(ctx, "UPDATE cases SET updated_at = ?2 WHERE id = ?1", 2, id, now);
done:
	dc_cases_free(&c);
	return rc;
}

int
dc_case_history(struct dc *ctx, const char *id, struct dc_stmt **st)
{
	struct casex c;
	int rc;

	if ((rc = dc_cases_load(ctx, id, &c)) == 0)
		rc = dc_cases_may_read(ctx, &c);
	dc_cases_free(&c);
	if (rc || (rc = dc_prepare(ctx, st, "SELECT id, ref, at, kind, actor, on_behalf_of,"
	                                    " from_value, to_value, note, visibility FROM event"
	                                    " WHERE entity = 'case' AND ref = ?1 ORDER BY id")))
		return rc;
	dc_bind_text(*st, 1, id);
	return 0;
}

int
dc_case_check_read(struct dc *ctx, const char *id)
{
	struct casex c;
	int rc;

	if ((rc = dc_cases_load(ctx, id, &c)) == 0)
		rc = dc_cases_may_read(ctx, &c);
	dc_cases_free(&c);
	return rc;
}

/* What a token is compared with when there is no case or the case has no token. */
#define NO_TOKEN "----------------------------------------------------------------"

int
dc_case_track(struct dc *ctx, const char *id, const char *token)
{
	struct dc_stmt *st = NULL;
	char hash[65];
	int rc;

	if (!token)
		return dc_error(ctx, DC_EUSAGE, "track needs --token TOKEN");
	/* An unknown id and a wrong token get the same answer after the same work (the token
	 * hashed, one lookup by the key, one comparison), so that case ids cannot be probed
	 * (dc-case(1) "track"); the case itself is read only for the right token. */
	dc_sha256_hex(token, strlen(token), hash);
	if ((rc = dc_prepare(ctx, &st, "SELECT token_hash FROM cases WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW || rc == 0) {
		const char *h = rc == DC_ROW ? dc_col_text(st, 0) : NULL;
		int ok = h && strlen(h) == 64;

		if (CRYPTO_memcmp(ok ? h : NO_TOKEN, hash, 64))
			ok = 0;
		rc = ok ? 0 : dc_error(ctx, DC_ENOTFOUND, "no case '%s' with this token", id);
	}
	dc_finish(ctx, st);
	if (rc)
		return rc;
	/* Public fields and public events only: no assignee, no actor, no reporter data. */
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT c.id, s.name, s.kind, c.status,"
	                     " CASE WHEN c.status IN " OPEN_STATUSES " THEN 'open' ELSE 'closed' END,"
	                     " d.name, c.description, c.address, c.district, c.created_at, c.updated_at,"
	                     " c.due_at, c.closed_at,"
	                     " (SELECT json_group_array(json_object('at', e.at, 'kind', e.kind,"
	                     "   'status', CASE WHEN e.kind = 'status' THEN e.to_value END,"
	                     "   'note', e.note)) FROM (SELECT * FROM event e WHERE e.entity = 'case'"
	                     "   AND e.ref = c.id AND e.visibility = 'public' ORDER BY e.id) e)"
	                     " FROM cases c JOIN service s ON s.code = c.service"
	                     " LEFT JOIN dept d ON d.code = c.dept WHERE c.id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == 0) /* purged since */
		rc = dc_error(ctx, DC_ENOTFOUND, "no case '%s' with this token", id);
	else if (rc == DC_ROW && !(rc = dc_out_begin(ctx, &dc_rt_track)) &&
	         !(rc = dc_out_stmt(ctx, st)))
		rc = dc_out_end(ctx);
	dc_finish(ctx, st);
	return rc;
}

int
dc_case_verify(struct dc *ctx)
{
	long bad, n;
	int rc;

	if ((rc = dc_audit_verify(ctx, &bad, &n)))
		return rc;
	if (bad)
		return dc_error(ctx, DC_EPROBLEM, "audit chain broken at event %ld (%ld events checked)",
		                bad, n);
	dc_note(ctx, "audit chain intact: %ld events verified", n);
	return 0;
}
