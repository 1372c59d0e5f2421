/*
 * Open311 GeoReport v2: service_requests (cases), services, and the public events of cases.
 * Public fields only: the reporter and internal notes never leave through these formats.
 * JSON goes through the core writer (a record type per list), XML through xmlTextWriter.
 */
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "export/export.h"

/* A service request's fields; with extensions (dc-open311's extensions=true) one more,
 * extended_attributes: the case's own status and all its media URLs. */
#define REQUEST_FIELDS                                                                         \
	{"service_request_id", DC_T_STR}, {"status", DC_T_STR}, {"status_notes", DC_T_STR},        \
	    {"service_name", DC_T_STR}, {"service_code", DC_T_STR}, {"description", DC_T_STR},     \
	    {"agency_responsible", DC_T_STR}, {"service_notice", DC_T_STR},                        \
	    {"requested_datetime", DC_T_STR}, {"updated_datetime", DC_T_STR},                      \
	    {"expected_datetime", DC_T_STR}, {"address", DC_T_STR}, {"address_id", DC_T_STR},      \
	    {"zipcode", DC_T_STR}, {"lat", DC_T_REAL}, {"long", DC_T_REAL}, {"media_url", DC_T_STR}
static const struct dc_rectype rt_request = {
    "service_request", (const struct dc_field[]){REQUEST_FIELDS}, 17};
static const struct dc_rectype rt_request_ext = {
    "service_request",
    (const struct dc_field[]){REQUEST_FIELDS, {"extended_attributes", DC_T_JSON}}, 18};

static const struct dc_rectype rt_o311_service = {
    "service",
    (const struct dc_field[]){{"service_code", DC_T_STR},
                              {"service_name", DC_T_STR},
                              {"description", DC_T_STR},
                              {"metadata", DC_T_BOOL},
                              {"type", DC_T_STR},
                              {"keywords", DC_T_STR},
                              {"group", DC_T_STR}},
    7};

static const struct dc_rectype rt_o311_event = {
    "event",
    (const struct dc_field[]){{"id", DC_T_INT},
                              {"service_request_id", DC_T_STR},
                              {"datetime", DC_T_STR},
                              {"kind", DC_T_STR},
                              {"status", DC_T_STR},
                              {"status_notes", DC_T_STR}},
    6};


static int xml_rows(struct dc *ctx, struct dc_stmt *st, const char *root, const char *item,
                    long long total);

/* Emit a statement in JSON (one array, like GeoReport's .json) or XML (root/item). */
static int
emit(struct dc *ctx, const struct dc_rectype *rt, struct dc_stmt *st, int xml, const char *root,
     const char *item)
{
	if (xml)
		return dc_export_xml_rows(ctx, st, root, item);
	ctx->format = DC_FMT_JSON;
	return dc_out_query(ctx, rt, st);
}

/* GeoReport's open and closed, or one of the case's own statuses: closed is both, and means
 * every case that is not open. */
static const struct dc_opt requests_spec[] = {
	{"since", DC_V_DATE, DC_O_DAYSTART, NULL, "DATE", NULL, "c.created_at >= ?", DC_NOFIELD},
	{"until", DC_V_DATE, DC_O_DAYEND, NULL, "DATE", NULL, "c.created_at <= ?", DC_NOFIELD},
	{"status", DC_V_ENUM, 0, "open " DC_CASE_STATUSES, "S", NULL, NULL, DC_NOFIELD},
	{"department", DC_V_TEXT, 0, NULL, "D", NULL, "c.dept = ?", DC_NOFIELD},
	{NULL},
};

void
dc_export_open311_select(struct dc_q *q, int extensions)
{
	dc_q_sql(q, "SELECT c.id AS service_request_id,"
	            " CASE WHEN c.status IN " DC_CASE_OPEN_SQL " THEN 'open' ELSE 'closed' END"
	            " AS status,"
	            " (SELECT e.note FROM event e WHERE e.entity = 'case' AND e.ref = c.id"
	            "   AND e.visibility = 'public' AND e.kind IN ('note', 'status')"
	            "   AND e.note <> '' ORDER BY e.id DESC LIMIT 1) AS status_notes,"
	            " s.name AS service_name, c.service AS service_code,"
	            " c.description AS description, d.name AS agency_responsible,"
	            " NULL AS service_notice, c.created_at AS requested_datetime,"
	            " c.updated_at AS updated_datetime,"
	            " CASE WHEN c.status IN " DC_CASE_OPEN_SQL " THEN c.due_at END"
	            " AS expected_datetime,"
	            " c.address AS address, NULL AS address_id, NULL AS zipcode, c.lat AS lat,"
	            " c.lon AS long, json_extract(c.media, '$[0]') AS media_url");
	if (extensions)
		dc_q_sql(q, ", json_object('status', c.status, 'media_urls', json(c.media))"
		            " AS extended_attributes");
	dc_q_sql(q, " FROM cases c JOIN service s ON s.code = c.service"
	            " LEFT JOIN dept d ON d.code = c.dept");
}

int
dc_export_open311_write(struct dc *ctx, struct dc_stmt *st, int xml, int extensions,
                        long long total)
{
	if (xml)
		return xml_rows(ctx, st, "service_requests", "request", total);
	ctx->format = DC_FMT_JSON;
	return dc_out_query(ctx, extensions ? &rt_request_ext : &rt_request, st);
}

