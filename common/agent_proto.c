/*
 * agent_proto.c - encoding, parsing and line assembly of the fl-agent protocol (see
 * agent_proto.h for the wire format). Pure: no I/O, no allocation. Invariant of the line
 * assembler: buf[start, used) holds bytes not yet returned, and never a whole line
 * longer than AGENT_LINE_MAX.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_proto.h"

static const char hexdig[] = "0123456789ABCDEF";

static int must_escape(unsigned char c)
{
	return c <= 0x20 || c == '%' || c >= 0x7f;
}

int agent_word_encode(const char *in, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	if (len == 0) {
		if (outlen < 2)
			goto err_range;
		memcpy(out, "%", 2);
		return 1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		size_t need = must_escape(c) ? 3 : 1;

		if (o + need + 1 > outlen)
			goto err_range;
		if (need == 1) {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '%';
		out[o++] = hexdig[c >> 4];
		out[o++] = hexdig[c & 15];
	}
	out[o] = '\0';
	return (int)o;
err_range:
	errno = ERANGE;
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int agent_word_decode(char *w)
{
	size_t o = 0;

	if (!strcmp(w, "%")) {
		w[0] = '\0';
		return 0;
	}
	for (size_t i = 0; w[i]; i++) {
		int hi, lo;

		if (w[i] != '%') {
			w[o++] = w[i];
			continue;
		}
		hi = hexval(w[i + 1]);
		lo = hi < 0 ? -1 : hexval(w[i + 2]);
		if (lo < 0) {
			errno = EINVAL;
			return -1;
		}
		w[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	w[o] = '\0';
	return (int)o;
}

static int parse_id(const char *w, uint32_t *id)
{
	char *end;
	unsigned long v;

	if (*w < '0' || *w > '9')
		return -1;
	errno = 0;
	v = strtoul(w, &end, 10);
	if (*end || errno || v > UINT32_MAX)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/* A verb is a plain word (nothing to decode): agent_msg_format() writes it as it is, so
 * a verb such as "a%20b" would not come back as the same message. */
static bool verb_plain(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f || *v == '%')
			return false;
	return true;
}

int agent_msg_parse(char *line, struct agent_msg *m)
{
	char *words[AGENT_ARGS_MAX + 2];
	int n = 0;
	char *save = NULL;

	for (char *w = strtok_r(line, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (n == AGENT_ARGS_MAX + 2) {
			errno = E2BIG;
			return -1;
		}
		words[n++] = w;
	}
	if (n < 2 || parse_id(words[0], &m->id) < 0 ||
	    strlen(words[1]) >= AGENT_VERB_MAX || !verb_plain(words[1]))
		goto err_inval;
	strcpy(m->verb, words[1]);
	m->argc = n - 2;
	for (int i = 0; i < m->argc; i++) {
		int l = agent_word_decode(words[i + 2]);

		if (l < 0)
			goto err_inval;
		m->argv[i] = words[i + 2];
		m->arglen[i] = (size_t)l;
	}
	m->argv[m->argc] = NULL;
	return 0;
err_inval:
	errno = EINVAL;
	return -1;
}

int agent_msg_format(char *buf, size_t len, uint32_t id, const char *verb, int argc,
		     const char *const argv[], const size_t lens[])
{
	int o = snprintf(buf, len, "%" PRIu32 " %s", id, verb);

	if (o < 0 || (size_t)o >= len)
		goto err_range;
	for (int i = 0; i < argc; i++) {
		size_t l = lens ? lens[i] : strlen(argv[i]);
		int w;

		if ((size_t)o + 2 > len)
			goto err_range;
		buf[o++] = ' ';
		w = agent_word_encode(argv[i], l, buf + o, len - (size_t)o);
		if (w < 0)
			return -1;
		o += w;
	}
	if ((size_t)o + 2 > len)
		goto err_range;
	buf[o++] = '\n';
	buf[o] = '\0';
	return o;
err_range:
	errno = ERANGE;
	return -1;
}

void agent_rbuf_init(struct agent_rbuf *rb)
{
	rb->used = 0;
	rb->start = 0;
	rb->overflow = 0;
}

char *agent_rbuf_space(struct agent_rbuf *rb, size_t *room)
{
	if (rb->start > 0) {
		memmove(rb->buf, rb->buf + rb->start, rb->used - rb->start);
		rb->used -= rb->start;
		rb->start = 0;
	}
	if (rb->used == sizeof(rb->buf)) {
		/* A line that does not fit: drop it up to its newline. */
		rb->used = 0;
		rb->overflow = 1;
	}
	*room = sizeof(rb->buf) - rb->used;
	return rb->buf + rb->used;
}

void agent_rbuf_commit(struct agent_rbuf *rb, size_t n)
{
	rb->used += n;
}

char *agent_rbuf_line(struct agent_rbuf *rb)
{
	char *s = rb->buf + rb->start;
	char *nl = memchr(s, '\n', rb->used - rb->start);

	if (!nl) {
		if (rb->overflow) {
			rb->used = rb->start = 0;
		}
		errno = EAGAIN;
		return NULL;
	}
	*nl = '\0';
	rb->start = (size_t)(nl - rb->buf) + 1;
	if (rb->overflow) {
		rb->overflow = 0;
		errno = E2BIG;
		return NULL;
	}
	if (nl > s && nl[-1] == '\r')
		nl[-1] = '\0';
	return s;
}
