/*
 * svc_proc.c - the service set: one slot per scenario service, its process (started
 * through its node's kind, node.h: a host process for netns nodes, a guest's for qemu
 * nodes), the argv kept for restarts, and the start/exit events. The kind tells the set
 * from the run's event loop when a process started, failed to, or ended.
 *
 * Invariants: a slot's pid is > 0 exactly while its process has not been reported
 * ended; "starting" while a spawn's pid is not known yet (a guest's agent has not
 * answered). Nothing here waits for a node inside a loop callback: a restart that has to
 * wait for the old process's end (a guest's, reported by its agent) goes on from the
 * exit report or from a timer. Only svc_set_start() and svc_set_stop(), which run
 * outside the loop's callbacks, wait, by running the loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ev.h"
#include "jsonl.h"
#include "lab.h"
#include "node.h"
#include "run.h"
#include "scn.h"
#include "svc.h"

#define SVC_EXIT_WAIT_NS  (2000 * 1000000LL)  /* restart/stop: old process gone under TCG */
#define SVC_START_WAIT_NS (10000 * 1000000LL) /* a guest's agent answers a spawn */

struct svc_set;

struct svc_slot {
	struct svc_set *set;
	int svc;
	pid_t pid;
	char **argv;   /* NULL-terminated, owned */
	bool starting; /* spawned, pid not known yet */
	bool start_failed;
	bool stopping;
	bool exited;	 /* by itself */
	bool signalled;	 /* the timeline sent it a signal that may end it: its exit is expected */
	bool restarting; /* killed for a restart: start again once it is gone */
	int64_t restart_timer;
	int status;
};

struct svc_set {
	struct run *run;
	const struct scn *scn;
	struct svc_slot *slot;
	char error[512];
};

