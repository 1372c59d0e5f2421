/* Open311 GeoReport v2 import: JSON (through the record reader) or XML (libxml2's streaming
 * reader, with network access and entity expansion off). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xmllib.h"

#include "cases/cases.h"
#include "cases/internal.h"

/* Keep libxml2's first error line for our message instead of its own output on stderr. */
static void
on_xml_error(void *arg, xmlErrorPtr e)
{
	long *line = arg;

	if (!*line)
		*line = e->line > 0 ? e->line : -1;
}

static int
xml_import(struct dc *ctx, const char *path)
{
	xmlTextReaderPtr r;
	struct dc_args req = {0};
	char *field = NULL;
	int rc = 0, ret, depth_req = -1;
	long errline = 0;
	struct dc_xml_guard guard;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return dc_error(ctx, DC_ENOINPUT, "cannot open '%s'", path);
	dc_xml_guard_init(&guard, ctx, path, fd);
	r = xmlReaderForIO(dc_xml_guard_read, NULL, &guard, NULL, NULL,
	                   XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (!r) {
		close(fd);
		return dc_error(ctx, DC_EINTERNAL, "%s: cannot create XML reader", path);
	}
	xmlTextReaderSetStructuredErrorHandler(r, on_xml_error, &errline);
	while ((ret = xmlTextReaderRead(r)) == 1) {
		int type = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
		const char *name = (const char *)xmlTextReaderConstLocalName(r);

		/* GeoReport v2 needs no DTD: a DOCTYPE or an entity can only be XXE or a
		 * "billion laughs", refused before anything is expanded or fetched */
		if (type == XML_READER_TYPE_DOCUMENT_TYPE || type == XML_READER_TYPE_ENTITY ||
		    type == XML_READER_TYPE_ENTITY_REFERENCE) {
			rc = dc_error(ctx, DC_EDATA, "%s:%d: DOCTYPE and entities are not accepted", path,
			              xmlTextReaderGetParserLineNumber(r));
			break;
		}
		if (type == XML_READER_TYPE_ELEMENT && !strcmp(name, "request")) {
			dc_args_free(&req);
			depth_req = depth;
		} else if (type == XML_READER_TYPE_ELEMENT && depth_req >= 0 && depth == depth_req + 1) {
			free(field);
			field = dc_strdup(name);
		} else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) && field &&
		           depth == depth_req + 2) {
			const char *v = (const char *)xmlTextReaderConstValue(r);

			if ((rc = dc_text_check(ctx, v, strlen(v)))) {
				dc_error_prefix(ctx, "%s:%d: field '%s'", path,
				                xmlTextReaderGetParserLineNumber(r), field);
				break;
			}
			dc_args_add(&req, field, v);
		} else if (type == XML_READER_TYPE_END_ELEMENT && depth == depth_req + 1) {
			free(field);
			field = NULL;
		} else if (type == XML_READER_TYPE_END_ELEMENT && !strcmp(name, "request")) {
			free(ctx->cursrc);
			ctx->cursrc = dc_strdup(path);
			ctx->curline = xmlTextReaderGetParserLineNumber(r);
			if ((rc = dc_case_upsert_open311(ctx, &req, NULL)))
				break;
			free(ctx->cursrc);
			ctx->cursrc = NULL;
			depth_req = -1;
		}
	}
	if (!rc && guard.failed)
		rc = ctx->err;
	else if (!rc && ret < 0)
		rc = dc_error(ctx, DC_EDATA, "%s:%ld: not well-formed XML", path,
		              errline > 0 ? errline : (long)xmlTextReaderGetParserLineNumber(r));
	free(field);
	dc_args_free(&req);
	xmlFreeTextReader(r);
	close(fd);
	return rc;
}

int
dc_case_import_open311(struct dc *ctx, const char *path)
{
	FILE *fp;
	int c = EOF, rc;

	if ((rc = dc_require(ctx, "integrator", "import cases")))
		return rc;
	if (strcmp(path, "-")) {
		if (!(fp = fopen(path, "r")))
			return dc_error(ctx, DC_ENOINPUT, "cannot open '%s'", path);
		while ((c = getc(fp)) != EOF && strchr(" \t\r\n\xef\xbb\xbf", c))
			;
		fclose(fp);
		if (c == '<')
			return xml_import(ctx, path);
	}
	return dc_bulk(ctx, path, NULL, 0, dc_case_upsert_open311, NULL);
}

