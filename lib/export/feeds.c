/*
 * The community feed as Atom (RFC 4287), RSS 2.0 and JSON Feed 1.1, and its events as
 * iCalendar (RFC 5545).  Visible and locked posts only; of a person only the author's
 * display name.  Dates come from the posts, so an unchanged feed is byte-identical.
 */
#include <stdlib.h>
#include <string.h>

#include "export/export.h"

enum {
	P_ID,
	P_TITLE,
	P_BODY,
	P_AUTHOR,
	P_TOPICS,
	P_CREATED,
	P_UPDATED,
	P_KIND,
	P_START,
	P_END,
	P_ALLDAY,
	P_LOCATION,
	P_DISTRICT
};

/* The feed's filters; --department is the district (its alias --district). */
static const struct dc_opt posts_spec[] = {
	{"since", DC_V_DATE, DC_O_DAYSTART, NULL, "DATE", NULL, "p.created_at >= ?", DC_NOFIELD},
	{"until", DC_V_DATE, DC_O_DAYEND, NULL, "DATE", NULL, "p.created_at <= ?", DC_NOFIELD},
	{"department", DC_V_TEXT, 0, NULL, "D", NULL, "p.district = ? COLLATE NOCASE", DC_NOFIELD},
	{NULL},
};

static int
posts(struct dc *ctx, const struct dc_export *x, const char *kind, struct dc_stmt **st)
{
	struct dc_q q = {0};

	dc_q_sql(&q, "SELECT p.id, p.title, p.body, m.name, p.topics, p.created_at, p.updated_at,"
	             " p.kind, p.starts_at, p.ends_at, p.all_day, p.location, p.district"
	             " FROM post p JOIN member m ON m.handle = p.author");
	dc_q_where(&q, "p.status IN ('visible', 'locked')");
	dc_q_where_if(&q, "p.kind = ? AND p.starts_at IS NOT NULL", kind);
	return dc_export_query(ctx, &q, posts_spec, x, " ORDER BY p.created_at DESC, p.id DESC",
	                       st);
}

/* The newest updated_at of the visible posts, else now. */
static void
feed_updated(struct dc *ctx, char out[21])
{
	struct dc_stmt *st = NULL;

	dc_fmt_time(dc_now(ctx), out);
	if (!dc_prepare(ctx, &st,
	                "SELECT max(updated_at) FROM post WHERE status IN ('visible', 'locked')") &&
	    dc_step(ctx, st) == DC_ROW && dc_col_text(st, 0))
		snprintf(out, 21, "%s", dc_col_text(st, 0));
	dc_finish(ctx, st);
}

static void
rfc822(const char *rfc3339, char out[40])
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = 0;
	struct tm tm;
	char hms[16];

	dc_parse_time(rfc3339, &t);
	gmtime_r(&t, &tm);

	strftime(hms, sizeof hms, "%H:%M:%S", &tm);
	snprintf(out, 40, "%s, %02d %s %04d %s +0000", days[tm.tm_wday % 7], tm.tm_mday % 100,
	         mons[tm.tm_mon % 12], (tm.tm_year + 1900) % 10000, hms);
}

#define T(c) (dc_col_text(st, (c)))

