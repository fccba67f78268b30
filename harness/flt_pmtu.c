/*
 * flt_pmtu.c - `pmtu-blackhole NET`: the segment silently eats ICMP "fragmentation
 * needed" (type 3 code 4, RFC 1191) and ICMPv6 "packet too big" (type 2, RFC 8201), so
 * a sender behind a smaller-MTU hop never learns the path MTU and its full-size DF
 * packets vanish while small ones pass. Matched on the bridge forward hook for frames
 * entering from any port of the network (which is how the rule names that bridge).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "flt_int.h"
#include "lab.h"

static int flt_pmtu_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	int net = in->fault->target.net;
	char ports[1024] = "", rules[1536];
	size_t off = 0;
	for (int i = 0; i < ctx->s->n_nodes; i++) {
		const char *p = ctx->io->port_name(ctx, i, net);
		if (p && off < sizeof(ports))
			off += (size_t)snprintf(ports + off, sizeof(ports) - off, "%s\"%s\"",
						off ? ", " : "", p);
	}
	if (off == 0) {
		errno = ENOENT;
		return flt_fail(ctx, "no node is on %s", ctx->s->networks[net].name);
	}
	if (off >= sizeof(ports)) {
		errno = E2BIG;
		return flt_fail(ctx, "too many ports on %s", ctx->s->networks[net].name);
	}
	snprintf(rules, sizeof(rules),
		 "  iifname { %s } icmp type destination-unreachable icmp code frag-needed drop\n"
		 "  iifname { %s } icmpv6 type packet-too-big drop\n",
		 ports, ports);
	return ctx->io->chain_add(ctx, in->id, rules);
}

const struct flt_kind flt_pmtu_kind = {
	.name = "pmtu-blackhole",
	.kind = SCN_F_PMTU_BLACKHOLE,
	.check = flt_nft_check,
	.apply = flt_pmtu_apply,
	.revert = flt_nft_revert,
};
