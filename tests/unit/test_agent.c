/*
 * test_agent.c - the fl-agent codec: word encoding round trips (every byte value),
 * message parsing and formatting, and the line assembler fed in awkward pieces.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_exec.h"
#include "agent_proto.h"
#include "agent_pty.h"

void register_agent_suite(void);

static void test_word_roundtrip_all_bytes(void)
{
	char in[256], enc[800];
	int n;

	for (int i = 0; i < 256; i++)
		in[i] = (char)i;
	n = agent_word_encode(in, sizeof(in), enc, sizeof(enc));
	CU_ASSERT_TRUE_FATAL(n > 0);
	CU_ASSERT_PTR_NULL(strchr(enc, ' '));
	CU_ASSERT_PTR_NULL(strchr(enc, '\n'));
	CU_ASSERT_EQUAL(256, agent_word_decode(enc));
	CU_ASSERT_EQUAL(0, memcmp(in, enc, 256));
}

static void test_word_empty_and_limits(void)
{
	char enc[8];

	CU_ASSERT_EQUAL(1, agent_word_encode("", 0, enc, sizeof(enc)));
	CU_ASSERT_STRING_EQUAL("%", enc);
	CU_ASSERT_EQUAL(0, agent_word_decode(enc));
	CU_ASSERT_EQUAL(-1, agent_word_encode("a b c", 5, enc, 6)); /* needs "a%20b%20c" */
	CU_ASSERT_EQUAL(ERANGE, errno);
	strcpy(enc, "ab%4");
	CU_ASSERT_EQUAL(-1, agent_word_decode(enc));
	strcpy(enc, "%zz");
	CU_ASSERT_EQUAL(-1, agent_word_decode(enc));
}

static void test_msg_format_parse(void)
{
	const char *argv[] = { "ip", "addr", "add", "198.18.0.2/24", "" };
	char line[256];
	struct agent_msg m;
	int n = agent_msg_format(line, sizeof(line), 42, "run", 5, argv, NULL);

	CU_ASSERT_STRING_EQUAL("42 run ip addr add 198.18.0.2/24 %\n", line);
	CU_ASSERT_EQUAL((int)strlen(line), n);
	line[n - 1] = '\0';
	CU_ASSERT_EQUAL(0, agent_msg_parse(line, &m));
	CU_ASSERT_EQUAL(42, m.id);
	CU_ASSERT_STRING_EQUAL("run", m.verb);
	CU_ASSERT_EQUAL(5, m.argc);
	CU_ASSERT_STRING_EQUAL("198.18.0.2/24", m.argv[3]);
	CU_ASSERT_STRING_EQUAL("", m.argv[4]);
	CU_ASSERT_PTR_NULL(m.argv[5]);
}

static void test_msg_binary_arg(void)
{
	const char data[] = { 'a', '\0', '\n', 'b' };
	const char *argv[] = { data };
	size_t lens[] = { sizeof(data) };
	char line[64];
	struct agent_msg m;
	int n = agent_msg_format(line, sizeof(line), 7, "ok", 1, argv, lens);

	line[n - 1] = '\0';
	CU_ASSERT_EQUAL(0, agent_msg_parse(line, &m));
	CU_ASSERT_EQUAL(4, m.arglen[0]);
	CU_ASSERT_EQUAL(0, memcmp(data, m.argv[0], 4));
}

static void test_msg_rejects(void)
{
	const char *bad[] = { "", "12", "x ping", "-1 ping", "99999999999 ping", "3 %", "3 a%g",
			      /* a verb is a plain word: "3 %20" (found by fuzz_agent) had the
			       * verb " ", formatted back as "3  " (no verb); "a%20b" as two words */
			      "3 %20", "3 a%20b", "3 a%00", "3 ping\x10" };
	struct agent_msg m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[64];

		strcpy(line, bad[i]);
		errno = 0;
		CU_ASSERT_EQUAL(-1, agent_msg_parse(line, &m));
		CU_ASSERT_EQUAL(EINVAL, errno);
	}
}

static void feed(struct agent_rbuf *rb, const char *s, size_t len)
{
	size_t room;
	char *p = agent_rbuf_space(rb, &room);

	CU_ASSERT_TRUE_FATAL(room >= len);
	memcpy(p, s, len);
	agent_rbuf_commit(rb, len);
}

