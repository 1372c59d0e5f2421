/* The command-table driver (git/got shape): global options, parsing, usage, main; and the
 * context's end. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dc.h"

/* ---- global options ---- */

struct gopt {
	const char *name;
	char shortc;
	int value;
};

static const struct gopt globals[] = {
	{"db", 'D', 1},       {"as", 0, 1},        {"format", 'f', 1},    {"json", 0, 0},
	{"jsonl", 0, 0},      {"ndjson", 0, 0},    {"csv", 0, 0},         {"tsv", 0, 0},
	{"fields", 0, 1},     {"quiet", 'q', 0},   {"no-header", 0, 0},   {"dialect", 0, 1},
	{"input", 'i', 1},    {"keep-going", 0, 0}, {"rejects", 0, 1},    {"dry-run", 'n', 0},
	{"busy-timeout", 0, 1}, {"exit-status", 'e', 0}, {"help", 'h', 0}, {"version", 0, 0},
	{"commands", 0, 0},   {"output", 'o', 1},  {"encoding", 0, 1},   {NULL, 0, 0},
};

static const struct gopt *
find_global(const char *name, char shortc)
{
	const struct gopt *g;

	for (g = globals; g->name; g++)
		if (name ? !strcmp(g->name, name) : g->shortc == shortc)
			return g;
	return NULL;
}

int
dc_format_set(struct dc *ctx, const char *v)
{
	static const char *const names[] = {"table", "jsonl", "json", "csv", "tsv", "ndjson"};
	static const enum dc_format fmts[] = {DC_FMT_TABLE, DC_FMT_JSONL, DC_FMT_JSON,
	                                      DC_FMT_CSV,   DC_FMT_TSV,   DC_FMT_JSONL};
	size_t i;

	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(v, names[i])) {
			ctx->format = fmts[i];
			return 0;
		}
	return dc_error(ctx, DC_EUSAGE, "unknown format '%s' (table, jsonl, json, csv, tsv)", v);
}

static int
apply_global(struct dc *ctx, const struct gopt *g, const char *v, struct dc_args *ga)
{
	const char *n = g->name;

	if (!strcmp(n, "format"))
		return dc_format_set(ctx, v);
	if (!strcmp(n, "json") || !strcmp(n, "jsonl") || !strcmp(n, "ndjson") ||
	    !strcmp(n, "csv") || !strcmp(n, "tsv"))
		return dc_format_set(ctx, n);
	if (!strcmp(n, "quiet"))
		ctx->quiet = 1;
	else if (!strcmp(n, "no-header"))
		ctx->no_header = 1;
	else if (!strcmp(n, "keep-going"))
		ctx->keep_going = 1;
	else if (!strcmp(n, "dry-run"))
		ctx->dry_run = 1;
	else if (!strcmp(n, "exit-status"))
		ctx->exit_status = 1;
	else if (!strcmp(n, "fields")) {
		free(ctx->fields);
		ctx->fields = dc_strdup(v);
	} else if (!strcmp(n, "rejects")) {
		free(ctx->rejects_path);
		ctx->rejects_path = dc_strdup(v);
	} else if (!strcmp(n, "dialect")) {
		ctx->dialect = 1;
		if (!strcmp(v, "excel-de"))
			ctx->excel_de = 1;
		else if (!strcmp(v, "rfc4180"))
			ctx->excel_de = 0;
		else
			return dc_error(ctx, DC_EUSAGE, "unknown dialect '%s' (rfc4180, excel-de)", v);
	} else if (!strcmp(n, "encoding")) {
		if (dc_in_encoding_check(ctx, "option '--encoding'", v))
			return ctx->err;
		free(ctx->encoding);
		ctx->encoding = dc_strdup(v);
	} else if (!strcmp(n, "input")) {
		static const char *const names[] = {"jsonl", "json", "csv", "tsv", "ndjson"};
		static const enum dc_input ins[] = {DC_IN_JSONL, DC_IN_JSON, DC_IN_CSV, DC_IN_TSV,
		                                    DC_IN_JSONL};
		size_t i;

		for (i = 0; i < 5 && strcmp(v, names[i]); i++)
			;
		if (i == 5)
			return dc_error(ctx, DC_EUSAGE, "unknown input format '%s' (jsonl, json, csv, tsv)", v);
		ctx->input = ins[i];
	} else if (!strcmp(n, "busy-timeout")) {
		char *end;
		long ms = strtol(v, &end, 10);

		if (!*v || *end || ms < 0 || ms > 86400000)
			return dc_error(ctx, DC_EUSAGE, "--busy-timeout: '%s' is not milliseconds", v);
		ctx->busy_ms = (int)ms;
	} else if (!strcmp(n, "output"))
		return dc_error(ctx, DC_EUSAGE, "option '-o/--output' belongs to verbs that write files");
	else
		dc_args_add(ga, n, v); /* db, as, help, version, commands: handled by dc_main */
	return 0;
}