int
dc_export_open311_cases(struct dc *ctx, const struct dc_export *x, int xml)
{
	struct dc_stmt *st = NULL;
	struct dc_q q = {0};
	int rc;

	dc_export_open311_select(&q, 0);
	if (x->status && !strcmp(x->status, "open"))
		dc_q_where(&q, "c.status IN " DC_CASE_OPEN_SQL);
	else if (x->status && !strcmp(x->status, "closed"))
		dc_q_where(&q, "c.status NOT IN " DC_CASE_OPEN_SQL);
	else if (x->status && *x->status)
		dc_q_where_if(&q, "c.status = ?", x->status);
	if ((rc = dc_export_query(ctx, &q, requests_spec, x, " ORDER BY c.created_at, c.id", &st)))
		return rc;
	return dc_export_open311_write(ctx, st, xml, 0, -1);
}

int
dc_export_open311_events(struct dc *ctx, const struct dc_export *x, int xml)
{
	struct dc_stmt *st = NULL;
	struct dc_q q = {0};
	int rc;

	dc_q_sql(&q, "SELECT e.id AS id, e.ref AS service_request_id, e.at AS datetime,"
	             " e.kind AS kind, CASE WHEN e.kind = 'status' THEN e.to_value END AS status,"
	             " e.note AS status_notes FROM event e JOIN cases c ON c.id = e.ref");
	dc_q_where(&q, "e.entity = 'case' AND e.visibility = 'public'");
	if ((rc = dc_export_query(ctx, &q, dc_export_events_spec, x, " ORDER BY e.id", &st)))
		return rc;
	return emit(ctx, &rt_o311_event, st, xml, "events", "event");
}

static const struct dc_opt services_spec[] = {
	{"department", DC_V_TEXT, 0, NULL, "D", NULL, "s.dept = ?", DC_NOFIELD},
	{NULL},
};

int
dc_export_open311_services(struct dc *ctx, const struct dc_export *x, int xml)
{
	struct dc_stmt *st = NULL;
	struct dc_q q = {0};
	int rc;

	dc_q_sql(&q, "SELECT s.code AS service_code, s.name AS service_name,"
	             " s.description AS description,");
	/* XML spells the flag out; JSON's 1 and 0 become true and false in the writer */
	dc_q_sql(&q, xml ? " CASE WHEN json_array_length(s.definition) > 0 THEN 'true'"
	                   " ELSE 'false' END AS metadata,"
	                 : " CASE WHEN json_array_length(s.definition) > 0 THEN 1"
	                   " ELSE 0 END AS metadata,");
	dc_q_sql(&q, " 'realtime' AS type, s.kind AS keywords, d.name AS \"group\""
	             " FROM service s LEFT JOIN dept d ON d.code = s.dept");
	dc_q_where(&q, "s.active");
	if ((rc = dc_export_query(ctx, &q, services_spec, x, " ORDER BY s.code", &st)))
		return rc;
	return emit(ctx, &rt_o311_service, st, xml, "services", "service");
}

/* dc_export_xml_rows, with <meta><total>TOTAL</total></meta> first when TOTAL >= 0; a column
 * named extended_attributes holds JSON and is written as nested elements. */
static int
xml_rows(struct dc *ctx, struct dc_stmt *st, const char *root, const char *item,
         long long total)
{
	xmlTextWriterPtr w = NULL;
	xmlOutputBufferPtr ob;
	int rc, i, n = dc_col_count(st), ok = 0;

	if (!(ob = dc_export_xml_stdout()) || !(w = xmlNewTextWriter(ob))) {
		rc = dc_error(ctx, DC_EINTERNAL, "cannot start the XML writer");
		goto done;
	}
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	ok = xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) >= 0 &&
	     xmlTextWriterStartElement(w, BAD_CAST root) >= 0;
	if (ok && total >= 0)
		ok = xmlTextWriterStartElement(w, BAD_CAST "meta") >= 0 &&
		     xmlTextWriterWriteFormatElement(w, BAD_CAST "total", "%lld", total) >= 0 &&
		     xmlTextWriterEndElement(w) >= 0;
	while (ok && (rc = dc_step(ctx, st)) == DC_ROW) {
		ok = xmlTextWriterStartElement(w, BAD_CAST item) >= 0;
		for (i = 0; ok && i < n; i++) {
			const char *v = dc_col_text(st, i), *name = dc_col_name(st, i);

			if (v && !strcmp(name, "extended_attributes")) {
				json_object *j = json_tokener_parse(v);

				ok = j && dc_export_xml_json(w, name, j);
				json_object_put(j);
			} else if (v)
				ok = xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST v) >= 0;
		}
		ok = ok && xmlTextWriterEndElement(w) >= 0;
		ctx->nrows++;
	}
	if (ok && rc)
		goto done; /* a database error */
	ok = ok && xmlTextWriterEndDocument(w) >= 0 && xmlTextWriterFlush(w) >= 0;
	if (!(rc = dc_export_flush(ctx)) && !ok)
		rc = dc_error(ctx, DC_EIO, "write error on standard output");
done:
	if (w)
		xmlFreeTextWriter(w); /* frees ob */
	else if (ob)
		xmlOutputBufferClose(ob);
	fflush(stdout);
	dc_finish(ctx, st);
	return rc;
}

int
dc_export_xml_rows(struct dc *ctx, struct dc_stmt *st, const char *root, const char *item)
{
	return xml_rows(ctx, st, root, item, -1);
}
