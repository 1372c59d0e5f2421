/*
 * The append-only audit trail: every change appends an event whose hash covers the previous
 * event's hash and this event's canonical form, so that altering or deleting any row breaks
 * the chain from there on (dc-case verify, dc check).
 *
 * A field that may name a citizen is not itself in the canonical form: the form has '-' in
 * its place and ends with the field's hash, SHA-256(salt || value) with a random salt of its
 * own.  Erasing value and salt (a purge, dc-subject erase: GDPR Art. 17) leaves the chain
 * intact, and the hash without its salt cannot be matched against guessed values.  Such
 * fields are a personal note (schema 8; the eleventh field), the citizen an event is written
 * on behalf of (a member handle or a guest's address; the twelfth) and the ref of a member's
 * own events, which is the handle (schema 15; the thirteenth).  The form has as many fields as
 * its last hash needs, so events written before a schema verify as they were written.
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
	size_t len[16], need = strlen(prev) + 1;
	int i;

	if (n > (int)(sizeof len / sizeof *len))
		abort();
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

/* The fields that may name a citizen, in the order of their hashes in the canonical form:
 * the column holding the value, its index in the form, and what it becomes when erased. */
enum { PII_NOTE, PII_WHO, PII_REF, NPII };
_Static_assert(DC_AUDIT_NOTE == 1 << PII_NOTE && DC_AUDIT_WHO == 1 << PII_WHO &&
                   DC_AUDIT_REF == 1 << PII_REF,
               "dc_audit_erase's bits are the fields' bits");
static const struct {
	int field;
	const char *erased; /* NULL: SQL NULL */
} pii[NPII] = {{8, NULL}, {5, NULL}, {2, "-"}};

/* SHA-256(salt || value) */
static void
pii_hash(const char *salt, const char *value, char out[65])
{
	char *buf = dc_printf("%s%s", salt, value);

	dc_sha256_hex(buf, strlen(buf), out);
	free(buf);
}

/* A member's own events have the member's handle as their ref. */
static int
ref_personal(const struct dc_event *ev)
{
	return !strcmp(ev->entity, "member") && strcmp(ev->ref, "-");
}

/* Append EV, written on behalf of WHO; PERSONAL says which of note and WHO may name a
 * citizen (DC_AUDIT_NOTE, DC_AUDIT_WHO). */
static int
audit(struct dc *ctx, const struct dc_event *ev, const char *who, unsigned personal)
{
	struct dc_stmt *st = NULL;
	char at[21], prev[65] = GENESIS, hash[65], salt[NPII][33], phash[NPII][65];
	const char *f[10 + NPII], *value[NPII];
	int rc, n = 10, k;

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
	if (ref_personal(ev))
		personal |= DC_AUDIT_REF;
	f[0] = at, f[1] = ev->entity, f[2] = ev->ref, f[3] = ev->kind, f[4] = ctx->actor;
	f[5] = who, f[6] = ev->from, f[7] = ev->to, f[8] = ev->note;
	f[9] = ev->public ? "public" : "internal";
	value[PII_NOTE] = ev->note, value[PII_WHO] = who, value[PII_REF] = ev->ref;
	for (k = 0; k < NPII; k++) {
		f[10 + k] = NULL;
		if (!(personal & 1u << k) || !value[k])
			continue;
		if (dc_random_hex(salt[k], 16) < 0)
			return dc_error(ctx, DC_EINTERNAL, "no random bytes for the audit trail");
		pii_hash(salt[k], value[k], phash[k]);
		f[pii[k].field] = NULL;
		f[10 + k] = phash[k];
		n = 11 + k;
	}
	chain_hash(prev, f, n, hash);
	if ((rc = dc_prepare(ctx, &st,
	                     "INSERT INTO event(at, entity, ref, kind, actor, on_behalf_of,"
	                     " from_value, to_value, note, visibility, prev_hash, hash, note_salt,"
	                     " note_hash, who_salt, who_hash, ref_salt, ref_hash) VALUES (?1, ?2,"
	                     " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
	                     " ?18)")))
		return rc;
	for (int i = 0; i < 10; i++)
		dc_bind_text_ref(st, i + 1, f[i]);
	for (k = 0; k < NPII; k++) {
		dc_bind_text_ref(st, pii[k].field + 1, value[k]);
		dc_bind_text_ref(st, 13 + 2 * k, f[10 + k] ? salt[k] : NULL);
		dc_bind_text_ref(st, 14 + 2 * k, f[10 + k]);
	}
	dc_bind_text_ref(st, 11, prev);
	dc_bind_text_ref(st, 12, hash);
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
	return audit(ctx, ev, ctx->on_behalf_of, 0);
}

