/*
 * load_client.c - fl-load's engine (see load_client.h).
 *
 * Every connection is on the client's list of all connections (so free can close
 * them); an idle keep-alive connection is also on the idle list and watched for EPOLLIN
 * only to notice that the server closed it. A busy connection carries exactly one
 * request: connecting (EPOLLOUT) -> sending (EPOLLOUT) -> receiving (EPOLLIN), with one
 * timer for the connect timeout and then the total timeout. inflight counts the
 * requests begun and not yet recorded.
 */
#include "load_client.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct load_conn {
	struct load_client *cl;
	int fd;
	struct load_conn *prev, *next;		 /* all connections */
	struct load_conn *idle_prev, *idle_next; /* idle ones */
	bool idle;
	bool connecting;
	bool reused;	/* this request is not the connection's first */
	bool got_bytes; /* some of the response arrived */
	bool leftover;	/* bytes after the response: do not reuse */
	uint64_t sched_ns, start_ns;
	size_t sent;
	struct loop_timer timer;
	struct web_http rsp;
};

struct load_client {
	struct loop *loop;
	struct load_config cfg;
	struct load_hooks hooks;
	void *arg;
	char req[512];
	size_t req_len;
	uint64_t start_ns, end_ns, next_i;
	struct loop_timer sched_timer, end_timer, kick_timer;
	uint64_t kicks; /* closed loop: requests to begin from the kick timer */
	bool stopping, done, ready;
	uint64_t inflight, retries;
	struct load_conn *all, *idle;
	char buf[65536];
};

static void req_begin(struct load_client *cl, uint64_t sched_ns, uint64_t start_ns);

/* ---- connection lists ---- */

static void idle_unlink(struct load_conn *c)
{
	if (!c->idle)
		return;
	if (c->idle_prev)
		c->idle_prev->idle_next = c->idle_next;
	else
		c->cl->idle = c->idle_next;
	if (c->idle_next)
		c->idle_next->idle_prev = c->idle_prev;
	c->idle = false;
}

static void idle_push(struct load_conn *c)
{
	c->idle = true;
	c->idle_prev = NULL;
	c->idle_next = c->cl->idle;
	if (c->idle_next)
		c->idle_next->idle_prev = c;
	c->cl->idle = c;
}

static void conn_free(struct load_conn *c)
{
	struct load_client *cl = c->cl;

	idle_unlink(c);
	loop_timer_cancel(cl->loop, &c->timer);
	loop_fd_del(cl->loop, c->fd);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		cl->all = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
}

/* ---- ending a request ---- */

static void check_done(struct load_client *cl)
{
	if (!cl->stopping || cl->inflight || cl->done)
		return;
	cl->done = true;
	while (cl->idle)
		conn_free(cl->idle);
	if (cl->hooks.done)
		cl->hooks.done(cl->arg);
}

static void emit(struct load_client *cl, uint64_t sched_ns, uint64_t start_ns, enum load_outcome o,
		 const struct web_http *rsp)
{
	struct load_record r = {
	    .sched_ns = sched_ns, .start_ns = start_ns, .end_ns = loop_now_ns(), .outcome = o};

	if (rsp) {
		r.bytes = rsp->body_seen;
		memcpy(r.backend, rsp->backend, sizeof(r.backend));
	}
	cl->inflight--;
	if (cl->hooks.record)
		cl->hooks.record(&r, cl->arg);
}

/* Closed loop: the next request follows at once. */
static void closed_loop_next(struct load_client *cl)
{
	uint64_t now = loop_now_ns();

	if (cl->cfg.concurrency && !cl->stopping && now < cl->end_ns)
		req_begin(cl, now, now);
}

static void conn_finish(struct load_conn *c, enum load_outcome o)
{
	struct load_client *cl = c->cl;

	emit(cl, c->sched_ns, c->start_ns, o, &c->rsp);
	if (cl->cfg.keepalive && o == LOAD_OK && c->rsp.keep_alive && !c->leftover &&
	    !cl->stopping) {
		loop_timer_cancel(cl->loop, &c->timer);
		if (loop_fd_mod(cl->loop, c->fd, EPOLLIN) == 0)
			idle_push(c);
		else
			conn_free(c);
	} else {
		conn_free(c);
	}
	closed_loop_next(cl);
	check_done(cl);
}

/* A failure; on a reused connection with no response yet, retry on a new one. */
static void conn_fail(struct load_conn *c, enum load_outcome o)
{
	struct load_client *cl = c->cl;

	if (!c->reused || c->got_bytes || o == LOAD_TIMEOUT)
		return conn_finish(c, o);
	uint64_t sched = c->sched_ns, start = c->start_ns;
	conn_free(c);
	cl->retries++;
	cl->inflight--; /* req_begin counts it again */
	req_begin(cl, sched, start);
}

