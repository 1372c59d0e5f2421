/*
 * The notifications dc-notify queues itself: reminders of overdue cases to the heads of their
 * department (at most one per case, head and local day, kept in notify_escalation) and member
 * digests over calendar-aligned windows (the end of the last window sent kept in
 * notify_digest, so a repeated run sends nothing and a missed one is caught up).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "notify/notify.h"

/* The queued rows, shown after the commit (or before the rollback of a dry run). */
struct queued {
	long long *ids; /* outbox ids; owned */
	int n, cap;
};

static void
remember(struct queued *q, long long id)
{
	if (q->n == q->cap &&
	    !(q->ids =
	          realloc(q->ids, (size_t)(q->cap = q->cap ? 2 * q->cap : 16) * sizeof *q->ids)))
		abort();
	q->ids[q->n++] = id;
}

static int
show_all(struct dc *ctx, const struct queued *q)
{
	int i, rc;

	if ((rc = dc_out_begin(ctx, &dc_rt_notification)))
		return rc;
	for (i = 0; i < q->n && !rc; i++) {
		char id[24];

		snprintf(id, sizeof id, "%lld", q->ids[i]);
		rc = dc_notify_show(ctx, id, NULL);
	}
	if (rc) {
		dc_out_discard(ctx);
		return rc;
	}
	return dc_out_end(ctx);
}

/* Commit (or roll back) and print what was queued. */
static int
finish(struct dc *ctx, int rc, struct queued *q)
{
	int e = ctx->exit_status;

	ctx->exit_status = 0; /* -e is about listings */
	if (!rc && ctx->dry_run)
		rc = show_all(ctx, q);
	rc = dc_tx_end(ctx, rc);
	if (!rc && !ctx->dry_run)
		rc = show_all(ctx, q);
	ctx->exit_status = e;
	free(q->ids);
	return rc;
}

static const char *
text(struct dc_stmt *st, int i)
{
	const char *s = dc_col_text(st, i);

	return s ? s : "";
}

int
dc_notify_escalate(struct dc *ctx)
{
	struct dc_stmt *st = NULL, *seen = NULL;
	struct queued q = {0};
	char now[21], day[11];
	char *lang = NULL, *city = NULL;
	int rc;

	if ((rc = dc_out_check(ctx, &dc_rt_notification)) || (rc = dc_db_open(ctx)) ||
	    (rc = dc_require(ctx, "integrator", "escalate overdue cases")) ||
	    (rc = dc_tx_begin(ctx)))
		return rc;
	dc_fmt_time(dc_now(ctx), now);
	dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), day);
	lang = dc_setting(ctx, "lang");
	city = dc_setting(ctx, "city.name");
	if ((rc = dc_prepare(ctx, &seen,
	                     "SELECT 1 FROM notify_escalation WHERE case_id = ?1 AND"
	                     " day = ?2 AND recipient = ?3")) ||
	    (rc = dc_prepare(ctx, &st,
	                     "SELECT c.id, s.name, coalesce(d.name, c.dept), c.status,"
	                     " coalesce(c.assignee, '-'), c.created_at, c.due_at, h.name, h.email"
	                     " FROM cases c JOIN service s ON s.code = c.service"
	                     " LEFT JOIN dept d ON d.code = c.dept"
	                     " JOIN staff h ON h.dept = c.dept AND h.role = 'head' AND h.active = 1"
	                     "  AND coalesce(h.email, '') <> ''"
	                     " WHERE c.status IN ('new', 'assigned', 'in_progress', 'waiting')"
	                     "  AND c.due_at < ?1 ORDER BY c.due_at, c.id, h.login")))
		goto done;
	dc_bind_text_ref(st, 1, now);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		const char *id = text(st, 0), *email = text(st, 8);
		char oid[24];

		dc_reset(seen);
		dc_bind_text(seen, 1, id);
		dc_bind_text_ref(seen, 2, day);
		dc_bind_text(seen, 3, email);
		if ((rc = dc_step(ctx, seen)) != 0) {
			if (rc == DC_ROW)
				continue;
			break;
		}
		{
			/* dates as the reader reads them: local time, in the letter's language */
			char *due = dc_instant_text(ctx, text(st, 6), lang, 0),
			     *due_at = dc_instant_text(ctx, text(st, 6), lang, 1),
			     *created = dc_instant_text(ctx, text(st, 5), lang, 1);
			const char *vars[] = {
			    "id",         id,          "service_name", text(st, 1), "department",
			    text(st, 2),  "status",    text(st, 3),    "assignee",  text(st, 4),
			    "created_at", created,     "due_at",       due_at,      "due_date",
			    due,          "name",      text(st, 7),    "city",      city,
			    NULL};

			rc = dc_outbox_add(ctx, "escalation", lang, email, "case", id, vars);
			free(due);
			free(due_at);
			free(created);
			if (rc)
				break;
		}
		remember(&q, dc_last_id(ctx));
		snprintf(oid, sizeof oid, "%lld", q.ids[q.n - 1]);
		if ((rc = dc_exec(
		         ctx,
		         "INSERT INTO notify_escalation(case_id, day, recipient, outbox_id, at)"
		         " VALUES (?1, ?2, ?3, ?4, ?5)",
		         5, id, day, email, oid, now)))
			break;
	}
