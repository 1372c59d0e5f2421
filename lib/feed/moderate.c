/* Flags, keyword filters, moderation and its queue, and why an item is hidden. */
#include <stdlib.h>
#include <string.h>

#include "feed/feed.h"
#include "feed/internal.h"

const struct dc_rectype dc_rt_flag = {
	"flag",
	(const struct dc_field[]){{"id", DC_T_STR}, {"post", DC_T_STR}, {"by", DC_T_STR},
	                          {"reason", DC_T_STR}, {"note", DC_T_STR}, {"flags", DC_T_INT},
	                          {"threshold", DC_T_INT}, {"post_status", DC_T_STR},
	                          {"created_at", DC_T_STR}},
	9};
const struct dc_rectype dc_rt_filter = {
	"filter",
	(const struct dc_field[]){{"word", DC_T_STR}, {"action", DC_T_STR}, {"created_at", DC_T_STR}},
	3};
const struct dc_rectype dc_rt_queue = {
	"moderation",
	(const struct dc_field[]){{"id", DC_T_STR}, {"type", DC_T_STR}, {"post", DC_T_STR},
	                          {"author", DC_T_STR}, {"title", DC_T_STR}, {"status", DC_T_STR},
	                          {"hidden_by", DC_T_STR}, {"reason", DC_T_STR}, {"flags", DC_T_INT},
	                          {"flag_reasons", DC_T_JSON}, {"created_at", DC_T_STR}},
	11};
const struct dc_rectype dc_rt_explain = {
	"explain",
	(const struct dc_field[]){{"id", DC_T_STR}, {"type", DC_T_STR}, {"post", DC_T_STR},
	                          {"status", DC_T_STR}, {"cause", DC_T_STR}, {"hidden_by", DC_T_STR},
	                          {"reason", DC_T_STR}, {"word", DC_T_STR}, {"flags", DC_T_INT},
	                          {"threshold", DC_T_INT}, {"flaggers", DC_T_JSON},
	                          {"moderator", DC_T_STR}, {"at", DC_T_STR},
	                          {"explanation", DC_T_STR}},
	14};

#define FLAG_REASONS "spam offensive off-topic illegal"

static long
threshold(struct dc *ctx)
{
	char *v = dc_setting(ctx, "feed.flag_threshold");
	long n = v ? atol(v) : 3;

	free(v);
	return n > 0 ? n : 3;
}

/* ---- flags -------------------------------------------------------------------------------- */

static int
count_flags(struct dc *ctx, const char *post, long *n)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT count(*) FROM flag WHERE post = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, post);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*n = (long)dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

int
dc_feed_flag(struct dc *ctx, const char *post, struct dc_args *a)
{
	const char *by, *reason;
	char *status = NULL, *note = NULL, at[21];
	long n = 0, limit = threshold(ctx);
	int rc;

	if ((rc = dc_require(ctx, "integrator", "flag for members")) ||
	    (rc = dc_feed_need(ctx, a, "by", &by)) || (rc = dc_feed_need(ctx, a, "reason", &reason)) ||
	    (rc = dc_feed_oneof(ctx, "reason", reason, FLAG_REASONS)) ||
	    (rc = dc_feed_member_exists(ctx, "by", by)) ||
	    (rc = dc_feed_post_status(ctx, post, &status)))
		goto done;
	if (strcmp(status, "visible") && strcmp(status, "locked")) {
		rc = dc_error(ctx, DC_ECONFLICT, "post '%s' is %s", post, status);
		goto done;
	}
	dc_fmt_time(dc_now(ctx), at);
	/* the same member flagging again changes nothing and is no error */
	if ((rc = dc_exec(ctx, "INSERT INTO flag(post, member, reason, note, created_at)"
	                       " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
	                  5, post, by, reason, dc_arg(a, "note"), at)))
		goto done;
	if (!dc_changes(ctx)) {
		rc = dc_touched(ctx, post, by);
		goto done;
	}
	if ((rc = dc_feed_audit(ctx, by, "post", post, "flag", NULL, reason, dc_arg(a, "note"))) ||
	    (rc = count_flags(ctx, post, &n)))
		goto done;
	/* reaching the threshold hides; flags after a moderator's restore do not re-hide at once */
	if (n == limit) {
		note = dc_printf("%ld distinct flags reached the threshold of %ld", n, limit);
		if ((rc = dc_exec(ctx, "UPDATE post SET status = 'hidden', hidden_by = 'flags',"
		                       " reason = ?2, updated_at = ?3 WHERE id = ?1",
		                  3, post, note, at)) ||
		    (rc = dc_feed_audit(ctx, NULL, "post", post, "hidden", status, "hidden", note)))
			goto done;
	}
	rc = dc_touched(ctx, post, by);
done:
	free(status);
	free(note);
	return rc;
}

