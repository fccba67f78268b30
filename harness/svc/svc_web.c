/*
 * svc_web.c - the 'web' service kind: fl-web, a backend listening on every address of
 * its node (so it answers on all its networks), ready when it says so in its events.
 */
#include "svc_int.h"
#include "svc_kind.h"

static int svc_web_argv(struct svc_cmd *c, const struct scn *s, int svc, const char *out)
{
	const struct scn_service *sv = &s->services[svc];
	int port = sv->port ? sv->port : 80;
	int r = 0;

	(void)out;
	r |= svc_cmd_add(c, "--listen");
	r |= svc_cmd_add(c, "0.0.0.0:%d", port);
	r |= svc_cmd_add(c, "--name");
	r |= svc_cmd_add(c, "%s", s->nodes[sv->node].name);
	if (sv->latency_ms > 0) {
		r |= svc_cmd_add(c, "--latency");
		r |= svc_cmd_add(c, "%lld", (long long)sv->latency_ms);
	}
	return r;
}

const struct svc_kind svc_kind_web = {
    .kind = SCN_SVC_WEB,
    .program = "fl-web",
    .records = SVC_REC_EVENTS,
    .argv = svc_web_argv,
    .ready = svc_said_ready,
    .late = "was not ready in time",
};