static int
xml_feed(struct dc *ctx, const struct dc_export *x, int atom)
{
	struct dc_stmt *st = NULL;
	xmlTextWriterPtr w = NULL;
	xmlOutputBufferPtr ob = NULL;
	char *url = dc_setting(ctx, "city.url"), *name = dc_setting(ctx, "city.name"), *s;
	char updated[21], date[40];
	int rc, ok;

	if ((rc = posts(ctx, x, NULL, &st)))
		goto done;
	feed_updated(ctx, updated);
	if (!(ob = dc_export_xml_stdout()) || !(w = xmlNewTextWriter(ob))) {
		rc = dc_error(ctx, DC_EINTERNAL, "cannot start the XML writer");
		goto done;
	}
	xmlTextWriterSetIndent(w, 1);
	ok = xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) >= 0;
	if (atom) {
		s = dc_printf("%s/feed", url);
		ok = ok &&
		     xmlTextWriterStartElementNS(w, NULL, BAD_CAST "feed",
		                                 BAD_CAST "http://www.w3.org/2005/Atom") >= 0 &&
		     xmlTextWriterWriteElement(w, BAD_CAST "id", BAD_CAST s) >= 0 &&
		     xmlTextWriterWriteElement(w, BAD_CAST "title", BAD_CAST name) >= 0 &&
		     xmlTextWriterWriteElement(w, BAD_CAST "updated", BAD_CAST updated) >= 0 &&
		     xmlTextWriterStartElement(w, BAD_CAST "link") >= 0 &&
		     xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST url) >= 0 &&
		     xmlTextWriterEndElement(w) >= 0 &&
		     xmlTextWriterWriteElement(w, BAD_CAST "generator", BAD_CAST "dcity") >= 0;
		free(s);
	} else {
		ok = ok && xmlTextWriterStartElement(w, BAD_CAST "rss") >= 0 &&
		     xmlTextWriterWriteAttribute(w, BAD_CAST "version", BAD_CAST "2.0") >= 0 &&
		     xmlTextWriterStartElement(w, BAD_CAST "channel") >= 0 &&
		     xmlTextWriterWriteElement(w, BAD_CAST "title", BAD_CAST name) >= 0 &&
		     xmlTextWriterWriteElement(w, BAD_CAST "link", BAD_CAST url) >= 0 &&
		     xmlTextWriterWriteFormatElement(w, BAD_CAST "description", "%s", name) >= 0;
		rfc822(updated, date);
		ok = ok &&
		     xmlTextWriterWriteElement(w, BAD_CAST "lastBuildDate", BAD_CAST date) >= 0 &&
		     xmlTextWriterWriteElement(w, BAD_CAST "generator", BAD_CAST "dcity") >= 0;
	}
	while (ok && (rc = dc_step(ctx, st)) == DC_ROW) {
		json_object *topics = json_tokener_parse(T(P_TOPICS) ? T(P_TOPICS) : "[]");
		char *link = dc_printf("%s/posts/%s", url, T(P_ID));
		size_t i;

		if (atom) {
			ok = xmlTextWriterStartElement(w, BAD_CAST "entry") >= 0 &&
			     xmlTextWriterWriteElement(w, BAD_CAST "id", BAD_CAST link) >= 0 &&
			     xmlTextWriterWriteElement(w, BAD_CAST "title", BAD_CAST T(P_TITLE)) >=
			         0 &&
			     xmlTextWriterWriteElement(w, BAD_CAST "published",
			                               BAD_CAST T(P_CREATED)) >= 0 &&
			     xmlTextWriterWriteElement(w, BAD_CAST "updated",
			                               BAD_CAST T(P_UPDATED)) >= 0 &&
			     xmlTextWriterStartElement(w, BAD_CAST "author") >= 0 &&
			     xmlTextWriterWriteElement(w, BAD_CAST "name", BAD_CAST T(P_AUTHOR)) >=
			         0 &&
			     xmlTextWriterEndElement(w) >= 0 &&
			     xmlTextWriterStartElement(w, BAD_CAST "link") >= 0 &&
			     xmlTextWriterWriteAttribute(w, BAD_CAST "rel", BAD_CAST "alternate") >=
			         0 &&
			     xmlTextWriterWriteAttribute(w, BAD_CAST "href", BAD_CAST link) >= 0 &&
			     xmlTextWriterEndElement(w) >= 0;
			for (i = 0; ok && topics && i < json_object_array_length(topics); i++)
				ok = xmlTextWriterStartElement(w, BAD_CAST "category") >= 0 &&
				     xmlTextWriterWriteAttribute(
				         w, BAD_CAST "term",
				         BAD_CAST json_object_get_string(
				             json_object_array_get_idx(topics, i))) >= 0 &&
				     xmlTextWriterEndElement(w) >= 0;
			ok =
			    ok && xmlTextWriterStartElement(w, BAD_CAST "content") >= 0 &&
			    xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "text") >= 0 &&
			    xmlTextWriterWriteString(w, BAD_CAST T(P_BODY)) >= 0 &&
			    xmlTextWriterEndElement(w) >= 0 && xmlTextWriterEndElement(w) >= 0;
		} else {
			/* RSS readers take a description as HTML: a citizen's "<script>" is text */
			char *html = dc_export_html_escape(T(P_BODY));

			rfc822(T(P_CREATED), date);
			ok = xmlTextWriterStartElement(w, BAD_CAST "item") >= 0 &&
			     xmlTextWriterWriteElement(w, BAD_CAST "title", BAD_CAST T(P_TITLE)) >=
			         0 &&
			     xmlTextWriterWriteElement(w, BAD_CAST "link", BAD_CAST link) >= 0 &&
			     xmlTextWriterWriteElement(w, BAD_CAST "description", BAD_CAST html) >=
			         0 &&
			     xmlTextWriterStartElement(w, BAD_CAST "guid") >= 0 &&
			     xmlTextWriterWriteAttribute(w, BAD_CAST "isPermaLink",
			                                 BAD_CAST "false") >= 0 &&
			     xmlTextWriterWriteString(w, BAD_CAST T(P_ID)) >= 0 &&
			     xmlTextWriterEndElement(w) >= 0 &&
			     xmlTextWriterWriteElement(w, BAD_CAST "pubDate", BAD_CAST date) >= 0;
			for (i = 0; ok && topics && i < json_object_array_length(topics); i++)
				ok = xmlTextWriterWriteElement(
				         w, BAD_CAST "category",
				         BAD_CAST json_object_get_string(
				             json_object_array_get_idx(topics, i))) >= 0;
			ok = ok && xmlTextWriterEndElement(w) >= 0;
			free(html);
		}
		json_object_put(topics);
		free(link);
		ctx->nrows++;
	}
	if (ok && rc)
		goto done;
	ok = ok && xmlTextWriterEndDocument(w) >= 0 && xmlTextWriterFlush(w) >= 0;
	if (!(rc = dc_export_flush(ctx)) && !ok)
		rc = dc_error(ctx, DC_EIO, "write error on standard output");
