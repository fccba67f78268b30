/*
 * test_merge.c - --shard K/N and 'faultline merge': the shard rule against a naive
 * model (every item in exactly one shard, the shards' sizes within one of each other,
 * shard K holding K-1, K-1+N, ...); a result read back from its JSON giving the JUnit
 * the original gave, byte for byte; and merge, JSON in and JSON out: shard reports
 * written by the real writer (cmd_shard_write) from synthetic results, merged in a
 * shuffled order, give byte for byte what one invocation writes (run: rep_json_write_many
 * and rep_junit_write; explore: cmd_explore_json, whose statistics need the exact
 * doubles; matrix: the columns), and every way the shards can fail to make a whole
 * is refused with a message that names it.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "jsonl.h"
#include "obs.h"
#include "rep.h"

#define T0    7000000000000LL
#define MS(x) (T0 + (int64_t)(x)*1000000LL)

static void test_shard_parse(void)
{
	struct cmd_shard sh = {0};

	CU_ASSERT_EQUAL(0, cmd_shard_parse("2/3", &sh));
	CU_ASSERT_EQUAL(2, sh.k);
	CU_ASSERT_EQUAL(3, sh.n);
	CU_ASSERT_EQUAL(0, cmd_shard_parse("1/1", &sh));
	CU_ASSERT_EQUAL(0, cmd_shard_parse("1024/1024", &sh));
	static const char *const bad[] = {"",	  "3",	 "0/3", "4/3", "1/0",	 "-1/3", "1/-3",
					  "1/3x", "a/3", "1/",	"/3",  "1/1025", "2 /3", "1/3/4"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL_FATAL(-1, cmd_shard_parse(bad[i], &sh));
	CU_ASSERT_EQUAL(-1, cmd_shard_parse(NULL, &sh));
}

/* Against the model: shard K is K-1, K-1+N, K-1+2N ... below total. */
static void test_shard_rule(void)
{
	int idx[64], owner[64];

	for (int n = 1; n <= 9; n++)
		for (int total = 0; total <= 40; total++) {
			int lo = total, hi = 0;
			for (int i = 0; i < total; i++)
				owner[i] = 0;
			for (int k = 1; k <= n; k++) {
				struct cmd_shard sh = {.k = k, .n = n};
				int m = cmd_shard_pick(&sh, total, idx), want = 0;
				for (int i = k - 1; i < total; i += n)
					CU_ASSERT_EQUAL_FATAL(i, idx[want++]);
				CU_ASSERT_EQUAL_FATAL(want, m);
				for (int j = 0; j < m; j++) {
					CU_ASSERT_TRUE_FATAL(cmd_shard_has(&sh, idx[j]));
					owner[idx[j]]++;
				}
				lo = m < lo ? m : lo;
				hi = m > hi ? m : hi;
			}
			for (int i = 0; i < total; i++)
				CU_ASSERT_EQUAL_FATAL(1, owner[i]);
			CU_ASSERT_TRUE_FATAL(hi - lo <= 1 || total == 0);
		}
	struct cmd_shard none = {0};
	CU_ASSERT_EQUAL(5, cmd_shard_pick(&none, 5, idx)); /* unsharded: every item */
}

/* ---- synthetic results ---- */

static struct scn_expect t_ex[] = {
    {.metric = "success",
     .op = SCN_OP_GE,
     .value = 99,
     .unit = SCN_UNIT_PERCENT,
     .text = "success >= 99%"},
    {.metric = "outage",
     .op = SCN_OP_LT,
     .value = 300,
     .unit = SCN_UNIT_MS,
     .text = "outage < 300ms",
     .want = SCN_WANT_FAIL},
    {.metric = "p99",
     .op = SCN_OP_LT,
     .value = 100,
     .unit = SCN_UNIT_MS,
     .text = "p99 < 100ms during faults",
     .scope = "during faults"},
    {.metric = "no-such",
     .op = SCN_OP_LT,
     .value = 1,
     .unit = SCN_UNIT_COUNT,
     .text = "no-such < 1"},
};

/* 3 s of requests every 10 ms, @fail_ms of them failing from 1 s, a fault over them;
 * @seed and @n_ex expectations (from t_ex) make the others differ. */
