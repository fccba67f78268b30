/*
 * fl_probe.c - fl-probe, open-loop probes of a TCP, UDP or DNS server or of a command,
 * writing fl-load's requests.csv (see probe.h).
 *
 *   fl-probe --kind tcp|udp|dns|exec [--addr A.B.C.D[:PORT]] [--send TEXT]
 *            [--expect TEXT] [--qname NAME] [--command CMD] --rate N [--duration MS]
 *            [--timeout MS] [--max-inflight N] --out FILE [--name NAME] [--events FILE]
 *
 * Writes records to --out as probes end (flushed at least every LOAD_OUT_FLUSH_NS, load_out.c),
 * {"ev":"ready"} to --events once the first probe started, one summary line to stderr
 * at the end. Exit 0 after a run, 2 on bad usage, 1 on a local failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "probe.h"
#include "load_out.h"
#include "web_events.h"


struct fl_probe {
	struct loop *loop;
	struct probe *pr;
	const char *name;
	int evfd;
	struct load_out out; /* --out: requests.csv */
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: fl-probe --kind tcp|udp|dns|exec --rate N --out FILE [options]\n"
	    "\n"
	    "Open-loop probes: probe i is due at start + i/rate and starts then, whatever\n"
	    "earlier probes do; latency counts from when it was due.\n"
	    "  --kind K              tcp, udp, dns (an A query) or exec (/bin/sh -c CMD)\n"
	    "  --addr A.B.C.D[:PORT] the server (tcp, udp: port required; dns: 53)\n"
	    "  --send TEXT           tcp, udp: sent once connected (\\n, \\r, \\t, \\\\ decoded)\n"
	    "  --expect TEXT         tcp, udp: ok once the reply holds TEXT (decoded too)\n"
	    "  --qname NAME          dns: the name asked for\n"
	    "  --command CMD         exec: ok when it exits 0\n"
	    "  --rate N              probes per second (decimals allowed)\n"
	    "  --duration MS         stop scheduling after MS (default: until SIGTERM)\n"
	    "  --timeout MS          per probe (default 1000)\n"
	    "  --max-inflight N      probes running at once, more end as error (default 1024)\n"
	    "  --out FILE            requests.csv: %s"
	    "  --name NAME           event source name (default fl-probe)\n"
	    "  --events FILE         append JSON event lines (ready) to FILE\n",
	    load_csv_header);
}

static int bad(const char *opt, const char *val)
{
	fprintf(stderr, "fl-probe: bad --%s: %s\n", opt, val);
	return -1;
}

/* A whole number in 1..max. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || end == s || s[0] == '-' || !v || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_ms(const char *s, uint64_t max, uint64_t *out)
{
	if (parse_u64(s, max, out) == -1)
		return -1;
	*out *= 1000000ull;
	return 0;
}

/* Decode \n \r \t \\ in place (a scenario's "TEXT" cannot hold a newline). */
static char *unescape(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (*r != '\\' || !r[1]) {
			*w++ = *r;
			continue;
		}
		r++;
		*w++ = *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r == 't' ? '\t' : *r;
	}
	*w = '\0';
	return s;
}

static int addr_parse(const char *v, uint16_t dflt, struct sockaddr_in *a)
{
	char ip[INET_ADDRSTRLEN];
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	long port = dflt;

	if (n == 0 || n >= sizeof(ip))
		return -1;
	memcpy(ip, v, n);
	ip[n] = '\0';
	if (colon) {
		char *end;
		port = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || *end)
			return -1;
	}
	if (port < 1 || port > 65535 || inet_pton(AF_INET, ip, &a->sin_addr) != 1)
		return -1;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	return 0;
}

struct opts {
	struct probe_cfg cfg;
	const char *out, *events, *name, *addr;
};

static int kind_parse(const char *v, enum probe_kind_id *k)
{
	static const char *const names[] = {"", "tcp", "udp", "dns", "exec", NULL};

	for (int i = 1; names[i]; i++)
		if (!strcmp(v, names[i]))
			return *k = (enum probe_kind_id)i, 0;
	return -1;
}

static int opt_one(struct opts *o, int c, char *v)
{
	uint64_t x;

	switch (c) {
	case 'k':
		return kind_parse(v, &o->cfg.kind) == -1 ? bad("kind", v) : 0;
	case 'a':
		return o->addr = v, 0;
	case 's':
		return o->cfg.send = unescape(v), 0;
	case 'x':
		return o->cfg.expect = unescape(v), 0;
	case 'q':
		return o->cfg.qname = v, 0;
	case 'C':
		return o->cfg.command = v, 0;
	case 'r':
		return load_rate_parse(v, &o->cfg.rate_milli) == -1 ? bad("rate", v) : 0;
	case 'd':
		return parse_ms(v, 1ull << 40, &o->cfg.duration_ns) == -1 ? bad("duration", v) : 0;
	case 't':
		return parse_ms(v, 1ull << 32, &o->cfg.timeout_ns) == -1 ? bad("timeout", v) : 0;
	case 'm':
		if (parse_u64(v, 100000, &x) == -1)
			return bad("max-inflight", v);
		return o->cfg.max_inflight = (unsigned)x, 0;
	case 'o':
		return o->out = v, 0;
	case 'n':
		return o->name = v, 0;
	case 'e':
		return o->events = v, 0;
	case 'h':
		usage(stdout);
		exit(0);
	default:
		return -1;
	}
}

