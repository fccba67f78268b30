/*
 * flt_relay.c - faultline's side of fl-relay (lb/fl_relay.c), the frame path of the
 * packet faults the kernel lacks a piece for (no sch_netem here): delay with jitter
 * and direction or match, duplicate, corrupt, reorder, loss in bursts.
 *
 * Plumbing, per port a relayed fault of the scenario may hit (node N on network K,
 * port pN.K on bridge K): a veth pair qN.K / rN.K in the lab namespace, made when the
 * run's fault context is, qN.K on bridge K as a disabled port. While an effect is on,
 * pN.K is the disabled one and qN.K forwards (flt_relay_swap); fl-relay reads what the
 * node sends on pN.K and writes it to rN.K (so it enters the bridge at qN.K), and the
 * other way. With every effect off pN.K forwards again, qN.K is disabled and the
 * relay's sockets are bound to no protocol: it is not in the path and costs nothing.
 *
 * Filters (loss, blackhole, partition, pmtu) match a port by its names, pN.K and qN.K
 * (flt_relay_port_name), so they hold whether the relay is in the path or not; a
 * bandwidth `in` (tbf on pN.K) shapes what fl-relay writes to the node as before.
 *
 * fl-relay is started with PR_SET_PDEATHSIG(SIGKILL) and the control socket as fd 3's
 * number on its command line; the run's teardown kills it (its veths go with the lab
 * namespace).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_bridge.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flt_int.h"
#include "lab.h"
#include "net.h"
#include "relay_proto.h"
#include "run.h"

struct flt_relay_port {
	bool want, made, active;
	int idx;	   /* the port's number for fl-relay */
	int q_ifindex;	   /* the relay's veth end on the bridge side */
	char q[24], r[24]; /* IFNAMSIZ at most for any lab faultline builds */
	struct relay_effect fx[2][RELAY_FX_N];
	int owner[2][RELAY_FX_N];   /* the instance holding each effect, 0: free */
	struct relay_stats base[2]; /* the counters when it went into the path */
};

struct flt_relay {
	pid_t pid;
	int ctl;
	int n_ports;
	struct flt_relay_port *port; /* per flt_port() */
	bool orphan;		     /* the context is gone: the teardown entry frees this */
	char err[600];		     /* why the relay is not there, "" when it is */
};

/* ---- grammar shared by the relayed kinds ---- */

int flt_relay_tail_parse(struct scn_p *p, struct scn_fault *f, int dflt)
{
	if (scn_arg_dir(p, (enum scn_dir)dflt, &f->dir) < 0)
		return -1;
	return scn_arg_match(p, &f->match);
}

int flt_relay_tail_args(const struct scn_fault *f, int dflt, char *buf, size_t len)
{
	int n = f->dir && (int)f->dir != dflt ? snprintf(buf, len, " %s", scn_dir_name(f->dir))
					      : snprintf(buf, len, "%s", "");
	if (n < 0)
		return n;
	bool room = buf && (size_t)n < len;
	int m = scn_match_fmt(&f->match, room ? buf + n : NULL, room ? len - (size_t)n : 0);
	return m < 0 ? m : n + m;
}

int flt_relay_tail_params(const struct scn_fault *f, int dflt, json_t *obj)
{
	if (f->dir && (int)f->dir != dflt &&
	    jsonl_set(obj, "dir", jsonl_str(scn_dir_name(f->dir))) < 0)
		return -1;
	if (f->match.proto &&
	    jsonl_set(obj, "match", jsonl_str(scn_proto_name(f->match.proto))) < 0)
		return -1;
	if (f->match.port && jsonl_set(obj, "port", jsonl_num(f->match.port)) < 0)
		return -1;
	return 0;
}

int flt_relay_pct_parse(struct scn_p *p, struct scn_fault *f)
{
	if (scn_arg_target(p, f, SCN_ARG_IFACE) < 0 || scn_arg_percent(p, &f->percent) < 0)
		return -1;
	return flt_relay_tail_parse(p, f, SCN_DIR_BOTH);
}

int flt_relay_pct_args(const struct scn_fault *f, int step, int steps, char *buf, size_t len)
{
	(void)step;
	(void)steps;
	int n = snprintf(buf, len, " %g%%", f->percent);
	if (n < 0)
		return n;
	bool room = buf && (size_t)n < len;
	int m =
	    flt_relay_tail_args(f, SCN_DIR_BOTH, room ? buf + n : NULL, room ? len - (size_t)n : 0);
	return m < 0 ? m : n + m;
}

