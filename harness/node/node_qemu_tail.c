/*
 * node_qemu_tail.c - what services in a QEMU guest write, brought back: the command line
 * mapped into the guest, and the tails that copy guest files into the run directory.
 *
 * A guest cannot see the host's run directory, so every argv word naming a file in it
 * becomes the guest twin /run/fl/<basename> (node_qemu_guest_path). The harness reads
 * <node>.<service>.events and requests*.csv in the run directory while the run goes
 * on (readiness, progress) and after it (metrics), so a timer sends a `read PATH OFFSET`
 * to the agent for each guest file every TAIL_PERIOD_NS and, when the reply comes,
 * appends its whole lines there with each guest CLOCK_MONOTONIC time (events' "t_ns",
 * the three time columns of fl-load's log) rewritten onto the host's base by
 * node_qemu_guest_to_host(). stdout and stderr are copied only when asked for
 * everything (the final copy, an error). Nothing here waits for the guest except
 * guest_tail_flush(), which runs the loop (end of run, error messages).
 *
 * Invariants: a tail's offset is the number of guest bytes already copied and always
 * falls just after a newline, so each line is rewritten exactly once; a tail has at
 * most one read out. A stalled guest is skipped, and caught up on resume.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "jsonl.h"
#include "node_qemu_int.h"
#include "run.h"

#define TAIL_PERIOD_NS	     (100 * 1000000LL)
#define TAIL_SYNC_NS	     (1000 * 1000000LL) /* clock drift is slow; a ping costs */
#define TAIL_FLUSH_NS	     (5000 * 1000000LL)
#define TAILS_MAX	     48
#define TAIL_CHUNK	     (64 * 1024) /* the agent's largest read */
#define TAIL_CHUNKS_PER_COPY 32
#define TAIL_READ_MS	     2000

struct node_qemu_tail {
	struct node_qemu_tails *set;
	enum node_qemu_tail_kind kind;
	int64_t off;
	bool reading;	 /* a read is out */
	int chunks_left; /* reads this copy may still chain */
	char host[PATH_MAX], guest[PATH_MAX];
};

struct node_qemu_tails {
	struct guest *g;
	struct node_qemu_tail tail[TAILS_MAX];
	int n_tails;
	int64_t timer;
	int64_t next_sync_ns;
};

static int64_t tails_tick(struct ev_loop *loop, int64_t now_ns, void *arg)
{
	struct node_qemu_tails *ts = arg;

	(void)loop;
	guest_tail_copy(ts->g, false);
	return now_ns + TAIL_PERIOD_NS;
}

static struct node_qemu_tails *tails_get(struct guest *g)
{
	struct node_qemu_tails *ts = g->tails;

	if (ts)
		return ts;
	if (!(ts = calloc(1, sizeof(*ts))))
		return NULL;
	ts->g = g;
	ts->timer = ev_timer_add(run_loop(g->r), ev_now_ns() + TAIL_PERIOD_NS, tails_tick, ts);
	if (ts->timer == -1) {
		free(ts);
		return NULL;
	}
	return g->tails = ts;
}

void guest_tails_free(struct guest *g)
{
	struct node_qemu_tails *ts = g->tails;

	if (!ts)
		return;
	/* reads still out are cancelled with the agent channel (ECANCELED) first */
	ev_timer_del(run_loop(g->r), ts->timer);
	free(ts);
	g->tails = NULL;
}

/* Register @host (guest twin @guest) for copying; a file a restart truncates starts over. */
static int tail_add(struct node_qemu_tails *ts, const char *host, const char *guest,
		    enum node_qemu_tail_kind kind)
{
	struct node_qemu_tail *t = NULL;

	for (int i = 0; i < ts->n_tails && !t; i++)
		if (!strcmp(ts->tail[i].host, host))
			t = &ts->tail[i];
	if (t) {
		if (kind != NODE_QEMU_TAIL_EVENTS) { /* the new process truncates it */
			FILE *f = fopen(host, "we");
			if (f)
				fclose(f);
			t->off = 0;
		}
		return 0;
	}
	if (ts->n_tails == TAILS_MAX) {
		errno = ENOSPC;
		return -1;
	}
	t = &ts->tail[ts->n_tails++];
	*t = (struct node_qemu_tail){.set = ts, .kind = kind};
	snprintf(t->host, sizeof(t->host), "%s", host);
	snprintf(t->guest, sizeof(t->guest), "%s", guest);
	return 0;
}

