/*
 * What dcity sends the archive: the offer (0501 Anbieteverzeichnis) of the records due and the
 * hand-over (0503 Aussonderung, the xdomea ZIP) of those the archive appraised archivwürdig.
 * Each record is one Akte whose ID is the record's UUID, holding one Vorgang (the record's
 * handling: its history) with the Dokumente: the record itself as JSON, each note as text, and
 * each attachment by reference (dc-archive(1) "THE MESSAGES").
 */
#include <stdlib.h>
#include <string.h>

#include "archive/internal.h"

/* The kinds of record the archive is offered. */
static const struct kind {
	const char *entity;  /* as the audit trail names it */
	const char *setting; /* the policy's setting; NULL: the case's service */
	const char *type;    /* xdomea Typ of the Akte */
	/* the records due: ref, Betreff, first and last day; ?1 the cutoff */
	const char *due;
	/* the record for the hand-over: Betreff, first and last day, the record as JSON; ?1 ref */
	const char *content;
	/* its attachments by reference (URLs); ?1 ref; NULL: none */
	const char *media;
} kinds[] = {
    {"case", NULL, "Anliegen",
     "SELECT c.id, s.name, substr(c.created_at, 1, 10), substr(c.closed_at, 1, 10)"
     " FROM cases c JOIN service s ON s.code = c.service"
     " WHERE c.status IN ('closed', 'rejected', 'duplicate') AND c.closed_at < ?1"
     " AND c.purged_at IS NULL AND s.archive = 'offer' AND NOT EXISTS (SELECT 1 FROM"
     " archive_record r WHERE r.entity = 'case' AND r.ref = c.id) ORDER BY c.closed_at, c.id",
     "SELECT s.name, substr(c.created_at, 1, 10), substr(c.closed_at, 1, 10), json_object("
     "'id', c.id, 'service', c.service, 'service_name', s.name, 'department', c.dept,"
     " 'status', c.status, 'priority', c.priority, 'assignee', c.assignee,"
     " 'description', c.description, 'address', c.address, 'district', c.district,"
     " 'lat', c.lat, 'lon', c.lon, 'attributes', json(c.attributes), 'media', json(c.media),"
     " 'reporter', json_object('name', c.reporter_name, 'email', c.reporter_email,"
     " 'phone', c.reporter_phone), 'lang', c.lang, 'channel', c.channel,"
     " 'external_id', c.external_id, 'duplicate_of', c.duplicate_of,"
     " 'created_at', c.created_at, 'updated_at', c.updated_at, 'due_at', c.due_at,"
     " 'closed_at', c.closed_at) FROM cases c JOIN service s ON s.code = c.service"
     " WHERE c.id = ?1",
     "SELECT value FROM json_each((SELECT media FROM cases WHERE id = ?1))"},
    {"shop_order", "archive.shop_order", "Bestellung im Marktplatz",
     "SELECT o.id, 'Bestellung bei ' || m.name, substr(o.created_at, 1, 10),"
     " substr(o.updated_at, 1, 10) FROM shop_order o JOIN merchant m ON m.id = o.merchant"
     " WHERE o.status IN ('collected', 'cancelled', 'expired') AND o.updated_at < ?1"
     " AND NOT EXISTS (SELECT 1 FROM archive_record r WHERE r.entity = 'shop_order'"
     " AND r.ref = o.id) ORDER BY o.updated_at, o.id",
     "SELECT 'Bestellung bei ' || m.name, substr(o.created_at, 1, 10),"
     " substr(o.updated_at, 1, 10), json_object('id', o.id, 'merchant', o.merchant,"
     " 'merchant_name', m.name, 'member', o.member, 'email', o.email, 'slot', o.slot,"
     " 'status', o.status, 'total', " DC_SQL_MONEY("o.total") ", 'created_by', o.created_by,"
     " 'created_at', o.created_at, 'updated_at', o.updated_at, 'lines', (SELECT"
     " json_group_array(json_object('line', l.line, 'product', l.product, 'qty', l.qty,"
     " 'price', " DC_SQL_MONEY("l.price") ", 'offer', l.offer)) FROM shop_order_line l"
     " WHERE l.order_id = o.id)) FROM shop_order o JOIN merchant m ON m.id = o.merchant"
     " WHERE o.id = ?1",
     NULL},
    {"order", "archive.procurement", "Beschaffungsakte",
     "SELECT p.id, 'Beschaffung ' || p.id || ' (' || p.dept || ')', substr(p.created_at, 1,"
     " 10), substr(p.updated_at, 1, 10) FROM purchase_order p"
     " WHERE p.status IN ('invoiced', 'cancelled') AND p.updated_at < ?1"
     " AND NOT EXISTS (SELECT 1 FROM archive_record r WHERE r.entity = 'order'"
     " AND r.ref = p.id) ORDER BY p.updated_at, p.id",
     "SELECT 'Beschaffung ' || p.id || ' (' || p.dept || ')', substr(p.created_at, 1, 10),"
     " substr(p.updated_at, 1, 10), json_object('id', p.id, 'department', p.dept,"
     " 'budget', p.budget, 'year', p.year, 'status', p.status, 'category', p.category,"
     " 'framework', p.framework, 'justification', p.justification,"
     " 'procedure', p.procedure, 'min_quotes', p.min_quotes,"
     " 'net', " DC_SQL_MONEY("p.net") ", 'gross', " DC_SQL_MONEY("p.gross") ","
     " 'award', p.award, 'award_reason', p.award_reason, 'tender_ref', p.tender_ref,"
     " 'rule_profile', p.rule_profile, 'rule_version', p.rule_version,"
     " 'legal_basis', p.legal_basis, 'cancel_reason', p.cancel_reason,"
     " 'invoices', (SELECT json_group_array(json_object('id', i.id, 'number', i.number,"
     " 'gross', " DC_SQL_MONEY("i.gross") ", 'status', i.status)) FROM invoice i"
     " WHERE i.order_id = p.id), 'created_by', p.created_by,"
     " 'created_at', p.created_at, 'updated_at', p.updated_at, 'lines', (SELECT"
     " json_group_array(json_object('line', l.line, 'vendor', l.vendor, 'sku', l.sku,"
     " 'text', l.text, 'qty', l.qty, 'unit', l.unit, 'unit_net', "
     DC_SQL_MONEY("l.unit_net") ", 'vat', l.vat, 'received', l.received))"
     " FROM order_line l WHERE l.order_id = p.id)) FROM purchase_order p WHERE p.id = ?1",
     NULL},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const struct kind *
kind_of(const char *entity)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (!strcmp(kinds[i].entity, entity))
			return &kinds[i];
	return NULL;
}

