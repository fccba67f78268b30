/*
 * svc_builtin.h - command lines for the built-in services: fl-web, fl-lb and fl-load,
 * generated from the scenario (addresses from the topology, backends by node name, VIP,
 * priority, advert, heartbeat networks, ha mode). Pure: no I/O, unit-tested.
 */
#ifndef FL_SVC_BUILTIN_H
#define FL_SVC_BUILTIN_H

#include <netinet/in.h>
#include <stddef.h>

struct scn;

#define SVC_CMD_ARGS 96

/* An argv with its own storage. */
struct svc_cmd {
	int argc;
	char *argv[SVC_CMD_ARGS + 1]; /* NULL-terminated */
	char store[8192];
	size_t used;
};

/**
 * svc_cmd_build - the command line of built-in service @svc of @s
 * @events: path of the events file the program writes (--events)
 * @out: fl-load's request log (--out); ignored for other kinds
 *
 * Returns 0, or -1 with errno: EINVAL for an exec service or an index out of range,
 * ENOSPC when the command does not fit.
 */
int svc_cmd_build(struct svc_cmd *c, const struct scn *s, int svc, const char *events,
		  const char *out);

/* The program a built-in service runs ("fl-web", ...), NULL for exec. */
const char *svc_builtin_program(const struct scn *s, int svc);

/*
 * The networks fl-lb service @svc sends adverts on, as indices into s->networks, in
 * @nets (room for @max); returns how many. Plain VRRP uses the heartbeat networks (the
 * VIP's network by default); "ha safe" adds every network the node shares with another
 * lb of the same VIP, so that one broken link is never mistaken for a dead peer.
 */
int svc_lb_heartbeat_nets(const struct scn *s, int svc, int *nets, int max);

/* Network of @lb_node on which @vip lies, or -1. */
int svc_vip_net(const struct scn *s, int lb_node, const struct in_addr *vip);

#endif
