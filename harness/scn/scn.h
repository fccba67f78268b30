/*
 * scn.h - the scenario model.
 *
 * scn_load()/scn_parse() turn a .scn file into a struct scn; every later stage (plan,
 * lab build, services, timeline, SLA, reports) reads it and none writes it. A struct scn
 * that scn_parse() returned is fully validated: every index is in range, every address
 * lies inside its network and is unique, every time lies inside the scenario, every
 * ${param} has been substituted. Consumers never re-check.
 *
 * Units: all times are int64_t milliseconds from the start of the timeline; sizes are
 * bytes; rates are per second (load) or per hour (random arrivals), bit rates bits per
 * second; percentages are 0..100. Addresses are struct in_addr in network byte order.
 *
 * Arrays are owned by the struct scn and freed by scn_free().
 */
#ifndef FL_SCN_H
#define FL_SCN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCN_NAME_MAX 32 /* node, service and param names, with the NUL */
#define SCN_NET_NAME_MAX 16 /* network names name interfaces: IFNAMSIZ */

struct scn_loc {
	int line; /* 1-based */
	int col;  /* 1-based, in characters of the line as written */
};

/* A parse or validation error: "file:line:col: msg". */
struct scn_err {
	char file[256];
	int line;
	int col;
	char msg[512];
};

/* A program the scenario's services need (`requires PROGRAM...`): the host must have
 * it in PATH (or at that path), else check and run refuse the file (exit 3). */
struct scn_require {
	char name[256];
	struct scn_loc loc;
};

/*
 * `collect NODE "COMMAND" as NAME [timeout D]`: a checker run in NODE once the
 * timeline has ended (faults reverted) and before the services stop; the last word
 * of its stdout, a number, is metric NAME of the run (unit SCN_UNIT_NUMBER).
 */
struct scn_collect {
	char name[SCN_NAME_MAX];
	int node;
	char *command; /* run by /bin/sh -c */
	int64_t timeout_ms;
	struct scn_loc loc;
};

#define SCN_COLLECT_TIMEOUT_MS 10000

struct scn_param {
	char name[SCN_NAME_MAX];
	char *value; /* after --set */
	struct scn_loc loc;
};

/* `capture NET [snaplen N] [max SIZE] [ring N]` (or `faultline run --pcap`): a pcapng
 * of the network's frames in the run directory (harness/obs/obs_cap.c). */
#define SCN_CAP_SNAPLEN 262144 /* bytes kept of a frame when snaplen is not given */
#define SCN_CAP_MAX_MIN 4096   /* the smallest max: the headers and a few frames */
struct scn_capture {
	bool on;
	uint32_t snaplen; /* bytes kept of each frame (SCN_CAP_SNAPLEN when not given) */
	uint64_t max;	  /* bytes per file, 0: no cap */
	int ring;	  /* 0: stop writing at max; N >= 2: a new file at max, keep the last N */
	struct scn_loc loc; /* of the statement; line 0 when set by --pcap */
};

struct scn_network {
	char name[SCN_NET_NAME_MAX];
	struct in_addr addr; /* network address (host bits zero) */
	int plen;            /* prefix length */
	int mtu;             /* 0 when not given: the kernel default, 1500 */
	struct scn_loc loc;
	struct scn_capture capture;
};

struct scn_iface {
	int net;             /* index into scn.networks */
	struct in_addr addr; /* given with NET=ADDR or handed out in declaration order */
	bool addr_given;
	struct scn_loc loc; /* where NET or NET=ADDR was written */
};

enum scn_node_kind {
	SCN_NODE_NETNS = 1,
	SCN_NODE_QEMU = 2,
};

