/* Procurement rules as data: profiles of dated procedure bands (built in, or imported). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "procure/procure.h"

const struct dc_rectype dc_rt_rule = {
	"rule",
	(const struct dc_field[]){{"profile", DC_T_STR}, {"procedure", DC_T_STR},
	                          {"category", DC_T_STR}, {"up_to", DC_T_MONEY},
	                          {"min_quotes", DC_T_INT}, {"valid_from", DC_T_STR},
	                          {"valid_to", DC_T_STR}, {"legal_basis", DC_T_STR},
	                          {"version", DC_T_STR}, {"source", DC_T_STR}},
	10};
const struct dc_rectype dc_rt_band = {
	"band",
	(const struct dc_field[]){{"value", DC_T_MONEY}, {"profile", DC_T_STR},
	                          {"procedure", DC_T_STR}, {"min_quotes", DC_T_INT},
	                          {"legal_basis", DC_T_STR}, {"valid_from", DC_T_STR},
	                          {"valid_to", DC_T_STR}, {"category", DC_T_STR},
	                          {"up_to", DC_T_MONEY}, {"version", DC_T_STR},
	                          {"department_orders", DC_T_MONEY}, {"split_suspect", DC_T_BOOL}},
	12};

static const char *const procedures[] = {"direct", "negotiated", "tender", "eu", NULL};

int
dc_procure_rank(const char *procedure)
{
	int i;

	for (i = 0; procedures[i]; i++)
		if (!strcmp(procedures[i], procedure))
			return i;
	return -1;
}

static char *
version_of(const char *profile, const char *body)
{
	char hex[65];

	dc_sha256_hex(body, strlen(body), hex);
	return dc_printf("%s@%.12s", profile, hex);
}

static const char *
builtin(const char *profile)
{
	const struct dc_blob *b;

	for (b = dc_rules; b->name; b++)
		if (!strcmp(b->name, profile))
			return b->text;
	return NULL;
}

int
dc_procure_profile_load(struct dc *ctx, const char *name, struct dc_profile *p)
{
	struct dc_stmt *st = NULL;
	char *setting = NULL, *body = NULL;
	int rc;

	memset(p, 0, sizeof *p);
	if (!name)
		name = setting = dc_setting(ctx, "procurement.profile");
	/* an imported profile of the same name replaces the built-in one */
	if ((rc = dc_prepare(ctx, &st, "SELECT body, version FROM rule_profile WHERE profile = ?1")))
		goto done;
	dc_bind_text_ref(st, 1, name);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		body = dc_strdup(dc_col_text(st, 0));
		p->version = dc_strdup(dc_col_text(st, 1));
		p->imported = 1;
		rc = 0;
	} else if (rc == 0) {
		if (!builtin(name)) {
			rc = dc_error(ctx, DC_ENOTFOUND, "no rule profile '%s'", name);
			goto done;
		}
		body = dc_strdup(builtin(name));
		p->version = version_of(name, body);
	}
	if (rc)
		goto done;
	p->name = dc_strdup(name);
	if (!(p->json = json_tokener_parse(body)))
		rc = dc_error(ctx, DC_EINTERNAL, "rule profile '%s' is not valid JSON", name);
done:
	dc_finish(ctx, st);
	free(setting);
	free(body);
	return rc;
}

void
dc_procure_profile_free(struct dc_profile *p)
{
	json_object_put(p->json);
	free(p->name);
	free(p->version);
	memset(p, 0, sizeof *p);
}

static const char *
str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && !json_object_is_type(v, json_type_null)
	           ? json_object_get_string(v)
	           : NULL;
}

/* up_to in cents: -1 for "no limit" */
static long long
up_to(json_object *row)
{
	json_object *v;

	if (!json_object_object_get_ex(row, "up_to", &v) || json_object_is_type(v, json_type_null))
		return -1;
	return llround(json_object_get_double(v) * 100);
}

/* Does the profile have rows of this category? else "*" rows apply. */
static const char *
category_of(json_object *rows, const char *category)
{
	size_t i, n = json_object_array_length(rows);

	for (i = 0; category && i < n; i++) {
		const char *c = str(json_object_array_get_idx(rows, i), "category");

		if (c && !strcmp(c, category))
			return category;
	}
	return "*";
}

