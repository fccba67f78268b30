/*
 * cmd_explore.c - 'faultline explore FILE --seeds A-B': the scenario once per seed,
 * side by side (cmd_jobs.c), then which seeds failed which expectations and, per
 * metric, min / median / p95 / max across the seeds; --json writes the same as JSON.
 *
 *   faultline explore splitbrain.scn --seeds 1-50 --jobs 4 --until-fail
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "jsonl.h"
#include "rep.h"
#include "scn.h"
#include "sla.h"

#define EXPLORE_MAX_SEEDS 100000

static void explore_usage(FILE *f)
{
	fprintf(f,
		"usage: faultline explore FILE --seeds A-B [OPTIONS]\n"
		"\n"
		"Run scenario FILE once per seed A, A+1, ... B (each in a lab of its own, several\n"
		"at once), then print which seeds failed which expectations and, per metric,\n"
		"min / median / p95 / max across the seeds. A failing seed runs alone again\n"
		"with 'faultline run --seed S FILE'.\n"
		"\n"
		"  --seeds A-B         the seeds (A alone: one seed; at most %d)\n"
		"  --jobs N|auto       CPUs' worth of labs at once (default auto: the number of\n"
		"                      CPUs, %d here); a lab with QEMU guests counts 1 per guest\n"
		"  --until-fail        start no new seed once one failed (those running finish)\n"
		"  --json FILE         write the per-seed verdicts and the statistics as JSON\n"
		"  --shard K/N         run only the seeds at positions i (from 0) with\n"
		"                      i mod N = K-1; --json then writes a shard report for\n"
		"                      'faultline merge' (docs/ci.md)\n"
		"  --junit FILE        a JUnit report with one testsuite per seed\n"
		"  --run-dir DIR       keep run directories in DIR (default: runs)\n"
		"  --set NAME=VALUE    give a value to a 'param' (repeatable)\n"
		"  -q                  only the summary (no line per seed)\n"
		"\n"
		"Needs root. Exit status: 0 every seed held, 1 a seed failed, 2 bad input, 3 the\n"
		"host cannot run it.\n",
		EXPLORE_MAX_SEEDS, cmd_jobs_default());
}

int cmd_seeds_parse(const char *arg, uint64_t *a, uint64_t *b)
{
	char *end;

	if (!arg || *arg < '0' || *arg > '9')
		return -1;
	errno = 0;
	*a = strtoull(arg, &end, 10);
	if (errno)
		return -1;
	if (!*end) {
		*b = *a;
		return 0;
	}
	if (*end != '-' || end[1] < '0' || end[1] > '9')
		return -1;
	*b = strtoull(end + 1, &end, 10);
	return errno || *end || *b < *a ? -1 : 0;
}

static int explore_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

int cmd_stats_compute(double *v, int n, struct cmd_stats *out)
{
	if (n < 1) {
		errno = EINVAL;
		return -1;
	}
	qsort(v, (size_t)n, sizeof(*v), explore_cmp);
	out->n = n;
	out->min = v[0];
	out->max = v[n - 1];
	out->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	int rank = (95 * n + 99) / 100; /* nearest rank, 1-based: ceil(0.95 n) */
	out->p95 = v[(rank < 1 ? 1 : rank) - 1];
	return 0;
}

/* Options and the one file, in any order; NULL after saying why. */
static const char *explore_opts_parse(int argc, char **argv, struct cmd_run_opts *o)
{
	const char *file = NULL;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || !strcmp(argv[i], "--")) {
			i += !strcmp(argv[i], "--");
			if (file || i >= argc || (file = argv[i], false)) {
				fprintf(stderr,
					"faultline explore: wants exactly one scenario file\n");
				return NULL;
			}
			continue;
		}
		if (cmd_run_opt("explore", argc, argv, &i, o) == -1)
			return NULL;
	}
	if (!file || !o->seeds) {
		fprintf(stderr, "faultline explore: wants a scenario file and --seeds A-B "
				"(try --help)\n");
		return NULL;
	}
	return file;
}