static struct sla_result *t_result(const char *name, int fail_ms, uint64_t seed, int n_ex,
				   struct obs_store **st)
{
	static struct scn_param par = {.name = "loss", .value = "3% \"burst\" <&>"};
	struct scn s = {.name = (char *)name,
			.duration_ms = 3000,
			.seed = seed,
			.expects = t_ex,
			.n_expects = n_ex,
			.params = &par,
			.n_params = 1};
	struct sla_cfg cfg;

	*st = obs_store_new();
	for (int t = 0; t < 3000; t += 10) {
		bool fail = t >= 1000 && t < 1000 + fail_ms;
		struct obs_req r = {
		    .sched_ns = MS(t), .start_ns = MS(t), .outcome = fail ? OBS_TIMEOUT : OBS_OK};
		r.latency_us = fail ? 300000 : 1000 + (t * 37 + (int)seed * 101) % 3001;
		r.end_ns = r.sched_ns + r.latency_us * 1000;
		obs_req_add(*st, &r);
	}
	obs_fault_apply(*st, 1, "loss", "web.net", MS(900));
	obs_fault_revert(*st, 1, MS(1000 + fail_ms + 100));
	sla_cfg_init(&cfg, &s, T0);
	return sla_evaluate(&s, *st, &cfg, seed, "runs/x-20240101-000000");
}

static char *t_junit(struct sla_result *const *r, int n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_EQUAL(0, rep_junit_write(f, r, n));
	fclose(f);
	return buf;
}

static char *t_dump(json_t *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_EQUAL(0, rep_json_dump(f, v));
	fclose(f);
	return buf;
}

/* @r's JSON as a file holds it (written, then parsed). */
static json_t *t_reparse(const struct sla_result *r)
{
	char *text = t_dump(rep_json_result(r));
	json_t *o = json_loads(text, 0, NULL);

	free(text);
	return o;
}

static void test_result_read(void)
{
	struct obs_store *st[3];
	struct sla_result *r[3] = {t_result("a", 0, 1, 1, &st[0]), t_result("b", 500, 2, 4, &st[1]),
				   t_result("c", 50, 3, 3, &st[2])};
	struct sla_result *back[3];

	CU_ASSERT_EQUAL_FATAL(SLA_OUT_PASS, r[0]->outcome);
	CU_ASSERT_EQUAL_FATAL(SLA_OUT_NOT_REPRODUCED, r[1]->outcome); /* no-such is invalid */
	CU_ASSERT_EQUAL_FATAL(SLA_OUT_NOT_REPRODUCED, r[2]->outcome);
	for (int i = 0; i < 3; i++) {
		json_t *o = t_reparse(r[i]);
		back[i] = rep_json_result_read(o);
		CU_ASSERT_PTR_NOT_NULL_FATAL(back[i]);
		CU_ASSERT_EQUAL(r[i]->outcome, back[i]->outcome);
		CU_ASSERT_EQUAL(r[i]->n_wrong, back[i]->n_wrong);
		CU_ASSERT_EQUAL(r[i]->n_invalid, back[i]->n_invalid);
		CU_ASSERT_EQUAL(r[i]->cfg.duration_ns, back[i]->cfg.duration_ns);
		json_decref(o);
	}
	char *want = t_junit(r, 3), *got = t_junit(back, 3);
	CU_ASSERT_STRING_EQUAL(want, got);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "type=\"invalid\""));
	free(want);
	free(got);

	/* a file that contradicts itself, or is not a result */
	json_t *o = t_reparse(r[0]);
	json_object_set_new(o, "verdict", json_string("fail"));
	errno = 0;
	CU_ASSERT_PTR_NULL(rep_json_result_read(o));
	CU_ASSERT_EQUAL(EINVAL, errno);
	json_object_set_new(o, "verdict", json_string("pass"));
	json_object_set_new(json_array_get(json_object_get(o, "expectations"), 0), "status",
			    json_string("maybe"));
	CU_ASSERT_PTR_NULL(rep_json_result_read(o));
	json_decref(o);
	o = json_array();
	CU_ASSERT_PTR_NULL(rep_json_result_read(o));
	json_decref(o);
	for (int i = 0; i < 3; i++) {
		sla_result_free(r[i]);
		sla_result_free(back[i]);
		obs_store_free(st[i]);
	}
}

/* ---- merge ---- */

#define T_ITEMS 5

struct t_work {
	struct obs_store *st[T_ITEMS];
	struct sla_result *r[T_ITEMS]; /* r[2]: not judged */
	int status[T_ITEMS];
};

