/*
 * fl_web.c - fl-web, the test backend: a small HTTP/1.1 server (see web_server.h).
 *
 *   fl-web --listen ADDR:PORT --name NAME [--latency MS] [--events FILE]
 *
 * Writes {"ev":"ready"} to --events once listening; exits 0 on SIGTERM/SIGINT, 2 on bad
 * usage, 1 when it cannot listen.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "loop.h"
#include "web_events.h"
#include "web_server.h"

struct opts {
	struct sockaddr_in listen;
	const char *name;
	uint64_t latency_ns;
	const char *events;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: fl-web --listen ADDR:PORT --name NAME [--latency MS] [--events FILE]\n"
		   "\n"
		   "HTTP/1.1 test backend. GET /health, GET /, GET /bytes/N; every response has\n"
		   "X-Backend: NAME and X-Checksum: FNV-1a 64 of the body (16 hex digits).\n"
		   "  --listen ADDR:PORT   IPv4 address and port to listen on\n"
		   "  --name NAME          backend name (X-Backend header, event source)\n"
		   "  --latency MS         delay every response by MS milliseconds\n"
		   "  --events FILE        append JSON event lines (ready) to FILE\n");
}

static int parse_ms(const char *s, uint64_t *ns)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || end == s || s[0] == '-' || v > 86400000ull)
		return -1;
	*ns = v * 1000000ull;
	return 0;
}

static int bad_value(const char *opt, const char *val)
{
	fprintf(stderr, "fl-web: bad --%s: %s\n", opt, val);
	return -1;
}

static int opts_parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"listen", required_argument, NULL, 'l'},  {"name", required_argument, NULL, 'n'},
	    {"latency", required_argument, NULL, 'L'}, {"events", required_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},	       {NULL, 0, NULL, 0},
	};
	bool have_listen = false;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			exit(0);
		case 'l':
			if (web_addr_parse(optarg, &o->listen) == -1)
				return bad_value("listen", optarg);
			have_listen = true;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'L':
			if (parse_ms(optarg, &o->latency_ns) == -1)
				return bad_value("latency", optarg);
			break;
		case 'e':
			o->events = optarg;
			break;
		default:
			return -1;
		}
	}
	if (optind < argc || !have_listen || !o->name || !o->name[0]) {
		fprintf(stderr, "fl-web: --listen ADDR:PORT and --name NAME are required\n");
		return -1;
	}
	return 0;
}

static void on_signal(struct loop *loop, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	loop_stop(loop);
}

/* Thousands of connections: take the hard fd limit. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	sigset_t set;

	if (opts_parse(argc, argv, &o) == -1) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	int evfd = o.events ? web_events_open(o.events) : -1;
	if (o.events && evfd == -1) {
		fprintf(stderr, "fl-web: %s: %s\n", o.events, strerror(errno));
		return 2;
	}
	struct loop *loop = loop_new();
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (!loop || loop_signals(loop, &set, on_signal, NULL) == -1) {
		fprintf(stderr, "fl-web: event loop: %s\n", strerror(errno));
		return 1;
	}
	struct web_server *srv = web_server_new(loop, &o.listen, o.name, o.latency_ns);
	if (!srv) {
		fprintf(stderr, "fl-web: listen: %s\n", strerror(errno));
		return 1;
	}
	web_events_write(evfd, o.name, "ready", NULL);
	int rc = loop_run(loop) == -1 ? 1 : 0;
	struct web_server_stats st;
	web_server_stats(srv, &st);
	fprintf(stderr, "fl-web: %s: connections=%llu requests=%llu\n", o.name,
		(unsigned long long)st.accepted, (unsigned long long)st.requests);
	web_server_free(srv);
	loop_free(loop);
	return rc;
}
