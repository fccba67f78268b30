/*
 * web_server.c - fl-web's server (see web_server.h).
 *
 * A connection is in one of four phases:
 *   READ     parsing a request (EPOLLIN);
 *   DELAY    request complete, waiting for the latency timer (no events but errors);
 *   WRITE    sending head then body (EPOLLOUT when the socket is full);
 *   LINGER   response sent with "Connection: close", write side shut, reading until
 *            the client's EOF or the linger timer.
 * Bytes that arrive after a request (pipelining) stay in the input buffer and are only
 * parsed once the response to that request is sent.
 */
#include "web_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "web_bytes.h"
#include "web_http.h"

#define WEB_IN_SIZE	    4096
#define WEB_SCRATCH	    (128u * 1024) /* body chunk generated per write() */
#define WEB_ACCEPT_BATCH    64
#define WEB_ACCEPT_PAUSE_NS 100000000ull /* retry accept() after hitting the fd limit */

enum web_phase { WEB_READ = 1, WEB_DELAY, WEB_WRITE, WEB_LINGER };

struct web_conn {
	struct web_server *srv;
	int fd;
	enum web_phase phase;
	struct loop_timer timer; /* latency delay, then linger */
	size_t in_len, in_off;
	char head[512];
	size_t head_len, head_off;
	const char *body_text; /* static body, or NULL for the /bytes stream */
	uint64_t body_len, body_off;
	bool keep_alive;
	struct web_http req;
	char in[WEB_IN_SIZE];
};

struct web_server {
	struct loop *loop;
	int lfd;
	char name[WEB_HTTP_NAME_MAX];
	char root_body[WEB_HTTP_NAME_MAX + 32];
	uint64_t latency_ns;
	struct loop_timer accept_timer;
	struct web_bytes_sums sums;
	struct web_server_stats stats;
	struct web_conn **conns; /* by fd, for web_server_free */
	size_t nconns;
	char scratch[WEB_SCRATCH];
};

static void conn_process(struct web_conn *c);

int web_addr_parse(const char *s, struct sockaddr_in *out)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		goto err;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port > 65535)
		goto err;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &out->sin_addr) != 1)
		goto err;
	return 0;
err:
	errno = EINVAL;
	return -1;
}

/* ---- connections ---- */

static int conns_track(struct web_server *srv, struct web_conn *c)
{
	if ((size_t)c->fd >= srv->nconns) {
		size_t n = srv->nconns ? srv->nconns : 256;
		while (n <= (size_t)c->fd)
			n *= 2;
		struct web_conn **t = realloc(srv->conns, n * sizeof(*t));
		if (!t)
			return -1;
		memset(t + srv->nconns, 0, (n - srv->nconns) * sizeof(*t));
		srv->conns = t;
		srv->nconns = n;
	}
	srv->conns[c->fd] = c;
	return 0;
}

static void conn_close(struct web_conn *c)
{
	struct web_server *srv = c->srv;

	loop_timer_cancel(srv->loop, &c->timer);
	loop_fd_del(srv->loop, c->fd);
	srv->conns[c->fd] = NULL;
	close(c->fd);
	srv->stats.open--;
	free(c);
}

static void conn_set_events(struct web_conn *c, uint32_t events)
{
	if (loop_fd_mod(c->srv->loop, c->fd, events) == -1)
		conn_close(c);
}

/* Route the parsed request: status and body. */
static int conn_route(struct web_conn *c, uint64_t *sum)
{
	struct web_server *srv = c->srv;
	const char *t = c->req.target;
	bool get = !strcmp(c->req.method, "GET") || !strcmp(c->req.method, "HEAD");

	c->body_text = NULL;
	if (!get) {
		c->body_text = "method not allowed\n";
		return 405;
	}
	if (!strcmp(t, "/health") || !strcmp(t, "/")) {
		c->body_text = t[1] ? "ok\n" : srv->root_body;
		return 200;
	}
	if (!strncmp(t, "/bytes/", 7) && t[7] >= '0' && t[7] <= '9') {
		char *end;
		unsigned long long n = strtoull(t + 7, &end, 10);
		if (*end == '\0' && web_bytes_checksum(&srv->sums, n, sum) == 0) {
			c->body_len = n;
			return 200;
		}
		c->body_text = "too large\n";
		return 413;
	}
	c->body_text = "not found\n";
	return 404;
}

