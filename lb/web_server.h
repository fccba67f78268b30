/*
 * web_server.h - fl-web's HTTP/1.1 server on an loop.
 *
 * Non-blocking, keep-alive, pipelining-safe (one request answered at a time, in order).
 * Routes: GET|HEAD /health ("ok\n"), / (a short text naming the backend), /bytes/N (N
 * bytes of the web_bytes stream, generated while writing: a connection holds no body).
 * Every response carries Content-Length, X-Backend and X-Checksum (FNV-1a 64 of the
 * body). With a latency, each response starts that long after its request was complete
 * (a loop timer, not a sleep). A connection that asked for close (or HTTP/1.0 without
 * keep-alive, or a bad request) is half-closed after the response and closed when the
 * client closes or after WEB_LINGER_NS.
 */
#ifndef FL_WEB_SERVER_H
#define FL_WEB_SERVER_H

#include <netinet/in.h>
#include <stdint.h>

#include "loop.h"

#define WEB_LINGER_NS 2000000000ull /* wait for the client's FIN after our own */

struct web_server;

struct web_server_stats {
	uint64_t accepted;
	uint64_t requests;
	uint64_t open;		/* connections open now */
	uint64_t accept_paused; /* times accept() hit the fd limit */
};

/* web_addr_parse - "A.B.C.D:PORT" into out. Returns 0, or -1 with errno EINVAL. */
int web_addr_parse(const char *s, struct sockaddr_in *out);

/*
 * web_server_new - listen on addr and serve on loop as name, delaying every response by
 * latency_ns. Returns the server, or NULL with errno (bind/listen errors included).
 */
struct web_server *web_server_new(struct loop *loop, const struct sockaddr_in *addr,
				  const char *name, uint64_t latency_ns);

/* web_server_free - close the listener and every connection. NULL is a no-op. */
void web_server_free(struct web_server *srv);

/* web_server_stats - counters since start. */
void web_server_stats(const struct web_server *srv, struct web_server_stats *out);

#endif
