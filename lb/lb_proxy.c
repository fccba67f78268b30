/*
 * lb_proxy.c - the TCP proxy (see lb_proxy.h).
 *
 * Each connection has one buffer per direction. Interest is derived from the buffers
 * after every event: read a side only while the buffer towards the other has room
 * (back-pressure), write a side only while its buffer holds data. A side's EOF is passed
 * on with shutdown(SHUT_WR) once its buffer is drained; the connection ends when both
 * directions are finished or on any error (then resets are passed on, SO_LINGER 0).
 * A backend connect that fails is retried on another backend: nothing has been written
 * to any backend before the connect completes, so the retry is invisible to the client.
 *
 * Threads (cfg.threads > 1) are in lb_proxy_mt.c; lb_proxy_int.h says how the two
 * halves share a struct lb_proxy. Here a worker differs from a single loop in two ways
 * only: what it shares is touched under the front's mutex (px_lock), and maxconn bounds
 * the front's count of every worker's connections.
 */
#include "lb_proxy_int.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE 16384
#define ACCEPT_BATCH 64

struct lb_buf {
	size_t start, end;
	char data[BUF_SIZE];
};

struct lb_conn {
	struct lb_proxy *px;
	struct lb_conn *prev, *next;
	int cfd, sfd;
	int backend;	 /* index in the pool, -1 before a connect */
	uint64_t tried;	 /* backends attempted for this connection */
	bool connected;	 /* the backend connect completed */
	bool c_eof, s_eof;	 /* read side reached EOF */
	bool c_shut, s_shut;	 /* we shut down our write side towards it */
	uint32_t c_mask, s_mask; /* current epoll interest */
	bool c_parked, s_parked; /* taken out of epoll while it can only report EPOLLHUP */
	uint64_t last_io_ns;
	struct loop_timer timer; /* connect timeout, then idle timeout */
	struct lb_buf c2s, s2c;
};

static void conn_update(struct lb_conn *c);
static void conn_connect(struct lb_conn *c);
static void conn_pump(struct lb_conn *c, int dirs);
static void on_client(struct loop *loop, int fd, uint32_t events, void *arg);
static void on_server(struct loop *loop, int fd, uint32_t events, void *arg);

static uint64_t ms_ns(unsigned ms)
{
	return (uint64_t)ms * 1000000u;
}

void lb_proxy_listen_resume(struct lb_proxy *px, bool on)
{
	if (px->listening == on)
		return;
	if (loop_fd_mod(px->loop, px->lfd, on ? EPOLLIN : 0) == 0)
		px->listening = on;
}

static void fd_drop(struct loop *loop, int *fd, bool reset)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	if (*fd < 0)
		return;
	if (reset)
		setsockopt(*fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	loop_fd_forget(loop, *fd); /* ours alone: close() leaves the epoll set */
	close(*fd);
	*fd = -1;
}

static void backend_release_locked(struct lb_conn *c)
{
	if (c->backend >= 0 && c->px->pool->b[c->backend].conns)
		c->px->pool->b[c->backend].conns--;
	c->backend = -1;
}

static void backend_release(struct lb_conn *c)
{
	px_lock(c->px);
	backend_release_locked(c);
	px_unlock(c->px);
}

/*
 * Room for connections: maxconn bounds a single loop's own count, or the front's count
 * of all its workers' connections. Room is taken before accept() and given back when
 * the connection ends (or when accept() had nothing).
 */
static bool room_take(struct lb_proxy *px)
{
	struct lb_proxy *g = px->front ? px->front : px;
	bool room;

	px_lock(px);
	room = g->st.active < g->cfg.maxconn;
	if (room) {
		g->st.active++;
		if (g != px)
			px->st.active++;
	} else if (g != px) {
		px->paused = true; /* the close that makes room, in any thread, wakes it */
	}
	px_unlock(px);
	return room;
}

static void room_release_locked(struct lb_proxy *px)
{
	px->st.active--;
	if (px->front)
		lb_proxy_front_release(px->front);
}

