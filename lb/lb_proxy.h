/*
 * lb_proxy.h - fl-lb's L4 TCP proxy: accepts on VIP:PORT (IP_FREEBIND, so it listens
 * before this member owns the VIP), connects to a backend chosen by the pool, and
 * copies bytes both ways with half-close propagation and back-pressure.
 *
 * With threads > 1 the caller's loop neither accepts nor serves: N worker threads (a
 * loop and an SO_REUSEPORT listening socket each) accept and serve what they accepted
 * to the end. The pool's health is read through pool->on_change, which must be set before
 * lb_proxy_new() and is wrapped until lb_proxy_free(); the pool's scheduler and its
 * connection counts are then the proxy's (one copy behind a mutex, so round-robin,
 * least-connections and maxconn stay global).
 */
#ifndef FL_LB_PROXY_H
#define FL_LB_PROXY_H

#include <netinet/in.h>

#include "lb_backend.h"
#include "loop.h"

struct lb_proxy_cfg {
	struct sockaddr_in listen;
	int mss;		     /* TCP_MAXSEG on the listener and backend sockets; 0 = off */
	unsigned connect_timeout_ms; /* per backend attempt */
	unsigned idle_timeout_ms;    /* no byte either way for this long closes */
	unsigned maxconn;	     /* accepting pauses at this many open connections */
	unsigned threads;	     /* worker threads; 1 = all in the caller's loop; 0 = default */
};

#define LB_CONNECT_TIMEOUT_MS 1000
#define LB_IDLE_TIMEOUT_MS 30000
#define LB_MAXCONN 1000
#define LB_THREADS_MAX 64

/* lb_proxy_threads_default - the online CPUs, at most 8 (1 when unknown). */
unsigned lb_proxy_threads_default(void);

struct lb_proxy_stats {
	unsigned long long accepted, closed, retries, no_backend;
	unsigned active;
};

struct lb_proxy;

/*
 * lb_proxy_new - listen on cfg->listen and serve through @pool on @loop.
 * Returns the proxy, or NULL with errno set (socket, bind, listen errors).
 */
struct lb_proxy *lb_proxy_new(struct loop *loop, struct lb_pool *pool,
			      const struct lb_proxy_cfg *cfg);

/* lb_proxy_free - close the listener and every connection. NULL is a no-op. */
void lb_proxy_free(struct lb_proxy *px);

/* lb_proxy_stats - counters so far. */
void lb_proxy_stats(const struct lb_proxy *px, struct lb_proxy_stats *st);

#endif
