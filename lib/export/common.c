/* What the export formats share: the filters, the city's host name, flushing standard output,
 * an XML writer on it.  The format files (feeds.c, html.c, ocds.c, open311.c) use this file
 * and export.c uses them; nothing here uses either (docs/architecture.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/cases.h"
#include "export/export.h"

void
dc_export_filters(const struct dc_export *x, struct dc_args *f)
{
	if (x->status)
		dc_args_add(f, "status", x->status);
	if (x->department) {
		dc_args_add(f, "department", x->department);
		dc_args_add(f, "dept", x->department);
	}
	if (x->since)
		dc_args_add(f, "since", x->since);
	if (x->until)
		dc_args_add(f, "until", x->until);
}

int
dc_export_query(struct dc *ctx, struct dc_q *q, const struct dc_opt *spec,
                const struct dc_export *x, const char *tail, struct dc_stmt **st)
{
	struct dc_args f = {0};
	int rc;

	dc_export_filters(x, &f);
	if ((rc = dc_decode(ctx, spec, &f, NULL)) || (rc = dc_q_where_spec(ctx, q, spec, &f)))
		goto done;
	dc_q_sql(q, tail);
	rc = dc_q_prepare(ctx, q, st);
done:
	dc_q_free(q);
	dc_args_free(&f);
	return rc;
}

const struct dc_opt dc_export_events_spec[] = {
	{"since", DC_V_DATE, DC_O_DAYSTART, NULL, "DATE", NULL, "e.at >= ?", DC_NOFIELD},
	{"until", DC_V_DATE, DC_O_DAYEND, NULL, "DATE", NULL, "e.at <= ?", DC_NOFIELD},
	{"status", DC_V_ENUM, 0, DC_CASE_STATUSES, "S", NULL, "c.status = ?", DC_NOFIELD},
	{"department", DC_V_TEXT, 0, NULL, "D", NULL, "c.dept = ?", DC_NOFIELD},
	{NULL},
};

char *
dc_export_host(struct dc *ctx)
{
	char *url = dc_setting(ctx, "city.url"), *p = url, *host;
	size_t n;

	if (p && strstr(p, "://"))
		p = strstr(p, "://") + 3;
	n = p ? strcspn(p, "/:?#") : 0;
	host = n ? dc_printf("%.*s", (int)n, p) : dc_strdup("localhost");
	free(url);
	return host;
}

char *
dc_export_html_escape(const char *s)
{
	size_t n = 1;
	const char *p;
	char *out, *o;

	for (p = s; p && *p; p++)
		n += strchr("&<>\"'", *p) ? 6 : 1;
	if (!(out = o = malloc(n)))
		abort();
	for (p = s; p && *p; p++)
		switch (*p) {
		case '&': o = stpcpy(o, "&amp;"); break;
		case '<': o = stpcpy(o, "&lt;"); break;
		case '>': o = stpcpy(o, "&gt;"); break;
		case '"': o = stpcpy(o, "&quot;"); break;
		case '\'': o = stpcpy(o, "&#39;"); break;
		default: *o++ = *p;
		}
	*o = '\0';
	return out;
}

int
dc_export_flush(struct dc *ctx)
{
	if (fflush(stdout) != EOF && !ferror(stdout))
		return 0;
	if (errno == EPIPE)
		_exit(0);
	return dc_error(ctx, DC_EIO, "write error on standard output: %s", strerror(errno));
}

static void
xml_quiet(void *ctx, const char *msg, ...)
{
}

xmlOutputBufferPtr
dc_export_xml_stdout(void)
{
	/* a pipe reader that stops early is success (dcity(7) EXIT STATUS): no libxml2 chatter about it */
	xmlSetGenericErrorFunc(NULL, xml_quiet);
	fflush(stdout);
	return xmlOutputBufferCreateFile(stdout, NULL);
}

int
dc_export_xml_json(xmlTextWriterPtr w, const char *name, json_object *v)
{
	size_t n = strlen(name), i;
	char *one;
	int ok;

	if (!v)
		return 1; /* null: no element, as for a NULL column */
	if (json_object_is_type(v, json_type_object)) {
		ok = xmlTextWriterStartElement(w, BAD_CAST name) >= 0;
		json_object_object_foreach(v, k, m) ok = ok && dc_export_xml_json(w, k, m);
		return ok && xmlTextWriterEndElement(w) >= 0;
	}
	if (!json_object_is_type(v, json_type_array))
		return xmlTextWriterWriteElement(w, BAD_CAST name,
		                                 BAD_CAST json_object_get_string(v)) >= 0;
	one = n > 1 && name[n - 1] == 's' ? dc_printf("%.*s", (int)n - 1, name) : dc_strdup(name);
	ok = xmlTextWriterStartElement(w, BAD_CAST name) >= 0;
	for (i = 0; ok && i < json_object_array_length(v); i++)
		ok = dc_export_xml_json(w, one, json_object_array_get_idx(v, i));
	free(one);
	return ok && xmlTextWriterEndElement(w) >= 0;
}

const char *
dc_export_ext(const char *format)
{
	if (!strcmp(format, "open311-json") || !strcmp(format, "ocds") ||
	    !strcmp(format, "jsonfeed"))
		return "json";
	if (!strcmp(format, "open311-xml") || !strcmp(format, "rss"))
		return "xml";
	if (!strcmp(format, "ical"))
		return "ics";
	if (!strcmp(format, "rdfxml"))
		return "rdf";
	return format; /* csv, tsv, json, jsonl, atom, html, ttl */
}
