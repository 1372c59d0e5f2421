/* Errors, the context, the clock and calendar, and small string helpers. */
#include <errno.h>
#include <pthread.h>
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

double
dc_mono(void)
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
	m->start = m->on ? dc_mono() : 0;
	m->next = m->start + (s && *s ? atof(s) : 2.0);
}

static void
meter_say(struct dc *ctx, struct dc_meter *m, enum dc_say kind)
{
	double t = dc_mono() - m->start;
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
	if (!m->on || !n || (n & 255) || dc_mono() < m->next)
		return;
	m->done = done;
	m->size = size;
	m->next = dc_mono() + 1;
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

/* The number of N digits at s, which shape() has checked (sscanf cost a receipt 1%: perf) */
static int
digits(const char *s, int n)
{
	int v = 0;

	while (n--)
		v = v * 10 + (*s++ - '0');
	return v;
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

	if (!s || !shape(s, "9999-99-99"))
		return -1;
	y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return -1;
	p = s + 10;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if (!shape(p + 1, "99:99"))
			return -1;
		h = digits(p + 1, 2), mi = digits(p + 4, 2);
		p += 6;
		if (*p == ':') {
			if (!shape(p + 1, "99"))
				return -1;
			sec = digits(p + 1, 2);
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
			if (shape(p + 1, "99:99"))
				oh = digits(p + 1, 2), om = digits(p + 4, 2), n = 5;
			else if (shape(p + 1, "9999"))
				oh = digits(p + 1, 2), om = digits(p + 3, 2), n = 4;
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

unsigned long
dc_hash(const char *s, unsigned long h)
{
	while (*s)
		h = h * 33 ^ (unsigned char)*s++;
	return h;
}

void *
dc_malloc(size_t n)
{
	return dc_realloc(NULL, n);
}

void *
dc_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

void *
dc_realloc(void *p, size_t n)
{
	if (!(p = realloc(p, n ? n : 1)))
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
 * ss → s.  Schema 9 does the latter as four replace() passes one after the other; one pass does
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

char *
dc_name_key(const char *s)
{
	char *f = dc_fold(s, strlen(s)), *o = f;
	const char *i;

	for (i = f; *i; i++)
		if (!strchr(" \t\n\r\v\f", *i))
			*o++ = *i;
		else if (o > f && o[-1] != ' ')
			*o++ = ' ';
	if (o > f && o[-1] == ' ')
		o--;
	*o = '\0';
	return f;
}

char *
dc_digits(const char *s)
{
	char *d = dc_strdup(s), *o = d;

	for (; *s; s++)
		if (*s >= '0' && *s <= '9')
			*o++ = *s;
	*o = '\0';
	return d;
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

static unsigned char random_pool[4096];
static size_t random_left;

static void
random_forget(void)
{
	OPENSSL_cleanse(random_pool, sizeof random_pool);
	random_left = 0;
}

int
dc_random_hex(char *hex, size_t nbytes)
{
	/* drawn from the generator a page at a time: each call of RAND_bytes costs about as much
	 * as writing a case (perf, bulk intake); what is handed out is wiped from the pool, and
	 * a forked child draws its own */
	static int hooked;

	if (nbytes > 64)
		return -1;
	if (!hooked) {
		hooked = 1;
		pthread_atfork(NULL, NULL, random_forget);
	}
	if (random_left < nbytes) {
		if (RAND_bytes(random_pool, (int)sizeof random_pool) != 1)
			return -1;
		random_left = sizeof random_pool;
	}
	random_left -= nbytes;
	hex_encode(random_pool + random_left, nbytes, hex);
	OPENSSL_cleanse(random_pool + random_left, nbytes);
	return 0;
}

/* ---- numbers and money ---- */

/* The currency mark at the start (AT_END 0) or end of [*b, *e), when it names CURRENCY: moved
 * past with the spaces beside it.  0 none, 1 found, -1 a mark of another currency. */
static int
strip_mark(const char **b, const char **e, const char *currency, int at_end)
{
	static const struct {
		const char *code, *sign;
	} signs[] = {{"EUR", "€"}, {"USD", "$"}, {"GBP", "£"}, {"JPY", "¥"}};
	const char *mark = NULL;
	size_t n = 0, len = (size_t)(*e - *b), i;

	for (i = 0; i < sizeof signs / sizeof *signs && !mark; i++) {
		const char *c[2] = {signs[i].code, signs[i].sign};

		for (int k = 0; k < 2 && !mark; k++) {
			n = strlen(c[k]);
			if (n < len && !memcmp(at_end ? *e - n : *b, c[k], n))
				mark = signs[i].code;
		}
	}
	if (!mark) {
		/* any other three capital letters are a currency code too (ISO 4217) */
		const char *p = at_end ? *e - 3 : *b;

		if (len <= 3 || !(p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z' &&
		                  p[2] >= 'A' && p[2] <= 'Z'))
			return 0;
		mark = p, n = 3;
		if (!currency || strncmp(currency, p, 3) || currency[3])
			return -1;
	} else if (!currency || strcmp(currency, mark))
		return -1;
	/* spaces, also the no-break space a spreadsheet puts between number and mark */
	if (at_end)
		for (*e -= n; *e > *b;)
			if ((*e)[-1] == ' ')
				(*e)--;
			else if (*e - *b >= 2 && !memcmp(*e - 2, "\xc2\xa0", 2))
				*e -= 2;
			else
				break;
	else
		for (*b += n; *b < *e;)
			if (**b == ' ')
				(*b)++;
			else if (*e - *b >= 2 && !memcmp(*b, "\xc2\xa0", 2))
				*b += 2;
			else
				break;
	return 1;
}

/* The last C in [b, e), or NULL. */
static const char *
last(const char *b, const char *e, char c)
{
	while (e > b)
		if (*--e == c)
			return e;
	return NULL;
}

/* Is [p, e) thousands groups after a first group of 1-3 digits: "1.234.567" with SEP '.'? */
static int
grouped(const char *p, const char *e, char sep)
{
	const char *s = memchr(p, sep, (size_t)(e - p));

	if (!s || s == p || s - p > 3)
		return 0;
	for (p = s; p < e; p += 4)
		if (e - p < 4 || *p != sep || memchr(p + 1, sep, 3))
			return 0;
	return 1;
}

int
dc_num_parse(const char *s, enum dc_reading r, int scale, const char *currency, long long max,
             long long *out)
{
	const char *b, *e, *p, *dec = NULL;
	long long v = 0;
	int neg = 0, n, m;
	char group = 0;

	if (!s)
		return DC_NUM_BAD;
	b = s, e = s + strlen(s);
	while (b < e && *b == ' ')
		b++;
	while (e > b && e[-1] == ' ')
		e--;
	if ((m = strip_mark(&b, &e, currency, 0)) == 0)
		m = strip_mark(&b, &e, currency, 1);
	if (m < 0)
		return DC_NUM_CURRENCY;
	if (b < e && (*b == '-' || *b == '+'))
		neg = *b++ == '-';
	if (b == e || !(*b >= '0' && *b <= '9'))
		return DC_NUM_BAD;
	for (p = b; p < e; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == ','))
			return DC_NUM_BAD;
	/* a JSON number has no ',': one that has is a text a person wrote ("price": "1,20") */
	if (r == DC_READ_JSON)
		r = memchr(b, ',', (size_t)(e - b)) ? DC_READ_CMDLINE : DC_READ_RFC;
	if (r == DC_READ_RFC) {
		dec = memchr(b, '.', (size_t)(e - b));
		if (memchr(b, ',', (size_t)(e - b)))
			return DC_NUM_BAD;
	} else if (r == DC_READ_DE) {
		dec = memchr(b, ',', (size_t)(e - b));
		group = '.';
	} else {
		const char *dot = last(b, e, '.'), *comma = last(b, e, ',');

		if (dot && comma) {
			dec = dot > comma ? dot : comma;
			group = dot > comma ? ',' : '.';
		} else if ((dec = dot ? dot : comma) && memchr(b, *dec, (size_t)(dec - b))) {
			group = *dec; /* "1.234.567": thousands groups only */
			dec = NULL;
		} else if (dec && e - dec == 4 && dec - b <= 3 && *b != '0')
			return DC_NUM_AMBIGUOUS; /* "1.500": 1500 in German, 1.5 in English */
	}
	p = dec ? dec : e;
	if (group && memchr(b, group, (size_t)(p - b)) && !grouped(b, p, group))
		return DC_NUM_BAD;
	for (; b < p; b++) {
		if (*b == group)
			continue;
		if (*b < '0' || *b > '9')
			return DC_NUM_BAD;
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *b - '0', &v))
			return DC_NUM_RANGE;
	}
	if (dec) {
		const char *f = dec + 1, *fe = e;

		if (f == e)
			return DC_NUM_BAD;
		while (fe > f + scale && fe[-1] == '0')
			fe--; /* zeros beyond the scale change nothing */
		for (p = f; p < e; p++)
			if (*p < '0' || *p > '9')
				return DC_NUM_BAD;
		if (fe - f > scale)
			return DC_NUM_PRECISION;
		b = f, e = fe;
	} else
		b = e;
	for (n = 0; n < scale; n++) {
		int d = b < e ? *b++ - '0' : 0;

		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v))
			return DC_NUM_RANGE;
	}
	if (v > max)
		return DC_NUM_RANGE;
	*out = neg ? -v : v;
	return 0;
}

