/* The guide: what the city offers one member — services, active shop offers, events. */
#include "feed/feed.h"
#include "feed/internal.h"

const struct dc_rectype dc_rt_guide = {
	"guide",
	(const struct dc_field[]){{"id", DC_T_STR}, {"kind", DC_T_STR}, {"title", DC_T_STR},
	                          {"detail", DC_T_STR}, {"district", DC_T_STR},
	                          {"starts_at", DC_T_STR}, {"why", DC_T_STR}},
	7};

int
dc_feed_guide(struct dc *ctx, const char *handle, struct dc_stmt **st)
{
	char now[21], today[11];
	int rc;

	if ((rc = dc_require(ctx, "integrator moderator auditor", "see a member's guide")) ||
	    (rc = dc_feed_member_exists(ctx, NULL, handle)))
		return rc;
	/* services: matched by the member's interests and district words (substring, ASCII
	 * case-insensitive) against code, name and description; with no match, every
	 * application service.  Offers: active by the clock alone (dc-shop expire only records
	 * the end).  Events: visible, not yet begun (all-day events until their day is over). */
	if ((rc = dc_prepare(
	         ctx, st,
	         "WITH m AS (SELECT handle, district, interests FROM member WHERE handle = ?1),"
	         " words AS (SELECT 'interest:' || i.value AS why, lower(i.value) AS w"
	         "   FROM m, json_each(m.interests) i"
	         "  UNION ALL SELECT 'district', lower(m.district) FROM m WHERE m.district IS NOT NULL),"
	         " svc AS (SELECT s.code, s.name, s.description, s.kind,"
	         "   (SELECT w.why FROM words w WHERE instr(lower(s.code || ' ' || s.name || ' '"
	         "     || coalesce(s.description, '')), w.w) > 0 LIMIT 1) AS why"
	         "   FROM service s WHERE s.active = 1)"
	         " SELECT id, kind, title, detail, district, starts_at, why FROM ("
	         "  SELECT code AS id, 'service' AS kind, name AS title, description AS detail,"
	         "   NULL AS district, NULL AS starts_at, why, 1 AS o, name AS k FROM svc"
	         "   WHERE why IS NOT NULL"
	         "  UNION ALL SELECT code, 'service', name, description, NULL, NULL, 'application', 1,"
	         "   name FROM svc WHERE kind = 'application'"
	         "   AND NOT EXISTS (SELECT 1 FROM svc WHERE why IS NOT NULL)"
	         "  UNION ALL SELECT o.id, 'offer', o.title, mc.name"
	         "   || coalesce(', ' || " DC_SQL_DECIMAL("o.price", "100") " || ' EUR', '')"
	         "   || ', until '"
	         "   || o.until_at, mc.district, o.from_at,"
	         "   CASE WHEN mc.district = m.district COLLATE NOCASE THEN 'district'"
	         "    ELSE coalesce((SELECT w.why FROM words w WHERE w.why <> 'district'"
	         "     AND instr(lower(o.title), w.w) > 0 LIMIT 1), 'offer') END, 2, o.until_at"
	         "   FROM offer o JOIN merchant mc ON mc.id = o.merchant, m"
	         "   WHERE o.from_at <= ?2 AND ?2 < o.until_at AND o.ended_at IS NULL"
	         "   AND (o.max_qty IS NULL OR o.sold < o.max_qty)"
	         "  UNION ALL SELECT id, 'event', title, location, district, starts_at, why, 3, starts_at"
	         "   FROM (SELECT p.id, p.title, p.location, p.district, p.starts_at, " FEED_WHY_EXPR
	         "    AS why FROM post p JOIN member a ON a.handle = p.author"
	         "    JOIN member m ON m.handle = ?1"
	         "    WHERE p.kind = 'event' AND p.status IN ('visible', 'locked')"
	         "    AND CASE WHEN p.all_day THEN p.starts_at >= ?3 ELSE p.starts_at >= ?2 END)"
	         "   WHERE why IS NOT NULL)"
	         " ORDER BY o, k, id")))
		return rc;
	dc_fmt_time(dc_now(ctx), now);
	dc_fmt_date(dc_local_days(ctx, dc_now(ctx)), today);
	dc_bind_text(*st, 1, handle);
	dc_bind_text(*st, 2, now);
	dc_bind_text(*st, 3, today);
	return 0;
}
