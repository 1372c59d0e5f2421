/*
 * Record input: JSON objects one after another (JSONL, also pretty-printed or concatenated),
 * a JSON array (streamed element by element), CSV (libcsv; RFC 4180 or the German ';'
 * dialect, BOM and CRLF tolerated) and TSV, the last two in UTF-8 or a single-byte encoding
 * converted line by line.  The bulk driver that applies a verb to every record is in apply.c.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

#include "core/dc.h"
#include "core/xmllib.h"

#define MAX_FIELD (1 << 20)      /* dcity(7) "Input": longer fields are data errors */
#define MAX_RECORD (16 << 20)    /* a JSON record larger than this is refused */
#define MAX_RAW MAX_FIELD        /* the raw text of a rejected record kept, at most */

enum in_mode { M_JSONL, M_JSON, M_CSV, M_TSV, M_IDS };

/* CSV and TSV encodings (dcity(7) "Input"): the names --encoding takes, and iconv's. */
enum in_enc { E_AUTO, E_UTF8, E_CP1252, E_LATIN1, E_LATIN9 };
static const char *const enc_names[] = {"auto", "utf-8", "windows-1252", "iso-8859-1",
                                        "iso-8859-15", NULL};
static const char *const enc_iconv[] = {NULL, NULL, "WINDOWS-1252", "ISO-8859-1",
                                        "ISO-8859-15"};

struct dc_in {
	char *name;          /* "cases.csv" or "-" shown in messages; owned */
	FILE *fp;            /* input stream; closed unless stdin */
	enum in_mode mode;
	long line;           /* lines read so far */
	char *buf;           /* current line (getline); owned */
	size_t bufcap;
	ssize_t buflen;      /* length of the pending line, -1 when none is pending */
	/* CSV and TSV text: each line converted to UTF-8 as it is read */
	int text;            /* the input is CSV or TSV, so the encoding applies */
	enum in_enc enc;     /* the line's encoding; E_AUTO until auto sees a non-ASCII byte */
	int enc_auto;        /* the encoding was decided by auto */
	int bom;             /* the input began with a UTF-8 byte order mark */
	long enc_line;       /* the line that decided it */
	iconv_t cd;          /* to UTF-8, opened at the first line that needs it, or (iconv_t)-1 */
	char *conv;          /* the converted line, swapped with buf; owned */
	size_t convcap;
	int eof;             /* nothing more to read: the end, or an error that took the rest */
	/* the raw text of the current record, kept for --rejects */
	int keep_raw;
	char *raw;           /* owned */
	size_t rawlen, rawcap;
	int raw_cut;         /* longer than MAX_RAW: cut there */
	/* CSV */
	struct csv_parser csv;
	int csv_init;
	unsigned char sep;
	enum dc_reading reading; /* how its numbers are written */
	char **hdr;          /* header names; owned */
	int nhdr;
	char **cell;         /* cells of the record being parsed; owned */
	int ncell, capcell;
	int rec_done;        /* a record is complete */
	const char *cell_err; /* why the first bad cell (NUL byte, too long) is bad, or NULL */
	int cell_bad;        /* that cell's index */
	long nstray;         /* fields with a '"' inside an unquoted value, read as text */
	long stray_line;     /* the first of them: its line and field */
	char *stray_field;   /* owned */
	long stray_at;       /* the line and cell last counted */
	int stray_cell;
	/* JSON array */
	int started, ended;  /* '[' seen, ']' seen */
	char *elem;          /* bytes of the element being collected; owned */
	size_t elen, ecap;
	int elem_big;        /* the element outgrew MAX_RECORD: skipped to its end, not kept */
	struct json_tokener *tok; /* one for all records: a new one each cost 1% of an intake */
};

/* The length of the valid UTF-8 sequence at p (1 for ASCII), or 0 if none starts there. */
static int
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = *p;
	int n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 1;
	else if (c >= 0xe0 && c <= 0xef)
		n = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 3;
	else
		return 0;
	if (end - p <= n)
		return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) || (c == 0xf0 && p[1] < 0x90) ||
	    (c == 0xf4 && p[1] > 0x8f))
		return 0;
	for (i = 1; i <= n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n + 1;
}

int
dc_text_check(struct dc *ctx, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	if (len > MAX_FIELD)
		return dc_error(ctx, DC_EDATA, "field longer than 1 MiB");
	while (p < end) {
		int n;

		if (*p == 0)
			return dc_error(ctx, DC_EDATA, "NUL byte in input");
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (!(n = utf8_seq(p, end)))
			return dc_error(ctx, DC_EDATA, "invalid UTF-8");
		p += n;
	}
	return 0;
}

/* NAME's place in enc_names, case ignored; -1 for none */
static int
enc_index(const char *name)
{
	int i;

	for (i = 0; name && enc_names[i]; i++)
		if (!strcasecmp(name, enc_names[i]))
			return i;
	return -1;
}

const char *
dc_in_encoding_name(const char *name)
{
	int i = enc_index(name);

	return i < 0 ? NULL : enc_names[i];
}

int
dc_in_encoding_check(struct dc *ctx, const char *what, const char *name)
{
	if (dc_in_encoding_name(name))
		return 0;
	return dc_field_error(ctx, "%s: unknown encoding '%s' (auto, utf-8, windows-1252, "
	                      "iso-8859-1, iso-8859-15)", what, name);
}

static enum in_enc
encoding(const char *name)
{
	int i = enc_index(name);

	return i < 0 ? E_AUTO : (enum in_enc)i;
}

/* One letter of a header name, its case folded: ASCII, and the Latin-1 letters (U+00C0 to
 * U+00DE but U+00D7), whose small forms in UTF-8 are the capitals' second byte + 0x20.
 * Advances *p past it. */