static void test_rbuf_pieces(void)
{
	struct agent_rbuf *rb = malloc(sizeof(*rb));
	char *l;

	agent_rbuf_init(rb);
	feed(rb, "1 pi", 4);
	CU_ASSERT_PTR_NULL(agent_rbuf_line(rb));
	CU_ASSERT_EQUAL(EAGAIN, errno);
	feed(rb, "ng\r\n2 ok 5\n0 re", 15);
	l = agent_rbuf_line(rb);
	CU_ASSERT_STRING_EQUAL("1 ping", l);
	l = agent_rbuf_line(rb);
	CU_ASSERT_STRING_EQUAL("2 ok 5", l);
	CU_ASSERT_PTR_NULL(agent_rbuf_line(rb));
	feed(rb, "ady 9\n", 6);
	l = agent_rbuf_line(rb);
	CU_ASSERT_STRING_EQUAL("0 ready 9", l);
	free(rb);
}

static void test_rbuf_overlong_dropped(void)
{
	struct agent_rbuf *rb = malloc(sizeof(*rb));
	size_t room, total = 0;
	char *p, *l;

	agent_rbuf_init(rb);
	/* Fill beyond capacity without a newline, then end the line and send another. */
	while (total < AGENT_LINE_MAX + 100) {
		p = agent_rbuf_space(rb, &room);
		room = room > 4096 ? 4096 : room;
		memset(p, 'x', room);
		agent_rbuf_commit(rb, room);
		total += room;
		CU_ASSERT_PTR_NULL(agent_rbuf_line(rb));
	}
	feed(rb, "x\n5 ping\n", 9);
	l = agent_rbuf_line(rb);
	CU_ASSERT_PTR_NULL(l);
	CU_ASSERT_EQUAL(E2BIG, errno);
	l = agent_rbuf_line(rb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_STRING_EQUAL("5 ping", l);
	free(rb);
}

/* Build a request from words and carry it out. */
static struct agent_reply *dispatch(const char *verb, int argc, char **argv)
{
	static struct agent_reply rep;
	struct agent_msg m = { .id = 1, .argc = argc };

	snprintf(m.verb, sizeof(m.verb), "%s", verb);
	for (int i = 0; i < argc; i++) {
		m.argv[i] = argv[i];
		m.arglen[i] = strlen(argv[i]);
	}
	m.argv[argc] = NULL;
	CU_ASSERT_EQUAL(0, agent_exec_dispatch(&m, &rep));
	return &rep;
}

static void test_exec_run_status_output(void)
{
	struct agent_reply *rep = dispatch("run", 3, (char *[]){ "sh", "-c", "echo out; echo err >&2; exit 3" });

	CU_ASSERT_EQUAL(0, rep->err);
	CU_ASSERT_EQUAL_FATAL(2, rep->n);
	CU_ASSERT_STRING_EQUAL("3", rep->words[0]);
	CU_ASSERT_EQUAL(8, rep->lens[1]);
	CU_ASSERT_EQUAL(0, memcmp("out\nerr\n", rep->words[1], 8));
	rep = dispatch("run", 1, (char *[]){ "/no/such/program" });
	CU_ASSERT_STRING_EQUAL("127", rep->words[0]);
}

static void test_exec_read_offset(void)
{
	char path[] = "/tmp/fl-agent-test.XXXXXX";
	int fd = mkstemp(path);
	struct agent_reply *rep;

	CU_ASSERT_TRUE_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(10, write(fd, "0123456789", 10));
	close(fd);
	rep = dispatch("read", 1, (char *[]){ path });
	CU_ASSERT_EQUAL(10, rep->lens[0]);
	rep = dispatch("read", 2, (char *[]){ path, "7" });
	CU_ASSERT_EQUAL_FATAL(3, rep->lens[0]);
	CU_ASSERT_EQUAL(0, memcmp("789", rep->words[0], 3));
	unlink(path);
	rep = dispatch("read", 1, (char *[]){ path });
	CU_ASSERT_EQUAL(ENOENT, rep->err);
}

static void test_exec_spawn_kill(void)
{
	struct agent_reply *rep = dispatch("spawn", 4, (char *[]){ "/dev/null", "/dev/null", "sleep", "30" });
	char pid[32];
	int ws = 0;
	pid_t p;

	CU_ASSERT_EQUAL_FATAL(0, rep->err);
	snprintf(pid, sizeof(pid), "%s", rep->words[0]);
	p = (pid_t)atoi(pid);
	CU_ASSERT_TRUE_FATAL(p > 0);
	rep = dispatch("kill", 2, (char *[]){ pid, "15" });
	CU_ASSERT_EQUAL(0, rep->err);
	CU_ASSERT_EQUAL(p, waitpid(p, &ws, 0));
	CU_ASSERT_EQUAL(128 + SIGTERM, agent_exec_status(ws));
	rep = dispatch("kill", 2, (char *[]){ "1", "9" }); /* never PID 1 */
	CU_ASSERT_EQUAL(EINVAL, rep->err);
}

static void test_exec_unknown_verb(void)
{
	CU_ASSERT_EQUAL(ENOSYS, dispatch("format-disk", 0, (char *[]){ NULL })->err);
	CU_ASSERT_EQUAL(EINVAL, dispatch("ifconf", 1, (char *[]){ "x" })->err);
}

static char pty_out[8192];
static size_t pty_got;

static void pty_collect(void *arg, pid_t pid, const char *data, size_t len)
{
	(void)arg;
	(void)pid;
	if (pty_got + len < sizeof(pty_out)) {
		memcpy(pty_out + pty_got, data, len);
		pty_got += len;
		pty_out[pty_got] = '\0';
	}
}

/* A terminal session: its size, typed input, its output through the poll hooks, its
 * last words drained when it is reaped, its exit status; and the verbs' errors. */
static void test_exec_pty_session(void)
{
	struct agent_reply *rep = dispatch(
	    "pty", 5, (char *[]){ "30", "100", "sh", "-c", "stty size; read x; echo got-$x; exit 4" });
	char pid[32];
	int ws = 0;

	CU_ASSERT_EQUAL_FATAL(0, rep->err);
	snprintf(pid, sizeof(pid), "%s", rep->words[0]);
	pid_t p = (pid_t)atoi(pid);
	CU_ASSERT_TRUE_FATAL(p > 0);
	CU_ASSERT_EQUAL(0, dispatch("winch", 3, (char *[]){ pid, "30", "100" })->err);
	CU_ASSERT_EQUAL(0, dispatch("in", 2, (char *[]){ pid, "hello\n" })->err);
	pty_got = 0;
	for (int i = 0; i < 300 && !strstr(pty_out, "got-hello"); i++) {
		struct pollfd pf[AGENT_PTY_MAX];
		int n = agent_pty_pollfds(pf, AGENT_PTY_MAX);
		CU_ASSERT_EQUAL_FATAL(1, n);
		poll(pf, (nfds_t)n, 10);
		agent_pty_service(pf, n, pty_collect, NULL);
	}
	CU_ASSERT_EQUAL(p, waitpid(p, &ws, 0));
	CU_ASSERT_EQUAL(1, agent_pty_reaped(p, pty_collect, NULL));
	CU_ASSERT_EQUAL(0, agent_pty_reaped(p, pty_collect, NULL)); /* freed */
	CU_ASSERT_EQUAL(4, agent_exec_status(ws));
	CU_ASSERT_PTR_NOT_NULL(strstr(pty_out, "30 100"));
	CU_ASSERT_PTR_NOT_NULL(strstr(pty_out, "got-hello"));
	CU_ASSERT_EQUAL(ESRCH, dispatch("in", 2, (char *[]){ pid, "x" })->err);
	CU_ASSERT_EQUAL(ESRCH, dispatch("winch", 3, (char *[]){ pid, "1", "1" })->err);
	CU_ASSERT_EQUAL(EINVAL, dispatch("pty", 3, (char *[]){ "0", "80", "sh" })->err);
	CU_ASSERT_EQUAL(EINVAL, dispatch("pty", 2, (char *[]){ "24", "80" })->err);
}

void register_agent_suite(void)
{
	CU_pSuite s = CU_add_suite("agent", NULL, NULL);

	CU_add_test(s, "word_roundtrip_all_bytes", test_word_roundtrip_all_bytes);
	CU_add_test(s, "word_empty_and_limits", test_word_empty_and_limits);
	CU_add_test(s, "msg_format_parse", test_msg_format_parse);
	CU_add_test(s, "msg_binary_arg", test_msg_binary_arg);
	CU_add_test(s, "msg_rejects", test_msg_rejects);
	CU_add_test(s, "rbuf_pieces", test_rbuf_pieces);
	CU_add_test(s, "rbuf_overlong_dropped", test_rbuf_overlong_dropped);
	CU_add_test(s, "exec_run_status_output", test_exec_run_status_output);
	CU_add_test(s, "exec_read_offset", test_exec_read_offset);
	CU_add_test(s, "exec_spawn_kill", test_exec_spawn_kill);
	CU_add_test(s, "exec_unknown_verb", test_exec_unknown_verb);
	CU_add_test(s, "exec_pty_session", test_exec_pty_session);
}
