/*
 * node_qemu_pty.c - terminal sessions in a guest, for `faultline shell`: fl-agent's
 * "pty" starts the program on a pseudo-terminal of its own, "in" types into it,
 * "winch" resizes it; its output comes back as "0 out PID DATA" events and its end
 * as "0 exit PID STATUS" (lb/agent_pty.c). A session id is its slot + 1.
 *
 * Invariants: a slot is used from pty_open until the session's exit event, its
 * start's failure, or its close; after a close its fns are zeroed, so nothing is
 * called any more, and a program that was still starting is hung up when its pid
 * comes back.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "node_qemu_int.h"
#include "run.h"
#include "scn.h"

#define PTY_TIMEOUT_MS 5000
#define PTY_ARGS_MAX   60

static struct guest_pty *pty_of(struct guest *g, int sid)
{
	return sid >= 1 && sid <= GUEST_PTYS_MAX && g->ptys[sid - 1].used ? &g->ptys[sid - 1]
									  : NULL;
}

static void on_typed(void *arg, struct guest *g, int err, struct agent_msg *rep)
{
	(void)arg;
	(void)g;
	(void)err; /* a session that ended meanwhile: its exit event says so */
	(void)rep;
}

static void pty_hangup(struct guest *g, pid_t pid)
{
	char a[2][16];
	const char *w[2] = {a[0], a[1]};

	snprintf(a[0], sizeof(a[0]), "%d", (int)pid);
	snprintf(a[1], sizeof(a[1]), "%d", SIGHUP);
	guest_agent_send(g, "kill", 2, w, NULL, PTY_TIMEOUT_MS, on_typed, NULL);
}

/* The agent's answer to "pty": the session's pid, or why it did not start. */
static void on_started(void *arg, struct guest *g, int err, struct agent_msg *rep)
{
	struct guest_pty *p = arg;
	struct node_pty_fns fns = p->fns;

	if (!err && (!rep || rep->argc < 1 || atoi(rep->argv[0]) <= 0))
		err = EPROTO;
	if (err) {
		*p = (struct guest_pty){0};
		if (fns.started)
			fns.started(fns.arg, err, rep ? g->err : strerror(err));
		return;
	}
	p->pid = (pid_t)atoi(rep->argv[0]);
	if (!fns.started) { /* closed while it was starting */
		pty_hangup(g, p->pid);
		return;
	}
	fns.started(fns.arg, 0, NULL);
}

int guest_pty_open(struct lab *lab, int node, int rows, int cols, char *const argv[],
		   const struct node_pty_fns *fns, char *err, size_t len)
{
	struct guest *g = guest_ready(lab_run(lab), node);
	const char *w[PTY_ARGS_MAX + 2];
	char r[16], c[16];
	int n = 0, slot = -1;

	if (!g) {
		snprintf(err, len, "%s: %s", run_scn(lab_run(lab))->nodes[node].name,
			 strerror(errno));
		return -1;
	}
	for (int i = 0; i < GUEST_PTYS_MAX && slot < 0; i++)
		if (!g->ptys[i].used)
			slot = i;
	if (slot < 0) {
		snprintf(err, len, "%d terminal sessions are open already", GUEST_PTYS_MAX);
		return errno = EMFILE, -1;
	}
	snprintf(r, sizeof(r), "%d", rows);
	snprintf(c, sizeof(c), "%d", cols);
	w[n++] = r;
	w[n++] = c;
	for (int i = 0; argv[i]; i++)
		if (n == PTY_ARGS_MAX + 2) {
			snprintf(err, len, "more than %d words", PTY_ARGS_MAX);
			return errno = E2BIG, -1;
		} else {
			w[n++] = argv[i];
		}
	struct guest_pty *p = &g->ptys[slot];
	*p = (struct guest_pty){.used = true, .fns = *fns};
	if (guest_agent_send(g, "pty", n, w, NULL, PTY_TIMEOUT_MS, on_started, p) < 0) {
		int e = errno;
		*p = (struct guest_pty){0};
		snprintf(err, len, "agent: %s", strerror(e));
		return errno = e, -1;
	}
	return slot + 1;
}

int guest_pty_write(struct lab *lab, int node, int sid, const char *data, size_t len)
{
	struct guest *g = guest_find(lab_run(lab), node);
	struct guest_pty *p = g ? pty_of(g, sid) : NULL;
	char pid[16];
	const char *w[2] = {pid, data};
	size_t l[2] = {0, len};

	if (!p || !p->pid)
		return errno = ESRCH, -1;
	l[0] = (size_t)snprintf(pid, sizeof(pid), "%d", (int)p->pid);
	return guest_agent_send(g, "in", 2, w, l, PTY_TIMEOUT_MS, on_typed, NULL);
}

int guest_pty_resize(struct lab *lab, int node, int sid, int rows, int cols)
{
	struct guest *g = guest_find(lab_run(lab), node);
	struct guest_pty *p = g ? pty_of(g, sid) : NULL;
	char a[3][16];
	const char *w[3] = {a[0], a[1], a[2]};

	if (!p || !p->pid)
		return errno = ESRCH, -1;
	snprintf(a[0], sizeof(a[0]), "%d", (int)p->pid);
	snprintf(a[1], sizeof(a[1]), "%d", rows);
	snprintf(a[2], sizeof(a[2]), "%d", cols);
	return guest_agent_send(g, "winch", 3, w, NULL, PTY_TIMEOUT_MS, on_typed, NULL);
}

void guest_pty_close(struct lab *lab, int node, int sid)
{
	struct guest *g = guest_find(lab_run(lab), node);
	struct guest_pty *p = g ? pty_of(g, sid) : NULL;

	if (!p)
		return;
	p->fns = (struct node_pty_fns){0};
	if (p->pid) { /* its exit event frees the slot */
		pty_hangup(g, p->pid);
	} /* else: on_started hangs it up */
}

int guest_pty_event(struct guest *g, const struct agent_msg *m)
{
	bool out = !strcmp(m->verb, "out");

	if ((!out && strcmp(m->verb, "exit")) || m->argc < 2)
		return 0;
	pid_t pid = (pid_t)atoi(m->argv[0]);
	for (int i = 0; pid > 0 && i < GUEST_PTYS_MAX; i++) {
		struct guest_pty *p = &g->ptys[i];
		if (!p->used || p->pid != pid)
			continue;
		struct node_pty_fns fns = p->fns;
		if (out) {
			if (fns.out)
				fns.out(fns.arg, m->argv[1], m->arglen[1]);
			return 1;
		}
		*p = (struct guest_pty){0};
		if (fns.exited)
			fns.exited(fns.arg, atoi(m->argv[1]));
		return 1;
	}
	return out; /* output of a session nobody holds any more: dropped */
}
