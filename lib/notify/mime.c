/* RFC 5322 messages with a MIME quoted-printable UTF-8 body and RFC 2047 headers.  Pure
 * string functions, so tests/unit/test_mime.c checks them without a database. */
#include <stdlib.h>
#include <string.h>

#include "notify/notify.h"

struct buf {
	char *s;    /* NUL-terminated text; owned */
	size_t len; /* bytes used, without the NUL */
	size_t cap; /* bytes allocated */
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2 + 64;
		if (!(b->s = realloc(b->s, b->cap)))
			abort();
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static char *
take(struct buf *b)
{
	if (!b->s)
		put(b, "", 0);
	return b->s;
}

/* One input line (without its end) as QP output lines. */
static void
qp_line(struct buf *b, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0, i;

	for (i = 0; i < n; i++) {
		unsigned char c = p[i];
		int last = i + 1 == n;
		char esc[3] = {'=', hex[c >> 4], hex[c & 15]};
		int plain = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
		size_t w = plain ? 1 : 3;

		/* room for the token plus a soft break '=', unless it ends the line */
		if (col + w > (last ? 76 : 75)) {
			put(b, "=\r\n", 3);
			col = 0;
		}
		if (plain)
			put(b, (const char *)&p[i], 1);
		else
			put(b, esc, 3);
		col += w;
	}
}

char *
dc_mime_qp(const char *text)
{
	struct buf b = {0};
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		qp_line(&b, (const unsigned char *)p, n > 0 && p[n - 1] == '\r' ? n - 1 : n);
		put(&b, "\r\n", 2);
		p += n + (nl != NULL);
	}
	return take(&b);
}

static int
printable_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 32 || (unsigned char)*s > 126)
			return 0;
	return 1;
}

static void
base64(struct buf *b, const unsigned char *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);
		char q[4] = {a[v >> 18 & 63], a[v >> 12 & 63], i + 1 < n ? a[v >> 6 & 63] : '=',
		             i + 2 < n ? a[v & 63] : '='};
		put(b, q, 4);
	}
}

char *
dc_mime_words(const char *s, size_t used)
{
	struct buf b = {0};
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	if (!n)
		return take(&b);
	while (n) {
		/* an encoded word is 12 + 4 * ceil(k / 3) characters; fit it in 76 - used */
		size_t room = used + 12 + 4 < 76 ? (76 - used - 12) / 4 * 3 : 3, k = 0;

		if (room > 45)
			room = 45; /* 75 characters */
		while (k < n) {
			size_t c = 1;

			if (p[k] >= 0xf0)
				c = 4;
			else if (p[k] >= 0xe0)
				c = 3;
			else if (p[k] >= 0xc0)
				c = 2;
			if (c > n - k)
				c = n - k;
			if (k + c > room && k > 0)
				break;
			k += c;
		}
		if (b.len)
			put(&b, "\r\n ", 3);
		puts_(&b, "=?UTF-8?B?");
		base64(&b, p, k);
		puts_(&b, "?=");
		p += k;
		n -= k;
		used = 1;
	}
	return take(&b);
}

char *
dc_mime_header(const char *name, const char *value)
{
	struct buf b = {0};
	size_t col;

	puts_(&b, name);
	puts_(&b, ": ");
	col = b.len;
	if (!printable_ascii(value)) {
		char *w = dc_mime_words(value, col);

		puts_(&b, w);
		free(w);
	} else {
		const char *p = value;

		/* fold before a word that would pass 78 characters */
		while (*p) {
			const char *sp = strchr(p + (*p == ' '), ' ');
			size_t n = sp ? (size_t)(sp - p) : strlen(p);

			if (col + n > 78 && col > strlen(name) + 2 && *p == ' ') {
				put(&b, "\r\n", 2);
				col = 0;
			}
			put(&b, p, n);
			col += n;
			p += n;
		}
	}
	put(&b, "\r\n", 2);
	return take(&b);
}

