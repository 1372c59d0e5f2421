/*
 * Record output: table, jsonl, json, csv and tsv writers.  Rows stream straight to stdout;
 * only the table format holds its first rows back to size its columns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dc.h"

#define TABLE_PROBE 100 /* rows the table writer reads before fixing column widths */
#define TABLE_MAXW 40   /* widest table column, in characters */

struct dc_out {
	const struct dc_rectype *rt; /* borrowed */
	int *sel;                    /* indices of the selected fields, in output order; owned */
	int nsel;
	FILE *fp;                    /* stdout */
	long rows;                   /* rows written so far */
	char ***probe;               /* table: rows held back (nsel texts each); owned */
	int nprobe;
	int *width;                  /* table: column widths once fixed; owned */
};

static void
check_write(struct dc *ctx, FILE *fp)
{
	if (!ferror(fp))
		return;
	/* dcity(7) EXIT STATUS: a pipe reader that stopped reading is success, not an error. */
	if (errno == EPIPE)
		_exit(0);
	dc_error(ctx, DC_EIO, "write error on standard output: %s", strerror(errno));
}

/* The fields --fields chose, or all.  STAFF 0 (a login that is no staff): the staff logins
 * (DC_T_LOGIN) are left out, as if the record had no such field. */
static int
select_fields(struct dc *ctx, struct dc_out *o, int staff)
{
	const struct dc_rectype *rt = o->rt;
	char *list, *tok, *save = NULL;
	int i;

#define SHOWN(i) (staff || rt->fields[i].type != DC_T_LOGIN)
	o->sel = calloc((size_t)rt->nfields, sizeof *o->sel);
	if (!o->sel)
		abort();
	if (!ctx->fields) {
		for (i = 0; i < rt->nfields; i++)
			if (SHOWN(i))
				o->sel[o->nsel++] = i;
		return 0;
	}
	list = dc_strdup(ctx->fields);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(tok);
		int found = 0;

		for (i = 0; i < rt->nfields; i++) {
			const char *f = rt->fields[i].name;

			/* "reporter" selects reporter.name, reporter.email, … */
			if ((!strcmp(f, tok) || (!strncmp(f, tok, n) && f[n] == '.')) &&
			    o->nsel < rt->nfields && SHOWN(i)) {
				o->sel[o->nsel++] = i;
				found = 1;
			}
		}
		if (!found) {
			char valid[1024] = "";

			for (i = 0; i < rt->nfields; i++) {
				if (!SHOWN(i))
					continue;
				if (*valid)
					strncat(valid, ",", sizeof valid - strlen(valid) - 1);
				strncat(valid, rt->fields[i].name, sizeof valid - strlen(valid) - 1);
			}
			dc_error(ctx, DC_EUSAGE, "unknown field '%s' for %s records; valid fields: %s", tok,
			         rt->name, valid);
			free(list);
			return ctx->err;
		}
	}
	free(list);
	return 0;
#undef SHOWN
}

/* Does the record type have fields for the staff only? */
static int
has_staff_fields(const struct dc_rectype *rt)
{
	int i;

	for (i = 0; i < rt->nfields; i++)
		if (rt->fields[i].type == DC_T_LOGIN)
			return 1;
	return 0;
}

/* The type a field is written as: a login is text to whoever may see it. */
static enum dc_type
written_as(enum dc_type t)
{
	return t == DC_T_LOGIN ? DC_T_STR : t;
}

static void
put_json_str(FILE *fp, const char *s)
{
	const unsigned char *p;

	putc_unlocked('"', fp);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		default:
			if (*p < 0x20)
				fprintf(fp, "\\u%04x", *p);
			else
				putc_unlocked(*p, fp);
		}
	}
	putc_unlocked('"', fp);
}

/* Money and booleans in their printed form; other types as stored.  buf holds ≥ 32.
 * DECIMAL_COMMA: 1 excel-de, 0 other text formats, -1 JSON. */
static const char *
printable(enum dc_type t, const char *v, char *buf, int decimal_comma)
{
	if (!v)
		return NULL;
	if (t == DC_T_MONEY || t == DC_T_PRICE) {
		/* a price keeps two decimals where people read it, none it does not need in JSON */
		int keep = t == DC_T_MONEY ? 2 : decimal_comma < 0 ? 0 : 2;

		dc_num_fmt(strtoll(v, NULL, 10), t == DC_T_MONEY ? 2 : 4, keep,
		           decimal_comma > 0 ? ',' : '.', buf);
		return buf;
	}
	if (t == DC_T_BOOL)
		return strcmp(v, "0") && strcmp(v, "false") ? "true" : "false";
	if (t == DC_T_REAL && decimal_comma > 0 && strchr(v, '.')) {
		snprintf(buf, 32, "%s", v);
		*strchr(buf, '.') = ',';
		return buf;
	}
	return v;
}

