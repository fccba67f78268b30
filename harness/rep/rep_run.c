/*
 * rep_run.c - the glue between a live run and the observers, verdicts and reports, so
 * that cmd_run.c needs one call at each of its hook points:
 *
 *   [observers]  rep_run_observe()  the wire observer in the lab namespace, writing to
 *                                    events.jsonl (and a live store for progress)
 *   [evaluate]   rep_run_evaluate() reads the run directory back (events.jsonl,
 *                                    requests*.csv), judges every expectation and
 *                                    takes the guest facts ("guest-ready" events)
 *   [reports]    rep_run_write()    --json, --junit and --svg files of one scenario;
 *                rep_runs_write()   of several: one JSON array, one JUnit file, one
 *                                    SVG each (rep_svg_path names them)
 *
 * Evaluating from the files, not from memory, makes `faultline run` and a later
 * `faultline report RUN_DIR` give the same numbers by construction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rep.h"
#include "run.h"

struct rep_run {
	struct obs_store *st;
	struct sla_result *res;
};

static void rep_store_free(void *arg)
{
	obs_store_free(arg);
}

struct obs_store *rep_run_observe(struct run *r, char *err, size_t len)
{
	struct obs_store *st = obs_store_new();
	if (!st || run_defer(r, rep_store_free, st, "observation store") == -1) {
		obs_store_free(st);
		snprintf(err, len, "observers: %s", strerror(errno));
		return NULL;
	}
	if (!obs_wire_start(r, st)) {
		snprintf(err, len, "wire observer: %s", strerror(errno));
		return NULL;
	}
	return st;
}

/*
 * The guest facts of the run: one "guest-ready" event per booted guest in events.jsonl
 * (node_qemu.c writes it), so a report shows the kernel command line, clocksource and
 * interrupt routing that were really in effect. A missing file adds nothing.
 */
static int rep_run_guests(struct sla_result *res, const char *dir)
{
	char path[4096], irq[128], *line = NULL;
	size_t cap = 0;
	struct obs_json_obj *o = malloc(sizeof(*o));
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	if (!o || !(f = fopen(path, "re"))) {
		free(o);
		return o ? 0 : -1;
	}
	while (rc == 0 && getline(&line, &cap, f) > 0) {
		if (!strstr(line, "\"ev\":\"guest-ready\"") || obs_json_parse(line, o) == -1)
			continue;
		snprintf(irq, sizeof(irq), "IO-APIC %lld lines, XT-PIC %lld lines, LOC %lld",
			 (long long)obs_json_int(o, "irq_ioapic", -1),
			 (long long)obs_json_int(o, "irq_xtpic", -1),
			 (long long)obs_json_int(o, "irq_loc", -1));
		rc = sla_result_add_guest(res, obs_json_str(o, "src"), obs_json_str(o, "cmdline"),
					  obs_json_str(o, "clocksource"), irq);
	}
	free(line);
	free(o);
	fclose(f);
	return rc;
}

struct rep_run *rep_run_evaluate(const struct scn *s, const char *dir, int64_t t0_ns,
				 uint64_t seed, char *err, size_t len)
{
	struct rep_run *rr = calloc(1, sizeof(*rr));
	size_t bad = 0;
	if (!rr || !(rr->st = obs_store_new()))
		goto err;
	if (obs_store_load_run(rr->st, dir, &bad) == -1) {
		snprintf(err, len, "reading %s: %s", dir, strerror(errno));
		goto err_quiet;
	}
	struct sla_cfg cfg;
	sla_cfg_init(&cfg, s, t0_ns ? t0_ns : rr->st->t0_ns);
	if (!(rr->res = sla_evaluate(s, rr->st, &cfg, seed, dir)) ||
	    rep_run_guests(rr->res, dir) == -1)
		goto err;
	if (bad)
		snprintf(err, len, "%zu unreadable lines in the run directory", bad);
	return rr;
err:
	snprintf(err, len, "evaluate: %s", strerror(errno));
err_quiet:
	if (rr)
		obs_store_free(rr->st);
	free(rr);
	return NULL;
}

