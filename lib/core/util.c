/* Errors, the context, the clock and calendar, and small string helpers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/dc.h"

int
dc_error(struct dc *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	/* The first error wins: cleanup paths must not overwrite the cause. */
	if (ctx->err)
		return ctx->err;
	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
	va_end(ap);
	ctx->err = code;
	return code;
}

int
dc_error_prefix(struct dc *ctx, const char *fmt, ...)
{
	char prefix[512], msg[sizeof ctx->errmsg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	/* a message too long for the buffer is cut, not lost */
	if (snprintf(msg, sizeof msg, "%s: %s", prefix, ctx->errmsg) >= 0)
		memcpy(ctx->errmsg, msg, sizeof msg);
	return ctx->err;
}

int
dc_field_error(struct dc *ctx, const char *fmt, ...)
{
	char msg[sizeof ctx->errmsg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return dc_error(ctx, ctx->cursrc ? DC_EDATA : DC_EUSAGE, "%s", msg);
}

void
dc_print_error(struct dc *ctx)
{
	char *msg;

	if (!ctx->err || !ctx->errmsg[0])
		return;
	/* a message may quote the bad value itself: its control characters go out escaped */
	msg = dc_text_escaped(ctx->errmsg, 1);
	if (ctx->cursrc)
		fprintf(stderr, "%s: %s:%ld: %s\n", ctx->prog, ctx->cursrc, ctx->curline, msg);
	else
		fprintf(stderr, "%s: %s\n", ctx->prog, msg);
	free(msg);
}

static void
say(struct dc *ctx, enum dc_say kind, const char *fmt, va_list ap)
{
	char text[2048], *shown;

	vsnprintf(text, sizeof text, fmt, ap);
	if (ctx->say) {
		ctx->say(ctx, kind, text);
		return;
	}
	shown = dc_text_escaped(text, 1); /* it may quote stored text, as an error may */
	if (kind == DC_SAY_PROGRESS || kind == DC_SAY_DONE)
		/* overwritten by the next one, which may be a little shorter (the rate): the
		 * blanks cover that without a terminal escape (NO_COLOR) */
		fprintf(stderr, "\r%s: %s      %s", ctx->prog, shown,
		        kind == DC_SAY_DONE ? "\n" : "");
	else
		fprintf(stderr, "%s: %s\n", ctx->prog, shown);
	free(shown);
}

static void __attribute__((format(printf, 3, 4)))
say_line(struct dc *ctx, enum dc_say kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(ctx, kind, fmt, ap);
	va_end(ap);
}

void
dc_warn(struct dc *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(ctx, DC_SAY_WARN, fmt, ap);
	va_end(ap);
}

void
dc_note(struct dc *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(ctx, DC_SAY_NOTE, fmt, ap);
	va_end(ap);
}

void
dc_progress(struct dc *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(ctx, DC_SAY_PROGRESS, fmt, ap);
	va_end(ap);
}

static double
mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void
dc_meter_begin(struct dc_meter *m, const char *what, const char *unit, int for_stdout)
{
	const char *s = getenv("DC_PROGRESS");

	memset(m, 0, sizeof *m);
	m->what = what;
	m->unit = unit;
	m->size = -1;
	m->on = isatty(STDERR_FILENO) && !(for_stdout && isatty(STDOUT_FILENO));
	m->start = m->on ? mono() : 0;
	m->next = m->start + (s && *s ? atof(s) : 2.0);
}

static void
meter_say(struct dc *ctx, struct dc_meter *m, enum dc_say kind)
{
	double t = mono() - m->start;
	char pct[16] = "", rate[48] = "";

	if (m->size > 0)
		snprintf(pct, sizeof pct, ", %d %%",
		         (int)(100 * (m->done < m->size ? m->done : m->size) / m->size));
	if (t > 0)
		snprintf(rate, sizeof rate, ", %.0f %s/s", (double)m->n / t, m->unit);
	say_line(ctx, kind, "%s: %lld %s%s%s", m->what, m->n, m->unit, pct, rate);
	m->shown = 1;
}

void
dc_meter_tick(struct dc *ctx, struct dc_meter *m, long long n, long long done, long long size)
{
	m->n = n;
	/* the clock is read every 256th time only */
	if (!m->on || !n || (n & 255) || mono() < m->next)
		return;
	m->done = done;
	m->size = size;
	m->next = mono() + 1;
	meter_say(ctx, m, DC_SAY_PROGRESS);
}

void
dc_meter_end(struct dc *ctx, struct dc_meter *m, long long n, long long done, long long size)
{
	if (!m->shown)
		return;
	m->n = n;
	m->done = done;
	m->size = size;
	meter_say(ctx, m, DC_SAY_DONE);
}

void
dc_error_clear(struct dc *ctx)
{
	ctx->err = 0;
	ctx->errmsg[0] = '\0';
}

int
dc_init(struct dc *ctx, const char *prog)
{
	const char *s;

	memset(ctx, 0, sizeof *ctx);
	ctx->prog = prog;
	ctx->busy_ms = 5000;
	ctx->format = isatty(STDOUT_FILENO) ? DC_FMT_TABLE : DC_FMT_JSONL;
	if ((s = getenv("DC_BUSY_TIMEOUT")) && *s) {
		char *end;
		long ms = strtol(s, &end, 10);

		/* as --busy-timeout: a mistyped value is said, not read as 0 (no waiting) */
		if (*end || ms < 0 || ms > 86400000)
			return dc_error(ctx, DC_EUSAGE, "DC_BUSY_TIMEOUT: '%s' is not milliseconds",
			                s);
		ctx->busy_ms = (int)ms;
	}
	if ((s = getenv("DC_NOW")) && *s) {
		if (dc_parse_time(s, &ctx->now) < 0)
			return dc_error(ctx, DC_EUSAGE, "DC_NOW: '%s' is not an RFC 3339 timestamp", s);
	} else
		ctx->now = time(NULL);
	return 0;
}

time_t
dc_now(const struct dc *ctx)
{
	return ctx->now;
}

/* Days from civil, after Howard Hinnant's public-domain algorithm. */
long
dc_days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

void
dc_civil_from_days(long z, int *y, int *m, int *d)
{
	long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
month_days(int y, int m)
{
	static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : md[m - 1];
}

/* S starts with PAT, where '9' in PAT stands for any digit: sscanf's %4d alone also takes
 * signs and blanks ("-026-02-11"), and a year out of 0001..9999 overflows every id and
 * timestamp buffer formatted from it. */
static int
shape(const char *s, const char *pat)
{
	for (; *pat; s++, pat++)
		if (*pat == '9' ? !(*s >= '0' && *s <= '9') : *s != *pat)
			return 0;
	return 1;
}

int
dc_parse_date(const char *s, long *days)
{
	int y, m, d, n = 0;

	if (!s || !shape(s, "9999-99-99") || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
	    n != 10 || s[10])
		return -1;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return -1;
	*days = dc_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

void
dc_fmt_date(long days, char buf[11])
{
	int y, m, d;

	dc_civil_from_days(days, &y, &m, &d);
	y = y < 0 ? 0 : y % 10000;
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}

int
dc_weekday(long days)
{
	/* 1970-01-01 was a Thursday (3 with Monday = 0). */
	return (int)(((days % 7) + 7 + 3) % 7);
}

void
dc_fmt_time(time_t t, char buf[21])
{
	/* digit by digit, not strftime: a year past 9999 (a due date computed from 9999-12-31)
	 * must not leave the buffer undefined, as strftime does when the text does not fit */
	long days = (long)(t / 86400), s;

	if (t % 86400 < 0)
		days--;
	s = (long)(t - (time_t)days * 86400);
	dc_fmt_date(days, buf);
	buf[10] = 'T';
	buf[11] = (char)('0' + s / 36000);
	buf[12] = (char)('0' + s / 3600 % 10);
	buf[13] = ':';
	buf[14] = (char)('0' + s % 3600 / 600);
	buf[15] = (char)('0' + s / 60 % 10);
	buf[16] = ':';
	buf[17] = (char)('0' + s % 60 / 10);
	buf[18] = (char)('0' + s % 10);
	buf[19] = 'Z';
	buf[20] = '\0';
}

int
dc_parse_time(const char *s, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, oh, om;
	long days, off = 0;
	const char *p;

	if (!s || !shape(s, "9999-99-99") || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 ||
	    n != 10)
		return -1;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return -1;
	p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (!shape(p + 1, "99:99") || sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return -1;
		p += 6;
		if (*p == ':') {
			if (!shape(p + 1, "99") || sscanf(p + 1, "%2d%n", &sec, &n) != 1 || n != 2)
				return -1;
			p += 3;
			if (*p == '.' || *p == ',')
				for (p++; *p >= '0' && *p <= '9'; p++)
					;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*p == 'Z' || *p == 'z')
			p++;
		else if (*p == '+' || *p == '-') {
			if (shape(p + 1, "99:99") && sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && n == 5)
				;
			else if (shape(p + 1, "9999") && sscanf(p + 1, "%2d%2d%n", &oh, &om, &n) == 2 &&
			         n == 4)
				;
			else
				return -1;
			off = (oh * 60L + om) * 60L * (*p == '-' ? -1 : 1);
			p += 1 + n;
		} else
			return -1;
	}
	if (*p)
		return -1;
	days = dc_days_from_civil(y, (unsigned)mo, (unsigned)d);
	*out = (time_t)(days * 86400L + h * 3600L + mi * 60L + sec - off);
	/* the offset must not carry the instant out of 0001..9999 either */
	return *out < -62135596800LL || *out > 253402300799LL ? -1 : 0;
}

char *
dc_strdup(const char *s)
{
	char *p;

	if (!s)
		return NULL;
	if (!(p = strdup(s)))
		abort();
	return p;
}

char *
dc_printf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		abort();
	va_end(ap);
	return p;
}

/*
 * ASCII lower case, ä Ä → a, ö Ö → o, ü Ü → u, ß ẞ → ss; then ae → a, oe → o, ue → u and
 * ss → s.  0012 does the latter as four replace() passes one after the other; one pass does
 * the same, because no pass can make or break a match of a later one (what the ae, oe and ue
 * passes leave before the next character is a, o or u, which no later pattern starts with;
 * ss comes last).  The result is never longer than the text.
 */
char *
dc_fold(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out = malloc(n + 1);
	size_t i = 0, o = 0;

	if (!out)
		abort();
	while (i < n) {
		/* the second byte of ä Ä ö Ö ü Ü ß after 0xc3 */
		const char *to = u[i] != 0xc3 || i + 1 >= n ? NULL
		                 : u[i + 1] == 0xa4 || u[i + 1] == 0x84 ? "a"
		                 : u[i + 1] == 0xb6 || u[i + 1] == 0x96 ? "o"
		                 : u[i + 1] == 0xbc || u[i + 1] == 0x9c ? "u"
		                 : u[i + 1] == 0x9f                     ? "ss"
		                                                        : NULL;

		if (to) {
			o += (size_t)sprintf(out + o, "%s", to);
			i += 2;
		} else if (u[i] == 0xe1 && i + 2 < n && u[i + 1] == 0xba && u[i + 2] == 0x9e) {
			out[o++] = 's'; /* ẞ */
			out[o++] = 's';
			i += 3;
		} else {
			out[o++] = u[i] >= 'A' && u[i] <= 'Z' ? (char)(u[i] + 32) : (char)u[i];
			i++;
		}
	}
	n = o;
	for (i = o = 0; i < n; o++)
		if (i + 1 < n && (out[i + 1] == 'e' ? out[i] == 'a' || out[i] == 'o' || out[i] == 'u'
		                                    : out[i] == 's' && out[i + 1] == 's')) {
			out[o] = out[i];
			i += 2;
		} else
			out[o] = out[i++];
	out[o] = '\0';
	return out;
}

static char *
dupn(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		abort();
	return p;
}

/* Is S one address (local@domain) that can go into a header and a git signature as it is? */
static int
plain_address(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t i;

	if (!at || at == s || at == s + n - 1)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || strchr("<>\"(),;:\\[]", s[i]))
			return 0;
	return 1;
}

/*
 * A mailbox as RFC 5322 writes it (section 3.4): "addr@example", "Name <addr@example>",
 * "\"Stadt Musterstadt, Amt 32\" <addr@example>" (a quoted display name, with \-escapes),
 * "<addr@example>", or the obsolete "addr@example (Name)".  *NAME is NULL when none is given.
 */
int
dc_mail_parse(const char *s, char **name, char **addr)
{
	const char *lt, *gt, *p, *e;
	char *n = NULL, *q;
	size_t len;

	*name = *addr = NULL;
	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len)
		return -1;
	if (s[len - 1] == ')' && (p = memchr(s, '(', len)) && !memchr(s, '<', len)) {
		/* addr (Name) */
		for (e = p; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		if (!plain_address(s, (size_t)(e - s)) ||
		    memchr(p + 1, '(', len - (size_t)(p - s) - 2))
			return -1;
		*addr = dupn(s, (size_t)(e - s));
		n = dupn(p + 1, len - (size_t)(p - s) - 2);
	} else if (s[len - 1] == '>') {
		gt = s + len - 1;
		/* the '<' that opens the address: the last one outside the quoted name */
		for (p = s, lt = NULL; p < gt; p++) {
			if (*p == '"') {
				for (p++; p < gt && *p != '"'; p++)
					if (*p == '\\' && p + 1 < gt)
						p++;
				if (p == gt)
					return -1;
			} else if (*p == '<') {
				if (lt)
					return -1;
				lt = p;
			} else if (*p == '>')
				return -1;
		}
		if (!lt || !plain_address(lt + 1, (size_t)(gt - lt - 1)))
			return -1;
		*addr = dupn(lt + 1, (size_t)(gt - lt - 1));
		for (e = lt; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		n = dupn(s, (size_t)(e - s));
		if (*n == '"') {
			/* a quoted string, unescaped in place; nothing may follow its end */
			for (p = n + 1, q = n; *p && *p != '"'; p++)
				*q++ = *p == '\\' && p[1] ? *++p : *p;
			if (*p != '"' || p[1]) {
				free(n);
				free(*addr);
				*addr = NULL;
				return -1;
			}
			*q = '\0';
		} else if (strchr(n, '"')) {
			free(n);
			free(*addr);
			*addr = NULL;
			return -1;
		}
	} else {
		if (!plain_address(s, len))
			return -1;
		*addr = dupn(s, len);
	}
	if (n && !*n) {
		free(n);
		n = NULL;
	}
	*name = n;
	return 0;
}

/* Lower-case hex of N bytes into HEX (2N + 1 bytes); printf per byte was a tenth of an intake. */
static void
hex_encode(const unsigned char *b, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 15];
	}
	hex[2 * n] = '\0';
}

/* SHA-256, fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up on every digest,
 * which cost more than the hashing of an audit row itself. */
static const EVP_MD *
sha256(void)
{
	static EVP_MD *md;

	if (!md && !(md = EVP_MD_fetch(NULL, "SHA256", NULL)))
		abort();
	return md;
}

void
dc_sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[32];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, sha256(), NULL);
	hex_encode(md, 32, hex);
}