static void
write_json(struct dc_out *o, const char *const *vals)
{
	const struct dc_field *f = o->rt->fields;
	const char *open = NULL; /* the nested object being written: its first member's name */
	size_t openlen = 0;
	int i, first = 1;
	char buf[32];

	putc_unlocked('{', o->fp);
	for (i = 0; i < o->nsel; i++) {
		const struct dc_field *fd = &f[o->sel[i]];
		const char *v = vals[o->sel[i]], *dot = strchr(fd->name, '.'), *key = fd->name;
		size_t plen = dot ? (size_t)(dot - fd->name) : 0;

		if (open && (plen != openlen || strncmp(fd->name, open, openlen))) {
			putc_unlocked('}', o->fp);
			open = NULL;
		}
		if (dot && !open) {
			if (!first)
				putc_unlocked(',', o->fp);
			fprintf(o->fp, "\"%.*s\":{", (int)plen, fd->name);
			open = fd->name;
			openlen = plen;
			first = 1;
		}
		if (dot)
			key = dot + 1;
		if (!first)
			putc_unlocked(',', o->fp);
		first = 0;
		put_json_str(o->fp, key);
		putc_unlocked(':', o->fp);
		if (!v || (!*v && written_as(fd->type) != DC_T_STR))
			fputs("null", o->fp);
		else if (written_as(fd->type) == DC_T_STR)
			put_json_str(o->fp, v);
		else
			fputs(printable(fd->type, v, buf, -1), o->fp);
	}
	if (open)
		putc_unlocked('}', o->fp);
	putc_unlocked('}', o->fp);
}

/* An instant as this program writes them (2026-03-10T13:30:00Z) becomes local time in the
 * form a German Excel reads as a date and time (10.03.2026 14:30) rather than as text. */
static const char *
excel_time(struct dc *ctx, const char *v, char buf[32])
{
	struct tm tm;
	time_t t;

	if (strlen(v) != 20 || v[4] != '-' || v[10] != 'T' || v[19] != 'Z' ||
	    dc_parse_time(v, &t) < 0)
		return v;
	dc_local_tm(ctx, t, &tm);
	strftime(buf, 32, "%d.%m.%Y %H:%M", &tm);
	return buf;
}

static void
write_csv_cell(struct dc *ctx, FILE *fp, enum dc_type t, const char *v, char sep)
{
	char buf[32];
	const char *p;
	int quote = 0, neutral = 0;

	if (!(v = printable(t, v, buf, ctx->excel_de)))
		return;
	t = written_as(t);
	if (ctx->excel_de && t == DC_T_STR)
		v = excel_time(ctx, v, buf);
	/* Excel runs cells that start with these as formulas (CSV injection). */
	if (ctx->excel_de && t == DC_T_STR && strchr("=+-@\t\r", v[0]) && v[0])
		neutral = 1;
	for (p = v; *p && !quote; p++)
		quote = *p == sep || *p == '"' || *p == '\n' || *p == '\r';
	if (!quote && !neutral) {
		fputs(v, fp);
		return;
	}
	putc_unlocked('"', fp);
	if (neutral)
		putc_unlocked('\'', fp);
	for (p = v; *p; p++) {
		if (*p == '"')
			putc_unlocked('"', fp);
		putc_unlocked(*p, fp);
	}
	putc_unlocked('"', fp);
}

