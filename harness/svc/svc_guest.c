/*
 * svc_guest.c - services in QEMU guests: the command line mapped into the guest, and
 * the tails that bring what guest services write back into the run directory.
 *
 * A guest cannot see the host's run directory, so every argv word naming a file in it
 * becomes the guest twin /run/fl/<basename> (node_qemu_guest_path). The harness reads
 * <node>.<service>.events and requests*.csv in the run directory while the run goes
 * on (readiness, progress) and after it (metrics), so a timer copies each guest file
 * there every SVC_TAIL_PERIOD_NS through the agent's `read PATH OFFSET`, whole lines
 * only, with each guest CLOCK_MONOTONIC time (events' "t_ns", the three time columns of
 * fl-load's log) rewritten onto the host's base by node_qemu_guest_to_host(). stdout
 * and stderr are copied only when asked for everything (the final copy, an error).
 *
 * Invariants: a tail's offset is the number of guest bytes already copied and always
 * falls just after a newline, so each line is rewritten exactly once. A stalled guest
 * is skipped (node_qemu_read_at fails with EAGAIN at once), and caught up on resume.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"
#include "jsonl.h"
#include "node_qemu.h"
#include "run.h"
#include "svc_int.h"

#define SVC_TAIL_PERIOD_NS  (100 * 1000000LL)
#define SVC_SYNC_PERIOD_NS  (1000 * 1000000LL) /* clock drift is slow; a ping costs */
#define SVC_TAILS_MAX	    96
#define SVC_CHUNK	    (64 * 1024) /* the agent's largest read */
#define SVC_CHUNKS_PER_COPY 32

struct svc_tail {
	int node;
	enum svc_tail_kind kind;
	int64_t off;
	char host[PATH_MAX], guest[PATH_MAX];
};

struct svc_guest {
	struct run *r;
	struct svc_tail tail[SVC_TAILS_MAX];
	int n_tails;
	int64_t timer;
	int64_t next_sync_ns;
	char buf[SVC_CHUNK + 1];
};

static int64_t svc_guest_tick(struct ev_loop *loop, int64_t now_ns, void *arg)
{
	(void)loop;
	svc_guest_copy(arg, false);
	return now_ns + SVC_TAIL_PERIOD_NS;
}

struct svc_guest *svc_guest_new(struct run *r)
{
	struct svc_guest *sg = calloc(1, sizeof(*sg));

	if (!sg)
		return NULL;
	sg->r = r;
	sg->timer = ev_timer_add(run_loop(r), ev_now_ns() + SVC_TAIL_PERIOD_NS, svc_guest_tick, sg);
	if (sg->timer == -1) {
		free(sg);
		return NULL;
	}
	return sg;
}

void svc_guest_free(struct svc_guest *sg)
{
	if (!sg)
		return;
	ev_timer_del(run_loop(sg->r), sg->timer);
	free(sg);
}

/* Register @host (guest twin @guest) for copying; a file a restart truncates starts over. */
static int svc_tail_add(struct svc_guest *sg, int node, const char *host, const char *guest,
			enum svc_tail_kind kind)
{
	struct svc_tail *t = NULL;

	for (int i = 0; i < sg->n_tails && !t; i++)
		if (!strcmp(sg->tail[i].host, host))
			t = &sg->tail[i];
	if (t) {
		if (kind != SVC_TAIL_EVENTS) { /* the new process truncates it */
			FILE *f = fopen(host, "we");
			if (f)
				fclose(f);
			t->off = 0;
		}
		return 0;
	}
	if (sg->n_tails == SVC_TAILS_MAX) {
		errno = ENOSPC;
		return -1;
	}
	t = &sg->tail[sg->n_tails++];
	*t = (struct svc_tail){.node = node, .kind = kind};
	snprintf(t->host, sizeof(t->host), "%s", host);
	snprintf(t->guest, sizeof(t->guest), "%s", guest);
	return 0;
}

/* Is @word a path in the run directory? */
static bool svc_in_run_dir(const struct run *r, const char *word)
{
	size_t n = strlen(run_dir(r));

	return !strncmp(word, run_dir(r), n) && word[n] == '/';
}

static enum svc_tail_kind svc_tail_kind_of(const char *opt)
{
	if (opt && !strcmp(opt, "--events"))
		return SVC_TAIL_EVENTS;
	if (opt && !strcmp(opt, "--out"))
		return SVC_TAIL_CSV;
	return 0;
}

static void svc_argv_free(char **a)
{
	for (int i = 0; a && a[i]; i++)
		free(a[i]);
	free(a);
}

