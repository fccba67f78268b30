/*
 * qmp.c - the QMP connection: a unix socket watched on the run's event loop as a
 * node_chan (line assembly, ids counting up from 1, replies matched by id, a timeout
 * per command), events delivered as they come. qmp_send() never waits; qmp_cmd() and
 * qmp_open() wait by running the loop, so every other source keeps firing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ev.h"
#include "node_chan.h"
#include "qmp.h"
#include "sockpath.h"

#define QMP_RETRY_NS (10 * 1000000LL) /* QEMU makes its socket a moment after it starts */

struct qmp {
	struct ev_loop *loop;
	struct node_chan *ch;
	int64_t next_id;
	qmp_event_fn *event_fn;
	void *event_arg;
	qmp_gone_fn *gone_fn;
	void *gone_arg;
	bool greeted;
	char error[320];
};

/* One command in flight. */
struct qmp_req {
	struct qmp *q;
	qmp_reply_fn *fn;
	void *arg;
};

/* node_chan_line_fn: greeting and events here; a reply's id for its request. */
static int64_t qmp_on_line(void *arg, char *line)
{
	struct qmp *q = arg;
	struct qmp_msg m;

	if (qmp_msg_parse(line, strlen(line), &m) < 0)
		return 0;
	switch (m.kind) {
	case QMP_MSG_GREETING:
		q->greeted = true;
		return 0;
	case QMP_MSG_EVENT:
		if (q->event_fn)
			q->event_fn(q->event_arg, m.event, m.body, m.body_len);
		return 0;
	case QMP_MSG_RETURN:
	case QMP_MSG_ERROR:
		return m.id > 0 ? m.id : 0;
	}
	return 0;
}

static void qmp_on_gone(void *arg, int err)
{
	struct qmp *q = arg;

	(void)err;
	if (q->gone_fn)
		q->gone_fn(q->gone_arg);
}

static void qmp_on_reply(void *arg, char *line, int err)
{
	struct qmp_req *rq = arg;
	struct qmp *q = rq->q;
	struct qmp_msg m;

	if (!err && qmp_msg_parse(line, strlen(line), &m) < 0)
		err = EPROTO;
	if (!err && m.kind == QMP_MSG_ERROR)
		snprintf(q->error, sizeof(q->error), "%s: %s", m.err_class, m.err_desc);
	rq->fn(rq->arg, err, err ? NULL : &m);
	free(rq);
}

int qmp_send(struct qmp *q, const char *cmd, struct json_t *args, int timeout_ms,
	     qmp_reply_fn *fn, void *arg)
{
	struct qmp_req *rq = malloc(sizeof(*rq));
	int64_t id = q->next_id++;
	char buf[4096];
	int n = qmp_cmd_format(buf, sizeof(buf), cmd, args, id);

	if (!rq || n < 0) {
		free(rq);
		return -1;
	}
	*rq = (struct qmp_req){q, fn, arg};
	if (node_chan_send(q->ch, id, buf, (size_t)n, timeout_ms, qmp_on_reply, rq) < 0) {
		int e = errno;

		free(rq);
		errno = e;
		return -1;
	}
	return 0;
}

struct qmp_wait {
	bool done;
	int err;
	char *ret;
	size_t ret_len;
};

static void qmp_wait_reply(void *arg, int err, const struct qmp_msg *m)
{
	struct qmp_wait *w = arg;

	w->done = true;
	w->err = err ? err : m->kind == QMP_MSG_ERROR ? EREMOTEIO : 0;
	if (w->err || !w->ret || !w->ret_len)
		return;
	int n = m->body_len < (int)w->ret_len ? m->body_len : (int)w->ret_len - 1;
	memcpy(w->ret, m->body ? m->body : "", m->body ? (size_t)n : 0);
	w->ret[m->body ? n : 0] = '\0';
}

static bool qmp_wait_done(void *arg)
{
	return ((struct qmp_wait *)arg)->done;
}

int qmp_cmd(struct qmp *q, const char *cmd, struct json_t *args, char *ret, size_t ret_len,
	    int timeout_ms)
{
	/* heap, not stack: a reply that outlives a backstop timeout must find it alive */
	struct qmp_wait *w = calloc(1, sizeof(*w));

	if (!w)
		return -1;
	*w = (struct qmp_wait){.ret = ret, .ret_len = ret_len};
	if (ret && ret_len)
		ret[0] = '\0';
	if (qmp_send(q, cmd, args, timeout_ms, qmp_wait_reply, w) < 0) {
		free(w);
		return -1;
	}
	/* the command's own timeout ends the wait; the deadline here is a backstop */
	ev_loop_run_until(q->loop, ev_now_ns() + (int64_t)(timeout_ms + 1000) * 1000000,
			  qmp_wait_done, w);
	if (!w->done) { /* epoll failed: @w stays with the request, without @ret */
		w->ret = NULL;
		return -1;
	}
	int err = w->err;
	free(w);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

static bool qmp_is_greeted(void *arg)
{
	return ((struct qmp *)arg)->greeted;
}

/* Connect, retrying while QEMU has not made the socket yet; waits on the loop. */
static int qmp_connect(struct ev_loop *loop, const char *path, int64_t deadline)
{
	int fd;

	while ((fd = sockpath_connect(path, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0) {
		if ((errno != ENOENT && errno != ECONNREFUSED) || ev_now_ns() >= deadline)
			return -1;
		ev_loop_run_until(loop, ev_now_ns() + QMP_RETRY_NS, NULL, NULL);
	}
	return fd;
}

struct qmp *qmp_open(struct ev_loop *loop, const char *path, int timeout_ms)
{
	int64_t deadline = ev_now_ns() + (int64_t)timeout_ms * 1000000;
	int fd = qmp_connect(loop, path, deadline);

	if (fd < 0)
		return NULL;
	return qmp_open_fd(loop, fd, (int)((deadline - ev_now_ns()) / 1000000) + 1);
}

struct qmp *qmp_open_fd(struct ev_loop *loop, int fd, int timeout_ms)
{
	int64_t deadline = ev_now_ns() + (int64_t)timeout_ms * 1000000;
	struct qmp *q = calloc(1, sizeof(*q));
	int e;

	if (!q) {
		close(fd);
		return NULL;
	}
	q->loop = loop;
	q->next_id = 1;
	q->ch = node_chan_new(loop, fd, qmp_on_line, qmp_on_gone, q);
	if (!q->ch) {
		e = errno;
		close(fd);
		errno = e;
		goto err_free;
	}
	if (ev_loop_run_until(loop, deadline, qmp_is_greeted, q) < 0 ||
	    qmp_cmd(q, "qmp_capabilities", NULL, NULL, 0,
		    (int)((deadline - ev_now_ns()) / 1000000) + 1) < 0)
		goto err_close;
	return q;
err_close:
	e = errno;
	node_chan_free(q->ch);
	errno = e;
err_free:
	e = errno;
	free(q);
	errno = e;
	return NULL;
}

void qmp_close(struct qmp *q)
{
	if (!q)
		return;
	node_chan_free(q->ch);
	free(q);
}

void qmp_set_event_fn(struct qmp *q, qmp_event_fn *fn, void *arg)
{
	q->event_fn = fn;
	q->event_arg = arg;
}

void qmp_set_gone_fn(struct qmp *q, qmp_gone_fn *fn, void *arg)
{
	q->gone_fn = fn;
	q->gone_arg = arg;
}

const char *qmp_error(const struct qmp *q)
{
	return q->error;
}
