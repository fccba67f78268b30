/*
 * cmd_jobs.c - scenarios side by side ('faultline run --jobs N', 'faultline explore'):
 * each run is a forked child of its own, which builds its own lab in its own run
 * directory exactly as 'faultline run' does in-process (cmd_run_one), with its output
 * into a file of its own that is shown when it ends.
 *
 * Safety: every child asks for SIGTERM when this process dies (PR_SET_PDEATHSIG), so a
 * kill -9 of the parent still tears every lab down; SIGINT, SIGTERM and SIGHUP are
 * passed on to every child, which tear down, and are waited for. The parent judges each
 * run back from its run directory (sla_run_judge), as 'faultline matrix' does, so the
 * final table and the report files cover every run.
 *
 * How many at once: o->jobs CPUs' worth, a namespace-only lab costing 1 and a lab with
 * QEMU guests 1 per guest (cmd_jobs_weight); a run heavier than what is free waits
 * until it fits, or runs alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "scn.h"
#include "sla.h"

#define JOBS_DIR_MAX 4096

struct jobs_slot {
	pid_t pid; /* 0: not started or reaped */
	FILE *log;
	int weight;
};

struct jobs {
	struct scn **scns;
	int n;
	const struct cmd_run_opts *o;
	const char *const *run_dirs; /* each run's --run-dir, or NULL: o->run_dir */
	struct sla_result **judged;
	int *status;
	struct jobs_slot *slot;
	char *dirs; /* shared with the children: JOBS_DIR_MAX bytes per run */
	int cap, used, running, done, failed, next;
	int signo; /* the first interrupting signal, 0 when none */
	bool live; /* a progress line on the terminal */
};

int cmd_jobs_weight(const struct scn *s, int cap)
{
	int w = 0;

	for (int i = 0; i < s->n_nodes; i++)
		w += s->nodes[i].kind == SCN_NODE_QEMU;
	w = w < 1 ? 1 : w;
	return w > cap ? cap : w;
}

int cmd_jobs_default(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

/* The child: run @i in this process, its output into its log; never returns. */
static void jobs_child(struct jobs *j, int i, pid_t parent, const sigset_t *old)
{
	struct sla_result *rr;
	sigset_t keep = *old;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(128 + SIGTERM);
	fflush(stdout);
	dup2(fileno(j->slot[i].log), STDOUT_FILENO);
	dup2(fileno(j->slot[i].log), STDERR_FILENO);
	/* SIGCHLD as before; the interrupting ones stay blocked for the run's loop */
	sigaddset(&keep, SIGINT);
	sigaddset(&keep, SIGTERM);
	sigaddset(&keep, SIGHUP);
	sigprocmask(SIG_SETMASK, &keep, NULL);
	struct cmd_run_opts o = *j->o;
	o.quiet |= o.child_quiet;
	if (j->run_dirs)
		o.run_dir = j->run_dirs[i];
	int rc = cmd_run_one(j->scns[i], &o, &rr, j->dirs + (size_t)i * JOBS_DIR_MAX, JOBS_DIR_MAX);
	sla_result_free(rr);
	fflush(stdout);
	fflush(stderr);
	_exit(rc);
}

static int jobs_start(struct jobs *j, int i, const sigset_t *old)
{
	struct jobs_slot *sl = &j->slot[i];
	pid_t parent = getpid();

	sl->log = tmpfile();
	if (!sl->log)
		return -1;
	/* not for the other runs' services: only the child's dup2 onto 1 and 2 keeps it */
	fcntl(fileno(sl->log), F_SETFD, FD_CLOEXEC);
	fflush(stdout);
	fflush(stderr);
	sl->pid = fork();
	if (sl->pid == -1) {
		fclose(sl->log);
		sl->log = NULL;
		sl->pid = 0;
		return -1;
	}
	if (sl->pid == 0)
		jobs_child(j, i, parent, old);
	sl->weight = cmd_jobs_weight(j->scns[i], j->cap);
	j->used += sl->weight;
	j->running++;
	return 0;
}

static void jobs_live_clear(struct jobs *j)
{
	if (j->live)
		fputs("\r\033[K", stdout);
}

static void jobs_live_draw(struct jobs *j)
{
	if (!j->live)
		return;
	printf("\r\033[K[%d running, %d of %d done, %d failed]", j->running, j->done, j->n,
	       j->failed);
	fflush(stdout);
}

/* Run @i ended with wait status @ws: show its output, judge it from its directory. */
static void jobs_finish(struct jobs *j, int i, int ws)
{
	struct jobs_slot *sl = &j->slot[i];
	const char *dir = j->dirs + (size_t)i * JOBS_DIR_MAX;
	char buf[8192], err[512] = "";
	size_t got;

	j->status[i] = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	j->used -= sl->weight;
	j->running--;
	j->done++;
	j->failed += j->status[i] == FL_EXIT_FAIL;
	sl->pid = 0;
	jobs_live_clear(j);
	rewind(sl->log);
	while ((got = fread(buf, 1, sizeof(buf), sl->log)) > 0)
		fwrite(buf, 1, got, stdout);
	fclose(sl->log);
	sl->log = NULL;
	fflush(stdout);
	/* as in-process: 0 and 1 are judged runs; 2, 3 and signals were not judged */
	if (!*dir || (j->status[i] != FL_EXIT_OK && j->status[i] != FL_EXIT_FAIL))
		return;
	j->judged[i] = sla_run_judge(j->scns[i], dir, 0, j->scns[i]->seed, err, sizeof(err));
	if (!j->judged[i])
		fprintf(stderr, "faultline: %s: %s\n", j->scns[i]->name, err);
}

static void jobs_reap(struct jobs *j)
{
	int ws;
	pid_t pid;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0)
		for (int i = 0; i < j->n; i++)
			if (j->slot[i].pid == pid) {
				jobs_finish(j, i, ws);
				break;
			}
}