static unsigned
fold(const unsigned char **p)
{
	unsigned c = *(*p)++;

	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c == 0xc3 && **p >= 0x80 && **p <= 0x9e && **p != 0x97)
		return 0xc300 | (*(*p)++ + 0x20);
	if (c == 0xc3 && **p)
		return 0xc300 | *(*p)++;
	return c;
}

int
dc_in_header_eq(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	const unsigned char *pe = p + strlen(a), *qe = q + strlen(b);

	while (*p == ' ' || *p == '\t')
		p++;
	while (*q == ' ' || *q == '\t')
		q++;
	while (pe > p && strchr(" \t\r", pe[-1]))
		pe--;
	while (qe > q && strchr(" \t\r", qe[-1]))
		qe--;
	while (p < pe && q < qe)
		if (fold(&p) != fold(&q))
			return 0;
	return p == pe && q == qe;
}

/* ---- the raw text of the current record, for --rejects ---- */

static void
raw_reset(struct dc_in *in)
{
	in->rawlen = 0;
	in->raw_cut = 0;
}

static void
raw_add(struct dc_in *in, const char *s, size_t len)
{
	if (!in->keep_raw || in->raw_cut)
		return;
	if (len > MAX_RAW - in->rawlen) {
		len = MAX_RAW - in->rawlen;
		in->raw_cut = 1;
	}
	if (in->rawlen + len + 1 > in->rawcap) {
		in->rawcap = in->rawlen + len + 1 > 2 * in->rawcap ? in->rawlen + len + 1 : 2 * in->rawcap;
		if (!(in->raw = realloc(in->raw, in->rawcap)))
			abort();
	}
	memcpy(in->raw + in->rawlen, s, len);
	in->rawlen += len;
	in->raw[in->rawlen] = '\0';
}

/* The raw text as a JSON string: without its last line end, every byte that is not UTF-8
 * (often why the record was rejected) as U+FFFD, so that the rejects file stays JSON. */
static json_object *
raw_json(const struct dc_in *in)
{
	const unsigned char *p = (const unsigned char *)in->raw, *end = p + in->rawlen;
	json_object *o;
	char *text, *q;

	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (!(q = text = malloc((size_t)(end - p) * 3 + 1)))
		abort();
	while (p < end) {
		int n = utf8_seq(p, end);

		if (n) {
			memcpy(q, p, (size_t)n);
			q += n;
			p += n;
		} else {
			memcpy(q, "\xef\xbf\xbd", 3);
			q += 3;
			p++;
		}
	}
	o = json_object_new_string_len(text, (int)(q - text));
	free(text);
	return o;
}

/*
 * The pending line in UTF-8.  Auto reads UTF-8 until the first byte that is not ASCII: a
 * valid UTF-8 sequence decides UTF-8, anything else Windows-1252.  Everything before that
 * byte was ASCII, the same in both, so reading the whole file as Windows-1252 needs neither
 * a second pass nor a buffer, and a pipe is read like a file.  A byte the encoding does not
 * define (0x81 in Windows-1252) stays as it is, for the field check to name (dc_in_next).
 */
static int
decode_line(struct dc *ctx, struct dc_in *in)
{
	char *from = in->buf, *to;
	size_t left = (size_t)in->buflen, room;

	if (in->enc == E_AUTO) {
		const unsigned char *p = (const unsigned char *)in->buf, *end = p + in->buflen;

		while (p < end && *p < 0x80)
			p++;
		if (p == end)
			return 1;
		in->enc_auto = 1;
		in->enc_line = in->line;
		if (utf8_seq(p, end)) {
			in->enc = E_UTF8;
			return 1;
		}
		in->enc = E_CP1252;
		dc_note(ctx, "%s:%ld: byte 0x%02x is not UTF-8: the file is read as windows-1252",
		        in->name, in->line, *p);
	}
	if (in->enc == E_UTF8)
		return 1;
	if (!in->cd && (in->cd = iconv_open("UTF-8", enc_iconv[in->enc])) == (iconv_t)-1)
		return -dc_error(ctx, DC_EINTERNAL, "iconv from %s: %s", enc_iconv[in->enc],
		                 strerror(errno));
	/* a character of these encodings is at most 3 bytes in UTF-8 (the euro sign) */
	if (in->convcap < left * 3 + 1) {
		in->convcap = left * 3 + 1;
		if (!(in->conv = realloc(in->conv, in->convcap)))
			abort();
	}
	to = in->conv;
	room = in->convcap - 1;
	while (left) {
		if (iconv(in->cd, &from, &left, &to, &room) != (size_t)-1)
			break;
		if (errno != EILSEQ && errno != EINVAL)
			return -dc_error(ctx, DC_EINTERNAL, "iconv: %s", strerror(errno));
		*to++ = *from++;
		left--;
		room--;
	}
	*to = '\0';
	in->buflen = to - in->conv;
	to = in->buf;
	in->buf = in->conv;
	in->conv = to;
	room = in->bufcap;
	in->bufcap = in->convcap;
	in->convcap = room;
	return 1;
}

static int
read_line(struct dc *ctx, struct dc_in *in)
{
	if (in->buflen >= 0)
		return 1;
	errno = 0;
	in->buflen = getline(&in->buf, &in->bufcap, in->fp);
	if (in->buflen < 0) {
		if (ferror(in->fp))
			return -dc_error(ctx, DC_EIO, "read error: %s", strerror(errno));
		return 0;
	}
	in->line++;
	if (in->line == 1 && in->buflen >= 3 && !memcmp(in->buf, "\xef\xbb\xbf", 3)) {
		memmove(in->buf, in->buf + 3, (size_t)in->buflen - 2);
		in->buflen -= 3;
		in->bom = 1;
		if (in->enc == E_AUTO)
			in->enc = E_UTF8;
	}
	return in->text ? decode_line(ctx, in) : 1;
}

