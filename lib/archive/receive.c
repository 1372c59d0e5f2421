/*
 * What the archive sends back: 0504 (offer received), 0502 (appraisal: A archivwürdig or V
 * vernichten per record, answered with a 0505), 0507 (hand-over received) and 0506 (import
 * confirmed or failed, per record).  A message is read whole and checked before anything is
 * written: a bad one changes nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive/internal.h"

struct msg {
	const char *path, *dir;
	xmlDocPtr doc;
	const char *type;   /* the root's name */
	char *process;      /* Kopf/ProzessID */
	long process_line;
};

/* The first child of N named NAME in the xdomea namespace (or in none: code, name). */
static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	xmlNodePtr c;

	for (c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name))
			return c;
	return NULL;
}

/* N's text, trimmed (xs:token, xs:boolean and the UUID patterns allow spaces around);
 * caller frees. */
static char *
text(xmlNodePtr n)
{
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	const char *s = (const char *)t;
	char *out;
	size_t len;

	if (!t)
		return dc_strdup("");
	s += strspn(s, " \t\r\n");
	for (len = strlen(s); len && strchr(" \t\r\n", s[len - 1]); len--)
		;
	out = dc_printf("%.*s", (int)len, s);
	xmlFree(t);
	return out;
}

static int
is_true(const char *s)
{
	return !strcmp(s, "true") || !strcmp(s, "1");
}

static int
bad(struct dc *ctx, const struct msg *m, xmlNodePtr at, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* An error naming the file, the line of AT and, in FMT, the field. */
static int
bad(struct dc *ctx, const struct msg *m, xmlNodePtr at, int code, const char *fmt, ...)
{
	va_list ap;
	char buf[768];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return dc_error(ctx, code, "%s:%ld: %s", m->path, at ? xmlGetLineNo(at) : 0L, buf);
}

static int
audit(struct dc *ctx, const struct msg *m, const char *kind, const char *note)
{
	struct dc_event ev = {"archive", m->process, kind, NULL, note, NULL, 0};

	return dc_audit(ctx, &ev);
}

/* Every record of the offer is touched: the verb prints them. */
static int
touch_process(struct dc *ctx, const struct msg *m)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT uuid FROM archive_record WHERE process = ?1"
	                               " ORDER BY entity, ref")))
		return rc;
	dc_bind_text(st, 1, m->process);
	while ((rc = dc_step(ctx, st)) == DC_ROW)
		if ((rc = dc_touched(ctx, dc_col_text(st, 0), NULL)))
			break;
	dc_finish(ctx, st);
	return rc > 0 ? rc : 0;
}

