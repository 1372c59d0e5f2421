/* dc-import: the catalog and invoice batch jobs cron runs (dc-import(8)).  Work in
 * lib/procure/spool.c and invoice.c. */
#include "procure/procure.h"

static int
cmd_spool(struct dc *ctx, struct dc_args *a)
{
	int rc, out;

	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "spool needs one DIR");
	if ((rc = dc_db_open(ctx)) || (rc = dc_out_begin(ctx, &dc_rt_import)))
		return rc;
	rc = dc_procure_spool(ctx, a->operand[0]);
	out = dc_out_end(ctx);
	return rc ? rc : out;
}

static int
cmd_invoices(struct dc *ctx, struct dc_args *a)
{
	int rc, out;

	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "invoices needs one DIR");
	if ((rc = dc_db_open(ctx)) || (rc = dc_out_begin(ctx, &dc_rt_invoice)))
		return rc;
	rc = dc_procure_invoice_spool(ctx, a->operand[0]);
	out = dc_out_end(ctx);
	return rc ? rc : out;
}

static int
cmd_git(struct dc *ctx, struct dc_args *a)
{
	struct dc_git_opts o = {dc_arg(a, "ref"), dc_arg(a, "path")};
	int rc, out;

	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "git needs one REPO");
	if ((rc = dc_db_open(ctx)) || (rc = dc_out_begin(ctx, &dc_rt_import)))
		return rc;
	rc = dc_procure_git(ctx, a->operand[0], &o);
	out = dc_out_end(ctx);
	return rc ? rc : out;
}

static const struct dc_verb verbs[] = {
	{"spool", cmd_spool, "", "DIR",
	 "import every catalog in DIR/incoming, then move it to done/ or failed/ with a log", NULL},
	{"invoices", cmd_invoices, "", "DIR",
	 "book every e-invoice in DIR/incoming, then move it to done/ or failed/ with a log",
	 NULL},
	{"git", cmd_git, "ref= path=", "REPO [--ref REF] [--path DIR]",
	 "import the catalog files changed since the commit imported last", NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	return dc_main(argc, argv, "dc-import", verbs,
	               "dc-import: batch jobs for cron — catalog and invoice spool folders, a git "
	               "repository.");
}