static void
chomp(struct dc_in *in)
{
	while (in->buflen > 0 && (in->buf[in->buflen - 1] == '\n' || in->buf[in->buflen - 1] == '\r'))
		in->buf[--in->buflen] = '\0';
}

/* Field I of the current record in messages: by its header name, or by its position where
 * there is no header (yet).  Caller frees. */
static char *
field_label(const struct dc_in *in, int i)
{
	if (in->hdr && i < in->nhdr && in->hdr[i][0])
		return dc_printf("field '%s'", in->hdr[i]);
	return dc_printf("%s %d", in->hdr ? "field" : "header field", i + 1);
}

static int
field_error(struct dc *ctx, const struct dc_in *in, int i, const char *fmt, ...)
{
	char msg[512], *label = field_label(in, i);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rc = dc_error(ctx, DC_EDATA, "%s: %s", label, msg);
	free(label);
	return rc;
}

static void
cell_cb(void *s, size_t len, void *data)
{
	struct dc_in *in = data;

	if (!in->cell_err && (len > MAX_FIELD || memchr(s, '\0', len))) {
		in->cell_err = len > MAX_FIELD ? "field longer than 1 MiB" : "NUL byte in input";
		in->cell_bad = in->ncell;
	}
	if (in->ncell == in->capcell) {
		in->capcell = in->capcell ? in->capcell * 2 : 16;
		if (!(in->cell = realloc(in->cell, (size_t)in->capcell * sizeof *in->cell)))
			abort();
	}
	in->cell[in->ncell++] = dc_strdup(s ? (char *)s : "");
	/* a line break inside a quoted cell of a CRLF file is a line break, not "\r\n" */
	{
		char *c = in->cell[in->ncell - 1], *q = c;

		for (; *c; c++)
			if (!(c[0] == '\r' && c[1] == '\n'))
				*q++ = *c;
		*q = '\0';
	}
}

static void
record_cb(int c, void *data)
{
	struct dc_in *in = data;

	(void)c;
	in->rec_done = 1;
}

static void
free_cells(struct dc_in *in)
{
	int i;

	for (i = 0; i < in->ncell; i++)
		free(in->cell[i]);
	in->ncell = 0;
	in->rec_done = 0;
	in->cell_err = NULL;
}

#define CSV_OPTS (CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI)

/* A parser in its first state: at the start, and at the line after a rejected record. */
static void
csv_restart(struct dc_in *in)
{
	if (in->csv_init)
		csv_free(&in->csv);
	if (csv_init(&in->csv, CSV_OPTS))
		abort();
	in->csv_init = 1;
	csv_set_delim(&in->csv, in->sep);
	/* libcsv grows a field's buffer by this much at a time (128 bytes by default: a 1 MiB
	 * field took 8,000 reallocations, 14 s under the sanitizers) */
	csv_set_blk_size(&in->csv, 64 << 10);
}

/* Feed the pending line to libcsv.  A '"' inside an unquoted value is text, as Excel,
 * LibreOffice and the sqlite3 shell read it (counted for one warning at the end); any other
 * quote out of place rejects the record, and reading starts afresh at the next line. */
static int
csv_line(struct dc *ctx, struct dc_in *in, long start)
{
	size_t off = 0, len = (size_t)in->buflen, n;

	while ((n = csv_parse(&in->csv, in->buf + off, len - off, cell_cb, record_cb, in)) !=
	       len - off) {
		size_t pos = off + n;
		int field = in->ncell;
		char where[32] = "";

		if (csv_error(&in->csv) != CSV_EPARSE)
			abort(); /* out of memory */
		if (in->buf[pos] == '"' && !in->csv.quoted) {
			/* counted once a field, however many quotes it has */
			if (in->stray_at != in->line || in->stray_cell != field) {
				if (in->nstray++ == 0) {
					in->stray_line = in->line;
					in->stray_field = field_label(in, field);
				}
				in->stray_at = in->line;
				in->stray_cell = field;
			}
			csv_set_opts(&in->csv, CSV_OPTS & ~CSV_STRICT);
			csv_parse(&in->csv, in->buf + pos, 1, cell_cb, record_cb, in);
			csv_set_opts(&in->csv, CSV_OPTS);
			off = pos + 1;
			continue;
		}
		if (in->line != start)
			snprintf(where, sizeof where, " (line %ld)", in->line);
		csv_restart(in);
		in->buflen = -1;
		return field_error(ctx, in, field, "%s%s",
		                   in->buf[pos] == '"'
		                       ? "a quote inside a quoted field must be doubled (\"\")"
		                       : "text after the closing quote of a quoted field",
		                   where);
	}
	return 0;
}

/* Parse lines until one CSV record is complete: 1, 0 at the end, or an error. */
static int
csv_record(struct dc *ctx, struct dc_in *in, long *start)
{
	int rc;

	free_cells(in);
	raw_reset(in);
	*start = 0;
	while (!in->rec_done) {
		if ((rc = read_line(ctx, in)) < 0)
			return -rc;
		if (rc == 0) {
			in->eof = 1;
			/* strict: a quoted field still open at the end of the input is an error */
			if (csv_fini(&in->csv, cell_cb, record_cb, in) != 0)
				return field_error(ctx, in, in->ncell,
				                   "quoted field not closed before the end of the file");
			if (!in->rec_done)
				return 0;
			break;
		}
		if (!*start)
			*start = in->line;
		raw_add(in, in->buf, (size_t)in->buflen);
		if ((rc = csv_line(ctx, in, *start)))
			return rc;
		in->buflen = -1;
		/* a quoted field this long has lost its closing quote, or might have: where the next
		 * record would begin cannot be told, so the rest of the file goes with it */
		if (!in->rec_done && in->csv.entry_pos > MAX_FIELD) {
			in->eof = 1;
			return field_error(ctx, in, in->ncell,
			                   "quoted field longer than 1 MiB (is its closing quote missing?)");
		}
	}
	if (in->cell_err)
		return field_error(ctx, in, in->cell_bad, "%s", in->cell_err);
	return 1;
}

