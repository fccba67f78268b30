/*
 * sla_run.c - judge a run from its run directory: read the observations back
 * (events.jsonl, <node>.<service>.events, requests*.csv through obs_store_load_run),
 * compute the metrics, give every `expect` its verdict and take the guest facts
 * ("guest-ready" events) and when the run started (its "start" record, for the pages).
 *
 * Judging from the files, not from what the observers kept in memory, makes the verdict
 * of `faultline run` and the one `faultline matrix` reads back from each column's run
 * directory the same by construction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "sla.h"

/* One guest's facts from its "guest-ready" event @o into @res. */
static int sla_run_guest_add(struct sla_result *res, const json_t *o)
{
	char irq[128];

	snprintf(irq, sizeof(irq), "IO-APIC %lld lines, XT-PIC %lld lines, LOC %lld",
		 (long long)jsonl_get_int(o, "irq_ioapic", -1),
		 (long long)jsonl_get_int(o, "irq_xtpic", -1),
		 (long long)jsonl_get_int(o, "irq_loc", -1));
	return sla_result_add_guest(res, jsonl_get_str(o, "src"), jsonl_get_str(o, "kernel"),
				    jsonl_get_str(o, "cmdline"), jsonl_get_str(o, "clocksource"), irq);
}

/*
 * The guest facts of the run: one "guest-ready" event per booted guest in events.jsonl
 * (node_qemu.c writes it), so a report shows the kernel command line, clocksource and
 * interrupt routing that were really in effect. A missing file adds nothing.
 */
static int sla_run_guests(struct sla_result *res, const char *dir)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	if (!(f = fopen(path, "re")))
		return 0;
	while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
		json_t *o = jsonl_line_parse(line, (size_t)n);
		/* a line that is no JSON object was counted by obs_store_load_run already */
		if (o && jsonl_is_ev(o, "guest-ready"))
			rc = sla_run_guest_add(res, o);
		else if (o && !res->started && jsonl_is_ev(o, "start") &&
			 !strcmp(jsonl_get_str(o, "src"), "run") &&
			 *jsonl_get_str(o, "started") &&
			 !(res->started = strdup(jsonl_get_str(o, "started"))))
			rc = -1;
		json_decref(o);
	}
	free(line);
	fclose(f);
	return rc;
}

struct sla_result *sla_run_judge(const struct scn *s, const char *dir, int64_t t0_ns, uint64_t seed,
				 char *err, size_t len)
{
	struct obs_store *st = obs_store_new();
	struct sla_result *res = NULL;
	struct sla_cfg cfg;
	size_t bad = 0;

	if (!st)
		goto err;
	if (obs_store_load_run(st, dir, &bad) == -1) {
		snprintf(err, len, "reading %s: %s", dir, strerror(errno));
		obs_store_free(st);
		return NULL;
	}
	sla_cfg_init(&cfg, s, t0_ns ? t0_ns : st->t0_ns);
	if (!(res = sla_evaluate(s, st, &cfg, seed, dir)))
		goto err;
	res->st_owned = st;
	if (sla_run_guests(res, dir) == -1)
		goto err;
	if (bad)
		snprintf(err, len, "%zu unreadable lines in the run directory", bad);
	return res;
err:
	snprintf(err, len, "evaluate: %s", strerror(errno));
	if (res)
		sla_result_free(res); /* and the store it owns */
	else
		obs_store_free(st);
	return NULL;
}
