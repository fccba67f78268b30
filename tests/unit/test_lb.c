/*
 * test_lb.c - fl-lb's pure parts: the scheduler against a naive model, and the
 * health-check rise/fall machine.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>

#include "lb_check.h"
#include "lb_sched.h"

void register_lb_suite(void);

/* The model: list the eligible backends in cursor order, then take the first (rr) or
 * the first with the minimum count (leastconn). */
static int model_pick(unsigned *cursor, enum lb_balance mode, const struct lb_sched_item *it,
		      int n, uint64_t exclude)
{
	int order[LB_MAX_BACKENDS], m = 0, best = -1;

	for (int k = 0; k < n; k++) {
		int i = (int)((*cursor + (unsigned)k) % (unsigned)n);

		if (it[i].up && !(exclude & (1ull << i)))
			order[m++] = i;
	}
	for (int k = 0; k < m; k++)
		if (best < 0 || it[order[k]].conns < it[best].conns)
			best = order[k];
	if (mode == LB_BALANCE_RR && m)
		best = order[0];
	if (best >= 0)
		*cursor = (unsigned)best + 1;
	return best;
}

static void check_against_model(enum lb_balance mode)
{
	srand(11);
	for (int run = 0; run < 300; run++) {
		int n = 1 + rand() % LB_MAX_BACKENDS;
		struct lb_sched s = {.mode = mode};
		struct lb_sched_item it[LB_MAX_BACKENDS];
		unsigned cursor = 0;

		for (int i = 0; i < n; i++)
			it[i] = (struct lb_sched_item){.up = rand() % 4 != 0,
						       .conns = (unsigned)(rand() % 5)};
		for (int step = 0; step < 200; step++) {
			uint64_t ex = rand() % 3 ? 0 : ((uint64_t)rand() << 32 | (uint64_t)rand());
			int want = model_pick(&cursor, mode, it, n, ex);
			int got = lb_sched_pick(&s, it, n, ex);

			CU_ASSERT_EQUAL_FATAL(want, got);
			if (got >= 0 && rand() % 2)
				it[got].conns++; /* the connection stays open */
			if (rand() % 5 == 0) {
				int j = rand() % n;

				it[j].up = !it[j].up;
				if (it[j].conns && rand() % 2)
					it[j].conns--;
			}
		}
	}
}

static void test_sched_rr_model(void)
{
	check_against_model(LB_BALANCE_RR);
}

static void test_sched_leastconn_model(void)
{
	check_against_model(LB_BALANCE_LEASTCONN);
}

static void test_sched_rr_fair_and_skips_down(void)
{
	struct lb_sched s = {.mode = LB_BALANCE_RR};
	struct lb_sched_item it[4] = {{true, 0}, {false, 0}, {true, 0}, {true, 0}};
	int count[4] = {0};

	for (int i = 0; i < 300; i++)
		count[lb_sched_pick(&s, it, 4, 0)]++;
	CU_ASSERT_EQUAL(100, count[0]);
	CU_ASSERT_EQUAL(0, count[1]);
	CU_ASSERT_EQUAL(100, count[2]);
	CU_ASSERT_EQUAL(100, count[3]);
}

static void test_sched_none_eligible(void)
{
	struct lb_sched s = {.mode = LB_BALANCE_LEASTCONN};
	struct lb_sched_item it[2] = {{false, 0}, {true, 3}};

	CU_ASSERT_EQUAL(-1, lb_sched_pick(&s, it, 2, 2));
	CU_ASSERT_EQUAL(1, lb_sched_pick(&s, it, 2, 0));
	CU_ASSERT_EQUAL(-1, lb_sched_pick(&s, it, 0, 0));
}

