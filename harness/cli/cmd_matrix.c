/*
 * cmd_matrix.c - 'faultline matrix': one scenario, run once per combination of param
 * values, each run a `faultline run` of its own (its own process, lab and run
 * directory), then the results side by side: expectations, metrics and the guest facts
 * that show what each kernel really ran with.
 *
 *   faultline matrix --set append= --set append=noapic kernel-matrix.scn
 *   faultline matrix --set kernel=A --set kernel=B --set append= --set append=noapic F
 *
 * The --set values of one param are its values; several params give their cross
 * product, the first param named varying slowest (the second example is 2x2: A with
 * "" and noapic, then B with both). Running
 * each column as a child `faultline run` keeps one lab per process, exactly as a user
 * would run it, and the results are read back from the run directories the same way
 * `faultline run` judges its own (sla_run_judge), so both give the same numbers.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "jsonl.h"
#include "rep.h"
#include "scn.h"
#include "sla.h"

#define MX_MAX	   16 /* columns, and --set options */
#define MX_PARAMS  4  /* params varied at once */
#define MX_CELL	   96

struct mx_opts {
	const char *run_dir, *json, *file, *seed;
	struct scn_set sets[MX_MAX]; /* every --set, in the order given */
	int n_sets;
	const char *params[MX_PARAMS]; /* the params, in the order first named */
	int n_params;
	int n; /* columns: the product of the params' value counts */
	int jobs; /* --jobs N: columns side by side (0: one after another) */
	struct cmd_shard shard;	 /* --shard K/N */
	char all[MX_MAX][MX_CELL]; /* every column's value (its JSON "value"), before --shard */
	int n_all, idx[MX_MAX];	   /* idx[i]: the position of column i among all[] */
};

struct mx_col {
	struct scn_set set[MX_PARAMS]; /* one value of each param */
	int n_set;
	char label[MX_CELL];   /* "NAME=VALUE NAME=VALUE", "" shown as "" */
	char dir[4096];	       /* the column's --run-dir */
	int status;	       /* the child's exit status */
	struct sla_result *rr; /* NULL when nothing could be judged */
};

static volatile sig_atomic_t mx_signo;

static void mx_usage(FILE *f)
{
	fprintf(f,
		"usage: faultline matrix [OPTIONS] --set NAME=VALUE --set NAME=VALUE... FILE\n"
		"\n"
		"Run scenario FILE once per value of a 'param', each in a lab of its own (a\n"
		"'faultline run' per value), then show the expectations, the metrics and the\n"
		"guests' kernel facts (release, command line, clocksource, interrupt routing)\n"
		"side by side, one column per value. An empty value (NAME=) is a value too.\n"
		"Values of several params (up to %d) give their cross product, the first param\n"
		"named varying slowest. Examples:\n"
		"  faultline matrix --set append= --set append=noapic kernel-matrix.scn\n"
		"  faultline matrix --set kernel=6.1.0-47-cloud-amd64 --set kernel= \\\n"
		"                   --set append= --set append=noapic kernel-matrix.scn\n"
		"\n"
		"  --set NAME=VALUE    a value of param NAME (at most %d columns in all)\n"
		"  --run-dir DIR       runs go under DIR/matrix-<time>/<column> (default: runs)\n"
		"  --seed N            override the scenario's seed in every run\n"
		"  --json FILE         write the whole matrix as JSON\n"
		"  --shard K/N         run only the columns at positions i (from 0) with\n"
		"                      i mod N = K-1; --json then writes a shard report for\n"
		"                      'faultline merge' (docs/ci.md)\n"
		"  --jobs N            run the columns side by side, up to N CPUs' worth at once\n"
		"                      (a lab with QEMU guests counts 1 per guest; 'auto': the\n"
		"                      number of CPUs; default: one after another)\n"
		"\n"
		"Needs root. Exit status: the worst of the runs (0 all held or reproduced, 1 not\n"
		"so, 2 bad input, 3 the host cannot run it).\n",
		MX_PARAMS, MX_MAX);
}


