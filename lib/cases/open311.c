/* Open311 GeoReport v2 import: JSON (through the record reader) or XML (libxml2's streaming
 * reader, with network access and entity expansion off). */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "cases/cases.h"

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

	r = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (!r)
		return dc_error(ctx, DC_ENOINPUT, "cannot open '%s'", path);
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
	if (!rc && ret < 0)
		rc = dc_error(ctx, DC_EDATA, "%s:%ld: not well-formed XML", path,
		              errline > 0 ? errline : (long)xmlTextReaderGetParserLineNumber(r));
	free(field);
	dc_args_free(&req);
	xmlFreeTextReader(r);
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
