/*
 * lb_proxy_mt.c - the proxy's worker threads (see lb_proxy_int.h).
 *
 * Every worker has its own listening socket on the address, bound with SO_REUSEPORT,
 * so the kernel spreads new connections over the workers; each serves what it accepted
 * on its own loop to the end, and a connection never crosses threads. (Measured against
 * one shared socket watched by every worker with EPOLLEXCLUSIVE: 6-7 % more requests/s
 * with a new connection per request and with keep-alive.) lb_proxy_new() first binds
 * the address once without SO_REUSEPORT, so a second fl-lb on the same address still
 * fails with EADDRINUSE instead of quietly taking a share of the connections.
 *
 * What workers share is one mutex away: the front's count of open connections (maxconn
 * is global), the pool copy they pick backends from (round-robin and least-connections
 * stay global), and their counters. A worker at maxconn stops accepting and sets its
 * paused flag; the close that makes room, in whichever thread, wakes it through its
 * eventfd.
 */
#include "lb_proxy_int.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void efd_signal(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) == -1) {
		/* EAGAIN: the counter is saturated, the reader is woken anyway */
	}
}

void lb_proxy_front_release(struct lb_proxy *f)
{
	f->st.active--;
	if (f->st.active >= f->cfg.maxconn)
		return;
	for (unsigned i = 0; i < f->nw; i++) {
		if (f->w[i]->paused) {
			f->w[i]->paused = false;
			efd_signal(f->w[i]->wakefd);
		}
	}
}

/* A worker's eventfd: there is room again, or it is asked to stop. */
static void on_wake(struct loop *loop, int fd, uint32_t events, void *arg)
{
	struct lb_proxy *w = arg;
	uint64_t n;
	bool stop;

	(void)events;
	if (read(fd, &n, sizeof(n)) == -1) {
		/* EAGAIN: consumed already */
	}
	pthread_mutex_lock(&w->front->mu);
	stop = w->stop;
	pthread_mutex_unlock(&w->front->mu);
	if (stop)
		loop_stop(loop);
	else
		lb_proxy_listen_resume(w, true);
}

static void *worker_main(void *arg)
{
	struct lb_proxy *w = arg;

	loop_run(w->loop);
	return NULL;
}

static void worker_join(struct lb_proxy *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->front->mu);
	w->stop = true;
	pthread_mutex_unlock(&w->front->mu);
	efd_signal(w->wakefd);
	pthread_join(w->tid, NULL);
	w->started = false;
}

static void worker_free(struct lb_proxy *w)
{
	if (w->lfd >= 0) {
		loop_fd_del(w->loop, w->lfd);
		close(w->lfd);
	}
	if (w->wakefd >= 0) {
		loop_fd_del(w->loop, w->wakefd);
		close(w->wakefd);
	}
	loop_free(w->loop);
	free(w);
}

/* Make a worker with its listener and eventfd, the thread not started yet. */
static struct lb_proxy *worker_new(struct lb_proxy *f)
{
	struct lb_proxy *w = calloc(1, sizeof(*w));
	int e;

	if (!w)
		return NULL;
	w->front = f;
	w->pool = &f->shared;
	w->cfg = f->cfg;
	w->lfd = w->wakefd = -1;
	w->loop = loop_new();
	if (!w->loop)
		goto err;
	w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wakefd == -1 || loop_fd_add(w->loop, w->wakefd, EPOLLIN, on_wake, w) == -1)
		goto err;
	w->lfd = lb_proxy_listen_open(&w->cfg, true);
	if (w->lfd == -1 || loop_fd_add(w->loop, w->lfd, EPOLLIN, lb_proxy_on_listen, w) == -1)
		goto err;
	w->listening = true;
	return w;
err:
	e = errno;
	worker_free(w);
	errno = e;
	return NULL;
}

/* The pool's health changed (on the caller's loop): copy it to what workers pick from. */
static void front_on_change(void *arg, const struct lb_backend *b, const char *reason)
{
	struct lb_proxy *f = arg;

	pthread_mutex_lock(&f->mu);
	f->shared.b[b - f->pool->b].health = b->health;
	pthread_mutex_unlock(&f->mu);
	if (f->user_cb)
		f->user_cb(f->user_arg, b, reason);
}

int lb_proxy_workers_start(struct lb_proxy *f, unsigned n)
{
	int e;

	f->shared = *f->pool;
	f->shared.loop = NULL;
	f->shared.on_change = NULL;
	for (int i = 0; i < f->shared.n; i++)
		f->shared.b[i].conns = 0;
	f->w = calloc(n, sizeof(*f->w));
	if (!f->w)
		return -1;
	for (; f->nw < n; f->nw++) {
		f->w[f->nw] = worker_new(f);
		if (!f->w[f->nw])
			return -1;
	}
	f->user_cb = f->pool->on_change;
	f->user_arg = f->pool->arg;
	f->pool->on_change = front_on_change;
	f->pool->arg = f;
	for (unsigned i = 0; i < f->nw; i++) {
		e = pthread_create(&f->w[i]->tid, NULL, worker_main, f->w[i]);
		if (e) {
			errno = e;
			return -1;
		}
		f->w[i]->started = true;
	}
	return 0;
}

void lb_proxy_workers_stop(struct lb_proxy *f)
{
	if (f->pool->on_change == front_on_change) {
		f->pool->on_change = f->user_cb;
		f->pool->arg = f->user_arg;
	}
	/* all threads end before any connection closes: a close wakes paused workers */
	for (unsigned i = 0; i < f->nw; i++)
		worker_join(f->w[i]);
	for (unsigned i = 0; i < f->nw; i++)
		lb_proxy_close_all(f->w[i]);
	for (unsigned i = 0; i < f->nw; i++)
		worker_free(f->w[i]);
	free(f->w);
	f->w = NULL;
	f->nw = 0;
}
