/* dc-case: citizen cases (dc-case(1)).  Verb table and option specs; the work is in lib/cases. */
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"

static int
show_service(struct dc *ctx, const char *code, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_case_service_list(ctx, code, &st), &st, "service", code);
}

static int
cmd_service_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_case_service_add_spec, dc_case_service_add, NULL,
	                      &dc_rt_service, show_service);
}

static int
cmd_service_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_service, dc_case_service_list(ctx, NULL, &st), &st);
}

static int
cmd_service_show(struct dc *ctx, struct dc_args *a)
{
	return dc_out_show(ctx, a, &dc_rt_service, show_service);
}

static int
cmd_service_set(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_case_service_set, &dc_rt_service, show_service);
}

static int
service_import(struct dc *ctx, const char *path, struct dc_args *a)
{
	return dc_case_service_import(ctx, path, dc_arg(a, "department"));
}

static int
cmd_service_import(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "service import needs one FILE (or -)");
	return dc_act_each(ctx, a, service_import, &dc_rt_service, show_service);
}

static int
cmd_route_add(struct dc *ctx, struct dc_args *a)
{
	return dc_create_spec(ctx, a, dc_case_route_add_spec, dc_case_route_add, NULL, NULL, NULL);
}

static int
cmd_route_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_route, dc_case_route_list(ctx, &st), &st);
}

static int
cmd_new(struct dc *ctx, struct dc_args *a)
{
	struct dc_case_memo *memo;
	int rc;

	if ((rc = dc_arg_int(ctx, a, "batch", 1, 1000000000, &ctx->batch)))
		return rc;
	if (ctx->batch && a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "--batch goes with records from - or FILE");
	/* a record may also use the names dc-case list prints (reporter.name, attributes) */
	memo = dc_case_memo_new();
	rc = dc_create_spec(ctx, a, dc_case_new_spec, dc_case_new, memo, &dc_rt_case_new,
	                    dc_case_show);
	dc_case_memo_free(memo);
	return rc;
}

static int
show_checked(struct dc *ctx, const char *id, const char *extra)
{
	int rc = dc_case_check_read(ctx, id);

	return rc ? rc : dc_case_show(ctx, id, NULL);
}

static int
cmd_show(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;
	int rc, i;

	if (a->noperand < 1)
		return dc_error(ctx, DC_EUSAGE, "show needs an ID");
	if ((rc = dc_db_open(ctx)))
		return rc;
	if (dc_flag(a, "history")) {
		/* the case, then its events: one stream of records, as git log -p shows a commit
		 * and its diff */
		for (i = 0; i < a->noperand && !rc; i++) {
			if ((rc = dc_out_begin(ctx, &dc_rt_case)) ||
			    (rc = show_checked(ctx, a->operand[i], NULL)) || (rc = dc_out_end(ctx)) ||
			    (rc = dc_case_history(ctx, a->operand[i], &st)))
				break;
			rc = dc_out_query(ctx, &dc_rt_event, st);
		}
		return rc;
	}
	if ((rc = dc_out_begin(ctx, &dc_rt_case)))
		return rc;
	for (i = 0; i < a->noperand && !rc; i++)
		rc = show_checked(ctx, a->operand[i], NULL);
	return rc ? rc : dc_out_end(ctx);
}

static int
cmd_list(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	return dc_out_list(ctx, &dc_rt_case, dc_case_list(ctx, a, &st), &st);
}

static int
cmd_status(struct dc *ctx, struct dc_args *a)
{
	int rc;

	if (a->noperand < 2)
		return dc_error(ctx, DC_EUSAGE, "status needs ID... STATUS");
	dc_args_add(a, "status", a->operand[--a->noperand]);
	free(a->operand[a->noperand]);
	if ((rc = dc_decode(ctx, dc_case_status_spec, a, NULL)))
		return rc;
	return dc_act(ctx, a, dc_case_set_status, &dc_rt_case, dc_case_show);
}

static int
cmd_note(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand != 2)
		return dc_error(ctx, DC_EUSAGE, "note needs ID and TEXT");
	dc_args_add(a, "text", a->operand[--a->noperand]);
	free(a->operand[a->noperand]);
	return dc_act(ctx, a, dc_case_note, &dc_rt_case, dc_case_show);
}

static int
cmd_history(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "history needs one ID");
	return dc_out_list(ctx, &dc_rt_event, dc_case_history(ctx, a->operand[0], &st), &st);
}

static int
cmd_track(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "track needs one ID");
	return dc_case_track(ctx, a->operand[0], dc_arg(a, "token"));
}