/* The stage of record UUID of this offer into STAGE ("" when it has none). */
static int
record_stage(struct dc *ctx, const struct msg *m, const char *uuid, char stage[16])
{
	struct dc_stmt *st = NULL;
	int rc;

	*stage = '\0';
	if ((rc = dc_prepare(ctx, &st, "SELECT stage FROM archive_record"
	                               " WHERE uuid = ?1 AND process = ?2")))
		return rc;
	dc_bind_text(st, 1, uuid);
	dc_bind_text(st, 2, m->process);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		snprintf(stage, 16, "%s", dc_col_text(st, 0));
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

static int
got_0504(struct dc *ctx, const struct msg *m, const char *now)
{
	int rc;

	if ((rc = dc_exec(ctx, "UPDATE archive_record SET stage = 'offer_received',"
	                       " offer_received_at = ?2 WHERE process = ?1 AND stage = 'offered'",
	                  2, m->process, now)) ||
	    (rc = audit(ctx, m, "offer_received", "0504")))
		return rc;
	return touch_process(ctx, m);
}

/* The 0505 that confirms a 0502, written into DIR. */
static int
write_0505(struct dc *ctx, const struct msg *m)
{
	struct dc_archive_xw x = {0};
	char *path = dc_archive_path(m->dir, m->process, MSG_0505, "xml");
	int rc;

	if ((rc = dc_archive_xw_begin(ctx, &x, MSG_0505, m->process)))
		goto done;
	dc_archive_xw_close(&x); /* Kopf */
	rc = dc_archive_xw_put(ctx, &x, path);
done:
	dc_archive_xw_free(&x);
	free(path);
	return rc;
}

static int
got_0502(struct dc *ctx, const struct msg *m, const char *now)
{
	xmlNodePtr root = xmlDocGetRootElement(m->doc), o;
	long na = 0, nv = 0;
	char stage[16], *note;
	int rc = 0;

	for (o = root->children; o && !rc; o = o->next) {
		xmlNodePtr id, art, code;
		char *uuid, *v;

		if (o->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)o->name, "BewertetesObjekt"))
			continue;
		id = child(o, "ID");
		art = child(child(o, "Aussonderungsart"), "Aussonderungsart");
		code = child(art, "code");
		uuid = text(id);
		v = text(code);
		if (!code)
			rc = bad(ctx, m, child(o, "Aussonderungsart"), DC_EDATA,
			         "field 'Aussonderungsart': a configurable Aussonderungsart, not A"
			         " (archivwürdig) or V (vernichten)");
		else if (strcmp(v, "A") && strcmp(v, "V"))
			rc = bad(ctx, m, code, DC_EDATA,
			         "field 'Aussonderungsart': '%s' is no appraisal: A (archivwürdig)"
			         " or V (vernichten)",
			         v);
		else if (!(rc = record_stage(ctx, m, uuid, stage)) && !*stage)
			rc = bad(ctx, m, id, DC_EDATA, "field 'ID': no record '%s' in offer '%s'",
			         uuid, m->process);
		else if (!rc && strcmp(stage, "offered") && strcmp(stage, "offer_received") &&
		         strcmp(stage, "appraised"))
			rc = bad(ctx, m, id, DC_ECONFLICT,
			         "field 'ID': record '%s' is %s already: its appraisal cannot"
			         " change",
			         uuid, stage);
		else if (!rc)
			rc = dc_exec(ctx, "UPDATE archive_record SET stage = 'appraised',"
			                  " appraisal = ?2, appraised_at = ?3,"
			                  " offer_received_at = coalesce(offer_received_at, ?3)"
			                  " WHERE uuid = ?1",
			             3, uuid, v, now);
		if (!rc && *v == 'A')
			na++;
		else if (!rc)
			nv++;
		free(uuid);
		free(v);
	}
	if (rc)
		return rc;
	note = dc_printf("0502: %ld archivwürdig, %ld vernichten; 0505 sent", na, nv);
	rc = audit(ctx, m, "appraised", note);
	free(note);
	if (rc || (rc = touch_process(ctx, m)))
		return rc;
	return write_0505(ctx, m);
}

static int
got_0507(struct dc *ctx, const struct msg *m, const char *now)
{
	int rc;

	if ((rc = dc_exec(ctx, "UPDATE archive_record SET stage = 'received', received_at = ?2"
	                       " WHERE process = ?1 AND stage = 'handed_over'",
	                  2, m->process, now)))
		return rc;
	if (!dc_changes(ctx))
		return bad(ctx, m, child(child(xmlDocGetRootElement(m->doc), "Kopf"), "ProzessID"),
		           DC_ECONFLICT, "field 'ProzessID': offer '%s' has no records handed over"
		           " and not yet received", m->process);
	if ((rc = audit(ctx, m, "handover_received", "0507")))
		return rc;
	return touch_process(ctx, m);
}

/* One AusgesondertesSGO of a 0506. */
static int
import_one(struct dc *ctx, const struct msg *m, xmlNodePtr o, const char *now, long *ok,
           long *failed)
{
	xmlNodePtr id = child(o, "IDSGO"), f;
	char *uuid = text(id), *success = text(child(o, "Erfolgreich"));
	char *archive_id = child(o, "Archivkennung") ? text(child(o, "Archivkennung")) : NULL;
	char stage[16], *why = dc_strdup(""), *next;
	int rc;

	for (f = o->children; f; f = f->next) {
		char *t;

		if (f->type != XML_ELEMENT_NODE || strcmp((const char *)f->name, "Fehlermeldung"))
			continue;
		t = text(f);

		next = dc_printf("%s%s%s", why, *why ? "; " : "", t);
		free(why);
		free(t);
		why = next;
	}
	if ((rc = record_stage(ctx, m, uuid, stage)))
		goto done;
	if (!*stage)
		rc = bad(ctx, m, id, DC_EDATA, "field 'IDSGO': no record '%s' in offer '%s'", uuid,
		         m->process);
	else if (strcmp(stage, "handed_over") && strcmp(stage, "received"))
		rc = bad(ctx, m, id, DC_ECONFLICT,
		         "field 'IDSGO': record '%s' is %s, not handed over", uuid, stage);
	else if (is_true(success)) {
		rc = dc_exec(ctx, "UPDATE archive_record SET stage = 'imported', imported_at = ?2,"
		                  " received_at = coalesce(received_at, ?2), archive_id = ?3,"
		                  " error = NULL WHERE uuid = ?1",
		             3, uuid, now, archive_id);
		++*ok;
	} else {
		/* back to the hand-over: the next one sends it again */
		rc = dc_exec(ctx, "UPDATE archive_record SET stage = 'appraised',"
		                  " handed_over_at = NULL, received_at = NULL, error = ?2"
		                  " WHERE uuid = ?1",
		             2, uuid, *why ? why : "import failed (no Fehlermeldung)");
		++*failed;
	}
done:
	free(uuid);
	free(success);
	free(archive_id);
	free(why);
	return rc;
}

