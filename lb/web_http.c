/*
 * web_http.c - incremental HTTP/1.1 head parser, body counter and formatters
 * (see web_http.h).
 *
 * Invariant: while state is WEB_HTTP_HEAD, line[0..line_len) holds the bytes of the
 * current line seen so far (without its LF); a line is handled as soon as its LF
 * arrives, so the parser never looks back at earlier input.
 */
#include "web_http.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

uint64_t web_fnv1a64(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= WEB_FNV1A64_PRIME;
	}
	return h;
}

void web_http_init(struct web_http *p, enum web_http_kind kind)
{
	memset(p, 0, offsetof(struct web_http, line));
	p->kind = kind;
	p->state = WEB_HTTP_HEAD;
	p->body_hash = WEB_FNV1A64_INIT;
	p->want_body = true;
}

bool web_http_is_done(const struct web_http *p)
{
	return p->state == WEB_HTTP_DONE;
}

static void fail(struct web_http *p, const char *why)
{
	p->state = WEB_HTTP_ERROR;
	p->err = why;
}

/* "HTTP/1.x" at s; sets minor. */
static int parse_version(struct web_http *p, const char *s, size_t n)
{
	if (n != 8 || memcmp(s, "HTTP/1.", 7) || !isdigit((unsigned char)s[7]))
		return -1;
	p->minor = s[7] - '0';
	p->keep_alive = p->minor >= 1;
	return 0;
}

/* METHOD SP target SP HTTP/1.x */
static int parse_request_line(struct web_http *p, const char *s, size_t n)
{
	const char *sp1 = memchr(s, ' ', n);
	if (!sp1 || sp1 == s || (size_t)(sp1 - s) >= sizeof(p->method))
		return -1;
	const char *t = sp1 + 1;
	const char *sp2 = memchr(t, ' ', n - (size_t)(t - s));
	if (!sp2 || sp2 == t || (size_t)(sp2 - t) >= sizeof(p->target))
		return -1;
	memcpy(p->method, s, (size_t)(sp1 - s));
	memcpy(p->target, t, (size_t)(sp2 - t));
	return parse_version(p, sp2 + 1, n - (size_t)(sp2 + 1 - s));
}

/* HTTP/1.x SP 3DIGIT [SP reason] */
static int parse_status_line(struct web_http *p, const char *s, size_t n)
{
	if (n < 12 || s[8] != ' ' || parse_version(p, s, 8) == -1)
		return -1;
	for (int i = 9; i < 12; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	if (n > 12 && s[12] != ' ')
		return -1;
	p->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	return 0;
}

static int parse_u64(const char *s, size_t n, unsigned base, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > (base == 16 ? 16u : 19u))
		return -1;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;
		if (isdigit(c))
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* Connection: a comma-separated token list; close wins over keep-alive. */
static void parse_connection(struct web_http *p, const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t start = i;
		while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
			i++;
		size_t len = i - start;
		if (len == 5 && !strncasecmp(v + start, "close", 5))
			p->keep_alive = false;
		else if (len == 10 && !strncasecmp(v + start, "keep-alive", 10) && p->minor == 0)
			p->keep_alive = true;
	}
}

static bool name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && !strncasecmp(name, want, n);
}

static int parse_header(struct web_http *p, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	if (!colon || colon == s || s[0] == ' ' || s[0] == '\t')
		return -1; /* no name, or obs-fold */
	size_t nlen = (size_t)(colon - s);
	const char *v = colon + 1, *end = s + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t vlen = (size_t)(end - v);
	uint64_t x;

	if (name_is(s, nlen, "content-length")) {
		if (parse_u64(v, vlen, 10, &x) == -1 || (p->has_length && x != p->length))
			return -1;
		p->has_length = true;
		p->length = x;
	} else if (name_is(s, nlen, "transfer-encoding")) {
		return -1; /* chunked is not supported */
	} else if (name_is(s, nlen, "connection")) {
		parse_connection(p, v, vlen);
	} else if (name_is(s, nlen, "x-checksum")) {
		if (vlen != 16 || parse_u64(v, vlen, 16, &x) == -1)
			return -1;
		p->has_checksum = true;
		p->checksum = x;
	} else if (name_is(s, nlen, "x-backend")) {
		if (vlen >= sizeof(p->backend))
			vlen = sizeof(p->backend) - 1;
		memcpy(p->backend, v, vlen);
		p->backend[vlen] = '\0';
	}
	return 0;
}

