/*
 * test_tl_shrink.c - tl_shrink (delta debugging over firings) driven by synthetic
 * predicates: a failure that needs two given firings of 32, one that needs either of
 * two, one that needs nothing, one that never fails, noisy runs told apart by tries,
 * and random "needs all of C" predicates (ddmin finds exactly C) at several widths.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tl.h"

/* A predicate over a set; runs counts every run it was asked for. */
struct pred {
	int need[8], n_need; /* fails when the set holds all of these ... */
	int any[8], n_any;   /* ... or any one of these */
	int spurious_every;  /* noise: every Nth run fails whatever the set (0: none) */
	int miss_every;	     /* noise: every Nth run holds whatever the set (0: none) */
	int runs, calls, max_width, cands_seen;
	int fail_at_call; /* ops.run returns -1 at this call (0: never) */
	int decided, decided_failed;
};

static bool set_has(const int *set, int n, int x)
{
	for (int i = 0; i < n; i++)
		if (set[i] == x)
			return true;
	return false;
}

static bool pred_truth(const struct pred *p, const int *set, int n)
{
	if (p->n_any)
		for (int i = 0; i < p->n_any; i++)
			if (set_has(set, n, p->any[i]))
				return true;
	if (!p->n_need)
		return false;
	for (int i = 0; i < p->n_need; i++)
		if (!set_has(set, n, p->need[i]))
			return false;
	return true;
}

static int pred_run(void *arg, struct tl_shrink_run *runs, int n)
{
	struct pred *p = arg;

	if (++p->calls == p->fail_at_call)
		return errno = EINTR, -1;
	p->max_width = n > p->max_width ? n : p->max_width;
	for (int i = 0; i < n; i++) {
		p->runs++;
		runs[i].fails = pred_truth(p, runs[i].set, runs[i].n);
		if (p->spurious_every && p->runs % p->spurious_every == 0)
			runs[i].fails = true;
		if (p->miss_every && p->runs % p->miss_every == 0)
			runs[i].fails = false;
		for (int k = 1; k < runs[i].n; k++)
			CU_ASSERT_TRUE(runs[i].set[k - 1] < runs[i].set[k]);
		CU_ASSERT_TRUE(runs[i].try_no >= 1);
	}
	return 0;
}

static void pred_decided(void *arg, const struct tl_shrink_cand *c)
{
	struct pred *p = arg;

	CU_ASSERT_TRUE(c->decided);
	CU_ASSERT_FALSE(c->cached);
	CU_ASSERT_TRUE(c->k > 0);
	CU_ASSERT_TRUE(c->stage[0] != '\0');
	p->decided++;
	p->decided_failed += c->failed;
}

/* Shrink n firings against @p; the result in @out (caller frees), tl_shrink's value. */
static int shrink(int n, int tries, int need, int width, struct pred *p, int **out, int *n_out,
		  struct tl_shrink_stats *st)
{
	struct tl_shrink_cfg cfg = {.tries = tries, .need = need, .width = width};
	struct tl_shrink_ops ops = {.run = pred_run, .decided = pred_decided, .arg = p};

	return tl_shrink(n, &cfg, &ops, out, n_out, st);
}

static void test_needs_two_of_32(void)
{
	struct pred p = {.need = {7, 19}, .n_need = 2};
	struct tl_shrink_stats st;
	int *out = NULL, n = -1;

	CU_ASSERT_EQUAL(0, shrink(32, 1, 1, 1, &p, &out, &n, &st));
	CU_ASSERT_EQUAL(2, n);
	if (n == 2) {
		CU_ASSERT_EQUAL(7, out[0]);
		CU_ASSERT_EQUAL(19, out[1]);
	}
	CU_ASSERT_TRUE(st.baseline_failed);
	CU_ASSERT_EQUAL(p.runs, st.runs);
	CU_ASSERT_EQUAL(p.decided, st.candidates);
	CU_ASSERT_EQUAL(p.decided_failed, st.failed);
	CU_ASSERT_TRUE(st.cached > 0); /* ddmin comes back to chunks it ran before */
	/* far fewer than the 2^32 subsets, and the two ends and the last pass are in it */
	CU_ASSERT_TRUE(st.runs >= 4 && st.runs <= 64);
	free(out);
}

static void test_needs_one_of_two(void)
{
	struct pred p = {.any = {3, 11}, .n_any = 2};
	struct tl_shrink_stats st;
	int *out = NULL, n = -1;

	CU_ASSERT_EQUAL(0, shrink(32, 1, 1, 2, &p, &out, &n, &st));
	CU_ASSERT_EQUAL(1, n);
	if (n == 1)
		CU_ASSERT_TRUE(out[0] == 3 || out[0] == 11);
	free(out);
}

static void test_needs_nothing(void)
{
	struct pred p = {.spurious_every = 1}; /* every run fails: even with no firing */
	struct tl_shrink_stats st;
	int *out = NULL, n = -1;

	CU_ASSERT_EQUAL(0, shrink(20, 2, 2, 1, &p, &out, &n, &st));
	CU_ASSERT_EQUAL(0, n);
	CU_ASSERT_EQUAL(4, st.runs); /* two tries of every firing, two of none */
	CU_ASSERT_EQUAL(2, st.numbered);
	free(out);
}

static void test_baseline_holds(void)
{
	struct pred p = {.need = {40}, .n_need = 1}; /* not among the 10 */
	struct tl_shrink_stats st;
	int *out = NULL, n = -1;

	CU_ASSERT_EQUAL(1, shrink(10, 3, 3, 1, &p, &out, &n, &st));
	CU_ASSERT_FALSE(st.baseline_failed);
	CU_ASSERT_EQUAL(10, n);
	/* need 3 of 3: the first run that holds decides it */
	CU_ASSERT_EQUAL(1, st.runs);
	free(out);
}