/* Aussonderungsart B (bewerten) in the offer, A (archivwürdig) in the hand-over. */
static void
archive_meta(struct dc_archive_xw *x, const char *art)
{
	dc_archive_xw_start(x, "ArchivspezifischeMetadaten");
	dc_archive_xw_start(x, "Aussonderungsart");
	dc_archive_xw_code(x, "Aussonderungsart", "aussonderungsart", "1.0", art);
	dc_archive_xw_close(x);
	dc_archive_xw_close(x);
}

static void
metadata(struct dc_archive_xw *x, const char *subject, const char *ref, const char *remark)
{
	dc_archive_xw_start(x, "AllgemeineMetadaten");
	dc_archive_xw_text(x, "Betreff", subject);
	dc_archive_xw_text(x, "Kennzeichen", ref);
	dc_archive_xw_text(x, "Bemerkung", remark);
	dc_archive_xw_close(x);
}

static void
period(struct dc_archive_xw *x, const char *begin, const char *end)
{
	dc_archive_xw_start(x, "Laufzeit");
	dc_archive_xw_text(x, "Beginn", begin);
	dc_archive_xw_text(x, "Ende", end);
	dc_archive_xw_close(x);
}

/* The Akte of record REF (UUID) up to its Vorgang's Laufzeit; close_akte ends both. */
static void
open_akte(struct dc_archive_xw *x, const struct kind *k, const char *uuid, const char *ref,
          const char *subject, const char *begin, const char *end, const char *art)
{
	char vorgang[37];

	dc_archive_uuid_of(uuid, "vorgang", vorgang);
	dc_archive_xw_start(x, "Schriftgutobjekt");
	dc_archive_xw_start(x, "Akte");
	dc_archive_xw_start(x, "Identifikation");
	dc_archive_xw_text(x, "ID", uuid);
	dc_archive_xw_close(x);
	metadata(x, subject, ref, NULL);
	archive_meta(x, art);
	dc_archive_xw_text(x, "Typ", k->type);
	period(x, begin, end);
	dc_archive_xw_start(x, "Akteninhalt");
	dc_archive_xw_start(x, "Vorgang");
	dc_archive_xw_start(x, "Identifikation");
	dc_archive_xw_text(x, "ID", vorgang);
	dc_archive_xw_close(x);
	metadata(x, subject, ref, NULL);
	dc_archive_xw_text(x, "Typ", k->type);
	dc_archive_xw_text(x, "ZdA", "true");
	dc_archive_xw_text(x, "ZdADatum", end);
	period(x, begin, end);
}

