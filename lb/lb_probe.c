/*
 * lb_probe.c - health-check I/O: one check in flight per backend at most, a TCP connect
 * or an HTTP "GET /health" whose status line must say 200, bounded by the check
 * timeout. Results feed the rise/fall machine of lb_check.c.
 *
 * Invariant: check_fd >= 0 exactly while a check is in flight, and then timeout_timer
 * is armed and check_timer is not.
 */
#include "lb_backend.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static const char health_req[] = "GET /health HTTP/1.1\r\nHost: fl-lb\r\n"
				 "Connection: close\r\n\r\n";

static void probe_close(struct lb_backend *b)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	if (b->check_fd < 0)
		return;
	/* A reset instead of a FIN: checks every 200 ms would otherwise leave a trail of
	 * TIME_WAIT sockets behind. */
	setsockopt(b->check_fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	loop_fd_del(b->pool->loop, b->check_fd);
	close(b->check_fd);
	b->check_fd = -1;
}

static void probe_done(struct lb_backend *b, bool ok, const char *reason)
{
	struct lb_pool *p = b->pool;

	probe_close(b);
	loop_timer_cancel(p->loop, &b->timeout_timer);
	if (lb_health_feed(&b->health, &p->hc, ok) && p->on_change)
		p->on_change(p->arg, b, ok ? "check-ok" : reason);
	loop_timer_arm(p->loop, &b->check_timer,
		     loop_now_ns() + (uint64_t)lb_health_next_ms(&b->health, &p->hc) * 1000000u);
}

static void probe_read(struct lb_backend *b)
{
	ssize_t n = read(b->check_fd, b->rbuf + b->rlen, sizeof(b->rbuf) - 1 - b->rlen);

	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		probe_done(b, false, n == 0 ? "closed" : "error");
		return;
	}
	b->rlen += (size_t)n;
	b->rbuf[b->rlen] = 0;
	if (b->rlen < 12) /* "HTTP/1.x 200" */
		return;
	if (!strncmp(b->rbuf, "HTTP/1.", 7) && !strncmp(b->rbuf + 8, " 200", 4))
		probe_done(b, true, NULL);
	else
		probe_done(b, false, "bad-status");
}

static void probe_connected(struct lb_backend *b)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(b->check_fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 || err) {
		probe_done(b, false, err == ECONNREFUSED ? "refused" : "error");
		return;
	}
	if (b->pool->check == LB_CHECK_TCP) {
		probe_done(b, true, NULL);
		return;
	}
	if (write(b->check_fd, health_req, sizeof(health_req) - 1) !=
	    (ssize_t)sizeof(health_req) - 1) {
		probe_done(b, false, "error");
		return;
	}
	b->rlen = 0;
	loop_fd_mod(b->pool->loop, b->check_fd, EPOLLIN);
}

static void probe_io(struct loop *loop, int fd, uint32_t events, void *arg)
{
	struct lb_backend *b = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)loop;
	(void)fd;
	if (b->rlen == (size_t)-1) { /* still connecting */
		probe_connected(b);
		return;
	}
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		getsockopt(b->check_fd, SOL_SOCKET, SO_ERROR, &err, &len);
		probe_done(b, false, err == ECONNREFUSED ? "refused" : "error");
		return;
	}
	probe_read(b);
}

static void probe_timeout(struct loop *loop, struct loop_timer *t, void *arg)
{
	(void)loop;
	(void)t;
	probe_done(arg, false, "timeout");
}

static void probe_begin(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct lb_backend *b = arg;

	(void)t;
	b->check_fd = lb_backend_connect(b, 0);
	if (b->check_fd < 0) {
		probe_done(b, false, errno == ECONNREFUSED ? "refused" : "error");
		return;
	}
	b->rlen = (size_t)-1; /* connecting */
	if (loop_fd_add(loop, b->check_fd, EPOLLOUT, probe_io, b) < 0) {
		probe_done(b, false, "error");
		return;
	}
	loop_timer_arm(loop, &b->timeout_timer,
		     loop_now_ns() + (uint64_t)b->pool->hc.timeout_ms * 1000000u);
}

int lb_probe_start(struct lb_pool *p)
{
	uint64_t now = loop_now_ns();

	for (int i = 0; i < p->n; i++) {
		struct lb_backend *b = &p->b[i];

		loop_timer_init(&b->check_timer, probe_begin, b);
		loop_timer_init(&b->timeout_timer, probe_timeout, b);
		if (loop_timer_arm(p->loop, &b->check_timer, now) < 0)
			return -1;
	}
	return 0;
}

void lb_probe_stop(struct lb_pool *p)
{
	for (int i = 0; i < p->n; i++) {
		probe_close(&p->b[i]);
		loop_timer_cancel(p->loop, &p->b[i].check_timer);
		loop_timer_cancel(p->loop, &p->b[i].timeout_timer);
	}
}
