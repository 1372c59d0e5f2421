/* Holiday import: CSV or JSON records {date, name}, or an iCalendar (.ics) file such as the
 * public-holiday calendars that Länder and calendar sites publish. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "org/org.h"

#define ICS_MAX_LINE (64 << 10) /* an unfolded content line longer than this is refused */
#define ICS_MAX_DAYS 366        /* a longer event is no holiday */

/* Read one unfolded content line (RFC 5545 §3.1): CRLF followed by a space or tab continues
 * the previous line.  Returns 1, 0 at the end, or an error code. */
static int
ics_line(struct dc *ctx, FILE *fp, const char *name, char **line, size_t *len, long *lineno,
         long *start)
{
	size_t cap = *len = 0;
	int c;

	free(*line);
	*line = NULL;
	*start = *lineno + 1;
	for (;;) {
		c = getc(fp);
		if (c == EOF)
			break;
		if (c == '\r')
			continue;
		if (c == '\n') {
			(*lineno)++;
			c = getc(fp);
			if (c == ' ' || c == '\t')
				continue; /* folded: the next physical line goes on this one */
			if (c != EOF)
				ungetc(c, fp);
			break;
		}
		if (*len + 2 > cap) {
			if (cap >= ICS_MAX_LINE)
				return dc_error(ctx, DC_EDATA, "%s:%ld: line longer than 64 KiB", name, *start);
			cap = cap ? cap * 2 : 128;
			if (!(*line = realloc(*line, cap)))
				abort();
		}
		(*line)[(*len)++] = (char)c;
	}
	if (ferror(fp))
		return dc_error(ctx, DC_EIO, "%s: read error: %s", name, strerror(errno));
	if (!*line)
		return c == EOF ? 0 : (*line = dc_strdup(""), 1);
	(*line)[*len] = '\0';
	return 1;
}

static void
ics_unescape(char *s)
{
	char *q = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*q++ = (*s == 'n' || *s == 'N') ? ' ' : *s;
		} else
			*q++ = *s;
	}
	*q = '\0';
}

/* DTSTART/DTEND value: 20261225 or 20261225T000000[Z] → days. */
static int
ics_date(const char *v, long *days)
{
	char iso[11];

	if (strlen(v) < 8 || strspn(v, "0123456789") < 8)
		return -1;
	snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", v, v + 4, v + 6);
	return dc_parse_date(iso, days);
}

/* ---- recurring events: RRULE with FREQ=YEARLY (RFC 5545 §3.3.10), EXDATE, RDATE ---- */

#define RULE_MAX 64 /* elements of one BY list */

struct rule {
	int interval;                     /* every INTERVAL years */
	long count;                       /* COUNT, 0 when not given */
	long until;                       /* UNTIL as days; has_until says whether given */
	int has_until;
	int month[RULE_MAX], nmonth;      /* BYMONTH 1..12 */
	int mday[RULE_MAX], nmday;        /* BYMONTHDAY ±1..31 */
	int wday[RULE_MAX], nth[RULE_MAX], nday; /* BYDAY: weekday (0 = Monday), ±n or 0 = every */
};

/* A comma-separated list of whole numbers from LO to HI (0 excluded when NOZERO). */
static int
rule_ints(const char *v, int lo, int hi, int nozero, int *out, int *n)
{
	char *end;

	for (*n = 0; *v; v = *end ? end + 1 : end) {
		long x = strtol(v, &end, 10);

		if (end == v || (*end && *end != ',') || x < lo || x > hi || (nozero && !x) ||
		    *n == RULE_MAX)
			return -1;
		out[(*n)++] = (int)x;
	}
	return *n ? 0 : -1;
}

