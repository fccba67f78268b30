/*
 * probe_tcp.c - the tcp probe: connect (ok once connected when there is nothing to
 * send), else send the text and read until the expected text has come back.
 *
 * Outcomes: refused (RST to the SYN), connect-timeout (not connected by the timeout),
 * reset (the connection broke, or closed before any byte came back), bad-body (closed,
 * or the buffer full, without the expected text), timeout (connected, no full answer).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

static void tcp_readable(struct probe_req *q)
{
	for (;;) {
		if (q->got == sizeof(q->buf))
			return probe_req_end(q, LOAD_BAD_BODY);
		ssize_t n = read(q->fd, q->buf + q->got, sizeof(q->buf) - q->got);
		if (n > 0) {
			q->got += (size_t)n;
			if (probe_reply_ok(q))
				return probe_req_end(q, LOAD_OK);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == 0)
			return probe_req_end(q, q->got ? LOAD_BAD_BODY : LOAD_RESET);
		return probe_req_end(q, load_outcome_errno(errno, false));
	}
}

static void tcp_send(struct probe_req *q)
{
	const char *s = probe_cfg_of(q)->send;
	size_t len = strlen(s);

	while (q->sent < len) {
		ssize_t n = send(q->fd, s + q->sent, len - q->sent, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1)
			return probe_req_end(q, load_outcome_errno(errno, false));
		q->sent += (size_t)n;
	}
	loop_fd_mod(probe_loop_of(q), q->fd, EPOLLIN);
}

static void tcp_cb(struct loop *loop, int fd, uint32_t ev, void *arg)
{
	struct probe_req *q = arg;
	int err = 0;
	socklen_t el = sizeof(err);

	(void)loop;
	if (q->connecting) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == -1)
			err = errno;
		if (err)
			return probe_req_end(q, load_outcome_errno(err, true));
		q->connecting = false;
		if (!probe_cfg_of(q)->send)
			return probe_req_end(q, LOAD_OK);
	}
	if (ev & EPOLLOUT)
		return tcp_send(q);
	tcp_readable(q);
}

static int tcp_start(struct probe_req *q)
{
	const struct probe_cfg *c = probe_cfg_of(q);

	q->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->fd == -1)
		return -1;
	if (connect(q->fd, (const struct sockaddr *)&c->addr, sizeof(c->addr)) == -1 &&
	    errno != EINPROGRESS)
		return -1; /* the engine closes q->fd */
	q->connecting = true;
	return loop_fd_add(probe_loop_of(q), q->fd, EPOLLOUT, tcp_cb, q);
}

static enum load_outcome tcp_abort(struct probe_req *q)
{
	return q->connecting ? LOAD_CONNECT_TIMEOUT : LOAD_TIMEOUT;
}

const struct probe_kind probe_kind_tcp = {
    .id = PROBE_TCP,
    .start = tcp_start,
    .abort = tcp_abort,
};