/* Prepare the head and body of the response to c->req (or to a bad request). */
static void conn_respond(struct web_conn *c, bool bad)
{
	uint64_t sum = 0;
	int status;

	c->srv->stats.requests++;
	if (bad) {
		status = 400;
		c->body_text = "bad request\n";
	} else {
		status = conn_route(c, &sum);
	}
	if (c->body_text) {
		c->body_len = strlen(c->body_text);
		sum = web_fnv1a64(WEB_FNV1A64_INIT, c->body_text, c->body_len);
	}
	c->keep_alive = !bad && c->req.keep_alive;
	int n = web_http_response_head(c->head, sizeof(c->head), status, c->srv->name, c->body_len,
				       sum, c->keep_alive);
	c->head_len = n > 0 ? (size_t)n : 0;
	c->head_off = 0;
	c->body_off = 0;
	if (!bad && !strcmp(c->req.method, "HEAD"))
		c->body_len = 0;
}

/* Fill scratch with what is left of the head, then body; returns the length. */
static size_t conn_fill(struct web_conn *c)
{
	char *s = c->srv->scratch;
	size_t n = c->head_len - c->head_off;

	memcpy(s, c->head + c->head_off, n);
	uint64_t left = c->body_len - c->body_off;
	size_t room = WEB_SCRATCH - n;
	size_t k = left < room ? (size_t)left : room;
	if (c->body_text)
		memcpy(s + n, c->body_text + c->body_off, k);
	else
		web_bytes_fill(s + n, c->body_off, k);
	return n + k;
}

static void conn_advance(struct web_conn *c, size_t sent)
{
	size_t h = c->head_len - c->head_off;

	if (sent < h) {
		c->head_off += sent;
		return;
	}
	c->head_off = c->head_len;
	c->body_off += sent - h;
}

static void conn_linger_cb(struct loop *loop, struct loop_timer *t, void *arg)
{
	(void)loop;
	(void)t;
	conn_close(arg);
}

/* The response is out: next request, or half-close and linger. */
static void conn_sent(struct web_conn *c)
{
	if (!c->keep_alive) {
		shutdown(c->fd, SHUT_WR);
		c->phase = WEB_LINGER;
		loop_timer_init(&c->timer, conn_linger_cb, c);
		if (loop_timer_arm(c->srv->loop, &c->timer, loop_now_ns() + WEB_LINGER_NS) == -1)
			return conn_close(c);
		return conn_set_events(c, EPOLLIN);
	}
	c->phase = WEB_READ;
	web_http_init(&c->req, WEB_HTTP_REQUEST);
	if (loop_fd_mod(c->srv->loop, c->fd, EPOLLIN) == -1)
		return conn_close(c);
	conn_process(c);
}

static void conn_write(struct web_conn *c)
{
	while (c->head_off < c->head_len || c->body_off < c->body_len) {
		size_t n = conn_fill(c);
		ssize_t w = send(c->fd, c->srv->scratch, n, MSG_NOSIGNAL);
		if (w == -1 && (errno == EAGAIN || errno == EINTR))
			return conn_set_events(c, EPOLLOUT);
		if (w == -1)
			return conn_close(c);
		conn_advance(c, (size_t)w);
	}
	conn_sent(c);
}

static void conn_delay_cb(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct web_conn *c = arg;

	(void)loop;
	(void)t;
	c->phase = WEB_WRITE;
	conn_write(c);
}

static void conn_start_response(struct web_conn *c, bool bad)
{
	conn_respond(c, bad);
	if (bad)
		c->in_off = c->in_len; /* nothing after a bad request is trusted */
	if (c->srv->latency_ns == 0) {
		c->phase = WEB_WRITE;
		return conn_write(c);
	}
	c->phase = WEB_DELAY;
	loop_timer_init(&c->timer, conn_delay_cb, c);
	if (loop_timer_arm(c->srv->loop, &c->timer, loop_now_ns() + c->srv->latency_ns) == -1)
		return conn_close(c);
	conn_set_events(c, 0); /* errors and hang-ups still arrive */
}

/* Parse buffered input; start a response when a request is complete. */
static void conn_process(struct web_conn *c)
{
	while (c->phase == WEB_READ && c->in_off < c->in_len) {
		c->in_off += web_http_feed(&c->req, c->in + c->in_off, c->in_len - c->in_off);
		if (c->in_off == c->in_len)
			c->in_off = c->in_len = 0;
		if (c->req.state == WEB_HTTP_ERROR)
			return conn_start_response(c, true);
		if (c->req.state == WEB_HTTP_DONE)
			return conn_start_response(c, false);
	}
}

