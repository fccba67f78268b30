/*
 * nlk.c - the one netlink request/ack path (see nlk.h): a socket opened inside a
 * namespace, a queue of requests sent many per sendmsg, and the gather of their acks.
 *
 * Invariants: sequence numbers increase by one per request. reqs[i] describes request
 * tail + i, for every request from the oldest one still tracked to the last queued:
 * [tail, sent) are sent (pending counts those of them that still owe an ack) and
 * [sent, next) are queued in buf (the last one possibly still open: started by
 * nlk_msg, its length not yet counted in len). When pending drops to 0 the sent ones
 * are forgotten (tail = sent). Requests tracked are at most max_track unless one
 * nfnetlink batch needs more: the acks of all of them must fit the receive buffer.
 */
#include "nlk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter/nfnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NLK_SEND_BYTES 32768 /* one sendmsg: past it, what is queued goes out */
#define NLK_SEND_MSGS  256
#define NLK_ACK_COST   2048  /* receive-buffer bytes an ack may take (skb truesize) */
#define NLK_RBUF       32768 /* one datagram: an ack, or a reply to a get (no dumps) */
#define NLK_SOCKBUF    (4 << 20)

struct nlk_req {
	char what[NLK_WHAT];
	nlk_reply_fn fn;
	void *arg;
	bool ack;  /* sent with NLM_F_ACK: an answer is owed */
	bool done; /* answered (or abandoned) */
};

struct nlk {
	int fd;
	int protocol;
	uint32_t portid; /* 0: do not filter on the sender */
	uint32_t tail, sent, next;
	struct nlk_req *reqs;
	size_t n_reqs_cap;
	int max_track;
	char *buf; /* requests queued, not sent */
	size_t len, cap;
	struct nlmsghdr *open; /* started, its length not yet in len */
	int pending;
	bool in_batch; /* inside an nfnetlink batch: never sent in two parts */
	int err, n_err, last_n_err;
	char error[512];
};

/* How many requests may be in flight: as many acks as the receive buffer holds. */
static void nlk_track_max(struct nlk *sk)
{
	int rcv = 0;
	socklen_t l = sizeof(rcv);

	if (getsockopt(sk->fd, SOL_SOCKET, SO_RCVBUF, &rcv, &l) == -1 || rcv <= 0)
		rcv = 65536;
	sk->max_track = rcv / NLK_ACK_COST;
	if (sk->max_track < 8)
		sk->max_track = 8;
}

static struct nlk *nlk_new(int fd)
{
	struct nlk *sk = calloc(1, sizeof(*sk));
	socklen_t l;

	if (!sk)
		return NULL;
	sk->fd = fd;
	sk->tail = sk->sent = sk->next = 1;
	l = sizeof(sk->protocol);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &sk->protocol, &l) == -1)
		sk->protocol = -1;
	nlk_track_max(sk);
	return sk;
}

int nlk_window_set(struct nlk *sk, int acks)
{
	int want = acks * NLK_ACK_COST / 2; /* the kernel doubles it */

	if (setsockopt(sk->fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) == -1 &&
	    setsockopt(sk->fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want)) == -1)
		return -1;
	nlk_track_max(sk);
	return sk->max_track;
}

struct nlk *nlk_adopt(int fd)
{
	struct sockaddr_nl a;
	socklen_t l = sizeof(a);
	struct nlk *sk = nlk_new(fd);

	if (!sk)
		return NULL;
	if (getsockname(fd, (struct sockaddr *)&a, &l) == 0 && a.nl_family == AF_NETLINK)
		sk->portid = a.nl_pid;
	return sk;
}

/* A bound netlink socket of @protocol in the calling thread's namespace, or -1. */
static int nlk_socket(int protocol)
{
	struct sockaddr_nl a = {.nl_family = AF_NETLINK};
	int one = 1;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);

	if (fd == -1)
		return -1;
	/* best effort: without them errors carry less text and acks are longer */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* nlk_socket() in namespace @netns_fd: setns there on this thread, and back. */
