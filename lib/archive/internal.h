/* What the files of lib/archive share besides archive.h; the one place that includes libxml2
 * here. */
#ifndef DC_ARCHIVE_INTERNAL_H
#define DC_ARCHIVE_INTERNAL_H

#include "core/xmllib.h"

#include "archive/archive.h"

#define XDOMEA_NS "urn:xoev-de:xdomea:schema:3.0.0"
#define XDOMEA_XSD "xsd/xdomea/xdomea-3.0.0/xdomea-Nachrichten-AussonderungDurchfuehren.xsd"

/* The messages of the Aussonderung, as their root elements and file names call them. */
#define MSG_0501 "Aussonderung.Anbieteverzeichnis.0501"
#define MSG_0502 "Aussonderung.Bewertungsverzeichnis.0502"
#define MSG_0503 "Aussonderung.Aussonderung.0503"
#define MSG_0504 "Aussonderung.AnbietungEmpfangBestaetigen.0504"
#define MSG_0505 "Aussonderung.BewertungEmpfangBestaetigen.0505"
#define MSG_0506 "Aussonderung.AussonderungImportBestaetigen.0506"
#define MSG_0507 "Aussonderung.AussonderungEmpfangBestaetigen.0507"

/* A UUID (RFC 9562): a random one (version 4), or one derived from BASE and PART (version 8,
 * from SHA-256), the same every time, for the Vorgang and Dokumente inside a record's Akte. */
void dc_archive_uuid(char out[37]);
void dc_archive_uuid_of(const char *base, const char *part, char out[37]);

/* An xdomea message being written into memory: every call after a failed one does nothing,
 * and dc_archive_xw_end says whether all went well. */
struct dc_archive_xw {
	xmlBufferPtr buf;
	xmlTextWriterPtr w;
	int ok;
};
/* Begin message TYPE (MSG_050x) of PROCESS with its Kopf, up to and without the elements
 * that follow NkBasisType's (Empfangsbestaetigung, ...), which the caller writes. */
int dc_archive_xw_begin(struct dc *ctx, struct dc_archive_xw *x, const char *type,
                        const char *process);
void dc_archive_xw_start(struct dc_archive_xw *x, const char *name); /* xdomea:NAME */
void dc_archive_xw_close(struct dc_archive_xw *x);
void dc_archive_xw_text(struct dc_archive_xw *x, const char *name, const char *text); /* if set */
/* <xdomea:NAME listURI="urn:xoev-de:xdomea:codeliste:LIST" listVersionID="V"><code>C</code> */
void dc_archive_xw_code(struct dc_archive_xw *x, const char *name, const char *list,
                        const char *version, const char *code);
/* End the document: 0, or 70 when libxml2 failed; the text stays in x->buf until
 * dc_archive_xw_free. */
int dc_archive_xw_end(struct dc *ctx, struct dc_archive_xw *x);
void dc_archive_xw_free(struct dc_archive_xw *x);

/* DIR/<PROCESS>_<TYPE>.EXT, caller frees. */
char *dc_archive_path(const char *dir, const char *process, const char *type, const char *ext);
/* End the message X and put it at PATH (dc_file_put, a private file).  Messages are put after
 * their records are written and before the commit: a commit that fails then (rare: the write
 * lock is held since BEGIN IMMEDIATE) leaves a message whose records the next run sends
 * again. */
int dc_archive_xw_put(struct dc *ctx, struct dc_archive_xw *x, const char *path);

/* Read the xdomea message PATH (XML, or the xdomea ZIP with its one message inside), refuse a
 * DOCTYPE, and validate it against the shipped XSD: *doc (xmlFreeDoc), or 65 naming the file
 * and line. */
int dc_archive_read(struct dc *ctx, const char *path, xmlDocPtr *doc);

/* The settings every message needs: the city's and the archive's Behördenkennung; 78 naming
 * the setting when one is not set. */
int dc_archive_check_settings(struct dc *ctx);

#endif
