/*
 * svc_kind.h - the service kinds, one struct svc_kind each: what a service of the kind
 * runs (its command line, built from the scenario: addresses from the topology,
 * backends by node name, VIP, priority, advert, heartbeat networks, ha mode), which
 * files it writes, and when it is ready. The grammar of each kind is the scenario
 * layer's (struct scn_svc_grammar in scn_svc_<kind>.c); this is the half that runs it.
 *
 * One file per kind (svc_exec.c, svc_web.c, svc_lb.c, svc_load.c), one table
 * (svc_kind.c), whose order is the start order: a group's services all start, then
 * the run waits until every one of them is ready before the next group starts.
 * Building command lines is pure (no I/O) and unit-tested.
 */
#ifndef FL_SVC_KIND_H
#define FL_SVC_KIND_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scn.h"

struct run;

#define SVC_CMD_ARGS 96

/* An argv with its own storage. */
struct svc_cmd {
	int argc;
	char *argv[SVC_CMD_ARGS + 1]; /* NULL-terminated */
	char store[8192];
	size_t used;
};

/* What a service writes into the run directory besides <node>.<service>.out/.err. */
enum svc_records {
	SVC_REC_EVENTS = 1 << 0,   /* <node>.<service>.events, given as --events FILE */
	SVC_REC_REQUESTS = 1 << 1, /* a request log: requests.csv (requests-<node>.csv when
				      several services write one, requests-<node>.<service>.csv
				      when several are on one node), given to argv() as @out */
};

struct svc_kind {
	enum scn_svc_kind kind;
	const char *program; /* argv[0] ("fl-web"); NULL: argv() writes the whole line */
	unsigned records;    /* enum svc_records */
	/* The options after argv[0] (all of it without a program), --events excepted. */
	int (*argv)(struct svc_cmd *c, const struct scn *s, int svc, const char *out);
	/* Has service @svc said it is ready? NULL: it is once it runs (no wait). */
	bool (*ready)(const struct run *r, int svc);
	const char *late; /* the start error when ready() did not come true in time */
};

/* The kinds in start order, NULL-terminated. */
extern const struct svc_kind *const svc_kinds[];

/* The descriptor of @kind, or NULL. */
const struct svc_kind *svc_kind_of(enum scn_svc_kind kind);

/**
 * svc_cmd_build - the command line of service @svc of @s
 * @events: path of the events file the program writes (--events); NULL: none
 * @out: the request log of a kind that writes one; ignored for other kinds
 *
 * Returns 0, or -1 with errno: EINVAL for an index out of range (or an exec service
 * without a command), ENOSPC when the command does not fit.
 */
int svc_cmd_build(struct svc_cmd *c, const struct scn *s, int svc, const char *events,
		  const char *out);

/* For the kinds' argv(): append one word, printf-style; "OPT N" when @v > 0. 0 or -1. */
int svc_cmd_add(struct svc_cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int svc_cmd_add_int(struct svc_cmd *c, const char *opt, int v);
int svc_cmd_add_ms(struct svc_cmd *c, const char *opt, int64_t ms);

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
