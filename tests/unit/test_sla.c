/*
 * test_sla.c - every metric on small synthetic streams whose answers are worked out by
 * hand in the comments, and the verdict rules.
 *
 * Times below are written in ms from t0 = 1000 s (MS()); the window is 1 s long.
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sla.h"

#define T0 1000000000000LL
#define MS(x) (T0 + (int64_t)(x) * 1000000LL)

static void t_cfg(struct sla_cfg *cfg)
{
	sla_cfg_init(cfg, NULL, T0);
	cfg->duration_ns = 1000000000LL;
	cfg->advert_ns = 100000000LL; /* 100 ms: hold 300 ms */
	cfg->uptime_min_ns = 150000000LL;
}

static void t_req(struct obs_store *st, int sched_ms, enum obs_outcome o, int lat_ms)
{
	struct obs_req r = {.sched_ns = MS(sched_ms), .start_ns = MS(sched_ms), .outcome = o};
	r.latency_us = (o == OBS_OK ? lat_ms : 1000) * 1000LL;
	r.end_ns = r.sched_ns + r.latency_us * 1000;
	CU_ASSERT_EQUAL_FATAL(0, obs_req_add(st, &r));
}

/*
 * k    0  1  2   3   4  5  6  7  8  9        (sched = k * 100 ms)
 *      ok ok tmo ref ok ok ok rst ok tmo     ok latencies 10 20 30 40 50 60 ms
 * plus one timeout before the window and one request at its end (both outside).
 */
static struct obs_store *t_stream(void)
{
	static const enum obs_outcome o[10] = {OBS_OK, OBS_OK, OBS_TIMEOUT, OBS_REFUSED, OBS_OK,
					       OBS_OK, OBS_OK, OBS_RESET, OBS_OK, OBS_TIMEOUT};
	struct obs_store *st = obs_store_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	int lat = 10;
	/* added newest first: the log is in end order, metrics must not rely on order */
	for (int k = 9; k >= 0; k--)
		t_req(st, k * 100, o[k], o[k] == OBS_OK ? 0 : 0);
	for (size_t i = st->n_req; i-- > 0;) {
		if (st->req[i].outcome != OBS_OK)
			continue;
		st->req[i].latency_us = lat * 1000LL;
		st->req[i].end_ns = st->req[i].sched_ns + lat * 1000000LL;
		lat += 10;
	}
	t_req(st, -100, OBS_TIMEOUT, 0);
	t_req(st, 1000, OBS_OK, 5);
	return st;
}

#define T_VAL(out, m, want)                                                                \
	do {                                                                               \
		CU_ASSERT_TRUE((out).v[m].measured);                                       \
		CU_ASSERT_DOUBLE_EQUAL((want), (out).v[m].v, 1e-9);                        \
	} while (0)

static void test_req_counts_and_latency(void)
{
	struct obs_store *st = t_stream();
	struct sla_cfg cfg;
	struct sla_metrics m = {0};
	t_cfg(&cfg);
	CU_ASSERT_EQUAL_FATAL(0, sla_req_metrics(st, &cfg, NULL, &m));
	T_VAL(m, SLA_REQUESTS, 10);
	T_VAL(m, SLA_ERRORS, 4);
	T_VAL(m, SLA_SUCCESS, 60);
	T_VAL(m, SLA_TIMEOUT, 2);
	T_VAL(m, SLA_REFUSED, 1);
	T_VAL(m, SLA_RESET, 1);
	T_VAL(m, SLA_BAD_BODY, 0);
	/* nearest rank of 6 values: p50 -> 3rd, p99 -> 6th */
	T_VAL(m, SLA_P50, 30);
	T_VAL(m, SLA_P99, 60);
	T_VAL(m, SLA_MAX, 60);
	obs_store_free(st);
}

static void test_req_outage_spans_end(void)
{
	struct obs_store *st = t_stream();
	struct sla_cfg cfg;
	struct sla_metrics m = {0};
	t_cfg(&cfg);
	CU_ASSERT_EQUAL_FATAL(0, sla_req_metrics(st, &cfg, NULL, &m));
	/* runs [200,400) [700,800) [900,1000 = window end): longest 200 ms */
	T_VAL(m, SLA_OUTAGE, 200);
	/* only the 200 ms run reaches the 150 ms threshold: 80% of the second */
	T_VAL(m, SLA_UPTIME, 80);
	/* ok completions at 10 120 430 540 650 860; gaps from 0 to 1000: longest 120->430 */
	T_VAL(m, SLA_LONGEST_OUTAGE, 310);
	obs_store_free(st);

	/* every request fails: the outage runs from the first one to the window's end */
	st = obs_store_new();
	for (int k = 2; k < 10; k++)
		t_req(st, k * 100, OBS_TIMEOUT, 0);
	CU_ASSERT_EQUAL_FATAL(0, sla_req_metrics(st, &cfg, NULL, &m));
	T_VAL(m, SLA_OUTAGE, 800);
	T_VAL(m, SLA_LONGEST_OUTAGE, 1000);
	T_VAL(m, SLA_UPTIME, 20);
	T_VAL(m, SLA_SUCCESS, 0);
	CU_ASSERT_FALSE(m.v[SLA_P50].measured);
	obs_store_free(st);
}

