/* Settings (their keys, defaults and stored values) and the city's local time, which the
 * setting city.timezone decides. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/dc.h"

/* Known settings and their defaults (dcity(7) "Settings", "Time"); NULL default = unset. */
const char *const dc_setting_keys[] = {
	"city.name",           "Musterstadt",
	"city.url",            "https://www.musterstadt.example",
	"mail.from",           "dcity@musterstadt.example",
	"mail.reply_to",       NULL,
	"mail.templates",      NULL,
	"track.url",           "https://www.musterstadt.example/anliegen/{id}",
	"procurement.profile", "uvgo",
	"procurement.leitweg_id", NULL,
	"ocds.prefix",         "ocds-xxxxxx",
	"feed.flag_threshold", "3",
	"shop.grace_days",     "1",
	"lang",                "de",
	"city.timezone",       "Europe/Berlin",
	/* the DCAT-AP.de catalog (dc-export dcat): an ARS of 12 digits, and IRIs */
	"city.ars",            NULL,
	"opendata.base_url",   NULL,
	"opendata.contributor_id", NULL,
	"opendata.license",    "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
	NULL,
};

static const char *const *
find_key(const char *key)
{
	const char *const *k;

	for (k = dc_setting_keys; *k; k += 2)
		if (!strcmp(*k, key))
			return k;
	return NULL;
}

int
dc_setting_known(const char *key)
{
	return find_key(key) != NULL;
}

char *
dc_setting(struct dc *ctx, const char *key)
{
	const char *const *k = find_key(key);
	struct dc_stmt *st = NULL;
	char *v = NULL;

	if (dc_prepare(ctx, &st, "SELECT value FROM setting WHERE key = ?1") == 0) {
		dc_bind_text_ref(st, 1, key);
		if (dc_step_row(st))
			v = dc_strdup(dc_col_text(st, 0));
		dc_finish(ctx, st);
	}
	return v ? v : dc_strdup(k ? k[1] : NULL);
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
