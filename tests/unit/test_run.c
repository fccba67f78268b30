/*
 * test_run.c - the run directory: name, -N suffix, latest, scenario copy, events.jsonl
 * lines (fields as JSON objects, in order) after its start record, the start record read
 * back (run_kept_read: seed, params; refused when missing or malformed), and the
 * teardown list (reverse order, once).
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "\"src\":\"run\",\"ev\":\"start\",\"scenario\":"
					    "\"unit-run\",\"file\":\"unit.scn\",\"seed\":\"1\","
					    "\"params\":{},\"started\":\"20"));
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

/* Write @text as DIR/events.jsonl of a fresh directory under @base; the directory. */
static char *kept_dir(const char *base, const char *name, const char *text)
{
	static char dir[PATH_MAX];
	char path[PATH_MAX + 16];

	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return dir;
}

static void test_kept_read(void)
{
	static const char text[] = "scenario kept\nduration 1s\nseed 18446744073709551615\n"
				   "param rate \"10/s\"\nparam who \"a \\\"b\\\"\"\n"
				   "network lan 198.18.0.0/24\nnode a on lan\n";
	char base[] = "/tmp/fl-unit-kept.XXXXXX", cmd[64];
	struct scn_set set[] = {{"rate", "80/s"}, {"who", "x\nscenario evil"}};
	struct scn_err err;
	struct run_kept k;
	struct scn *s = scn_parse("k.scn", text, sizeof(text) - 1, set, 2, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(base));
	struct run *r = run_new(s, base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_TRUE(run_kept_is_run(run_dir(r)));
	CU_ASSERT_FALSE(run_kept_is_run(base));
	CU_ASSERT_EQUAL(0, run_event_obj(r, 1, "run", "start", NULL)); /* only the first counts */
	CU_ASSERT_EQUAL_FATAL(0, run_kept_read(run_dir(r), &k));
	CU_ASSERT_FALSE(k.has_t0); /* no timeline yet: nothing to judge */
	CU_ASSERT_FALSE(k.ended);
	run_kept_release(&k);
	CU_ASSERT_EQUAL(0, run_event_obj(r, 2, "lb1", "t0x", NULL));
	CU_ASSERT_EQUAL(0, run_event_obj(r, 3, "run", "t0", NULL));
	CU_ASSERT_EQUAL(0, run_event_obj(r, 4, "run", "end", json_pack("{s:b}", "interrupted", 1)));
	CU_ASSERT_EQUAL_FATAL(0, run_kept_read(run_dir(r), &k));
	CU_ASSERT_TRUE(k.has_t0);
	CU_ASSERT_TRUE(k.ended);
	CU_ASSERT_TRUE(k.interrupted);
	CU_ASSERT_STRING_EQUAL("kept", k.scenario);
	CU_ASSERT_STRING_EQUAL("k.scn", k.file);
	CU_ASSERT_EQUAL(18446744073709551615ULL, k.seed); /* above a JSON integer */
	CU_ASSERT_EQUAL_FATAL(2, k.n_sets);
	CU_ASSERT_STRING_EQUAL("rate", k.sets[0].name);
	CU_ASSERT_STRING_EQUAL("80/s", k.sets[0].value); /* the --set value, not the default */
	CU_ASSERT_STRING_EQUAL("who", k.sets[1].name);
	CU_ASSERT_STRING_EQUAL("x\nscenario evil", k.sets[1].value); /* exactly */
	CU_ASSERT_EQUAL(20, strlen(k.started));
	/* the copy: the text parsed (k.scn is no file), the values as comments that a
	 * newline in a value cannot end; parsed again with the record's values, the same */
	char path[PATH_MAX + 16], copy[1024] = "";
	snprintf(path, sizeof(path), "%s/scenario.scn", run_dir(r));
	FILE *f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	size_t n = fread(copy, 1, sizeof(copy) - 1, f);
	fclose(f);
	copy[n] = '\0';
	char want[1024];
	snprintf(want, sizeof(want), "# run with: param rate \"80/s\"\n"
		 "# run with: param who \"x?scenario evil\"\n%s", text);
	CU_ASSERT_STRING_EQUAL(want, copy);
	struct scn *again = scn_load(path, k.sets, k.n_sets, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT_STRING_EQUAL("kept", again->name);
	CU_ASSERT_STRING_EQUAL("x\nscenario evil", again->params[1].value);
	scn_free(again);
	run_kept_release(&k);
	run_kept_release(&k); /* zeroed: a no-op */
	run_free(r);

	/* no start record, a malformed one, no events.jsonl */
	errno = 0;
	CU_ASSERT_EQUAL(-1, run_kept_read(kept_dir(base, "old", "{\"t_ns\":1,\"src\":\"run\","
						   "\"ev\":\"t0\"}\n"), &k));
	CU_ASSERT_EQUAL(ENODATA, errno);
	CU_ASSERT_EQUAL(-1, run_kept_read(kept_dir(base, "bad", "{\"t_ns\":1,\"src\":\"run\","
						   "\"ev\":\"start\",\"scenario\":\"x\","
						   "\"seed\":\"-1\",\"params\":{}}\n"), &k));
	CU_ASSERT_EQUAL(EINVAL, errno);
	CU_ASSERT_EQUAL(-1, run_kept_read(kept_dir(base, "bad2", "{\"t_ns\":1,\"src\":\"run\","
						   "\"ev\":\"start\",\"scenario\":\"x\","
						   "\"seed\":\"2\",\"params\":{\"a\":1}}\n"), &k));
	CU_ASSERT_EQUAL(EINVAL, errno);
	CU_ASSERT_EQUAL(NULL, k.sets); /* released on failure */
	CU_ASSERT_EQUAL(-1, run_kept_read(base, &k));
	CU_ASSERT_EQUAL(ENOENT, errno);
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
	CU_add_test(s, "start record read back", test_kept_read);
}
