/*
 * flt_nl.c - rtnetlink for the fault kinds: one socket per namespace, opened inside it
 * (a netlink socket stays bound to the namespace it was created in, so later requests
 * need no setns), link flags and MTU, and the request/ack exchange with the kernel's
 * extended-ack text carried into the error.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "flt_int.h"
#include "lab.h"

static int flt_nl_open_cb(void *arg)
{
	struct mnl_socket **out = arg;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -1;
	int one = 1;
	/* best effort: without ext-ack the errors just carry less text */
	(void)mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(nl);
		errno = e;
		return -1;
	}
	*out = nl;
	return 0;
}

static struct mnl_socket *flt_nl_open(struct flt_ctx *ctx, int netns_fd, const char *where)
{
	struct mnl_socket *nl = NULL;
	if (netns_fd < 0) {
		errno = ENOTSUP;
		flt_fail(ctx, "%s has no network namespace", where);
		return NULL;
	}
	if (lab_in_netns(netns_fd, flt_nl_open_cb, &nl) < 0) {
		flt_fail(ctx, "netlink socket in %s: %s", where, strerror(errno));
		return NULL;
	}
	return nl;
}

struct mnl_socket *flt_nl_lab(struct flt_ctx *ctx)
{
	if (!ctx->lab_nl)
		ctx->lab_nl = flt_nl_open(ctx, lab_netns_fd(ctx->lab), "the lab namespace");
	return ctx->lab_nl;
}

struct mnl_socket *flt_nl_node(struct flt_ctx *ctx, int node)
{
	if (!ctx->node_nl[node])
		ctx->node_nl[node] = flt_nl_open(ctx, lab_node_netns_fd(ctx->lab, node),
						 ctx->s->nodes[node].name);
	return ctx->node_nl[node];
}

/* The text of an NLMSG_ERROR's NLMSGERR_ATTR_MSG, or NULL. */
static const char *flt_nl_ext_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	size_t off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			return mnl_attr_get_str(a);
	}
	return NULL;
}

int flt_nl_talk(struct flt_ctx *ctx, struct mnl_socket *nl, void *buf, const char *what)
{
	struct nlmsghdr *req = buf;
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_seq = ++ctx->nl_seq;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return flt_fail(ctx, "%s: send: %s", what, strerror(errno));
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (n < 0)
			return flt_fail(ctx, "%s: receive: %s", what, strerror(errno));
		struct nlmsghdr *h = (struct nlmsghdr *)rbuf;
		for (; mnl_nlmsg_ok(h, (int)n); h = mnl_nlmsg_next(h, (int *)&n)) {
			if (h->nlmsg_seq != req->nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error == 0)
				return 0;
			const char *ext = flt_nl_ext_msg(h);
			errno = -e->error;
			return flt_fail(ctx, "%s: %s%s%s", what, strerror(errno), ext ? ": " : "",
					ext ? ext : "");
		}
	}
}

int flt_nl_link_set(struct flt_ctx *ctx, struct mnl_socket *nl, int ifindex, int up,
		    int mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = RTM_NEWLINK;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (up >= 0) {
		ifi->ifi_change = IFF_UP;
		ifi->ifi_flags = up ? IFF_UP : 0;
	}
	if (mtu > 0)
		mnl_attr_put_u32(h, IFLA_MTU, (uint32_t)mtu);
	return flt_nl_talk(ctx, nl, buf, up >= 0 ? "link set up/down" : "link set mtu");
}

struct flt_mtu_q {
	int mtu;
};

static int flt_nl_mtu_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_MTU && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		((struct flt_mtu_q *)data)->mtu = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int flt_nl_mtu_cb(const struct nlmsghdr *h, void *data)
{
	return mnl_attr_parse(h, sizeof(struct ifinfomsg), flt_nl_mtu_attr, data);
}

int flt_nl_link_mtu(struct flt_ctx *ctx, struct mnl_socket *nl, int ifindex, int *mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = RTM_GETLINK;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = ++ctx->nl_seq;
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	struct flt_mtu_q q = {0};
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
		return flt_fail(ctx, "link get: %s", strerror(errno));
	ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0)
		return flt_fail(ctx, "link get: %s", strerror(errno));
	if (mnl_cb_run(buf, (size_t)n, ctx->nl_seq, mnl_socket_get_portid(nl), flt_nl_mtu_cb,
		       &q) < 0)
		return flt_fail(ctx, "link get: %s", strerror(errno));
	if (q.mtu <= 0)
		return errno = ENODATA, flt_fail(ctx, "link get: no MTU reported");
	*mtu = q.mtu;
	return 0;
}
