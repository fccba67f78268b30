/*
 * flt_pmtu.c - `pmtu-blackhole NET`: the segment silently eats ICMP "fragmentation
 * needed" (type 3 code 4, RFC 1191) and ICMPv6 "packet too big" (type 2, RFC 8201), so
 * a sender behind a smaller-MTU hop never learns the path MTU and its full-size DF
 * packets vanish while small ones pass. Matched on the bridge forward hook for frames
 * entering from any port of the network (which is how the rule names that bridge).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "flt_int.h"

#define FLT_ICMP_DEST_UNREACH 3 /* RFC 792 */
#define FLT_ICMP_FRAG_NEEDED  4
#define FLT_ICMPV6_PKT_TOOBIG 2 /* RFC 4443 section 3.2 */

static int flt_pmtu_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	int net = in->fault->target.net, n = 0;
	const char **ports = calloc(2 * (size_t)ctx->s->n_nodes + 1, sizeof(*ports));
	if (!ports)
		return flt_fail(ctx, "out of memory");
	for (int i = 0; i < ctx->s->n_nodes; i++) {
		if ((ports[n] = ctx->io->port_name(ctx, i, net)))
			n++;
		if ((ports[n] = flt_relay_port_name(ctx, i, net))) /* a relay's stand-in */
			n++;
	}
	int rc;
	if (n == 0) {
		errno = ENOENT;
		rc = flt_fail(ctx, "no node is on %s", ctx->s->networks[net].name);
	} else {
		const struct flt_nft_rule r[2] = {
		    {.iif = ports,
		     .n_iif = n,
		     .l4proto = IPPROTO_ICMP,
		     .icmp_type = FLT_ICMP_DEST_UNREACH,
		     .icmp_code = FLT_ICMP_FRAG_NEEDED},
		    {.iif = ports,
		     .n_iif = n,
		     .l4proto = IPPROTO_ICMPV6,
		     .icmp_type = FLT_ICMPV6_PKT_TOOBIG,
		     .icmp_code = -1},
		};
		rc = ctx->io->chain_add(ctx, in->id, r, 2);
	}
	free(ports);
	return rc;
}

static int flt_pmtu_parse(struct scn_p *p, struct scn_fault *f)
{
	return scn_arg_target(p, f, SCN_ARG_NET);
}

const struct flt_kind flt_pmtu_kind = {
    .scn = {.name = "pmtu-blackhole", .parse = flt_pmtu_parse, .undo = SCN_UNDO_END},
    .probe = flt_nft_probe,
    .check = flt_nft_check,
    .path = flt_nft_path,
    .apply = flt_pmtu_apply,
    .revert = flt_nft_revert,
};
