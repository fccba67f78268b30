/*
 * test_rep.c - the report writers on a synthetic run: the text table and progress line
 * compared with exact strings, JSON read back (with jq when present, and by string for
 * a small known case), JUnit validated against tests/data/junit/junit.xsd with xmllint,
 * and the SVG checked to be well-formed XML that shows what it must.
 *
 * The synthetic run (15 s, like quickstart): lb1 advertises every 100 ms until it is
 * killed at 5 s; lb2 announces at 5.35 s; requests every 10 ms fail from 5.0 to 5.4 s;
 * web1 is blackholed 8.5..11 s and marked down by lb1 at 9 s, up at 11.5 s.
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonl.h"
#include "rep.h"

#define T0 5000000000000LL
#define MS(x) (T0 + (int64_t)(x) * 1000000LL)
#define XSD "tests/data/junit/junit.xsd"

static void t_vip(struct obs_store *st, const char *node, int t_ms, enum obs_vip_kind k)
{
	struct obs_vip v = {.t_ns = MS(t_ms), .kind = k, .prio = 100, .adver_ms = 100};
	inet_pton(AF_INET, "198.18.0.100", &v.vip);
	snprintf(v.node, sizeof(v.node), "%s", node);
	obs_vip_add(st, &v);
}

static void t_lb(struct obs_store *st, const char *lb, int t_ms, const char *to,
		 const char *backend, bool up)
{
	struct obs_lb l = {.t_ns = MS(t_ms), .kind = to ? OBS_LB_STATE : OBS_LB_BACKEND, .up = up};
	snprintf(l.lb, sizeof(l.lb), "%s", lb);
	snprintf(l.to, sizeof(l.to), "%s", to ? to : "");
	snprintf(l.backend, sizeof(l.backend), "%s", backend ? backend : "");
	obs_lb_add(st, &l);
}

static struct obs_store *t_run(void)
{
	struct obs_store *st = obs_store_new();
	for (int t = 0; t < 15000; t += 10) {
		bool fail = t >= 5000 && t < 5400;
		int lat = 2 + (t >= 8500 && t < 9000 ? 40 : 0) + t % 7;
		struct obs_req r = {.sched_ns = MS(t), .start_ns = MS(t),
				    .outcome = fail ? OBS_TIMEOUT : OBS_OK};
		r.latency_us = (fail ? 1000 : lat) * 1000LL;
		r.end_ns = r.sched_ns + r.latency_us * 1000;
		obs_req_add(st, &r);
	}
	t_vip(st, "lb1", -50, OBS_VIP_GARP);
	for (int t = 0; t < 5000; t += 100)
		t_vip(st, "lb1", t, OBS_VIP_VRRP);
	t_vip(st, "lb2", 5350, OBS_VIP_GARP);
	for (int t = 5350; t < 15500; t += 100)
		t_vip(st, "lb2", t, OBS_VIP_VRRP);
	t_lb(st, "lb1", -100, "master", NULL, false);
	t_lb(st, "lb2", -100, "backup", NULL, false);
	t_lb(st, "lb2", 5340, "master", NULL, false);
	for (int i = 0; i < 2; i++) {
		t_lb(st, i ? "lb2" : "lb1", -100, NULL, "web1", true);
		t_lb(st, i ? "lb2" : "lb1", -100, NULL, "web2", true);
	}
	t_lb(st, "lb1", 4990, "stopped", NULL, false);
	t_lb(st, "lb2", 9000, NULL, "web1", false);
	t_lb(st, "lb2", 11500, NULL, "web1", true);
	obs_fault_apply(st, 1, "kill", "lb1 lb", MS(5000));
	obs_fault_apply(st, 2, "blackhole", "web1.private", MS(8500));
	obs_fault_set_path(st, 2, "nftables");
	obs_fault_revert(st, 2, MS(11000));
	return st;
}

static struct scn_expect t_ex[] = {
	{.metric = "failover", .op = SCN_OP_LT, .value = 1000, .unit = SCN_UNIT_MS,
	 .text = "failover < 1s"},
	{.metric = "split-brain", .op = SCN_OP_EQ, .value = 0, .unit = SCN_UNIT_MS,
	 .text = "split-brain == 0s"},
	{.metric = "outage", .op = SCN_OP_LT, .value = 300, .unit = SCN_UNIT_MS,
	 .text = "outage < 300ms"},
	{.metric = "success", .op = SCN_OP_GE, .value = 95, .unit = SCN_UNIT_PERCENT,
	 .text = "success >= 95%"},
	{.metric = "detect", .op = SCN_OP_LT, .value = 1000, .unit = SCN_UNIT_MS,
	 .text = "detect < 1s"},
	{.metric = "p99", .op = SCN_OP_LT, .value = 100, .unit = SCN_UNIT_MS,
	 .text = "p99 < 100ms during faults", .scope = "during faults"},
};

static struct scn_param t_par = {.name = "ha", .value = "vrrp \"plain\" <&>"};

static struct sla_result *t_result(struct obs_store *st)
{
	static struct scn s = {.name = "quick", .description = "master killed", .duration_ms = 15000,
			       .seed = 7, .expects = t_ex, .n_expects = 6, .params = &t_par,
			       .n_params = 1};
	struct sla_cfg cfg;
	sla_cfg_init(&cfg, &s, T0);
	cfg.advert_ns = 100000000LL;
	return sla_evaluate(&s, st, &cfg, 7, "runs/quick-20240101-000000");
}

static char *t_slurp(FILE *f)
{
	long n = ftell(f);
	char *b = calloc(1, (size_t)n + 1);
	rewind(f);
	if (fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		return NULL;
	}
	return b;
}

static void test_text_summary(void)
{
	struct obs_store *st = t_run();
	struct sla_result *r = t_result(st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	FILE *f = tmpfile();
	CU_ASSERT_EQUAL(0, rep_text_summary(f, r));
	char *out = t_slurp(f);
	const char *want =
		"scenario quick (seed 7)  run runs/quick-20240101-000000\n"
		"  expectation                measured       result\n"
		"  failover < 1s              350.0ms        pass\n"
		"  split-brain == 0s          0.0ms          pass\n"
		"  outage < 300ms             400.0ms        FAIL\n"
		"  success >= 95%             97.33%         pass\n"
		"  detect < 1s                500.0ms        pass\n"
		"  p99 < 100ms during faults  47.0ms         pass\n"
		"  6 expectations, 5 passed, 1 failed: FAIL\n";
	CU_ASSERT_STRING_EQUAL(want, out);
	free(out);
	fclose(f);
	f = tmpfile();
	struct sla_result *two[2] = {r, r};
	CU_ASSERT_EQUAL(0, rep_text_final(f, two, 2));
	out = t_slurp(f);
	CU_ASSERT_STRING_EQUAL("scenario  expect passed failed result\n"
			       "quick     6      5      1      FAIL\n"
			       "quick     6      5      1      FAIL\n"
			       "2 scenarios, 0 passed, 2 failed\n", out);
	free(out);
	fclose(f);
	sla_result_free(r);
	obs_store_free(st);
}

static void test_progress(void)
{
	struct obs_store *st = t_run();
	struct rep_progress p;
	char buf[128];
	/* at 5.2 s: requests 0..5190 ended except the failures still waiting on timeouts */
	rep_progress_count(st, T0, 15000000000LL, MS(5200), &p);
	CU_ASSERT_EQUAL(1, p.faults_active);
	CU_ASSERT_EQUAL(0, p.failed);
	rep_progress_format(&p, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("[   5.2s/15.0s] faults 1  requests 500 ok 0 failed", buf);
	rep_progress_count(st, T0, 15000000000LL, MS(9000), &p);
	CU_ASSERT_EQUAL(2, p.faults_active);
	CU_ASSERT_EQUAL(40, p.failed);
	obs_store_free(st);
}

