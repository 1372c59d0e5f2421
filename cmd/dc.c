/* dc: the front end.  Its own verbs set up and check a city; "dc NOUN ..." runs dc-NOUN. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/cases.h"
#include "core/dc.h"
#include "procure/procure.h"
#include "subject/subject.h"

static const struct dc_rectype rt_setting = {
	"setting",
	(const struct dc_field[]){{"key", DC_T_STR}, {"value", DC_T_STR}, {"type", DC_T_STR}}, 3};
static const struct dc_rectype rt_purge = {
	"purge",
	(const struct dc_field[]){{"entity", DC_T_STR}, {"action", DC_T_STR}, {"count", DC_T_INT}},
	3};
static const struct dc_rectype rt_check = {
	"check",
	(const struct dc_field[]){{"check", DC_T_STR}, {"ok", DC_T_BOOL}, {"detail", DC_T_STR}}, 3};

static int
cmd_init(struct dc *ctx, struct dc_args *a)
{
	int rc;

	if (dc_db_is_pg(ctx->db_path))
		return dc_pg_init(ctx, ctx->db_path);
	if ((rc = dc_db_open(ctx)))
		return rc;
	fprintf(stderr, "dc: database '%s' is ready (schema %ld)\n", ctx->db_path,
	        dc_schema_version());
	return 0;
}

static int
cmd_config(struct dc *ctx, struct dc_args *a)
{
	const struct dc_setting_def *d;
	const char *vals[3];
	char *v, *type;
	int rc;

	if (a->noperand > 2)
		return dc_error(ctx, DC_EUSAGE, "too many operands");
	if ((rc = dc_db_open(ctx)))
		return rc;
	d = a->noperand ? dc_setting_def(a->operand[0]) : NULL;
	if (a->noperand == 2 && d && d->via)
		return dc_error(ctx, DC_EUSAGE, "setting '%s' is set with %s, which checks it",
		                d->key, d->via);
	if (a->noperand == 2)
		return dc_setting_set(ctx, a->operand[0], a->operand[1]);
	if (a->noperand == 1 && !d)
		return dc_error(ctx, DC_ENOTFOUND, "unknown setting '%s'; dc config lists them",
		                a->operand[0]);
	if ((rc = dc_out_begin(ctx, &rt_setting)))
		return rc;
	for (d = d ? d : dc_settings; d->key && !rc; d++) {
		v = dc_setting(ctx, d->key);
		type = dc_setting_type_text(d);
		vals[0] = d->key;
		vals[1] = v;
		vals[2] = type;
		rc = dc_out_row(ctx, vals);
		free(v);
		free(type);
		if (a->noperand == 1)
			break;
	}
	return rc ? rc : dc_out_end(ctx);
}

static int
cmd_backup(struct dc *ctx, struct dc_args *a)
{
	int rc;

	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "backup needs one FILE");
	/* pg_dump runs without the group and would need the password, which its user could
	 * then read in its environment */
	if (dc_db_is_pg(ctx->db_path) && dc_priv_db(NULL))
		return dc_error(ctx, DC_EPERM,
		                "the setgid install does not back up a PostgreSQL city: run pg_dump"
		                " as the database's owner (dcity(7))");
	if ((rc = dc_db_open(ctx)) || (rc = dc_require(ctx, "auditor", "make backups")) ||
	    (rc = dc_db_backup(ctx, a->operand[0])))
		return rc;
	fprintf(stderr, "dc: backup written to '%s'\n", a->operand[0]);
	return 0;
}

static const struct dc_rectype rt_anchor = {
	"anchor",
	(const struct dc_field[]){{"at", DC_T_STR},
	                          {"events", DC_T_INT},
	                          {"hash", DC_T_STR},
	                          {"path", DC_T_STR},
	                          {"commit", DC_T_STR}},
	5};

static int
cmd_anchor(struct dc *ctx, struct dc_args *a)
{
	struct dc_git g = {dc_arg(a, "git-repo"), dc_arg(a, "git-branch"), NULL,
	                   dc_arg(a, "git-message"), "", 0};
	struct dc_anchor an;
	char events[24];
	const char *vals[5];
	int rc;

	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "anchor takes no operands");
	if (!g.repo)
		return dc_error(ctx, DC_EUSAGE, "anchor needs --git-repo DIR");
	g.path = dc_arg(a, "git-path") ? dc_arg(a, "git-path") : DC_ANCHOR_PATH;
	if ((rc = dc_db_open(ctx)) || (rc = dc_anchor_add(ctx, &g, &an)))
		return rc;
	snprintf(events, sizeof events, "%lld", an.events);
	vals[0] = an.at, vals[1] = events, vals[2] = an.hash, vals[3] = g.path;
	vals[4] = g.commit;
	if ((rc = dc_out_begin(ctx, &rt_anchor)) || (rc = dc_out_row(ctx, vals)))
		return rc;
	return dc_out_end(ctx);
}

