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
