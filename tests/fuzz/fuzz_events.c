/*
 * fuzz_events.c - libFuzzer target for the events.jsonl reader
 * (harness/obs/obs_events.c): every line goes to obs_event_ingest() on one store, as
 * when a run's events are read back; then the whole input is read again as a run
 * directory's events.jsonl by obs_store_load_run(), and by run_kept_read() for its
 * start record (`faultline report`).
 */
#include <errno.h>

#include "fuzz_util.h"
#include "obs.h"
#include "run.h"
#include "scn.h"

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
	struct run_kept k;
	if (run_kept_read(fuzz_dir_get(), &k) == 0) {
		if (!k.scenario || !*k.scenario || !k.file || !k.started || (k.n_sets && !k.sets))
			abort();
		for (int i = 0; i < k.n_sets; i++)
			if (!k.sets[i].name || !k.sets[i].value)
				abort();
		run_kept_release(&k);
	} else if (errno != ENODATA && errno != EINVAL && errno != ENOMEM) {
		abort();
	}
	return 0;
}
