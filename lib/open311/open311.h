/*
 * dc-open311 (dc-open311(8)): the Open311 GeoReport v2 endpoint as a CGI/1.1 program (RFC
 * 3875).  One process answers one HTTP request: the web server passes it in the environment
 * and on standard input, the answer goes to standard output with a Status: header.
 *
 * cgi.c reads the request and writes the answer (body buffered, so that an error found while
 * writing still gets its own status); georeport.c routes the path and does the work with the
 * areas' code: requests are cases (lib/cases intake, the lib/export serializer).
 */
#ifndef DC_OPEN311_H
#define DC_OPEN311_H

#include "core/dc.h"

#define DC_O311_MAX_BODY (1024L * 1024L) /* a larger POST body is refused with 413 */

/* One HTTP request, as the CGI variables give it; strings owned. */
struct dc_o311_req {
	char *method, *path, *query, *content_type, *content_length;
	char *base;  /* scheme://host[:port]SCRIPT_NAME, for discovery's url */
	struct dc_args params; /* the query string's parameters, then the form body's */
	int saved, buf; /* the real stdout and the answer's buffer while the work runs, or -1 */
};

/* Copy the CGI variables: before dc_priv_init, which cleans the environment. */
void dc_o311_req_env(struct dc_o311_req *r);
void dc_o311_req_free(struct dc_o311_req *r);
/* Decode the query string (and, for POST, the form body from stdin) into r->params: 0, or an
 * error with its HTTP status in *http (400 bad encoding, 411, 413, 415). */
int dc_o311_read_params(struct dc *ctx, struct dc_o311_req *r, int *http);
/* Answer one request: the status, the headers and the body on stdout.  Returns the dcity
 * status of the work (0, or the error that was answered), for the process's exit status. */
int dc_o311_serve(struct dc *ctx, struct dc_o311_req *r);

/* cgi.c's answer writer, used by georeport.c: standard output goes to a buffer while the work
 * runs (dc_o311_body_begin), then out after the status and headers (dc_o311_send), or is
 * dropped for an error document. */
int dc_o311_body_begin(struct dc *ctx, struct dc_o311_req *r);
int dc_o311_send(struct dc *ctx, struct dc_o311_req *r, int http, int xml);
/* An Open311 error document, [{"code": HTTP, "description": TEXT}] or <errors><error>, with
 * EXTRA header lines ("Allow: GET\r\n") or NULL. */
void dc_o311_send_error(struct dc_o311_req *r, int http, int xml, const char *text,
                        const char *extra);
/* A document made from JSON: V itself, or as XML the element ROOT holding V's members (an
 * object) or its elements as ITEM (an array). */
int dc_o311_write_doc(struct dc *ctx, json_object *v, int xml, const char *root,
                      const char *item);

#endif
