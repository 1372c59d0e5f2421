/* What the files of lib/einvoice share besides einvoice.h. */
#ifndef DC_EINVOICE_INTERNAL_H
#define DC_EINVOICE_INTERNAL_H

#include "core/xmllib.h"

#include "einvoice/einvoice.h"

/* The largest invoice read, as a file or as the XML a PDF carries: the test suite's largest
 * (with its attachments in base64) is 0.4 MiB. */
#define DC_EINV_MAX (64L << 20)

/* Validate DOC, read from PATH, against the shipped XSD of syntax S: 0, 65 naming the line and
 * what libxml2 found, or 78 when the schema cannot be found or parsed.  Each schema is parsed
 * once per process (schema.c). */
int dc_einv_xsd_validate(struct dc *ctx, const char *path, xmlDocPtr doc, enum dc_einv_syntax s);

/* The invoice a PDF carries (pdf.c): *xml (caller frees, NUL after its *len bytes) from the
 * embedded file factur-x.xml, zugferd-invoice.xml or xrechnung.xml, whose name *name gets (a
 * static text).  0, or 65 naming PATH when there is none or the PDF cannot be read. */
int dc_einv_pdf_extract(struct dc *ctx, const char *path, const unsigned char *bytes, size_t len,
                        char **xml, size_t *xlen, const char **name);

#endif
