/*
 * web_http.h - a small incremental HTTP/1.1 codec for fl-web, fl-load and fl-lb's
 * HTTP health check, and the FNV-1a 64-bit checksum every fl-web body carries.
 *
 * Pure: no I/O, no allocation. The parser is a byte-driven state machine: feed it
 * whatever arrived (one byte at a time works) and it says how much it consumed; bytes
 * after the end of a message (pipelining) are left to the caller. It keeps only what the
 * lb/ programs need: method, target, status, version, Connection, Content-Length,
 * X-Backend and X-Checksum. Bodies are counted and hashed, never stored.
 *
 *   request:   GET /bytes/100 HTTP/1.1\r\n  Host: x\r\n  \r\n
 *   response:  HTTP/1.1 200 OK\r\n  Content-Length: 100\r\n  X-Checksum: <16 hex>\r\n  \r\n  body
 *
 * Not supported (rejected as WEB_HTTP_ERROR): chunked transfer coding, obs-fold header
 * continuation lines, lines longer than WEB_HTTP_LINE_MAX. A response without
 * Content-Length has a body that ends at EOF (web_http_eof()).
 */
#ifndef FL_WEB_HTTP_H
#define FL_WEB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_FNV1A64_INIT  0xcbf29ce484222325ull /* FNV-1a 64 offset basis */
#define WEB_FNV1A64_PRIME 0x100000001b3ull	/* FNV 64-bit prime */

#define WEB_HTTP_LINE_MAX   2048  /* longest request/status/header line accepted */
#define WEB_HTTP_HEAD_MAX   16384 /* longest head (all lines) accepted */
#define WEB_HTTP_TARGET_MAX 256
#define WEB_HTTP_NAME_MAX   64

enum web_http_kind {
	WEB_HTTP_REQUEST = 1,
	WEB_HTTP_RESPONSE = 2,
};

enum web_http_state {
	WEB_HTTP_HEAD = 1, /* reading the start line and headers */
	WEB_HTTP_BODY = 2, /* head complete, reading the body */
	WEB_HTTP_DONE = 3, /* message complete; web_http_init() again for the next */
	WEB_HTTP_ERROR = 4 /* malformed; err says why */
};

struct web_http {
	enum web_http_kind kind;
	enum web_http_state state;
	const char *err; /* static text when state is WEB_HTTP_ERROR */
	/* the start line */
	char method[16];		  /* request */
	char target[WEB_HTTP_TARGET_MAX]; /* request */
	int status;			  /* response */
	int minor;			  /* HTTP/1.<minor> */
	/* headers */
	bool keep_alive; /* after version default and Connection */
	bool has_length;
	uint64_t length; /* Content-Length */
	bool has_checksum;
	uint64_t checksum;		 /* X-Checksum */
	char backend[WEB_HTTP_NAME_MAX]; /* X-Backend, "" when absent */
	/* body */
	bool body_to_eof; /* response without Content-Length */
	uint64_t body_seen;
	uint64_t body_hash; /* FNV-1a 64 of the body so far */
	/* line assembly */
	size_t head_len;
	size_t line_len;
	bool seen_start;
	bool want_body; /* false for a response to HEAD */
	char line[WEB_HTTP_LINE_MAX];
};

/* web_fnv1a64 - continue FNV-1a 64 hash h (start with WEB_FNV1A64_INIT) over buf. */
uint64_t web_fnv1a64(uint64_t h, const void *buf, size_t len);

/*
 * web_http_init - reset p to parse one message of the given kind. For a response to a
 * HEAD request set p->want_body = false afterwards (there is no body whatever the
 * headers say).
 */
void web_http_init(struct web_http *p, enum web_http_kind kind);

/*
 * web_http_feed - parse up to len bytes of buf. Returns how many bytes were consumed;
 * fewer than len only when the message ended (WEB_HTTP_DONE) or was rejected
 * (WEB_HTTP_ERROR, p->err says why). Feeding a finished parser consumes nothing.
 */
size_t web_http_feed(struct web_http *p, const char *buf, size_t len);

/*
 * web_http_eof - the peer closed the connection. Returns 0 and moves to WEB_HTTP_DONE
 * when that ends the message (a body delimited by EOF), else -1 (truncated message).
 */
int web_http_eof(struct web_http *p);

/* web_http_is_done - whether a complete message was parsed. */
bool web_http_is_done(const struct web_http *p);

/*
 * web_http_response_head - format a response head with Content-Length, X-Backend,
 * X-Checksum (16 lowercase hex digits) and Connection into buf.
 * Returns its length, or -1 when it does not fit in size.
 */
int web_http_response_head(char *buf, size_t size, int status, const char *backend, uint64_t length,
			   uint64_t checksum, bool keep_alive);

/*
 * web_http_request - format "GET <path> HTTP/1.1" with Host and Connection into buf.
 * Returns its length, or -1 when it does not fit in size.
 */
int web_http_request(char *buf, size_t size, const char *method, const char *host, const char *path,
		     bool keep_alive);

/* web_http_reason - the reason phrase for a status code ("OK", "Not Found"...). */
const char *web_http_reason(int status);

#endif
