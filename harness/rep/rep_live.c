/*
 * rep_live.c - the live progress line of a running scenario, redrawn in place every
 * 250 ms on the run's event loop while the timeline runs:
 *
 *   quickstart [   5.2s/15.0s] faults 1  requests 512 ok 3 failed
 *
 * Requests come from the run directory's requests*.csv, followed by the observers'
 * struct obs_reqlogs (obs_run.c) into a store of the line's own; the faults in effect
 * are the timeline's applied minus reverted firings. The line is meant for a terminal:
 * the caller decides whether there is one (isatty), this file only writes to the
 * stream it was given and erases its line when stopped.
 *
 * Invariant: the timer is armed exactly while l->timer > 0.
 */
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

#define REP_LIVE_TICK_NS (250 * 1000000LL)

struct rep_live {
	struct run *run;
	const struct tl_state *tl;
	FILE *f;
	struct obs_store *st;
	struct obs_reqlogs *logs;
	int64_t timer;
	bool shown; /* a line is on the terminal */
};

static void rep_live_draw(struct rep_live *l, int64_t now)
{
	const struct scn *s = run_scn(l->run);
	struct rep_progress p;
	char line[256];

	obs_reqlogs_poll(l->logs, l->st);
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
	obs_reqlogs_free(l->logs);
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
	if (!(l->st = obs_store_new()) || !(l->logs = obs_reqlogs_new(r)) ||
	    run_defer(r, rep_live_free, l, "progress line") == -1) {
		obs_reqlogs_free(l->logs);
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
