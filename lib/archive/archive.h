/* The archive offer before destruction (dc-archive(1)): the xdomea 3.0.0 Aussonderung with the
 * city's public archive, and whether purge may destroy a record. */
#ifndef DC_ARCHIVE_H
#define DC_ARCHIVE_H

#include "core/dc.h"

#define DC_ARCHIVE_POLICIES "offer keep destroy"

extern const struct dc_rectype dc_rt_archive_record;
extern const struct dc_opt dc_archive_status_spec[];

/* May ENTITY ("case", "shop_order" or "order", as the audit trail names them) ID be destroyed
 * (purged, anonymised, erased)?  *ok: 1 when its archive policy is destroy, or the archive
 * appraised it "vernichten" (0502), or confirmed its import (0506); else 0, and *why (a static
 * text) says what it waits for ("not yet offered to the archive", "awaiting the archive's
 * appraisal", ..., "kept for the archive (policy keep)").  Returns 0 or an error code. */
int dc_archive_may_destroy(struct dc *ctx, const char *entity, const char *id, int *ok,
                           const char **why);

/* The same rule as an SQL condition, for a purge that selects many records in one statement:
 * ENTITY, ID and POLICY are the SQL of the entity ("'case'"), the record's id and its policy
 * (offer, keep or destroy). */
#define DC_ARCHIVE_MAY_DESTROY(entity, id, policy)                                              \
	"((" policy ") IS NOT 'keep' AND coalesce((SELECT ar.appraisal IS 'V' OR ar.stage ="      \
	" 'imported' FROM archive_record ar WHERE ar.entity = " entity " AND ar.ref = (" id     \
	")), (" policy ") = 'destroy'))"
/* The policy of a case: its service's (SERVICE: the SQL of the case's service code). */
#define DC_ARCHIVE_CASE_POLICY(service) "(SELECT s.archive FROM service s WHERE s.code = (" \
	service "))"

/* dc-archive offer: write DIR/<ProzessID>_Aussonderung.Anbieteverzeichnis.0501.xml listing the
 * records due (closed before the local day BEFORE, policy offer, not offered yet). */
int dc_archive_offer(struct dc *ctx, const char *before, const char *dir);
/* dc-archive receive: read the archive's message PATH (0504, 0502, 0507, 0506; XML or the
 * xdomea ZIP); a 0502 is answered with a 0505 written into DIR. */
int dc_archive_receive(struct dc *ctx, const char *path, const char *dir);
/* dc-archive handover: one DIR/<ProzessID>_Aussonderung.Aussonderung.0503.zip per offer with
 * the records appraised A and not handed over yet. */
int dc_archive_handover(struct dc *ctx, const char *dir);
/* dc-archive status: the records (one, by its UUID, when ID is given) filtered by A. */
int dc_archive_status(struct dc *ctx, const char *id, const struct dc_args *a,
                      struct dc_stmt **st);
int dc_archive_show(struct dc *ctx, const char *id, const char *extra);

#endif
