/*
 * dc-subject export (GDPR Art. 15): what the city holds about a person, as one JSON file per
 * entity with the whole records and summary.html, a German page that says for each entity
 * what is held, for what purpose (setting subject.purpose.ENTITY), since when, who received
 * it and when it will be deleted.  Written into a new directory beside DIR and renamed onto
 * it once whole, 0700 with 0600 files: it is nothing but personal data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/export.h"
#include "subject/internal.h"
#include "subject/subject.h"

/* The columns that are the city's security material, not the person's data. */
static const char *const secret_cols[] = {"token_hash", "note_salt", "note_hash", "prev_hash",
                                          "hash",       "claim",     "file",      NULL};

/* How summary.html names each entity, and when its records are deleted: %ld is the
 * retention setting's days (KEY), when there is one. */
static const struct {
	const char *entity, *title, *key, *deleted;
} about[] = {
    {"case", "Anliegen (Meldungen und Anträge)", NULL, NULL},
    {"outbox", "Nachrichten an Sie", "retention.outbox_days",
     "%ld Tage nach dem Versand werden Empfänger, Betreff und Text gelöscht."},
    {"event", "Einträge im Prüfprotokoll", NULL,
     "Der Text wird mit dem Vorgang gelöscht, zu dem der Eintrag gehört."},
    {"shop_order", "Bestellungen im Marktplatz", "retention.shop_order_days",
     "%ld Tage nach Abholung oder Stornierung wird die Bestellung anonymisiert."},
    {"service_request", "Anfragen an Händler", NULL, "Mit Ihrer Mitgliedschaft."},
    {"merchant", "Ihre Geschäfte im Marktplatz", NULL, "Auf Ihren Antrag."},
    {"flag", "Ihre Meldungen von Beiträgen", "retention.post_days",
     "Mit dem Beitrag, %ld Tage nach seinem letzten Kommentar."},
    {"follow", "Ihre abonnierten Themen und Stadtteile", NULL, "Mit Ihrer Mitgliedschaft."},
    {"comment", "Ihre Kommentare", "retention.post_days",
     "Mit dem Beitrag, %ld Tage nach seinem letzten Kommentar."},
    {"post", "Ihre Beiträge", "retention.post_days",
     "%ld Tage nach der letzten Änderung, dem Termin und dem letzten Kommentar."},
    {"vendor", "Lieferantendaten", NULL,
     "Auf Ihren Antrag, sobald kein Vergabeverfahren mit Ihnen mehr offen ist."},
    {"invoice", "Rechnungen", NULL,
     "Nach Ablauf der gesetzlichen Aufbewahrungsfrist (10 Jahre, § 147 AO)."},
    {"member", "Ihre Mitgliedschaft im Stadtteil-Netzwerk", "retention.member_days",
     "%ld Tage nach Ihrem letzten Beitrag, Kommentar, Abonnement oder Ihrer letzten"
     " Bestellung."},
};

/* Where the files go: a new directory (built in a temporary one beside it), or a ZIP. */
struct sink {
	const char *dir;
	struct dc_zip *zip;
};

