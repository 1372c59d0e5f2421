/* Running a change in one transaction and reporting the records it touched; the bulk driver
 * that applies a verb to every record of an input; table-driven updates (see dc.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/dc.h"

int
dc_touched_open(struct dc *ctx)
{
	return dc_exec(ctx, "CREATE TEMP TABLE IF NOT EXISTS touched (n INTEGER PRIMARY KEY,"
	                    " id TEXT NOT NULL, extra TEXT)", 0);
}

int
dc_touched(struct dc *ctx, const char *id, const char *extra)
{
	return dc_exec(ctx, "INSERT INTO temp.touched(id, extra) VALUES (?1, ?2)", 2, id, extra);
}

static int
report(struct dc *ctx, const struct dc_rectype *rt, dc_show_fn show)
{
	struct dc_stmt *st = NULL;
	int rc, began = 0;

	if (!show)
		return 0;
	/* after the commit, one read transaction for all the records rather than one per
	 * record (beginning and ending one was a sixth of printing a bulk intake's cases: perf),
	 * and they show one state of the database */
	if ((rc = dc_read_begin(ctx, &began)) ||
	    (rc = dc_prepare(ctx, &st, "SELECT id, extra FROM temp.touched ORDER BY n")))
		goto done;
	if ((rc = dc_out_begin(ctx, rt)))
		goto done;
	while ((rc = dc_step(ctx, st)) == DC_ROW)
		if ((rc = show(ctx, dc_col_text(st, 0), dc_col_text(st, 1))))
			goto done;
	if (!rc) {
		int e = ctx->exit_status;

		ctx->exit_status = 0; /* -e is about listings, not about writes */
		rc = dc_out_end(ctx);
		ctx->exit_status = e;
	}
done:
	dc_finish(ctx, st);
	dc_read_end(ctx, began);
	return rc;
}

/* Commit (or roll back a dry run after reporting), then report. */
static int
finish(struct dc *ctx, int rc, const struct dc_rectype *rt, dc_show_fn show)
{
	if (rc) {
		dc_tx_end(ctx, rc);
		if (ctx->batch_done) {
			/* what the batches before the failing one committed stays: say so, and
			 * print it (the touched list kept only what was committed), the error
			 * set aside meanwhile, as the writer stops at a pending one */
			char msg[sizeof ctx->errmsg];
			int err = ctx->err;

			dc_warn(ctx, "--batch %ld: the %ld records before the failing batch were"
			        " committed and stay; printed on stdout", ctx->batch,
			        ctx->batch_done);
			memcpy(msg, ctx->errmsg, sizeof msg);
			ctx->err = 0;
			report(ctx, rt, show);
			ctx->err = err;
			memcpy(ctx->errmsg, msg, sizeof msg);
		}
		return rc;
	}
	if (ctx->dry_run) {
		rc = report(ctx, rt, show);
		dc_tx_end(ctx, rc);
		return rc;
	}
	if ((rc = dc_tx_end(ctx, 0)))
		return rc;
	rc = report(ctx, rt, show);
	dc_exec(ctx, "DELETE FROM temp.touched", 0);
	return rc;
}

int
dc_create(struct dc *ctx, struct dc_args *a, const char *idkey, const char *opts,
          dc_bulk_fn fn, void *arg, const struct dc_rectype *rt, dc_show_fn show)
{
	const char *src = NULL;
	int rc;

	if (a->noperand > 1)
		return dc_error(ctx, DC_EUSAGE, "too many operands");
	if (a->noperand == 1 && (!idkey || !strcmp(a->operand[0], "-")))
		src = a->operand[0];
	if (!src && idkey && a->noperand == 0 && !dc_arg(a, idkey))
		return dc_error(ctx, DC_EUSAGE, "missing %s (or - to read records)", idkey);
	/* a usage error in --fields must stop the verb before it changes anything */
	if ((rt && (rc = dc_out_check(ctx, rt))) || (rc = dc_db_open(ctx)) ||
	    (rc = dc_touched_open(ctx)) || (rc = dc_tx_begin(ctx)))
		return rc;
	if (src) {
		if (a->n)
			rc = dc_error(ctx, DC_EUSAGE, "options and records from '%s' cannot be mixed", src);
		else
			rc = dc_bulk(ctx, src, opts, 0, fn, arg);
	} else {
		if (idkey && a->noperand)
			dc_args_add(a, idkey, a->operand[0]);
		rc = fn(ctx, a, arg);
	}
	return finish(ctx, rc, rt, show);
}

