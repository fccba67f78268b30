/*
 * jsonl.c - one JSON object per line, on jansson (see jsonl.h).
 *
 * A line is dumped into a stack buffer when it fits (every event line does), so
 * writing one costs no allocation beyond jansson's own objects.
 */
#include "jsonl.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JSONL_LINE_STACK 4096

json_t *jsonl_str(const char *s)
{
	json_t *v;
	char *copy;

	if (!s)
		return json_null();
	if ((v = json_string(s)))
		return v;
	/* not UTF-8 (or no memory): keep the ASCII, mark the rest */
	if (!(copy = strdup(s)))
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	v = json_string(copy);
	free(copy);
	if (!v)
		errno = ENOMEM;
	return v;
}

json_t *jsonl_num(double v)
{
	if (!isfinite(v))
		return NULL;
	if (fabs(v) < 1e10 && v == (double)(long long)v)
		return json_integer((json_int_t)v);
	return json_real(v);
}

int jsonl_set(json_t *o, const char *key, json_t *v)
{
	if (!v || json_object_set_new(o, key, v) == -1) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

json_t *jsonl_event_new(int64_t t_ns, const char *src, const char *ev)
{
	json_t *o = json_object();

	if (!o || jsonl_set(o, "t_ns", json_integer(t_ns)) == -1 ||
	    jsonl_set(o, "src", jsonl_str(src)) == -1 || jsonl_set(o, "ev", jsonl_str(ev)) == -1) {
		json_decref(o);
		errno = ENOMEM;
		return NULL;
	}
	return o;
}

int jsonl_line_write(int fd, const json_t *o)
{
	char stack[JSONL_LINE_STACK], *buf = stack;
	size_t n = json_dumpb(o, stack, sizeof(stack) - 1, JSONL_DUMP_FLAGS);
	ssize_t w;

	if (n == 0) {
		errno = ENOMEM;
		return -1;
	}
	if (n > sizeof(stack) - 1) {
		if (!(buf = malloc(n + 1)))
			return -1;
		if (json_dumpb(o, buf, n, JSONL_DUMP_FLAGS) != n) {
			free(buf);
			errno = ENOMEM;
			return -1;
		}
	}
	buf[n++] = '\n';
	w = write(fd, buf, n);
	if (buf != stack)
		free(buf);
	if (w >= 0 && (size_t)w != n)
		errno = EIO;
	return w >= 0 && (size_t)w == n ? 0 : -1;
}

json_t *jsonl_line_parse(const char *line, size_t len)
{
	json_error_t err;
	json_t *o = json_loadb(line, len, 0, &err);

	if (!o || !json_is_object(o)) {
		errno = o || json_error_code(&err) != json_error_out_of_memory ? EINVAL : ENOMEM;
		json_decref(o);
		return NULL;
	}
	return o;
}

const char *jsonl_get_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

int64_t jsonl_get_int(const json_t *o, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v) && fabs(json_real_value(v)) < 9e18)
		return (int64_t)json_real_value(v);
	return dflt;
}

bool jsonl_is_ev(const json_t *o, const char *ev)
{
	return !strcmp(jsonl_get_str(o, "ev"), ev);
}
