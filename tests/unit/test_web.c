/*
 * test_web.c - the HTTP codec (fed whole and byte by byte, pipelined, every rejection),
 * FNV-1a 64 against published/independently computed values, and the /bytes/N stream
 * and its checkpointed checksum against a naive model (build the whole body, hash it).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web_bytes.h"
#include "web_http.h"

void register_web_suite(void);

static uint64_t fnv(const char *s)
{
	return web_fnv1a64(WEB_FNV1A64_INIT, s, strlen(s));
}

static void test_fnv_known_values(void)
{
	/* FNV-1a 64 reference values (also computed independently in Python) */
	CU_ASSERT_EQUAL(0xcbf29ce484222325ull, fnv(""));
	CU_ASSERT_EQUAL(0xaf63dc4c8601ec8cull, fnv("a"));
	CU_ASSERT_EQUAL(0x85944171f73967e8ull, fnv("foobar"));
	/* incremental == one shot */
	uint64_t h = web_fnv1a64(WEB_FNV1A64_INIT, "foo", 3);
	CU_ASSERT_EQUAL(fnv("foobar"), web_fnv1a64(h, "bar", 3));
}

/* Feed s to p in pieces of step bytes; returns total consumed. */
static size_t feed_by(struct web_http *p, const char *s, size_t len, size_t step)
{
	size_t used = 0;

	while (used < len && p->state != WEB_HTTP_DONE && p->state != WEB_HTTP_ERROR) {
		size_t n = len - used < step ? len - used : step;
		size_t k = web_http_feed(p, s + used, n);
		used += k;
		if (k < n)
			break;
	}
	return used;
}

static const char two_reqs[] = "GET /bytes/100 HTTP/1.1\r\nHost: 198.18.0.1\r\n"
			       "User-Agent: x\r\n\r\n"
			       "HEAD /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";

static void test_http_request_pipelined_any_split(void)
{
	size_t first = strstr(two_reqs, "HEAD") - two_reqs;

	for (size_t step = 1; step <= sizeof(two_reqs); step++) {
		struct web_http p;
		web_http_init(&p, WEB_HTTP_REQUEST);
		size_t used = feed_by(&p, two_reqs, sizeof(two_reqs) - 1, step);
		CU_ASSERT_EQUAL_FATAL(WEB_HTTP_DONE, p.state);
		CU_ASSERT_EQUAL(first, used);
		CU_ASSERT_STRING_EQUAL("GET", p.method);
		CU_ASSERT_STRING_EQUAL("/bytes/100", p.target);
		CU_ASSERT_EQUAL(1, p.minor);
		CU_ASSERT_TRUE(p.keep_alive);

		web_http_init(&p, WEB_HTTP_REQUEST);
		used += feed_by(&p, two_reqs + used, sizeof(two_reqs) - 1 - used, step);
		CU_ASSERT_EQUAL_FATAL(WEB_HTTP_DONE, p.state);
		CU_ASSERT_EQUAL(sizeof(two_reqs) - 1, used);
		CU_ASSERT_STRING_EQUAL("HEAD", p.method);
		CU_ASSERT_STRING_EQUAL("/health", p.target);
		CU_ASSERT_EQUAL(0, p.minor);
		CU_ASSERT_TRUE(p.keep_alive); /* 1.0 + keep-alive */
	}
}

static void test_http_connection_close(void)
{
	static const char *const reqs[] = {
	    "GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
	    "GET / HTTP/1.1\r\nconnection: Keep-Alive, CLOSE\r\n\r\n",
	    "GET / HTTP/1.0\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		struct web_http p;
		web_http_init(&p, WEB_HTTP_REQUEST);
		web_http_feed(&p, reqs[i], strlen(reqs[i]));
		CU_ASSERT_EQUAL(WEB_HTTP_DONE, p.state);
		CU_ASSERT_FALSE(p.keep_alive);
	}
}

static void test_http_response_body_byte_by_byte(void)
{
	char msg[512];
	const char *body = "hello, world\n";
	int n =
	    web_http_response_head(msg, sizeof(msg), 200, "web1", strlen(body), fnv(body), true);
	CU_ASSERT_FATAL(n > 0);
	strcpy(msg + n, body);
	strcat(msg, "HTTP/1.1 404"); /* the next response must be left alone */
	size_t total = strlen(msg);

	for (size_t step = 1; step < 40; step += 3) {
		struct web_http p;
		web_http_init(&p, WEB_HTTP_RESPONSE);
		size_t used = feed_by(&p, msg, total, step);
		CU_ASSERT_EQUAL_FATAL(WEB_HTTP_DONE, p.state);
		CU_ASSERT_EQUAL(total - strlen("HTTP/1.1 404"), used);
		CU_ASSERT_EQUAL(200, p.status);
		CU_ASSERT_STRING_EQUAL("web1", p.backend);
		CU_ASSERT_TRUE(p.has_checksum);
		CU_ASSERT_EQUAL(fnv(body), p.checksum);
		CU_ASSERT_EQUAL(p.checksum, p.body_hash);
		CU_ASSERT_EQUAL(strlen(body), p.body_seen);
		CU_ASSERT_TRUE(p.keep_alive);
	}
}