int
dc_sha256_file(struct dc *ctx, const char *path, char hex[65])
{
	unsigned char buf[65536], md[32];
	unsigned int n = 0;
	EVP_MD_CTX *md_ctx;
	FILE *fp;
	size_t r;
	int rc = 0;

	if (!(fp = fopen(path, "rb")))
		return dc_error(ctx, DC_ENOINPUT, "cannot open '%s': %s", path, strerror(errno));
	if (!(md_ctx = EVP_MD_CTX_new()))
		abort();
	EVP_DigestInit_ex(md_ctx, sha256(), NULL);
	while ((r = fread(buf, 1, sizeof buf, fp)) > 0)
		EVP_DigestUpdate(md_ctx, buf, r);
	if (ferror(fp))
		rc = dc_error(ctx, DC_EIO, "%s: read error: %s", path, strerror(errno));
	EVP_DigestFinal_ex(md_ctx, md, &n);
	EVP_MD_CTX_free(md_ctx);
	fclose(fp);
	hex_encode(md, 32, hex);
	return rc;
}

int
dc_random_hex(char *hex, size_t nbytes)
{
	unsigned char buf[64];

	if (nbytes > sizeof buf || RAND_bytes(buf, (int)nbytes) != 1)
		return -1;
	hex_encode(buf, nbytes, hex);
	return 0;
}