int flt_relay_pct_params(const struct scn_fault *f, int step, int steps, json_t *obj)
{
	char shown[32];
	(void)step;
	(void)steps;
	snprintf(shown, sizeof(shown), "%g", f->percent);
	if (jsonl_set(obj, "percent", jsonl_num(strtod(shown, NULL))) < 0)
		return -1;
	return flt_relay_tail_params(f, SCN_DIR_BOTH, obj);
}

const char *flt_relay_path(const struct flt_caps *caps, const struct scn *s,
			   const struct scn_fault *f)
{
	(void)caps;
	(void)s;
	(void)f;
	return "relay";
}

/* ---- the relay process and its ports ---- */

static int flt_relay_talk(struct flt_relay *rl, const struct relay_msg *m, struct relay_reply *r)
{
	if (send(rl->ctl, m, sizeof(*m), MSG_NOSIGNAL) != (ssize_t)sizeof(*m))
		return snprintf(rl->err, sizeof(rl->err), "fl-relay: control: %s", strerror(errno)),
		       -1;
	ssize_t n;
	while ((n = recv(rl->ctl, r, sizeof(*r), 0)) == -1 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(*r))
		return errno = n == -1 ? errno : EPIPE,
		       snprintf(rl->err, sizeof(rl->err), "fl-relay: no answer (%s)",
				n == -1 ? strerror(errno) : "it is gone"),
		       -1;
	if (r->err) {
		snprintf(rl->err, sizeof(rl->err), "fl-relay: %s", r->text);
		return errno = r->err, -1;
	}
	return 0;
}

static void flt_relay_kill(void *arg)
{
	struct flt_relay *rl = arg;
	if (rl->pid <= 0)
		return;
	kill(rl->pid, SIGKILL);
	while (waitpid(rl->pid, NULL, 0) == -1 && errno == EINTR)
		;
	rl->pid = 0;
	if (rl->orphan) {
		free(rl->port);
		free(rl);
	}
}

static int flt_relay_spawn(struct flt_ctx *ctx, struct flt_relay *rl)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1)
		return -1;
	/* ours closes on exec; the relay's end is inherited by fl-relay only: closed
	 * here right after the fork, before anything else is started */
	if (fcntl(sv[0], F_SETFD, FD_CLOEXEC) == -1) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	char fd[16], out[512];
	snprintf(fd, sizeof(fd), "%d", sv[1]);
	snprintf(out, sizeof(out), "%s/fl-relay.log", run_dir(ctx->run));
	char *argv[] = {"fl-relay", "--ctl", fd, NULL};
	rl->pid = lab_spawn(ctx->lab, -1, argv, out, out);
	int e = errno;
	close(sv[1]);
	if (rl->pid <= 0) {
		close(sv[0]);
		return errno = e, -1;
	}
	rl->ctl = sv[0];
	return run_defer(ctx->run, flt_relay_kill, rl, "fl-relay");
}

/* The ifindex of @name in the lab namespace (if_nametoindex runs in the caller's). */
struct flt_relay_lookup {
	const char *name;
	int ifindex;
};

static int flt_relay_lookup_fn(void *arg)
{
	struct flt_relay_lookup *l = arg;
	l->ifindex = (int)if_nametoindex(l->name);
	return l->ifindex > 0 ? 0 : -1;
}

static int flt_relay_ifindex(struct flt_ctx *ctx, const char *name)
{
	struct flt_relay_lookup l = {name, 0};
	return lab_in_netns(lab_netns_fd(ctx->lab), flt_relay_lookup_fn, &l) == 0 ? l.ifindex : -1;
}