static void test_req_zero_requests(void)
{
	struct obs_store *st = obs_store_new();
	struct sla_cfg cfg;
	struct sla_metrics m = {0};
	t_cfg(&cfg);
	t_req(st, 1500, OBS_OK, 1); /* after the window */
	CU_ASSERT_EQUAL_FATAL(0, sla_req_metrics(st, &cfg, NULL, &m));
	T_VAL(m, SLA_REQUESTS, 0);
	T_VAL(m, SLA_ERRORS, 0);
	CU_ASSERT_FALSE(m.v[SLA_SUCCESS].measured);
	CU_ASSERT_PTR_NOT_NULL(m.v[SLA_SUCCESS].why);
	CU_ASSERT_FALSE(m.v[SLA_OUTAGE].measured);
	CU_ASSERT_FALSE(m.v[SLA_UPTIME].measured);
	obs_store_free(st);
}

static void test_scope_overlapping_faults(void)
{
	struct obs_store *st = t_stream();
	struct sla_cfg cfg;
	struct sla_mask mask;
	struct sla_metrics m = {0};
	t_cfg(&cfg);
	/* two overlapping faults: [150,450) and [350,750) make one mask [150,750) */
	obs_fault_apply(st, 1, "link down", "lb1.private", MS(150));
	obs_fault_apply(st, 2, "stall", "lb2", MS(350));
	obs_fault_revert(st, 1, MS(450));
	obs_fault_revert(st, 2, MS(750));
	CU_ASSERT_EQUAL_FATAL(0, sla_mask_faults(st, &cfg, &mask));
	CU_ASSERT_EQUAL_FATAL(1, mask.n);
	CU_ASSERT_EQUAL(MS(150), mask.v[0].a);
	CU_ASSERT_EQUAL(MS(750), mask.v[0].b);
	struct obs_mark mk[4] = {{MS(100), OBS_MARK_RETRANS, "", ""},
				 {MS(200), OBS_MARK_RETRANS, "", ""},
				 {MS(740), OBS_MARK_RETRANS, "", ""},
				 {MS(750), OBS_MARK_RETRANS, "", ""}};
	for (int i = 0; i < 4; i++)
		obs_mark_add(st, &mk[i]);
	CU_ASSERT_EQUAL_FATAL(0, sla_metrics_compute(st, &cfg, &mask, &m));
	/* k = 2..7 scheduled inside: tmo ref ok ok ok rst */
	T_VAL(m, SLA_REQUESTS, 6);
	T_VAL(m, SLA_SUCCESS, 50);
	T_VAL(m, SLA_P50, 40); /* ok latencies inside: 30 40 50 */
	/* runs clipped: [200,400) whole, [700,800) -> [700,750) */
	T_VAL(m, SLA_OUTAGE, 200);
	/* completion gaps clipped: [120,430) -> [150,430) = 280 */
	T_VAL(m, SLA_LONGEST_OUTAGE, 280);
	/* the 200 ms run is downtime: 1 - 200/600 */
	T_VAL(m, SLA_UPTIME, 100.0 * (1.0 - 200.0 / 600.0));
	T_VAL(m, SLA_RETRANSMITS, 2);
	CU_ASSERT_EQUAL_FATAL(0, sla_metrics_compute(st, &cfg, NULL, &m));
	T_VAL(m, SLA_RETRANSMITS, 4); /* the whole window holds all four */
	sla_mask_release(&mask);
	obs_store_free(st);
}

/* ---- VIP ---- */

static void t_vip(struct obs_store *st, const char *node, int t_ms, enum obs_vip_kind k,
		  int prio)
{
	struct obs_vip v = {.t_ns = MS(t_ms), .kind = k, .prio = prio};
	inet_pton(AF_INET, "198.18.0.100", &v.vip);
	snprintf(v.node, sizeof(v.node), "%s", node);
	if (k == OBS_VIP_VRRP)
		v.adver_ms = 100;
	CU_ASSERT_EQUAL_FATAL(0, obs_vip_add(st, &v));
}

static void test_split_touching_vs_overlap(void)
{
	struct sla_cfg cfg;
	struct sla_metrics m = {0};
	t_cfg(&cfg);
	/* lb1: 0, 200, 400 with hold 300 -> [0,700); lb2 at 700 -> [700,1000): touching */
	struct obs_store *st = obs_store_new();
	t_vip(st, "lb1", 0, OBS_VIP_GARP, 0);
	t_vip(st, "lb1", 200, OBS_VIP_ARP_REPLY, 0);
	t_vip(st, "lb1", 400, OBS_VIP_ARP_REPLY, 0);
	t_vip(st, "lb2", 700, OBS_VIP_GARP, 0);
	CU_ASSERT_EQUAL_FATAL(0, sla_vip_metrics(st, &cfg, NULL, &m));
	T_VAL(m, SLA_SPLIT_BRAIN, 0);
	T_VAL(m, SLA_VIP_MOVES, 1);
	struct sla_claims c;
	CU_ASSERT_EQUAL_FATAL(0, sla_claims_build(st, &cfg, &c));
	CU_ASSERT_EQUAL_FATAL(2, c.n);
	CU_ASSERT_STRING_EQUAL("lb1", c.v[0].node);
	CU_ASSERT_EQUAL(MS(700), c.v[0].b);
	CU_ASSERT_EQUAL(MS(700), c.v[1].a);
	sla_claims_release(&c);
	obs_store_free(st);

	/* lb2 at 600 instead: [600,700) has two claimants */
	st = obs_store_new();
	t_vip(st, "lb1", 0, OBS_VIP_GARP, 0);
	t_vip(st, "lb1", 200, OBS_VIP_ARP_REPLY, 0);
	t_vip(st, "lb1", 400, OBS_VIP_ARP_REPLY, 0);
	t_vip(st, "lb2", 600, OBS_VIP_GARP, 0);
	CU_ASSERT_EQUAL_FATAL(0, sla_vip_metrics(st, &cfg, NULL, &m));
	T_VAL(m, SLA_SPLIT_BRAIN, 100);
	obs_store_free(st);
}

