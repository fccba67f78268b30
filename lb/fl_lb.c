/*
 * fl_lb.c - fl-lb: the L4 load balancer with health checks and VRRPv3 / `ha safe`
 * failover. The command line, the JSON events, signals; the work is in lb_proxy.c,
 * lb_probe.c and vrrp_node.c. Flags: docs/architecture.md, docs/programs.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonl.h"
#include "lb_backend.h"
#include "loop.h"
#include "lb_proxy.h"
#include "vrrp_node.h"
#include "web_events.h"

enum ha_mode { HA_NONE = 0, HA_VRRP, HA_SAFE };

struct opts {
	const char *name, *events, *vip_dev, *heartbeat, *oclock;
	struct lb_proxy_cfg px;
	enum ha_mode ha;
	struct in_addr vip;
	int vip_plen, vrid, priority, advert_ms, preempt_delay_ms, vip_lease_s;
	bool have_vip, preempt;
};

struct app {
	struct opts o;
	struct loop *loop;
	struct lb_pool pool;
	struct lb_proxy *proxy;
	struct vrrp_net net;
	struct vrrp_node node;
	struct loop_timer health_t;
	int ev_fd;
	bool ha_on, none_vip;
};

static const char usage[] =
	"usage: fl-lb --listen VIP:PORT --backend NAME=ADDR:PORT ... --name NAME\n"
	"             [--balance rr|leastconn] [--check http|tcp] [--check-interval MS]\n"
	"             [--check-timeout MS] [--rise N] [--fall N] [--mss N]\n"
	"             [--connect-timeout MS] [--idle-timeout MS] [--maxconn N] [--threads N]\n"
	"             [--ha none|vrrp|safe --vip ADDR/PLEN --vip-dev IFNAME --vrid N\n"
	"              --priority N --advert MS --heartbeat IFNAME[,IFNAME]\n"
	"              [--preempt-delay MS] [--vip-lease S] [--no-preempt]\n"
	"              [--outside-clock PATH|none]]\n"
	"             [--events FILE]\n"
	"Defaults: rr, http checks every 200 ms, timeout 200 ms, rise 2, fall 2;\n"
	"connect timeout 1000 ms, idle timeout 30000 ms, maxconn 1000, threads = CPUs (at\n"
	"most 8); vrid 51, priority 100, advert 1000 ms, no VIP lease; ha safe: preempt\n"
	"delay 3000 ms, outside clock " VRRP_OCLOCK_PATH " when readable.\n";

static _Noreturn void die_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "fl-lb: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	exit(2);
}

static long num(const char *s, long lo, long hi, const char *opt)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		die_usage("bad value for %s", opt);
	return v;
}

static void parse_vip(struct opts *o, const char *s)
{
	char buf[INET_ADDRSTRLEN + 4];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash)
		die_usage("--vip wants ADDR/PLEN, got %s", s);
	*slash = 0;
	if (inet_pton(AF_INET, buf, &o->vip) != 1)
		die_usage("bad --vip address %s", s);
	o->vip_plen = (int)num(slash + 1, 1, 32, "--vip");
	o->have_vip = true;
}

enum { O_LISTEN = 256, O_BACKEND, O_BALANCE, O_CHECK, O_CINT, O_CTMO, O_RISE, O_FALL,
       O_MSS, O_CONNTMO, O_IDLE, O_MAXCONN, O_THREADS, O_HA, O_VIP, O_VIPDEV, O_VRID, O_PRIO,
       O_ADVERT, O_HB, O_PDELAY, O_LEASE, O_NOPREEMPT, O_OCLOCK, O_NAME, O_EVENTS, O_HELP };

static const struct option longopts[] = {
	{"listen", 1, 0, O_LISTEN}, {"backend", 1, 0, O_BACKEND}, {"balance", 1, 0, O_BALANCE},
	{"check", 1, 0, O_CHECK}, {"check-interval", 1, 0, O_CINT},
	{"check-timeout", 1, 0, O_CTMO}, {"rise", 1, 0, O_RISE}, {"fall", 1, 0, O_FALL},
	{"mss", 1, 0, O_MSS}, {"connect-timeout", 1, 0, O_CONNTMO},
	{"idle-timeout", 1, 0, O_IDLE}, {"maxconn", 1, 0, O_MAXCONN}, {"threads", 1, 0, O_THREADS},
	{"ha", 1, 0, O_HA},
	{"vip", 1, 0, O_VIP}, {"vip-dev", 1, 0, O_VIPDEV}, {"vrid", 1, 0, O_VRID},
	{"priority", 1, 0, O_PRIO}, {"advert", 1, 0, O_ADVERT}, {"heartbeat", 1, 0, O_HB},
	{"preempt-delay", 1, 0, O_PDELAY}, {"vip-lease", 1, 0, O_LEASE},
	{"no-preempt", 0, 0, O_NOPREEMPT}, {"outside-clock", 1, 0, O_OCLOCK}, {"name", 1, 0, O_NAME}, {"events", 1, 0, O_EVENTS},
	{"help", 0, 0, O_HELP}, {0, 0, 0, 0}};

static void parse_check_opt(struct app *a, int c, const char *v)
{
	struct lb_health_cfg *hc = &a->pool.hc;

	switch (c) {
	case O_CHECK:
		if (strcmp(v, "http") && strcmp(v, "tcp"))
			die_usage("--check is http or tcp, not %s", v);
		a->pool.check = strcmp(v, "tcp") ? LB_CHECK_HTTP : LB_CHECK_TCP;
		break;
	case O_CINT:
		hc->interval_ms = (unsigned)num(v, 10, 3600000, "--check-interval");
		hc->fast_ms = hc->interval_ms / 2;
		break;
	case O_CTMO: hc->timeout_ms = (unsigned)num(v, 1, 3600000, "--check-timeout"); break;
	case O_RISE: hc->rise = (unsigned)num(v, 1, 100, "--rise"); break;
	case O_FALL: hc->fall = (unsigned)num(v, 1, 100, "--fall"); break;
	}
}

static void parse_ha_opt(struct opts *o, int c, const char *v)
{
	switch (c) {
	case O_HA:
		if (!strcmp(v, "none"))
			o->ha = HA_NONE;
		else if (!strcmp(v, "vrrp"))
			o->ha = HA_VRRP;
		else if (!strcmp(v, "safe"))
			o->ha = HA_SAFE;
		else
			die_usage("--ha is none, vrrp or safe, not %s", v);
		break;
	case O_VIP: parse_vip(o, v); break;
	case O_VIPDEV: o->vip_dev = v; break;
	case O_VRID: o->vrid = (int)num(v, 1, 255, "--vrid"); break;
	case O_PRIO: o->priority = (int)num(v, 1, 255, "--priority"); break;
	case O_ADVERT: o->advert_ms = (int)num(v, 10, VRRP_ADVER_MAX_CS * 10, "--advert"); break;
	case O_HB: o->heartbeat = v; break;
	case O_PDELAY: o->preempt_delay_ms = (int)num(v, 0, 3600000, "--preempt-delay"); break;
	case O_LEASE: o->vip_lease_s = (int)num(v, 0, 3600, "--vip-lease"); break;
	case O_NOPREEMPT: o->preempt = false; break;
	case O_OCLOCK: o->oclock = v; break;
	}
}

/* --listen, --backend, --balance and the proxy's limits. */
static void parse_proxy_opt(struct app *a, int c, const char *v)
{
	struct lb_proxy_cfg *px = &a->o.px;

	switch (c) {
	case O_LISTEN:
		if (lb_parse_addr(v, &px->listen) < 0)
			die_usage("--listen wants ADDR:PORT, got %s", v);
		break;
	case O_BACKEND:
		if (lb_pool_add(&a->pool, v) < 0)
			die_usage("bad --backend %s (NAME=ADDR:PORT, at most 64)", v);
		break;
	case O_BALANCE:
		if (strcmp(v, "rr") && strcmp(v, "leastconn"))
			die_usage("--balance is rr or leastconn, not %s", v);
		a->pool.sched.mode = strcmp(v, "rr") ? LB_BALANCE_LEASTCONN : LB_BALANCE_RR;
		break;
	case O_MSS: px->mss = (int)num(v, 88, 65535, "--mss"); break;
	case O_CONNTMO:
		px->connect_timeout_ms = (unsigned)num(v, 1, 3600000, "--connect-timeout");
		break;
	case O_IDLE: px->idle_timeout_ms = (unsigned)num(v, 1, 86400000, "--idle-timeout"); break;
	case O_MAXCONN: px->maxconn = (unsigned)num(v, 1, 1000000, "--maxconn"); break;
	case O_THREADS: px->threads = (unsigned)num(v, 1, LB_THREADS_MAX, "--threads"); break;
	}
}

