/* The procurement record (Vergabevermerk): the documentation of an order, rendered from the
 * order, its quotes and its history, with the rule version frozen at approval. */
#include <stdlib.h>
#include <string.h>

#include "procure/procure.h"

static const char *
procedure_name(const char *p)
{
	static const char *const names[][2] = {
		{"direct", "Direktauftrag"},
		{"negotiated", "Verhandlungsvergabe (mindestens drei Angebote)"},
		{"tender", "Beschränkte oder Öffentliche Ausschreibung"},
		{"eu", "EU-weites Vergabeverfahren"},
		{"framework", "Abruf aus einer Rahmenvereinbarung"},
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(names[i][0], p))
			return names[i][1];
	return p;
}

/* Append printf output to a growing string. */
static void
add(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add(char **s, const char *fmt, ...)
{
	va_list ap;
	char *more, *joined;

	va_start(ap, fmt);
	if (vasprintf(&more, fmt, ap) < 0)
		abort();
	va_end(ap);
	joined = dc_printf("%s%s", *s, more);
	free(more);
	free(*s);
	*s = joined;
}

static const char *
col(struct dc_stmt *st, int i)
{
	const char *v = dc_col_text(st, i);

	return v ? v : "–";
}

/* C in 10^-SCALE euros (cents; a unit price's ten-thousandths) as German text: 1234,50 € */
static void
euros(char buf[40], long long c, int scale)
{
	char n[32];

	dc_num_fmt(c, scale, 2, ',', n);
	snprintf(buf, 40, "%s €", n);
}

int
dc_procure_order_record(struct dc *ctx, const char *id, char **out)
{
	struct dc_stmt *st = NULL;
	char *s = dc_strdup(""), *city = dc_setting(ctx, "city.name"), a[40], b[40];
	int rc;

	*out = NULL;
	if ((rc = dc_require(ctx, "buyer auditor head", "read procurement records")) ||
	    (rc = dc_prepare(ctx, &st,
	                     "SELECT o.id, d.name, o.budget || '/' || o.year, o.status, o.category,"
	                     " o.procedure, o.min_quotes, o.net, o.gross, o.legal_basis,"
	                     " o.rule_profile, o.rule_version, o.award, v.name, o.award_reason,"
	                     " o.split_suspect, o.split_justification, o.tender_ref, o.framework,"
	                     " o.justification, o.repeat_vendor, o.cancel_reason, o.created_by,"
	                     " o.created_at"
	                     " FROM purchase_order o JOIN dept d ON d.code = o.dept"
	                     " LEFT JOIN vendor v ON v.id = o.award WHERE o.id = ?1")))
		goto done;
	dc_bind_text_ref(st, 1, id);
	if ((rc = dc_step(ctx, st)) != DC_ROW) {
		rc = rc ? rc : dc_error(ctx, DC_ENOTFOUND, "no order '%s'", id);
		goto done;
	}
	euros(a, dc_col_int(st, 7), 2);
	euros(b, dc_col_int(st, 8), 2);
	add(&s, "Vergabevermerk %s\n%s\n\n", col(st, 0), city ? city : "");
	add(&s, "Bedarfsstelle:      %s\nHaushaltsstelle:    %s\nStatus:             %s\n", col(st, 1),
	    col(st, 2), col(st, 3));
	add(&s, "Angelegt:           %s von %s\nKategorie:          %s\nBegründung:         %s\n\n",
	    col(st, 23), col(st, 22), col(st, 4), col(st, 19));
	add(&s, "1. Auftragswert\n   geschätzt netto %s, brutto %s\n\n", a, b);
	add(&s, "2. Verfahren\n   %s (%s)\n   Rechtsgrundlage: %s\n   Regelwerk: %s, Version %s\n",
	    procedure_name(col(st, 5)), col(st, 5), col(st, 9), col(st, 10), col(st, 11));
	if (!dc_col_null(st, 17))
		add(&s, "   Externes Vergabeverfahren: %s\n", col(st, 17));
	if (!dc_col_null(st, 18))
		add(&s, "   Rahmenvereinbarung: %s\n", col(st, 18));
	add(&s,
	    "   Mindestzahl Angebote: %lld\n\n3. Prüfung auf Auftragsaufteilung (§ 3 Abs. 2 VgV)\n",
	    dc_col_int(st, 6));
	if (dc_col_int(st, 15))
		add(&s, "   Verdacht auf Aufteilung: ja\n   Sachliche Rechtfertigung: %s\n\n", col(st, 16));
	else
		add(&s, "   Verdacht auf Aufteilung: nein\n\n");
	add(&s, "4. Zuschlag\n   %s (%s)\n", col(st, 13), col(st, 12));
	if (!dc_col_null(st, 14))
		add(&s, "   Begründung: %s\n", col(st, 14));
	if (dc_col_int(st, 20))
		add(&s, "   Hinweis: erneuter Direktauftrag an diesen Anbieter in derselben Kategorie "
		        "innerhalb von 12 Monaten (Anbieterwechsel prüfen)\n");
	if (!dc_col_null(st, 21))
		add(&s, "   Storniert: %s\n", col(st, 21));
	dc_finish(ctx, st);
	st = NULL;
	add(&s, "\n5. Positionen\n");
	if ((rc = dc_prepare(ctx, &st, "SELECT line, qty, coalesce(unit, ''), text,"
	                               " coalesce(vendor || ':' || sku, vendor, ''), unit_net, vat, received"
	                               " FROM order_line WHERE order_id = ?1 ORDER BY line")))
		goto done;
	dc_bind_text_ref(st, 1, id);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		euros(a, dc_col_int(st, 5), 4);
		add(&s, "   %lld. %g %s %s [%s] à %s netto, USt %g %%, geliefert %g\n",
		    dc_col_int(st, 0), dc_col_double(st, 1), col(st, 2), col(st, 3), col(st, 4), a,
		    dc_col_double(st, 6), dc_col_double(st, 7));
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc)
		goto done;
	add(&s, "\n6. Angebote\n");
	if ((rc = dc_prepare(ctx, &st, "SELECT q.vendor, v.name, q.amount, q.note, q.at FROM quote q"
	                               " JOIN vendor v ON v.id = q.vendor WHERE q.order_id = ?1"
	                               " ORDER BY q.amount, q.id")))
		goto done;
	dc_bind_text_ref(st, 1, id);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		euros(a, dc_col_int(st, 2), 2);
		add(&s, "   %s (%s): %s netto, %s%s%s\n", col(st, 1), col(st, 0), a, col(st, 4),
		    !dc_col_null(st, 3) ? " – " : "", !dc_col_null(st, 3) ? col(st, 3) : "");
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc)
		goto done;
	add(&s, "\n7. Rechnungen\n");
	if ((rc = dc_prepare(ctx, &st, "SELECT id, number, type, status, gross, issue_date,"
	                               " coalesce(sha256, ''), coalesce(source, '')"
	                               " FROM invoice WHERE order_id = ?1 ORDER BY id")))
		goto done;
	dc_bind_text_ref(st, 1, id);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		euros(a, dc_col_int(st, 4), 2);
		add(&s, "   %s: Nr. %s (%s) vom %s über %s brutto, %s%s%s\n", col(st, 0),
		    col(st, 1), !strcmp(col(st, 2), "381") ? "Gutschrift"
		                : !strcmp(col(st, 2), "384") ? "Korrekturrechnung" : "Rechnung",
		    dc_col_null(st, 5) ? "-" : col(st, 5), a,
		    !strcmp(col(st, 3), "booked") ? "gebucht"
		    : !strcmp(col(st, 3), "replaced") ? "ersetzt" : "nicht zugeordnet",
		    *col(st, 7) ? ", Datei " : "", col(st, 7));
		if (*col(st, 6))
			add(&s, "      SHA-256 %s\n", col(st, 6));
	}
	dc_finish(ctx, st);
	st = NULL;
	if (rc)
		goto done;
	add(&s, "\n8. Verlauf\n");
	if ((rc = dc_procure_order_events(ctx, id, &st)))
		goto done;
	while ((rc = dc_step(ctx, st)) == DC_ROW)
		add(&s, "   %s  %-10s %-10s %s%s%s%s%s\n", col(st, 2), col(st, 3), col(st, 4),
		    !dc_col_null(st, 6) ? col(st, 6) : "", !dc_col_null(st, 6) ? " → " : "",
		    !dc_col_null(st, 7) ? col(st, 7) : "", !dc_col_null(st, 8) ? " – " : "",
		    !dc_col_null(st, 8) ? col(st, 8) : "");
	if (!rc) {
		*out = s;
		s = NULL;
	}
done:
	dc_finish(ctx, st);
	free(s);
	free(city);
	return rc;
}
