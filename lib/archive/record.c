/* The records offered to the archive: where each stands, and whether one may be destroyed. */
#include <stdlib.h>
#include <string.h>

#include "archive/internal.h"

const struct dc_rectype dc_rt_archive_record = {
	"archive record",
	(const struct dc_field[]){{"id", DC_T_STR},          {"entity", DC_T_STR},
	                          {"ref", DC_T_STR},         {"process", DC_T_STR},
	                          {"stage", DC_T_STR},       {"appraisal", DC_T_STR},
	                          {"offered_at", DC_T_STR},  {"offer_received_at", DC_T_STR},
	                          {"appraised_at", DC_T_STR}, {"handed_over_at", DC_T_STR},
	                          {"received_at", DC_T_STR}, {"imported_at", DC_T_STR},
	                          {"archive_id", DC_T_STR},  {"error", DC_T_STR}},
	14};

#define STAGES "offered offer_received appraised handed_over received imported"

const struct dc_opt dc_archive_status_spec[] = {
	{"entity", DC_V_ENUM, DC_O_LIST, "case shop_order order", "E", NULL, "entity IN (?)",
	 DC_NOFIELD},
	{"ref", DC_V_TEXT, 0, NULL, "ID", NULL, "ref = ?", DC_NOFIELD},
	{"stage", DC_V_ENUM, DC_O_LIST, STAGES, "S", NULL, "stage IN (?)", DC_NOFIELD},
	{"appraisal", DC_V_ENUM, 0, "A V", NULL, NULL, "appraisal = ?", DC_NOFIELD},
	{"process", DC_V_TEXT, 0, NULL, "UUID", NULL, "process = ?", DC_NOFIELD},
	{NULL},
};

int
dc_archive_status(struct dc *ctx, const char *id, const struct dc_args *a, struct dc_stmt **st)
{
	int rc;

	if ((rc = dc_require(ctx, "head auditor", "read the archive's records")))
		return rc;
	return dc_q_list(ctx, st,
	                 "SELECT uuid, entity, ref, process, stage, appraisal, offered_at,"
	                 " offer_received_at, appraised_at, handed_over_at, received_at,"
	                 " imported_at, archive_id, error FROM archive_record",
	                 "uuid = ?", id, dc_archive_status_spec, a,
	                 " ORDER BY offered_at, process, entity, ref");
}

int
dc_archive_show(struct dc *ctx, const char *id, const char *extra)
{
	struct dc_stmt *st = NULL;

	return dc_out_one(ctx, dc_archive_status(ctx, id, NULL, &st), &st, "archive record", id);
}

/* Why a record that may not be destroyed waits, by its stage. */
static const char *
waiting(const char *policy, const char *stage)
{
	static const struct {
		const char *stage, *why;
	} w[] = {
	    {"offered", "offered to the archive, awaiting its appraisal"},
	    {"offer_received", "offered to the archive, awaiting its appraisal"},
	    {"appraised", "appraised archivwürdig, awaiting the hand-over"},
	    {"handed_over", "handed over to the archive, awaiting its import"},
	    {"received", "handed over to the archive, awaiting its import"},
	};
	size_t i;

	if (!strcmp(policy, "keep"))
		return "kept for the archive (policy keep)";
	if (!stage)
		return "not yet offered to the archive";
	for (i = 0; i < sizeof w / sizeof w[0]; i++)
		if (!strcmp(w[i].stage, stage))
			return w[i].why;
	return "awaiting the archive";
}

int
dc_archive_may_destroy(struct dc *ctx, const char *entity, const char *id, int *ok,
                       const char **why)
{
	struct dc_stmt *st = NULL;
	char *policy = NULL;
	int rc;

	*ok = 0;
	*why = NULL;
	if (!strcmp(entity, "case")) {
		if ((rc = dc_prepare(ctx, &st, "SELECT s.archive FROM service s, cases c"
		                               " WHERE c.id = ?1 AND s.code = c.service")))
			return rc;
		dc_bind_text(st, 1, id);
		if ((rc = dc_step(ctx, st)) == DC_ROW)
			policy = dc_strdup(dc_col_text(st, 0));
		dc_finish(ctx, st);
		st = NULL;
		if (rc > 0)
			return rc;
		if (!policy)
			return dc_error(ctx, DC_ENOTFOUND, "no case '%s'", id);
	} else if (!strcmp(entity, "shop_order"))
		policy = dc_setting(ctx, "archive.shop_order");
	else if (!strcmp(entity, "order"))
		policy = dc_setting(ctx, "archive.procurement");
	else
		return dc_error(ctx, DC_EINTERNAL, "no archive policy for entity '%s'", entity);
	if ((rc = dc_prepare(ctx, &st,
	                     "SELECT (SELECT stage FROM archive_record WHERE entity = ?1"
	                     " AND ref = ?2), " DC_ARCHIVE_MAY_DESTROY("?1", "?2", "?3"))))
		goto done;
	dc_bind_text(st, 1, entity);
	dc_bind_text(st, 2, id);
	dc_bind_text(st, 3, policy);
	if ((rc = dc_step(ctx, st)) == DC_ROW) {
		*ok = dc_col_int(st, 1) != 0;
		if (!*ok)
			*why = waiting(policy, dc_col_text(st, 0));
		rc = 0;
	}
done:
	dc_finish(ctx, st);
	free(policy);
	return rc > 0 ? rc : 0;
}
