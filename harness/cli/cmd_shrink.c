/*
 * cmd_shrink.c - 'faultline shrink FILE --seed S': the fewest firings of seed S's
 * schedule whose run still fails the same expectations (delta debugging, tl_shrink),
 * written as a scenario of plain `at ... for ...` lines.
 *
 *   faultline shrink split-brain.scn --seed 10 --tries 3 --jobs 2 -o sb-min.scn
 *
 * The target: the expectations the first run of every firing failed (for a
 * reproduction: those marked 'fails' that failed, the failure it reproduces; with
 * --expect: the ones named). A run fails the target when every one of them fails
 * again: measured on the wrong side, or, for one not marked 'fails', not measured.
 * Each candidate is a scenario file of its own in the work directory
 * (RUN_DIR/shrink-NAME-TIME/cand-K.scn, its runs beside it), run by the real binary in
 * labs of its own, side by side through cmd_jobs_run.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "scn.h"
#include "sla.h"
#include "tl.h"

#define SHRINK_MAX_EXPECT 16
#define SHRINK_MAX_TRIES  100

struct shrink_opts {
	struct cmd_run_opts run;
	int tries, need;
	const char *out;
	const char *expect[SHRINK_MAX_EXPECT];
	int n_expect;
};

struct shrink_ctx {
	const struct shrink_opts *so;
	struct cmd_run_opts child; /* the runs' options: quiet, in the work directory */
	const char *file;
	struct scn *s;
	struct tl_schedule *sch;
	char *src;
	size_t len;
	char work[1024];
	bool *target; /* per expectation; NULL until the first run */
	int n_target;
	int empty_fails, empty_runs; /* the candidate with no firing: runs that failed, all */
	bool quiet;
};

static void shrink_usage(FILE *f)
{
	fprintf(f,
		"usage: faultline shrink FILE [--seed S] [OPTIONS]\n"
		"\n"
		"Find the fewest firings of seed S's schedule (default: the scenario's seed)\n"
		"whose run still fails the same expectations, by delta debugging: every\n"
		"candidate set of firings is run as a scenario of its own, several at once, up\n"
		"to --tries times. Writes the result as a scenario with only 'at' lines.\n"
		"\n"
		"  --seed S            the seed whose schedule to shrink\n"
		"  --tries N           runs of each candidate at most (default 3, at most %d)\n"
		"  --need K            a candidate fails when K of its runs failed the target\n"
		"                      (default: N, every one; it stops at the first that held)\n"
		"  --expect TEXT       shrink toward this expectation failing, as written without\n"
		"                      its mark (repeatable; default: what the first run failed,\n"
		"                      for a reproduction the 'fails' ones it reproduced)\n"
		"  -o FILE             the result (default NAME-seedS-shrunk.scn, here)\n"
		"  --jobs N|auto       CPUs' worth of labs at once (default auto: %d here)\n"
		"  --run-dir DIR       the work directory goes in DIR (default: runs)\n"
		"  --set NAME=VALUE    give a value to a 'param' (repeatable)\n"
		"  -q                  no line per run, only the candidates and the summary\n"
		"\n"
		"Needs root. Exit status: 0 shrunk and written, 1 the schedule did not fail the\n"
		"target (nothing to shrink), 2 bad input, 3 the host cannot run it.\n",
		SHRINK_MAX_TRIES, cmd_jobs_default());
}