static void jobs_signal(struct jobs *j, int signo)
{
	if (!j->signo)
		j->signo = signo;
	for (int i = 0; i < j->n; i++)
		if (j->slot[i].pid > 0)
			kill(j->slot[i].pid, signo);
}

/* Start what fits: a run heavier than what is free waits, or runs alone. */
static void jobs_fill(struct jobs *j, bool until_fail, const sigset_t *old)
{
	while (!j->signo && j->next < j->n && !(until_fail && j->failed)) {
		int w = cmd_jobs_weight(j->scns[j->next], j->cap);
		if (j->running && j->used + w > j->cap)
			return;
		if (jobs_start(j, j->next, old) == -1) {
			fprintf(stderr, "faultline: %s: cannot start its run: %s\n",
				j->scns[j->next]->name, strerror(errno));
			j->status[j->next] = FL_EXIT_HOST;
		}
		j->next++;
	}
}

static void jobs_loop(struct jobs *j, bool until_fail, const sigset_t *set, const sigset_t *old)
{
	for (;;) {
		jobs_fill(j, until_fail, old);
		if (!j->running)
			return;
		jobs_live_draw(j);
		struct timespec ts = {.tv_sec = 1};
		int sig = sigtimedwait(set, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP)
			jobs_signal(j, sig);
		jobs_reap(j);
	}
}

int cmd_jobs_run(struct scn **scns, int n, const struct cmd_run_opts *o,
		 const char *const *run_dirs, bool until_fail, struct sla_result **judged,
		 int *status)
{
	struct jobs j = {
	    .scns = scns, .n = n, .o = o, .run_dirs = run_dirs, .judged = judged, .status = status};
	sigset_t set, old;
	int rc = FL_EXIT_OK;

	j.cap = o->jobs > 0 ? o->jobs : cmd_jobs_default();
	j.live = !o->quiet && isatty(STDOUT_FILENO);
	for (int i = 0; i < n; i++)
		status[i] = -1, judged[i] = NULL;
	j.slot = calloc((size_t)n, sizeof(*j.slot));
	j.dirs = mmap(NULL, (size_t)n * JOBS_DIR_MAX, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!j.slot || j.dirs == MAP_FAILED) {
		fprintf(stderr, "faultline: %s\n", strerror(errno));
		free(j.slot);
		return FL_EXIT_HOST;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	jobs_loop(&j, until_fail, &set, &old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	jobs_live_clear(&j);
	for (int i = 0; i < n; i++)
		rc = status[i] > rc ? status[i] : rc;
	if (j.signo)
		fprintf(stderr, "faultline: interrupted by %s; every lab torn down\n",
			strsignal(j.signo));
	munmap(j.dirs, (size_t)n * JOBS_DIR_MAX);
	free(j.slot);
	return rc;
}