struct scn_node {
	char name[SCN_NAME_MAX];
	enum scn_node_kind kind;
	struct scn_iface *ifaces;
	int n_ifaces;
	bool has_gateway; /* gateway ADDR: the default route, via one of the node's networks */
	bool forward;     /* "forward": the node routes IPv4/IPv6 between its networks */
	struct in_addr gateway;
	char *append; /* qemu: kernel command line added to the default one; NULL if none */
	char *kernel; /* qemu: kernel image path; NULL for the bundled one */
	char *initrd; /* qemu: initramfs path; NULL for the bundled one */
	uint64_t memory; /* qemu: bytes, 0 for the default */
	int cpus;        /* qemu: 0 for the default */
	bool microvm;    /* qemu: "machine microvm" (virtio-mmio devices), else QEMU's pc */
	struct scn_loc loc;
};

/* Service kinds: the grammar of each is scn_svc_<kind>.c, running it svc/svc_<kind>.c. */
enum scn_svc_kind {
	SCN_SVC_WEB = 1,
	SCN_SVC_LB = 2,
	SCN_SVC_LOAD = 3,
	SCN_SVC_EXEC = 4,
	SCN_SVC_PROBE = 5,
	SCN_SVC__MAX
};

/* What a probe service probes (scn_svc_probe.c). */
enum scn_probe_kind {
	SCN_PROBE_TCP = 1,
	SCN_PROBE_UDP = 2,
	SCN_PROBE_DNS = 3,
	SCN_PROBE_EXEC = 4,
};

enum scn_ha_mode {
	SCN_HA_NONE = 0, /* a single lb with no peer protocol */
	SCN_HA_VRRP = 1, /* plain VRRPv3 (the default when a vip has two or more lbs) */
	SCN_HA_SAFE = 2,
};

enum scn_check_kind {
	SCN_CHECK_HTTP = 1, /* GET /health (default) */
	SCN_CHECK_TCP = 2,
};

enum scn_balance {
	SCN_BALANCE_RR = 1, /* default */
	SCN_BALANCE_LEASTCONN = 2,
};

struct scn_service {
	int node; /* index into scn.nodes */
	enum scn_svc_kind kind;
	char name[SCN_NAME_MAX]; /* what kill/restart call it: "web", "lb", "load", or
				    the exec service's "name X" (default "exec") */
	/* web */
	int port;              /* web: listen port (80); lb: VIP port (80) */
	int64_t latency_ms;    /* web: added latency per response (0) */
	/* lb */
	struct in_addr vip;
	int *backends; /* node indices */
	int n_backends;
	int backend_port;      /* port the backends listen on (80) */
	int priority;          /* 1..254, default 100 */
	int vrid;              /* 1..255, default 51 */
	int64_t advert_ms;     /* default 1000 */
	int *heartbeat;        /* network indices carrying adverts; default: the VIP's */
	int n_heartbeat;
	enum scn_ha_mode ha;
	enum scn_check_kind check;
	int64_t check_interval_ms; /* 0: fl-lb's default */
	int64_t check_timeout_ms;  /* 0: fl-lb's default */
	int rise, fall;            /* 0: fl-lb's default */
	int mss;                   /* clamp the MSS of proxied connections; 0: off */
	enum scn_balance balance;
	int64_t preempt_delay_ms;  /* ha safe: 0 for fl-lb's default */
	/* load */
	char *url;
	struct in_addr url_addr; /* resolved from the URL (a literal address) */
	int url_port;
	char *url_path;
	double rate;          /* requests per second */
	int64_t timeout_ms;   /* default 1000 */
	int64_t size;         /* response body size asked for (/bytes/N); 0: GET url_path */
	bool keepalive;       /* default false: a new connection per request */
	/* exec */
	char *command;        /* run by /bin/sh -c in the node (also probe exec) */
	/* probe: also url_addr, url_port (the server), rate, timeout_ms, command */
	enum scn_probe_kind probe;
	char *probe_send;     /* tcp, udp: NULL for none */
	char *probe_expect;   /* tcp, udp: NULL for none */
	char *probe_qname;    /* dns */
	struct scn_loc loc;
};

