/* Identity: who acts, with which role. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dc.h"

void
dc_role_set(struct dc *ctx, const char *role, const char *dept)
{
	free(ctx->role);
	free(ctx->dept);
	ctx->role = dc_strdup(role);
	ctx->dept = dc_strdup(dept);
	ctx->roles_loaded = 1;
}

/* The role and department of ctx->actor. */
static int
load_role(struct dc *ctx)
{
	struct dc_stmt *st = NULL;
	int rc;

	if ((rc = dc_prepare(ctx, &st, DC_ROLE_SQL)))
		return rc;
	dc_bind_text_ref(st, 1, ctx->actor);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		const char *role = dc_col_text(st, 0);

		dc_role_set(ctx, dc_col_int(st, 2) ? "admin" : role ? role : "", dc_col_text(st, 1));
		rc = 0;
	}
	dc_finish(ctx, st);
	return rc;
}

int
dc_actor(struct dc *ctx)
{
	int rc;

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
	return 0;
}

int
dc_whoami(struct dc *ctx)
{
	int rc;

	if (ctx->roles_loaded)
		return 0;
	if ((rc = dc_actor(ctx)))
		return rc;
	return load_role(ctx);
}

int
dc_act_as(struct dc *ctx, const char *login)
{
	free(ctx->actor);
	free(ctx->role);
	free(ctx->dept);
	ctx->role = ctx->dept = NULL;
	ctx->actor = dc_strdup(login);
	ctx->roles_loaded = 0;
	return load_role(ctx);
}

int
dc_is_admin(struct dc *ctx)
{
	return dc_whoami(ctx) == 0 && !strcmp(ctx->role, "admin");
}

/* Is ROLE a word of the list ROLES? */
static int
role_listed(const char *roles, const char *role)
{
	size_t n = strlen(role);
	const char *p;

	for (p = roles; n && (p = strstr(p, role)); p += n)
		if ((p == roles || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

int
dc_has_role(struct dc *ctx, const char *roles)
{
	if (dc_whoami(ctx))
		return 0;
	if (!strcmp(ctx->role, "admin"))
		return 1;
	/* The data-protection officer reads whatever the auditor reads (dcity(7) "Identity and
	 * roles"); the auditor changes nothing, so no list naming the auditor lets anyone write. */
	if (!strcmp(ctx->role, "privacy") && role_listed(roles, "auditor"))
		return 1;
	return role_listed(roles, ctx->role);
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