/* ---- one request on one connection ---- */

static void conn_send(struct load_conn *c)
{
	struct load_client *cl = c->cl;

	while (c->sent < cl->req_len) {
		ssize_t w = send(c->fd, cl->req + c->sent, cl->req_len - c->sent, MSG_NOSIGNAL);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno == EAGAIN) {
			if (loop_fd_mod(cl->loop, c->fd, EPOLLOUT) == -1)
				conn_finish(c, LOAD_ERROR);
			return;
		}
		if (w == -1)
			return conn_fail(c, load_outcome_errno(errno, false));
		c->sent += (size_t)w;
	}
	if (loop_fd_mod(cl->loop, c->fd, EPOLLIN) == -1)
		return conn_finish(c, LOAD_ERROR);
	if (!cl->ready) {
		cl->ready = true;
		if (cl->hooks.ready)
			cl->hooks.ready(cl->arg);
	}
}

static void conn_eof(struct load_conn *c)
{
	if (web_http_eof(&c->rsp) == 0)
		return conn_finish(c, load_outcome_response(&c->rsp));
	conn_fail(c, load_outcome_eof(&c->rsp));
}

static void conn_recv(struct load_conn *c)
{
	struct load_client *cl = c->cl;

	for (;;) {
		ssize_t r = recv(c->fd, cl->buf, sizeof(cl->buf), 0);
		if (r == 0)
			return conn_eof(c);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			return;
		if (r == -1)
			return conn_fail(c, load_outcome_errno(errno, false));
		c->got_bytes = true;
		size_t used = web_http_feed(&c->rsp, cl->buf, (size_t)r);
		if (c->rsp.state == WEB_HTTP_ERROR)
			return conn_finish(c, LOAD_BAD_STATUS);
		if (c->rsp.state == WEB_HTTP_DONE) {
			c->leftover = used < (size_t)r;
			return conn_finish(c, load_outcome_response(&c->rsp));
		}
	}
}

static void conn_connected(struct load_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err)
		return conn_finish(c, load_outcome_errno(err, true));
	c->connecting = false;
	if (loop_timer_arm(c->cl->loop, &c->timer, c->start_ns + c->cl->cfg.timeout_ns) == -1)
		return conn_finish(c, LOAD_ERROR);
	conn_send(c);
}

static void conn_cb(struct loop *loop, int fd, uint32_t events, void *arg)
{
	struct load_conn *c = arg;

	(void)loop;
	(void)fd;
	if (c->idle)
		return conn_free(c); /* the server closed (or talked on) an idle connection */
	if (c->connecting)
		return conn_connected(c);
	if (c->sent < c->cl->req_len && (events & EPOLLOUT))
		return conn_send(c);
	conn_recv(c);
}

static void conn_timer_cb(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct load_conn *c = arg;

	(void)loop;
	(void)t;
	conn_finish(c, c->connecting ? LOAD_CONNECT_TIMEOUT : LOAD_TIMEOUT);
}

/* Start the request on c (new or idle); the connection may still be connecting. */
static void conn_begin(struct load_conn *c, uint64_t sched_ns, uint64_t start_ns)
{
	const struct load_config *cfg = &c->cl->cfg;
	uint64_t deadline = start_ns + cfg->timeout_ns;

	c->sched_ns = sched_ns;
	c->start_ns = start_ns;
	c->sent = 0;
	c->got_bytes = c->leftover = false;
	web_http_init(&c->rsp, WEB_HTTP_RESPONSE);
	if (c->connecting && cfg->connect_timeout_ns < cfg->timeout_ns)
		deadline = start_ns + cfg->connect_timeout_ns;
	if (loop_timer_arm(c->cl->loop, &c->timer, deadline) == -1)
		return conn_finish(c, LOAD_ERROR);
	if (c->connecting)
		return;
	conn_send(c);
}

/* A new connection, connecting. NULL with errno when it failed at once. */
static struct load_conn *conn_open(struct load_client *cl)
{
	struct load_conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (!c)
		return NULL;
	c->cl = cl;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		goto err_free;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	const struct sockaddr *sa = (const struct sockaddr *)&cl->cfg.url.addr;
	if (connect(c->fd, sa, sizeof(cl->cfg.url.addr)) == -1 && errno != EINPROGRESS)
		goto err_close;
	c->connecting = true; /* done or not, SO_ERROR on EPOLLOUT tells */
	if (loop_fd_add(cl->loop, c->fd, EPOLLOUT, conn_cb, c) == -1)
		goto err_close;
	loop_timer_init(&c->timer, conn_timer_cb, c);
	c->next = cl->all;
	if (cl->all)
		cl->all->prev = c;
	cl->all = c;
	return c;
err_close:;
	int e = errno;
	close(c->fd);
	errno = e;
err_free:
	free(c);
	return NULL;
}