static int
got_0506(struct dc *ctx, const struct msg *m, const char *now)
{
	xmlNodePtr o;
	long ok = 0, failed = 0;
	char *note;
	int rc = 0;

	for (o = xmlDocGetRootElement(m->doc)->children; o && !rc; o = o->next)
		if (o->type == XML_ELEMENT_NODE &&
		    !strcmp((const char *)o->name, "AusgesondertesSGO"))
			rc = import_one(ctx, m, o, now, &ok, &failed);
	if (rc)
		return rc;
	if (failed)
		dc_warn(ctx, "warning: %s: the archive could not import %ld record%s: the next"
		        " handover sends %s again", m->path, failed, failed == 1 ? "" : "s",
		        failed == 1 ? "it" : "them");
	note = dc_printf("0506: %ld imported, %ld failed", ok, failed);
	rc = audit(ctx, m, "imported", note);
	free(note);
	return rc ? rc : touch_process(ctx, m);
}

static int
receive_run(struct dc *ctx, void *arg)
{
	const struct msg *m = arg;
	xmlNodePtr pid = child(child(xmlDocGetRootElement(m->doc), "Kopf"), "ProzessID");
	long long n = 0;
	struct dc_q q = {0};
	char now[21];
	int rc;

	dc_fmt_time(dc_now(ctx), now);
	dc_q_text(&q, "SELECT count(*) FROM archive_record WHERE process = ?", m->process);
	if ((rc = dc_q_int_value(ctx, &q, &n)))
		return rc;
	if (!n)
		return bad(ctx, m, pid, DC_EDATA,
		           "field 'ProzessID': no offer '%s' (dc-archive status lists the offers)",
		           m->process);
	if (!strcmp(m->type, MSG_0504))
		return got_0504(ctx, m, now);
	if (!strcmp(m->type, MSG_0502))
		return got_0502(ctx, m, now);
	if (!strcmp(m->type, MSG_0507))
		return got_0507(ctx, m, now);
	return got_0506(ctx, m, now);
}

int
dc_archive_receive(struct dc *ctx, const char *path, const char *dir)
{
	static const char *const sent[] = {MSG_0501, MSG_0503, MSG_0505, NULL};
	static const char *const received[] = {MSG_0502, MSG_0504, MSG_0506, MSG_0507, NULL};
	struct msg m = {path, dir, NULL, NULL, NULL, 0};
	xmlNodePtr root;
	size_t i;
	int rc;

	if ((rc = dc_db_open(ctx)) ||
	    (rc = dc_require(ctx, "", "receive the archive's messages")) ||
	    (rc = dc_archive_read(ctx, path, &m.doc)))
		return rc;
	root = xmlDocGetRootElement(m.doc);
	m.type = (const char *)root->name;
	for (i = 0; sent[i]; i++)
		if (!strcmp(m.type, sent[i])) {
			rc = bad(ctx, &m, root, DC_EDATA,
			         "%s is a message dcity sends to the archive, not one it receives",
			         m.type);
			goto done;
		}
	for (i = 0; received[i] && strcmp(m.type, received[i]); i++)
		;
	if (!received[i]) {
		rc = bad(ctx, &m, root, DC_EDATA,
		         "%s is no message of the Aussonderung dcity receives (0502, 0504, 0506,"
		         " 0507)", m.type);
		goto done;
	}
	if (!strcmp(m.type, MSG_0502) && (!dir || !*dir)) {
		rc = dc_error(ctx, DC_EUSAGE, "%s: a 0502 is answered with a 0505: give -o DIR",
		              path);
		goto done;
	}
	m.process = text(child(child(root, "Kopf"), "ProzessID"));
	rc = dc_act_call(ctx, receive_run, &m, &dc_rt_archive_record, dc_archive_show);
done:
	free(m.process);
	xmlFreeDoc(m.doc);
	return rc;
}
