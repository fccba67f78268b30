/*
 * probe_udp.c - the udp and dns probes: one datagram out on a connected UDP socket,
 * replies read until one settles the probe.
 *
 * udp: sends the text (an empty datagram without one); ok when a reply holds the
 * expected text (any reply without one), bad-body when a reply does not.
 * dns: an A query (probe_dns.c) with a random ID; replies that are not ours are
 * ignored; ok = NOERROR with at least one A record, bad-status = another RCODE,
 * bad-body = NOERROR without an A record, or a malformed answer.
 * Both: refused when the kernel reports ICMP port unreachable (ECONNREFUSED on the
 * connected socket), timeout when nothing settled it in time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"
#include "probe_dns.h"

static enum load_outcome udp_judge(struct probe_req *q, size_t n)
{
	int rcode;

	if (probe_cfg_of(q)->kind != PROBE_DNS) {
		q->got = n;
		return probe_reply_ok(q) ? LOAD_OK : LOAD_BAD_BODY;
	}
	switch (probe_dns_answer((const uint8_t *)q->buf, n, q->id, &rcode)) {
	case PROBE_DNS_OK:
		q->got = n;
		return LOAD_OK;
	case PROBE_DNS_NOT_OURS:
		return LOAD_OUTCOME_MAX; /* keep waiting */
	case PROBE_DNS_RCODE:
		q->got = n;
		return LOAD_BAD_STATUS;
	default:
		q->got = n;
		return LOAD_BAD_BODY;
	}
}

static void udp_cb(struct loop *loop, int fd, uint32_t ev, void *arg)
{
	struct probe_req *q = arg;

	(void)loop;
	(void)ev;
	for (;;) {
		ssize_t n = recv(fd, q->buf, sizeof(q->buf), 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1)
			return probe_req_end(q, load_outcome_errno(errno, false));
		enum load_outcome o = udp_judge(q, (size_t)n);
		if (o != LOAD_OUTCOME_MAX)
			return probe_req_end(q, o);
	}
}

/* The datagram into q->buf; its length or -1. */
static int udp_datagram(struct probe_req *q)
{
	const struct probe_cfg *c = probe_cfg_of(q);

	if (c->kind == PROBE_DNS) {
		if (getrandom(&q->id, sizeof(q->id), GRND_NONBLOCK) != sizeof(q->id))
			q->id = (uint16_t)(random() & 0xffff);
		return probe_dns_query((uint8_t *)q->buf, PROBE_DNS_MAX, c->qname, q->id);
	}
	size_t n = c->send ? strlen(c->send) : 0;
	if (n > sizeof(q->buf))
		return errno = EMSGSIZE, -1;
	memcpy(q->buf, c->send ? c->send : "", n);
	return (int)n;
}

static int udp_start(struct probe_req *q)
{
	const struct probe_cfg *c = probe_cfg_of(q);
	int n = udp_datagram(q);

	if (n < 0)
		return -1;
	q->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->fd == -1)
		return -1;
	if (connect(q->fd, (const struct sockaddr *)&c->addr, sizeof(c->addr)) == -1 ||
	    send(q->fd, q->buf, (size_t)n, 0) != n)
		return -1;
	q->sent = (size_t)n;
	return loop_fd_add(probe_loop_of(q), q->fd, EPOLLIN, udp_cb, q);
}

static enum load_outcome udp_abort(struct probe_req *q)
{
	(void)q;
	return LOAD_TIMEOUT;
}

const struct probe_kind probe_kind_udp = {
    .id = PROBE_UDP,
    .start = udp_start,
    .abort = udp_abort,
};

const struct probe_kind probe_kind_dns = {
    .id = PROBE_DNS,
    .start = udp_start,
    .abort = udp_abort,
};
