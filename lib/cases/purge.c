/* Cases: purge (GDPR storage limitation and erasure) by date and by each service's retention. */
#include <stdlib.h>

#include "archive/archive.h"
#include "cases/cases.h"
#include "cases/internal.h"

static int
legacy_notes(struct dc *ctx, const char *id, long *n)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT count(*) FROM event WHERE entity = 'case' AND ref = ?1"
	                     " AND note IS NOT NULL AND note_hash IS NULL"
	                     " AND kind NOT IN ('created', 'routed', 'purged')")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*n += dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

/* The case's personal data gone, its list-valued attributes kept (KEPT: the object of them
 * and the FROM it is made from, as alias a of their keys).  SQLite's json_each hands an
 * array's value to json_group_object as JSON; PostgreSQL's json_each over text hands text,
 * which would become a string: there the native json_each of json and json_object_agg, made
 * compact as SQLite writes it. */
#define PURGE_CASE(kept)                                                                      \
	"UPDATE cases AS c SET reporter_name = NULL, reporter_email = NULL,"                   \
	" reporter_phone = NULL, token_hash = NULL, description = NULL,"                       \
	" address = NULL, device_id = NULL, account_id = NULL,"                                \
	" media = '[]', lat = round(lat, 3), lon = round(lon, 3),"                             \
	" attributes = (SELECT " kept " WHERE a.key IN"                                        \
	"  (SELECT json_extract(d.value, '$.code')"                                            \
	"   FROM service s, json_each(s.definition) d WHERE s.code = c.service"                \
	"   AND json_extract(d.value, '$.datatype') IN ('singlevaluelist',"                    \
	"   'multivaluelist'))),"                                                              \
	" updated_at = ?2, purged_at = ?2 WHERE id = ?1"
#define PURGE_PG                                                                              \
	PURGE_CASE("dc_json(coalesce(json_object_agg(a.key, a.value), '{}'::json))"            \
	           " FROM json_each(CAST(c.attributes AS json)) a")

/*
 * Anonymise case ID.  What stays is what the statistics and the public record need: service,
 * department, status and its history, district, dates, list-valued attributes (the city's own
 * words) and coordinates rounded to 3 decimals (about 100 m).  Everything a citizen wrote or
 * that points at them goes: reporter, description, address, free-text attributes, media, the
 * tracking token, the Open311 client's device and account ids, the notes in the audit trail
 * (NOTE is the note of its 'purged' event), and the messages in the outbox.
 */
int
dc_case_anonymise(struct dc *ctx, const char *id, const char *note, long *notes, long *legacy)
{
	char now[21];
	int rc;

	dc_cases_now(ctx, now);
	if ((rc = dc_exec(ctx,
	                  dc_db_is_pg(ctx->db_path) ? PURGE_PG : PURGE_CASE(
	                  "json_group_object(a.key, a.value) FROM json_each(c.attributes) a"),
	                  2, id, now)))
		return rc;
	/* the messages to the reporter carry the address and the name too; one not yet
	 * delivered is given up rather than sent to nobody */
	if ((rc = dc_exec(ctx,
	                  "UPDATE outbox SET recipient = '(purged)', subject = '(purged)',"
	                  " body = '(purged)', last_error = CASE WHEN status IN ('pending',"
	                  " 'failed') THEN 'purged before delivery' END, status = CASE WHEN"
	                  " status IN ('pending', 'failed') THEN 'dead' ELSE status END"
	                  " WHERE ref_type = 'case' AND ref_id = ?1",
	                  1, id)) ||
	    (rc = legacy_notes(ctx, id, legacy)) ||
	    (rc = dc_audit_purge(ctx, "case", id, note, notes)))
		return rc;
	return dc_touched(ctx, id, NULL);
}

/* A case the archive has released (dc-archive(1)): appraised "vernichten", its import
 * confirmed, or its service's policy destroy. */
#define RELEASED                                                                                   \
	DC_ARCHIVE_MAY_DESTROY("'case'", "cases.id", DC_ARCHIVE_CASE_POLICY("cases.service"))

/* SELECT ... of the final cases not purged yet, closed before CUTOFF, of SERVICE (or all),
 * that are WHICH besides. */
static void
due(struct dc_q *q, const char *select, const char *which, const char *cutoff,
    const char *service)
{
	dc_q_sql(q, select);
	dc_q_sql(q, " FROM cases WHERE status IN ('closed', 'rejected', 'duplicate')"
	            " AND purged_at IS NULL AND ");
	dc_q_sql(q, which);
	dc_q_text(q, " AND closed_at < ?", cutoff);
	if (service)
		dc_q_text(q, " AND service = ?", service);
}

/* The due cases (not held) the archive has not released, or whose service keeps them. */
static int
awaiting_archive(struct dc *ctx, const char *cutoff, const char *service, int list,
                 struct dc_case_purged *n)
{
	struct dc_stmt *st = NULL;
	struct dc_q q = {0};
	int rc;

