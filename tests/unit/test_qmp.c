/*
 * test_qmp.c - the pure layer of the QMP client (message classification of real and
 * malformed lines, command text) and the connection itself against scripted peers:
 * greeting, capabilities, replies matched by id with events interleaved, errors and
 * lines split across reads; and, on a socketpair, a QEMU that never answers or answers
 * late while timers on the same event loop must still fire on time.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ev.h"
#include "node_qemu.h"
#include "qmp.h"

void register_qmp_suite(void);

static const char greeting[] =
	"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
	"\"package\": \"Debian\"}, \"capabilities\": [\"oob\"]}}";

/* Lines as QEMU 7.2 writes them (docs/interop/qmp-spec), parsed by jansson. */
static void test_msg_real_lines(void)
{
	const char caps[] = "{\"return\": {}, \"id\": 1}\r\n";
	const char nic[] = "{\"timestamp\": {\"seconds\": 1733080000, \"microseconds\": 123456}, "
			   "\"event\": \"NIC_RX_FILTER_CHANGED\", \"data\": {\"name\": \"nic0\", "
			   "\"path\": \"/machine/peripheral/nic0/virtio-backend\"}}";
	const char shut[] = "{\"timestamp\": {\"seconds\": 1733080001, \"microseconds\": 5}, "
			    "\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true, "
			    "\"reason\": \"guest-panic\"}}";
	const char str_ret[] = "{\"return\": \"a\\u00e9\\\"b\", \"id\": 9}";
	struct qmp_msg m;

	CU_ASSERT_EQUAL(0, qmp_msg_parse(caps, strlen(caps), &m));
	CU_ASSERT_EQUAL(QMP_MSG_RETURN, m.kind);
	CU_ASSERT_EQUAL(1, m.id);
	CU_ASSERT_STRING_EQUAL("{}", m.body);
	CU_ASSERT_EQUAL(2, m.body_len);
	CU_ASSERT_EQUAL(0, qmp_msg_parse(nic, strlen(nic), &m));
	CU_ASSERT_EQUAL(QMP_MSG_EVENT, m.kind);
	CU_ASSERT_EQUAL(-1, m.id);
	CU_ASSERT_STRING_EQUAL("NIC_RX_FILTER_CHANGED", m.event);
	CU_ASSERT_EQUAL(123456, m.ev_usec);
	CU_ASSERT_STRING_EQUAL(
	    "{\"name\":\"nic0\",\"path\":\"/machine/peripheral/nic0/virtio-backend\"}", m.body);
	CU_ASSERT_EQUAL(0, qmp_msg_parse(shut, strlen(shut), &m));
	CU_ASSERT_STRING_EQUAL("SHUTDOWN", m.event);
	CU_ASSERT_STRING_EQUAL("{\"guest\":true,\"reason\":\"guest-panic\"}", m.body);
	/* a string value comes back as JSON text, quotes and escapes included */
	CU_ASSERT_EQUAL(0, qmp_msg_parse(str_ret, strlen(str_ret), &m));
	CU_ASSERT_STRING_EQUAL("\"a\xc3\xa9\\\"b\"", m.body);
}