/*
 * A fault kind's grammar half: what the scenario layer knows of it. Each kind is one
 * file harness/flt/flt_<kind>.c holding one struct flt_kind, whose first member is this
 * (the other half applies and reverts it); harness/flt/flt_kinds.c lists every kind once
 * in scn_fault_kinds[]. A fault's kind is a pointer to its entry: compare pointers.
 */
struct scn_p; /* the parser's state (opaque here): the scn_arg_* helpers read it */
struct scn_fault;
struct json_t; /* jansson's object: a kind's parameters in events.jsonl */

/* How an applied fault is undone. */
enum scn_fault_undo {
	SCN_UNDO_END = 1,   /* reverted by `for D`, else when the run ends */
	SCN_UNDO_NONE = 2,  /* nothing to undo (link up, restart) */
	SCN_UNDO_TIMED = 3, /* only by `for D`, never at the end (kill: a restart) */
};

struct scn_fault_kind {
	const char *name; /* as written; a space separates two keywords ("link down") */
	/* The rest of the statement after the name, into @f (with the scn_arg_* helpers). */
	int (*parse)(struct scn_p *p, struct scn_fault *f);
	/* Its arguments for the dry-run line (" 30%"), snprintf-like; @step/@steps of a
	 * repeating fault (flap), else 0. NULL: none. */
	int (*args_fmt)(const struct scn_fault *f, int step, int steps, char *buf, size_t len);
	/* Its parameters for events.jsonl: add them, in order, as members of JSON object
	 * @obj ({"percent":30}), numbers as integers where they are whole. @step/@steps as
	 * above. Returns 0, or -1 (no memory). NULL: none. */
	int (*params)(const struct scn_fault *f, int step, int steps, struct json_t *obj);
	enum scn_fault_undo undo;
	/* Non-NULL: a repeating fault (flap): the timeline expands it into `count` firings
	 * of this kind, every ms[0] + ms[1], each lasting ms[0]. */
	const struct scn_fault_kind *step;
};

/*
 * The table of every fault kind, NULL-terminated, in the order the language lists them.
 * Defined once, by the fault module (harness/flt/flt_kinds.c): the language reads only
 * the grammar half of each entry and makes no kernel call.
 */
extern const struct scn_fault_kind *const scn_fault_kinds[];

/* The kind written @name ("link down", "bandwidth"), or NULL. */
const struct scn_fault_kind *scn_fault_kind_find(const char *name);

/*
 * What a fault acts on. NODE.NET, any(a,b,c).NET, NODE, or NET (pmtu-blackhole).
 * nodes holds the candidates: one unless any(...) was written; the timeline picks one
 * per firing with the seeded generator.
 */
struct scn_target {
	int *nodes;
	int n_nodes; /* 0 for a fault on a whole network */
	int net;     /* network index, -1 when the fault names no network */
};

/* Which frames of a node's port: in = arriving at the node, out = sent by it. */
enum scn_dir {
	SCN_DIR_IN = 1,
	SCN_DIR_OUT = 2,
	SCN_DIR_BOTH = 3, /* SCN_DIR_IN | SCN_DIR_OUT */
};

/* What a filter kind's `match SEL` selects; SCN_PROTO_ANY: every frame. */
enum scn_proto {
	SCN_PROTO_ANY = 0,
	SCN_PROTO_TCP,
	SCN_PROTO_UDP,
	SCN_PROTO_ICMP, /* ICMP and ICMPv6 */
	SCN_PROTO_VRRP, /* IP protocol 112 */
	SCN_PROTO_ARP,	/* ether type 0x0806 */
};

struct scn_match {
	enum scn_proto proto;
	int port; /* tcp/udp: source or destination port; 0: any */
};

/*
 * One fault as written. The arguments are a small generic set that every kind maps its
 * grammar onto (flt_<kind>.c says which it uses), so a new kind needs no field here.
 */
