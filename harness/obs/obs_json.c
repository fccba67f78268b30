/*
 * obs_json.c - a reader for one flat JSON object per line (events.jsonl).
 *
 * Grammar accepted: ws '{' ws [ member (ws ',' ws member)* ] ws '}' ws, where a member
 * is "key" ws ':' ws value and a value is a string, a number, true, false or null.
 * Nested objects and arrays are rejected (EINVAL): events.jsonl has none, and a reader
 * that guessed would hide a writer's mistake.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "obs.h"

struct obs_json_cur {
	const char *p;
};

static void obs_json_ws(struct obs_json_cur *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')
		c->p++;
}

static int obs_json_hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char ch = p[i];
		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v |= (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v |= (unsigned)(ch - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* One escape after the backslash at c->p[-1]; the character it stands for into *ch. */
static int obs_json_escape(struct obs_json_cur *c, char *ch)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = *c->p ? strchr(from, *c->p) : NULL;
	if (e) {
		*ch = to[e - from];
		c->p++;
		return 0;
	}
	unsigned u;
	if (*c->p != 'u' || obs_json_hex4(c->p + 1, &u) < 0)
		return -1;
	*ch = u < 0x80 ? (char)u : '?';
	c->p += 5;
	return 0;
}

/* A string at c->p (on its '"') into @out (truncated to @size - 1). */
static int obs_json_string(struct obs_json_cur *c, char *out, size_t size)
{
	size_t n = 0;
	if (*c->p != '"')
		return -1;
	c->p++;
	while (*c->p != '"') {
		char ch = *c->p++;
		if (ch == '\0' || (unsigned char)ch < 0x20)
			return -1;
		if (ch == '\\' && obs_json_escape(c, &ch) < 0)
			return -1;
		if (n + 1 < size)
			out[n++] = ch;
	}
	c->p++;
	out[n] = '\0';
	return 0;
}

static int obs_json_number(struct obs_json_cur *c, struct obs_json_member *m)
{
	const char *s = c->p;
	char *end;
	if (*s != '-' && (*s < '0' || *s > '9'))
		return -1;
	m->num = strtod(s, &end);
	if (end == s)
		return -1;
	size_t ilen = strspn(s + (*s == '-'), "0123456789") + (*s == '-');
	m->inum = (int64_t)m->num;
	if (s + ilen == end) {
		errno = 0;
		long long v = strtoll(s, NULL, 10);
		if (!errno)
			m->inum = v;
	}
	m->type = OBS_JSON_NUMBER;
	c->p = end;
	return 0;
}

static int obs_json_value(struct obs_json_cur *c, struct obs_json_member *m)
{
	if (*c->p == '"') {
		m->type = OBS_JSON_STRING;
		return obs_json_string(c, m->str, sizeof(m->str));
	}
	static const struct {
		const char *word;
		enum obs_json_type type;
		double num;
	} words[] = {{"true", OBS_JSON_BOOL, 1}, {"false", OBS_JSON_BOOL, 0},
		     {"null", OBS_JSON_NULL, 0}};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].word);
		if (!strncmp(c->p, words[i].word, n)) {
			m->type = words[i].type;
			m->num = words[i].num;
			m->inum = (int64_t)words[i].num;
			c->p += n;
			return 0;
		}
	}
	return obs_json_number(c, m);
}

int obs_json_parse(const char *line, struct obs_json_obj *out)
{
	struct obs_json_cur c = {line};
	struct obs_json_member skip;
	out->n = 0;
	obs_json_ws(&c);
	if (*c.p++ != '{')
		goto bad;
	obs_json_ws(&c);
	if (*c.p == '}')
		goto close;
	for (;;) {
		struct obs_json_member *m = out->n < OBS_JSON_MAX_MEMBERS ? &out->m[out->n] : &skip;
		memset(m, 0, sizeof(*m));
		if (obs_json_string(&c, m->key, sizeof(m->key)) < 0)
			goto bad;
		obs_json_ws(&c);
		if (*c.p++ != ':')
			goto bad;
		obs_json_ws(&c);
		if (obs_json_value(&c, m) < 0)
			goto bad;
		if (m != &skip)
			out->n++;
		obs_json_ws(&c);
		if (*c.p == '}')
			break;
		if (*c.p++ != ',')
			goto bad;
		obs_json_ws(&c);
	}
close:
	c.p++;
	obs_json_ws(&c);
	if (*c.p)
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
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