static void
usage(FILE *fp, const char *prog, const struct dc_verb *verbs, const struct dc_verb *v,
      const char *about)
{
	if (v) {
		fprintf(fp, "usage: %s [global options] %s %s\n\n%s\n", prog, v->name, v->usage,
		        v->summary);
		return;
	}
	fprintf(fp, "usage: %s [global options] <verb> [options] [--] [operands]\n\n%s\n\nverbs:\n",
	        prog, about);
	for (v = verbs; v->name; v++)
		fprintf(fp, "  %-16s %s\n", v->name, v->summary);
	fprintf(fp, "\nglobal options: -D/--db PATH, --as LOGIN, -f/--format F (table jsonl json "
	            "csv tsv),\n  --json --jsonl --csv --tsv, --fields a,b, -q/--quiet, --no-header, "
	            "--dialect rfc4180|excel-de,\n  --encoding E, -i/--input F, --keep-going, "
	            "--rejects FILE, -n/--dry-run, --busy-timeout MS,\n  -e/--exit-status, "
	            "-h/--help, --version\n"
	            "\nSee %s(1) and dcity(7).\n",
	        prog);
}

static const struct dc_verb *
find_verb(const struct dc_verb *verbs, const char *name)
{
	for (; verbs->name; verbs++)
		if (!strcmp(verbs->name, name))
			return verbs;
	return NULL;
}

static int
has_subverbs(const struct dc_verb *verbs, const char *word)
{
	size_t n = strlen(word);

	for (; verbs->name; verbs++)
		if (!strncmp(verbs->name, word, n) && verbs->name[n] == ' ')
			return 1;
	return 0;
}

/*
 * Hidden --commands: one line per verb with its options, for the completion generator.  An
 * option that takes a value ends in '=', followed by its values when the verb's spec lists
 * them ("--status=new|assigned", "--active=true|false").
 */
static void
list_commands(const struct dc_verb *verbs)
{
	const struct dc_opt *o;
	const struct gopt *g;
	const char *p;

	for (; verbs->name; verbs++) {
		printf("%s\t", verbs->name);
		for (o = verbs->spec; o && o->name; o++) {
			if (o->flags & DC_O_OPERAND)
				continue;
			printf("--%s%s", o->name, o->type == DC_V_FLAG ? "" : "=");
			if (o->type == DC_V_BOOL)
				fputs("true|false", stdout);
			else if (o->type == DC_V_ENUM)
				for (p = o->values; *p; p++)
					putchar(*p == ' ' ? '|' : *p);
			putchar(' ');
		}
		for (p = verbs->spec ? NULL : verbs->opts; p && *p;) {
			size_t n = strcspn(p, "= ");

			printf("--%.*s%s ", (int)n, p, p[n] == '=' ? "=" : "");
			p += strcspn(p, " ");
			p += strspn(p, " ");
		}
		printf("\n");
	}
	printf("*\t");
	for (g = globals; g->name; g++)
		if (strcmp(g->name, "commands"))
			printf("--%s%s ", g->name, g->value ? "=" : "");
	printf("\n");
}

/*
 * A global option, or the verb's own option of the same name, which wins (dc-case import
 * --format open311, dc-order record -f text, dc-export -o FILE).  Before the verb is known
 * the option waits in pending.
 */
static int
use_global(struct dc *ctx, const struct dc_verb *v, const struct gopt *g, const char *val,
           struct dc_args *a, struct dc_args *ga, struct dc_args *pending)
{
	if (!v && pending)
		return dc_args_add(pending, g->name, val);
	if (v && dc_opts_allow(v->opts, g->name, NULL))
		return dc_args_add(a, g->name, val);
	return apply_global(ctx, g, val, ga);
}

