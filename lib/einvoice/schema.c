/*
 * The XSDs an invoice is validated against (and lib/archive's xdomea messages), shipped in
 * schemas/xsd (schemas/xsd/README.md):
 * found beside the build tree when the program runs from it, else under DC_DATADIR
 * ($(PREFIX)/share/dcity, where make install puts them).
 */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "einvoice/internal.h"

#ifndef DC_DATADIR
#define DC_DATADIR "/usr/local/share/dcity"
#endif

static const char *const xsd_file[] = {
    [DC_EINV_UBL_INVOICE] = "xsd/ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    [DC_EINV_UBL_CREDIT] = "xsd/ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
    [DC_EINV_CII] = "xsd/cii-d16b/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd",
};

/* Parsing UBL's Invoice schema (with the common components it imports) takes 0.35 s and
 * CII's 0.1 s, reading and validating an invoice 0.4 ms (30 ms with 0.4 MiB of attachments):
 * each schema is parsed once and kept for the life of the process, the library's one state
 * outside the context (libxml2 keeps global state of its own anyway). */
static xmlSchemaPtr schemas[3];

struct xsd_err {
	long line;
	char msg[512];
};

/* The first error: libxml2's text without the namespaces it puts in braces before each
 * element name, which say nothing to a reader of the file and make the line unreadable. */
static void
on_error(void *data, xmlErrorPtr e)
{
	struct xsd_err *x = data;
	const char *s = e->message ? e->message : "invalid";
	size_t n = 0;

	if (x->msg[0] || e->level < XML_ERR_ERROR)
		return;
	x->line = e->line;
	for (; *s && n < sizeof x->msg - 1; s++) {
		if (*s == '{' && strchr(s, '}')) {
			s = strchr(s, '}');
			continue;
		}
		x->msg[n++] = *s == '\n' ? ' ' : *s;
	}
	while (n > 0 && x->msg[n - 1] == ' ')
		n--;
	x->msg[n] = '\0';
}

/* FILE under the source tree's schemas/ when this program is one of build/VARIANT/...,
 * else under DC_DATADIR. */
static void
xsd_path(const char *file, char *out, size_t size)
{
	char exe[PATH_MAX], *b;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (n > 0) {
		exe[n] = '\0';
		for (b = strstr(exe, "/build/"); b && strstr(b + 1, "/build/");)
			b = strstr(b + 1, "/build/");
		if (b) {
			*b = '\0';
			if ((size_t)snprintf(out, size, "%s/schemas/%s", exe, file) < size &&
			    !access(out, R_OK))
				return;
		}
	}
	snprintf(out, size, "%s/%s", DC_DATADIR, file);
}

/* Parse the schema FILE (under schemas/) into *CACHE once per process. */
static int
load(struct dc *ctx, const char *file, xmlSchemaPtr *cache)
{
	char path[PATH_MAX + 64];
	struct xsd_err x = {0};
	xmlSchemaParserCtxtPtr pc;

	if (*cache)
		return 0;
	xsd_path(file, path, sizeof path);
	if (access(path, R_OK))
		return dc_error(ctx, DC_ESCHEMA,
		                "%s: the schema is missing (make install puts it there)", path);
	if (!(pc = xmlSchemaNewParserCtxt(path)))
		return dc_error(ctx, DC_EINTERNAL, "out of memory");
	xmlSchemaSetParserStructuredErrors(pc, on_error, &x);
	*cache = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (!*cache)
		return dc_error(ctx, DC_ESCHEMA, "%s:%ld: the schema does not parse: %s", path,
		                x.line, x.msg[0] ? x.msg : "error");
	return 0;
}

int
dc_xsd_validate(struct dc *ctx, const char *path, xmlDocPtr doc, const char *file,
                xmlSchemaPtr *cache)
{
	struct xsd_err x = {0};
	xmlSchemaValidCtxtPtr vc = NULL;
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	int rc;

	if ((rc = load(ctx, file, cache)))
		return rc;
	if (!(vc = xmlSchemaNewValidCtxt(*cache)))
		return dc_error(ctx, DC_EINTERNAL, "out of memory");
	xmlSchemaSetValidStructuredErrors(vc, on_error, &x);
	rc = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	if (!rc)
		return 0;
	if (rc < 0)
		return dc_error(ctx, DC_EINTERNAL, "%s: cannot be validated against %s", path,
		                base);
	return dc_error(ctx, DC_EDATA, "%s:%ld: not valid against %s: %s", path, x.line, base,
	                x.msg[0] ? x.msg : "invalid");
}

int
dc_einv_xsd_validate(struct dc *ctx, const char *path, xmlDocPtr doc, enum dc_einv_syntax s)
{
	return dc_xsd_validate(ctx, path, doc, xsd_file[s], &schemas[s]);
}