int
dc_create_spec(struct dc *ctx, struct dc_args *a, const struct dc_opt *spec, dc_bulk_fn fn,
               void *arg, const struct dc_rectype *rt, dc_show_fn show)
{
	const struct dc_opt *o;
	const char *idkey = NULL;
	char *opts = dc_spec_opts(spec, 1);
	int rc;

	for (o = spec; o->name; o++) {
		if (o->flags & DC_O_OPERAND)
			idkey = o->name;
		/* read by the verb before: what remains are the record's fields */
		if (o->flags & DC_O_VERB)
			dc_args_drop(a, o->name);
	}
	rc = dc_create(ctx, a, idkey, opts, fn, arg, rt, show);
	free(opts);
	return rc;
}

int
dc_act(struct dc *ctx, struct dc_args *a, int (*fn)(struct dc *, const char *id,
       struct dc_args *a), const struct dc_rectype *rt, dc_show_fn show)
{
	int rc;

	if ((rt && (rc = dc_out_check(ctx, rt))) || (rc = dc_db_open(ctx)) ||
	    (rc = dc_touched_open(ctx)) || (rc = dc_tx_begin(ctx)))
		return rc;
	return finish(ctx, dc_each_id(ctx, a, fn, a), rt, show);
}

int
dc_act_each(struct dc *ctx, struct dc_args *a, int (*fn)(struct dc *, const char *operand,
            struct dc_args *a), const struct dc_rectype *rt, dc_show_fn show)
{
	int i, rc;

	if ((rt && (rc = dc_out_check(ctx, rt))) || (rc = dc_db_open(ctx)) ||
	    (rc = dc_touched_open(ctx)) || (rc = dc_tx_begin(ctx)))
		return rc;
	for (i = 0; i < a->noperand && !rc; i++)
		rc = fn(ctx, a->operand[i], a);
	return finish(ctx, rc, rt, show);
}

int
dc_act_call(struct dc *ctx, int (*fn)(struct dc *, void *), void *arg,
            const struct dc_rectype *rt, dc_show_fn show)
{
	int rc;

	if ((rt && (rc = dc_out_check(ctx, rt))) || (rc = dc_db_open(ctx)) ||
	    (rc = dc_touched_open(ctx)) || (rc = dc_tx_begin(ctx)))
		return rc;
	return finish(ctx, fn(ctx, arg), rt, show);
}

int
dc_set_fields(struct dc *ctx, const char *table, const char *key, const char *id,
              const struct dc_setfield *f, int n, const struct dc_args *a, char **note)
{
	struct dc_stmt *st = NULL;
	char *sql = NULL, *cols = dc_strdup(""), *text = dc_strdup(""), *next;
	int i, k = 0, rc = 0;

	*note = NULL;
	for (i = 0; i < n; i++) {
		const char *v = dc_arg(a, f[i].opt);

		if (!v)
			continue;
		if (f[i].is_bool && strcmp(v, "true") && strcmp(v, "false")) {
			rc = dc_error(ctx, DC_EDATA, "field '%s': '%s' is not true or false", f[i].opt, v);
			goto done;
		}
		next = dc_printf("%s%s%s = ?%d", cols, k ? ", " : "", f[i].column, k + 2);
		free(cols);
		cols = next;
		next = dc_printf("%s%s%s=%s", text, k ? " " : "", f[i].column, v);
		free(text);
		text = next;
		k++;
	}
	if (!k)
		goto done;
	/* the statement text is built from the table's constant names only */
	sql = dc_printf("UPDATE %s SET %s WHERE %s = ?1", table, cols, key);
	if ((rc = dc_prepare(ctx, &st, sql)))
		goto done;
	dc_bind_text_ref(st, 1, id);
	for (i = 0, k = 0; i < n; i++) {
		const char *v = dc_arg(a, f[i].opt);

		if (!v)
			continue;
		if (f[i].is_bool)
			dc_bind_int(st, k + 2, !strcmp(v, "true"));
		else
			dc_bind_text_ref(st, k + 2, v);
		k++;
	}
	if ((rc = dc_step(ctx, st)) == 0) {
		*note = text;
		text = NULL;
	}
done:
	dc_finish(ctx, st);
	free(sql);
	free(cols);
	free(text);
	return rc;
}

