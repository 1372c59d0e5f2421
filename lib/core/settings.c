/* Settings (their keys, defaults and stored values) and the city's local time, which the
 * setting city.timezone decides. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/dc.h"

/* Known settings, their defaults (NULL = unset) and types (dcity(7) "Settings", "Time"):
 * dc config checks a value against its type before it is stored, so that a mistyped zone or
 * number is refused then, not silently read as a default later. */
const struct dc_setting_def dc_settings[] = {
	{"city.name", "Musterstadt", DC_S_TEXT, NULL, NULL},
	{"city.url", "https://www.musterstadt.example", DC_S_URL, NULL, NULL},
	{"mail.from", "dcity@musterstadt.example", DC_S_MAILBOX, NULL, NULL},
	{"mail.reply_to", NULL, DC_S_MAILBOX, NULL, NULL},
	{"mail.templates", NULL, DC_S_DIR, NULL, NULL},
	{"track.url", "https://www.musterstadt.example/anliegen/{id}", DC_S_URL, "{id} {token}",
	 NULL},
	{"procurement.profile", "uvgo", DC_S_TEXT, NULL, "dc-order rules use"},
	{"procurement.leitweg_id", NULL, DC_S_LEITWEG, NULL, NULL},
	/* the buyer's and delivery address of openTRANS orders: "Rathausplatz 1, 12345 Stadt" */
	{"procurement.address", NULL, DC_S_TEXT, NULL, NULL},
	{"ocds.prefix", "ocds-xxxxxx", DC_S_OCDS, NULL, NULL},
	{"feed.flag_threshold", "3", DC_S_INT, "1..1000000", NULL},
	{"shop.grace_days", "1", DC_S_INT, "0..365", NULL},
	/* days personal data is kept (dc purge --retention, dc-subject(1)) */
	{"retention.member_days", "730", DC_S_INT, "0..36500", NULL},
	{"retention.shop_order_days", "90", DC_S_INT, "0..36500", NULL},
	{"retention.post_days", "730", DC_S_INT, "0..36500", NULL},
	{"retention.outbox_days", "90", DC_S_INT, "0..36500", NULL},
	/* what each entity's personal data is for, in the data subject's summary.html */
	{"subject.purpose.case",
	 "Bearbeitung Ihrer Meldung oder Ihres Antrags und Rückmeldung an Sie (Art. 6 Abs. 1"
	 " lit. e DSGVO)",
	 DC_S_TEXT, NULL, NULL},
	{"subject.purpose.outbox", "Nachrichten an Sie zu Ihren Anliegen, Bestellungen und Ihrer"
	 " Mitgliedschaft", DC_S_TEXT, NULL, NULL},
	{"subject.purpose.event", "Nachweis, wer was wann bearbeitet hat (Prüfprotokoll)",
	 DC_S_TEXT, NULL, NULL},
	{"subject.purpose.shop_order", "Abwicklung Ihrer Bestellung im lokalen Marktplatz",
	 DC_S_TEXT, NULL, NULL},
	{"subject.purpose.service_request", "Weitergabe Ihrer Anfrage an den Händler", DC_S_TEXT,
	 NULL, NULL},
	{"subject.purpose.merchant", "Ihr Geschäft im lokalen Marktplatz", DC_S_TEXT, NULL, NULL},
	{"subject.purpose.flag", "Moderation der Beiträge im Stadtteil-Netzwerk", DC_S_TEXT, NULL,
	 NULL},
	{"subject.purpose.follow", "Ihre Auswahl für Benachrichtigungen und Zusammenfassungen",
	 DC_S_TEXT, NULL, NULL},
	{"subject.purpose.comment", "Veröffentlichung Ihrer Kommentare im Stadtteil-Netzwerk",
	 DC_S_TEXT, NULL, NULL},
	{"subject.purpose.post", "Veröffentlichung Ihrer Beiträge im Stadtteil-Netzwerk",
	 DC_S_TEXT, NULL, NULL},
	{"subject.purpose.vendor", "Bestellungen bei Ihnen und deren Bezahlung (Beschaffung)",
	 DC_S_TEXT, NULL, NULL},
	{"subject.purpose.invoice", "Rechnungsprüfung und Buchführung (gesetzliche Aufbewahrung)",
	 DC_S_TEXT, NULL, NULL},
	{"subject.purpose.member", "Ihre Mitgliedschaft im Stadtteil-Netzwerk", DC_S_TEXT, NULL,
	 NULL},
	{"holidays.years_ahead", "2", DC_S_INT, "0..50", NULL},
	{"lang", "de", DC_S_ENUM, "de en", NULL},
	{"city.timezone", "Europe/Berlin", DC_S_ZONE, NULL, NULL},
	{"open311.public_read", "true", DC_S_ENUM, "true false", NULL},
	/* the DCAT-AP.de catalog (dc-export dcat): an ARS of 12 digits, and IRIs */
	{"city.ars", NULL, DC_S_TEXT, NULL, NULL},
	{"opendata.base_url", NULL, DC_S_URL, NULL, NULL},
	{"opendata.contributor_id", NULL, DC_S_URL, NULL, NULL},
	{"opendata.license", "http://dcat-ap.de/def/licenses/dl-by-de/2.0", DC_S_URL, NULL, NULL},
	/* the full EN 16931 and XRechnung rules for incoming invoices (lib/einvoice/validate.c) */
	{"einvoice.validator", NULL, DC_S_COMMAND, NULL, NULL},
	{"einvoice.validator_timeout", "120", DC_S_INT, "1..3600", NULL},
	/* the archive offer before destruction (dc-archive(1)): the xdomea Behördenkennung of the
	 * city and of its archive, and the policies of the records that have no service */
	{"archive.sender", NULL, DC_S_TEXT, NULL, NULL},
	{"archive.recipient", NULL, DC_S_TEXT, NULL, NULL},
	{"archive.recipient_name", NULL, DC_S_TEXT, NULL, NULL},
	{"archive.shop_order", "offer", DC_S_ENUM, "offer keep destroy", NULL},
	{"archive.procurement", "offer", DC_S_ENUM, "offer keep destroy", NULL},
	{NULL, NULL, DC_S_TEXT, NULL, NULL},
};