/* Which options of 'run' make no sense here. */
static int explore_opts_check(const struct cmd_run_opts *o, uint64_t *a, uint64_t *b)
{
	if (cmd_seeds_parse(o->seeds, a, b) == -1 || *b - *a >= EXPLORE_MAX_SEEDS) {
		fprintf(stderr,
			"faultline explore: --seeds wants A-B with A <= B (at most %d "
			"seeds), got '%s'\n",
			EXPLORE_MAX_SEEDS, o->seeds);
		return -1;
	}
	if (o->shard.n && o->until_fail) {
		fprintf(stderr, "faultline explore: --until-fail does not go with --shard (each "
				"shard would stop on its own failures only)\n");
		return -1;
	}
	if (o->has_seed || o->dry_run) {
		fprintf(stderr, "faultline explore: %s does not go with --seeds\n",
			o->has_seed ? "--seed" : "--dry-run");
		return -1;
	}
	for (int k = 0; rep_kinds[k].option; k++)
		if (o->report[k] && strcmp(rep_kinds[k].option, "--json") &&
		    strcmp(rep_kinds[k].option, "--junit")) {
			fprintf(stderr, "faultline explore: %s is for 'faultline run --seed S'\n",
				rep_kinds[k].option);
			return -1;
		}
	return 0;
}

/* "success >= 99% (measured 95.1%)" for each failed verdict of @r, into @buf. */
static void explore_failed_list(const struct sla_result *r, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < r->n_v && at < len; i++) {
		const struct sla_verdict *v = &r->v[i];
		if (v->status == SLA_PASS)
			continue;
		at += (size_t)snprintf(buf + at, len - at, "%s%s (%s)", at ? "; " : "", v->text,
				       v->msg);
	}
}

static void explore_seed_lines(struct scn **scns, int n, struct sla_result **rr, const int *st)
{
	char why[1024];

	printf("  %-8s %-10s %s\n", "seed", "verdict", "failed expectations");
	for (int i = 0; i < n; i++) {
		if (st[i] < 0)
			continue;
		/* a reproduction's seed is good when it reproduced (sla_result.ok) */
		const char *verdict = st[i] >= 128 ? "stopped"
				      : !rr[i]	   ? "not judged"
				      : rr[i]->ok  ? sla_outcome_name(rr[i]->outcome)
						   : "FAIL";
		if (rr[i])
			explore_failed_list(rr[i], why, sizeof(why));
		else if (st[i] >= 128)
			snprintf(why, sizeof(why), "interrupted (exit status %d)", st[i]);
		else
			snprintf(why, sizeof(why), "exit status %d", st[i]);
		printf("  %-8llu %-*s%s\n", (unsigned long long)scns[i]->seed, *why ? 11 : 0,
		       verdict, why);
	}
}

/* Per expectation, the seeds that failed it: "  success >= 99%: 2 5". */
static void explore_by_expectation(struct sla_result **rr, int n)
{
	const struct sla_result *first = NULL;

	for (int i = 0; i < n && !first; i++)
		first = rr[i];
	if (!first)
		return;
	for (int e = 0; e < first->n_v; e++) {
		int k = 0;
		for (int i = 0; i < n; i++) {
			if (!rr[i] || e >= rr[i]->n_v || rr[i]->v[e].status == SLA_PASS)
				continue;
			if (!k++)
				printf("  %s: seeds", first->v[e].text);
			printf(" %llu", (unsigned long long)rr[i]->seed);
		}
		if (k)
			printf(" (%d)\n", k);
	}
}

/* Metric @m's statistics over the judged runs that measured it; -1 when none did. */
static int explore_metric_stats(struct sla_result *const *rr, int n, enum sla_metric m,
				struct cmd_stats *s)
{
	double *v = malloc((size_t)n * sizeof(*v));
	int k = 0, rc;

	if (!v)
		return -1;
	for (int i = 0; i < n; i++)
		if (rr[i] && rr[i]->all.v[m].measured)
			v[k++] = rr[i]->all.v[m].v;
	rc = k ? cmd_stats_compute(v, k, s) : -1;
	free(v);
	return rc;
}