static int
parse(struct dc *ctx, int argc, char **argv, const struct dc_verb *verbs,
      const struct dc_verb **verbp, struct dc_args *a, struct dc_args *ga)
{
	const struct dc_verb *v = NULL;
	struct dc_args pending = {0};
	int i, dashdash = 0;

	for (i = 1; i < argc; i++) {
		char *s = argv[i], *eq, canon[64];
		const struct gopt *g;
		int takes;

		/* a negative number is a value, not an option: dc config shop.grace_days -1 */
		if (dashdash || s[0] != '-' || !s[1] || (s[1] >= '0' && s[1] <= '9')) {
			if (!v && !dashdash) {
				/* the longest verb the words make: staff key add */
				char *name = dc_strdup(s);
				int j, last = i;

				for (j = i; has_subverbs(verbs, name) && j + 1 < argc; j++) {
					char *longer = dc_printf("%s %s", name, argv[j + 1]);
					const struct dc_verb *w;

					free(name);
					name = longer;
					if ((w = find_verb(verbs, name)))
						v = w, last = j + 1;
				}
				free(name);
				if (v) {
					i = last;
					continue;
				}
				if (!(v = find_verb(verbs, s))) {
					dc_error(ctx, DC_EUSAGE, "unknown verb '%s'; see %s -h", s, ctx->prog);
					goto done;
				}
				continue;
			}
			dc_args_operand(a, s);
			continue;
		}
		if (!strcmp(s, "--")) {
			dashdash = 1;
			continue;
		}
		if (s[1] == '-') {
			char *name = dc_strdup(s + 2);
			const char *val = NULL;

			if ((eq = strchr(name, '=')))
				*eq = '\0', val = eq + 1;
			/* a verb's own option wins over a global of the same name:
			 * dc-case import --format open311 (the output format is then -f) */
			if (v && dc_opts_find(v->opts, name, canon, &takes, NULL)) {
				if (takes && !val) {
					if (i + 1 >= argc) {
						dc_error(ctx, DC_EUSAGE, "option '--%s' needs a value", name);
						free(name);
						goto done;
					}
					val = argv[++i];
				}
				if (!takes && val && strcmp(val, "true") && strcmp(val, "false")) {
					dc_error(ctx, DC_EUSAGE, "option '--%s' takes no value", name);
					free(name);
					goto done;
				}
				dc_args_add(a, canon, val);
			} else if ((g = find_global(name, 0))) {
				if (g->value && !val) {
					if (i + 1 >= argc) {
						free(name);
						dc_error(ctx, DC_EUSAGE, "option '--%s' needs a value", g->name);
						goto done;
					}
					val = argv[++i];
				}
				if (use_global(ctx, v, g, val, a, ga, &pending)) {
					free(name);
					goto done;
				}
			} else {
				dc_error(ctx, DC_EUSAGE, "unknown option '--%s'%s%s; see %s%s%s -h",
				         name, v ? " for " : "", v ? v->name : "", ctx->prog,
				         v ? " " : "", v ? v->name : "");
				free(name);
				goto done;
			}
			free(name);
			continue;
		}
		/* a cluster of short global options: -qe, -f json, -Dcity.db */
		for (s++; *s; s++) {
			if (!(g = find_global(NULL, *s))) {
				dc_error(ctx, DC_EUSAGE, "unknown option '-%c'; see %s -h", *s, ctx->prog);
				goto done;
			}
			if (g->value) {
				const char *val = s[1] ? s + 1 : (i + 1 < argc ? argv[++i] : NULL);

				if (!val) {
					dc_error(ctx, DC_EUSAGE, "option '-%c' needs a value", *s);
					goto done;
				}
				if (use_global(ctx, v, g, val, a, ga, &pending))
					goto done;
				break;
			}
			if (use_global(ctx, v, g, NULL, a, ga, &pending))
				goto done;
		}
	}
	/* options given before the verb: now that it is known, its own ones go to it */
	for (i = 0; i < pending.n; i++) {
		const struct gopt *g = find_global(pending.keys[i], 0);

		if (use_global(ctx, v, g, g->value ? pending.vals[i] : NULL, a, ga, NULL))
			break;
	}
	*verbp = v;
done:
	dc_args_free(&pending);
	return ctx->err;
}

/* Arguments reach the database like input records do, so they pass the same text check
 * (a file name that is not UTF-8 is refused too: it would be stored in logs and records), and
 * carry no control character but newlines and tabs, and none at all in a typed verb's one-line
 * text (as dc_decode checks a record's). */
static int
check_args(struct dc *ctx, const struct dc_verb *v, const struct dc_args *a)
{
	const struct dc_opt *o;
	int i;

	for (i = 0; i < a->n; i++) {
		if (!a->vals[i])
			continue;
		o = v && v->spec ? dc_spec_find(v->spec, a->keys[i]) : NULL;
		if (dc_text_check(ctx, a->vals[i], strlen(a->vals[i])) ||
		    dc_text_plain(ctx, a->vals[i],
		                  !o || o->type != DC_V_TEXT || (o->flags & DC_O_LINES)))
			return dc_error_prefix(ctx, "option '--%s'", a->keys[i]);
	}
	for (i = 0; i < a->noperand; i++)
		if (dc_text_check(ctx, a->operand[i], strlen(a->operand[i])) ||
		    dc_text_plain(ctx, a->operand[i], 1))
			return dc_error_prefix(ctx, "operand %d", i + 1);
	return 0;
}