/* ---- Open311 import (fields of one GeoReport v2 request) ---- */

static int
open311_time(struct dc *ctx, struct dc_args *req, const char *field, char out[21])
{
	const char *v = dc_arg(req, field);
	time_t t;

	*out = '\0';
	if (!v || !*v)
		return 0;
	if (dc_parse_time(v, &t) < 0)
		return dc_error(ctx, DC_EDATA, "field '%s': '%s' is not an ISO 8601 date-time", field, v);
	dc_fmt_time(t, out);
	return 0;
}

/* An unknown service_code becomes an inactive service named by service_name. */
static int
open311_service(struct dc *ctx, const char *code, const char *name)
{
	char at[21];
	int rc, known;

	if ((rc = dc_exists(ctx, "SELECT 1 FROM service WHERE code = ?1", code, &known)) || known)
		return rc;
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx, "INSERT INTO service(code, name, kind, sla, active, created_at)"
	                       " VALUES (?1, coalesce(?2, ?1), 'report', 10, 0, ?3)",
	                  3, code, name, at)))
		return rc;
	{
		struct dc_event ev = {"service", code, "created", NULL, NULL, "open311 import", 0};

		return dc_audit(ctx, &ev);
	}
}

/* The texts of a GeoReport v2 request: what a person wrote keeps its lines, everything else
 * is one line, none with a control character (dcity(7) SECURITY); the rest is checked below. */