static void explore_stat_cell(double x, enum sla_metric m, char *buf, size_t len)
{
	struct sla_value v = {.measured = true, .v = x};

	rep_value_format(&v, sla_metric_unit(m), buf, len);
}

static void explore_stats_table(struct sla_result **rr, int n)
{
	struct cmd_stats s;
	char c[4][64];

	printf("  %-18s %5s  %-10s %-10s %-10s %s\n", "metric", "seeds", "min", "median", "p95",
	       "max");
	for (int m = 1; m < SLA_METRIC__MAX; m++) {
		if (explore_metric_stats(rr, n, m, &s) == -1)
			continue;
		explore_stat_cell(s.min, m, c[0], sizeof(c[0]));
		explore_stat_cell(s.median, m, c[1], sizeof(c[1]));
		explore_stat_cell(s.p95, m, c[2], sizeof(c[2]));
		explore_stat_cell(s.max, m, c[3], sizeof(c[3]));
		printf("  %-18s %5d  %-10s %-10s %-10s %s\n", sla_metric_name(m), s.n, c[0], c[1],
		       c[2], c[3]);
	}
}

static json_t *explore_json_runs(const uint64_t *seeds, int n, struct sla_result *const *rr,
				 const int *st)
{
	json_t *a = json_array();

	for (int i = 0; a && i < n; i++) {
		if (st[i] < 0)
			continue;
		json_t *failed = json_array();
		for (int e = 0; rr[i] && failed && e < rr[i]->n_v; e++)
			if (rr[i]->v[e].status != SLA_PASS)
				json_array_append_new(failed, json_string(rr[i]->v[e].text));
		json_array_append_new(a, json_pack("{s:I,s:i,s:o,s:s?,s:o,s:s?}", "seed",
						   (json_int_t)seeds[i], "exit", st[i],
						   "passed", json_boolean(rr[i] && rr[i]->passed),
						   "verdict",
						   rr[i] ? sla_outcome_name(rr[i]->outcome) : NULL,
						   "failed", failed ? failed : json_null(),
						   "run_dir", rr[i] ? rr[i]->run_dir : NULL));
	}
	return a;
}

static json_t *explore_json_metrics(struct sla_result *const *rr, int n)
{
	json_t *o = json_object();
	struct cmd_stats s;

	for (int m = 1; o && m < SLA_METRIC__MAX; m++)
		if (explore_metric_stats(rr, n, m, &s) == 0)
			json_object_set_new(o, sla_metric_name(m),
					    json_pack("{s:i,s:f,s:f,s:f,s:f}", "seeds", s.n, "min",
						      s.min, "median", s.median, "p95", s.p95,
						      "max", s.max));
	return o;
}

int cmd_explore_failed(struct sla_result *const *rr, const int *st, int n)
{
	int failed = 0;

	for (int i = 0; i < n; i++)
		failed += st[i] >= 0 && st[i] < 128 && !(rr[i] && rr[i]->ok);
	return failed;
}

json_t *cmd_explore_json(const char *name, const uint64_t *seeds, int n,
			 struct sla_result *const *rr, const int *st)
{
	int ran = 0;

	for (int i = 0; i < n; i++)
		ran += st[i] >= 0;
	return json_pack("{s:s,s:I,s:I,s:i,s:i,s:o,s:o}", "scenario", name, "first_seed",
			 (json_int_t)seeds[0], "last_seed", (json_int_t)seeds[n - 1], "ran", ran,
			 "failed", cmd_explore_failed(rr, st, n), "runs",
			 explore_json_runs(seeds, n, rr, st), "metrics",
			 explore_json_metrics(rr, n));
}

/* --shard: the shard report, one item per seed of this shard (@idx: their positions
 * among all the seeds A-B). */
