/*
 * probe.h - fl-probe's engine and its kinds: open-loop probes of a TCP, UDP or DNS
 * server, or of any command, that write fl-load's requests.csv record (load_rec.h).
 *
 * Open loop as fl-load: probe i is due at load_sched_ns(start, rate, i) and starts then
 * whatever earlier probes do; latency counts from when it was due, the timeout from its
 * real start. Each probe is one struct probe_req, allocated when it starts and freed
 * when it ends; a kind starts it (opening a socket or a child) and ends it with
 * probe_req_end() exactly once; at the timeout the engine calls the kind's abort(),
 * which releases what the probe holds and names its outcome, then ends it.
 *
 * Kinds, one file each: probe_tcp.c, probe_udp.c (which also carries dns's datagrams),
 * probe_exec.c. The outcome names are fl-load's (docs/architecture.md).
 */
#ifndef FL_PROBE_H
#define FL_PROBE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "load_rec.h"
#include "loop.h"

#define PROBE_BUF 4096 /* what a probe keeps of the reply: expect must appear in it */

enum probe_kind_id {
	PROBE_TCP = 1,
	PROBE_UDP = 2,
	PROBE_DNS = 3,
	PROBE_EXEC = 4,
};

struct probe_cfg {
	enum probe_kind_id kind;
	struct sockaddr_in addr; /* tcp, udp, dns */
	const char *send;	 /* tcp, udp: NULL = none (udp: an empty datagram) */
	const char *expect;	 /* tcp, udp: NULL = any reply (tcp: the connect) */
	const char *qname;	 /* dns */
	const char *command;	 /* exec: run by /bin/sh -c */
	uint64_t rate_milli;
	uint64_t duration_ns; /* 0: until probe_stop() */
	uint64_t timeout_ns;
	unsigned max_inflight; /* a probe due while this many run ends at once as error */
};

struct probe;

struct probe_req {
	struct probe *pr;
	uint64_t seq; /* the probe's number: 0 for the first one due, then 1, 2 ... */
	uint64_t sched_ns, start_ns;
	struct loop_timer timeout;
	int fd;	   /* socket or pidfd; -1 */
	pid_t pid; /* exec */
	bool connecting;
	uint16_t id; /* dns */
	size_t sent, got;
	char buf[PROBE_BUF];
};

struct probe_kind {
	enum probe_kind_id id;
	/* Start @q (q->fd is -1): 0, or -1 with errno (the probe ends as error). */
	int (*start)(struct probe_req *q);
	/* The timeout: release what @q holds; returns its outcome. */
	enum load_outcome (*abort)(struct probe_req *q);
};

extern const struct probe_kind probe_kind_tcp, probe_kind_udp, probe_kind_dns, probe_kind_exec;

struct probe_hooks {
	void (*record)(const struct load_record *r, void *arg);
	void (*ready)(void *arg); /* first probe started */
	void (*done)(void *arg);  /* stopped and nothing in flight */
};

/* probe_new - an engine for @cfg (kept by pointer) on @loop. NULL with errno. */
struct probe *probe_new(struct loop *loop, const struct probe_cfg *cfg,
			const struct probe_hooks *hooks, void *arg);
/* probe_start - time zero is now. 0 or -1 with errno. */
int probe_start(struct probe *pr);
/* probe_stop - start no more probes; hooks->done once the running ones ended. */
void probe_stop(struct probe *pr);
/* probe_free - end nothing more, free the engine. NULL ok. */
void probe_free(struct probe *pr);

/* For the kinds: the config, the loop, and the end of @q (frees it). */
const struct probe_cfg *probe_cfg_of(const struct probe_req *q);
struct loop *probe_loop_of(const struct probe_req *q);
void probe_req_end(struct probe_req *q, enum load_outcome o);
/* probe_req_close_fd - unwatch and close q->fd if open. */
void probe_req_close_fd(struct probe_req *q);
/* probe_reply_ok - whether @q's reply so far satisfies expect (any byte without one). */
bool probe_reply_ok(const struct probe_req *q);

#endif
