/*
 * scn_svc_web.c - the grammar of 'service NODE web': fl-web, a backend that answers
 * GET /health, / and /bytes/N (svc_web.c runs it).
 *
 * service NODE web [port N] [latency D]
 */
#include "scn_int.h"

static int scn_web_port(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	return scn_set_int(p, "a port", 1, 65535, &sv->port);
}

static int scn_web_latency(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	(void)x;
	return scn_get_duration(p, &sv->latency_ms, false);
}

static const struct scn_svc_opt scn_web_opts[] = {
    {"port", scn_web_port},
    {"latency", scn_web_latency},
    {NULL, NULL},
};

static int scn_web_parse(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x)
{
	sv->port = 80;
	return scn_svc_opts(p, sv, x, scn_web_opts, "port N or latency D");
}

const struct scn_svc_grammar scn_svc_web = {
    .kw = "web",
    .kind = SCN_SVC_WEB,
    .parse = scn_web_parse,
};
