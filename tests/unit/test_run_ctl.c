/*
 * test_run_ctl.c - the control socket of a live run (run_ctl.h) on a run without a lab:
 * the socket file is 0600, hello describes the run and its nodes, the state follows
 * run_ctl_state_set, inject goes to the run's hook, and what is no request (no JSON,
 * an unknown op, a line over RUN_CTL_REQ_MAX, a namespace before the lab) is answered
 * with an error. As a user other than root the connection is closed unanswered.
 */
#include <CUnit/CUnit.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "ev.h"
#include "jsonl.h"
#include "run.h"
#include "run_ctl.h"
#include "scn.h"

static char injected[256];

static int inject_stub(void *arg, const char *text, char *msg, size_t len)
{
	(void)arg;
	snprintf(injected, sizeof(injected), "%s", text);
	if (!strcmp(text, "bad"))
		return snprintf(msg, len, "refused: %s", text), -1;
	snprintf(msg, len, "fired: %s", text);
	return 0;
}

static int client_fd;

static bool client_readable(void *arg)
{
	struct pollfd p = {.fd = client_fd, .events = POLLIN};
	(void)arg;
	return poll(&p, 1, 0) == 1;
}

/* Send @req (@len bytes) on a new connection, let the run's loop answer; the reply
 * object, or NULL when the connection was closed without one. */
static json_t *ask(struct run *r, const char *req, size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[8192];
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", run_dir(r), RUN_CTL_SOCK);
	client_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL_FATAL(0, connect(client_fd, (struct sockaddr *)&sa, sizeof(sa)));
	CU_ASSERT_EQUAL((ssize_t)len, write(client_fd, req, len));
	ev_loop_run_until(run_loop(r), ev_now_ns() + 2000000000LL, client_readable, NULL);
	n = read(client_fd, buf, sizeof(buf) - 1);
	close(client_fd);
	if (n <= 0)
		return NULL;
	CU_ASSERT_EQUAL('\n', buf[n - 1]);
	return jsonl_line_parse(buf, (size_t)n - 1);
}

static json_t *ask_str(struct run *r, const char *req)
{
	return ask(r, req, strlen(req));
}

static void error_is(json_t *o, const char *want)
{
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT(json_is_false(json_object_get(o, "ok")));
	CU_ASSERT_STRING_EQUAL(want, jsonl_get_str(o, "error"));
	json_decref(o);
}

static void test_ctl_requests(void)
{
	static const char text[] = "scenario unit-ctl\nduration 2s\n"
				   "network lan 198.18.0.0/24\nnode a on lan\nnode b on lan\n";
	char base[] = "/tmp/fl-unit-ctl.XXXXXX", path[PATH_MAX], cmd[64];
	struct scn_err err;
	struct scn *s = scn_parse("unit.scn", text, sizeof(text) - 1, NULL, 0, &err);
	struct stat st;
	json_t *o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(base));
	struct run *r = run_new(s, base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct run_ctl_ops ops = {.inject = inject_stub};
	struct run_ctl *c = run_ctl_start(r, &ops);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	run_path(r, RUN_CTL_SOCK, path, sizeof(path));
	CU_ASSERT_EQUAL_FATAL(0, stat(path, &st));
	CU_ASSERT(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(0600, st.st_mode & 07777);

	if (geteuid() != 0) { /* root only: closed unanswered */
		CU_ASSERT_PTR_NULL(ask_str(r, "{\"op\":\"hello\"}\n"));
		goto out;
	}
	o = ask_str(r, "{\"op\":\"hello\"}\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT(json_is_true(json_object_get(o, "ok")));
	CU_ASSERT_STRING_EQUAL("unit-ctl", jsonl_get_str(o, "scenario"));
	CU_ASSERT_STRING_EQUAL("timeline", jsonl_get_str(o, "state"));
	CU_ASSERT_EQUAL(getpid(), jsonl_get_int(o, "pid", 0));
	CU_ASSERT_EQUAL(2000, jsonl_get_int(o, "duration_ms", 0));
	json_t *nodes = json_object_get(o, "nodes");
	CU_ASSERT_EQUAL(2, json_array_size(nodes));
	CU_ASSERT_STRING_EQUAL("b", jsonl_get_str(json_array_get(nodes, 1), "name"));
	CU_ASSERT_STRING_EQUAL("netns", jsonl_get_str(json_array_get(nodes, 1), "kind"));
	CU_ASSERT_STRING_EQUAL("198.18.0.2/24 lan",
			       json_string_value(json_array_get(
				   json_object_get(json_array_get(nodes, 1), "addrs"), 0)));
	json_decref(o);

	run_ctl_state_set(c, "held");
	o = ask_str(r, "{\"op\":\"hello\"}\n");
	CU_ASSERT_STRING_EQUAL("held", jsonl_get_str(o, "state"));
	json_decref(o);

	o = ask_str(r, "{\"op\":\"inject\",\"fault\":\"blackhole a.lan for 2s\"}\n");
	CU_ASSERT_STRING_EQUAL("blackhole a.lan for 2s", injected);
	CU_ASSERT_STRING_EQUAL("fired: blackhole a.lan for 2s", jsonl_get_str(o, "msg"));
	json_decref(o);
	error_is(ask_str(r, "{\"op\":\"inject\",\"fault\":\"bad\"}\n"), "refused: bad");

	error_is(ask_str(r, "{\"op\":\"netns\",\"node\":\"c\"}\n"),
		 "scenario unit-ctl has no node 'c' (nodes: a, b)");
	error_is(ask_str(r, "{\"op\":\"netns\",\"node\":\"a\"}\n"), "the lab is not built");
	error_is(ask_str(r, "{\"op\":\"frob\"}\n"),
		 "unknown op 'frob' (hello, netns, run, pty, inject)");
	error_is(ask_str(r, "not json\n"), "a request is one JSON object on one line");
	char *big = malloc(RUN_CTL_REQ_MAX + 10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, ' ', RUN_CTL_REQ_MAX + 10);
	error_is(ask(r, big, RUN_CTL_REQ_MAX + 10), "request longer than 4096 bytes");
	free(big);
out:
	run_free(r); /* the teardown closes the socket and removes its file */
	CU_ASSERT_EQUAL(-1, stat(path, &st));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	CU_ASSERT_EQUAL(0, system(cmd));
	scn_free(s);
}

void register_run_ctl_suite(void);
void register_run_ctl_suite(void)
{
	CU_pSuite s = CU_add_suite("run_ctl", NULL, NULL);

	CU_add_test(s, "requests, errors, 0600", test_ctl_requests);
}