static int shrink_int(const char *opt, const char *v, int lo, int hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || !*v || n < lo || n > hi) {
		fprintf(stderr, "faultline shrink: %s wants a number from %d to %d, got '%s'\n",
			opt, lo, hi, v);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* shrink's own option at argv[*@i]: 1 taken, 0 not one, -1 bad. */
static int shrink_opt(int argc, char **argv, int *i, struct shrink_opts *so)
{
	char *v;

	if ((v = cmd_opt_value(argc, argv, i, "--tries")))
		return shrink_int("--tries", v, 1, SHRINK_MAX_TRIES, &so->tries) ? -1 : 1;
	if ((v = cmd_opt_value(argc, argv, i, "--need")))
		return shrink_int("--need", v, 1, SHRINK_MAX_TRIES, &so->need) ? -1 : 1;
	if ((v = cmd_opt_value(argc, argv, i, "-o")) || (v = cmd_opt_value(argc, argv, i, "--out")))
		return (so->out = v), 1;
	if ((v = cmd_opt_value(argc, argv, i, "--expect"))) {
		if (so->n_expect == SHRINK_MAX_EXPECT) {
			fprintf(stderr, "faultline shrink: at most %d --expect\n",
				SHRINK_MAX_EXPECT);
			return -1;
		}
		return (so->expect[so->n_expect++] = v), 1;
	}
	return 0;
}

/* Options and the one file, in any order; NULL after saying why. */
static const char *shrink_opts_parse(int argc, char **argv, struct shrink_opts *so)
{
	const char *file = NULL;
	int r;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-' || !strcmp(argv[i], "--")) {
			i += !strcmp(argv[i], "--");
			if (file || i >= argc || (file = argv[i], false)) {
				fprintf(stderr,
					"faultline shrink: wants exactly one scenario file\n");
				return NULL;
			}
			continue;
		}
		if ((r = shrink_opt(argc, argv, &i, so)) == -1)
			return NULL;
		if (!r && cmd_run_opt("shrink", argc, argv, &i, &so->run) == -1)
			return NULL;
	}
	if (!file) {
		fprintf(stderr, "faultline shrink: wants a scenario file (try --help)\n");
		return NULL;
	}
	return file;
}

static int shrink_opts_check(struct shrink_opts *so)
{
	const char *bad = so->run.dry_run ? "--dry-run" : NULL;

	for (int k = 0; !bad && rep_kinds[k].option; k++)
		bad = so->run.report[k] ? rep_kinds[k].option : NULL;
	if (bad) {
		fprintf(stderr, "faultline shrink: %s is for 'faultline run'\n", bad);
		return -1;
	}
	so->tries = so->tries ? so->tries : 3;
	so->need = so->need ? so->need : so->tries;
	if (so->need > so->tries) {
		fprintf(stderr, "faultline shrink: --need %d is more than --tries %d\n", so->need,
			so->tries);
		return -1;
	}
	return 0;
}

/* Does verdict @v fail as the target wants it to? */
static bool shrink_verdict_fails(const struct sla_verdict *v)
{
	if (v->wanted == SCN_WANT_FAIL)
		return v->status == SLA_FAIL;
	return v->status == SLA_FAIL || v->status == SLA_UNMEASURED;
}

/* The target from the first judged run @r; -1 after saying why. */
static int shrink_target_set(struct shrink_ctx *c, const struct sla_result *r)
{
	if (!(c->target = calloc((size_t)r->n_v + 1, sizeof(*c->target))))
		return -1;
	c->n_target = r->n_v;
	int n = 0;
	for (int e = 0; e < r->n_v; e++) {
		const struct sla_verdict *v = &r->v[e];
		bool named = false;
		for (int k = 0; k < c->so->n_expect; k++)
			named |= !strcmp(c->so->expect[k], v->text);
		if (c->so->n_expect)
			c->target[e] = named && shrink_verdict_fails(v);
		else if (r->reproduction)
			c->target[e] = v->wanted == SCN_WANT_FAIL && v->status == SLA_FAIL;
		else
			c->target[e] = shrink_verdict_fails(v);
		n += c->target[e];
	}
	if (!n) {
		fprintf(stderr,
			"faultline shrink: %s (seed %llu): its first run failed %s; "
			"nothing to shrink toward\n",
			c->s->name, (unsigned long long)c->s->seed,
			c->so->n_expect	  ? "none of the --expect expectations"
			: r->reproduction ? "no expectation marked 'fails' (it did not reproduce)"
					  : "no expectation");
		return errno = ENOENT, -1;
	}
	printf("target:");
	for (int e = 0, k = 0; e < r->n_v; e++)
		if (c->target[e])
			printf("%s %s%s", k++ ? ";" : "", r->v[e].text,
			       r->v[e].wanted == SCN_WANT_FAIL ? " fails" : "");
	printf("\n");
	return 0;
}

