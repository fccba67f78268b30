/*
 * rep_live.c - the live progress line of a running scenario, redrawn in place every
 * 250 ms on the run's event loop while the timeline runs:
 *
 *   quickstart [   5.2s/15.0s] faults 1  requests 512 ok 3 failed
 *
 * Requests come from the run directory's requests*.csv, followed with the obs tailer
 * (only complete lines count, so a line fl-load is still writing is never miscounted);
 * the faults in effect are the timeline's applied minus reverted firings. The line is
 * meant for a terminal: the caller decides whether there is one (isatty), this file
 * only writes to the stream it was given and erases its line when stopped.
 *
 * Invariants: the timer is armed exactly while l->timer > 0; every tail in l->tail was
 * opened for a distinct file name, kept in l->name.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "rep.h"
#include "run.h"
#include "scn.h"
#include "tl.h"

#define REP_LIVE_TICK_NS  (250 * 1000000LL)
#define REP_LIVE_MAX_LOGS 32 /* one requests file per fl-load service */

struct rep_live {
	struct run *run;
	const struct tl_state *tl;
	FILE *f;
	struct obs_store *st;
	struct obs_tail *tail[REP_LIVE_MAX_LOGS];
	char name[REP_LIVE_MAX_LOGS][64];
	int n_tail;
	int64_t timer;
	bool shown; /* a line is on the terminal */
};

static bool rep_live_is_log(const char *name)
{
	size_t n = strlen(name);

	return n >= 12 && !strncmp(name, "requests", 8) && !strcmp(name + n - 4, ".csv");
}

static bool rep_live_has(const struct rep_live *l, const char *name)
{
	for (int i = 0; i < l->n_tail; i++)
		if (!strcmp(l->name[i], name))
			return true;
	return false;
}

/* Follow every requests*.csv of the run directory not followed yet: fl-load creates its
 * log when it starts, and a restarted one appends to the same file. */
static void rep_live_find_logs(struct rep_live *l)
{
	DIR *d = opendir(run_dir(l->run));
	struct dirent *de;
	char path[4096];

	if (!d)
		return;
	while (l->n_tail < REP_LIVE_MAX_LOGS && (de = readdir(d))) {
		if (!rep_live_is_log(de->d_name) || strlen(de->d_name) >= sizeof(l->name[0]) ||
		    rep_live_has(l, de->d_name))
			continue;
		run_path(l->run, de->d_name, path, sizeof(path));
		if (!(l->tail[l->n_tail] = obs_tail_new(path)))
			break;
		snprintf(l->name[l->n_tail++], sizeof(l->name[0]), "%s", de->d_name);
	}
	closedir(d);
}

static void rep_live_draw(struct rep_live *l, int64_t now)
{
	const struct scn *s = run_scn(l->run);
	struct rep_progress p;
	char line[256];

	rep_live_find_logs(l);
	for (int i = 0; i < l->n_tail; i++)
		obs_tail_poll(l->tail[i], l->st); /* a read error: the count lags, no more */
	rep_progress_count(l->st, run_t0(l->run), s->duration_ms * 1000000, now, &p);
	p.faults_active = tl_applied(l->tl) - tl_reverted(l->tl);
	rep_progress_format(&p, line, sizeof(line));
	/* \r and erase-to-end-of-line: the line is redrawn in place */
	fprintf(l->f, "\r%s %s\033[K", s->name, line);
	fflush(l->f);
	l->shown = true;
}

static int64_t rep_live_tick(struct ev_loop *loop, int64_t now_ns, void *arg)
{
	struct rep_live *l = arg;

	(void)loop;
	rep_live_draw(l, now_ns);
	return now_ns + REP_LIVE_TICK_NS;
}

void rep_live_stop(struct rep_live *l)
{
	if (!l)
		return;
	if (l->timer > 0)
		ev_timer_del(run_loop(l->run), l->timer);
	l->timer = 0;
	if (l->shown) {
		fputs("\r\033[K", l->f);
		fflush(l->f);
		l->shown = false;
	}
}

static void rep_live_free(void *arg)
{
	struct rep_live *l = arg;

	rep_live_stop(l);
	for (int i = 0; i < l->n_tail; i++)
		obs_tail_free(l->tail[i]);
	obs_store_free(l->st);
	free(l);
}

struct rep_live *rep_live_start(struct run *r, const struct tl_state *tl, FILE *f)
{
	struct rep_live *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->run = r;
	l->tl = tl;
	l->f = f;
	if (!(l->st = obs_store_new()) || run_defer(r, rep_live_free, l, "progress line") == -1) {
		obs_store_free(l->st);
		free(l);
		return NULL;
	}
	l->timer = ev_timer_add(run_loop(r), ev_now_ns(), rep_live_tick, l);
	if (l->timer == -1) {
		l->timer = 0;
		return NULL; /* freed by the teardown list */
	}
	return l;
}
