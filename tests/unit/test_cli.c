/*
 * test_cli.c - the pure parts of the subcommands: explore's --seeds A-B parsing, its
 * min / median / p95 / max statistics (against values worked out by hand, and p95
 * against a sorted copy by the nearest-rank definition over many sizes), and the CPU
 * weight of a lab that --jobs counts.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "scn.h"

static void test_seeds_parse(void)
{
	uint64_t a = 99, b = 99;

	CU_ASSERT_EQUAL(cmd_seeds_parse("1-6", &a, &b), 0);
	CU_ASSERT_EQUAL(a, 1);
	CU_ASSERT_EQUAL(b, 6);
	CU_ASSERT_EQUAL(cmd_seeds_parse("42", &a, &b), 0);
	CU_ASSERT_EQUAL(a, 42);
	CU_ASSERT_EQUAL(b, 42);
	CU_ASSERT_EQUAL(cmd_seeds_parse("7-7", &a, &b), 0);
	CU_ASSERT_EQUAL(a, 7);
	CU_ASSERT_EQUAL(b, 7);
	CU_ASSERT_EQUAL(cmd_seeds_parse("0-18446744073709551615", &a, &b), 0);
	CU_ASSERT_EQUAL(b, UINT64_MAX);
	const char *bad[] = {"",
			     "-",
			     "6-1",
			     "1-",
			     "-5",
			     "a-b",
			     "1-2-3",
			     "1..6",
			     " 1-6",
			     "1-6 ",
			     "1-+6",
			     "1--6",
			     "18446744073709551616",
			     NULL};
	for (int i = 0; bad[i]; i++)
		CU_ASSERT_EQUAL(cmd_seeds_parse(bad[i], &a, &b), -1);
	CU_ASSERT_EQUAL(cmd_seeds_parse(NULL, &a, &b), -1);
}

static void test_stats_small(void)
{
	struct cmd_stats s;
	double one[] = {3.5};
	double odd[] = {9, 1, 5, 3, 7};
	double even[] = {4, 1, 3, 2};

	CU_ASSERT_EQUAL(cmd_stats_compute(one, 0, &s), -1);
	CU_ASSERT_EQUAL(cmd_stats_compute(one, 1, &s), 0);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_DOUBLE_EQUAL(s.min, 3.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.median, 3.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.p95, 3.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.max, 3.5, 1e-12);
	CU_ASSERT_EQUAL(cmd_stats_compute(odd, 5, &s), 0);
	CU_ASSERT_DOUBLE_EQUAL(s.min, 1, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.median, 5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.p95, 9, 1e-12); /* rank ceil(4.75) = 5 */
	CU_ASSERT_DOUBLE_EQUAL(s.max, 9, 1e-12);
	CU_ASSERT_EQUAL(cmd_stats_compute(even, 4, &s), 0);
	CU_ASSERT_DOUBLE_EQUAL(s.median, 2.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.p95, 4, 1e-12);
}

/* 1..100 shuffled: p95 is 95, median 50.5; 1..20: p95 is 19 (rank 19). */
static void test_stats_ranks(void)
{
	double v[100];
	struct cmd_stats s;

	for (int i = 0; i < 100; i++)
		v[i] = (double)((i * 37) % 100 + 1);
	CU_ASSERT_EQUAL(cmd_stats_compute(v, 100, &s), 0);
	CU_ASSERT_DOUBLE_EQUAL(s.min, 1, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.max, 100, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.median, 50.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.p95, 95, 1e-12);
	for (int i = 0; i < 20; i++)
		v[i] = 20 - i;
	CU_ASSERT_EQUAL(cmd_stats_compute(v, 20, &s), 0);
	CU_ASSERT_DOUBLE_EQUAL(s.p95, 19, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(s.median, 10.5, 1e-12);
	/* every size 1..60: p95 is the smallest value with at least 95% at or below it */
	for (int n = 1; n <= 60; n++) {
		for (int i = 0; i < n; i++)
			v[i] = (double)((i * 7919) % n);
		CU_ASSERT_EQUAL(cmd_stats_compute(v, n, &s), 0);
		int below = 0;
		for (int i = 0; i < n; i++)
			below += v[i] <= s.p95;
		CU_ASSERT(below * 100 >= 95 * n);
		CU_ASSERT(s.p95 == s.min || (below - 1) * 100 < 95 * n);
	}
}

static void test_jobs_weight(void)
{
	static const char text[] = "scenario w\n"
				   "duration 1s\n"
				   "network net 198.18.0.0/24\n"
				   "node a on net\n"
				   "node b on net\n";
	struct scn_err err;
	struct scn *s = scn_parse("w.scn", text, strlen(text), NULL, 0, &err);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(cmd_jobs_weight(s, 4), 1);
	s->nodes[0].kind = SCN_NODE_QEMU; /* as the grammar makes a qemu node */
	CU_ASSERT_EQUAL(cmd_jobs_weight(s, 4), 1);
	s->nodes[1].kind = SCN_NODE_QEMU;
	CU_ASSERT_EQUAL(cmd_jobs_weight(s, 4), 2);
	CU_ASSERT_EQUAL(cmd_jobs_weight(s, 1), 1); /* never more than --jobs: it runs alone */
	s->nodes[0].kind = s->nodes[1].kind = SCN_NODE_NETNS;
	scn_free(s);
	CU_ASSERT(cmd_jobs_default() >= 1);
}

void register_cli_suite(void);
void register_cli_suite(void)
{
	CU_pSuite s = CU_add_suite("cli", NULL, NULL);
	CU_add_test(s, "seeds_parse", test_seeds_parse);
	CU_add_test(s, "stats_small", test_stats_small);
	CU_add_test(s, "stats_ranks", test_stats_ranks);
	CU_add_test(s, "jobs_weight", test_jobs_weight);
}
