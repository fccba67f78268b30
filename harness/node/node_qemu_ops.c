/*
 * node_qemu_ops.c - what the qemu node kind does to a booted guest while the run goes
 * on: processes (spawn, signal, their ends) through fl-agent, stall and carrier through
 * QMP. None of these waits for the guest: each sends its request and returns; the
 * reply is handled on the run's event loop when it comes, and a reply that does not
 * come in time becomes a "guest-error" event, so a guest that stops answering never
 * holds up the timeline.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "node_qemu_int.h"
#include "qmp.h"
#include "run.h"
#include "scn.h"

#define QMP_TIMEOUT_MS	 5000
#define AGENT_TIMEOUT_MS 5000

/* The agent's exit status (code, or 128 + signal) as wait(2) gives it. */
static int guest_wstatus(int status)
{
	return status > 128 ? status - 128 : (status & 0xff) << 8;
}

void guest_exited(struct guest *g, pid_t pid, int status)
{
	for (int i = 0; i < GUEST_PROCS_MAX; i++) {
		struct guest_proc *p = &g->procs[i];

		if (p->pid == pid && pid > 0) {
			struct node_proc_fns fns = p->fns;

			p->pid = 0;
			if (fns.exited)
				fns.exited(fns.arg, g->node, pid, guest_wstatus(status));
			return;
		}
	}
}

static void guest_on_spawned(void *arg, struct guest *g, int err, struct agent_msg *rep)
{
	struct guest_proc *p = arg;
	struct node_proc_fns fns = p->fns;

	if (!err && rep->argc < 1)
		err = EPROTO;
	if (err == ECANCELED) { /* teardown: nobody to tell */
		p->pid = 0;
		return;
	}
	if (err) {
		char why[600];

		p->pid = 0;
		snprintf(why, sizeof(why), "in the guest: %s", strerror(err));
		if (fns.failed)
			fns.failed(fns.arg, g->node, err, why);
		return;
	}
	pid_t pid = (pid_t)atoi(rep->argv[0]);
	p->pid = pid;
	if (fns.started)
		fns.started(fns.arg, g->node, pid);
	/* an exit the agent reported before this reply found no process with its pid */
	for (int i = 0; i < g->n_exits; i++)
		if (g->exits[i].pid == pid) {
			guest_exited(g, pid, g->exits[i].status);
			break;
		}
}

static struct guest_proc *guest_proc_new(struct guest *g, const struct node_proc_fns *fns)
{
	for (int i = 0; i < GUEST_PROCS_MAX; i++)
		if (g->procs[i].pid == 0) {
			g->procs[i] = (struct guest_proc){.pid = -1, .fns = *fns};
			return &g->procs[i];
		}
	errno = ENOSPC;
	return NULL;
}

int guest_spawn_proc(struct lab *lab, int node, char *const argv[], const char *out,
		     const char *err_path, const struct node_proc_fns *fns, char *err, size_t len)
{
	struct guest *g = guest_ready(lab_run(lab), node);
	char gout[PATH_MAX], gerr[PATH_MAX];
	const char *words[AGENT_ARGS_MAX];
	struct guest_proc *p;
	char **a;
	int n = 0, rc;

	if (!g) {
		snprintf(err, len, "not a booted guest: %s", strerror(errno));
		return -1;
	}
	if (!(a = guest_tail_argv(g, argv, out, err_path, gout, gerr, sizeof(gout))) ||
	    !(p = guest_proc_new(g, fns))) {
		snprintf(err, len, "%s in the guest: %s", argv[0], strerror(errno));
		guest_argv_free(a);
		return -1;
	}
	words[n++] = out ? gout : "/dev/null";
	words[n++] = err_path ? gerr : "/dev/null";
	while (a[n - 2] && n < AGENT_ARGS_MAX) {
		words[n] = a[n - 2];
		n++;
	}
	rc = guest_agent_send(g, "spawn", n, words, NULL, AGENT_TIMEOUT_MS, guest_on_spawned, p);
	int e = errno;
	guest_argv_free(a);
	if (rc < 0) {
		p->pid = 0;
		snprintf(err, len, "%s in the guest: %s", argv[0], strerror(e));
		errno = e;
	}
	return rc;
}

void guest_forget_proc(struct lab *lab, int node, pid_t pid)
{
	struct guest *g = guest_find(lab_run(lab), node);

	for (int i = 0; g && i < GUEST_PROCS_MAX; i++)
		if (g->procs[i].pid == pid)
			g->procs[i].fns = (struct node_proc_fns){0};
}

static void guest_on_killed(void *arg, struct guest *g, int err, struct agent_msg *rep)
{
	(void)arg;
	(void)rep;
	if (err && err != ESRCH) /* already gone: its exit is on its way */
		guest_error(g, "kill", err, err == ETIMEDOUT ? NULL : g->err);
}

int guest_signal(struct lab *lab, int node, pid_t pid, int signo)
{
	struct guest *g = guest_ready(lab_run(lab), node);
	char p[16], s[16];
	const char *words[] = {p, s};

	if (!g)
		return -1;
	snprintf(p, sizeof(p), "%d", (int)pid);
	snprintf(s, sizeof(s), "%d", signo);
	return guest_agent_send(g, "kill", 2, words, NULL, AGENT_TIMEOUT_MS, guest_on_killed, NULL);
}

static void guest_qmp_check(struct guest *g, const char *what, int err, const struct qmp_msg *m)
{
	if (err)
		guest_error(g, what, err, NULL);
	else if (m->kind == QMP_MSG_ERROR)
		guest_error(g, what, EREMOTEIO, qmp_error(g->qmp));
}

static void guest_on_stopped(void *arg, int err, const struct qmp_msg *m)
{
	guest_qmp_check(arg, "stop", err, m);
}

