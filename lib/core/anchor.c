/*
 * Audit anchors (dcity(7) SECURITY): the hash chain shows that no event was altered, but a
 * writer of the database file could cut its tail or compute a whole new chain.  An anchor —
 * the chain's length and the hash of its last event at a time — kept in a git repository
 * outside the database (published with the open data, or with the data-protection officer)
 * pins the chain's history up to there: a later chain either still has that hash at that
 * position or it was cut or rebuilt.
 *
 * The file holds one anchor a line, "TIME EVENTS HASH", and lines of comment after '#'.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/dc.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define HEADER                                                                                     \
	"# dcity audit anchors: TIME EVENTS HASH, the length of the audit chain and the hash\n"    \
	"# of its last event at that time (dc anchor; dc check --anchors verifies them).\n"

struct mark {
	struct dc_anchor a;
	long line;
	long long have; /* the chain's length, when shorter than the anchor's */
	int bad;        /* 1: the chain is shorter; 2: another hash at the position */
};

/* The head of the chain now */
static int
head(struct dc *ctx, struct dc_anchor *a)
{
	struct dc_stmt *st = NULL;
	int rc;

	a->events = 0;
	snprintf(a->hash, sizeof a->hash, "%s", GENESIS);
	dc_fmt_time(dc_now(ctx), a->at);
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT (SELECT count(*) FROM event),"
	                     " (SELECT hash FROM event ORDER BY id DESC LIMIT 1)")))
		return rc;
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		a->events = dc_col_int(st, 0);
		if (!dc_col_null(st, 1))
			snprintf(a->hash, sizeof a->hash, "%s", dc_col_text(st, 1));
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

static int
append(struct dc *ctx, void *arg, const char *full, const char *old, size_t oldlen)
{
	const struct dc_anchor *a = arg;
	FILE *f = fopen(full, "w");
	int rc = 0;

	if (!f)
		return dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", full,
		                strerror(errno));
	if (old)
		fwrite(old, 1, oldlen, f);
	else
		fputs(HEADER, f);
	if (old && oldlen && old[oldlen - 1] != '\n')
		fputc('\n', f);
	fprintf(f, "%s %lld %s\n", a->at, a->events, a->hash);
	if (ferror(f) | fclose(f))
		rc = dc_error(ctx, DC_EIO, "write error on '%s'", full);
	return rc;
}

int
dc_anchor_add(struct dc *ctx, struct dc_git *g, struct dc_anchor *a)
{
	char *msg = NULL;
	long bad, checked;
	int rc, end;

	/* the chain and its head are read in one snapshot (a read transaction, so that writers
	 * go on), and a broken chain is not anchored */
	if ((rc = dc_exec(ctx, "BEGIN", 0)))
		return rc;
	if (!(rc = dc_audit_verify(ctx, &bad, &checked)) && !(rc = head(ctx, a)) && bad)
		rc = dc_error(ctx, DC_EPROBLEM,
		              "event %ld breaks the hash chain: not anchored (see dc check)", bad);
	end = dc_exec(ctx, "COMMIT", 0);
	if ((rc = rc ? rc : end))
		return rc;
	if (!g->message)
		g->message = msg =
		    dc_printf("dc anchor: %lld events, head %.12s", a->events, a->hash);
	rc = dc_git_commit(ctx, g, append, a);
	if (msg)
		g->message = NULL;
	free(msg);
	return rc;
}