static void room_release(struct lb_proxy *px)
{
	px_lock(px);
	room_release_locked(px);
	px_unlock(px);
}

static void conn_free(struct lb_conn *c, bool reset)
{
	struct lb_proxy *px = c->px;

	fd_drop(px->loop, &c->cfd, reset);
	fd_drop(px->loop, &c->sfd, reset);
	loop_timer_cancel(px->loop, &c->timer);
	if (c->prev)
		c->prev->next = c->next;
	else
		px->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	px_lock(px);
	backend_release_locked(c);
	px->st.closed++;
	room_release_locked(px);
	px_unlock(px);
	free(c);
	if (!px->front && px->st.active < px->cfg.maxconn)
		lb_proxy_listen_resume(px, true);
}

/* Read @fd into @b. Returns 1 progress, 0 nothing now, -1 error; sets *eof. */
static int buf_fill(int fd, struct lb_buf *b, bool *eof)
{
	ssize_t n;

	if (b->start == b->end)
		b->start = b->end = 0;
	if (b->end == BUF_SIZE)
		return 0;
	n = read(fd, b->data + b->end, BUF_SIZE - b->end);
	if (n > 0) {
		b->end += (size_t)n;
		return 1;
	}
	if (n == 0) {
		*eof = true;
		return 1;
	}
	return errno == EAGAIN || errno == EINTR ? 0 : -1;
}

/* Write @b to @fd. Returns 1 progress, 0 nothing now, -1 error. */
static int buf_flush(int fd, struct lb_buf *b)
{
	ssize_t n;

	if (b->start == b->end)
		return 0;
	n = send(fd, b->data + b->start, b->end - b->start, MSG_NOSIGNAL);
	if (n > 0) {
		b->start += (size_t)n;
		if (b->start == b->end)
			b->start = b->end = 0;
		return 1;
	}
	return errno == EAGAIN || errno == EINTR ? 0 : -1;
}

static bool buf_empty(const struct lb_buf *b)
{
	return b->start == b->end;
}

/* Move what can move in one direction: src -> buf (when @fill) -> dst, then pass the
 * EOF on. */
static int pump(int src, int dst, struct lb_buf *b, bool fill, bool *eof, bool *shut)
{
	int r1 = 0, r2;

	if (fill && !*eof)
		r1 = buf_fill(src, b, eof);
	if (r1 < 0)
		return -1;
	r2 = buf_flush(dst, b);
	if (r2 < 0)
		return -1;
	if (*eof && buf_empty(b) && !*shut) {
		shutdown(dst, SHUT_WR);
		*shut = true;
	}
	return r1 | r2;
}

enum {
	PUMP_C2S = 1,	    /* read the client, write the server */
	PUMP_S2C = 2,	    /* read the server, write the client */
	PUMP_C2S_FLUSH = 4, /* write the server what the client sent, read nothing */
};

/* Move data in the directions @dirs an event made possible (a read that can only say
 * EAGAIN is a wasted syscall per event), then settle the connection's fate. */
static void conn_pump(struct lb_conn *c, int dirs)
{
	int a = 0, b = 0;

	if (dirs & (PUMP_C2S | PUMP_C2S_FLUSH))
		a = pump(c->cfd, c->sfd, &c->c2s, dirs & PUMP_C2S, &c->c_eof, &c->s_shut);
	if (a >= 0 && dirs & PUMP_S2C)
		b = pump(c->sfd, c->cfd, &c->s2c, true, &c->s_eof, &c->c_shut);

	if (a < 0 || b < 0) {
		conn_free(c, true);
		return;
	}
	if (a | b)
		c->last_io_ns = loop_now_ns();
	if (c->c_shut && c->s_shut) {
		conn_free(c, false);
		return;
	}
	/* A side finished both ways is closed now: epoll reports EPOLLHUP on it whatever
	 * the interest, which would spin while the other direction drains. */
	if (c->s_eof && c->s_shut && c->sfd >= 0) {
		fd_drop(c->px->loop, &c->sfd, false);
		backend_release(c);
	}
	if (c->c_eof && c->c_shut && c->cfd >= 0)
		fd_drop(c->px->loop, &c->cfd, false);
	conn_update(c);
}