static int
cmd_check(struct dc *ctx, struct dc_args *a)
{
	const char *vals[3], *anchors = dc_arg(a, "anchors");
	char *integrity = NULL, *detail, *held = NULL;
	struct dc_catalog_leftovers left;
	long bad, checked;
	long long walsize;
	int rc, problems = 0, ok = 1;

	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "check takes no operands");
	if (dc_arg(a, "git-path") && !anchors)
		return dc_error(ctx, DC_EUSAGE, "--git-path needs --anchors DIR");
	if ((rc = dc_db_open(ctx)) || (rc = dc_db_integrity(ctx, &integrity)) ||
	    (rc = dc_audit_verify(ctx, &bad, &checked)))
		goto done;
	if (anchors && (rc = dc_anchor_check(ctx, anchors,
	                                     dc_arg(a, "git-path") ? dc_arg(a, "git-path")
	                                                           : DC_ANCHOR_PATH,
	                                     &ok, &held)))
		goto done;
	/* what a killed catalog import left: --repair removes it, else it is a problem */
	if ((rc = dc_procure_catalog_leftovers(ctx, NULL, dc_arg(a, "repair") != NULL, &left)))
		goto done;
	walsize = dc_db_wal_bytes(ctx);
	if ((rc = dc_out_begin(ctx, &rt_check)))
		goto done;
	problems += strcmp(integrity ? integrity : "", "ok") != 0;
	vals[0] = "integrity", vals[1] = problems ? "0" : "1", vals[2] = integrity;
	if ((rc = dc_out_row(ctx, vals)))
		goto done;
	detail = bad ? dc_printf("event %ld breaks the hash chain", bad)
	             : dc_printf("%ld events verified", checked);
	problems += bad != 0;
	vals[0] = "audit-chain", vals[1] = bad ? "0" : "1", vals[2] = detail;
	rc = dc_out_row(ctx, vals);
	free(detail);
	if (rc)
		goto done;
	if (anchors) {
		problems += !ok;
		vals[0] = "anchors", vals[1] = ok ? "1" : "0", vals[2] = held;
		if ((rc = dc_out_row(ctx, vals)))
			goto done;
		if (!ok)
			dc_warn(ctx, "%s", held);
	}
	detail = dc_printf("%ld unfinished import%s%s, %lld replaced item version%s%s, %ld running",
	                   left.staged, left.staged == 1 ? "" : "s",
	                   left.staged && dc_arg(a, "repair") ? " cleaned" : "", left.retired,
	                   left.retired == 1 ? "" : "s",
	                   left.retired && dc_arg(a, "repair") ? " deleted" : "", left.running);
	ok = dc_arg(a, "repair") || (!left.staged && !left.retired);
	problems += !ok;
	vals[0] = "catalog-imports", vals[1] = ok ? "1" : "0", vals[2] = detail;
	rc = dc_out_row(ctx, vals);
	free(detail);
	if (rc)
		goto done;
	/* SQLite's write-ahead log; PostgreSQL's is the server's to watch */
	if (!dc_db_is_pg(ctx->db_path)) {
		detail = dc_printf("%lld bytes", walsize < 0 ? 0 : walsize);
		vals[0] = "wal-size", vals[1] = "1", vals[2] = detail;
		rc = dc_out_row(ctx, vals);
		free(detail);
		if (rc)
			goto done;
	}
	rc = dc_out_end(ctx);
	if (!rc && problems)
		rc = DC_EPROBLEM;
done:
	free(held);
	free(integrity);
	return rc;
}

/* Every entity's retention in one transaction: the services' for cases (dc-case purge
 * --retention), and members, shop orders, posts and the outbox (dc-subject(1)). */