struct scn_fault {
	const struct scn_fault_kind *kind;
	struct scn_target target;
	int64_t ms[2];     /* durations, in the order written: flap down, up; delay, jitter */
	long n;            /* a whole number: flap count, mtu bytes, kill signal */
	double percent;    /* 0..100: loss */
	uint64_t rate_bps; /* bits per second: bandwidth */
	enum scn_dir dir;  /* bandwidth, loss, blackhole; partition: SCN_DIR_OUT one way
			      (group a's packets to group b), 0 both ways; 0 for a kind
			      without one */
	struct scn_match match; /* loss, blackhole: `match SEL`; zero: all traffic */
	int *group_a, n_a; /* partition: node indices on each side */
	int *group_b, n_b;
	int service;       /* kill/restart: index into scn.services (the first
			      candidate's when the target is any(...)) */
	char svc_name[SCN_NAME_MAX]; /* kill/restart: the service's name; every candidate
					has one so called (scn_service_find); "" if none */
	struct scn_loc loc;
};

/*
 * The grammar helpers a kind's parse uses. Each reads the next token(s) of the
 * statement and returns 0, or -1 with the error ("file:line:col: expected ...") set.
 *
 * scn_arg_target - the target: NODE.NET (@what SCN_ARG_IFACE), NODE (SCN_ARG_NODE) or
 *	NET (SCN_ARG_NET), any(...) allowed for the first two.
 * scn_arg_word - required keyword @kw; scn_arg_opt - optional one: true when consumed.
 * scn_arg_duration - a duration (> 0 when @positive); scn_arg_int - in [min, max].
 * scn_arg_percent - 0%..100%; scn_arg_rate - bits/s: 512kbit, 10mbit, 1gbit, 1500.
 * scn_arg_dir - optional in|out|both, @dflt when absent.
 * scn_arg_match - optional "match tcp|udp|icmp|vrrp|arp [port N]" (port: tcp/udp only);
 *	all zero when absent.
 * scn_arg_service - SERVICE of the target node(s) (kill, restart); scn_arg_signal - a
 *	signal name or number; scn_arg_groups - "A,B / C,D" or, one way,
 *	"A,B -> C,D" (partition).
 */
enum scn_arg_target {
	SCN_ARG_IFACE = 1,
	SCN_ARG_NODE = 2,
	SCN_ARG_NET = 3,
};
int scn_arg_target(struct scn_p *p, struct scn_fault *f, enum scn_arg_target what);
int scn_arg_word(struct scn_p *p, const char *kw);
bool scn_arg_opt(struct scn_p *p, const char *kw);
int scn_arg_duration(struct scn_p *p, int64_t *ms, bool positive);
int scn_arg_int(struct scn_p *p, const char *what, long min, long max, long *v);
int scn_arg_percent(struct scn_p *p, double *pct);
int scn_arg_rate(struct scn_p *p, uint64_t *bps);
int scn_arg_dir(struct scn_p *p, enum scn_dir dflt, enum scn_dir *dir);
int scn_arg_match(struct scn_p *p, struct scn_match *m);
int scn_arg_service(struct scn_p *p, struct scn_fault *f);
int scn_arg_signal(struct scn_p *p, long *sig);
int scn_arg_groups(struct scn_p *p, struct scn_fault *f);

/* The keyword of a direction ("in", "out", "both"). */
const char *scn_dir_name(enum scn_dir dir);
/* The keyword of a protocol ("tcp" ... "arp"; "" for SCN_PROTO_ANY). */
const char *scn_proto_name(enum scn_proto proto);
/* " match udp port 53" as written back, "" when @m selects everything; snprintf's result. */
int scn_match_fmt(const struct scn_match *m, char *buf, size_t len);

enum scn_sched {
	SCN_AT = 1,
	SCN_EVERY = 2,
	SCN_RANDOM = 3,
};

/* One timeline statement: at, every or random. */
struct scn_event {
	enum scn_sched sched;
	int64_t at_ms;    /* at */
	int64_t every_ms; /* every */
	int64_t from_ms;  /* every/random: 0 when not given */
	int64_t until_ms; /* every/random: the duration when not given */
	double per_hour;  /* random */
	bool has_for;
	int64_t for_min_ms; /* for D: min == max; for D1..D2: uniform in [min, max] */
	int64_t for_max_ms;
	struct scn_fault fault;
	struct scn_loc loc;
};