int
dc_num_error(struct dc *ctx, int code, int err, const char *field, const char *v,
             const char *what, int scale, long long max)
{
	char hint[160] = "", top[32], msg[sizeof ctx->errmsg];

	if (err == DC_NUM_AMBIGUOUS) {
		/* "1.500": 1500 or 1.5; "1.999": 1999 or 1.9990, which no reading doubts */
		const char *sep = strpbrk(v, ".,"), *end = sep + strlen(sep);
		int lead = (int)(sep - v);

		while (end > sep + 2 && end[-1] == '0')
			end--;
		snprintf(hint, sizeof hint, ": write %.*s%s or %.*s.%.*s%s", lead, v, sep + 1, lead,
		         v, (int)(end - sep - 1), sep + 1, end - sep == 4 ? "0" : "");
	} else if (err == DC_NUM_PRECISION)
		snprintf(hint, sizeof hint, ": more than %d decimals", scale);
	else if (err == DC_NUM_RANGE) {
		dc_num_fmt(max, scale, scale == 2 ? 2 : 0, '.', top); /* money as money */
		snprintf(hint, sizeof hint, ": above the maximum %s", top);
	} else if (err == DC_NUM_CURRENCY)
		snprintf(hint, sizeof hint, ": a mark of another currency");
	snprintf(msg, sizeof msg, "field '%s': '%s' is %s%s%s", field, v,
	         err == DC_NUM_AMBIGUOUS ? "ambiguous" : "not ", err == DC_NUM_AMBIGUOUS ? "" : what,
	         hint);
	return code ? dc_error(ctx, code, "%s", msg) : dc_field_error(ctx, "%s", msg);
}

