/*
 * fuzz_merge.c - libFuzzer target for what 'faultline merge' reads (harness/cli/
 * cmd_merge.c, harness/rep/rep_json_read.c): shard reports, JSON written on other
 * machines. The input is up to eight documents separated by NUL bytes; each is parsed
 * by jansson and the lot goes to cmd_merge_shards(). What merges must write its JSON
 * and JUnit; every item's result is also read back alone, and one that reads back must
 * write its JUnit.
 */
#include <jansson.h>

#include "cmd.h"
#include "fuzz_util.h"
#include "rep.h"

#define DOCS_MAX 8

static void write_merged(const struct cmd_merged *mg)
{
	FILE *f = fopen("/dev/null", "w");

	if (!f)
		abort();
	if (mg->json && rep_json_dump(f, json_incref(mg->json)) == -1)
		abort();
	if (mg->n_judged && rep_junit_write(f, mg->judged, mg->n_judged) == -1)
		abort();
	fclose(f);
}

/* Each item's result alone, as the merge reads it. */
static void read_items(const json_t *doc)
{
	const json_t *items = json_object_get(doc, "items");
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it)
	{
		struct sla_result *r = rep_json_result_read(json_object_get(it, "result"));
		FILE *f;
		if (!r)
			continue;
		if (!(f = fopen("/dev/null", "w")) || rep_junit_write(f, &r, 1) == -1)
			abort();
		fclose(f);
		sla_result_free(r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[DOCS_MAX] = {"s1", "s2", "s3", "s4",
						    "s5", "s6", "s7", "s8"};
	json_t *docs[DOCS_MAX];
	int n = 0;
	struct cmd_merged mg;
	char err[512];

	for (size_t at = 0; at <= size && n < DOCS_MAX;) {
		const uint8_t *nul = memchr(data + at, '\0', size - at);
		size_t len = nul ? (size_t)(nul - (data + at)) : size - at;
		json_t *d = json_loadb((const char *)data + at, len, 0, NULL);
		if (d) {
			read_items(d);
			docs[n++] = d;
		}
		at += len + 1;
	}
	if (n && cmd_merge_shards(docs, names, n, &mg, err, sizeof(err)) == 0) {
		if (mg.n_judged < 0 || !*mg.command)
			abort();
		write_merged(&mg);
		cmd_merged_release(&mg);
	} else if (n && !*err) {
		abort(); /* a refusal says why */
	}
	for (int i = 0; i < n; i++)
		json_decref(docs[i]);
	return 0;
}
