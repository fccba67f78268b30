/*
 * test_node_qemu_tail.c - guest service files brought back to the host: each guest time is
 * moved onto the host's base, everything else is copied byte for byte.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_qemu.h"

/* A guest clock 5 s behind before guest time 1000, 12 s behind after (a 7 s stall). */
static int64_t map_stall(void *arg, int64_t guest_ns)
{
	int *calls = arg;

	(*calls)++;
	return guest_ns + (guest_ns < 1000 ? 5000000000LL : 12000000000LL);
}

/* node_qemu_tail_line() of @in into a string (freed by the caller); calls counted in @calls. */
static char *rewrite(enum node_qemu_tail_kind kind, const char *in, int *calls)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	*calls = 0;
	node_qemu_tail_line(f, kind, in, strlen(in), map_stall, calls);
	fclose(f);
	return out;
}

static void test_line_event_time_mapped(void)
{
	int calls;
	char *s =
	    rewrite(NODE_QEMU_TAIL_EVENTS,
		    "{\"t_ns\":999,\"src\":\"lb1\",\"ev\":\"state\",\"to\":\"master\"}", &calls);

	CU_ASSERT_STRING_EQUAL(s, "{\"t_ns\":5000000999,\"src\":\"lb1\",\"ev\":\"state\","
				  "\"to\":\"master\"}\n");
	CU_ASSERT_EQUAL(1, calls);
	free(s);
	s = rewrite(NODE_QEMU_TAIL_EVENTS, "{\"t_ns\":1000,\"src\":\"lb1\",\"ev\":\"ready\"}", &calls);
	CU_ASSERT_STRING_EQUAL(s, "{\"t_ns\":12000001000,\"src\":\"lb1\",\"ev\":\"ready\"}\n");
	free(s);
}

static void test_line_event_without_time_kept(void)
{
	int calls;
	char *s = rewrite(NODE_QEMU_TAIL_EVENTS, "{\"src\":\"lb1\",\"ev\":\"ready\"}", &calls);

	CU_ASSERT_STRING_EQUAL(s, "{\"src\":\"lb1\",\"ev\":\"ready\"}\n");
	CU_ASSERT_EQUAL(0, calls);
	free(s);
}

/* The member "t_ns" is mapped, not the first text that looks like it; garbage is copied. */
static void test_line_event_parsed(void)
{
	int calls;
	char *s = rewrite(NODE_QEMU_TAIL_EVENTS,
			  "{\"why\":\"\\\"t_ns\\\":1\",\"t_ns\":999,\"src\":\"lb1\",\"ev\":\"x\"}",
			  &calls);

	CU_ASSERT_STRING_EQUAL(s, "{\"why\":\"\\\"t_ns\\\":1\",\"t_ns\":5000000999,\"src\":"
				  "\"lb1\",\"ev\":\"x\"}\n");
	CU_ASSERT_EQUAL(1, calls);
	free(s);
	s = rewrite(NODE_QEMU_TAIL_EVENTS, "{\"t_ns\":999,\"src\":\"lb1\",\"ev\":\"sta", &calls);
	CU_ASSERT_STRING_EQUAL(s, "{\"t_ns\":999,\"src\":\"lb1\",\"ev\":\"sta\n");
	CU_ASSERT_EQUAL(0, calls);
	free(s);
	s = rewrite(NODE_QEMU_TAIL_EVENTS, "{\"t_ns\":0,\"src\":\"lb1\",\"ev\":\"x\"}", &calls);
	CU_ASSERT_STRING_EQUAL(s, "{\"t_ns\":0,\"src\":\"lb1\",\"ev\":\"x\"}\n");
	CU_ASSERT_EQUAL(0, calls);
	free(s);
}

static void test_line_csv_three_times_mapped(void)
{
	int calls;
	char *s = rewrite(NODE_QEMU_TAIL_CSV, "100,200,3000,ok,2900,web1,1234", &calls);

	CU_ASSERT_STRING_EQUAL(s, "5000000100,5000000200,12000003000,ok,2900,web1,1234\n");
	CU_ASSERT_EQUAL(3, calls);
	free(s);
}

static void test_line_csv_header_and_never_kept(void)
{
	int calls;
	char *s = rewrite(NODE_QEMU_TAIL_CSV, "sched_ns,start_ns,end_ns,outcome,latency_us,backend,bytes",
			  &calls);

	CU_ASSERT_STRING_EQUAL(s, "sched_ns,start_ns,end_ns,outcome,latency_us,backend,bytes\n");
	CU_ASSERT_EQUAL(0, calls);
	free(s);
	/* a request that never started: start 0 stays 0 */
	s = rewrite(NODE_QEMU_TAIL_CSV, "100,0,2000,connect-timeout,1900,,0", &calls);
	CU_ASSERT_STRING_EQUAL(s, "5000000100,0,12000002000,connect-timeout,1900,,0\n");
	CU_ASSERT_EQUAL(2, calls);
	free(s);
}

static void test_line_raw_untouched(void)
{
	int calls;
	char *s = rewrite(NODE_QEMU_TAIL_RAW, "{\"t_ns\":5} 1,2,3", &calls);

	CU_ASSERT_STRING_EQUAL(s, "{\"t_ns\":5} 1,2,3\n");
	CU_ASSERT_EQUAL(0, calls);
	free(s);
}

void register_node_qemu_tail_suite(void);
void register_node_qemu_tail_suite(void)
{
	CU_pSuite suite = CU_add_suite("node_qemu_tail", NULL, NULL);

	CU_add_test(suite, "event time mapped", test_line_event_time_mapped);
	CU_add_test(suite, "event without time", test_line_event_without_time_kept);
	CU_add_test(suite, "event parsed, not searched", test_line_event_parsed);
	CU_add_test(suite, "csv times mapped", test_line_csv_three_times_mapped);
	CU_add_test(suite, "csv header, never", test_line_csv_header_and_never_kept);
	CU_add_test(suite, "raw untouched", test_line_raw_untouched);
}
