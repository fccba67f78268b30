/*
 * test_ev.c - the event loop: timer order against a sorted model, re-arming, deletion
 * from inside a callback, fd readiness, signals through signalfd, the deadline.
 */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "ev.h"

#define N_TIMERS 200

struct fired {
	int order[N_TIMERS * 2];
	int n;
	int64_t ids[N_TIMERS];
	int64_t late_ns; /* worst lateness seen */
	int64_t due[N_TIMERS];
};

struct tcase {
	struct fired *f;
	int idx;
};

static int64_t on_timer(struct ev_loop *loop, int64_t now, void *arg)
{
	struct tcase *t = arg;

	(void)loop;
	t->f->order[t->f->n++] = t->idx;
	if (now - t->f->due[t->idx] > t->f->late_ns)
		t->f->late_ns = now - t->f->due[t->idx];
	return -1;
}

/* Random deadlines fire in deadline order (ties: insertion order), none early. */
static void test_timer_order_model(void)
{
	struct ev_loop *loop = ev_loop_new();
	static struct fired f;
	static struct tcase tc[N_TIMERS];
	int64_t base = ev_now_ns() + 5000000;

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	srand(42);
	f.n = 0;
	f.late_ns = 0;
	for (int i = 0; i < N_TIMERS; i++) {
		f.due[i] = base + (rand() % 40) * 1000000;
		tc[i] = (struct tcase){&f, i};
		f.ids[i] = ev_timer_add(loop, f.due[i], on_timer, &tc[i]);
		CU_ASSERT(f.ids[i] > 0);
	}
	CU_ASSERT_EQUAL(0, ev_loop_run(loop, base + 60000000));
	CU_ASSERT_EQUAL(N_TIMERS, f.n);
	/* the model: a stable sort of the indices by deadline */
	for (int k = 1; k < f.n; k++) {
		int a = f.order[k - 1], b = f.order[k];
		CU_ASSERT(f.due[a] < f.due[b] || (f.due[a] == f.due[b] && a < b));
	}
	CU_ASSERT(f.late_ns >= 0);
	ev_loop_free(loop);
}

struct rearm {
	int count;
	int64_t period;
	int64_t del_id;
};

static int64_t on_rearm(struct ev_loop *loop, int64_t now, void *arg)
{
	struct rearm *r = arg;

	if (++r->count == 3) {
		ev_timer_del(loop, r->del_id); /* delete another, pending timer */
		return -1;
	}
	return now + r->period;
}

static int64_t on_never(struct ev_loop *loop, int64_t now, void *arg)
{
	(void)loop;
	(void)now;
	(*(int *)arg)++;
	return -1;
}

/* A timer returning its next deadline runs again; one deleted by a callback never runs. */
static void test_timer_rearm_and_delete(void)
{
	struct ev_loop *loop = ev_loop_new();
	struct rearm r = {0, 2000000, 0};
	int never = 0;
	int64_t now = ev_now_ns();

	r.del_id = ev_timer_add(loop, now + 50000000, on_never, &never);
	CU_ASSERT(ev_timer_add(loop, now + 1000000, on_rearm, &r) > 0);
	ev_loop_run(loop, now + 80000000);
	CU_ASSERT_EQUAL(3, r.count);
	CU_ASSERT_EQUAL(0, never);
	CU_ASSERT_EQUAL(0, ev_timer_del(loop, 12345)); /* unknown id */
	ev_loop_free(loop);
}

static void on_readable(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	char c;

	CU_ASSERT(events & EPOLLIN);
	CU_ASSERT_EQUAL(1, read(fd, &c, 1));
	*(char *)arg = c;
	ev_loop_stop(loop);
}

/* A readable fd calls its function; ev_loop_stop() returns before the deadline. */
static void test_fd_ready(void)
{
	struct ev_loop *loop = ev_loop_new();
	int p[2];
	char got = 0;

	CU_ASSERT_EQUAL_FATAL(0, pipe(p));
	CU_ASSERT_EQUAL(0, ev_fd_add(loop, p[0], EPOLLIN, on_readable, &got));
	CU_ASSERT_EQUAL(1, write(p[1], "x", 1));
	int64_t start = ev_now_ns();
	CU_ASSERT_EQUAL(0, ev_loop_run(loop, start + 2000000000LL));
	CU_ASSERT_EQUAL('x', got);
	CU_ASSERT(ev_now_ns() - start < 1000000000LL);
	CU_ASSERT_EQUAL(0, ev_fd_del(loop, p[0]));
	CU_ASSERT_EQUAL(-1, ev_fd_del(loop, p[0]));
	close(p[0]);
	close(p[1]);
	ev_loop_free(loop);
}

static void on_sig(struct ev_loop *loop, int signo, void *arg)
{
	*(int *)arg = signo;
	ev_loop_stop(loop);
}

/* A signal sent to the process arrives through the loop, not as a handler. */
static void test_signal_delivery(void)
{
	struct ev_loop *loop = ev_loop_new();
	int got = 0;

	CU_ASSERT_EQUAL(0, ev_signal_add(loop, SIGUSR1, on_sig, &got));
	kill(getpid(), SIGUSR1);
	CU_ASSERT_EQUAL(0, ev_loop_run(loop, ev_now_ns() + 1000000000LL));
	CU_ASSERT_EQUAL(SIGUSR1, got);
	ev_loop_free(loop);
}

/* With nothing to do, ev_loop_run() returns at its deadline, not before. */
static void test_deadline(void)
{
	struct ev_loop *loop = ev_loop_new();
	int64_t start = ev_now_ns();

	CU_ASSERT_EQUAL(0, ev_loop_run(loop, start + 30000000));
	CU_ASSERT(ev_now_ns() - start >= 30000000);
	ev_loop_free(loop);
	ev_loop_free(NULL);
}

void register_ev_suite(void);
void register_ev_suite(void)
{
	CU_pSuite s = CU_add_suite("ev", NULL, NULL);

	CU_add_test(s, "timer order against a sorted model", test_timer_order_model);
	CU_add_test(s, "timer re-arm and delete from a callback", test_timer_rearm_and_delete);
	CU_add_test(s, "fd readiness and stop", test_fd_ready);
	CU_add_test(s, "signal through signalfd", test_signal_delivery);
	CU_add_test(s, "deadline", test_deadline);
}