/* Garbage from a broken or hostile QEMU is refused, never half-read. */
static void test_msg_rejects_garbage(void)
{
	const char *bad[] = {"",
			     "{",
			     "{\"return\": }",
			     "{\"return\": {}} x",
			     "{\"return\" {}}",
			     "[{\"return\": {}}]",
			     "null",
			     "\"QMP\"",
			     "{\"event\": 5}",
			     "{\"event\": \"STOP\", \"data\": {\"a\": \"\x01\"}}",
			     "{\"error\": {\"class\": \"\xff\xfe\"}}",
			     "{\"return\": {}, \"id\": 1",
			     "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"mi"};
	struct qmp_msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		CU_ASSERT_EQUAL(-1, qmp_msg_parse(bad[i], strlen(bad[i]), &m));
		CU_ASSERT_EQUAL(EINVAL, errno);
	}
	/* a NUL inside the line ends nothing: the length given is what is parsed */
	CU_ASSERT_EQUAL(-1, qmp_msg_parse("{\"return\": {}}\0{", 16, &m));
	/* nesting deep enough to exhaust a recursive parser's stack */
	size_t depth = 100000;
	char *deep = malloc(2 * depth + 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(deep);
	memcpy(deep, "{\"return\":", 10);
	memset(deep + 10, '[', depth);
	memset(deep + 10 + depth, ']', depth);
	memcpy(deep + 10 + 2 * depth, "}", 2);
	CU_ASSERT_EQUAL(-1, qmp_msg_parse(deep, strlen(deep), &m));
	free(deep);
}

/* A return value longer than QMP_BODY_MAX still classifies, without a body. */
static void test_msg_long_body(void)
{
	size_t n = 2 * QMP_BODY_MAX;
	char *line = malloc(n + 64);
	struct qmp_msg m;

	CU_ASSERT_PTR_NOT_NULL_FATAL(line);
	strcpy(line, "{\"id\": 4, \"return\": \"");
	memset(line + strlen(line), 'x', n);
	strcpy(line + strlen("{\"id\": 4, \"return\": \"") + n, "\"}");
	CU_ASSERT_EQUAL(0, qmp_msg_parse(line, strlen(line), &m));
	CU_ASSERT_EQUAL(QMP_MSG_RETURN, m.kind);
	CU_ASSERT_EQUAL(4, m.id);
	CU_ASSERT_PTR_NULL(m.body);
	free(line);
}

static void test_msg_kinds(void)
{
	const char ret[] = "{\"return\": {\"status\": \"running\", \"running\": true}, \"id\": 7}";
	const char err[] = "{\"id\": 3, \"error\": {\"class\": \"DeviceNotFound\", "
			   "\"desc\": \"Device 'nic9' not found\"}}";
	const char ev[] = "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 250}, "
			  "\"event\": \"STOP\"}";
	struct qmp_msg m;

	CU_ASSERT_EQUAL(0, qmp_msg_parse(greeting, strlen(greeting), &m));
	CU_ASSERT_EQUAL(QMP_MSG_GREETING, m.kind);
	CU_ASSERT_EQUAL(0, qmp_msg_parse(ret, strlen(ret), &m));
	CU_ASSERT_EQUAL(QMP_MSG_RETURN, m.kind);
	CU_ASSERT_EQUAL(7, m.id);
	CU_ASSERT_STRING_EQUAL("{\"status\":\"running\",\"running\":true}", m.body);
	CU_ASSERT_EQUAL(0, qmp_msg_parse(err, strlen(err), &m));
	CU_ASSERT_EQUAL(QMP_MSG_ERROR, m.kind);
	CU_ASSERT_EQUAL(3, m.id);
	CU_ASSERT_STRING_EQUAL("DeviceNotFound", m.err_class);
	CU_ASSERT_STRING_EQUAL("Device 'nic9' not found", m.err_desc);
	CU_ASSERT_EQUAL(0, qmp_msg_parse(ev, strlen(ev), &m));
	CU_ASSERT_EQUAL(QMP_MSG_EVENT, m.kind);
	CU_ASSERT_STRING_EQUAL("STOP", m.event);
	CU_ASSERT_EQUAL(1700000000, m.ev_sec);
	CU_ASSERT_EQUAL(250, m.ev_usec);
	CU_ASSERT_PTR_NULL(m.body);
	CU_ASSERT_EQUAL(-1, qmp_msg_parse("{\"foo\": 1}", 10, &m));
	CU_ASSERT_EQUAL(-1, qmp_msg_parse("[1]", 3, &m));
}

static void test_cmd_format(void)
{
	char buf[128];

	CU_ASSERT_EQUAL(28, qmp_cmd_format(buf, sizeof(buf), "stop", NULL, 12));
	CU_ASSERT_STRING_EQUAL("{\"execute\":\"stop\",\"id\":12}\r\n", buf);
	json_t *args = json_pack("{s:s,s:b}", "name", "nic0", "up", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(args);
	qmp_cmd_format(buf, sizeof(buf), "set_link", args, 2);
	CU_ASSERT_STRING_EQUAL("{\"execute\":\"set_link\",\"arguments\":{\"name\":\"nic0\","
			       "\"up\":false},\"id\":2}\r\n",
			       buf);
	CU_ASSERT_EQUAL(1, args->refcount); /* borrowed: the caller's reference only */
	json_decref(args);
	CU_ASSERT_EQUAL(-1, qmp_cmd_format(buf, 10, "stop", NULL, 1));
	CU_ASSERT_EQUAL(ERANGE, errno);
	CU_ASSERT_EQUAL(-1, qmp_cmd_format(buf, 27, "stop", NULL, 12)); /* no room for \0 */
	CU_ASSERT_EQUAL(ERANGE, errno);
	CU_ASSERT_EQUAL(28, qmp_cmd_format(buf, 29, "stop", NULL, 12));
	/* a command name is escaped; arguments must be one JSON object */
	CU_ASSERT_EQUAL(29, qmp_cmd_format(buf, sizeof(buf), "a\"b\n", NULL, 1));
	CU_ASSERT_STRING_EQUAL("{\"execute\":\"a\\\"b\\n\",\"id\":1}\r\n", buf);
	json_t *arr = json_pack("[i]", 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(arr);
	CU_ASSERT_EQUAL(-1, qmp_cmd_format(buf, sizeof(buf), "set_link", arr, 1));
	CU_ASSERT_EQUAL(EINVAL, errno);
	json_decref(arr);
}

/* A scripted QEMU: reads commands, answers with @script lines, some split in pieces. */
struct peer {
	int fd;
	int events_seen;
};

static int read_line(int fd, char *buf, size_t len)
{
	size_t o = 0;

	while (o + 1 < len && read(fd, buf + o, 1) == 1)
		if (buf[o++] == '\n')
			break;
	buf[o] = '\0';
	return (int)o;
}

static void write_str(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		return;
}

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	char line[512], out[512];
	const char *half;

	/* Greeting in two pieces. */
	write_str(p->fd, "{\"QMP\": {\"version\": {}, ");
	usleep(20000);
	write_str(p->fd, "\"capabilities\": []}}\r\n");
	read_line(p->fd, line, sizeof(line));
	if (!strstr(line, "qmp_capabilities"))
		return NULL;
	write_str(p->fd, "{\"return\": {}, \"id\": 1}\r\n");
	/* query-status: an event before the reply, a stale reply, then the real one split. */
	read_line(p->fd, line, sizeof(line));
	write_str(p->fd, "{\"event\": \"STOP\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\r\n"
			 "{\"return\": {}, \"id\": 99}\r\n");
	snprintf(out, sizeof(out), "{\"return\": {\"status\": \"paused\"}, \"id\": %d}\r\n",
		 strstr(line, "\"id\":2") ? 2 : -5);
	half = out + 10;
	if (write(p->fd, out, 10) < 0)
		return NULL;
	usleep(20000);
	write_str(p->fd, half);
	/* set_link on a device that does not exist. */
	read_line(p->fd, line, sizeof(line));
	write_str(p->fd, "{\"id\": 3, \"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"no nic9\"}}\r\n"
			 "{\"event\": \"RESUME\"}\r\n");
	/* The last command gets no answer at all: a timeout. */
	read_line(p->fd, line, sizeof(line));
	return NULL;
}

static void count_event(void *arg, const char *event, const char *data, int len)
{
	struct peer *p = arg;

	(void)data;
	(void)len;
	if (!strcmp(event, "STOP") || !strcmp(event, "RESUME"))
		p->events_seen++;
}

static void *peer_thread(void *arg)
{
	struct peer *p = arg;
	int lfd = p->fd;

	p->fd = accept(lfd, NULL, NULL);
	if (p->fd >= 0)
		peer_main(p);
	return NULL;
}

static void test_conn_session(void)
{
	char dir[] = "/tmp/fl-qmp-test.XXXXXX", path[128], ret[128];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct peer p = { 0 };
	struct qmp *q;
	pthread_t th;
	int lfd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/qmp.sock", dir);
	strcpy(sa.sun_path, path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL_FATAL(0, bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	listen(lfd, 1);
	p.fd = lfd;
	pthread_create(&th, NULL, peer_thread, &p);
	struct ev_loop *loop = ev_loop_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	q = qmp_open(loop, path, 2000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	qmp_set_event_fn(q, count_event, &p);
	CU_ASSERT_EQUAL(0, qmp_cmd(q, "query-status", NULL, ret, sizeof(ret), 2000));
	CU_ASSERT_STRING_EQUAL("{\"status\":\"paused\"}", ret); /* compact */
	CU_ASSERT_EQUAL(1, p.events_seen);
	json_t *nic9 = json_pack("{s:s,s:b}", "name", "nic9", "up", 0);
	CU_ASSERT_EQUAL(-1, qmp_cmd(q, "set_link", nic9, NULL, 0, 2000));
	json_decref(nic9);
	CU_ASSERT_EQUAL(EREMOTEIO, errno);
	CU_ASSERT_STRING_EQUAL("DeviceNotFound: no nic9", qmp_error(q));
	CU_ASSERT_EQUAL(-1, qmp_cmd(q, "cont", NULL, NULL, 0, 100));
	CU_ASSERT_EQUAL(ETIMEDOUT, errno);
	CU_ASSERT_EQUAL(2, p.events_seen); /* RESUME came with the error reply */
	pthread_join(th, NULL);
	qmp_close(q);
	ev_loop_free(loop);
	close(p.fd);
	close(lfd);
	unlink(path);
	rmdir(dir);
}

/* ---- a silent or slow QEMU on a socketpair, timers on the same loop ---- */

#define TICK_NS (10 * 1000000LL)
/*
 * A blocking wait would hold the ticks back by the whole time QEMU keeps silent (300
 * ms, 250 ms below); the loop keeps them within scheduling noise. The bound is well
 * under those and generous for a loaded shared machine; the figure is printed.
 */
#define LATE_MAX_NS (100 * 1000000LL)

/* A 10 ms ticker: how many ticks, and the worst lateness against each due time. */
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

struct outcome {
	int calls;
	int err;
	int kind;
	int64_t at_ns;
};

static void on_reply(void *arg, int err, const struct qmp_msg *m)
{
	struct outcome *o = arg;

	o->calls++;
	o->err = err;
	o->kind = m ? (int)m->kind : 0;
	o->at_ns = ev_now_ns();
}

struct late {
	int peer;
	const char *line;
};

static int64_t answer_late(struct ev_loop *loop, int64_t now, void *arg)
{
	struct late *l = arg;

	(void)loop;
	(void)now;
	write_str(l->peer, l->line);
	return -1;
}

/* A connection whose peer (@peer) sent the greeting and answers the capabilities
 * command 20 ms later, from a timer on the loop qmp_open_fd() runs meanwhile. */
static struct qmp *open_pair(struct ev_loop *loop, int *peer)
{
	static struct late caps = {-1, "{\"return\": {}, \"id\": 1}\r\n"};
	char buf[256];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return NULL;
	write_str(sv[1], "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\r\n");
	caps.peer = *peer = sv[1];
	ev_timer_add(loop, ev_now_ns() + 20 * 1000000LL, answer_late, &caps);
	struct qmp *q = qmp_open_fd(loop, sv[0], 1000);
	if (read(sv[1], buf, sizeof(buf)) <= 0) /* the capabilities command */
		return NULL;
	return q;
}

/* QEMU never answers "stop": qmp_send returns at once, the ticks keep their 10 ms, and
 * the timeout comes as ETIMEDOUT through the callback, once, on time. */
static void test_conn_silent_peer(void)
{
	struct ev_loop *loop = ev_loop_new();
	struct outcome o = {0};
	struct ticker t = {0};
	char buf[256];
	int peer;

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	struct qmp *q = open_pair(loop, &peer);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	int64_t t0 = ev_now_ns();
	t.due = t0 + TICK_NS;
	CU_ASSERT_TRUE(ev_timer_add(loop, t.due, tick, &t) > 0);
	CU_ASSERT_EQUAL(0, qmp_send(q, "stop", NULL, 300, on_reply, &o));
	int64_t sent_ns = ev_now_ns() - t0;
	ev_loop_run(loop, t0 + 500 * 1000000LL);
	ssize_t n = read(peer, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"execute\":\"stop\""));
	CU_ASSERT_TRUE(sent_ns < 5 * 1000000LL);
	CU_ASSERT_EQUAL(1, o.calls);
	CU_ASSERT_EQUAL(ETIMEDOUT, o.err);
	CU_ASSERT_TRUE(o.at_ns - t0 >= 300 * 1000000LL &&
		       o.at_ns - t0 < 300 * 1000000LL + LATE_MAX_NS);
	CU_ASSERT_TRUE(t.n >= 45); /* 500 ms of 10 ms ticks, a few lost to noise at most */
	CU_ASSERT_TRUE(t.worst_late_ns < LATE_MAX_NS);
	printf("\n  silent QMP peer: send returned in %.3f ms, timeout after %.1f ms, %d ticks, "
	       "worst tick lateness %.3f ms ",
	       sent_ns / 1e6, (o.at_ns - t0) / 1e6, t.n, t.worst_late_ns / 1e6);
	qmp_close(q);
	close(peer);
	ev_loop_free(loop);
}

/* QEMU answers "cont" after 250 ms (in time) and "stop" after 120 ms, past its 50 ms
 * timeout: the first gets its reply, the second ETIMEDOUT and its reply is dropped. */
static void test_conn_late_peer(void)
{
	struct ev_loop *loop = ev_loop_new();
	struct outcome in_time = {0}, too_late = {0};
	struct ticker t = {0};
	int peer;

	CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
	struct qmp *q = open_pair(loop, &peer);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	int64_t t0 = ev_now_ns();
	t.due = t0 + TICK_NS;
	ev_timer_add(loop, t.due, tick, &t);
	CU_ASSERT_EQUAL(0, qmp_send(q, "cont", NULL, 1000, on_reply, &in_time)); /* id 2 */
	CU_ASSERT_EQUAL(0, qmp_send(q, "stop", NULL, 50, on_reply, &too_late));  /* id 3 */
	struct late a = {peer, "{\"return\": {}, \"id\": 2}\r\n"};
	struct late b = {peer, "{\"return\": {}, \"id\": 3}\r\n"};
	ev_timer_add(loop, t0 + 250 * 1000000LL, answer_late, &a);
	ev_timer_add(loop, t0 + 120 * 1000000LL, answer_late, &b);
	ev_loop_run(loop, t0 + 400 * 1000000LL);
	CU_ASSERT_EQUAL(1, in_time.calls);
	CU_ASSERT_EQUAL(0, in_time.err);
	CU_ASSERT_EQUAL(QMP_MSG_RETURN, in_time.kind);
	CU_ASSERT_TRUE(in_time.at_ns - t0 >= 250 * 1000000LL &&
		       in_time.at_ns - t0 < 250 * 1000000LL + LATE_MAX_NS);
	CU_ASSERT_EQUAL(1, too_late.calls);
	CU_ASSERT_EQUAL(ETIMEDOUT, too_late.err);
	CU_ASSERT_TRUE(too_late.at_ns - t0 >= 50 * 1000000LL &&
		       too_late.at_ns - t0 < 50 * 1000000LL + LATE_MAX_NS);
	CU_ASSERT_TRUE(t.n >= 36); /* 400 ms of 10 ms ticks, a few lost to noise at most */
	CU_ASSERT_TRUE(t.worst_late_ns < LATE_MAX_NS);
	printf("\n  late QMP peer: reply after %.1f ms, timeout after %.1f ms, %d ticks, "
	       "worst tick lateness %.3f ms ",
	       (in_time.at_ns - t0) / 1e6, (too_late.at_ns - t0) / 1e6, t.n,
	       t.worst_late_ns / 1e6);
	/* QEMU gone: a command in flight ends with EPIPE, once */
	struct outcome gone = {0};
	CU_ASSERT_EQUAL(0, qmp_send(q, "cont", NULL, 1000, on_reply, &gone));
	close(peer);
	ev_loop_run(loop, ev_now_ns() + 50 * 1000000LL);
	CU_ASSERT_EQUAL(1, gone.calls);
	CU_ASSERT_EQUAL(EPIPE, gone.err);
	qmp_close(q);
	ev_loop_free(loop);
}

/* /proc/interrupts as two guests printed it: IO-APIC routing, then with noapic. */
static void test_facts_interrupts(void)
{
	const char apic[] = "           CPU0       CPU1\n"
			    "  0:         39          0   IO-APIC   2-edge      timer\n"
			    "  4:        210          0   IO-APIC   4-edge      ttyS0\n"
			    " 11:          0         52   IO-APIC  11-fasteoi   virtio0\n"
			    "NMI:          0          0   Non-maskable interrupts\n"
			    "LOC:        364         20   Local timer interrupts\n";
	const char pic[] = "           CPU0\n"
			   "  0:         44    XT-PIC      timer\n"
			   "  4:        190    XT-PIC      ttyS0\n"
			   "LOC:        337   Local timer interrupts\n"
			   "ERR:          0\n";
	struct node_qemu_facts f;

	node_qemu_facts_parse_interrupts(apic, &f);
	CU_ASSERT_EQUAL(3, f.irq_ioapic);
	CU_ASSERT_EQUAL(0, f.irq_xtpic);
	CU_ASSERT_EQUAL(384, f.irq_loc);
	node_qemu_facts_parse_interrupts(pic, &f);
	CU_ASSERT_EQUAL(0, f.irq_ioapic);
	CU_ASSERT_EQUAL(2, f.irq_xtpic);
	CU_ASSERT_EQUAL(337, f.irq_loc);
}

static void test_facts_dmesg(void)
{
	const char log[] = "[    0.000000] Linux version 6.1.0\n"
			   "[    0.010000] ACPI: Using IOAPIC for interrupt routing\n"
			   "[    0.020000] clocksource: Switched to clocksource tsc-early\n"
			   "[    0.030000] virtio_net virtio0 eth0: renamed\n"
			   "[   22.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s!\n";
	struct node_qemu_facts f;

	node_qemu_facts_pick_dmesg(log, &f);
	CU_ASSERT_EQUAL(3, f.n_dmesg); /* not the version line, not the virtio one */
	CU_ASSERT_PTR_NOT_NULL(strstr(f.dmesg[0], "IOAPIC"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f.dmesg[1], "clocksource"));
	CU_ASSERT_PTR_NOT_NULL(strstr(f.dmesg[2], "soft lockup"));
}

void register_qmp_suite(void)
{
	CU_pSuite s = CU_add_suite("qmp", NULL, NULL);

	CU_add_test(s, "msg_real_lines", test_msg_real_lines);
	CU_add_test(s, "msg_rejects_garbage", test_msg_rejects_garbage);
	CU_add_test(s, "msg_long_body", test_msg_long_body);
	CU_add_test(s, "msg_kinds", test_msg_kinds);
	CU_add_test(s, "cmd_format", test_cmd_format);
	CU_add_test(s, "conn_session", test_conn_session);
	CU_add_test(s, "conn_silent_peer", test_conn_silent_peer);
	CU_add_test(s, "conn_late_peer", test_conn_late_peer);
	CU_add_test(s, "facts_interrupts", test_facts_interrupts);
	CU_add_test(s, "facts_dmesg", test_facts_dmesg);
}