static int svc_fail(struct svc_set *set, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int svc_fail(struct svc_set *set, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(set->error, sizeof(set->error), fmt, ap);
	va_end(ap);
	errno = e ? e : EIO;
	return -1;
}

const char *svc_set_error(const struct svc_set *set)
{
	return set->error;
}

const struct scn *svc_set_scn(const struct svc_set *set)
{
	return set->scn;
}

static const char *svc_node(const struct svc_set *set, int svc)
{
	return set->scn->nodes[set->scn->services[svc].node].name;
}

static const struct node_kind *svc_kind(const struct svc_set *set, int svc)
{
	return node_kind_of(run_lab(set->run), set->scn->services[svc].node);
}

/* Record how @svc's process ended (@status: a wait status) and free its slot. */
static void svc_ended(struct svc_set *set, int svc, int status)
{
	struct svc_slot *sl = &set->slot[svc];

	bool expected = sl->stopping || sl->signalled;

	if (!expected) {
		sl->exited = true;
		sl->status = status;
	}
	bool sig = WIFSIGNALED(status);
	run_event_obj(set->run, ev_now_ns(), svc_node(set, svc), "exit",
		      json_pack("{s:o,s:i,s:i,s:b}", "svc", jsonl_str(set->scn->services[svc].name),
				"pid", (int)sl->pid, sig ? "signal" : "status",
				sig ? WTERMSIG(status) : WEXITSTATUS(status), "expected",
				expected));
	sl->pid = -1;
}

static int svc_spawn(struct svc_set *set, int svc);

/* node_proc_fns.started: the pid of @svc's new process is known. */
static void svc_on_started(void *arg, int node, pid_t pid)
{
	struct svc_slot *sl = arg;
	struct svc_set *set = sl->set;
	const char *space = svc_kind(set, sl->svc)->pid_space;
	json_t *o;

	(void)node;
	sl->starting = false;
	sl->pid = pid;
	o = json_pack("{s:o,s:i}", "svc", jsonl_str(set->scn->services[sl->svc].name), "pid",
		      (int)pid);
	if (o && space) /* whose pid it is ("guest"): not the host's */
		jsonl_set(o, space, json_true());
	run_event_obj(set->run, ev_now_ns(), svc_node(set, sl->svc), "start", o);
}

/* node_proc_fns.failed: @svc's process never ran. */
static void svc_on_failed(void *arg, int node, int err, const char *why)
{
	struct svc_slot *sl = arg;
	struct svc_set *set = sl->set;

	(void)node;
	sl->starting = false;
	sl->start_failed = true;
	errno = err;
	svc_fail(set, "%s %s: %s %s", svc_node(set, sl->svc), set->scn->services[sl->svc].name,
		 sl->argv[0], why);
	run_event_obj(set->run, ev_now_ns(), svc_node(set, sl->svc), "start-error",
		      json_pack("{s:o,s:o}", "svc", jsonl_str(set->scn->services[sl->svc].name),
				"error", jsonl_str(set->error)));
}

/* The old process of a restart is gone (or given up on): start the new one. */
static void svc_restart_go(struct svc_slot *sl)
{
	sl->restarting = false;
	if (sl->restart_timer > 0)
		ev_timer_del(run_loop(sl->set->run), sl->restart_timer);
	sl->restart_timer = 0;
	svc_spawn(sl->set, sl->svc); /* a failure is a "start-error" event */
}

/* node_proc_fns.exited: @pid of @svc's node ended with @wstatus. */
static void svc_on_exited(void *arg, int node, pid_t pid, int wstatus)
{
	struct svc_slot *sl = arg;

	(void)node;
	if (pid != sl->pid)
		return; /* a process a restart gave up waiting for */
	svc_ended(sl->set, sl->svc, wstatus);
	if (sl->restarting)
		svc_restart_go(sl);
}

static int64_t svc_restart_timeout(struct ev_loop *loop, int64_t now_ns, void *arg)
{
	struct svc_slot *sl = arg;

	(void)loop;
	(void)now_ns;
	sl->restart_timer = 0;
	if (sl->pid > 0)
		svc_ended(sl->set, sl->svc, SIGKILL); /* its exit report may come later: ignored */
	svc_restart_go(sl);
	return -1;
}

static bool svc_none_running(void *arg)
{
	struct svc_set *set = arg;

	for (int i = 0; i < set->scn->n_services; i++)
		if (set->slot[i].pid > 0)
			return false;
	return true;
}

static void svc_set_free(void *arg)
{
	struct svc_set *set = arg;

	svc_set_stop(set, 1000);
	for (int i = 0; i < set->scn->n_services; i++) {
		struct svc_slot *sl = &set->slot[i];
		const struct node_kind *k = svc_kind(set, i);

		if (sl->restart_timer > 0)
			ev_timer_del(run_loop(set->run), sl->restart_timer);
		if (sl->pid > 0 && k->forget)
			k->forget(run_lab(set->run), set->scn->services[i].node, sl->pid);
		for (int k2 = 0; sl->argv && sl->argv[k2]; k2++)
			free(sl->argv[k2]);
		free(sl->argv);
	}
	free(set->slot);
	free(set);
}

struct svc_set *svc_set_new(struct run *r)
{
	struct svc_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->run = r;
	set->scn = run_scn(r);
	set->slot = calloc((size_t)set->scn->n_services + 1, sizeof(*set->slot));
	if (!set->slot || run_defer(r, svc_set_free, set, "services") == -1) {
		free(set->slot);
		free(set);
		return NULL;
	}
	for (int i = 0; i < set->scn->n_services; i++) {
		set->slot[i].pid = -1;
		set->slot[i].set = set;
		set->slot[i].svc = i;
	}
	return set;
}

static char **argv_dup(char *const argv[])
{
	int n = 0;

	while (argv[n])
		n++;
	char **a = calloc((size_t)n + 1, sizeof(*a));
	for (int i = 0; a && i < n; i++)
		if (!(a[i] = strdup(argv[i]))) {
			while (i--)
				free(a[i]);
			free(a);
			return NULL;
		}
	return a;
}

/* Spawn from the slot's argv through the node's kind; never waits. */
static int svc_spawn(struct svc_set *set, int svc)
{
	struct svc_slot *sl = &set->slot[svc];
	const struct scn_service *sv = &set->scn->services[svc];
	struct node_proc_fns fns = {svc_on_started, svc_on_failed, svc_on_exited, sl};
	char out[4096], err[4096], leaf[96], why[600];

	snprintf(leaf, sizeof(leaf), "%s.%s.out", svc_node(set, svc), sv->name);
	run_path(set->run, leaf, out, sizeof(out));
	snprintf(leaf, sizeof(leaf), "%s.%s.err", svc_node(set, svc), sv->name);
	run_path(set->run, leaf, err, sizeof(err));
	sl->stopping = sl->exited = sl->signalled = sl->start_failed = false;
	sl->starting = true;
	if (svc_kind(set, svc)->spawn(run_lab(set->run), sv->node, sl->argv, out, err, &fns, why,
				      sizeof(why)) == -1) {
		sl->starting = false;
		return svc_fail(set, "%s %s: %s", svc_node(set, svc), sv->name, why);
	}
	return 0;
}

static bool svc_started(void *arg)
{
	return !((struct svc_slot *)arg)->starting;
}

int svc_set_start(struct svc_set *set, int svc, char *const argv[])
{
	struct svc_slot *sl = &set->slot[svc];

	if (sl->pid > 0 || sl->starting) {
		errno = EBUSY;
		return svc_fail(set, "%s %s: already running", svc_node(set, svc),
				set->scn->services[svc].name);
	}
	char **a = argv_dup(argv);
	if (!a)
		return svc_fail(set, "%s", strerror(errno));
	for (int k = 0; sl->argv && sl->argv[k]; k++)
		free(sl->argv[k]);
	free(sl->argv);
	sl->argv = a;
	if (svc_spawn(set, svc) == -1)
		return -1;
	/* a guest's pid comes with its agent's reply: wait for it on the loop */
	if (ev_loop_run_until(run_loop(set->run), ev_now_ns() + SVC_START_WAIT_NS, svc_started,
			      sl) == -1)
		return svc_fail(set, "%s %s: no answer to the start", svc_node(set, svc),
				set->scn->services[svc].name);
	if (sl->start_failed) {
		errno = EIO;
		return -1;
	}
	return 0;
}

pid_t svc_set_pid(const struct svc_set *set, int svc)
{
	return set->slot[svc].pid;
}

bool svc_set_exited(const struct svc_set *set, int svc, int *status)
{
	if (status)
		*status = set->slot[svc].status;
	return set->slot[svc].exited;
}

/* @signo to @svc's process group, wherever it runs. */
static int svc_kill(struct svc_set *set, int svc, int signo)
{
	return svc_kind(set, svc)->signal(run_lab(set->run), set->scn->services[svc].node,
					  set->slot[svc].pid, signo);
}

int svc_set_signal(void *ctx, int svc, int signo)
{
	struct svc_set *set = ctx;

	if (set->slot[svc].pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	if (signo != 0 && signo != SIGSTOP && signo != SIGCONT)
		set->slot[svc].signalled = true;
	return svc_kill(set, svc, signo);
}

void svc_set_flush(struct svc_set *set)
{
	struct lab *lab = run_lab(set->run);

	for (int i = 0; lab && i < set->scn->n_nodes; i++)
		if (node_kind_of(lab, i)->flush)
			node_kind_of(lab, i)->flush(lab, i);
}

int svc_set_restart(void *ctx, int svc)
{
	struct svc_set *set = ctx;
	struct svc_slot *sl = &set->slot[svc];
	const struct node_kind *k = svc_kind(set, svc);

	if (!sl->argv) {
		errno = ENOENT;
		return -1;
	}
	if (sl->restarting || sl->starting)
		return 0; /* a restart or a start under way already */
	if (sl->pid <= 0)
		return svc_spawn(set, svc);
	sl->stopping = true;
	svc_kill(set, svc, SIGKILL);
	if (k->reap) {
		k->reap(run_lab(set->run), set->scn->services[svc].node, sl->pid);
		if (sl->pid <= 0)
			return svc_spawn(set, svc);
	}
	/* the end is reported later (a guest's agent): go on from there, or from a timer */
	sl->restarting = true;
	sl->restart_timer = ev_timer_add(run_loop(set->run), ev_now_ns() + SVC_EXIT_WAIT_NS,
					 svc_restart_timeout, sl);
	return sl->restart_timer > 0 ? 0 : -1;
}

/* The end of a run stops services in two waves: the clients, then the others. */
static bool svc_is_client(const struct svc_set *set, int svc)
{
	return scn_service_is_client(set->scn, svc);
}

struct svc_wave_arg {
	struct svc_set *set;
	bool clients;
};

static bool svc_wave_gone(void *arg)
{
	const struct svc_wave_arg *w = arg;

	for (int i = 0; i < w->set->scn->n_services; i++)
		if (w->set->slot[i].pid > 0 && svc_is_client(w->set, i) == w->clients)
			return false;
	return true;
}

/* SIGTERM to the running clients (@clients) or to the others. */
static void svc_wave_term(struct svc_set *set, bool clients)
{
	for (int i = 0; i < set->scn->n_services; i++)
		if (set->slot[i].pid > 0 && svc_is_client(set, i) == clients) {
			set->slot[i].stopping = true;
			svc_kill(set, i, SIGTERM);
		}
}

void svc_set_stop(struct svc_set *set, int64_t grace_ms)
{
	struct ev_loop *loop = run_loop(set->run);
	int n = set->scn->n_services;
	struct svc_wave_arg clients = {set, true};

	/* the clients first: their last requests end against servers still there; each
	   wave has the grace (a client still waiting for an answer gets it too) */
	svc_wave_term(set, true);
	ev_loop_run_until(loop, ev_now_ns() + grace_ms * 1000000, svc_wave_gone, &clients);
	svc_wave_term(set, false);
	for (int i = 0; i < n; i++) { /* a restart under way starts nothing any more */
		struct svc_slot *sl = &set->slot[i];

		sl->restarting = false;
		if (sl->restart_timer > 0)
			ev_timer_del(loop, sl->restart_timer);
		sl->restart_timer = 0;
	}
	/* exits arrive through the loop (pidfds, guest agents) */
	ev_loop_run_until(loop, ev_now_ns() + grace_ms * 1000000, svc_none_running, set);
	for (int i = 0; i < n; i++) {
		const struct node_kind *k = svc_kind(set, i);

		if (set->slot[i].pid <= 0)
			continue;
		svc_kill(set, i, SIGKILL);
		if (k->reap)
			k->reap(run_lab(set->run), set->scn->services[i].node, set->slot[i].pid);
	}
	ev_loop_run_until(loop, ev_now_ns() + SVC_EXIT_WAIT_NS, svc_none_running, set);
	for (int i = 0; i < n; i++)
		if (set->slot[i].pid > 0)
			svc_ended(set, i, SIGKILL);
	svc_set_flush(set); /* the last lines the guest services wrote */
}
