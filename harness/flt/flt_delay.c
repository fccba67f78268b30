/*
 * flt_delay.c - `delay NODE.NET D [jitter J] [in|out|both] [match SEL]`: every selected
 * frame the node sends (out, the default), receives (in) or both waits D, +- J drawn
 * uniformly per frame (so jitter reorders frames). Two paths (flt_delay_path):
 *   netem  where the kernel has sch_netem and the fault is `out` on every frame of a
 *          netns node: a netem root qdisc on the node's own interface. One root qdisc
 *          fault per interface at a time (a second delay, or a `bandwidth ... out`,
 *          overlapping fails with EBUSY): netem has one queue per root.
 *   relay  everywhere else (no sch_netem, in/both, match, qemu nodes): fl-relay holds
 *          the frames on its timer wheel (flt_relay.c); one delay per port and
 *          direction at a time (EBUSY).
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
#include "net.h"
#include "lab.h"
#include "node.h"
#include "relay_proto.h"

struct nlmsghdr *flt_qdisc_msg(char *buf, uint16_t type, int ifindex)
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

int flt_qdisc_del(struct flt_ctx *ctx, struct net_nl *nl, int ifindex, const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	flt_qdisc_msg(buf, RTM_DELQDISC, ifindex);
	return flt_nl_talk(ctx, nl, buf, what);
}

int flt_netem_del(struct flt_ctx *ctx, struct net_nl *nl, int ifindex)
{
	return flt_qdisc_del(ctx, nl, ifindex, "netem qdisc delete");
}

/* netem where it does the whole job: the kernel has it, the fault is on what a netns
 * node sends (its own interface's egress), every frame; fl-relay for everything else. */
static const char *flt_delay_path(const struct flt_caps *caps, const struct scn *s,
				  const struct scn_fault *f)
{
	if (!flt_caps_ok(caps, flt_kind_of(f->kind)) || f->dir != SCN_DIR_OUT || f->match.proto)
		return "relay";
	for (int i = 0; i < f->target.n_nodes; i++)
		if (node_kind_find((int)s->nodes[f->target.nodes[i]].kind)->iface_inside)
			return "relay";
	return "netem";
}

static bool flt_delay_relayed(const struct flt_inst *in)
{
	return in->path && !strcmp(in->path, "relay");
}

/* Can a netem root qdisc be put on lo (and deleted again)? */
static bool flt_netem_probe(void)
{
	struct flt_ctx tmp = {0};
	struct net_nl *nl = net_nl_open_ns(-1, 0);
	bool ok = nl &&
		  flt_netem_add(&tmp, nl, 1 /* lo */, 1, 0) == 0 && flt_netem_del(&tmp, nl, 1) == 0;
	if (nl)
		net_nl_close(nl);
	return ok;
}

static int flt_delay_where(struct flt_ctx *ctx, const struct flt_inst *in, int *ifindex,
			   struct net_nl **nl)
{
	int net = in->fault->target.net;
	*ifindex = lab_iface_ifindex(ctx->lab, in->node, net);
	if (*ifindex < 0)
		return errno = ENOENT,
		       flt_fail(ctx, "%s has no interface on %s", ctx->s->nodes[in->node].name,
				ctx->s->networks[net].name);
	*nl = flt_nl_node(ctx, in->node);
	return *nl ? flt_port(ctx, in->node, net) : -1;
}

static int flt_delay_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	if (flt_delay_relayed(in)) {
		struct relay_effect e = {.a = (uint64_t)in->fault->ms[0] * 1000000,
					 .b = (uint64_t)in->fault->ms[1] * 1000000};
		return flt_relay_apply(ctx, in, RELAY_FX_DELAY, &e);
	}
	struct net_nl *nl;
	int ifindex, p = flt_delay_where(ctx, in, &ifindex, &nl);
	if (p < 0)
		return -1;
	struct flt_qdisc_owner *o =
	    flt_qdisc_slot(ctx, in->node, in->fault->target.net, FLT_NODE_SIDE);
	if (o->id)
		return errno = EBUSY, flt_fail(ctx, "a %s is already applied there", o->kind);
	if (flt_netem_add(ctx, nl, ifindex, in->fault->ms[0], in->fault->ms[1]) < 0)
		return -1;
	*o = (struct flt_qdisc_owner){in->id, in->kind->name};
	return 0;
}

static int flt_delay_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	if (flt_delay_relayed(in))
		return flt_relay_revert(ctx, in, RELAY_FX_DELAY);
	struct net_nl *nl;
	int ifindex, p = flt_delay_where(ctx, in, &ifindex, &nl);
	if (p < 0)
		return -1;
	*flt_qdisc_slot(ctx, in->node, in->fault->target.net, FLT_NODE_SIDE) =
	    (struct flt_qdisc_owner){0, NULL};
	return flt_netem_del(ctx, nl, ifindex);
}

/* delay NODE.NET D [jitter J] [DIR] [match SEL]: ms[0] the delay, ms[1] the jitter,
 * dir (out by default: what the node sends), match. */
static int flt_delay_parse(struct scn_p *p, struct scn_fault *f)
{
	if (scn_arg_target(p, f, SCN_ARG_IFACE) < 0 || scn_arg_duration(p, &f->ms[0], true) < 0)
		return -1;
	if (scn_arg_opt(p, "jitter") && scn_arg_duration(p, &f->ms[1], false) < 0)
		return -1;
	return flt_relay_tail_parse(p, f, SCN_DIR_OUT);
}

static int flt_delay_args(const struct scn_fault *f, int step, int steps, char *buf, size_t len)
{
	(void)step;
	(void)steps;
	int n = snprintf(buf, len, " %lldms jitter %lldms", (long long)f->ms[0],
			 (long long)f->ms[1]);
	if (n < 0)
		return n;
	bool room = buf && (size_t)n < len;
	int m = flt_relay_tail_args(f, SCN_DIR_OUT, room ? buf + n : NULL,
				    room ? len - (size_t)n : 0);
	return m < 0 ? m : n + m;
}

static int flt_delay_params(const struct scn_fault *f, int step, int steps, json_t *obj)
{
	(void)step;
	(void)steps;
	if (json_object_update_new(obj, json_pack("{s:I,s:I}", "delay_ms", (json_int_t)f->ms[0],
						  "jitter_ms", (json_int_t)f->ms[1])) < 0)
		return -1;
	return flt_relay_tail_params(f, SCN_DIR_OUT, obj);
}

const struct flt_kind flt_delay_kind = {
    .scn = {.name = "delay",
	    .parse = flt_delay_parse,
	    .args_fmt = flt_delay_args,
	    .params = flt_delay_params,
	    .undo = SCN_UNDO_END},
    .probe = flt_netem_probe,
    .path = flt_delay_path,
    .apply = flt_delay_apply,
    .revert = flt_delay_revert,
};
