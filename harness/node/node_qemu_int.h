/*
 * node_qemu_int.h - what the files of the qemu node kind share: one struct guest per
 * booted qemu node, found by (run, node) in a small registry.
 */
#ifndef FL_NODE_QEMU_INT_H
#define FL_NODE_QEMU_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "agent_proto.h"
#include "node_qemu.h"

struct run;
struct qmp;

#define GUEST_NICS_MAX 16
#define GUEST_EXITS_MAX 128
#define GUEST_SYNC_MAX 64

struct guest {
	struct run *r;
	int node;
	pid_t pid;                      /* QEMU; -1 once reaped */
	int n_nics;
	int tap_fd[GUEST_NICS_MAX];     /* harness copies; -1 when closed */
	int nic_net[GUEST_NICS_MAX];    /* scenario network of each NIC */
	struct qmp *qmp;
	int agent_fd;
	struct agent_rbuf *rb;
	uint32_t next_id;
	int64_t t_start_ns;
	bool ready;
	char err[512];
	bool watched;                   /* agent and QMP fds are on the run's loop */
	node_qemu_exit_fn *exit_fn;
	void *exit_arg;
	struct node_qemu_facts facts;
	struct {
		pid_t pid;
		int status;
	} exits[GUEST_EXITS_MAX];
	int n_exits;
	bool stalled;                   /* QMP stop in effect: the agent cannot answer */
	struct {
		int64_t guest_ns, offset_ns; /* from this guest time on, host = guest + offset */
	} sync[GUEST_SYNC_MAX];
	int n_sync;
	char qmp_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char agent_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char console_path[PATH_MAX];
	char log_path[PATH_MAX];
};

struct guest *guest_find(struct run *r, int node);
/* As guest_find(), and NULL with errno EAGAIN before the guest booted. */
struct guest *guest_ready(struct run *r, int node);

/* node_qemu_tap.c: one tap per network of the node, registered with lab_port_set(). */
struct lab;
int guest_taps(struct lab *lab, struct guest *g);

/* node_qemu_agent.c */
int guest_agent_connect(struct guest *g, int64_t deadline_ns);
/* Send VERB ARGV... and wait for its reply into @rep (words point into g->rb, valid
 * until the next call). 0 on "ok"; -1 with errno: the guest's errno on "err" (its text
 * in g->err), ETIMEDOUT, EPIPE. */
int guest_agent_call(struct guest *g, const char *verb, int argc, const char *const argv[],
		     const size_t lens[], struct agent_msg *rep, int timeout_ms);
/* Ping until the agent answers or @deadline_ns; also fails as soon as QEMU exits. */
int guest_agent_wait_ready(struct guest *g, int64_t deadline_ns);
/* Deliver what the agent sent unasked (exit events), without blocking; -1 with errno
 * EPIPE when the channel closed. */
int guest_agent_pump(struct guest *g);

/* node_qemu_clock.c: one ping, a sync point when the offset moved (or @always). */
int guest_clock_sync(struct guest *g, bool always);

/* node_qemu_facts.c */
int guest_facts_collect(struct guest *g);
void guest_fetch_all(struct guest *g);

#endif
