/* Organisation: departments, staff, absences and deputies, holidays, business days. */
#ifndef DC_ORG_H
#define DC_ORG_H

#include "core/dc.h"

extern const struct dc_rectype dc_rt_dept, dc_rt_staff, dc_rt_absence, dc_rt_holiday,
    dc_rt_overview;

int dc_org_dept_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_org_dept_list(struct dc *ctx, const char *code, struct dc_stmt **st);
extern const struct dc_opt dc_org_dept_set_spec[];
int dc_org_dept_set(struct dc *ctx, const char *code, struct dc_args *a);

/* dept add's and staff add's operand and options (a record's fields), staff set's */
extern const struct dc_opt dc_org_dept_add_spec[], dc_org_staff_add_spec[],
    dc_org_staff_set_spec[];
/* 0 when DEPT is a department (or NULL), else "field 'FIELD': unknown department" (65). */
int dc_org_dept_known(struct dc *ctx, const char *field, const char *dept);
int dc_org_staff_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_org_staff_set(struct dc *ctx, const char *login, struct dc_args *a);
int dc_org_staff_list(struct dc *ctx, const char *login, const char *dept, struct dc_stmt **st);

/* away's operand and options (a record's fields) */
extern const struct dc_opt dc_org_away_spec[];
int dc_org_away(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_org_back(struct dc *ctx, const char *login, struct dc_args *a);
int dc_org_away_list(struct dc *ctx, const char *dept, const char *at, const char *id,
                     struct dc_stmt **st);
/* May ACTOR work ASSIGNEE's cases today as their deputy?  *yes says; 0 or an error code. */
int dc_org_is_deputy(struct dc *ctx, const char *actor, const char *assignee, int *yes);

/* holiday add's two operands (a record's fields; an import's records) */
extern const struct dc_opt dc_org_holiday_add_spec[];
int dc_org_holiday_add(struct dc *ctx, struct dc_args *rec, void *unused);
int dc_org_holiday_import(struct dc *ctx, const char *path);
int dc_org_holiday_list(struct dc *ctx, const char *date, struct dc_stmt **st);

/* Add n business days (weekends and holidays skipped) to a local date. */
int dc_org_add_business_days(struct dc *ctx, long from, int n, long *out);

int dc_org_overview(struct dc *ctx, const char *dept, struct dc_stmt **st);

/* Integrators' API keys for dc-open311 (key.c): key add LOGIN shows the new key once (the
 * record's last field), key revoke ID; key list by id or login (either may be NULL). */
extern const struct dc_rectype dc_rt_api_key;
int dc_org_key_add(struct dc *ctx, const char *login, struct dc_args *a);
int dc_org_key_revoke(struct dc *ctx, const char *id, struct dc_args *a);
int dc_org_key_list(struct dc *ctx, const char *id, const char *login, struct dc_stmt **st);
int dc_org_key_show(struct dc *ctx, const char *id, const char *extra); /* a dc_show_fn */
/* The active integrator whose key KEY is (*login, caller frees), else exit 77. */
int dc_org_key_login(struct dc *ctx, const char *key, char **login);

#endif
