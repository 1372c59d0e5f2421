/*
 * xdomea 3.0.0 messages: the Kopf every message begins with, writing a message into memory,
 * files written whole or not at all, and reading the archive's messages (XML or the xdomea
 * ZIP) validated against the shipped XSD.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "archive/internal.h"
#include "einvoice/einvoice.h"

/* The largest message read: a 0502 or 0506 names each record in a few hundred bytes. */
#define MSG_MAX (64L << 20)

void
dc_archive_uuid(char out[37])
{
	char hex[33];

	if (dc_random_hex(hex, 16))
		abort(); /* no randomness: nothing sensible to go on with */
	hex[12] = '4';
	hex[16] = "89ab"[strtol((char[]){hex[16], 0}, NULL, 16) & 3];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
	         hex + 20);
}

void
dc_archive_uuid_of(const char *base, const char *part, char out[37])
{
	char *s = dc_printf("%s/%s", base, part), hex[65];

	dc_sha256_hex(s, strlen(s), hex);
	free(s);
	hex[12] = '8';
	hex[16] = "89ab"[strtol((char[]){hex[16], 0}, NULL, 16) & 3];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
	         hex + 20);
}

int
dc_archive_check_settings(struct dc *ctx)
{
	static const char *const need[] = {"archive.sender", "archive.recipient", NULL};
	const char *const *k;

	for (k = need; *k; k++) {
		char *v = dc_setting(ctx, *k);
		int unset = !v || !*v;

		free(v);
		if (unset)
			return dc_error(ctx, DC_ESCHEMA,
			                "setting '%s' is not set: the xdomea Behördenkennung of %s"
			                " (dc config %s CODE)",
			                *k, strcmp(*k, "archive.sender") ? "the archive"
			                                                 : "the city",
			                *k);
	}
	return 0;
}

void
dc_archive_xw_start(struct dc_archive_xw *x, const char *name)
{
	x->ok = x->ok && xmlTextWriterStartElementNS(x->w, BAD_CAST "xdomea", BAD_CAST name,
	                                             NULL) >= 0;
}

void
dc_archive_xw_close(struct dc_archive_xw *x)
{
	x->ok = x->ok && xmlTextWriterEndElement(x->w) >= 0;
}

void
dc_archive_xw_text(struct dc_archive_xw *x, const char *name, const char *text)
{
	if (!text)
		return;
	dc_archive_xw_start(x, name);
	x->ok = x->ok && xmlTextWriterWriteString(x->w, BAD_CAST text) >= 0;
	dc_archive_xw_close(x);
}

void
dc_archive_xw_code(struct dc_archive_xw *x, const char *name, const char *list,
                   const char *version, const char *code)
{
	char *uri = dc_printf("urn:xoev-de:xdomea:codeliste:%s", list);

	dc_archive_xw_start(x, name);
	x->ok = x->ok && xmlTextWriterWriteAttribute(x->w, BAD_CAST "listURI", BAD_CAST uri) >= 0 &&
	        xmlTextWriterWriteAttribute(x->w, BAD_CAST "listVersionID", BAD_CAST version) >=
	            0 &&
	        xmlTextWriterWriteElement(x->w, BAD_CAST "code", BAD_CAST code) >= 0;
	dc_archive_xw_close(x);
	free(uri);
}

/* Absender or Empfaenger: the Behördenkennung and, when known, the institution's name. */
static void
contact(struct dc_archive_xw *x, const char *elem, const char *code, const char *name)
{
	dc_archive_xw_start(x, elem);
	dc_archive_xw_start(x, "Behoerdenkennung");
	dc_archive_xw_start(x, "Behoerdenschluessel");
	x->ok = x->ok && xmlTextWriterWriteElement(x->w, BAD_CAST "code", BAD_CAST code) >= 0;
	if (name)
		x->ok = x->ok &&
		        xmlTextWriterWriteElement(x->w, BAD_CAST "name", BAD_CAST name) >= 0;
	dc_archive_xw_close(x);
	dc_archive_xw_close(x);
	if (name) {
		dc_archive_xw_start(x, "Institution");
		dc_archive_xw_text(x, "Name", name);
		dc_archive_xw_close(x);
	}
	dc_archive_xw_close(x);
}

int
dc_archive_xw_begin(struct dc *ctx, struct dc_archive_xw *x, const char *type,
                    const char *process)
{
	char *sender = NULL, *recipient = NULL, *rname = NULL, *city = NULL, at[21];
	int rc;

	memset(x, 0, sizeof *x);
	if ((rc = dc_archive_check_settings(ctx)))
		return rc;
	if (!(x->buf = xmlBufferCreate()) || !(x->w = xmlNewTextWriterMemory(x->buf, 0)))
		return dc_error(ctx, DC_EINTERNAL, "out of memory");
	sender = dc_setting(ctx, "archive.sender");
	recipient = dc_setting(ctx, "archive.recipient");
	rname = dc_setting(ctx, "archive.recipient_name");
	city = dc_setting(ctx, "city.name");
	dc_fmt_time(dc_now(ctx), at);
	xmlTextWriterSetIndent(x->w, 1);
	xmlTextWriterSetIndentString(x->w, BAD_CAST "  ");
	x->ok = xmlTextWriterStartDocument(x->w, NULL, "UTF-8", NULL) >= 0 &&
	        xmlTextWriterStartElementNS(x->w, BAD_CAST "xdomea", BAD_CAST type,
	                                    BAD_CAST XDOMEA_NS) >= 0;
	dc_archive_xw_start(x, "Kopf");
	dc_archive_xw_text(x, "ProzessID", process);
	dc_archive_xw_code(x, "Nachrichtentyp", "nachrichtentyp", "2.0", strrchr(type, '.') + 1);
	dc_archive_xw_text(x, "Erstellungszeitpunkt", at);
	contact(x, "Absender", sender, city);
	contact(x, "Empfaenger", recipient, rname && *rname ? rname : NULL);
	dc_archive_xw_start(x, "SendendesSystem");
	dc_archive_xw_text(x, "Produktname", "dcity");
	dc_archive_xw_text(x, "Version", DC_VERSION);
	dc_archive_xw_close(x);
	free(sender);
	free(recipient);
	free(rname);
	free(city);
	return 0;
}

