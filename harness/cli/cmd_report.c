/*
 * cmd_report.c - 'faultline report DIR': judge kept run directories again, without a
 * lab. A run directory holds everything the judgement reads (events.jsonl opened by
 * its start record: seed and params; scenario.scn, the scenario as run; the services'
 * .events files and request logs), so judging it again through sla_run_judge(), as the
 * run itself did, gives the same figures. --expect judges it against other
 * expectations instead of the scenario's own.
 *
 *   faultline report runs/quickstart-20261202-041500 --json again.json
 *   faultline report runs/latest --expect "success >= 99.9%" --expect "outage < 500ms"
 *   faultline report runs --html runs/index.html      (every kept run, and an index)
 *
 * DIR is a run directory (it holds events.jsonl) or a folder of them. For a folder each
 * run's page goes into its own directory (report.html) and --html names the index.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd.h"
#include "rep.h"
#include "run.h"
#include "scn.h"
#include "sla.h"

#define REPORT_MAX_EXPECT 64
#define REPORT_PAGE	  "report.html"

struct report_opts {
	const char *dir;
	const char *report[REP_KINDS_MAX]; /* --json, --junit, --svg, --html: rep_kinds[] */
	const char *expect[REPORT_MAX_EXPECT];
	int n_expect;
	bool quiet;
};

/* One kept run and what judging it came to. */
struct report_run {
	char dir[PATH_MAX];
	char name[PATH_MAX]; /* the last component of dir (a copy: qsort moves runs) */
	struct run_kept k;
	char started[32]; /* k.started, or the events.jsonl's time when there is no record */
	struct scn *s;
	struct sla_result *r; /* NULL: not judged, @why says why */
	int status;	      /* its exit status */
	char why[PATH_MAX + 1024];
};

static void report_usage(FILE *f)
{
	fprintf(f,
		"usage: faultline report DIR [OPTIONS]\n"
		"\n"
		"Judge a kept run directory again, without building a lab: the same figures as\n"
		"the run gave, from its files (scenario.scn, events.jsonl, request logs). DIR may\n"
		"be a folder of run directories (runs/): each is judged, newest first.\n"
		"\n"
		"  --expect \"METRIC OP VALUE [of CLIENT] [during faults]\"\n"
		"                      judge against this instead of the scenario's expectations\n"
		"                      (repeatable; the grammar of 'expect')\n"
		"  --json FILE         the result as JSON, as 'faultline run --json' writes it\n"
		"  --junit FILE        a JUnit XML report\n"
		"  --svg FILE          the timeline (a folder: FILE-<scenario>.svg each)\n"
		"  --html FILE         a self-contained page of the run (the timeline inline,\n"
		"                      relative links to its files); for a folder, FILE is an\n"
		"                      index of every run and each run's page is its\n"
		"                      " REPORT_PAGE "\n"
		"  -q                  no tables\n"
		"\n"
		"Needs no privileges. Exit status: 0 every run's verdict is pass (or reproduced),\n"
		"1 not so, 2 bad input (no run directory, a run that never reached t0, a bad\n"
		"--expect), 3 a report file could not be written.\n");
}

static int report_opt(int argc, char **argv, int *i, struct report_opts *o)
{
	const char *v;

	if (!strcmp(argv[*i], "-q") || !strcmp(argv[*i], "--quiet"))
		return (o->quiet = true), 0;
	for (int k = 0; rep_kinds[k].option; k++)
		if ((v = cmd_opt_value(argc, argv, i, rep_kinds[k].option)))
			return (o->report[k] = v), 0;
	if ((v = cmd_opt_value(argc, argv, i, "--expect"))) {
		if (o->n_expect < REPORT_MAX_EXPECT)
			return (o->expect[o->n_expect++] = v), 0;
		fprintf(stderr, "faultline report: at most %d --expect\n", REPORT_MAX_EXPECT);
		return -1;
	}
	fprintf(stderr, "faultline report: unknown option or missing value '%s' (try --help)\n",
		argv[*i]);
	return -1;
}

/* Options before and after DIR alike; exactly one DIR. */
static int report_opts_parse(int argc, char **argv, struct report_opts *o)
{
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			if (report_opt(argc, argv, &i, o) == -1)
				return -1;
		} else if (o->dir) {
			fprintf(stderr, "faultline report: one DIR only (got '%s' and '%s')\n",
				o->dir, argv[i]);
			return -1;
		} else {
			o->dir = argv[i];
		}
	}
	if (!o->dir)
		fprintf(stderr, "faultline report: no run directory (try --help)\n");
	return o->dir ? 0 : -1;
}

/* @dir without trailing slashes into @buf (so the JSON's run_dir reads as the run's). */
static void report_dir_name(const char *dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s", dir);
	for (size_t n = strlen(buf); n > 1 && buf[n - 1] == '/'; n--)
		buf[n - 1] = '\0';
}

