/* Organisation: integrators' API keys for dc-open311(8).  A key is 32 random bytes, shown once
 * as hex when it is made; the database keeps its SHA-256 only, so a copy of the database does
 * not hand out keys.  Only dc-open311 accepts keys: the commands know who runs them. */
#include <stdlib.h>
#include <string.h>

#include "org/org.h"

const struct dc_rectype dc_rt_api_key = {
	"api key",
	(const struct dc_field[]){{"id", DC_T_INT}, {"login", DC_T_STR}, {"created_at", DC_T_STR},
	                          {"revoked_at", DC_T_STR}, {"key", DC_T_STR}},
	5};

int
dc_org_key_add(struct dc *ctx, const char *login, struct dc_args *a)
{
	struct dc_event ev = {"api_key", NULL, "created", NULL, login, NULL, 0};
	char key[65], hash[65], at[21], *id = NULL;
	int rc, found;

	if ((rc = dc_require(ctx, "", "make API keys")) ||
	    (rc = dc_must_exist(ctx, "SELECT 1 FROM staff WHERE login = ?1", "staff", login)) ||
	    (rc = dc_exists(ctx, "SELECT 1 FROM staff WHERE login = ?1 AND role = 'integrator'"
	                         " AND active = 1", login, &found)))
		return rc;
	if (!found)
		return dc_error(ctx, DC_ECONFLICT, "'%s' is not an active integrator: only "
		                "integrators get API keys", login);
	if (dc_random_hex(key, 32) < 0)
		return dc_error(ctx, DC_EINTERNAL, "no random bytes for the key");
	dc_sha256_hex(key, 64, hash);
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx, "INSERT INTO api_key(login, key_hash, created_at)"
	                       " VALUES (?1, ?2, ?3)", 3, login, hash, at)))
		return rc;
	id = dc_printf("%lld", dc_last_id(ctx));
	ev.ref = id;
	if (!(rc = dc_audit(ctx, &ev)))
		rc = dc_touched(ctx, id, key);
	free(id);
	return rc;
}

int
dc_org_key_revoke(struct dc *ctx, const char *id, struct dc_args *a)
{
	struct dc_event ev = {"api_key", id, "revoked", NULL, NULL, NULL, 0};
	char at[21];
	int rc;

	if ((rc = dc_require(ctx, "", "revoke API keys")) ||
	    (rc = dc_must_exist(ctx, "SELECT 1 FROM api_key WHERE id = ?1", "API key", id)))
		return rc;
	dc_fmt_time(dc_now(ctx), at);
	if ((rc = dc_exec(ctx, "UPDATE api_key SET revoked_at = ?2 WHERE id = ?1"
	                       " AND revoked_at IS NULL", 2, id, at)))
		return rc;
	if (!dc_changes(ctx))
		return dc_error(ctx, DC_ECONFLICT, "API key %s is revoked already", id);
	if ((rc = dc_audit(ctx, &ev)))
		return rc;
	return dc_touched(ctx, id, NULL);
}

int
dc_org_key_list(struct dc *ctx, const char *id, const char *login, struct dc_stmt **st)
{
	struct dc_q q = {0};
	int rc;

	if ((rc = dc_require(ctx, "", "list API keys")))
		return rc;
	dc_q_sql(&q, "SELECT id, login, created_at, revoked_at, NULL FROM api_key");
	dc_q_where_if(&q, "id = ?", id);
	dc_q_where_if(&q, "login = ?", login);
	dc_q_sql(&q, " ORDER BY id");
	return dc_q_prepare(ctx, &q, st);
}

int
dc_org_key_login(struct dc *ctx, const char *key, char **login)
{
	struct dc_stmt *st = NULL;
	char hash[65];
	int rc;

	*login = NULL;
	dc_sha256_hex(key, strlen(key), hash);
	if ((rc = dc_prepare(ctx, &st, "SELECT k.login FROM api_key k"
	                               " JOIN staff s ON s.login = k.login"
	                               " WHERE k.key_hash = ?1 AND k.revoked_at IS NULL"
	                               " AND s.active = 1 AND s.role = 'integrator'")))
		return rc;
	dc_bind_text_ref(st, 1, hash);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*login = dc_strdup(dc_col_text(st, 0));
		rc = 0;
	} else if (rc == 0)
		rc = dc_error(ctx, DC_EPERM, "the API key is not valid");
	dc_finish(ctx, st);
	return rc;
}

int
dc_org_key_show(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;
	const char *vals[5];
	int rc, i;

	if ((rc = dc_org_key_list(ctx, id, NULL, &st)))
		return rc;
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		for (i = 0; i < 4; i++)
			vals[i] = dc_col_text(st, i);
		vals[4] = extra;
		rc = dc_out_row(ctx, vals);
	} else if (rc == 0)
		rc = dc_error(ctx, DC_ENOTFOUND, "no API key '%s'", id);
	dc_finish(ctx, st);
	return rc;
}
