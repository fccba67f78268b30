/*
 * obs_json.c - a flat, fixed-size view of one events.jsonl line, parsed by jansson
 * (common/jsonl.h). The view needs no freeing, which suits readers that keep one
 * struct obs_json_obj across lines (rep_run.c's guest facts); new code reads the
 * json_t of jsonl_line_parse() directly, as obs_events.c does.
 *
 * Values are strings, numbers, true, false or null; nested objects and arrays are
 * refused (EINVAL): events.jsonl has none, and a reader that guessed would hide a
 * writer's mistake.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "jsonl.h"
#include "obs.h"

/* @v into @m; -1 when it is no flat value. */
static int obs_json_member_set(struct obs_json_member *m, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		m->type = OBS_JSON_STRING;
		snprintf(m->str, sizeof(m->str), "%s", json_string_value(v));
		return 0;
	case JSON_INTEGER:
		m->type = OBS_JSON_NUMBER;
		m->inum = json_integer_value(v);
		m->num = (double)m->inum;
		return 0;
	case JSON_REAL:
		m->type = OBS_JSON_NUMBER;
		m->num = json_real_value(v);
		m->inum = m->num > -9e18 && m->num < 9e18 ? (int64_t)m->num : 0;
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		m->type = OBS_JSON_BOOL;
		m->num = json_is_true(v);
		m->inum = json_is_true(v);
		return 0;
	case JSON_NULL:
		m->type = OBS_JSON_NULL;
		return 0;
	default:
		return -1;
	}
}

int obs_json_parse(const char *line, struct obs_json_obj *out)
{
	json_t *o = jsonl_line_parse(line, strlen(line)), *v;
	const char *key;
	int rc = 0;

	out->n = 0;
	if (!o)
		return -1;
	json_object_foreach(o, key, v)
	{
		struct obs_json_member m = {.type = 0};
		snprintf(m.key, sizeof(m.key), "%s", key);
		if (obs_json_member_set(&m, v) == -1) {
			rc = -1;
			break;
		}
		if (out->n < OBS_JSON_MAX_MEMBERS)
			out->m[out->n++] = m;
	}
	json_decref(o);
	if (rc == -1) {
		out->n = 0;
		errno = EINVAL;
	}
	return rc;
}

const struct obs_json_member *obs_json_get(const struct obs_json_obj *o, const char *key)
{
	for (int i = 0; i < o->n; i++)
		if (!strcmp(o->m[i].key, key))
			return &o->m[i];
	return NULL;
}

const char *obs_json_str(const struct obs_json_obj *o, const char *key)
{
	const struct obs_json_member *m = obs_json_get(o, key);
	return m && m->type == OBS_JSON_STRING ? m->str : "";
}

int64_t obs_json_int(const struct obs_json_obj *o, const char *key, int64_t dflt)
{
	const struct obs_json_member *m = obs_json_get(o, key);
	return m && m->type == OBS_JSON_NUMBER ? m->inum : dflt;
}