int
dc_money_parse(const char *s, long long *cents)
{
	long long whole = 0;
	int frac = 0, nfrac = 0, neg = 0, digits = 0;

	if (!s)
		return -1;
	while (*s == ' ')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (whole > 10000000000000LL)
			return -1;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.' || *s == ',') {
		for (s++; *s >= '0' && *s <= '9'; s++, nfrac++) {
			if (nfrac < 2)
				frac = frac * 10 + (*s - '0');
			else if (*s != '0')
				return -1; /* sub-cent amounts are not money */
		}
		if (nfrac == 1)
			frac *= 10;
	}
	while (*s == ' ')
		s++;
	if (*s || (!digits && !nfrac))
		return -1;
	*cents = (whole * 100 + frac) * (neg ? -1 : 1);
	return 0;
}

int
dc_control_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p < 0x20 || *p == 0x7f)
		return *p ? 1 : 0;
	return p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f ? 2 : 0;
}

char *
dc_text_escaped(const char *s, int lines)
{
	size_t len = strlen(s), n = 0;
	const char *p;
	char *out, *o;
	int c;

	for (p = s; *p; p++)
		n += dc_control_len(p) != 0;
	if (!(out = o = malloc(len + 6 * n + 1)))
		abort();
	for (p = s; *p; p += c ? c : 1) {
		c = dc_control_len(p);
		if (!c || (lines && (*p == '\n' || *p == '\t')))
			*o++ = *p;
		else if (c == 1)
			o += sprintf(o, "\\x%02x", (unsigned char)*p);
		else
			o += sprintf(o, "\\u%04x", (unsigned char)p[1]);
	}
	*o = '\0';
	return out;
}