static int
purge_all(struct dc *ctx, void *arg)
{
	struct dc_case_purged c = {-1, 0, 0, 0, 0, 0};
	struct dc_subject_kept k = {0};
	int rc;

	(void)arg;
	if ((rc = dc_case_purge_retention(ctx, NULL, -1, &c)) ||
	    (rc = dc_subject_retention(ctx, &k)))
		return rc;
	{
		const struct {
			const char *entity, *action;
			long n;
		} rows[] = {{"case", "anonymised", c.cases},  {"case", "held", c.held},
		            {"case", "awaiting_archive", c.awaiting_archive},
		            {"event", "note erased", c.notes}, {"member", "removed", k.members},
		            {"shop_order", "anonymised", k.shop_orders},
		            {"shop_order", "awaiting_archive", k.awaiting_archive},
		            {"post", "removed", k.posts},      {"comment", "removed", k.comments},
		            {"outbox", "text dropped", k.outbox}};
		char num[24];

		if ((rc = dc_out_begin(ctx, &rt_purge)))
			return rc;
		for (size_t i = 0; i < sizeof rows / sizeof rows[0] && !rc; i++) {
			const char *vals[3] = {rows[i].entity, rows[i].action, num};

			snprintf(num, sizeof num, "%ld", rows[i].n);
			rc = dc_out_row(ctx, vals);
		}
		if (!rc)
			rc = dc_out_end(ctx);
	}
	dc_note(ctx, "retention: %ld case%s anonymised (%ld held), %ld member%s, %ld shop order%s,"
	        " %ld post%s with %ld comment%s, %ld message%s; %ld awaiting_archive",
	        c.cases, c.cases == 1 ? "" : "s", c.held, k.members, k.members == 1 ? "" : "s",
	        k.shop_orders, k.shop_orders == 1 ? "" : "s", k.posts, k.posts == 1 ? "" : "s",
	        k.comments, k.comments == 1 ? "" : "s", k.outbox, k.outbox == 1 ? "" : "s",
	        c.awaiting_archive + k.awaiting_archive);
	return rc;
}

static int
cmd_purge(struct dc *ctx, struct dc_args *a)
{
	int rc;

	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "purge takes no operands");
	if (!dc_flag(a, "retention"))
		return dc_error(ctx, DC_EUSAGE, "purge needs --retention");
	if ((rc = dc_act_call(ctx, purge_all, NULL, NULL, NULL)))
		return rc;
	dc_db_scrub_wal(ctx);
	return 0;
}

static int
cmd_version(struct dc *ctx, struct dc_args *a)
{
	printf("dc (dcity) %s\n%s, json-c %s, schema %ld\n", DC_VERSION, dc_db_engine(),
	       json_c_version(), dc_schema_version());
	return 0;
}

static const char *const topics[] = {
	"case",   "dc-case: citizen cases, services, routing, tracking",
	"assign", "dc-assign: departments, staff, queues, claims, deputies, holidays",
	"order",  "dc-order: procurement — vendors, catalogs, rules, budgets, orders",
	"import", "dc-import: catalog batch jobs (spool folder, git repository)",
	"shop",   "dc-shop: the local marketplace — merchants, products, offers, orders",
	"feed",   "dc-feed: the community feed — members, posts, moderation, guide",
	"notify", "dc-notify: notification delivery, escalations and digests (cron)",
	"export", "dc-export: reports and open data (CSV, Open311, OCDS, feeds, iCalendar, git)",
	"archive", "dc-archive: the archive offer before destruction (xdomea Aussonderung)",
	"subject", "dc-subject: a person's data — find, export, erase (GDPR Art. 15, 17)",
	"dcity",  "conventions: records, formats, exit status, environment (dcity(7))",
	NULL,
};

static int
cmd_help(struct dc *ctx, struct dc_args *a)
{
	const char *const *t;
	char *page;

	if (a->noperand == 0) {
		printf("usage: dc <noun> <verb> [options]   or   dc <verb>\n\n"
		       "dc verbs: init, config [KEY [VALUE]], backup FILE, check, anchor, purge,"
		       " version,"
		       " help [TOPIC]\n"
		       "\ntopics:\n");
		for (t = topics; *t; t += 2)
			printf("  %-8s %s\n", t[0], t[1]);
		printf("\n'dc help TOPIC' opens the manual page.\n");
		return 0;
	}
	for (t = topics; *t && strcmp(*t, a->operand[0]); t += 2)
		;
	if (!*t)
		return dc_error(ctx, DC_ENOTFOUND, "no help topic '%s'", a->operand[0]);
	page = !strcmp(*t, "dcity") ? dc_strdup("dcity") : dc_printf("dc-%s", *t);
	fflush(stdout);
	if (dc_priv_drop(0) < 0) {
		free(page);
		return dc_error(ctx, DC_EINTERNAL, "cannot run man without the dcity group");
	}
	execlp("man", "man", page, (char *)NULL);
	free(page);
	return dc_error(ctx, DC_EINTERNAL, "cannot run man: %s", strerror(errno));
}