int
dc_feed_flag_get(struct dc *ctx, const char *post, const char *member, struct dc_stmt **st)
{
	int rc;

	if ((rc = dc_prepare(ctx, st, "SELECT f.post || ':' || f.member, f.post, f.member, f.reason,"
	                              " f.note, (SELECT count(*) FROM flag g WHERE g.post = f.post), ?3,"
	                              " p.status, f.created_at FROM flag f JOIN post p ON p.id = f.post"
	                              " WHERE f.post = ?1 AND f.member = ?2")))
		return rc;
	dc_bind_text(*st, 1, post);
	dc_bind_text(*st, 2, member);
	dc_bind_int(*st, 3, threshold(ctx));
	return 0;
}

/* ---- keyword filters ---------------------------------------------------------------------- */

/* A filter word: filter add's operand and option, or a record's fields. */
struct filter_new {
	const char *word, *action;
};

const struct dc_opt dc_feed_filter_add_spec[] = {
	{"word", DC_V_TEXT, DC_O_REQUIRED | DC_O_OPERAND, NULL, "WORD", NULL, NULL,
	 DC_AT(struct filter_new, word)},
	{"action", DC_V_ENUM, DC_O_REQUIRED, "hide hold", NULL, NULL, NULL,
	 DC_AT(struct filter_new, action)},
	{NULL},
};

int
dc_feed_filter_add(struct dc *ctx, struct dc_args *rec, void *unused)
{
	struct filter_new f;
	char at[21];
	int rc;

	if ((rc = dc_require(ctx, "moderator", "add filter words")) ||
	    (rc = dc_decode(ctx, dc_feed_filter_add_spec, rec, &f)))
		return rc;
	if (strlen(f.word) > 64 || strpbrk(f.word, "\n\r\t'"))
		return dc_error(ctx, DC_EDATA, "field 'word': '%s' is not a word or phrase of at most 64"
		                               " bytes without quotes or tabs", f.word);
	dc_fmt_time(dc_now(ctx), at);
	/* adding a word again changes its action */
	if ((rc = dc_exec(ctx, "INSERT INTO filter(word, action, created_at) VALUES (?1, ?2, ?3)"
	                       " ON CONFLICT(word) DO UPDATE SET action = excluded.action",
	                  3, f.word, f.action, at)) ||
	    (rc = dc_feed_audit(ctx, NULL, "filter", f.word, "created", NULL, f.action, NULL)))
		return rc;
	return dc_touched(ctx, f.word, NULL);
}

int
dc_feed_filter_list(struct dc *ctx, const char *word, struct dc_stmt **st)
{
	int rc;

	if ((rc = dc_require(ctx, "moderator auditor", "see filter words")))
		return rc;
	return dc_q_list(ctx, st,
	                 "SELECT word, action, created_at FROM filter",
	                 "word = ?", word, NULL, NULL, " ORDER BY word");
}

/* ---- moderation --------------------------------------------------------------------------- */

static int
moderate_comment(struct dc *ctx, const char *id, const char *action, const char *reason)
{
	struct dc_stmt *st = NULL;
	char *old = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT status FROM comment WHERE 'C-' || id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		old = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no comment '%s'", id);
	dc_finish(ctx, st);
	if (rc)
		goto done;
	if (!action) {
		rc = dc_touched(ctx, id, NULL);
		goto done;
	}
	if (!strcmp(action, "lock")) {
		rc = dc_error(ctx, DC_EUSAGE, "comments cannot be locked; lock their post");
		goto done;
	}
	if (!strcmp(action, "restore") && !strcmp(old, "visible")) {
		rc = dc_error(ctx, DC_ECONFLICT, "comment '%s' is visible", id);
		goto done;
	}
	if ((rc = dc_exec(ctx, "UPDATE comment SET status = ?2, hidden_by = ?3, reason = ?4"
	                       " WHERE 'C-' || id = ?1",
	                  4, id, *action == 'h' ? "hidden" : "visible",
	                  *action == 'h' ? "moderator" : NULL, *action == 'h' ? reason : NULL)) ||
	    (rc = dc_feed_audit(ctx, NULL, "comment", id, *action == 'h' ? "hidden" : "restored", old,
	                        *action == 'h' ? "hidden" : "visible", reason)))
		goto done;
	rc = dc_touched(ctx, id, NULL);
done:
	free(old);
	return rc;
}