int
dc_procure_band(struct dc *ctx, const struct dc_profile *p, long long net, const char *category,
                const char *date, struct dc_band *b)
{
	json_object *rows, *best = NULL;
	const char *cat;
	long long best_up = 0;
	size_t i, n;

	memset(b, 0, sizeof *b);
	if (!json_object_object_get_ex(p->json, "rows", &rows))
		return dc_error(ctx, DC_EINTERNAL, "rule profile '%s' has no rows", p->name);
	cat = category_of(rows, category);
	n = json_object_array_length(rows);
	for (i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(rows, i);
		const char *c = str(r, "category"), *from = str(r, "valid_from"), *to = str(r, "valid_to");
		long long u = up_to(r);

		if (!c || strcmp(c, cat) || (from && strcmp(date, from) < 0) || (to && strcmp(date, to) > 0))
			continue;
		if (u >= 0 && net > u)
			continue;
		/* the tightest band that holds the value: the smallest up_to, "no limit" last */
		if (!best || (u >= 0 && (best_up < 0 || u < best_up))) {
			best = r;
			best_up = u;
		}
	}
	if (!best)
		return dc_error(ctx, DC_ECONFLICT, "rule profile '%s' has no band for %lld.%02lld on %s",
		                p->name, net / 100, net % 100, date);
	b->procedure = dc_strdup(str(best, "procedure"));
	b->legal_basis = dc_strdup(str(best, "legal_basis"));
	b->category = dc_strdup(cat);
	snprintf(b->valid_from, sizeof b->valid_from, "%s", str(best, "valid_from") ? str(best, "valid_from") : "");
	snprintf(b->valid_to, sizeof b->valid_to, "%s", str(best, "valid_to") ? str(best, "valid_to") : "");
	b->up_to = best_up;
	{
		json_object *q;

		b->min_quotes = json_object_object_get_ex(best, "min_quotes", &q) ? json_object_get_int(q) : 1;
	}
	return 0;
}

void
dc_band_free(struct dc_band *b)
{
	free(b->procedure);
	free(b->legal_basis);
	free(b->category);
	memset(b, 0, sizeof *b);
}

/* Check a profile document: every row complete, dates valid, procedures known. */
static int
check_profile(struct dc *ctx, const char *src, json_object *p)
{
	json_object *rows;
	const char *name = str(p, "profile");
	size_t i, n;
	long d;

	if (!json_object_is_type(p, json_type_object) || !name || !*name || !str(p, "title"))
		return dc_error(ctx, DC_EDATA, "%s: a profile needs 'profile', 'title' and 'rows'", src);
	if (!json_object_object_get_ex(p, "rows", &rows) || !json_object_is_type(rows, json_type_array) ||
	    !(n = json_object_array_length(rows)))
		return dc_error(ctx, DC_EDATA, "%s: field 'rows': not a list of bands", src);
	for (i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(rows, i), *v;
		const char *proc = str(r, "procedure"), *from = str(r, "valid_from"), *to = str(r, "valid_to");

		if (!proc || dc_procure_rank(proc) < 0)
			return dc_error(ctx, DC_EDATA, "%s: row %zu: field 'procedure': '%s' is not direct, "
			                               "negotiated, tender or eu",
			                src, i + 1, proc ? proc : "");
		if (!str(r, "category") || !str(r, "legal_basis"))
			return dc_error(ctx, DC_EDATA, "%s: row %zu: fields 'category' and 'legal_basis' are "
			                               "required",
			                src, i + 1);
		if (!from)
			return dc_error(ctx, DC_EDATA, "%s: row %zu: field 'valid_from' is required",
			                src, i + 1);
		if (dc_parse_date(from, &d) < 0 || (to && dc_parse_date(to, &d) < 0)) {
			int bad_from = dc_parse_date(from, &d) < 0;

			return dc_error(ctx, DC_EDATA,
			                "%s: row %zu: field '%s': '%s' is not a date (YYYY-MM-DD)",
			                src, i + 1, bad_from ? "valid_from" : "valid_to",
			                bad_from ? from : to);
		}
		if (json_object_object_get_ex(r, "up_to", &v) && !json_object_is_type(v, json_type_null) &&
		    !json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
			return dc_error(ctx, DC_EDATA, "%s: row %zu: field 'up_to': not a number or null", src,
			                i + 1);
		if (!json_object_object_get_ex(r, "min_quotes", &v) || !json_object_is_type(v, json_type_int) ||
		    json_object_get_int(v) < 0)
			return dc_error(ctx, DC_EDATA, "%s: row %zu: field 'min_quotes': not a count", src,
			                i + 1);
	}
	return 0;
}

int
dc_procure_rules_import(struct dc *ctx, const char *path)
{
	json_object *p = NULL;
	struct dc_event ev = {"rule_profile", NULL, "imported", NULL, NULL, path, 0};
	const char *body;
	char *version = NULL, at[21];
	int rc;

	if ((rc = dc_require(ctx, "buyer", "import rule profiles")))
		return rc;
	if (!(p = json_object_from_file(path)))
		return errno == ENOENT ? dc_error(ctx, DC_ENOINPUT, "cannot open '%s'", path)
		                       : dc_error(ctx, DC_EDATA, "%s: not valid JSON", path);
	if ((rc = check_profile(ctx, path, p)))
		goto done;
	body = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);
	version = version_of(str(p, "profile"), body);
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx, "INSERT INTO rule_profile(profile, title, body, version, imported_at,"
	                       " actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(profile) DO UPDATE"
	                       " SET title = excluded.title, body = excluded.body,"
	                       " version = excluded.version, imported_at = excluded.imported_at,"
	                       " actor = excluded.actor",
	                  6, str(p, "profile"), str(p, "title"), body, version, at, ctx->actor)))
		goto done;
	ev.ref = str(p, "profile");
	ev.to = version;
	if (!(rc = dc_audit(ctx, &ev)))
		rc = dc_touched(ctx, str(p, "profile"), NULL);
done:
	free(version);
	json_object_put(p);
	return rc;
}