static const struct dc_rectype rt_migrate = {
	"migrate-table", (const struct dc_field[]){{"table", DC_T_STR}, {"rows", DC_T_INT}}, 2};

static int
cmd_migrate(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "migrate takes no operands");
	if (!dc_arg(a, "to") || !*dc_arg(a, "to"))
		return dc_error(ctx, DC_EUSAGE, "migrate needs --to postgresql://... or --to FILE");
	return dc_migrate(ctx, dc_arg(a, "to"), &rt_migrate);
}

static const struct dc_verb verbs[] = {
	{"init", cmd_init, "", "", "create the database (or migrate it) explicitly", NULL},
	{"config", cmd_config, "", "[KEY [VALUE]]",
	 "show or change organisation-wide settings", NULL},
	{"backup", cmd_backup, "", "FILE", "write a consistent online copy of the database", NULL},
	{"check", cmd_check, "anchors= git-path= repair",
	 "[--anchors DIR [--git-path F]] [--repair]",
	 "integrity check, audit-chain verification (and its anchors), unfinished catalog"
	 " imports, WAL size",
	 NULL},
	{"anchor", cmd_anchor, "git-repo= git-path= git-branch= git-message=",
	 "--git-repo DIR [--git-path F] [--git-branch B] [--git-message M]",
	 "append the audit chain's length and head to a file in git and commit it", NULL},
	{"purge", cmd_purge, "retention", "--retention",
	 "apply every entity's retention: cases, members, shop orders, posts, the outbox", NULL},
	{"migrate", cmd_migrate, "to=", "--to postgresql://...|FILE",
	 "copy the whole city into an empty PostgreSQL database, or from one into a new file",
	 NULL},
	{"version", cmd_version, "", "", "print versions", NULL},
	{"help", cmd_help, "", "[TOPIC]", "list topics or open the manual", NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

/* Global options that take a value, so that their value is not mistaken for the noun. */
static int
takes_value(const char *s)
{
	static const char *const v[] = {"-D", "--db", "--as", "-f", "--format", "--fields",
	                                "--dialect", "-i", "--input", "--rejects", "--busy-timeout",
	                                NULL};
	const char *const *p;

	for (p = v; *p; p++)
		if (!strcmp(s, *p))
			return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	const struct dc_verb *v;
	char self[PATH_MAX], *slash, *prog;
	ssize_t n;
	int i, rc;

	dc_db_config();
	/* a setgid install cleans the environment first, for "dc NOUN" too (lib/core/priv.c) */
	if ((rc = dc_priv_init("dc")))
		return rc;
	for (i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++)
		if (takes_value(argv[i]))
			i++;
	if (i >= argc || !strcmp(argv[i], "--"))
		return dc_main(argc, argv, "dc", verbs,
		               "dc: set up and check a dcity database, and run dc-NOUN commands.");
	for (v = verbs; v->name && strcmp(v->name, argv[i]); v++)
		;
	if (v->name)
		return dc_main(argc, argv, "dc", verbs,
		               "dc: set up and check a dcity database, and run dc-NOUN commands.");
	/* dc NOUN ...: exec dc-NOUN, from beside this binary first, then from PATH (which a
	 * setgid install has set to a fixed one); dc-NOUN is setgid itself if it is installed so */
	if (dc_priv_drop(0) < 0)
		return DC_EINTERNAL;
	prog = dc_printf("dc-%s", argv[i]);
	memmove(argv + i, argv + i + 1, (size_t)(argc - i) * sizeof *argv);
	argv[0] = prog;
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/'))) {
			char *path = dc_printf("%.*s/%s", (int)(slash - self), self, prog);

			execv(path, argv);
			free(path);
		}
	}
	execvp(prog, argv);
	fprintf(stderr, "dc: '%s' is not a dc command or verb (no %s found); see dc help\n",
	        prog + 3, prog);
	free(prog);
	return DC_EUSAGE;
}