static void t_work_make(struct t_work *w)
{
	static const int fail[T_ITEMS] = {0, 400, 0, 70, 130};
	static const char *const names[T_ITEMS] = {"steady", "cut", "none", "short", "steady"};

	for (int i = 0; i < T_ITEMS; i++) {
		w->r[i] = t_result(names[i], fail[i], 10 + (uint64_t)i, 1 + i % 3, &w->st[i]);
		w->status[i] = w->r[i]->ok ? FL_EXIT_OK : FL_EXIT_FAIL;
	}
	sla_result_free(w->r[2]);
	w->r[2] = NULL;
	w->status[2] = FL_EXIT_HOST;
}

static void t_work_free(struct t_work *w)
{
	for (int i = 0; i < T_ITEMS; i++) {
		sla_result_free(w->r[i]);
		obs_store_free(w->st[i]);
	}
}

static const char *t_value(int i)
{
	static const char *const v[T_ITEMS] = {"0%", "1%", "2%", "3%", "4%"};

	return v[i];
}

/* Shard @k/@n of @w as @command writes it, through the file, back as JSON. */
static json_t *t_shard(const struct t_work *w, const char *command, int k, int n, json_t *plan)
{
	struct cmd_shard sh = {.k = k, .n = n};
	json_t *items = json_array();
	char path[] = "/tmp/fl-test-shard-XXXXXX";
	int fd = mkstemp(path);

	for (int i = 0; i < T_ITEMS; i++) {
		if (!cmd_shard_has(&sh, i))
			continue;
		json_t *res = w->r[i] ? rep_json_result(w->r[i]) : NULL, *it;
		if (!strcmp(command, "matrix")) {
			it = json_pack("{s:i,s:i,s:{s:s,s:o}}", "index", i, "exit", w->status[i],
				       "column", "value", t_value(i), "result",
				       res ? res : json_null());
		} else {
			it = cmd_shard_item(i, w->status[i], res);
			if (!strcmp(command, "explore"))
				jsonl_set(it, "exact", cmd_shard_exact(w->r[i]));
		}
		json_array_append_new(items, it);
	}
	CU_ASSERT_EQUAL(0, cmd_shard_write(path, &sh, command, plan, T_ITEMS, items));
	json_t *doc = json_load_file(path, 0, NULL);
	close(fd);
	unlink(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	return doc;
}

static json_t *t_plan(const char *command)
{
	if (!strcmp(command, "run"))
		return json_pack("{s:[s,s,s,s,s],s:[],s:n}", "files", "a.scn", "b.scn", "c.scn",
				 "d.scn", "a.scn", "sets", "seed");
	if (!strcmp(command, "explore"))
		return json_pack("{s:s,s:s,s:i,s:i,s:[]}", "file", "x.scn", "scenario", "steady",
				 "first_seed", 10, "last_seed", 14, "sets");
	return json_pack("{s:s,s:s,s:s,s:[s,s,s,s,s],s:n}", "file", "x.scn", "scenario", "steady",
			 "param", "loss", "values", "0%", "1%", "2%", "3%", "4%", "seed");
}

/* Merge shards @ks (of @n) of @w for @command: 0 and *@mg, or -1 and @err. */
static int t_merge(const struct t_work *w, const char *command, const int *ks, int count, int n,
		   struct cmd_merged *mg, char *err, size_t len)
{
	json_t *docs[8];
	const char *names[8] = {"s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"};

	for (int i = 0; i < count; i++)
		docs[i] = t_shard(w, command, ks[i], n, t_plan(command));
	int rc = cmd_merge_shards(docs, names, count, mg, err, len);
	for (int i = 0; i < count; i++)
		json_decref(docs[i]);
	return rc;
}

static void test_merge_run(void)
{
	struct t_work w;
	struct cmd_merged mg;
	char err[512];
	const int ks[] = {3, 1, 2};

	t_work_make(&w);
	struct sla_result *judged[] = {w.r[0], w.r[1], w.r[3], w.r[4]};
	char *want_xml = t_junit(judged, 4), *want_json = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&want_json, &len);
	CU_ASSERT_EQUAL(0, rep_json_write_many(f, judged, 4));
	fclose(f);

	CU_ASSERT_EQUAL_FATAL(0, t_merge(&w, "run", ks, 3, 3, &mg, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL("run", mg.command);
	CU_ASSERT_EQUAL(FL_EXIT_HOST, mg.status); /* the worst: the run not judged */
	CU_ASSERT_EQUAL_FATAL(4, mg.n_judged);
	char *got_json = t_dump(json_incref(mg.json)), *got_xml = t_junit(mg.judged, mg.n_judged);
	CU_ASSERT_STRING_EQUAL(want_json, got_json);
	CU_ASSERT_STRING_EQUAL(want_xml, got_xml);
	free(got_json);
	free(got_xml);
	cmd_merged_release(&mg);
	cmd_merged_release(&mg); /* idempotent */

	/* one shard of one: the same */
	const int one[] = {1};
	CU_ASSERT_EQUAL_FATAL(0, t_merge(&w, "run", one, 1, 1, &mg, err, sizeof(err)));
	got_json = t_dump(json_incref(mg.json));
	CU_ASSERT_STRING_EQUAL(want_json, got_json);
	free(got_json);
	cmd_merged_release(&mg);
	free(want_json);
	free(want_xml);
	t_work_free(&w);
}

static void test_merge_run_one_judged(void)
{
	struct t_work w;
	struct cmd_merged mg;
	char err[512];
	const int ks[] = {2, 1};

	t_work_make(&w);
	for (int i = 1; i < T_ITEMS; i++) { /* only the first judged */
		sla_result_free(w.r[i]);
		w.r[i] = NULL;
		w.status[i] = FL_EXIT_HOST;
	}
	char *want = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&want, &len);
	CU_ASSERT_EQUAL(0, rep_json_write(f, w.r[0])); /* one object, not an array */
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(0, t_merge(&w, "run", ks, 2, 2, &mg, err, sizeof(err)));
	char *got = t_dump(json_incref(mg.json));
	CU_ASSERT_STRING_EQUAL(want, got);
	free(got);
	free(want);
	cmd_merged_release(&mg);
	t_work_free(&w);
}

static void test_merge_explore(void)
{
	struct t_work w;
	struct cmd_merged mg;
	char err[512];
	const int ks[] = {2, 1};
	uint64_t seeds[T_ITEMS];

	t_work_make(&w);
	for (int i = 0; i < T_ITEMS; i++)
		seeds[i] = 10 + (uint64_t)i;
	/* a median (the mean of the middle two) that the JSON's 10 digits would get wrong:
	 * (1.000000000548 + 2) / 2 prints 1.5, (1.000000001 + 2) / 2 prints 1.500000001 */
	static const double success[T_ITEMS] = {1.000000000548, 2, 0, 3, 0.5};
	for (int i = 0; i < T_ITEMS; i++)
		if (w.r[i])
			w.r[i]->all.v[SLA_SUCCESS].v = success[i];
	char *want = t_dump(cmd_explore_json("steady", seeds, T_ITEMS, w.r, w.status));
	CU_ASSERT_PTR_NOT_NULL(strstr(want, "\"success\": {\"seeds\": 4, \"min\": 0.5, "
					    "\"median\": 1.5, \"p95\": 3.0, \"max\": 3.0}"));
	CU_ASSERT_EQUAL_FATAL(0, t_merge(&w, "explore", ks, 2, 2, &mg, err, sizeof(err)));
	char *got = t_dump(json_incref(mg.json));
	CU_ASSERT_STRING_EQUAL(want, got);
	CU_ASSERT_EQUAL(4, mg.n_judged);
	free(got);
	free(want);
	cmd_merged_release(&mg);
	t_work_free(&w);
}

static void test_merge_matrix(void)
{
	struct t_work w;
	struct cmd_merged mg;
	char err[512];
	const int ks[] = {1, 3, 2};

	t_work_make(&w);
	json_t *cols = json_array();
	for (int i = 0; i < T_ITEMS; i++)
		json_array_append_new(cols, json_pack("{s:s,s:o}", "value", t_value(i), "result",
						      w.r[i] ? t_reparse(w.r[i]) : json_null()));
	char *want = t_dump(json_pack("{s:s,s:s,s:i,s:[s],s:o}", "scenario", "steady", "param",
				      "loss", "exit_status", FL_EXIT_HOST, "params", "loss",
				      "columns", cols));
	CU_ASSERT_EQUAL_FATAL(0, t_merge(&w, "matrix", ks, 3, 3, &mg, err, sizeof(err)));
	char *got = t_dump(json_incref(mg.json));
	CU_ASSERT_STRING_EQUAL(want, got);
	free(got);
	free(want);
	cmd_merged_release(&mg);
	t_work_free(&w);
}

/* cmd_merge_shards on @docs must fail with @msg in its message. */
static void t_refused(json_t **docs, int n, const char *msg)
{
	const char *names[] = {"s1", "s2", "s3", "s4"};
	struct cmd_merged mg;
	char err[512];

	CU_ASSERT_EQUAL(-1, cmd_merge_shards(docs, names, n, &mg, err, sizeof(err)));
	CU_ASSERT_PTR_NULL(mg.json);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, msg));
	if (!strstr(err, msg))
		fprintf(stderr, "\nwanted '%s' in '%s'\n", msg, err);
	for (int i = 0; i < n; i++)
		json_decref(docs[i]);
}

