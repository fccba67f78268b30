/*
 * flt_int.h - internals shared by the flt_*.c files (not for other modules): the
 * definition of struct flt_ctx and the helpers every kind uses (error text, netlink in
 * a namespace, nft in the lab namespace, ports, root qdiscs). The kinds themselves are
 * declared and listed in flt_kinds.c only.
 */
#ifndef FL_FLT_INT_H
#define FL_FLT_INT_H

#include "flt.h"
#include "flt_book.h"
#include "jsonl.h" /* the kinds' parameters in events.jsonl */

struct net_nl;
struct nlk;

/*
 * One drop rule of a filter chain: a frame is dropped when every match given holds.
 * Lists of one value are compared, longer ones become anonymous sets.
 */
struct flt_nft_rule {
	const char *const *iif; /* input port is one of these; n_iif 0: any */
	const char *const *oif; /* output port */
	const uint32_t *saddr;	/* IPv4 source, network order (implies IPv4) */
	const uint32_t *daddr;	/* IPv4 destination */
	int n_iif, n_oif, n_saddr, n_daddr;
	int ethertype; /* 0: any; else the frame's ether type (ETH_P_ARP) */
	int l4proto;   /* 0: any; an IPv4/IPv6 protocol number (ICMP, TCP, UDP, 112) */
	int icmp_type; /* with l4proto: the first byte of its header, -1: any */
	int icmp_code; /* the second byte, -1: any */
	int sport;     /* with l4proto TCP or UDP: the source port, 0: any */
	int dport;     /* the destination port, 0: any */
	int permyriad; /* 0: every such frame; else drop each with p/10000 */
	bool accept;   /* accept, not drop: an exception ahead of its chain's drops (a
			  verdict of one chain: the other faults' chains still see it) */
};

/*
 * The kernel side of the kinds: one call per effect, each 0 or -1 with errno and the
 * text in ctx->err. The kinds do their bookkeeping (flt_book.h) around these calls and
 * nothing else, so tests/unit/test_flt.c runs the real kinds over a recorder.
 */
struct flt_io {
	/* The lab-side port of @node on @net (its interface name), or NULL: not there. */
	const char *(*port_name)(struct flt_ctx *ctx, int node, int net);
	int (*link_set)(struct flt_ctx *ctx, int node, int net, bool up);
	int (*mtu_get)(struct flt_ctx *ctx, int node, int net, int *mtu);
	int (*mtu_set)(struct flt_ctx *ctx, int node, int net, int mtu);
	int (*stall_set)(struct flt_ctx *ctx, int node, bool stop);
	/* Base chain f<id> holding @n @rules, in one transaction / its removal. */
	int (*chain_add)(struct flt_ctx *ctx, int id, const struct flt_nft_rule *rules, int n);
	int (*chain_del)(struct flt_ctx *ctx, int id);
};

/* The real one: rtnetlink, nf_tables, the freezer, QMP. */
extern const struct flt_io flt_io_sys;

struct flt_qdisc_owner;

struct flt_ctx {
	struct run *run;
	struct lab *lab;
	const struct scn *s;
	struct flt_svc_ops ops;
	const struct flt_io *io;
	void *io_arg;		     /* for a test's flt_io */
	struct nlk *nft_nl;      /* nf_tables netlink in the lab namespace */
	struct net_nl *lab_nl;   /* rtnetlink in the lab namespace */
	struct net_nl **node_nl; /* per node, opened on first use */
	struct flt_ref *down;	       /* per port (node * n_networks + net): downs applied */
	struct flt_mtu_stack *mtu;     /* per port (the node-side interface) */
	struct flt_ref *stall;	       /* per node: stalls applied */
	struct flt_qdisc_owner *qdisc; /* per port and side (flt_qdisc_slot) */
	struct flt_caps caps;	       /* the host's (flt_caps_probe) */
	struct flt_relay *relay;       /* fl-relay and its ports; NULL: none needed */
	char err[512];
};

/*
 * flt_ctx_new_io - the fault state of scenario @s with no run and no lab: every effect
 * goes through @io (@arg in ctx->io_arg), and nothing is put on a teardown list. For
 * tests. NULL with errno.
 */
