/*
 * cmd_shard.c - '--shard K/N' of 'faultline run', 'matrix' and 'explore': which items
 * of the whole work this invocation runs, and the shard report its --json writes for
 * 'faultline merge' (cmd_merge.c).
 *
 * The rule: the items in their canonical order - run: the files as given on the
 * command line; matrix: the --set values as given; explore: the seeds A, A+1 ... B -
 * are numbered from 0, and item i goes to shard (i mod N) + 1. It depends only on the
 * position, so N machines given the same command line with K = 1 ... N run every item
 * exactly once, and each shard's items are spread over the whole list (a slow tail of
 * the list is shared out). Giving the files in another order is other work: the shard
 * report records the plan (the files, values or seeds, and the options that change
 * results) and merge refuses shards whose plans differ.
 *
 * The shard report, one JSON object:
 *
 *   {"shard": {"k": 2, "n": 3}, "command": "run", "total": 5,
 *    "plan": {...},                      what was asked for, the same in every shard
 *    "items": [{"index": 1, "exit": 0, "result": {...}}, {"index": 4, ...}]}
 *
 * with one item per index of the shard, in order ("exit" -1: not run; "result" null:
 * not judged); matrix items hold "column" (its JSON column) instead of "result",
 * explore items "exact" too (the measured metrics as C99 hex floats, so that merged
 * statistics are computed from the very doubles a single run would use).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "jsonl.h"
#include "rep.h"

int cmd_shard_parse(const char *arg, struct cmd_shard *sh)
{
	char *end;
	long k, n;

	if (!arg || *arg < '0' || *arg > '9')
		return -1;
	errno = 0;
	k = strtol(arg, &end, 10);
	if (errno || *end != '/' || end[1] < '0' || end[1] > '9')
		return -1;
	n = strtol(end + 1, &end, 10);
	if (errno || *end || n < 1 || n > CMD_SHARD_MAX || k < 1 || k > n)
		return -1;
	sh->k = (int)k;
	sh->n = (int)n;
	return 0;
}

bool cmd_shard_has(const struct cmd_shard *sh, int i)
{
	return sh->n < 1 || i % sh->n == sh->k - 1;
}

int cmd_shard_pick(const struct cmd_shard *sh, int total, int *idx)
{
	int k = 0;

	for (int i = 0; i < total; i++)
		if (cmd_shard_has(sh, i))
			idx[k++] = i;
	return k;
}

json_t *cmd_shard_item(int index, int status, json_t *result)
{
	return json_pack("{s:i,s:i,s:o}", "index", index, "exit", status, "result",
			 result ? result : json_null());
}

json_t *cmd_shard_exact(const struct sla_result *r)
{
	json_t *o = json_object();
	char hex[64];

	for (int m = 1; o && r && m < SLA_METRIC__MAX; m++) {
		if (!r->all.v[m].measured)
			continue;
		snprintf(hex, sizeof(hex), "%a", r->all.v[m].v);
		if (jsonl_set(o, sla_metric_name(m), json_string(hex)) == -1) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

int cmd_shard_write(const char *path, const struct cmd_shard *sh, const char *command, json_t *plan,
		    int total, json_t *items)
{
	json_t *v = json_pack("{s:{s:i,s:i},s:s,s:i,s:o,s:o}", "shard", "k", sh->k, "n", sh->n,
			      "command", command, "total", total, "plan", plan ? plan : json_null(),
			      "items", items ? items : json_null());
	FILE *f;
	int rc;

	if (!v || !plan || !items) {
		json_decref(v);
		errno = ENOMEM;
		return -1;
	}
	if (!(f = fopen(path, "we"))) {
		json_decref(v);
		return -1;
	}
	rc = rep_json_dump(f, v);
	return fclose(f) == EOF || rc == -1 ? -1 : 0;
}

json_t *cmd_shard_sets(const struct scn_set *sets, int n)
{
	json_t *a = json_array();
	char buf[2048];

	for (int i = 0; a && i < n; i++) {
		snprintf(buf, sizeof(buf), "%s=%s", sets[i].name, sets[i].value);
		if (json_array_append_new(a, jsonl_str(buf)) == -1) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}