static void test_value_format(void)
{
	struct sla_value v = {.measured = true, .v = 0.04716};
	char buf[32];

	rep_value_format(&v, SCN_UNIT_MS, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("0.047ms", buf);
	v.v = 0;
	rep_value_format(&v, SCN_UNIT_MS, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("0.0ms", buf);
	v.v = 2037.4;
	rep_value_format(&v, SCN_UNIT_MS, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("2.037s", buf);
}

static void test_svg_path(void)
{
	const char *names[] = {"quickstart", "split-brain", "split-brain"};
	char buf[64];

	rep_svg_path("t.svg", names, 0, 1, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("t.svg", buf);
	rep_svg_path("out/t.svg", names, 0, 3, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("out/t-quickstart.svg", buf);
	rep_svg_path("out/t.svg", names, 1, 3, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("out/t-split-brain.svg", buf);
	rep_svg_path("out/t.svg", names, 2, 3, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("out/t-split-brain-3.svg", buf);
	rep_svg_path("timeline", names, 0, 2, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL("timeline-quickstart.svg", buf);
}

static bool t_have(const char *tool)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static void test_json(void)
{
	struct obs_store *st = t_run();
	struct sla_result *r = t_result(st);
	char path[] = "/tmp/fl-test-rep-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w+");
	CU_ASSERT_EQUAL(0, rep_json_write(f, r));
	fflush(f);
	char *out = t_slurp(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"params\": {\"ha\": \"vrrp \\\"plain\\\" <&>\"}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"failover\": 350,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"id\": 2, \"fault\": \"blackhole\", \"target\": "
					   "\"web1.private\", \"applied_ns\": 5008500000000, "
					   "\"applied_ms\": 8500, \"reverted_ns\": 5011000000000, "
					   "\"reverted_ms\": 11000, \"path\": \"nftables\"}"));
	if (t_have("jq")) {
		char cmd[512];
		snprintf(cmd, sizeof(cmd),
			 "jq -e '.scenario == \"quick\" and .seed == 7 and .passed == false and "
			 ".metrics.success > 97.33 and .metrics.success < 97.34 and "
			 ".expectations[2].passed == false and .expectations[2].value == 400 and "
			 ".faults[0].reverted_ns == null and .faults[0].path == null and .guests == [] and "
			 ".metrics_during_faults.p99 == 47' %s >/dev/null", path);
		CU_ASSERT_EQUAL(0, system(cmd));
	} else {
		fprintf(stderr, "skipped: jq not installed (JSON read back by string only)\n");
	}
	free(out);
	fclose(f);
	unlink(path);
	sla_result_free(r);
	obs_store_free(st);
}

static void test_json_small(void)
{
	struct obs_store *st = obs_store_new();
	struct scn s = {.name = "empty", .duration_ms = 1000, .seed = 1};
	struct sla_cfg cfg;
	sla_cfg_init(&cfg, &s, 10);
	struct sla_result *r = sla_evaluate(&s, st, &cfg, 1, NULL);
	sla_result_add_guest(r, "lb1", "6.1.0-57-cloud-amd64", "console=ttyS0 noapic", "tsc", "LOC: 12");
	struct obs_kwarn kw[3] = {{5, "lb1", OBS_KW_RCU_STALL}, {6, "lb1", OBS_KW_RCU_STALL},
				  {7, "lb2", OBS_KW_BUG}};
	for (int i = 0; i < 3; i++)
		obs_kwarn_add(st, &kw[i]);
	struct obs_capture cap = {.net = "public", .files = "capture-public.pcapng",
				  .frames = 76, .bytes = 7288, .max = 4096, .cap_reached = true};
	obs_capture_add(st, &cap);
	FILE *f = tmpfile();
	CU_ASSERT_EQUAL(0, rep_json_write(f, r));
	char *out = t_slurp(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\n  \"scenario\": \"empty\",\n  \"description\": "
					   "null,\n  \"seed\": 1,\n  \"params\": {},\n  \"passed\": "
					   "true,\n  \"verdict\": \"pass\",\n  \"run_dir\": null,\n  \"t0_ns\": 10,\n  "
					   "\"duration_ms\": 1000,\n  \"metrics\": {\"success\": null, "
					   "\"errors\": 0, \"requests\": 0,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
				      "\"expectations\": [],\n  \"faults\": [],\n  \"guests\": "
				      "[\n    {\"node\": \"lb1\", \"kernel\": \"6.1.0-57-cloud-amd64\", "
				      "\"cmdline\": \"console=ttyS0 "
				      "noapic\", \"clocksource\": \"tsc\", \"interrupts\": \"LOC: "
				      "12\", \"kernel_warnings\": {\"total\": 2, \"rcu-stall\": "
				      "2}}],\n  \"captures\": [\n    {\"net\": \"public\", \"files\": "
				      "[\"capture-public.pcapng\"], \"frames\": 76, \"bytes\": 7288, "
				      "\"dropped\": 0, \"not_written\": 0, \"comments\": 0, \"max\": "
				      "4096, \"ring\": 0, \"cap_reached\": true}],\n  \"clients\": {}\n}\n"));
	free(out);
	fclose(f);
	sla_result_free(r);
	obs_store_free(st);
}

/* The one writer with a report inside another document (what `faultline matrix` does),
 * and strings that are not UTF-8: the file reads back as JSON with the same values. */
static void test_json_dump_nested(void)
{
	struct obs_store *st = obs_store_new();
	struct scn s = {.name = "nest", .duration_ms = 2500, .seed = 3};
	struct sla_cfg cfg;
	sla_cfg_init(&cfg, &s, 10);
	struct sla_result *r = sla_evaluate(&s, st, &cfg, 3, NULL);
	sla_result_add_guest(r, "g\xff", NULL, "a\tb", NULL, "LOC: 1");
	json_t *m = json_pack("{s:s,s:[{s:s,s:o}]}", "scenario", "nest", "columns", "value", "",
			      "result", rep_json_result(r));
	FILE *f = tmpfile();
	CU_ASSERT_EQUAL(0, rep_json_dump(f, m));
	char *out = t_slurp(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out,
				      "{\n  \"scenario\": \"nest\",\n  \"columns\": [\n    "
				      "{\n      \"value\": \"\",\n      \"result\": {\n        "
				      "\"scenario\": \"nest\",\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n        \"duration_ms\": 2500,\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(out, "\n        \"guests\": [\n          {\"node\": \"g?\", "));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(out, "\"LOC: 1\", \"kernel_warnings\": {\"total\": 0}}],\n        \"captures\": [],\n        \"clients\": {}\n      }\n    }]\n}\n"));
	json_t *back = json_loads(out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	json_t *res =
	    json_object_get(json_array_get(json_object_get(back, "columns"), 0), "result");
	CU_ASSERT_EQUAL(3, json_integer_value(json_object_get(res, "seed")));
	json_t *g = json_array_get(json_object_get(res, "guests"), 0);
	CU_ASSERT_STRING_EQUAL("g?", jsonl_get_str(g, "node"));
	CU_ASSERT_STRING_EQUAL("a\tb", jsonl_get_str(g, "cmdline"));
	CU_ASSERT_TRUE(json_is_null(json_object_get(g, "clocksource")));
	json_decref(back);
	free(out);
	fclose(f);
	errno = 0;
	CU_ASSERT_EQUAL(-1, rep_json_dump(stdout, NULL)); /* a failed build writes nothing */
	CU_ASSERT_EQUAL(ENOMEM, errno);
	sla_result_free(r);
	obs_store_free(st);
}

static void test_junit_schema(void)
{
	struct obs_store *st = t_run();
	struct sla_result *r = t_result(st);
	char path[] = "/tmp/fl-test-junit-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w+");
	struct sla_result *two[2] = {r, r};
	CU_ASSERT_EQUAL(0, rep_junit_write(f, two, 2));
	fflush(f);
	char *out = t_slurp(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<testsuites name=\"faultline\" tests=\"12\" "
					   "failures=\"2\" errors=\"0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<failure message=\"measured 400ms, wanted &lt; 300ms\" "
					   "type=\"sla\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<system-out>run directory: runs/quick-20240101-000000"));
	if (t_have("xmllint") && access(XSD, R_OK) == 0) {
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "xmllint --noout --schema %s %s 2>/dev/null", XSD, path);
		CU_ASSERT_EQUAL(0, system(cmd));
		/* the schema must be able to say no: a testcase without a name */
		FILE *bad = fopen(path, "w");
		fputs("<testsuites><testsuite name=\"x\" tests=\"1\"><testcase/></testsuite>"
		      "</testsuites>\n", bad);
		fclose(bad);
		CU_ASSERT_NOT_EQUAL(0, system(cmd));
	} else {
		fprintf(stderr, "skipped: xmllint or " XSD " missing (run from the source tree)\n");
	}
	free(out);
	fclose(f);
	unlink(path);
	sla_result_free(r);
	obs_store_free(st);
}

static void test_svg(void)
{
	struct obs_store *st = t_run();
	/* a split-brain moment to draw: lb1 answers ARP once more at 5.4 s */
	t_vip(st, "lb1", 5400, OBS_VIP_ARP_REPLY);
	char line[160];
	snprintf(line, sizeof(line), "{\"t_ns\":%lld,\"src\":\"lb1\",\"ev\":\"exit\",\"svc\":\"lb\","
		 "\"pid\":9,\"signal\":9,\"expected\":true}", (long long)MS(5010));
	CU_ASSERT_EQUAL(1, obs_event_ingest(st, line));
	CU_ASSERT_EQUAL(OBS_LB_EXIT, st->lb[st->n_lb - 1].kind);
	struct sla_result *r = t_result(st);
	const char *keep = getenv("FL_SVG_OUT");
	char path[] = "/tmp/fl-test-svg-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w+");
	CU_ASSERT_EQUAL(0, rep_svg_write(f, r));
	fflush(f);
	char *out = t_slurp(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "VIP 198.18.0.100 owner"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "split-brain</title>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ">lb2: web1</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ">web1.private</text>"));
	/* lb1's process exits at 5.01 s: its state and backend bars end there */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "lb1 stopped at 4.990s, process exited at 5.010s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "lb1: web2 up at -0.100s, process exited at 5.010s"));
	CU_ASSERT_PTR_NULL(strstr(out, ">exit<"));
	if (t_have("xmllint")) {
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "xmllint --noout %s 2>/dev/null", path);
		CU_ASSERT_EQUAL(0, system(cmd));
	}
	if (keep) {
		FILE *k = fopen(keep, "w");
		if (k) {
			fputs(out, k);
			fclose(k);
		}
	}
	free(out);
	fclose(f);
	unlink(path);
	sla_result_free(r);
	obs_store_free(st);
}