int
dc_feed_moderate(struct dc *ctx, const char *id, struct dc_args *a)
{
	const char *action = dc_arg(a, "action"), *reason = NULL, *to, *kind;
	char *old = NULL, at[21];
	int rc;

	if (!action)
		rc = dc_require(ctx, "moderator auditor", "explain moderation");
	else if (!(rc = dc_require(ctx, "moderator", "moderate")))
		rc = dc_feed_need(ctx, a, "reason", &reason);
	if (rc)
		return rc;
	if (!strncmp(id, "C-", 2))
		return moderate_comment(ctx, id, action, reason);
	if ((rc = dc_feed_post_status(ctx, id, &old)))
		goto done;
	if (!action) {
		rc = dc_touched(ctx, id, NULL);
		goto done;
	}
	if (!strcmp(action, "hide"))
		to = "hidden", kind = "hidden";
	else if (!strcmp(action, "lock"))
		to = "locked", kind = "locked";
	else
		to = "visible", kind = "restored";
	if (!strcmp(to, "visible") && !strcmp(old, "visible")) {
		rc = dc_error(ctx, DC_ECONFLICT, "post '%s' is visible", id);
		goto done;
	}
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx, "UPDATE post SET status = ?2, hidden_by = ?3, reason = ?4, updated_at = ?5"
	                       " WHERE id = ?1",
	                  5, id, to, !strcmp(to, "hidden") ? "moderator" : NULL,
	                  strcmp(to, "visible") ? reason : NULL, at)) ||
	    (rc = dc_feed_audit(ctx, NULL, "post", id, kind, old, to, reason)))
		goto done;
	rc = dc_touched(ctx, id, NULL);
done:
	free(old);
	return rc;
}

/* The word inside "filter word 'W'". */
#define FILTER_WORD(r) "substr(" r ", 14, length(" r ") - 14)"

