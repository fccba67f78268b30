/*
 * test_node_chan.c - the line channel guests are spoken to through (node_chan.h), with
 * fl-agent's framing ("ID VERB ARG...") against a fake agent on a socketpair: one that
 * never answers while a ticker on the same loop keeps its pace, one that answers late
 * and sends unasked exit lines, and requests cancelled when the channel is freed.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ev.h"
#include "node_chan.h"

void register_node_chan_suite(void);

#define TICK_NS	    (10 * 1000000LL)
#define LATE_MAX_NS (100 * 1000000LL) /* far below the 400 ms a blocking wait would take */

struct ticker {
	int64_t due;
	int n;
	int64_t worst_late_ns;
};

static int64_t tick(struct ev_loop *loop, int64_t now, void *arg)
{
	struct ticker *t = arg;

	(void)loop;
	if (now - t->due > t->worst_late_ns)
		t->worst_late_ns = now - t->due;
	t->n++;
	t->due += TICK_NS;
	return t->due;
}

/* The owner's side: unasked lines counted, a reply's id read from its first word. */
struct owner {
	int unasked;
	char last_unasked[64];
};

static int64_t on_line(void *arg, char *line)
{
	struct owner *o = arg;
	long id = strtol(line, NULL, 10);

	if (id > 0)
		return id;
	o->unasked++;
	snprintf(o->last_unasked, sizeof(o->last_unasked), "%s", line);
	return 0;
}

struct outcome {
	int calls;
	int err;
	char line[64];
	int64_t at_ns;
};

static void on_reply(void *arg, char *line, int err)
{
	struct outcome *o = arg;

	o->calls++;
	o->err = err;
	snprintf(o->line, sizeof(o->line), "%s", line ? line : "");
	o->at_ns = ev_now_ns();
}

struct late {
	int fd;
	const char *text;
};

static int64_t write_late(struct ev_loop *loop, int64_t now, void *arg)
{
	struct late *l = arg;

	(void)loop;
	(void)now;
	if (write(l->fd, l->text, strlen(l->text)) < 0)
		return -1;
	return -1;
}