static void set_mask(struct loop *loop, int fd, uint32_t *cur, uint32_t want)
{
	if (fd >= 0 && *cur != want && loop_fd_mod(loop, fd, want) == 0)
		*cur = want;
}

/*
 * EPOLLHUP (both directions shut) is reported whatever the interest, so a socket whose
 * unread data waits for room in our buffer would wake us in a loop. Park it outside
 * epoll until the buffer has room again (conn_update() brings it back).
 */
static bool park_on_hup(struct lb_conn *c, int fd, uint32_t events, uint32_t mask,
			bool *parked)
{
	if (!(events & EPOLLHUP) || events & EPOLLERR || events & mask & (EPOLLIN | EPOLLOUT))
		return false;
	if (loop_fd_del(c->px->loop, fd) == 0)
		*parked = true;
	return *parked;
}

static void unpark(struct lb_conn *c, int fd, bool *parked, uint32_t *cur, uint32_t want,
		   loop_fd_cb cb)
{
	if (!*parked || fd < 0 || !want)
		return;
	if (loop_fd_add(c->px->loop, fd, want, cb, c) == 0) {
		*parked = false;
		*cur = want;
	}
}

static void conn_update(struct lb_conn *c)
{
	uint32_t cm = 0, sm = 0;

	if (!c->c_eof && c->c2s.end < BUF_SIZE)
		cm |= EPOLLIN;
	if (!buf_empty(&c->s2c))
		cm |= EPOLLOUT;
	if (!c->s_eof && c->s2c.end < BUF_SIZE)
		sm |= EPOLLIN;
	if (!buf_empty(&c->c2s))
		sm |= EPOLLOUT;
	if (!c->connected) {
		sm = EPOLLOUT;
		cm &= ~(uint32_t)EPOLLOUT;
	}
	if (c->c_parked)
		unpark(c, c->cfd, &c->c_parked, &c->c_mask, cm, on_client);
	else
		set_mask(c->px->loop, c->cfd, &c->c_mask, cm);
	if (c->s_parked)
		unpark(c, c->sfd, &c->s_parked, &c->s_mask, sm, on_server);
	else
		set_mask(c->px->loop, c->sfd, &c->s_mask, sm);
}

/* The backend attempt failed: try the next backend, or give up on the client. */
static void conn_retry(struct lb_conn *c)
{
	fd_drop(c->px->loop, &c->sfd, true);
	px_lock(c->px);
	backend_release_locked(c);
	c->px->st.retries++;
	px_unlock(c->px);
	c->s_mask = 0;
	conn_connect(c);
}

static void on_server(struct loop *loop, int fd, uint32_t events, void *arg)
{
	struct lb_conn *c = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)fd;
	if (!c->connected) {
		/* tcp_poll() reports EPOLLOUT alone only once the handshake completed: the
		 * SO_ERROR look-up is for the other cases */
		if (events != EPOLLOUT &&
		    (getsockopt(c->sfd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 || err ||
		     events & EPOLLERR)) {
			conn_retry(c);
			return;
		}
		c->connected = true;
		c->last_io_ns = loop_now_ns();
		loop_timer_arm(loop, &c->timer, c->last_io_ns + ms_ns(c->px->cfg.idle_timeout_ms));
		/* on_client() read what the client sent so far and epoll reports the rest; a
		 * backend that has not spoken yet has nothing to read */
		conn_pump(c, PUMP_C2S_FLUSH | (events & EPOLLIN ? PUMP_S2C : 0));
		return;
	}
	if (events & EPOLLERR) {
		conn_free(c, true);
		return;
	}
	if (park_on_hup(c, c->sfd, events, c->s_mask, &c->s_parked))
		return;
	conn_pump(c, (events & (EPOLLIN | EPOLLHUP) ? PUMP_S2C : 0) |
			     (events & EPOLLOUT ? PUMP_C2S : 0));
}