done:
	dc_finish(ctx, seen);
	dc_finish(ctx, st);
	free(lang);
	free(city);
	return finish(ctx, rc, &q);
}

/* ---- digests ------------------------------------------------------------------------------ */

/* The key of unsubscribe tokens, made on first use. */
static char *
secret(struct dc *ctx)
{
	struct dc_stmt *st = NULL;
	char *v = NULL, hex[65];

	if (dc_prepare(ctx, &st, "SELECT value FROM notify_secret WHERE name = 'unsubscribe'"))
		return NULL;
	if (dc_step_row(st))
		v = dc_strdup(dc_col_text(st, 0));
	dc_finish(ctx, st);
	if (v || dc_random_hex(hex, 32))
		return v;
	if (dc_exec(ctx, "INSERT INTO notify_secret(name, value) VALUES ('unsubscribe', ?1)", 1,
	            hex))
		return NULL;
	return dc_strdup(hex);
}

static char *
unsubscribe_url(const char *base, const char *key, const char *handle)
{
	static const char hx[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	char *msg = dc_printf("unsubscribe|%s", handle), tok[33], *enc, *p, *url;
	const unsigned char *h;

	HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, strlen(msg), md,
	     &mdlen);
	for (i = 0; i < 16 && i < mdlen; i++) {
		tok[2 * i] = hx[md[i] >> 4];
		tok[2 * i + 1] = hx[md[i] & 15];
	}
	tok[2 * i] = '\0';
	if (!(enc = malloc(3 * strlen(handle) + 1)))
		abort();
	for (p = enc, h = (const unsigned char *)handle; *h; h++)
		if ((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
		    (*h >= '0' && *h <= '9') || strchr("-._~", *h))
			*p++ = (char)*h;
		else {
			*p++ = '%';
			*p++ = "0123456789ABCDEF"[*h >> 4];
			*p++ = "0123456789ABCDEF"[*h & 15];
		}
	*p = '\0';
	url = dc_printf("%s/abmelden?member=%s&token=%s", base, enc, tok);
	free(enc);
	free(msg);
	return url;
}

/* The posts of one member's window as the list the template shows; NULL when none. */
static int
member_posts(struct dc *ctx, struct dc_stmt *posts, const char *lang, char **list,
             char **count)
{
	size_t len = 0;
	long n = 0;
	int rc;

	*list = NULL;
	while ((rc = dc_step(ctx, posts)) == DC_ROW) {
		char *day = dc_instant_text(ctx, text(posts, 3), lang, 0), *line, *grown;
		const char *d = text(posts, 2);

		line = dc_printf("- %s\n  %s%s%s, %s\n\n", text(posts, 1), text(posts, 0),
		                 *d ? ", " : "", d, day);
		free(day);
		if (!(grown = realloc(*list, len + strlen(line) + 1)))
			abort();
		*list = grown;
		memcpy(*list + len, line, strlen(line) + 1);
		len += strlen(line);
		free(line);
		n++;
	}
	*count = dc_printf("%ld", n);
	return rc;
}

int
dc_notify_digest(struct dc *ctx, const char *period)
{
	struct dc_stmt *st = NULL, *posts = NULL, *last = NULL;
	struct queued q = {0};
	char now[21], from[21], until[21];
	char *lang = NULL, *city = NULL, *url = NULL, *key = NULL, *dfrom = NULL, *duntil = NULL;
	long today, start, end, span;
	int rc, weekly;

	if (!period)
		return dc_field_error(ctx, "field 'period' is required (daily or weekly)");
	if (strcmp(period, "daily") && strcmp(period, "weekly"))
		return dc_field_error(ctx, "field 'period': '%s' is not daily or weekly", period);
	weekly = period[0] == 'w';
	if ((rc = dc_out_check(ctx, &dc_rt_notification)) || (rc = dc_db_open(ctx)) ||
	    (rc = dc_require(ctx, "integrator", "queue digests")) || (rc = dc_tx_begin(ctx)))
		return rc;
	dc_fmt_time(dc_now(ctx), now);
	today = dc_local_days(ctx, dc_now(ctx));
	span = weekly ? 7 : 1;
	end = weekly ? today - dc_weekday(today) : today; /* exclusive: the last complete window */
	start = end - span;
	if ((rc = dc_prepare(ctx, &last, "SELECT window_end FROM notify_digest WHERE period = ?1")))
		goto done;
	dc_bind_text_ref(last, 1, period);
	if ((rc = dc_step(ctx, last)) == DC_ROW) {
		long d;

		if (dc_parse_date(text(last, 0), &d) == 0)
			start = d; /* catch up from where the last digest ended */
		rc = 0;
	}
	if (rc || start >= end)
		goto done;
	dc_fmt_time(dc_local_start_of_day(ctx, start), from);
	dc_fmt_time(dc_local_start_of_day(ctx, end), until);
	lang = dc_setting(ctx, "lang");
	dfrom = dc_date_text(start, lang);
	duntil = dc_date_text(end - 1, lang);
	city = dc_setting(ctx, "city.name");
	url = dc_setting(ctx, "city.url");
	if (!(key = secret(ctx))) {
		rc = ctx->err ? ctx->err : dc_error(ctx, DC_EINTERNAL, "no random bytes");
		goto done;
	}
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT handle, name, email, district, interests FROM member"
	                     " WHERE notify = ?1 AND active = 1 AND coalesce(email, '') <> ''"
	                     " ORDER BY handle")) ||
	    (rc = dc_prepare(
	         ctx, &posts,
	         "SELECT p.id, p.title, p.district, p.created_at FROM post p"
	         " WHERE p.status IN ('visible', 'locked') AND p.created_at >= ?1"
	         "  AND p.created_at < ?2 AND p.author <> ?3"
	         "  AND ((p.district IS NOT NULL AND (p.district = ?4 OR p.district IN"
	         "   (SELECT district FROM follow WHERE member = ?3 AND district IS NOT NULL)))"
	         "  OR EXISTS (SELECT 1 FROM json_each(p.topics) t WHERE t.value IN"
	         "   (SELECT topic FROM follow WHERE member = ?3 AND topic IS NOT NULL)"
	         "   OR t.value IN (SELECT value FROM json_each(?5))))"
	         " ORDER BY p.created_at, p.id")))
		goto done;
	dc_bind_text_ref(st, 1, period);
	dc_bind_text_ref(posts, 1, from);
	dc_bind_text_ref(posts, 2, until);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		const char *handle = text(st, 0), *email = text(st, 2);
		char *list = NULL, *count = NULL, *unsub;

		dc_reset(posts);
		dc_bind_text(posts, 3, handle);
		dc_bind_text(posts, 4, dc_col_text(st, 3));
		dc_bind_text(posts, 5, text(st, 4));
		if ((rc = member_posts(ctx, posts, lang, &list, &count)) || !list) {
			free(count);
			if (rc)
				break;
			continue;
		}
		unsub = unsubscribe_url(url ? url : "", key, handle);
		{
			const char *vars[] = {"name",  text(st, 1), "city", city,   "count",
			                      count,   "posts",     list,   "from", dfrom,
			                      "until", duntil,      "url",  url,    "unsubscribe",
			                      unsub,   "handle",    handle, NULL};

			rc = dc_outbox_add(ctx, "digest", lang, email, "member", handle, vars);
		}
		if (!rc) {
			char oid[24];

			remember(&q, dc_last_id(ctx));
			snprintf(oid, sizeof oid, "%lld", q.ids[q.n - 1]);
			rc = dc_exec(ctx, "UPDATE outbox SET unsubscribe = ?2 WHERE id = ?1", 2,
			             oid, unsub);
		}
		free(unsub);
		free(list);
		free(count);
		if (rc)
			break;
	}
	if (!rc) {
		char e[11];

		dc_fmt_date(end, e);
		rc = dc_exec(ctx,
		             "INSERT INTO notify_digest(period, window_end, at) VALUES (?1, ?2, ?3)"
		             " ON CONFLICT (period) DO UPDATE SET window_end = excluded.window_end,"
		             " at = excluded.at",
		             3, period, e, now);
	}
done:
	dc_finish(ctx, last);
	dc_finish(ctx, posts);
	dc_finish(ctx, st);
	free(lang);
	free(city);
	free(url);
	free(key);
	free(dfrom);
	free(duntil);
	return finish(ctx, rc, &q);
}