static int nlk_socket_in(int protocol, int netns_fd)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd, e;

	if (home == -1)
		return -1;
	if (setns(netns_fd, CLONE_NEWNET) == -1) {
		e = errno;
		close(home);
		errno = e;
		return -1;
	}
	fd = nlk_socket(protocol);
	e = errno;
	if (setns(home, CLONE_NEWNET) == -1)
		abort(); /* we would go on in the wrong namespace: never */
	close(home);
	errno = e;
	return fd;
}

struct nlk *nlk_open(int protocol, int netns_fd)
{
	int fd = netns_fd < 0 ? nlk_socket(protocol) : nlk_socket_in(protocol, netns_fd);
	struct nlk *sk;

	if (fd == -1)
		return NULL;
	sk = nlk_adopt(fd);
	if (!sk) {
		close(fd);
		errno = ENOMEM;
	}
	return sk;
}

void nlk_close(struct nlk *sk)
{
	if (!sk)
		return;
	close(sk->fd);
	free(sk->reqs);
	free(sk->buf);
	free(sk);
}

int nlk_fd(const struct nlk *sk)
{
	return sk->fd;
}

const char *nlk_error(const struct nlk *sk)
{
	return sk->error;
}

int nlk_errors(const struct nlk *sk)
{
	return sk->last_n_err;
}

int nlk_pending(const struct nlk *sk)
{
	return sk->pending;
}

uint32_t nlk_seq_next(const struct nlk *sk)
{
	return sk->next;
}

/* Count the open message's bytes in the queue. */
static void nlk_commit(struct nlk *sk)
{
	if (sk->open) {
		sk->len += NLMSG_ALIGN(sk->open->nlmsg_len);
		sk->open = NULL;
	}
}

/* Forget the answered requests once nothing is owed (keeps the queued ones). */
static void nlk_forget(struct nlk *sk)
{
	if (sk->pending)
		return;
	memmove(sk->reqs, sk->reqs + (sk->sent - sk->tail),
		(sk->next - sk->sent) * sizeof(*sk->reqs));
	sk->tail = sk->sent;
}

static int nlk_grow(struct nlk *sk, size_t len)
{
	size_t n = sk->next - sk->tail + 1;

	if (sk->cap < sk->len + len) {
		size_t cap = sk->cap ? sk->cap : 4096;
		while (cap < sk->len + len)
			cap *= 2;
		char *b = realloc(sk->buf, cap);
		if (!b)
			return -1;
		sk->buf = b;
		sk->cap = cap;
	}
	if (sk->n_reqs_cap < n) {
		size_t cap = sk->n_reqs_cap ? 2 * sk->n_reqs_cap : 64;
		struct nlk_req *r = realloc(sk->reqs, cap * sizeof(*r));
		if (!r)
			return -1;
		sk->reqs = r;
		sk->n_reqs_cap = cap;
	}
	return 0;
}

static void nlk_fail(struct nlk *sk, const char *what, int e, const char *text, bool kernel);
static void nlk_gather(struct nlk *sk);

/* Room for one more request of @len bytes: send or gather first when limits say so. */
static void *nlk_make_room(struct nlk *sk, size_t len)
{
	nlk_commit(sk);
	if (!sk->in_batch) {
		int queued = (int)(sk->next - sk->sent);
		int most = sk->max_track < NLK_SEND_MSGS ? sk->max_track : NLK_SEND_MSGS;
		/* failures found here are the gather's: the next nlk_wait reports them */
		if ((queued >= most || sk->len + len > NLK_SEND_BYTES) && sk->len)
			(void)nlk_send(sk);
		if ((int)(sk->next - sk->tail) >= sk->max_track && sk->pending)
			nlk_gather(sk);
	}
	if (nlk_grow(sk, len) == -1)
		return NULL;
	return sk->buf + sk->len;
}

void *nlk_room(struct nlk *sk, size_t len)
{
	return nlk_make_room(sk, NLMSG_ALIGN(len));
}