static void check_combination(const struct app *a)
{
	const struct opts *o = &a->o;

	if (!o->px.listen.sin_port || !a->pool.n || !o->name)
		die_usage("%s", "--listen, --backend and --name are required");
	if (o->ha != HA_NONE && (!o->have_vip || !o->vip_dev))
		die_usage("%s", "--ha vrrp|safe needs --vip and --vip-dev");
	if (o->have_vip && !o->vip_dev)
		die_usage("%s", "--vip needs --vip-dev");
	if (a->pool.hc.timeout_ms > a->pool.hc.interval_ms * 4)
		die_usage("%s", "--check-timeout longer than 4 check intervals");
}

static void parse(struct app *a, int argc, char **argv)
{
	struct opts *o = &a->o;
	int c;

	o->vrid = 51;
	o->priority = 100;
	o->advert_ms = 1000;
	o->preempt_delay_ms = -1;
	o->vip_lease_s = -1;
	o->preempt = true;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_NAME: o->name = optarg; break;
		case O_EVENTS: o->events = optarg; break;
		case O_HELP:
		case 'h': fputs(usage, stdout); exit(0);
		case O_LISTEN: case O_BACKEND: case O_BALANCE: case O_MSS: case O_CONNTMO:
		case O_IDLE: case O_MAXCONN: case O_THREADS:
			parse_proxy_opt(a, c, optarg);
			break;
		case O_CHECK: case O_CINT: case O_CTMO: case O_RISE: case O_FALL:
			parse_check_opt(a, c, optarg);
			break;
		case '?': die_usage("%s", "unknown option");
		default: parse_ha_opt(o, c, optarg); break;
		}
	}
	if (optind < argc)
		die_usage("unexpected argument %s", argv[optind]);
	check_combination(a);
}

