/*
 * lb_backend.h - fl-lb's backend pool: the backends, their health and open-connection
 * counts, the scheduler, and the health-check probes (lb_probe.c) that drive them.
 */
#ifndef FL_LB_BACKEND_H
#define FL_LB_BACKEND_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "lb_check.h"
#include "loop.h"
#include "lb_sched.h"

enum lb_check_kind {
	LB_CHECK_HTTP = 1, /* GET /health, 200 expected */
	LB_CHECK_TCP,	   /* a connect that completes */
};

struct lb_pool;

struct lb_backend {
	char name[64];
	struct sockaddr_in addr;
	struct lb_health health;
	unsigned conns;
	struct lb_pool *pool;
	/* the probe in flight */
	int check_fd;
	size_t rlen;
	char rbuf[16];
	struct loop_timer check_timer;   /* next check due */
	struct loop_timer timeout_timer; /* the check in flight gives up */
};

/* Called when a backend changes state; @reason says why ("timeout", "refused", ...). */
typedef void (*lb_pool_change_cb)(void *arg, const struct lb_backend *b, const char *reason);

struct lb_pool {
	struct loop *loop;
	struct lb_backend b[LB_MAX_BACKENDS];
	int n;
	struct lb_sched sched;
	struct lb_health_cfg hc;
	enum lb_check_kind check;
	int mss; /* TCP_MAXSEG for backend sockets, 0 = kernel default */
	lb_pool_change_cb on_change;
	void *arg;
};

/* lb_pool_init - empty pool with default health settings, round-robin, HTTP checks. */
void lb_pool_init(struct lb_pool *p, struct loop *loop);

/*
 * lb_pool_add - add a backend from "NAME=ADDR:PORT".
 * Returns its index, or -1 with errno EINVAL (bad spec) or ENOSPC (too many).
 */
int lb_pool_add(struct lb_pool *p, const char *spec);

/* lb_pool_pick - a backend for a new connection, not in @exclude; -1 when none is up. */
int lb_pool_pick(struct lb_pool *p, uint64_t exclude);

/* lb_pool_any_up - whether at least one backend is up. */
bool lb_pool_any_up(const struct lb_pool *p);

/* lb_backend_connect - non-blocking socket connecting to @b (MSS applied).
 * Returns the fd (connect in progress or done), or -1 with errno. */
int lb_backend_connect(const struct lb_backend *b, int mss);

/* lb_probe_start - start the health checks of every backend (first one right away).
 * Returns 0 or -1 with errno. */
int lb_probe_start(struct lb_pool *p);

/* lb_probe_stop - cancel every check and close their sockets. */
void lb_probe_stop(struct lb_pool *p);

/* lb_parse_addr - "A.B.C.D:PORT" into @sa. Returns 0 or -1 with errno EINVAL. */
int lb_parse_addr(const char *s, struct sockaddr_in *sa);

#endif
