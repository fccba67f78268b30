/*
 * run_ctl.c - the control socket of a live run (see run_ctl.h for the protocol).
 *
 * Each connection is read on the run's loop until its request line is whole (at most
 * RUN_CTL_REQ_MAX bytes, else it is answered with an error), answered, and closed. A
 * request a node kind answers later (a guest's "run") keeps its connection until the
 * answer comes; when the control is torn down first, such a connection is only
 * closed, and freed by the answer (every pending agent request is answered, with
 * ECANCELED at the latest, when the guest is torn down).
 *
 * Invariants: a connection is on the loop exactly while its fd is open; the listening
 * socket's file is removed by the teardown, after which nobody can connect.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "agent_proto.h"
#include "ev.h"
#include "jsonl.h"
#include "lab.h"
#include "node.h"
#include "run.h"
#include "run_ctl.h"
#include "sockpath.h"
#include "scn.h"

struct run_ctl_conn {
	struct run_ctl *ctl; /* NULL once the control is gone (an answer still due) */
	int fd;
	size_t used;
	bool pending; /* a node kind answers later */
	int pty;      /* > 0: a terminal session of node pty_node (the stream mode) */
	int pty_node;
	int64_t t_accept_ns;
	char buf[RUN_CTL_REQ_MAX];
	struct run_ctl_conn *next;
};

struct run_ctl {
	struct run *run;
	struct run_ctl_ops ops;
	int fd;
	char path[PATH_MAX];
	const char *state;
	struct run_ctl_conn *conns;
	int n_conns;
};

void run_ctl_state_set(struct run_ctl *c, const char *state)
{
	if (c)
		c->state = state;
}

static void conn_close(struct run_ctl_conn *k)
{
	struct run_ctl *c = k->ctl;

	if (k->pty > 0 && c && run_lab(c->run)) { /* hang the session up: nobody reads it */
		struct lab *lab = run_lab(c->run);
		node_kind_of(lab, k->pty_node)->pty_close(lab, k->pty_node, k->pty);
		k->pending = false; /* a closed session calls nothing back */
	}
	k->pty = 0;
	if (k->fd >= 0) {
		if (c)
			ev_fd_del(run_loop(c->run), k->fd);
		close(k->fd);
		k->fd = -1;
	}
	if (c) {
		struct run_ctl_conn **p = &c->conns;
		while (*p && *p != k)
			p = &(*p)->next;
		if (*p)
			*p = k->next;
		c->n_conns--;
		k->ctl = NULL;
	}
	if (!k->pending)
		free(k);
}

/* The rest of a reply on a non-blocking socket: a reader that takes nothing for a
 * second gets no more. 0, or -1 when it is gone or stuck. */
static int send_rest(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			if (poll(&p, 1, 1000) == 1)
				continue;
		}
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send @o (taken) as one line, with @fd attached when >= 0; then the connection ends. */
static void conn_reply(struct run_ctl_conn *k, json_t *o, int fd)
{
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	size_t len = text ? strlen(text) : 0;

	json_decref(o);
	if (!text || len + 1 > RUN_CTL_REPLY_MAX) {
		free(text);
		text = strdup("{\"ok\":false,\"error\":\"reply too long or out of memory\"}");
		len = text ? strlen(text) : 0;
		fd = -1;
	}
	if (text && k->fd >= 0) {
		text[len] = '\n'; /* json_dumps' NUL becomes the line's end */
		struct iovec iov = {text, len + 1};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
		if (fd >= 0) {
			mh.msg_control = cbuf;
			mh.msg_controllen = sizeof(cbuf);
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		}
		ssize_t n;
		while ((n = sendmsg(k->fd, &mh, MSG_NOSIGNAL)) == -1 && errno == EINTR)
			;
		if (n >= 0 && (size_t)n < len + 1) /* the fd went with the first bytes */
			send_rest(k->fd, text + n, len + 1 - (size_t)n);
	}
	free(text);
	k->pending = false;
	conn_close(k);
}