static void event(struct app *a, const char *ev, json_t *more)
{
	web_events_write(a->ev_fd, a->o.name, ev, more);
}

static void on_backend(void *arg, const struct lb_backend *b, const char *reason)
{
	struct app *a = arg;
	char ip[INET_ADDRSTRLEN], addr[INET_ADDRSTRLEN + 8];

	inet_ntop(AF_INET, &b->addr.sin_addr, ip, sizeof(ip));
	snprintf(addr, sizeof(addr), "%s:%u", ip, ntohs(b->addr.sin_port));
	event(a, "backend",
	      json_pack("{s:o,s:s,s:s,s:o}", "backend", jsonl_str(b->name), "addr", addr, "state",
			b->health.state == LB_HEALTH_UP ? "up" : "down", "reason",
			jsonl_str(reason)));
}

static void on_vrrp(void *arg, const struct vrrp_node_event *e)
{
	struct app *a = arg;
	char ip[INET_ADDRSTRLEN];

	switch (e->type) {
	case VRRP_NODE_STATE: {
		json_t *o = json_pack("{s:s,s:s,s:o}", "from", vrrp_state_name(e->from), "to",
				      vrrp_state_name(e->to), "reason", jsonl_str(e->reason));
		if (o && e->silent_us) /* a stall: how long we had not claimed the VIP */
			jsonl_set(o, "silent_ms", json_integer((json_int_t)(e->silent_us / 1000)));
		event(a, "state", o);
		break;
	}
	case VRRP_NODE_VIP:
		inet_ntop(AF_INET, &a->o.vip, ip, sizeof(ip));
		event(a, "vip",
		      json_pack("{s:s,s:s,s:o}", "op", e->added ? "add" : "remove", "vip", ip,
				"dev", jsonl_str(a->o.vip_dev)));
		break;
	case VRRP_NODE_MALFORMED:
		event(a, "malformed",
		      json_pack("{s:o,s:o}", "reason", jsonl_str(e->reason), "iface",
				jsonl_str(e->iface)));
		break;
	case VRRP_NODE_UNSEEN:
		event(a, "unseen", json_pack("{s:I}", "total_ms", (json_int_t)(e->unseen_ns / 1000000)));
		break;
	case VRRP_NODE_ERROR:
		event(a, "error",
		      json_pack("{s:o,s:o}", "what", jsonl_str(e->reason), "error",
				jsonl_str(e->text && *e->text ? e->text : strerror(e->err))));
		break;
	}
}

/* Own health for `ha safe` (and priority tracking in vrrp): the VIP's interface has
 * carrier and at least one backend is up. Sampled every 50 ms. */
static void on_health(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct app *a = arg;
	bool ok = vrrp_if_running(&a->net, a->o.vip_dev) && lb_pool_any_up(&a->pool);

	vrrp_node_health(&a->node, ok);
	loop_timer_arm(loop, t, loop_now_ns() + 50000000u);
}

