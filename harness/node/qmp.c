/*
 * qmp.c - the QMP connection: a non-blocking unix socket, line assembly (the generic
 * assembler from lb/agent_proto.h), ids counting up from 1, events delivered as they
 * come. A blocking wait (qmp_cmd) polls this one socket with a deadline; everything
 * else is qmp_pump() from the run's event loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent_proto.h"
#include "qmp.h"

struct qmp {
	int fd;
	int64_t next_id;
	qmp_event_fn *event_fn;
	void *event_arg;
	/* The reply being waited for, if any. */
	int64_t want_id;
	int got; /* 0 waiting, 1 return, -1 error */
	char *ret;
	size_t ret_len;
	int greeted;
	char error[320];
	struct agent_rbuf rb;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sock_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void handle_msg(struct qmp *q, const struct qmp_msg *m)
{
	switch (m->kind) {
	case QMP_MSG_GREETING:
		q->greeted = 1;
		break;
	case QMP_MSG_EVENT:
		if (q->event_fn)
			q->event_fn(q->event_arg, m->event, m->body, m->body_len);
		break;
	case QMP_MSG_RETURN:
	case QMP_MSG_ERROR:
		if (m->id != q->want_id)
			break; /* a reply nobody waits for any more (timed out) */
		q->got = m->kind == QMP_MSG_RETURN ? 1 : -1;
		if (q->got < 0)
			snprintf(q->error, sizeof(q->error), "%s: %s", m->err_class, m->err_desc);
		if (q->got > 0 && q->ret && q->ret_len) {
			int n = m->body_len < (int)q->ret_len ? m->body_len : (int)q->ret_len - 1;

			memcpy(q->ret, m->body ? m->body : "", m->body ? (size_t)n : 0);
			q->ret[m->body ? n : 0] = '\0';
		}
		break;
	}
}

int qmp_pump(struct qmp *q)
{
	for (;;) {
		size_t room;
		char *p = agent_rbuf_space(&q->rb, &room);
		ssize_t n = read(q->fd, p, room);
		char *line;

		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		agent_rbuf_commit(&q->rb, (size_t)n);
		while ((line = agent_rbuf_line(&q->rb)) || errno == E2BIG) {
			struct qmp_msg m;

			if (line && qmp_msg_parse(line, strlen(line), &m) == 0)
				handle_msg(q, &m);
		}
	}
}

static int send_all(int fd, const char *buf, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, (int)(deadline - now_ms())) <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			continue;
		}
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Pump until @done(q) or the deadline. */
static int wait_for(struct qmp *q, int (*done)(const struct qmp *q), int64_t deadline)
{
	while (!done(q)) {
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		int64_t left = deadline - now_ms();

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -1;
		if (qmp_pump(q) < 0)
			return -1;
	}
	return 0;
}

static int is_greeted(const struct qmp *q)
{
	return q->greeted;
}

static int has_reply(const struct qmp *q)
{
	return q->got != 0;
}

int qmp_cmd(struct qmp *q, const char *cmd, const char *args_json, char *ret, size_t ret_len,
	    int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	char buf[4096];
	int n;

	q->want_id = q->next_id++;
	q->got = 0;
	q->ret = ret;
	q->ret_len = ret_len;
	if (ret && ret_len)
		ret[0] = '\0';
	n = qmp_cmd_format(buf, sizeof(buf), cmd, args_json, q->want_id);
	if (n < 0 || send_all(q->fd, buf, (size_t)n, deadline) < 0 ||
	    wait_for(q, has_reply, deadline) < 0) {
		q->want_id = -1;
		return -1;
	}
	q->want_id = -1;
	q->ret = NULL;
	if (q->got < 0) {
		errno = EREMOTEIO;
		return -1;
	}
	return 0;
}

struct qmp *qmp_open(const char *path, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct qmp *q = calloc(1, sizeof(*q));
	int e;

	if (!q)
		return NULL;
	q->next_id = 1;
	q->want_id = -1;
	agent_rbuf_init(&q->rb);
	/* QEMU creates the socket a little after it starts: retry until the deadline. */
	while ((q->fd = sock_connect(path)) < 0) {
		struct timespec ts = { 0, 10 * 1000000 };

		if ((errno != ENOENT && errno != ECONNREFUSED) || now_ms() >= deadline)
			goto err_free;
		nanosleep(&ts, NULL);
	}
	if (wait_for(q, is_greeted, deadline) < 0 ||
	    qmp_cmd(q, "qmp_capabilities", NULL, NULL, 0, (int)(deadline - now_ms())) < 0)
		goto err_close;
	return q;
err_close:
	e = errno;
	close(q->fd);
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
	close(q->fd);
	free(q);
}

int qmp_fd(const struct qmp *q)
{
	return q->fd;
}

void qmp_set_event_fn(struct qmp *q, qmp_event_fn *fn, void *arg)
{
	q->event_fn = fn;
	q->event_arg = arg;
}

const char *qmp_error(const struct qmp *q)
{
	return q->error;
}
