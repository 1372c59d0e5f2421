/* Typed input specs: decoding a verb's options or a record's fields by one table, the option
 * string and usage line the table gives the verb, and listings' queries built from the
 * filters given (dc.h "typed input specs", docs/architecture.md). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/dc.h"

/* ---- the table ------------------------------------------------------------------------- */

const struct dc_opt *
dc_spec_find(const struct dc_opt *spec, const char *name)
{
	for (; spec && spec->name; spec++)
		if (!strcmp(spec->name, name) || (spec->alias && !strcmp(spec->alias, name)))
			return spec;
	return NULL;
}

/* Is WORD one of the space-separated VALUES? */
static int
one_of(const char *values, const char *word, size_t len)
{
	const char *p = values;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (n == len && !strncmp(p, word, len))
			return 1;
		p += n;
		p += strspn(p, " ");
	}
	return 0;
}

/* The allowed values as "a, b or c" for a message. */
static char *
values_text(const char *values)
{
	char *s = malloc(strlen(values) * 2 + 8), *at = s;
	const char *p = values;
	int i = 0, n = 0;

	if (!s)
		abort();
	for (p = values; *p; p += strspn(p, " "), n++)
		p += strcspn(p, " ");
	for (p = values; *p; i++) {
		size_t len = strcspn(p, " ");

		at += sprintf(at, "%s%.*s", !i ? "" : i == n - 1 ? " or " : ", ", (int)len, p);
		p += len;
		p += strspn(p, " ");
	}
	return s;
}

/* "LO..HI" (split at "..": "%lf..%lf" would read "-90." as the first number) */
static void
range(const char *values, double *lo, double *hi)
{
	const char *dots = strstr(values, "..");

	*lo = strtod(values, NULL);
	*hi = dots ? strtod(dots + 2, NULL) : 0;
}

/* A number out of form or range: the message names the range when there is one. */
static int
bad_number(struct dc *ctx, const struct dc_opt *o, const char *v, const char *what, double lo,
           double hi)
{
	if (!o->values)
		return dc_field_error(ctx, "field '%s': '%s' is not %s", o->name, v, what);
	return dc_field_error(ctx, "field '%s': '%s' is not %s from %.15g to %.15g", o->name, v,
	                      what, lo, hi);
}

static void
put(void *out, long at, const void *v, size_t size)
{
	if (out && at != DC_NOFIELD)
		memcpy((char *)out + at, v, size);
}

/* Check one value (one element of a list) of field O; write it to OUT. */
static int
decode_one(struct dc *ctx, const struct dc_opt *o, const char *v, size_t len, void *out)
{
	char *copy = dc_printf("%.*s", (int)len, v), *end;
	int rc = 0;

	errno = 0;
	switch (o->type) {
	case DC_V_TEXT:
		break;
	case DC_V_FLAG:
	case DC_V_BOOL: {
		int b = !strcmp(copy, "true") || !strcmp(copy, "1") || !strcmp(copy, "yes")   ? 1
		        : !strcmp(copy, "false") || !strcmp(copy, "0") || !strcmp(copy, "no") ? 0
		                                                                              : -1;

		if (b < 0)
			rc = dc_field_error(ctx, "field '%s': '%s' is not true or false", o->name,
			                    copy);
		put(out, o->at, &b, sizeof b);
		break;
	}
	case DC_V_INT: {
		long n = strtol(copy, &end, 10);
		double lo = 0, hi = 0;

		long long g;

		if (o->values)
			range(o->values, &lo, &hi);
		/* "1.500" may be 1500 or 1.5: said so, with the hint, as for amounts */
		if ((!*copy || *end) &&
		    dc_num_parse(copy, DC_READ_CMDLINE, 0, NULL, LLONG_MAX, &g) == DC_NUM_AMBIGUOUS)
			rc = dc_num_error(ctx, 0, DC_NUM_AMBIGUOUS, o->name, copy, "", 0, 0);
		else if (!*copy || *end || errno || (o->values && (n < lo || n > hi)))
			rc = bad_number(ctx, o, copy, "a whole number", lo, hi);
		put(out, o->at, &n, sizeof n);
		break;
	}
	case DC_V_NUM: {
		double d = strtod(copy, &end), lo = 0, hi = 0;

		if (o->values)
			range(o->values, &lo, &hi);
		if (!*copy || *end || errno || !isfinite(d) || (o->values && (d < lo || d > hi)))
			rc = bad_number(ctx, o, copy, "a number", lo, hi);
		put(out, o->at, &d, sizeof d);
		break;
	}
	case DC_V_MONEY: {
		long long cents = 0;
		int e = dc_num_parse(copy, ctx->reading, 2, "EUR", DC_MONEY_MAX, &cents);

		if (e)
			rc = dc_num_error(ctx, 0, e, o->name, copy, "an amount in euros (12.50)", 2,
			                  DC_MONEY_MAX);
		put(out, o->at, &cents, sizeof cents);
		break;
	}
	case DC_V_DATE: {
		long days = 0;

		if (dc_parse_date(copy, &days) < 0)
			rc = dc_field_error(ctx, "field '%s': '%s' is not a date (YYYY-MM-DD)",
			                    o->name, copy);
		put(out, o->at, &days, sizeof days);
		break;
	}
	case DC_V_ENUM:
		if (!one_of(o->values, copy, strlen(copy))) {
			char *allowed = values_text(o->values);

			rc = dc_field_error(ctx, "field '%s': '%s' is not %s%s", o->name, copy,
			                    strchr(o->values, ' ') ? "one of " : "", allowed);
			free(allowed);
		}
		break;
	}
	free(copy);
	return rc;
}

