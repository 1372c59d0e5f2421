/*
 * Record input: JSONL, a JSON array (streamed element by element), CSV (libcsv; RFC 4180 or
 * the German ';' dialect, BOM and CRLF tolerated) and TSV; and the bulk driver that applies a
 * verb to every record in one transaction.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#include "core/dc.h"

#define MAX_FIELD (1 << 20)      /* SPEC §1.2: longer fields are data errors */
#define MAX_RECORD (16 << 20)    /* a JSON record larger than this is refused */

enum in_mode { M_JSONL, M_JSON, M_CSV, M_TSV, M_IDS };

struct dc_in {
	char *name;          /* "cases.csv" or "-" shown in messages; owned */
	FILE *fp;            /* input stream; closed unless stdin */
	enum in_mode mode;
	long line;           /* lines read so far */
	char *buf;           /* current line (getline); owned */
	size_t bufcap;
	ssize_t buflen;      /* length of the pending line, -1 when none is pending */
	/* CSV */
	struct csv_parser csv;
	int csv_init;
	char **hdr;          /* header names; owned */
	int nhdr;
	char **cell;         /* cells of the record being parsed; owned */
	int ncell, capcell;
	int rec_done;        /* a record is complete */
	const char *cell_err; /* why the first bad cell (NUL byte, too long) is bad, or NULL */
	int cell_bad;        /* that cell's index */
	/* JSON array */
	int started, ended;  /* '[' seen, ']' seen */
	char *elem;          /* bytes of the element being collected; owned */
	size_t elen, ecap;
};

int
dc_text_check(struct dc *ctx, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	if (len > MAX_FIELD)
		return dc_error(ctx, DC_EDATA, "field longer than 1 MiB");
	while (p < end) {
		int n;
		unsigned c = *p;

		if (c == 0)
			return dc_error(ctx, DC_EDATA, "NUL byte in input");
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return dc_error(ctx, DC_EDATA, "invalid UTF-8");
		if (end - p <= n)
			return dc_error(ctx, DC_EDATA, "invalid UTF-8");
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
		    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
			return dc_error(ctx, DC_EDATA, "invalid UTF-8");
		for (p++; n; n--, p++)
			if ((*p & 0xc0) != 0x80)
				return dc_error(ctx, DC_EDATA, "invalid UTF-8");
	}
	return 0;
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
			return -dc_error(ctx, DC_EIO, "%s: read error: %s", in->name, strerror(errno));
		return 0;
	}
	in->line++;
	if (in->line == 1 && in->buflen >= 3 && !memcmp(in->buf, "\xef\xbb\xbf", 3)) {
		memmove(in->buf, in->buf + 3, (size_t)in->buflen - 2);
		in->buflen -= 3;
	}
	return 1;
}

static void
chomp(struct dc_in *in)
{
	while (in->buflen > 0 && (in->buf[in->buflen - 1] == '\n' || in->buf[in->buflen - 1] == '\r'))
		in->buf[--in->buflen] = '\0';
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
}

/* Parse lines until one CSV record is complete: 1, 0 at the end, or an error. */
static int
csv_record(struct dc *ctx, struct dc_in *in, long *start)
{
	int rc;

	free_cells(in);
	*start = 0;
	while (!in->rec_done) {
		if ((rc = read_line(ctx, in)) < 0)
			return -rc;
		if (rc == 0) {
			/* strict: a quoted field still open at the end of the input is an error */
			if (csv_fini(&in->csv, cell_cb, record_cb, in) != 0)
				return dc_error(ctx, DC_EDATA, "%s:%ld: quoted field not closed before the end",
				                in->name, *start ? *start : in->line);
			if (!in->rec_done)
				return 0;
			break;
		}
		if (!*start)
			*start = in->line;
		if (csv_parse(&in->csv, in->buf, (size_t)in->buflen, cell_cb, record_cb, in) !=
		    (size_t)in->buflen)
			return dc_error(ctx, DC_EDATA, "%s:%ld: %s", in->name, in->line,
			                csv_strerror(csv_error(&in->csv)));
		in->buflen = -1;
	}
	if (in->cell_err && in->hdr && in->cell_bad < in->nhdr)
		return dc_error(ctx, DC_EDATA, "%s:%ld: field '%s': %s", in->name, *start,
		                in->hdr[in->cell_bad], in->cell_err);
	if (in->cell_err)
		return dc_error(ctx, DC_EDATA, "%s:%ld: %s", in->name, *start, in->cell_err);
	return 1;
}