static bool t_exists(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static char *t_read(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	char *b = t_slurp(f);
	fclose(f);
	return b;
}

/* The files of one invocation: one scenario alone, then two into one JSON array, one
 * JUnit file and one SVG each; a path that cannot be opened fails with its name. The
 * paths are in the order of rep_kinds[], which the test checks first. */
static void test_files_write(void)
{
	struct obs_store *st = t_run();
	struct sla_result *r[2] = {t_result(st), t_result(st)};
	char dir[] = "/tmp/fl-test-files-XXXXXX", json[128], junit[128], svg[128], err[256];
	char html[128];

	CU_ASSERT_STRING_EQUAL("--json", rep_kinds[0].option);
	CU_ASSERT_STRING_EQUAL("--junit", rep_kinds[1].option);
	CU_ASSERT_STRING_EQUAL("--svg", rep_kinds[2].option);
	CU_ASSERT_STRING_EQUAL("--html", rep_kinds[3].option);
	CU_ASSERT_PTR_NULL(rep_kinds[4].option);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(json, sizeof(json), "%s/one.json", dir);
	snprintf(svg, sizeof(svg), "%s/one.svg", dir);
	const char *one_paths[REP_KINDS_MAX] = {json, NULL, svg};
	CU_ASSERT_EQUAL(0, rep_files_write(r, 1, one_paths, err, sizeof(err)));
	char *one = t_read(dir, "one.json");
	CU_ASSERT_PTR_NOT_NULL_FATAL(one);
	CU_ASSERT_EQUAL('{', one[0]);
	CU_ASSERT_TRUE(t_exists(dir, "one.svg"));
	CU_ASSERT_FALSE(t_exists(dir, "one-quick.svg"));

	free(r[1]->scenario);
	r[1]->scenario = strdup("other");
	snprintf(json, sizeof(json), "%s/all.json", dir);
	snprintf(junit, sizeof(junit), "%s/all.xml", dir);
	snprintf(svg, sizeof(svg), "%s/t.svg", dir);
	snprintf(html, sizeof(html), "%s/t.html", dir);
	for (int i = 0; i < 2; i++) { /* the pages link into the run directory: here */
		free(r[i]->run_dir);
		r[i]->run_dir = strdup(dir);
	}
	const char *all_paths[REP_KINDS_MAX] = {json, junit, svg, html};
	CU_ASSERT_EQUAL(0, rep_files_write(r, 2, all_paths, err, sizeof(err)));
	char *all = t_read(dir, "all.json"), *xml = t_read(dir, "all.xml");
	CU_ASSERT_PTR_NOT_NULL_FATAL(all);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	CU_ASSERT_EQUAL('[', all[0]);
	CU_ASSERT_PTR_NOT_NULL(strstr(all, "\"scenario\": \"other\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<testsuite name=\"quick\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(xml, "<testsuite name=\"other\""));
	CU_ASSERT_TRUE(t_exists(dir, "t-quick.svg"));
	CU_ASSERT_TRUE(t_exists(dir, "t-other.svg"));
	CU_ASSERT_FALSE(t_exists(dir, "t.svg"));
	/* a page each; in the run directory, so its links are bare names, itself not one */
	char *page = t_read(dir, "t-other.html");
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	CU_ASSERT_TRUE(t_exists(dir, "t-quick.html"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "<a href=\"all.json\">all.json</a>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "<a href=\"t-other.svg\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(page, "<a href=\"./\">")); /* the run directory: here */
	CU_ASSERT_PTR_NULL(strstr(page, "href=\"t-other.html\""));
	free(page);

	snprintf(json, sizeof(json), "%s/no/such/dir.json", dir);
	const char *bad_paths[REP_KINDS_MAX] = {json};
	CU_ASSERT_EQUAL(-1, rep_files_write(r, 2, bad_paths, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "no/such/dir.json: No such file or directory"));

	free(one);
	free(all);
	free(xml);
	static const char *const made[] = {"one.json", "one.svg", "all.json", "all.xml",
					   "t-quick.svg", "t-other.svg"};
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, made[i]);
		unlink(path);
	}
	rmdir(dir);
	sla_result_free(r[0]);
	sla_result_free(r[1]);
	obs_store_free(st);
}