static int mx_set(struct mx_opts *o, char *v)
{
	char *eq = strchr(v, '=');
	int k = 0;

	if (!eq || eq == v || o->n_sets == MX_MAX) {
		fprintf(stderr, "faultline matrix: --set wants NAME=VALUE (at most %d), got '%s'\n",
			MX_MAX, v);
		return -1;
	}
	*eq = '\0';
	while (k < o->n_params && strcmp(o->params[k], v))
		k++;
	if (k == MX_PARAMS) {
		fprintf(stderr, "faultline matrix: at most %d params at once ('%s' is one more)\n",
			MX_PARAMS, v);
		return -1;
	}
	if (k == o->n_params)
		o->params[o->n_params++] = v;
	o->sets[o->n_sets++] = (struct scn_set){.name = v, .value = eq + 1};
	return 0;
}

/* The values of param @k, counted (and the @i-th into *@out when @out). */
static int mx_values(const struct mx_opts *o, int k, int i, const struct scn_set **out)
{
	int n = 0;

	for (int j = 0; j < o->n_sets; j++)
		if (!strcmp(o->sets[j].name, o->params[k]) && n++ == i && out)
			*out = &o->sets[j];
	return n;
}

/* The columns: the cross product of the params' values, the first param slowest. */
static int mx_cross(struct mx_opts *o, struct mx_col *c)
{
	long n = 1;

	for (int k = 0; k < o->n_params; k++)
		n *= mx_values(o, k, -1, NULL);
	if (n > MX_MAX) {
		fprintf(stderr, "faultline matrix: %ld columns; at most %d\n", n, MX_MAX);
		return -1;
	}
	o->n = (int)n;
	for (int i = 0; i < o->n; i++) {
		int rest = i, len = 0;
		for (int k = o->n_params - 1; k >= 0; k--) {
			int nv = mx_values(o, k, -1, NULL);
			const struct scn_set *v = NULL;
			mx_values(o, k, rest % nv, &v);
			c[i].set[k] = *v;
			rest /= nv;
		}
		c[i].n_set = o->n_params;
		for (int k = 0; k < o->n_params; k++)
			len += snprintf(c[i].label + len, len < MX_CELL ? MX_CELL - (size_t)len : 0,
					"%s%s=%s", k ? " " : "", c[i].set[k].name,
					*c[i].set[k].value ? c[i].set[k].value : "\"\"");
	}
	return 0;
}

static int mx_opts_parse(int argc, char **argv, struct mx_opts *o)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		char *v;
		if ((v = cmd_opt_value(argc, argv, &i, "--set"))) {
			if (mx_set(o, v) == -1)
				return -1;
		} else if ((v = cmd_opt_value(argc, argv, &i, "--run-dir"))) {
			o->run_dir = v;
		} else if ((v = cmd_opt_value(argc, argv, &i, "--json"))) {
			o->json = v;
		} else if ((v = cmd_opt_value(argc, argv, &i, "--seed"))) {
			o->seed = v;
		} else if ((v = cmd_opt_value(argc, argv, &i, "--shard"))) {
			if (cmd_shard_parse(v, &o->shard) == -1) {
				fprintf(stderr, "faultline matrix: --shard wants K/N with 1 <= K <= "
						"N <= %d, got '%s'\n", CMD_SHARD_MAX, v);
				return -1;
			}
		} else if ((v = cmd_opt_value(argc, argv, &i, "--jobs"))) {
			char *end = "";
			long n = strcmp(v, "auto") ? strtol(v, &end, 10) : cmd_jobs_default();
			if (*end || !*v || n < 1 || n > 1024) {
				fprintf(stderr, "faultline matrix: --jobs wants a number from 1 to "
						"1024 or 'auto', got '%s'\n", v);
				return -1;
			}
			o->jobs = (int)n;
		} else {
			fprintf(stderr,
				"faultline matrix: unknown option or missing value '%s' "
				"(try --help)\n",
				argv[i]);
			return -1;
		}
	}
	i += i < argc && !strcmp(argv[i], "--");
	if (i != argc - 1 || o->n_sets < 1) {
		fprintf(stderr, "faultline matrix: wants --set NAME=VALUE (one per column) and "
				"exactly one scenario file (try --help)\n");
		return -1;
	}
	o->file = argv[i];
	return 0;
}

static void mx_on_signal(int signo)
{
	mx_signo = signo;
}