/* The veth pairs of every wanted port, in one batch on the lab's socket. */
static int flt_relay_veths(struct flt_ctx *ctx, struct flt_relay *rl)
{
	struct net_nl *nl = flt_nl_lab(ctx);
	if (!nl)
		return snprintf(rl->err, sizeof(rl->err), "%s", ctx->err), -1;
	const struct scn *s = ctx->s;
	for (int i = 0; i < rl->n_ports; i++) {
		struct flt_relay_port *p = &rl->port[i];
		int node = i / s->n_networks, net = i % s->n_networks;
		if (!p->want)
			continue;
		snprintf(p->q, sizeof(p->q), "q%d.%d", node, net);
		snprintf(p->r, sizeof(p->r), "r%d.%d", node, net);
		if (net_veth_add(nl, p->q, 0, lab_bridge_ifindex(ctx->lab, net),
				 s->networks[net].mtu, p->r, -1, 0) < 0)
			break;
	}
	if (net_nl_flush(nl) < 0)
		return snprintf(rl->err, sizeof(rl->err), "relay veths: %s", net_nl_error(nl)), -1;
	for (int i = 0; i < rl->n_ports; i++) {
		struct flt_relay_port *p = &rl->port[i];
		if (!p->want)
			continue;
		int r = flt_relay_ifindex(ctx, p->r);
		p->q_ifindex = flt_relay_ifindex(ctx, p->q);
		if (r <= 0 || p->q_ifindex <= 0 || net_link_set_up(nl, r, true) < 0 ||
		    net_brport_set(nl, p->q_ifindex, BR_STATE_DISABLED, true) < 0)
			return snprintf(rl->err, sizeof(rl->err), "relay veth %s: %s", p->r,
					strerror(errno)),
			       -1;
		p->idx = r; /* kept until declared */
	}
	if (net_nl_flush(nl) < 0)
		return snprintf(rl->err, sizeof(rl->err), "relay veths: %s", net_nl_error(nl)), -1;
	return 0;
}

/* Tell fl-relay about every port: its two ifindexes, under the port's number. */
static int flt_relay_declare(struct flt_ctx *ctx, struct flt_relay *rl)
{
	const struct scn *s = ctx->s;
	for (int i = 0, n = 0; i < rl->n_ports; i++) {
		struct flt_relay_port *p = &rl->port[i];
		if (!p->want)
			continue;
		struct relay_msg m = {.op = RELAY_OP_PORT, .port = (uint32_t)n};
		m.port_ifindex = lab_port_ifindex(ctx->lab, i / s->n_networks, i % s->n_networks);
		m.relay_ifindex = p->idx;
		struct relay_reply r;
		if (n >= RELAY_PORTS_MAX)
			return snprintf(rl->err, sizeof(rl->err), "more than %d relayed ports",
					RELAY_PORTS_MAX),
			       -1;
		if (m.port_ifindex <= 0 || flt_relay_talk(rl, &m, &r) < 0)
			return -1;
		p->idx = n++;
		p->made = true;
	}
	return 0;
}

/* Mark the ports fault @f may hit. True when there is one. */
static bool flt_relay_want(struct flt_ctx *ctx, struct flt_relay *rl, const struct scn_fault *f)
{
	const char *path = flt_fault_path(&ctx->caps, ctx->s, f);
	bool any = false;
	if (!path || strcmp(path, "relay") || f->target.net < 0)
		return false;
	for (int i = 0; i < f->target.n_nodes; i++) {
		int node = f->target.nodes[i];
		if (lab_port_ifindex(ctx->lab, node, f->target.net) < 0)
			continue;
		rl->port[flt_port(ctx, node, f->target.net)].want = true;
		any = true;
	}
	return any;
}

void flt_relay_prepare(struct flt_ctx *ctx)
{
	const struct scn *s = ctx->s;
	int n = s->n_nodes * s->n_networks;
	struct flt_relay *rl = calloc(1, sizeof(*rl));
	bool any = false;
	if (!rl || !(rl->port = calloc((size_t)n + 1, sizeof(*rl->port)))) {
		free(rl);
		return; /* the relayed applies say "no relay" */
	}
	rl->n_ports = n;
	rl->ctl = -1;
	for (int i = 0; i < s->n_events; i++)
		any |= flt_relay_want(ctx, rl, &s->events[i].fault);
	ctx->relay = rl;
	if (!any)
		return;
	if (flt_relay_veths(ctx, rl) < 0)
		return;
	if (flt_relay_spawn(ctx, rl) < 0) {
		snprintf(rl->err, sizeof(rl->err), "cannot start fl-relay: %s", strerror(errno));
		return;
	}
	(void)flt_relay_declare(ctx, rl);
}

void flt_relay_free(struct flt_ctx *ctx)
{
	struct flt_relay *rl = ctx->relay;
	if (!rl)
		return;
	if (rl->ctl >= 0)
		close(rl->ctl);
	rl->ctl = -1;
	ctx->relay = NULL;
	/* a live fl-relay is the teardown list's (flt_relay_kill), which frees it then */
	if (rl->pid > 0) {
		rl->orphan = true;
		return;
	}
	free(rl->port);
	free(rl);
}