/*
 * Two clients over 10 s, a request every 100 ms each: a.load all ok (2 ms), b.load
 * failing from 2 s to 4 s (a blackhole 2..4 s). Every report shows each on its row.
 */
static struct sla_result *t_clients(struct obs_store *st)
{
	static struct scn_node nodes[] = {{.name = "a"}, {.name = "b"}};
	static struct scn_service svcs[] = {{.node = 0, .kind = SCN_SVC_LOAD, .name = "load"},
					    {.node = 1, .kind = SCN_SVC_LOAD, .name = "load"}};
	static struct scn_expect ex[] = {
	    {.metric = "success",
	     .op = SCN_OP_GE,
	     .value = 99,
	     .unit = SCN_UNIT_PERCENT,
	     .text = "success >= 99% of a",
	     .client = 1},
	    {.metric = "success",
	     .op = SCN_OP_GE,
	     .value = 99,
	     .unit = SCN_UNIT_PERCENT,
	     .text = "success >= 99% of b during faults",
	     .scope = "during faults",
	     .client = 2},
	    {.metric = "success",
	     .op = SCN_OP_GE,
	     .value = 50,
	     .unit = SCN_UNIT_PERCENT,
	     .text = "success >= 50%"},
	};
	static struct scn s = {.name = "two",
			       .duration_ms = 10000,
			       .seed = 1,
			       .nodes = nodes,
			       .n_nodes = 2,
			       .services = svcs,
			       .n_services = 2,
			       .expects = ex,
			       .n_expects = 3};
	int log[2] = {obs_log_id(st, "requests-a.csv"), obs_log_id(st, "requests-b.csv")};
	for (int c = 0; c < 2; c++)
		for (int t = 0; t < 10000; t += 100) {
			bool fail = c == 1 && t >= 2000 && t < 4000;
			struct obs_req q = {.sched_ns = MS(t),
					    .start_ns = MS(t),
					    .outcome = fail ? OBS_TIMEOUT : OBS_OK,
					    .log = log[c]};
			q.latency_us = fail ? 1000000 : 2000;
			q.end_ns = q.sched_ns + q.latency_us * 1000;
			obs_req_add(st, &q);
		}
	obs_fault_apply(st, 1, "blackhole", "b.lan", MS(2000));
	obs_fault_revert(st, 1, MS(4000));
	struct sla_cfg cfg;
	sla_cfg_init(&cfg, &s, T0);
	return sla_evaluate(&s, st, &cfg, 1, NULL);
}