static void
close_akte(struct dc_archive_xw *x, const char *end)
{
	dc_archive_xw_close(x); /* Vorgang */
	dc_archive_xw_close(x); /* Akteninhalt */
	dc_archive_xw_text(x, "ZdA", "true");
	dc_archive_xw_text(x, "ZdADatum", end);
	dc_archive_xw_close(x); /* Akte */
	dc_archive_xw_close(x); /* Schriftgutobjekt */
}

/* ---- the offer (0501) -------------------------------------------------------------------- */

struct offer {
	const char *dir;
	long day;
};

static int
offer_kind(struct dc *ctx, struct dc_archive_xw *x, const struct kind *k, const char *cutoff,
           const char *process, const char *now, long *n)
{
	struct dc_stmt *st = NULL;
	char *policy = k->setting ? dc_setting(ctx, k->setting) : NULL;
	int rc = 0;

	if (k->setting && (!policy || strcmp(policy, "offer")))
		goto done;
	if ((rc = dc_prepare(ctx, &st, k->due)))
		goto done;
	dc_bind_text(st, 1, cutoff);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		char uuid[37];

		dc_archive_uuid(uuid);
		if ((rc = dc_exec(ctx, "INSERT INTO archive_record(entity, ref, uuid, process,"
		                       " stage, offered_at) VALUES (?1, ?2, ?3, ?4, 'offered', ?5)",
		                  5, k->entity, dc_col_text(st, 0), uuid, process, now)) ||
		    (rc = dc_touched(ctx, uuid, NULL)))
			break;
		open_akte(x, k, uuid, dc_col_text(st, 0), dc_col_text(st, 1), dc_col_text(st, 2),
		          dc_col_text(st, 3), "B");
		close_akte(x, dc_col_text(st, 3));
		(*n)++;
	}
done:
	dc_finish(ctx, st);
	free(policy);
	return rc > 0 ? rc : 0;
}

static int
offer_run(struct dc *ctx, void *arg)
{
	const struct offer *o = arg;
	struct dc_archive_xw x = {0};
	struct dc_event ev = {"archive", NULL, "offered", NULL, NULL, NULL, 0};
	char process[37], cutoff[21], now[21], *path = NULL, *note = NULL;
	long n = 0;
	size_t i;
	int rc;

	dc_archive_uuid(process);
	dc_fmt_time(dc_local_start_of_day(ctx, o->day), cutoff);
	dc_fmt_time(dc_now(ctx), now);
	if ((rc = dc_archive_xw_begin(ctx, &x, MSG_0501, process)))
		goto done;
	dc_archive_xw_text(&x, "Empfangsbestaetigung", "1");
	dc_archive_xw_close(&x); /* Kopf */
	for (i = 0; i < NKINDS && !rc; i++)
		rc = offer_kind(ctx, &x, &kinds[i], cutoff, process, now, &n);
	if (rc)
		goto done;
	if (!n) {
		dc_note(ctx, "no records due for the archive: nothing offered");
		goto done;
	}
	path = dc_archive_path(o->dir, process, MSG_0501, "xml");
	note = dc_printf("0501: %ld record%s offered", n, n == 1 ? "" : "s");
	ev.ref = process;
	ev.to = note;
	if (!(rc = dc_audit(ctx, &ev)))
		rc = dc_archive_xw_put(ctx, &x, path);
done:
	dc_archive_xw_free(&x);
	free(path);
	free(note);
	return rc;
}

