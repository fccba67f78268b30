/*
 * test_tl.c - the timeline's schedule expansion, checked against a naive reference
 * model written here from the rules in tl.h (its own splitmix64, its own loops, no
 * sorting tricks), plus statistical checks of the Poisson arrivals and durations and
 * the edges of every/from/until/for.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "tl.h"

/* A fault kind by the name it is written as. */
#define K(name) scn_fault_kind_find(name)

/* ---- a hand-built scenario: nets n0,n1; nodes a,b,c on both ---- */

static struct scn_network t_nets[2] = {{.name = "n0"}, {.name = "n1"}};
static struct scn_node t_nodes[3] = {{.name = "a"}, {.name = "b"}, {.name = "c"}};
static int t_all[3] = {0, 1, 2};
static int t_a[1] = {0};
static struct scn_service t_svcs[3] = {
	{.node = 0, .kind = SCN_SVC_EXEC, .name = "x"},
	{.node = 1, .kind = SCN_SVC_EXEC, .name = "x"},
	{.node = 2, .kind = SCN_SVC_EXEC, .name = "x"},
};

static void t_scn(struct scn *s, struct scn_event *ev, int n, int64_t duration)
{
	memset(s, 0, sizeof(*s));
	s->name = "t";
	s->duration_ms = duration;
	s->networks = t_nets;
	s->n_networks = 2;
	s->nodes = t_nodes;
	s->n_nodes = 3;
	s->services = t_svcs;
	s->n_services = 3;
	s->events = ev;
	s->n_events = n;
}

static struct scn_event t_ev(enum scn_sched sched, const struct scn_fault_kind *kind, int n_nodes)
{
	struct scn_event e = {.sched = sched};
	e.fault.kind = kind;
	e.fault.target.nodes = n_nodes == 1 ? t_a : t_all;
	e.fault.target.n_nodes = n_nodes;
	e.fault.target.net = 1;
	return e;
}

/* ---- the reference model ---- */

struct ref_rng {
	uint64_t s;
};

static uint64_t ref_mix(uint64_t z)
{
	z ^= z >> 30;
	z *= 0xBF58476D1CE4E5B9ULL;
	z ^= z >> 27;
	z *= 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return z;
}

static uint64_t ref_next(struct ref_rng *r)
{
	r->s += 0x9E3779B97F4A7C15ULL;
	return ref_mix(r->s);
}

struct ref_firing {
	int64_t t, revert;
	int node;
};

/* Every arrival of one random statement, as the rules in tl.h describe it. */
static int ref_random(const struct scn_event *e, uint64_t seed, int stream, int64_t dur,
		      struct ref_firing *out, int max)
{
	struct ref_rng r = {ref_mix(seed ^ ref_mix((uint64_t)stream + 1))};
	int n = 0;
	double t = (double)e->from_ms;
	int64_t until = e->until_ms < dur ? e->until_ms : dur;
	while (n < max) {
		double u = (double)(ref_next(&r) >> 11) / 9007199254740992.0;
		t += -(3600000.0 / e->per_hour) * log(1.0 - u);
		if (t >= (double)until)
			break;
		out[n].t = (int64_t)t;
		out[n].node = e->fault.target.n_nodes > 1
				      ? e->fault.target.nodes[ref_next(&r) %
							      (uint64_t)e->fault.target.n_nodes]
				      : e->fault.target.nodes[0];
		int64_t d = e->for_min_ms;
		if (e->for_max_ms > e->for_min_ms)
			d += (int64_t)(ref_next(&r) % (uint64_t)(e->for_max_ms - e->for_min_ms + 1));
		out[n].revert = out[n].t + d < dur ? out[n].t + d : TL_NONE;
		n++;
	}
	return n;
}

static void test_rng_splitmix_reference(void)
{
	/* splitmix64 from state 0: the published first outputs. */
	struct tl_rng r = {0};
	CU_ASSERT_EQUAL(0xE220A8397B1DCDAFULL, tl_rng_next(&r));
	CU_ASSERT_EQUAL(0x6E789E6AA1B965F4ULL, tl_rng_next(&r));
	CU_ASSERT_EQUAL(0x06C45D188009454FULL, tl_rng_next(&r));
	for (int i = 0; i < 10000; i++) {
		double u = tl_rng_unit(&r);
		CU_ASSERT(u >= 0.0 && u < 1.0);
		CU_ASSERT(tl_rng_below(&r, 7) < 7);
	}
}