static void test_clients_text_json_svg(void)
{
	struct obs_store *st = obs_store_new();
	struct sla_result *r = t_clients(st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	FILE *f = tmpfile();
	CU_ASSERT_EQUAL(0, rep_text_summary(f, r));
	char *out = t_slurp(f);
	CU_ASSERT_STRING_EQUAL(
	    "scenario two (seed 1)\n"
	    "  expectation                        measured       result\n"
	    "  success >= 99% of a                100.00%        pass\n"
	    "  success >= 99% of b during faults  0.00%          FAIL\n"
	    "  success >= 50%                     90.00%         pass\n"
	    "  3 expectations, 2 passed, 1 failed: FAIL\n"
	    "  client  requests      success       errors        p99           outage\n"
	    "  a.load  100           100.00%       0             2.0ms         0.0ms\n"
	    "  b.load  100           80.00%        20            2.0ms         2.000s\n",
	    out);
	free(out);
	fclose(f);
	f = tmpfile();
	CU_ASSERT_EQUAL(0, rep_json_write(f, r));
	out = t_slurp(f);
	/* a line per client; the expectation names its client; the totals mix both */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n  \"clients\": {\n    \"a.load\": {\"node\": \"a\", "
					   "\"service\": \"load\", \"log\": \"requests-a.csv\", "
					   "\"logged\": true, \"metrics\": {\"success\": 100, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "},\n    \"b.load\": {\"node\": \"b\", "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"scope\": \"during faults\", \"client\": \"b.load\", "
					   "\"value\": 0, "));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"metrics\": {\"success\": 90, "));
	json_t *back = json_loads(out, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	json_t *b = json_object_get(json_object_get(back, "clients"), "b.load");
	json_t *bm = json_object_get(b, "metrics");
	CU_ASSERT_EQUAL(20, json_integer_value(json_object_get(bm, "errors")));
	CU_ASSERT_EQUAL(2000, json_integer_value(json_object_get(bm, "outage")));
	CU_ASSERT_PTR_NULL(json_object_get(bm, "failover")); /* not a per-client metric */
	CU_ASSERT_EQUAL(0, json_integer_value(json_object_get(
			       json_object_get(b, "metrics_during_faults"), "success")));
	CU_ASSERT_TRUE(json_is_null(
	    json_object_get(json_array_get(json_object_get(back, "expectations"), 2), "client")));
	json_decref(back);
	free(out);
	fclose(f);
	f = tmpfile();
	CU_ASSERT_EQUAL(0, rep_svg_write(f, r));
	out = t_slurp(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ">requests per client (green ok, red failed)</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, ">a.load</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<title>b.load 2.00s: 0 of 1 ok</title>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<title>a.load 2.00s: 1 of 1 ok</title>"));
	free(out);
	fclose(f);
	sla_result_free(r);
	obs_store_free(st);
}


/* The synthetic run judged as a reproduction: 'outage < 300ms' (it fails) marked 'fails',
 * 'detect < 1s' 'may fail'; then 'split-brain == 0s' (it holds) marked too. */
static struct sla_result *t_repro(struct obs_store *st, bool split_too)
{
	static struct scn_expect ex[6];
	static struct scn s = {.name = "quick", .duration_ms = 15000, .seed = 7, .expects = ex,
			       .n_expects = 6};
	memcpy(ex, t_ex, sizeof(ex));
	ex[2].want = SCN_WANT_FAIL;
	ex[4].want = SCN_WANT_EITHER;
	ex[1].want = split_too ? SCN_WANT_FAIL : SCN_WANT_PASS;
	struct sla_cfg cfg;
	sla_cfg_init(&cfg, &s, T0);
	cfg.advert_ns = 100000000LL;
	return sla_evaluate(&s, st, &cfg, 7, NULL);
}

static void test_reproduction(void)
{
	struct obs_store *st = t_run();
	struct sla_result *r = t_repro(st, false), *no = t_repro(st, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(no);
	CU_ASSERT_EQUAL(SLA_OUT_REPRODUCED, r->outcome);
	CU_ASSERT_TRUE(r->ok);
	CU_ASSERT_FALSE(r->passed);
	CU_ASSERT_EQUAL(SLA_OUT_NOT_REPRODUCED, no->outcome);
	CU_ASSERT_EQUAL(1, no->n_wrong);
	FILE *f = tmpfile();
	CU_ASSERT_EQUAL(0, rep_text_summary(f, no));
	char *out = t_slurp(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  split-brain == 0s          0.0ms          pass "
					   "(marked fails: NOT reproduced)\n"
					   "  outage < 300ms             400.0ms        FAIL "
					   "(marked fails: reproduced)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "  detect < 1s                500.0ms        pass "
					   "(marked may fail)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "6 expectations, 5 passed, 1 failed: NOT REPRODUCED "
					   "(1 not as marked)\n"));
	free(out);
	fclose(f);
	f = tmpfile();
	struct sla_result *two[2] = {r, no};
	CU_ASSERT_EQUAL(0, rep_text_final(f, two, 2));
	out = t_slurp(f);
	CU_ASSERT_STRING_EQUAL("scenario  expect passed failed result\n"
			       "quick     6      5      1      REPRODUCED\n"
			       "quick     6      5      1      NOT REPRODUCED\n"
			       "2 scenarios, 1 passed, 1 failed (1 of the passed reproduced a "
			       "failure, as marked)\n",
			       out);
	free(out);
	fclose(f);
	f = tmpfile();
	CU_ASSERT_EQUAL(0, rep_json_write(f, r));
	out = t_slurp(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"passed\": false,\n  \"verdict\": \"reproduced\","));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"wanted\": \"fail\", \"as_wanted\": true}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"wanted\": \"either\", \"as_wanted\": true}"));
	free(out);
	fclose(f);
	char path[] = "/tmp/fl-test-junit-XXXXXX";
	f = fdopen(mkstemp(path), "w+");
	CU_ASSERT_EQUAL(0, rep_junit_write(f, two, 2));
	fflush(f);
	out = t_slurp(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "tests=\"12\" failures=\"1\" errors=\"0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<testcase name=\"outage &lt; 300ms\" "
					   "classname=\"faultline.quick\" time=\"0\">\n"
					   "      <system-out>reproduced: it failed as marked ('fails'): "
					   "measured 400ms, wanted &lt; 300ms</system-out>\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "type=\"not-reproduced\">split-brain == 0s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<system-out>verdict: reproduced\nrun directory"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<system-out>verdict: not reproduced\nrun directory"));
	if (t_have("xmllint") && access(XSD, R_OK) == 0) {
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "xmllint --noout --schema %s %s 2>/dev/null", XSD, path);
		CU_ASSERT_EQUAL(0, system(cmd));
	}
	free(out);
	fclose(f);
	unlink(path);
	sla_result_free(r);
	sla_result_free(no);
	obs_store_free(st);
}


