/* dc-open311: the Open311 GeoReport v2 endpoint, a CGI program (dc-open311(8)).  The work is in
 * lib/open311. */
#include <signal.h>
#include <stdlib.h>

#include "open311/open311.h"

int
main(int argc, char **argv)
{
	struct dc_o311_req r;
	struct dc ctx;
	const char *db;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	dc_db_config();
	/* the request is in the environment, which a setgid install cleans (priv.c) */
	dc_o311_req_env(&r);
	if ((rc = dc_priv_init("dc-open311"))) {
		dc_o311_req_free(&r);
		return rc;
	}
	if ((rc = dc_init(&ctx, "dc-open311")) == 0) {
		if ((db = dc_priv_db(NULL)) || ((db = getenv("DC_DB")) && *db))
			ctx.db_path = dc_strdup(db);
		rc = dc_o311_serve(&ctx, &r);
	} else
		dc_print_error(&ctx);
	dc_free(&ctx);
	dc_o311_req_free(&r);
	return rc;
}
