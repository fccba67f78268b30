/*
 * svc_exec.c - the 'exec' service kind: any command, run as /bin/sh -c COMMAND inside
 * its node, so a scenario can run keepalived, haproxy, nc or a shell loop. It writes
 * only its stdout and stderr, and is ready as soon as it runs.
 */
#include <errno.h>

#include "svc_kind.h"

static int svc_exec_argv(struct svc_cmd *c, const struct scn *s, int svc, const char *out)
{
	const char *command = s->services[svc].command;

	(void)out;
	if (!command) {
		errno = EINVAL;
		return -1;
	}
	return svc_cmd_add(c, "/bin/sh") | svc_cmd_add(c, "-c") | svc_cmd_add(c, "%s", command);
}

const struct svc_kind svc_kind_exec = {
    .kind = SCN_SVC_EXEC,
    .argv = svc_exec_argv,
};
