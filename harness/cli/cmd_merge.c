/*
 * cmd_merge.c - 'faultline merge --json OUT [--junit OUT] SHARD.json...': the shard
 * reports that 'faultline run | matrix | explore --shard K/N --json FILE' wrote on
 * several machines, joined into the report one invocation without --shard would have
 * written, and its exit status.
 *
 * Checks first: every file is a shard report; all are of the same command, N, total
 * and plan (the files, values or seeds and the options that change results); every
 * shard 1/N ... N/N is there exactly once; each holds exactly its items (cmd_shard.c's
 * rule). Then, in the canonical order:
 *   run      the judged results: one object when there is one, else an array (as
 *            rep_files_write), the result objects copied as they are;
 *   matrix   {"scenario", "param", "exit_status", "params", "columns"} with the columns copied;
 *   explore  the per-seed lines and the statistics recomputed by cmd_explore_json()
 *            from the results read back (rep_json_result_read) with their exact values.
 * The JUnit is written by rep_junit_write() from the results read back, so it is the
 * single run's by construction. Everything here is the same text a single run writes
 * except what differs between runs by nature (run directories, t0 and fault times).
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "jsonl.h"
#include "rep.h"
#include "sla.h"

/* What the shards agree on, and every item by its index. */
struct merge {
	json_t *const *docs;
	const char *const *names;
	int n_docs;
	const char *command;
	int n, total;
	const json_t **items; /* [total] */
	char *err;
	size_t len;
};

