/*
 * dc-export (dc-export(1)): datasets in the generic record formats and in the open-data formats
 * Open311 GeoReport v2, OCDS 1.1, Atom, RSS, JSON Feed and iCalendar; atomic -o files,
 * publication into a git repository, and read-only SQL for auditors.
 *
 * Every writer streams: it steps one statement and writes each row as it comes, to stdout
 * (dc_export_run points stdout at the -o or git file while a writer runs).
 */
#ifndef DC_EXPORT_H
#define DC_EXPORT_H

#include "core/xmllib.h"

#include "core/dc.h"

/* One export: all strings borrowed from the argument list. */
struct dc_export {
	const char *dataset; /* cases, case-events, services, orders, ... */
	const char *format;  /* csv ... jsonl, open311-json, ocds, atom, ...; NULL: ctx->format */
	const char *output;  /* -o FILE or NULL */
	const char *since, *until; /* local dates YYYY-MM-DD, inclusive, or NULL */
	const char *status, *department;
	const char *git_repo, *git_path, *git_branch, *git_message;
	char since_at[21], until_at[21]; /* the dates as UTC instants ("" when unset) */
};

int dc_export_run(struct dc *ctx, struct dc_export *x);
/* Read-only SQL (auditor, admin) in the generic formats, column names from the statement. */
int dc_export_sql(struct dc *ctx, const char *sql, const char *output);

/* Writers of the open-data formats (lib/export/open311.c, ocds.c, feeds.c). */
int dc_export_open311_cases(struct dc *ctx, const struct dc_export *x, int xml);
/* The one serializer of GeoReport service requests, which dc-export and dc-open311 share:
 * the SELECT ... FROM of the records (the case table is c) for a caller to add its conditions,
 * order and limit to; and the writer of its rows, a JSON array or <service_requests> (with
 * <meta><total> first when TOTAL >= 0).  EXTENSIONS adds extended_attributes (the case's own
 * status, every media URL).  The writer finalizes st. */
void dc_export_open311_select(struct dc_q *q, int extensions);
int dc_export_open311_write(struct dc *ctx, struct dc_stmt *st, int xml, int extensions,
                            long long total);
int dc_export_open311_events(struct dc *ctx, const struct dc_export *x, int xml);
int dc_export_open311_services(struct dc *ctx, const struct dc_export *x, int xml);
int dc_export_ocds(struct dc *ctx, const struct dc_export *x);
int dc_export_feed(struct dc *ctx, const struct dc_export *x, const char *format);
int dc_export_ical(struct dc *ctx, const struct dc_export *x);
/* The HTML report (internal) and public status board (lib/export/html.c). */
int dc_export_html(struct dc *ctx, const struct dc_export *x);

/* Shared by the writers: X's filters as an argument list (--status, --department also as
 * dept, --since, --until), for the areas' list functions and dc_export_query. */
void dc_export_filters(const struct dc_export *x, struct dc_args *f);
/* Check X's filters against SPEC (an unknown status is a usage error naming the allowed
 * values), add the conditions of those given to Q (which holds SELECT ... FROM and the
 * conditions that always apply), then TAIL ("ORDER BY ..."), and prepare it.  Frees Q. */
int dc_export_query(struct dc *ctx, struct dc_q *q, const struct dc_opt *spec,
                    const struct dc_export *x, const char *tail, struct dc_stmt **st);
/* The filters of case events (internal and Open311): the event's time, the case's status and
 * department. */
extern const struct dc_opt dc_export_events_spec[];
/* Write the rows of st as <root><item><col>text</col>...</item>...</root>, element names from
 * the column names; a NULL column is left out. Finalizes st. */
int dc_export_xml_rows(struct dc *ctx, struct dc_stmt *st, const char *root, const char *item);
/* Flush stdout after a writer: 0, DC_EIO, or exit 0 when a pipe reader stopped (dcity(7) EXIT
 * STATUS). */
int dc_export_flush(struct dc *ctx);
/* A JSON value as the element NAME: an object's members and an array's elements (named NAME
 * without its plural s: media_urls holds media_url) become elements; 1 when written. */
int dc_export_xml_json(xmlTextWriterPtr w, const char *name, json_object *v);
/* A libxml2 output buffer on stdout (libxml2's error chatter silenced). */
xmlOutputBufferPtr dc_export_xml_stdout(void);
/* The extension of a file in FORMAT: a git export's default name is DATASET.EXT. */
const char *dc_export_ext(const char *format);
/* The DCAT-AP.de catalog of the public datasets, Turtle or RDF/XML (lib/export/dcat.c). */
int dc_export_dcat(struct dc *ctx, const struct dc_export *x, int xml);
/* The host part of city.url ("www.musterstadt.example"); caller frees. */
char *dc_export_host(struct dc *ctx);
/* S with & < > " ' as HTML character references, for text inside HTML (and inside markup
 * that readers take as HTML: an RSS description); caller frees. */
char *dc_export_html_escape(const char *s);

#endif
