/*
 * load_client.h - fl-load's request engine on an loop.
 *
 * Open loop (rate mode): request i starts at its scheduled time (load_sched_ns) whatever
 * earlier requests are doing; when the loop falls behind, the overdue requests start at
 * once and their start_ns shows it; latency is counted from the schedule. When a
 * request cannot even start (no fd left...) it ends at once with outcome error.
 * Closed loop (concurrency mode): N requests in flight, each followed immediately by
 * the next until the duration ends (a benchmark, not a latency measurement).
 *
 * A request uses a new connection, or with keepalive an idle one when there is one. If
 * a reused connection dies before any byte of the response arrived (the server closed
 * it while idle), the request is retried once on a new connection, keeping its
 * schedule. Timeouts count from the request's real start: the connect timeout until
 * the connection is up, the total timeout until the response is complete.
 */
#ifndef FL_LOAD_CLIENT_H
#define FL_LOAD_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "load_rec.h"

struct load_config {
	struct load_url url;
	uint64_t rate_milli;	     /* rate mode: milli-requests per second */
	unsigned concurrency;	     /* > 0: closed-loop mode with that many in flight */
	uint64_t duration_ns;	     /* 0: until load_client_stop() */
	uint64_t timeout_ns;	     /* whole request */
	uint64_t connect_timeout_ns; /* until connected */
	bool keepalive;
};

struct load_hooks {
	void (*record)(const struct load_record *r, void *arg); /* a request ended */
	void (*ready)(void *arg);				/* first request sent */
	void (*done)(void *arg);				/* stopped and nothing in flight */
};

struct load_client;

/*
 * load_client_new - an engine for cfg on loop, reporting through hooks (arg is passed
 * to each). Nothing starts before load_client_start(). Returns NULL with errno.
 */
struct load_client *load_client_new(struct loop *loop, const struct load_config *cfg,
				    const struct load_hooks *hooks, void *arg);

/* load_client_start - time zero is now; the first request is due at once. 0 or -1. */
int load_client_start(struct load_client *cl);

/*
 * load_client_stop - start no more requests; the ones in flight end (at the latest at
 * their timeouts) and then hooks->done runs. Idempotent.
 */
void load_client_stop(struct load_client *cl);

/* load_client_start_ns - when load_client_start() ran. */
uint64_t load_client_start_ns(const struct load_client *cl);

/* load_client_retries - requests retried after a reused connection died. */
uint64_t load_client_retries(const struct load_client *cl);

/* load_client_free - close every connection (records nothing). NULL is a no-op. */
void load_client_free(struct load_client *cl);

#endif