/* Is every fill of a <rect> in @svg before its legend also a fill of a legend swatch? */
static int t_unnamed_colours(const char *svg, char *first, size_t len)
{
	const char *legend = strstr(svg, "<g id=\"legend\">"), *p = svg;
	int n = 0;
	if (!legend)
		return -1;
	while ((p = strstr(p, "<rect")) && p < legend) {
		const char *end = strchr(p, '>'), *fill = strstr(p, " fill=\"");
		p += 5;
		if (!fill || fill > end || !strncmp(fill, " fill=\"white\"", 13))
			continue;
		char want[32];
		snprintf(want, sizeof(want), "%.*s", (int)(strchr(fill + 7, '"') - fill + 1), fill);
		if (!strstr(legend, want) && n++ == 0)
			snprintf(first, len, "%s", want);
	}
	return n;
}

static void test_svg_legend(void)
{
	struct obs_store *st = t_run();
	t_vip(st, "lb1", 5400, OBS_VIP_ARP_REPLY); /* split-brain */
	struct sla_result *r = t_result(st);
	char *out = NULL, first[64] = "";
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	CU_ASSERT_EQUAL(0, rep_svg_write(f, r));
	fclose(f);
	CU_ASSERT_EQUAL(0, t_unnamed_colours(out, first, sizeof(first)));
	if (*first)
		fprintf(stderr, "colour without a legend entry: %s\n", first);
	const char *legend = strstr(out, "<g id=\"legend\">");
	CU_ASSERT_PTR_NOT_NULL_FATAL(legend);
	/* the VIP owners' colours by node, lb1's "stopped", split-brain, backends */
	const char *sw = strstr(legend, "fill=\"#457b9d\"/>\n<text "); /* lb1 claimed first */
	CU_ASSERT_TRUE(sw && strstr(sw, "VIP claimed by lb1</text>") &&
		       strstr(sw, "VIP claimed by lb1</text>") == strstr(legend, "VIP claimed by lb1"));
	CU_ASSERT_PTR_NULL(sw ? strstr(sw + 1, "fill=\"#457b9d\"") : NULL); /* one swatch each */
	CU_ASSERT_PTR_NOT_NULL(strstr(legend, ">VIP claimed by lb1</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(legend, ">VIP claimed by lb2</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(legend, ">lb in another state</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(legend, ">split-brain (two nodes claim a VIP)</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(legend, ">backend up / requests ok</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(legend, ">backend down / requests failed</text>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(legend, ">p99 latency</text>"));
	/* a colour not drawn is not named: nothing here is unscheduled */
	CU_ASSERT_PTR_NULL(strstr(legend, "no request scheduled"));
	/* the model check itself sees a colour missing from the legend */
	char *cut = strdup(out);
	char *master = strstr(strstr(cut, "<g id=\"legend\">"), "#1d3557");
	CU_ASSERT_PTR_NOT_NULL_FATAL(master);
	memcpy(master, "#000000", 7);
	CU_ASSERT_TRUE(t_unnamed_colours(cut, first, sizeof(first)) >= 1);
	CU_ASSERT_STRING_EQUAL(" fill=\"#1d3557\"", first);
	free(cut);
	free(out);
	sla_result_free(r);
	obs_store_free(st);
}

static void test_href_dir(void)
{
	char b[64];
	CU_ASSERT_EQUAL(0, rep_href_dir("/w/runs/a", "/w/runs/a", b, sizeof(b)));
	CU_ASSERT_STRING_EQUAL("", b);
	CU_ASSERT_EQUAL(7, rep_href_dir("/w", "/w/runs/a", b, sizeof(b)));
	CU_ASSERT_STRING_EQUAL("runs/a/", b);
	rep_href_dir("/w/runs/a", "/w/runs/b", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL("../b/", b);
	rep_href_dir("/w/runs/a", "/w/runs/ab", b, sizeof(b)); /* a prefix, not a parent */
	CU_ASSERT_STRING_EQUAL("../ab/", b);
	rep_href_dir("/w/runs/ab", "/w/runs/a", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL("../a/", b);
	rep_href_dir("/x/y", "/w/runs", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL("../../w/runs/", b);
	rep_href_dir("/", "/w", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL("w/", b);
	rep_href_dir("/w/r", "/", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL("../../", b);
	rep_href_dir("/w/runs/a", "/w", b, sizeof(b));
	CU_ASSERT_STRING_EQUAL("../../", b);
	errno = 0;
	CU_ASSERT_EQUAL(-1, rep_href_dir("w", "/w", b, sizeof(b)));
	CU_ASSERT_EQUAL(EINVAL, errno);
	CU_ASSERT_EQUAL(-1, rep_href_dir("/a", "/b/cdefgh", b, 8));
	CU_ASSERT_EQUAL(ENAMETOOLONG, errno);
}

static void test_html(void)
{
	struct obs_store *st = t_run();
	struct sla_result *r = t_result(st);
	struct rep_html_file files[] = {{"events.jsonl", 10}, {"a b<c>.log", 3}};
	struct rep_html_run run = {.r = r, .href = "../runs/quick/", .started = "2026-12-02T04:00:00Z",
				   .files = files, .n_files = 2};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	CU_ASSERT_EQUAL(0, rep_html_write(f, &run));
	fclose(f);
	CU_ASSERT_EQUAL(0, strncmp(out, "<!DOCTYPE html>\n", 16));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<span id=\"verdict\" class=\"fail\">FAIL</span>"));
	/* the SVG inline without its XML declaration; nothing fetched from elsewhere */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<div class=\"timeline\">\n<svg xmlns="));
	CU_ASSERT_PTR_NULL(strstr(out, "<?xml"));
	CU_ASSERT_PTR_NULL(strstr(out, "src="));
	CU_ASSERT_PTR_NULL(strstr(out, "href=\"http"));
	/* text escaped, hrefs percent-encoded and relative to the page */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<td>vrrp &quot;plain&quot; &lt;&amp;&gt;</td>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<a href=\"../runs/quick/a%20b%3Cc%3E.log\">a b&lt;c&gt;.log</a>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<a href=\"../runs/quick/events.jsonl\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<a href=\"../runs/quick/\">runs/quick-20240101-000000</a>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<code>p99 &lt; 100ms during faults</code>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<td>blackhole</td><td>web1.private</td><td class=\"num\">"
					   "8.500s</td><td class=\"num\">11.000s</td><td>nftables</td>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<td>kill</td><td>lb1 lb</td><td class=\"num\">5.000s"
					   "</td><td>never</td>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<tr><td>failover</td><td class=\"num\">"));
	free(out);

	struct rep_html_entry e[] = {
	    {.r = r, .name = "quick-1", .started = "2026-12-02T04:00:00Z", .href = "quick-1/report.html"},
	    {.why = "old/: no start <record>", .name = "old", .scenario = "?", .href = "old/"}};
	out = NULL;
	f = open_memstream(&out, &len);
	CU_ASSERT_EQUAL(0, rep_html_index(f, e, 2));
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<tr><td class=\"fail\">FAIL</td><td>2026-12-02T04:00:00Z</td>"
					   "<td>quick</td><td>7</td><td>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<a href=\"quick-1/report.html\">quick-1</a>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "not judged: old/: no start &lt;record&gt;</td><td>unknown"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "<p>2 runs, 1 judged, 0 passed"));
	free(out);
	sla_result_free(r);
	obs_store_free(st);
}

void register_rep_suite(void);
void register_rep_suite(void)
{
	CU_pSuite s = CU_add_suite("rep", NULL, NULL);
	CU_add_test(s, "text_summary", test_text_summary);
	CU_add_test(s, "progress", test_progress);
	CU_add_test(s, "value_format", test_value_format);
	CU_add_test(s, "svg_path", test_svg_path);
	CU_add_test(s, "files_write", test_files_write);
	CU_add_test(s, "json", test_json);
	CU_add_test(s, "json_small", test_json_small);
	CU_add_test(s, "json_dump_nested", test_json_dump_nested);
	CU_add_test(s, "junit_schema", test_junit_schema);
	CU_add_test(s, "reproduction", test_reproduction);
	CU_add_test(s, "svg", test_svg);
	CU_add_test(s, "clients_text_json_svg", test_clients_text_json_svg);
	CU_add_test(s, "svg_legend", test_svg_legend);
	CU_add_test(s, "href_dir", test_href_dir);
	CU_add_test(s, "html", test_html);
}