	due(&q, "SELECT id", "hold_reason IS NULL AND NOT " RELEASED, cutoff, service);
	dc_q_sql(&q, " ORDER BY closed_at, id");
	if ((rc = dc_q_prepare(ctx, &q, &st)))
		return rc;
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		const char *why;
		int ok;

		n->awaiting_archive++;
		if (!list)
			continue;
		if ((rc = dc_archive_may_destroy(ctx, "case", dc_col_text(st, 0), &ok, &why)))
			break;
		dc_warn(ctx, "case %s not anonymised: %s", dc_col_text(st, 0), why ? why : "");
	}
	dc_finish(ctx, st);
	return rc > 0 ? rc : 0;
}

/* The final cases (closed, rejected, duplicate) of SERVICE, or of every service, closed before
 * the start of the local day DAY and not purged yet, are anonymised; held ones are counted,
 * and so are those the archive has not released (dc-archive(1)): LIST names each of those. */
static int
purge_before(struct dc *ctx, long day, const char *service, const char *why, int list,
             struct dc_case_purged *n)
{
	struct dc_stmt *st = NULL;
	struct dc_q q = {0};
	char cutoff[21], date[11], *note, **ids = NULL;
	long nids = 0, i;
	long long held = 0;
	int rc;

	dc_fmt_time(dc_local_start_of_day(ctx, day), cutoff);
	dc_fmt_date(day, date);
	note = dc_printf("personal data removed: closed before %s%s", date, why);
	due(&q, "SELECT count(*)", "hold_reason IS NOT NULL", cutoff, service);
	if ((rc = dc_q_int_value(ctx, &q, &held)))
		goto done;
	n->held += held;
	/* the ids first: anonymising a case changes the index this query walks */
	if ((rc = awaiting_archive(ctx, cutoff, service, list, n)))
		goto done;
	due(&q, "SELECT id FROM (SELECT id", "hold_reason IS NULL AND " RELEASED, cutoff, service);
	/* the oldest first under --limit, then in the order of their ids as before */
	dc_q_int(&q, " ORDER BY closed_at, id LIMIT ?) ORDER BY id", n->left);
	if ((rc = dc_q_prepare(ctx, &q, &st)))
		goto done;
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		if (!(nids & (nids - 1)) &&
		    !(ids = realloc(ids, sizeof *ids * (size_t)(nids ? 2 * nids : 1))))
			abort();
		ids[nids++] = dc_strdup(dc_col_text(st, 0));
	}
	dc_finish(ctx, st);
	for (i = 0; !rc && i < nids; i++) {
		if ((rc = dc_case_anonymise(ctx, ids[i], note, &n->notes, &n->legacy)))
			break;
		n->cases++;
		if (n->left > 0)
			n->left--;
	}
done:
	for (i = 0; i < nids; i++)
		free(ids[i]);
	free(ids);
	free(note);
	return rc > 0 ? rc : 0;
}

static void
purge_report(struct dc *ctx, const struct dc_case_purged *n)
{
	char held[40] = "", archive[40] = "";

	if (n->held)
		snprintf(held, sizeof held, ", %ld held", n->held);
	if (n->awaiting_archive)
		snprintf(archive, sizeof archive, ", %ld awaiting_archive", n->awaiting_archive);
	dc_note(ctx, "%ld case%s anonymised, %ld note%s erased%s%s", n->cases,
	        n->cases == 1 ? "" : "s", n->notes, n->notes == 1 ? "" : "s", held, archive);
	if (n->legacy)
		dc_warn(ctx, "warning: %ld note%s written before schema 8 stay%s in the audit trail",
		        n->legacy, n->legacy == 1 ? "" : "s", n->legacy == 1 ? "s" : "");
}

static int
service_known(struct dc *ctx, const char *service)
{
	int rc;

	if (!service)
		return 0;
	if ((rc = dc_must_exist(ctx, "SELECT 1 FROM service WHERE code = ?1", "service", service)))
		return dc_error_prefix(ctx, "--service");
	return 0;
}

int
dc_case_purge(struct dc *ctx, const char *before, const char *service, long limit)
{
	struct dc_case_purged n = {limit, 0, 0, 0, 0, 0};
	long d;
	int rc;

	if ((rc = dc_require(ctx, "", "purge personal data")))
		return rc;
	if (!before || dc_parse_date(before, &d) < 0)
		return dc_error(ctx, DC_EUSAGE, "--closed-before: '%s' is not a date (YYYY-MM-DD)",
		                before ? before : "");
	if ((rc = service_known(ctx, service)) || (rc = purge_before(ctx, d, service, "", 1, &n)))
		return rc;
	purge_report(ctx, &n);
	/* the others are purged and stay so; the exit status says that not all were */
	if (n.awaiting_archive && !ctx->partial)
		ctx->partial = DC_ECONFLICT;
	return 0;
}

