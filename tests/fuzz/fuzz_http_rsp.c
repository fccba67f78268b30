/*
 * fuzz_http_rsp.c - libFuzzer target for fl-load's response parser (lb/web_http.c in
 * response mode, also fl-lb's HTTP health check) and the outcome fl-load records for
 * each response (lb/load_rec.c). Same driver as fuzz_http_req.c.
 */
#include "load_rec.h"

#define FUZZ_HTTP_KIND	    WEB_HTTP_RESPONSE
#define FUZZ_HTTP_DONE_HOOK rsp_done

#include "fuzz_http_req.c"

static void rsp_done(const struct web_http *p)
{
	const char *name = load_outcome_name(load_outcome_response(p));

	if (!name || !*name)
		abort();
}