static void on_client(struct loop *loop, int fd, uint32_t events, void *arg)
{
	struct lb_conn *c = arg;

	(void)loop;
	(void)fd;
	if (events & EPOLLERR) {
		conn_free(c, true);
		return;
	}
	if (!c->connected) { /* hold the client's bytes until a backend answers */
		bool eof = c->c_eof;

		if (buf_fill(c->cfd, &c->c2s, &c->c_eof) < 0 || (events & EPOLLHUP && eof)) {
			conn_free(c, true);
			return;
		}
		conn_update(c);
		return;
	}
	if (park_on_hup(c, c->cfd, events, c->c_mask, &c->c_parked))
		return;
	conn_pump(c, (events & (EPOLLIN | EPOLLHUP) ? PUMP_C2S : 0) |
			     (events & EPOLLOUT ? PUMP_S2C : 0));
}

static void on_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct lb_conn *c = arg;
	uint64_t now = loop_now_ns(), idle = ms_ns(c->px->cfg.idle_timeout_ms);

	if (!c->connected) {
		conn_retry(c);
		return;
	}
	if (now - c->last_io_ns >= idle) {
		conn_free(c, false); /* FIN both ways: an idle peer is not an error */
		return;
	}
	loop_timer_arm(loop, t, c->last_io_ns + idle);
}

static void conn_connect(struct lb_conn *c)
{
	struct lb_proxy *px = c->px;
	int i;

	c->connected = false;
	for (;;) {
		px_lock(px);
		i = lb_pool_pick(px->pool, c->tried);
		px_unlock(px);
		if (i < 0)
			break;
		c->tried |= 1ull << i;
		/* addr is never written after the pool is built: no lock needed to read it */
		c->sfd = lb_backend_connect(&px->pool->b[i], px->cfg.mss);
		if (c->sfd >= 0 && loop_fd_add(px->loop, c->sfd, EPOLLOUT, on_server, c) == 0)
			break;
		fd_drop(px->loop, &c->sfd, true);
		px_lock(px);
		px->st.retries++;
		px_unlock(px);
	}
	px_lock(px);
	if (i < 0)
		px->st.no_backend++;
	else
		px->pool->b[i].conns++;
	px_unlock(px);
	if (i < 0) {
		conn_free(c, true);
		return;
	}
	c->backend = i;
	c->s_mask = EPOLLOUT;
	loop_timer_arm(px->loop, &c->timer, loop_now_ns() + ms_ns(px->cfg.connect_timeout_ms));
	conn_update(c);
}

static void conn_new(struct lb_proxy *px, int cfd)
{
	struct lb_conn *c = calloc(1, sizeof(*c));

	if (!c)
		goto err_close;
	c->px = px;
	c->cfd = cfd;
	c->sfd = -1;
	c->backend = -1;
	loop_timer_init(&c->timer, on_timer, c);
	/* the interest conn_update() gives a new client anyway, minus an epoll_ctl */
	if (loop_fd_add(px->loop, cfd, EPOLLIN, on_client, c) < 0)
		goto err_free;
	c->c_mask = EPOLLIN;
	c->next = px->conns;
	if (c->next)
		c->next->prev = c;
	px->conns = c;
	px_lock(px);
	px->st.accepted++;
	px_unlock(px);
	conn_connect(c);
	return;
err_free:
	free(c);
err_close:
	close(cfd);
	room_release(px);
}

unsigned lb_proxy_threads_default(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
}

void lb_proxy_on_listen(struct loop *loop, int fd, uint32_t events, void *arg)
{
	struct lb_proxy *px = arg;

	(void)loop;
	(void)events;
	for (int k = 0; k < ACCEPT_BATCH; k++) {
		int cfd;

		if (!room_take(px)) {
			/* back-pressure: the kernel's backlog waits */
			lb_proxy_listen_resume(px, false);
			return;
		}
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd == -1) {
			room_release(px);
			return;
		}
		conn_new(px, cfd);
	}
}

