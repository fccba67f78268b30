/*
 * node_qemu_agent.c - the harness side of the fl-agent channel: a unix socket to QEMU's
 * virtio-serial chardev, requests with ids counting up from 1, a blocking wait for one
 * reply at a time (with a deadline), and the agent's unasked lines ("0 exit PID STATUS")
 * recorded as they pass. Replies to requests nobody waits for any more (a ping sent
 * while the guest was still booting) are dropped by id.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ev.h"
#include "node_qemu_int.h"
#include "run.h"
#include "scn.h"

int guest_agent_connect(struct guest *g, int64_t deadline_ns)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", g->agent_path);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			g->agent_fd = fd;
			return 0;
		}
		close(fd);
		if ((errno != ENOENT && errno != ECONNREFUSED) || ev_now_ns() >= deadline_ns)
			return -1;
		usleep(10000);
	}
}

static void record_exit(struct guest *g, const struct agent_msg *m)
{
	pid_t pid;
	int status;

	if (m->argc < 2)
		return;
	pid = (pid_t)atoi(m->argv[0]);
	status = atoi(m->argv[1]);
	if (g->n_exits < GUEST_EXITS_MAX) {
		g->exits[g->n_exits].pid = pid;
		g->exits[g->n_exits].status = status;
		g->n_exits++;
	}
	run_event(g->r, ev_now_ns(), run_scn(g->r)->nodes[g->node].name, "guest-exit",
		  "\"pid\":%d,\"status\":%d", (int)pid, status);
	if (g->exit_fn)
		g->exit_fn(g->exit_arg, g->node, pid, status);
}

/* Next whole line as a message; 1 when one was taken, 0 when none is buffered. */
static int take_msg(struct guest *g, struct agent_msg *m)
{
	char *line;

	while ((line = agent_rbuf_line(g->rb)) || errno == E2BIG) {
		if (!line || agent_msg_parse(line, m) < 0)
			continue;
		if (m->id == 0 && !strcmp(m->verb, "exit")) {
			record_exit(g, m);
			continue;
		}
		return 1;
	}
	return 0;
}

static int fill(struct guest *g)
{
	size_t room;
	char *p = agent_rbuf_space(g->rb, &room);
	ssize_t n = read(g->agent_fd, p, room);

	if (n == 0) {
		errno = EPIPE;
		return -1;
	}
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	agent_rbuf_commit(g->rb, (size_t)n);
	return 1;
}

int guest_agent_pump(struct guest *g)
{
	struct agent_msg m;
	int rc;

	if (g->agent_fd < 0) {
		errno = ENOTCONN;
		return -1;
	}
	while ((rc = fill(g)) > 0)
		while (take_msg(g, &m))
			;
	return rc;
}

static int send_line(struct guest *g, const char *buf, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(g->agent_fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = g->agent_fd, .events = POLLOUT };

			if (poll(&p, 1, (int)((deadline - ev_now_ns()) / 1000000) + 1) <= 0) {
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

static int reply_of(struct guest *g, uint32_t id, struct agent_msg *rep)
{
	if (!strcmp(rep->verb, "ok"))
		return 0;
	if (!strcmp(rep->verb, "err") && rep->argc >= 1) {
		snprintf(g->err, sizeof(g->err), "agent: %s", rep->argc > 1 ? rep->argv[1] : "?");
		errno = atoi(rep->argv[0]) > 0 ? atoi(rep->argv[0]) : EIO;
		return -1;
	}
	(void)id;
	errno = EPROTO;
	return -1;
}

int guest_agent_call(struct guest *g, const char *verb, int argc, const char *const argv[],
		     const size_t lens[], struct agent_msg *rep, int timeout_ms)
{
	int64_t deadline = ev_now_ns() + (int64_t)timeout_ms * 1000000;
	uint32_t id = g->next_id++;
	static char line[AGENT_LINE_MAX];
	int n;

	if (g->agent_fd < 0) {
		errno = ENOTCONN;
		return -1;
	}
	n = agent_msg_format(line, sizeof(line), id, verb, argc, argv, lens);
	if (n < 0 || send_line(g, line, (size_t)n, deadline) < 0)
		return -1;
	for (;;) {
		struct pollfd p = { .fd = g->agent_fd, .events = POLLIN };
		int64_t left = deadline - ev_now_ns();

		while (take_msg(g, rep))
			if (rep->id == id)
				return reply_of(g, id, rep);
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (poll(&p, 1, (int)(left / 1000000) + 1) < 0 && errno != EINTR)
			return -1;
		if (fill(g) < 0)
			return -1;
	}
}

static bool qemu_gone(struct guest *g)
{
	int ws;

	if (g->pid <= 0)
		return true;
	if (waitpid(g->pid, &ws, WNOHANG) == g->pid) {
		snprintf(g->err, sizeof(g->err), "QEMU exited (%s %d) before the agent answered",
			 WIFSIGNALED(ws) ? "signal" : "status",
			 WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
		g->pid = -1;
		return true;
	}
	return false;
}

int guest_agent_wait_ready(struct guest *g, int64_t deadline_ns)
{
	struct agent_msg rep;

	while (ev_now_ns() < deadline_ns) {
		if (qemu_gone(g)) {
			errno = ECHILD;
			return -1;
		}
		if (guest_agent_call(g, "ping", 0, NULL, NULL, &rep, 200) == 0) {
			g->ready = true;
			return 0;
		}
		if (errno != ETIMEDOUT) {
			if (qemu_gone(g)) {
				errno = ECHILD;
				return -1;
			}
			usleep(50000);
		}
	}
	snprintf(g->err, sizeof(g->err), "the guest agent did not answer in time");
	errno = ETIMEDOUT;
	return -1;
}
