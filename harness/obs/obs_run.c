/*
 * obs_run.c - the observers of a live run, started in one call once its services are
 * ready: today the wire observer (obs_wire.c) in the lab namespace, writing what it
 * decodes to events.jsonl and into a store of its own. The services' event files and
 * fl-load's request log need no observer here: the programs write them into the run
 * directory themselves, and sla_run_judge() reads every file back after the run.
 *
 * Every observer and the store are on the run's teardown list, which stops and frees
 * them; nothing here outlives the run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "obs.h"
#include "run.h"

static void obs_run_store_free(void *arg)
{
	obs_store_free(arg);
}

struct obs_store *obs_run_start(struct run *r, char *err, size_t len)
{
	struct obs_store *st = obs_store_new();

	if (!st || run_defer(r, obs_run_store_free, st, "observation store") == -1) {
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
