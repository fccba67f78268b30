/*
 * flt_bandwidth.c - `bandwidth NODE.NET RATE [in|out|both]`: the node's port on NET
 * carries at most RATE bits/s in the direction(s) given, as a slow link does (both by
 * default: a slow link is slow both ways). A tbf root qdisc through rtnetlink:
 *   out   the node's own interface, in its namespace: what the node sends
 *   in    its lab-side port, in the lab namespace: the bridge's egress toward the node,
 *         so what the node receives
 * Frames beyond the rate wait in tbf's queue (200 ms of the rate, at least 3 bursts)
 * and are dropped when it is full, as on a real bottleneck; TCP settles at the rate.
 *
 * qemu nodes: `in` works the same (their lab-side port is a tap in the lab namespace);
 * `out` and `both` are refused by the check, since the guest's own interface is inside
 * the guest and faultline does not shape a tap's ingress.
 *
 * Composition: tbf is the root qdisc of its interface, which holds one fault at a time:
 * a second bandwidth, or a delay (netem, on the node side), on an interface already
 * holding one fails with EBUSY; revert deletes the qdisc. Needs sch_tbf:
 * flt_caps_probe() puts one on lo in its throwaway namespace.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "flt_int.h"
#include "node.h"
#include "net.h"
#include "lab.h"
#include "relay_proto.h"

#define FLT_TBF_BURST_MIN (16 * 1024) /* bytes: ten 1500-byte frames and then some */
#define FLT_TBF_CAP	  (1u << 30)  /* burst and limit are u32 bytes */

static uint32_t flt_tbf_clamp(uint64_t v)
{
	return v > FLT_TBF_CAP ? FLT_TBF_CAP : (uint32_t)v;
}

static int flt_tbf_add(struct flt_ctx *ctx, struct net_nl *nl, int ifindex, uint64_t bps)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint64_t bytes = bps / 8;
	/* 50 ms of the rate per burst: tbf's dequeue runs in softirq context (ksoftirqd
	 * under load), and a late run within one burst costs no throughput. With 20 ms,
	 * transfers ran 5-26% slow at load average 8 on this 2-CPU machine. */
	uint32_t burst =
	    flt_tbf_clamp(bytes / 20 > FLT_TBF_BURST_MIN ? bytes / 20 : FLT_TBF_BURST_MIN);
	uint32_t limit = flt_tbf_clamp(bytes / 5 > 3ULL * burst ? bytes / 5 : 3ULL * burst);
	struct nlmsghdr *h = flt_qdisc_msg(buf, RTM_NEWQDISC, ifindex);
	h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	mnl_attr_put_strz(h, TCA_KIND, "tbf");
	struct nlattr *opt = mnl_attr_nest_start(h, TCA_OPTIONS);
	struct tc_tbf_qopt q = {.limit = limit};
	q.rate.linklayer = TC_LINKLAYER_ETHERNET; /* no rate table needed */
	q.rate.rate = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
	mnl_attr_put(h, TCA_TBF_PARMS, sizeof(q), &q);
	if (bytes > UINT32_MAX)
		mnl_attr_put_u64(h, TCA_TBF_RATE64, bytes);
	mnl_attr_put_u32(h, TCA_TBF_BURST, burst);
	mnl_attr_nest_end(h, opt);
	return flt_nl_talk(ctx, nl, buf, "tbf qdisc add");
}

static int flt_tbf_del(struct flt_ctx *ctx, struct net_nl *nl, int ifindex)
{
	return flt_qdisc_del(ctx, nl, ifindex, "tbf qdisc delete");
}

/* Can a tbf root qdisc be put on lo (and deleted again)? */
static bool flt_tbf_probe(void)
{
	struct flt_ctx tmp = {0};
	struct net_nl *nl = net_nl_open_ns(-1, 0);
	/* 100gbit: a burst above lo's 64 KiB MTU, so the kernel does not warn */
	bool ok = nl &&
		  flt_tbf_add(&tmp, nl, 1 /* lo */, 100000000000ULL) == 0 &&
		  flt_tbf_del(&tmp, nl, 1) == 0;
	if (nl)
		net_nl_close(nl);
	return ok;
}

/* Is any target a node whose interface is inside it (a guest) with `out` asked? */
static bool flt_bw_guest_out(const struct scn *s, const struct scn_fault *f)
{
	for (int i = 0; (f->dir & SCN_DIR_OUT) && i < f->target.n_nodes; i++)
		if (node_kind_find((int)s->nodes[f->target.nodes[i]].kind)->iface_inside)
			return true;
	return false;
}

/* tbf where it can shape every direction asked; fl-relay's pacing where the kernel has
 * no sch_tbf or the fault shapes what a guest sends (its interface is inside it). */
static const char *flt_bw_path(const struct flt_caps *caps, const struct scn *s,
			       const struct scn_fault *f)
{
	if (!flt_caps_ok(caps, flt_kind_of(f->kind)) || flt_bw_guest_out(s, f))
		return "relay";
	return "tbf";
}

static bool flt_bw_relayed(const struct flt_inst *in)
{
	return in->path && !strcmp(in->path, "relay");
}

