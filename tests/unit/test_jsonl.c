/*
 * test_jsonl.c - common/jsonl: event lines written in order, compact, integers as
 * integers, "%g" reals as the same text, strings escaped and made UTF-8; lines read
 * back, and garbage (truncated, nested to exhaustion, not UTF-8, two objects, ...)
 * refused with EINVAL.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonl.h"

void register_jsonl_suite(void);

/* What jsonl_line_write() wrote for @o, in one read of a pipe. */
static char *t_line(const json_t *o)
{
	static char buf[16384];
	int p[2];
	ssize_t n;

	CU_ASSERT_EQUAL_FATAL(0, pipe(p));
	CU_ASSERT_EQUAL(0, jsonl_line_write(p[1], o));
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_event_line_in_order(void)
{
	json_t *o = jsonl_event_new(1234, "timeline", "apply");

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(
	    0, json_object_update_new(o, json_pack("{s:i,s:s,s:s,s:I,s:f}", "id", 3, "fault",
						   "loss", "target", "lb1.private", "sched_ns",
						   (json_int_t)1200, "percent", 0.1)));
	CU_ASSERT_EQUAL(0, jsonl_set(o, "jitter", json_real(12.5)));
	CU_ASSERT_EQUAL(0, jsonl_set(o, "big", json_integer(-9007199254740993LL)));
	CU_ASSERT_EQUAL(0, jsonl_set(o, "ok", json_true()));
	/* "%g" text of a real reads back as the same text: 12.3457 */
	CU_ASSERT_EQUAL(0, jsonl_set(o, "g", json_real(strtod("12.3457", NULL))));
	CU_ASSERT_STRING_EQUAL("{\"t_ns\":1234,\"src\":\"timeline\",\"ev\":\"apply\",\"id\":3,"
			       "\"fault\":\"loss\",\"target\":\"lb1.private\",\"sched_ns\":1200,"
			       "\"percent\":0.1,\"jitter\":12.5,\"big\":-9007199254740993,"
			       "\"ok\":true,\"g\":12.3457}\n",
			       t_line(o));
	json_decref(o);
}

static void test_strings_escaped(void)
{
	json_t *o = json_object();

	jsonl_set(o, "s", jsonl_str("a\"b\\c\nd\te\x01/\xc3\xa9"));
	jsonl_set(o, "bad", jsonl_str("x\xff\xfey")); /* not UTF-8 */
	jsonl_set(o, "none", jsonl_str(NULL));
	CU_ASSERT_STRING_EQUAL("{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001/\xc3\xa9\",\"bad\":\"x??y\","
			       "\"none\":null}\n",
			       t_line(o));
	json_decref(o);
	o = json_object();
	CU_ASSERT_EQUAL(-1, jsonl_set(o, "x", NULL)); /* a failed constructor */
	CU_ASSERT_EQUAL(ENOMEM, errno);
	json_decref(o);
}

static void test_numbers(void)
{
	json_t *o = json_object();

	jsonl_set(o, "a", jsonl_num(100.0));
	jsonl_set(o, "b", jsonl_num(-1.5));
	jsonl_set(o, "c", jsonl_num(2e10));
	jsonl_set(o, "d", jsonl_num(0.0));
	CU_ASSERT_TRUE(json_is_integer(json_object_get(o, "a")));
	CU_ASSERT_TRUE(json_is_real(json_object_get(o, "c")));
	CU_ASSERT_STRING_EQUAL("{\"a\":100,\"b\":-1.5,\"c\":20000000000.0,\"d\":0}\n", t_line(o));
	CU_ASSERT_PTR_NULL(jsonl_num(1.0 / 0.0));
	CU_ASSERT_PTR_NULL(jsonl_num(0.0 / 0.0));
	json_decref(o);
}

/* A line longer than the stack buffer goes out whole, in one write. */
static void test_long_line(void)
{
	char big[9000];
	json_t *o = jsonl_event_new(1, "g", "guest-ready");

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	jsonl_set(o, "cmdline", jsonl_str(big));
	char *line = t_line(o);
	CU_ASSERT_EQUAL(
	    strlen("{\"t_ns\":1,\"src\":\"g\",\"ev\":\"guest-ready\",\"cmdline\":\"\"}\n") +
		sizeof(big) - 1,
	    strlen(line));
	CU_ASSERT_EQUAL('\n', line[strlen(line) - 1]);
	json_decref(o);
}

/* Lines as fl-lb, the wire observer and node_qemu write them. */
static void test_parse_real_lines(void)
{
	const char *lb = "{\"t_ns\":540270115492,\"src\":\"lb1\",\"ev\":\"backend\",\"backend\":"
			 "\"web1\",\"addr\":\"198.18.1.3:80\",\"state\":\"down\",\"reason\":"
			 "\"timeout\"}\n";
	const char *guest = "{\"t_ns\":77,\"src\":\"g1\",\"ev\":\"guest-ready\",\"boot_ms\":812,"
			    "\"cmdline\":\"console=ttyS0 fl.name=g1 noapic\",\"irq_ioapic\":0,"
			    "\"clock_offset_ns\":-1234567}\r\n";
	json_t *o = jsonl_line_parse(lb, strlen(lb));

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_TRUE(jsonl_is_ev(o, "backend"));
	CU_ASSERT_EQUAL(540270115492LL, jsonl_get_int(o, "t_ns", 0));
	CU_ASSERT_STRING_EQUAL("198.18.1.3:80", jsonl_get_str(o, "addr"));
	CU_ASSERT_STRING_EQUAL("", jsonl_get_str(o, "missing"));
	CU_ASSERT_STRING_EQUAL("", jsonl_get_str(o, "t_ns")); /* not a string */
	CU_ASSERT_EQUAL(-7, jsonl_get_int(o, "state", -7));   /* not a number */
	json_decref(o);
	o = jsonl_line_parse(guest, strlen(guest));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_EQUAL(-1234567, jsonl_get_int(o, "clock_offset_ns", 0));
	CU_ASSERT_EQUAL(0, jsonl_get_int(o, "irq_ioapic", -1));
	CU_ASSERT_STRING_EQUAL("console=ttyS0 fl.name=g1 noapic", jsonl_get_str(o, "cmdline"));
	json_decref(o);
	o = jsonl_line_parse("{\"x\":-1.9e3,\"b\":true}", 21);
	CU_ASSERT_EQUAL(-1900, jsonl_get_int(o, "x", 0));
	CU_ASSERT_EQUAL(5, jsonl_get_int(o, "b", 5));
	json_decref(o);
}

static void test_parse_rejects_garbage(void)
{
	const char *bad[] = {"",
			     "\n",
			     "{",
			     "[]",
			     "null",
			     "\"t_ns\"",
			     "{\"t_ns\":1} x",
			     "{\"t_ns\":1}\n{\"t_ns\":2}",
			     "{\"t_ns\":1,\"src\":\"lb1\",\"ev\":\"sta",
			     "{\"a\":1,}",
			     "{a:1}",
			     "{\"a\":tru}",
			     "{\"a\":\"\x01\"}",
			     "{\"a\":\"\xc3\"}",
			     "{\"a\":\"\\u0000\"}",
			     "{\"a\":01}",
			     "{\"a\":NaN}"};
	json_t *o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		o = jsonl_line_parse(bad[i], strlen(bad[i]));
		CU_ASSERT_PTR_NULL(o);
		CU_ASSERT_EQUAL(EINVAL, errno);
		json_decref(o);
	}
	/* the length given is what is read: a NUL inside is no end of line */
	CU_ASSERT_PTR_NULL(jsonl_line_parse("{\"a\":1}\0{", 9));
	/* nesting deep enough to exhaust a recursive parser's stack */
	size_t depth = 200000;
	char *deep = malloc(2 * depth + 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(deep);
	memcpy(deep, "{\"a\":", 5);
	memset(deep + 5, '[', depth);
	memset(deep + 5 + depth, ']', depth);
	memcpy(deep + 5 + 2 * depth, "}", 2);
	errno = 0;
	CU_ASSERT_PTR_NULL(jsonl_line_parse(deep, strlen(deep)));
	CU_ASSERT_EQUAL(EINVAL, errno);
	free(deep);
}

void register_jsonl_suite(void)
{
	CU_pSuite s = CU_add_suite("jsonl", NULL, NULL);

	CU_add_test(s, "event_line_in_order", test_event_line_in_order);
	CU_add_test(s, "strings_escaped", test_strings_escaped);
	CU_add_test(s, "numbers", test_numbers);
	CU_add_test(s, "long_line", test_long_line);
	CU_add_test(s, "parse_real_lines", test_parse_real_lines);
	CU_add_test(s, "parse_rejects_garbage", test_parse_rejects_garbage);
}
