/*
 * svc_load.c - the 'load' service kind: fl-load, the open-loop HTTP client whose
 * request log (requests.csv) the request metrics read; ready when it has sent its
 * first request. A 'size' asks fl-web for /bytes/N at the URL's address and port.
 */
#include <arpa/inet.h>

#include "svc_int.h"
#include "svc_kind.h"

static int svc_load_argv(struct svc_cmd *c, const struct scn *s, int svc, const char *out)
{
	const struct scn_service *sv = &s->services[svc];
	char ip[INET_ADDRSTRLEN];
	int r = 0;

	r |= svc_cmd_add(c, "--url");
	if (sv->size > 0)
		r |= svc_cmd_add(c, "http://%s:%d/bytes/%lld",
				 inet_ntop(AF_INET, &sv->url_addr, ip, sizeof(ip)),
				 sv->url_port ? sv->url_port : 80, (long long)sv->size);
	else
		r |= svc_cmd_add(c, "%s", sv->url);
	r |= svc_cmd_add(c, "--rate");
	r |= svc_cmd_add(c, "%g", sv->rate);
	r |= svc_cmd_add_ms(c, "--timeout", sv->timeout_ms ? sv->timeout_ms : 1000);
	if (sv->keepalive)
		r |= svc_cmd_add(c, "--keepalive");
	r |= svc_cmd_add(c, "--name");
	r |= svc_cmd_add(c, "%s", s->nodes[sv->node].name);
	r |= svc_cmd_add(c, "--out");
	r |= svc_cmd_add(c, "%s", out);
	return r;
}

const struct svc_kind svc_kind_load = {
    .kind = SCN_SVC_LOAD,
    .program = "fl-load",
    .records = SVC_REC_EVENTS | SVC_REC_REQUESTS,
    .argv = svc_load_argv,
    .ready = svc_said_ready,
    .late = "was not ready in time",
};