const char *flt_relay_port_name(struct flt_ctx *ctx, int node, int net)
{
	struct flt_relay *rl = ctx->relay;
	if (!rl || node < 0 || net < 0)
		return NULL;
	struct flt_relay_port *p = &rl->port[flt_port(ctx, node, net)];
	return p->made ? p->q : NULL;
}

/* ---- apply and revert ---- */

static struct relay_sel flt_relay_sel(const struct scn_match *m)
{
	struct relay_sel sel = {0};
	static const uint8_t l4[] = {[SCN_PROTO_TCP] = 6,
				     [SCN_PROTO_UDP] = 17,
				     [SCN_PROTO_ICMP] = 1,
				     [SCN_PROTO_VRRP] = 112};
	if (m->proto == SCN_PROTO_ARP)
		sel.ethertype = 0x0806;
	else if (m->proto != SCN_PROTO_ANY)
		sel.l4proto = l4[m->proto];
	if (m->proto == SCN_PROTO_ICMP)
		sel.l4proto2 = 58;
	sel.port = (uint16_t)m->port;
	return sel;
}

static bool flt_relay_port_idle(const struct flt_relay_port *p)
{
	for (int d = 0; d < 2; d++)
		for (int i = 0; i < RELAY_FX_N; i++)
			if (p->fx[d][i].on)
				return false;
	return true;
}

/* The port's effects to fl-relay; @r gets its counters. */
static int flt_relay_send(struct flt_ctx *ctx, struct flt_relay_port *p, uint64_t seed,
			  struct relay_reply *r)
{
	struct relay_msg m = {.op = RELAY_OP_SET, .port = (uint32_t)p->idx, .seed = seed};
	memcpy(m.fx, p->fx, sizeof(m.fx));
	if (flt_relay_talk(ctx->relay, &m, r) < 0)
		return flt_fail(ctx, "%s", ctx->relay->err);
	return 0;
}

/*
 * Port @node/@net onto the relay (@in) or back. Both pN.K and qN.K stay on the bridge;
 * the one out of the path is a disabled bridge port (no forwarding, no learning) with
 * the addresses learned on it forgotten, so the bridge floods to the other until it
 * learns. No port is taken off the bridge, which would wait for an RCU grace period
 * (milliseconds in which frames vanish). Make before break: the port coming into the
 * path forwards first, then the other is disabled, in one batch. For the moment in
 * between a frame may cross twice (once each way round); with the other order it was
 * lost instead: the node's answer to a frame the relay had just released arrived on
 * the still disabled pN.K, and its relayed copy reached qN.K once it was disabled.
 */
static int flt_relay_swap(struct flt_ctx *ctx, struct flt_relay_port *p, int node, int net,
			  bool in)
{
	struct net_nl *nl = flt_nl_lab(ctx);
	int port = lab_port_ifindex(ctx->lab, node, net);
	if (!nl)
		return -1;
	int off = in ? port : p->q_ifindex, on = in ? p->q_ifindex : port;
	if (net_brport_set(nl, on, BR_STATE_FORWARDING, false) < 0 ||
	    net_brport_set(nl, off, BR_STATE_DISABLED, true) < 0 || net_nl_flush(nl) < 0)
		return flt_fail(ctx, "relay %s: %s", in ? "in" : "out", net_nl_error(nl));
	p->active = in;
	return 0;
}

/* The directions of @in's fault (both when it names none). */
static int flt_relay_dirs(const struct flt_inst *in)
{
	return in->fault->dir ? (int)in->fault->dir : SCN_DIR_BOTH;
}

static bool flt_relay_has(int dirs, int d)
{
	return dirs & (d == RELAY_OUT ? SCN_DIR_OUT : SCN_DIR_IN);
}

static struct flt_relay_port *flt_relay_port_of(struct flt_ctx *ctx, const struct flt_inst *in)
{
	struct flt_relay *rl = ctx->relay;
	int net = in->fault->target.net;
	if (!rl || in->node < 0 || net < 0)
		return errno = ENOTSUP, flt_fail(ctx, "no relay in this run"), NULL;
	struct flt_relay_port *p = &rl->port[flt_port(ctx, in->node, net)];
	if (!p->made)
		return errno = ENOTSUP,
		       flt_fail(ctx, "no relay for %s on %s%s%s", ctx->s->nodes[in->node].name,
				ctx->s->networks[net].name, rl->err[0] ? ": " : "", rl->err),
		       NULL;
	return p;
}

