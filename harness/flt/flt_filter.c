/*
 * flt_filter.c - what the filter kinds (loss, blackhole) share beyond nf_tables: the
 * optional "[in|out|both] [match SEL]" of their grammar, its text in the dry-run line
 * and events.jsonl (nothing when it is the default: both ways, every frame), and the
 * drop rules it becomes on the node's lab-side port.
 *
 * The chain is on the bridge forward hook, so a frame the node sends enters the bridge
 * on its port (iif), and one it receives leaves the bridge by its port (oif). A selector
 * becomes one rule per alternative it covers: icmp is ICMP or ICMPv6, "port N" is the
 * source port or the destination port.
 */
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>

#include "flt_int.h"

int flt_filter_parse(struct scn_p *p, struct scn_fault *f)
{
	return flt_relay_tail_parse(p, f, SCN_DIR_BOTH);
}

/* The same tail as the relayed kinds', with both ways as the default. */
int flt_filter_args(const struct scn_fault *f, char *buf, size_t len)
{
	return flt_relay_tail_args(f, SCN_DIR_BOTH, buf, len);
}

int flt_filter_params(const struct scn_fault *f, json_t *obj)
{
	return flt_relay_tail_params(f, SCN_DIR_BOTH, obj);
}

/* The alternatives of @m, each a rule template on no port yet: 1 or 2 of them. */
static int flt_filter_sel(const struct scn_match *m, struct flt_nft_rule r[2])
{
	static const int l4[] = {[SCN_PROTO_TCP] = IPPROTO_TCP,
				 [SCN_PROTO_UDP] = IPPROTO_UDP,
				 [SCN_PROTO_ICMP] = IPPROTO_ICMP,
				 [SCN_PROTO_VRRP] = 112};
	r[0] = (struct flt_nft_rule){.icmp_type = -1, .icmp_code = -1};
	if (m->proto == SCN_PROTO_ANY)
		return 1;
	if (m->proto == SCN_PROTO_ARP) {
		r[0].ethertype = ETH_P_ARP;
		return 1;
	}
	r[0].l4proto = l4[m->proto];
	r[1] = r[0];
	if (m->proto == SCN_PROTO_ICMP) {
		r[1].l4proto = IPPROTO_ICMPV6;
		return 2;
	}
	if (!m->port)
		return 1;
	r[0].sport = m->port;
	r[1].dport = m->port;
	return 2;
}

int flt_filter_apply(struct flt_ctx *ctx, struct flt_inst *in, int permyriad)
{
	const struct scn_fault *f = in->fault;
	const char *port = flt_nft_port(ctx, in->node, f->target.net);
	if (!port)
		return -1;
	/* with a relay the port may be on the bridge as its relay's veth end */
	const char *const p[2] = {port, flt_relay_port_name(ctx, in->node, f->target.net)};
	int n_p = p[1] ? 2 : 1;
	struct flt_nft_rule sel[2], r[4];
	int n_sel = permyriad == FLT_FILTER_NONE ? 0 : flt_filter_sel(&f->match, sel), n = 0;
	enum scn_dir dir = f->dir ? f->dir : SCN_DIR_BOTH;
	for (int d = 0; d < 2; d++) {
		if (!(dir & (d == 0 ? SCN_DIR_OUT : SCN_DIR_IN)))
			continue;
		for (int i = 0; i < n_sel; i++, n++) {
			r[n] = sel[i];
			r[n].permyriad = permyriad;
			if (d == 0)
				r[n].iif = p, r[n].n_iif = n_p;
			else
				r[n].oif = p, r[n].n_oif = n_p;
		}
	}
	return ctx->io->chain_add(ctx, in->id, r, n);
}