/* What --kind needs besides the rest. */
static const char *opts_missing(struct opts *o)
{
	const struct probe_cfg *c = &o->cfg;

	if (!c->kind || !o->out || !c->rate_milli)
		return "--kind, --rate and --out are required";
	if (c->kind == PROBE_EXEC)
		return c->command ? NULL : "exec needs --command";
	if (!o->addr || addr_parse(o->addr, c->kind == PROBE_DNS ? 53 : 0, &o->cfg.addr) == -1)
		return "tcp, udp and dns need --addr A.B.C.D:PORT (dns: the port is optional)";
	if (c->kind == PROBE_DNS && !c->qname)
		return "dns needs --qname";
	if (c->expect && !c->send && c->kind == PROBE_TCP)
		return "tcp: --expect needs --send";
	return NULL;
}

static int opts_parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"kind", required_argument, NULL, 'k'},
	    {"addr", required_argument, NULL, 'a'},
	    {"send", required_argument, NULL, 's'},
	    {"expect", required_argument, NULL, 'x'},
	    {"qname", required_argument, NULL, 'q'},
	    {"command", required_argument, NULL, 'C'},
	    {"rate", required_argument, NULL, 'r'},
	    {"duration", required_argument, NULL, 'd'},
	    {"timeout", required_argument, NULL, 't'},
	    {"max-inflight", required_argument, NULL, 'm'},
	    {"out", required_argument, NULL, 'o'},
	    {"name", required_argument, NULL, 'n'},
	    {"events", required_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *miss;
	int c;

	o->cfg.timeout_ns = 1000000000ull;
	o->cfg.max_inflight = 1024;
	o->name = "fl-probe";
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1)
		if (opt_one(o, c, optarg) == -1)
			return -1;
	if (optind < argc || (miss = opts_missing(o))) {
		fprintf(stderr, "fl-probe: %s\n", optind < argc ? "unexpected argument" : miss);
		return -1;
	}
	return 0;
}

/* ---- output (as fl-load's) ---- */

static void on_record(const struct load_record *r, void *arg)
{
	struct fl_probe *fl = arg;

	load_out_record(r, &fl->out);
}

static void on_ready(void *arg)
{
	struct fl_probe *fl = arg;

	web_events_write(fl->evfd, fl->name, "ready", NULL);
}

static void on_done(void *arg)
{
	struct fl_probe *fl = arg;

	loop_stop(fl->loop);
}

static void on_signal(struct loop *loop, int signo, void *arg)
{
	struct fl_probe *fl = arg;

	(void)loop;
	(void)signo;
	probe_stop(fl->pr);
}

static int setup(struct fl_probe *fl, const struct opts *o)
{
	static const struct probe_hooks hooks = {on_record, on_ready, on_done};
	sigset_t set;

	fl->loop = loop_new();
	if (!fl->loop)
		return -1;
	fl->pr = probe_new(fl->loop, &o->cfg, &hooks, fl);
	if (!fl->pr)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (loop_signals(fl->loop, &set, on_signal, fl) == -1)
		return -1;
	if (load_out_start(&fl->out, fl->loop) == -1)
		return -1;
	return probe_start(fl->pr);
}

int main(int argc, char **argv)
{
	static struct fl_probe fl;
	struct opts o = {0};
	char line[512];

	if (opts_parse(argc, argv, &o) == -1) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	fl.name = o.name;
	bool out_ok = load_out_open(&fl.out, o.out) == 0;
	fl.evfd = o.events ? web_events_open(o.events) : -1;
	if (!out_ok || (o.events && fl.evfd == -1)) {
		fprintf(stderr, "fl-probe: %s: %s\n", !out_ok ? o.out : o.events, strerror(errno));
		return 2;
	}
	if (setup(&fl, &o) == -1 || loop_run(fl.loop) == -1) {
		fprintf(stderr, "fl-probe: %s\n", strerror(errno));
		return 1;
	}
	load_out_flush(&fl.out);
	if (load_stats_summary(line, sizeof(line), &fl.out.stats, 0) > 0)
		fprintf(stderr, "fl-probe: %s: %s\n", fl.name, line);
	bool failed = fl.out.failed;
	if (failed)
		fprintf(stderr, "fl-probe: %s: write failed, records lost\n", o.out);
	probe_free(fl.pr);
	loop_free(fl.loop);
	load_out_close(&fl.out);
	return failed ? 1 : 0;
}