done:
	if (w)
		xmlFreeTextWriter(w);
	else if (ob)
		xmlOutputBufferClose(ob);
	fflush(stdout);
	dc_finish(ctx, st);
	free(url);
	free(name);
	return rc;
}

static int
json_feed(struct dc *ctx, const struct dc_export *x)
{
	struct dc_stmt *st = NULL;
	char *url = dc_setting(ctx, "city.url"), *name = dc_setting(ctx, "city.name");
	json_object *head = NULL;
	const char *h;
	int rc, n = 0;
	const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

	if ((rc = posts(ctx, x, NULL, &st)))
		goto done;
	head = json_object_new_object();
	json_object_object_add(head, "version",
	                       json_object_new_string("https://jsonfeed.org/version/1.1"));
	json_object_object_add(head, "title", json_object_new_string(name));
	json_object_object_add(head, "home_page_url", json_object_new_string(url));
	h = json_object_to_json_string_ext(head, flags);
	fprintf(stdout, "%.*s,\"items\":[", (int)strlen(h) - 1, h);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		json_object *it = json_object_new_object(), *au = json_object_new_array();
		json_object *a = json_object_new_object();
		json_object *topics = json_tokener_parse(T(P_TOPICS) ? T(P_TOPICS) : "[]");
		char *link = dc_printf("%s/posts/%s", url, T(P_ID));

		json_object_object_add(it, "id", json_object_new_string(T(P_ID)));
		json_object_object_add(it, "url", json_object_new_string(link));
		json_object_object_add(it, "title", json_object_new_string(T(P_TITLE)));
		json_object_object_add(it, "content_text", json_object_new_string(T(P_BODY)));
		json_object_object_add(it, "date_published", json_object_new_string(T(P_CREATED)));
		json_object_object_add(it, "date_modified", json_object_new_string(T(P_UPDATED)));
		json_object_object_add(a, "name", json_object_new_string(T(P_AUTHOR)));
		json_object_array_add(au, a);
		json_object_object_add(it, "authors", au);
		if (topics && json_object_array_length(topics))
			json_object_object_add(it, "tags", topics);
		else
			json_object_put(topics);
		fputs(n++ ? ",\n" : "\n", stdout);
		fputs(json_object_to_json_string_ext(it, flags), stdout);
		json_object_put(it);
		free(link);
	}
	if (rc)
		goto done;
	fputs("\n]}\n", stdout);
	ctx->nrows = n;
	rc = dc_export_flush(ctx);
done:
	json_object_put(head);
	dc_finish(ctx, st);
	free(url);
	free(name);
	return rc;
}

int
dc_export_feed(struct dc *ctx, const struct dc_export *x, const char *format)
{
	if (!strcmp(format, "jsonfeed"))
		return json_feed(ctx, x);
	return xml_feed(ctx, x, !strcmp(format, "atom"));
}

/* ---- iCalendar ---- */

/* A content line: CRLF, folded so no line exceeds 75 octets, never inside a UTF-8 sequence. */
static void
ical_line(FILE *fp, const char *s)
{
	size_t len = strlen(s), lim = 75;

	while (len > lim) {
		size_t n = lim;

		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		fwrite(s, 1, n, fp);
		fputs("\r\n ", fp);
		s += n;
		len -= n;
		lim = 74; /* the leading space counts */
	}
	fputs(s, fp);
	fputs("\r\n", fp);
}