static int
write_file(struct dc *ctx, const struct sink *to, const char *name, const char *text)
{
	char *path;
	FILE *fp = NULL;
	int fd, rc = 0;

	if (to->zip)
		return dc_zip_add(ctx, to->zip, name, text, strlen(text));
	path = dc_printf("%s/%s", to->dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, dc_file_mode(DC_PRIVATE))) >= 0 &&
	    !(fp = fdopen(fd, "w")))
		close(fd);
	if (!fp || fputs(text, fp) == EOF || fclose(fp) == EOF)
		rc = dc_error(ctx, DC_EIO, "cannot write '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}

/* Every record of ENTITY that L names, whole (less secret_cols), as a JSON array. */
static int
entity_json(struct dc *ctx, int src, const struct recs *l, json_object *arr)
{
	const struct dc_subject_src *s = &dc_subject_src[src];
	char *sql = dc_printf("SELECT * FROM %s WHERE CAST(%s AS TEXT) = ?1", s->table, s->id);
	struct dc_stmt *st = NULL;
	int rc = 0;

	for (long j = 0; !rc && j < l->n; j++) {
		long k;

		if (strcmp(l->r[j].entity, s->entity))
			continue;
		for (k = 0;
		     k < j && (strcmp(l->r[k].entity, s->entity) || strcmp(l->r[k].id, l->r[j].id));
		     k++)
			;
		if (k < j || (rc = dc_prepare(ctx, &st, sql)))
			continue;
		dc_bind_text_ref(st, 1, l->r[j].id);
		while ((rc = dc_step(ctx, st)) == DC_ROW) {
			json_object *o = json_object_new_object();

			for (int c = 0; c < dc_col_count(st); c++) {
				const char *name = dc_col_name(st, c);
				const char *const *x;
				json_object *v = NULL;

				for (x = secret_cols; *x && strcmp(*x, name); x++)
					;
				if (*x)
					continue;
				switch (dc_col_type(st, c)) {
				case DC_COL_INT:
					v = json_object_new_int64(dc_col_int(st, c));
					break;
				case DC_COL_REAL:
					v = json_object_new_double(dc_col_double(st, c));
					break;
				case DC_COL_TEXT:
					v = json_object_new_string(dc_col_text(st, c));
					break;
				default:
					break;
				}
				json_object_object_add(o, name, v);
			}
			json_object_array_add(arr, o);
		}
		dc_finish(ctx, st);
	}
	free(sql);
	return rc;
}

static void
cat(char **html, const char *fmt, const char *a, const char *b)
{
	char *ea = dc_export_html_escape(a), *eb = dc_export_html_escape(b);
	char *more = dc_printf(fmt, ea, eb), *next = dc_printf("%s%s", *html, more);

	free(ea), free(eb), free(more), free(*html);
	*html = next;
}

/* When the records of entity I are deleted, as German text. */
static char *
deleted_text(struct dc *ctx, int i)
{
	char *v, *t;

	if (!about[i].deleted)
		return dc_strdup("Nach der Aufbewahrungsfrist des Dienstes, mit dem Abschluss des"
		                 " Anliegens; siehe die Tabelle der Anliegen.");
	if (!about[i].key)
		return dc_strdup(about[i].deleted);
	v = dc_setting(ctx, about[i].key);
	t = dc_printf(about[i].deleted, v ? strtol(v, NULL, 10) : 0L);
	free(v);
	return t;
}

/* A table of the summary: for each record of ENTITY in L (once per id), the four columns SQL
 * selects for its id, under HEAD (the heading and the table's first row); *any says whether
 * there was a row. */
static int
table_html(struct dc *ctx, const struct recs *l, const char *entity, const char *sql,
           const char *head, char **html, int *any)
{
	struct dc_stmt *st = NULL;
	int rc = 0;

	*any = 0;
	for (long j = 0; !rc && j < l->n; j++) {
		if (strcmp(l->r[j].entity, entity) || (j && !strcmp(l->r[j - 1].entity, entity) &&
		                                       !strcmp(l->r[j - 1].id, l->r[j].id)))
			continue;
		if ((rc = dc_prepare(ctx, &st, sql)))
			break;
		dc_bind_text_ref(st, 1, l->r[j].id);
		if ((rc = dc_step(ctx, st)) == DC_ROW) {
			if (!(*any)++)
				cat(html, head, "", "");
			cat(html, "<tr><td>%s</td><td>%s</td>", dc_col_text(st, 0),
			    dc_col_text(st, 1));
			cat(html, "<td>%s</td><td>%s</td></tr>\n", dc_col_text(st, 2),
			    dc_col_text(st, 3));
			rc = 0;
		}
		dc_finish(ctx, st);
	}
	if (!rc && *any)
		cat(html, "</table>\n%s%s", "", "");
	return rc;
}

/* Each case: its service, status, and when its personal data goes. */
static int
cases_html(struct dc *ctx, const struct recs *l, char **html)
{
	int any;

	return table_html(ctx, l, "case",
	                  "SELECT c.id, s.name, c.status, CASE WHEN c.hold_reason IS NOT NULL"
	                  " THEN 'gesperrt (gesetzliche Aufbewahrung): ' || c.hold_reason"
	                  " WHEN s.retention IS NULL THEN 'auf Antrag, nach Abschluss'"
	                  " WHEN c.closed_at IS NULL THEN s.retention"
	                  " || ' Tage nach dem Abschluss' ELSE 'nach dem ' ||"
	                  " date(c.closed_at, '+' || (s.retention + 1) || ' days') END"
	                  " FROM cases c JOIN service s ON s.code = c.service WHERE c.id = ?1",
	                  "<h2>Ihre Anliegen</h2>\n<table>\n<tr><th>Anliegen</th><th>Dienst</th>"
	                  "<th>Stand</th><th>Löschung</th></tr>\n",
	                  html, &any);
}

/* The messages sent to the person: when, which template, to whom. */
static int
recipients_html(struct dc *ctx, const struct recs *l, char **html)
{
	int any, rc;

	if ((rc = table_html(ctx, l, "outbox",
	                     "SELECT coalesce(sent_at, created_at), template, recipient, status"
	                     " FROM outbox WHERE id = ?1",
	                     "<h2>Wer Ihre Daten erhalten hat</h2>\n<table>\n<tr><th>Datum</th>"
	                     "<th>Nachricht</th><th>Empfänger</th><th>Stand</th></tr>\n",
	                     html, &any)))
		return rc;
	if (any)
		cat(html, "<p>%s%s</p>\n",
		    "Die Stadt gibt Ihre Daten sonst nur an die zuständigen Ämter weiter.", "");
	else
		cat(html, "<h2>%s</h2>\n<p>%s</p>\n", "Wer Ihre Daten erhalten hat",
		    "Die Stadt hat Ihnen keine Nachrichten geschickt; Ihre Daten erhalten nur die"
		    " zuständigen Ämter.");
	return 0;
}

static int
summary(struct dc *ctx, const struct recs *l, const char *id, const struct sink *to)
{
	char *html = dc_strdup(""), *city = dc_setting(ctx, "city.name"), now[21];
	int rc = 0;

	dc_fmt_time(dc_now(ctx), now);
	cat(&html,
	    "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<title>Auskunft über Ihre Daten – %s</title>\n<style>body{font-family:sans-serif;"
	    "max-width:60em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid"
	    " #999;padding:.3em .6em;text-align:left;vertical-align:top}</style>\n</head>\n<body>\n"
	    "<h1>Auskunft über Ihre Daten</h1>\n<p>%s",
	    city ? city : "", city ? city : "");
	cat(&html, " gibt Ihnen hier Auskunft nach Art. 15 DSGVO (Vorgang %s, Stand %s).", id, now);
	cat(&html,
	    " Die vollständigen Datensätze stehen in den JSON-Dateien neben dieser"
	    " Seite, eine je Bereich.%s%s</p>\n<h2>Was wir über Sie speichern</h2>\n"
	    "<table>\n<tr><th>Bereich</th><th>Datensätze</th><th>Angaben</th>"
	    "<th>Zweck</th><th>Gespeichert seit</th><th>Löschung</th></tr>\n",
	    "", "");
	for (size_t i = 0; i < sizeof about / sizeof about[0]; i++) {
		char *key, *purpose, *fields = dc_strdup(""), *since = NULL, *del, num[24];
		long n = 0;

		for (long j = 0; j < l->n; j++) {
			const struct rec *r = &l->r[j];
			long k;

			if (strcmp(r->entity, about[i].entity))
				continue;
			for (k = 0; k < j && (strcmp(l->r[k].entity, r->entity) ||
			                      strcmp(l->r[k].id, r->id));
			     k++)
				;
			n += k == j;
			if (!strstr(fields, r->field)) {
				char *f =
				    dc_printf("%s%s%s", fields, *fields ? ", " : "", r->field);

				free(fields);
				fields = f;
			}
			if (r->date && (!since || strcmp(r->date, since) < 0))
				since = r->date;
		}
		if (!n) {
			free(fields);
			continue;
		}
		key = dc_printf("subject.purpose.%s", about[i].entity);
		purpose = dc_setting(ctx, key);
		del = deleted_text(ctx, (int)i);
		snprintf(num, sizeof num, "%ld", n);
		cat(&html, "<tr><td>%s</td><td>%s</td>", about[i].title, num);
		cat(&html, "<td>%s</td><td>%s</td>", fields, purpose ? purpose : "");
		cat(&html, "<td>%.10s</td><td>%s</td></tr>\n", since ? since : "", del);
		free(key), free(purpose), free(del), free(fields);
	}
	cat(&html, "</table>\n%s%s", "", "");
	if (!(rc = cases_html(ctx, l, &html)) && !(rc = recipients_html(ctx, l, &html))) {
		cat(&html, "<p>%s%s</p>\n</body>\n</html>\n",
		    "Sie können die Berichtigung oder Löschung Ihrer Daten verlangen; wenden Sie "
		    "sich"
		    " dazu an die Datenschutzbeauftragte oder den Datenschutzbeauftragten der "
		    "Stadt.",
		    "");
		rc = write_file(ctx, to, "summary.html", html);
	}
	free(city);
	free(html);
	return rc;
}

/* Remove what a failed export wrote into its temporary directory, and the directory. */
static void
remove_tmp(const char *dir)
{
	for (size_t i = 0; i < sizeof about / sizeof about[0] + 1; i++) {
		char *p = i < sizeof about / sizeof about[0]
		              ? dc_printf("%s/%s.json", dir, about[i].entity)
		              : dc_printf("%s/summary.html", dir);

		unlink(p);
		free(p);
	}
	rmdir(dir);
}

static int export(struct dc *ctx, void *arg)
{
	struct dc_args *a = arg;
	const char *out = dc_arg(a, "output");
	struct dc_subject_key k;
	struct dc_stmt *st = NULL;
	struct recs l = {0};
	struct sink to = {0};
	struct stat sb;
	char id[32], *tmp = NULL, *counts = NULL, *zip = NULL;
	size_t n, len = 0;
	const char *slash;
	int rc;

	if ((rc = dc_require(ctx, "privacy", "export a person's data")) ||
	    (rc = dc_subject_key(ctx, a, 0, &k)))
		return rc;
	if (!out || !*out)
		return dc_error(ctx, DC_EUSAGE, "export needs -o DIR or -o FILE.zip");
	if (stat(out, &sb) == 0)
		return dc_error(ctx, DC_ECANTCREAT, "'%s' exists: give a new directory or file",
		                out);
	if ((n = strlen(out)) > 4 && !strcasecmp(out + n - 4, ".zip")) {
		if ((rc = dc_zip_new(ctx, &to.zip)))
			return rc;
	} else {
		slash = strrchr(out, '/');
		tmp = slash ? dc_printf("%.*s/.%s.XXXXXX", (int)(slash - out), out, slash + 1)
		            : dc_printf(".%s.XXXXXX", out);
		if (!mkdtemp(tmp)) {
			rc = dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", out,
			              strerror(errno));
			free(tmp);
			return rc;
		}
		to.dir = tmp;
	}
	if ((rc = dc_subject_query(ctx, &k, 0, &st)) || (rc = dc_subject_recs(ctx, st, &l)))
		goto done;
	for (int i = 0; !rc && dc_subject_src[i].entity; i++) {
		json_object *arr;
		char *name;

		if (i && !strcmp(dc_subject_src[i - 1].entity, dc_subject_src[i].entity))
			continue;
		arr = json_object_new_array();
		if (!(rc = entity_json(ctx, i, &l, arr)) && json_object_array_length(arr)) {
			name = dc_printf("%s.json", dc_subject_src[i].entity);
			rc = write_file(
			    ctx, &to, name,
			    json_object_to_json_string_ext(
			        arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
			free(name);
		}
		json_object_put(arr);
	}
	if (rc)
		goto done;
	counts = dc_subject_counts(&l, "erase,delete,anonymise,keep,held");
	if ((rc = dc_subject_request(ctx, "exported", *counts ? counts : "nothing found", id)) ||
	    (rc = summary(ctx, &l, id, &to)))
		goto done;
	/* the audit event commits with the directory or the file in place, or neither */
	if (to.zip) {
		if (!(rc = dc_zip_close(ctx, to.zip, &zip, &len)))
			rc = dc_file_put(ctx, out, DC_PRIVATE, zip, len);
	} else if (!ctx->dry_run && rename(tmp, out) < 0)
		rc = dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", out, strerror(errno));
	if (!rc)
		dc_note(ctx, "%s: %s%s: %s", id, out, ctx->dry_run ? " not written (dry run)" :
		        " written", *counts ? counts : "nothing found");
done:
	if (tmp && (rc || ctx->dry_run))
		remove_tmp(tmp);
	dc_zip_free(to.zip);
	free(zip);
	free(tmp);
	free(counts);
	dc_subject_recs_free(&l);
	return rc;
}

int
dc_subject_export(struct dc *ctx, struct dc_args *a)
{
	int rc;

	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "export takes no operands");
	if ((rc = dc_db_open(ctx)) || (rc = dc_tx_begin(ctx)))
		return rc;
	return dc_tx_end(ctx, export(ctx, a));
}