const struct dc_setting_def *
dc_setting_def(const char *key)
{
	const struct dc_setting_def *d;

	for (d = dc_settings; d->key; d++)
		if (!strcmp(d->key, key))
			return d;
	return NULL;
}

char *
dc_setting_type_text(const struct dc_setting_def *d)
{
	static const char *const names[] = {
	    [DC_S_TEXT] = "text",          [DC_S_INT] = "whole number",
	    [DC_S_URL] = "URL",
	    [DC_S_MAILBOX] = "mailbox",    [DC_S_DIR] = "directory",
	    [DC_S_ZONE] = "time zone",     [DC_S_OCDS] = "OCDS prefix",
	    [DC_S_LEITWEG] = "Leitweg-ID", [DC_S_COMMAND] = "command",
	};
	char *s, *p;

	if (d->type == DC_S_ENUM) /* the values themselves: de|en */
		for (p = s = dc_strdup(d->values); *p; p++)
			*p = *p == ' ' ? '|' : *p;
	else
		s = dc_printf("%s%s%s", names[d->type],
		              !d->values ? "" : d->type == DC_S_URL ? " with " : " ",
		              d->values ? d->values : "");
	if (d->via) {
		p = dc_printf("%s, set by %s", s, d->via);
		free(s);
		s = p;
	}
	return s;
}

/* Is NAME a zone of the tz database?  Only a plain relative name under TZDIR (or
 * /usr/share/zoneinfo) whose file is a TZif file: no POSIX TZ rule, no "..", no absolute
 * path, so that the setting cannot make the tz code read an arbitrary file. */
int
dc_zone_known(const char *name)
{
	const char *dir = getenv("TZDIR"), *p;
	char path[512], magic[4];
	size_t n = 0;
	FILE *fp;

	if (!*name || strlen(name) > 128 || *name == '/' ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") !=
	        strlen(name))
		return 0;
	for (p = name; *p; p++)
		if (*p == '/' && (p[1] == '/' || !p[1]))
			return 0;
	snprintf(path, sizeof path, "%s/%s", dir && *dir == '/' ? dir : "/usr/share/zoneinfo",
	         name);
	if ((fp = fopen(path, "rb"))) {
		n = fread(magic, 1, sizeof magic, fp);
		fclose(fp);
	}
	return n == 4 && !memcmp(magic, "TZif", 4);
}

int
dc_setting_known(const char *key)
{
	return dc_setting_def(key) != NULL;
}

/*
 * Settings read inside a transaction are kept until it ends (or a setting is written, or a
 * savepoint rolled back: ctx->txgen), as nobody else can change them meanwhile: a bulk intake
 * reads the city's name, the tracking URL and the templates' folder for every receipt.
 */
#define SETTING_MEMO 16

struct dc_setting_memo {
	unsigned long gen;
	int n;
	struct {
		const char *key; /* the definition's own name: compared by address */
		char *value;     /* NULL: not set */
	} e[SETTING_MEMO];
};

void
dc_settings_forget(struct dc *ctx)
{
	struct dc_setting_memo *m = ctx->settings;

	for (int i = 0; m && i < m->n; i++)
		free(m->e[i].value);
	free(m);
	ctx->settings = NULL;
}