static int
import_file(struct dc *ctx, const char *path, struct dc_args *a)
{
	return dc_case_import_open311(ctx, path);
}

static int
cmd_import(struct dc *ctx, struct dc_args *a)
{
	static const char *const out[] = {"table", "jsonl", "ndjson", "json", "csv", "tsv", NULL};
	const char *f = dc_arg(a, "format");
	const char *const *o;

	/* --format names the input (open311); an output format given with -f is still one */
	for (o = out; f && *o && strcmp(*o, f); o++)
		;
	if (f && *o) {
		ctx->format = !strcmp(f, "table")  ? DC_FMT_TABLE
		              : !strcmp(f, "json") ? DC_FMT_JSON
		              : !strcmp(f, "csv")  ? DC_FMT_CSV
		              : !strcmp(f, "tsv")  ? DC_FMT_TSV
		                                   : DC_FMT_JSONL;
	} else if (f && strcmp(f, "open311"))
		return dc_error(ctx, DC_EUSAGE, "--format: unknown import format '%s' (open311)", f);
	if (a->noperand < 1)
		return dc_error(ctx, DC_EUSAGE, "import needs FILE (or -)");
	return dc_act_each(ctx, a, import_file, &dc_rt_case, dc_case_show);
}

static int
cmd_verify(struct dc *ctx, struct dc_args *a)
{
	return dc_case_verify(ctx);
}

static int
cmd_purge(struct dc *ctx, struct dc_args *a)
{
	return dc_case_purge_verb(ctx, a);
}

static int
cmd_hold(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_case_hold, &dc_rt_case, dc_case_show);
}

static int
cmd_unhold(struct dc *ctx, struct dc_args *a)
{
	return dc_act(ctx, a, dc_case_unhold, &dc_rt_case, dc_case_show);
}

static const struct dc_verb verbs[] = {
	{"service add", cmd_service_add, NULL, "%o | -",
	 "add a service (a kind of case) with its Open311 attribute definition",
	 dc_case_service_add_spec},
	{"service list", cmd_service_list, "", "", "list services", NULL},
	{"service show", cmd_service_show, "", "CODE...", "show services", NULL},
	{"service set", cmd_service_set,
	 "department= sla= active= name= definition= retention= archive=",
	 "CODE... [--department D] [--sla N] [--active true|false] [--name N] [--definition F] "
	 "[--retention DAYS|none] [--archive offer|keep|destroy]",
	 "change services", NULL},
	{"service import", cmd_service_import, "department=", "FILE [--department D]",
	 "import an Open311 services list or service definitions (JSON)", NULL},
	{"route add", cmd_route_add, NULL, "%o", "route a service's cases of a district",
	 dc_case_route_add_spec},
	{"route list", cmd_route_list, "", "", "list district routing overrides", NULL},
	{"new", cmd_new, NULL, "%o | [--batch N] - | [--batch N] FILE",
	 "take in a case (or many from JSONL, JSON or CSV)",
	 dc_case_new_spec},
	{"show", cmd_show, "history", "ID... [--history]", "show cases", NULL},
	{"list", cmd_list, NULL, "", "list cases", dc_case_list_spec},
	{"status", cmd_status, "note= public duplicate-of=",
	 "ID...|- STATUS [--note TEXT] [--duplicate-of ID]", "change the status of cases", NULL},
	{"note", cmd_note, "public", "ID TEXT [--public]",
	 "add an internal (or public) note", NULL},
	{"history", cmd_history, "", "ID", "the case's events, oldest first", NULL},
	{"track", cmd_track, "token=", "ID --token TOKEN", "the citizen's view of a case", NULL},
	{"import", cmd_import, "format=", "[--format open311] FILE...",
	 "import GeoReport v2 requests (JSON or XML)", NULL},
	{"verify", cmd_verify, "", "", "check the audit hash chain", NULL},
	{"purge", cmd_purge, "closed-before= retention service= limit=",
	 "--closed-before DATE | --retention [--service C] [--limit N]",
	 "anonymise closed cases: before DATE, or past their service's retention", NULL},
	{"hold", cmd_hold, "reason=", "ID... --reason TEXT",
	 "put cases under a legal hold: purge and dc-subject erase keep them", NULL},
	{"unhold", cmd_unhold, "", "ID...", "lift the legal hold of cases", NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	return dc_main(argc, argv, "dc-case", verbs,
	               "dc-case: citizen cases — services, intake, status, notes, tracking.");
}