int
dc_audit_personal(struct dc *ctx, const struct dc_event *ev)
{
	return audit(ctx, ev, ctx->on_behalf_of, DC_AUDIT_NOTE);
}

int
dc_audit_citizen(struct dc *ctx, const struct dc_event *ev, const char *who, int personal_note)
{
	return audit(ctx, ev, who, DC_AUDIT_WHO | (personal_note ? DC_AUDIT_NOTE : 0));
}

int
dc_audit_check(struct dc_audit_walk *w, const char *const *col, long *bad_id)
{
	const char *f[10 + NPII];
	char hash[65];
	int n = 10, bad = 0, erased = 0, k;

	*bad_id = 0;
	for (k = 0; k < 10 + NPII; k++)
		f[k] = col[k];
	for (k = 0; k < NPII; k++) {
		const char *v = f[pii[k].field], *salt = col[16 + k];
		int gone = pii[k].erased ? !strcmp(v, pii[k].erased) : !v;

		if (!f[10 + k])
			continue;
		n = 11 + k;
		/* a value still there must be the one hashed; an erased one leaves neither value
		 * nor salt and must be accounted for by a later 'purged' event */
		if (!gone && salt) {
			char h[65];

			pii_hash(salt, v, h);
			bad |= strcmp(h, f[10 + k]) != 0;
		} else if (!gone || salt)
			bad = 1;
		else
			erased = 1;
		f[pii[k].field] = NULL;
	}
	if (erased && !bad) {
		int later, rc;

		if ((rc = w->purged_later(w->arg, col[1], col[2], col[15], &later)))
			return rc;
		bad = !later;
	}
	if (!w->prev[0])
		memcpy(w->prev, GENESIS, sizeof w->prev);
	chain_hash(w->prev, f, n, hash);
	w->checked++;
	if (bad || strcmp(w->prev, col[13]) || strcmp(hash, col[14])) {
		*bad_id = strtol(col[15], NULL, 10);
		return 0;
	}
	snprintf(w->prev, sizeof w->prev, "%s", col[14]);
	return 0;
}

/* Has ENTITY REF a 'purged' event after event ID?  *later says; 0 or an error code. */
static int
purged_later(void *arg, const char *entity, const char *ref, const char *id, int *later)
{
	struct dc *ctx = arg;
	struct dc_stmt *st = NULL;
	int rc;

	*later = 0;
	if ((rc = dc_prepare(ctx, &st, "SELECT 1 FROM event WHERE entity = ?1 AND ref = ?2"
	                               " AND kind = 'purged' AND id > ?3 LIMIT 1")))
		return rc;
	dc_bind_text_ref(st, 1, entity);
	dc_bind_text_ref(st, 2, ref);
	dc_bind_int(st, 3, strtoll(id, NULL, 10));
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
	struct dc_audit_walk w = {purged_later, ctx, "", 0};
	struct dc_stmt *st = NULL;
	int rc;

	*bad_id = 0;
	if ((rc = dc_prepare(ctx, &st, "SELECT " DC_AUDIT_COLUMNS " FROM event ORDER BY id")))
		return rc;
	while (!*bad_id && (rc = dc_step(ctx, st)) == DC_ROW) {
		const char *col[DC_AUDIT_NCOLUMNS];

		for (int i = 0; i < DC_AUDIT_NCOLUMNS; i++)
			col[i] = dc_col_text(st, i);
		if ((rc = dc_audit_check(&w, col, bad_id)))
			break;
	}
	if (rc == DC_ROW)
		rc = 0;
	dc_finish(ctx, st);
	*checked = w.checked;
	return rc;
}

