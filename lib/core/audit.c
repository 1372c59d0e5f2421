/*
 * The append-only audit trail: every change appends an event whose hash covers the previous
 * event's hash and this event's canonical form, so that altering or deleting any row breaks
 * the chain from there on (dc-case verify, dc check).
 */
#include <stdlib.h>
#include <string.h>

#include "core/dc.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Canonical form: each field as <length>:<bytes>, NULL as '-', so no two events collide. */
static char *
canonical(const char *const *f, int n)
{
	size_t len = 1;
	char *s, *p;
	int i;

	for (i = 0; i < n; i++)
		len += (f[i] ? strlen(f[i]) : 0) + 24;
	if (!(s = p = malloc(len)))
		abort();
	for (i = 0; i < n; i++)
		p += f[i] ? sprintf(p, "%zu:%s,", strlen(f[i]), f[i]) : sprintf(p, "-,");
	return s;
}

static void
chain_hash(const char *prev, const char *const *f, int n, char out[65])
{
	char *c = canonical(f, n);
	char *buf = dc_printf("%s%s", prev, c);

	dc_sha256_hex(buf, strlen(buf), out);
	free(buf);
	free(c);
}

int
dc_audit(struct dc *ctx, const struct dc_event *ev)
{
	sqlite3_stmt *st = NULL;
	char at[21], prev[65] = GENESIS, hash[65];
	const char *f[10];
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_prepare(ctx, &st, "SELECT hash FROM event ORDER BY id DESC LIMIT 1")))
		return rc;
	if ((rc = dc_step(ctx, st)) == 1)
		snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(st, 0));
	dc_finish(ctx, st);
	if (rc > 1)
		return rc;
	f[0] = at, f[1] = ev->entity, f[2] = ev->ref, f[3] = ev->kind, f[4] = ctx->actor;
	f[5] = ctx->on_behalf_of, f[6] = ev->from, f[7] = ev->to, f[8] = ev->note;
	f[9] = ev->public ? "public" : "internal";
	chain_hash(prev, f, 10, hash);
	if ((rc = dc_prepare(ctx, &st,
	                     "INSERT INTO event(at, entity, ref, kind, actor, on_behalf_of, from_value,"
	                     " to_value, note, visibility, prev_hash, hash)"
	                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")))
		return rc;
	for (int i = 0; i < 10; i++)
		sqlite3_bind_text(st, i + 1, f[i], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, hash, -1, SQLITE_STATIC);
	rc = dc_step(ctx, st);
	dc_finish(ctx, st);
	return rc;
}

int
dc_audit_verify(struct dc *ctx, long *bad_id, long *checked)
{
	sqlite3_stmt *st = NULL;
	char prev[65] = GENESIS, hash[65];
	int rc, i;

	*bad_id = 0;
	*checked = 0;
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT at, entity, ref, kind, actor, on_behalf_of, from_value, to_value,"
	                     " note, visibility, prev_hash, hash, id FROM event ORDER BY id")))
		return rc;
	while ((rc = dc_step(ctx, st)) == 1) {
		const char *f[10];

		for (i = 0; i < 10; i++)
			f[i] = (const char *)sqlite3_column_text(st, i);
		chain_hash(prev, f, 10, hash);
		(*checked)++;
		if (strcmp(prev, (const char *)sqlite3_column_text(st, 10)) ||
		    strcmp(hash, (const char *)sqlite3_column_text(st, 11))) {
			*bad_id = (long)sqlite3_column_int64(st, 12);
			rc = 0;
			break;
		}
		snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(st, 11));
	}
	dc_finish(ctx, st);
	return rc;
}
