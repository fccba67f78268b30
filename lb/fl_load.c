/*
 * fl_load.c - fl-load, the open-loop HTTP load client (see load_client.h).
 *
 *   fl-load --url http://ADDR[:PORT]/PATH --rate N [--duration MS] [--timeout MS]
 *           [--connect-timeout MS] [--keepalive] [--concurrency N] --out FILE
 *           [--name NAME] [--events FILE]
 *
 * Writes requests.csv records to --out as requests end (flushed at least every
 * LOAD_OUT_FLUSH_NS, load_out.c), {"ev":"ready"} to --events once the first request is sent, and one summary
 * line to stderr at the end. Exit 0 after a run (whatever the outcomes: judging them is
 * the harness' job), 2 on bad usage, 1 on a local failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "loop.h"
#include "load_client.h"
#include "load_out.h"
#include "web_events.h"


struct fl_load {
	struct loop *loop;
	struct load_client *cl;
	const char *name;
	int evfd;
	struct load_out out; /* --out: requests.csv */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fl-load --url http://ADDR[:PORT]/PATH --rate N --out FILE [options]\n"
		"\n"
		"Open-loop HTTP/1.1 load: request i is due at start + i/rate and starts then,\n"
		"whatever earlier requests do; latency counts from when it was due.\n"
		"  --url URL             IPv4 address, optional port (80), path\n"
		"  --rate N              requests per second (decimals allowed)\n"
		"  --duration MS         stop scheduling after MS (default: until SIGTERM)\n"
		"  --timeout MS          whole-request timeout (default 1000)\n"
		"  --connect-timeout MS  connect timeout (default: --timeout)\n"
		"  --keepalive           reuse idle connections (default: one per request)\n"
		"  --concurrency N       closed loop instead: N requests always in flight\n"
		"  --out FILE            requests.csv: %s"
		"  --name NAME           event source name (default fl-load)\n"
		"  --events FILE         append JSON event lines (ready) to FILE\n",
		load_csv_header);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || end == s || s[0] == '-' || v > max)
		return -1;
	*out = v;
	return 0;
}

static int bad(const char *opt, const char *val)
{
	fprintf(stderr, "fl-load: bad --%s: %s\n", opt, val);
	return -1;
}

struct opts {
	struct load_config cfg;
	const char *out, *events, *name;
	bool have_ct;
};

static int opt_one(struct opts *o, int c, const char *v)
{
	uint64_t x;

	switch (c) {
	case 'u':
		return load_url_parse(v, &o->cfg.url) == -1 ? bad("url", v) : 0;
	case 'r':
		return load_rate_parse(v, &o->cfg.rate_milli) == -1 ? bad("rate", v) : 0;
	case 'd':
		if (parse_u64(v, 1ull << 40, &x) == -1 || !x)
			return bad("duration", v);
		o->cfg.duration_ns = x * 1000000;
		return 0;
	case 't':
		if (parse_u64(v, 1ull << 32, &x) == -1 || !x)
			return bad("timeout", v);
		o->cfg.timeout_ns = x * 1000000;
		return 0;
	case 'T':
		if (parse_u64(v, 1ull << 32, &x) == -1 || !x)
			return bad("connect-timeout", v);
		o->cfg.connect_timeout_ns = x * 1000000;
		o->have_ct = true;
		return 0;
	case 'k':
		o->cfg.keepalive = true;
		return 0;
	case 'c':
		if (parse_u64(v, 100000, &x) == -1 || !x)
			return bad("concurrency", v);
		o->cfg.concurrency = (unsigned)x;
		return 0;
	case 'o':
		o->out = v;
		return 0;
	case 'n':
		o->name = v;
		return 0;
	case 'e':
		o->events = v;
		return 0;
	case 'h':
		usage(stdout);
		exit(0);
	default:
		return -1;
	}
}

static int opts_parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"url", required_argument, NULL, 'u'},
	    {"rate", required_argument, NULL, 'r'},
	    {"duration", required_argument, NULL, 'd'},
	    {"timeout", required_argument, NULL, 't'},
	    {"connect-timeout", required_argument, NULL, 'T'},
	    {"keepalive", no_argument, NULL, 'k'},
	    {"concurrency", required_argument, NULL, 'c'},
	    {"out", required_argument, NULL, 'o'},
	    {"name", required_argument, NULL, 'n'},
	    {"events", required_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	o->cfg.timeout_ns = 1000000000ull;
	o->name = "fl-load";
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1)
		if (opt_one(o, c, optarg) == -1)
			return -1;
	if (!o->have_ct)
		o->cfg.connect_timeout_ns = o->cfg.timeout_ns;
	if (optind < argc || !o->cfg.url.addr.sin_family || !o->out ||
	    (!o->cfg.rate_milli && !o->cfg.concurrency)) {
		fprintf(stderr,
			"fl-load: --url, --out and --rate (or --concurrency) are required\n");
		return -1;
	}
	return 0;
}

/* ---- output ---- */

static void on_record(const struct load_record *r, void *arg)
{
	struct fl_load *fl = arg;

	load_out_record(r, &fl->out);
}

static void on_ready(void *arg)
{
	struct fl_load *fl = arg;

	web_events_write(fl->evfd, fl->name, "ready", NULL);
}

static void on_done(void *arg)
{
	struct fl_load *fl = arg;

	loop_stop(fl->loop);
}

static void on_signal(struct loop *loop, int signo, void *arg)
{
	struct fl_load *fl = arg;

	(void)loop;
	(void)signo;
	load_client_stop(fl->cl);
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int setup(struct fl_load *fl, const struct opts *o)
{
	static const struct load_hooks hooks = {on_record, on_ready, on_done};
	sigset_t set;

	fl->loop = loop_new();
	if (!fl->loop)
		return -1;
	fl->cl = load_client_new(fl->loop, &o->cfg, &hooks, fl);
	if (!fl->cl)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (loop_signals(fl->loop, &set, on_signal, fl) == -1)
		return -1;
	if (load_out_start(&fl->out, fl->loop) == -1)
		return -1;
	return load_client_start(fl->cl);
}

int main(int argc, char **argv)
{
	static struct fl_load fl;
	struct opts o = {0};
	char line[512];

	if (opts_parse(argc, argv, &o) == -1) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	fl.name = o.name;
	bool out_ok = load_out_open(&fl.out, o.out) == 0;
	fl.evfd = o.events ? web_events_open(o.events) : -1;
	if (!out_ok || (o.events && fl.evfd == -1)) {
		fprintf(stderr, "fl-load: %s: %s\n", !out_ok ? o.out : o.events, strerror(errno));
		return 2;
	}
	if (setup(&fl, &o) == -1 || loop_run(fl.loop) == -1) {
		fprintf(stderr, "fl-load: %s\n", strerror(errno));
		return 1;
	}
	load_out_flush(&fl.out);
	uint64_t elapsed = loop_now_ns() - load_client_start_ns(fl.cl);
	if (load_stats_summary(line, sizeof(line), &fl.out.stats, o.cfg.concurrency ? elapsed : 0) > 0)
		fprintf(stderr, "fl-load: %s: %s\n", fl.name, line);
	bool failed = fl.out.failed;
	if (failed)
		fprintf(stderr, "fl-load: %s: write failed, records lost\n", o.out);
	load_client_free(fl.cl);
	loop_free(fl.loop);
	load_out_close(&fl.out);
	return failed ? 1 : 0;
}