struct flt_ctx *flt_ctx_new_io(const struct scn *s, const struct flt_io *io, void *arg);

/* Record the failure text, keep errno, return -1. */
int flt_fail(struct flt_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline int flt_port(const struct flt_ctx *ctx, int node, int net)
{
	return node * ctx->s->n_networks + net;
}

/* The two interfaces of a port that carry a root qdisc. */
enum flt_qdisc_side {
	FLT_NODE_SIDE = 0, /* the node's own interface, in its namespace (what it sends) */
	FLT_LAB_SIDE = 1,  /* its lab-side port, in the lab namespace (what it receives) */
};

/*
 * The root qdisc of one interface holds one fault at a time (delay's netem, bandwidth's
 * tbf). Composition of the qdisc kinds: a second one on the same interface while the
 * first is applied fails with EBUSY ("a delay is already applied there").
 */
struct flt_qdisc_owner {
	int id;		  /* the instance owning it, 0 when free */
	const char *kind; /* its kind's name */
};

static inline struct flt_qdisc_owner *flt_qdisc_slot(struct flt_ctx *ctx, int node, int net,
						     enum flt_qdisc_side side)
{
	return &ctx->qdisc[2 * flt_port(ctx, node, net) + (int)side];
}

/* flt_nl.c: rtnetlink in a namespace */
struct net_nl *flt_nl_lab(struct flt_ctx *ctx);
struct net_nl *flt_nl_node(struct flt_ctx *ctx, int node);
/* Set IFF_UP on or off (@up 0/1, -1 leaves it) and/or the MTU (0 leaves it). */
int flt_nl_link_set(struct flt_ctx *ctx, struct net_nl *nl, int ifindex, int up, int mtu);
int flt_nl_link_mtu(struct flt_ctx *ctx, struct net_nl *nl, int ifindex, int *mtu);
/*
 * Send the request built in @buf (caller-owned; type, flags and payload filled; the
 * layer sets NLM_F_REQUEST | NLM_F_ACK and the sequence number) and wait for its ack;
 * the kernel's ext-ack text into ctx->err.
 */
int flt_nl_talk(struct flt_ctx *ctx, struct net_nl *nl, void *buf, const char *what);

/* flt_nft.c: nf_tables in the lab namespace. Add base chain f<id> on the bridge
 * forward hook holding @rules, in one transaction; delete it. The flt_io_sys entries. */
int flt_nft_chain_add(struct flt_ctx *ctx, int id, const struct flt_nft_rule *rules, int n);
int flt_nft_chain_del(struct flt_ctx *ctx, int id);
/* The path of the nft kinds: "nftables". */
const char *flt_nft_path(const struct flt_caps *caps, const struct scn *s,
			 const struct scn_fault *f);
/* The nft kinds' revert: delete the instance's chain. */
int flt_nft_revert(struct flt_ctx *ctx, struct flt_inst *in);
/* Can this namespace load our chains (sets, numgen, ICMP matches)? Leaves them there. */
bool flt_nft_probe(void);
/*
 * Open the nf_tables socket of the run now and build (not send) a batch of every rule
 * shape: the first filter fault then pays neither the socket nor the first run of
 * libnftnl's code (measured: 30-50 us of a 0.2 ms apply). Failures are left for it.
 */
void flt_nft_warm(struct flt_ctx *ctx);
/* The check of the filter kinds: the bridge family must work. */
int flt_nft_check(const struct flt_caps *caps, const struct scn *s, const struct scn_fault *f,
		  char *err, size_t len);
/* The lab-side port of @node on @net, or NULL with errno ENOENT and the text set. */
const char *flt_nft_port(struct flt_ctx *ctx, int node, int net);

/*
 * flt_filter.c: the "[in|out|both] [match SEL]" of the filter kinds (loss, blackhole).
 * Parse it (both, everything by default); its dry-run text and events.jsonl members
 * (none for the default); apply: the instance's chain dropping the selected frames of
 * the target's port, each with @permyriad/10000 (0: every one).
 */
int flt_filter_parse(struct scn_p *p, struct scn_fault *f);
int flt_filter_args(const struct scn_fault *f, char *buf, size_t len);
int flt_filter_params(const struct scn_fault *f, json_t *obj);
/* The instance's chain: @permyriad as struct flt_nft_rule's (0: every matching frame),
 * or FLT_FILTER_NONE for a chain with no rule (a loss below 0.01%). */
#define FLT_FILTER_NONE (-1)
int flt_filter_apply(struct flt_ctx *ctx, struct flt_inst *in, int permyriad);

/* The flt_io_sys entries of flt_link.c, flt_mtu.c, flt_stall.c. */
const char *flt_port_name_sys(struct flt_ctx *ctx, int node, int net);
int flt_link_set_sys(struct flt_ctx *ctx, int node, int net, bool up);
int flt_mtu_get_sys(struct flt_ctx *ctx, int node, int net, int *mtu);
int flt_mtu_set_sys(struct flt_ctx *ctx, int node, int net, int mtu);
int flt_stall_set_sys(struct flt_ctx *ctx, int node, bool stop);

/* flt_delay.c: root qdiscs. The header of a request about @ifindex's root qdisc. */
struct nlmsghdr *flt_qdisc_msg(char *buf, uint16_t type, int ifindex);
/* A netem root qdisc on @ifindex. */
int flt_netem_add(struct flt_ctx *ctx, struct net_nl *nl, int ifindex, int64_t delay_ms,
		  int64_t jitter_ms);
int flt_netem_del(struct flt_ctx *ctx, struct net_nl *nl, int ifindex);
/* Delete the root qdisc of @ifindex, whatever its kind (@what names it in errors). */
int flt_qdisc_del(struct flt_ctx *ctx, struct net_nl *nl, int ifindex, const char *what);

/*
 * flt_relay.c: the kinds carried by fl-relay (path "relay"). flt_relay_prepare() runs
 * when the context is made: every port a relayed fault of the scenario may hit gets
 * the relay's veth pair, and fl-relay is started in the lab namespace with them
 * declared; a failure there is kept and given by the first relayed apply.
 * flt_relay_apply() turns effect @fx on for @in's port in the directions @in's fault
 * names (taking the port into the relay when it was idle); the revert turns it off
 * (putting the port back on its bridge when nothing is left on) and leaves the relay's
 * counters of the port in in->facts. One instance per effect, port and direction at a
 * time: a second fails with EBUSY.
 */
struct relay_effect;
void flt_relay_prepare(struct flt_ctx *ctx);
void flt_relay_free(struct flt_ctx *ctx);
int flt_relay_apply(struct flt_ctx *ctx, struct flt_inst *in, int fx,
		    const struct relay_effect *e);
int flt_relay_revert(struct flt_ctx *ctx, struct flt_inst *in, int fx);
/* The relay's veth end standing in for @node's port on @net on the bridge, or NULL. */
const char *flt_relay_port_name(struct flt_ctx *ctx, int node, int net);
/* The relayed kinds' grammar tail "[in|out|both] [match SEL]" (default @dflt), its text
 * (the direction only when not @dflt) and its JSON members. */
int flt_relay_tail_parse(struct scn_p *p, struct scn_fault *f, int dflt);
int flt_relay_tail_args(const struct scn_fault *f, int dflt, char *buf, size_t len);
int flt_relay_tail_params(const struct scn_fault *f, int dflt, json_t *obj);
/* The grammar of duplicate, corrupt, reorder: "NODE.NET P% [DIR] [match SEL]", both
 * directions by default. */
int flt_relay_pct_parse(struct scn_p *p, struct scn_fault *f);
int flt_relay_pct_args(const struct scn_fault *f, int step, int steps, char *buf, size_t len);
int flt_relay_pct_params(const struct scn_fault *f, int step, int steps, json_t *obj);
/* The path of the kinds that only fl-relay carries. */
const char *flt_relay_path(const struct flt_caps *caps, const struct scn *s,
			   const struct scn_fault *f);

#endif