static void conn_error(struct run_ctl_conn *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void conn_error(struct run_ctl_conn *k, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conn_reply(k, json_pack("{s:b,s:o}", "ok", 0, "error", jsonl_str(msg)), -1);
}

/* The node named @name of the run, or -1 after answering that there is none. */
static int conn_node(struct run_ctl_conn *k, const json_t *req)
{
	const struct scn *s = run_scn(k->ctl->run);
	const char *name = jsonl_get_str(req, "node");

	for (int i = 0; i < s->n_nodes; i++)
		if (!strcmp(s->nodes[i].name, name))
			return i;
	char names[512] = "";
	size_t at = 0;
	for (int i = 0; i < s->n_nodes && at < sizeof(names); i++)
		at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s", i ? ", " : "",
				       s->nodes[i].name);
	conn_error(k, "scenario %s has no node '%s' (nodes: %s)", s->name, name, names);
	return -1;
}

static json_t *node_json(const struct scn *s, int i)
{
	const struct scn_node *n = &s->nodes[i];
	json_t *addrs = json_array();
	char a[INET_ADDRSTRLEN], one[128];

	for (int k = 0; addrs && k < n->n_ifaces; k++) {
		const struct scn_network *net = &s->networks[n->ifaces[k].net];
		inet_ntop(AF_INET, &n->ifaces[k].addr, a, sizeof(a));
		snprintf(one, sizeof(one), "%s/%d %s", a, net->plen, net->name);
		json_array_append_new(addrs, jsonl_str(one));
	}
	return json_pack("{s:o,s:s,s:o*}", "name", jsonl_str(n->name), "kind",
			 n->kind == SCN_NODE_QEMU ? "qemu" : "netns", "addrs", addrs);
}

static void op_hello(struct run_ctl_conn *k)
{
	struct run *r = k->ctl->run;
	const struct scn *s = run_scn(r);
	json_t *nodes = json_array();
	char dir[PATH_MAX];

	for (int i = 0; nodes && i < s->n_nodes; i++)
		json_array_append_new(nodes, node_json(s, i));
	if (!realpath(run_dir(r), dir))
		snprintf(dir, sizeof(dir), "%s", run_dir(r));
	conn_reply(k,
		   json_pack("{s:b,s:o,s:o,s:i,s:s,s:I,s:I,s:o*}", "ok", 1, "scenario",
			     jsonl_str(s->name), "dir", jsonl_str(dir), "pid", (int)getpid(),
			     "state", k->ctl->state, "t0_ns", (json_int_t)run_t0(r), "duration_ms",
			     (json_int_t)s->duration_ms, "nodes", nodes),
		   -1);
}

static void op_netns(struct run_ctl_conn *k, const json_t *req)
{
	struct lab *lab = run_lab(k->ctl->run);
	int node = conn_node(k, req);
	int fd = node < 0 || !lab ? -1 : lab_node_netns_fd(lab, node);

	if (node < 0)
		return;
	if (!lab) {
		conn_error(k, "the lab is not built");
		return;
	}
	if (fd < 0) {
		conn_error(k,
			   "node %s is a %s node: it has no namespace on the host (exec and "
			   "shell go through its agent)",
			   run_scn(k->ctl->run)->nodes[node].name, node_kind_of(lab, node)->name);
		return;
	}
	conn_reply(k, json_pack("{s:b}", "ok", 1), fd);
}

/* node_run_fn: a guest's answer to "run". */
static void on_run(void *arg, int err, const char *why, int status, const char *out, size_t len)
{
	struct run_ctl_conn *k = arg;

	if (err) {
		conn_error(k, "%s", why ? why : strerror(err));
		return;
	}
	conn_reply(k, json_pack("{s:b,s:i,s:s%}", "ok", 1, "status", status, "output", out, len),
		   -1);
}

/*
 * The node of @req, whose kind must have @hook (a guest's run or pty_open), and its
 * "argv" into @argv (room for @cap words, NULL-terminated; the strings are @req's).
 * Returns the node, or -1 after answering the error.
 */
