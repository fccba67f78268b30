/*
 * fuzz_csv.c - libFuzzer target for the requests.csv reader (harness/obs/obs_csv.c):
 * each line through obs_req_parse(), then the whole input as a file followed by
 * obs_tail_poll() while it grows (the first half, then the rest), as fl-load writes it.
 */
#include "fuzz_util.h"
#include "obs.h"

static void one_line(char *line, size_t len, void *arg)
{
	struct obs_req r;
	int rc = obs_req_parse(line, &r);

	(void)len;
	(void)arg;
	if (rc < -1 || rc > 1)
		abort();
}

static void append(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "ae");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strdup(data, size), path[128];
	struct obs_store *st = obs_store_new();
	struct obs_tail *t;
	size_t half = size / 2;

	if (!st)
		abort();
	fuzz_lines(s, size, one_line, NULL);
	free(s);
	fuzz_file_write("requests.csv", data, half, path, sizeof(path));
	if (!(t = obs_tail_new(path)))
		abort();
	if (obs_tail_poll(t, st) < 0)
		abort();
	append(path, data + half, size - half);
	if (obs_tail_poll(t, st) < 0)
		abort();
	obs_tail_free(t);
	obs_store_free(st);
	return 0;
}