/* Run column @c as `faultline run --run-dir DIR --set NAME=VALUE... [--seed N] FILE`. */
static int mx_run(const struct mx_opts *o, struct mx_col *c)
{
	char set[MX_PARAMS][1024];
	char *argv[10 + 2 * MX_PARAMS];
	int n = 0, ws;

	argv[n++] = "faultline";
	argv[n++] = "run";
	argv[n++] = "--run-dir";
	argv[n++] = c->dir;
	for (int k = 0; k < c->n_set; k++) {
		snprintf(set[k], sizeof(set[k]), "%s=%s", c->set[k].name, c->set[k].value);
		argv[n++] = "--set";
		argv[n++] = set[k];
	}
	if (o->seed) {
		argv[n++] = "--seed";
		argv[n++] = (char *)o->seed;
	}
	argv[n++] = "--";
	argv[n++] = (char *)o->file;
	argv[n] = NULL;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	/* SIGINT reaches the child too: it tears its lab down; we wait for that. */
	while (waitpid(pid, &ws, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

/* The run directory the column's run made: DIR/latest. */
static void mx_judge(const struct scn *s, struct mx_col *c)
{
	char latest[4200], err[512] = "";

	snprintf(latest, sizeof(latest), "%s/latest", c->dir);
	if (access(latest, F_OK) == -1)
		return;
	c->rr = sla_run_judge(s, latest, 0, s->seed, err, sizeof(err));
	if (!c->rr)
		fprintf(stderr, "faultline matrix: %s: %s\n", c->label, err);
}

/* ---- the side-by-side table ---- */

static const enum sla_metric mx_metrics[] = {
    SLA_SUCCESS, SLA_REQUESTS, SLA_ERRORS,	SLA_P50,       SLA_P99,	   SLA_MAX,
    SLA_OUTAGE,	 SLA_FAILOVER, SLA_SPLIT_BRAIN, SLA_VIP_MOVES, SLA_DETECT,
};

struct mx_table {
	int n_cols;
	int w0, w[MX_MAX];
};

static void mx_row(FILE *f, struct mx_table *t, const char *head, char cells[][MX_CELL])
{
	fprintf(f, "  %-*s", t->w0, head);
	for (int i = 0; i < t->n_cols; i++)
		fprintf(f, "  %-*s", i + 1 < t->n_cols ? t->w[i] : 0, cells[i]);
	fputc('\n', f);
}

/* The first judged result, to take the row names from. */
static const struct sla_result *mx_first(const struct mx_col *c, int n)
{
	for (int i = 0; i < n; i++)
		if (c[i].rr)
			return c[i].rr;
	return NULL;
}

static const struct sla_guest *mx_guest(const struct mx_col *c, const char *node)
{
	const struct sla_result *r = c->rr;

	for (int i = 0; r && i < r->n_guests; i++)
		if (r->guests[i].node && !strcmp(r->guests[i].node, node))
			return &r->guests[i];
	return NULL;
}

/* The part of a guest's /proc/cmdline the scenario chose: after "fl.name=NODE". */
static const char *mx_append(const char *cmdline)
{
	const char *p = cmdline ? strstr(cmdline, "fl.name=") : NULL;

	if (!p)
		return cmdline ? cmdline : "";
	p += strcspn(p, " ");
	p += strspn(p, " ");
	return *p ? p : "(nothing)";
}

/* Rows: one call fills the cells of every column for one line of the table. */
typedef void mx_fill_fn(const struct mx_col *c, const void *what, char *cell);

static void mx_fill_result(const struct mx_col *c, const void *what, char *cell)
{
	(void)what;
	if (!c->rr)
		snprintf(cell, MX_CELL, "no result (exit %d)", c->status);
	else
		snprintf(cell, MX_CELL, "%s (exit %d)", rep_outcome_text(c->rr), c->status);
}

static void mx_fill_expect(const struct mx_col *c, const void *what, char *cell)
{
	const char *text = what;
	const struct sla_result *r = c->rr ? c->rr : NULL;
	char val[32];

	snprintf(cell, MX_CELL, "-");
	for (int i = 0; r && i < r->n_v; i++) {
		const struct sla_verdict *v = &r->v[i];
		if (strcmp(v->text, text))
			continue;
		if (v->status == SLA_INVALID)
			snprintf(val, sizeof(val), "-");
		else
			rep_value_format(&v->got, v->unit, val, sizeof(val));
		snprintf(cell, MX_CELL, "%s %s", val, v->status == SLA_PASS ? "pass" : "FAIL");
	}
}

static void mx_fill_metric(const struct mx_col *c, const void *what, char *cell)
{
	enum sla_metric m = *(const enum sla_metric *)what;

	if (!c->rr)
		snprintf(cell, MX_CELL, "-");
	else
		rep_value_format(&c->rr->all.v[m], sla_metric_unit(m), cell, MX_CELL);
}

struct mx_guest_row {
	const char *node;
	int field; /* 0 kernel release, 1 cmdline (the scenario's part), 2 clocksource,
		      3 interrupts */
};

static void mx_fill_guest(const struct mx_col *c, const void *what, char *cell)
{
	const struct mx_guest_row *g = what;
	const struct sla_guest *sg = mx_guest(c, g->node);
	const char *v = !sg		? "-"
			: g->field == 0 ? sg->kernel
			: g->field == 1 ? mx_append(sg->cmdline)
			: g->field == 2 ? sg->clocksource
					: sg->interrupts;

	snprintf(cell, MX_CELL, "%s", v ? v : "?");
}

/* Print one row, or (when @measure) only widen the columns for it. */
static void mx_line(FILE *f, struct mx_table *t, const struct mx_col *c, bool measure,
		    const char *head, mx_fill_fn *fill, const void *what)
{
	char cells[MX_MAX][MX_CELL];

	for (int i = 0; i < t->n_cols; i++) {
		fill(&c[i], what, cells[i]);
		if (measure && (int)strlen(cells[i]) > t->w[i])
			t->w[i] = (int)strlen(cells[i]);
	}
	if (measure && (int)strlen(head) > t->w0)
		t->w0 = (int)strlen(head);
	if (!measure)
		mx_row(f, t, head, cells);
}

static void mx_rows(FILE *f, struct mx_table *t, const struct mx_col *c, bool measure)
{
	const struct sla_result *r0 = mx_first(c, t->n_cols);
	char head[MX_CELL];

	mx_line(f, t, c, measure, "result", mx_fill_result, NULL);
	for (int i = 0; r0 && i < r0->n_v; i++) {
		snprintf(head, sizeof(head), "expect %s", r0->v[i].text);
		mx_line(f, t, c, measure, head, mx_fill_expect, r0->v[i].text);
	}
	for (size_t i = 0; r0 && i < sizeof(mx_metrics) / sizeof(mx_metrics[0]); i++)
		mx_line(f, t, c, measure, sla_metric_name(mx_metrics[i]), mx_fill_metric,
			&mx_metrics[i]);
	static const char *const field[] = {"kernel", "append", "clocksource", "interrupts"};
	for (int i = 0; r0 && i < r0->n_guests; i++)
		for (int k = 0; k < 4; k++) {
			struct mx_guest_row g = {r0->guests[i].node, k};
			snprintf(head, sizeof(head), "guest %s %s", g.node, field[k]);
			mx_line(f, t, c, measure, head, mx_fill_guest, &g);
		}
}

static void mx_print(FILE *f, const struct mx_col *c, int n)
{
	struct mx_table t = {.n_cols = n};
	char heads[MX_MAX][MX_CELL];

	for (int i = 0; i < n; i++) {
		snprintf(heads[i], MX_CELL, "%s", c[i].label);
		t.w[i] = (int)strlen(heads[i]);
	}
	mx_rows(f, &t, c, true);
	fputc('\n', f);
	mx_row(f, &t, "", heads);
	mx_rows(f, &t, c, false);
}

/* ---- JSON ---- */

/* "value": the value of the one param, or the label when several vary; "set": each. */
static json_t *mx_json_column(const struct mx_col *c)
{
	json_t *set = json_object();

	for (int k = 0; set && k < c->n_set; k++)
		if (jsonl_set(set, c->set[k].name, jsonl_str(c->set[k].value)) == -1) {
			json_decref(set);
			set = NULL;
		}
	return json_pack("{s:o,s:o*,s:i,s:o,s:o}", "value",
			 jsonl_str(c->n_set == 1 ? c->set[0].value : c->label), "set", set,
			 "exit_status", c->status, "run_base", jsonl_str(c->dir), "result",
			 c->rr ? rep_json_result(c->rr) : json_null());
}

static int mx_json(const char *path, const struct scn *s, const struct mx_col *c, int n, int status)
{
	json_t *cols = json_array(), *params = json_array();
	json_t *m = json_pack("{s:o,s:o,s:i}", "scenario", jsonl_str(s->name), "param",
			      jsonl_str(c[0].set[0].name), "exit_status", status);

	for (int k = 0; params && k < c[0].n_set; k++)
		if (json_array_append_new(params, jsonl_str(c[0].set[k].name)) == -1) {
			json_decref(params);
			params = NULL;
		}
	if (!m || jsonl_set(m, "params", params) == -1) {
		json_decref(m);
		json_decref(cols);
		errno = ENOMEM;
		return -1;
	}
	FILE *f;
	int rc;

	for (int i = 0; cols && i < n; i++)
		if (json_array_append_new(cols, mx_json_column(&c[i])) == -1) {
			json_decref(cols);
			cols = NULL;
		}
	if (!m || jsonl_set(m, "columns", cols) == -1) {
		json_decref(m);
		errno = ENOMEM;
		return -1;
	}
	if (!(f = fopen(path, "we"))) {
		json_decref(m);
		return -1;
	}
	rc = rep_json_dump(f, m);
	return fclose(f) == EOF || rc == -1 ? -1 : 0;
}

/* --shard: the shard report, an item per column of the shard. */
static int mx_shard_json(const char *path, const struct mx_opts *o, const struct scn *s,
			 const struct mx_col *c, int n)
{
	json_t *items = json_array(), *values = json_array();

	char params[MX_CELL];
	int len = 0;

	for (int k = 0; k < o->n_params; k++)
		len += snprintf(params + len, len < MX_CELL ? MX_CELL - (size_t)len : 0, "%s%s",
				k ? "," : "", o->params[k]);
	for (int i = 0; values && i < o->n_all; i++)
		if (json_array_append_new(values, jsonl_str(o->all[i])) == -1)
			json_decref(values), values = NULL;
	json_t *plan = json_pack("{s:o,s:o,s:o,s:o,s:o}", "file", jsonl_str(o->file), "scenario",
				 jsonl_str(s->name), "param", jsonl_str(params), "values",
				 values ? values : json_null(), "seed",
				 o->seed ? jsonl_str(o->seed) : json_null());
	if (!values)
		json_decref(plan), plan = NULL;
	for (int i = 0; items && i < n; i++) {
		json_t *it = json_pack("{s:i,s:i,s:o}", "index", o->idx[i], "exit", c[i].status,
				       "column", mx_json_column(&c[i]));
		if (json_array_append_new(items, it) == -1)
			json_decref(items), items = NULL;
	}
	return cmd_shard_write(path, &o->shard, "matrix", plan, o->n_all, items);
}

/* The columns of --shard K/N (all without it): @c keeps only theirs, in order. */
static void mx_shard_pick(struct mx_opts *o, struct mx_col *c)
{
	o->n_all = o->n;
	for (int i = 0; i < o->n_all; i++)
		snprintf(o->all[i], MX_CELL, "%s", c[i].n_set == 1 ? c[i].set[0].value : c[i].label);
	o->n = cmd_shard_pick(&o->shard, o->n_all, o->idx);
	for (int i = 0; i < o->n; i++) /* idx[] rises: nothing is overwritten before it moves */
		if (o->idx[i] != i)
			c[i] = c[o->idx[i]];
}

/* ---- the command ---- */

static int mx_dirs(const struct mx_opts *o, struct mx_col *c)
{
	char base[3072], stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
	snprintf(base, sizeof(base), "%.2048s/matrix-%s", o->run_dir ? o->run_dir : "runs", stamp);
	mkdir(o->run_dir ? o->run_dir : "runs", 0755);
	if (mkdir(base, 0755) == -1 && errno != EEXIST)
		return -1;
	for (int i = 0; i < o->n; i++) {
		/* short names: the guests' unix sockets live below and must fit sun_path */
		snprintf(c[i].dir, sizeof(c[i].dir), "%s/%d", base, o->idx[i] + 1);
		if (mkdir(c[i].dir, 0755) == -1 && errno != EEXIST)
			return -1;
	}
	return 0;
}

/* Every column's scenario must load before anything runs. */
static int mx_check(const struct mx_opts *o, const struct mx_col *c, struct scn **s)
{
	struct scn_err err;
	char msg[1024];

	for (int i = 0; i < o->n; i++) {
		scn_free(*s);
		*s = scn_load(o->file, c[i].set, c[i].n_set, &err);
		if (!*s) {
			scn_err_format(&err, msg, sizeof(msg));
			fprintf(stderr, "%s\n", msg);
			return -1;
		}
	}
	return 0;
}

static int mx_columns(const struct mx_opts *o, struct mx_col *c, int *rc)
{
	struct sigaction sa = {.sa_handler = mx_on_signal};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (int i = 0; i < o->n; i++) {
		struct scn_err err;
		struct scn *s = scn_load(o->file, c[i].set, c[i].n_set, &err);

		if (!s)
			return -1;
		printf("== matrix column %d/%d: %s ==\n", i + 1, o->n, c[i].label);
		c[i].status = mx_run(o, &c[i]);
		if (c[i].status == -1) {
			fprintf(stderr, "faultline matrix: starting faultline run: %s\n",
				strerror(errno));
			c[i].status = FL_EXIT_HOST;
		}
		mx_judge(s, &c[i]);
		scn_free(s);
		if (c[i].status > *rc)
			*rc = c[i].status;
		if (c[i].status >= 128 || mx_signo)
			return i + 1;
	}
	return o->n;
}

/* --jobs: every column a child of this process (cmd_jobs_run), side by side. */
static int mx_columns_jobs(const struct mx_opts *o, struct mx_col *c, int *rc)
{
	struct cmd_run_opts ro = {.jobs = o->jobs, .has_jobs = true};
	struct scn *s[MX_MAX] = {0};
	struct sla_result *rr[MX_MAX];
	const char *dirs[MX_MAX];
	int st[MX_MAX], n = -1;
	struct scn_err err;

	for (int i = 0; i < o->n; i++) {
		dirs[i] = c[i].dir;
		if (!(s[i] = scn_load(o->file, c[i].set, c[i].n_set, &err)))
			goto out;
		if (o->seed)
			s[i]->seed = strtoull(o->seed, NULL, 0);
	}
	if ((*rc = cmd_run_prepare("matrix", s, o->n)) != FL_EXIT_OK)
		goto out;
	*rc = cmd_jobs_run(s, o->n, &ro, dirs, false, rr, st);
	for (int i = 0; i < o->n; i++) {
		c[i].status = st[i] < 0 ? FL_EXIT_HOST : st[i];
		c[i].rr = rr[i];
		n = st[i] >= 0 ? i + 1 : n;
	}
out:
	for (int i = 0; i < o->n; i++)
		scn_free(s[i]);
	return n;
}

int cmd_matrix(int argc, char **argv)
{
	struct mx_opts o = {0};
	struct mx_col c[MX_MAX] = {0};
	struct scn *s = NULL;
	int rc = FL_EXIT_OK, n;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			mx_usage(stdout);
			return FL_EXIT_OK;
		}
	if (mx_opts_parse(argc, argv, &o) == -1 || mx_cross(&o, c) == -1 ||
	    mx_check(&o, c, &s) == -1)
		return FL_EXIT_INPUT;
	mx_shard_pick(&o, c);
	if (o.shard.n)
		printf("shard %d/%d: %d of %d columns\n", o.shard.k, o.shard.n, o.n, o.n_all);
	if (geteuid() != 0) {
		fprintf(stderr, "faultline matrix: needs root (each column is a faultline run)\n");
		scn_free(s);
		return FL_EXIT_HOST;
	}
	if (mx_dirs(&o, c) == -1) {
		fprintf(stderr, "faultline matrix: run directories under %s: %s\n",
			o.run_dir ? o.run_dir : "runs", strerror(errno));
		scn_free(s);
		return FL_EXIT_HOST;
	}
	n = !o.n ? 0 : o.jobs ? mx_columns_jobs(&o, c, &rc) : mx_columns(&o, c, &rc);
	if (o.shard.n && o.json) {
		if (n >= 0 && mx_shard_json(o.json, &o, s, c, n) == -1) {
			fprintf(stderr, "faultline matrix: %s: %s\n", o.json, strerror(errno));
			rc = rc < FL_EXIT_HOST ? FL_EXIT_HOST : rc;
		}
		o.json = NULL;
	}
	if (n > 0) {
		printf("\nmatrix %s: %d run%s of %s\n", s->name, n, n == 1 ? "" : "s", o.file);
		mx_print(stdout, c, n);
	}
	if (n > 0 && o.json && mx_json(o.json, s, c, n, rc) == -1) {
		fprintf(stderr, "faultline matrix: %s: %s\n", o.json, strerror(errno));
		if (rc < FL_EXIT_HOST)
			rc = FL_EXIT_HOST;
	}
	for (int i = 0; i < MX_MAX; i++)
		sla_result_free(c[i].rr);
	scn_free(s);
	return rc;
}