/* The last value of KEY in A and how many A gives, in one pass (intake decodes every record). */
static const char *
find(const struct dc_args *a, const char *key, int *n)
{
	const char *v = NULL;
	int i;

	*n = 0;
	/* the first byte inline: most keys differ there, and a call per pair adds up */
	for (i = 0; i < a->n; i++)
		if (a->keys[i][0] == key[0] && !strcmp(a->keys[i], key)) {
			v = a->vals[i];
			(*n)++;
		}
	return v;
}

int
dc_text_plain(struct dc *ctx, const char *s, int lines)
{
	const char *p;
	int n;

	for (p = s; *p; p += n ? n : 1) {
		if (!(n = dc_control_len(p)))
			continue;
		if (lines && (*p == '\n' || *p == '\t' || (*p == '\r' && p[1] == '\n')))
			continue;
		return dc_error(ctx, DC_EDATA, "control character U+%04X is not allowed in %s",
		                n == 1 ? (unsigned char)*p : (unsigned char)p[1],
		                lines ? "text (newlines and tabs are)" : "a one-line text");
	}
	return 0;
}

static int
decode(struct dc *ctx, const struct dc_opt *spec, const struct dc_args *a, void *out, int required)
{
	const struct dc_opt *o;
	int rc;

	for (o = spec; o->name; o++) {
		const char *key = o->name, *v;
		int i, n;

		if (!(v = find(a, key, &n)) && o->alias)
			v = find(a, key = o->alias, &n);
		/* the unset values first, so that a struct never holds a stale one */
		if (out && o->at != DC_NOFIELD) {
			long unset = DC_UNSET;
			long long unset_ll = DC_UNSET;
			double nan = NAN;
			int no = o->type == DC_V_BOOL ? -1 : 0;

			if (o->type == DC_V_TEXT || o->type == DC_V_ENUM)
				put(out, o->at, &v, sizeof v);
			else if (o->type == DC_V_FLAG || o->type == DC_V_BOOL)
				put(out, o->at, &no, sizeof no);
			else if (o->type == DC_V_NUM)
				put(out, o->at, &nan, sizeof nan);
			else if (o->type == DC_V_MONEY)
				put(out, o->at, &unset_ll, sizeof unset_ll);
			else
				put(out, o->at, &unset, sizeof unset);
		}
		/* an empty CSV cell is a field not given; on the command line, --status '' is a
		 * value, and not one of the statuses */
		if (!v || (!*v && o->type != DC_V_TEXT && ctx->cursrc)) {
			if (required && o->flags & DC_O_REQUIRED)
				return dc_field_error(ctx, "field '%s' is required", o->name);
			continue;
		}
		if (required && (o->flags & DC_O_REQUIRED) && !*v)
			return dc_field_error(ctx, "field '%s' is required", o->name);
		if (n > 1 && !(o->flags & DC_O_REPEAT))
			return dc_field_error(ctx, "field '%s': one value expected, not a list",
			                      o->name);
		if (o->type == DC_V_TEXT) {
			/* the struct has the text: what is left is its control characters */
			for (i = 0; i < n; i++)
				if (dc_text_plain(ctx, n > 1 ? dc_arg_nth(a, key, i) : v,
				                  !!(o->flags & DC_O_LINES)))
					return dc_error_prefix(ctx, "field '%s'", o->name);
			continue;
		}
		/* a repeated field: every value is checked, the struct gets the last */
		for (i = 0; i < n; i++) {
			const char *p = dc_arg_nth(a, key, i);

			if (o->flags & DC_O_LIST) {
				for (;;) {
					size_t len = strcspn(p, ",");

					if ((rc = decode_one(ctx, o, p, len, out)))
						return rc;
					if (!p[len])
						break;
					p += len + 1;
				}
			} else if ((rc = decode_one(ctx, o, p, strlen(p), out)))
				return rc;
		}
	}
	return 0;
}

