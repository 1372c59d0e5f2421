/*
 * The invoice inside a ZUGFeRD / Factur-X / XRechnung PDF: libqpdf reads the PDF and this file
 * walks its objects (qpdf-c.h object handles) to the embedded file, in the document's
 * /Names /EmbeddedFiles name tree or its associated files (/AF, PDF/A-3).
 *
 * The embedded file's bytes are taken raw and inflated here with a limit: qpdf would inflate
 * a stream whole, and a few kilobytes of deflated zeros make gigabytes.
 *
 * libqpdf is loaded when the first PDF is read (dlopen): linked in, it and what it needs
 * (libstdc++, GnuTLS) cost every start of a command about 13 ms of CPU, for the few runs that
 * read a PDF.  The functions are typed by qpdf-c.h all the same.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <qpdf/qpdf-c.h>
#include <zlib.h>

#include "core/lazy.h"

#include "einvoice/internal.h"

#ifndef DC_QPDF_SONAME
#define DC_QPDF_SONAME "libqpdf.so"
#endif

#define QPDF_FUNCTIONS(X)                                                                      \
	X(qpdf_init) X(qpdf_cleanup) X(qpdf_silence_errors) X(qpdf_set_suppress_warnings)      \
	X(qpdf_read_memory) X(qpdf_has_error) X(qpdf_get_error) X(qpdf_get_error_full_text)    \
	X(qpdf_get_root) X(qpdf_oh_get_key) X(qpdf_oh_get_key_if_dict) X(qpdf_oh_get_dict)     \
	X(qpdf_oh_is_dictionary) X(qpdf_oh_is_array) X(qpdf_oh_is_stream) X(qpdf_oh_is_null)   \
	X(qpdf_oh_is_name_and_equals) X(qpdf_oh_get_array_n_items) X(qpdf_oh_get_array_item)  \
	X(qpdf_oh_get_value_as_utf8) X(qpdf_oh_get_stream_data)

/* The library, once loaded: the process keeps it, like the parsed schemas (schema.c). */
static struct {
	QPDF_FUNCTIONS(DC_LAZY_MEMBER)
} qp;

static const char *const qpdf_names[] = {QPDF_FUNCTIONS(DC_LAZY_NAME) NULL};
DC_LAZY_LAYOUT(qp, qpdf_names);
static struct dc_lazy qpdf_lib = {DC_QPDF_SONAME, qpdf_names, &qp, NULL, ""};

static int
load_qpdf(struct dc *ctx, const char *path)
{
	if (dc_lazy_open(&qpdf_lib) < 0)
		return dc_error(ctx, DC_ESCHEMA, "%s: reading a PDF needs libqpdf: %s", path,
		                qpdf_lib.err);
	return 0;
}

/* The names the standards give the XML: Factur-X and ZUGFeRD 2.1, ZUGFeRD 2.0 (and 1.0 as
 * ZUGFeRD-invoice.xml), XRechnung in a PDF. */
static const char *const xml_names[] = {"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml"};

#define MAX_DEPTH 32    /* of the name tree: a loop of /Kids ends here */
#define MAX_VISITS 4096 /* file specifications looked at */

struct pdf {
	struct dc *ctx;
	const char *path;
	qpdf_data q;
	qpdf_oh found;    /* the file specification, or 0 */
	const char *name; /* its name, one of xml_names */
	int visits;
};

/* What qpdf says went wrong. */
static const char *
pdf_error(qpdf_data q)
{
	qpdf_error e = qp.qpdf_get_error(q);

	return e ? qp.qpdf_get_error_full_text(q, e) : "unknown error";
}

