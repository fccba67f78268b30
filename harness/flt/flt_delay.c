/*
 * flt_delay.c - `delay NODE.NET D [jitter J]`: a netem root qdisc on the node's own
 * interface (its egress: every packet the node sends waits D +- J). Needs sch_netem;
 * flt_caps_probe() finds out once per run and the check refuses the scenario on a
 * kernel without it, before anything is built. One delay per interface at a time
 * (a second overlapping one fails with EBUSY): netem has one queue per root.
 *
 * netem's TCA_OPTIONS is not a plain nest: a struct tc_netem_qopt, then attributes
 * (TCA_NETEM_LATENCY64 / TCA_NETEM_JITTER64 in ns, Linux 4.15 and later).
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "flt_int.h"
#include "lab.h"

static struct nlmsghdr *flt_qdisc_msg(char *buf, uint16_t type, int ifindex)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = type;
	struct tcmsg *tc = mnl_nlmsg_put_extra_header(h, sizeof(*tc));
	tc->tcm_family = AF_UNSPEC;
	tc->tcm_ifindex = ifindex;
	tc->tcm_parent = TC_H_ROOT;
	return h;
}

int flt_netem_add(struct flt_ctx *ctx, struct net_nl *nl, int ifindex, int64_t delay_ms,
		  int64_t jitter_ms)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = flt_qdisc_msg(buf, RTM_NEWQDISC, ifindex);
	h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	mnl_attr_put_strz(h, TCA_KIND, "netem");
	struct nlattr *opt = mnl_attr_nest_start(h, TCA_OPTIONS);
	struct tc_netem_qopt q = {.limit = 1000};
	memcpy(mnl_nlmsg_get_payload_tail(h), &q, sizeof(q));
	h->nlmsg_len += MNL_ALIGN(sizeof(q));
	mnl_attr_put_u64(h, TCA_NETEM_LATENCY64, (uint64_t)(delay_ms * 1000000));
	mnl_attr_put_u64(h, TCA_NETEM_JITTER64, (uint64_t)(jitter_ms * 1000000));
	mnl_attr_nest_end(h, opt);
	return flt_nl_talk(ctx, nl, buf, "netem qdisc add");
}

int flt_netem_del(struct flt_ctx *ctx, struct net_nl *nl, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	flt_qdisc_msg(buf, RTM_DELQDISC, ifindex);
	return flt_nl_talk(ctx, nl, buf, "netem qdisc delete");
}

static int flt_delay_check(const struct flt_caps *caps, const struct scn *s,
			   const struct scn_fault *f, char *err, size_t len)
{
	(void)s;
	(void)f;
	if (caps->netem)
		return 0;
	snprintf(err, len, "delay needs sch_netem, which this kernel does not have");
	return errno = ENOTSUP, -1;
}

static int flt_delay_where(struct flt_ctx *ctx, const struct flt_inst *in, int *ifindex,
			   struct net_nl **nl)
{
	int net = in->fault->target.net;
	*ifindex = lab_iface_ifindex(ctx->lab, in->node, net);
	if (*ifindex < 0)
		return errno = ENOENT, flt_fail(ctx, "%s has no interface on %s",
						ctx->s->nodes[in->node].name,
						ctx->s->networks[net].name);
	*nl = flt_nl_node(ctx, in->node);
	return *nl ? flt_port(ctx, in->node, net) : -1;
}

static int flt_delay_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	struct net_nl *nl;
	int ifindex, p = flt_delay_where(ctx, in, &ifindex, &nl);
	if (p < 0)
		return -1;
	if (ctx->delay[p] > 0)
		return errno = EBUSY, flt_fail(ctx, "a delay is already applied there");
	if (flt_netem_add(ctx, nl, ifindex, in->fault->delay_ms, in->fault->jitter_ms) < 0)
		return -1;
	ctx->delay[p]++;
	return 0;
}

static int flt_delay_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	struct net_nl *nl;
	int ifindex, p = flt_delay_where(ctx, in, &ifindex, &nl);
	if (p < 0)
		return -1;
	ctx->delay[p] = 0;
	return flt_netem_del(ctx, nl, ifindex);
}

const struct flt_kind flt_delay_kind = {
	.name = "delay",
	.kind = SCN_F_DELAY,
	.check = flt_delay_check,
	.apply = flt_delay_apply,
	.revert = flt_delay_revert,
};