int
dc_decode(struct dc *ctx, const struct dc_opt *spec, const struct dc_args *a, void *out)
{
	return decode(ctx, spec, a, out, 1);
}

int
dc_spec_check(struct dc *ctx, const struct dc_opt *spec, const struct dc_args *a)
{
	return decode(ctx, spec, a, NULL, 0);
}

/* ---- what the table gives the verb ----------------------------------------------------- */

char *
dc_spec_opts(const struct dc_opt *spec, int records)
{
	size_t len = 1;
	const struct dc_opt *o;
	char *s, *at;

	for (o = spec; o->name; o++)
		len += strlen(o->name) + 3 + (o->alias ? strlen(o->alias) + 3 : 0);
	if (!(at = s = malloc(len)))
		abort();
	*s = '\0';
	for (o = spec; o->name; o++) {
		const char *kind = o->type == DC_V_FLAG ? "" : o->flags & DC_O_REPEAT ? "=*" : "=";

		if ((!records && o->flags & DC_O_OPERAND) || (records && o->flags & DC_O_VERB))
			continue;
		at += sprintf(at, "%s%s%s", at == s ? "" : " ", o->name, kind);
		if (records && o->alias)
			at += sprintf(at, " %s%s", o->alias, kind);
	}
	return s;
}

char *
dc_spec_usage(const struct dc_opt *spec)
{
	const struct dc_opt *o;
	char *s = dc_strdup(""), *next;

	for (o = spec; o->name; o++) {
		char *word, *bar = NULL;
		int req = o->flags & DC_O_REQUIRED;

		if (o->flags & DC_O_VERB)
			continue; /* the verb's usage line places it */
		if (o->type == DC_V_ENUM && !o->meta) {
			/* the allowed values themselves: --priority low|normal|high|urgent */
			size_t i;

			bar = dc_strdup(o->values);
			for (i = 0; bar[i]; i++)
				bar[i] = bar[i] == ' ' ? '|' : bar[i];
		}
		if (o->flags & DC_O_OPERAND)
			word = dc_strdup(o->meta);
		else if (o->type == DC_V_FLAG)
			word = dc_printf("--%s", o->name);
		else if (o->flags & DC_O_LIST)
			word = dc_printf("--%s %s[,%s]", o->name, bar ? bar : o->meta,
			                 o->meta ? o->meta : "...");
		else
			word = dc_printf("--%s %s%s", o->name,
			                 bar                    ? bar
			                 : o->meta              ? o->meta
			                 : o->type == DC_V_BOOL ? "true|false"
			                                        : "X",
			                 o->flags & DC_O_REPEAT ? " ..." : "");
		next =
		    dc_printf("%s%s%s%s%s", s, *s ? " " : "", req ? "" : "[", word, req ? "" : "]");
		free(s);
		free(word);
		free(bar);
		s = next;
	}
	return s;
}

/* ---- queries --------------------------------------------------------------------------- */

static void
q_grow(struct dc_q *q, size_t more)
{
	if (q->len + more + 1 <= q->cap)
		return;
	q->cap = (q->len + more + 1) * 2;
	if (!(q->sql = realloc(q->sql, q->cap)))
		abort();
}

void
dc_q_sql(struct dc_q *q, const char *text)
{
	size_t n = strlen(text);

	q_grow(q, n);
	memcpy(q->sql + q->len, text, n + 1);
	q->len += n;
}

static int
q_param(struct dc_q *q, const char *text, long long num, int is_int)
{
	if (q->np == q->pcap) {
		q->pcap = q->pcap ? q->pcap * 2 : 16;
		if (!(q->p = realloc(q->p, (size_t)q->pcap * sizeof *q->p)))
			abort();
	}
	q->p[q->np] = (struct dc_qparam){dc_strdup(text), num, is_int};
	return ++q->np;
}

/* TEXT with each '?' replaced by ?N, N the parameter already added. */
static void
q_subst(struct dc_q *q, const char *text, int n)
{
	char num[16];

	snprintf(num, sizeof num, "?%d", n);
	for (; *text; text++) {
		if (*text == '?') {
			dc_q_sql(q, num);
			continue;
		}
		q_grow(q, 1);
		q->sql[q->len++] = *text;
		q->sql[q->len] = '\0';
	}
}

void
dc_q_select(struct dc_q *q, const char *text)
{
	dc_q_sql(q, text);
	q->nwhere = 0;
}

int
dc_q_param(struct dc_q *q, const char *value)
{
	return q_param(q, value, 0, 0);
}

void
dc_q_text(struct dc_q *q, const char *text, const char *value)
{
	q_subst(q, text, q_param(q, value, 0, 0));
}

void
dc_q_int(struct dc_q *q, const char *text, long long value)
{
	q_subst(q, text, q_param(q, NULL, value, 1));
}

