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
 * NULL values become empty, and an empty one takes the space before it along when
 * punctuation follows. */
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
			/* "Guten Tag {{name}}," without a name: "Guten Tag,", not "Guten Tag ," */
			if (!n && len && out[len - 1] == ' ' && *p && strchr(",.;:!?)", *p))
				len--;
		} else {
			/* the text up to the next placeholder in one copy (a byte at a time was most
			 * of rendering a receipt: perf) */
			const char *next = strstr(p + 1, "{{");

			val = p;
			n = next ? (size_t)(next - p) : strlen(p);
			p += n;
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

/* The installation's own NAME.txt in the mail.templates folder, else the built-in one;
 * *out is NULL when neither exists. */
static int
load_template(struct dc *ctx, const char *name, char **out)
{
	char *dir = dc_setting(ctx, "mail.templates"), *path, buf[65536];
	size_t n = 0;
	FILE *fp;
	int rc = 0;

	*out = NULL;
	if (dir && *dir) {
		path = dc_printf("%s/%s.txt", dir, name);
		if ((fp = fopen(path, "r"))) {
			n = fread(buf, 1, sizeof buf - 1, fp);
			if (!feof(fp))
				rc = dc_error(ctx, DC_EDATA, "template '%s' is longer than 64 KiB", path);
			else if ((rc = dc_text_check(ctx, buf, n)) == 0) {
				buf[n] = '\0';
				*out = dc_strdup(buf);
			} else
				dc_error_prefix(ctx, "template '%s'", path);
			fclose(fp);
		}
		free(path);
	}
	free(dir);
	if (!rc && !*out && dc_template(name))
		*out = dc_strdup(dc_template(name));
	return rc;
}

int
dc_outbox_add(struct dc *ctx, const char *tmpl, const char *lang, const char *recipient,
              const char *ref_type, const char *ref_id, const char *const *vars)
{
	return dc_outbox_add_secret(ctx, tmpl, lang, recipient, ref_type, ref_id, vars, NULL);
}

int
dc_outbox_add_secret(struct dc *ctx, const char *tmpl, const char *lang, const char *recipient,
                     const char *ref_type, const char *ref_id, const char *const *vars,
                     const char *secret)
{
	struct dc_stmt *st = NULL;
	char *name = dc_printf("%s.%s", tmpl, lang && *lang ? lang : "de"), *text = NULL, *body;
	char *t = NULL, at[21];
	int rc;

	if ((rc = load_template(ctx, name, &t)))
		goto done;
	if (!t) {
		free(name);
		name = dc_printf("%s.de", tmpl);
		if ((rc = load_template(ctx, name, &t)))
			goto done;
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
	                     " ref_type, ref_id, status, attempts, next_at, secret)"
	                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', 0, ?1, ?9)")))
		goto done;
	dc_bind_text_ref(st, 1, at);
	dc_bind_text_ref(st, 2, tmpl);
	dc_bind_text_ref(st, 3, lang && *lang ? lang : "de");
	dc_bind_text_ref(st, 4, recipient);
	dc_bind_text_ref(st, 5, text);
	dc_bind_text_ref(st, 6, body);
	dc_bind_text_ref(st, 7, ref_type);
	dc_bind_text_ref(st, 8, ref_id);
	/* only a secret the text holds needs dropping after the send */
	dc_bind_text_ref(st, 9, secret && *secret && (strstr(text, secret) || strstr(body, secret))
	                            ? secret : NULL);
	rc = dc_step(ctx, st);
done:
	dc_finish(ctx, st);
	free(t);
	free(text);
	free(name);
	return rc;
}

int
dc_outbox_attach(struct dc *ctx, long long outbox_id, const char *filename,
                 const char *content_type, const char *content)
{
	struct dc_stmt *st = NULL;
	const char *p;
	int rc;

	/* it goes into a header as a quoted-string as it is (lib/notify/mime.c) */
	for (p = filename; *p; p++)
		if (*p < 32 || *p > 126 || *p == '"' || *p == '\\')
			return dc_error(ctx, DC_EINTERNAL, "attachment name '%s' is not plain ASCII",
			                filename);
	if ((rc = dc_prepare(ctx, &st,
	                     "INSERT INTO outbox_attachment(outbox_id, seq, filename, content_type,"
	                     " content) VALUES (?1, (SELECT coalesce(max(seq), 0) + 1"
	                     " FROM outbox_attachment WHERE outbox_id = ?1), ?2, ?3, ?4)")))
		return rc;
	dc_bind_int(st, 1, outbox_id);
	dc_bind_text_ref(st, 2, filename);
	dc_bind_text_ref(st, 3, content_type);
	dc_bind_text_ref(st, 4, content);
	rc = dc_step(ctx, st);
	dc_finish(ctx, st);
	return rc;
}