const struct sla_result *rep_run_result(const struct rep_run *rr)
{
	return rr->res;
}

void rep_run_free(struct rep_run *rr)
{
	if (!rr)
		return;
	sla_result_free(rr->res);
	obs_store_free(rr->st);
	free(rr);
}

static int rep_file(const char *path, const struct sla_result *res,
		    int (*fn)(FILE *, const struct sla_result *), char *err, size_t len)
{
	FILE *f = fopen(path, "we");
	if (!f) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = fn(f, res);
	if (fclose(f) == EOF)
		rc = -1;
	if (rc == -1)
		snprintf(err, len, "%s: %s", path, strerror(errno));
	return rc;
}

static int rep_junit_one(FILE *f, const struct sla_result *res)
{
	struct sla_result *one = (struct sla_result *)res;
	return rep_junit_write(f, &one, 1);
}

int rep_run_write(const struct rep_run *rr, const char *json, const char *junit,
		  const char *svg, char *err, size_t len)
{
	int rc = 0;
	if (json && rep_file(json, rr->res, rep_json_write, err, len) == -1)
		rc = -1;
	if (junit && rep_file(junit, rr->res, rep_junit_one, err, len) == -1)
		rc = -1;
	if (svg && rep_file(svg, rr->res, rep_svg_write, err, len) == -1)
		rc = -1;
	return rc;
}

int rep_svg_path(const char *svg, const char *const *names, int i, int n, char *buf,
		 size_t len)
{
	size_t base = strlen(svg);
	int dup = 0;

	if (n <= 1)
		return snprintf(buf, len, "%s", svg);
	if (base >= 4 && !strcmp(svg + base - 4, ".svg"))
		base -= 4;
	for (int k = 0; k < i; k++)
		dup |= !strcmp(names[k], names[i]);
	if (dup)
		return snprintf(buf, len, "%.*s-%s-%d.svg", (int)base, svg, names[i], i + 1);
	return snprintf(buf, len, "%.*s-%s.svg", (int)base, svg, names[i]);
}

/* One file for all @n results, by @fn (rep_json_write_many, rep_junit_write). */
static int rep_file_many(const char *path, struct rep_run *const *rr, int n,
			 int (*fn)(FILE *, struct sla_result *const *, int), char *err,
			 size_t len)
{
	struct sla_result **res = calloc((size_t)n, sizeof(*res));
	FILE *f = res ? fopen(path, "we") : NULL;
	int rc = -1;

	if (f) {
		for (int i = 0; i < n; i++)
			res[i] = rr[i]->res;
		rc = fn(f, res, n);
		if (fclose(f) == EOF)
			rc = -1;
	}
	if (rc == -1)
		snprintf(err, len, "%s: %s", path, strerror(errno));
	free(res);
	return rc;
}

static int rep_svg_many(const char *svg, struct rep_run *const *rr, int n, char *err,
			size_t len)
{
	const char **names = calloc((size_t)n, sizeof(*names));
	char path[4096];
	int rc = 0;

	if (!names) {
		snprintf(err, len, "%s: %s", svg, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++)
		names[i] = rr[i]->res->scenario;
	for (int i = 0; i < n; i++) {
		rep_svg_path(svg, names, i, n, path, sizeof(path));
		if (rep_file(path, rr[i]->res, rep_svg_write, err, len) == -1)
			rc = -1;
	}
	free(names);
	return rc;
}

int rep_runs_write(struct rep_run *const *rr, int n, const char *json, const char *junit,
		   const char *svg, char *err, size_t len)
{
	int rc = 0;

	if (n == 1)
		return rep_run_write(rr[0], json, junit, svg, err, len);
	if (json && rep_file_many(json, rr, n, rep_json_write_many, err, len) == -1)
		rc = -1;
	if (junit && rep_file_many(junit, rr, n, rep_junit_write, err, len) == -1)
		rc = -1;
	if (svg && rep_svg_many(svg, rr, n, err, len) == -1)
		rc = -1;
	return rc;
}
