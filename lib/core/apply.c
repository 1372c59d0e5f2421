/* Running a change in one transaction and reporting the records it touched (see dc.h). */
#include <stdlib.h>
#include <string.h>

#include "core/dc.h"

static int
touched_table(struct dc *ctx)
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
	int rc;

	if (!show)
		return 0;
	if ((rc = dc_prepare(ctx, &st, "SELECT id, extra FROM temp.touched ORDER BY n")))
		return rc;
	if ((rc = dc_out_begin(ctx, rt)))
		goto done;
	while ((rc = dc_step(ctx, st)) == 1)
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
	return rc;
}

/* Commit (or roll back a dry run after reporting), then report. */
static int
finish(struct dc *ctx, int rc, const struct dc_rectype *rt, dc_show_fn show)
{
	if (rc) {
		dc_tx_end(ctx, rc);
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
	if ((rt && (rc = dc_out_check(ctx, rt))) || (rc = dc_db_open(ctx)) || (rc = touched_table(ctx)) || (rc = dc_tx_begin(ctx)))
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
dc_act(struct dc *ctx, struct dc_args *a, int (*fn)(struct dc *, const char *id,
       struct dc_args *a), const struct dc_rectype *rt, dc_show_fn show)
{
	int rc;

	if ((rt && (rc = dc_out_check(ctx, rt))) || (rc = dc_db_open(ctx)) ||
	    (rc = touched_table(ctx)) || (rc = dc_tx_begin(ctx)))
		return rc;
	return finish(ctx, dc_each_id(ctx, a, fn, a), rt, show);
}

int
dc_act_each(struct dc *ctx, struct dc_args *a, int (*fn)(struct dc *, const char *operand,
            struct dc_args *a), const struct dc_rectype *rt, dc_show_fn show)
{
	int i, rc;

	if ((rt && (rc = dc_out_check(ctx, rt))) || (rc = dc_db_open(ctx)) ||
	    (rc = touched_table(ctx)) || (rc = dc_tx_begin(ctx)))
		return rc;
	for (i = 0; i < a->noperand && !rc; i++)
		rc = fn(ctx, a->operand[i], a);
	return finish(ctx, rc, rt, show);
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

/* A setting, checked, changed and audited (dc config). */
int
dc_setting_set(struct dc *ctx, const char *key, const char *value)
{
	char *old = NULL;
	int rc;

	if (!dc_setting_known(key))
		return dc_error(ctx, DC_EUSAGE, "unknown setting '%s'; see dc config", key);
	if ((!strcmp(key, "feed.flag_threshold") || !strcmp(key, "shop.grace_days")) &&
	    (atoi(value) < !strcmp(key, "feed.flag_threshold") || !*value ||
	     strspn(value, "0123456789") != strlen(value)))
		return dc_error(ctx, DC_EDATA, "setting '%s': '%s' is not a %s number", key, value,
		                !strcmp(key, "shop.grace_days") ? "whole" : "positive");
	if (!strcmp(key, "lang") && strcmp(value, "de") && strcmp(value, "en"))
		return dc_error(ctx, DC_EDATA, "setting 'lang': '%s' is not de or en", value);
	if ((rc = dc_require(ctx, "", "change settings")) || (rc = dc_tx_begin(ctx)))
		return rc;
	old = dc_setting(ctx, key);
	rc = dc_exec(ctx, "INSERT INTO setting(key, value) VALUES (?1, ?2) "
	                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	             2, key, value);
	if (!rc) {
		struct dc_event ev = {"setting", key, "changed", old, value, NULL, 0};

		rc = dc_audit(ctx, &ev);
	}
	free(old);
	return dc_tx_end(ctx, rc);
}
