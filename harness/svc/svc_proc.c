/*
 * svc_proc.c - the service set: one slot per scenario service, its process (spawned
 * with lab_spawn), a pidfd watched on the run's loop, the argv kept for restarts, and
 * the start/exit events.
 *
 * A service on a qemu node runs in its guest instead (svc_guest.c): started through
 * the guest's agent, its exit reported by the agent (node_qemu_set_exit_fn), signals
 * sent through the agent. Its pid is the guest's and never reaches the host's kill().
 *
 * Invariants: a slot's pid is > 0 exactly while its process has not been reaped (for a
 * guest service: until the agent reported its exit); the pidfd is open and watched
 * exactly then, and never for a guest service. Each host process is reaped once, here,
 * with waitpid on its own pid, so no other child of faultline is reaped by mistake.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "lab.h"
#include "node_qemu.h"
#include "run.h"
#include "scn.h"
#include "svc.h"
#include "svc_int.h"

#define SVC_GUEST_EXIT_WAIT_NS (2000 * 1000000LL) /* restart: old process gone under TCG */

struct svc_slot {
	pid_t pid;
	int pidfd;
	char **argv; /* NULL-terminated, owned */
	bool stopping;
	bool exited; /* by itself */
	bool signalled; /* the timeline sent it a signal that may end it: its exit is expected */
	int status;
	bool guest;  /* runs in its node's QEMU guest; pid is a guest pid */
};

struct svc_set {
	struct run *run;
	const struct scn *scn;
	struct svc_slot *slot;
	struct svc_guest *guest; /* created with the first guest service */
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

/* Record how @svc's process ended (@status: a wait status) and free its slot. */
static void svc_ended(struct svc_set *set, int svc, int status)
{
	struct svc_slot *sl = &set->slot[svc];

	bool expected = sl->stopping || sl->signalled;

	if (!expected) {
		sl->exited = true;
		sl->status = status;
	}
	char how[64];
	if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "\"signal\":%d", WTERMSIG(status));
	else
		snprintf(how, sizeof(how), "\"status\":%d", WEXITSTATUS(status));
	run_event(set->run, ev_now_ns(), svc_node(set, svc), "exit",
		  "\"svc\":\"%s\",\"pid\":%d,%s,\"expected\":%s", set->scn->services[svc].name,
		  (int)sl->pid, how, expected ? "true" : "false");
	sl->pid = -1;
}

/* Reap @svc (it has exited or is about to) and record how it ended. */
static void svc_reap(struct svc_set *set, int svc, bool block)
{
	struct svc_slot *sl = &set->slot[svc];
	int status;
	pid_t p;

	if (sl->pid <= 0 || sl->guest)
		return;
	while ((p = waitpid(sl->pid, &status, block ? 0 : WNOHANG)) == -1 && errno == EINTR)
		;
	if (p == 0)
		return;
	ev_fd_del(run_loop(set->run), sl->pidfd);
	close(sl->pidfd);
	sl->pidfd = -1;
	if (p == -1)
		status = 0;
	svc_ended(set, svc, status);
}

static void svc_pidfd_ready(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct svc_set *set = arg;

	(void)loop;
	(void)events;
	for (int i = 0; i < set->scn->n_services; i++)
		if (set->slot[i].pidfd == fd) {
			svc_reap(set, i, false);
			return;
		}
}

/* The agent reported guest pid @pid of @node gone (@status: code, or 128 + signal). */
static void svc_guest_exit(void *arg, int node, pid_t pid, int status)
{
	struct svc_set *set = arg;

	for (int i = 0; i < set->scn->n_services; i++) {
		struct svc_slot *sl = &set->slot[i];

		if (sl->guest && sl->pid == pid && set->scn->services[i].node == node) {
			svc_ended(set, i, status > 128 ? status - 128 : (status & 0xff) << 8);
			return;
		}
	}
}