static int
rule_days(const char *v, struct rule *r)
{
	static const char codes[] = "MOTUWETHFRSASU";
	char *end;

	for (r->nday = 0; *v; v = *end ? end + 1 : end) {
		long n = strtol(v, &end, 10);
		const char *c;

		if ((end != v && (!n || n < -53 || n > 53)) || r->nday == RULE_MAX)
			return -1;
		for (c = codes; *c && strncmp(c, end, 2); c += 2)
			;
		if (!*c || (end[2] && end[2] != ','))
			return -1;
		r->wday[r->nday] = (int)(c - codes) / 2;
		r->nth[r->nday++] = (int)n;
		end += 2;
	}
	return r->nday ? 0 : -1;
}

/* The RRULE's value into R; anything but FREQ=YEARLY with the parts read here is refused, so
 * that no holiday is silently left out. */
static int
rule_parse(struct dc *ctx, const char *name, long line, char *v, struct rule *r)
{
	char *part, *save = NULL;
	int freq = 0;

	memset(r, 0, sizeof *r);
	r->interval = 1;
	for (part = strtok_r(v, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
		char *val = strchr(part, '=');
		int bad = 0, n;

		if (!val)
			return dc_error(ctx, DC_EDATA,
			                "%s:%ld: field 'RRULE': '%s' is not KEY=VALUE", name, line,
			                part);
		*val++ = '\0';
		if (!strcmp(part, "FREQ")) {
			if (strcmp(val, "YEARLY"))
				return dc_error(ctx, DC_EDATA,
				                "%s:%ld: field 'RRULE': FREQ=%s is not supported, "
				                "only FREQ=YEARLY",
				                name, line, val);
			freq = 1;
		} else if (!strcmp(part, "INTERVAL"))
			bad = rule_ints(val, 1, 1000, 1, &r->interval, &n) || n != 1;
		else if (!strcmp(part, "COUNT")) {
			int c;

			bad = rule_ints(val, 1, 10000, 1, &c, &n) || n != 1;
			r->count = c;
		} else if (!strcmp(part, "UNTIL")) {
			bad = ics_date(val, &r->until) < 0;
			r->has_until = 1;
		} else if (!strcmp(part, "BYMONTH"))
			bad = rule_ints(val, 1, 12, 1, r->month, &r->nmonth);
		else if (!strcmp(part, "BYMONTHDAY"))
			bad = rule_ints(val, -31, 31, 1, r->mday, &r->nmday);
		else if (!strcmp(part, "BYDAY"))
			bad = rule_days(val, r);
		else if (strcmp(part, "WKST")) /* the week's start changes nothing yearly */
			return dc_error(ctx, DC_EDATA,
			                "%s:%ld: field 'RRULE': %s is not supported (FREQ=YEARLY "
			                "with BYMONTH, BYMONTHDAY, BYDAY, COUNT, UNTIL, INTERVAL)",
			                name, line, part);
		if (bad)
			return dc_error(ctx, DC_EDATA, "%s:%ld: field 'RRULE': %s=%s is not valid",
			                name, line, part, val);
	}
	if (!freq)
		return dc_error(ctx, DC_EDATA, "%s:%ld: field 'RRULE': FREQ is missing", name, line);
	if (r->count && r->has_until)
		return dc_error(ctx, DC_EDATA, "%s:%ld: field 'RRULE': COUNT and UNTIL together",
		                name, line);
	for (int i = 0; i < r->nday; i++)
		if (r->nth[i] && r->nmday)
			return dc_error(ctx, DC_EDATA, "%s:%ld: field 'RRULE': BYDAY=%d… with "
			                               "BYMONTHDAY is not supported",
			                name, line, r->nth[i]);
	return 0;
}

static int
month_len(int y, int m)
{
	return (int)(dc_days_from_civil(y + (m == 12), (unsigned)(m % 12 + 1), 1) -
	             dc_days_from_civil(y, (unsigned)m, 1));
}

/* Mark in IN (one flag per day of year Y, from FIRST = 1 January) the days of weekday WD in
 * days FROM..TO: the Nth (from the end when N < 0), or every one when N is 0. */
static void
mark_wday(char *in, long first, long from, long to, int wd, int n)
{
	long d = from + (wd - dc_weekday(from) + 7) % 7, last = to - (dc_weekday(to) - wd + 7) % 7;

	if (!n)
		for (; d <= to; d += 7)
			in[d - first] = 1;
	else if (n > 0 && (d += 7L * (n - 1)) <= to)
		in[d - first] = 1;
	else if (n < 0 && (last += 7L * (n + 1)) >= from)
		in[last - first] = 1;
}

/* The days of year Y the rule gives (RFC 5545's table for YEARLY: BYMONTH, BYMONTHDAY and
 * BYDAY expand; BYDAY limits where BYMONTHDAY is given), DTSTART's month and day standing in
 * for the parts not given. */
static void
rule_year(const struct rule *r, long dstart, int y, char in[366])
{
	long first = dc_days_from_civil(y, 1, 1);
	int sy, sm, sd, i, j, m;

	dc_civil_from_days(dstart, &sy, &sm, &sd);
	memset(in, 0, 366);
	for (m = 1; m <= 12; m++) {
		long m1 = dc_days_from_civil(y, (unsigned)m, 1);
		int len = month_len(y, m), inmonth = !r->nmonth;

		for (i = 0; i < r->nmonth; i++)
			inmonth |= r->month[i] == m;
		if (!inmonth || (!r->nmonth && !r->nmday && (r->nday || m != sm)))
			continue;
		if (r->nmday) {
			for (i = 0; i < r->nmday; i++) {
				int d = r->mday[i] > 0 ? r->mday[i] : len + r->mday[i] + 1;
				int ok = d >= 1 && d <= len && !r->nday;

				for (j = 0; j < r->nday; j++)
					ok |= dc_weekday(m1 + d - 1) == r->wday[j];
				if (d >= 1 && d <= len && ok)
					in[m1 + d - 1 - first] = 1;
			}
		} else if (r->nday) {
			for (j = 0; j < r->nday; j++)
				mark_wday(in, first, m1, m1 + len - 1, r->wday[j], r->nth[j]);
		} else if (sd <= len)
			in[m1 + sd - 1 - first] = 1;
	}
	/* BYDAY without BYMONTH or BYMONTHDAY: the Nth weekday of the year */
	if (!r->nmonth && !r->nmday && r->nday)
		for (j = 0; j < r->nday; j++)
			mark_wday(in, first, first, dc_days_from_civil(y + 1, 1, 1) - 1, r->wday[j],
			          r->nth[j]);
	if (y == sy) /* DTSTART is always the first occurrence */
		in[dstart - first] = 1;
}

/* The dates of EXDATE or RDATE lines. */
struct days {
	long *v;
	int n;
};

/* The dates of an EXDATE or RDATE value (a comma-separated list), added to DAYS. */
static int
ics_dates(struct dc *ctx, const char *name, long line, const char *field, const char *v,
          struct days *days)
{
	for (;;) {
		size_t cap = days->n ? 2 * (size_t)days->n : 1;
		long d;

		if (ics_date(v, &d) < 0)
			return dc_error(ctx, DC_EDATA, "%s:%ld: field '%s': '%.*s' is not a date",
			                name, line, field, (int)strcspn(v, ","), v);
		if (days->n >= 4096)
			return dc_error(ctx, DC_EDATA, "%s:%ld: field '%s': more than 4096 dates",
			                name, line, field);
		/* the array doubles when its count reaches a power of two */
		if (!(days->n & (days->n - 1)) &&
		    !(days->v = realloc(days->v, sizeof *days->v * cap)))
			abort();
		days->v[days->n++] = d;
		if (!(v = strchr(v, ',')))
			return 0;
		v++;
	}
}

static int
has_day(const struct days *days, long d)
{
	for (int i = 0; i < days->n; i++)
		if (days->v[i] == d)
			return 1;
	return 0;
}

/* One occurrence: LEN days from D, each a holiday SUMMARY. */
static int
ics_write(struct dc *ctx, long d, long len, const char *summary, int *n)
{
	struct dc_args rec = {0};
	char date[11];
	long end = d + len;
	int rc = 0;

	for (; d < end && !rc; d++) {
		dc_fmt_date(d, date);
		dc_args_add(&rec, "date", date);
		dc_args_add(&rec, "name", summary);
		rc = dc_org_holiday_add(ctx, &rec, NULL);
		dc_args_free(&rec);
		(*n)++;
	}
	return rc;
}

/* A recurring event's occurrences in this local year and the next holidays.years_ahead
 * years: the rule's (counted from DTSTART, as COUNT counts) and the RDATEs, less the
 * EXDATEs. */
static int
ics_recur(struct dc *ctx, const struct rule *r, long dstart, long len, const char *summary,
          const struct days *ex, const struct days *rdate, int *n)
{
	char *ahead = dc_setting(ctx, "holidays.years_ahead"), in[366];
	long count = 0, from, to, a = ahead ? strtol(ahead, NULL, 10) : 2;
	int ty, y, sy, i, m, d, rc = 0, stop = 0;

	free(ahead);
	dc_civil_from_days(dc_local_days(ctx, dc_now(ctx)), &ty, &m, &d);
	from = dc_days_from_civil(ty, 1, 1);
	to = dc_days_from_civil(ty + (a < 0 || a > 50 ? 2 : a) + 1, 1, 1) - 1;
	dc_civil_from_days(dstart, &sy, &m, &d);
	for (y = sy; dc_days_from_civil(y, 1, 1) <= to && !stop && !rc; y++) {
		long first = dc_days_from_civil(y, 1, 1);

		if ((y - sy) % r->interval)
			continue;
		rule_year(r, dstart, y, in);
		for (i = 0; i < 366 && !stop && !rc; i++) {
			long d = first + i;

			if (!in[i] || d < dstart)
				continue;
			if ((r->count && ++count > r->count) || (r->has_until && d > r->until))
				stop = 1;
			else if (d >= from && d <= to && !has_day(ex, d))
				rc = ics_write(ctx, d, len, summary, n);
		}
	}
	for (i = 0; i < rdate->n && !rc; i++)
		if (rdate->v[i] >= from && rdate->v[i] <= to && !has_day(ex, rdate->v[i]))
			rc = ics_write(ctx, rdate->v[i], len, summary, n);
	return rc;
}

static int
ics_import(struct dc *ctx, FILE *fp, const char *name)
{
	char *line = NULL, *summary = NULL, *rrule = NULL;
	long lineno = 0, start = 0, evline = 0, ruleline = 0, dstart = -1, dend = -1;
	struct days ex = {0}, rdate = {0};
	struct rule rule;
	size_t len;
	int rc, inevent = 0, n = 0, events = 0;

	while ((rc = ics_line(ctx, fp, name, &line, &len, &lineno, &start)) == 1) {
		char *colon = strchr(line, ':'), *value, *semi;

		if (strlen(line) != len) {
			rc = dc_error(ctx, DC_EDATA, "%s:%ld: NUL byte in input", name, start);
			break;
		}
		if ((rc = dc_text_check(ctx, line, len))) {
			dc_error_prefix(ctx, "%s:%ld: field '%.*s'", name, start,
			                (int)strcspn(line, ":;"), line);
			break;
		}
		if (!colon)
			continue;
		*colon = '\0';
		value = colon + 1;
		if ((semi = strchr(line, ';')))
			*semi = '\0'; /* parameters such as VALUE=DATE do not change the date */
		if (!strcmp(line, "BEGIN") && !strcmp(value, "VEVENT")) {
			inevent = 1;
			evline = start;
			dstart = dend = -1;
			free(summary);
			free(rrule);
			summary = rrule = NULL;
			ex.n = rdate.n = 0;
		} else if (!inevent)
			continue;
		else if (!strcmp(line, "DTSTART") && ics_date(value, &dstart) < 0) {
			rc = dc_error(ctx, DC_EDATA, "%s:%ld: field 'DTSTART': '%s' is not a date", name,
			              start, value);
			break;
		} else if (!strcmp(line, "DTEND") && ics_date(value, &dend) < 0) {
			rc = dc_error(ctx, DC_EDATA, "%s:%ld: field 'DTEND': '%s' is not a date", name, start,
			              value);
			break;
		} else if (!strcmp(line, "SUMMARY")) {
			free(summary);
			summary = dc_strdup(value);
			ics_unescape(summary);
		} else if (!strcmp(line, "RRULE")) {
			if (rrule) {
				rc = dc_error(ctx, DC_EDATA,
				              "%s:%ld: field 'RRULE': a second RRULE in one "
				              "event is not supported",
				              name, start);
				break;
			}
			rrule = dc_strdup(value);
			ruleline = start;
		} else if ((!strcmp(line, "EXDATE") || !strcmp(line, "RDATE")) &&
		           (rc = ics_dates(ctx, name, start, line, value,
		                           line[0] == 'E' ? &ex : &rdate))) {
			break;
		} else if (!strcmp(line, "END") && !strcmp(value, "VEVENT")) {
			inevent = 0;
			if (dstart < 0 || !summary) {
				rc = dc_error(ctx, DC_EDATA, "%s:%ld: event without %s", name, evline,
				              dstart < 0 ? "DTSTART" : "SUMMARY");
				break;
			}
			/* all-day events end the day before DTEND */
			if (dend <= dstart)
				dend = dstart + 1;
			/* one day each: a hostile DTEND in 9999 would write millions of holidays */
			if (dend - dstart > ICS_MAX_DAYS) {
				rc = dc_error(ctx, DC_EDATA, "%s:%ld: field 'DTEND': event longer than %d days",
				              name, evline, ICS_MAX_DAYS);
				break;
			}
			events++;
			if (rrule && (rc = rule_parse(ctx, name, ruleline, rrule, &rule)))
				break; /* the message names the RRULE's own line */
			if (rrule)
				rc = ics_recur(ctx, &rule, dstart, dend - dstart, summary, &ex,
				               &rdate, &n);
			else if (!has_day(&ex, dstart))
				rc = ics_write(ctx, dstart, dend - dstart, summary, &n);
			if (rc) {
				dc_error_prefix(ctx, "%s:%ld", name, evline);
				break;
			}
		}
	}
	if (!rc && inevent)
		rc = dc_error(ctx, DC_EDATA, "%s:%ld: event not closed by END:VEVENT", name, evline);
	free(line);
	free(summary);
	free(rrule);
	free(ex.v);
	free(rdate.v);
	if (rc > 1)
		return rc;
	if (!events)
		return dc_error(ctx, DC_EDATA, "%s: no VEVENT found", name);
	if (!n)
		dc_note(ctx, "%s: no holiday falls in the years holidays.years_ahead covers", name);
	return 0;
}

/* The first byte of the input after a UTF-8 BOM, pushed back: one byte of pushback is all
 * that stdio promises, and it is enough to tell "BEGIN:VCALENDAR" from CSV and JSON. */
static int
peek(FILE *fp)
{
	int c = getc(fp);

	if (c == 0xef && getc(fp) == 0xbb && getc(fp) == 0xbf)
		c = getc(fp);
	if (c != EOF)
		ungetc(c, fp);
	return c;
}

int
dc_org_holiday_import(struct dc *ctx, const char *path)
{
	FILE *fp;
	int rc;

	if (!strcmp(path, "-"))
		fp = stdin;
	else if (!(fp = fopen(path, "r")))
		return dc_error(ctx, DC_ENOINPUT, "cannot open '%s': %s", path, strerror(errno));
	if (peek(fp) == 'B') {
		if ((rc = dc_tx_begin(ctx)) == 0)
			rc = dc_tx_end(ctx, ics_import(ctx, fp, path));
	} else {
		char *fields = dc_spec_opts(dc_org_holiday_add_spec, 1);

		rc = dc_bulk(ctx, path, fields, 0, dc_org_holiday_add, NULL);
		free(fields);
	}
	if (fp != stdin)
		fclose(fp);
	return rc;
}