/* The anchors of TEXT, in file order; DC_EDATA naming the line of one that is not one. */
static int
parse(struct dc *ctx, const char *path, char *text, struct mark **m, long *n)
{
	char *line, *save = NULL, *f[4], *end;
	long cap = 0, no = 0;
	time_t t;
	int i;

	*m = NULL;
	*n = 0;
	for (line = text; line; line = save) {
		if ((save = strchr(line, '\n')))
			*save++ = '\0';
		no++;
		line[strcspn(line, "#")] = '\0';
		for (i = 0; i < 4 && (f[i] = strtok_r(i ? NULL : line, " \t\r", &end)); i++)
			;
		if (i == 0)
			continue;
		if (*n == cap &&
		    !(*m = realloc(*m, (size_t)(cap = cap ? 2 * cap : 64) * sizeof **m)))
			abort();
		memset(&(*m)[*n], 0, sizeof **m);
		if (i != 3 || dc_parse_time(f[0], &t) < 0 ||
		    strspn(f[1], "0123456789") != strlen(f[1]) || strlen(f[1]) > 15 ||
		    strlen(f[2]) != 64 || strspn(f[2], "0123456789abcdef") != 64)
			return dc_error(
			    ctx, DC_EDATA,
			    "%s:%ld: not an anchor (TIME EVENTS HASH: an RFC 3339 time, a "
			    "count, 64 hex digits)",
			    path, no);
		snprintf((*m)[*n].a.at, sizeof(*m)[*n].a.at, "%s", f[0]);
		(*m)[*n].a.events = strtoll(f[1], NULL, 10);
		memcpy((*m)[*n].a.hash, f[2], 65);
		(*m)[*n].line = no;
		(*n)++;
	}
	return 0;
}

static int
by_events(const void *x, const void *y)
{
	const struct mark *a = *(struct mark *const *)x, *b = *(struct mark *const *)y;

	return (a->a.events > b->a.events) - (a->a.events < b->a.events);
}

/* Walk the chain once, in order, comparing each anchored position (anchors sorted by it). */
static int
walk(struct dc *ctx, struct mark **s, long n)
{
	struct dc_stmt *st = NULL;
	long long pos = 0;
	long i = 0;
	int rc;

	for (; i < n && s[i]->a.events == 0; i++)
		s[i]->bad = strcmp(s[i]->a.hash, GENESIS) ? 2 : 0;
	if (i == n)
		return 0;
	if ((rc = dc_prepare(ctx, &st, "SELECT hash FROM event ORDER BY id")))
		return rc;
	while (i < n && (rc = dc_step(ctx, st)) == DC_ROW) {
		pos++;
		for (; i < n && s[i]->a.events == pos; i++)
			s[i]->bad = strcmp(s[i]->a.hash, dc_col_text(st, 0)) ? 2 : 0;
	}
	dc_finish(ctx, st);
	if (rc > 0)
		return rc;
	for (; i < n; i++) {
		s[i]->bad = 1;
		s[i]->have = pos;
	}
	return 0;
}

int
dc_anchor_check(struct dc *ctx, const char *repo, const char *path, int *ok, char **detail)
{
	struct mark *m = NULL, **s = NULL;
	char *text = NULL;
	size_t len;
	long n = 0, i;
	int rc;

	*ok = 0;
	*detail = NULL;
	if ((rc = dc_git_read(ctx, repo, path, &text, &len)))
		goto done;
	if (strlen(text) != len) {
		rc = dc_error(ctx, DC_EDATA, "%s: not a text file", path);
		goto done;
	}
	if ((rc = parse(ctx, path, text, &m, &n)))
		goto done;
	if (!(s = calloc((size_t)n + 1, sizeof *s)))
		abort();
	for (i = 0; i < n; i++)
		s[i] = &m[i];
	qsort(s, (size_t)n, sizeof *s, by_events);
	if ((rc = walk(ctx, s, n)))
		goto done;
	for (i = 0; i < n && !m[i].bad; i++)
		;
	*ok = i == n;
	if (n == 0)
		*detail = dc_printf("%s:%s has no anchors yet", repo, path);
	else if (i == n)
		*detail = dc_printf("%ld anchor%s (the latest: %s, %lld events)", n,
		                    n == 1 ? " holds" : "s hold", m[n - 1].a.at, m[n - 1].a.events);
	else if (m[i].bad == 1)
		*detail =
		    dc_printf("%s:%ld: the anchor of %s (%lld events) no longer holds: the chain "
		              "has only %lld events (its tail was cut)",
		              path, m[i].line, m[i].a.at, m[i].a.events, m[i].have);
	else
		*detail = dc_printf("%s:%ld: the anchor of %s (%lld events) no longer holds: event "
		                    "%lld of the chain has another hash (the chain was rebuilt)",
		                    path, m[i].line, m[i].a.at, m[i].a.events, m[i].a.events);
done:
	free(s);
	free(m);
	free(text);
	return rc;
}