void
dc_q_open(struct dc_q *q)
{
	dc_q_sql(q, q->nwhere++ ? " AND (" : " WHERE (");
}

void
dc_q_close(struct dc_q *q)
{
	dc_q_sql(q, ")");
}

void
dc_q_where(struct dc_q *q, const char *cond)
{
	dc_q_open(q);
	dc_q_sql(q, cond);
	dc_q_close(q);
}

void
dc_q_where_if(struct dc_q *q, const char *cond, const char *value)
{
	if (!value)
		return;
	dc_q_open(q);
	dc_q_text(q, cond, value);
	dc_q_close(q);
}

/* A list's condition: its '?' becomes one parameter per element, "?3, ?4". */
static void
q_where_list(struct dc_q *q, const char *cond, const char *list)
{
	dc_q_open(q);
	for (; *cond; cond++) {
		const char *p = list;

		if (*cond != '?') {
			char c[2] = {*cond, '\0'};

			dc_q_sql(q, c);
			continue;
		}
		for (;;) {
			size_t len = strcspn(p, ",");
			char *one = dc_printf("%.*s", (int)len, p), num[16];

			snprintf(num, sizeof num, "%s?%d", p == list ? "" : ", ",
			         q_param(q, one, 0, 0));
			dc_q_sql(q, num);
			free(one);
			if (!p[len])
				break;
			p += len + 1;
		}
	}
	dc_q_close(q);
}

int
dc_q_where_spec(struct dc *ctx, struct dc_q *q, const struct dc_opt *spec, const struct dc_args *a)
{
	const struct dc_opt *o;

	for (o = spec; o->name; o++) {
		const char *v = dc_arg(a, o->name);

		if (!o->where || !v || (!*v && o->type != DC_V_TEXT))
			continue;
		if (o->type == DC_V_FLAG) {
			if (dc_flag(a, o->name))
				dc_q_where(q, o->where);
		} else if (o->flags & DC_O_LIST)
			q_where_list(q, o->where, v);
		else if (o->type == DC_V_DATE && o->flags & (DC_O_DAYSTART | DC_O_DAYEND)) {
			/* a day in the city's time zone, as the instant its filter compares with */
			char at[21];
			long days;

			if (dc_parse_date(v, &days) < 0)
				return dc_field_error(
				    ctx, "field '%s': '%s' is not a date (YYYY-MM-DD)", o->name, v);
			dc_fmt_time(o->flags & DC_O_DAYSTART ? dc_local_start_of_day(ctx, days)
			                                     : dc_local_end_of_day(ctx, days),
			            at);
			dc_q_where_if(q, o->where, at);
		} else if (o->type == DC_V_INT || o->type == DC_V_MONEY) {
			long long n;
			int e = o->type == DC_V_MONEY ? dc_num_parse(v, ctx->reading, 2, "EUR",
			                                             DC_MONEY_MAX, &n)
			                              : (n = strtoll(v, NULL, 10), 0);

			if (e)
				return dc_num_error(ctx, 0, e, o->name, v, "an amount", 2,
				                    DC_MONEY_MAX);
			dc_q_open(q);
			dc_q_int(q, o->where, n);
			dc_q_close(q);
		} else
			dc_q_where_if(q, o->where, v);
	}
	return 0;
}

int
dc_q_prepare(struct dc *ctx, struct dc_q *q, struct dc_stmt **st)
{
	int i, rc = dc_prepare(ctx, st, q->sql ? q->sql : "");

	for (i = 0; !rc && i < q->np; i++)
		if (q->p[i].is_int)
			dc_bind_int(*st, i + 1, q->p[i].num);
		else
			dc_bind_text(*st, i + 1, q->p[i].text);
	dc_q_free(q);
	return rc;
}

int
dc_q_int_value(struct dc *ctx, struct dc_q *q, long long *out)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_q_prepare(ctx, q, &st)))
		return rc;
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*out = dc_col_int(st, 0);
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

int
dc_q_list(struct dc *ctx, struct dc_stmt **st, const char *select, const char *cond,
          const char *key, const struct dc_opt *spec, const struct dc_args *a, const char *order)
{
	struct dc_q q = {0};
	int rc;

	if (spec && a && (rc = dc_decode(ctx, spec, a, NULL)))
		return rc;
	dc_q_sql(&q, select);
	dc_q_where_if(&q, cond, key);
	if (spec && a && (rc = dc_q_where_spec(ctx, &q, spec, a))) {
		dc_q_free(&q);
		return rc;
	}
	dc_q_sql(&q, order);
	return dc_q_prepare(ctx, &q, st);
}

void
dc_q_free(struct dc_q *q)
{
	int i;

	for (i = 0; i < q->np; i++)
		free(q->p[i].text);
	free(q->p);
	free(q->sql);
	memset(q, 0, sizeof *q);
}
