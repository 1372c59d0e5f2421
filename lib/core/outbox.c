/* The notification outbox: rows written in the same transaction as the change that causes
 * them; dc-notify delivers them later.  Templates: first line subject, blank line, body. */
#include <stdlib.h>
#include <string.h>

#include "core/dc.h"

const char *
dc_template(const char *name)
{
	const struct dc_blob *t;

	for (t = dc_templates; t->name; t++)
		if (!strcmp(t->name, name))
			return t->text;
	return NULL;
}

/* Replace {{key}} with the value of key in vars (NULL-terminated pairs); unknown keys and
 * NULL values become empty. */
char *
dc_render(const char *text, const char *const *vars)
{
	size_t cap = strlen(text) + 256, len = 0;
	char *out = malloc(cap);
	const char *p = text;

	if (!out)
		abort();
	while (*p) {
		const char *val = NULL, *end;
		size_t n;

		if (p[0] == '{' && p[1] == '{' && (end = strstr(p + 2, "}}"))) {
			const char *const *v;

			for (v = vars; v && *v; v += 2)
				if (strlen(*v) == (size_t)(end - p - 2) && !strncmp(*v, p + 2, (size_t)(end - p - 2)))
					val = v[1] ? v[1] : "";
			if (!val)
				val = "";
			n = strlen(val);
			p = end + 2;
		} else {
			val = p;
			n = 1;
			p++;
		}
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			if (!(out = realloc(out, cap)))
				abort();
		}
		memcpy(out + len, val, n);
		len += n;
	}
	out[len] = '\0';
	return out;
}

int
dc_outbox_add(struct dc *ctx, const char *tmpl, const char *lang, const char *recipient,
              const char *ref_type, const char *ref_id, const char *const *vars)
{
	sqlite3_stmt *st = NULL;
	char *name = dc_printf("%s.%s", tmpl, lang && *lang ? lang : "de"), *text = NULL, *body;
	const char *t = dc_template(name);
	char at[21];
	int rc;

	if (!t) {
		free(name);
		name = dc_printf("%s.de", tmpl);
		t = dc_template(name);
	}
	if (!t) {
		rc = dc_error(ctx, DC_EINTERNAL, "no template '%s'", name);
		goto done;
	}
	text = dc_render(t, vars);
	body = strchr(text, '\n');
	if (body) {
		*body++ = '\0';
		body += *body == '\n';
	} else
		body = "";
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_prepare(ctx, &st,
	                     "INSERT INTO outbox(created_at, template, lang, recipient, subject, body,"
	                     " ref_type, ref_id, status, attempts, next_at)"
	                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', 0, ?1)")))
		goto done;
	sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tmpl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, lang && *lang ? lang : "de", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, ref_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, ref_id, -1, SQLITE_STATIC);
	rc = dc_step(ctx, st);
done:
	sqlite3_finalize(st);
	free(text);
	free(name);
	return rc;
}