static void guest_on_resumed(void *arg, int err, const struct qmp_msg *m)
{
	struct guest *g = arg;

	guest_qmp_check(g, "cont", err, m);
	if (!err && m->kind == QMP_MSG_RETURN && !g->stalled)
		guest_clock_sync(g, true); /* the clock stood still meanwhile */
}

int guest_stall(struct lab *lab, int node, bool stop, char *err, size_t len)
{
	struct guest *g = guest_ready(lab_run(lab), node);

	if (!g) {
		snprintf(err, len, "stall %s: %s", run_scn(lab_run(lab))->nodes[node].name,
			 strerror(errno));
		return -1;
	}
	/*
	 * A stopped guest's clocks stop too, so its offset to the host grows by the stall:
	 * a sync point just before the stop and one just after the resume keep the guest
	 * times on either side mapped right (node_qemu_guest_to_host).
	 */
	if (stop && !g->stalled)
		guest_clock_sync(g, true);
	if (qmp_send(g->qmp, stop ? "stop" : "cont", NULL, QMP_TIMEOUT_MS,
		     stop ? guest_on_stopped : guest_on_resumed, g) < 0) {
		snprintf(err, len, "stall %s: QMP %s: %s", run_scn(g->r)->nodes[node].name,
			 stop ? "stop" : "cont", strerror(errno));
		return -1;
	}
	if (stop)
		g->n_stops++;
	g->stalled = stop;
	return 0;
}

static void guest_on_link(void *arg, int err, const struct qmp_msg *m)
{
	guest_qmp_check(arg, "set_link", err, m);
}

int guest_link_set(struct lab *lab, int node, int net, bool up, char *err, size_t len)
{
	struct guest *g = guest_ready(lab_run(lab), node);
	char nic[16];

	snprintf(nic, sizeof(nic), "nic%d", net);
	json_t *args = json_pack("{s:s,s:b}", "name", nic, "up", up);
	int rc = -1, e = ENOMEM; /* when !g, guest_ready() set errno */

	if (g && args &&
	    (rc = qmp_send(g->qmp, "set_link", args, QMP_TIMEOUT_MS, guest_on_link, g)) == -1)
		e = errno;
	if (!g)
		e = errno;
	json_decref(args);
	if (rc == 0)
		return 0;
	errno = e;
	snprintf(err, len, "QMP set_link: %s", strerror(errno));
	return -1;
}

static void guest_on_hog(void *arg, struct guest *g, int err, struct agent_msg *rep)
{
	(void)arg;
	(void)rep;
	if (err)
		guest_error(g, "hog", err, g->err);
}

/* fl-agent's "hog MS CPUS" (lb/agent_hog.c); its answer comes through the loop. */
int guest_hog(struct lab *lab, int node, int64_t ms, int cpus, char *err, size_t len)
{
	struct guest *g = guest_ready(lab_run(lab), node);
	char a[2][24];
	const char *argv[2] = {a[0], a[1]};
	size_t lens[2];

	if (!g) {
		snprintf(err, len, "hog %s: %s", run_scn(lab_run(lab))->nodes[node].name,
			 strerror(errno));
		return -1;
	}
	lens[0] = (size_t)snprintf(a[0], sizeof(a[0]), "%lld", (long long)ms);
	lens[1] = (size_t)snprintf(a[1], sizeof(a[1]), "%d", cpus);
	if (guest_agent_send(g, "hog", 2, argv, lens, 2000, guest_on_hog, NULL) < 0) {
		snprintf(err, len, "hog %s: agent: %s", run_scn(g->r)->nodes[node].name,
			 strerror(errno));
		return -1;
	}
	return 0;
}

#define GUEST_RUN_TIMEOUT_MS 12000 /* the agent's own limit (10 s) and the way back */
#define GUEST_RUN_ARGS_MAX 60

struct guest_run_req {
	node_run_fn *done;
	void *arg;
};

/* "ok STATUS OUTPUT" of the agent's run. */
static void guest_on_run(void *arg, struct guest *g, int err, struct agent_msg *rep)
{
	struct guest_run_req *rq = arg;

	if (!err && (!rep || rep->argc < 2))
		err = EPROTO;
	if (err)
		rq->done(rq->arg, err, rep ? g->err : strerror(err), -1, NULL, 0);
	else
		rq->done(rq->arg, 0, NULL, atoi(rep->argv[0]), rep->argv[1], rep->arglen[1]);
	free(rq);
}

int guest_run(struct lab *lab, int node, char *const argv[], node_run_fn *done, void *arg,
	      char *err, size_t len)
{
	struct guest *g = guest_ready(lab_run(lab), node);
	struct guest_run_req *rq;
	int n = 0;

	if (!g) {
		snprintf(err, len, "%s: %s", run_scn(lab_run(lab))->nodes[node].name,
			 strerror(errno));
		return -1;
	}
	while (argv[n])
		if (++n > GUEST_RUN_ARGS_MAX) {
			snprintf(err, len, "more than %d words", GUEST_RUN_ARGS_MAX);
			return errno = E2BIG, -1;
		}
	if (n == 0 || !(rq = malloc(sizeof(*rq)))) {
		snprintf(err, len, n ? "out of memory" : "no command");
		return errno = n ? ENOMEM : EINVAL, -1;
	}
	*rq = (struct guest_run_req){done, arg};
	if (guest_agent_send(g, "run", n, (const char *const *)argv, NULL, GUEST_RUN_TIMEOUT_MS,
			     guest_on_run, rq) < 0) {
		int e = errno;
		free(rq);
		snprintf(err, len, "agent: %s", strerror(e));
		return errno = e, -1;
	}
	return 0;
}