/* ---- settings: each value checked against its type before it is stored ---- */

/* "address" or "Display Name <address>": the mailbox rule of the mails and commits that use
 * it (dc_mail_parse), and an address delivery takes (dc_email_ok). */
static int
mailbox_ok(const char *v)
{
	char *name, *addr;
	int ok = !dc_mail_parse(v, &name, &addr) && dc_email_ok(addr);

	free(name);
	free(addr);
	return ok;
}

/* http(s)://host[:port][/...] without spaces, control characters or quotes; a {placeholder}
 * only one of the space-separated PH. */
static const char *
url_problem(const char *v, const char *ph)
{
	const char *p = v + (!strncmp(v, "https://", 8) ? 8 : !strncmp(v, "http://", 7) ? 7 : 0);
	size_t host = strcspn(p, ":/?#");

	if (p == v || !host ||
	    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") < host)
		return "is not an http or https URL";
	for (p += host; *p; p++) {
		size_t n = strcspn(p, "}") + 1;
		const char *w;

		if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("\"<>\\^`|", *p))
			return "is not an http or https URL";
		if (*p == '}')
			return "has a '}' without '{'";
		if (*p != '{')
			continue;
		for (w = ph; w && *w; w += strcspn(w, " "), w += strspn(w, " "))
			if (strcspn(w, " ") == n && !strncmp(w, p, n))
				break;
		if (!w || !*w)
			return "has a placeholder other than";
		p += n - 1;
	}
	return NULL;
}

/* Run without a shell (execv): the program by its absolute path, as PATH differs between
 * the users who run dcity, and arguments split at spaces with no quoting to get wrong. */
static const char *
command_problem(const char *v)
{
	size_t n = strcspn(v, " ");
	struct stat sb;
	char *prog;
	int ok;

	if (*v != '/')
		return "is not a command: it starts with the program's absolute path";
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return "has a control character";
	prog = dc_printf("%.*s", (int)n, v);
	ok = !stat(prog, &sb) && S_ISREG(sb.st_mode) && !access(prog, X_OK);
	free(prog);
	return ok ? NULL : "does not start with an executable file";
}

static int
setting_check(struct dc *ctx, const struct dc_setting_def *d, const char *v)
{
	const char *why = NULL;
	char msg[sizeof ctx->errmsg];
	struct stat sb;

	switch (d->type) {
	case DC_S_TEXT:
		why = *v ? NULL : "is empty";
		break;
	case DC_S_INT:
	case DC_S_ENUM: {
		/* the typed input's own check, so that numbers read as everywhere else */
		struct dc_opt o[2] = {{d->key, d->type == DC_S_INT ? DC_V_INT : DC_V_ENUM, 0,
		                       d->values, NULL, NULL, NULL, DC_NOFIELD}};
		struct dc_args a = {0};
		int rc;

		dc_args_add(&a, d->key, v);
		rc = dc_spec_check(ctx, o, &a);
		dc_args_free(&a);
		if (!rc)
			return 0;
		/* "field 'lang': 'fr' is not de or en" said of a setting, which is data (65) */
		snprintf(msg, sizeof msg, "setting%.1000s",
		         strncmp(ctx->errmsg, "field ", 6) ? ctx->errmsg : ctx->errmsg + 5);
		dc_error_clear(ctx);
		return dc_error(ctx, DC_EDATA, "%s", msg);
	}
	case DC_S_URL:
		why = url_problem(v, d->values);
		break;
	case DC_S_MAILBOX:
		why = mailbox_ok(v) ? NULL : "is not an email address (or Name <address>)";
		break;
	case DC_S_DIR:
		why = *v != '/' ? "is not an absolute path"
		      : stat(v, &sb) || !S_ISDIR(sb.st_mode) ? "is not a directory" : NULL;
		break;
	case DC_S_ZONE:
		why = dc_zone_known(v) ? NULL : "is not a zone of the tz database (Europe/Berlin)";
		break;
	case DC_S_OCDS:
		why = strncmp(v, "ocds-", 5) || strlen(v) != 11 ||
		              strspn(v + 5, "abcdefghijklmnopqrstuvwxyz0123456789") != 6
		          ? "is not an OCDS prefix (ocds- and six lower-case letters or digits)"
		          : NULL;
		break;
	case DC_S_LEITWEG:
		if (dc_leitweg_valid(v, &why))
			break;
		snprintf(msg, sizeof msg, "is not a Leitweg-ID (04011000-1234512345-06): it %s",
		         why);
		why = msg;
		break;
	case DC_S_COMMAND:
		why = command_problem(v);
		break;
	}
	if (!why)
		return 0;
	return dc_error(ctx, DC_EDATA, "setting '%s': '%s' %s%s%s", d->key, v, why,
	                d->values && d->type == DC_S_URL ? " " : "",
	                d->values && d->type == DC_S_URL ? d->values : "");
}