/* The scenario of @rr as it ran, with the --expect ones instead of its own. */
static int report_scn(struct report_run *rr, const struct report_opts *o)
{
	char path[PATH_MAX + 16];
	struct scn_err err;

	snprintf(path, sizeof(path), "%s/scenario.scn", rr->dir);
	if (!(rr->s = scn_load(path, rr->k.sets, rr->k.n_sets, &err)))
		goto err;
	rr->s->seed = rr->k.seed;
	if (o->n_expect)
		scn_expects_clear(rr->s);
	for (int i = 0; i < o->n_expect; i++)
		if (scn_expect_add(rr->s, "--expect", i + 1, o->expect[i], &err) == -1)
			goto err;
	return 0;
err:
	scn_err_format(&err, rr->why, sizeof(rr->why));
	return -1;
}

/* The start time of a directory with no start record: its events.jsonl's mtime. */
static void report_started(struct report_run *rr)
{
	char path[PATH_MAX + 16];
	struct stat sb;
	struct tm tm;

	if (rr->k.started && *rr->k.started) {
		snprintf(rr->started, sizeof(rr->started), "%s", rr->k.started);
		return;
	}
	snprintf(path, sizeof(path), "%s/events.jsonl", rr->dir);
	if (stat(path, &sb) == 0 && gmtime_r(&sb.st_mtime, &tm))
		strftime(rr->started, sizeof(rr->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Judge run directory rr->dir: rr->r, or rr->why and a bad-input status. */
static void report_judge(struct report_run *rr, const struct report_opts *o)
{
	char err[512] = "";

	snprintf(rr->name, sizeof(rr->name), "%s",
		 strrchr(rr->dir, '/') ? strrchr(rr->dir, '/') + 1 : rr->dir);
	rr->status = FL_EXIT_INPUT;
	if (run_kept_read(rr->dir, &rr->k) == -1) {
		snprintf(rr->why, sizeof(rr->why), "%s: %s", rr->dir,
			 errno == ENODATA ? "events.jsonl has no start record (a run directory "
					    "from before 'faultline report', or none)"
					  : strerror(errno));
		report_started(rr);
		return;
	}
	report_started(rr);
	if (!rr->k.has_t0) {
		snprintf(rr->why, sizeof(rr->why),
			 "%s: the run never reached t0 (its lab or "
			 "services did not come up, or it was stopped before): nothing to judge",
			 rr->dir);
		return;
	}
	if (rr->k.interrupted || !rr->k.ended)
		fprintf(stderr,
			"faultline report: %s: the run %s; judged over the scenario's "
			"whole window\n",
			rr->dir,
			rr->k.ended ? "was interrupted"
				    : "has no end record (killed, or still running)");
	if (report_scn(rr, o) == -1)
		return;
	if (!(rr->r = sla_run_judge(rr->s, rr->dir, 0, rr->k.seed, err, sizeof(err)))) {
		snprintf(rr->why, sizeof(rr->why), "%s: %s", rr->dir, err);
		return;
	}
	if (*err)
		fprintf(stderr, "faultline report: %s: %s\n", rr->dir, err);
	rr->status = rr->r->ok ? FL_EXIT_OK : FL_EXIT_FAIL;
}

static void report_run_release(struct report_run *rr)
{
	sla_result_free(rr->r);
	scn_free(rr->s);
	run_kept_release(&rr->k);
}

/* The directory that will hold @file, made absolute (it must exist). */
static int report_file_dir(const char *file, char *buf)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", file);
	return realpath(dirname(tmp), buf) ? 0 : -1;
}

/* Run @rr's page into @page. 0, or -1 after saying why. */
static int report_page(const struct report_run *rr, const char *page)
{
	char err[PATH_MAX + 256];

	if (rep_html_page(page, rr->r, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "faultline report: %s\n", err);
	return -1;
}

/* ---- a folder of runs ---- */

/* Newest first; the same start: by name. */
static int report_run_cmp(const void *x, const void *y)
{
	const struct report_run *a = x, *b = y;
	int c = strcmp(b->started, a->started);
	return c ? c : strcmp(a->name, b->name);
}

/* The run directories in folder @dir (hidden ones and symlinks such as latest left out). */
static struct report_run *report_scan(const char *dir, int *n)
{
	struct report_run *v = NULL;
	struct dirent *d;
	struct stat sb;
	DIR *dp = opendir(dir);
	size_t cap = 0;

	*n = 0;
	if (!dp)
		return NULL;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.')
			continue;
		if ((size_t)*n == cap) {
			struct report_run *w = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
			if (!w) {
				free(v);
				closedir(dp);
				return NULL;
			}
			v = w;
		}
		struct report_run *rr = memset(&v[*n], 0, sizeof(*rr));
		snprintf(rr->dir, sizeof(rr->dir), "%s/%s", dir, d->d_name);
		if (lstat(rr->dir, &sb) == 0 && S_ISDIR(sb.st_mode) && run_kept_is_run(rr->dir))
			(*n)++;
	}
	closedir(dp);
	return v ? v : calloc(1, sizeof(*v)); /* an empty folder: none, not a failure */
}

/* The index at @index, each run's page in its directory. */
static int report_index(struct report_run *v, int n, const char *index)
{
	struct rep_html_entry *e = calloc((size_t)n + 1, sizeof(*e));
	char(*href)[PATH_MAX] = calloc((size_t)n + 1, sizeof(*href));
	char from[PATH_MAX], to[PATH_MAX], page[PATH_MAX + 16];
	int rc = 0;
	FILE *f;

	if (!e || !href || report_file_dir(index, from) == -1)
		goto err;
	for (int i = 0; i < n; i++) {
		snprintf(page, sizeof(page), "%s/" REPORT_PAGE, v[i].dir);
		if (v[i].r && report_page(&v[i], page) == -1)
			rc = -1;
		if (!realpath(v[i].dir, to) || rep_href_dir(from, to, href[i], PATH_MAX) == -1)
			goto err;
		if (v[i].r)
			strncat(href[i], REPORT_PAGE, PATH_MAX - strlen(href[i]) - 1);
		e[i] = (struct rep_html_entry){.r = v[i].r,
					       .why = v[i].why,
					       .name = v[i].name,
					       .scenario = v[i].k.scenario ? v[i].k.scenario : "?",
					       .started = v[i].started,
					       .href = href[i]};
	}
	if (!(f = fopen(index, "we")))
		goto err;
	if (rep_html_index(f, e, n) == -1)
		rc = -1;
	if (fclose(f) == EOF || rc == -1)
		goto err;
	free(e);
	free(href);
	return 0;
err:
	fprintf(stderr, "faultline report: %s: %s\n", index, strerror(errno));
	free(e);
	free(href);
	return -1;
}

/* ---- the command ---- */

/* Tables, report files, pages of @v[0..n); the worst exit status. */
static int report_out(struct report_run *v, int n, bool folder, const struct report_opts *o)
{
	struct sla_result **res = calloc((size_t)n + 1, sizeof(*res));
	int rc = FL_EXIT_OK, k = 0;
	char err[1024];

	if (!res)
		return FL_EXIT_HOST;
	for (int i = 0; i < n; i++) {
		if (v[i].r) {
			res[k++] = v[i].r;
			if (!o->quiet)
				rep_text_summary(stdout, v[i].r);
		} else {
			fprintf(stderr, "faultline report: %s\n", v[i].why);
		}
		/* in a folder, one that cannot be judged is listed, not a failure of the rest */
		if (v[i].r || !folder)
			rc = v[i].status > rc ? v[i].status : rc;
	}
	if (folder && !k)
		rc = FL_EXIT_INPUT;
	if (folder && !o->quiet && k > 1)
		rep_text_final(stdout, res, k);
	/* one run: its page is one of the report files; a folder: --html names the index */
	const char *paths[REP_KINDS_MAX], *index = NULL;
	for (int i = 0; rep_kinds[i].option; i++) {
		paths[i] = o->report[i];
		if (folder && rep_kinds[i].page)
			index = paths[i], paths[i] = NULL;
	}
	if (k && rep_files_write(res, k, paths, err, sizeof(err)) == -1) {
		fprintf(stderr, "faultline report: %s\n", err);
		rc = rc > FL_EXIT_HOST ? rc : FL_EXIT_HOST;
	}
	if (index && report_index(v, n, index) == -1)
		rc = rc > FL_EXIT_HOST ? rc : FL_EXIT_HOST;
	free(res);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o = {0};
	struct report_run *v;
	char dir[PATH_MAX];
	bool folder;
	int n = 1, rc;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			report_usage(stdout);
			return FL_EXIT_OK;
		}
	if (report_opts_parse(argc, argv, &o) == -1)
		return FL_EXIT_INPUT;
	report_dir_name(o.dir, dir, sizeof(dir));
	folder = !run_kept_is_run(dir);
	if (folder) {
		if (!(v = report_scan(dir, &n)) || !n) {
			fprintf(stderr, "faultline report: %s: %s\n", dir,
				v ? "no run directory in it (none holds an events.jsonl)"
				  : strerror(errno));
			free(v);
			return FL_EXIT_INPUT;
		}
	} else if ((v = calloc(1, sizeof(*v)))) {
		snprintf(v->dir, sizeof(v->dir), "%s", dir);
	} else {
		return FL_EXIT_HOST;
	}
	for (int i = 0; i < n; i++)
		report_judge(&v[i], &o);
	qsort(v, (size_t)n, sizeof(*v), report_run_cmp);
	rc = report_out(v, n, folder, &o);
	for (int i = 0; i < n; i++)
		report_run_release(&v[i]);
	free(v);
	return rc;
}
