/*
 * flt_int.h - internals shared by the flt_*.c files (not for other modules): the
 * definition of struct flt_ctx, the kind entries of the table, and the helpers every
 * kind uses (error text, netlink in a namespace, nft in the lab namespace, ports).
 */
#ifndef FL_FLT_INT_H
#define FL_FLT_INT_H

#include "flt.h"

struct mnl_socket;
struct nft_ctx;

/* mtu: one entry per applied instance, newest last. */
struct flt_mtu_ent {
	int id;
	int mtu;
};

struct flt_mtu_stack {
	int base; /* the value before the first entry */
	struct flt_mtu_ent *v;
	int n, cap;
};

struct flt_ctx {
	struct run *run;
	struct lab *lab;
	const struct scn *s;
	struct flt_svc_ops ops;
	struct nft_ctx *nft;        /* created inside the lab namespace */
	bool nft_table;             /* table bridge faultline exists */
	struct mnl_socket *lab_nl;  /* rtnetlink in the lab namespace */
	struct mnl_socket **node_nl; /* per node, opened on first use */
	unsigned nl_seq;
	int *down;                  /* per port (node * n_networks + net): downs applied */
	unsigned *down_gen;         /* per port: bumped by `link up` */
	struct flt_mtu_stack *mtu;  /* per port (the node-side interface) */
	int *stall;                 /* per node: stalls applied */
	int *delay;                 /* per port: delay instances applied (at most 1) */
	char err[512];
};

/* Record the failure text, keep errno, return -1. */
int flt_fail(struct flt_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline int flt_port(const struct flt_ctx *ctx, int node, int net)
{
	return node * ctx->s->n_networks + net;
}

/* flt_nl.c: rtnetlink in a namespace */
struct mnl_socket *flt_nl_lab(struct flt_ctx *ctx);
struct mnl_socket *flt_nl_node(struct flt_ctx *ctx, int node);
/* Set IFF_UP on or off (@up 0/1, -1 leaves it) and/or the MTU (0 leaves it). */
int flt_nl_link_set(struct flt_ctx *ctx, struct mnl_socket *nl, int ifindex, int up,
		    int mtu);
int flt_nl_link_mtu(struct flt_ctx *ctx, struct mnl_socket *nl, int ifindex, int *mtu);
/* Send the request in @buf and wait for its ack; kernel ext-ack text into ctx->err. */
int flt_nl_talk(struct flt_ctx *ctx, struct mnl_socket *nl, void *buf, const char *what);

/* flt_nft.c: nf_tables in the lab namespace */
int flt_nft_run(struct flt_ctx *ctx, const char *cmd);
/* Add base chain f<in->id> on the bridge forward hook holding @rules (nft syntax, one
 * rule a line). */
int flt_nft_chain_add(struct flt_ctx *ctx, const struct flt_inst *in, const char *rules);
int flt_nft_chain_del(struct flt_ctx *ctx, const struct flt_inst *in);
/* The check of the filter kinds: the bridge family must work. */
int flt_nft_check(const struct flt_caps *caps, const struct scn *s, const struct scn_fault *f,
		  char *err, size_t len);
/* The lab-side port of @node on @net as a quoted nft string into @buf. */
int flt_nft_port(struct flt_ctx *ctx, int node, int net, char *buf, size_t len);

/* flt_delay.c: a netem root qdisc on @ifindex (also the capability probe). */
int flt_netem_add(struct flt_ctx *ctx, struct mnl_socket *nl, int ifindex, int64_t delay_ms,
		  int64_t jitter_ms);
int flt_netem_del(struct flt_ctx *ctx, struct mnl_socket *nl, int ifindex);

/* The kinds (one file each). */
extern const struct flt_kind flt_link_down_kind, flt_link_up_kind, flt_flap_kind;
extern const struct flt_kind flt_blackhole_kind, flt_mtu_kind, flt_pmtu_kind;
extern const struct flt_kind flt_loss_kind, flt_delay_kind, flt_partition_kind;
extern const struct flt_kind flt_stall_kind, flt_kill_kind, flt_restart_kind;

#endif