int flt_relay_apply(struct flt_ctx *ctx, struct flt_inst *in, int fx, const struct relay_effect *e)
{
	struct flt_relay_port *p = flt_relay_port_of(ctx, in);
	int dirs = flt_relay_dirs(in);
	if (!p)
		return -1;
	for (int d = 0; d < 2; d++)
		if (flt_relay_has(dirs, d) && p->owner[d][fx])
			return errno = EBUSY,
			       flt_fail(ctx, "a %s is already applied there", in->kind->name);
	struct flt_relay_port old = *p;
	for (int d = 0; d < 2; d++)
		if (flt_relay_has(dirs, d)) {
			p->fx[d][fx] = *e;
			p->fx[d][fx].on = 1;
			p->fx[d][fx].sel = flt_relay_sel(&in->fault->match);
			p->owner[d][fx] = in->id;
		}
	struct relay_reply r;
	uint64_t seed = ctx->s->seed * 1000003u + (uint64_t)in->id;
	if (flt_relay_send(ctx, p, seed, &r) < 0) {
		*p = old;
		return -1;
	}
	if (!p->active) {
		memcpy(p->base, r.stats, sizeof(p->base));
		if (flt_relay_swap(ctx, p, in->node, in->fault->target.net, true) < 0) {
			int e2 = errno;
			char err[sizeof(ctx->err)];
			memcpy(err, ctx->err, sizeof(err));
			*p = old;
			(void)flt_relay_send(ctx, p, seed, &r);
			memcpy(ctx->err, err, sizeof(err));
			return errno = e2, -1;
		}
	}
	return 0;
}

/* The counters of direction @d while the port was in the relay's path. */
static json_t *flt_relay_stats_json(const struct relay_stats *now, const struct relay_stats *b)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "frames",
			 (json_int_t)(now->frames - b->frames), "sent",
			 (json_int_t)(now->sent - b->sent), "passed",
			 (json_int_t)(now->passed - b->passed), "lost",
			 (json_int_t)(now->lost - b->lost), "duplicated",
			 (json_int_t)(now->duplicated - b->duplicated), "corrupted",
			 (json_int_t)(now->corrupted - b->corrupted), "reordered",
			 (json_int_t)(now->reordered - b->reordered), "delayed",
			 (json_int_t)(now->delayed - b->delayed), "overflow",
			 (json_int_t)(now->overflow - b->overflow), "flushed",
			 (json_int_t)(now->flushed - b->flushed), "unsegmented",
			 (json_int_t)(now->unsegmented - b->unsegmented), "send_errors",
			 (json_int_t)(now->send_errors - b->send_errors));
}

int flt_relay_revert(struct flt_ctx *ctx, struct flt_inst *in, int fx)
{
	struct flt_relay_port *p = flt_relay_port_of(ctx, in);
	if (!p)
		return -1;
	for (int d = 0; d < 2; d++)
		if (p->owner[d][fx] == in->id) {
			p->owner[d][fx] = 0;
			memset(&p->fx[d][fx], 0, sizeof(p->fx[d][fx]));
		}
	/* effects off first (what is held leaves at once, frames still pass), then the
	 * port back on its bridge, then the relay stops reading: no frame is lost */
	struct relay_reply r;
	if (flt_relay_send(ctx, p, 0, &r) < 0)
		return -1;
	int rc = 0;
	if (flt_relay_port_idle(p) && p->active) {
		rc = flt_relay_swap(ctx, p, in->node, in->fault->target.net, false);
		struct relay_msg m = {.op = RELAY_OP_UNBIND, .port = (uint32_t)p->idx};
		if (flt_relay_talk(ctx->relay, &m, &r) < 0 && rc == 0)
			rc = flt_fail(ctx, "%s", ctx->relay->err);
	}
	json_decref(in->facts);
	in->facts = json_pack("{s:{s:o,s:o}}", "relay", "out",
			      flt_relay_stats_json(&r.stats[RELAY_OUT], &p->base[RELAY_OUT]), "in",
			      flt_relay_stats_json(&r.stats[RELAY_IN], &p->base[RELAY_IN]));
	return rc;
}