enum scn_op {
	SCN_OP_LT = 1,
	SCN_OP_LE,
	SCN_OP_EQ,
	SCN_OP_GE,
	SCN_OP_GT,
};

enum scn_unit {
	SCN_UNIT_COUNT = 1,  /* a plain number */
	SCN_UNIT_MS = 2,     /* written as a duration; value in ms */
	SCN_UNIT_PERCENT = 3,
	SCN_UNIT_NUMBER = 4, /* a plain decimal number: what a `collect` measured */
};

/* What a run wants of one expectation: a reproduction marks the ones that must fail. */
enum scn_want {
	SCN_WANT_PASS = 0, /* no mark: it must hold */
	SCN_WANT_FAIL = 1, /* 'fails': it must be measured and on the wrong side */
	SCN_WANT_EITHER = 2, /* 'may fail': it may go either way */
};

struct scn_expect {
	char metric[SCN_NAME_MAX]; /* "failover", "split-brain", "success", ... */
	enum scn_op op;
	double value;
	enum scn_unit unit;
	char *text; /* the statement after "expect", as written, ${} substituted */
	char *scope; /* "during faults" when written, NULL when not */
	int client;  /* 'of CLIENT': 1 + the index into scn.services of that client service;
			0 when not written (every client's requests together) */
	enum scn_want want; /* the trailing 'fails' / 'may fail', not part of text */
	struct scn_loc loc;
};

struct scn {
	char *file;
	char *text; /* the text parsed (a copy), so a run keeps what it ran (run.c) */
	size_t text_len;
	char *name;
	char *description; /* NULL when none */
	int64_t duration_ms;
	uint64_t seed; /* 1 when not given */
	struct scn_param *params;
	int n_params;
	struct scn_network *networks;
	int n_networks;
	struct scn_node *nodes;
	int n_nodes;
	struct scn_service *services;
	int n_services;
	struct scn_event *events;
	int n_events;
	struct scn_expect *expects;
	int n_expects;
	struct scn_require *requires; /* `requires PROGRAM...`: what must be installed */
	int n_requires;
	struct scn_collect *collects; /* `collect`, in the order written: the order they run */
	int n_collects;
};

/* --set NAME=VALUE */
struct scn_set {
	const char *name;
	const char *value;
};

/**
 * scn_load - read, parse and validate a scenario file
 * @path: file to read
 * @sets: --set overrides (may be NULL when n_sets is 0)
 * @err: filled on failure
 *
 * Returns the scenario, or NULL with @err set (and errno EINVAL for a bad file, or the
 * errno of the failed read).
 */
struct scn *scn_load(const char *path, const struct scn_set *sets, int n_sets,
		     struct scn_err *err);

/* scn_parse - as scn_load() on a buffer; @file names it in errors. */
struct scn *scn_parse(const char *file, const char *text, size_t len,
		      const struct scn_set *sets, int n_sets, struct scn_err *err);

/*
 * scn_fault_line_parse - one fault as a timeline statement of @s writes it, without its
 * schedule: "FAULT [for D[..D]]" ("blackhole web1.lan for 2s"), read against @s's
 * nodes, networks, services and params (faultline inject). Into @ev as an `at 0s`
 * statement, which owns what its fault holds (scn_event_release). Errors name @file,
 * line 1 and the column in @text. Returns 0, or -1 with @err filled.
 */
int scn_fault_line_parse(const struct scn *s, const char *file, const char *text,
			 struct scn_event *ev, struct scn_err *err);
/* What a parsed event's fault owns (the any(...) list, partition groups). */
void scn_event_release(struct scn_event *ev);

/* scn_free - release a scenario; NULL is a no-op. */
void scn_free(struct scn *s);