/* Track @h (at the tail of the queue) as the next request. */
static void nlk_track(struct nlk *sk, struct nlmsghdr *h, const char *what)
{
	struct nlk_req *r = &sk->reqs[sk->next - sk->tail];

	snprintf(r->what, sizeof(r->what), "%s", what ? what : "netlink request");
	r->fn = NULL;
	r->arg = NULL;
	r->ack = h->nlmsg_flags & NLM_F_ACK;
	r->done = false;
	if (sk->protocol == NETLINK_NETFILTER && h->nlmsg_type == NFNL_MSG_BATCH_BEGIN)
		sk->in_batch = true;
	else if (sk->protocol == NETLINK_NETFILTER && h->nlmsg_type == NFNL_MSG_BATCH_END)
		sk->in_batch = false;
	sk->next++;
	sk->open = h;
}

struct nlmsghdr *nlk_msg(struct nlk *sk, uint16_t type, unsigned flags, const char *what)
{
	struct nlmsghdr *h = nlk_room(sk, NLMSG_HDRLEN + NLK_MSG_ROOM);

	if (!h)
		return NULL;
	memset(h, 0, NLMSG_HDRLEN);
	h->nlmsg_len = NLMSG_HDRLEN;
	h->nlmsg_type = type;
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | (flags & 0xffff));
	if (!(flags & NLK_F_NOACK))
		h->nlmsg_flags |= NLM_F_ACK;
	h->nlmsg_seq = sk->next;
	nlk_track(sk, h, what);
	return h;
}

void nlk_msg_reply(struct nlk *sk, nlk_reply_fn fn, void *arg)
{
	if (sk->next == sk->sent)
		return; /* nothing queued */
	sk->reqs[sk->next - 1 - sk->tail].fn = fn;
	sk->reqs[sk->next - 1 - sk->tail].arg = arg;
}

int nlk_add(struct nlk *sk, const struct nlmsghdr *h, const char *what)
{
	if ((const char *)h != sk->buf + sk->len || h->nlmsg_seq != sk->next ||
	    h->nlmsg_len < NLMSG_HDRLEN || sk->len + h->nlmsg_len > sk->cap)
		return errno = EINVAL, -1;
	nlk_track(sk, (struct nlmsghdr *)h, what);
	nlk_commit(sk);
	return 0;
}

void nlk_discard(struct nlk *sk)
{
	for (uint32_t s = sk->sent; s != sk->next; s++)
		sk->reqs[s - sk->tail].done = true;
	sk->open = NULL;
	sk->len = 0;
	sk->sent = sk->next;
	sk->in_batch = false;
	nlk_forget(sk);
}

int nlk_send(struct nlk *sk)
{
	nlk_commit(sk);
	if (!sk->len)
		return 0;
	ssize_t n = send(sk->fd, sk->buf, sk->len, 0);
	int e = errno;
	for (uint32_t s = sk->sent; s != sk->next; s++) {
		struct nlk_req *r = &sk->reqs[s - sk->tail];
		if (n == -1)
			r->done = true; /* never sent: nothing will answer */
		else if (r->ack)
			sk->pending++;
	}
	sk->sent = sk->next;
	sk->len = 0;
	if (n == -1) {
		nlk_fail(sk, "netlink send", e, NULL, false);
		nlk_forget(sk);
		return errno = e, -1;
	}
	return 0;
}

int nlk_ack_parse(const struct nlmsghdr *h, int *err, const char **msg)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off;

	*msg = NULL;
	if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return errno = EBADMSG, -1;
	*err = e->error;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	/* the TLVs follow the error and, unless capped, the whole request echoed */
	off = NLMSG_LENGTH(sizeof(*e));
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	while (off + NLA_HDRLEN <= h->nlmsg_len) {
		const struct nlattr *a = (const struct nlattr *)((const char *)h + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > h->nlmsg_len)
			return errno = EBADMSG, -1;
		const char *s = (const char *)a + NLA_HDRLEN;
		size_t sl = a->nla_len - NLA_HDRLEN;
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && sl && memchr(s, '\0', sl))
			*msg = s;
		off += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