static int explore_shard_write(const char *path, struct scn **scns, int n,
			       struct sla_result **rr, const int *st, const int *idx,
			       const struct cmd_run_opts *o, int total, uint64_t first)
{
	json_t *items = json_array();
	json_t *plan = json_pack("{s:o,s:o,s:I,s:I,s:o}", "file", jsonl_str(scns[0]->file),
				 "scenario", jsonl_str(scns[0]->name), "first_seed",
				 (json_int_t)first, "last_seed", (json_int_t)(first + (uint64_t)total - 1),
				 "sets", cmd_shard_sets(o->sets, o->n_sets));

	for (int i = 0; items && i < n; i++) {
		json_t *it = cmd_shard_item(idx[i], st[i], rr[i] ? rep_json_result(rr[i]) : NULL);
		if (!it || jsonl_set(it, "exact", cmd_shard_exact(rr[i])) == -1 ||
		    json_array_append_new(items, it) == -1) {
			json_decref(items);
			items = NULL;
		}
	}
	return cmd_shard_write(path, &o->shard, "explore", plan, total, items);
}

static int explore_json_write(const char *path, struct scn **scns, int n, struct sla_result **rr,
			      const int *st)
{
	uint64_t *seeds = calloc((size_t)n, sizeof(*seeds));
	FILE *f;

	if (!seeds)
		return -1;
	for (int i = 0; i < n; i++)
		seeds[i] = scns[i]->seed;
	json_t *v = cmd_explore_json(scns[0]->name, seeds, n, rr, st);
	free(seeds);
	if (!(f = fopen(path, "w"))) {
		json_decref(v);
		return -1;
	}
	int rc = rep_json_dump(f, v);
	return fclose(f) == 0 ? rc : -1;
}

/* Where the JSON goes and what a shard adds to it. */
struct explore_out {
	const int *idx; /* each run's position among the seeds A-B */
	int total;	/* the seeds A-B */
	uint64_t first; /* A */
};

static int explore_json_file(const char *path, struct scn **scns, int n, struct sla_result **rr,
			     const int *st, const struct cmd_run_opts *o,
			     const struct explore_out *x)
{
	if (o->shard.n)
		return explore_shard_write(path, scns, n, rr, st, x->idx, o, x->total, x->first);
	return explore_json_write(path, scns, n, rr, st);
}

/* The first judged seed that failed, and how to shrink its schedule. */
static void explore_shrink_hint(struct scn **scns, int n, struct sla_result **rr, const int *st)
{
	for (int i = 0; i < n; i++)
		if (st[i] >= 0 && st[i] < 128 && rr[i] && !rr[i]->ok) {
			printf("  the fewest faults of one: faultline shrink %s --seed %llu\n",
			       scns[i]->file, (unsigned long long)scns[i]->seed);
			return;
		}
}

/* The summary, the JSON and JUnit files; the exit status. */
static int explore_report(struct scn **scns, int n, struct sla_result **rr, const int *st,
			  const struct cmd_run_opts *o, const struct explore_out *x, int rc)
{
	int ran = 0, failed = cmd_explore_failed(rr, st, n), intr = 0, k = 0;
	char err[512];

	for (int i = 0; i < n; i++) {
		ran += st[i] >= 0;
		intr += st[i] >= 128;
	}
	if (!o->quiet)
		explore_seed_lines(scns, n, rr, st);
	if (o->shard.n)
		printf("shard %d/%d (%d of %d seeds): ", o->shard.k, o->shard.n, n, x->total);
	printf("%s: %d of %d seeds ran, %d passed, %d failed", scns[0]->name, ran, n,
	       ran - failed - intr, failed);
	printf(intr ? ", %d interrupted\n" : "\n", intr);
	explore_by_expectation(rr, n);
	explore_shrink_hint(scns, n, rr, st);
	for (int i = 0; i < n; i++)
		k += rr[i] != NULL;
	if (k) {
		printf("\n");
		explore_stats_table(rr, n);
	}
	k = 0;
	for (int kk = 0; rep_kinds[kk].option; kk++)
		if (o->report[kk] && !strcmp(rep_kinds[kk].option, "--json") &&
		    explore_json_file(o->report[kk], scns, n, rr, st, o, x) == -1) {
			fprintf(stderr, "faultline explore: %s: %s\n", o->report[kk],
				strerror(errno));
			rc = rc > FL_EXIT_HOST ? rc : FL_EXIT_HOST;
		}
	const char *paths[REP_KINDS_MAX] = {0}; /* --junit, through the common writer */
	for (int kk = 0; rep_kinds[kk].option; kk++)
		if (!strcmp(rep_kinds[kk].option, "--junit"))
			paths[kk] = o->report[kk];
	struct sla_result **judged = calloc((size_t)n, sizeof(*judged));
	for (int i = 0; judged && i < n; i++)
		if (rr[i])
			judged[k++] = rr[i];
	if (k && rep_files_write(judged, k, paths, err, sizeof(err)) == -1) {
		fprintf(stderr, "faultline explore: report %s\n", err);
		rc = rc > FL_EXIT_HOST ? rc : FL_EXIT_HOST;
	}
	free(judged);
	return rc;
}

