/*
 * fuzz_http_req.c - libFuzzer target for fl-web's request parser (lb/web_http.c in
 * request mode): the input is what a client sends on one connection, fed in chunks
 * (the first byte sets their size) with pipelined requests parsed one after another,
 * as fl-web does. The parser must consume all it is given until a message ends, and
 * keep its strings terminated.
 */
#include "fuzz_util.h"
#include "web_http.h"

#ifndef FUZZ_HTTP_KIND
#define FUZZ_HTTP_KIND WEB_HTTP_REQUEST
#endif

static void check(const struct web_http *p)
{
	if (!memchr(p->method, 0, sizeof(p->method)) || !memchr(p->target, 0, sizeof(p->target)) ||
	    !memchr(p->backend, 0, sizeof(p->backend)))
		abort();
	if (p->state == WEB_HTTP_ERROR && !p->err)
		abort();
	if (p->has_length && !p->body_to_eof && p->body_seen > p->length)
		abort();
}

#ifdef FUZZ_HTTP_DONE_HOOK
static void FUZZ_HTTP_DONE_HOOK(const struct web_http *p);
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct web_http p;
	size_t chunk = size ? (size_t)data[0] % 64 + 1 : 1;
	size_t at = size ? 1 : 0;

	web_http_init(&p, FUZZ_HTTP_KIND);
	if (size > 1 && data[1] & 0x80)
		p.want_body = false; /* a response to HEAD */
	while (at < size) {
		size_t n = size - at < chunk ? size - at : chunk;
		size_t used = web_http_feed(&p, (const char *)data + at, n);

		if (used > n || (used < n && p.state != WEB_HTTP_DONE && p.state != WEB_HTTP_ERROR))
			abort();
		at += used;
		check(&p);
		if (p.state == WEB_HTTP_ERROR)
			return 0;
		if (p.state == WEB_HTTP_DONE) {
#ifdef FUZZ_HTTP_DONE_HOOK
			FUZZ_HTTP_DONE_HOOK(&p);
#endif
			web_http_init(&p, FUZZ_HTTP_KIND); /* the next pipelined message */
		}
	}
	if (web_http_eof(&p) == 0 && !web_http_is_done(&p))
		abort();
	check(&p);
#ifdef FUZZ_HTTP_DONE_HOOK
	if (web_http_is_done(&p))
		FUZZ_HTTP_DONE_HOOK(&p);
#endif
	return 0;
}
