/*
 * tl_rt.c - firing on time on a busy machine: the run's loop thread is raised to
 * SCHED_FIFO just before each timeline deadline and lowered again once the firing is
 * done, so that a CPU-bound process next to it cannot make the timer late.
 *
 * Why a second thread: a thread at normal priority that the timerfd wakes waits for the
 * scheduler to give it a CPU, which on a loaded machine took milliseconds (the p99 of
 * `scripts/bench faults` was 1-48 ms late with load 4-9 on 2 CPUs). The loop thread
 * cannot raise itself in time: it would have to wake up first, which is the very thing
 * that is late. So a small waker thread, itself SCHED_FIFO and asleep otherwise, wakes
 * at deadline - lead (a real-time thread's wake-up is on time) and raises the loop
 * thread; the loop thread's own timerfd then wakes it at the deadline as a real-time
 * thread, ahead of every normal one. The waker decides nothing and touches nothing of
 * the run: it reads one deadline and changes one thread's policy.
 *
 * Invariants: the loop thread is real-time only between the waker's raise for deadline
 * D and the loop's tl_rt_next() after firing D (or tl_rt_free()), i.e. for about lead +
 * the firing; both run under rt->mu (a priority-inheritance mutex, so the real-time
 * waker never waits long behind the normal loop thread), and the waker raises only for
 * the deadline currently published, never for an old one. The raise carries
 * SCHED_RESET_ON_FORK: a service the firing (re)starts runs at normal priority. Where
 * the host refuses real-time priority (no CAP_SYS_NICE, RLIMIT_RTPRIO 0, a cgroup with
 * no real-time budget) nothing is started and the timeline runs as before; why is kept
 * for the run's events (tl_rt_why()).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "tl.h"

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

struct tl_rt {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	pid_t tid; /* the loop thread, raised and lowered */
	int64_t lead_ns;
	int prio;
	int64_t deadline; /* the next one to raise for, 0 = none */
	bool raised, quit;
	bool on;	  /* the waker runs */
	int raises, late; /* raises done; of them, after their deadline */
	unsigned long old_slack;
	char why[160];
};

static struct timespec tl_rt_ts(int64_t ns)
{
	return (struct timespec){.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
}

int64_t tl_rt_wake_ns(int64_t deadline_ns, int64_t lead_ns)
{
	if (deadline_ns <= 0)
		return 0;
	return deadline_ns > lead_ns ? deadline_ns - lead_ns : 1;
}

/* The loop thread to real time, under rt->mu. */
static void tl_rt_raise(struct tl_rt *rt)
{
	struct sched_param sp = {.sched_priority = rt->prio};
	if (sched_setscheduler(rt->tid, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) == 0) {
		rt->raised = true;
		rt->raises++;
		if (ev_now_ns() > rt->deadline)
			rt->late++;
	}
}

/* The loop thread back to normal, under rt->mu (its nice value is kept). */
static void tl_rt_lower(struct tl_rt *rt)
{
	if (!rt->raised)
		return;
	struct sched_param sp = {.sched_priority = 0};
	sched_setscheduler(rt->tid, SCHED_OTHER, &sp);
	rt->raised = false;
}

static void *tl_rt_waker(void *arg)
{
	struct tl_rt *rt = arg;
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	pthread_mutex_lock(&rt->mu);
	while (!rt->quit) {
		int64_t wake = tl_rt_wake_ns(rt->deadline, rt->lead_ns);
		if (wake == 0 || rt->raised) {
			pthread_cond_wait(&rt->cv, &rt->mu);
		} else if (ev_now_ns() < wake) {
			struct timespec ts = tl_rt_ts(wake);
			pthread_cond_timedwait(&rt->cv, &rt->mu, &ts);
		} else {
			tl_rt_raise(rt);
		}
	}
	pthread_mutex_unlock(&rt->mu);
	return NULL;
}

static int tl_rt_sync_init(struct tl_rt *rt)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	if (pthread_mutexattr_init(&ma) != 0)
		return -1;
	pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
	int rc = pthread_mutex_init(&rt->mu, &ma);
	pthread_mutexattr_destroy(&ma);
	if (rc != 0)
		return -1;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&rt->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0) {
		pthread_mutex_destroy(&rt->mu);
		return -1;
	}
	return 0;
}

/* Start the waker at SCHED_FIFO @rt->prio with every signal blocked (they are the
 * loop's, through its signalfd). Returns 0, or an errno for tl_rt_why(). */
static int tl_rt_thread_start(struct tl_rt *rt)
{
	pthread_attr_t a;
	struct sched_param sp = {.sched_priority = rt->prio};
	sigset_t all, old;
	if (pthread_attr_init(&a) != 0)
		return ENOMEM;
	pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&a, SCHED_FIFO);
	pthread_attr_setschedparam(&a, &sp);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&rt->thread, &a, tl_rt_waker, rt);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&a);
	return rc;
}

struct tl_rt *tl_rt_new(int64_t lead_ns, int prio)
{
	struct tl_rt *rt = calloc(1, sizeof(*rt));
	if (!rt)
		return NULL;
	rt->lead_ns = lead_ns;
	rt->prio = prio;
	rt->tid = gettid();
	if (tl_rt_sync_init(rt) < 0) {
		free(rt);
		return errno = ENOMEM, NULL;
	}
	/* timerfd expiries have no slack; the loop's other sleeps do, 50 us by default */
	int s = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	rt->old_slack = s > 0 ? (unsigned long)s : 0;
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	int rc = prio > 0 ? tl_rt_thread_start(rt) : 0;
	if (prio <= 0)
		snprintf(rt->why, sizeof(rt->why), "disabled");
	else if (rc != 0)
		snprintf(rt->why, sizeof(rt->why), "SCHED_FIFO %d: %s", prio, strerror(rc));
	rt->on = prio > 0 && rc == 0;
	return rt;
}

void tl_rt_next(struct tl_rt *rt, int64_t deadline_ns)
{
	if (!rt || !rt->on)
		return;
	pthread_mutex_lock(&rt->mu);
	tl_rt_lower(rt);
	rt->deadline = deadline_ns;
	pthread_cond_signal(&rt->cv);
	pthread_mutex_unlock(&rt->mu);
}

void tl_rt_free(struct tl_rt *rt)
{
	if (!rt)
		return;
	if (rt->on) {
		pthread_mutex_lock(&rt->mu);
		rt->quit = true;
		tl_rt_lower(rt);
		pthread_cond_signal(&rt->cv);
		pthread_mutex_unlock(&rt->mu);
		pthread_join(rt->thread, NULL);
	}
	if (rt->old_slack)
		prctl(PR_SET_TIMERSLACK, rt->old_slack, 0, 0, 0);
	pthread_cond_destroy(&rt->cv);
	pthread_mutex_destroy(&rt->mu);
	free(rt);
}

bool tl_rt_on(const struct tl_rt *rt)
{
	return rt && rt->on;
}

const char *tl_rt_why(const struct tl_rt *rt)
{
	return rt ? rt->why : "";
}

void tl_rt_counts(struct tl_rt *rt, int *raises, int *late)
{
	int r = 0, l = 0;
	if (rt && rt->on) {
		pthread_mutex_lock(&rt->mu);
		r = rt->raises;
		l = rt->late;
		pthread_mutex_unlock(&rt->mu);
	}
	if (raises)
		*raises = r;
	if (late)
		*late = l;
}