static int merge_fail(struct merge *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int merge_fail(struct merge *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err, m->len, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

static bool merge_int(const json_t *o, const char *key, int lo, int hi, int *v)
{
	const json_t *j = json_object_get(o, key);

	if (!json_is_integer(j) || json_integer_value(j) < lo || json_integer_value(j) > hi)
		return false;
	*v = (int)json_integer_value(j);
	return true;
}

/* Doc @i's shard K/N, command and total; -1 when it is not a shard report. */
static int merge_head(struct merge *m, int i, int *k, int *n, const char **cmd, int *total)
{
	const json_t *d = m->docs[i], *sh = json_object_get(d, "shard");

	*cmd = jsonl_get_str(d, "command");
	if (!json_is_object(d) || !merge_int(sh, "n", 1, CMD_SHARD_MAX, n) ||
	    !merge_int(sh, "k", 1, *n, k) || !*cmd ||
	    (strcmp(*cmd, "run") && strcmp(*cmd, "explore") && strcmp(*cmd, "matrix")) ||
	    !merge_int(d, "total", 0, 1 << 30, total) ||
	    !json_is_array(json_object_get(d, "items")) || !json_object_get(d, "plan"))
		return merge_fail(m,
				  "%s: not a shard report (written by faultline run, matrix "
				  "or explore with --shard K/N --json FILE)",
				  m->names[i]);
	return 0;
}

/* Every doc of the same work as the first one, and each shard once. */
static int merge_check_shards(struct merge *m, int *by_k)
{
	int k, n, total, k0;
	const char *cmd;

	if (merge_head(m, 0, &k0, &m->n, &m->command, &m->total) == -1)
		return -1;
	for (int i = 0; i < m->n_docs; i++) {
		if (merge_head(m, i, &k, &n, &cmd, &total) == -1)
			return -1;
		if (strcmp(cmd, m->command))
			return merge_fail(m,
					  "%s is a shard of 'faultline %s', %s of 'faultline %s'",
					  m->names[0], m->command, m->names[i], cmd);
		if (n != m->n)
			return merge_fail(m, "%s is shard %d/%d, %s shard %d/%d: not one split",
					  m->names[0], k0, m->n, m->names[i], k, n);
		if (total != m->total || !json_equal(json_object_get(m->docs[0], "plan"),
						     json_object_get(m->docs[i], "plan")))
			return merge_fail(m,
					  "%s and %s are shards of different work (other files, "
					  "values, seeds or options)",
					  m->names[0], m->names[i]);
		if (by_k[k - 1] >= 0)
			return merge_fail(m, "shard %d/%d given twice: %s and %s", k, n,
					  m->names[by_k[k - 1]], m->names[i]);
		by_k[k - 1] = i;
	}
	return 0;
}

/* "2/3, 3/3" of the shards missing from @by_k; -1 after saying so, 0 when none is. */
static int merge_check_missing(struct merge *m, const int *by_k)
{
	char list[512] = "";
	size_t at = 0;
	int missing = 0;

	for (int k = 0; k < m->n; k++) {
		if (by_k[k] >= 0)
			continue;
		if (at < sizeof(list)) /* a long list is cut; the count is not */
			at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%d/%d",
					       missing ? ", " : "", k + 1, m->n);
		missing++;
	}
	if (!missing)
		return 0;
	return merge_fail(m, "shard%s missing: %s (%d of %d given)", missing > 1 ? "s" : "", list,
			  m->n - missing, m->n);
}

/* Doc @i's items into m->items by index: each its own, none twice, none lacking. */
static int merge_items(struct merge *m, int i)
{
	const json_t *a = json_object_get(m->docs[i], "items");
	int k = (int)json_integer_value(json_object_get(json_object_get(m->docs[i], "shard"), "k"));
	struct cmd_shard sh = {.k = k, .n = m->n};
	size_t j;
	json_t *it;
	int idx, st;

	json_array_foreach(a, j, it)
	{
		if (!merge_int(it, "index", 0, m->total - 1, &idx) ||
		    !merge_int(it, "exit", -1, 255, &st) || !cmd_shard_has(&sh, idx))
			return merge_fail(m, "%s: item %zu is not one of shard %d/%d's",
					  m->names[i], j + 1, k, m->n);
		if (m->items[idx])
			return merge_fail(m, "%s: item %d given twice", m->names[i], idx);
		m->items[idx] = it;
	}
	for (idx = 0; idx < m->total; idx++)
		if (cmd_shard_has(&sh, idx) && !m->items[idx])
			return merge_fail(m, "%s: shard %d/%d lacks item %d (an interrupted run?)",
					  m->names[i], k, m->n, idx);
	return 0;
}

static int merge_status(const json_t *it)
{
	return (int)json_integer_value(json_object_get(it, "exit"));
}

/* Item @idx's result read back (NULL: not judged), its exact metrics restored. */
static int merge_result(struct merge *m, int idx, const json_t *res, struct sla_result **out)
{
	const json_t *exact = json_object_get(m->items[idx], "exact");
	const char *key;
	json_t *v;

	*out = NULL;
	if (!res || json_is_null(res))
		return 0;
	if (!(*out = rep_json_result_read(res)))
		return merge_fail(m, "item %d: its result cannot be read back (%s)", idx,
				  strerror(errno));
	json_object_foreach((json_t *)exact, key, v)
	{
		for (int k = 1; k < SLA_METRIC__MAX; k++)
			if (!strcmp(key, sla_metric_name(k)) && json_is_string(v))
				(*out)->all.v[k].v = strtod(json_string_value(v), NULL);
	}
	return 0;
}

/* The results of the items, for the JUnit, and the worst exit status. */
static int merge_judged(struct merge *m, struct cmd_merged *out, struct sla_result **rr, int *st)
{
	out->judged = calloc((size_t)m->total + 1, sizeof(*out->judged));
	if (!out->judged)
		return -1;
	for (int i = 0; i < m->total; i++) {
		const json_t *res = json_object_get(m->items[i], "result");
		st[i] = merge_status(m->items[i]);
		out->status = st[i] > out->status ? st[i] : out->status;
		if (merge_result(m, i, res, &rr[i]) == -1)
			return -1;
		if (rr[i])
			out->judged[out->n_judged++] = rr[i];
	}
	return 0;
}

static json_t *merge_run_json(struct merge *m)
{
	json_t *a = json_array(), *one = NULL;
	int k = 0;

	for (int i = 0; a && i < m->total; i++) {
		json_t *res = json_object_get(m->items[i], "result");
		if (res && !json_is_null(res) && json_array_append(a, res) == 0)
			one = res, k++;
	}
	if (k == 1) { /* one judged run: its object alone, as rep_files_write */
		json_incref(one);
		json_decref(a);
		return one;
	}
	return k ? a : (json_decref(a), NULL);
}

static json_t *merge_matrix_json(struct merge *m, int status)
{
	const json_t *plan = json_object_get(m->docs[0], "plan");
	json_t *cols = json_array();

	/* the plan's "param" names every param varied, comma-separated (cmd_matrix.c) */
	char names[512], *save = NULL;
	json_t *params = json_array();

	snprintf(names, sizeof(names), "%s", jsonl_get_str(plan, "param"));
	for (char *w = strtok_r(names, ",", &save); params && w; w = strtok_r(NULL, ",", &save))
		json_array_append_new(params, jsonl_str(w));
	for (int i = 0; cols && i < m->total; i++)
		json_array_append(cols, json_object_get(m->items[i], "column"));
	json_t *first = json_array_get(params, 0);
	return json_pack("{s:O,s:O,s:i,s:o,s:o}", "scenario", json_object_get(plan, "scenario"),
			 "param", first ? first : json_object_get(plan, "param"), "exit_status",
			 status, "params", params, "columns", cols);
}

static json_t *merge_explore_json(struct merge *m, struct sla_result **rr, const int *st)
{
	const json_t *plan = json_object_get(m->docs[0], "plan");
	const char *name = jsonl_get_str(plan, "scenario");
	uint64_t first = (uint64_t)jsonl_get_int(plan, "first_seed", 0);
	uint64_t *seeds = calloc((size_t)m->total, sizeof(*seeds));
	json_t *v = NULL;

	for (int i = 0; seeds && i < m->total; i++)
		seeds[i] = first + (uint64_t)i;
	if (seeds && name && m->total > 0)
		v = cmd_explore_json(name, seeds, m->total, rr, st);
	free(seeds);
	return v;
}

static int merge_build(struct merge *m, struct cmd_merged *out)
{
	struct sla_result **rr = calloc((size_t)m->total + 1, sizeof(*rr));
	int *st = calloc((size_t)m->total + 1, sizeof(*st)), rc = -1;

	snprintf(out->command, sizeof(out->command), "%s", m->command);
	if (!rr || !st || merge_judged(m, out, rr, st) == -1)
		goto out;
	if (!strcmp(m->command, "run"))
		out->json = merge_run_json(m);
	else if (!strcmp(m->command, "matrix"))
		out->json = merge_matrix_json(m, out->status);
	else
		out->json = merge_explore_json(m, rr, st);
	rc = 0;
	if (!out->json && (m->total > 0 && strcmp(m->command, "run"))) {
		rc = merge_fail(m, "%s", strerror(ENOMEM));
		errno = ENOMEM;
	}
out:
	if (rc == -1 && !*m->err)
		snprintf(m->err, m->len, "%s", strerror(errno));
	free(rr); /* the results are out->judged's */
	free(st);
	return rc;
}

int cmd_merge_shards(json_t *const *docs, const char *const *names, int n, struct cmd_merged *out,
		     char *err, size_t len)
{
	struct merge m = {.docs = docs, .names = names, .n_docs = n, .err = err, .len = len};
	int by_k[CMD_SHARD_MAX], rc = -1;

	*out = (struct cmd_merged){0};
	*err = '\0';
	for (int k = 0; k < CMD_SHARD_MAX; k++)
		by_k[k] = -1;
	if (n < 1)
		return merge_fail(&m, "no shard report given");
	if (merge_check_shards(&m, by_k) == -1 || merge_check_missing(&m, by_k) == -1)
		return -1;
	if (!(m.items = calloc((size_t)m.total + 1, sizeof(*m.items))))
		return merge_fail(&m, "%s", strerror(ENOMEM));
	for (int i = 0; i < n; i++)
		if (merge_items(&m, i) == -1)
			goto out;
	rc = merge_build(&m, out);
out:
	free(m.items);
	if (rc == -1)
		cmd_merged_release(out);
	return rc;
}

void cmd_merged_release(struct cmd_merged *m)
{
	for (int i = 0; m->judged && i < m->n_judged; i++)
		sla_result_free(m->judged[i]);
	free(m->judged);
	json_decref(m->json);
	m->judged = NULL;
	m->json = NULL;
	m->n_judged = 0;
}

/* ---- the command ---- */

static void merge_usage(FILE *f)
{
	fprintf(
	    f, "usage: faultline merge [--json OUT] [--junit OUT] SHARD.json...\n"
	       "\n"
	       "Join the shard reports that 'faultline run', 'matrix' or 'explore' wrote with\n"
	       "--shard K/N --json FILE (one per shard 1/N ... N/N, in any order) into the report\n"
	       "one invocation without --shard would have written: the same scenarios, seeds or\n"
	       "columns in the same order, with the same verdicts and figures (docs/ci.md).\n"
	       "\n"
	       "  --json OUT          the merged JSON report\n"
	       "  --junit OUT         the merged JUnit XML (run and explore)\n"
	       "  -q                  no summary line\n"
	       "\n"
	       "Exit status: that of the whole work had it run as one (the worst of its runs:\n"
	       "0 all held, 1 an expectation failed, 3 the host could not run one), or 2 when\n"
	       "the shard reports do not make one whole (missing, given twice, of other work).\n");
}

/* The merged report files; 0, or -1 after saying why. */
static int merge_write(const struct cmd_merged *mg, const char *json, const char *junit)
{
	FILE *f;
	int rc = 0;

	if (json && mg->json) {
		if (!(f = fopen(json, "we")) || rep_json_dump(f, json_incref(mg->json)) == -1 ||
		    fclose(f) == EOF) {
			fprintf(stderr, "faultline merge: %s: %s\n", json, strerror(errno));
			rc = -1;
		}
	}
	if (junit && mg->n_judged) {
		if (!(f = fopen(junit, "we")) ||
		    rep_junit_write(f, mg->judged, mg->n_judged) == -1 || fclose(f) == EOF) {
			fprintf(stderr, "faultline merge: %s: %s\n", junit, strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

/* What merge prints and writes for @mg (of @n shards); the exit status. */
static int merge_report(const struct cmd_merged *mg, int n, const char *json, const char *junit,
			bool quiet)
{
	if (!quiet && !strcmp(mg->command, "run") && mg->n_judged > 1)
		rep_text_final(stdout, mg->judged, mg->n_judged); /* the single run's last table */
	if (!quiet)
		printf("merged %d shard%s of faultline %s: %d judged, exit status %d\n", n,
		       n == 1 ? "" : "s", mg->command, mg->n_judged, mg->status);
	if (!mg->json && !mg->n_judged)
		fprintf(stderr, "faultline merge: no run was judged: no report written (as a "
				"single run writes none)\n");
	if (merge_write(mg, json, junit) == -1)
		return mg->status > FL_EXIT_HOST ? mg->status : FL_EXIT_HOST;
	return mg->status;
}

static int merge_opts(int argc, char **argv, const char **json, const char **junit, bool *quiet)
{
	int i = 1;
	char *v;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1;
		if ((v = cmd_opt_value(argc, argv, &i, "--json")))
			*json = v;
		else if ((v = cmd_opt_value(argc, argv, &i, "--junit")))
			*junit = v;
		else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			*quiet = true;
		else {
			fprintf(stderr,
				"faultline merge: unknown option or missing value '%s' "
				"(try --help)\n",
				argv[i]);
			return -1;
		}
	}
	return i;
}

/* Read every file; -1 after saying why. */
static int merge_load(char **paths, int n, json_t **docs)
{
	json_error_t jerr;

	for (int i = 0; i < n; i++)
		if (!(docs[i] = json_load_file(paths[i], 0, &jerr))) {
			fprintf(stderr, "faultline merge: %s:%d:%d: %s\n", paths[i], jerr.line,
				jerr.column, jerr.text);
			return -1;
		}
	return 0;
}

int cmd_merge(int argc, char **argv)
{
	const char *json = NULL, *junit = NULL;
	bool quiet = false;
	char err[1024];
	struct cmd_merged mg;
	int rc = FL_EXIT_INPUT;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			merge_usage(stdout);
			return FL_EXIT_OK;
		}
	int first = merge_opts(argc, argv, &json, &junit, &quiet), n = argc - first;
	if (first < 0)
		return FL_EXIT_INPUT;
	if (n < 1 || (!json && !junit)) {
		fprintf(stderr, "faultline merge: wants --json OUT and/or --junit OUT and the "
				"shard reports (try --help)\n");
		return FL_EXIT_INPUT;
	}
	json_t **docs = calloc((size_t)n, sizeof(*docs));
	if (!docs)
		return FL_EXIT_HOST;
	if (merge_load(argv + first, n, docs) == -1)
		goto out;
	if (cmd_merge_shards(docs, (const char *const *)(argv + first), n, &mg, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "faultline merge: %s\n", err);
		goto out;
	}
	if (junit && !strcmp(mg.command, "matrix")) {
		fprintf(stderr, "faultline merge: faultline matrix writes no JUnit; --json only\n");
		cmd_merged_release(&mg);
		goto out;
	}
	rc = merge_report(&mg, n, json, junit, quiet);
	cmd_merged_release(&mg);
out:
	for (int i = 0; i < n; i++)
		json_decref(docs[i]);
	free(docs);
	return rc;
}