int
dc_archive_xw_end(struct dc *ctx, struct dc_archive_xw *x)
{
	x->ok = x->ok && xmlTextWriterEndDocument(x->w) >= 0;
	if (x->w)
		xmlFreeTextWriter(x->w); /* flushes into buf */
	x->w = NULL;
	return x->ok ? 0 : dc_error(ctx, DC_EINTERNAL, "libxml2 could not write the message");
}

void
dc_archive_xw_free(struct dc_archive_xw *x)
{
	if (x->w)
		xmlFreeTextWriter(x->w);
	if (x->buf)
		xmlBufferFree(x->buf);
	memset(x, 0, sizeof *x);
}

char *
dc_archive_path(const char *dir, const char *process, const char *type, const char *ext)
{
	return dc_printf("%s%s%s_%s.%s", dir, *dir && dir[strlen(dir) - 1] == '/' ? "" : "/",
	                 process, type, ext);
}

int
dc_archive_xw_put(struct dc *ctx, struct dc_archive_xw *x, const char *path)
{
	const char *text;
	int rc;

	if ((rc = dc_archive_xw_end(ctx, x)))
		return rc;
	text = (const char *)xmlBufferContent(x->buf);
	return dc_file_put(ctx, path, DC_PRIVATE, text, strlen(text));
}

/* ---- reading ----------------------------------------------------------------------------- */

/* The one message inside the xdomea ZIP PATH, into *xml (caller frees). */
static int
zip_message(struct dc *ctx, const char *path, char **xml, size_t *len)
{
	zip_t *z;
	zip_file_t *f = NULL;
	zip_stat_t st;
	zip_int64_t i, n, found = -1;
	int err = 0, rc = 0;

	*xml = NULL;
	if (!(z = zip_open(path, ZIP_RDONLY, &err)))
		return dc_error(ctx, DC_EDATA, "%s: not a readable ZIP file", path);
	n = zip_get_num_entries(z, 0);
	for (i = 0; i < n; i++) {
		const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
		size_t l = name ? strlen(name) : 0;

		if (l > 4 && !strcmp(name + l - 4, ".xml") && strstr(name, "_Aussonderung.")) {
			if (found >= 0) {
				rc = dc_error(ctx, DC_EDATA,
				              "%s: more than one xdomea message in the ZIP", path);
				goto done;
			}
			found = i;
		}
	}
	if (found < 0) {
		rc = dc_error(ctx, DC_EDATA, "%s: no xdomea message (*_Aussonderung.*.xml) in the"
		              " ZIP", path);
		goto done;
	}
	if (zip_stat_index(z, (zip_uint64_t)found, 0, &st) < 0 || !(st.valid & ZIP_STAT_SIZE) ||
	    st.size > (zip_uint64_t)MSG_MAX) {
		rc = dc_error(ctx, DC_EDATA, "%s: the message in the ZIP is larger than %ld MiB",
		              path, MSG_MAX >> 20);
		goto done;
	}
	if (!(*xml = malloc(st.size + 1)))
		abort();
	if (!(f = zip_fopen_index(z, (zip_uint64_t)found, 0)) ||
	    zip_fread(f, *xml, st.size) != (zip_int64_t)st.size) {
		rc = dc_error(ctx, DC_EDATA, "%s: cannot read '%s' from the ZIP", path, st.name);
		goto done;
	}
	*len = st.size;
done:
	if (f)
		zip_fclose(f);
	zip_discard(z);
	if (rc) {
		free(*xml);
		*xml = NULL;
	}
	return rc;
}

int
dc_archive_read(struct dc *ctx, const char *path, xmlDocPtr *doc)
{
	static struct _xmlSchema *schema; /* parsed once per process, as lib/einvoice's */
	struct dc_xml_guard g;
	char magic[4] = "", *xml = NULL;
	size_t len = 0;
	int fd, rc = 0;

	*doc = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return dc_error(ctx, DC_ENOINPUT, "cannot open '%s': %s", path, strerror(errno));
	if (read(fd, magic, 4) == 4 && !memcmp(magic, "PK\3\4", 4)) {
		close(fd);
		fd = -1;
		if ((rc = zip_message(ctx, path, &xml, &len)))
			return rc;
	} else if (lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return dc_error(ctx, DC_EIO, "%s: cannot read: %s", path, strerror(errno));
	}
	if (xml)
		dc_xml_guard_init_mem(&g, ctx, path, xml, len);
	else
		dc_xml_guard_init(&g, ctx, path, fd);
	if (!(rc = dc_xml_parse(&g, "an xdomea message", doc)))
		rc = dc_xsd_validate(ctx, path, *doc, XDOMEA_XSD, &schema);
	if (fd >= 0)
		close(fd);
	free(xml);
	if (rc && *doc) {
		xmlFreeDoc(*doc);
		*doc = NULL;
	}
	return rc;
}