/* The interface of @side and the socket of its namespace; -1 with the text set. */
static int flt_bw_where(struct flt_ctx *ctx, const struct flt_inst *in, enum flt_qdisc_side side,
			int *ifindex, struct net_nl **nl)
{
	int node = in->node, net = in->fault->target.net;
	bool lab = side == FLT_LAB_SIDE;
	*ifindex =
	    lab ? lab_port_ifindex(ctx->lab, node, net) : lab_iface_ifindex(ctx->lab, node, net);
	if (*ifindex < 0)
		return errno = ENOENT,
		       flt_fail(ctx, "%s has no %s on %s", ctx->s->nodes[node].name,
				lab ? "port" : "interface", ctx->s->networks[net].name);
	*nl = lab ? flt_nl_lab(ctx) : flt_nl_node(ctx, node);
	return *nl ? 0 : -1;
}

static int flt_bw_side_apply(struct flt_ctx *ctx, struct flt_inst *in, enum flt_qdisc_side side)
{
	struct flt_qdisc_owner *o = flt_qdisc_slot(ctx, in->node, in->fault->target.net, side);
	struct net_nl *nl;
	int ifindex;
	if (o->id)
		return errno = EBUSY, flt_fail(ctx, "a %s is already applied there", o->kind);
	if (flt_bw_where(ctx, in, side, &ifindex, &nl) < 0 ||
	    flt_tbf_add(ctx, nl, ifindex, in->fault->rate_bps) < 0)
		return -1;
	*o = (struct flt_qdisc_owner){in->id, in->kind->name};
	return 0;
}

/* Undo @side if this instance holds it; 0 when it does not. */
static int flt_bw_side_revert(struct flt_ctx *ctx, struct flt_inst *in, enum flt_qdisc_side side)
{
	struct flt_qdisc_owner *o = flt_qdisc_slot(ctx, in->node, in->fault->target.net, side);
	struct net_nl *nl;
	int ifindex;
	if (o->id != in->id)
		return 0;
	*o = (struct flt_qdisc_owner){0, NULL};
	if (flt_bw_where(ctx, in, side, &ifindex, &nl) < 0)
		return -1;
	return flt_tbf_del(ctx, nl, ifindex);
}

static int flt_bw_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	if (flt_bw_relayed(in))
		return flt_relay_revert(ctx, in, RELAY_FX_RATE);
	int out = flt_bw_side_revert(ctx, in, FLT_NODE_SIDE);
	int e = errno;
	char err[sizeof(ctx->err)];
	memcpy(err, ctx->err, sizeof(err));
	if (flt_bw_side_revert(ctx, in, FLT_LAB_SIDE) < 0)
		return -1;
	if (out < 0) /* the lab side went fine: report the node side's failure */
		memcpy(ctx->err, err, sizeof(err));
	return out < 0 ? (errno = e, -1) : 0;
}

static int flt_bw_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	if (flt_bw_relayed(in)) {
		/* the queue holds 200 ms of the rate, as tbf's limit below */
		struct relay_effect e = {.a = in->fault->rate_bps, .b = 200 * 1000000ULL};
		return flt_relay_apply(ctx, in, RELAY_FX_RATE, &e);
	}
	enum scn_dir dir = in->fault->dir;
	if ((dir & SCN_DIR_OUT) && flt_bw_side_apply(ctx, in, FLT_NODE_SIDE) < 0)
		return -1;
	if ((dir & SCN_DIR_IN) && flt_bw_side_apply(ctx, in, FLT_LAB_SIDE) < 0) {
		int e = errno;
		char err[sizeof(ctx->err)];
		memcpy(err, ctx->err, sizeof(err));
		(void)flt_bw_side_revert(ctx, in, FLT_NODE_SIDE);
		memcpy(ctx->err, err, sizeof(err));
		return errno = e, -1;
	}
	return 0;
}

/* bandwidth NODE.NET RATE [in|out|both]: rate_bps, dir (both by default). */
static int flt_bw_parse(struct scn_p *p, struct scn_fault *f)
{
	if (scn_arg_target(p, f, SCN_ARG_IFACE) < 0 || scn_arg_rate(p, &f->rate_bps) < 0)
		return -1;
	return scn_arg_dir(p, SCN_DIR_BOTH, &f->dir);
}

/* The rate as written in the largest unit that is exact: 512kbit, 10mbit, 1500bit. */
static int flt_bw_rate_fmt(uint64_t bps, char *buf, size_t len)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} u[] = {{"gbit", 1000000000}, {"mbit", 1000000}, {"kbit", 1000}, {"bit", 1}};
	size_t i = 0;
	while (bps % u[i].mult)
		i++;
	return snprintf(buf, len, "%llu%s", (unsigned long long)(bps / u[i].mult), u[i].unit);
}

static int flt_bw_args(const struct scn_fault *f, int step, int steps, char *buf, size_t len)
{
	char rate[32];
	(void)step;
	(void)steps;
	flt_bw_rate_fmt(f->rate_bps, rate, sizeof(rate));
	return snprintf(buf, len, " %s %s", rate, scn_dir_name(f->dir));
}

static int flt_bw_params(const struct scn_fault *f, int step, int steps, json_t *obj)
{
	(void)step;
	(void)steps;
	return json_object_update_new(obj,
				      json_pack("{s:I,s:s}", "rate_bps", (json_int_t)f->rate_bps,
						"dir", scn_dir_name(f->dir)));
}

const struct flt_kind flt_bandwidth_kind = {
    .scn = {.name = "bandwidth",
	    .parse = flt_bw_parse,
	    .args_fmt = flt_bw_args,
	    .params = flt_bw_params,
	    .undo = SCN_UNDO_END},
    .probe = flt_tbf_probe,
    .path = flt_bw_path,
    .apply = flt_bw_apply,
    .revert = flt_bw_revert,
};
