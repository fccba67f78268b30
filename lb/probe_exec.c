/*
 * probe_exec.c - the exec probe: /bin/sh -c COMMAND per probe, in fl-probe's own
 * namespace (the node's), its stdio on /dev/null, in a process group of its own.
 *
 * The command sees its probe's number (0, 1, 2 ... in the order they are due) in
 * FL_PROBE_SEQ, so it can tag what it writes with it (a key, a list entry) and a
 * checker at the end can tell which of the acknowledged ones survived.
 *
 * ok = exit status 0, bad-status = another exit status, error = killed by a signal
 * (or could not start), timeout = still running at the timeout: the whole group is then
 * SIGKILLed and reaped. The child's end is seen through a pidfd on the loop.
 * How many run at once is bounded by the engine (--max-inflight). fl-probe's child is a
 * small supervisor (exec_child) leading the group, so the group also dies when
 * fl-probe is SIGKILLed (the harness' kill and teardown signal fl-probe's own group,
 * which the probes' groups are not in).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

/* The supervisor's SIGHUP, sent by the kernel when fl-probe dies: end the group. */
static void exec_orphaned(int sig)
{
	(void)sig;
	kill(0, SIGKILL);
}

/* In the shell: a clean signal state, stdio on /dev/null, FL_PROBE_SEQ, the command. */
static void exec_shell(const char *command, uint64_t seq)
{
	sigset_t none;
	int dn = open("/dev/null", O_RDWR);
	char num[24];

	snprintf(num, sizeof(num), "%llu", (unsigned long long)seq);
	setenv("FL_PROBE_SEQ", num, 1); /* a forked child of a single-threaded program */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* the loop blocked SIGTERM and SIGINT */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (dn >= 0) {
		dup2(dn, 0);
		dup2(dn, 1);
		dup2(dn, 2);
	}
	execl("/bin/sh", "sh", "-c", command, (char *)NULL);
	_exit(127);
}

/*
 * The child of fl-probe: leads a process group of its own, runs the shell in it and
 * ends as the shell did. It exists so that the group dies with fl-probe (SIGHUP from
 * PR_SET_PDEATHSIG, then SIGKILL to the group) whatever the command forks, while the
 * harness' signals to fl-probe's group do not reach it.
 */
static void exec_child(const char *command, uint64_t seq, pid_t parent)
{
	sigset_t hup;
	int st;

	setpgid(0, 0);
	signal(SIGHUP, exec_orphaned);
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigprocmask(SIG_UNBLOCK, &hup, NULL);
	prctl(PR_SET_PDEATHSIG, SIGHUP);
	if (getppid() != parent)
		exec_orphaned(SIGHUP);
	pid_t sh = fork();
	if (sh == 0)
		exec_shell(command, seq);
	while (sh > 0 && waitpid(sh, &st, 0) == -1 && errno == EINTR)
		;
	if (sh > 0 && WIFSIGNALED(st)) {
		signal(WTERMSIG(st), SIG_DFL);
		raise(WTERMSIG(st));
	}
	_exit(sh > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : 127);
}

static void exec_cb(struct loop *loop, int fd, uint32_t ev, void *arg)
{
	struct probe_req *q = arg;
	int st;

	(void)loop;
	(void)fd;
	(void)ev;
	if (waitpid(q->pid, &st, WNOHANG) != q->pid)
		return;
	q->pid = 0;
	if (WIFEXITED(st))
		return probe_req_end(q, WEXITSTATUS(st) ? LOAD_BAD_STATUS : LOAD_OK);
	probe_req_end(q, LOAD_ERROR);
}

static int exec_start(struct probe_req *q)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == -1)
		return -1;
	if (pid == 0)
		exec_child(probe_cfg_of(q)->command, q->seq, parent);
	setpgid(pid, pid); /* both sides: no race with a kill at the timeout */
	q->pid = pid;
	q->fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (q->fd == -1 || loop_fd_add(probe_loop_of(q), q->fd, EPOLLIN, exec_cb, q) == -1) {
		int e = errno;
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
		q->pid = 0;
		return errno = e, -1;
	}
	return 0;
}

static enum load_outcome exec_abort(struct probe_req *q)
{
	if (q->pid > 0) {
		kill(-q->pid, SIGKILL);
		waitpid(q->pid, NULL, 0); /* SIGKILLed: at once */
		q->pid = 0;
	}
	return LOAD_TIMEOUT;
}

const struct probe_kind probe_kind_exec = {
    .id = PROBE_EXEC,
    .start = exec_start,
    .abort = exec_abort,
};