static int
tsv_record(struct dc *ctx, struct dc_in *in, long *start)
{
	char *p, *q, *cellstart;
	int rc;

	free_cells(in);
	raw_reset(in);
	do {
		if ((rc = read_line(ctx, in)) <= 0)
			return rc < 0 ? -rc : 0;
		chomp(in);
		in->buflen = in->buflen == 0 ? -1 : in->buflen;
	} while (in->buflen < 0);
	*start = in->line;
	raw_add(in, in->buf, (size_t)in->buflen);
	/* the cells are split at NUL below: one inside would cut a value short unseen */
	if ((p = memchr(in->buf, '\0', (size_t)in->buflen))) {
		int field = 0;

		for (q = in->buf; q < p; q++)
			field += *q == '\t';
		in->buflen = -1;
		return field_error(ctx, in, field, "NUL byte in input");
	}
	for (p = q = cellstart = in->buf;; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			*q++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p;
		} else if (*p == '\t' || *p == '\0') {
			int end = *p == '\0';

			*q = '\0';
			cell_cb(cellstart, strlen(cellstart), in);
			if (end)
				break;
			q = cellstart = p + 1;
		} else
			*q++ = *p;
	}
	in->buflen = -1;
	return 1;
}

/* Collect the next record into in->elem: the next element of a JSON array (M_JSON), or the
 * next object of a stream of them (M_JSONL: one a line, pretty-printed over many lines, or
 * several on one).  1 = an element (not necessarily an object: the caller says so), 0 = the
 * end.  Any element, object or not, is read to its end, so that a bad one costs itself and
 * not the rest; one larger than MAX_RECORD is read to its end without being kept, so memory
 * stays bounded by one record.  Text outside an array takes the rest of the input with it;
 * in a stream, text that is no object takes the rest of its line. */
static int
json_element(struct dc *ctx, struct dc_in *in, long *start)
{
	enum { NONE, NESTED, STRING, SCALAR } kind = NONE;
	int depth = 0, instr = 0, esc = 0, array = in->mode == M_JSON;

	in->elen = 0;
	in->elem_big = 0;
	*start = 0;
	raw_reset(in);
	for (;;) {
		int rc = read_line(ctx, in);
		ssize_t i;

		if (rc < 0)
			return -rc;
		if (rc == 0) {
			in->eof = 1;
			if (!*start)
				*start = in->line;
			if (kind != NONE && kind != SCALAR)
				return dc_error(ctx, DC_EDATA, "the file ends inside %s",
				                array ? "an array element" : "a record");
			if (array && (kind == SCALAR || !in->ended))
				return dc_error(ctx, DC_EDATA, "the file ends before the JSON array is closed");
			return 0;
		}
		/* A line that begins with '{' continues a record only as an element of a list in
		 * it (after '[' or ','): elsewhere the record lost its end (a JSONL line cut
		 * short), and this line is the next one. */
		if (!array && kind == NESTED && in->buf[strspn(in->buf, " \t")] == '{') {
			size_t e = in->elen;
			char last;

			while (e && in->elem[e - 1] && strchr(" \t\r\n", in->elem[e - 1]))
				e--;
			last = e ? in->elem[e - 1] : '\0';
			if (depth == 1 || in->elem_big || (last != ',' && last != '[')) {
				raw_add(in, in->elem, in->elen);
				return dc_error(ctx, DC_EDATA, "the record ends before its '}'");
			}
		}
		for (i = 0; i < in->buflen; i++) {
			char c = in->buf[i];
			int done = 0;

			if (kind == NONE) {
				if ((c && strchr(" \t\r\n", c)) || (array && c == ','))
					continue;
				if (array && !in->started && c == '[') {
					in->started = 1;
					continue;
				}
				if (array && in->started && !in->ended && c == ']') {
					in->ended = 1;
					continue;
				}
				if (!array && c != '{') {
					*start = in->line;
					raw_add(in, in->buf + i, (size_t)(in->buflen - i));
					in->buflen = -1;
					return dc_error(ctx, DC_EDATA, "not a JSON object");
				}
				if (array && (!in->started || in->ended)) {
					in->eof = 1;
					*start = in->line;
					raw_add(in, in->buf, (size_t)in->buflen);
					return dc_error(ctx, DC_EDATA, in->started
					                                   ? "text after the end of the JSON array"
					                                   : "not a JSON array of records");
				}
				*start = in->line;
				kind = c == '{' || c == '[' ? NESTED : c == '"' ? STRING : SCALAR;
			} else if (kind == SCALAR && strchr(" \t\r\n,]", c)) {
				i--; /* the scalar ends before c, which the array reads */
				done = 1;
			}
			if (!done && !in->elem_big) {
				if (in->elen + 2 > in->ecap) {
					if (in->ecap > MAX_RECORD)
						in->elem_big = 1;
					else {
						in->ecap = in->ecap ? in->ecap * 2 : 4096;
						if (!(in->elem = realloc(in->elem, in->ecap)))
							abort();
					}
				}
				if (!in->elem_big)
					in->elem[in->elen++] = c;
			}
			if (done || kind == SCALAR)
				;
			else if (instr) {
				if (esc)
					esc = 0;
				else if (c == '\\')
					esc = 1;
				else if (c == '"') {
					instr = 0;
					done = kind == STRING;
				}
			} else if (c == '"')
				instr = 1;
			else if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0)
				done = 1;
			if (done) {
				in->elem[in->elen] = '\0';
				raw_add(in, in->elem, in->elen);
				in->raw_cut |= in->elem_big;
				/* keep the rest of this line for the next element */
				memmove(in->buf, in->buf + i + 1, (size_t)(in->buflen - i));
				in->buflen -= i + 1;
				return 1;
			}
		}
		in->buflen = -1;
		/* a JSON string never spans lines: this record is broken, the next line is read
		 * afresh */
		if (!array && instr) {
			raw_add(in, in->elem, in->elen);
			return dc_error(ctx, DC_EDATA, "a line break inside a string");
		}
	}
}