static void req_begin(struct load_client *cl, uint64_t sched_ns, uint64_t start_ns)
{
	struct load_conn *c = cl->cfg.keepalive ? cl->idle : NULL;

	cl->inflight++;
	if (c) {
		idle_unlink(c);
		c->reused = true;
		return conn_begin(c, sched_ns, start_ns);
	}
	c = conn_open(cl);
	if (!c) {
		emit(cl, sched_ns, start_ns, load_outcome_errno(errno, true), NULL);
		if (cl->cfg.concurrency && !cl->stopping) {
			/* later, not from here: a failure at once would recurse without end */
			cl->kicks++;
			if (loop_timer_arm(cl->loop, &cl->kick_timer, loop_now_ns() + 1000000) == -1)
				cl->kicks--;
		}
		return check_done(cl);
	}
	conn_begin(c, sched_ns, start_ns);
}

/* ---- scheduling ---- */

static void sched_cb(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct load_client *cl = arg;
	uint64_t now = loop_now_ns();
	uint64_t due = load_sched_ns(cl->start_ns, cl->cfg.rate_milli, cl->next_i);

	while (!cl->stopping && due < cl->end_ns && due <= now) {
		req_begin(cl, due, loop_now_ns());
		due = load_sched_ns(cl->start_ns, cl->cfg.rate_milli, ++cl->next_i);
	}
	if (cl->stopping)
		return;
	if (due >= cl->end_ns || loop_timer_arm(loop, t, due) == -1)
		load_client_stop(cl);
}

static void kick_cb(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct load_client *cl = arg;
	uint64_t n = cl->kicks;

	(void)loop;
	(void)t;
	cl->kicks = 0;
	while (n--)
		closed_loop_next(cl);
}

static void end_cb(struct loop *loop, struct loop_timer *t, void *arg)
{
	(void)loop;
	(void)t;
	load_client_stop(arg);
}

struct load_client *load_client_new(struct loop *loop, const struct load_config *cfg,
				    const struct load_hooks *hooks, void *arg)
{
	struct load_client *cl = calloc(1, sizeof(*cl));

	if (!cl)
		return NULL;
	cl->loop = loop;
	cl->cfg = *cfg;
	cl->hooks = *hooks;
	cl->arg = arg;
	int n = web_http_request(cl->req, sizeof(cl->req), "GET", cfg->url.host, cfg->url.path,
				 cfg->keepalive);
	if (n < 0 || (!cfg->concurrency && !cfg->rate_milli)) {
		free(cl);
		errno = EINVAL;
		return NULL;
	}
	cl->req_len = (size_t)n;
	loop_timer_init(&cl->sched_timer, sched_cb, cl);
	loop_timer_init(&cl->end_timer, end_cb, cl);
	loop_timer_init(&cl->kick_timer, kick_cb, cl);
	return cl;
}

int load_client_start(struct load_client *cl)
{
	cl->start_ns = loop_now_ns();
	cl->end_ns = cl->cfg.duration_ns ? cl->start_ns + cl->cfg.duration_ns : UINT64_MAX;
	if (!cl->cfg.concurrency)
		return loop_timer_arm(cl->loop, &cl->sched_timer, cl->start_ns);
	if (cl->cfg.duration_ns && loop_timer_arm(cl->loop, &cl->end_timer, cl->end_ns) == -1)
		return -1;
	for (unsigned i = 0; i < cl->cfg.concurrency && !cl->stopping; i++)
		closed_loop_next(cl);
	return 0;
}

void load_client_stop(struct load_client *cl)
{
	cl->stopping = true;
	loop_timer_cancel(cl->loop, &cl->sched_timer);
	loop_timer_cancel(cl->loop, &cl->end_timer);
	loop_timer_cancel(cl->loop, &cl->kick_timer);
	while (cl->idle)
		conn_free(cl->idle);
	check_done(cl);
}

uint64_t load_client_start_ns(const struct load_client *cl)
{
	return cl->start_ns;
}

uint64_t load_client_retries(const struct load_client *cl)
{
	return cl->retries;
}

void load_client_free(struct load_client *cl)
{
	if (!cl)
		return;
	while (cl->all)
		conn_free(cl->all);
	loop_timer_cancel(cl->loop, &cl->sched_timer);
	loop_timer_cancel(cl->loop, &cl->end_timer);
	loop_timer_cancel(cl->loop, &cl->kick_timer);
	free(cl);
}
