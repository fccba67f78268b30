/*
 * qmp_msg.c - what one line from QEMU's QMP socket is, and the text of a command, on
 * jansson (fuzzed upstream: a line from a guest's QEMU is outside data). Pure: no I/O.
 * The shapes (QEMU's docs/interop/qmp-spec):
 *
 *	{"QMP": {"version": {...}, "capabilities": [...]}}                 greeting
 *	{"return": VALUE, "id": ID}                                         success
 *	{"error": {"class": "...", "desc": "..."}, "id": ID}                failure
 *	{"event": "STOP", "data": {...}, "timestamp": {"seconds": S, "microseconds": U}}
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "qmp.h"

static int64_t msg_int(const json_t *v)
{
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

static void msg_copy(char *dst, size_t len, const json_t *v)
{
	snprintf(dst, len, "%s", json_is_string(v) ? json_string_value(v) : "");
}

/* @v as compact text into m->body_text; a value too long for it is dropped (NULL). */
static void msg_body(struct qmp_msg *m, const json_t *v)
{
	size_t n;

	if (!v)
		return;
	n = json_dumpb(v, m->body_text, sizeof(m->body_text) - 1, JSON_COMPACT | JSON_ENCODE_ANY);
	if (n == 0 || n >= sizeof(m->body_text))
		return;
	m->body_text[n] = '\0';
	m->body = m->body_text;
	m->body_len = (int)n;
}

static int msg_event(struct qmp_msg *m, const json_t *root, const json_t *ev)
{
	const json_t *ts = json_object_get(root, "timestamp");

	if (!json_is_string(ev))
		return -1;
	m->kind = QMP_MSG_EVENT;
	msg_copy(m->event, sizeof(m->event), ev);
	if (json_is_object(ts)) {
		m->ev_sec = msg_int(json_object_get(ts, "seconds"));
		m->ev_usec = msg_int(json_object_get(ts, "microseconds"));
		m->ev_sec = m->ev_sec < 0 ? 0 : m->ev_sec;
		m->ev_usec = m->ev_usec < 0 ? 0 : m->ev_usec;
	}
	msg_body(m, json_object_get(root, "data"));
	return 0;
}

static int msg_classify(struct qmp_msg *m, const json_t *root)
{
	const json_t *v;

	if (json_object_get(root, "QMP")) {
		m->kind = QMP_MSG_GREETING;
		return 0;
	}
	if ((v = json_object_get(root, "return"))) {
		m->kind = QMP_MSG_RETURN;
		msg_body(m, v);
		return 0;
	}
	if ((v = json_object_get(root, "error"))) {
		m->kind = QMP_MSG_ERROR;
		msg_copy(m->err_class, sizeof(m->err_class), json_object_get(v, "class"));
		msg_copy(m->err_desc, sizeof(m->err_desc), json_object_get(v, "desc"));
		return 0;
	}
	if ((v = json_object_get(root, "event")))
		return msg_event(m, root, v);
	return -1;
}

int qmp_msg_parse(const char *line, size_t len, struct qmp_msg *m)
{
	json_t *root = json_loadb(line, len, 0, NULL);
	int rc = -1;

	memset(m, 0, sizeof(*m));
	m->id = -1;
	if (json_is_object(root)) {
		m->id = msg_int(json_object_get(root, "id"));
		rc = msg_classify(m, root);
	}
	json_decref(root);
	if (rc == -1)
		errno = EINVAL;
	return rc;
}

int qmp_cmd_format(char *buf, size_t len, const char *cmd, json_t *args, int64_t id)
{
	json_t *c = json_pack("{s:s}", "execute", cmd);
	size_t n = 0;
	int e = ERANGE;

	if (!c || (args && !json_is_object(args))) {
		e = c ? EINVAL : ENOMEM;
		goto out;
	}
	if ((args && json_object_set(c, "arguments", args) == -1) ||
	    json_object_set_new(c, "id", json_integer(id)) == -1) {
		e = ENOMEM;
		goto out;
	}
	n = len > 2 ? json_dumpb(c, buf, len - 2, JSON_COMPACT) : 0;
	if (n > 0 && n + 2 < len)
		memcpy(buf + n, "\r\n", 3);
out:
	json_decref(c);
	if (n == 0 || n + 2 >= len) {
		errno = e;
		return -1;
	}
	return (int)n + 2;
}