static const char *
known_name(qpdf_data q, qpdf_oh spec)
{
	static const char *const keys[] = {"/UF", "/F"};
	const char *v;
	size_t n, i, k;

	if (!qp.qpdf_oh_is_dictionary(q, spec))
		return NULL;
	for (k = 0; k < 2; k++) {
		if (!qp.qpdf_oh_get_value_as_utf8(q, qp.qpdf_oh_get_key(q, spec, keys[k]), &v, &n))
			continue;
		/* a path's last part: some writers put a folder in /F */
		for (i = n; i > 0 && v[i - 1] != '/' && v[i - 1] != '\\'; i--)
			;
		for (size_t j = 0; j < sizeof xml_names / sizeof *xml_names; j++)
			if (n - i == strlen(xml_names[j]) &&
			    !strncasecmp(v + i, xml_names[j], n - i))
				return xml_names[j];
	}
	return NULL;
}

static void
consider(struct pdf *p, qpdf_oh spec)
{
	const char *name;

	if (p->found || ++p->visits > MAX_VISITS)
		return;
	if ((name = known_name(p->q, spec))) {
		p->found = spec;
		p->name = name;
	}
}

static void
name_tree(struct pdf *p, qpdf_oh node, int depth)
{
	qpdf_oh names, kids;
	int i, n;

	if (depth > MAX_DEPTH || p->found || !qp.qpdf_oh_is_dictionary(p->q, node))
		return;
	names = qp.qpdf_oh_get_key(p->q, node, "/Names");
	if (qp.qpdf_oh_is_array(p->q, names))
		for (i = 1, n = qp.qpdf_oh_get_array_n_items(p->q, names); i < n; i += 2)
			consider(p, qp.qpdf_oh_get_array_item(p->q, names, i));
	kids = qp.qpdf_oh_get_key(p->q, node, "/Kids");
	if (qp.qpdf_oh_is_array(p->q, kids))
		for (i = 0, n = qp.qpdf_oh_get_array_n_items(p->q, kids); i < n && !p->found; i++)
			name_tree(p, qp.qpdf_oh_get_array_item(p->q, kids, i), depth + 1);
}

/* RAW inflated into *out, at most DC_EINV_MAX bytes. */
static int
inflate_capped(struct pdf *p, const unsigned char *raw, size_t len, char **out, size_t *olen)
{
	z_stream z = {0};
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1), *nb;
	int zr = Z_OK, rc = 0;

	if (!buf || inflateInit(&z) != Z_OK) {
		free(buf);
		return dc_error(p->ctx, DC_EINTERNAL, "out of memory");
	}
	z.next_in = (unsigned char *)raw;
	z.avail_in = (uInt)len;
	while (zr != Z_STREAM_END) {
		if (n == cap) {
			if (cap >= (size_t)DC_EINV_MAX) {
				rc = dc_error(p->ctx, DC_EDATA,
				              "%s: the embedded %s is larger than %ld "
				              "MiB",
				              p->path, p->name, DC_EINV_MAX >> 20);
				goto done;
			}
			cap *= 2;
			if (!(nb = realloc(buf, cap + 1))) {
				rc = dc_error(p->ctx, DC_EINTERNAL, "out of memory");
				goto done;
			}
			buf = nb;
		}
		z.next_out = (unsigned char *)buf + n;
		z.avail_out = (uInt)(cap - n);
		zr = inflate(&z, Z_NO_FLUSH);
		n = cap - z.avail_out;
		if (zr != Z_OK && zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && n == cap)) {
			rc = dc_error(p->ctx, DC_EDATA, "%s: the embedded %s does not inflate: %s",
			              p->path, p->name, z.msg ? z.msg : "truncated");
			goto done;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*olen = n;
	buf = NULL;
done:
	inflateEnd(&z);
	free(buf);
	return rc;
}

/* The embedded file of specification P->found: no filter or /FlateDecode, the ones writers
 * use for it. */