static void test_merge_refused(void)
{
	struct t_work w;

	t_work_make(&w);
#define SH(cmd, k, n) t_shard(&w, cmd, k, n, t_plan(cmd))
	t_refused((json_t *[]){SH("run", 1, 3), SH("run", 3, 3)}, 2,
		  "shard missing: 2/3 (2 of 3 given)");
	t_refused((json_t *[]){SH("run", 2, 4), SH("run", 4, 4)}, 2,
		  "shards missing: 1/4, 3/4 (2 of 4 given)");
	t_refused((json_t *[]){SH("run", 1, 3), SH("run", 2, 3), SH("run", 2, 3), SH("run", 3, 3)},
		  4, "shard 2/3 given twice: s2 and s3");
	t_refused((json_t *[]){SH("run", 1, 3), SH("run", 2, 2)}, 2,
		  "s1 is shard 1/3, s2 shard 2/2: not one split");
	t_refused((json_t *[]){SH("run", 1, 2), SH("explore", 2, 2)}, 2,
		  "s1 is a shard of 'faultline run', s2 of 'faultline explore'");
	json_t *other = SH("run", 2, 2);
	json_array_set_new(json_object_get(json_object_get(other, "plan"), "files"), 0,
			   json_string("z.scn"));
	t_refused((json_t *[]){SH("run", 1, 2), other}, 2,
		  "s1 and s2 are shards of different work");
	json_t *wrong = SH("run", 1, 2);
	json_object_set_new(json_array_get(json_object_get(wrong, "items"), 1), "index",
			    json_integer(3));
	t_refused((json_t *[]){wrong, SH("run", 2, 2)}, 2, "s1: item 2 is not one of shard 1/2's");
	json_t *lacking = SH("run", 1, 2);
	json_array_remove(json_object_get(lacking, "items"), 1);
	t_refused((json_t *[]){lacking, SH("run", 2, 2)}, 2, "s1: shard 1/2 lacks item 2");
	json_t *dup = SH("run", 1, 2);
	json_array_append(json_object_get(dup, "items"),
			  json_array_get(json_object_get(dup, "items"), 0));
	t_refused((json_t *[]){dup, SH("run", 2, 2)}, 2, "s1: item 0 given twice");
	t_refused((json_t *[]){SH("run", 1, 2), json_array()}, 2,
		  "s2: not a shard report (written by faultline run, matrix or explore");
	json_t *bad = SH("run", 1, 1);
	json_object_set_new(json_array_get(json_object_get(bad, "items"), 0), "result",
			    json_string("x"));
	t_refused((json_t *[]){bad}, 1, "item 0: its result cannot be read back");
	t_refused(NULL, 0, "no shard report given");
#undef SH
	t_work_free(&w);
}

void register_merge_suite(void);
void register_merge_suite(void)
{
	CU_pSuite s = CU_add_suite("merge", NULL, NULL);
	CU_add_test(s, "shard_parse", test_shard_parse);
	CU_add_test(s, "shard_rule", test_shard_rule);
	CU_add_test(s, "result_read", test_result_read);
	CU_add_test(s, "merge_run", test_merge_run);
	CU_add_test(s, "merge_run_one_judged", test_merge_run_one_judged);
	CU_add_test(s, "merge_explore", test_merge_explore);
	CU_add_test(s, "merge_matrix", test_merge_matrix);
	CU_add_test(s, "merge_refused", test_merge_refused);
}
