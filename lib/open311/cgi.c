/* dc-open311: the CGI/1.1 side (RFC 3875) — the request from the environment and standard
 * input, the answer with its Status: header, and Open311's error documents. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "export/export.h"
#include "open311/open311.h"

static char *
env(const char *name)
{
	const char *v = getenv(name);

	return v ? dc_strdup(v) : NULL;
}

void
dc_o311_req_env(struct dc_o311_req *r)
{
	const char *https = getenv("HTTPS"), *host = getenv("HTTP_HOST");
	const char *script = getenv("SCRIPT_NAME");

	memset(r, 0, sizeof *r);
	r->saved = r->buf = -1;
	r->method = env("REQUEST_METHOD");
	r->path = env("PATH_INFO");
	r->query = env("QUERY_STRING");
	r->content_type = env("CONTENT_TYPE");
	r->content_length = env("CONTENT_LENGTH");
	if (!host)
		host = getenv("SERVER_NAME");
	r->base = dc_printf("%s://%s%s", https && !strcasecmp(https, "on") ? "https" : "http",
	                    host ? host : "localhost", script ? script : "");
}

void
dc_o311_req_free(struct dc_o311_req *r)
{
	free(r->method);
	free(r->path);
	free(r->query);
	free(r->content_type);
	free(r->content_length);
	free(r->base);
	dc_args_free(&r->params);
	if (r->buf >= 0)
		close(r->buf);
	if (r->saved >= 0)
		close(r->saved);
}

static int
hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* application/x-www-form-urlencoded: '+' is a space, %XX a byte; NULL when a % is bad. */
static char *
unescape(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;

	if (!out)
		abort();
	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] != '%')
			*o++ = s[i];
		else if (i + 2 < n && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
			*o++ = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 2;
		} else {
			free(out);
			return NULL;
		}
	}
	*o = '\0';
	return out;
}

/* Add the pairs of TEXT (N bytes) to A; WHERE names it in errors. */
static int
parse_pairs(struct dc *ctx, const char *text, size_t n, const char *where, struct dc_args *a)
{
	const char *p = text, *end = text + n;
	int rc = 0;

	while (p < end && !rc) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *eq;
		size_t len = amp ? (size_t)(amp - p) : (size_t)(end - p);
		char *key, *val;

		eq = memchr(p, '=', len);
		key = unescape(p, eq ? (size_t)(eq - p) : len);
		val = eq ? unescape(eq + 1, len - (size_t)(eq - p) - 1) : dc_strdup("");
		if (!key || !val)
			rc = dc_error(ctx, DC_EUSAGE, "%s: a bad %%-escape in '%.*s'", where,
			              (int)len, p);
		else if (!*key && len)
			rc = dc_error(ctx, DC_EUSAGE, "%s: a parameter without a name", where);
		else if (*key) {
			/* text rules as for every input: UTF-8, no NUL (an escaped %00 ends the C
			 * string early, which the length check catches) */
			if ((rc = dc_text_check(ctx, key, strlen(key))) ||
			    (rc = dc_text_check(ctx, val, strlen(val))))
				dc_error_prefix(ctx, "%s: parameter '%s'", where, key);
			else
				dc_args_add(a, key, val);
		}
		free(key);
		free(val);
		p += len + 1;
	}
	return rc;
}

int
dc_o311_read_params(struct dc *ctx, struct dc_o311_req *r, int *http)
{
	const char *ct = r->content_type, *cl = r->content_length;
	char *body = NULL;
	long n;
	int rc;

	*http = 400;
	if (r->query && (rc = parse_pairs(ctx, r->query, strlen(r->query), "query string",
	                                  &r->params)))
		return rc;
	if (strcmp(r->method, "POST"))
		return 0;
	if (!cl || !*cl || strspn(cl, "0123456789") != strlen(cl)) {
		*http = 411;
		return dc_error(ctx, DC_EUSAGE, "a POST needs a Content-Length");
	}
	n = strlen(cl) > 9 ? DC_O311_MAX_BODY + 1 : atol(cl);
	if (n > DC_O311_MAX_BODY) {
		*http = 413;
		return dc_error(ctx, DC_EUSAGE, "the body is larger than 1 MiB");
	}
	if (n && (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) ||
	          (ct[33] && ct[33] != ';' && ct[33] != ' '))) {
		*http = 415;
		return dc_error(ctx, DC_EUSAGE, "the body must be application/x-www-form-urlencoded,"
		                " not '%s'", ct ? ct : "");
	}
	if (!(body = malloc((size_t)n + 1)))
		abort();
	if (fread(body, 1, (size_t)n, stdin) != (size_t)n)
		rc = dc_error(ctx, DC_EUSAGE, "the body is shorter than its Content-Length");
	else
		rc = parse_pairs(ctx, body, (size_t)n, "body", &r->params);
	free(body);
	return rc;
}