static void test_sched_leastconn_prefers_idle(void)
{
	struct lb_sched s = {.mode = LB_BALANCE_LEASTCONN};
	struct lb_sched_item it[3] = {{true, 5}, {true, 1}, {true, 2}};

	CU_ASSERT_EQUAL(1, lb_sched_pick(&s, it, 3, 0));
	CU_ASSERT_EQUAL(2, lb_sched_pick(&s, it, 3, 2)); /* 1 excluded (retry) */
}

static void test_health_fall_and_rise(void)
{
	struct lb_health_cfg c;
	struct lb_health h;

	lb_health_cfg_default(&c);
	lb_health_init(&h);
	CU_ASSERT_EQUAL(LB_HEALTH_UP, h.state);
	CU_ASSERT_EQUAL(200, lb_health_next_ms(&h, &c));
	CU_ASSERT_FALSE(lb_health_feed(&h, &c, false));
	CU_ASSERT_EQUAL(100, lb_health_next_ms(&h, &c)); /* streak: check sooner */
	CU_ASSERT_TRUE(lb_health_feed(&h, &c, false));
	CU_ASSERT_EQUAL(LB_HEALTH_DOWN, h.state);
	CU_ASSERT_EQUAL(200, lb_health_next_ms(&h, &c));
	CU_ASSERT_FALSE(lb_health_feed(&h, &c, false));
	CU_ASSERT_FALSE(lb_health_feed(&h, &c, true));
	CU_ASSERT_TRUE(lb_health_feed(&h, &c, true));
	CU_ASSERT_EQUAL(LB_HEALTH_UP, h.state);
}

static void test_health_streak_broken(void)
{
	struct lb_health_cfg c = {.interval_ms = 1000, .rise = 3, .fall = 3, .fast_ms = 250};
	struct lb_health h;

	lb_health_init(&h);
	for (int i = 0; i < 10; i++) { /* alternating never reaches 3 in a row */
		CU_ASSERT_FALSE(lb_health_feed(&h, &c, false));
		CU_ASSERT_FALSE(lb_health_feed(&h, &c, true));
		CU_ASSERT_EQUAL(1000, lb_health_next_ms(&h, &c));
	}
	CU_ASSERT_EQUAL(LB_HEALTH_UP, h.state);
}

/* Model: the state flips exactly when the last k results all disagree with it. */
static void test_health_model(void)
{
	srand(3);
	for (int run = 0; run < 100; run++) {
		struct lb_health_cfg c = {.interval_ms = 10, .rise = 1 + (unsigned)(rand() % 4),
					  .fall = 1 + (unsigned)(rand() % 4), .fast_ms = 5};
		struct lb_health h;
		bool up = true;
		unsigned run_len = 0;

		lb_health_init(&h);
		for (int i = 0; i < 500; i++) {
			bool ok = rand() % 3 != 0;
			bool changed;

			run_len = ok != up ? run_len + 1 : 0;
			changed = lb_health_feed(&h, &c, ok);
			if (run_len == (up ? c.fall : c.rise)) {
				CU_ASSERT_TRUE(changed);
				up = !up;
				run_len = 0;
			} else {
				CU_ASSERT_FALSE(changed);
			}
			CU_ASSERT_EQUAL(up ? LB_HEALTH_UP : LB_HEALTH_DOWN, h.state);
		}
	}
}

void register_lb_suite(void)
{
	CU_pSuite s = CU_add_suite("lb", NULL, NULL);

	CU_add_test(s, "sched_rr_model", test_sched_rr_model);
	CU_add_test(s, "sched_leastconn_model", test_sched_leastconn_model);
	CU_add_test(s, "sched_rr_fair_and_skips_down", test_sched_rr_fair_and_skips_down);
	CU_add_test(s, "sched_none_eligible", test_sched_none_eligible);
	CU_add_test(s, "sched_leastconn_prefers_idle", test_sched_leastconn_prefers_idle);
	CU_add_test(s, "health_fall_and_rise", test_health_fall_and_rise);
	CU_add_test(s, "health_streak_broken", test_health_streak_broken);
	CU_add_test(s, "health_model", test_health_model);
}