static int conn_node_argv(struct run_ctl_conn *k, const json_t *req, bool pty, char **argv,
			  size_t cap)
{
	struct lab *lab = run_lab(k->ctl->run);
	const json_t *a = json_object_get(req, "argv");
	size_t n = json_array_size(a);
	int node = conn_node(k, req);

	if (node < 0)
		return -1;
	const struct node_kind *kind = lab ? node_kind_of(lab, node) : NULL;
	if (!kind || (pty ? !kind->pty_open : !kind->run)) {
		conn_error(k, "node %s is entered by its namespace (op netns)",
			   run_scn(k->ctl->run)->nodes[node].name);
		return -1;
	}
	if (n == 0 || n >= cap) {
		conn_error(k, "argv wants 1 to %zu words", cap - 1);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!(argv[i] = (char *)json_string_value(json_array_get(a, i)))) {
			conn_error(k, "argv holds strings only");
			return -1;
		}
	argv[n] = NULL;
	return node;
}

static void op_run(struct run_ctl_conn *k, const json_t *req)
{
	struct lab *lab = run_lab(k->ctl->run);
	char *argv[65], err[512];
	int node = conn_node_argv(k, req, false, argv, sizeof(argv) / sizeof(argv[0]));

	if (node < 0)
		return;
	const struct node_kind *kind = node_kind_of(lab, node);
	k->pending = true;
	if (kind->run(lab, node, argv, on_run, k, err, sizeof(err)) == -1) {
		k->pending = false;
		conn_error(k, "%s", err);
	}
}

/* ---- the stream mode of "pty": after the ok line, client -> run "i WORD" (typed
 * bytes) and "w ROWS COLS" (a resize); run -> client "o WORD" (output) and finally
 * "x STATUS", each one agent_proto word-encoded line. ---- */

/* Send one line; -1 when that failed and the connection was closed (and freed,
 * unless an answer is still due to it). */
static int conn_line(struct run_ctl_conn *k, const char *line, size_t len)
{
	if (k->fd >= 0 && send_rest(k->fd, line, len) == 0)
		return 0;
	conn_close(k); /* the client is gone or stuck */
	return -1;
}

static void on_pty_out(void *arg, const char *data, size_t len)
{
	struct run_ctl_conn *k = arg;
	char line[3 * 4096 + 8];

	while (len) { /* at most 4096 bytes a line: the client's bound */
		size_t n = len > 4096 ? 4096 : len;
		memcpy(line, "o ", 2);
		int w = agent_word_encode(data, n, line + 2, sizeof(line) - 3);
		if (w < 0)
			return;
		line[2 + w] = '\n';
		if (conn_line(k, line, (size_t)w + 3) == -1)
			return;
		data += n;
		len -= n;
	}
}

static void on_pty_exit(void *arg, int status)
{
	struct run_ctl_conn *k = arg;
	char line[32];
	int n = snprintf(line, sizeof(line), "x %d\n", status);

	k->pty = 0; /* ended: nothing to hang up */
	k->pending = false;
	if (conn_line(k, line, (size_t)n) == 0)
		conn_close(k);
}

/* One line from the client of a session. */
static void pty_input(struct run_ctl_conn *k, char *line)
{
	struct lab *lab = run_lab(k->ctl->run);
	const struct node_kind *kind = node_kind_of(lab, k->pty_node);
	int rows, cols;

	if (line[0] == 'i' && line[1] == ' ') {
		int n = agent_word_decode(line + 2);
		if (n >= 0)
			kind->pty_write(lab, k->pty_node, k->pty, line + 2, (size_t)n);
	} else if (sscanf(line, "w %d %d", &rows, &cols) == 2 && kind->pty_resize) {
		kind->pty_resize(lab, k->pty_node, k->pty, rows, cols);
	}
}

