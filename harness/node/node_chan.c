/*
 * node_chan.c - a request/reply line channel on the run's event loop (see node_chan.h):
 * one fd watcher that reads and dispatches lines, one timer armed for the earliest
 * request deadline, an output queue flushed when the socket takes it.
 *
 * Invariants: pending[0, n_pending) are the requests without an outcome yet; an entry
 * is removed before its callback runs, so a callback may send again. The timer, when
 * armed (timer > 0), fires at the earliest pending deadline or before.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent_proto.h"
#include "ev.h"
#include "node_chan.h"

#define NODE_CHAN_PENDING_MAX 64

struct node_chan_req {
	int64_t id;
	int64_t deadline_ns;
	node_chan_reply_fn *fn;
	void *arg;
};

struct node_chan {
	struct ev_loop *loop;
	int fd;
	bool dead; /* the peer closed: no more reading or writing */
	node_chan_line_fn *line_fn;
	node_chan_gone_fn *gone_fn;
	void *arg;
	struct node_chan_req pending[NODE_CHAN_PENDING_MAX];
	int n_pending;
	int64_t timer; /* ev timer id, 0 when none */
	char *out;     /* bytes not yet taken by the socket */
	size_t out_len, out_cap;
	struct agent_rbuf *rb;
};

/* Take request @i out of the pending set and run its callback. */
static void chan_finish(struct node_chan *c, int i, char *line, int err)
{
	struct node_chan_req rq = c->pending[i];

	c->pending[i] = c->pending[--c->n_pending];
	rq.fn(rq.arg, line, err);
}

static void chan_fail_all(struct node_chan *c, int err)
{
	while (c->n_pending)
		chan_finish(c, c->n_pending - 1, NULL, err);
}

static void chan_gone(struct node_chan *c, int err)
{
	if (c->dead)
		return;
	c->dead = true;
	ev_fd_del(c->loop, c->fd);
	chan_fail_all(c, EPIPE);
	if (c->gone_fn)
		c->gone_fn(c->arg, err);
}

static int64_t chan_earliest(const struct node_chan *c)
{
	int64_t t = -1;

	for (int i = 0; i < c->n_pending; i++)
		if (t < 0 || c->pending[i].deadline_ns < t)
			t = c->pending[i].deadline_ns;
	return t;
}

static int64_t chan_on_timer(struct ev_loop *loop, int64_t now_ns, void *arg)
{
	struct node_chan *c = arg;
	int64_t self = c->timer;

	(void)loop;
	c->timer = 0; /* a callback that sends arms a timer of its own */
	for (;;) {
		int i = 0;

		while (i < c->n_pending && c->pending[i].deadline_ns > now_ns)
			i++;
		if (i == c->n_pending)
			break;
		chan_finish(c, i, NULL, ETIMEDOUT);
	}
	if (c->timer > 0)
		return -1;
	int64_t next = chan_earliest(c);
	if (next >= 0)
		c->timer = self;
	return next;
}

/* (Re)arm the timer for the earliest pending deadline. */
static int chan_timer_arm(struct node_chan *c)
{
	int64_t earliest = chan_earliest(c);

	if (c->timer > 0)
		ev_timer_del(c->loop, c->timer);
	c->timer = 0;
	if (earliest < 0)
		return 0;
	c->timer = ev_timer_add(c->loop, earliest, chan_on_timer, c);
	if (c->timer < 0) {
		c->timer = 0;
		return -1;
	}
	return 0;
}

static void chan_dispatch(struct node_chan *c, char *line)
{
	int64_t id = c->line_fn(c->arg, line);

	if (id <= 0)
		return;
	for (int i = 0; i < c->n_pending; i++)
		if (c->pending[i].id == id) {
			chan_finish(c, i, line, 0);
			return;
		}
	/* a reply to a request that timed out: nobody waits for it any more */
}

static void chan_read(struct node_chan *c)
{
	while (!c->dead) {
		size_t room;
		char *p = agent_rbuf_space(c->rb, &room), *line;
		ssize_t n = read(c->fd, p, room);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			chan_gone(c, n == 0 ? EPIPE : errno);
			return;
		}
		if (n < 0)
			return;
		agent_rbuf_commit(c->rb, (size_t)n);
		while (!c->dead && ((line = agent_rbuf_line(c->rb)) || errno == E2BIG))
			if (line)
				chan_dispatch(c, line);
	}
}