int
dc_email_ok(const char *s)
{
	const char *p;

	if (!strchr(s, '@') || s[strcspn(s, "<>\"(),; ")])
		return 0;
	for (p = s; *p; p++)
		if (dc_control_len(p))
			return 0;
	return 1;
}

unsigned
dc_file_mode(enum dc_privacy p)
{
	mode_t um;

	if (p == DC_PRIVATE)
		return 0600;
	um = umask(0);
	umask(um);
	return 0666 & ~um;
}

int
dc_file_tmp(struct dc *ctx, const char *path, enum dc_privacy p, char **tmp, int *fd)
{
	const char *slash = strrchr(path, '/');
	int e;

	*tmp = slash ? dc_printf("%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1)
	             : dc_printf(".%s.XXXXXX", path);
	/* mkstemp makes it 0600: private from the start, widened only for a public file */
	if ((*fd = mkstemp(*tmp)) >= 0 && fchmod(*fd, dc_file_mode(p)) == 0)
		return 0;
	e = errno;
	if (*fd >= 0) {
		close(*fd);
		unlink(*tmp);
	}
	*fd = -1;
	free(*tmp);
	*tmp = NULL;
	return dc_error(ctx, DC_ECANTCREAT, "cannot create '%s': %s", path, strerror(e));
}