/* Record one failure (of the request named @what); the first one gives the text. */
static void nlk_fail(struct nlk *sk, const char *what, int e, const char *text, bool kernel)
{
	sk->n_err++;
	if (sk->err)
		return;
	sk->err = e;
	snprintf(sk->error, sizeof(sk->error), "%s: %s%s%s%s", what, strerror(e),
		 text ? (kernel ? " (kernel: " : " (") : "", text ? text : "", text ? ")" : "");
}

/* Request @i's no-ack failure: the kernel skipped the rest of its batch. */
static void nlk_abandon(struct nlk *sk, uint32_t i)
{
	for (i++; sk->tail + i != sk->sent && sk->reqs[i].ack; i++) {
		if (!sk->reqs[i].done && sk->pending)
			sk->pending--;
		sk->reqs[i].done = true;
	}
}

static void nlk_take(struct nlk *sk, const struct nlmsghdr *h)
{
	uint32_t i = h->nlmsg_seq - sk->tail;
	struct nlk_req *r;
	int err;
	const char *msg;

	if ((sk->portid && h->nlmsg_pid != sk->portid) ||
	    h->nlmsg_seq - sk->tail >= sk->sent - sk->tail)
		return; /* not an answer to a request of ours still tracked */
	r = &sk->reqs[i];
	if (r->done)
		return;
	if (h->nlmsg_type != NLMSG_ERROR) {
		char text[256] = "";
		if (r->fn && r->fn(h, r->arg, text, sizeof(text)) == -1)
			nlk_fail(sk, r->what, errno, text[0] ? text : NULL, false);
		return;
	}
	if (nlk_ack_parse(h, &err, &msg) == -1)
		err = -EBADMSG;
	r->done = true;
	if (r->ack && sk->pending)
		sk->pending--;
	if (err == 0)
		return;
	nlk_fail(sk, r->what, -err, msg, true);
	if (!r->ack)
		nlk_abandon(sk, i);
}

int nlk_feed(struct nlk *sk, const void *buf, size_t len)
{
	const struct nlmsghdr *h = buf;

	for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
		nlk_take(sk, h);
	nlk_forget(sk);
	return sk->pending;
}

/* Receive until nothing is owed; failures are recorded, not returned. */
static void nlk_gather(struct nlk *sk)
{
	char buf[NLK_RBUF];

	while (sk->pending > 0) {
		ssize_t n = recv(sk->fd, buf, sizeof(buf), 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* ENOBUFS: acks were lost; none of the others can be counted on */
			nlk_fail(sk, "netlink receive", n == 0 ? ECONNRESET : errno, NULL, false);
			sk->pending = 0;
			for (uint32_t s = sk->tail; s != sk->sent; s++)
				sk->reqs[s - sk->tail].done = true;
			nlk_forget(sk);
			break;
		}
		nlk_feed(sk, buf, (size_t)n);
	}
}

int nlk_wait(struct nlk *sk)
{
	nlk_gather(sk);
	sk->last_n_err = sk->n_err;
	sk->n_err = 0;
	if (!sk->err) {
		sk->error[0] = '\0';
		return 0;
	}
	int e = sk->err;
	sk->err = 0;
	return errno = e, -1;
}

int nlk_flush(struct nlk *sk)
{
	(void)nlk_send(sk); /* a failure is the gather's first (or a later) one */
	return nlk_wait(sk);
}

void *nlk_extra_put(struct nlmsghdr *h, size_t len)
{
	char *p = (char *)h + NLMSG_ALIGN(h->nlmsg_len);

	memset(p, 0, NLMSG_ALIGN(len));
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + (uint32_t)NLMSG_ALIGN(len);
	return p;
}

void nlk_attr_put(struct nlmsghdr *h, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len); /* the padding */
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + (uint32_t)NLA_ALIGN(a->nla_len);
}