static void test_split_vrrp_release_and_hold(void)
{
	struct sla_cfg cfg;
	struct sla_metrics m = {0};
	t_cfg(&cfg);
	cfg.advert_ns = 1000000000LL; /* the adverts' own 100 ms must win: hold 300 ms */
	struct obs_store *st = obs_store_new();
	for (int t = 0; t <= 500; t += 100)
		t_vip(st, "lb1", t, OBS_VIP_VRRP, 150);
	t_vip(st, "lb1", 550, OBS_VIP_VRRP, 0); /* shutdown: claim [0,550) */
	t_vip(st, "lb2", 500, OBS_VIP_VRRP, 100);
	t_vip(st, "lb2", 600, OBS_VIP_VRRP, 100); /* [500,900) */
	CU_ASSERT_EQUAL_FATAL(0, sla_vip_metrics(st, &cfg, NULL, &m));
	T_VAL(m, SLA_SPLIT_BRAIN, 50);
	/* a claim running past the window's end is counted only inside it */
	t_vip(st, "lb1", 900, OBS_VIP_GARP, 0); /* [900,1200) vs lb2's end at 900: touching */
	t_vip(st, "lb2", 950, OBS_VIP_GARP, 0); /* [950,1250): overlap 950..1000 in window */
	CU_ASSERT_EQUAL_FATAL(0, sla_vip_metrics(st, &cfg, NULL, &m));
	T_VAL(m, SLA_SPLIT_BRAIN, 100);
	T_VAL(m, SLA_VIP_MOVES, 3); /* lb1 -> lb2 (500) -> lb1 (900) -> lb2 (950) */
	obs_store_free(st);
}

static void test_failover_with_and_without_move(void)
{
	struct sla_cfg cfg;
	struct sla_metrics m = {0};
	t_cfg(&cfg);
	struct obs_store *st = obs_store_new();
	for (int t = 0; t <= 300; t += 100)
		t_vip(st, "lb1", t, OBS_VIP_VRRP, 150);
	obs_fault_apply(st, 1, "kill", "lb1 lb", MS(300));
	CU_ASSERT_EQUAL_FATAL(0, sla_vip_metrics(st, &cfg, NULL, &m));
	CU_ASSERT_FALSE(m.v[SLA_FAILOVER].measured); /* nobody took over */
	CU_ASSERT_PTR_NOT_NULL(m.v[SLA_FAILOVER].why);
	t_vip(st, "lb2", 750, OBS_VIP_GARP, 0);
	t_vip(st, "lb2", 760, OBS_VIP_VRRP, 100);
	CU_ASSERT_EQUAL_FATAL(0, sla_vip_metrics(st, &cfg, NULL, &m));
	T_VAL(m, SLA_FAILOVER, 450);
	T_VAL(m, SLA_SPLIT_BRAIN, 0); /* lb1's claim ended at 600 */
	/* a later fault that moved nothing does not change the maximum ... */
	obs_fault_apply(st, 2, "blackhole", "web1.private", MS(900));
	CU_ASSERT_EQUAL_FATAL(0, sla_vip_metrics(st, &cfg, NULL, &m));
	T_VAL(m, SLA_FAILOVER, 450);
	/* ... but a fault applied in between takes the move: 750 - 400 */
	obs_fault_apply(st, 3, "blackhole", "web2.private", MS(400));
	CU_ASSERT_EQUAL_FATAL(0, sla_vip_metrics(st, &cfg, NULL, &m));
	T_VAL(m, SLA_FAILOVER, 350);
	obs_store_free(st);

	st = obs_store_new();
	obs_fault_apply(st, 1, "kill", "lb1 lb", MS(300));
	CU_ASSERT_EQUAL_FATAL(0, sla_vip_metrics(st, &cfg, NULL, &m));
	CU_ASSERT_FALSE(m.v[SLA_SPLIT_BRAIN].measured); /* no VIP seen at all */
	obs_store_free(st);
}

static void t_mark_down(struct obs_store *st, const char *lb, const char *be, int t_ms, bool up)
{
	struct obs_lb l = {.t_ns = MS(t_ms), .kind = OBS_LB_BACKEND, .up = up};
	snprintf(l.lb, sizeof(l.lb), "%s", lb);
	snprintf(l.backend, sizeof(l.backend), "%s", be);
	CU_ASSERT_EQUAL_FATAL(0, obs_lb_add(st, &l));
}

static void test_detect(void)
{
	struct sla_cfg cfg;
	struct sla_metrics m = {0};
	t_cfg(&cfg);
	struct obs_store *st = obs_store_new();
	obs_fault_apply(st, 1, "stall", "lb1", MS(50)); /* not a backend */
	sla_detect_metric(st, &cfg, &m);
	CU_ASSERT_FALSE(m.v[SLA_DETECT].measured);
	t_mark_down(st, "lb1", "web2", 10, true);
	obs_fault_apply(st, 2, "blackhole", "web1.private", MS(100));
	t_mark_down(st, "lb2", "web1", 400, false);
	t_mark_down(st, "lb1", "web1", 300, false); /* the first mark counts: 200 ms */
	obs_fault_apply(st, 3, "kill", "web2 web", MS(500)); /* never marked */
	sla_detect_metric(st, &cfg, &m);
	T_VAL(m, SLA_DETECT, 200);
	/* a second fault on web1 at 600 marked at 950 -> 350 ms, the maximum */
	obs_fault_apply(st, 4, "blackhole", "web1.private", MS(600));
	t_mark_down(st, "lb1", "web1", 950, false);
	sla_detect_metric(st, &cfg, &m);
	T_VAL(m, SLA_DETECT, 350);
	obs_store_free(st);
}