/* ---- the answer ---- */

static const char *
reason(int http)
{
	switch (http) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

static const char *
ctype(int xml)
{
	return xml ? "text/xml; charset=utf-8" : "application/json; charset=utf-8";
}

int
dc_o311_body_begin(struct dc *ctx, struct dc_o311_req *r)
{
	fflush(stdout);
	if ((r->buf = memfd_create("dc-open311", MFD_CLOEXEC)) < 0 ||
	    (r->saved = dup(STDOUT_FILENO)) < 0 || dup2(r->buf, STDOUT_FILENO) < 0)
		return dc_error(ctx, DC_EINTERNAL, "cannot buffer the answer: %s", strerror(errno));
	return 0;
}

/* Standard output back to the web server; the buffer stays for dc_o311_send. */
static void
body_end(struct dc_o311_req *r)
{
	fflush(stdout);
	clearerr(stdout);
	if (r->saved >= 0) {
		dup2(r->saved, STDOUT_FILENO);
		close(r->saved);
		r->saved = -1;
	}
}

int
dc_o311_send(struct dc *ctx, struct dc_o311_req *r, int http, int xml)
{
	char block[65536];
	off_t len, off = 0;
	ssize_t got;

	body_end(r);
	len = lseek(r->buf, 0, SEEK_END);
	printf("Status: %d %s\r\nContent-Type: %s\r\nContent-Length: %lld\r\n\r\n", http,
	       reason(http), ctype(xml), (long long)len);
	while (off < len && (got = pread(r->buf, block, sizeof block, off)) > 0) {
		fwrite(block, 1, (size_t)got, stdout);
		off += got;
	}
	return dc_export_flush(ctx);
}

void
dc_o311_send_error(struct dc_o311_req *r, int http, int xml, const char *text,
                   const char *extra)
{
	json_object *e = json_object_new_object(), *a = json_object_new_array();
	const char *body;
	xmlBufferPtr b = NULL;
	xmlTextWriterPtr w = NULL;

	body_end(r);
	json_object_object_add(e, "code", json_object_new_int(http));
	json_object_object_add(e, "description", json_object_new_string(text));
	json_object_array_add(a, e);
	if (xml) {
		b = xmlBufferCreate();
		w = xmlNewTextWriterMemory(b, 0);
		xmlTextWriterSetIndent(w, 1);
		xmlTextWriterSetIndentString(w, BAD_CAST "  ");
		xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL);
		xmlTextWriterStartElement(w, BAD_CAST "errors");
		dc_export_xml_json(w, "error", e);
		xmlTextWriterEndDocument(w);
		xmlFreeTextWriter(w);
		body = (const char *)xmlBufferContent(b);
	} else
		body = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN |
		                                             JSON_C_TO_STRING_NOSLASHESCAPE);
	printf("Status: %d %s\r\nContent-Type: %s\r\n%sContent-Length: %zu\r\n\r\n%s%s", http,
	       reason(http), ctype(xml), extra ? extra : "", strlen(body) + !xml, body,
	       xml ? "" : "\n");
	fflush(stdout);
	if (b)
		xmlBufferFree(b);
	json_object_put(a);
}

int
dc_o311_write_doc(struct dc *ctx, json_object *v, int xml, const char *root, const char *item)
{
	xmlTextWriterPtr w = NULL;
	xmlOutputBufferPtr ob;
	int ok = 1;
	size_t i;

	if (!xml) {
		fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
		                                            JSON_C_TO_STRING_NOSLASHESCAPE),
		      stdout);
		fputc('\n', stdout);
		return dc_export_flush(ctx);
	}
	if (!(ob = dc_export_xml_stdout()) || !(w = xmlNewTextWriter(ob))) {
		if (ob)
			xmlOutputBufferClose(ob);
		return dc_error(ctx, DC_EINTERNAL, "cannot start the XML writer");
	}
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	ok = xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) >= 0 &&
	     xmlTextWriterStartElement(w, BAD_CAST root) >= 0;
	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; ok && i < json_object_array_length(v); i++)
			ok = dc_export_xml_json(w, item, json_object_array_get_idx(v, i));
	} else {
		json_object_object_foreach(v, k, m) ok = ok && dc_export_xml_json(w, k, m);
	}
	ok = ok && xmlTextWriterEndDocument(w) >= 0 && xmlTextWriterFlush(w) >= 0;
	xmlFreeTextWriter(w);
	if (!ok)
		return dc_error(ctx, DC_EIO, "write error on standard output");
	return dc_export_flush(ctx);
}