static void on_pty_conn(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct run_ctl_conn *k = arg;
	ssize_t n;
	char *nl;

	(void)loop;
	(void)events;
	while ((n = read(fd, k->buf + k->used, sizeof(k->buf) - k->used)) == -1 && errno == EINTR)
		;
	if (n == -1 && errno == EAGAIN)
		return;
	if (n <= 0 || !k->ctl) { /* the client left: the session is hung up */
		k->pending = false;
		conn_close(k);
		return;
	}
	k->used += (size_t)n;
	while (k->fd >= 0 && (nl = memchr(k->buf, '\n', k->used))) {
		*nl = '\0';
		pty_input(k, k->buf);
		k->used -= (size_t)(nl + 1 - k->buf);
		memmove(k->buf, nl + 1, k->used);
	}
	if (k->fd >= 0 && k->used == sizeof(k->buf))
		k->used = 0; /* an over-long line: dropped */
}

static void on_pty_started(void *arg, int err, const char *why)
{
	struct run_ctl_conn *k = arg;
	char line[64];

	if (err) {
		k->pty = 0;
		k->pending = false;
		conn_error(k, "%s", why ? why : strerror(err));
		return;
	}
	int n = snprintf(line, sizeof(line), "{\"ok\":true}\n");
	if (conn_line(k, line, (size_t)n) == -1)
		return;
	if (ev_fd_add(run_loop(k->ctl->run), k->fd, EPOLLIN, on_pty_conn, k) == -1)
		conn_close(k);
}

static void op_pty(struct run_ctl_conn *k, const json_t *req)
{
	struct lab *lab = run_lab(k->ctl->run);
	char *argv[61], err[512];
	int node = conn_node_argv(k, req, true, argv, sizeof(argv) / sizeof(argv[0]));

	if (node < 0)
		return;
	const struct node_kind *kind = node_kind_of(lab, node);
	struct node_pty_fns fns = {on_pty_started, on_pty_out, on_pty_exit, k};
	k->pending = true;
	k->used = 0;
	k->pty_node = node;
	k->pty = kind->pty_open(lab, node, (int)jsonl_get_int(req, "rows", 24),
				(int)jsonl_get_int(req, "cols", 80), argv, &fns, err, sizeof(err));
	if (k->pty < 0) {
		k->pty = 0;
		k->pending = false;
		conn_error(k, "%s", err);
	}
}

static void op_inject(struct run_ctl_conn *k, const json_t *req)
{
	struct run_ctl *c = k->ctl;
	char msg[1024];

	if (!c->ops.inject) {
		conn_error(k, "this run takes no faults by hand");
		return;
	}
	if (c->ops.inject(c->ops.arg, jsonl_get_str(req, "fault"), msg, sizeof(msg)) == -1)
		conn_error(k, "%s", msg);
	else
		conn_reply(k, json_pack("{s:b,s:o}", "ok", 1, "msg", jsonl_str(msg)), -1);
}

static void conn_request(struct run_ctl_conn *k, char *line, size_t len)
{
	json_t *req = jsonl_line_parse(line, len);
	const char *op = jsonl_get_str(req, "op");

	if (!json_is_object(req))
		conn_error(k, "a request is one JSON object on one line");
	else if (!strcmp(op, "hello"))
		op_hello(k);
	else if (!strcmp(op, "netns"))
		op_netns(k, req);
	else if (!strcmp(op, "run"))
		op_run(k, req);
	else if (!strcmp(op, "inject"))
		op_inject(k, req);
	else if (!strcmp(op, "pty"))
		op_pty(k, req);
	else
		conn_error(k, "unknown op '%s' (hello, netns, run, pty, inject)", op);
	json_decref(req);
}