/* Hand the queue to the socket; watch for room when it does not take it all. */
static int chan_flush(struct node_chan *c)
{
	size_t done = 0;

	while (done < c->out_len) {
		ssize_t n = send(c->fd, c->out + done, c->out_len - done, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -1;
		if (n < 0)
			break;
		done += (size_t)n;
	}
	memmove(c->out, c->out + done, c->out_len - done);
	c->out_len -= done;
	return ev_fd_mod(c->loop, c->fd, c->out_len ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

static void chan_on_fd(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct node_chan *c = arg;

	(void)loop;
	(void)fd;
	if ((events & EPOLLOUT) && chan_flush(c) < 0) {
		chan_gone(c, errno);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		chan_read(c);
}

struct node_chan *node_chan_new(struct ev_loop *loop, int fd, node_chan_line_fn *line_fn,
				node_chan_gone_fn *gone_fn, void *arg)
{
	struct node_chan *c = calloc(1, sizeof(*c));
	struct agent_rbuf *rb = malloc(sizeof(*rb));

	if (!c || !rb)
		goto err_free;
	agent_rbuf_init(rb);
	*c = (struct node_chan){
	    .loop = loop, .fd = fd, .line_fn = line_fn, .gone_fn = gone_fn, .arg = arg, .rb = rb};
	if (ev_fd_add(loop, fd, EPOLLIN, chan_on_fd, c) < 0)
		goto err_free;
	return c;
err_free:
	free(rb);
	free(c);
	return NULL;
}

void node_chan_free(struct node_chan *c)
{
	if (!c)
		return;
	if (!c->dead)
		ev_fd_del(c->loop, c->fd);
	c->dead = true;
	if (c->timer > 0)
		ev_timer_del(c->loop, c->timer);
	chan_fail_all(c, ECANCELED);
	close(c->fd);
	free(c->out);
	free(c->rb);
	free(c);
}

static int chan_queue(struct node_chan *c, const char *buf, size_t len)
{
	if (c->out_len + len > c->out_cap) {
		size_t cap = (c->out_len + len) * 2;
		char *o = realloc(c->out, cap);

		if (!o)
			return -1;
		c->out = o;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, buf, len);
	c->out_len += len;
	return 0;
}

int node_chan_send(struct node_chan *c, int64_t id, const char *buf, size_t len, int timeout_ms,
		   node_chan_reply_fn *fn, void *fn_arg)
{
	int64_t deadline = ev_now_ns() + (int64_t)timeout_ms * 1000000;

	if (c->dead) {
		errno = EPIPE;
		return -1;
	}
	if (c->n_pending == NODE_CHAN_PENDING_MAX) {
		errno = ENOSPC;
		return -1;
	}
	if (chan_queue(c, buf, len) < 0)
		return -1;
	c->pending[c->n_pending++] = (struct node_chan_req){id, deadline, fn, fn_arg};
	if (chan_timer_arm(c) < 0) {
		c->n_pending--;
		c->out_len -= len;
		return -1;
	}
	if (chan_flush(c) < 0) {
		int e = errno;

		c->n_pending--; /* not sent: its callback is never called */
		chan_gone(c, e);
		errno = EPIPE;
		return -1;
	}
	return 0;
}

struct chan_wait {
	bool done;
	int err;
	char *line;
};

static void chan_wait_reply(void *arg, char *line, int err)
{
	struct chan_wait *w = arg;

	w->done = true;
	w->err = err;
	if (line && !(w->line = strdup(line)))
		w->err = ENOMEM;
}

static bool chan_wait_done(void *arg)
{
	return ((struct chan_wait *)arg)->done;
}

int node_chan_call(struct node_chan *c, int64_t id, const char *buf, size_t len, int timeout_ms,
		   char **reply)
{
	struct chan_wait w = {0};

	*reply = NULL;
	if (node_chan_send(c, id, buf, len, timeout_ms, chan_wait_reply, &w) < 0)
		return -1;
	/* the request's own timer ends it: the loop's deadline is only a backstop */
	ev_loop_run_until(c->loop, ev_now_ns() + (int64_t)(timeout_ms + 1000) * 1000000,
			  chan_wait_done, &w);
	if (!w.done) {
		for (int i = 0; i < c->n_pending; i++)
			if (c->pending[i].arg == &w)
				c->pending[i] = c->pending[--c->n_pending];
		w.err = ETIMEDOUT;
	}
	if (w.err) {
		free(w.line);
		errno = w.err;
		return -1;
	}
	*reply = w.line;
	return 0;
}

int node_chan_pending(const struct node_chan *c)
{
	return c->n_pending;
}