static void test_schedule_matches_model(void)
{
	struct scn_event ev[1] = {t_ev(SCN_RANDOM, K("blackhole"), 3)};
	ev[0].per_hour = 720;
	ev[0].from_ms = 1000;
	ev[0].until_ms = 290000;
	ev[0].has_for = true;
	ev[0].for_min_ms = 1000;
	ev[0].for_max_ms = 15000;
	struct scn s;
	t_scn(&s, ev, 1, 300000);
	static struct ref_firing ref[4096];
	int compared = 0;
	for (uint64_t seed = 1; seed <= 300; seed++) {
		uint64_t sd = seed * 0x100000001B3ULL; /* spread over the 64-bit range */
		int n = ref_random(&ev[0], sd, 0, s.duration_ms, ref, 4096);
		struct tl_schedule *sch = tl_schedule_build(&s, sd);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
		CU_ASSERT_EQUAL(n, sch->n);
		for (int i = 0; i < n && i < sch->n; i++) {
			CU_ASSERT_EQUAL(ref[i].t, sch->v[i].t_ms);
			CU_ASSERT_EQUAL(ref[i].node, sch->v[i].node);
			CU_ASSERT_EQUAL(ref[i].revert, sch->v[i].revert_ms);
			CU_ASSERT_EQUAL(ref[i].revert == TL_NONE, sch->v[i].revert_at_end);
			CU_ASSERT_EQUAL(i + 1, sch->v[i].id);
			compared++;
		}
		tl_schedule_free(sch);
	}
	CU_ASSERT(compared > 300 * 40); /* about 58 per run: the model really ran */
}

static void test_schedule_same_seed_same_bytes(void)
{
	struct scn_event ev[2] = {t_ev(SCN_RANDOM, K("stall"), 3),
				  t_ev(SCN_EVERY, K("loss"), 3)};
	ev[0].per_hour = 3600;
	ev[0].until_ms = 600000;
	ev[1].every_ms = 7000;
	ev[1].until_ms = 600000;
	struct scn s;
	t_scn(&s, ev, 2, 600000);
	struct tl_schedule *x = tl_schedule_build(&s, 99), *y = tl_schedule_build(&s, 99);
	struct tl_schedule *z = tl_schedule_build(&s, 100);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(y);
	CU_ASSERT_PTR_NOT_NULL_FATAL(z);
	CU_ASSERT_EQUAL(x->n, y->n);
	CU_ASSERT_EQUAL(0, memcmp(x->v, y->v, (size_t)x->n * sizeof(*x->v)));
	CU_ASSERT(x->n != z->n || memcmp(x->v, z->v, (size_t)x->n * sizeof(*x->v)) != 0);
	for (int i = 1; i < x->n; i++)
		CU_ASSERT(x->v[i - 1].t_ms <= x->v[i].t_ms);
	tl_schedule_free(x);
	tl_schedule_free(y);
	tl_schedule_free(z);
}