void
dc_num_fmt(long long v, int scale, int keep, char dec, char buf[32])
{
	/* through unsigned arithmetic: the most negative value has no positive twin */
	unsigned long long a = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	unsigned long long unit = 1;
	char *p;
	int n;

	for (n = 0; n < scale; n++)
		unit *= 10;
	n = snprintf(buf, 32, "%s%llu", v < 0 ? "-" : "", a / unit);
	if (!scale)
		return;
	snprintf(buf + n, 32 - (size_t)n, "%c%0*llu", dec, scale, a % unit);
	for (p = buf + strlen(buf) - 1; p > buf + n + keep && *p == '0'; p--)
		*p = '\0';
	if (!keep && *p == dec)
		*p = '\0';
}

/* ---- checked money: every sum and product of money and quantities (dcity(7) NUMBERS) ---- */

int
dc_money_add(long long a, long long b, long long *sum)
{
	if (__builtin_add_overflow(a, b, sum) || *sum > DC_MONEY_MAX || *sum < -DC_MONEY_MAX)
		return -1;
	return 0;
}

int
dc_money_times(long long cents, long long n, long long *out)
{
	if (__builtin_mul_overflow(cents, n, out) || *out > DC_MONEY_MAX || *out < -DC_MONEY_MAX)
		return -1;
	return 0;
}