int
dc_feed_explain(struct dc *ctx, const char *id, struct dc_stmt **st)
{
	int rc;

	if ((rc = dc_prepare(
	         ctx, st,
	         "SELECT id, type, post, status, cause, hidden_by, reason, word, flags, threshold,"
	         " flaggers, moderator, at,"
	         " CASE cause WHEN 'none' THEN status || CASE WHEN flags > 0 THEN ' (' || flags || ' of '"
	         "   || threshold || ' flags)' ELSE '' END"
	         "  WHEN 'automatic' THEN 'hidden automatically: ' || flags || ' distinct flags reached'"
	         "   || ' the threshold of ' || threshold || ' (' || reasons || ')'"
	         "  WHEN 'filter' THEN status || ' by the keyword filter: word ''' || word || ''''"
	         "  WHEN 'post' THEN 'hidden with its post ' || post"
	         "  ELSE status || ' by moderator ''' || coalesce(moderator, '?') || ''': '"
	         "   || coalesce(reason, '') END"
	         " FROM (SELECT p.id, 'post' AS type, p.id AS post, p.status,"
	         "  CASE WHEN p.status = 'visible' THEN 'none' WHEN p.hidden_by = 'flags' THEN 'automatic'"
	         "   WHEN p.hidden_by = 'filter' THEN 'filter' ELSE 'manual' END AS cause,"
	         "  p.hidden_by, p.reason,"
	         "  CASE WHEN p.hidden_by = 'filter' THEN " FILTER_WORD("p.reason") " END AS word,"
	         "  (SELECT count(*) FROM flag f WHERE f.post = p.id) AS flags, ?2 AS threshold,"
	         "  (SELECT json_group_array(json_object('member', member, 'reason', reason, 'note', note,"
	         "    'at', created_at)) FROM (SELECT * FROM flag f WHERE f.post = p.id"
	         "    ORDER BY created_at, member)) AS flaggers,"
	         "  (SELECT group_concat(reason, ', ') FROM (SELECT reason FROM flag f WHERE f.post = p.id"
	         "    ORDER BY created_at, member)) AS reasons,"
	         "  CASE WHEN p.hidden_by = 'moderator' OR p.status = 'locked' THEN (SELECT actor FROM event e"
	         "    WHERE e.entity = 'post' AND e.ref = p.id AND e.kind IN ('hidden', 'locked')"
	         "    ORDER BY e.id DESC LIMIT 1) END AS moderator,"
	         "  (SELECT at FROM event e WHERE e.entity = 'post' AND e.ref = p.id"
	         "    AND e.kind IN ('created', 'hidden', 'restored', 'locked')"
	         "    ORDER BY e.id DESC LIMIT 1) AS at"
	         "  FROM post p WHERE p.id = ?1"
	         " UNION ALL"
	         " SELECT 'C-' || c.id, 'comment', c.post,"
	         "  CASE WHEN p.status = 'hidden' THEN 'hidden' ELSE c.status END,"
	         "  CASE WHEN c.status <> 'visible' THEN CASE c.hidden_by WHEN 'filter' THEN 'filter'"
	         "   ELSE 'manual' END WHEN p.status = 'hidden' THEN 'post' ELSE 'none' END,"
	         "  c.hidden_by, c.reason,"
	         "  CASE WHEN c.hidden_by = 'filter' THEN " FILTER_WORD("c.reason") " END, 0, ?2, '[]', '',"
	         "  CASE WHEN c.hidden_by = 'moderator' THEN (SELECT actor FROM event e"
	         "    WHERE e.entity = 'comment' AND e.ref = 'C-' || c.id AND e.kind = 'hidden'"
	         "    ORDER BY e.id DESC LIMIT 1) END,"
	         "  coalesce((SELECT at FROM event e WHERE e.entity = 'comment' AND e.ref = 'C-' || c.id"
	         "    ORDER BY e.id DESC LIMIT 1), c.created_at)"
	         "  FROM comment c JOIN post p ON p.id = c.post WHERE 'C-' || c.id = ?1)")))
		return rc;
	dc_bind_text(*st, 1, id);
	dc_bind_int(*st, 2, threshold(ctx));
	return 0;
}

int
dc_feed_queue(struct dc *ctx, struct dc_stmt **st)
{
	int rc;

	/* flagged posts leave the queue when a moderator decides (hide, restore, lock) after
	 * the last flag; held items wait until one does */
	if ((rc = dc_require(ctx, "moderator auditor", "see the moderation queue")))
		return rc;
	return dc_prepare(
	    ctx, st,
	    "SELECT p.id AS id, 'post', p.id AS post, p.author, p.title, p.status, p.hidden_by,"
	    " p.reason,"
	    " (SELECT count(*) FROM flag f WHERE f.post = p.id) AS flags,"
	    " (SELECT json_group_array(reason) FROM (SELECT reason FROM flag f WHERE f.post = p.id"
	    "   ORDER BY created_at, member)),"
	    " p.created_at AS created_at FROM post p"
	    " WHERE p.status = 'held' OR (EXISTS (SELECT 1 FROM flag f WHERE f.post = p.id)"
	    "  AND NOT (p.status = 'hidden' AND p.hidden_by <> 'flags')"
	    "  AND NOT EXISTS (SELECT 1 FROM event e WHERE e.entity = 'post' AND e.ref = p.id"
	    "   AND e.kind IN ('restored', 'locked') AND e.id > (SELECT max(g.id) FROM event g"
	    "    WHERE g.entity = 'post' AND g.ref = p.id AND g.kind = 'flag')))"
	    " UNION ALL"
	    " SELECT 'C-' || c.id, 'comment', c.post, c.author, substr(c.body, 1, 80), c.status,"
	    " c.hidden_by, c.reason, 0, '[]', c.created_at FROM comment c WHERE c.status = 'held'"
	    " ORDER BY flags DESC, created_at, id");
}
