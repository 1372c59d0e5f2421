/*
 * The retention of every entity with personal data besides cases (dcity(7) "Settings",
 * retention.*): a record dated on local day D keeps its personal data through day D + N and
 * loses it on the first run after that, as the services' case retention does.  Each entity
 * is erased with the statements of dc-subject's table, so that retention and erase cannot
 * differ in what they remove.
 */
#include <stdlib.h>
#include <string.h>

#include "archive/archive.h"
#include "subject/internal.h"
#include "subject/subject.h"

/* The start of the local day that is DAYS days before today, as RFC 3339: what was dated
 * before it is past its retention. */
static int
cutoff(struct dc *ctx, const char *key, char out[21])
{
	char *v = dc_setting(ctx, key), *end;
	long days = v ? strtol(v, &end, 10) : -1;

	free(v);
	if (days < 0)
		return dc_error(ctx, DC_EINTERNAL, "setting '%s' is not a number of days", key);
	dc_fmt_time(dc_local_start_of_day(ctx, dc_local_days(ctx, dc_now(ctx)) - days), out);
	return 0;
}

/* The ids SQL (its one parameter the cutoff) selects, read before any is changed. */
static int
ids_before(struct dc *ctx, const char *sql, const char *cut, char ***ids, long *n)
{
	struct dc_stmt *st = NULL;
	int rc;

	*ids = NULL, *n = 0;
	if ((rc = dc_prepare(ctx, &st, sql)))
		return rc;
	dc_bind_text_ref(st, 1, cut);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		if (!(*n & (*n - 1)) &&
		    !(*ids = realloc(*ids, sizeof **ids * (size_t)(*n ? 2 * *n : 1))))
			abort();
		(*ids)[(*n)++] = dc_strdup(dc_col_text(st, 0));
	}
	dc_finish(ctx, st);
	return rc;
}

static void
ids_free(char **ids, long n)
{
	for (long i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* Records of ENTITY that SQL selects lose the person; *count says how many.  With ARCHIVE
 * (dc-archive(1)'s name of the entity), a record the archive has not released yet is skipped
 * and counted in *awaiting instead: its content is what the archive appraises; and the
 * record's events in the audit trail lose whom they were written for (dc_audit_purge). */
static int
erase_before(struct dc *ctx, const char *key, const char *entity, const char *sql,
             const char *archive, long *count, long *awaiting)
{
	char cut[21], **ids = NULL, *why = NULL;
	const char *held;
	long n = 0, i, events = 0;
	int ok = 1, rc;

	if ((rc = cutoff(ctx, key, cut)) || (rc = ids_before(ctx, sql, cut, &ids, &n)))
		goto done;
	why = dc_printf("personal data removed: %s, before %.10s", key, cut);
	for (i = 0; i < n; i++) {
		if (archive && (rc = dc_archive_may_destroy(ctx, archive, ids[i], &ok, &held)))
			break;
		if (!ok) {
			(*awaiting)++;
			continue;
		}
		if ((rc = dc_subject_erase_record(ctx, entity, ids[i])) ||
		    (archive && (rc = dc_audit_purge(ctx, entity, ids[i], why, &events))))
			break;
		(*count)++;
	}
done:
	free(why);
	ids_free(ids, n);
	return rc;
}

/* A post past its retention goes with its comments and flags: the feed is news of its day,
 * and a post kept as "[gelöscht]" would only fill the lists.  Its personal notes in the
 * audit trail are erased, so its 'purged' event says why. */
static int
posts(struct dc *ctx, struct dc_subject_kept *k)
{
	static const char *const drop[] = {"DELETE FROM flag WHERE post = ?1",
	                                   "DELETE FROM comment WHERE post = ?1",
	                                   "DELETE FROM post WHERE id = ?1", NULL};
	char cut[21], **ids = NULL, *why = NULL;
	long n = 0, i, notes = 0;
	int rc;

	if ((rc = cutoff(ctx, "retention.post_days", cut)) ||
	    (rc = ids_before(ctx,
	                     "SELECT id FROM post WHERE max(updated_at, coalesce(ends_at,"
	                     " starts_at, ''), coalesce((SELECT max(created_at) FROM comment"
	                     " WHERE post = post.id), '')) < ?1 ORDER BY id",
	                     cut, &ids, &n)))
		goto done;
	why = dc_printf("removed: retention.post_days, before %.10s", cut);
	for (i = 0; i < n && !rc; i++) {
		long long comments = 0;
		struct dc_q q = {0};

		dc_q_text(&q, "SELECT count(*) FROM comment WHERE post = ?", ids[i]);
		if ((rc = dc_q_int_value(ctx, &q, &comments)))
			break;
		for (const char *const *sql = drop; *sql && !rc; sql++)
			rc = dc_exec(ctx, *sql, 1, ids[i]);
		if (rc || (rc = dc_audit_purge(ctx, "post", ids[i], why, &notes)))
			break;
		k->posts++;
		k->comments += (long)comments;
	}
done:
	free(why);
	ids_free(ids, n);
	return rc;
}

/* A member with no post, comment, follow or shop order since the cutoff (nor joined since)
 * is removed as dc-subject erase --member removes one. */
static int
members(struct dc *ctx, struct dc_subject_kept *k)
{
	char cut[21], **ids = NULL, *why = NULL;
	long n = 0, i, notes = 0;
	int rc;

	if ((rc = cutoff(ctx, "retention.member_days", cut)) ||
	    (rc = ids_before(ctx,
	                     "SELECT handle FROM member m WHERE handle <> 'gelöscht' AND"
	                     " max(created_at,"
	                     " coalesce((SELECT max(created_at) FROM post WHERE author = m.handle),"
	                     " ''), coalesce((SELECT max(created_at) FROM comment"
	                     " WHERE author = m.handle), ''), coalesce((SELECT max(created_at)"
	                     " FROM follow WHERE member = m.handle), ''), coalesce((SELECT"
	                     " max(updated_at) FROM shop_order WHERE member = m.handle), ''))"
	                     " < ?1 ORDER BY handle",
	                     cut, &ids, &n)))
		goto done;
	why = dc_printf("removed: retention.member_days, inactive since before %.10s", cut);
	for (i = 0; i < n && !(rc = dc_subject_forget_member(ctx, ids[i], why, &notes)); i++)
		k->members++;
done:
	free(why);
	ids_free(ids, n);
	return rc;
}

int
dc_subject_retention(struct dc *ctx, struct dc_subject_kept *k)
{
	int rc;

	if ((rc = dc_require(ctx, "integrator", "apply the retention of personal data")))
		return rc;
	/* the outbox first: a removed member's digests are past their time with them */
	if ((rc = erase_before(ctx, "retention.outbox_days", "outbox",
	                       "SELECT id FROM outbox WHERE (status = 'sent' AND sent_at < ?1"
	                       " OR status = 'dead' AND created_at < ?1)"
	                       " AND recipient NOT IN ('(gelöscht)', '(purged)') ORDER BY id",
	                       NULL, &k->outbox, NULL)) ||
	    (rc =
	         erase_before(ctx, "retention.shop_order_days", "shop_order",
	                      "SELECT id FROM shop_order WHERE status IN ('collected', 'cancelled',"
	                      " 'expired') AND updated_at < ?1 AND (member IS NOT NULL"
	                      " OR email <> '(gelöscht)') ORDER BY id",
	                      "shop_order", &k->shop_orders, &k->awaiting_archive)) ||
	    (rc = posts(ctx, k)))
		return rc;
	return members(ctx, k);
}
