/*
 * run_kept.c - read back what a kept run directory says about its run: the "start"
 * record run.c writes as the first line of events.jsonl (scenario, file, seed, the
 * params in effect, when it started). With the scenario copy beside it (scenario.scn)
 * that is all `faultline report` needs to judge the directory again as the run did.
 *
 * Only the first "start" record counts; events.jsonl is outside data, so a record that
 * is not as run.c writes it is refused (EINVAL), never guessed at. The run's "t0" and
 * "end" records say whether there is a timeline to judge and whether it was cut short.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsonl.h"
#include "run.h"
#include "scn.h"

bool run_kept_is_run(const char *dir)
{
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

void run_kept_release(struct run_kept *k)
{
	for (int i = 0; i < k->n_sets; i++) {
		free((char *)k->sets[i].name);
		free((char *)k->sets[i].value);
	}
	free(k->sets);
	free(k->scenario);
	free(k->file);
	free(k->started);
	memset(k, 0, sizeof(*k));
}

/* "params": {NAME: VALUE} into k->sets. */
static int run_kept_params(struct run_kept *k, const json_t *params)
{
	const char *name;
	json_t *v;

	if (!json_is_object(params))
		return errno = EINVAL, -1;
	if (!(k->sets = calloc(json_object_size(params) + 1, sizeof(*k->sets))))
		return -1;
	json_object_foreach((json_t *)params, name, v)
	{
		struct scn_set *set = &k->sets[k->n_sets];
		if (!json_is_string(v))
			return errno = EINVAL, -1;
		set->name = strdup(name);
		set->value = strdup(json_string_value(v));
		k->n_sets++;
		if (!set->name || !set->value)
			return errno = ENOMEM, -1;
	}
	return 0;
}

/* The start record @o into @k. */
static int run_kept_take(struct run_kept *k, const json_t *o)
{
	const char *seed = jsonl_get_str(o, "seed");
	char *end;

	errno = 0;
	k->seed = strtoull(seed, &end, 10);
	if (errno || !*seed || *end || *seed == '-')
		return errno = EINVAL, -1;
	if (!(k->scenario = strdup(jsonl_get_str(o, "scenario"))) ||
	    !(k->file = strdup(jsonl_get_str(o, "file"))) ||
	    !(k->started = strdup(jsonl_get_str(o, "started"))))
		return errno = ENOMEM, -1;
	if (!*k->scenario)
		return errno = EINVAL, -1;
	return run_kept_params(k, json_object_get(o, "params"));
}

static bool run_kept_is_start(const json_t *o)
{
	return o && jsonl_is_ev(o, "start") && !strcmp(jsonl_get_str(o, "src"), "run");
}

/* The run's own "t0" and "end" records into @k (others are not looked at). */
static void run_kept_mark(struct run_kept *k, const json_t *o)
{
	if (!o || strcmp(jsonl_get_str(o, "src"), "run"))
		return;
	if (jsonl_is_ev(o, "t0"))
		k->has_t0 = true;
	if (jsonl_is_ev(o, "end")) {
		k->ended = true;
		k->interrupted = json_is_true(json_object_get(o, "interrupted"));
	}
}

int run_kept_read(const char *dir, struct run_kept *k)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int rc = -1, e = ENODATA;

	memset(k, 0, sizeof(*k));
	if (snprintf(path, sizeof(path), "%s/events.jsonl", dir) >= (int)sizeof(path))
		return errno = ENAMETOOLONG, -1;
	if (!(f = fopen(path, "re")))
		return -1;
	while ((n = getline(&line, &cap, f)) > 0) {
		/* only the run's own lines are parsed: the rest is most of the file */
		if (!strstr(line, "\"src\":\"run\""))
			continue;
		json_t *o = jsonl_line_parse(line, (size_t)n);
		if (rc == -1 && e == ENODATA && run_kept_is_start(o)) {
			rc = run_kept_take(k, o);
			e = rc == -1 ? errno : 0;
		}
		run_kept_mark(k, o);
		json_decref(o);
		if (rc == -1 && e != ENODATA)
			break;
	}
	free(line);
	fclose(f);
	if (rc == -1) {
		run_kept_release(k);
		errno = e;
	}
	return rc;
}