static void
write_tsv_cell(FILE *fp, enum dc_type t, const char *v)
{
	char buf[32];

	if (!(v = printable(t, v, buf, 0)))
		return;
	for (; *v; v++) {
		switch (*v) {
		case '\t': fputs("\\t", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\\': fputs("\\\\", fp); break;
		default: putc_unlocked(*v, fp);
		}
	}
}

static void
write_delimited(struct dc *ctx, struct dc_out *o, const char *const *vals)
{
	int i;
	char sep = ctx->format == DC_FMT_TSV ? '\t' : ctx->excel_de ? ';' : ',';

	for (i = 0; i < o->nsel; i++) {
		const struct dc_field *fd = &o->rt->fields[o->sel[i]];

		if (i)
			putc_unlocked(sep, o->fp);
		if (!vals)
			(ctx->format == DC_FMT_TSV ? write_tsv_cell(o->fp, DC_T_STR, fd->name)
			                           : write_csv_cell(ctx, o->fp, DC_T_STR, fd->name, sep));
		else if (ctx->format == DC_FMT_TSV)
			write_tsv_cell(o->fp, fd->type, vals[o->sel[i]]);
		else
			write_csv_cell(ctx, o->fp, fd->type, vals[o->sel[i]], sep);
	}
	fputs(ctx->excel_de && ctx->format == DC_FMT_CSV ? "\r\n" : "\n", o->fp);
}

/* Display width in characters of UTF-8 text (one column per code point). */
static int
width(const char *s)
{
	int w = 0;

	for (; s && *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void
table_cell(FILE *fp, const char *s, int w, int last)
{
	int n = 0;

	for (; s && *s; s++) {
		int start = ((unsigned char)*s & 0xc0) != 0x80;

		if (start && n == w - 1 && width(s) > 1) {
			fputs("…", fp);
			n++;
			break;
		}
		if (start)
			n++;
		putc_unlocked(*s == '\n' || *s == '\t' ? ' ' : *s, fp);
	}
	if (!last)
		for (; n < w + 2; n++)
			putc_unlocked(' ', fp);
}

static void
table_row(struct dc_out *o, char **texts)
{
	int i;

	for (i = 0; i < o->nsel; i++)
		table_cell(o->fp, texts[i], o->width[i], i + 1 == o->nsel);
	putc_unlocked('\n', o->fp);
}

static void
table_flush(struct dc_out *o)
{
	int i, j;
	char **hdr;

	o->width = calloc((size_t)o->nsel, sizeof *o->width);
	hdr = calloc((size_t)o->nsel, sizeof *hdr);
	if (!o->width || !hdr)
		abort();
	for (i = 0; i < o->nsel; i++) {
		char *h = dc_strdup(o->rt->fields[o->sel[i]].name), *p;

		for (p = h; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p -= 32;
		hdr[i] = h;
		o->width[i] = width(h);
		for (j = 0; j < o->nprobe; j++)
			if (width(o->probe[j][i]) > o->width[i])
				o->width[i] = width(o->probe[j][i]);
		if (o->width[i] > TABLE_MAXW)
			o->width[i] = TABLE_MAXW;
	}
	table_row(o, hdr);
	for (i = 0; i < o->nsel; i++)
		free(hdr[i]);
	free(hdr);
	for (j = 0; j < o->nprobe; j++) {
		table_row(o, o->probe[j]);
		for (i = 0; i < o->nsel; i++)
			free(o->probe[j][i]);
		free(o->probe[j]);
	}
	free(o->probe);
	o->probe = NULL;
	o->nprobe = 0;
}

static char **
table_texts(struct dc_out *o, const char *const *vals)
{
	char **t = calloc((size_t)o->nsel, sizeof *t), buf[32];
	int i;

	if (!t)
		abort();
	for (i = 0; i < o->nsel; i++) {
		const struct dc_field *fd = &o->rt->fields[o->sel[i]];
		const char *v = printable(fd->type, vals[o->sel[i]], buf, 0);

		/* a table is read on a terminal: a control character still stored (from before
		 * input refused them) is shown, not obeyed; newlines and tabs print as spaces */
		t[i] = dc_text_escaped(v ? v : "", 1);
	}
	return t;
}

int
dc_out_text(struct dc *ctx, const char *text)
{
	char *shown = isatty(STDOUT_FILENO) ? dc_text_escaped(text, 1) : NULL;

	fputs(shown ? shown : text, stdout);
	free(shown);
	check_write(ctx, stdout);
	return ctx->err;
}

void
dc_out_discard(struct dc *ctx)
{
	struct dc_out *o = ctx->out;
	int i, j;

	if (!o)
		return;
	for (j = 0; j < o->nprobe; j++) {
		for (i = 0; i < o->nsel; i++)
			free(o->probe[j][i]);
		free(o->probe[j]);
	}
	free(o->probe);
	free(o->sel);
	free(o->width);
	free(o);
	ctx->out = NULL;
}

int
dc_out_check(struct dc *ctx, const struct dc_rectype *rt)
{
	struct dc_out o = {0};
	int rc;

	/* before the database is open the role is not known: a staff-only field passes here and
	 * is refused to others by dc_out_begin */
	o.rt = rt;
	rc = select_fields(ctx, &o, 1);
	free(o.sel);
	return rc;
}

int
dc_out_begin(struct dc *ctx, const struct dc_rectype *rt)
{
	struct dc_out *o;

	if (!(o = calloc(1, sizeof *o)))
		abort();
	o->rt = rt;
	o->fp = stdout;
	ctx->out = o;
	ctx->nrows = 0;
	if (select_fields(ctx, o, !has_staff_fields(rt) || dc_has_role(ctx, DC_STAFF))) {
		dc_out_discard(ctx);
		return ctx->err;
	}
	if (ctx->quiet)
		return 0;
	if (ctx->format == DC_FMT_CSV && ctx->excel_de)
		fputs("\xef\xbb\xbf", o->fp);
	if ((ctx->format == DC_FMT_CSV || ctx->format == DC_FMT_TSV) && !ctx->no_header)
		write_delimited(ctx, o, NULL);
	if (ctx->format == DC_FMT_JSON)
		putc_unlocked('[', o->fp);
	return 0;
}

int
dc_out_row(struct dc *ctx, const char *const *vals)
{
	struct dc_out *o = ctx->out;

	if (ctx->quiet) {
		fputs(vals[0] ? vals[0] : "", o->fp);
		putc_unlocked('\n', o->fp);
	} else
		switch (ctx->format) {
		case DC_FMT_JSONL:
			write_json(o, vals);
			putc_unlocked('\n', o->fp);
			break;
		case DC_FMT_JSON:
			if (o->rows)
				putc_unlocked(',', o->fp);
			fputs("\n", o->fp);
			write_json(o, vals);
			break;
		case DC_FMT_CSV:
		case DC_FMT_TSV:
			write_delimited(ctx, o, vals);
			break;
		case DC_FMT_TABLE:
			if (!o->width) {
				o->probe = realloc(o->probe, (size_t)(o->nprobe + 1) * sizeof *o->probe);
				if (!o->probe)
					abort();
				o->probe[o->nprobe++] = table_texts(o, vals);
				if (o->nprobe == TABLE_PROBE)
					table_flush(o);
			} else {
				char **t = table_texts(o, vals);
				int i;

				table_row(o, t);
				for (i = 0; i < o->nsel; i++)
					free(t[i]);
				free(t);
			}
			break;
		}
	o->rows++;
	ctx->nrows++;
	check_write(ctx, o->fp);
	return ctx->err;
}

int
dc_out_stmt(struct dc *ctx, struct dc_stmt *st)
{
	const char *vals[64];
	int i, n = ctx->out->rt->nfields;

	for (i = 0; i < n && i < 64; i++)
		vals[i] = dc_col_text(st, i);
	return dc_out_row(ctx, vals);
}

int
dc_out_end(struct dc *ctx)
{
	struct dc_out *o = ctx->out;
	int rc;

	if (!o)
		return ctx->err;
	if (!ctx->quiet) {
		if (ctx->format == DC_FMT_JSON)
			fputs(o->rows ? "\n]\n" : "]\n", o->fp);
		if (ctx->format == DC_FMT_TABLE && !o->width && o->nprobe)
			table_flush(o);
	}
	fflush(o->fp);
	check_write(ctx, o->fp);
	dc_out_discard(ctx);
	rc = ctx->err;
	if (!rc && ctx->exit_status && ctx->nrows == 0)
		rc = DC_EPROBLEM;
	return rc;
}

int
dc_out_query(struct dc *ctx, const struct dc_rectype *rt, struct dc_stmt *st)
{
	struct dc_meter m;
	long long n = 0;
	int rc, began = 0;

	/* a long export to a file or a pipe shows its progress on the terminal */
	dc_meter_begin(&m, rt->name, "records", 1);
	/* in a transaction of its own, a query streams its rows on PostgreSQL too (a cursor) */
	if ((rc = dc_read_begin(ctx, &began)) || (rc = dc_out_begin(ctx, rt)))
		goto done;
	while ((rc = dc_step(ctx, st)) == DC_ROW) {
		if ((rc = dc_out_stmt(ctx, st)))
			goto done;
		dc_meter_tick(ctx, &m, ++n, 0, -1);
	}
	if (rc == 0)
		rc = dc_out_end(ctx);
done:
	dc_meter_end(ctx, &m, n, 0, -1); /* the line ends before an error's message */
	if (rc)
		dc_out_discard(ctx);
	dc_finish(ctx, st);
	dc_read_end(ctx, began);
	return rc;
}

int
dc_out_list(struct dc *ctx, const struct dc_rectype *rt, int rc, struct dc_stmt **st)
{
	if (rc) {
		dc_finish(ctx, *st);
		return rc;
	}
	return dc_out_query(ctx, rt, *st);
}

int
dc_out_one(struct dc *ctx, int rc, struct dc_stmt **st, const char *what, const char *id)
{
	if (!rc && (rc = dc_step(ctx, *st)) == DC_ROW)
		rc = dc_out_stmt(ctx, *st);
	else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no %s '%s'", what, id);
	dc_finish(ctx, *st);
	return rc;
}

int
dc_out_show(struct dc *ctx, struct dc_args *a, const struct dc_rectype *rt, dc_show_fn show)
{
	int rc, i;

	if (a->noperand < 1)
		return dc_error(ctx, DC_EUSAGE, "which record? give its id");
	if ((rc = dc_out_check(ctx, rt)) || (rc = dc_db_open(ctx)) || (rc = dc_out_begin(ctx, rt)))
		return rc;
	for (i = 0; i < a->noperand && !rc; i++)
		rc = show(ctx, a->operand[i], NULL);
	return rc ? rc : dc_out_end(ctx); /* on an error dc_free drops the unfinished writer */
}