/* Each service's own retention: a case closed on local day D keeps its personal data through
 * day D + retention and is anonymised by the first run after that.  Applying a policy the
 * admin set is a batch job, so the integrator account of cron may run it. */
int
dc_case_purge_retention(struct dc *ctx, const char *service, long limit,
                        struct dc_case_purged *out)
{
	struct dc_case_purged n = {limit, 0, 0, 0, 0, 0};
	struct dc_stmt *st = NULL;
	struct dc_q q = {0};
	long today;
	int rc;

	if ((rc = dc_require(ctx, "integrator", "purge personal data")) ||
	    (rc = service_known(ctx, service)))
		return rc;
	today = dc_local_days(ctx, dc_now(ctx));
	dc_q_sql(&q, "SELECT code, retention FROM service");
	dc_q_where(&q, "retention IS NOT NULL");
	dc_q_where_if(&q, "code = ?", service);
	dc_q_sql(&q, " ORDER BY code");
	if ((rc = dc_q_prepare(ctx, &q, &st)))
		return rc;
	while (n.left && (rc = dc_step(ctx, st)) == DC_ROW) {
		long days = dc_col_int(st, 1);
		const char *code = dc_col_text(st, 0);
		char *why =
		    dc_printf(" (retention of %s: %ld day%s)", code, days, days == 1 ? "" : "s");

		rc = purge_before(ctx, today - days, code, why, 0, &n);
		free(why);
		if (rc)
			break;
	}
	dc_finish(ctx, st);
	if (rc > 0)
		return rc;
	if (out)
		*out = n;
	else
		purge_report(ctx, &n);
	return 0;
}

/* A legal hold (litigation, an inspection, an archive's request) keeps the case's personal
 * data from purge and dc-subject erase until it is lifted.  The reason is a personal note: it
 * may name the dispute. */
int
dc_case_hold(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *reason = dc_arg(a, "reason");
	char now[21];
	int rc;

	if ((rc = dc_require(ctx, "head privacy", "hold cases")))
		return rc;
	if (!reason || !*reason)
		return dc_field_error(ctx, "field 'reason': a hold needs a reason");
	if ((rc = dc_text_plain(ctx, reason, 0)))
		return dc_error_prefix(ctx, "field 'reason'");
	if ((rc = dc_must_exist(ctx, "SELECT 1 FROM cases WHERE id = ?1", "case", id)))
		return rc;
	dc_cases_now(ctx, now);
	if ((rc = dc_exec(ctx, "UPDATE cases SET hold_reason = ?2, hold_by = ?3, hold_at = ?4,"
	                       " updated_at = ?4 WHERE id = ?1",
	                  4, id, reason, ctx->actor, now)) ||
	    (rc = dc_cases_event(ctx, id, "hold", NULL, "held", reason, 0)))
		return rc;
	return dc_touched(ctx, id, NULL);
}

int
dc_case_unhold(struct dc *ctx, const char *id, struct dc_args *a)
{
	char now[21];
	int found, rc;

	if ((rc = dc_require(ctx, "head privacy", "lift holds")) ||
	    (rc = dc_must_exist(ctx, "SELECT 1 FROM cases WHERE id = ?1", "case", id)) ||
	    (rc = dc_exists(ctx, "SELECT 1 FROM cases WHERE id = ?1 AND hold_reason IS NOT NULL", id,
	                    &found)))
		return rc;
	if (!found)
		return dc_error(ctx, DC_ECONFLICT, "case '%s' is not held", id);
	dc_cases_now(ctx, now);
	if ((rc = dc_exec(ctx, "UPDATE cases SET hold_reason = NULL, hold_by = NULL,"
	                       " hold_at = NULL, updated_at = ?2 WHERE id = ?1",
	                  2, id, now)) ||
	    (rc = dc_cases_event(ctx, id, "hold", "held", NULL, NULL, 0)))
		return rc;
	return dc_touched(ctx, id, NULL);
}

/* dc-case purge: the whole verb, from its arguments to the truncated write-ahead log. */
static int
purge(struct dc *ctx, const char *before, struct dc_args *a)
{
	long limit = -1;
	int rc;

	if ((rc = dc_arg_int(ctx, a, "limit", 1, 1000000000, &limit)))
		return rc;
	return dc_flag(a, "retention") ? dc_case_purge_retention(ctx, dc_arg(a, "service"), limit,
	                                                           NULL)
	                               : dc_case_purge(ctx, before, dc_arg(a, "service"), limit);
}

int
dc_case_purge_verb(struct dc *ctx, struct dc_args *a)
{
	const char *before = dc_arg(a, "closed-before");
	int rc;

	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "purge takes no operands");
	if (!before == !dc_flag(a, "retention"))
		return dc_error(ctx, DC_EUSAGE,
		                "purge needs either --closed-before DATE or --retention");
	dc_args_operand(a, before ? before : "");
	if (!(rc = dc_act_each(ctx, a, purge, &dc_rt_case, dc_case_show)))
		dc_db_scrub_wal(ctx);
	return rc;
}