static int
add_json_value(struct dc *ctx, struct dc_args *rec, const char *key, json_object *v, int depth)
{
	const char *s;
	size_t len;

	switch (json_object_get_type(v)) {
	case json_type_null:
		return 0;
	case json_type_object:
		if (depth == 0) {
			json_object_object_foreach(v, k, sub)
			{
				char *full = dc_printf("%s.%s", key, k);
				int rc = add_json_value(ctx, rec, full, sub, 1);

				free(full);
				if (rc)
					return rc;
			}
			return 0;
		}
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		break;
	case json_type_array:
		/* a list inside a record's object is a list too (a multivaluelist attribute:
		 * "attributes":{"hazards":["bikes","cars"]}, as dc-case prints it) when it holds
		 * plain values; one of objects or lists stays JSON text */
		if (depth == 1) {
			size_t i, n = json_object_array_length(v);

			for (i = 0; i < n; i++) {
				json_type t = json_object_get_type(json_object_array_get_idx(v, i));

				if (t == json_type_object || t == json_type_array)
					break;
			}
			if (i == n)
				depth = 0;
		}
		if (depth == 0) {
			size_t i, n = json_object_array_length(v);

			for (i = 0; i < n; i++) {
				int rc = add_json_value(ctx, rec, key, json_object_array_get_idx(v, i), 1);

				if (rc)
					return rc;
			}
			return 0;
		}
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		break;
	case json_type_boolean:
		s = json_object_get_boolean(v) ? "true" : "false";
		break;
	case json_type_string:
		s = json_object_get_string(v);
		len = (size_t)json_object_get_string_len(v);
		if (dc_text_check(ctx, s, len))
			return dc_error_prefix(ctx, "field '%s'", key);
		break;
	default:
		s = json_object_get_string(v);
	}
	return dc_args_add(rec, key, s);
}

static int
json_to_args(struct dc *ctx, struct dc_in *in, const char *text, size_t len,
             struct dc_args *rec)
{
	struct json_tokener *tok;
	json_object *obj;
	int rc = 0;

	if (!in->tok && !(in->tok = json_tokener_new_ex(64)))
		abort();
	tok = in->tok;
	json_tokener_reset(tok);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (!obj || json_tokener_get_error(tok) != json_tokener_success) {
		rc = dc_error(ctx, DC_EDATA, "invalid JSON: %s",
		              json_tokener_error_desc(json_tokener_get_error(tok)));
		goto done;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		rc = dc_error(ctx, DC_EDATA, "record is not a JSON object");
		goto done;
	}
	if (tok->char_offset < (int)len && strspn(text + tok->char_offset, " \t\r\n") !=
	                                       len - (size_t)tok->char_offset) {
		rc = dc_error(ctx, DC_EDATA, "trailing data after the JSON object");
		goto done;
	}
	json_object_object_foreach(obj, k, v)
	{
		if ((rc = add_json_value(ctx, rec, k, v, 0)))
			goto done;
	}
done:
	json_object_put(obj);
	return rc;
}

int
dc_in_open(struct dc *ctx, const char *path, struct dc_in **out)
{
	struct dc_in *in;
	int rc;
	char *p;

	if (!(in = calloc(1, sizeof *in)))
		abort();
	in->buflen = -1;
	in->reading = DC_READ_RFC; /* TSV; a CSV header decides its own */
	in->keep_raw = ctx->rejects_path != NULL;
	in->enc = encoding(ctx->encoding ? ctx->encoding : ctx->encoding_default);
	if (!strcmp(path, "-")) {
		in->fp = stdin;
		in->name = dc_strdup("-");
	} else if (!(in->fp = fopen(path, "r"))) {
		rc = dc_error(ctx, DC_ENOINPUT, "cannot open '%s': %s", path, strerror(errno));
		free(in);
		return rc;
	} else
		in->name = dc_strdup(ctx->input_name ? ctx->input_name : path);
	*out = in;
	switch (ctx->input) {
	case DC_IN_JSONL: in->mode = M_JSONL; return 0;
	case DC_IN_JSON: in->mode = M_JSON; return 0;
	case DC_IN_TSV: in->mode = M_TSV; in->text = 1; return 0;
	case DC_IN_CSV: in->mode = M_CSV; in->text = 1; return 0;
	case DC_IN_AUTO:
		/* detect from the first non-blank line: '[' array, '{' JSONL, else CSV */
		do {
			if ((rc = read_line(ctx, in)) <= 0) {
				in->mode = M_JSONL;
				return rc < 0 ? -rc : 0;
			}
			p = in->buf + strspn(in->buf, " \t\r\n");
			if (!*p)
				in->buflen = -1;
		} while (in->buflen < 0);
		in->mode = *p == '[' ? M_JSON : *p == '{' ? M_JSONL : M_CSV;
		if (in->mode == M_CSV && strchr(in->buf, '\t') && !strchr(in->buf, ',') &&
		    !strchr(in->buf, ';'))
			in->mode = M_TSV;
		/* the line that told the format was read before the encoding applied */
		if (in->mode == M_CSV || in->mode == M_TSV) {
			in->text = 1;
			if ((rc = decode_line(ctx, in)) < 0)
				return -rc;
		}
		break;
	}
	return 0;
}

