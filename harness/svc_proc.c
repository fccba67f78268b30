/*
 * svc_proc.c - the service set: one slot per scenario service, its process (spawned
 * with lab_spawn), a pidfd watched on the run's loop, the argv kept for restarts, and
 * the start/exit events.
 *
 * Invariants: a slot's pid is > 0 exactly while its process has not been reaped; the
 * pidfd is open and watched exactly then. Each process is reaped once, here, with
 * waitpid on its own pid, so no other child of faultline is ever reaped by mistake.
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
#include "run.h"
#include "scn.h"
#include "svc.h"

struct svc_slot {
	pid_t pid;
	int pidfd;
	char **argv; /* NULL-terminated, owned */
	bool stopping;
	bool exited; /* by itself */
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

/* Reap @svc (it has exited or is about to) and record how it ended. */
static void svc_reap(struct svc_set *set, int svc, bool block)
{
	struct svc_slot *sl = &set->slot[svc];
	int status;
	pid_t p;

	if (sl->pid <= 0)
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
	if (!sl->stopping) {
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
		  (int)sl->pid, how, sl->stopping ? "true" : "false");
	sl->pid = -1;
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

static void svc_set_free(void *arg)
{
	struct svc_set *set = arg;

	svc_set_stop(set, 1000);
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
	pid_t pid = lab_spawn(run_lab(set->run), sv->node, sl->argv, out, err);
	if (pid == -1)
		return svc_fail(set, "%s %s: %s: %s", svc_node(set, svc), sv->name, sl->argv[0],
				strerror(errno));
	sl->pid = pid;
	sl->stopping = sl->exited = false;
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
	return kill(-pid, signo);
}

int svc_set_restart(void *ctx, int svc)
{
	struct svc_set *set = ctx;
	struct svc_slot *sl = &set->slot[svc];

	if (!sl->argv) {
		errno = ENOENT;
		return -1;
	}
	if (sl->pid > 0) {
		kill(-sl->pid, SIGKILL);
		sl->stopping = true;
		svc_reap(set, svc, true);
	}
	return svc_spawn(set, svc);
}

void svc_set_stop(struct svc_set *set, int64_t grace_ms)
{
	int n = set->scn->n_services, left = 0;
	struct timespec tick = {0, 5 * 1000 * 1000};

	for (int i = 0; i < n; i++)
		if (set->slot[i].pid > 0) {
			set->slot[i].stopping = true;
			kill(-set->slot[i].pid, SIGTERM);
			left++;
		}
	int64_t deadline = ev_now_ns() + grace_ms * 1000000;
	while (left && ev_now_ns() < deadline) {
		nanosleep(&tick, NULL);
		left = 0;
		for (int i = 0; i < n; i++) {
			svc_reap(set, i, false);
			left += set->slot[i].pid > 0;
		}
	}
	for (int i = 0; i < n; i++)
		if (set->slot[i].pid > 0) {
			kill(-set->slot[i].pid, SIGKILL);
			svc_reap(set, i, true);
		}
}
