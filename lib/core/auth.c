/* Settings and identity: who acts, with which role. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dc.h"

/* Known settings and their defaults (dcity(7) "Settings", "Time"); NULL default = unset. */
const char *const dc_setting_keys[] = {
	"city.name",           "Musterstadt",
	"city.url",            "https://www.musterstadt.example",
	"mail.from",           "dcity@musterstadt.example",
	"mail.reply_to",       NULL,
	"mail.templates",      NULL,
	"track.url",           "https://www.musterstadt.example/anliegen/{id}",
	"procurement.profile", "uvgo",
	"procurement.leitweg_id", NULL,
	"ocds.prefix",         "ocds-xxxxxx",
	"feed.flag_threshold", "3",
	"shop.grace_days",     "1",
	"lang",                "de",
	"city.timezone",       "Europe/Berlin",
	NULL,
};

static const char *const *
find_key(const char *key)
{
	const char *const *k;

	for (k = dc_setting_keys; *k; k += 2)
		if (!strcmp(*k, key))
			return k;
	return NULL;
}

int
dc_setting_known(const char *key)
{
	return find_key(key) != NULL;
}

char *
dc_setting(struct dc *ctx, const char *key)
{
	const char *const *k = find_key(key);
	struct dc_stmt *st = NULL;
	char *v = NULL;

	if (dc_prepare(ctx, &st, "SELECT value FROM setting WHERE key = ?1") == 0) {
		dc_bind_text_ref(st, 1, key);
		if (dc_step_row(st))
			v = dc_strdup(dc_col_text(st, 0));
		dc_finish(ctx, st);
	}
	return v ? v : dc_strdup(k ? k[1] : NULL);
}

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

int
dc_whoami(struct dc *ctx)
{
	struct dc_stmt *st = NULL;
	int rc;

	if (ctx->roles_loaded)
		return 0;
	/* a setgid install decides who acts itself: the real user, --as for admins (priv.c) */
	if ((rc = dc_priv_actor(ctx)))
		return rc;
	if (!ctx->actor) {
		const char *u = getenv("DC_USER");
		struct passwd *pw;

		if (u && *u)
			ctx->actor = dc_strdup(u);
		else if ((pw = getpwuid(getuid())))
			ctx->actor = dc_strdup(pw->pw_name);
		else
			ctx->actor = dc_printf("uid%ld", (long)getuid());
	}
	/* Bootstrap (dcity(7) "Identity and roles"): while no active admin exists, whoever acts is
	 * admin. */
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT s.role, s.dept, NOT EXISTS (SELECT 1 FROM staff "
	                     "  WHERE role = 'admin' AND active = 1) "
	                     "FROM (SELECT 1) LEFT JOIN staff s ON s.login = ?1 AND s.active = 1")))
		return rc;
	dc_bind_text_ref(st, 1, ctx->actor);
	if ((rc = dc_step(ctx, st)) == 1) {
		int boot = dc_col_int(st, 2);
		const char *role = dc_col_text(st, 0);

		ctx->role = dc_strdup(boot ? "admin" : role ? role : "");
		ctx->dept = dc_strdup(dc_col_text(st, 1));
		rc = 0;
	}
	dc_finish(ctx, st);
	ctx->roles_loaded = !rc;
	return rc;
}

int
dc_is_admin(struct dc *ctx)
{
	return dc_whoami(ctx) == 0 && !strcmp(ctx->role, "admin");
}

int
dc_has_role(struct dc *ctx, const char *roles)
{
	size_t n;
	const char *p;

	if (dc_whoami(ctx))
		return 0;
	if (!strcmp(ctx->role, "admin"))
		return 1;
	n = strlen(ctx->role);
	for (p = roles; n && (p = strstr(p, ctx->role)); p += n)
		if ((p == roles || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

int
dc_require(struct dc *ctx, const char *roles, const char *what)
{
	int rc;

	if ((rc = dc_whoami(ctx)))
		return rc;
	if (dc_has_role(ctx, roles))
		return 0;
	return dc_error(ctx, DC_EPERM, "permission denied: '%s'%s%s%s may not %s", ctx->actor,
	                *ctx->role ? " (" : " (not active staff", ctx->role, ")", what);
}
