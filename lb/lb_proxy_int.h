/*
 * lb_proxy_int.h - what the proxy's two halves share: lb_proxy.c (the connections) and
 * lb_proxy_mt.c (the worker threads). Not for users of the proxy; they have lb_proxy.h.
 *
 * A proxy is either a single loop (front == NULL, no workers: it listens on the
 * caller's loop and serves there) or, with threads > 1, a "front" and its workers. The
 * front lives on the caller's loop, has no listener and no connection: it owns the
 * mutex, the global connection count (its st.active, which maxconn bounds), the copy of
 * the pool the workers pick from, and the health hook. Each worker is a struct lb_proxy
 * with its own thread, loop and listening socket (SO_REUSEPORT: the kernel spreads new
 * connections over the workers' sockets), and serves what it accepted to the end, so a
 * connection is never handed from one thread to another.
 */
#ifndef FL_LB_PROXY_INT_H
#define FL_LB_PROXY_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "lb_proxy.h"

struct lb_conn;

struct lb_proxy {
	struct loop *loop;
	struct lb_pool *pool;
	struct lb_proxy_cfg cfg;
	int lfd;	/* the listener; -1 on a front */
	bool listening; /* lfd is in the loop's interest */
	struct lb_conn *conns;
	struct lb_proxy_stats st; /* a worker's are read and written under the front's mutex */
	struct lb_proxy *front;	  /* a worker's front; NULL for a front and a single loop */
	/* a worker */
	pthread_t tid;
	int wakefd;   /* eventfd: room below maxconn again, or stop */
	bool paused;  /* stopped accepting at maxconn; the close that makes room wakes it */
	bool stop;    /* asked to end its loop */
	bool started; /* tid is a thread to join */
	/* a front */
	struct lb_proxy **w;
	unsigned nw;
	pthread_mutex_t mu;
	struct lb_pool shared; /* what workers pick from: scheduler, health copy, conns */
	lb_pool_change_cb user_cb;
	void *user_arg;
};

static inline void px_lock(struct lb_proxy *px)
{
	if (px->front)
		pthread_mutex_lock(&px->front->mu);
}

static inline void px_unlock(struct lb_proxy *px)
{
	if (px->front)
		pthread_mutex_unlock(&px->front->mu);
}

/* lb_proxy.c */
int lb_proxy_listen_open(const struct lb_proxy_cfg *cfg, bool reuseport);
void lb_proxy_on_listen(struct loop *loop, int fd, uint32_t events, void *arg);
void lb_proxy_listen_resume(struct lb_proxy *px, bool on);
void lb_proxy_close_all(struct lb_proxy *px);

/* lb_proxy_mt.c */

/* Start @n workers on front @f (its pool must have on_change set). -1, errno on error;
 * lb_proxy_workers_stop() undoes whatever was done. */
int lb_proxy_workers_start(struct lb_proxy *f, unsigned n);
void lb_proxy_workers_stop(struct lb_proxy *f);

/* A worker's connection (or the room held for one) is gone: the global count drops and
 * paused workers are woken once there is room. The front's mutex is held. */
void lb_proxy_front_release(struct lb_proxy *f);

#endif