/* NAME:VALUE with TEXT escaping (RFC 5545 §3.3.11). */
static void
ical_text(FILE *fp, const char *name, const char *v)
{
	size_t n = strlen(name), i = 0;
	char *buf;
	const char *p;

	if (!v || !*v)
		return;
	if (!(buf = malloc(n + 2 * strlen(v) + 2)))
		abort();
	memcpy(buf, name, n);
	i = n;
	buf[i++] = ':';
	for (p = v; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			buf[i++] = '\\';
			buf[i++] = 'n';
			continue;
		}
		if (*p == '\\' || *p == ';' || *p == ',')
			buf[i++] = '\\';
		buf[i++] = *p;
	}
	buf[i] = '\0';
	ical_line(fp, buf);
	free(buf);
}

/* 2026-03-02T09:00:00Z → 20260302T090000Z */
static void
ical_time(const char *rfc3339, char out[17])
{
	time_t t = 0;
	struct tm tm;

	dc_parse_time(rfc3339, &t);
	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* The date of an all-day event (stored as a date; an instant counts by its local date), plus
 * extra days, as YYYYMMDD. */
static void
ical_date(struct dc *ctx, const char *v, long extra, char out[9])
{
	time_t t = 0;
	long days;
	char d[11];

	if (dc_parse_date(v, &days) < 0) {
		dc_parse_time(v, &t);
		days = dc_local_days(ctx, t);
	}
	dc_fmt_date(days + extra, d);
	snprintf(out, 9, "%.4s%.2s%.2s", d, d + 5, d + 8);
}

int
dc_export_ical(struct dc *ctx, const struct dc_export *x)
{
	struct dc_stmt *st = NULL;
	char *host = dc_export_host(ctx), *name = dc_setting(ctx, "city.name"), *url = NULL;
	char buf[128], t[17], d[9];
	int rc;

	if ((rc = posts(ctx, x, "event", &st)))
		goto done;
	url = dc_setting(ctx, "city.url");
	ical_line(stdout, "BEGIN:VCALENDAR");
	ical_line(stdout, "VERSION:2.0");
	ical_line(stdout, "PRODID:-//dcity//dc-export " DC_VERSION "//EN");
	ical_line(stdout, "CALSCALE:GREGORIAN");
	ical_line(stdout, "METHOD:PUBLISH");
	ical_text(stdout, "X-WR-CALNAME", name);
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		char *uid = dc_printf("UID:%s@%s", T(P_ID), host);
		char *link = dc_printf("%s/posts/%s", url, T(P_ID));

		ical_line(stdout, "BEGIN:VEVENT");
		ical_line(stdout, uid);
		ical_time(T(P_UPDATED), t);
		snprintf(buf, sizeof buf, "DTSTAMP:%s", t);
		ical_line(stdout, buf);
		ical_time(T(P_CREATED), t);
		snprintf(buf, sizeof buf, "CREATED:%s", t);
		ical_line(stdout, buf);
		if (dc_col_int(st, P_ALLDAY)) {
			/* DTEND of a date is exclusive: the day after the last day */
			ical_date(ctx, T(P_START), 0, d);
			snprintf(buf, sizeof buf, "DTSTART;VALUE=DATE:%s", d);
			ical_line(stdout, buf);
			ical_date(ctx, T(P_END) ? T(P_END) : T(P_START), 1, d);
			snprintf(buf, sizeof buf, "DTEND;VALUE=DATE:%s", d);
			ical_line(stdout, buf);
		} else {
			ical_time(T(P_START), t);
			snprintf(buf, sizeof buf, "DTSTART:%s", t);
			ical_line(stdout, buf);
			if (T(P_END)) {
				ical_time(T(P_END), t);
				snprintf(buf, sizeof buf, "DTEND:%s", t);
				ical_line(stdout, buf);
			}
		}
		ical_text(stdout, "SUMMARY", T(P_TITLE));
		ical_text(stdout, "DESCRIPTION", T(P_BODY));
		ical_text(stdout, "LOCATION", T(P_LOCATION));
		{
			char *u = dc_printf("URL:%s", link); /* a URI, not TEXT: no escaping */

			ical_line(stdout, u);
			free(u);
		}
		ical_line(stdout, "END:VEVENT");
		free(uid);
		free(link);
		ctx->nrows++;
	}
	if (rc)
		goto done;
	ical_line(stdout, "END:VCALENDAR");
	rc = dc_export_flush(ctx);
done:
	dc_finish(ctx, st);
	free(host);
	free(name);
	free(url);
	return rc;
}