int
dc_archive_offer(struct dc *ctx, const char *before, const char *dir)
{
	struct offer o = {dir, 0};
	int rc;

	if (!before || dc_parse_date(before, &o.day) < 0)
		return dc_error(ctx, DC_EUSAGE, "--closed-before: '%s' is not a date (YYYY-MM-DD)",
		                before ? before : "");
	if (!dir || !*dir)
		return dc_error(ctx, DC_EUSAGE, "offer needs -o DIR");
	if ((rc = dc_db_open(ctx)) || (rc = dc_require(ctx, "", "offer records to the archive")) ||
	    (rc = dc_archive_check_settings(ctx)))
		return rc;
	return dc_act_call(ctx, offer_run, &o, &dc_rt_archive_record, dc_archive_show);
}

/* ---- the hand-over (0503) ---------------------------------------------------------------- */

/* A Dokument with one primary document NAME (in the ZIP) of xdomea format CODE. */
static int
document(struct dc *ctx, struct dc_archive_xw *x, struct dc_zip *p, const char *uuid,
         const char *subject, const char *date, const char *author, const char *type,
         const char *code, const char *other, const char *version, const char *suffix,
         const char *data)
{
	char *file = dc_printf("%s_%s", uuid, suffix);
	int rc;

	dc_archive_xw_start(x, "Dokument");
	dc_archive_xw_start(x, "Identifikation");
	dc_archive_xw_text(x, "ID", uuid);
	dc_archive_xw_close(x);
	metadata(x, subject, NULL, NULL);
	dc_archive_xw_text(x, "DatumDesSchreibens", date);
	dc_archive_xw_text(x, "Bearbeiter", author);
	dc_archive_xw_text(x, "Typ", type);
	dc_archive_xw_start(x, "Version");
	dc_archive_xw_text(x, "Nummer", "1");
	dc_archive_xw_start(x, "Format");
	dc_archive_xw_code(x, "Name", "dateiformat", "1.0", code);
	dc_archive_xw_text(x, "SonstigerName", other);
	dc_archive_xw_text(x, "Version", version);
	dc_archive_xw_start(x, "Primaerdokument");
	dc_archive_xw_text(x, "Dateiname", file);
	dc_archive_xw_close(x);
	dc_archive_xw_close(x); /* Format */
	dc_archive_xw_close(x); /* Version */
	dc_archive_xw_close(x); /* Dokument */
	rc = dc_zip_add(ctx, p, file, data, strlen(data));
	free(file);
	return rc;
}

/* The history of the record: one HistorienProtokollInformation per event. */
static int
history(struct dc *ctx, struct dc_archive_xw *x, const char *entity, const char *ref)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st, "SELECT kind, from_value, to_value, actor, on_behalf_of,"
	                               " at, visibility, note IS NOT NULL FROM event"
	                               " WHERE entity = ?1 AND ref = ?2 ORDER BY id")))
		return rc;
	dc_bind_text(st, 1, entity);
	dc_bind_text(st, 2, ref);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		const char *kind = dc_col_text(st, 0), *from = dc_col_text(st, 1);
		const char *to = dc_col_text(st, 2), *behalf = dc_col_text(st, 4);
		char *actor = behalf ? dc_printf("%s für %s", dc_col_text(st, 3), behalf)
		                     : dc_strdup(dc_col_text(st, 3));
		char *remark = dc_printf("%s%s", !strcmp(dc_col_text(st, 6), "public")
		                                     ? "öffentlich" : "intern",
		                         dc_col_int(st, 7) ? "; Notiz als Dokument" : "");

		dc_archive_xw_start(x, "HistorienProtokollInformation");
		if (from || to)
			dc_archive_xw_text(x, "MetadatumName", kind);
		dc_archive_xw_text(x, "MetadatumAlterWert", from);
		dc_archive_xw_text(x, "MetadatumNeuerWert", to);
		dc_archive_xw_text(x, "Akteur", actor);
		dc_archive_xw_text(x, "DatumUhrzeit", dc_col_text(st, 5));
		dc_archive_xw_text(x, "Bemerkung", remark);
		dc_archive_xw_text(x, "Aktion", kind);
		dc_archive_xw_close(x);
		free(actor);
		free(remark);
	}
	dc_finish(ctx, st);
	return rc > 0 ? rc : 0;
}

