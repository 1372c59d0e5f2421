/* dc-export: reports and open data (dc-export(1)).  Verb table; the work is in lib/export. */
#include <stdlib.h>
#include <string.h>

#include "export/export.h"

#define EXPORT_OPTS                                                                                \
	"format= output= since= until= status= department= district= git-repo= git-path= "         \
	"git-branch= git-message="
#define EXPORT_USAGE                                                                               \
	"[-f FORMAT] [-o FILE] [--since DATE] [--until DATE] [--status S] [--department D] "       \
	"[--git-repo DIR [--git-path P] [--git-branch B] [--git-message M]]"

static int
run(struct dc *ctx, struct dc_args *a, const char *dataset)
{
	struct dc_export x;

	if (a->noperand)
		return dc_error(ctx, DC_EUSAGE, "%s takes no operands", dataset);
	dc_db_read_replica(ctx);
	memset(&x, 0, sizeof x);
	x.dataset = dataset;
	x.format = dc_arg(a, "format");
	x.output = dc_arg(a, "output");
	x.since = dc_arg(a, "since");
	x.until = dc_arg(a, "until");
	x.status = dc_arg(a, "status");
	x.department = dc_arg(a, "department") ? dc_arg(a, "department") : dc_arg(a, "district");
	x.git_repo = dc_arg(a, "git-repo");
	x.git_path = dc_arg(a, "git-path");
	x.git_branch = dc_arg(a, "git-branch");
	x.git_message = dc_arg(a, "git-message");
	return dc_export_run(ctx, &x);
}

#define DATASET(fn, name)                                                                          \
	static int fn(struct dc *ctx, struct dc_args *a)                                           \
	{                                                                                          \
		return run(ctx, a, name);                                                          \
	}
DATASET(cmd_cases, "cases")
DATASET(cmd_case_events, "case-events")
DATASET(cmd_services, "services")
DATASET(cmd_orders, "orders")
DATASET(cmd_budgets, "budgets")
DATASET(cmd_catalog, "catalog")
DATASET(cmd_products, "products")
DATASET(cmd_shop_orders, "shop-orders")
DATASET(cmd_notifications, "notifications")
DATASET(cmd_posts, "posts")
DATASET(cmd_events, "events")
DATASET(cmd_report, "report")
DATASET(cmd_board, "board")
DATASET(cmd_dcat, "dcat")

static int
cmd_sql(struct dc *ctx, struct dc_args *a)
{
	if (a->noperand != 1)
		return dc_error(ctx, DC_EUSAGE, "sql needs one QUERY");
	if (dc_arg(a, "format") && strcmp(dc_arg(a, "format"), "table") &&
	    strcmp(dc_arg(a, "format"), "csv") && strcmp(dc_arg(a, "format"), "tsv") &&
	    strcmp(dc_arg(a, "format"), "json") && strcmp(dc_arg(a, "format"), "jsonl") &&
	    strcmp(dc_arg(a, "format"), "ndjson"))
		return dc_error(ctx, DC_EUSAGE,
		                "sql: unknown format '%s' (table, jsonl, json, csv, tsv)",
		                dc_arg(a, "format"));
	if (dc_arg(a, "format"))
		ctx->format = !strcmp(dc_arg(a, "format"), "csv")     ? DC_FMT_CSV
		              : !strcmp(dc_arg(a, "format"), "tsv")   ? DC_FMT_TSV
		              : !strcmp(dc_arg(a, "format"), "json")  ? DC_FMT_JSON
		              : !strcmp(dc_arg(a, "format"), "table") ? DC_FMT_TABLE
		                                                      : DC_FMT_JSONL;
	return dc_export_sql(ctx, a->operand[0], dc_arg(a, "output"));
}

static const struct dc_verb verbs[] = {
    {"cases", cmd_cases, EXPORT_OPTS, EXPORT_USAGE,
     "cases (csv tsv json jsonl: internal; open311-json open311-xml: public)", NULL},
    {"case-events", cmd_case_events, EXPORT_OPTS, EXPORT_USAGE,
     "case history (internal; open311-json open311-xml: public events only)", NULL},
    {"services", cmd_services, EXPORT_OPTS, EXPORT_USAGE,
     "services (also open311-json open311-xml)", NULL},
    {"orders", cmd_orders, EXPORT_OPTS, EXPORT_USAGE, "purchase orders (internal; ocds: public)",
	 NULL},
    {"budgets", cmd_budgets, EXPORT_OPTS, EXPORT_USAGE, "budgets with committed and spent", NULL},
    {"catalog", cmd_catalog, EXPORT_OPTS, EXPORT_USAGE, "vendor catalog items", NULL},
    {"products", cmd_products, EXPORT_OPTS, EXPORT_USAGE, "shop products", NULL},
    {"shop-orders", cmd_shop_orders, EXPORT_OPTS, EXPORT_USAGE, "click & collect orders", NULL},
    {"notifications", cmd_notifications, EXPORT_OPTS, EXPORT_USAGE, "the notification outbox",
	 NULL},
    {"posts", cmd_posts, EXPORT_OPTS, EXPORT_USAGE, "feed posts (also atom rss jsonfeed)", NULL},
    {"events", cmd_events, EXPORT_OPTS, EXPORT_USAGE, "feed events (also ical)", NULL},
    {"sql", cmd_sql, "format= output=", "QUERY", "read-only SQL query (auditor, admin)", NULL},
    {"report", cmd_report, EXPORT_OPTS,
     "[-f html] [-o FILE] [--since DATE] [--until DATE] [--department D]",
     "internal HTML report with SVG charts (auditor; head, clerk: their department)", NULL},
    {"board", cmd_board, EXPORT_OPTS, "[-f html] [-o FILE]",
     "public HTML status board (no personal data)", NULL},
    {"dcat", cmd_dcat, EXPORT_OPTS, "[-f ttl|rdfxml] [-o FILE] [--git-repo DIR [--git-path P]]",
     "DCAT-AP.de catalog of the public datasets (Turtle or RDF/XML)", NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL},
};

int
main(int argc, char **argv)
{
	return dc_main(argc, argv, "dc-export", verbs,
	               "dc-export: reports and open data — datasets in csv/tsv/json/jsonl and in "
	               "Open311, OCDS, Atom, RSS, JSON Feed and iCalendar, a DCAT-AP.de "
	               "catalog; atomic files, git publication.");
}