int lb_proxy_listen_open(const struct lb_proxy_cfg *cfg, bool reuseport)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, e;

	if (fd == -1)
		return -1;
	/* IP_FREEBIND: bind to the VIP before (and whether or not) we hold it. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) == -1)
		goto err;
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == -1)
		goto err;
	/* accepted sockets inherit it: no setsockopt per connection */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (cfg->mss > 0 &&
	    setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &cfg->mss, sizeof(cfg->mss)) == -1)
		goto err;
	if (bind(fd, (const struct sockaddr *)&cfg->listen, sizeof(cfg->listen)) == -1 ||
	    listen(fd, 1024) == -1)
		goto err;
	return fd;
err:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

void lb_proxy_close_all(struct lb_proxy *px)
{
	while (px->conns)
		conn_free(px->conns, false);
}

struct lb_proxy *lb_proxy_new(struct loop *loop, struct lb_pool *pool,
			      const struct lb_proxy_cfg *cfg)
{
	struct lb_proxy *px = calloc(1, sizeof(*px));
	int e;

	if (!px)
		return NULL;
	px->loop = loop;
	px->pool = pool;
	px->cfg = *cfg;
	px->lfd = px->wakefd = -1;
	pthread_mutex_init(&px->mu, NULL);
	if (!px->cfg.maxconn)
		px->cfg.maxconn = LB_MAXCONN;
	if (!px->cfg.connect_timeout_ms)
		px->cfg.connect_timeout_ms = LB_CONNECT_TIMEOUT_MS;
	if (!px->cfg.idle_timeout_ms)
		px->cfg.idle_timeout_ms = LB_IDLE_TIMEOUT_MS;
	if (!px->cfg.threads)
		px->cfg.threads = lb_proxy_threads_default();
	if (px->cfg.threads > LB_THREADS_MAX)
		px->cfg.threads = LB_THREADS_MAX;
	px->lfd = lb_proxy_listen_open(&px->cfg, false);
	if (px->lfd < 0)
		goto err;
	if (px->cfg.threads > 1) {
		/* That bind, without SO_REUSEPORT, was the check that nobody else listens
		 * on the address; the workers now bind their own sockets with it. */
		close(px->lfd);
		px->lfd = -1;
		if (lb_proxy_workers_start(px, px->cfg.threads) < 0)
			goto err;
		return px;
	}
	if (loop_fd_add(loop, px->lfd, EPOLLIN, lb_proxy_on_listen, px) < 0)
		goto err;
	px->listening = true;
	return px;
err:
	e = errno;
	lb_proxy_workers_stop(px);
	if (px->lfd >= 0)
		close(px->lfd);
	pthread_mutex_destroy(&px->mu);
	free(px);
	errno = e;
	return NULL;
}

void lb_proxy_free(struct lb_proxy *px)
{
	if (!px)
		return;
	lb_proxy_workers_stop(px);
	lb_proxy_close_all(px);
	if (px->lfd >= 0) {
		loop_fd_del(px->loop, px->lfd);
		close(px->lfd);
	}
	pthread_mutex_destroy(&px->mu);
	free(px);
}

void lb_proxy_stats(const struct lb_proxy *px, struct lb_proxy_stats *st)
{
	struct lb_proxy *f = (struct lb_proxy *)px; /* the mutex is not part of the value */

	if (!f->w) {
		*st = f->st;
		return;
	}
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&f->mu);
	for (unsigned i = 0; i < f->nw; i++) {
		st->accepted += f->w[i]->st.accepted;
		st->closed += f->w[i]->st.closed;
		st->retries += f->w[i]->st.retries;
		st->no_backend += f->w[i]->st.no_backend;
	}
	st->active = f->st.active;
	pthread_mutex_unlock(&f->mu);
}