/* The Dokumente: the record as JSON, each note as text, each attachment by reference. */
static int
documents(struct dc *ctx, struct dc_archive_xw *x, struct dc_zip *p, const struct kind *k,
          const char *uuid, const char *ref, const char *json, const char *end)
{
	struct dc_stmt *st = NULL;
	char id[37], part[48];
	long i = 0;
	int rc;

	dc_archive_uuid_of(uuid, "record", id);
	if ((rc = document(ctx, x, p, id, "Datensatz", end, NULL, "Datensatz", "100", "JSON",
	                   "RFC 8259", "datensatz.json", json)) ||
	    (rc = dc_prepare(ctx, &st, "SELECT id, substr(at, 1, 10), actor, visibility, note"
	                               " FROM event WHERE entity = ?1 AND ref = ?2"
	                               " AND note IS NOT NULL ORDER BY id")))
		return rc;
	dc_bind_text(st, 1, k->entity);
	dc_bind_text(st, 2, ref);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		int pub = !strcmp(dc_col_text(st, 3), "public");

		snprintf(part, sizeof part, "note-%lld", dc_col_int(st, 0));
		dc_archive_uuid_of(uuid, part, id);
		if ((rc = document(ctx, x, p, id, pub ? "Notiz (öffentlich)" : "Notiz (intern)",
		                   dc_col_text(st, 1), dc_col_text(st, 2), "Notiz", "045", NULL,
		                   "UTF-8", "notiz.txt", dc_col_text(st, 4))))
			break;
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc > 0 || !k->media)
		return rc > 0 ? rc : 0;
	if ((rc = dc_prepare(ctx, &st, k->media)))
		return rc;
	dc_bind_text(st, 1, ref);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		snprintf(part, sizeof part, "media-%ld", ++i);
		dc_archive_uuid_of(uuid, part, id);
		dc_archive_xw_start(x, "Dokument");
		dc_archive_xw_start(x, "Identifikation");
		dc_archive_xw_text(x, "ID", id);
		dc_archive_xw_close(x);
		metadata(x, "Anhang", NULL, dc_col_text(st, 0));
		dc_archive_xw_text(x, "Typ", "Anhang (Verweis)");
		dc_archive_xw_close(x);
	}
	dc_finish(ctx, st);
	return rc > 0 ? rc : 0;
}

static int
handover_record(struct dc *ctx, struct dc_archive_xw *x, struct dc_zip *p, const char *entity,
                const char *ref, const char *uuid)
{
	const struct kind *k = kind_of(entity);
	struct dc_stmt *st = NULL;
	char *subject = NULL, *begin = NULL, *end = NULL, *json = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st, k->content)))
		return rc;
	dc_bind_text(st, 1, ref);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		subject = dc_strdup(dc_col_text(st, 0));
		begin = dc_strdup(dc_col_text(st, 1));
		end = dc_strdup(dc_col_text(st, 2));
		json = dc_strdup(dc_col_text(st, 3));
		rc = 0;
	} else if (!rc)
		rc = dc_error(ctx, DC_ECONFLICT, "%s '%s' is gone: it cannot be handed over",
		              entity, ref);
	dc_finish(ctx, st);
	if (rc)
		goto done;
	open_akte(x, k, uuid, ref, subject, begin, end, "A");
	if ((rc = history(ctx, x, entity, ref)) ||
	    (rc = documents(ctx, x, p, k, uuid, ref, json, end)))
		goto done;
	close_akte(x, end);
done:
	free(subject);
	free(begin);
	free(end);
	free(json);
	return rc;
}