void
dc_mime_date(time_t t, char buf[40])
{
	static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", wd[tm.tm_wday], tm.tm_mday,
	         mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

char *
dc_mime_message_id(long long id, const char *created_at, const char *from)
{
	char *key = dc_printf("%lld|%s", id, created_at ? created_at : ""), hex[65];
	const char *at = from ? strrchr(from, '@') : NULL;
	const char *domain = at && at[1] ? at + 1 : "localhost";
	char *mid;
	size_t i, n = strcspn(domain, ">\r\n \t");

	dc_sha256_hex(key, strlen(key), hex);
	hex[16] = '\0';
	mid = dc_printf("<dcity.%lld.%s@%.*s>", id, hex, (int)n, domain);
	for (i = 0; mid[i]; i++)
		if ((unsigned char)mid[i] < 33 || (unsigned char)mid[i] > 126)
			mid[i] = '_';
	free(key);
	return mid;
}

/* A display name needs quotes unless it is atext and spaces only. */
static void
address(struct buf *b, const char *hdr, const char *name, const char *addr)
{
	size_t i;

	puts_(b, hdr);
	puts_(b, ": ");
	if (name && *name && !printable_ascii(name)) {
		char *w = dc_mime_words(name, strlen(hdr) + 2);

		puts_(b, w);
		free(w);
		put(b, " ", 1);
	} else if (name && *name) {
		put(b, "\"", 1);
		for (i = 0; name[i]; i++) {
			if (name[i] == '"' || name[i] == '\\')
				put(b, "\\", 1);
			put(b, &name[i], 1);
		}
		put(b, "\" ", 2);
	}
	put(b, "<", 1);
	puts_(b, addr);
	put(b, ">\r\n", 3);
}

/* "=_" is in no quoted-printable or base64 text, so the boundary is in no part. */
#define BOUNDARY "=_dcity_part"

/* An attachment's headers and its data in base64, lines of 76 characters. */
static void
attachment(struct buf *b, const struct dc_mime_part *p)
{
	size_t i;

	puts_(b, "\r\n--" BOUNDARY "\r\nContent-Type: ");
	puts_(b, p->content_type);
	puts_(b, "; name=\"");
	puts_(b, p->filename);
	puts_(b, "\"\r\nContent-Disposition: attachment; filename=\"");
	puts_(b, p->filename);
	puts_(b, "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	for (i = 0; i < p->len; i += 57) {
		base64(b, (const unsigned char *)p->data + i, p->len - i < 57 ? p->len - i : 57);
		put(b, "\r\n", 2);
	}
}

char *
dc_mime_message(const struct dc_mime_msg *m)
{
	struct buf b = {0};
	char date[40], *h, *body;
	size_t i;

	dc_mime_date(m->date, date);
	puts_(&b, "Date: ");
	puts_(&b, date);
	puts_(&b, "\r\n");
	address(&b, "From", m->from_name, m->from_addr);
	address(&b, "To", NULL, m->to);
	if (m->reply_to && *m->reply_to)
		address(&b, "Reply-To", m->reply_to_name, m->reply_to);
	h = dc_mime_header("Subject", m->subject ? m->subject : "");
	puts_(&b, h);
	free(h);
	puts_(&b, "Message-ID: ");
	puts_(&b, m->message_id);
	puts_(&b, "\r\n");
	if (m->list_unsubscribe && *m->list_unsubscribe) {
		puts_(&b, "List-Unsubscribe: <");
		puts_(&b, m->list_unsubscribe);
		puts_(&b, ">\r\n");
	}
	puts_(&b, "MIME-Version: 1.0\r\n"
	          "Auto-Submitted: auto-generated\r\n");
	if (m->nparts)
		puts_(&b, "Content-Type: multipart/mixed; boundary=\"" BOUNDARY "\"\r\n"
		          "\r\n"
		          "This is a message in MIME format.\r\n"
		          "\r\n--" BOUNDARY "\r\n");
	puts_(&b, "Content-Type: text/plain; charset=UTF-8\r\n"
	          "Content-Transfer-Encoding: quoted-printable\r\n"
	          "\r\n");
	body = dc_mime_qp(m->body ? m->body : "");
	puts_(&b, body);
	free(body);
	for (i = 0; i < m->nparts; i++)
		attachment(&b, &m->parts[i]);
	if (m->nparts)
		puts_(&b, "\r\n--" BOUNDARY "--\r\n");
	return take(&b);
}
