/*
 * run.c - one run: the run directory BASE/<scenario>-<YYYYmmdd-HHMMSS>[-N]/ with the
 * scenario copy, BASE/latest, events.jsonl (opened by the "start" record: what ran, with
 * which seed and params, so `faultline report` can judge the directory again without
 * the original file: run_kept.c reads it back), the event loop and the teardown list.
 *
 * Invariants: events.jsonl is written with one write(2) per line on an O_APPEND fd, so
 * a line is never torn, whoever else appends; the teardown list only shrinks while it
 * runs, each entry being removed before it is called, so a deferred function that
 * triggers run_teardown() again cannot run twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "jsonl.h"
#include "run.h"
#include "scn.h"

struct run_undo {
	run_undo_fn *fn;
	void *arg;
	char what[48];
};

struct run {
	const struct scn *scn;
	char dir[PATH_MAX];
	int events_fd;
	struct ev_loop *loop;
	struct lab *lab;
	int64_t t0_ns;
	struct run_undo *undo;
	size_t n_undo, cap_undo;
	struct {
		run_tap_fn *fn;
		void *arg;
	} tap[RUN_TAPS_MAX];
};

/* mkdir -p for @path (no trailing component magic: every component is made). */
static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/* Make a fresh BASE/<name>-<time>[-N] into r->dir. */
static int run_dir_make(struct run *r, const char *base, const char *name)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (mkdir_p(base) == -1)
		return -1;
	for (int n = 1; n < 1000; n++) {
		int len = n == 1 ? snprintf(r->dir, sizeof(r->dir), "%s/%s-%s", base, name, stamp)
				 : snprintf(r->dir, sizeof(r->dir), "%s/%s-%s-%d", base, name,
					    stamp, n);
		if (len >= (int)sizeof(r->dir)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (mkdir(r->dir, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* Point BASE/latest at the new directory: a fresh symlink renamed over the old one. */
static int run_latest_update(const struct run *r, const char *base)
{
	char tmp[PATH_MAX], latest[PATH_MAX];
	const char *leaf = strrchr(r->dir, '/') + 1;

	snprintf(tmp, sizeof(tmp), "%s/.latest.%d", base, (int)getpid());
	snprintf(latest, sizeof(latest), "%s/latest", base);
	unlink(tmp);
	if (symlink(leaf, tmp) == -1)
		return -1;
	if (rename(tmp, latest) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * scenario.scn: the text parsed (the file as written when it was loaded, not as it may
 * be now), headed by the parameter values in effect (after --set) as comments, so the
 * copy says what was run. A comment cannot end early: control bytes of a value are
 * written as '?' (the start record keeps the values exactly).
 */
static int run_scn_copy(struct run *r)
{
	char path[PATH_MAX], buf[8192];
	int in = -1, out;
	ssize_t n;

	if (run_path(r, "scenario.scn", path, sizeof(path)) == -1)
		return -1;
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out == -1)
		return -1;
	for (int i = 0; i < r->scn->n_params; i++) {
		const struct scn_param *p = &r->scn->params[i];
		int len = snprintf(buf, sizeof(buf), "# run with: param %s \"%s\"\n", p->name,
				   p->value ? p->value : "");
		len = (size_t)len < sizeof(buf) ? len : 0;
		for (int k = 0; k + 1 < len; k++)
			buf[k] = (unsigned char)buf[k] < 0x20 ? '?' : buf[k];
		if (write_all(out, buf, (size_t)len) == -1)
			goto err;
	}
	if (r->scn->text) {
		if (write_all(out, r->scn->text, r->scn->text_len) == -1)
			goto err;
	} else if (r->scn->file && (in = open(r->scn->file, O_RDONLY | O_CLOEXEC)) != -1) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write_all(out, buf, (size_t)n) == -1)
				goto err;
		close(in);
	}
	return close(out);
err:
	if (in != -1)
		close(in);
	close(out);
	return -1;
}

/*
 * The first line of events.jsonl: {"src":"run","ev":"start","scenario","file","seed",
 * "params":{NAME:VALUE},"started"}. The seed is a decimal string (a jansson integer is
 * signed 64-bit; a seed is not), "started" the wall clock in UTC (ISO 8601).
 */
static int run_start_record(struct run *r)
{
	const struct scn *s = r->scn;
	char seed[32], started[32];
	time_t now = time(NULL);
	struct tm tm;
	json_t *params = json_object();

	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)s->seed);
	gmtime_r(&now, &tm);
	strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; params && i < s->n_params; i++)
		if (jsonl_set(params, s->params[i].name, jsonl_str(s->params[i].value)) == -1)
			return json_decref(params), -1;
	if (!params)
		return errno = ENOMEM, -1;
	return run_event_obj(r, ev_now_ns(), "run", "start",
			     json_pack("{s:o,s:o,s:s,s:o,s:s}", "scenario", jsonl_str(s->name),
				       "file", jsonl_str(s->file), "seed", seed, "params", params,
				       "started", started));
}