/* Read what is there; returns false when the connection is gone. */
static bool conn_read(struct web_conn *c)
{
	for (;;) {
		if (c->in_off == c->in_len)
			c->in_off = c->in_len = 0;
		if (c->in_len == sizeof(c->in))
			return true; /* pipelined backlog: read more once it is parsed */
		ssize_t r = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
		if (r > 0) {
			if (c->phase == WEB_LINGER)
				c->in_len = c->in_off = 0; /* discard until EOF */
			else
				c->in_len += (size_t)r;
			continue;
		}
		if (r == -1 && (errno == EAGAIN || errno == EINTR))
			return true;
		conn_close(c); /* EOF or error */
		return false;
	}
}

static void conn_cb(struct loop *loop, int fd, uint32_t events, void *arg)
{
	struct web_conn *c = arg;

	(void)loop;
	(void)fd;
	if (c->phase == WEB_WRITE && (events & EPOLLOUT))
		return conn_write(c);
	if (c->phase == WEB_DELAY) {
		if (events & (EPOLLERR | EPOLLHUP))
			conn_close(c);
		return;
	}
	if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && conn_read(c))
		conn_process(c);
}

/* ---- listener ---- */

static void conn_new(struct web_server *srv, int fd)
{
	struct web_conn *c = malloc(sizeof(*c));
	int one = 1;

	if (!c)
		goto err_close;
	memset(c, 0, offsetof(struct web_conn, req));
	c->srv = srv;
	c->fd = fd;
	c->phase = WEB_READ;
	web_http_init(&c->req, WEB_HTTP_REQUEST);
	loop_timer_init(&c->timer, conn_delay_cb, c);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (conns_track(srv, c) == -1)
		goto err_free;
	if (loop_fd_add(srv->loop, fd, EPOLLIN, conn_cb, c) == -1)
		goto err_untrack;
	srv->stats.accepted++;
	srv->stats.open++;
	return;
err_untrack:
	srv->conns[fd] = NULL;
err_free:
	free(c);
err_close:
	close(fd);
}

static void accept_resume_cb(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct web_server *srv = arg;

	(void)t;
	loop_fd_mod(loop, srv->lfd, EPOLLIN);
}

static void accept_cb(struct loop *loop, int fd, uint32_t events, void *arg)
{
	struct web_server *srv = arg;

	(void)events;
	for (int i = 0; i < WEB_ACCEPT_BATCH; i++) {
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c >= 0) {
			conn_new(srv, c);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* out of fds: stop accepting for a while instead of spinning */
			srv->stats.accept_paused++;
			loop_fd_mod(loop, fd, 0);
			loop_timer_arm(loop, &srv->accept_timer, loop_now_ns() + WEB_ACCEPT_PAUSE_NS);
		}
		return;
	}
}

static int listen_open(const struct sockaddr_in *addr)
{
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)addr, sizeof(*addr)) == -1 ||
	    listen(fd, 4096) == -1) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

struct web_server *web_server_new(struct loop *loop, const struct sockaddr_in *addr,
				  const char *name, uint64_t latency_ns)
{
	struct web_server *srv = calloc(1, sizeof(*srv));

	if (!srv)
		return NULL;
	srv->loop = loop;
	srv->latency_ns = latency_ns;
	snprintf(srv->name, sizeof(srv->name), "%s", name);
	snprintf(srv->root_body, sizeof(srv->root_body), "fl-web %s\n", srv->name);
	loop_timer_init(&srv->accept_timer, accept_resume_cb, srv);
	srv->lfd = listen_open(addr);
	if (srv->lfd == -1)
		goto err_free;
	if (loop_fd_add(loop, srv->lfd, EPOLLIN, accept_cb, srv) == -1)
		goto err_close;
	return srv;
err_close:
	close(srv->lfd);
err_free:
	free(srv);
	return NULL;
}

void web_server_free(struct web_server *srv)
{
	if (!srv)
		return;
	for (size_t i = 0; i < srv->nconns; i++)
		if (srv->conns[i])
			conn_close(srv->conns[i]);
	loop_timer_cancel(srv->loop, &srv->accept_timer);
	loop_fd_del(srv->loop, srv->lfd);
	close(srv->lfd);
	web_bytes_sums_release(&srv->sums);
	free(srv->conns);
	free(srv);
}

void web_server_stats(const struct web_server *srv, struct web_server_stats *out)
{
	*out = srv->stats;
}
