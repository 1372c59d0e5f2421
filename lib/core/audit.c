/*
 * The append-only audit trail: every change appends an event whose hash covers the previous
 * event's hash and this event's canonical form, so that altering or deleting any row breaks
 * the chain from there on (dc-case verify, dc check).
 *
 * A note that may name a person is not itself in the canonical form: the form has '-' in its
 * place and ends with an eleventh field, note_hash = SHA-256(note_salt || note) with a random
 * salt.  Erasing the note and its salt (a purge, GDPR Art. 17) leaves the chain intact, and
 * the hash without its salt cannot be matched against guessed texts.
 */
#include <stdlib.h>
#include <string.h>

#include "core/dc.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/*
 * The hash of the previous hash followed by the canonical form: each field as
 * <length>:<bytes>, NULL as '-', so no two events collide.  Written without printf into one
 * buffer, on the stack when it fits (formatting was a third of the audit's own time: perf).
 */
static void
chain_hash(const char *prev, const char *const *f, int n, char out[65])
{
	char small[2048], *buf = small, *p;
	size_t len[11], need = strlen(prev) + 1;
	int i;

	for (i = 0; i < n; i++)
		need += (len[i] = f[i] ? strlen(f[i]) : 0) + 24;
	if (need > sizeof small && !(buf = malloc(need)))
		abort();
	p = stpcpy(buf, prev);
	for (i = 0; i < n; i++) {
		char num[24], *d = num + sizeof num;
		size_t v = len[i];

		if (!f[i]) {
			*p++ = '-', *p++ = ',';
			continue;
		}
		do
			*--d = (char)('0' + v % 10);
		while (v /= 10);
		memcpy(p, d, (size_t)(num + sizeof num - d));
		p += num + sizeof num - d;
		*p++ = ':';
		memcpy(p, f[i], len[i]);
		p += len[i];
		*p++ = ',';
	}
	dc_sha256_hex(buf, (size_t)(p - buf), out);
	if (buf != small)
		free(buf);
}

/* note_hash of a personal note */
static void
note_hash(const char *salt, const char *note, char out[65])
{
	char *buf = dc_printf("%s%s", salt, note);

	dc_sha256_hex(buf, strlen(buf), out);
	free(buf);
}

static int
audit(struct dc *ctx, const struct dc_event *ev, int personal)
{
	struct dc_stmt *st = NULL;
	char at[21], prev[65] = GENESIS, hash[65], salt[33], nhash[65];
	const char *f[11];
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	dc_fmt_time(dc_now(ctx), at);
	/* within one transaction only this process appends: the head it wrote last is the head */
	if (ctx->intx && ctx->audit_gen == ctx->txgen && ctx->audit_head[0])
		memcpy(prev, ctx->audit_head, sizeof prev);
	else {
		if ((rc = dc_prepare(ctx, &st, "SELECT hash FROM event ORDER BY id DESC LIMIT 1")))
			return rc;
		if ((rc = dc_step(ctx, st)) == DC_ROW)
			snprintf(prev, sizeof prev, "%s", dc_col_text(st, 0));
		dc_finish(ctx, st);
		if (rc > 0)
			return rc;
	}
	if (personal) {
		if (dc_random_hex(salt, 16) < 0)
			return dc_error(ctx, DC_EINTERNAL, "no random bytes for the audit trail");
		note_hash(salt, ev->note, nhash);
	}
	f[0] = at, f[1] = ev->entity, f[2] = ev->ref, f[3] = ev->kind, f[4] = ctx->actor;
	f[5] = ctx->on_behalf_of, f[6] = ev->from, f[7] = ev->to;
	f[8] = personal ? NULL : ev->note;
	f[9] = ev->public ? "public" : "internal";
	f[10] = personal ? nhash : NULL;
	chain_hash(prev, f, personal ? 11 : 10, hash);
	if ((rc = dc_prepare(
	         ctx, &st,
	         "INSERT INTO event(at, entity, ref, kind, actor, on_behalf_of, from_value,"
	         " to_value, note, visibility, prev_hash, hash, note_salt, note_hash)"
	         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")))
		return rc;
	for (int i = 0; i < 10; i++)
		dc_bind_text_ref(st, i + 1, f[i]);
	dc_bind_text_ref(st, 9, ev->note);
	dc_bind_text_ref(st, 11, prev);
	dc_bind_text_ref(st, 12, hash);
	dc_bind_text_ref(st, 13, personal ? salt : NULL);
	dc_bind_text_ref(st, 14, personal ? nhash : NULL);
	rc = dc_step(ctx, st);
	dc_finish(ctx, st);
	ctx->audit_head[0] = '\0';
	if (!rc && ctx->intx) {
		memcpy(ctx->audit_head, hash, sizeof hash);
		ctx->audit_gen = ctx->txgen;
	}
	return rc;
}

int
dc_audit(struct dc *ctx, const struct dc_event *ev)
{
	return audit(ctx, ev, 0);
}

int
dc_audit_personal(struct dc *ctx, const struct dc_event *ev)
{
	return audit(ctx, ev, ev->note != NULL);
}

/* Has ENTITY REF a 'purged' event after event ID?  *later says; 0 or an error code. */
static int
purged_later(struct dc *ctx, const char *entity, const char *ref, long long id, int *later)
{
	struct dc_stmt *st = NULL;
	int rc;

	*later = 0;
	if ((rc = dc_prepare(ctx, &st, "SELECT 1 FROM event WHERE entity = ?1 AND ref = ?2"
	                               " AND kind = 'purged' AND id > ?3 LIMIT 1")))
		return rc;
	dc_bind_text_ref(st, 1, entity);
	dc_bind_text_ref(st, 2, ref);
	dc_bind_int(st, 3, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*later = 1;
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

int
dc_audit_verify(struct dc *ctx, long *bad_id, long *checked)
{
	struct dc_stmt *st = NULL;
	char prev[65] = GENESIS, hash[65];
	int rc, i;

	*bad_id = 0;
	*checked = 0;
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT at, entity, ref, kind, actor, on_behalf_of, from_value, to_value,"
	                     " note, visibility, note_hash, prev_hash, hash, id, note_salt"
	                     " FROM event ORDER BY id")))
		return rc;
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		const char *f[11], *salt = dc_col_text(st, 14);
		int personal = !dc_col_null(st, 10), bad = 0;

		for (i = 0; i < 11; i++)
			f[i] = dc_col_text(st, i);
		if (personal) {
			/* a note still there must be the one hashed; an erased one leaves both NULL
			 * and must be accounted for by a later 'purged' event of the same record */
			if (f[8] && salt) {
				char nh[65];

				note_hash(salt, f[8], nh);
				bad = strcmp(nh, f[10]) != 0;
			} else if (f[8] || salt)
				bad = 1;
			else {
				int later;

				if ((rc = purged_later(ctx, f[1], f[2], dc_col_int(st, 13), &later)))
					break;
				bad = !later;
			}
			f[8] = NULL;
		}
		chain_hash(prev, f, personal ? 11 : 10, hash);
		(*checked)++;
		if (bad || strcmp(prev, dc_col_text(st, 11)) || strcmp(hash, dc_col_text(st, 12))) {
			*bad_id = (long)dc_col_int(st, 13);
			rc = 0;
			break;
		}
		snprintf(prev, sizeof prev, "%s", dc_col_text(st, 12));
	}
	dc_finish(ctx, st);
	return rc;
}

int
dc_audit_purge(struct dc *ctx, const char *entity, const char *ref, const char *note,
               long *erased)
{
	struct dc_event ev = {entity, ref, "purged", NULL, NULL, note, 0};
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st,
	                     "UPDATE event SET note = NULL, note_salt = NULL WHERE entity = ?1"
	                     " AND ref = ?2 AND note_hash IS NOT NULL AND note IS NOT NULL")))
		return rc;
	dc_bind_text_ref(st, 1, entity);
	dc_bind_text_ref(st, 2, ref);
	if (!(rc = dc_step(ctx, st)))
		*erased += dc_changes(ctx);
	dc_finish(ctx, st);
	return rc ? rc : dc_audit(ctx, &ev);
}
