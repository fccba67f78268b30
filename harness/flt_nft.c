/*
 * flt_nft.c - nf_tables for the filter kinds, through libnftables, always inside the
 * lab namespace (the nft context is created there, and every command runs there, so
 * its netlink socket never points at the host's rules). All filters live in one table,
 * `table bridge faultline`, one base chain per applied instance on the bridge forward
 * hook: the hook sees every frame the bridge forwards, once per output port (flooded
 * frames too), with both the input and the output port known.
 */
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flt_int.h"
#include "lab.h"

struct flt_nft_call {
	struct flt_ctx *ctx;
	const char *cmd;
};

static int flt_nft_cb(void *arg)
{
	struct flt_nft_call *c = arg;
	struct flt_ctx *ctx = c->ctx;
	if (!ctx->nft) {
		ctx->nft = nft_ctx_new(NFT_CTX_DEFAULT);
		if (!ctx->nft)
			return errno = ENOMEM, -1;
		nft_ctx_buffer_output(ctx->nft);
		nft_ctx_buffer_error(ctx->nft);
	}
	if (nft_run_cmd_from_buffer(ctx->nft, c->cmd) != 0) {
		const char *e = nft_ctx_get_error_buffer(ctx->nft);
		snprintf(ctx->err, sizeof(ctx->err), "nft: %.*s", (int)strcspn(e, "\n"), e);
		return errno = EINVAL, -1;
	}
	return 0;
}

int flt_nft_run(struct flt_ctx *ctx, const char *cmd)
{
	struct flt_nft_call c = {ctx, cmd};
	ctx->err[0] = '\0';
	if (lab_in_netns(lab_netns_fd(ctx->lab), flt_nft_cb, &c) < 0) {
		if (!ctx->err[0])
			flt_fail(ctx, "nft in the lab namespace: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int flt_nft_chain_add(struct flt_ctx *ctx, int id, const char *rules)
{
	size_t len = strlen(rules) + 256;
	char *cmd = malloc(len);
	if (!cmd)
		return flt_fail(ctx, "out of memory");
	/* The declarative form adds (never flushes) and is one transaction: the chain
	 * appears with all its rules or not at all. */
	snprintf(cmd, len,
		 "table bridge faultline {\n"
		 " chain f%d {\n"
		 "  type filter hook forward priority 0; policy accept;\n"
		 "%s"
		 " }\n"
		 "}\n",
		 id, rules);
	int rc = flt_nft_run(ctx, cmd);
	free(cmd);
	return rc;
}

int flt_nft_chain_del(struct flt_ctx *ctx, int id)
{
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "delete chain bridge faultline f%d\n", id);
	return flt_nft_run(ctx, cmd);
}

int flt_nft_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	return ctx->io->chain_del(ctx, in->id);
}

const char *flt_port_name_sys(struct flt_ctx *ctx, int node, int net)
{
	return lab_port_name(ctx->lab, node, net);
}

int flt_nft_port(struct flt_ctx *ctx, int node, int net, char *buf, size_t len)
{
	const char *p = ctx->io->port_name(ctx, node, net);
	if (!p) {
		errno = ENOENT;
		return flt_fail(ctx, "%s is not on %s", ctx->s->nodes[node].name,
				ctx->s->networks[net].name);
	}
	snprintf(buf, len, "\"%s\"", p);
	return 0;
}

int flt_nft_check(const struct flt_caps *caps, const struct scn *s, const struct scn_fault *f,
		  char *err, size_t len)
{
	(void)s;
	(void)f;
	if (caps->nft_bridge)
		return 0;
	snprintf(err, len, "this fault needs nf_tables with the bridge family, which this "
			   "kernel does not have");
	return errno = ENOTSUP, -1;
}
