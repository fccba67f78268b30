/*
 * flt_nl.c - rtnetlink for the fault kinds, on the lab's sockets (net.h over the
 * shared layer common/nlk.h): one socket per namespace, opened inside it at first use
 * (a netlink socket stays bound to the namespace it was created in, so later requests
 * need no setns); link flags and MTU through the lab's own requests (net_link.c), the
 * MTU read back with RTM_GETLINK, and a caller-built request sent and acknowledged.
 * Every error carries the kernel's extended-ack text.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "flt_int.h"
#include "lab.h"
#include "net.h"
#include "nlk.h"

static struct net_nl *flt_nl_open(struct flt_ctx *ctx, int netns_fd, const char *where)
{
	struct net_nl *nl;
	if (netns_fd < 0) {
		errno = ENOTSUP;
		flt_fail(ctx, "%s has no network namespace", where);
		return NULL;
	}
	nl = net_nl_open_ns(netns_fd, 0); /* a request or two at a time */
	if (!nl)
		flt_fail(ctx, "netlink socket in %s: %s", where, strerror(errno));
	return nl;
}

struct net_nl *flt_nl_lab(struct flt_ctx *ctx)
{
	if (!ctx->lab_nl)
		ctx->lab_nl = flt_nl_open(ctx, lab_netns_fd(ctx->lab), "the lab namespace");
	return ctx->lab_nl;
}

struct net_nl *flt_nl_node(struct flt_ctx *ctx, int node)
{
	if (!ctx->node_nl[node])
		ctx->node_nl[node] =
		    flt_nl_open(ctx, lab_node_netns_fd(ctx->lab, node), ctx->s->nodes[node].name);
	return ctx->node_nl[node];
}

/* Send what is queued on @nl and gather the acks; the first error into ctx->err. */
static int flt_nl_flush(struct flt_ctx *ctx, struct net_nl *nl)
{
	if (net_nl_flush(nl) == 0)
		return 0;
	return flt_fail(ctx, "%s", net_nl_error(nl));
}

int flt_nl_talk(struct flt_ctx *ctx, struct net_nl *nl, void *buf, const char *what)
{
	const struct nlmsghdr *req = buf;
	struct nlk *sk = net_nl_sock(nl);
	struct nlmsghdr *h = nlk_room(sk, req->nlmsg_len);
	if (!h)
		return flt_fail(ctx, "%s: %s", what, strerror(errno));
	memcpy(h, req, req->nlmsg_len);
	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = nlk_seq_next(sk);
	if (nlk_add(sk, h, what) < 0)
		return flt_fail(ctx, "%s: %s", what, strerror(errno));
	return flt_nl_flush(ctx, nl);
}

int flt_nl_link_set(struct flt_ctx *ctx, struct net_nl *nl, int ifindex, int up, int mtu)
{
	if (up >= 0 && net_link_set_up(nl, ifindex, up) < 0)
		return flt_fail(ctx, "%s", net_nl_error(nl));
	if (mtu > 0 && net_link_set_mtu(nl, ifindex, mtu) < 0)
		return flt_fail(ctx, "%s", net_nl_error(nl));
	return flt_nl_flush(ctx, nl);
}

static int flt_nl_mtu_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_MTU && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		*(int *)data = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* The RTM_NEWLINK answering our RTM_GETLINK: its IFLA_MTU. */
static int flt_nl_mtu_reply(const struct nlmsghdr *h, void *arg, char *err, size_t len)
{
	if (h->nlmsg_type != RTM_NEWLINK ||
	    mnl_attr_parse(h, sizeof(struct ifinfomsg), flt_nl_mtu_attr, arg) < 0) {
		snprintf(err, len, "unexpected answer type %u", h->nlmsg_type);
		return errno = EBADMSG, -1;
	}
	return 0;
}

int flt_nl_link_mtu(struct flt_ctx *ctx, struct net_nl *nl, int ifindex, int *mtu)
{
	struct nlmsghdr *h = net_nl_msg(nl, RTM_GETLINK, 0, "link get");
	int q = 0;
	if (!h)
		return flt_fail(ctx, "%s", net_nl_error(nl));
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	nlk_msg_reply(net_nl_sock(nl), flt_nl_mtu_reply, &q);
	if (flt_nl_flush(ctx, nl) < 0)
		return -1;
	if (q <= 0)
		return errno = ENODATA, flt_fail(ctx, "link get: no MTU reported");
	*mtu = q;
	return 0;
}