static void on_conn(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct run_ctl_conn *k = arg;
	ssize_t n;

	(void)loop;
	(void)events;
	while ((n = read(fd, k->buf + k->used, sizeof(k->buf) - k->used)) == -1 && errno == EINTR)
		;
	if (n == -1 && errno == EAGAIN)
		return;
	if (n <= 0) {
		conn_close(k);
		return;
	}
	k->used += (size_t)n;
	char *nl = memchr(k->buf, '\n', k->used);
	if (nl) {
		ev_fd_del(run_loop(k->ctl->run), k->fd); /* one request per connection */
		conn_request(k, k->buf, (size_t)(nl - k->buf));
	} else if (k->used == sizeof(k->buf)) {
		conn_error(k, "request longer than %d bytes", RUN_CTL_REQ_MAX);
	}
}

/* Root only: the file is 0600, and the peer's credentials must say so as well. */
static bool peer_is_root(int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0 && uc.uid == 0;
}

static void on_accept(struct ev_loop *loop, int lfd, uint32_t events, void *arg)
{
	struct run_ctl *c = arg;
	int fd;

	(void)events;
	/* a connection that never finished its request gives its slot to a new one */
	for (struct run_ctl_conn *k = c->conns, *next; k; k = next) {
		next = k->next;
		if (!k->pending && !k->pty && ev_now_ns() - k->t_accept_ns > RUN_CTL_IDLE_NS)
			conn_close(k);
	}
	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		struct run_ctl_conn *k = c->n_conns < RUN_CTL_CONNS_MAX && peer_is_root(fd)
					     ? calloc(1, sizeof(*k))
					     : NULL;
		if (!k) {
			close(fd);
			continue;
		}
		*k = (struct run_ctl_conn){
		    .ctl = c, .fd = fd, .next = c->conns, .t_accept_ns = ev_now_ns()};
		fcntl(fd, F_SETFL, O_NONBLOCK); /* writes wait a second at most (send_rest) */
		if (ev_fd_add(loop, fd, EPOLLIN, on_conn, k) == -1) {
			close(fd);
			free(k);
			continue;
		}
		c->conns = k;
		c->n_conns++;
	}
}

static void run_ctl_free(void *arg)
{
	struct run_ctl *c = arg;

	while (c->conns)
		conn_close(c->conns);
	if (c->fd >= 0) {
		ev_fd_del(run_loop(c->run), c->fd);
		close(c->fd);
		unlink(c->path);
	}
	free(c);
}

static int ctl_listen(struct run_ctl *c)
{
	struct sockpath sp;
	char dir[PATH_MAX];

	if (!realpath(run_dir(c->run), dir))
		return -1;
	if (snprintf(c->path, sizeof(c->path), "%s/%s", dir, RUN_CTL_SOCK) >= (int)sizeof(c->path))
		return errno = ENAMETOOLONG, -1;
	if (sockpath_set(&sp, c->path) == -1)
		return -1;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd == -1) {
		sockpath_done(&sp);
		return -1;
	}
	unlink(c->path);
	mode_t old = umask(0177); /* the socket file is born 0600 */
	int rc = bind(c->fd, (struct sockaddr *)&sp.sa, sizeof(sp.sa));
	umask(old);
	sockpath_done(&sp);
	if (rc == -1 || listen(c->fd, RUN_CTL_CONNS_MAX) == -1 ||
	    ev_fd_add(run_loop(c->run), c->fd, EPOLLIN, on_accept, c) == -1) {
		int e = errno;
		close(c->fd);
		c->fd = -1;
		if (rc == 0)
			unlink(c->path);
		return errno = e, -1;
	}
	return 0;
}

struct run_ctl *run_ctl_start(struct run *r, const struct run_ctl_ops *ops)
{
	struct run_ctl *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	*c = (struct run_ctl){.run = r, .fd = -1, .state = "timeline"};
	if (ops)
		c->ops = *ops;
	if (ctl_listen(c) == -1 || run_defer(r, run_ctl_free, c, "control socket") == -1) {
		int e = errno;
		if (c->fd >= 0) {
			ev_fd_del(run_loop(r), c->fd);
			close(c->fd);
			unlink(c->path);
		}
		free(c);
		return errno = e, NULL;
	}
	return c;
}
