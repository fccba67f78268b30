/*
 * obs_run.c - the observers of a live run, started in one call once its services are
 * ready: today the wire observer (obs_wire.c) in the lab namespace, writing what it
 * decodes to events.jsonl and into a store of its own. The services' event files and
 * fl-load's request logs need no observer to be recorded: the programs write them into
 * the run directory themselves, and sla_run_judge() reads every file back after the
 * run. Whoever wants the requests while the run goes on (the progress line) follows the
 * logs with a struct obs_reqlogs, also here.
 *
 * Every observer and the store are on the run's teardown list, which stops and frees
 * them; nothing here outlives the run.
 *
 * Invariant of struct obs_reqlogs: every tail in tail[] was opened for a distinct file
 * name, kept in name[].
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs.h"
#include "run.h"

#define OBS_REQLOGS_MAX 32 /* one requests file per fl-load service */

struct obs_reqlogs {
	const struct run *run;
	struct obs_tail *tail[OBS_REQLOGS_MAX];
	char name[OBS_REQLOGS_MAX][64];
	int n;
};

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

/* requests.csv, requests-<node>.csv or requests-<node>.<service>.csv */
static bool obs_reqlog_is(const char *name)
{
	size_t n = strlen(name);

	return n >= 12 && !strncmp(name, "requests", 8) && !strcmp(name + n - 4, ".csv");
}

static bool obs_reqlogs_has(const struct obs_reqlogs *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->name[i], name))
			return true;
	return false;
}

/* Follow every request log of the run directory not followed yet: fl-load creates its
 * log when it starts, and a restarted one appends to the same file. */
static void obs_reqlogs_find(struct obs_reqlogs *f)
{
	DIR *d = opendir(run_dir(f->run));
	struct dirent *de;
	char path[4096];

	if (!d)
		return;
	while (f->n < OBS_REQLOGS_MAX && (de = readdir(d))) {
		if (!obs_reqlog_is(de->d_name) || strlen(de->d_name) >= sizeof(f->name[0]) ||
		    obs_reqlogs_has(f, de->d_name))
			continue;
		run_path(f->run, de->d_name, path, sizeof(path));
		if (!(f->tail[f->n] = obs_tail_new(path)))
			break;
		snprintf(f->name[f->n++], sizeof(f->name[0]), "%s", de->d_name);
	}
	closedir(d);
}

struct obs_reqlogs *obs_reqlogs_new(const struct run *r)
{
	struct obs_reqlogs *f = calloc(1, sizeof(*f));

	if (f)
		f->run = r;
	return f;
}

void obs_reqlogs_poll(struct obs_reqlogs *f, struct obs_store *st)
{
	obs_reqlogs_find(f);
	for (int i = 0; i < f->n; i++)
		obs_tail_poll(f->tail[i], st); /* a read error: the count lags, no more */
}

void obs_reqlogs_free(struct obs_reqlogs *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->n; i++)
		obs_tail_free(f->tail[i]);
	free(f);
}
