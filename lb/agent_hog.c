/*
 * agent_hog.c - fl-agent's "hog MS CPUS": CPU hogs the guest kernel itself feels.
 * One process per CPU (0..CPUS-1), each pinned to its CPU at SCHED_FIFO priority 50,
 * spinning for MS milliseconds of the guest's CLOCK_MONOTONIC, with the kernel's
 * real-time throttling off meanwhile (/proc/sys/kernel/sched_rt_runtime_us = -1, the
 * old value put back when the hogs are done). Nothing of lower priority runs on those
 * CPUs then: the kernel's own threads (RCU's grace-period thread, workqueues,
 * khungtaskd) starve, and RCU's stall detector, run from the timer tick, speaks once
 * the hog outlasts rcu_cpu_stall_timeout. (A spin in user space alone would not do:
 * no grace period is wanted then; so each pass opens and closes a file, whose release
 * is an RCU callback. Soft lockups need a CPU stuck in the kernel, which a user-space
 * hog cannot cause: the watchdog's stopper work outranks any real-time task.) The hogs end by
 * themselves: fl-agent may not be scheduled until they do.
 */
#include "agent_hog.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RT_RUNTIME "/proc/sys/kernel/sched_rt_runtime_us"

static long long hog_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int hog_file(const char *path, char *buf, size_t len, const char *write_it)
{
	int fd = open(path, write_it ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write_it ? write(fd, write_it, strlen(write_it)) : read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	if (!write_it)
		buf[n] = '\0';
	return 0;
}

/* In a hog: never returns. */
static void hog_spin(int cpu, long long until_ms)
{
	cpu_set_t set;
	struct sched_param sp = {.sched_priority = 50};
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0 ||
	    sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
		_exit(1);
	/* each pass also opens and closes a file, whose release the kernel leaves to an
	 * RCU callback: grace periods are then wanted while RCU's own thread cannot run */
	while (hog_now_ms() < until_ms) {
		int fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	_exit(0);
}

/* The hogs' parent: starts them, waits for them, puts the throttling back. */
static void hog_lead(int cpus, long long until_ms)
{
	char old[32] = "950000";
	(void)hog_file(RT_RUNTIME, old, sizeof(old), NULL);
	int bad = hog_file(RT_RUNTIME, NULL, 0, "-1") < 0;
	for (int i = 0; i < cpus; i++)
		if (fork() == 0)
			hog_spin(i, until_ms);
	int st, failed = 0;
	while (wait(&st) > 0)
		failed |= !WIFEXITED(st) || WEXITSTATUS(st);
	(void)hog_file(RT_RUNTIME, NULL, 0, old);
	_exit(bad ? 2 : failed ? 1 : 0);
}

pid_t agent_hog_start(long ms, int cpus)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ms <= 0 || cpus <= 0 || (ncpu > 0 && cpus > ncpu))
		return errno = EINVAL, -1;
	long long until = hog_now_ms() + ms;
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		hog_lead(cpus, until);
	}
	return pid;
}