/* One 0503 for the records of PROCESS appraised A and not handed over yet. */
static int
handover_process(struct dc *ctx, const char *dir, const char *process, long *total)
{
	struct dc_archive_xw x = {0};
	struct dc_event ev = {"archive", process, "handed_over", NULL, NULL, NULL, 0};
	struct dc_zip *p = NULL;
	struct dc_stmt *st = NULL;
	char now[21], *name = NULL, *path = NULL, *note = NULL, *data = NULL;
	size_t len = 0;
	long n = 0;
	int rc;

	dc_fmt_time(dc_now(ctx), now);
	if ((rc = dc_zip_new(ctx, &p)) || (rc = dc_archive_xw_begin(ctx, &x, MSG_0503, process)))
		goto done;
	dc_archive_xw_text(&x, "Importbestaetigung", "1");
	dc_archive_xw_text(&x, "RueckmeldungArchivkennung", "1");
	dc_archive_xw_text(&x, "Empfangsbestaetigung", "1");
	dc_archive_xw_close(&x); /* Kopf */
	if ((rc = dc_prepare(ctx, &st, "SELECT entity, ref, uuid FROM archive_record"
	                               " WHERE process = ?1 AND stage = 'appraised'"
	                               " AND appraisal = 'A' ORDER BY entity, ref")))
		goto done;
	dc_bind_text(st, 1, process);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		const char *uuid = dc_col_text(st, 2);

		if ((rc = handover_record(ctx, &x, p, dc_col_text(st, 0), dc_col_text(st, 1),
		                          uuid)) ||
		    (rc = dc_exec(ctx, "UPDATE archive_record SET stage = 'handed_over',"
		                       " handed_over_at = ?2, error = NULL WHERE uuid = ?1",
		                  2, uuid, now)) ||
		    (rc = dc_touched(ctx, uuid, NULL)))
			break;
		n++;
	}
	dc_finish(ctx, st);
	if (rc > 0 || (rc = dc_archive_xw_end(ctx, &x)))
		goto done;
	name = dc_printf("%s_%s.xml", process, MSG_0503);
	if ((rc = dc_zip_add(ctx, p, name, xmlBufferContent(x.buf),
	                     strlen((const char *)xmlBufferContent(x.buf)))) ||
	    (rc = dc_zip_close(ctx, p, &data, &len)))
		goto done;
	path = dc_archive_path(dir, process, MSG_0503, "zip");
	note = dc_printf("0503: %ld record%s handed over", n, n == 1 ? "" : "s");
	ev.to = note;
	if ((rc = dc_audit(ctx, &ev)) || (rc = dc_file_put(ctx, path, DC_PRIVATE, data, len)))
		goto done;
	*total += n;
done:
	dc_zip_free(p);
	dc_archive_xw_free(&x);
	free(name);
	free(path);
	free(note);
	free(data);
	return rc > 0 ? rc : 0;
}

static int
handover_run(struct dc *ctx, void *arg)
{
	const char *dir = arg;
	struct dc_stmt *st = NULL;
	char **procs = NULL;
	size_t n = 0, i;
	long total = 0;
	int rc;

	/* the processes first: writing a ZIP steps other statements */
	if ((rc = dc_prepare(ctx, &st, "SELECT DISTINCT process FROM archive_record"
	                               " WHERE stage = 'appraised' AND appraisal = 'A'"
	                               " ORDER BY process")))
		return rc;
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		if (!(procs = realloc(procs, (n + 1) * sizeof *procs)))
			abort();
		procs[n++] = dc_strdup(dc_col_text(st, 0));
	}
	dc_finish(ctx, st);
	for (i = 0; i < n && rc <= 0; i++)
		rc = handover_process(ctx, dir, procs[i], &total);
	for (i = 0; i < n; i++)
		free(procs[i]);
	free(procs);
	if (rc > 0)
		return rc;
	if (!total)
		dc_note(ctx, "no records appraised archivwürdig await the hand-over");
	return 0;
}

int
dc_archive_handover(struct dc *ctx, const char *dir)
{
	int rc;

	if (!dir || !*dir)
		return dc_error(ctx, DC_EUSAGE, "handover needs -o DIR");
	if ((rc = dc_db_open(ctx)) ||
	    (rc = dc_require(ctx, "", "hand records over to the archive")) ||
	    (rc = dc_archive_check_settings(ctx)))
		return rc;
	return dc_act_call(ctx, handover_run, (void *)dir, &dc_rt_archive_record,
	                   dc_archive_show);
}