static void on_signal(struct loop *loop, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	loop_stop(loop);
}

static int split_heartbeat(char *list, char **names, int max)
{
	int n = 0;

	for (char *tok = strtok(list, ","); tok && n < max; tok = strtok(NULL, ","))
		names[n++] = tok;
	return n;
}

static int ha_start(struct app *a)
{
	struct opts *o = &a->o;
	struct vrrp_cfg c = {.prio = (uint8_t)o->priority,
			     .adver_cs = (uint16_t)(o->advert_ms / 10),
			     .preempt = o->preempt, .safe = o->ha == HA_SAFE, .sick_prio = 1};
	char hb[256], *names[VRRP_NET_MAX_IFS];
	int n;
	unsigned lease;

	snprintf(hb, sizeof(hb), "%s", o->heartbeat ? o->heartbeat : o->vip_dev);
	n = split_heartbeat(hb, names, VRRP_NET_MAX_IFS);
	c.nets = (uint8_t)n; /* safe: a peer's advert comes once per heartbeat network */
	lease = o->vip_lease_s >= 0 ? (unsigned)o->vip_lease_s : 0;
	c.preempt_delay_ms = o->preempt_delay_ms >= 0 ? (uint32_t)o->preempt_delay_ms
			     : c.safe		      ? 3000
						      : 0;
	if (vrrp_net_open(&a->net, names, n, o->vip_dev, o->vip, o->vip_plen, lease) < 0)
		return -1;
	/* Safe: the kernel never answers ARP for the VIP, fl-lb does while master. A frozen
	 * master is silent on the wire at once, so the RFC Master_Down_Interval is safe. */
	if (c.safe && vrrp_net_safe_open(&a->net) < 0) {
		vrrp_net_close(&a->net);
		return -1;
	}
	c.primary = a->net.ifs[0].addr;
	a->ha_on = true;
	return vrrp_node_start(&a->node, a->loop, &a->net, &c, o->vrid, c.safe, o->oclock,
			       on_vrrp, a);
}

static int start(struct app *a)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	a->loop = loop_new();
	if (!a->loop || loop_signals(a->loop, &set, on_signal, a) < 0)
		return -1;
	a->pool.loop = a->loop;
	a->pool.on_change = on_backend;
	a->pool.arg = a;
	a->pool.mss = a->o.px.mss;
	a->proxy = lb_proxy_new(a->loop, &a->pool, &a->o.px);
	if (!a->proxy || lb_probe_start(&a->pool) < 0)
		return -1;
	if (a->o.ha != HA_NONE) {
		if (ha_start(a) < 0)
			return -1;
		loop_timer_init(&a->health_t, on_health, a);
		loop_timer_arm(a->loop, &a->health_t, loop_now_ns());
	} else if (a->o.have_vip) {
		char *dev[1] = {(char *)a->o.vip_dev};

		/* No partner: this member holds the VIP for as long as it runs. */
		if (vrrp_net_open(&a->net, dev, 1, a->o.vip_dev, a->o.vip, a->o.vip_plen, 0) < 0 ||
		    vrrp_vip_add(&a->net) < 0)
			return -1;
		a->none_vip = true;
		vrrp_garp_send(&a->net);
	}
	return 0;
}

static void stop(struct app *a)
{
	if (a->ha_on) {
		vrrp_node_stop(&a->node); /* priority 0 and the VIP removed */
		loop_timer_cancel(a->loop, &a->health_t);
	}
	if (a->none_vip)
		vrrp_vip_del(&a->net);
	if (a->ha_on || a->none_vip)
		vrrp_net_close(&a->net);
	lb_probe_stop(&a->pool);
	lb_proxy_free(a->proxy);
	loop_free(a->loop);
}

int main(int argc, char **argv)
{
	static struct app a;

	a.ev_fd = -1;
	lb_pool_init(&a.pool, NULL);
	parse(&a, argc, argv);
	signal(SIGPIPE, SIG_IGN);
	if (a.o.events && (a.ev_fd = web_events_open(a.o.events)) < 0) {
		fprintf(stderr, "fl-lb: %s: %s\n", a.o.events, strerror(errno));
		return 1;
	}
	if (start(&a) < 0) {
		fprintf(stderr, "fl-lb: %s: start: %s\n", a.o.name, strerror(errno));
		return 1;
	}
	event(&a, "ready", NULL);
	if (loop_run(a.loop) < 0)
		fprintf(stderr, "fl-lb: loop: %s\n", strerror(errno));
	stop(&a); /* (the harness itself reports the process' exit) */
	return 0;
}