/* QTY thousandths × PRICE ten-thousandths is 10^-5 cents: the cents are QTY's whole units ×
 * PRICE / 100 plus its thousandths × PRICE / 10^5, split so that a product leaves 64 bits
 * only where the result is far beyond DC_MONEY_MAX anyway. */
int
dc_money_line(long long qty, long long price, long long *cents)
{
	long long whole, part, c, rest;

	if (qty < 0 || price < 0 || qty > DC_QTY_MAX * 1000 || price > DC_PRICE_MAX)
		return -1;
	if (__builtin_mul_overflow(qty / 1000, price, &whole) ||
	    __builtin_mul_overflow(qty % 1000, price, &part))
		return -1;
	c = whole / 100 + part / 100000;
	rest = whole % 100 * 1000 + part % 100000; /* below 2 × 10^5 */
	c += rest / 100000 + (rest % 100000 >= 50000);
	if (c > DC_MONEY_MAX)
		return -1;
	*cents = c;
	return 0;
}

int
dc_money_vat(long long net, double vat, long long *gross)
{
	long long bp = llround(vat * 100), tax; /* VAT in hundredths of a percent */

	if (!(vat >= 0 && vat <= 100) || __builtin_mul_overflow(net < 0 ? -net : net, bp, &tax))
		return -1;
	tax = (tax + 5000) / 10000; /* half up, away from zero */
	return dc_money_add(net, net < 0 ? -tax : tax, gross);
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

/* The same rule as a mail header's address (plain_address), and no Unicode control either. */
int
dc_email_ok(const char *s)
{
	const char *p;

	if (!plain_address(s, strlen(s)))
		return 0;
	for (p = s; *p; p++)
		if (dc_control_len(p))
			return 0;
	return 1;
}

/* XRechnung's "Formatspezifikation Leitweg-ID" 2.0.1: the check digits make the ID without
 * hyphens, letters read as 10 to 35, a number that leaves 1 divided by 97 (as an IBAN). */
int
dc_leitweg_valid(const char *id, const char **why)
{
	const char *p = id, *bad = NULL;
	size_t a = strspn(p, "0123456789"), b = 0;
	unsigned r = 0;

	if (a < 2 || a > 12 || p[a] != '-') {
		bad = "does not begin with 2 to 12 digits and '-' (the Grobadressierung)";
		goto done;
	}
	p += a + 1;
	b = strspn(p, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	if (p[b] == '-' && (b < 1 || b > 30)) {
		bad = "has a Feinadressierung that is not 1 to 30 letters or digits";
		goto done;
	}
	if (p[b] == '-')
		p += b + 1;
	if (strlen(p) != 2 || strspn(p, "0123456789") != 2) {
		bad = "does not end in '-' and 2 check digits";
		goto done;
	}
	for (p = id; *p; p++) {
		if (*p >= '0' && *p <= '9')
			r = (r * 10 + (unsigned)(*p - '0')) % 97;
		else if (*p != '-')
			r = (r * 100 + (unsigned)(*p - (*p >= 'a' ? 'a' : 'A')) + 10) % 97;
	}
	if (r != 1)
		bad = "has wrong check digits (ISO 7064 MOD 97-10)";
done:
	if (why)
		*why = bad;
	return !bad;
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