static int explore_run(struct scn **scns, int n, struct cmd_run_opts *o,
		       const struct explore_out *x)
{
	struct sla_result **rr = calloc((size_t)n, sizeof(*rr));
	int *st = calloc((size_t)n, sizeof(*st)), rc;

	if (!rr || !st) {
		free(rr);
		free(st);
		return FL_EXIT_HOST;
	}
	rc = cmd_jobs_run(scns, n, o, NULL, o->until_fail, rr, st);
	rc = explore_report(scns, n, rr, st, o, x, rc);
	for (int i = 0; i < n; i++)
		sla_result_free(rr[i]);
	free(rr);
	free(st);
	return rc;
}

/* A shard that no seed falls to: nothing runs; its report says so, for the merge. */
static int explore_shard_empty(const char *file, const struct cmd_run_opts *o,
			       const struct explore_out *x)
{
	bool used[CMD_RUN_MAX_SETS];
	struct scn_err err;
	char msg[1024];
	struct scn *s = cmd_run_load(file, o, 1, used, &err);
	int rc = FL_EXIT_OK;

	if (!s) {
		scn_err_format(&err, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		return FL_EXIT_INPUT;
	}
	printf("shard %d/%d (0 of %d seeds): %s: nothing to run\n", o->shard.k, o->shard.n,
	       x->total, s->name);
	for (int kk = 0; rep_kinds[kk].option; kk++)
		if (o->report[kk] && !strcmp(rep_kinds[kk].option, "--json") &&
		    explore_shard_write(o->report[kk], &s, 0, NULL, NULL, NULL, o, x->total,
					x->first) == -1) {
			fprintf(stderr, "faultline explore: %s: %s\n", o->report[kk],
				strerror(errno));
			rc = FL_EXIT_HOST;
		}
	scn_free(s);
	return rc;
}

int cmd_explore(int argc, char **argv)
{
	struct cmd_run_opts o = {0};
	struct scn_err err;
	char msg[1024];
	uint64_t a, b;
	bool used[CMD_RUN_MAX_SETS];

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			explore_usage(stdout);
			return FL_EXIT_OK;
		}
	const char *file = explore_opts_parse(argc, argv, &o);
	if (!file || explore_opts_check(&o, &a, &b) == -1)
		return FL_EXIT_INPUT;
	int total = (int)(b - a + 1), rc = FL_EXIT_OK;
	int *idx = calloc((size_t)total, sizeof(*idx));
	int n = idx ? cmd_shard_pick(&o.shard, total, idx) : 0;
	struct scn **scns = calloc((size_t)n + 1, sizeof(*scns));
	struct explore_out x = {.idx = idx, .total = total, .first = a};
	if (!scns || !idx) {
		free(idx);
		free(scns);
		return FL_EXIT_HOST;
	}
	if (n == 0) {
		rc = explore_shard_empty(file, &o, &x);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (!(scns[i] = cmd_run_load(file, &o, 1, used, &err))) {
			scn_err_format(&err, msg, sizeof(msg));
			fprintf(stderr, "%s\n", msg);
			rc = FL_EXIT_INPUT;
			goto out;
		}
		scns[i]->seed = a + (uint64_t)idx[i];
	}
	o.child_quiet = true;
	if ((rc = cmd_run_prepare("explore", scns, n)) == FL_EXIT_OK)
		rc = explore_run(scns, n, &o, &x);
out:
	for (int i = 0; i < n; i++)
		scn_free(scns[i]);
	free(scns);
	free(idx);
	return rc;
}
