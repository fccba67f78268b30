/*
 * node_qemu_agent.c - the harness side of the fl-agent channel: a unix socket to QEMU's
 * virtio-serial chardev, watched on the run's event loop as a node_chan from the moment
 * it connects. Requests carry ids counting up from 1 and a timeout each; replies go to
 * their request's callback, the agent's unasked lines ("0 exit PID STATUS") are recorded
 * as they come. Replies to requests nobody waits for any more (a ping sent while the
 * guest was still booting, a read that timed out) are dropped by id.
 *
 * guest_agent_send() never waits. guest_agent_call() waits by running the loop, for the
 * lab build (boot, interfaces, facts) and teardown only.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ev.h"
#include "jsonl.h"
#include "node_chan.h"
#include "node_qemu_int.h"
#include "sockpath.h"
#include "run.h"
#include "scn.h"

#define AGENT_RETRY_NS	  (10 * 1000000LL) /* QEMU makes the chardev socket after start */
#define AGENT_PING_GAP_NS (50 * 1000000LL)

/* One request in flight. */
struct agent_req {
	struct guest *g;
	guest_agent_fn *fn;
	void *arg;
};

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
	run_event_obj(g->r, ev_now_ns(), run_scn(g->r)->nodes[g->node].name, "guest-exit",
		      json_pack("{s:i,s:i}", "pid", (int)pid, "status", status));
	guest_exited(g, pid, status);
}

/* node_chan_line_fn: exit events recorded here; a reply's id for its request. */
static int64_t agent_on_line(void *arg, char *line)
{
	struct guest *g = arg;
	char *end;
	unsigned long id = strtoul(line, &end, 10);
	struct agent_msg m;

	if (end == line || *end != ' ')
		return 0;
	if (id > 0)
		return (int64_t)id;
	if (agent_msg_parse(line, &m) < 0)
		return 0;
	if (guest_pty_event(g, &m) == 0 && !strcmp(m.verb, "exit"))
		record_exit(g, &m);
	return 0;
}

static void agent_on_gone(void *arg, int err)
{
	(void)err;
	guest_gone(arg, "agent channel closed");
}

int guest_agent_connect(struct guest *g, int64_t deadline_ns)
{
	struct ev_loop *loop = run_loop(g->r);

	for (;;) {
		int fd = sockpath_connect(g->agent_path, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd >= 0) {
			g->agent = node_chan_new(loop, fd, agent_on_line, agent_on_gone, g);
			if (!g->agent)
				close(fd);
			return g->agent ? 0 : -1;
		}
		if ((errno != ENOENT && errno != ECONNREFUSED) || ev_now_ns() >= deadline_ns)
			return -1;
		ev_loop_run_until(loop, ev_now_ns() + AGENT_RETRY_NS, NULL, NULL);
	}
}

/* "ok" is 0; "err ERRNO TEXT" is -1 with the guest's errno and its text in g->err. */
static int reply_of(struct guest *g, const struct agent_msg *rep)
{
	if (!strcmp(rep->verb, "ok"))
		return 0;
	if (!strcmp(rep->verb, "err") && rep->argc >= 1) {
		snprintf(g->err, sizeof(g->err), "agent: %s", rep->argc > 1 ? rep->argv[1] : "?");
		errno = atoi(rep->argv[0]) > 0 ? atoi(rep->argv[0]) : EIO;
		return -1;
	}
	errno = EPROTO;
	return -1;
}

static void agent_on_reply(void *arg, char *line, int err)
{
	struct agent_req *rq = arg;
	struct agent_msg m;
	bool parsed = !err && agent_msg_parse(line, &m) == 0;

	if (!err && !parsed)
		err = EPROTO;
	if (parsed && reply_of(rq->g, &m) < 0)
		err = errno;
	rq->fn(rq->arg, rq->g, err, parsed ? &m : NULL);
	free(rq);
}

/* The request line of @verb @argv into a buffer the caller frees; its id in *@id. */
static char *agent_line(struct guest *g, const char *verb, int argc, const char *const argv[],
			const size_t lens[], uint32_t *id, int *len)
{
	char *line = malloc(AGENT_LINE_MAX);

	*id = g->next_id++;
	if (!line)
		return NULL;
	*len = agent_msg_format(line, AGENT_LINE_MAX, *id, verb, argc, argv, lens);
	if (*len < 0) {
		free(line);
		return NULL;
	}
	return line;
}

int guest_agent_send(struct guest *g, const char *verb, int argc, const char *const argv[],
		     const size_t lens[], int timeout_ms, guest_agent_fn *fn, void *arg)
{
	struct agent_req *rq;
	uint32_t id;
	int len, rc = -1;

	if (!g->agent) {
		errno = ENOTCONN;
		return -1;
	}
	char *line = agent_line(g, verb, argc, argv, lens, &id, &len);
	if (!line || !(rq = malloc(sizeof(*rq)))) {
		free(line);
		return -1;
	}
	*rq = (struct agent_req){g, fn, arg};
	rc = node_chan_send(g->agent, id, line, (size_t)len, timeout_ms, agent_on_reply, rq);
	int e = errno;
	if (rc < 0)
		free(rq);
	free(line);
	errno = e;
	return rc;
}

int guest_agent_call(struct guest *g, const char *verb, int argc, const char *const argv[],
		     const size_t lens[], struct agent_msg *rep, int timeout_ms)
{
	uint32_t id;
	int len, rc;

	if (!g->agent) {
		errno = ENOTCONN;
		return -1;
	}
	char *line = agent_line(g, verb, argc, argv, lens, &id, &len);
	if (!line)
		return -1;
	free(g->reply);
	g->reply = NULL;
	rc = node_chan_call(g->agent, id, line, (size_t)len, timeout_ms, &g->reply);
	free(line);
	if (rc < 0)
		return -1;
	if (agent_msg_parse(g->reply, rep) < 0) {
		errno = EPROTO;
		return -1;
	}
	return reply_of(g, rep);
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
			ev_loop_run_until(run_loop(g->r), ev_now_ns() + AGENT_PING_GAP_NS, NULL,
					  NULL);
		}
	}
	snprintf(g->err, sizeof(g->err), "the guest agent did not answer in time");
	errno = ETIMEDOUT;
	return -1;
}
