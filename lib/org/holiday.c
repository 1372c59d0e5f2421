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

static int
ics_import(struct dc *ctx, FILE *fp, const char *name)
{
	char *line = NULL, *summary = NULL;
	long lineno = 0, start = 0, evline = 0, dstart = -1, dend = -1;
	size_t len;
	int rc, inevent = 0, n = 0;

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
			summary = NULL;
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
		} else if (!strcmp(line, "END") && !strcmp(value, "VEVENT")) {
			struct dc_args rec = {0};
			char date[11];
			long d;

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
			for (d = dstart; d < dend && !rc; d++) {
				dc_fmt_date(d, date);
				dc_args_add(&rec, "date", date);
				dc_args_add(&rec, "name", summary);
				rc = dc_org_holiday_add(ctx, &rec, NULL);
				dc_args_free(&rec);
				n++;
			}
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
	if (rc > 1)
		return rc;
	if (!n)
		return dc_error(ctx, DC_EDATA, "%s: no VEVENT found", name);
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
