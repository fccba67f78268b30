/*
 * qmp_msg.c - what one line from QEMU's QMP socket is, and the text of a command.
 * Pure: no I/O. The shapes (QEMU's docs/interop/qmp-spec):
 *
 *	{"QMP": {"version": {...}, "capabilities": [...]}}                 greeting
 *	{"return": VALUE, "id": ID}                                         success
 *	{"error": {"class": "...", "desc": "..."}, "id": ID}                failure
 *	{"event": "STOP", "data": {...}, "timestamp": {"seconds": S, "microseconds": U}}
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmp.h"

#define MSG_TOKS 512

static int64_t tok_int(const char *js, const struct qmp_json_tok *t)
{
	char buf[32];

	if (t->type != QMP_JSON_PRIM || qmp_json_str(js, t, buf, sizeof(buf)) < 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

static void msg_body(struct qmp_msg *m, const char *js, const struct qmp_json_tok *toks, int v)
{
	if (v < 0)
		return;
	m->body = js + toks[v].start - (toks[v].type == QMP_JSON_STRING);
	m->body_len = toks[v].end - toks[v].start + 2 * (toks[v].type == QMP_JSON_STRING);
}

static int msg_event(struct qmp_msg *m, const char *js, const struct qmp_json_tok *toks, int ev)
{
	int ts = qmp_json_get(js, toks, 0, "timestamp");

	m->kind = QMP_MSG_EVENT;
	if (qmp_json_str(js, &toks[ev], m->event, sizeof(m->event)) < 0)
		return -1;
	if (ts >= 0) {
		int s = qmp_json_get(js, toks, ts, "seconds");
		int u = qmp_json_get(js, toks, ts, "microseconds");

		m->ev_sec = s >= 0 ? tok_int(js, &toks[s]) : 0;
		m->ev_usec = u >= 0 ? tok_int(js, &toks[u]) : 0;
	}
	msg_body(m, js, toks, qmp_json_get(js, toks, 0, "data"));
	return 0;
}

static void msg_error(struct qmp_msg *m, const char *js, const struct qmp_json_tok *toks, int e)
{
	int c = qmp_json_get(js, toks, e, "class");
	int d = qmp_json_get(js, toks, e, "desc");

	m->kind = QMP_MSG_ERROR;
	if (c >= 0)
		qmp_json_str(js, &toks[c], m->err_class, sizeof(m->err_class));
	if (d >= 0)
		qmp_json_str(js, &toks[d], m->err_desc, sizeof(m->err_desc));
}

int qmp_msg_parse(const char *line, size_t len, struct qmp_msg *m)
{
	struct qmp_json_tok toks[MSG_TOKS];
	int n = qmp_json_parse(line, len, toks, MSG_TOKS);
	int v, id;

	memset(m, 0, sizeof(*m));
	m->id = -1;
	if (n <= 0 || toks[0].type != QMP_JSON_OBJECT)
		goto err_inval;
	id = qmp_json_get(line, toks, 0, "id");
	if (id >= 0)
		m->id = tok_int(line, &toks[id]);
	if (qmp_json_get(line, toks, 0, "QMP") >= 0) {
		m->kind = QMP_MSG_GREETING;
		return 0;
	}
	if ((v = qmp_json_get(line, toks, 0, "return")) >= 0) {
		m->kind = QMP_MSG_RETURN;
		msg_body(m, line, toks, v);
		return 0;
	}
	if ((v = qmp_json_get(line, toks, 0, "error")) >= 0) {
		msg_error(m, line, toks, v);
		return 0;
	}
	if ((v = qmp_json_get(line, toks, 0, "event")) >= 0 && msg_event(m, line, toks, v) == 0)
		return 0;
err_inval:
	errno = EINVAL;
	return -1;
}

int qmp_cmd_format(char *buf, size_t len, const char *cmd, const char *args_json, int64_t id)
{
	int n;

	if (args_json)
		n = snprintf(buf, len, "{\"execute\":\"%s\",\"arguments\":%s,\"id\":%" PRId64 "}\r\n",
			     cmd, args_json, id);
	else
		n = snprintf(buf, len, "{\"execute\":\"%s\",\"id\":%" PRId64 "}\r\n", cmd, id);
	if (n < 0 || (size_t)n >= len) {
		errno = ERANGE;
		return -1;
	}
	return n;
}