/* Is @word a path in the run directory? */
static bool in_run_dir(const struct run *r, const char *word)
{
	size_t n = strlen(run_dir(r));

	return !strncmp(word, run_dir(r), n) && word[n] == '/';
}

static enum node_qemu_tail_kind tail_kind_of(const char *opt)
{
	if (opt && !strcmp(opt, "--events"))
		return NODE_QEMU_TAIL_EVENTS;
	if (opt && !strcmp(opt, "--out"))
		return NODE_QEMU_TAIL_CSV;
	return 0;
}

void guest_argv_free(char **a)
{
	for (int i = 0; a && a[i]; i++)
		free(a[i]);
	free(a);
}

/* @argv with run-directory paths mapped into the guest; tails for --events/--out files. */
static char **tail_argv(struct node_qemu_tails *ts, char *const argv[])
{
	int n = 0;

	while (argv[n])
		n++;
	char **a = calloc((size_t)n + 1, sizeof(*a));
	for (int i = 0; a && i < n; i++) {
		char guest[PATH_MAX];
		enum node_qemu_tail_kind kind = tail_kind_of(i ? argv[i - 1] : NULL);

		if (!in_run_dir(ts->g->r, argv[i])) {
			a[i] = strdup(argv[i]);
		} else if (node_qemu_guest_path(argv[i], guest, sizeof(guest)) == 0 &&
			   (!kind || tail_add(ts, argv[i], guest, kind) == 0)) {
			a[i] = strdup(guest);
		}
		if (!a[i]) {
			guest_argv_free(a);
			return NULL;
		}
	}
	return a;
}

char **guest_tail_argv(struct guest *g, char *const argv[], const char *out, const char *err,
		       char *gout, char *gerr, size_t glen)
{
	struct node_qemu_tails *ts = tails_get(g);

	if (!ts ||
	    (out && (node_qemu_guest_path(out, gout, glen) == -1 ||
		     tail_add(ts, out, gout, NODE_QEMU_TAIL_RAW) == -1)) ||
	    (err && (node_qemu_guest_path(err, gerr, glen) == -1 ||
		     tail_add(ts, err, gerr, NODE_QEMU_TAIL_RAW) == -1)))
		return NULL;
	return tail_argv(ts, argv);
}

/* One time word of a guest line, mapped: writes it and returns where it ended. */
static const char *put_time(FILE *f, const char *p, node_qemu_time_map_fn *map, void *arg)
{
	char *end;
	long long v = strtoll(p, &end, 10);

	if (end == p)
		return p; /* not a number: left as it is */
	/* 0 (or less) means "never happened", not an instant: copied as it is */
	fprintf(f, "%lld", v > 0 ? (long long)map(arg, v) : v);
	return end;
}

/* An event line with its "t_ns" mapped, as jansson writes it; -1 when it has no time. */
static int put_event(FILE *f, const char *line, size_t len, node_qemu_time_map_fn *map,
		     void *arg)
{
	json_t *o = jsonl_line_parse(line, len), *t = json_object_get(o, "t_ns");
	int rc = -1;

	/* 0 (or less) means "never happened", not an instant: copied as it is */
	if (json_is_integer(t) && json_integer_value(t) > 0 &&
	    json_integer_set(t, map(arg, json_integer_value(t))) == 0)
		rc = json_dumpf(o, f, JSONL_DUMP_FLAGS);
	json_decref(o);
	if (rc == 0)
		fputc('\n', f);
	return rc;
}