/* The blank line: decide how the body is delimited. */
static void head_end(struct web_http *p)
{
	bool no_body = !p->want_body || (p->status >= 100 && p->status < 200) || p->status == 204 ||
		       p->status == 304;

	if (p->kind == WEB_HTTP_RESPONSE && !no_body && !p->has_length) {
		p->body_to_eof = true;
		p->keep_alive = false;
		p->state = WEB_HTTP_BODY;
		return;
	}
	if (no_body || p->length == 0)
		p->state = WEB_HTTP_DONE;
	else
		p->state = WEB_HTTP_BODY;
}

static void line_end(struct web_http *p)
{
	size_t n = p->line_len;

	if (n && p->line[n - 1] == '\r')
		n--;
	p->line_len = 0;
	if (!p->seen_start) {
		if (n == 0 && p->kind == WEB_HTTP_REQUEST)
			return; /* RFC 9112 2.2: ignore an empty line before a request */
		int r = p->kind == WEB_HTTP_REQUEST ? parse_request_line(p, p->line, n)
						    : parse_status_line(p, p->line, n);
		if (r == -1)
			fail(p, "bad start line");
		p->seen_start = true;
	} else if (n == 0) {
		head_end(p);
	} else if (parse_header(p, p->line, n) == -1) {
		fail(p, "bad header");
	}
}

static size_t feed_head(struct web_http *p, const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && p->state == WEB_HTTP_HEAD) {
		char c = buf[i++];
		if (++p->head_len > WEB_HTTP_HEAD_MAX)
			fail(p, "head too long");
		else if (c == '\n')
			line_end(p);
		else if (p->line_len == sizeof(p->line))
			fail(p, "line too long");
		else
			p->line[p->line_len++] = c;
	}
	return i;
}

static size_t feed_body(struct web_http *p, const char *buf, size_t len)
{
	size_t n = len;

	if (!p->body_to_eof && p->length - p->body_seen < n)
		n = (size_t)(p->length - p->body_seen);
	p->body_hash = web_fnv1a64(p->body_hash, buf, n);
	p->body_seen += n;
	if (!p->body_to_eof && p->body_seen == p->length)
		p->state = WEB_HTTP_DONE;
	return n;
}

size_t web_http_feed(struct web_http *p, const char *buf, size_t len)
{
	size_t used = 0;

	if (p->state == WEB_HTTP_HEAD)
		used = feed_head(p, buf, len);
	if (p->state == WEB_HTTP_BODY)
		used += feed_body(p, buf + used, len - used);
	return used;
}

int web_http_eof(struct web_http *p)
{
	if (p->state == WEB_HTTP_BODY && p->body_to_eof) {
		p->state = WEB_HTTP_DONE;
		return 0;
	}
	return p->state == WEB_HTTP_DONE ? 0 : -1;
}

const char *web_http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Content Too Large";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Unknown";
	}
}

int web_http_response_head(char *buf, size_t size, int status, const char *backend, uint64_t length,
			   uint64_t checksum, bool keep_alive)
{
	int n = snprintf(buf, size,
			 "HTTP/1.1 %03d %s\r\n"
			 "Content-Length: %llu\r\n"
			 "Content-Type: application/octet-stream\r\n"
			 "X-Backend: %s\r\n"
			 "X-Checksum: %016llx\r\n"
			 "Connection: %s\r\n"
			 "\r\n",
			 status, web_http_reason(status), (unsigned long long)length, backend,
			 (unsigned long long)checksum, keep_alive ? "keep-alive" : "close");
	return n < 0 || (size_t)n >= size ? -1 : n;
}

int web_http_request(char *buf, size_t size, const char *method, const char *host, const char *path,
		     bool keep_alive)
{
	int n = snprintf(buf, size,
			 "%s %s HTTP/1.1\r\n"
			 "Host: %s\r\n"
			 "User-Agent: fl-load\r\n"
			 "Connection: %s\r\n"
			 "\r\n",
			 method, path, host, keep_alive ? "keep-alive" : "close");
	return n < 0 || (size_t)n >= size ? -1 : n;
}