static void test_http_response_delimiters(void)
{
	struct web_http p;
	const char *eof = "HTTP/1.0 503 Service Unavailable\r\n\r\nno server";

	web_http_init(&p, WEB_HTTP_RESPONSE);
	CU_ASSERT_EQUAL(strlen(eof), web_http_feed(&p, eof, strlen(eof)));
	CU_ASSERT_EQUAL(WEB_HTTP_BODY, p.state);
	CU_ASSERT_EQUAL(0, web_http_eof(&p));
	CU_ASSERT_EQUAL(WEB_HTTP_DONE, p.state);
	CU_ASSERT_EQUAL(503, p.status);
	CU_ASSERT_EQUAL(9, p.body_seen);

	const char *trunc = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
	web_http_init(&p, WEB_HTTP_RESPONSE);
	web_http_feed(&p, trunc, strlen(trunc));
	CU_ASSERT_EQUAL(WEB_HTTP_BODY, p.state);
	CU_ASSERT_EQUAL(-1, web_http_eof(&p));

	const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
	web_http_init(&p, WEB_HTTP_RESPONSE);
	p.want_body = false;
	CU_ASSERT_EQUAL(strlen(head), web_http_feed(&p, head, strlen(head)));
	CU_ASSERT_EQUAL(WEB_HTTP_DONE, p.state);

	const char *nocontent = "HTTP/1.1 204 No Content\r\n\r\n";
	web_http_init(&p, WEB_HTTP_RESPONSE);
	web_http_feed(&p, nocontent, strlen(nocontent));
	CU_ASSERT_EQUAL(WEB_HTTP_DONE, p.state);
}

