/*
 * net_nl.c - the one request/ack path for rtnetlink: batched requests on a libmnl
 * socket, acks collected in order, the kernel's extended ack carried into the error.
 *
 * Invariants: sequence numbers of a socket increase by one per request; at any moment
 * the socket has either requests queued (not sent) or requests sent (acks pending),
 * never both, so that acks map onto whats[] by (seq - first_seq). A batch holds at
 * most NET_NL_BATCH_MSGS requests so that its acks always fit the receive buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

#define NET_NL_BATCH_BYTES 32768
#define NET_NL_MSG_ROOM 1024 /* the largest request we build, with margin */
#define NET_NL_BATCH_MSGS 256
#define NET_NL_WHAT 56

struct net_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t first_seq; /* seq of whats[0] */
	uint32_t next_seq;
	char *buf; /* the batch being queued */
	size_t len, cap;
	struct nlmsghdr *last; /* queued but not yet counted in len */
	int n_msgs;
	int n_sent; /* acks still expected */
	char (*whats)[NET_NL_WHAT];
	int err; /* first errno of the batch, 0 when none */
	char error[512];
};

struct net_nl *net_nl_open(void)
{
	struct net_nl *nl = calloc(1, sizeof(*nl));
	int one = 1, rcvbuf = 4 << 20;

	if (!nl)
		return NULL;
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		goto err_free;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one)) == -1 ||
	    mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one)) == -1)
		goto err_close;
	/* a whole batch of acks must fit: force a large buffer (root), else ask */
	int fd = mnl_socket_get_fd(nl->sock);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) == -1)
		goto err_close;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->first_seq = nl->next_seq = 1;
	return nl;
err_close:;
	int e = errno;
	mnl_socket_close(nl->sock);
	errno = e;
err_free:
	free(nl);
	return NULL;
}

void net_nl_close(struct net_nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl->whats);
	free(nl);
}

const char *net_nl_error(const struct net_nl *nl)
{
	return nl->error;
}

static void batch_close(struct net_nl *nl)
{
	if (nl->last) {
		nl->len += NLMSG_ALIGN(nl->last->nlmsg_len);
		nl->last = NULL;
	}
}

/* Make room for one more request: buffer, whats[], and the batch limits. */
static int batch_room(struct net_nl *nl)
{
	batch_close(nl);
	if (nl->n_sent && net_nl_wait(nl) == -1)
		return -1;
	if (nl->n_msgs >= NET_NL_BATCH_MSGS || nl->len + NET_NL_MSG_ROOM > NET_NL_BATCH_BYTES)
		if (net_nl_flush(nl) == -1)
			return -1;
	if (nl->cap < nl->len + NET_NL_MSG_ROOM) {
		size_t cap = nl->cap ? 2 * nl->cap : 4096;
		char *b = realloc(nl->buf, cap);
		if (!b)
			return -1;
		nl->buf = b;
		nl->cap = cap;
	}
	if (nl->n_msgs % 16 == 0) {
		void *w = realloc(nl->whats, (size_t)(nl->n_msgs + 16) * NET_NL_WHAT);
		if (!w)
			return -1;
		nl->whats = w;
	}
	return 0;
}

struct nlmsghdr *net_nl_msg(struct net_nl *nl, uint16_t type, uint16_t flags,
			    const char *what)
{
	if (batch_room(nl) == -1)
		return NULL;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf + nl->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = nl->next_seq++;
	snprintf(nl->whats[nl->n_msgs++], NET_NL_WHAT, "%s", what);
	nl->last = nlh;
	return nlh;
}

int net_nl_send(struct net_nl *nl)
{
	batch_close(nl);
	if (!nl->len)
		return 0;
	if (mnl_socket_sendto(nl->sock, nl->buf, nl->len) == -1) {
		int e = errno;
		snprintf(nl->error, sizeof(nl->error), "netlink send: %s", strerror(e));
		nl->len = 0;
		nl->n_msgs = 0;
		nl->first_seq = nl->next_seq;
		errno = e;
		return -1;
	}
	nl->n_sent = nl->n_msgs;
	nl->len = 0;
	return 0;
}

static int ext_ack_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		*(const char **)data = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

/* One NLMSG_ERROR (an ack when error is 0): keeps the first failure. */
static void ack_take(struct net_nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	uint32_t i = nlh->nlmsg_seq - nl->first_seq;

	nl->n_sent--;
	if (e->error == 0 || nl->err)
		return;
	const char *msg = NULL;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		unsigned off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		mnl_attr_parse(nlh, off, ext_ack_cb, &msg);
	}
	nl->err = -e->error;
	snprintf(nl->error, sizeof(nl->error), "%s: %s%s%s%s",
		 i < (uint32_t)nl->n_msgs ? nl->whats[i] : "netlink", strerror(nl->err),
		 msg ? " (kernel: " : "", msg ? msg : "", msg ? ")" : "");
}

int net_nl_wait(struct net_nl *nl)
{
	char buf[16384];

	if (!nl->n_sent && !nl->err)
		return 0; /* nothing sent: leave what is queued alone */
	while (nl->n_sent > 0) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			int e = errno;
			snprintf(nl->error, sizeof(nl->error), "netlink receive: %s",
				 strerror(e));
			nl->n_sent = 0;
			nl->err = e;
			break;
		}
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int left = (int)n;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_pid == nl->portid)
				ack_take(nl, nlh);
	}
	nl->n_msgs = 0;
	nl->first_seq = nl->next_seq;
	if (nl->err) {
		errno = nl->err;
		nl->err = 0;
		return -1;
	}
	return 0;
}

int net_nl_flush(struct net_nl *nl)
{
	if (net_nl_send(nl) == -1)
		return -1;
	return net_nl_wait(nl);
}

int net_sysctl_set(const char *key, const char *value)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	int e = errno;
	close(fd);
	if (n != (ssize_t)len) {
		errno = n == -1 ? e : EIO;
		return -1;
	}
	return 0;
}