static bool shrink_run_fails(const struct shrink_ctx *c, const struct sla_result *r)
{
	for (int e = 0; e < c->n_target; e++)
		if (c->target[e] && (e >= r->n_v || !shrink_verdict_fails(&r->v[e])))
			return false;
	return true;
}

/* The header comment of a candidate or of the result, into a malloc'd string. */
static char *shrink_header(const struct shrink_ctx *c, const int *set, int n, const char *what)
{
	char *buf = NULL, line[1024];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f,
		"# %s\n# from %s, seed %llu: %d of its %d firings; run it with\n"
		"#   faultline run --seed %llu",
		what, c->file, (unsigned long long)c->s->seed, n, c->sch->n,
		(unsigned long long)c->s->seed);
	for (int i = 0; i < c->so->run.n_sets; i++)
		fprintf(f, " --set %s=%s", c->so->run.sets[i].name, c->so->run.sets[i].value);
	fprintf(f, " FILE\n# Firings before (%d):\n", c->sch->n);
	for (int k = 0; k < c->sch->n; k++)
		if (tl_firing_stmt(c->s, &c->sch->v[k], line, sizeof(line)) >= 0)
			fprintf(f, "#   #%-4d %s\n", k + 1, line);
	fprintf(f, "# Firings after (%d):\n", n);
	for (int i = 0; i < n; i++)
		if (tl_firing_stmt(c->s, &c->sch->v[set[i]], line, sizeof(line)) >= 0)
			fprintf(f, "#   #%-4d %s\n", set[i] + 1, line);
	if (fclose(f) == EOF) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* @set of the firings as a scenario at @path, under @what; 0 or -1 with errno. */
static int shrink_write(const struct shrink_ctx *c, const int *set, int n, const char *what,
			const char *path)
{
	bool *keep = calloc((size_t)c->sch->n + 1, sizeof(*keep));
	char *head = keep ? shrink_header(c, set, n, what) : NULL;
	FILE *f = head ? fopen(path, "w") : NULL;
	int rc = -1;

	for (int i = 0; keep && i < n; i++)
		keep[set[i]] = true;
	if (f) {
		rc = tl_scn_write_keep(f, c->s, c->sch, keep, head, c->src, c->len);
		if (fclose(f) == EOF)
			rc = -1;
	}
	free(head);
	free(keep);
	return rc;
}

/* Candidate @r's scenario (written the first time), loaded with the seed. */
static struct scn *shrink_cand_load(struct shrink_ctx *c, const struct tl_shrink_run *r)
{
	char path[1100], what[64], msg[1024];
	bool used[CMD_RUN_MAX_SETS] = {false};
	struct scn_err err;

