/*
 * svc_exec.c - the 'exec' service: any command, run as /bin/sh -c COMMAND inside its
 * node, so a scenario can run keepalived, haproxy, nc or a shell loop.
 */
#include <errno.h>

#include "scn.h"
#include "run.h"
#include "svc.h"

int svc_exec_start(struct svc_set *set, int svc)
{
	const struct scn *s = svc_set_scn(set);

	if (svc < 0 || svc >= s->n_services || s->services[svc].kind != SCN_SVC_EXEC ||
	    !s->services[svc].command) {
		errno = EINVAL;
		return -1;
	}
	char *argv[] = {"/bin/sh", "-c", s->services[svc].command, NULL};
	return svc_set_start(set, svc, argv);
}
