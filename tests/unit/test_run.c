/*
 * test_run.c - the run directory: name, -N suffix, latest, scenario copy, events.jsonl
 * lines (fields as JSON objects, in order), and the teardown list (reverse order, once).
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonl.h"
#include "run.h"
#include "scn.h"

static int order[8], n_order;

static void undo(void *arg)
{
	order[n_order++] = (int)(long)arg;
}

static struct scn *scn_small(void)
{
	static const char text[] = "scenario unit-run\nduration 1s\n"
				   "network lan 198.18.0.0/24\nnode a on lan\n";
	struct scn_err err;

	return scn_parse("unit.scn", text, sizeof(text) - 1, NULL, 0, &err);
}

static void test_run_dir_and_events(void)
{
	char base[] = "/tmp/fl-unit-run.XXXXXX", path[PATH_MAX], line[512];
	struct scn *s = scn_small();

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(base));
	struct run *a = run_new(s, base), *b = run_new(s, base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL(strstr(run_dir(a), "/unit-run-"));
	/* the same second gives a -N suffix, never the same directory */
	CU_ASSERT_STRING_NOT_EQUAL(run_dir(a), run_dir(b));
	snprintf(path, sizeof(path), "%s/latest", base);
	ssize_t n = readlink(path, line, sizeof(line) - 1);
	CU_ASSERT_FATAL(n > 0);
	line[n] = '\0';
	CU_ASSERT_STRING_EQUAL(strrchr(run_dir(b), '/') + 1, line);

	CU_ASSERT_EQUAL(0,
			run_event_obj(a, 42, "lb\"1", "state", json_pack("{s:s}", "to", "master")));
	CU_ASSERT_EQUAL(0, run_event_obj(a, 43, "run", "t0", NULL));
	/* members in the order added, integers as integers, outside bytes made UTF-8 */
	json_t *o = json_pack("{s:i,s:s,s:o,s:o,s:f,s:b}", "z", 1, "s", "\n", "w",
			      jsonl_str("a\xff"), "n", jsonl_num(2.0), "r", 0.5, "ok", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(0, jsonl_set(o, "a", json_integer(-9007199254740993LL)));
	CU_ASSERT_EQUAL(0, run_event_obj(a, 44, "x", "z", o));
	/* fields that are no object: the event is kept without them, and said to be wrong */
	errno = 0;
	CU_ASSERT_EQUAL(-1, run_event_obj(a, 45, "x", "y", json_array()));
	CU_ASSERT_EQUAL(EINVAL, errno);
	run_path(a, "events.jsonl", path, sizeof(path));
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	CU_ASSERT_STRING_EQUAL("{\"t_ns\":42,\"src\":\"lb\\\"1\",\"ev\":\"state\",\"to\":\"master\"}\n",
			       line);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	CU_ASSERT_STRING_EQUAL("{\"t_ns\":43,\"src\":\"run\",\"ev\":\"t0\"}\n", line);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	CU_ASSERT_STRING_EQUAL("{\"t_ns\":44,\"src\":\"x\",\"ev\":\"z\",\"z\":1,\"s\":\"\\n\","
			       "\"w\":\"a?\",\"n\":2,\"r\":0.5,\"ok\":false,"
			       "\"a\":-9007199254740993}\n",
			       line);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	CU_ASSERT_STRING_EQUAL("{\"t_ns\":45,\"src\":\"x\",\"ev\":\"y\"}\n", line);
	CU_ASSERT_PTR_NULL(fgets(line, sizeof(line), f));
	fclose(f);
	run_path(a, "scenario.scn", path, sizeof(path));
	CU_ASSERT_EQUAL(0, access(path, R_OK));

	char cmd[PATH_MAX + 16];
	run_free(a);
	run_free(b);
	run_free(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	CU_ASSERT_EQUAL(0, system(cmd));
	scn_free(s);
}

static void test_teardown_reverse_once(void)
{
	char base[] = "/tmp/fl-unit-run.XXXXXX", cmd[64];
	struct scn *s = scn_small();

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(base));
	struct run *r = run_new(s, base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	n_order = 0;
	for (long i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(0, run_defer(r, undo, (void *)i, "test"));
	run_teardown(r);
	run_teardown(r);
	CU_ASSERT_EQUAL(3, n_order);
	CU_ASSERT_EQUAL(3, order[0]);
	CU_ASSERT_EQUAL(2, order[1]);
	CU_ASSERT_EQUAL(1, order[2]);
	run_free(r);
	CU_ASSERT_EQUAL(3, n_order);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	CU_ASSERT_EQUAL(0, system(cmd));
	scn_free(s);
}

void register_run_suite(void);
void register_run_suite(void)
{
	CU_pSuite s = CU_add_suite("run", NULL, NULL);

	CU_add_test(s, "run directory, latest and events.jsonl", test_run_dir_and_events);
	CU_add_test(s, "teardown: reverse order, once", test_teardown_reverse_once);
}