	snprintf(path, sizeof(path), "%s/cand-%d.scn", c->work, r->cand);
	snprintf(what, sizeof(what), "faultline shrink: candidate %d", r->cand);
	if (access(path, F_OK) == -1 && shrink_write(c, r->set, r->n, what, path) == -1) {
		fprintf(stderr, "faultline shrink: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	struct scn *s = cmd_run_load(path, &c->so->run, 1, used, &err);
	if (!s) {
		scn_err_format(&err, msg, sizeof(msg));
		fprintf(stderr, "faultline shrink: candidate %d: %s\n", r->cand, msg);
		return NULL;
	}
	s->seed = c->s->seed;
	return s;
}

/* One run's line: candidate, try, what the target's expectations measured. */
static void shrink_run_line(const struct shrink_ctx *c, const struct tl_shrink_run *r,
			    const struct sla_result *res)
{
	if (c->quiet)
		return;
	printf("  cand %-4d try %d/%d  %4d firing%s %-6s", r->cand, r->try_no, c->so->tries, r->n,
	       r->n == 1 ? " " : "s", r->fails ? "fails" : "holds");
	for (int e = 0, k = 0; e < c->n_target && e < res->n_v; e++)
		if (c->target[e])
			printf("%s%s: %s", k++ ? "; " : "  ", res->v[e].text, res->v[e].msg);
	printf("\n");
	fflush(stdout);
}

/* Judge the runs of one wave; -1 with errno after saying why. */
static int shrink_judge(struct shrink_ctx *c, struct tl_shrink_run *runs, int n,
			struct sla_result **rr, const int *st)
{
	for (int i = 0; i < n; i++) {
		if (st[i] >= 128 || st[i] < 0)
			return errno = EINTR, -1;
		if (!rr[i]) {
			fprintf(stderr,
				"faultline shrink: candidate %d try %d: not judged (exit "
				"status %d)\n",
				runs[i].cand, runs[i].try_no, st[i]);
			return errno = EIO, -1;
		}
		if (!c->target && shrink_target_set(c, rr[i]) == -1)
			return -1;
		runs[i].fails = shrink_run_fails(c, rr[i]);
		shrink_run_line(c, &runs[i], rr[i]);
	}
	return 0;
}

/* SIGINT, SIGTERM, SIGHUP: blocked for the whole shrink, so that one arriving
 * between two rounds waits for the next check instead of killing this process. */
static void shrink_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

/* Was one of them sent (it is taken)? */
static bool shrink_interrupted(void)
{
	struct timespec zero = {0};
	sigset_t set;
	bool any = false;

	shrink_sigset(&set);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		any = true;
	return any;
}

/* tl_shrink_ops.run: each run a lab of its own, side by side. */
static int shrink_run(void *arg, struct tl_shrink_run *runs, int n)
{
	struct shrink_ctx *c = arg;
	struct scn **scns = calloc((size_t)n, sizeof(*scns));
	struct sla_result **rr = calloc((size_t)n, sizeof(*rr));
	int *st = calloc((size_t)n, sizeof(*st)), rc = -1, e = EIO;

	if (!scns || !rr || !st)
		goto out;
	if (shrink_interrupted()) {
		e = EINTR;
		goto out;
	}
	for (int i = 0; i < n; i++)
		if (!(scns[i] = shrink_cand_load(c, &runs[i])))
			goto out;
	cmd_jobs_run(scns, n, &c->child, NULL, false, rr, st);
	rc = shrink_judge(c, runs, n, rr, st);
	e = errno;
out:
	for (int i = 0; i < n; i++) {
		if (scns)
			scn_free(scns[i]);
		if (rr)
			sla_result_free(rr[i]);
	}
	free(scns);
	free(rr);
	free(st);
	errno = e;
	return rc;
}

/* The target failing with no firing at all, even in one run, says noise. */
static void shrink_noise_warn(const struct shrink_ctx *c)
{
	if (c->empty_fails)
		printf("warning: with no firing at all the target failed in %d of %d runs: it may "
		       "not need these faults (noise: load, timing); the result is only as good "
		       "as --tries %d, --need %d tell noise apart\n",
		       c->empty_fails, c->empty_runs, c->so->tries, c->so->need);
}

static void shrink_decided(void *arg, const struct tl_shrink_cand *k)
{
	struct shrink_ctx *c = arg;

	if (k->n == 0) {
		c->empty_fails = k->fails;
		c->empty_runs = k->fails + k->holds;
	}
	printf("cand %d (%s, %d firing%s): %s, %d of %d runs failed\n", k->k, k->stage, k->n,
	       k->n == 1 ? "" : "s", k->failed ? "FAILS" : "holds", k->fails, k->fails + k->holds);
	if (k->n == 0 && !k->failed)
		shrink_noise_warn(c);
	fflush(stdout);
}

static void shrink_reduced(void *arg, const struct tl_shrink_cand *k)
{
	struct shrink_ctx *c = arg;

	printf("-> %d firing%s left (of %d):", k->n, k->n == 1 ? "" : "s", c->sch->n);
	for (int i = 0; i < k->n; i++)
		printf(" #%d", k->set[i] + 1);
	printf("\n");
	fflush(stdout);
}

/* The work directory: BASE/shrink-NAME-TIME[-N]. */
static int shrink_workdir(struct shrink_ctx *c, const char *base)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (mkdir(base, 0755) == -1 && errno != EEXIST)
		return -1;
	for (int n = 1; n < 1000; n++) {
		int len = snprintf(c->work, sizeof(c->work),
				   n == 1 ? "%s/shrink-%s-%s" : "%s/shrink-%s-%s-%d", base,
				   c->s->name, stamp, n);
		if (len >= (int)sizeof(c->work))
			return errno = ENAMETOOLONG, -1;
		if (mkdir(c->work, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return errno = EEXIST, -1;
}

static void shrink_summary(const struct shrink_ctx *c, const int *set, int n,
			   const struct tl_shrink_stats *st, double secs, const char *out)
{
	char line[1024];

	printf("\n%s (seed %llu): %d firings -> %d; %d candidates run, %d from the memo, "
	       "%d runs (tries %d, need %d), %.0f s\n",
	       c->s->name, (unsigned long long)c->s->seed, c->sch->n, n, st->numbered, st->cached,
	       st->runs, c->so->tries, c->so->need, secs);
	for (int i = 0; i < n; i++)
		if (tl_firing_stmt(c->s, &c->sch->v[set[i]], line, sizeof(line)) >= 0)
			printf("  #%-4d %s\n", set[i] + 1, line);
	if (!n)
		printf("  (no firing: the target fails without any fault)\n");
	else
		shrink_noise_warn(c);
	if (out)
		printf("written to %s\n", out);
}

static double shrink_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The default -o: NAME-seedS-shrunk.scn in the current directory. */
static void shrink_out_default(const struct shrink_ctx *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s-seed%llu-shrunk.scn", c->s->name, (unsigned long long)c->s->seed);
}

/* The result to -o (or the default) and the summary; the exit status. */
static int shrink_result(const struct shrink_ctx *c, const int *set, int n,
			 const struct tl_shrink_stats *st, double secs)
{
	char out[1100], what[256];
	int rc = FL_EXIT_OK;

	if (!c->so->out)
		shrink_out_default(c, out, sizeof(out));
	else
		snprintf(out, sizeof(out), "%s", c->so->out);
	snprintf(what, sizeof(what),
		 "Shrunk by faultline shrink (tries %d, need %d): %d firings -> %d.", c->so->tries,
		 c->so->need, c->sch->n, n);
	if (shrink_write(c, set, n, what, out) == -1) {
		fprintf(stderr, "faultline shrink: %s: %s\n", out, strerror(errno));
		rc = FL_EXIT_HOST;
	}
	shrink_summary(c, set, n, st, secs, rc ? NULL : out);
	return rc;
}

static int shrink_go(struct shrink_ctx *c)
{
	struct tl_shrink_cfg cfg = {.tries = c->so->tries, .need = c->so->need};
	struct tl_shrink_ops ops = {
	    .run = shrink_run, .decided = shrink_decided, .reduced = shrink_reduced, .arg = c};
	struct tl_shrink_stats st;
	int *set = NULL, n = 0;
	double t0 = shrink_now();

	cfg.width = c->child.jobs > 0 ? c->child.jobs : cmd_jobs_default();
	cfg.width /= cmd_jobs_weight(c->s, cfg.width);
	cfg.width = cfg.width < 1 ? 1 : cfg.width;
	printf("shrink %s (seed %llu): %d firings; tries %d, need %d, %d runs at once; in %s\n",
	       c->s->name, (unsigned long long)c->s->seed, c->sch->n, cfg.tries, cfg.need,
	       cfg.width, c->work);
	fflush(stdout);
	int r = tl_shrink(c->sch->n, &cfg, &ops, &set, &n, &st);
	if (r == -1) {
		fprintf(stderr, "faultline shrink: %s: stopped: %s\n", c->s->name,
			errno == EINTR ? "interrupted" : strerror(errno));
		return errno == EINTR ? 130 : errno == ENOENT ? FL_EXIT_FAIL : FL_EXIT_HOST;
	}
	if (r == 1) {
		printf("%s (seed %llu): every firing together failed the target in fewer than %d "
		       "of %d runs: nothing to shrink\n",
		       c->s->name, (unsigned long long)c->s->seed, c->so->need, c->so->tries);
		free(set);
		return FL_EXIT_FAIL;
	}
	int rc = shrink_result(c, set, n, &st, shrink_now() - t0);
	free(set);
	return rc;
}

static int shrink_go_blocked(struct shrink_ctx *c)
{
	sigset_t set, old;
	int rc;

	shrink_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	rc = shrink_go(c);
	shrink_interrupted(); /* one after the last round: taken, the work is done */
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* Is every --expect one of @s's expectations? 0, or -1 after saying why. */
static int shrink_expect_check(const struct scn *s, const struct shrink_opts *so)
{
	for (int k = 0; k < so->n_expect; k++) {
		bool found = false;
		for (int e = 0; e < s->n_expects; e++)
			found |= !strcmp(so->expect[k], s->expects[e].text ? s->expects[e].text
									   : s->expects[e].metric);
		if (!found) {
			fprintf(stderr,
				"faultline shrink: --expect '%s': %s has no such "
				"expectation (write it as after 'expect', without its mark)\n",
				so->expect[k], s->file);
			return -1;
		}
	}
	return 0;
}

/* Load, expand the schedule, check the host; then shrink. */
static int shrink_main(const char *file, struct shrink_opts *so)
{
	struct shrink_ctx c = {.so = so, .file = file, .quiet = so->run.quiet};
	bool used[CMD_RUN_MAX_SETS] = {false};
	struct scn_err err;
	char msg[1024];
	int rc = FL_EXIT_INPUT;

	if (!(c.s = cmd_run_load(file, &so->run, 1, used, &err))) {
		scn_err_format(&err, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		return FL_EXIT_INPUT;
	}
	if (so->run.has_seed)
		c.s->seed = so->run.seed;
	if (shrink_expect_check(c.s, so) == -1)
		goto out;
	if (!(c.src = cmd_file_slurp(file, &c.len)) ||
	    !(c.sch = tl_schedule_build(c.s, c.s->seed))) {
		fprintf(stderr, "faultline shrink: %s: %s\n", file, strerror(errno));
		goto out;
	}
	if ((rc = cmd_run_prepare("shrink", &c.s, 1)) != FL_EXIT_OK)
		goto out;
	c.child = so->run;
	c.child.quiet = c.child.child_quiet = true;
	if (shrink_workdir(&c, so->run.run_dir ? so->run.run_dir : "runs") == -1) {
		fprintf(stderr, "faultline shrink: work directory: %s\n", strerror(errno));
		rc = FL_EXIT_HOST;
		goto out;
	}
	c.child.run_dir = c.work;
	rc = shrink_go_blocked(&c);
out:
	free(c.target);
	tl_schedule_free(c.sch);
	free(c.src);
	scn_free(c.s);
	return rc;
}

int cmd_shrink(int argc, char **argv)
{
	struct shrink_opts so = {0};

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			shrink_usage(stdout);
			return FL_EXIT_OK;
		}
	const char *file = shrink_opts_parse(argc, argv, &so);
	if (!file || shrink_opts_check(&so) == -1)
		return FL_EXIT_INPUT;
	return shrink_main(file, &so);
}
