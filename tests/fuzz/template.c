/* Fuzz the notification texts: dc_render (lib/core/outbox.c) of a template with variables,
 * split into subject and body as dc_outbox_add does, and the mail dc-notify builds from them
 * (lib/notify/mime.c).  Input: the template, optionally NUL and the value every variable
 * takes.  Both must be text (dc_text_check), as the template loader and the record readers
 * ensure before anything reaches the renderer. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "notify/notify.h"

static const char *const known[] = {
    "address",    "assignee",     "city",     "count",       "created_at", "department",
    "dept",       "due_at",       "due_date", "from",        "gross",      "id",
    "leitweg_id", "lines",        "merchant", "name",        "net",        "note",
    "posts",      "service_name", "slot",     "status_text", "status",     "total",
    "track_url",  "unsubscribe",  "until",    "url",         "vendor",     NULL,
};

/* The header section must be header lines and folds only, none longer than 998 characters
 * (RFC 5322 2.1.1), and exactly one Subject: a value must not start a header of its own. */
static void
check_headers(const char *msg)
{
	const char *p = msg, *eol;
	int subjects = 0;

	while ((eol = strstr(p, "\r\n")) && eol != p) {
		size_t n = (size_t)(eol - p);

		if (n > 998 || memchr(p, '\r', n) || memchr(p, '\n', n))
			abort();
		if (*p != ' ' && *p != '\t') {
			const char *colon = memchr(p, ':', n);

			if (!colon || colon == p || memchr(p, ' ', (size_t)(colon - p)))
				abort();
			subjects += !strncmp(p, "Subject:", 8);
		}
		p = eol + 2;
	}
	if (!eol || subjects != 1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dc ctx;
	const char *nul = memchr(data, '\0', size), *vars[2 * 32];
	char *tmpl, *value, *text, *body, *msg;
	size_t tlen = nul ? (size_t)(nul - (const char *)data) : size, i;
	struct dc_mime_msg m = {0};

	if (dc_text_check(&ctx, (const char *)data, tlen) ||
	    (nul && dc_text_check(&ctx, nul + 1, size - tlen - 1))) {
		ctx.err = 0;
		return 0;
	}
	tmpl = strndup((const char *)data, tlen);
	value = nul ? strndup(nul + 1, size - tlen - 1) : strdup("Eva Müller {{id}} \r\nBcc: x@y");
	for (i = 0; known[i]; i++) {
		vars[2 * i] = known[i];
		vars[2 * i + 1] = value;
	}
	vars[2 * i] = NULL;
	text = dc_render(tmpl, vars);
	body = strchr(text, '\n');
	if (body) {
		*body++ = '\0';
		body += *body == '\n';
	} else
		body = "";
	m.from_name = "Musterstadt";
	m.from_addr = "dcity@musterstadt.example";
	m.to = "eva@example.org";
	m.subject = text;
	m.message_id = "<dcity.1.0@musterstadt.example>";
	m.body = body;
	m.date = 1772442000;
	msg = dc_mime_message(&m);
	check_headers(msg);
	free(msg);
	free(text);
	free(value);
	free(tmpl);
	return 0;
}