char *
dc_setting(struct dc *ctx, const char *key)
{
	const struct dc_setting_def *d = dc_setting_def(key);
	struct dc_setting_memo *m = ctx->settings;
	struct dc_stmt *st = NULL;
	char *v = NULL;
	int i;

	if (m && (!ctx->intx || m->gen != ctx->txgen)) {
		dc_settings_forget(ctx);
		m = NULL;
	}
	for (i = 0; d && m && i < m->n; i++)
		if (m->e[i].key == d->key)
			return dc_strdup(m->e[i].value ? m->e[i].value : d->def);
	if (dc_prepare(ctx, &st, "SELECT value FROM setting WHERE key = ?1") == 0) {
		dc_bind_text_ref(st, 1, key);
		if (dc_step_row(st))
			v = dc_strdup(dc_col_text(st, 0));
		dc_finish(ctx, st);
		if (d && ctx->intx) {
			if (!m && (m = ctx->settings = calloc(1, sizeof *m)))
				m->gen = ctx->txgen;
			if (m && m->n < SETTING_MEMO) {
				m->e[m->n].key = d->key;
				m->e[m->n++].value = v ? dc_strdup(v) : NULL;
			}
		}
	}
	return v ? v : dc_strdup(d ? d->def : NULL);
}

/*
 * Local calendar arithmetic in city.timezone: TZ is set for this process once, so that
 * localtime_r/mktime answer for the city, not for whoever runs the command.
 */
static void
use_city_tz(struct dc *ctx)
{
	static int done;
	char *tz;

	if (done)
		return;
	done = 1;
	tz = ctx->db ? dc_setting(ctx, "city.timezone") : dc_strdup("Europe/Berlin");
	/* a zone stored before dc config checked them: the C library would reckon in UTC */
	if (tz && !dc_zone_known(tz))
		dc_warn(ctx, "setting 'city.timezone': '%s' is not a zone of the tz database; "
		             "dates are reckoned in UTC", tz);
	if (tz) {
		setenv("TZ", tz, 1);
		tzset();
	}
	free(tz);
}

long
dc_local_days(struct dc *ctx, time_t t)
{
	struct tm tm;

	use_city_tz(ctx);
	localtime_r(&t, &tm);
	return dc_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

void
dc_local_tm(struct dc *ctx, time_t t, struct tm *tm)
{
	use_city_tz(ctx);
	localtime_r(&t, tm);
}

const char *
dc_month_name(int m)
{
	static const char *const months[] = {"January", "February", "March",     "April",
	                                     "May",     "June",     "July",      "August",
	                                     "September", "October", "November", "December"};

	return m >= 1 && m <= 12 ? months[m - 1] : "";
}

char *
dc_date_text(long days, const char *lang)
{
	int y, m, d;

	dc_civil_from_days(days, &y, &m, &d);
	if (lang && !strcmp(lang, "en"))
		return dc_printf("%d %s %d", d, dc_month_name(m), y);
	return dc_printf("%02d.%02d.%d", d, m, y);
}

char *
dc_time_text(struct dc *ctx, time_t t, const char *lang)
{
	struct tm tm;
	char *date, *s;
	int en = lang && !strcmp(lang, "en");

	dc_local_tm(ctx, t, &tm);
	date = dc_date_text(dc_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
	                                       (unsigned)tm.tm_mday), lang);
	s = dc_printf("%s, %02d:%02d%s", date, tm.tm_hour, tm.tm_min, en ? "" : " Uhr");
	free(date);
	return s;
}

char *
dc_instant_text(struct dc *ctx, const char *instant, const char *lang, int with_time)
{
	time_t t;

	if (!instant || dc_parse_time(instant, &t) < 0)
		return dc_strdup("");
	return with_time ? dc_time_text(ctx, t, lang) : dc_date_text(dc_local_days(ctx, t), lang);
}

static time_t
local_time_of_day(struct dc *ctx, long days, int h, int m, int s)
{
	struct tm tm;
	int y, mo, d;

	use_city_tz(ctx);
	dc_civil_from_days(days, &y, &mo, &d);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

time_t
dc_local_end_of_day(struct dc *ctx, long days)
{
	return local_time_of_day(ctx, days, 23, 59, 59);
}

time_t
dc_local_start_of_day(struct dc *ctx, long days)
{
	return local_time_of_day(ctx, days, 0, 0, 0);
}

int
dc_next_id(struct dc *ctx, const char *seq, const char *prefix, time_t at, char id[32])
{
	char day[11], name[64];
	long n;
	int rc;

	/* ids count within the local calendar year of the record: 2026-000042, PO-2026-000001 */
	dc_fmt_date(dc_local_days(ctx, at), day);
	snprintf(name, sizeof name, "%s-%.4s", seq, day);
	if ((rc = dc_next_seq(ctx, name, &n)))
		return rc;
	if (prefix)
		snprintf(id, 32, "%s-%.4s-%06ld", prefix, day, n);
	else
		snprintf(id, 32, "%.4s-%06ld", day, n);
	return 0;
}
