/*
 * qmp_json.c - a small JSON tokenizer for QMP messages. It checks the syntax, produces
 * a flat pre-order token array (no allocation, no copies: tokens are offsets into the
 * text) and leaves string unescaping to qmp_json_str(). Numbers are kept as text.
 * Nesting deeper than JSON_DEPTH is refused, so a hostile line cannot exhaust the stack.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "qmp.h"

#define JSON_DEPTH 32

struct jp {
	const char *js;
	size_t len, pos;
	struct qmp_json_tok *toks;
	int n_toks, n;
};

static void skip_ws(struct jp *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->js[p->pos]) && p->js[p->pos])
		p->pos++;
}

static int tok_new(struct jp *p, enum qmp_json_type type)
{
	if (p->n == p->n_toks) {
		errno = ENOSPC;
		return -1;
	}
	p->toks[p->n] = (struct qmp_json_tok){ .type = type, .start = (int)p->pos };
	return p->n++;
}

static int parse_value(struct jp *p, int depth);

static int parse_string(struct jp *p)
{
	int t = tok_new(p, QMP_JSON_STRING);

	if (t < 0)
		return -1;
	p->toks[t].start = (int)++p->pos;
	while (p->pos < p->len && p->js[p->pos] != '"') {
		unsigned char c = (unsigned char)p->js[p->pos];

		if (c < 0x20)
			goto err_inval;
		if (c == '\\') {
			if (++p->pos >= p->len || !strchr("\"\\/bfnrtu", p->js[p->pos]))
				goto err_inval;
		}
		p->pos++;
	}
	if (p->pos >= p->len)
		goto err_inval;
	p->toks[t].end = (int)p->pos++;
	p->toks[t].next = p->n;
	return t;
err_inval:
	errno = EINVAL;
	return -1;
}

static int parse_prim(struct jp *p)
{
	int t = tok_new(p, QMP_JSON_PRIM);

	if (t < 0)
		return -1;
	while (p->pos < p->len && strchr("0123456789+-.eEtruefalsn", p->js[p->pos]) &&
	       p->js[p->pos])
		p->pos++;
	p->toks[t].end = (int)p->pos;
	p->toks[t].next = p->n;
	if (p->toks[t].end == p->toks[t].start) {
		errno = EINVAL;
		return -1;
	}
	return t;
}

/* Object or array: members "key": value (object) or values, comma separated. */
static int parse_container(struct jp *p, int depth)
{
	bool obj = p->js[p->pos] == '{';
	char close = obj ? '}' : ']';
	int t = tok_new(p, obj ? QMP_JSON_OBJECT : QMP_JSON_ARRAY);

	if (t < 0)
		return -1;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->js[p->pos] == close)
		goto done;
	for (;;) {
		skip_ws(p);
		if (obj) {
			if (p->pos >= p->len || p->js[p->pos] != '"' || parse_string(p) < 0)
				goto err_inval;
			skip_ws(p);
			if (p->pos >= p->len || p->js[p->pos++] != ':')
				goto err_inval;
		}
		if (parse_value(p, depth + 1) < 0)
			return -1;
		p->toks[t].size++;
		skip_ws(p);
		if (p->pos < p->len && p->js[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->js[p->pos] == close)
			break;
		goto err_inval;
	}
done:
	p->pos++;
	p->toks[t].end = (int)p->pos;
	p->toks[t].next = p->n;
	return t;
err_inval:
	errno = EINVAL;
	return -1;
}

static int parse_value(struct jp *p, int depth)
{
	skip_ws(p);
	if (depth > JSON_DEPTH || p->pos >= p->len) {
		errno = EINVAL;
		return -1;
	}
	switch (p->js[p->pos]) {
	case '{':
	case '[':
		return parse_container(p, depth);
	case '"':
		return parse_string(p);
	default:
		return parse_prim(p);
	}
}

int qmp_json_parse(const char *js, size_t len, struct qmp_json_tok *toks, int n_toks)
{
	struct jp p = { .js = js, .len = len, .toks = toks, .n_toks = n_toks };

	if (parse_value(&p, 0) < 0)
		return -1;
	skip_ws(&p);
	if (p.pos != len) {
		errno = EINVAL;
		return -1;
	}
	return p.n;
}

int qmp_json_get(const char *js, const struct qmp_json_tok *toks, int obj, const char *key)
{
	int k;

	if (toks[obj].type != QMP_JSON_OBJECT)
		return -1;
	k = obj + 1;
	for (int i = 0; i < toks[obj].size; i++) {
		int v = toks[k].next;

		if (qmp_json_eq(js, &toks[k], key))
			return v;
		k = toks[v].next;
	}
	return -1;
}

int qmp_json_str(const char *js, const struct qmp_json_tok *t, char *buf, size_t len)
{
	size_t o = 0;

	for (int i = t->start; i < t->end; i++) {
		char c = js[i];

		if (t->type == QMP_JSON_STRING && c == '\\') {
			c = js[++i];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' :
			    c == 'b' ? '\b' : c == 'f' ? '\f' : c;
			if (c == 'u') { /* \uXXXX: kept as '?', QMP names are ASCII */
				i += 4;
				c = '?';
			}
		}
		if (o + 1 >= len) {
			buf[o] = '\0';
			errno = ERANGE;
			return -1;
		}
		buf[o++] = c;
	}
	buf[o] = '\0';
	return (int)o;
}

bool qmp_json_eq(const char *js, const struct qmp_json_tok *t, const char *s)
{
	char buf[256];

	if (t->type != QMP_JSON_STRING && t->type != QMP_JSON_PRIM)
		return false;
	return qmp_json_str(js, t, buf, sizeof(buf)) >= 0 && !strcmp(buf, s);
}

int qmp_json_escape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;
		char esc[8];
		int n;

		if (c == '"' || c == '\\')
			n = snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x20)
			n = snprintf(esc, sizeof(esc), "\\u%04x", c);
		else
			n = snprintf(esc, sizeof(esc), "%c", c);
		if (o + (size_t)n + 1 > len) {
			errno = ERANGE;
			return -1;
		}
		memcpy(out + o, esc, (size_t)n);
		o += (size_t)n;
	}
	out[o] = '\0';
	return (int)o;
}