static int
embedded_bytes(struct pdf *p, char **out, size_t *olen)
{
	qpdf_oh ef = qp.qpdf_oh_get_key_if_dict(p->q, p->found, "/EF"), st, filter;
	unsigned char *raw = NULL;
	size_t len = 0;
	int rc = 0, flate = 0;

	st = qp.qpdf_oh_get_key_if_dict(p->q, ef, "/F");
	if (!qp.qpdf_oh_is_stream(p->q, st))
		st = qp.qpdf_oh_get_key_if_dict(p->q, ef, "/UF");
	if (!qp.qpdf_oh_is_stream(p->q, st))
		return dc_error(p->ctx, DC_EDATA, "%s: the embedded %s has no content (/EF)",
		                p->path, p->name);
	filter = qp.qpdf_oh_get_key(p->q, qp.qpdf_oh_get_dict(p->q, st), "/Filter");
	if (qp.qpdf_oh_is_array(p->q, filter) && qp.qpdf_oh_get_array_n_items(p->q, filter) == 1)
		filter = qp.qpdf_oh_get_array_item(p->q, filter, 0);
	if (qp.qpdf_oh_is_name_and_equals(p->q, filter, "/FlateDecode"))
		flate = 1;
	else if (!qp.qpdf_oh_is_null(p->q, filter))
		return dc_error(p->ctx, DC_EDATA,
		                "%s: the embedded %s is encoded with a filter "
		                "other than /FlateDecode",
		                p->path, p->name);
	if (qp.qpdf_oh_get_stream_data(p->q, st, qpdf_dl_none, NULL, &raw, &len) & QPDF_ERRORS)
		return dc_error(p->ctx, DC_EDATA, "%s: the embedded %s cannot be read: %s", p->path,
		                p->name, pdf_error(p->q));
	if (flate)
		rc = inflate_capped(p, raw, len, out, olen);
	else if (len > (size_t)DC_EINV_MAX)
		rc = dc_error(p->ctx, DC_EDATA, "%s: the embedded %s is larger than %ld MiB",
		              p->path, p->name, DC_EINV_MAX >> 20);
	else if (!(*out = malloc(len + 1)))
		rc = dc_error(p->ctx, DC_EINTERNAL, "out of memory");
	else {
		memcpy(*out, raw, len);
		(*out)[len] = '\0';
		*olen = len;
	}
	free(raw);
	return rc;
}

int
dc_einv_pdf_extract(struct dc *ctx, const char *path, const unsigned char *bytes, size_t len,
                    char **xml, size_t *xlen, const char **name)
{
	struct pdf p = {ctx, path, NULL, 0, NULL, 0};
	qpdf_oh root, af;
	int rc, i, n;

	*xml = NULL;
	*xlen = 0;
	if ((rc = load_qpdf(ctx, path)))
		return rc;
	if (!(p.q = qp.qpdf_init()))
		return dc_error(ctx, DC_EINTERNAL, "out of memory");
	qp.qpdf_silence_errors(p.q);
	qp.qpdf_set_suppress_warnings(p.q, QPDF_TRUE);
	if (qp.qpdf_read_memory(p.q, path, (const char *)bytes, len, NULL) & QPDF_ERRORS) {
		rc = dc_error(ctx, DC_EDATA, "%s: not a readable PDF: %s", path,
		              pdf_error(p.q));
		goto done;
	}
	root = qp.qpdf_get_root(p.q);
	name_tree(&p,
	          qp.qpdf_oh_get_key_if_dict(p.q, qp.qpdf_oh_get_key_if_dict(p.q, root, "/Names"),
	                                  "/EmbeddedFiles"),
	          0);
	af = qp.qpdf_oh_get_key_if_dict(p.q, root, "/AF");
	if (!p.found && qp.qpdf_oh_is_array(p.q, af))
		for (i = 0, n = qp.qpdf_oh_get_array_n_items(p.q, af); i < n; i++)
			consider(&p, qp.qpdf_oh_get_array_item(p.q, af, i));
	if (qp.qpdf_has_error(p.q)) {
		rc = dc_error(ctx, DC_EDATA, "%s: not a readable PDF: %s", path,
		              pdf_error(p.q));
		goto done;
	}
	if (!p.found) {
		rc = dc_error(ctx, DC_EDATA,
		              "%s: a PDF without an embedded invoice (factur-x.xml, "
		              "zugferd-invoice.xml or xrechnung.xml)",
		              path);
		goto done;
	}
	*name = p.name;
	rc = embedded_bytes(&p, xml, xlen);
done:
	qp.qpdf_cleanup(&p.q);
	return rc;
}
