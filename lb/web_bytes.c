/*
 * web_bytes.c - /bytes/N stream generator and checkpointed checksum (see web_bytes.h).
 */
#include "web_bytes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "web_http.h"

static void line_make(char out[WEB_BYTES_LINE], uint64_t j)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = WEB_BYTES_LINE - 2; i >= 0; i--) {
		out[i] = hex[j & 15];
		j >>= 4;
	}
	out[WEB_BYTES_LINE - 1] = '\n';
}

void web_bytes_fill(char *buf, uint64_t off, size_t len)
{
	char line[WEB_BYTES_LINE];

	while (len) {
		uint64_t j = off / WEB_BYTES_LINE;
		size_t in = (size_t)(off % WEB_BYTES_LINE);
		size_t n = WEB_BYTES_LINE - in;
		if (n > len)
			n = len;
		if (n == WEB_BYTES_LINE) {
			line_make(buf, j); /* whole line: straight into place */
		} else {
			line_make(line, j);
			memcpy(buf, line + in, n);
		}
		buf += n;
		off += n;
		len -= n;
	}
}

/* Hash len bytes of the stream from off, continuing state h. */
static uint64_t hash_range(uint64_t h, uint64_t off, uint64_t len)
{
	char chunk[4096];

	while (len) {
		size_t n = len < sizeof(chunk) ? (size_t)len : sizeof(chunk);
		web_bytes_fill(chunk, off, n);
		h = web_fnv1a64(h, chunk, n);
		off += n;
		len -= n;
	}
	return h;
}

static int sums_extend(struct web_bytes_sums *s, size_t want)
{
	if (s->n >= want)
		return 0;
	uint64_t *st = realloc(s->state, want * sizeof(*st));
	if (!st)
		return -1;
	s->state = st;
	if (s->n == 0)
		st[s->n++] = WEB_FNV1A64_INIT;
	for (; s->n < want; s->n++)
		st[s->n] =
		    hash_range(st[s->n - 1], (uint64_t)(s->n - 1) * WEB_BYTES_STEP, WEB_BYTES_STEP);
	return 0;
}

int web_bytes_checksum(struct web_bytes_sums *s, uint64_t n, uint64_t *sum)
{
	if (n > WEB_BYTES_MAX) {
		errno = EFBIG;
		return -1;
	}
	size_t k = (size_t)(n / WEB_BYTES_STEP);
	if (sums_extend(s, k + 1) == -1)
		return -1;
	uint64_t base = (uint64_t)k * WEB_BYTES_STEP;
	*sum = hash_range(s->state[k], base, n - base);
	return 0;
}

void web_bytes_sums_release(struct web_bytes_sums *s)
{
	free(s->state);
	s->state = NULL;
	s->n = 0;
}