/* ---- verdicts ---- */

static void test_judge(void)
{
	struct sla_value v = {.measured = true, .v = 200};
	CU_ASSERT_EQUAL(SLA_FAIL, sla_judge(&v, SCN_OP_LT, 200));
	CU_ASSERT_EQUAL(SLA_PASS, sla_judge(&v, SCN_OP_LE, 200));
	CU_ASSERT_EQUAL(SLA_PASS, sla_judge(&v, SCN_OP_EQ, 200));
	CU_ASSERT_EQUAL(SLA_FAIL, sla_judge(&v, SCN_OP_GT, 200));
	CU_ASSERT_EQUAL(SLA_PASS, sla_judge(&v, SCN_OP_GE, 200));
	v.measured = false;
	CU_ASSERT_EQUAL(SLA_UNMEASURED, sla_judge(&v, SCN_OP_LT, 1e9));
	CU_ASSERT_EQUAL(SLA_UNMEASURED, sla_judge(&v, SCN_OP_GE, 0));
}

static void test_evaluate(void)
{
	struct scn_expect ex[] = {
		{.metric = "success", .op = SCN_OP_GE, .value = 50, .unit = SCN_UNIT_PERCENT,
		 .text = "success >= 50%"},
		{.metric = "outage", .op = SCN_OP_LT, .value = 200, .unit = SCN_UNIT_MS,
		 .text = "outage < 200ms"},
		{.metric = "outage", .op = SCN_OP_LE, .value = 200, .unit = SCN_UNIT_MS,
		 .text = "outage <= 200ms"},
		{.metric = "failover", .op = SCN_OP_LT, .value = 1000, .unit = SCN_UNIT_MS,
		 .text = "failover < 1s"},
		{.metric = "success", .op = SCN_OP_GE, .value = 50, .unit = SCN_UNIT_PERCENT,
		 .text = "success >= 50% during faults", .scope = "during faults"},
		{.metric = "success", .op = SCN_OP_GE, .value = 50, .unit = SCN_UNIT_PERCENT,
		 .text = "success >= 50% sometimes", .scope = "sometimes"},
		{.metric = "bogus", .op = SCN_OP_GE, .value = 1, .unit = SCN_UNIT_COUNT,
		 .text = "bogus >= 1"},
	};
	struct scn_param par = {.name = "ha", .value = "safe"};
	struct scn s = {.name = "t", .duration_ms = 1000, .seed = 9, .expects = ex,
			.n_expects = 7, .params = &par, .n_params = 1};
	struct obs_store *st = t_stream();
	obs_fault_apply(st, 1, "link down", "lb1.private", MS(150));
	obs_fault_revert(st, 1, MS(750));
	struct sla_cfg cfg;
	t_cfg(&cfg);
	struct sla_result *r = sla_evaluate(&s, st, &cfg, 9, "runs/t-1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(SLA_PASS, r->v[0].status);
	CU_ASSERT_EQUAL(SLA_FAIL, r->v[1].status);
	CU_ASSERT_STRING_EQUAL("measured 200ms, wanted < 200ms", r->v[1].msg);
	CU_ASSERT_EQUAL(SLA_PASS, r->v[2].status);
	CU_ASSERT_EQUAL(SLA_UNMEASURED, r->v[3].status);
	CU_ASSERT_STRING_EQUAL("not measured: no VIP announced on the wire", r->v[3].msg);
	CU_ASSERT_EQUAL(SLA_PASS, r->v[4].status);
	CU_ASSERT_DOUBLE_EQUAL(50, r->v[4].got.v, 1e-9);
	CU_ASSERT_EQUAL(SLA_INVALID, r->v[5].status);
	CU_ASSERT_EQUAL(SLA_INVALID, r->v[6].status);
	CU_ASSERT_EQUAL(4, r->n_failed); /* outage <, failover, two invalid */
	CU_ASSERT_EQUAL(2, r->n_invalid);
	CU_ASSERT_FALSE(r->passed);
	CU_ASSERT_STRING_EQUAL("safe", r->params[0].value);
	CU_ASSERT_EQUAL(0, sla_result_add_guest(r, "lb1", "6.1.0-57-cloud-amd64", "console=ttyS0 noapic", "tsc", NULL));
	CU_ASSERT_EQUAL(1, r->n_guests);
	sla_result_free(r);
	sla_result_free(NULL);
	obs_store_free(st);
}

/* A collected metric: the "collect" events' values (the newest of a name), or why not;
 * a collect that never ran is not measured either. */
static void test_collected_metrics(void)
{
	struct scn_expect ex[] = {
		{.metric = "lost", .op = SCN_OP_EQ, .value = 0, .unit = SCN_UNIT_NUMBER,
		 .text = "lost == 0", .want = SCN_WANT_FAIL},
		{.metric = "lag", .op = SCN_OP_LE, .value = 2.5, .unit = SCN_UNIT_NUMBER,
		 .text = "lag <= 2.5"},
		{.metric = "broken", .op = SCN_OP_EQ, .value = 0, .unit = SCN_UNIT_NUMBER,
		 .text = "broken == 0"},
		{.metric = "never", .op = SCN_OP_EQ, .value = 0, .unit = SCN_UNIT_NUMBER,
		 .text = "never == 0"},
	};
	struct scn s = {.name = "t", .duration_ms = 1000, .seed = 1, .expects = ex,
			.n_expects = 4};
	struct obs_store *st = obs_store_new();
	static const char *const lines[] = {
	    "{\"t_ns\":5,\"src\":\"c\",\"ev\":\"collect\",\"name\":\"lost\",\"value\":1}",
	    "{\"t_ns\":6,\"src\":\"c\",\"ev\":\"collect\",\"name\":\"lost\",\"value\":37}",
	    "{\"t_ns\":7,\"src\":\"c\",\"ev\":\"collect\",\"name\":\"lag\",\"value\":2.5}",
	    "{\"t_ns\":8,\"src\":\"c\",\"ev\":\"collect\",\"name\":\"broken\","
	    "\"error\":\"exit status 1\"}",
	};
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(1, obs_event_ingest(st, lines[i]));
	CU_ASSERT_EQUAL(-1, obs_event_ingest(st, "{\"t_ns\":8,\"src\":\"c\",\"ev\":\"collect\"}"));
	CU_ASSERT_EQUAL(4, st->n_col);
	struct sla_cfg cfg;
	t_cfg(&cfg);
	struct sla_result *r = sla_evaluate(&s, st, &cfg, 1, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(SLA_FAIL, r->v[0].status);
	CU_ASSERT_DOUBLE_EQUAL(37, r->v[0].got.v, 1e-9);
	CU_ASSERT_STRING_EQUAL("measured 37, wanted == 0", r->v[0].msg);
	CU_ASSERT_EQUAL(SLA_PASS, r->v[1].status);
	CU_ASSERT_EQUAL(SLA_UNMEASURED, r->v[2].status);
	CU_ASSERT_STRING_EQUAL("not measured: exit status 1", r->v[2].msg);
	CU_ASSERT_EQUAL(SLA_UNMEASURED, r->v[3].status);
	CU_ASSERT_STRING_EQUAL("not measured: the checker did not run", r->v[3].msg);
	CU_ASSERT_TRUE(r->reproduction);
	CU_ASSERT_EQUAL(SLA_OUT_NOT_REPRODUCED, r->outcome); /* broken, never: unmeasured */
	sla_result_free(r);
	obs_store_free(st);
}

/* ---- judging a run directory ---- */

static void t_write(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/*
 * A run directory written by hand: t0 at 1000 s, four requests 100 ms apart of which
 * the third timed out (success 75%), a fault 150..250 ms, two guests' facts (the second
 * spaced out, as another JSON writer would, with a command line longer than a line of
 * text) and one line that is not JSON. sla_run_judge must read all of it back.
 */
static void test_run_judge(void)
{
	char dir[] = "/tmp/fl-test-sla-XXXXXX", err[256] = "";
	struct scn_expect ex[] = {
		{.metric = "success", .op = SCN_OP_GE, .value = 75, .unit = SCN_UNIT_PERCENT,
		 .text = "success >= 75%"},
		{.metric = "success", .op = SCN_OP_GE, .value = 1, .unit = SCN_UNIT_PERCENT,
		 .text = "success >= 1% during faults", .scope = "during faults"},
	};
	struct scn s = {.name = "t", .duration_ms = 1000, .seed = 3, .expects = ex,
			.n_expects = 2};

	static const char lines[] =
	    "{\"t_ns\":1000000000000,\"src\":\"run\",\"ev\":\"t0\",\"scenario\":\"t\"}\n"
	    "{\"t_ns\":1000150000000,\"src\":\"timeline\",\"ev\":\"apply\",\"id\":1,"
	    "\"fault\":\"link down\",\"target\":\"lb1.private\",\"sched_ns\":1}\n"
	    "{\"t_ns\":1000250000000,\"src\":\"timeline\",\"ev\":\"revert\",\"id\":1,"
	    "\"fault\":\"link down\",\"target\":\"lb1.private\",\"sched_ns\":1}\n"
	    "{\"t_ns\":1000000000001,\"src\":\"lb1\",\"ev\":\"guest-ready\",\"cmdline\":"
	    "\"console=ttyS0 noapic\",\"clocksource\":\"tsc\",\"irq_ioapic\":0,"
	    "\"irq_xtpic\":14,\"irq_loc\":99}\n"
	    "not json\n"
	    /* no guest: "guest-ready" is only a service's name here */
	    "{\"t_ns\":1000000000003,\"src\":\"g3\",\"ev\":\"exit\",\"svc\":\"guest-ready\"}\n";
	char events[2048], cmdline[301];

	memset(cmdline, 'a', sizeof(cmdline) - 1);
	memcpy(cmdline, "noapic ", 7);
	cmdline[sizeof(cmdline) - 1] = '\0';
	snprintf(events, sizeof(events),
		 "%s{ \"t_ns\": 1000000000002, \"src\": \"g2\", \"ev\": \"guest-ready\", "
		 "\"cmdline\": \"%s\", \"irq_loc\": 1.5e3 }\n",
		 lines, cmdline);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	t_write(dir, "events.jsonl", events);
	t_write(dir, "requests.csv",
		"sched_ns,start_ns,end_ns,outcome,latency_us,backend,bytes\n"
		"1000000000000,1000000000000,1000001000000,ok,1000,web1,12\n"
		"1000100000000,1000100000000,1000101000000,ok,1000,web2,12\n"
		"1000200000000,1000200000000,1001200000000,timeout,1000000,,0\n"
		"1000300000000,1000300000000,1000301000000,ok,1000,web1,12\n");

	struct sla_result *r = sla_run_judge(&s, dir, 0, 3, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL("1 unreadable lines in the run directory", err);
	CU_ASSERT_EQUAL(1000000000000LL, r->cfg.t0_ns); /* from the "t0" event */
	CU_ASSERT_PTR_EQUAL(r->st, r->st_owned);
	CU_ASSERT_EQUAL(4, r->st->n_req);
	CU_ASSERT_EQUAL(1, r->st->n_flt);
	CU_ASSERT_DOUBLE_EQUAL(75, r->all.v[SLA_SUCCESS].v, 1e-9);
	CU_ASSERT_EQUAL(SLA_PASS, r->v[0].status);
	CU_ASSERT_EQUAL(SLA_FAIL, r->v[1].status); /* the one request in the fault failed */
	CU_ASSERT_STRING_EQUAL(dir, r->run_dir);
	CU_ASSERT_EQUAL(3, r->seed);
	CU_ASSERT_EQUAL_FATAL(2, r->n_guests);
	CU_ASSERT_STRING_EQUAL("lb1", r->guests[0].node);
	CU_ASSERT_STRING_EQUAL("console=ttyS0 noapic", r->guests[0].cmdline);
	CU_ASSERT_STRING_EQUAL("IO-APIC 0 lines, XT-PIC 14 lines, LOC 99", r->guests[0].interrupts);
	/* the whole command line, whatever the spacing; absent numbers read as -1 */
	CU_ASSERT_STRING_EQUAL("g2", r->guests[1].node);
	CU_ASSERT_STRING_EQUAL(cmdline, r->guests[1].cmdline);
	CU_ASSERT_STRING_EQUAL("", r->guests[1].clocksource);
	CU_ASSERT_STRING_EQUAL("IO-APIC -1 lines, XT-PIC -1 lines, LOC 1500",
			       r->guests[1].interrupts);
	sla_result_free(r); /* frees the store it read: ASan would see a leak otherwise */

	/* an explicit t0 wins over the event: the first request is then before the window */
	r = sla_run_judge(&s, dir, 1000100000000LL, 3, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_DOUBLE_EQUAL(200.0 / 3, r->all.v[SLA_SUCCESS].v, 1e-9);
	sla_result_free(r);

	char path[512];
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/requests.csv", dir);
	unlink(path);
	rmdir(dir);
	CU_ASSERT_PTR_NULL(sla_run_judge(&s, dir, 0, 3, err, sizeof(err)));
	CU_ASSERT_EQUAL(0, strncmp(err, "reading /tmp/fl-test-sla-", 25));
}

/* kernel-warnings: the whole run (boot included) without a scope, the mask's part with
 * one; one metric per class of the same name; none measured without a guest. */
static void test_kernel_warnings(void)
{
	struct obs_store *st = obs_store_new();
	struct sla_cfg cfg;
	struct sla_metrics m = {0};
	t_cfg(&cfg);
	struct obs_kwarn kw[4] = {{MS(-500), "g", OBS_KW_CLOCKSOURCE}, /* at boot */
				  {MS(100), "g", OBS_KW_RCU_STALL},
				  {MS(300), "g", OBS_KW_RCU_STALL},
				  {MS(600), "h", OBS_KW_BUG}};
	for (int i = 0; i < 4; i++)
		obs_kwarn_add(st, &kw[i]);
	CU_ASSERT_EQUAL_FATAL(0, sla_metrics_compute(st, &cfg, NULL, &m));
	CU_ASSERT_FALSE(m.v[SLA_KERNEL_WARNINGS].measured); /* cfg.guests == 0 */
	cfg.guests = 2;
	CU_ASSERT_EQUAL_FATAL(0, sla_metrics_compute(st, &cfg, NULL, &m));
	T_VAL(m, SLA_KERNEL_WARNINGS, 4);
	T_VAL(m, SLA_KW_RCU_STALL, 2);
	T_VAL(m, SLA_KW_CLOCKSOURCE, 1);
	T_VAL(m, SLA_KW_BUG, 1);
	T_VAL(m, SLA_KW_SOFT_LOCKUP, 0);
	struct sla_ival iv = {MS(250), MS(700)};
	struct sla_mask mask = {&iv, 1};
	CU_ASSERT_EQUAL_FATAL(0, sla_metrics_compute(st, &cfg, &mask, &m));
	T_VAL(m, SLA_KERNEL_WARNINGS, 2);
	T_VAL(m, SLA_KW_RCU_STALL, 1);
	T_VAL(m, SLA_KW_CLOCKSOURCE, 0);
	/* the metric of each class is named after it */
	for (int k = 1; k < OBS_KW__MAX; k++) {
		char name[64];
		snprintf(name, sizeof(name), "kernel-warnings-%s", obs_kw_name((enum obs_kw)k));
		CU_ASSERT_EQUAL(sla_metric_find(name), SLA_KERNEL_WARNINGS + k);
		CU_ASSERT_EQUAL(scn_metric_unit(name), SCN_UNIT_COUNT);
	}
	obs_store_free(st);
}

/* requests every 100 ms from t0 for 1 s, in fl-load's format; those scheduled in
 * [@fail_from, @fail_to) ms time out */
static void t_write_requests(const char *dir, const char *name, int fail_from, int fail_to)
{
	char text[2048] = "sched_ns,start_ns,end_ns,outcome,latency_us,backend,bytes\n";
	size_t used = strlen(text);
	for (int t = 0; t < 1000; t += 100) {
		bool fail = t >= fail_from && t < fail_to;
		long long at = MS(t), lat = fail ? 1000000 : 2000;
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "%lld,%lld,%lld,%s,%lld,%s,12\n", at, at, at + lat * 1000,
					 fail ? "timeout" : "ok", lat, fail ? "" : "w");
	}
	t_write(dir, name, text);
}

/*
 * Three clients: a all ok, b failing 400..800 ms (inside the fault 400..800 ms), c
 * never wrote its log. 'of' separates a from b; without it they are mixed.
 */
static void test_clients_run_judge(void)
{
	static const char text[] =
	    "scenario t\nduration 1s\nnetwork n 10.0.0.0/24\nnode a on n\nnode b on n\n"
	    "node c on n\nnode w on n\nservice w web\n"
	    "service a load http://10.0.0.4/ rate 10/s\n"
	    "service b load http://10.0.0.4/ rate 10/s\n"
	    "service c load http://10.0.0.4/ rate 10/s\n"
	    "expect success >= 99% of a\n"		      /* 100%: pass */
	    "expect success >= 99% of b\n"		      /* 60%: FAIL */
	    "expect success >= 99%\n"			      /* 16 of 20 (c sent none): FAIL */
	    "expect outage < 100ms of b.load during faults\n" /* 400 ms: FAIL */
	    "expect success == 100% of a during faults\n"     /* pass */
	    "expect requests == 10 of a\n"		      /* pass */
	    "expect success >= 0% of c\n";		      /* no log: not measured */
	char dir[] = "/tmp/fl-test-sla-XXXXXX", err[256] = "";
	struct scn_err serr;
	struct scn *s = scn_parse("t.scn", text, strlen(text), NULL, 0, &serr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	t_write(dir, "events.jsonl",
		"{\"t_ns\":1000000000000,\"src\":\"run\",\"ev\":\"t0\",\"scenario\":\"t\"}\n"
		"{\"t_ns\":1000400000000,\"src\":\"timeline\",\"ev\":\"apply\",\"id\":1,"
		"\"fault\":\"blackhole\",\"target\":\"b.n\",\"sched_ns\":1}\n"
		"{\"t_ns\":1000800000000,\"src\":\"timeline\",\"ev\":\"revert\",\"id\":1,"
		"\"fault\":\"blackhole\",\"target\":\"b.n\",\"sched_ns\":1}\n");
	t_write_requests(dir, "requests-a.csv", 0, 0);
	t_write_requests(dir, "requests-b.csv", 400, 800);
	struct sla_result *r = sla_run_judge(s, dir, 0, 1, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL_FATAL(3, r->n_clients);
	CU_ASSERT_STRING_EQUAL("a.load", r->clients[0].name);
	CU_ASSERT_STRING_EQUAL("requests-b.csv", r->clients[1].log);
	CU_ASSERT_EQUAL(3, r->clients[2].svc);
	CU_ASSERT_TRUE(r->clients[0].logged);
	CU_ASSERT_FALSE(r->clients[2].logged);
	CU_ASSERT_DOUBLE_EQUAL(100, r->clients[0].all.v[SLA_SUCCESS].v, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(60, r->clients[1].all.v[SLA_SUCCESS].v, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(400, r->clients[1].all.v[SLA_OUTAGE].v, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(4, r->clients[1].all.v[SLA_TIMEOUT].v, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(0, r->clients[1].during.v[SLA_SUCCESS].v, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(0, r->clients[0].all.v[SLA_OUTAGE].v, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(80, r->all.v[SLA_SUCCESS].v, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(20, r->all.v[SLA_REQUESTS].v, 1e-9);
	CU_ASSERT_FALSE(r->clients[0].all.v[SLA_FAILOVER].measured);
	CU_ASSERT_STRING_EQUAL("not a per-client metric", r->clients[0].all.v[SLA_FAILOVER].why);
	CU_ASSERT_FALSE(r->clients[2].all.v[SLA_SUCCESS].measured);
	static const enum sla_status want[] = {SLA_PASS, SLA_FAIL, SLA_FAIL,	  SLA_FAIL,
					       SLA_PASS, SLA_PASS, SLA_UNMEASURED};
	CU_ASSERT_EQUAL_FATAL(7, r->n_v);
	for (int k = 0; k < 7; k++)
		CU_ASSERT_EQUAL(want[k], r->v[k].status);
	CU_ASSERT_EQUAL(0, r->v[0].client);
	CU_ASSERT_EQUAL(-1, r->v[2].client);
	CU_ASSERT_EQUAL(1, r->v[3].client);
	CU_ASSERT_STRING_EQUAL("measured 400ms, wanted < 100ms", r->v[3].msg);
	CU_ASSERT_EQUAL(4, r->n_failed); /* three FAIL, one not measured */
	sla_result_free(r);
	/* 'of' naming a service that is no client (a hand-made model): invalid */
	s->expects[0].client = 1; /* w.web */
	r = sla_run_judge(s, dir, 0, 1, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(SLA_INVALID, r->v[0].status);
	sla_result_free(r);
	for (const char *f = "events.jsonl\0requests-a.csv\0requests-b.csv\0"; *f;
	     f += strlen(f) + 1) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, f);
		unlink(path);
	}
	rmdir(dir);
	scn_free(s);
}

/* The language and the SLA module agree on which metrics are per client. */
static void test_clients_metric_table(void)
{
	for (int m = 1; m < SLA_METRIC__MAX; m++)
		CU_ASSERT_EQUAL(sla_metric_per_client(m),
				scn_metric_per_client(sla_metric_name(m)));
}


/* The run's verdict from the marks: every combination of mark and status once. */
static void test_want_met(void)
{
	const enum sla_status all[] = {SLA_PASS, SLA_FAIL, SLA_UNMEASURED, SLA_INVALID};
	const bool pass[] = {true, false, false, false}, fail[] = {false, true, false, false},
		   either[] = {true, true, true, false};
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(pass[i], sla_want_met(SCN_WANT_PASS, all[i]));
		CU_ASSERT_EQUAL(fail[i], sla_want_met(SCN_WANT_FAIL, all[i]));
		CU_ASSERT_EQUAL(either[i], sla_want_met(SCN_WANT_EITHER, all[i]));
	}
	CU_ASSERT_STRING_EQUAL("not reproduced", sla_outcome_name(SLA_OUT_NOT_REPRODUCED));
	CU_ASSERT_STRING_EQUAL("reproduced", sla_outcome_name(SLA_OUT_REPRODUCED));
}

/* Two verdicts with marks @w0, @w1 and statuses @s0, @s1: the outcome. */
static enum sla_outcome t_outcome(enum scn_want w0, enum sla_status s0, enum scn_want w1,
				  enum sla_status s1, bool *ok)
{
	struct sla_verdict v[2] = {{.wanted = w0, .status = s0}, {.wanted = w1, .status = s1}};
	struct sla_result r = {.v = v, .n_v = 2};
	r.reproduction = w0 == SCN_WANT_FAIL || w1 == SCN_WANT_FAIL;
	r.n_failed = (s0 != SLA_PASS) + (s1 != SLA_PASS);
	sla_outcome_judge(&r);
	*ok = r.ok;
	CU_ASSERT_EQUAL(r.n_failed == 0, r.passed);
	return r.outcome;
}

static void test_outcome(void)
{
	const enum scn_want P = SCN_WANT_PASS, F = SCN_WANT_FAIL, E = SCN_WANT_EITHER;
	bool ok;
	CU_ASSERT_EQUAL(SLA_OUT_PASS, t_outcome(P, SLA_PASS, P, SLA_PASS, &ok));
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_EQUAL(SLA_OUT_FAIL, t_outcome(P, SLA_PASS, P, SLA_FAIL, &ok));
	CU_ASSERT_FALSE(ok);
	/* exactly the marked one fails, the rest hold */
	CU_ASSERT_EQUAL(SLA_OUT_REPRODUCED, t_outcome(F, SLA_FAIL, P, SLA_PASS, &ok));
	CU_ASSERT_TRUE(ok);
	/* the marked one held */
	CU_ASSERT_EQUAL(SLA_OUT_NOT_REPRODUCED, t_outcome(F, SLA_PASS, P, SLA_PASS, &ok));
	CU_ASSERT_FALSE(ok);
	/* an unmarked one failed too */
	CU_ASSERT_EQUAL(SLA_OUT_NOT_REPRODUCED, t_outcome(F, SLA_FAIL, P, SLA_FAIL, &ok));
	CU_ASSERT_FALSE(ok);
	/* not measured reproduces nothing */
	CU_ASSERT_EQUAL(SLA_OUT_NOT_REPRODUCED, t_outcome(F, SLA_UNMEASURED, P, SLA_PASS, &ok));
	/* 'may fail' either way, with a reproduction or without */
	CU_ASSERT_EQUAL(SLA_OUT_REPRODUCED, t_outcome(F, SLA_FAIL, E, SLA_FAIL, &ok));
	CU_ASSERT_EQUAL(SLA_OUT_REPRODUCED, t_outcome(F, SLA_FAIL, E, SLA_PASS, &ok));
	CU_ASSERT_EQUAL(SLA_OUT_PASS, t_outcome(E, SLA_FAIL, P, SLA_PASS, &ok));
	CU_ASSERT_TRUE(ok);
	CU_ASSERT_EQUAL(SLA_OUT_FAIL, t_outcome(E, SLA_INVALID, P, SLA_PASS, &ok));
	CU_ASSERT_EQUAL(SLA_OUT_NOT_REPRODUCED, t_outcome(F, SLA_FAIL, F, SLA_PASS, &ok));
	CU_ASSERT_EQUAL(SLA_OUT_REPRODUCED, t_outcome(F, SLA_FAIL, F, SLA_FAIL, &ok));
}

void register_sla_suite(void);
void register_sla_suite(void)
{
	CU_pSuite s = CU_add_suite("sla", NULL, NULL);
	CU_add_test(s, "kernel_warnings", test_kernel_warnings);
	CU_add_test(s, "req_counts_and_latency", test_req_counts_and_latency);
	CU_add_test(s, "run_judge", test_run_judge);
	CU_add_test(s, "req_outage_spans_end", test_req_outage_spans_end);
	CU_add_test(s, "req_zero_requests", test_req_zero_requests);
	CU_add_test(s, "scope_overlapping_faults", test_scope_overlapping_faults);
	CU_add_test(s, "split_touching_vs_overlap", test_split_touching_vs_overlap);
	CU_add_test(s, "split_vrrp_release_and_hold", test_split_vrrp_release_and_hold);
	CU_add_test(s, "failover_with_and_without_move", test_failover_with_and_without_move);
	CU_add_test(s, "detect", test_detect);
	CU_add_test(s, "judge", test_judge);
	CU_add_test(s, "evaluate", test_evaluate);
	CU_add_test(s, "clients_run_judge", test_clients_run_judge);
	CU_add_test(s, "clients_metric_table", test_clients_metric_table);
	CU_add_test(s, "want met", test_want_met);
	CU_add_test(s, "outcome", test_outcome);
	CU_add_test(s, "collected metrics", test_collected_metrics);
}