static size_t
count(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* Cell I is text: UTF-8, and in a single-byte encoding no byte it leaves undefined. */
static int
cell_check(struct dc *ctx, struct dc_in *in, int i)
{
	if (!dc_text_check(ctx, in->cell[i], strlen(in->cell[i])))
		return 0;
	dc_error_clear(ctx);
	if (in->enc > E_UTF8)
		return field_error(ctx, in, i, "a byte that is not a %s character",
		                   enc_names[in->enc]);
	if (in->enc_auto)
		return field_error(ctx, in, i, "invalid UTF-8 (line %ld is UTF-8, so the file is"
		                               " not read as windows-1252; see --encoding)",
		                   in->enc_line);
	return field_error(ctx, in, i, "invalid UTF-8");
}

/* CSV and TSV: the first record is the header; its names, trimmed and mapped by ctx->columns,
 * are the records' field names.  A header that cannot be read leaves nothing readable after
 * it. */
static int
read_header(struct dc *ctx, struct dc_in *in, long *start)
{
	int rc, i;

	if (in->mode == M_CSV || in->mode == M_TSV) {
		if ((rc = read_line(ctx, in)) <= 0)
			return rc < 0 ? -rc : 0;
		*start = in->line;
		/* a byte order mark says UTF-8, which contradicts any other encoding given */
		if (in->bom && in->enc > E_UTF8) {
			in->eof = 1;
			return dc_error(ctx, DC_EDATA,
			                "the file begins with a UTF-8 byte order mark, not %s text",
			                enc_names[in->enc]);
		}
	}
	if (in->mode == M_CSV) {
		/* the German dialect is recognised by its header: more ';' than ',' */
		in->sep = ctx->excel_de || count(in->buf, ';') > count(in->buf, ',') ? ';' : ',';
		/* and so are its numbers, unless --dialect says how they are written */
		in->reading = (ctx->dialect ? ctx->excel_de : in->sep == ';') ? DC_READ_DE
		                                                              : DC_READ_RFC;
		csv_restart(in);
		rc = csv_record(ctx, in, start);
	} else
		rc = tsv_record(ctx, in, start);
	if (rc != 1) {
		in->eof = 1;
		return rc;
	}
	for (i = 0; i < in->ncell; i++) {
		char *h = in->cell[i], *t = h + strspn(h, " \t");
		size_t n = strlen(t);
		const struct dc_column *c;
		int j;

		while (n && strchr(" \t\r", t[n - 1]))
			n--;
		memmove(h, t, n);
		h[n] = '\0';
		if ((rc = cell_check(ctx, in, i))) {
			in->eof = 1;
			return rc;
		}
		for (c = ctx->columns; c && c->header && !dc_in_header_eq(h, c->header); c++)
			;
		if (!c || !c->header)
			continue;
		/* two columns for one field: which one holds the value cannot be told */
		for (j = 0; j < i; j++)
			if (!strcmp(in->cell[j], c->field)) {
				in->eof = 1;
				return field_error(ctx, in, i,
				                   "'%s' is a second column for field '%s'", h,
				                   c->field);
			}
		free(in->cell[i]);
		in->cell[i] = dc_strdup(c->field);
	}
	in->hdr = in->cell;
	in->nhdr = in->ncell;
	in->cell = NULL;
	in->ncell = in->capcell = 0;
	return 1;
}

/* The end of the input: once, the warning about quotes read as text. */
static int
in_end(struct dc *ctx, struct dc_in *in)
{
	in->eof = 1;
	if (in->nstray) {
		dc_warn(ctx, "%s:%ld: %s: a '\"' inside an unquoted field was read as text (%ld field%s"
		             " in the file had one)",
		        in->name, in->stray_line, in->stray_field, in->nstray, in->nstray == 1 ? "" : "s");
		in->nstray = 0;
	}
	return 0;
}

int
dc_in_next(struct dc *ctx, struct dc_in *in, struct dc_args *rec, long *line)
{
	int rc, i;

	dc_args_free(rec);
	if (in->eof)
		return in_end(ctx, in);
	switch (in->mode) {
	case M_IDS:
		for (;;) {
			const char *p;

			if ((rc = read_line(ctx, in)) <= 0)
				return rc < 0 ? -rc : in_end(ctx, in);
			chomp(in);
			*line = in->line;
			if (strspn(in->buf, " \t\r\n") == (size_t)in->buflen) {
				in->buflen = -1;
				continue;
			}
			raw_reset(in);
			raw_add(in, in->buf, (size_t)in->buflen);
			rc = (size_t)in->buflen != strlen(in->buf);
			in->buflen = -1;
			if (rc)
				return dc_error(ctx, DC_EDATA, "NUL byte in input");
			/* a list of ids may hold JSONL records with an id */
			p = in->buf + strspn(in->buf, " \t");
			if (*p == '{')
				rc = json_to_args(ctx, in, in->buf, strlen(in->buf), rec);
			else if (!(rc = dc_text_check(ctx, p, strlen(p))))
				dc_args_add(rec, "id", p);
			return rc ? rc : 1;
		}
	case M_JSONL:
	case M_JSON:
		if ((rc = json_element(ctx, in, line)) != 1)
			return rc == 0 ? in_end(ctx, in) : rc;
		if (in->elem_big)
			return dc_error(ctx, DC_EDATA, "record larger than 16 MiB");
		if (in->elem[0] != '{')
			return dc_error(ctx, DC_EDATA, "array element is not an object");
		if (memchr(in->elem, '\0', in->elen))
			return dc_error(ctx, DC_EDATA, "NUL byte in input");
		rc = json_to_args(ctx, in, in->elem, in->elen, rec);
		return rc ? rc : 1;
	case M_CSV:
	case M_TSV:
		if (!in->hdr && (rc = read_header(ctx, in, line)) != 1)
			return rc == 0 ? in_end(ctx, in) : rc;
		do {
			rc = in->mode == M_CSV ? csv_record(ctx, in, line) : tsv_record(ctx, in, line);
			if (rc != 1)
				return rc == 0 ? in_end(ctx, in) : rc;
		} while (in->ncell == 1 && !in->cell[0][0]); /* blank line */
		/* a delimiter at the end of every line (spreadsheet exports) is an empty column */
		if (in->ncell == in->nhdr + 1 && !in->cell[in->nhdr][0])
			free(in->cell[--in->ncell]);
		if (in->ncell > in->nhdr)
			return dc_error(ctx, DC_EDATA, "record has %d fields, the header %d", in->ncell,
			                in->nhdr);
		for (i = 0; i < in->ncell; i++) {
			if (!in->cell[i][0])
				continue; /* an empty cell is a field not given */
			if (!in->hdr[i][0])
				return field_error(ctx, in, i, "a value in a column without a name");
			if ((rc = cell_check(ctx, in, i)))
				return rc;
			dc_args_add(rec, in->hdr[i], in->cell[i]);
		}
		return 1;
	}
	return 0;
}

void
dc_in_json_field(json_object *o, const char *key, const char *val)
{
	json_object *v = json_object_new_string(val), *was;

	if (!json_object_object_get_ex(o, key, &was)) {
		json_object_object_add(o, key, v);
		return;
	}
	if (!json_object_is_type(was, json_type_array)) {
		json_object *arr = json_object_new_array();

		json_object_array_add(arr, json_object_get(was));
		json_object_object_add(o, key, arr);
		was = arr;
	}
	json_object_array_add(was, v);
}

const char *
dc_in_name(const struct dc_in *in)
{
	return in->name;
}

enum dc_reading
dc_in_reading(const struct dc_in *in)
{
	return in->mode == M_JSON || in->mode == M_JSONL ? DC_READ_JSON : in->reading;
}

void
dc_in_where(const struct dc_in *in, long long *done, long long *size)
{
	struct stat sb;
	off_t at = in->fp ? ftello(in->fp) : -1;

	*done = at < 0 ? 0 : (long long)at;
	*size = in->fp && at >= 0 && !fstat(fileno(in->fp), &sb) && S_ISREG(sb.st_mode)
	            ? (long long)sb.st_size
	            : -1;
}

void
dc_in_close(struct dc_in *in)
{
	int i;

	if (!in)
		return;
	if (in->fp && in->fp != stdin)
		fclose(in->fp);
	if (in->csv_init)
		csv_free(&in->csv);
	if (in->cd && in->cd != (iconv_t)-1)
		iconv_close(in->cd);
	free(in->conv);
	free_cells(in);
	free(in->cell);
	for (i = 0; i < in->nhdr; i++)
		free(in->hdr[i]);
	free(in->hdr);
	free(in->buf);
	free(in->elem);
	free(in->raw);
	if (in->tok)
		json_tokener_free(in->tok);
	free(in->stray_field);
	free(in->name);
	free(in);
}

json_object *
dc_in_raw(const struct dc_in *in, int *cut)
{
	if (!in->keep_raw)
		return NULL;
	*cut = in->raw_cut;
	return raw_json(in);
}

/* A list of ids: one per line, or JSONL records with an id, or CSV with an id column. */
void
dc_in_ids(struct dc *ctx, struct dc_in *in)
{
	if (ctx->input != DC_IN_AUTO)
		return;
	if (in->mode == M_JSONL || (in->mode == M_CSV && in->buflen >= 0 && !strpbrk(in->buf, ",;\"")))
		in->mode = M_IDS;
}

/* ---- XML byte guard ---- */

enum { XG_TEXT, XG_LT, XG_TAG, XG_QUOTE, XG_BANG, XG_DASH, XG_COMMENT, XG_CDATA, XG_PI, XG_DECL };

void
dc_xml_guard_init(struct dc_xml_guard *g, struct dc *ctx, const char *path, int fd)
{
	memset(g, 0, sizeof *g);
	g->ctx = ctx;
	g->path = path;
	g->fd = fd;
	g->line = 1;
}

void
dc_xml_guard_init_mem(struct dc_xml_guard *g, struct dc *ctx, const char *path, const char *mem,
                      size_t len)
{
	dc_xml_guard_init(g, ctx, path, -1);
	g->mem = mem;
	g->memlen = len;
}

/* One byte of markup.  Only what can hide a '<' or '>' is followed: quotes in tags and
 * declarations, comments, CDATA sections and processing instructions. */
static inline int
xml_guard_byte(struct dc_xml_guard *g, char c)
{
	if (c == '\n')
		g->line++;
	switch (g->state) {
	case XG_TEXT:
		if (c == '<') {
			g->state = XG_LT;
			g->tagline = g->line;
			g->taglen = 1;
			g->attrs = 0;
		}
		return 0;
	case XG_LT:
		g->state = c == '!' ? XG_BANG : c == '?' ? XG_PI : XG_TAG;
		g->match = 0;
		break;
	case XG_TAG:
		if (c == '"' || c == '\'') {
			g->quote = c;
			g->state = XG_QUOTE;
		} else if (c == '=' && ++g->attrs > DC_XML_MAX_ATTRS)
			return dc_error(g->ctx, DC_EDATA, "%s:%ld: an element with more than %d "
			                "attributes", g->path, g->tagline, DC_XML_MAX_ATTRS);
		else if (c == '>')
			g->state = XG_TEXT;
		break;
	case XG_QUOTE:
		if (c == g->quote)
			g->state = XG_TAG;
		break;
	case XG_BANG: /* "<!": a comment, a CDATA section or a declaration (DOCTYPE) */
	case XG_DASH: /* "<!-" */
		if (c == '-')
			g->state = g->state == XG_BANG ? XG_DASH : XG_COMMENT;
		else if (c == '[' && g->state == XG_BANG)
			g->state = XG_CDATA;
		else {
			g->state = XG_DECL;
			g->quote = 0;
			g->bracket = 0;
			g->line -= c == '\n';
			return xml_guard_byte(g, c);
		}
		g->match = 0;
		return 0;
	case XG_COMMENT:
		if (c == '>' && g->match >= 2)
			g->state = XG_TEXT;
		g->match = c == '-' ? g->match + 1 : 0;
		return 0;
	case XG_CDATA:
		if (c == '>' && g->match >= 2)
			g->state = XG_TEXT;
		g->match = c == ']' ? g->match + 1 : 0;
		return 0;
	case XG_PI:
		if (c == '>' && g->match)
			g->state = XG_TEXT;
		g->match = c == '?';
		return 0;
	case XG_DECL:
		if (g->quote)
			g->quote = c == g->quote ? 0 : g->quote;
		else if (c == '"' || c == '\'')
			g->quote = c;
		else if (c == '[')
			g->bracket++;
		else if (c == ']')
			g->bracket--;
		else if (c == '>' && g->bracket <= 0)
			g->state = XG_TEXT;
		return 0;
	}
	if (++g->taglen > DC_XML_MAX_TAG)
		return dc_error(g->ctx, DC_EDATA, "%s:%ld: a tag longer than %d bytes", g->path,
		                g->tagline, DC_XML_MAX_TAG);
	return 0;
}

int
dc_xml_guard_read(void *guard, char *buf, int len)
{
	struct dc_xml_guard *g = guard;
	ssize_t n;

	if (g->failed)
		return -1;
	if (g->mem) {
		n = (ssize_t)(g->memlen - g->mempos < (size_t)len ? g->memlen - g->mempos
		                                                    : (size_t)len);
		memcpy(buf, g->mem + g->mempos, (size_t)n);
		g->mempos += (size_t)n;
	} else
		while ((n = read(g->fd, buf, (size_t)len)) < 0 && errno == EINTR)
			;
	if (n < 0) {
		g->failed = 1;
		dc_error(g->ctx, DC_EIO, "%s: %s", g->path, strerror(errno));
		return -1;
	}
	for (const char *p = buf, *end = buf + n; p < end; p++) {
		/* most bytes matter only as lines and tag length: skip them a run at a time */
		if (g->state == XG_TEXT) {
			const char *lt = memchr(p, '<', (size_t)(end - p)), *stop = lt ? lt : end;

			while ((p = memchr(p, '\n', (size_t)(stop - p))))
				g->line++, p++;
			if (!lt)
				break;
			p = lt;
		} else if (g->state == XG_TAG || g->state == XG_QUOTE) {
			const char *q = p;

			if (g->state == XG_TAG)
				while (q < end && !strchr("\"'=>\n", *q))
					q++;
			else
				while (q < end && *q != g->quote && *q != '\n')
					q++;
			g->taglen += (size_t)(q - p);
			if (g->taglen > DC_XML_MAX_TAG)
				q = p; /* the byte-wise step below says so */
			if ((p = q) == end)
				break;
		}
		if (xml_guard_byte(g, *p)) {
			g->failed = 1;
			return -1;
		}
	}
	return (int)n;
}

/* What dc_xml_parse's callbacks learn while the parser runs. */
struct xml_parse {
	int doctype;
	long line;
	char msg[256];
};

static void
xml_parse_error(void *data, xmlErrorPtr e)
{
	struct xml_parse *r = ((xmlParserCtxtPtr)data)->_private;
	size_t n;

	if (r->msg[0] || e->level < XML_ERR_ERROR)
		return;
	r->line = e->line;
	snprintf(r->msg, sizeof r->msg, "%s", e->message ? e->message : "parse error");
	n = strlen(r->msg);
	while (n > 0 && (r->msg[n - 1] == '\n' || r->msg[n - 1] == ' '))
		r->msg[--n] = '\0';
}

static void
xml_parse_doctype(void *data, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	xmlParserCtxtPtr pc = data;
	struct xml_parse *r = pc->_private;

	r->doctype = 1;
	r->line = xmlSAX2GetLineNumber(pc);
	xmlStopParser(pc);
}

int
dc_xml_parse(struct dc_xml_guard *g, const char *what, struct _xmlDoc **doc)
{
	const int opts = XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOWARNING;
	struct xml_parse r = {0, 0, ""};
	xmlParserCtxtPtr pc = xmlNewParserCtxt();

	*doc = NULL;
	if (!pc)
		return dc_error(g->ctx, DC_EINTERNAL, "out of memory");
	pc->_private = &r;
	pc->sax->serror = xml_parse_error;
	pc->sax->internalSubset = xml_parse_doctype;
	*doc = xmlCtxtReadIO(pc, dc_xml_guard_read, NULL, g, NULL, NULL, opts);
	if (g->failed || r.doctype || !*doc || !pc->wellFormed) {
		xmlFreeDoc(*doc);
		*doc = NULL;
	}
	xmlFreeParserCtxt(pc);
	if (g->failed)
		return g->ctx->err;
	if (r.doctype)
		return dc_error(g->ctx, DC_EDATA,
		                "%s:%ld: a DOCTYPE, which %s never has (entities are not read)",
		                g->path, r.line, what);
	if (!*doc)
		return dc_error(g->ctx, DC_EDATA, "%s:%ld: not well-formed XML: %s", g->path, r.line,
		                r.msg[0] ? r.msg : "parse error");
	return 0;
}
