/*
 * test_tl_rt.c - the timeline's real-time raise (tl_rt.c) on the real scheduler: the
 * calling thread is SCHED_FIFO after the waker's raise and normal again after
 * tl_rt_next(); a child forked while raised starts at normal priority; a process the
 * host refuses real-time priority gets an object that is off and says why. Where this
 * process itself may not use SCHED_FIFO the raise checks say so and check the refusal.
 */
#include <CUnit/CUnit.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "tl.h"

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

static int t_policy(void)
{
	return sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
}

static void test_wake_ns(void)
{
	CU_ASSERT_EQUAL(0, tl_rt_wake_ns(0, 500000));
	CU_ASSERT_EQUAL(9500000, tl_rt_wake_ns(10000000, 500000));
	CU_ASSERT_EQUAL(1, tl_rt_wake_ns(100, 500000)); /* never 0: that means "none" */
	CU_ASSERT_EQUAL(10000000, tl_rt_wake_ns(10000000, 0));
}

/* Poll up to @ms for the calling thread's policy to become @want. */
static bool t_policy_becomes(int want, int ms)
{
	int64_t end = ev_now_ns() + (int64_t)ms * 1000000;
	while (t_policy() != want && ev_now_ns() < end) {
		struct timespec ts = {0, 200000};
		nanosleep(&ts, NULL);
	}
	return t_policy() == want;
}

static void test_raise_and_lower(void)
{
	struct tl_rt *rt = tl_rt_new(1000000, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	if (!tl_rt_on(rt)) {
		printf("\n  (no SCHED_FIFO here: %s; raise not checked)\n", tl_rt_why(rt));
		CU_ASSERT(strstr(tl_rt_why(rt), "SCHED_FIFO 1: ") != NULL);
		tl_rt_free(rt);
		return;
	}
	CU_ASSERT_STRING_EQUAL("", tl_rt_why(rt));
	CU_ASSERT_EQUAL(SCHED_OTHER, t_policy());
	int64_t d = ev_now_ns() + 20000000;
	tl_rt_next(rt, d);
	/* not before deadline - lead */
	struct timespec ts = {0, 10000000};
	nanosleep(&ts, NULL);
	if (ev_now_ns() < d - 2000000)
		CU_ASSERT_EQUAL(SCHED_OTHER, t_policy());
	CU_ASSERT(t_policy_becomes(SCHED_FIFO, 200));
	/* a child forked while raised runs at normal priority */
	pid_t pid = fork();
	if (pid == 0)
		_exit(t_policy() == SCHED_OTHER ? 0 : 1);
	int st = -1;
	CU_ASSERT_EQUAL(pid, waitpid(pid, &st, 0));
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	tl_rt_next(rt, 0);
	CU_ASSERT_EQUAL(SCHED_OTHER, t_policy());
	int raises = -1, late = -1;
	tl_rt_counts(rt, &raises, &late);
	CU_ASSERT_EQUAL(1, raises);
	/* a deadline taken back before its raise is never raised for */
	tl_rt_next(rt, ev_now_ns() + 50000000);
	tl_rt_next(rt, 0);
	nanosleep(&(struct timespec){0, 60000000}, NULL);
	CU_ASSERT_EQUAL(SCHED_OTHER, t_policy());
	tl_rt_counts(rt, &raises, &late);
	CU_ASSERT_EQUAL(1, raises);
	/* freed while raised: lowered */
	tl_rt_next(rt, ev_now_ns() + 1000);
	CU_ASSERT(t_policy_becomes(SCHED_FIFO, 200));
	tl_rt_free(rt);
	CU_ASSERT_EQUAL(SCHED_OTHER, t_policy());
}

/* Without the right to real-time priority: off, with the kernel's reason. */
static void test_refused_is_off(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = {0, 0};
		setrlimit(RLIMIT_RTPRIO, &rl);
		if (getuid() == 0 && setresuid(65534, 65534, 65534) != 0)
			_exit(2);
		struct tl_rt *rt = tl_rt_new(500000, 1);
		int bad = !rt || tl_rt_on(rt) ||
			  strcmp(tl_rt_why(rt), "SCHED_FIFO 1: Operation not permitted") != 0;
		tl_rt_next(rt, ev_now_ns() + 1000); /* off: a no-op */
		bad |= t_policy() != SCHED_OTHER;
		tl_rt_free(rt);
		_exit(bad);
	}
	int st = -1;
	CU_ASSERT_EQUAL(pid, waitpid(pid, &st, 0));
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* prio 0: asked not to */
	struct tl_rt *rt = tl_rt_new(500000, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
	CU_ASSERT(!tl_rt_on(rt));
	CU_ASSERT_STRING_EQUAL("disabled", tl_rt_why(rt));
	tl_rt_free(rt);
	tl_rt_free(NULL);
}

void register_tl_rt_suite(void);

void register_tl_rt_suite(void)
{
	CU_pSuite s = CU_add_suite("tl_rt", NULL, NULL);
	CU_add_test(s, "wake_ns", test_wake_ns);
	CU_add_test(s, "raise_and_lower", test_raise_and_lower);
	CU_add_test(s, "refused_is_off", test_refused_is_off);
}