struct run *run_new(const struct scn *s, const char *base)
{
	struct run *r = calloc(1, sizeof(*r));
	char path[PATH_MAX];

	if (!r)
		return NULL;
	r->scn = s;
	r->events_fd = -1;
	if (!base)
		base = "runs";
	if (run_dir_make(r, base, s->name ? s->name : "scenario") == -1)
		goto err;
	if (run_latest_update(r, base) == -1 || run_scn_copy(r) == -1)
		goto err;
	if (run_path(r, "events.jsonl", path, sizeof(path)) == -1)
		goto err;
	r->events_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC, 0644);
	if (r->events_fd == -1 || run_start_record(r) == -1)
		goto err;
	r->loop = ev_loop_new();
	if (!r->loop)
		goto err;
	return r;
err:;
	int e = errno;
	if (r->events_fd != -1)
		close(r->events_fd);
	free(r);
	errno = e;
	return NULL;
}

void run_free(struct run *r)
{
	if (!r)
		return;
	run_teardown(r);
	ev_loop_free(r->loop);
	if (r->events_fd != -1)
		close(r->events_fd);
	free(r->undo);
	free(r);
}

const struct scn *run_scn(const struct run *r)
{
	return r->scn;
}

const char *run_dir(const struct run *r)
{
	return r->dir;
}

struct ev_loop *run_loop(struct run *r)
{
	return r->loop;
}

struct lab *run_lab(struct run *r)
{
	return r->lab;
}

void run_set_lab(struct run *r, struct lab *lab)
{
	r->lab = lab;
}

int64_t run_t0(const struct run *r)
{
	return r->t0_ns;
}

void run_set_t0(struct run *r, int64_t t0_ns)
{
	r->t0_ns = t0_ns;
}

int run_defer(struct run *r, run_undo_fn *fn, void *arg, const char *what)
{
	if (r->n_undo == r->cap_undo) {
		size_t cap = r->cap_undo ? 2 * r->cap_undo : 32;
		struct run_undo *u = realloc(r->undo, cap * sizeof(*u));
		if (!u)
			return -1;
		r->undo = u;
		r->cap_undo = cap;
	}
	struct run_undo *u = &r->undo[r->n_undo++];
	u->fn = fn;
	u->arg = arg;
	snprintf(u->what, sizeof(u->what), "%s", what ? what : "");
	return 0;
}

void run_teardown(struct run *r)
{
	while (r->n_undo) {
		struct run_undo u = r->undo[--r->n_undo];
		u.fn(u.arg);
	}
}

int run_event_obj(struct run *r, int64_t t_ns, const char *src, const char *ev,
		  struct json_t *fields)
{
	json_t *o = jsonl_event_new(t_ns, src, ev);
	bool bad = fields && !json_is_object(fields);
	int rc = -1;

	for (int i = 0; i < RUN_TAPS_MAX; i++)
		if (r->tap[i].fn)
			r->tap[i].fn(r->tap[i].arg, t_ns, src, ev, bad ? NULL : fields);

	if (o && (!fields || bad || json_object_update(o, fields) == 0))
		rc = jsonl_line_write(r->events_fd, o);
	else
		errno = ENOMEM;
	json_decref(fields);
	json_decref(o);
	if (rc == 0 && bad) /* a caller's mistake: the event is kept, without them */
		return errno = EINVAL, -1;
	return rc;
}

int run_event_tap(struct run *r, run_tap_fn *fn, void *arg)
{
	for (int i = 0; i < RUN_TAPS_MAX; i++)
		if (!r->tap[i].fn) {
			r->tap[i].fn = fn;
			r->tap[i].arg = arg;
			return 0;
		}
	errno = ENOSPC;
	return -1;
}

void run_event_untap(struct run *r, run_tap_fn *fn, void *arg)
{
	for (int i = 0; i < RUN_TAPS_MAX; i++)
		if (r->tap[i].fn == fn && r->tap[i].arg == arg)
			r->tap[i].fn = NULL;
}

int run_path(const struct run *r, const char *name, char *buf, size_t len)
{
	if (snprintf(buf, len, "%s/%s", r->dir, name) >= (int)len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}