/* Erase FIELDS (DC_AUDIT_* bits) of the events WHERE selects (?1, ?2 its parameters) where
 * the chain holds their hashes: value and salt go, an erased ref becomes '-'.  Adds the
 * number of events changed to *erased. */
static int
erase(struct dc *ctx, const char *where, const char *a, const char *b, unsigned fields,
      long *erased)
{
	struct dc_stmt *st = NULL;
	char *sql = dc_printf(
	    "UPDATE event SET"
	    " note = CASE WHEN (?3 & 1) <> 0 AND note_hash IS NOT NULL THEN NULL ELSE note END,"
	    " note_salt = CASE WHEN (?3 & 1) <> 0 AND note_hash IS NOT NULL THEN NULL"
	    "  ELSE note_salt END,"
	    " on_behalf_of = CASE WHEN (?3 & 2) <> 0 AND who_hash IS NOT NULL THEN NULL"
	    "  ELSE on_behalf_of END,"
	    " who_salt = CASE WHEN (?3 & 2) <> 0 AND who_hash IS NOT NULL THEN NULL"
	    "  ELSE who_salt END,"
	    " ref = CASE WHEN (?3 & 4) <> 0 AND ref_hash IS NOT NULL THEN '-' ELSE ref END,"
	    " ref_salt = CASE WHEN (?3 & 4) <> 0 AND ref_hash IS NOT NULL THEN NULL"
	    "  ELSE ref_salt END"
	    " WHERE %s AND ((?3 & 1) <> 0 AND note_hash IS NOT NULL AND note IS NOT NULL"
	    "  OR (?3 & 2) <> 0 AND who_hash IS NOT NULL AND on_behalf_of IS NOT NULL"
	    "  OR (?3 & 4) <> 0 AND ref_hash IS NOT NULL AND ref <> '-')",
	    where);
	int rc;

	rc = dc_prepare(ctx, &st, sql);
	free(sql);
	if (rc)
		return rc;
	dc_bind_text_ref(st, 1, a);
	dc_bind_text_ref(st, 2, b);
	dc_bind_int(st, 3, fields);
	if (!(rc = dc_step(ctx, st)))
		*erased += dc_changes(ctx);
	dc_finish(ctx, st);
	return rc;
}

int
dc_audit_purge(struct dc *ctx, const char *entity, const char *ref, const char *note,
               long *erased)
{
	struct dc_event ev = {entity, ref, "purged", NULL, NULL, note, 0};
	int rc;

	if ((rc = erase(ctx, "entity = ?1 AND ref = ?2", entity, ref,
	                DC_AUDIT_NOTE | DC_AUDIT_WHO, erased)))
		return rc;
	return dc_audit(ctx, &ev);
}

int
dc_audit_erase(struct dc *ctx, const char *id, unsigned fields, const char *note, long *erased)
{
	struct dc_stmt *st = NULL;
	char *entity = NULL, *ref = NULL;
	long n = 0;
	int rc;

	if ((rc = erase(ctx, "id = ?1", id, NULL, fields, &n)) || !n)
		return rc;
	/* the 'purged' event of the record as it is now named: by '-' once its ref is gone */
	if ((rc = dc_prepare(ctx, &st, "SELECT entity, ref FROM event WHERE id = ?1")))
		return rc;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		entity = dc_strdup(dc_col_text(st, 0));
		ref = dc_strdup(dc_col_text(st, 1));
		rc = 0;
	}
	dc_finish(ctx, st);
	if (!rc && entity) {
		struct dc_event ev = {entity, ref, "purged", NULL, NULL, note, 0};

		if (!(rc = dc_audit(ctx, &ev)))
			(*erased)++;
	}
	free(entity);
	free(ref);
	return rc;
}
