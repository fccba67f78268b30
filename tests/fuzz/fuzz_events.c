/*
 * fuzz_events.c - libFuzzer target for the events.jsonl reader
 * (harness/obs/obs_events.c): every line goes to obs_event_ingest() on one store, as
 * when a run's events are read back; then the whole input is read again as a run
 * directory's events.jsonl by obs_store_load_run().
 */
#include "fuzz_util.h"
#include "obs.h"

static void one_line(char *line, size_t len, void *arg)
{
	(void)len;
	obs_event_ingest(arg, line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct obs_store *st = obs_store_new();
	char *s = fuzz_strdup(data, size), path[128];
	size_t bad = 0;

	if (!st)
		abort();
	fuzz_lines(s, size, one_line, st);
	obs_store_free(st);
	free(s);
	if (!(st = obs_store_new()))
		abort();
	fuzz_file_write("events.jsonl", data, size, path, sizeof(path));
	if (obs_store_load_run(st, fuzz_dir_get(), &bad) < 0)
		abort();
	obs_store_free(st);
	return 0;
}