void node_qemu_tail_line(FILE *f, enum node_qemu_tail_kind kind, const char *line, size_t len,
			 node_qemu_time_map_fn *map, void *arg)
{
	char *l;
	const char *p;

	if (kind == NODE_QEMU_TAIL_EVENTS && put_event(f, line, len, map, arg) == 0)
		return;
	if (!(l = strndup(line, len)))
		return;
	p = l;
	if (kind == NODE_QEMU_TAIL_CSV && *l >= '0' && *l <= '9') {
		for (int col = 0; col < 3; col++) {
			p = put_time(f, p, map, arg);
			if (*p != ',')
				break;
			fputc(*p++, f);
		}
	}
	fprintf(f, "%s\n", p);
	free(l);
}

static int64_t map_guest(void *arg, int64_t guest_ns)
{
	struct guest *g = arg;

	return node_qemu_guest_to_host(g->r, g->node, guest_ns);
}

/* Append the whole lines of @buf[0, n) to the tail's host file; bytes taken, or -1. */
static int tail_write(struct node_qemu_tail *t, const char *buf, size_t n)
{
	size_t take = n;

	if (t->kind != NODE_QEMU_TAIL_RAW) {
		const char *nl = memrchr(buf, '\n', n);
		if (!nl && n < TAIL_CHUNK)
			return 0; /* half a line: wait for the rest */
		take = nl ? (size_t)(nl - buf) + 1 : n;
	}
	FILE *f = fopen(t->host, "ae");
	if (!f)
		return -1;
	if (t->kind == NODE_QEMU_TAIL_RAW) {
		fwrite(buf, 1, take, f);
	} else {
		for (size_t at = 0; at < take;) {
			const char *e = memchr(buf + at, '\n', take - at);
			size_t len = e ? (size_t)(e - buf) - at : take - at;
			node_qemu_tail_line(f, t->kind, buf + at, len, map_guest, t->set->g);
			at += len + 1;
		}
	}
	if (fclose(f) == EOF)
		return -1;
	return (int)take;
}

static int tail_read(struct node_qemu_tail *t);

static void tail_on_data(void *arg, struct guest *g, int err, struct agent_msg *rep)
{
	struct node_qemu_tail *t = arg;
	int took;

	(void)g;
	t->reading = false;
	if (err || rep->argc < 1)
		return; /* the next tick asks again */
	took = tail_write(t, rep->argv[0], rep->arglen[0]);
	if (took <= 0)
		return;
	t->off += took;
	if (rep->arglen[0] == TAIL_CHUNK && --t->chunks_left > 0)
		tail_read(t); /* more waiting */
}

/* Ask for what follows the tail's offset; the reply is handled by tail_on_data. */
static int tail_read(struct node_qemu_tail *t)
{
	struct guest *g = t->set->g;
	char off[24];
	const char *words[] = {t->guest, off};

	if (t->reading || g->stalled)
		return 0;
	snprintf(off, sizeof(off), "%lld", (long long)t->off);
	if (guest_agent_send(g, "read", 2, words, NULL, TAIL_READ_MS, tail_on_data, t) < 0)
		return -1;
	t->reading = true;
	return 0;
}

void guest_tail_copy(struct guest *g, bool all)
{
	struct node_qemu_tails *ts = g->tails;
	int64_t now = ev_now_ns();

	if (!ts || g->stalled)
		return;
	if (now >= ts->next_sync_ns) {
		ts->next_sync_ns = now + TAIL_SYNC_NS;
		guest_clock_sync(g, false);
	}
	for (int i = 0; i < ts->n_tails; i++) {
		struct node_qemu_tail *t = &ts->tail[i];

		if (t->kind == NODE_QEMU_TAIL_RAW && !all)
			continue;
		if (!t->reading)
			t->chunks_left = TAIL_CHUNKS_PER_COPY;
		tail_read(t);
	}
}

static bool tails_idle(void *arg)
{
	struct node_qemu_tails *ts = arg;

	for (int i = 0; i < ts->n_tails; i++)
		if (ts->tail[i].reading)
			return false;
	return true;
}

void guest_tail_flush(struct guest *g)
{
	if (!g->tails)
		return;
	guest_tail_copy(g, true);
	ev_loop_run_until(run_loop(g->r), ev_now_ns() + TAIL_FLUSH_NS, tails_idle, g->tails);
}