static const struct dc_opt request_texts[] = {
	{"service_request_id", DC_V_TEXT, 0, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{"service_code", DC_V_TEXT, 0, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{"service_name", DC_V_TEXT, 0, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{"description", DC_V_TEXT, DC_O_LINES, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{"status_notes", DC_V_TEXT, DC_O_LINES, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{"address", DC_V_TEXT, 0, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{"first_name", DC_V_TEXT, 0, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{"last_name", DC_V_TEXT, 0, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{"email", DC_V_TEXT, 0, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{"phone", DC_V_TEXT, 0, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{"media_url", DC_V_TEXT, 0, NULL, NULL, NULL, NULL, DC_NOFIELD},
	{NULL},
};

int
dc_case_upsert_open311(struct dc *ctx, struct dc_args *req, void *unused)
{
	const char *ext = dc_arg(req, "service_request_id"), *code = dc_arg(req, "service_code");
	const char *st311 = dc_arg(req, "status"), *notes = dc_arg(req, "status_notes");
	const char *lat = dc_arg(req, "lat"), *lon = dc_arg(req, "long");
	char requested[21], updated[21], expected[21], id[32], *media = NULL, *status = NULL;
	struct service_info s = {0};
	struct dc_args m = {0};
	struct dc_stmt *st = NULL;
	int rc, closed;

	if ((rc = dc_decode(ctx, request_texts, req, NULL)))
		return rc;
	if (dc_arg(req, "email") && *dc_arg(req, "email") && !dc_email_ok(dc_arg(req, "email")))
		return dc_error(ctx, DC_EDATA, "field 'email': '%s' is not an email address",
		                dc_arg(req, "email"));
	if (!ext || !*ext)
		return dc_error(ctx, DC_EDATA, "field 'service_request_id' is required");
	if (!code || !*code)
		return dc_error(ctx, DC_EDATA, "field 'service_code' is required");
	if (st311 && strcmp(st311, "open") && strcmp(st311, "closed"))
		return dc_error(ctx, DC_EDATA, "field 'status': '%s' is not open or closed", st311);
	closed = st311 && !strcmp(st311, "closed");
	if ((rc = open311_time(ctx, req, "requested_datetime", requested)) ||
	    (rc = open311_time(ctx, req, "updated_datetime", updated)) ||
	    (rc = open311_time(ctx, req, "expected_datetime", expected)) ||
	    (rc = dc_cases_coordinate(ctx, "lat", lat, 90)) ||
	    (rc = dc_cases_coordinate(ctx, "long", lon, 180)))
		return rc;
	if (!*requested)
		dc_fmt_time(dc_now(ctx), requested);
	if (!*updated)
		memcpy(updated, requested, sizeof updated);
	if (dc_arg(req, "media_url") && *dc_arg(req, "media_url"))
		dc_args_add(&m, "media", dc_arg(req, "media_url"));
	media = dc_cases_media_json(&m);
	dc_args_free(&m);
	if ((rc = open311_service(ctx, code, dc_arg(req, "service_name"))) ||
	    (rc = dc_cases_service_info(ctx, code, NULL, &s)))
		goto done;
	if (!*expected) {
		time_t t;

		dc_parse_time(requested, &t);
		if ((rc = dc_cases_due_at(ctx, t, s.sla, expected)))
			goto done;
	}
	if ((rc = dc_prepare(ctx, &st, "SELECT id, status, assignee IS NULL, purged_at FROM cases"
	                               " WHERE external_id = ?1")))
		goto done;
	dc_bind_text_ref(st, 1, ext);
	if ((rc = dc_step(ctx, st)) == DC_ROW && !dc_col_null(st, 3)) {
		/* an old dump imported again must not bring back what purge removed */
		snprintf(id, sizeof id, "%s", dc_col_text(st, 0));
		notes = NULL;
		rc = 0;
	} else if (rc == DC_ROW) {
		/* re-import: update in place, move the status only across open/closed */
		const char *old = dc_col_text(st, 1);
		int was_closed = dc_cases_is_closed(old), unassigned = dc_col_int(st, 2);

		snprintf(id, sizeof id, "%s", dc_col_text(st, 0));
		status = dc_strdup(closed == was_closed ? old
		                   : closed             ? "closed"
		                   : unassigned         ? "new"
		                                        : "in_progress");
		rc = 0;
		if (strcmp(status, old) && (rc = dc_cases_event(ctx, id, "status", old, status, NULL, 1)))
			goto done;
		rc = dc_exec(ctx, "UPDATE cases SET description = ?2, address = ?3, lat = ?4, lon = ?5,"
		                  " media = ?6, updated_at = ?7, due_at = ?8, status = ?9,"
		                  " closed_at = CASE WHEN ?9 = 'closed' THEN coalesce(closed_at, ?7) END"
		                  " WHERE id = ?1",
		             9, id, dc_arg(req, "description"), dc_arg(req, "address"), lat, lon, media,
		             updated, expected, status);
	} else if (rc == 0) {
		const char *first = dc_arg(req, "first_name"), *last = dc_arg(req, "last_name");
		char name[512];
		time_t t;

		snprintf(name, sizeof name, "%s%s%s", first ? first : "", first && last ? " " : "",
		         last ? last : "");
		/* an imported request counts in the year it was made */
		dc_parse_time(requested, &t);
		if ((rc = dc_next_id(ctx, "case", NULL, t, id)))
			goto done;
		rc = dc_exec(ctx, "INSERT INTO cases(id, service, dept, status, description, address,"
		                  " lat, lon, media, channel, external_id, created_at, updated_at, due_at,"
		                  " closed_at, reporter_email, reporter_name, reporter_phone)"
		                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'open311', ?10, ?11, ?12,"
		                  " ?13, CASE WHEN ?4 = 'closed' THEN ?12 END, ?14, nullif(?15, ''), ?16)",
		             16, id, code, s.dept, closed ? "closed" : "new", dc_arg(req, "description"),
		             dc_arg(req, "address"), lat, lon, media, ext, requested, updated, expected,
		             dc_arg(req, "email"), name, dc_arg(req, "phone"));
		if (!rc)
			rc = dc_cases_event(ctx, id, "created", NULL, closed ? "closed" : "new", "open311 import", 1);
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc)
		goto done;
	/* status_notes is a public note; the same text imported again is not added twice */
	if (notes && *notes) {
		if ((rc = dc_prepare(ctx, &st, "SELECT note FROM event WHERE entity = 'case' AND ref = ?1"
		                               " AND kind = 'note' AND visibility = 'public'"
		                               " ORDER BY id DESC LIMIT 1")))
			goto done;
		dc_bind_text_ref(st, 1, id);
		rc = dc_step(ctx, st);
		if (rc == 0 || (rc == DC_ROW && !dc_cases_same(dc_col_text(st, 0), notes)))
			rc = dc_cases_event(ctx, id, "note", NULL, NULL, notes, 1);
		else if (rc == DC_ROW)
			rc = 0;
		if (rc)
			goto done;
	}
	rc = dc_touched(ctx, id, NULL);
done:
	dc_finish(ctx, st);
	dc_cases_service_info_free(&s);
	free(media);
	free(status);
	return rc;
}