static void test_chan_silent_agent(void)
{
	struct ev_loop *loop = ev_loop_new();
	struct owner own = {0};
	struct outcome o = {0};
	struct ticker t = {0};
	int sv[2];
	char buf[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	CU_ASSERT_EQUAL_FATAL(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
	struct node_chan *c = node_chan_new(loop, sv[0], on_line, NULL, &own);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	int64_t t0 = ev_now_ns();
	t.due = t0 + TICK_NS;
	ev_timer_add(loop, t.due, tick, &t);
	CU_ASSERT_EQUAL(0, node_chan_send(c, 1, "1 ping\n", 7, 400, on_reply, &o));
	CU_ASSERT_EQUAL(1, node_chan_pending(c));
	ev_loop_run(loop, t0 + 600 * 1000000LL);
	ssize_t n = read(sv[1], buf, sizeof(buf) - 1);
	CU_ASSERT_EQUAL(7, n);
	CU_ASSERT_EQUAL(1, o.calls);
	CU_ASSERT_EQUAL(ETIMEDOUT, o.err);
	CU_ASSERT_TRUE(o.at_ns - t0 >= 400 * 1000000LL &&
		       o.at_ns - t0 < 400 * 1000000LL + LATE_MAX_NS);
	CU_ASSERT_EQUAL(0, node_chan_pending(c));
	CU_ASSERT_TRUE(t.n >= 55);
	CU_ASSERT_TRUE(t.worst_late_ns < LATE_MAX_NS);
	printf("\n  silent agent: timeout after %.1f ms, %d ticks, worst tick lateness %.3f ms ",
	       (o.at_ns - t0) / 1e6, t.n, t.worst_late_ns / 1e6);
	node_chan_free(c);
	close(sv[1]);
	ev_loop_free(loop);
}

static void test_chan_late_agent(void)
{
	struct ev_loop *loop = ev_loop_new();
	struct owner own = {0};
	struct outcome a = {0}, b = {0}, cancelled = {0};
	int sv[2];

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	CU_ASSERT_EQUAL_FATAL(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
	struct node_chan *c = node_chan_new(loop, sv[0], on_line, NULL, &own);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	int64_t t0 = ev_now_ns();
	CU_ASSERT_EQUAL(0, node_chan_send(c, 1, "1 spawn x\n", 10, 1000, on_reply, &a));
	CU_ASSERT_EQUAL(0, node_chan_send(c, 2, "2 ping\n", 7, 1000, on_reply, &b));
	/* replies out of order, an unasked exit line between them, in two writes */
	struct late l1 = {sv[1], "2 ok 12345\n0 exit 7"};
	struct late l2 = {sv[1], " 0\n1 ok 7\n"};
	ev_timer_add(loop, t0 + 100 * 1000000LL, write_late, &l1);
	ev_timer_add(loop, t0 + 150 * 1000000LL, write_late, &l2);
	ev_loop_run(loop, t0 + 250 * 1000000LL);
	CU_ASSERT_EQUAL(1, b.calls);
	CU_ASSERT_EQUAL(0, b.err);
	CU_ASSERT_STRING_EQUAL("2 ok 12345", b.line);
	CU_ASSERT_EQUAL(1, a.calls);
	CU_ASSERT_STRING_EQUAL("1 ok 7", a.line);
	CU_ASSERT_TRUE(a.at_ns - t0 >= 150 * 1000000LL);
	CU_ASSERT_EQUAL(1, own.unasked);
	CU_ASSERT_STRING_EQUAL("0 exit 7 0", own.last_unasked);
	/* freed with a request out: its callback runs once, ECANCELED */
	CU_ASSERT_EQUAL(0, node_chan_send(c, 3, "3 ping\n", 7, 1000, on_reply, &cancelled));
	node_chan_free(c);
	CU_ASSERT_EQUAL(1, cancelled.calls);
	CU_ASSERT_EQUAL(ECANCELED, cancelled.err);
	close(sv[1]);
	ev_loop_free(loop);
}

static int64_t stop_loop(struct ev_loop *loop, int64_t now, void *arg)
{
	(void)now;
	(void)arg;
	ev_loop_stop(loop); /* as a signal handler would */
	return -1;
}

/* node_chan_call() waits by running the loop: other timers fire meanwhile (a stop
 * among them does not end the wait, and is kept for the outer run), the reply comes
 * back copied, and a silent peer ends in ETIMEDOUT. */
static void test_chan_call_runs_loop(void)
{
	struct ev_loop *loop = ev_loop_new();
	struct owner own = {0};
	struct ticker t = {0};
	int sv[2];
	char *reply = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	CU_ASSERT_EQUAL_FATAL(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
	struct node_chan *c = node_chan_new(loop, sv[0], on_line, NULL, &own);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	int64_t t0 = ev_now_ns();
	t.due = t0 + TICK_NS;
	int64_t tid = ev_timer_add(loop, t.due, tick, &t);
	struct late l = {sv[1], "5 ok pong\n"};
	ev_timer_add(loop, t0 + 30 * 1000000LL, stop_loop, NULL);
	ev_timer_add(loop, t0 + 100 * 1000000LL, write_late, &l);
	CU_ASSERT_EQUAL(0, node_chan_call(c, 5, "5 ping\n", 7, 1000, &reply));
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_STRING_EQUAL("5 ok pong", reply);
	CU_ASSERT_TRUE(ev_now_ns() - t0 >= 100 * 1000000LL);
	CU_ASSERT_TRUE(t.n >= 8); /* the ticker ran during the wait */
	CU_ASSERT_TRUE(ev_loop_stopped(loop));
	free(reply);
	CU_ASSERT_EQUAL(-1, node_chan_call(c, 6, "6 ping\n", 7, 50, &reply));
	CU_ASSERT_EQUAL(ETIMEDOUT, errno);
	CU_ASSERT_PTR_NULL(reply);
	ev_timer_del(loop, tid);
	node_chan_free(c);
	close(sv[1]);
	ev_loop_free(loop);
}

void register_node_chan_suite(void)
{
	CU_pSuite s = CU_add_suite("node_chan", NULL, NULL);

	CU_add_test(s, "silent_agent", test_chan_silent_agent);
	CU_add_test(s, "late_agent", test_chan_late_agent);
	CU_add_test(s, "call_runs_loop", test_chan_call_runs_loop);
}