/* @argv with run-directory paths mapped into the guest; tails for --events/--out files. */
static char **svc_guest_argv(struct svc_guest *sg, int node, char *const argv[])
{
	int n = 0;

	while (argv[n])
		n++;
	char **a = calloc((size_t)n + 1, sizeof(*a));
	for (int i = 0; a && i < n; i++) {
		char guest[PATH_MAX];
		enum svc_tail_kind kind = svc_tail_kind_of(i ? argv[i - 1] : NULL);

		if (!svc_in_run_dir(sg->r, argv[i])) {
			a[i] = strdup(argv[i]);
		} else if (node_qemu_guest_path(argv[i], guest, sizeof(guest)) == 0 &&
			   (!kind || svc_tail_add(sg, node, argv[i], guest, kind) == 0)) {
			a[i] = strdup(guest);
		}
		if (!a[i]) {
			svc_argv_free(a);
			return NULL;
		}
	}
	return a;
}

pid_t svc_guest_spawn(struct svc_guest *sg, int node, char *const argv[], const char *out,
		      const char *err)
{
	char gout[PATH_MAX], gerr[PATH_MAX];
	char **a;

	if (node_qemu_guest_path(out, gout, sizeof(gout)) == -1 ||
	    node_qemu_guest_path(err, gerr, sizeof(gerr)) == -1 ||
	    svc_tail_add(sg, node, out, gout, SVC_TAIL_RAW) == -1 ||
	    svc_tail_add(sg, node, err, gerr, SVC_TAIL_RAW) == -1 ||
	    !(a = svc_guest_argv(sg, node, argv)))
		return -1;
	pid_t pid = node_qemu_spawn(sg->r, node, a, gout, gerr);
	int e = errno;
	svc_argv_free(a);
	errno = e;
	return pid;
}

/* One time word of a guest line, mapped: writes it and returns where it ended. */
static const char *svc_put_time(FILE *f, const char *p, svc_time_map_fn *map, void *arg)
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
static int svc_put_event(FILE *f, const char *line, size_t len, svc_time_map_fn *map, void *arg)
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

void svc_guest_line(FILE *f, enum svc_tail_kind kind, const char *line, size_t len,
		    svc_time_map_fn *map, void *arg)
{
	char *l;
	const char *p;

	if (kind == SVC_TAIL_EVENTS && svc_put_event(f, line, len, map, arg) == 0)
		return;
	if (!(l = strndup(line, len)))
		return;
	p = l;
	if (kind == SVC_TAIL_CSV && *l >= '0' && *l <= '9') {
		for (int col = 0; col < 3; col++) {
			p = svc_put_time(f, p, map, arg);
			if (*p != ',')
				break;
			fputc(*p++, f);
		}
	}
	fprintf(f, "%s\n", p);
	free(l);
}

struct svc_map_arg {
	struct run *r;
	int node;
};

static int64_t svc_map_guest(void *arg, int64_t guest_ns)
{
	struct svc_map_arg *m = arg;

	return node_qemu_guest_to_host(m->r, m->node, guest_ns);
}

/* Copy what is new in one guest file; 1 when there may be more, 0 done, -1 error. */
static int svc_tail_copy(struct svc_guest *sg, struct svc_tail *t)
{
	int n = node_qemu_read_at(sg->r, t->node, t->guest, t->off, sg->buf, sizeof(sg->buf));

	if (n <= 0)
		return n;
	size_t take = (size_t)n;
	if (t->kind != SVC_TAIL_RAW) {
		char *nl = memrchr(sg->buf, '\n', (size_t)n);
		if (!nl && n < SVC_CHUNK)
			return 0; /* half a line: wait for the rest */
		take = nl ? (size_t)(nl - sg->buf) + 1 : (size_t)n;
	}
	FILE *f = fopen(t->host, "ae");
	if (!f)
		return -1;
	if (t->kind == SVC_TAIL_RAW) {
		fwrite(sg->buf, 1, take, f);
	} else {
		struct svc_map_arg m = {sg->r, t->node};
		for (size_t at = 0; at < take;) {
			char *e = memchr(sg->buf + at, '\n', take - at);
			size_t len = e ? (size_t)(e - sg->buf) - at : take - at;
			svc_guest_line(f, t->kind, sg->buf + at, len, svc_map_guest, &m);
			at += len + 1;
		}
	}
	if (fclose(f) == EOF)
		return -1;
	t->off += (int64_t)take;
	return n == SVC_CHUNK;
}

void svc_guest_copy(struct svc_guest *sg, bool all)
{
	int64_t now = ev_now_ns();
	bool sync = now >= sg->next_sync_ns;

	if (sync)
		sg->next_sync_ns = now + SVC_SYNC_PERIOD_NS;
	for (int i = 0; i < sg->n_tails; i++) {
		struct svc_tail *t = &sg->tail[i];
		bool first_of_node = true;

		for (int k = 0; k < i && first_of_node; k++)
			first_of_node = sg->tail[k].node != t->node;
		if (sync && first_of_node)
			node_qemu_clock_sync(sg->r, t->node);
		if (t->kind == SVC_TAIL_RAW && !all)
			continue;
		for (int c = 0; c < SVC_CHUNKS_PER_COPY && svc_tail_copy(sg, t) == 1; c++)
			;
	}
}