/* The verb table with the option strings and usage lines of typed verbs filled in from their
 * specs; *owned collects the *nowned strings allocated. */
static struct dc_verb *
typed_verbs(const struct dc_verb *verbs, char ***owned, int *nowned)
{
	struct dc_verb *t;
	int i, n;

	for (n = 0; verbs[n].name; n++)
		;
	if (!(t = calloc((size_t)n + 1, sizeof *t)) || !(*owned = calloc(2 * (size_t)n + 1,
	                                                                   sizeof **owned)))
		abort();
	memcpy(t, verbs, ((size_t)n + 1) * sizeof *t);
	*nowned = 2 * n;
	for (i = 0; i < n; i++) {
		const char *hole;
		char *opts, *use;

		if (!t[i].spec)
			continue;
		opts = dc_spec_opts(t[i].spec, 0);
		use = dc_spec_usage(t[i].spec);
		t[i].opts = (*owned)[2 * i] = opts;
		if ((hole = strstr(t[i].usage, "%o")))
			t[i].usage = dc_printf("%.*s%s%s", (int)(hole - t[i].usage), t[i].usage, use,
			                       hole + 2);
		else
			t[i].usage =
			    dc_printf("%s%s%s", t[i].usage, *t[i].usage && *use ? " " : "", use);
		(*owned)[2 * i + 1] = (char *)t[i].usage;
		free(use);
	}
	return t;
}

int
dc_main(int argc, char **argv, const char *prog, const struct dc_verb *table, const char *about)
{
	char **owned = NULL;
	int nowned = 0;
	struct dc_verb *verbs = typed_verbs(table, &owned, &nowned);
	struct dc ctx;
	struct dc_args a = {0}, ga = {0};
	const struct dc_verb *v = NULL;
	const char *s;
	int rc;

	/* A reader that closes the pipe early is not an error (dcity(7) EXIT STATUS): writes see EPIPE. */
	signal(SIGPIPE, SIG_IGN);
	dc_db_config();
	/* a setgid install cleans the environment before anything reads it (priv.c) */
	if ((rc = dc_priv_init(prog)))
		return rc;
	if ((rc = dc_init(&ctx, prog)) || (rc = parse(&ctx, argc, argv, verbs, &v, &a, &ga)) ||
	    (rc = check_args(&ctx, v, &a)))
		goto done;
	if (dc_arg(&ga, "version")) {
		printf("%s (dcity) %s\n", prog, DC_VERSION);
		goto done;
	}
	if (dc_arg(&ga, "commands")) {
		list_commands(verbs);
		goto done;
	}
	if (dc_arg(&ga, "help") || !v) {
		usage(v || dc_arg(&ga, "help") ? stdout : stderr, prog, verbs, v, about);
		rc = v || dc_arg(&ga, "help") ? 0 : DC_EUSAGE;
		goto done;
	}
	/* a setgid install takes the database from its configuration only (priv.c) */
	if ((s = dc_priv_db(dc_arg(&ga, "db"))) || (s = dc_arg(&ga, "db")) ||
	    ((s = getenv("DC_DB")) && *s))
		ctx.db_path = dc_strdup(s);
	if ((s = dc_arg(&ga, "as")))
		ctx.actor = dc_strdup(s);
	if (ctx.rejects_path && !ctx.keep_going) {
		rc = dc_error(&ctx, DC_EUSAGE, "--rejects needs --keep-going");
		goto done;
	}
	/* typed options are checked before anything runs: a bad value is a usage error */
	if (v->spec && (rc = dc_spec_check(&ctx, v->spec, &a)))
		goto done;
	rc = v->run(&ctx, &a);
	if (rc && !ctx.err)
		ctx.err = rc;
	if (!rc)
		rc = ctx.partial;
	if (fflush(stdout) == EOF && rc == 0)
		rc = dc_error(&ctx, DC_EIO, "write error on standard output");
done:
	dc_print_error(&ctx);
	if (rc == DC_EUSAGE && v)
		fprintf(stderr, "usage: %s %s %s\n", prog, v->name, v->usage);
	dc_args_free(&a);
	dc_args_free(&ga);
	dc_free(&ctx);
	for (int i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	free(verbs);
	return rc;
}

void
dc_free(struct dc *ctx)
{
	dc_out_discard(ctx);
	dc_settings_forget(ctx);
	dc_db_close(ctx);
	if (ctx->rejects)
		fclose(ctx->rejects);
	free(ctx->db_path);
	free(ctx->actor);
	free(ctx->role);
	free(ctx->dept);
	free(ctx->fields);
	free(ctx->rejects_path);
	free(ctx->encoding);
	free(ctx->cursrc);
}