/* Index of the node / network / service called @name, or -1. */
int scn_node_find(const struct scn *s, const char *name);
int scn_net_find(const struct scn *s, const char *name);
int scn_service_find(const struct scn *s, int node, const char *name);

/* Index of @node's interface on network @net, or -1 when the node is not on it. */
int scn_iface_find(const struct scn *s, int node, int net);

/* "file:line:col: msg" into @buf; "file: msg" when the error has no position (line 0),
 * e.g. a --set of a param the file does not declare or a file that cannot be read. */
void scn_err_format(const struct scn_err *err, char *buf, size_t len);

/*
 * The value syntaxes of the language, exported for other tools (command-line options).
 * Each parses the whole string and returns 0, or -1 with errno EINVAL (bad syntax) or
 * ERANGE (too large).
 *
 * scn_duration_parse - "250ms", "5s", "1.5s", "2m", "1h", "0s" into milliseconds; a
 *	value that is not a whole number of milliseconds is EINVAL.
 * scn_size_parse - "1500", "64k", "1M", "2G" into bytes; k/K, M and G are binary
 *	(1024, 1024^2, 1024^3).
 * scn_rate_parse - "200/s", "3/m", "12/h" into events per hour (exact for /s and /m).
 * scn_percent_parse - "99.5%" into 99.5; must lie in 0..100.
 * scn_bitrate_parse - "512kbit", "10mbit", "1gbit", "1.5mbit", "64000bit", "64000" into
 *	bits per second; the multipliers are decimal (1000) as in tc; a value that is not
 *	a whole number of bits/s is EINVAL.
 */
int scn_duration_parse(const char *s, int64_t *ms);
int scn_size_parse(const char *s, uint64_t *bytes);
int scn_rate_parse(const char *s, double *per_hour);
int scn_percent_parse(const char *s, double *pct);
int scn_bitrate_parse(const char *s, uint64_t *bps);

/*
 * scn_expect_add - one more expectation for @s, written as on an 'expect' line without
 * the keyword ("success >= 99% of b during faults"), parsed by the same grammar (${param}
 * substituted, clients looked up in @s). An error names @file:@line:column, the column
 * counted in @text (`faultline report --expect`: file "--expect", line the option's
 * rank). Returns 0, or -1 with @err filled and errno EINVAL (ENOMEM).
 */
int scn_expect_add(struct scn *s, const char *file, int line, const char *text,
		   struct scn_err *err);
/* scn_expects_clear - drop every expectation of @s (before scn_expect_add replaces them). */
void scn_expects_clear(struct scn *s);

/* What a metric of 'expect' measures in, or 0 for an unknown metric. */
enum scn_unit scn_metric_unit(const char *metric);
/* Is @metric measured per client (a request metric, which 'of CLIENT' may scope)? */
bool scn_metric_per_client(const char *metric);
/* The `collect` of @s that measures metric @name, or NULL. */
const struct scn_collect *scn_collect_find(const struct scn *s, const char *name);

/*
 * Clients (scn_client.c): services whose kind writes the per-request record, a request
 * log in the run directory (fl-load's requests.csv format), which the request metrics
 * read. Any kind whose grammar says .client is one; `expect ... of CLIENT` names one.
 *
 * scn_svc_kind_is_client - does a service of @kind write a request log?
 * scn_service_is_client - is service @svc of @s a client?
 * scn_client_name - "NODE.SERVICE" of service @svc, snprintf's result.
 * scn_client_log - the file name of client @svc's request log in the run directory:
 *	"requests.csv" when @s has one client, else "requests-NODE.csv", or
 *	"requests-NODE.SERVICE.csv" when NODE has more than one client; snprintf's result.
 */
bool scn_svc_kind_is_client(enum scn_svc_kind kind);
bool scn_service_is_client(const struct scn *s, int svc);
int scn_client_name(const struct scn *s, int svc, char *buf, size_t len);
int scn_client_log(const struct scn *s, int svc, char *buf, size_t len);

#endif
