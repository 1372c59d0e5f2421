/* Argument lists (a verb's options and operands, or one input record) and the lookup of a
 * name in a verb's option spec, which the command line and records share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dc.h"

void
dc_args_free(struct dc_args *a)
{
	int i;

	for (i = 0; i < a->n; i++) {
		free(a->keys[i]);
		free(a->vals[i]);
	}
	for (i = 0; i < a->noperand; i++)
		free(a->operand[i]);
	free(a->keys);
	free(a->vals);
	free(a->operand);
	memset(a, 0, sizeof *a);
}

static void *
grow(void *p, int *cap, size_t elem)
{
	*cap = *cap ? *cap * 2 : 8;
	if (!(p = realloc(p, (size_t)*cap * elem)))
		abort();
	return p;
}

int
dc_args_add(struct dc_args *a, const char *key, const char *val)
{
	if (a->n == a->cap) {
		int cap = a->cap;

		a->keys = grow(a->keys, &cap, sizeof *a->keys);
		a->vals = realloc(a->vals, (size_t)cap * sizeof *a->vals);
		if (!a->vals)
			abort();
		a->cap = cap;
	}
	a->keys[a->n] = dc_strdup(key);
	a->vals[a->n] = dc_strdup(val ? val : "1");
	a->n++;
	return 0;
}

void
dc_args_drop(struct dc_args *a, const char *key)
{
	int i, j = 0;

	for (i = 0; i < a->n; i++) {
		if (!strcmp(a->keys[i], key)) {
			free(a->keys[i]);
			free(a->vals[i]);
			continue;
		}
		a->keys[j] = a->keys[i];
		a->vals[j++] = a->vals[i];
	}
	a->n = j;
}

int
dc_args_operand(struct dc_args *a, const char *val)
{
	if (a->noperand == a->opcap)
		a->operand = grow(a->operand, &a->opcap, sizeof *a->operand);
	a->operand[a->noperand++] = dc_strdup(val);
	return 0;
}

char *
dc_operands_join(const struct dc_args *a)
{
	size_t len = 1, at = 0;
	char *s;
	int i;

	for (i = 0; i < a->noperand; i++)
		len += strlen(a->operand[i]) + 1;
	if (!(s = malloc(len)))
		abort();
	for (i = 0; i < a->noperand; i++)
		at += (size_t)sprintf(s + at, "%s%s", i ? " " : "", a->operand[i]);
	s[at] = '\0';
	return s;
}

const char *
dc_arg(const struct dc_args *a, const char *key)
{
	int i;

	for (i = a->n - 1; i >= 0; i--)
		if (!strcmp(a->keys[i], key))
			return a->vals[i];
	return NULL;
}

int
dc_arg_count(const struct dc_args *a, const char *key)
{
	int i, n = 0;

	for (i = 0; i < a->n; i++)
		n += !strcmp(a->keys[i], key);
	return n;
}

const char *
dc_arg_nth(const struct dc_args *a, const char *key, int nth)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (!strcmp(a->keys[i], key) && nth-- == 0)
			return a->vals[i];
	return NULL;
}

int
dc_flag(const struct dc_args *a, const char *key)
{
	const char *v = dc_arg(a, key);

	return v && strcmp(v, "false") && strcmp(v, "0") && strcmp(v, "no") && *v;
}

int
dc_arg_int(struct dc *ctx, const struct dc_args *a, const char *key, long lo, long hi,
           long *out)
{
	const char *v = dc_arg(a, key);
	char *end;
	long n;

	if (!v)
		return 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || n < lo || n > hi)
		/* a record's field is data; an option on the command line is usage */
		return dc_field_error(ctx, "field '%s': '%s' is not a whole number from %ld to %ld",
		                      key, v, lo, hi);
	*out = n;
	return 0;
}

/* Look KEY itself up in an option spec such as "to= note= public attr=*".  One pass of plain
 * loops: bulk input looks up every field of every record here (strcspn and strncmp per
 * option were a tenth of intake's own time: perf). */
static int
spec_lookup(const char *opts, const char *key, int *takes_value, int *repeats)
{
	const char *p = opts;

	while (p && *p) {
		const char *q = p, *k = key, *end;

		while (*q && *q != ' ' && *q != '=' && *q == *k)
			q++, k++;
		if (!*k && (!*q || *q == ' ' || *q == '=')) {
			*takes_value = *q == '=';
			*repeats = *q == '=' && q[1] == '*';
			return 1;
		}
		for (end = q; *end && *end != ' ' && *end != '='; end++)
			;
		/* "attributes.*" admits every attributes.CODE of a nested record object, each of
		 * which may be a list (a multivaluelist attribute): the key matched up to the '*' */
		if (end - p >= 2 && end[-1] == '*' && end[-2] == '.' && q == end - 1 && *k) {
			*takes_value = *repeats = 1;
			return 1;
		}
		while (*end && *end != ' ')
			end++;
		while (*end == ' ')
			end++;
		p = end;
	}
	return 0;
}

/* The one name of a concept that two names grew for; either is accepted wherever the other is
 * (dcity(7) "Grammar"). */
static const char *const aliases[][2] = {
	{"dept", "department"},
};

int
dc_opts_find(const char *opts, const char *key, char canon[64], int *takes_value, int *repeats)
{
	char alt[64];
	size_t i, n = strlen(key);
	int t, r;

	takes_value = takes_value ? takes_value : &t;
	repeats = repeats ? repeats : &r;
	if (n >= sizeof alt)
		return 0;
	memcpy(canon, key, n + 1);
	if (spec_lookup(opts, key, takes_value, repeats))
		return 1;
	/* every record dcity prints can be read back: vat_id is --vat-id */
	for (i = 0; i <= n; i++)
		alt[i] = key[i] == '_' ? '-' : key[i];
	if (strcmp(alt, key) && spec_lookup(opts, alt, takes_value, repeats)) {
		snprintf(canon, 64, "%s", alt);
		return 1;
	}
	for (i = 0; i < sizeof aliases / sizeof *aliases; i++)
		for (int j = 0; j < 2; j++)
			if (!strcmp(alt, aliases[i][j]) &&
			    spec_lookup(opts, aliases[i][!j], takes_value, repeats)) {
				snprintf(canon, 64, "%s", aliases[i][!j]);
				return 1;
			}
	return 0;
}

int
dc_opts_allow(const char *opts, const char *key, int *takes_value)
{
	char canon[64];

	return dc_opts_find(opts, key, canon, takes_value, NULL) && !strcmp(canon, key);
}

int
dc_required(struct dc *ctx, const struct dc_args *a, const char *const *keys)
{
	for (; *keys; keys++)
		if (!dc_arg(a, *keys) || !*dc_arg(a, *keys))
			return dc_field_error(ctx, "field '%s' is required", *keys);
	return 0;
}