/* Adding a statement in front must not move the firings of the others' streams... */
static void test_schedule_streams_independent(void)
{
	struct scn_event ev[2] = {t_ev(SCN_RANDOM, K("stall"), 3),
				  t_ev(SCN_RANDOM, K("blackhole"), 3)};
	ev[0].per_hour = ev[1].per_hour = 600;
	ev[0].until_ms = ev[1].until_ms = 3600000;
	struct scn s;
	t_scn(&s, ev, 2, 3600000);
	struct tl_schedule *both = tl_schedule_build(&s, 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(both);
	static struct ref_firing ref[2048];
	int n = ref_random(&ev[1], 5, 1, s.duration_ms, ref, 2048), k = 0;
	for (int i = 0; i < both->n; i++) {
		if (both->v[i].event != 1)
			continue;
		CU_ASSERT_FATAL(k < n);
		CU_ASSERT_EQUAL(ref[k].t, both->v[i].t_ms);
		k++;
	}
	CU_ASSERT_EQUAL(n, k);
	CU_ASSERT(n > 400);
	tl_schedule_free(both);
}

static void test_random_poisson_mean(void)
{
	/* 120/h over 1h: the count is Poisson(120), the gaps exponential, mean 30s. Over
	 * 2000 runs the mean count has a standard error of sqrt(120/2000) = 0.245. */
	struct scn_event ev[1] = {t_ev(SCN_RANDOM, K("stall"), 1)};
	ev[0].per_hour = 120;
	ev[0].until_ms = 3600000;
	struct scn s;
	t_scn(&s, ev, 1, 3600000);
	double total = 0, sq = 0, first = 0;
	const int runs = 2000;
	for (int seed = 1; seed <= runs; seed++) {
		struct tl_schedule *sch = tl_schedule_build(&s, (uint64_t)seed);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
		total += sch->n;
		sq += (double)sch->n * sch->n;
		if (sch->n > 0)
			first += (double)sch->v[0].t_ms;
		tl_schedule_free(sch);
	}
	double mean = total / runs, var = sq / runs - mean * mean;
	CU_ASSERT(fabs(mean - 120.0) < 1.0);   /* 4 standard errors */
	CU_ASSERT(fabs(var - 120.0) < 15.0);   /* Poisson: variance == mean */
	/* the first arrival is one exponential gap: mean 30s, standard error 30/sqrt(2000)
	 * = 0.67s; the ms rounding takes 0.5ms off */
	CU_ASSERT(fabs(first / runs - 30000.0) < 2700.0);
}

static void test_random_durations_in_range(void)
{
	struct scn_event ev[1] = {t_ev(SCN_RANDOM, K("blackhole"), 2)};
	ev[0].per_hour = 36000;
	ev[0].until_ms = 3600000;
	ev[0].has_for = true;
	ev[0].for_min_ms = 15000;
	ev[0].for_max_ms = 15003;
	struct scn s;
	t_scn(&s, ev, 1, 3600000);
	struct tl_schedule *sch = tl_schedule_build(&s, 42);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
	int seen[4] = {0}, picked[3] = {0};
	for (int i = 0; i < sch->n; i++) {
		const struct tl_firing *f = &sch->v[i];
		if (f->revert_at_end)
			continue;
		int64_t d = f->revert_ms - f->t_ms;
		CU_ASSERT(d >= 15000 && d <= 15003);
		if (d >= 15000 && d <= 15003)
			seen[d - 15000]++;
		picked[f->node]++;
	}
	for (int i = 0; i < 4; i++)
		CU_ASSERT(seen[i] > sch->n / 8); /* both ends of the range are reached */
	CU_ASSERT(picked[0] > sch->n / 3 && picked[1] > sch->n / 3);
	CU_ASSERT_EQUAL(0, picked[2]); /* any(a,b) never picks c */
	tl_schedule_free(sch);
}

static void test_every_edges(void)
{
	struct scn_event ev[2] = {t_ev(SCN_EVERY, K("stall"), 1),
				  t_ev(SCN_EVERY, K("loss"), 1)};
	ev[0].every_ms = 1000;
	ev[0].from_ms = 2000;
	ev[0].until_ms = 5000; /* until is exclusive: 2s, 3s, 4s */
	ev[1].every_ms = 3000;
	ev[1].from_ms = 0;
	ev[1].until_ms = 20000; /* past the duration: clipped to it (0, 3, 6, 9) */
	struct scn s;
	t_scn(&s, ev, 2, 10000);
	struct tl_schedule *sch = tl_schedule_build(&s, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
	int64_t want_t[] = {0, 2000, 3000, 3000, 4000, 6000, 9000};
	int want_ev[] = {1, 0, 0, 1, 0, 1, 1}; /* ties: file order */
	CU_ASSERT_EQUAL_FATAL(7, sch->n);
	for (int i = 0; i < 7; i++) {
		CU_ASSERT_EQUAL(want_t[i], sch->v[i].t_ms);
		CU_ASSERT_EQUAL(want_ev[i], sch->v[i].event);
		CU_ASSERT_EQUAL(TL_NONE, sch->v[i].revert_ms);
		CU_ASSERT_FALSE(sch->v[i].revert_at_end);
	}
	tl_schedule_free(sch);
}

static void test_for_beyond_end(void)
{
	struct scn_event ev[3] = {t_ev(SCN_AT, K("stall"), 1), t_ev(SCN_AT, K("mtu"), 1),
				  t_ev(SCN_AT, K("mtu"), 1)};
	ev[0].at_ms = 8000;
	ev[0].has_for = true;
	ev[0].for_min_ms = ev[0].for_max_ms = 5000; /* 13s > 10s */
	ev[1].at_ms = 1000;
	ev[1].has_for = true;
	ev[1].for_min_ms = ev[1].for_max_ms = 8999; /* 9.999s: still inside */
	ev[2].at_ms = 10000;                         /* at the duration: never fires */
	struct scn s;
	t_scn(&s, ev, 3, 10000);
	struct tl_schedule *sch = tl_schedule_build(&s, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
	CU_ASSERT_EQUAL_FATAL(2, sch->n);
	CU_ASSERT_EQUAL(1000, sch->v[0].t_ms);
	CU_ASSERT_EQUAL(9999, sch->v[0].revert_ms);
	CU_ASSERT_FALSE(sch->v[0].revert_at_end);
	CU_ASSERT_EQUAL(8000, sch->v[1].t_ms);
	CU_ASSERT_EQUAL(TL_NONE, sch->v[1].revert_ms);
	CU_ASSERT_TRUE(sch->v[1].revert_at_end);
	tl_schedule_free(sch);
}

static void test_flap_expands_to_steps(void)
{
	struct scn_event ev[1] = {t_ev(SCN_AT, K("flap"), 1)};
	ev[0].at_ms = 5000;
	ev[0].fault.ms[0] = 1000;
	ev[0].fault.ms[1] = 500;
	ev[0].fault.n = 6; /* steps at 5, 6.5, 8, 9.5, 11, 12.5: the last is dropped */
	struct scn s;
	t_scn(&s, ev, 1, 12000);
	struct tl_schedule *sch = tl_schedule_build(&s, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
	CU_ASSERT_EQUAL_FATAL(5, sch->n);
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(K("link down"), sch->v[i].kind);
		CU_ASSERT_EQUAL(5000 + i * 1500, sch->v[i].t_ms);
		CU_ASSERT_EQUAL(6000 + i * 1500, sch->v[i].revert_ms);
		CU_ASSERT_EQUAL(i + 1, sch->v[i].step);
		CU_ASSERT_EQUAL(6, sch->v[i].steps);
	}
	CU_ASSERT_EQUAL(11000, sch->v[4].t_ms); /* its up at 12s is the end of the run */
	CU_ASSERT_TRUE(sch->v[4].revert_at_end);
	tl_schedule_free(sch);
}

static void test_kill_any_picks_service_of_node(void)
{
	struct scn_event ev[1] = {t_ev(SCN_EVERY, K("kill"), 3)};
	ev[0].every_ms = 10;
	ev[0].until_ms = 10000;
	ev[0].fault.target.net = -1;
	ev[0].fault.service = 0;
	strcpy(ev[0].fault.svc_name, "x");
	ev[0].fault.n = 9;
	struct scn s;
	t_scn(&s, ev, 1, 10000);
	struct tl_schedule *sch = tl_schedule_build(&s, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
	CU_ASSERT_EQUAL(1000, sch->n);
	for (int i = 0; i < sch->n; i++)
		CU_ASSERT_EQUAL(sch->v[i].node, t_svcs[sch->v[i].service].node);
	tl_schedule_free(sch);
}

/* The parameters of firing @f as events.jsonl writes them (one static buffer). */
static const char *t_params(const struct scn *s, const struct tl_firing *f)
{
	static char out[256];
	json_t *o = json_object();
	char *text;

	snprintf(out, sizeof(out), "(failed)");
	if (o && tl_params_add(s, f, o) == 0 && (text = json_dumps(o, JSONL_DUMP_FLAGS))) {
		snprintf(out, sizeof(out), "%s", text);
		free(text);
	}
	json_decref(o);
	return out;
}

static void test_firing_format(void)
{
	struct scn_event ev[2] = {t_ev(SCN_AT, K("loss"), 1), t_ev(SCN_AT, K("flap"), 1)};
	ev[0].at_ms = 1500;
	ev[0].fault.percent = 30;
	ev[0].has_for = true;
	ev[0].for_min_ms = ev[0].for_max_ms = 250;
	ev[1].at_ms = 2000;
	ev[1].fault.ms[0] = ev[1].fault.ms[1] = 100;
	ev[1].fault.n = 2;
	struct scn s;
	t_scn(&s, ev, 2, 60000);
	struct tl_schedule *sch = tl_schedule_build(&s, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
	CU_ASSERT_EQUAL_FATAL(3, sch->n);
	char buf[256];
	tl_firing_format(&s, &sch->v[0], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("     1.500s  #1    loss a.n1 30%  revert 1.750s", buf);
	tl_firing_format(&s, &sch->v[2], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("     2.200s  #3    link down a.n1 (flap 2/2)  revert 2.300s",
			       buf);
	CU_ASSERT_STRING_EQUAL("{\"percent\":30}", t_params(&s, &sch->v[0]));
	CU_ASSERT_STRING_EQUAL("{\"step\":2,\"steps\":2,\"down_ms\":100,\"up_ms\":100}",
			       t_params(&s, &sch->v[2]));
	/* a short buffer is truncated and NUL-terminated, the full length is returned */
	int n = tl_firing_format(&s, &sch->v[0], buf, 8);
	CU_ASSERT_EQUAL(47, n);
	CU_ASSERT_EQUAL(7, (int)strlen(buf));
	tl_schedule_free(sch);
}

static void test_firing_format_bandwidth(void)
{
	struct scn_event ev[2] = {t_ev(SCN_AT, K("bandwidth"), 1), t_ev(SCN_AT, K("bandwidth"), 1)};
	ev[0].at_ms = 1000;
	ev[0].fault.rate_bps = 512000;
	ev[0].fault.dir = SCN_DIR_IN;
	ev[1].at_ms = 2000;
	ev[1].fault.rate_bps = 1500;
	ev[1].fault.dir = SCN_DIR_BOTH;
	struct scn s;
	t_scn(&s, ev, 2, 60000);
	struct tl_schedule *sch = tl_schedule_build(&s, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
	CU_ASSERT_EQUAL_FATAL(2, sch->n);
	char buf[256];
	tl_firing_format(&s, &sch->v[0], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("     1.000s  #1    bandwidth a.n1 512kbit in  revert at end", buf);
	tl_firing_format(&s, &sch->v[1], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("     2.000s  #2    bandwidth a.n1 1500bit both  revert at end",
			       buf);
	CU_ASSERT_STRING_EQUAL("{\"rate_bps\":512000,\"dir\":\"in\"}", t_params(&s, &sch->v[0]));
	CU_ASSERT_STRING_EQUAL("{\"rate_bps\":1500,\"dir\":\"both\"}", t_params(&s, &sch->v[1]));
	tl_schedule_free(sch);
}

/* The filter kinds print a direction and a selector only when given (not both/all). */
static void test_firing_format_filter(void)
{
	struct scn_event ev[3] = {t_ev(SCN_AT, K("loss"), 1), t_ev(SCN_AT, K("blackhole"), 1),
				  t_ev(SCN_AT, K("blackhole"), 1)};
	ev[0].at_ms = 1000;
	ev[0].fault.percent = 100;
	ev[0].fault.dir = SCN_DIR_OUT;
	ev[0].fault.match = (struct scn_match){SCN_PROTO_UDP, 5353};
	ev[1].at_ms = 2000;
	ev[1].fault.dir = SCN_DIR_BOTH;
	ev[1].fault.match.proto = SCN_PROTO_VRRP;
	ev[2].at_ms = 3000;
	ev[2].fault.dir = SCN_DIR_BOTH;
	struct scn s;
	t_scn(&s, ev, 3, 60000);
	struct tl_schedule *sch = tl_schedule_build(&s, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
	CU_ASSERT_EQUAL_FATAL(3, sch->n);
	char buf[256];
	tl_firing_format(&s, &sch->v[0], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(
	    "     1.000s  #1    loss a.n1 100% out match udp port 5353  revert at end", buf);
	CU_ASSERT_STRING_EQUAL("{\"percent\":100,\"dir\":\"out\",\"match\":\"udp\",\"port\":5353}",
			       t_params(&s, &sch->v[0]));
	tl_firing_format(&s, &sch->v[1], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("     2.000s  #2    blackhole a.n1 match vrrp  revert at end", buf);
	CU_ASSERT_STRING_EQUAL("{\"match\":\"vrrp\"}", t_params(&s, &sch->v[1]));
	tl_firing_format(&s, &sch->v[2], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("     3.000s  #3    blackhole a.n1  revert at end", buf);
	CU_ASSERT_STRING_EQUAL("{}", t_params(&s, &sch->v[2]));
	/* truncated inside the selector: the full length still comes back */
	int n = tl_firing_format(&s, &sch->v[0], buf, 40);
	CU_ASSERT_EQUAL(72, n);
	CU_ASSERT_EQUAL(39, (int)strlen(buf));
	tl_schedule_free(sch);
}

/* A partition's target holds both groups: " / " both ways, " -> " one way (dir out),
 * which events.jsonl also says as "oneway"; the two-way form adds no member. */
static void test_firing_format_partition(void)
{
	static int ga[2] = {0, 1}, gb[1] = {2};
	struct scn_event ev[2];
	for (int i = 0; i < 2; i++) {
		ev[i] = (struct scn_event){.sched = SCN_AT, .at_ms = 1000 * (i + 1)};
		ev[i].fault.kind = K("partition");
		ev[i].fault.target.net = -1;
		ev[i].fault.group_a = ga;
		ev[i].fault.n_a = 2 - i;
		ev[i].fault.group_b = gb;
		ev[i].fault.n_b = 1;
	}
	ev[1].fault.dir = SCN_DIR_OUT;
	struct scn s;
	t_scn(&s, ev, 2, 60000);
	struct tl_schedule *sch = tl_schedule_build(&s, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
	CU_ASSERT_EQUAL_FATAL(2, sch->n);
	char buf[256];
	tl_firing_format(&s, &sch->v[0], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("     1.000s  #1    partition a,b / c  revert at end", buf);
	CU_ASSERT_STRING_EQUAL("{}", t_params(&s, &sch->v[0]));
	tl_firing_format(&s, &sch->v[1], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("     2.000s  #2    partition a -> c  revert at end", buf);
	tl_target_format(&s, &sch->v[1], buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("a -> c", buf);
	CU_ASSERT_STRING_EQUAL("{\"oneway\":true}", t_params(&s, &sch->v[1]));
	tl_schedule_free(sch);
}

/* Every kind's parameters as events.jsonl has them: the same members, order and number
 * forms the text fragments gave (integers as integers, a percentage as %g shows it). */
static void test_params_every_kind(void)
{
	struct {
		const char *kind;
		const char *want;
	} cases[] = {
	    {"loss", "{\"percent\":12.3457,\"dir\":\"out\"}"},
	    {"loss", "{\"percent\":2.5,\"dir\":\"out\"}"},
	    {"loss", "{\"percent\":100,\"dir\":\"out\"}"},
	    {"mtu", "{\"mtu\":1400}"},
	    {"delay", "{\"delay_ms\":50,\"jitter_ms\":5}"},
	    {"bandwidth", "{\"rate_bps\":1000000000000,\"dir\":\"out\"}"},
	    {"kill", "{\"service\":\"we\\\"b\",\"signal\":15}"},
	    {"restart", "{\"service\":\"we\\\"b\"}"},
	    {"flap", "{\"step\":3,\"steps\":4,\"down_ms\":50,\"up_ms\":5}"},
	    {"link down", "{}"},
	    {"link up", "{}"},
	    {"blackhole", "{\"dir\":\"out\"}"},
	    {"pmtu-blackhole", "{}"},
	    {"partition", "{\"oneway\":true}"}, /* dir out: the arrow */
	    {"stall", "{}"},
	    {"duplicate", "{\"percent\":0,\"dir\":\"out\"}"},
	    {"corrupt", "{\"percent\":0,\"dir\":\"out\"}"},
	    {"reorder", "{\"percent\":0,\"dir\":\"out\"}"},
	    {"loss", "{\"percent\":0,\"burst\":4,\"dir\":\"out\"}"},
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct scn_event ev[N];
	double pct[3] = {12.3456789, 2.5, 100};
	struct scn s;

	for (int i = 0; i < N; i++) {
		ev[i] = t_ev(SCN_AT, K(cases[i].kind), 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ev[i].fault.kind);
		ev[i].fault.percent = i < 3 ? pct[i] : 0;
		ev[i].fault.n = !strcmp(cases[i].kind, "mtu")	 ? 1400
				: !strcmp(cases[i].kind, "kill") ? 15
				: i == N - 1			 ? 4 /* loss burst 4 */
								 : 0;
		ev[i].fault.ms[0] = 50;
		ev[i].fault.ms[1] = 5;
		ev[i].fault.rate_bps = 1000000000000ULL; /* 1000gbit: beyond 32 bits */
		ev[i].fault.dir = SCN_DIR_OUT;
		strcpy(ev[i].fault.svc_name, "we\"b"); /* escaped, where text once broke */
	}
	t_scn(&s, ev, N, 10000);
	for (int i = 0; i < N; i++) {
		struct tl_firing f = {.event = i, .step = 3, .steps = 4};
		CU_ASSERT_STRING_EQUAL(cases[i].want, t_params(&s, &f));
	}
	/* members are added after what the object holds already, in order */
	struct tl_firing f = {.event = 4};
	json_t *o = json_pack("{s:i}", "id", 7);
	CU_ASSERT_EQUAL(0, tl_params_add(&s, &f, o));
	char *text = json_dumps(o, JSONL_DUMP_FLAGS);
	CU_ASSERT_STRING_EQUAL("{\"id\":7,\"delay_ms\":50,\"jitter_ms\":5}", text);
	free(text);
	/* a firing of no event of the scenario */
	f.event = N;
	errno = 0;
	CU_ASSERT_EQUAL(-1, tl_params_add(&s, &f, o));
	CU_ASSERT_EQUAL(EINVAL, errno);
	CU_ASSERT_EQUAL(3, json_object_size(o));
	json_decref(o);
}


/* The dry-run line of @f without its "(flap k/n)": what a written 'at' line fires. */
static void t_line(const struct scn *s, const struct tl_firing *f, char *buf, size_t len)
{
	tl_firing_format(s, f, buf, len);
	char *flap = strstr(buf, " (flap ");
	if (flap)
		memmove(flap, strchr(flap, ')') + 1, strlen(strchr(flap, ')') + 1) + 1);
}

/* Scenario @path written back with its schedule as 'at' lines (another seed, to show it
 * does not matter) runs to the same firings: time, kind, target, arguments, revert. */
static int t_as_scenario(const char *path)
{
	struct scn_err err;
	struct scn *s = scn_load(path, NULL, 0, &err), *w = NULL;
	struct tl_schedule *a = s ? tl_schedule_build(s, s->seed) : NULL, *b = NULL;
	char *src = NULL, *out = NULL, la[1024], lb[1024];
	size_t n_src = 0, n_out = 0;
	FILE *f = fopen(path, "r"), *m = open_memstream(&out, &n_out);
	int same = -1;
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	src = calloc(1, 1 << 20);
	n_src = fread(src, 1, (1 << 20) - 1, f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(0, tl_scn_write(m, s, a, src, n_src));
	fclose(m);
	w = scn_parse("written.scn", out, n_out, NULL, 0, &err);
	if (!w) {
		fprintf(stderr, "\n  %s written back: %d:%d: %s\n", path, err.line, err.col, err.msg);
		goto out;
	}
	CU_ASSERT_EQUAL(0, w->n_events ? 0 : a->n);
	b = tl_schedule_build(w, s->seed + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(a->n, b->n);
	same = a->n == b->n && w->n_events == a->n;
	for (int i = 0; same && i < a->n; i++) {
		const struct tl_firing *x = &a->v[i], *y = &b->v[i];
		t_line(s, x, la, sizeof(la));
		t_line(w, y, lb, sizeof(lb));
		same = !strcmp(la, lb) && x->t_ms == y->t_ms && x->revert_ms == y->revert_ms &&
		       x->revert_at_end == y->revert_at_end && x->kind == y->kind &&
		       x->node == y->node && x->service == y->service;
		if (!same)
			fprintf(stderr, "\n  %s: firing %d: '%s' written back as '%s'\n", path,
				i + 1, la, lb);
	}
	CU_ASSERT_EQUAL(s->n_expects, w->n_expects);
	CU_ASSERT_EQUAL(s->n_services, w->n_services);
	CU_ASSERT_STRING_EQUAL(s->name, w->name);
out:
	tl_schedule_free(a);
	tl_schedule_free(b);
	scn_free(s);
	scn_free(w);
	free(src);
	free(out);
	return same;
}

static void test_as_scenario_bundled(void)
{
	glob_t g;
	int n = 0;
	CU_ASSERT_EQUAL_FATAL(0, glob("scenarios/*/*.scn", 0, NULL, &g));
	CU_ASSERT_EQUAL(0, glob("tests/data/scn/good-*.scn", GLOB_APPEND, NULL, &g));
	for (size_t i = 0; i < g.gl_pathc; i++) {
		int same = t_as_scenario(g.gl_pathv[i]);
		CU_ASSERT_EQUAL(1, same);
		n += same == 1;
	}
	CU_ASSERT(n >= 20); /* run from the source tree: every bundled scenario was read */
	globfree(&g);
}

/* A flap step is written as its link down; a `for` past the end as one to the end. */
static void test_firing_stmt(void)
{
	const char *text = "scenario t\nduration 10s\nnetwork n 10.0.0.0/24\nnode a on n\n"
			   "node b on n\n"
			   "at 1s flap any(b).n down 500ms up 1500ms count 6\n"
			   "random 3600/h from 2s loss any(a,b).n 2.5% for 1s..30s\n";
	struct scn_err err;
	struct scn *s = scn_parse("t.scn", text, strlen(text), NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct tl_schedule *sch = tl_schedule_build(s, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
	char buf[256];
	CU_ASSERT(sch->n > 5);
	CU_ASSERT(tl_firing_stmt(s, &sch->v[0], buf, sizeof(buf)) > 0);
	CU_ASSERT_STRING_EQUAL("at 1000ms link down b.n for 500ms", buf);
	int ends = 0;
	for (int i = 0; i < sch->n; i++) {
		const struct tl_firing *f = &sch->v[i];
		tl_firing_stmt(s, f, buf, sizeof(buf));
		if (f->revert_at_end) {
			char want[128];
			snprintf(want, sizeof(want), " for %lldms", (long long)(10000 - f->t_ms));
			CU_ASSERT_PTR_NOT_NULL(strstr(buf, want));
			ends++;
		}
	}
	CU_ASSERT(ends > 0);
	struct tl_firing bad = {.event = 5};
	CU_ASSERT_EQUAL(-1, tl_firing_stmt(s, &bad, buf, sizeof(buf)));
	tl_schedule_free(sch);
	scn_free(s);
}

/* Some firings only, under the caller's header: the written file's schedule is
 * exactly those firings (times, kinds, reverts), and the header is on top. */
static void test_as_scenario_keep(void)
{
	const char *text = "scenario t\nduration 10s\nseed 4\nnetwork n 10.0.0.0/24\n"
			   "node a on n\nnode b on n\n"
			   "random 3600/h from 1s loss any(a,b).n 2.5% for 1s..3s\n"
			   "at 2s flap b.n down 500ms up 500ms count 4\n"
			   "expect success >= 99%\n";
	struct scn_err err;
	struct scn *s = scn_parse("t.scn", text, strlen(text), NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct tl_schedule *sch = tl_schedule_build(s, s->seed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sch);
	CU_ASSERT_FATAL(sch->n >= 6);
	bool keep[64] = {false};
	int kept = 0;
	for (int i = 0; i < sch->n && i < 64; i += 2)
		keep[i] = true, kept++;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_EQUAL(0, tl_scn_write_keep(f, s, sch, keep, "# mine\n", text, strlen(text)));
	fclose(f);
	CU_ASSERT_EQUAL(0, strncmp(buf, "# mine\nscenario t\n", 18));
	CU_ASSERT_PTR_NULL(strstr(buf, "random "));
	CU_ASSERT_PTR_NULL(strstr(buf, "flap "));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "expect success >= 99%"));
	struct scn *w = scn_parse("w.scn", buf, len, NULL, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	struct tl_schedule *ws = tl_schedule_build(w, 99); /* nothing left to draw */
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws);
	CU_ASSERT_EQUAL(kept, ws->n);
	for (int i = 0, k = 0; i < sch->n && k < ws->n; i++) {
		if (!keep[i])
			continue;
		CU_ASSERT_EQUAL(sch->v[i].t_ms, ws->v[k].t_ms);
		CU_ASSERT_PTR_EQUAL(sch->v[i].kind, ws->v[k].kind);
		CU_ASSERT_EQUAL(sch->v[i].revert_ms, ws->v[k].revert_ms);
		CU_ASSERT_EQUAL(sch->v[i].node, ws->v[k].node);
		k++;
	}
	tl_schedule_free(ws);
	scn_free(w);
	free(buf);
	tl_schedule_free(sch);
	scn_free(s);
}

void register_tl_suite(void);

void register_tl_suite(void)
{
	CU_pSuite s = CU_add_suite("tl", NULL, NULL);
	CU_add_test(s, "as scenario, every bundled one", test_as_scenario_bundled);
	CU_add_test(s, "firing statement", test_firing_stmt);
	CU_add_test(s, "as scenario, some firings", test_as_scenario_keep);
	CU_add_test(s, "rng_splitmix_reference", test_rng_splitmix_reference);
	CU_add_test(s, "firing_format_bandwidth", test_firing_format_bandwidth);
	CU_add_test(s, "firing_format_filter", test_firing_format_filter);
	CU_add_test(s, "firing_format_partition", test_firing_format_partition);
	CU_add_test(s, "params_every_kind", test_params_every_kind);
	CU_add_test(s, "schedule_matches_model", test_schedule_matches_model);
	CU_add_test(s, "schedule_same_seed_same_bytes", test_schedule_same_seed_same_bytes);
	CU_add_test(s, "schedule_streams_independent", test_schedule_streams_independent);
	CU_add_test(s, "random_poisson_mean", test_random_poisson_mean);
	CU_add_test(s, "random_durations_in_range", test_random_durations_in_range);
	CU_add_test(s, "every_edges", test_every_edges);
	CU_add_test(s, "for_beyond_end", test_for_beyond_end);
	CU_add_test(s, "flap_expands_to_steps", test_flap_expands_to_steps);
	CU_add_test(s, "kill_any_picks_service_of_node", test_kill_any_picks_service_of_node);
	CU_add_test(s, "firing_format", test_firing_format);
}
