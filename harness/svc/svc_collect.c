/*
 * svc_collect.c - the run's `collect` checkers (scn.h, struct scn_collect): once the
 * timeline has ended, each one in the order written, /bin/sh -c COMMAND started in its
 * node through the node's kind (as a service is), stdout and stderr to
 * collect.<NAME>.out/.err in the run directory, waited for on the run's loop up to its
 * timeout (then SIGKILL to its process group). The last word of its stdout is its
 * value; one "collect" event in events.jsonl (src: the node) says either the value or
 * why there is none, so judging the run directory later (obs_events.c) finds the same.
 *
 * A checker that fails (exit status not 0, a signal, the timeout, no number at the
 * end) leaves its metric without a value: an `expect` on it is "not measured", which
 * fails, and the reason is in the event, the reports and @err.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ev.h"
#include "jsonl.h"
#include "lab.h"
#include "node.h"
#include "run.h"
#include "scn.h"
#include "svc.h"

#define SVC_COLLECT_OUT_MAX 65536 /* what is read of the output: its end */

struct svc_collect {
	pid_t pid;
	bool started, done, failed;
	int status;
	char why[256];
};

static void collect_started(void *arg, int node, pid_t pid)
{
	struct svc_collect *c = arg;

	(void)node;
	c->started = true;
	c->pid = pid;
}

static void collect_failed(void *arg, int node, int err, const char *why)
{
	struct svc_collect *c = arg;

	(void)node;
	c->failed = c->done = true;
	snprintf(c->why, sizeof(c->why), "did not start: %.160s (%.60s)", why, strerror(err));
}

static void collect_exited(void *arg, int node, pid_t pid, int wstatus)
{
	struct svc_collect *c = arg;

	(void)node;
	if (pid != c->pid)
		return;
	c->done = true;
	c->status = wstatus;
}

static bool collect_done(void *arg)
{
	return ((struct svc_collect *)arg)->done;
}

int svc_collect_value(const char *out, double *v)
{
	const char *end = out + strlen(out), *w;
	char *stop;

	while (end > out && strchr(" \t\r\n", end[-1]))
		end--;
	for (w = end; w > out && !strchr(" \t\r\n", w[-1]); w--)
		;
	if (w == end || end - w > 40)
		return -1;
	char word[48];
	snprintf(word, sizeof(word), "%.*s", (int)(end - w), w);
	errno = 0;
	*v = strtod(word, &stop);
	if (*stop || errno || stop == word || !strpbrk(word, "0123456789") ||
	    strpbrk(word, "xXpPnNiI")) /* no hex, nan, inf: a plain decimal */
		return -1;
	return 0;
}

/* The end of file @path (at most SVC_COLLECT_OUT_MAX bytes), NUL-terminated, in @buf. */
static void collect_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n = 0;

	buf[0] = '\0';
	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) == 0) {
		long size = ftell(f);
		if (size > (long)len - 1)
			fseek(f, size - (long)len + 1, SEEK_SET);
		else
			rewind(f);
	}
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* What ended @c's run, when it is a failure, into c->why; true when it is one. */
static bool collect_bad_end(const struct scn_collect *sc, struct svc_collect *c)
{
	if (c->failed)
		return true;
	if (!c->done)
		snprintf(c->why, sizeof(c->why), "still running after its timeout (%lld ms): "
			 "killed", (long long)sc->timeout_ms);
	else if (WIFSIGNALED(c->status))
		snprintf(c->why, sizeof(c->why), "killed by signal %d", WTERMSIG(c->status));
	else if (WEXITSTATUS(c->status))
		snprintf(c->why, sizeof(c->why), "exit status %d", WEXITSTATUS(c->status));
	else
		return false;
	return true;
}

/* Wait for @c's end up to its timeout; then SIGKILL its group (c->done stays false). */
static void collect_wait(struct run *r, const struct scn_collect *sc, struct svc_collect *c)
{
	struct lab *lab = run_lab(r);
	const struct node_kind *k = node_kind_of(lab, sc->node);

	ev_loop_run_until(run_loop(r), ev_now_ns() + sc->timeout_ms * 1000000, collect_done, c);
	if (!c->done && c->pid > 0) {
		k->signal(lab, sc->node, c->pid, SIGKILL);
		if (k->reap)
			k->reap(lab, sc->node, c->pid);
		else
			ev_loop_run_until(run_loop(r), ev_now_ns() + 2000000000LL, collect_done, c);
		if (!c->done && k->forget)
			k->forget(lab, sc->node, c->pid);
		c->done = false; /* it was the timeout that ended it */
	}
	if (k->flush)
		k->flush(lab, sc->node);
}

/* Run collect @i of @r's scenario to its end; its event written. 0, or -1 (@err). */
static int collect_one(struct run *r, int i, char *err, size_t len)
{
	const struct scn *s = run_scn(r);
	const struct scn_collect *sc = &s->collects[i];
	struct lab *lab = run_lab(r);
	const struct node_kind *k = node_kind_of(lab, sc->node);
	/* on the heap until teardown: a guest's agent may still answer after the timeout */
	struct svc_collect *cp = calloc(1, sizeof(*cp));
	char out[4096], errp[4096], leaf[96], why[512];
	char *argv[] = {"/bin/sh", "-c", sc->command, NULL};
	char *text = malloc(SVC_COLLECT_OUT_MAX);
	double v = 0;

	if (!cp || !text || run_defer(r, free, cp, "collect") == -1) {
		snprintf(err, len, "collect %s: %s", sc->name, strerror(ENOMEM));
		free(cp);
		free(text);
		return -1;
	}
	struct svc_collect *c = cp;
	c->pid = -1;
	struct node_proc_fns fns = {collect_started, collect_failed, collect_exited, c};

	snprintf(leaf, sizeof(leaf), "collect.%s.out", sc->name);
	run_path(r, leaf, out, sizeof(out));
	snprintf(leaf, sizeof(leaf), "collect.%s.err", sc->name);
	run_path(r, leaf, errp, sizeof(errp));
	if (k->spawn(lab, sc->node, argv, out, errp, &fns, why, sizeof(why)) == -1) {
		c->failed = true;
		snprintf(c->why, sizeof(c->why), "did not start: %.200s", why);
	} else {
		collect_wait(r, sc, c);
	}
	bool bad = collect_bad_end(sc, c);
	if (!bad) {
		collect_read(out, text, SVC_COLLECT_OUT_MAX);
		if (svc_collect_value(text, &v) == -1) {
			bad = true;
			snprintf(c->why, sizeof(c->why), "collect.%s.out does not end with a number",
				 sc->name);
		}
	}
	json_t *o = json_pack("{s:o,s:o}", "name", jsonl_str(sc->name), bad ? "error" : "value",
			      bad ? jsonl_str(c->why) : jsonl_num(v));
	run_event_obj(r, ev_now_ns(), s->nodes[sc->node].name, "collect", o);
	free(text);
	if (!bad)
		return 0;
	snprintf(err, len, "collect %s (%s:%d): %s", sc->name, s->file ? s->file : "?",
		 sc->loc.line, c->why);
	return -1;
}

int svc_collect_run(struct run *r, char *err, size_t len)
{
	size_t used = 0;
	char one[512];

	if (len)
		err[0] = '\0';
	for (int i = 0; i < run_scn(r)->n_collects; i++)
		if (collect_one(r, i, one, sizeof(one)) == -1 && used < len)
			used += (size_t)snprintf(err + used, len - used, "%s\n", one);
	return used ? -1 : 0;
}