/* Has guest service @svc's exit been reported? Waits up to @timeout_ns for it. */
static bool svc_guest_gone(struct svc_set *set, int svc, int64_t timeout_ns)
{
	struct svc_slot *sl = &set->slot[svc];
	int64_t deadline = ev_now_ns() + timeout_ns;
	struct timespec tick = {0, 10 * 1000 * 1000};
	int node = set->scn->services[svc].node;

	for (;;) {
		pid_t pid = sl->pid;
		/* Pumps the agent: a reported exit reaches svc_guest_exit from here. */
		int st = pid > 0 ? node_qemu_exit_status(set->run, node, pid) : 0;
		if (pid > 0 && st >= 0 && sl->pid == pid)
			svc_guest_exit(set, node, pid, st);
		if (sl->pid <= 0)
			return true;
		if (ev_now_ns() >= deadline)
			return false;
		nanosleep(&tick, NULL);
	}
}

static void svc_set_free(void *arg)
{
	struct svc_set *set = arg;

	svc_set_stop(set, 1000);
	svc_guest_free(set->guest);
	for (int i = 0; i < set->scn->n_services; i++) {
		char **a = set->slot[i].argv;
		for (int k = 0; a && a[k]; k++)
			free(a[k]);
		free(a);
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
	for (int i = 0; i < set->scn->n_services; i++)
		set->slot[i].pid = set->slot[i].pidfd = -1;
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

/* Spawn from the slot's argv in the node's guest, through its agent. */
static int svc_spawn_guest(struct svc_set *set, int svc, const char *out, const char *err)
{
	struct svc_slot *sl = &set->slot[svc];
	const struct scn_service *sv = &set->scn->services[svc];

	if (!set->guest && !(set->guest = svc_guest_new(set->run)))
		return svc_fail(set, "%s %s: %s", svc_node(set, svc), sv->name, strerror(errno));
	if (node_qemu_set_exit_fn(set->run, sv->node, svc_guest_exit, set) == -1)
		return svc_fail(set, "%s %s: not a booted guest: %s", svc_node(set, svc),
				sv->name, strerror(errno));
	pid_t pid = svc_guest_spawn(set->guest, sv->node, sl->argv, out, err);
	if (pid <= 0)
		return svc_fail(set, "%s %s: %s in the guest: %s", svc_node(set, svc), sv->name,
				sl->argv[0], strerror(errno ? errno : EIO));
	sl->pid = pid;
	sl->pidfd = -1;
	sl->stopping = sl->exited = sl->signalled = false;
	sl->guest = true;
	run_event(set->run, ev_now_ns(), svc_node(set, svc), "start",
		  "\"svc\":\"%s\",\"pid\":%d,\"guest\":true", sv->name, (int)pid);
	/* An exit reported before the spawn's reply found no slot with this pid yet. */
	svc_guest_gone(set, svc, 0);
	return 0;
}

/* Spawn from the slot's argv. */
static int svc_spawn(struct svc_set *set, int svc)
{
	struct svc_slot *sl = &set->slot[svc];
	const struct scn_service *sv = &set->scn->services[svc];
	char out[4096], err[4096], leaf[96];

	snprintf(leaf, sizeof(leaf), "%s.%s.out", svc_node(set, svc), sv->name);
	run_path(set->run, leaf, out, sizeof(out));
	snprintf(leaf, sizeof(leaf), "%s.%s.err", svc_node(set, svc), sv->name);
	run_path(set->run, leaf, err, sizeof(err));
	if (set->scn->nodes[sv->node].kind == SCN_NODE_QEMU)
		return svc_spawn_guest(set, svc, out, err);
	pid_t pid = lab_spawn(run_lab(set->run), sv->node, sl->argv, out, err);
	if (pid == -1)
		return svc_fail(set, "%s %s: %s: %s", svc_node(set, svc), sv->name, sl->argv[0],
				strerror(errno));
	sl->pid = pid;
	sl->stopping = sl->exited = sl->signalled = false;
	sl->guest = false;
	sl->pidfd = pidfd_open(pid, 0);
	if (sl->pidfd == -1 || ev_fd_add(run_loop(set->run), sl->pidfd, EPOLLIN,
					  svc_pidfd_ready, set) == -1) {
		kill(-pid, SIGKILL);
		svc_reap(set, svc, true);
		return svc_fail(set, "%s %s: watch: %s", svc_node(set, svc), sv->name,
				strerror(errno));
	}
	run_event(set->run, ev_now_ns(), svc_node(set, svc), "start",
		  "\"svc\":\"%s\",\"pid\":%d", sv->name, (int)pid);
	return 0;
}

int svc_set_start(struct svc_set *set, int svc, char *const argv[])
{
	struct svc_slot *sl = &set->slot[svc];

	if (sl->pid > 0) {
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
	return svc_spawn(set, svc);
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

int svc_set_signal(void *ctx, int svc, int signo)
{
	struct svc_set *set = ctx;
	pid_t pid = set->slot[svc].pid;

	if (pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	if (signo != 0 && signo != SIGSTOP && signo != SIGCONT)
		set->slot[svc].signalled = true;
	if (set->slot[svc].guest)
		return node_qemu_signal(set->run, set->scn->services[svc].node, pid, signo);
	return kill(-pid, signo);
}

void svc_set_flush(struct svc_set *set)
{
	if (set->guest)
		svc_guest_copy(set->guest, true);
}

int svc_set_restart(void *ctx, int svc)
{
	struct svc_set *set = ctx;
	struct svc_slot *sl = &set->slot[svc];

	if (!sl->argv) {
		errno = ENOENT;
		return -1;
	}
	if (sl->pid > 0 && sl->guest) {
		sl->stopping = true;
		node_qemu_signal(set->run, set->scn->services[svc].node, sl->pid, SIGKILL);
		if (!svc_guest_gone(set, svc, SVC_GUEST_EXIT_WAIT_NS))
			svc_ended(set, svc, SIGKILL); /* its exit report may come later: ignored */
	} else if (sl->pid > 0) {
		kill(-sl->pid, SIGKILL);
		sl->stopping = true;
		svc_reap(set, svc, true);
	}
	return svc_spawn(set, svc);
}

/* @signo to @svc's process group, wherever it runs. */
static void svc_kill(struct svc_set *set, int svc, int signo)
{
	struct svc_slot *sl = &set->slot[svc];

	if (sl->guest)
		node_qemu_signal(set->run, set->scn->services[svc].node, sl->pid, signo);
	else
		kill(-sl->pid, signo);
}

/* Reap @svc if it ended, without blocking. */
static void svc_poll(struct svc_set *set, int svc)
{
	if (set->slot[svc].guest)
		svc_guest_gone(set, svc, 0);
	else
		svc_reap(set, svc, false);
}

void svc_set_stop(struct svc_set *set, int64_t grace_ms)
{
	int n = set->scn->n_services, left = 0;
	struct timespec tick = {0, 5 * 1000 * 1000};

	for (int i = 0; i < n; i++)
		if (set->slot[i].pid > 0) {
			set->slot[i].stopping = true;
			svc_kill(set, i, SIGTERM);
			left++;
		}
	int64_t deadline = ev_now_ns() + grace_ms * 1000000;
	while (left && ev_now_ns() < deadline) {
		nanosleep(&tick, NULL);
		left = 0;
		for (int i = 0; i < n; i++) {
			svc_poll(set, i);
			left += set->slot[i].pid > 0;
		}
	}
	for (int i = 0; i < n; i++) {
		if (set->slot[i].pid <= 0)
			continue;
		svc_kill(set, i, SIGKILL);
		if (!set->slot[i].guest)
			svc_reap(set, i, true);
		else if (!svc_guest_gone(set, i, SVC_GUEST_EXIT_WAIT_NS))
			svc_ended(set, i, SIGKILL);
	}
	svc_set_flush(set); /* the last lines the guest services wrote */
}