static void test_http_rejections(void)
{
	static const char *const bad[][2] = {
	    {"req", "GET\r\n\r\n"},
	    {"req", "GET / HTTP/2.0\r\n\r\n"},
	    {"req", "GET  HTTP/1.1\r\n\r\n"},
	    {"req", "GET / HTTP/1.1\r\nno colon here\r\n\r\n"},
	    {"req", "GET / HTTP/1.1\r\nA: b\r\n continued\r\n\r\n"},
	    {"req", "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"},
	    {"req", "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"},
	    {"rsp", "HTTP/1.1 20 OK\r\n\r\n"},
	    {"rsp", "HTTP/1.1 200OK\r\n\r\n"},
	    {"rsp", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"},
	    {"rsp", "HTTP/1.1 200 OK\r\nX-Checksum: 123\r\n\r\n"},
	    {"rsp", "HTTP/1.1 200 OK\r\nX-Checksum: 0123456789abcdeg\r\n\r\n"},
	    {"rsp", "SSH-2.0-OpenSSH\r\n"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct web_http p;
		web_http_init(&p, bad[i][0][1] == 'e' ? WEB_HTTP_REQUEST : WEB_HTTP_RESPONSE);
		web_http_feed(&p, bad[i][1], strlen(bad[i][1]));
		CU_ASSERT_EQUAL(WEB_HTTP_ERROR, p.state);
		if (p.state != WEB_HTTP_ERROR)
			fprintf(stderr, "accepted: %s\n", bad[i][1]);
		CU_ASSERT_PTR_NOT_NULL(p.err);
	}
}

static void test_http_limits(void)
{
	char big[WEB_HTTP_LINE_MAX + 64];
	struct web_http p;

	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	web_http_init(&p, WEB_HTTP_REQUEST);
	CU_ASSERT(web_http_feed(&p, big, sizeof(big)) <= WEB_HTTP_LINE_MAX + 1);
	CU_ASSERT_EQUAL(WEB_HTTP_ERROR, p.state);

	/* many short headers: the head limit, not the line limit */
	web_http_init(&p, WEB_HTTP_REQUEST);
	web_http_feed(&p, "GET / HTTP/1.1\r\n", 16);
	for (int i = 0; i < WEB_HTTP_HEAD_MAX / 8 && p.state == WEB_HTTP_HEAD; i++)
		web_http_feed(&p, "A: bbb\r\n", 8);
	CU_ASSERT_EQUAL(WEB_HTTP_ERROR, p.state);

	/* target too long for the buffer: rejected, not truncated */
	char req[WEB_HTTP_TARGET_MAX + 32];
	memset(req, 'x', sizeof(req));
	memcpy(req, "GET /", 5);
	strcpy(req + WEB_HTTP_TARGET_MAX + 8, " HTTP/1.1\r\n\r\n");
	web_http_init(&p, WEB_HTTP_REQUEST);
	web_http_feed(&p, req, strlen(req));
	CU_ASSERT_EQUAL(WEB_HTTP_ERROR, p.state);
}

static void test_http_format_fits(void)
{
	char buf[256];

	CU_ASSERT_EQUAL(-1, web_http_response_head(buf, 20, 200, "w", 1, 1, true));
	int n = web_http_request(buf, sizeof(buf), "GET", "198.18.0.1:80", "/x", false);
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL((size_t)n, strlen(buf));
	struct web_http p;
	web_http_init(&p, WEB_HTTP_REQUEST);
	CU_ASSERT_EQUAL((size_t)n, web_http_feed(&p, buf, (size_t)n));
	CU_ASSERT_EQUAL(WEB_HTTP_DONE, p.state);
	CU_ASSERT_FALSE(p.keep_alive);
	CU_ASSERT_EQUAL(-1, web_http_request(buf, 10, "GET", "h", "/x", true));
}

/* Naive model of the /bytes stream. */
static char *model_body(size_t n)
{
	char *b = malloc(n + WEB_BYTES_LINE + 1);
	for (size_t j = 0; j * WEB_BYTES_LINE < n; j++)
		snprintf(b + j * WEB_BYTES_LINE, WEB_BYTES_LINE + 1, "%015zx\n", j);
	return b;
}

static void test_bytes_fill_any_offset(void)
{
	size_t n = 5000;
	char *want = model_body(n);
	char got[600];

	for (size_t off = 0; off < 4000; off += 37) {
		size_t len = (off * 7) % 590 + 1;
		web_bytes_fill(got, off, len);
		CU_ASSERT_EQUAL(0, memcmp(want + off, got, len));
	}
	free(want);
}

static void test_bytes_checksum_model(void)
{
	size_t max = 3 * WEB_BYTES_STEP + 100;
	char *body = model_body(max);
	struct web_bytes_sums s = {0};
	size_t ns[] = {0,
		       1,
		       15,
		       16,
		       17,
		       WEB_BYTES_STEP - 1,
		       WEB_BYTES_STEP,
		       WEB_BYTES_STEP + 1,
		       2 * WEB_BYTES_STEP + 7,
		       max,
		       100};
	uint64_t sum;

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(0, web_bytes_checksum(&s, ns[i], &sum));
		CU_ASSERT_EQUAL(web_fnv1a64(WEB_FNV1A64_INIT, body, ns[i]), sum);
	}
	/* computed independently (Python) over the same stream */
	CU_ASSERT_EQUAL(0, web_bytes_checksum(&s, 1000000, &sum));
	CU_ASSERT_EQUAL(0x1836873ebf59e40dull, sum);
	CU_ASSERT_EQUAL(0, web_bytes_checksum(&s, 100, &sum));
	CU_ASSERT_EQUAL(0xe7ace8275b97e4a8ull, sum);
	CU_ASSERT_EQUAL(-1, web_bytes_checksum(&s, WEB_BYTES_MAX + 1, &sum));
	web_bytes_sums_release(&s);
	free(body);
}

void register_web_suite(void)
{
	CU_pSuite s = CU_add_suite("web", NULL, NULL);

	CU_add_test(s, "fnv_known_values", test_fnv_known_values);
	CU_add_test(s, "http_request_pipelined_any_split", test_http_request_pipelined_any_split);
	CU_add_test(s, "http_connection_close", test_http_connection_close);
	CU_add_test(s, "http_response_body_byte_by_byte", test_http_response_body_byte_by_byte);
	CU_add_test(s, "http_response_delimiters", test_http_response_delimiters);
	CU_add_test(s, "http_rejections", test_http_rejections);
	CU_add_test(s, "http_limits", test_http_limits);
	CU_add_test(s, "http_format_fits", test_http_format_fits);
	CU_add_test(s, "bytes_fill_any_offset", test_bytes_fill_any_offset);
	CU_add_test(s, "bytes_checksum_model", test_bytes_checksum_model);
}
