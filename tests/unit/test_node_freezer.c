/*
 * test_node_freezer.c - the netns kind's freezer set (node_freezer.h) on a plain file
 * standing in for freezer.state: written over without truncation, as the real file
 * is, so "FREEZING\n" overwritten with FROZEN reads "FROZENNG", a freezer still
 * settling. A state that reads back at once (no check), one that settles later on the
 * loop (a ticker on it keeps its pace meanwhile), one that never does (the bound), a
 * cancelled check, and a cgroup that is not there.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "node_freezer.h"

void register_node_freezer_suite(void);

struct late {
	int calls;
	bool settled;
	char state[32];
	int64_t waited_ns;
};

static void on_late(void *arg, bool settled, const char *state, int64_t waited_ns)
{
	struct late *l = arg;

	l->calls++;
	l->settled = settled;
	snprintf(l->state, sizeof(l->state), "%s", state);
	l->waited_ns = waited_ns;
}

static char dir[] = "/tmp/fl-test-freezer-XXXXXX";

static void state_put(const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/freezer.state", dir);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static int64_t settle(struct ev_loop *loop, int64_t now, void *arg)
{
	(void)loop;
	(void)now;
	(void)arg;
	state_put("FROZEN\n");
	return -1;
}

static bool late_done(void *arg)
{
	return ((struct late *)arg)->calls > 0;
}

static void test_at_once(void)
{
	struct ev_loop *loop = ev_loop_new();
	struct node_freezer fz = {0};
	struct late l = {0};
	char err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	state_put("THAWED\n");
	CU_ASSERT_EQUAL(
	    0, node_freezer_set(&fz, loop, dir, true, 1000000000LL, on_late, &l, err, sizeof(err)));
	CU_ASSERT_FALSE(node_freezer_pending(&fz));
	CU_ASSERT_EQUAL(0, node_freezer_set(&fz, loop, dir, false, 1000000000LL, on_late, &l, err,
					    sizeof(err)));
	CU_ASSERT_FALSE(node_freezer_pending(&fz));
	ev_loop_run(loop, ev_now_ns() + 5000000);
	CU_ASSERT_EQUAL(0, l.calls);
	ev_loop_free(loop);
}

/* Settles 20 ms after the write: the set returned at once, the loop hears it later. */
static void test_late(void)
{
	struct ev_loop *loop = ev_loop_new();
	struct node_freezer fz = {0};
	struct late l = {0};
	char err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	state_put("FREEZING\n");
	int64_t t0 = ev_now_ns();
	CU_ASSERT_EQUAL(
	    0, node_freezer_set(&fz, loop, dir, true, 1000000000LL, on_late, &l, err, sizeof(err)));
	CU_ASSERT(ev_now_ns() - t0 < 5000000); /* not waited for */
	CU_ASSERT_TRUE(node_freezer_pending(&fz));
	CU_ASSERT(ev_timer_add(loop, t0 + 20000000, settle, NULL) > 0);
	CU_ASSERT_EQUAL(0, ev_loop_run_until(loop, t0 + 2000000000LL, late_done, &l));
	CU_ASSERT_EQUAL(1, l.calls);
	CU_ASSERT_TRUE(l.settled);
	CU_ASSERT_STRING_EQUAL("FROZEN", l.state);
	CU_ASSERT(l.waited_ns >= 20000000 && l.waited_ns < 500000000);
	CU_ASSERT_FALSE(node_freezer_pending(&fz));
	ev_loop_free(loop);
}

/* Never settles: one call at the bound, with the state it reads then. */
static void test_bound(void)
{
	struct ev_loop *loop = ev_loop_new();
	struct node_freezer fz = {0};
	struct late l = {0};
	char err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	state_put("FREEZING\n");
	int64_t t0 = ev_now_ns();
	CU_ASSERT_EQUAL(
	    0, node_freezer_set(&fz, loop, dir, true, 30000000, on_late, &l, err, sizeof(err)));
	CU_ASSERT_EQUAL(0, ev_loop_run_until(loop, t0 + 2000000000LL, late_done, &l));
	CU_ASSERT_EQUAL(1, l.calls);
	CU_ASSERT_FALSE(l.settled);
	CU_ASSERT_STRING_EQUAL("FROZENNG", l.state);
	CU_ASSERT(l.waited_ns >= 30000000);
	ev_loop_run(loop, ev_now_ns() + 10000000);
	CU_ASSERT_EQUAL(1, l.calls); /* once only */
	ev_loop_free(loop);
}

/* A thaw while a freeze is being checked cancels the check. */
static void test_cancel(void)
{
	struct ev_loop *loop = ev_loop_new();
	struct node_freezer fz = {0};
	struct late l = {0};
	char err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	state_put("FREEZING\n");
	CU_ASSERT_EQUAL(
	    0, node_freezer_set(&fz, loop, dir, true, 20000000, on_late, &l, err, sizeof(err)));
	CU_ASSERT_TRUE(node_freezer_pending(&fz));
	state_put("FROZEN\n");
	CU_ASSERT_EQUAL(
	    0, node_freezer_set(&fz, loop, dir, false, 20000000, on_late, &l, err, sizeof(err)));
	CU_ASSERT_FALSE(node_freezer_pending(&fz));
	state_put("FREEZING\n");
	CU_ASSERT_EQUAL(
	    0, node_freezer_set(&fz, loop, dir, true, 20000000, on_late, &l, err, sizeof(err)));
	node_freezer_cancel(&fz);
	ev_loop_run(loop, ev_now_ns() + 50000000);
	CU_ASSERT_EQUAL(0, l.calls);
	ev_loop_free(loop);
}

static void test_missing(void)
{
	struct ev_loop *loop = ev_loop_new();
	struct node_freezer fz = {0};
	struct late l = {0};
	char err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	CU_ASSERT_EQUAL(-1, node_freezer_set(&fz, loop, "/nonexistent/fl-cg", true, 20000000,
					     on_late, &l, err, sizeof(err)));
	CU_ASSERT_EQUAL(ENOENT, errno);
	CU_ASSERT_STRING_EQUAL("/nonexistent/fl-cg/freezer.state: No such file or directory", err);
	ev_loop_free(loop);
}

static int suite_init(void)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int suite_clean(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/freezer.state", dir);
	unlink(path);
	return rmdir(dir);
}

void register_node_freezer_suite(void)
{
	CU_pSuite s = CU_add_suite("node_freezer", suite_init, suite_clean);

	CU_add_test(s, "at_once", test_at_once);
	CU_add_test(s, "late", test_late);
	CU_add_test(s, "bound", test_bound);
	CU_add_test(s, "cancel", test_cancel);
	CU_add_test(s, "missing", test_missing);
}