static int
tsv_record(struct dc *ctx, struct dc_in *in, long *start)
{
	char *p, *q, *cellstart;
	int rc;

	free_cells(in);
	do {
		if ((rc = read_line(ctx, in)) <= 0)
			return rc < 0 ? -rc : 0;
		chomp(in);
		in->buflen = in->buflen == 0 ? -1 : in->buflen;
	} while (in->buflen < 0);
	*start = in->line;
	/* the cells are split at NUL below: one inside would cut a value short unseen */
	if (strlen(in->buf) != (size_t)in->buflen) {
		in->buflen = -1;
		return dc_error(ctx, DC_EDATA, "%s:%ld: NUL byte in input", in->name, *start);
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

/* Collect the next element of a JSON array; 1 = in->elem holds it, 0 = end of array. */
static int
json_element(struct dc *ctx, struct dc_in *in, long *start)
{
	int depth = 0, instr = 0, esc = 0;

	in->elen = 0;
	*start = 0;
	for (;;) {
		int rc = read_line(ctx, in);
		ssize_t i;

		if (rc < 0)
			return -rc;
		if (rc == 0) {
			if (!in->ended || depth)
				return dc_error(ctx, DC_EDATA, "%s:%ld: unexpected end of JSON array", in->name,
				                in->line);
			return 0;
		}
		for (i = 0; i < in->buflen; i++) {
			char c = in->buf[i];

			if (depth == 0) {
				if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',')
					continue;
				if (!in->started && c == '[') {
					in->started = 1;
					continue;
				}
				if (in->started && !in->ended && c == ']') {
					in->ended = 1;
					continue;
				}
				if (!in->started || in->ended)
					return dc_error(ctx, DC_EDATA, "%s:%ld: not a JSON array of records",
					                in->name, in->line);
				if (c != '{')
					return dc_error(ctx, DC_EDATA, "%s:%ld: array element is not an object",
					                in->name, in->line);
				*start = in->line;
			}
			if (in->elen + 2 > in->ecap) {
				if (in->ecap > MAX_RECORD)
					return dc_error(ctx, DC_EDATA, "%s:%ld: record larger than 16 MiB",
					                in->name, *start);
				in->ecap = in->ecap ? in->ecap * 2 : 4096;
				if (!(in->elem = realloc(in->elem, in->ecap)))
					abort();
			}
			in->elem[in->elen++] = c;
			if (instr) {
				if (esc)
					esc = 0;
				else if (c == '\\')
					esc = 1;
				else if (c == '"')
					instr = 0;
			} else if (c == '"')
				instr = 1;
			else if (c == '{' || c == '[')
				depth++;
			else if ((c == '}' || c == ']') && --depth == 0) {
				in->elem[in->elen] = '\0';
				/* keep the rest of this line for the next element */
				memmove(in->buf, in->buf + i + 1, (size_t)(in->buflen - i));
				in->buflen -= i + 1;
				return 1;
			}
		}
		in->buflen = -1;
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
json_to_args(struct dc *ctx, struct dc_in *in, const char *text, size_t len, long line,
             struct dc_args *rec)
{
	struct json_tokener *tok = json_tokener_new_ex(64);
	json_object *obj;
	int rc = 0;

	if (!tok)
		abort();
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (!obj || json_tokener_get_error(tok) != json_tokener_success) {
		rc = dc_error(ctx, DC_EDATA, "%s:%ld: invalid JSON: %s", in->name, line,
		              json_tokener_error_desc(json_tokener_get_error(tok)));
		goto done;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		rc = dc_error(ctx, DC_EDATA, "%s:%ld: record is not a JSON object", in->name, line);
		goto done;
	}
	if (tok->char_offset < (int)len && strspn(text + tok->char_offset, " \t\r\n") !=
	                                       len - (size_t)tok->char_offset) {
		rc = dc_error(ctx, DC_EDATA, "%s:%ld: trailing data after the JSON object", in->name, line);
		goto done;
	}
	json_object_object_foreach(obj, k, v)
	{
		if ((rc = add_json_value(ctx, rec, k, v, 0))) {
			dc_error_prefix(ctx, "%s:%ld", in->name, line);
			goto done;
		}
	}
done:
	json_object_put(obj);
	json_tokener_free(tok);
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
	case DC_IN_TSV: in->mode = M_TSV; return 0;
	case DC_IN_CSV: in->mode = M_CSV; break;
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

/* CSV and TSV: the first record is the header; its names are the records' field names. */
static int
read_header(struct dc *ctx, struct dc_in *in)
{
	char sep = ',';
	long start;
	int rc, i;

	if (in->mode == M_CSV) {
		if ((rc = read_line(ctx, in)) <= 0)
			return rc < 0 ? -rc : 0;
		/* the German dialect is recognised by its header: more ';' than ',' */
		if (ctx->excel_de || count(in->buf, ';') > count(in->buf, ','))
			sep = ';';
		if (csv_init(&in->csv, CSV_STRICT | CSV_APPEND_NULL | CSV_STRICT_FINI))
			abort();
		in->csv_init = 1;
		csv_set_delim(&in->csv, (unsigned char)sep);
		rc = csv_record(ctx, in, &start);
	} else
		rc = tsv_record(ctx, in, &start);
	if (rc != 1)
		return rc;
	in->hdr = in->cell;
	in->nhdr = in->ncell;
	for (i = 0; i < in->nhdr; i++) {
		char *h = in->hdr[i];
		size_t n = strlen(h);

		while (n && (h[n - 1] == ' ' || h[n - 1] == '\r'))
			h[--n] = '\0';
	}
	in->cell = NULL;
	in->ncell = in->capcell = 0;
	return 1;
}

int
dc_in_next(struct dc *ctx, struct dc_in *in, struct dc_args *rec, long *line)
{
	int rc, i;

	dc_args_free(rec);
	switch (in->mode) {
	case M_IDS:
		do {
			if ((rc = read_line(ctx, in)) <= 0)
				return rc < 0 ? -rc : 0;
			chomp(in);
			*line = in->line;
			if (in->buflen == 0 || strspn(in->buf, " \t") == (size_t)in->buflen) {
				in->buflen = -1;
				continue;
			}
			if (in->buf[strspn(in->buf, " \t")] == '{') {
				rc = json_to_args(ctx, in, in->buf, (size_t)in->buflen, in->line, rec);
				in->buflen = -1;
				return rc ? rc : 1;
			}
			if ((rc = dc_text_check(ctx, in->buf, (size_t)in->buflen)))
				return dc_error_prefix(ctx, "%s:%ld", in->name, in->line);
			dc_args_add(rec, "id", in->buf + strspn(in->buf, " \t"));
			in->buflen = -1;
			return 1;
		} while (1);
	case M_JSONL:
		for (;;) {
			if ((rc = read_line(ctx, in)) <= 0)
				return rc < 0 ? -rc : 0;
			*line = in->line;
			if (strspn(in->buf, " \t\r\n") == (size_t)in->buflen) {
				in->buflen = -1;
				continue;
			}
			if ((size_t)in->buflen != strlen(in->buf)) {
				in->buflen = -1;
				return dc_error(ctx, DC_EDATA, "%s:%ld: NUL byte in input", in->name, *line);
			}
			rc = json_to_args(ctx, in, in->buf, (size_t)in->buflen, in->line, rec);
			in->buflen = -1;
			return rc ? rc : 1;
		}
	case M_JSON:
		if ((rc = json_element(ctx, in, line)) != 1)
			return rc;
		rc = json_to_args(ctx, in, in->elem, in->elen, *line, rec);
		return rc ? rc : 1;
	case M_CSV:
	case M_TSV:
		if (!in->hdr && (rc = read_header(ctx, in)) != 1)
			return rc;
		do {
			rc = in->mode == M_CSV ? csv_record(ctx, in, line) : tsv_record(ctx, in, line);
			if (rc != 1)
				return rc;
		} while (in->ncell == 1 && !in->cell[0][0]); /* blank line */
		if (in->ncell > in->nhdr)
			return dc_error(ctx, DC_EDATA, "%s:%ld: record has %d fields, the header %d",
			                in->name, *line, in->ncell, in->nhdr);
		for (i = 0; i < in->ncell; i++) {
			if (!in->cell[i][0])
				continue; /* an empty cell is a field not given */
			if (dc_text_check(ctx, in->cell[i], strlen(in->cell[i])))
				return dc_error_prefix(ctx, "%s:%ld: field '%s'", in->name, *line, in->hdr[i]);
			dc_args_add(rec, in->hdr[i], in->cell[i]);
		}
		return 1;
	}
	return 0;
}

const char *
dc_in_name(const struct dc_in *in)
{
	return in->name;
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
	free_cells(in);
	free(in->cell);
	for (i = 0; i < in->nhdr; i++)
		free(in->hdr[i]);
	free(in->hdr);
	free(in->buf);
	free(in->elem);
	free(in->name);
	free(in);
}

/* ---- bulk ---- */

static void
write_reject(struct dc *ctx, struct dc_args *rec, const char *src, long line, const char *err)
{
	json_object *o, *r;
	int i;

	if (!ctx->rejects_path)
		return;
	if (!ctx->rejects && !(ctx->rejects = fopen(ctx->rejects_path, "w"))) {
		dc_warn(ctx, "cannot create '%s': %s", ctx->rejects_path, strerror(errno));
		return;
	}
	o = json_object_new_object();
	r = json_object_new_object();
	for (i = 0; i < rec->n; i++)
		json_object_object_add(r, rec->keys[i], json_object_new_string(rec->vals[i]));
	json_object_object_add(o, "source", json_object_new_string(src));
	json_object_object_add(o, "line", json_object_new_int64(line));
	json_object_object_add(o, "error", json_object_new_string(err));
	json_object_object_add(o, "record", r);
	fprintf(ctx->rejects, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static int
check_keys(struct dc *ctx, struct dc_args *rec, const char *opts)
{
	int i;

	for (i = 0; opts && i < rec->n; i++)
		if (!dc_opts_allow(opts, rec->keys[i], NULL))
			return dc_error(ctx, DC_EDATA, "unknown field '%s'", rec->keys[i]);
	return 0;
}

int
dc_apply_record(struct dc *ctx, struct dc_args *rec, const char *opts, dc_bulk_fn fn, void *arg)
{
	int rc;

	if (ctx->keep_going && (rc = dc_savepoint(ctx, "SAVEPOINT")))
		return rc;
	rc = check_keys(ctx, rec, opts);
	if (!rc)
		rc = fn(ctx, rec, arg);
	if (!ctx->keep_going || !rc)
		return rc || !ctx->keep_going ? rc : dc_savepoint(ctx, "RELEASE");
	/* keep going: undo this record, report it, remember the first failure */
	if (rc == DC_EBUSY || rc == DC_EIO || rc == DC_EINTERNAL)
		return rc;
	dc_print_error(ctx);
	write_reject(ctx, rec, ctx->cursrc ? ctx->cursrc : "", ctx->curline, ctx->errmsg);
	ctx->err = 0;
	ctx->errmsg[0] = '\0';
	ctx->nrejected++;
	if (!ctx->partial)
		ctx->partial = rc;
	if ((rc = dc_savepoint(ctx, "ROLLBACK TO")) || (rc = dc_savepoint(ctx, "RELEASE")))
		return rc;
	return 0;
}

/* Apply fn to every record of an open reader; stops at the first failure unless --keep-going. */
static int
feed(struct dc *ctx, struct dc_in *in, const char *opts, dc_bulk_fn fn, void *arg)
{
	struct dc_args rec = {0};
	long line = 0, n = 0;
	time_t shown = time(NULL);
	int rc, tty = isatty(STDERR_FILENO);

	for (;;) {
		/* SPEC §1.2: long runs show progress on a terminal, never on a pipe */
		if (tty && (++n & 1023) == 0 && time(NULL) - shown >= 2) {
			shown = time(NULL);
			fprintf(stderr, "\r%s: %s: %ld records", ctx->prog, in->name, n);
		}
		rc = dc_in_next(ctx, in, &rec, &line);
		if (rc == 0)
			break;
		if (rc != 1) {
			/* an unreadable record: under --keep-going skip it, else stop */
			if (!ctx->keep_going || rc == DC_EIO)
				break;
			dc_print_error(ctx);
			write_reject(ctx, &rec, in->name, line, ctx->errmsg);
			ctx->nrejected++;
			if (!ctx->partial)
				ctx->partial = rc;
			ctx->err = 0;
			ctx->errmsg[0] = '\0';
			continue;
		}
		free(ctx->cursrc);
		ctx->cursrc = dc_strdup(in->name);
		ctx->curline = line;
		if ((rc = dc_apply_record(ctx, &rec, opts, fn, arg)))
			break;
		free(ctx->cursrc);
		ctx->cursrc = NULL;
	}
	if (tty && n >= 1024)
		fputc('\n', stderr);
	dc_args_free(&rec);
	return rc;
}

/* A list of ids: one per line, or JSONL records with an id, or CSV with an id column. */
static void
ids_mode(struct dc *ctx, struct dc_in *in)
{
	if (ctx->input != DC_IN_AUTO)
		return;
	if (in->mode == M_JSONL || (in->mode == M_CSV && in->buflen >= 0 && !strpbrk(in->buf, ",;\"")))
		in->mode = M_IDS;
}

int
dc_bulk(struct dc *ctx, const char *path, const char *opts, int ids_ok, dc_bulk_fn fn,
        void *arg)
{
	struct dc_in *in = NULL;
	int rc;

	if ((rc = dc_in_open(ctx, path, &in)))
		goto done;
	if (ids_ok)
		ids_mode(ctx, in);
	if ((rc = dc_tx_begin(ctx)))
		goto done;
	rc = dc_tx_end(ctx, feed(ctx, in, opts, fn, arg));
done:
	dc_in_close(in);
	return rc;
}

struct each {
	int (*fn)(struct dc *, const char *, struct dc_args *);
	struct dc_args *verb_args;
};

static int
each_record(struct dc *ctx, struct dc_args *rec, void *arg)
{
	struct each *e = arg;
	const char *id = dc_arg(rec, "id");

	if (!id)
		return dc_error(ctx, DC_EDATA, "record has no 'id'");
	return e->fn(ctx, id, e->verb_args);
}

int
dc_each_id(struct dc *ctx, struct dc_args *a,
           int (*fn)(struct dc *, const char *id, struct dc_args *a), struct dc_args *verb_args)
{
	struct each e = {fn, verb_args};
	struct dc_args rec = {0};
	int i, rc, stdin_seen = 0;

	if (a->noperand == 0)
		return dc_error(ctx, DC_EUSAGE, "no ids given (use - to read them from stdin)");
	if ((rc = dc_tx_begin(ctx)))
		return rc;
	for (i = 0; i < a->noperand && !rc; i++) {
		if (!strcmp(a->operand[i], "-")) {
			struct dc_in *in = NULL;

			if (stdin_seen++ || (rc = dc_in_open(ctx, "-", &in)))
				continue;
			ids_mode(ctx, in);
			rc = feed(ctx, in, NULL, each_record, &e);
			dc_in_close(in);
			continue;
		}
		dc_args_free(&rec);
		dc_args_add(&rec, "id", a->operand[i]);
		rc = dc_apply_record(ctx, &rec, NULL, each_record, &e);
	}
	dc_args_free(&rec);
	return dc_tx_end(ctx, rc);
}