/* A setting, checked, changed and audited (dc config). */
int
dc_setting_set(struct dc *ctx, const char *key, const char *value)
{
	const struct dc_setting_def *d = dc_setting_def(key);
	char *old = NULL;
	int rc;

	if (!d)
		return dc_error(ctx, DC_EUSAGE, "unknown setting '%s'; see dc config", key);
	if ((rc = setting_check(ctx, d, value)))
		return rc;
	if ((rc = dc_require(ctx, "", "change settings")) || (rc = dc_tx_begin(ctx)))
		return rc;
	old = dc_setting(ctx, key);
	rc = dc_exec(ctx, "INSERT INTO setting(key, value) VALUES (?1, ?2) "
	                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	             2, key, value);
	ctx->txgen++; /* what was read of the settings in this transaction is stale */
	if (!rc) {
		struct dc_event ev = {"setting", key, "changed", old, value, NULL, 0};

		rc = dc_audit(ctx, &ev);
	}
	free(old);
	return dc_tx_end(ctx, rc);
}

/* ---- bulk: a verb applied to every record of an input ---- */

/* --rejects: the record's source and first line, the error (which names neither), the fields
 * as read (REC, when the record could be read) and its raw text (IN, when from a file). */
static void
write_reject(struct dc *ctx, const struct dc_args *rec, const struct dc_in *in)
{
	json_object *o, *r, *raw;
	int i, cut;

	if (!ctx->rejects_path)
		return;
	if (!ctx->rejects && !(ctx->rejects = fopen(ctx->rejects_path, "w"))) {
		dc_warn(ctx, "cannot create '%s': %s", ctx->rejects_path, strerror(errno));
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "source", json_object_new_string(ctx->cursrc ? ctx->cursrc : ""));
	json_object_object_add(o, "line", json_object_new_int64(ctx->curline));
	json_object_object_add(o, "error", json_object_new_string(ctx->errmsg));
	if (rec) {
		r = json_object_new_object();
		for (i = 0; i < rec->n; i++)
			dc_in_json_field(r, rec->keys[i], rec->vals[i]);
		json_object_object_add(o, "record", r);
	}
	if (in && (raw = dc_in_raw(in, &cut))) {
		json_object_object_add(o, "raw", raw);
		if (cut)
			json_object_object_add(o, "raw_truncated", json_object_new_boolean(1));
	}
	fprintf(ctx->rejects, "%s\n",
	        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                              JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* --keep-going: report the failed record, count it, remember the first failure's status and
 * clear the error so that the run goes on. */
static void
reject(struct dc *ctx, int rc, const struct dc_args *rec, const struct dc_in *in)
{
	dc_print_error(ctx);
	write_reject(ctx, rec, in);
	dc_error_clear(ctx);
	ctx->nrejected++;
	if (!ctx->partial)
		ctx->partial = rc;
}

/* The record's fields against the verb's option spec: each must be one of its options (under
 * the option's own name, so "vat_id" becomes "vat-id"), and one that does not repeat must be
 * given once (a JSON array for it is an error, not "the last one wins"). */
static int
check_keys(struct dc *ctx, struct dc_args *rec, const char *opts)
{
	char canon[64];
	int i, j, repeats;

	for (i = 0; opts && i < rec->n; i++) {
		char low[64];
		size_t k;

		/* field names ignore case, as spreadsheets' header rows are written: Date, Name */
		for (k = 0; k < sizeof low - 1 && rec->keys[i][k]; k++)
			low[k] = (char)(rec->keys[i][k] >= 'A' && rec->keys[i][k] <= 'Z'
			                    ? rec->keys[i][k] + 32
			                    : rec->keys[i][k]);
		low[k] = '\0';
		if (!dc_opts_find(opts, rec->keys[i], canon, NULL, &repeats) &&
		    (rec->keys[i][k] || !dc_opts_find(opts, low, canon, NULL, &repeats)))
			return dc_error(ctx, DC_EDATA, "unknown field '%s'", rec->keys[i]);
		/* as on the command line (cmd.c): no control character but newlines and tabs */
		if (rec->vals[i] && dc_text_plain(ctx, rec->vals[i], 1))
			return dc_error_prefix(ctx, "field '%s'", rec->keys[i]);
		if (strcmp(canon, rec->keys[i])) {
			free(rec->keys[i]);
			rec->keys[i] = dc_strdup(canon);
		}
		for (j = 0; !repeats && j < i; j++)
			if (!strcmp(rec->keys[j], canon))
				return dc_error(ctx, DC_EDATA, "field '%s': one value expected, not a list",
				                canon);
	}
	return 0;
}

int
dc_apply_record(struct dc *ctx, struct dc_args *rec, const char *opts, dc_bulk_fn fn, void *arg)
{
	int rc;

	if (ctx->keep_going && (rc = dc_savepoint(ctx, "SAVEPOINT")))
		return rc;
	rc = check_keys(ctx, rec, opts);
	ctx->record_sp = ctx->keep_going;
	if (!rc)
		rc = fn(ctx, rec, arg);
	ctx->record_sp = 0;
	if (!ctx->keep_going || !rc)
		return rc || !ctx->keep_going ? rc : dc_savepoint(ctx, "RELEASE");
	/* keep going: undo this record, report it, remember the first failure */
	if (rc == DC_EBUSY || rc == DC_EIO || rc == DC_EINTERNAL)
		return rc;
	reject(ctx, rc, rec, ctx->curin);
	if ((rc = dc_savepoint(ctx, "ROLLBACK TO")) || (rc = dc_savepoint(ctx, "RELEASE")))
		return rc;
	return 0;
}

/* Apply fn to every record of an open reader; stops at the first failure unless --keep-going.
 * Every call of dc_in_next consumes input, so that a bad record costs itself and not a loop. */
static int
feed(struct dc *ctx, struct dc_in *in, const char *opts, dc_bulk_fn fn, void *arg)
{
	struct dc_args rec = {0};
	long line = 0, n = 0, inbatch = 0;
	long long done, size;
	struct dc_meter m;
	int rc;

	/* messages and rejects name the record's source and first line */
	free(ctx->cursrc);
	ctx->cursrc = dc_strdup(dc_in_name(in));
	dc_meter_begin(&m, dc_in_name(in), "records", 0);
	for (;;) {
		if (m.on && !(n & 255)) {
			dc_in_where(in, &done, &size);
			dc_meter_tick(ctx, &m, n, done, size);
		}
		rc = dc_in_next(ctx, in, &rec, &line);
		if (rc == 0)
			break;
		n++;
		ctx->curline = line;
		if (rc != 1) {
			/* an unreadable record: under --keep-going skip it, else stop */
			if (!ctx->keep_going || rc == DC_EIO)
				break;
			reject(ctx, rc, NULL, in);
			continue;
		}
		ctx->curin = in;
		ctx->reading = dc_in_reading(in);
		rc = dc_apply_record(ctx, &rec, opts, fn, arg);
		ctx->curin = NULL;
		ctx->reading = DC_READ_CMDLINE;
		if (rc)
			break;
		if (ctx->batch && !ctx->dry_run && ++inbatch == ctx->batch) {
			if ((rc = dc_tx_split(ctx, NULL, NULL, 0)))
				break;
			ctx->batch_done += inbatch;
			inbatch = 0;
		}
	}
	if (m.shown) {
		dc_in_where(in, &done, &size);
		dc_meter_end(ctx, &m, n, done, size);
	}
	/* the message takes the place along: whoever prints it later no longer knows it */
	if (rc && ctx->errmsg[0])
		dc_error_prefix(ctx, "%s:%ld", ctx->cursrc, ctx->curline);
	free(ctx->cursrc);
	ctx->cursrc = NULL;
	dc_args_free(&rec);
	return rc;
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
		dc_in_ids(ctx, in);
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
			dc_in_ids(ctx, in);
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