/* Noise: every 4th run fails whatever the set, every 5th holds whatever the set. One
 * try is fooled; 3 tries with 2 needed never are (no 3 runs in a row hold two of
 * either, and at width 1 a candidate's runs are in a row). */
static void test_noise_tries(void)
{
	struct pred p = {.need = {5, 9}, .n_need = 2, .spurious_every = 4, .miss_every = 5};
	struct tl_shrink_stats st;
	int *out = NULL, n = -1;

	CU_ASSERT_EQUAL(0, shrink(32, 3, 2, 1, &p, &out, &n, &st));
	CU_ASSERT_EQUAL(2, n);
	if (n == 2) {
		CU_ASSERT_EQUAL(5, out[0]);
		CU_ASSERT_EQUAL(9, out[1]);
	}
	free(out);

	struct pred q = {.need = {5, 9}, .n_need = 2, .spurious_every = 4, .miss_every = 5};
	CU_ASSERT_EQUAL(0, shrink(32, 1, 1, 1, &q, &out, &n, &st));
	bool exact = n == 2 && out[0] == 5 && out[1] == 9;
	CU_ASSERT_FALSE(exact); /* the control: one try follows the noise astray */
	free(out);
}

/* need == tries: a candidate that holds once is decided at once. */
static void test_early_decision(void)
{
	struct pred p = {.need = {1, 30}, .n_need = 2};
	struct tl_shrink_stats st;
	int *out = NULL, n = -1;

	CU_ASSERT_EQUAL(0, shrink(32, 3, 3, 1, &p, &out, &n, &st));
	CU_ASSERT_EQUAL(2, n);
	/* each failing candidate 3 runs, each holding one 1 */
	CU_ASSERT_EQUAL(3 * st.failed + (st.candidates - st.failed), st.runs);
	free(out);
}

/* Side by side: the same result at any width, no call wider than asked. */
static void test_width_same_result(void)
{
	int *a = NULL, *b = NULL, na, nb;
	struct tl_shrink_stats sa, sb;
	struct pred p = {.need = {2, 13, 14}, .n_need = 3}, q = p;

	CU_ASSERT_EQUAL(0, shrink(40, 2, 2, 1, &p, &a, &na, &sa));
	CU_ASSERT_EQUAL(0, shrink(40, 2, 2, 5, &q, &b, &nb, &sb));
	CU_ASSERT_EQUAL(1, p.max_width);
	CU_ASSERT_TRUE(q.max_width > 1 && q.max_width <= 5);
	CU_ASSERT_EQUAL(3, na);
	CU_ASSERT_EQUAL(na, nb);
	if (na == nb)
		CU_ASSERT_EQUAL(0, memcmp(a, b, (size_t)na * sizeof(*a)));
	CU_ASSERT_TRUE(sb.runs >= sa.runs); /* the width buys time with runs */
	free(a);
	free(b);
}

/* Model: "fails iff the set holds all of C" for random C; ddmin finds exactly C. */
static void test_random_conjunctions(void)
{
	unsigned x = 12345;

	for (int round = 0; round < 200; round++) {
		struct pred p = {0};
		int n = 1 + (int)((x = x * 1103515245u + 12345u) >> 16) % 60;
		int k = 1 + (int)((x = x * 1103515245u + 12345u) >> 16) % 4;
		bool in[64] = {false};
		for (int i = 0; i < k && i < n; i++) {
			int v = (int)((x = x * 1103515245u + 12345u) >> 16) % n;
			if (!in[v])
				in[v] = true, p.need[p.n_need++] = v;
		}
		int *out = NULL, got;
		struct tl_shrink_stats st;
		int width = 1 + round % 4;
		CU_ASSERT_EQUAL_FATAL(0, shrink(n, 1, 1, width, &p, &out, &got, &st));
		CU_ASSERT_EQUAL(p.n_need, got);
		for (int i = 0; i < got; i++)
			CU_ASSERT_TRUE(in[out[i]]);
		free(out);
	}
}

static void test_errors(void)
{
	struct pred p = {.need = {7, 19}, .n_need = 2, .fail_at_call = 3};
	struct tl_shrink_stats st;
	int *out = NULL, n = -1;

	errno = 0;
	CU_ASSERT_EQUAL(-1, shrink(32, 1, 1, 1, &p, &out, &n, &st));
	CU_ASSERT_EQUAL(EINTR, errno);
	CU_ASSERT_PTR_NULL(out);
	errno = 0;
	CU_ASSERT_EQUAL(-1, shrink(8, 2, 3, 1, &p, &out, &n, &st)); /* need > tries */
	CU_ASSERT_EQUAL(EINVAL, errno);
	CU_ASSERT_EQUAL(-1, shrink(8, 1, 1, 0, &p, &out, &n, &st));
	CU_ASSERT_EQUAL(EINVAL, errno);
}

void register_tl_shrink_suite(void);

void register_tl_shrink_suite(void)
{
	CU_pSuite s = CU_add_suite("tl_shrink", NULL, NULL);
	CU_add_test(s, "needs two of 32", test_needs_two_of_32);
	CU_add_test(s, "needs one of two", test_needs_one_of_two);
	CU_add_test(s, "needs nothing", test_needs_nothing);
	CU_add_test(s, "baseline holds", test_baseline_holds);
	CU_add_test(s, "noise and tries", test_noise_tries);
	CU_add_test(s, "early decision", test_early_decision);
	CU_add_test(s, "width same result", test_width_same_result);
	CU_add_test(s, "random conjunctions", test_random_conjunctions);
	CU_add_test(s, "errors", test_errors);
}
