/*
 * svc_probe.c - the 'probe' service kind: fl-probe, open-loop probes of a TCP, UDP or
 * DNS server or of a command, whose records go to the request log (requests.csv) as
 * fl-load's do; ready when it has started its first probe.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "svc_int.h"
#include "svc_kind.h"

static int svc_probe_target(struct svc_cmd *c, const struct scn_service *sv)
{
	static const char *const kinds[] = {[SCN_PROBE_TCP] = "tcp",
					    [SCN_PROBE_UDP] = "udp",
					    [SCN_PROBE_DNS] = "dns",
					    [SCN_PROBE_EXEC] = "exec"};
	char ip[INET_ADDRSTRLEN];
	int r;

	if (sv->probe < SCN_PROBE_TCP || sv->probe > SCN_PROBE_EXEC) {
		errno = EINVAL;
		return -1;
	}
	r = svc_cmd_add(c, "--kind") | svc_cmd_add(c, "%s", kinds[sv->probe]);
	if (sv->probe == SCN_PROBE_EXEC)
		return r | svc_cmd_add(c, "--command") | svc_cmd_add(c, "%s", sv->command);
	r |= svc_cmd_add(c, "--addr");
	r |= svc_cmd_add(c, "%s:%d", inet_ntop(AF_INET, &sv->url_addr, ip, sizeof(ip)),
			 sv->url_port);
	if (sv->probe == SCN_PROBE_DNS)
		r |= svc_cmd_add(c, "--qname") | svc_cmd_add(c, "%s", sv->probe_qname);
	if (sv->probe_send)
		r |= svc_cmd_add(c, "--send") | svc_cmd_add(c, "%s", sv->probe_send);
	if (sv->probe_expect)
		r |= svc_cmd_add(c, "--expect") | svc_cmd_add(c, "%s", sv->probe_expect);
	return r;
}

static int svc_probe_argv(struct svc_cmd *c, const struct scn *s, int svc, const char *out)
{
	const struct scn_service *sv = &s->services[svc];
	int r = svc_probe_target(c, sv);

	r |= svc_cmd_add(c, "--rate");
	r |= svc_cmd_add(c, "%g", sv->rate);
	r |= svc_cmd_add_ms(c, "--timeout", sv->timeout_ms ? sv->timeout_ms : 1000);
	r |= svc_cmd_add(c, "--name");
	r |= svc_cmd_add(c, "%s", s->nodes[sv->node].name);
	r |= svc_cmd_add(c, "--out");
	r |= svc_cmd_add(c, "%s", out);
	return r;
}

const struct svc_kind svc_kind_probe = {
    .kind = SCN_SVC_PROBE,
    .program = "fl-probe",
    .records = SVC_REC_EVENTS | SVC_REC_REQUESTS,
    .argv = svc_probe_argv,
    .ready = svc_said_ready,
    .late = "was not ready in time",
};
