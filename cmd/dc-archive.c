/* dc-archive: the archive offer before destruction, the xdomea Aussonderung with the city's
 * public archive (dc-archive(1)).  Work in lib/archive/. */
#include "archive/archive.h"

static int
cmd_offer(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "offer takes no operands");
	return dc_archive_offer(ctx, dc_arg(a, "closed-before"), dc_arg(a, "output"));
}

static int
cmd_receive(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "receive needs one FILE");
	return dc_archive_receive(ctx, a->operand[0], dc_arg(a, "output"));
}

static int
cmd_handover(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "handover takes no operands");
	return dc_archive_handover(ctx, dc_arg(a, "output"));
}

static int
cmd_status(struct dc *ctx, struct dc_args *a)
{
	struct dc_stmt *st = NULL;

	if (a->noperand)
		return dc_out_show(ctx, a, &dc_rt_archive_record, dc_archive_show);
	return dc_out_list(ctx, &dc_rt_archive_record, dc_archive_status(ctx, NULL, a, &st), &st);
}

static const struct dc_verb verbs[] = {
    {"offer", cmd_offer, "closed-before= output=", "--closed-before DATE -o DIR",
     "offer the closed records due to the archive (xdomea 0501)", NULL},
    {"receive", cmd_receive, "output=", "FILE [-o DIR]",
     "read the archive's message 0504, 0502 (answered with 0505 into DIR), 0507 or 0506", NULL},
    {"handover", cmd_handover, "output=", "-o DIR",
     "hand the records appraised archivwürdig over to the archive (xdomea 0503 ZIP)", NULL},
    {"status", cmd_status, NULL, "[ID...]", "list where each record offered to the archive stands",
     dc_archive_status_spec},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	return dc_main(
	    argc, argv, "dc-archive", verbs,
	    "dc-archive: offer closed records to the city's public archive before they\n"
	    "are destroyed, and hand over what it appraises archivwürdig (xdomea 3.0.0).");
}
