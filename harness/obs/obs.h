/*
 * obs.h - the observation record of one run, and the observers that fill it.
 *
 * Everything a run saw is kept in one struct obs_store: in-memory arrays on the run's
 * single time base (CLOCK_MONOTONIC ns, see docs/architecture.md). The store is filled
 * live (the requests.csv tailer, the wire observer, service event lines) or offline
 * from a run directory (events.jsonl + requests*.csv); the SLA code (sla.h) and the
 * reports (rep.h) only read it, and give the same answers either way.
 *
 * Invariants: arrays are append-only; records are kept in arrival order, which need not
 * be time order (the requests log is written as requests end); consumers sort copies.
 * All names are NUL-terminated and truncated to their field.
 */
#ifndef FL_OBS_H
#define FL_OBS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OBS_NAME_MAX 32 /* node, service, backend names (same as SCN_NAME_MAX) */
#define OBS_NET_MAX 16	/* network names (same as SCN_NET_NAME_MAX) */
#define OBS_OPEN (-1)	/* a fault not reverted (yet) */

/* ---- records ---- */

/* How one request ended (fl-load's "outcome" column). */
enum obs_outcome {
	OBS_OK = 1,
	OBS_REFUSED,
	OBS_RESET,
	OBS_CONNECT_TIMEOUT,
	OBS_TIMEOUT,
	OBS_BAD_STATUS,
	OBS_BAD_BODY,
	OBS_ERROR,
	OBS_OUTCOME__MAX
};

/* The column text of @o ("ok", "connect-timeout" ...), "?" if unknown. */
const char *obs_outcome_name(enum obs_outcome o);
/* The outcome written as @name, or 0. */
enum obs_outcome obs_outcome_parse(const char *name);

struct obs_req {
	int64_t sched_ns, start_ns, end_ns;
	enum obs_outcome outcome;
	int64_t latency_us; /* end_ns - sched_ns, as fl-load computed it */
	int64_t bytes;
	char backend[OBS_NAME_MAX]; /* "" when none came back */
	int log; /* the request log it was read from: 1 + index into obs_store.log, 0 when
		    not known (a live tail, a record added by hand) */
};

#define OBS_LOG_NAME_MAX 256 /* a request log's file name ("requests-NODE.SERVICE.csv") */

/* One fault firing, from the timeline's apply/revert events. */
struct obs_fault {
	int id;
	char kind[OBS_NAME_MAX];   /* "link down", "stall" ... */
	char target[64];	   /* "lb1.private", "lb1", "web1 web" ... */
	char node[OBS_NAME_MAX];   /* the target node (text before '.' or ' '), or "" */
	char path[16];		   /* the mechanism ("nftables", "relay" ...), "" if none */
	bool by_hand;		   /* fired by `faultline inject`, not by the timeline */
	int64_t apply_ns;
	int64_t revert_ns; /* OBS_OPEN while applied */
};

/*
 * What a guest kernel's console says about its health, by class (read live by
 * node_qemu_console.c, which documents the kernel's words for each).
 */
enum obs_kw {
	OBS_KW_SOFT_LOCKUP = 1,
	OBS_KW_HARD_LOCKUP,
	OBS_KW_RCU_STALL,
	OBS_KW_HUNG_TASK,
	OBS_KW_WARNING,
	OBS_KW_BUG,
	OBS_KW_CLOCKSOURCE,
	OBS_KW_NETDEV_WATCHDOG,
	OBS_KW_IRQ_NOBODY,
	OBS_KW__MAX
};

/* "soft-lockup", "rcu-stall" ...; NULL / 0 when unknown. */
const char *obs_kw_name(enum obs_kw k);
enum obs_kw obs_kw_find(const char *name);

/* One complaint of a guest kernel ("kernel-warning" event). */
struct obs_kwarn {
	int64_t t_ns;
	char node[OBS_NAME_MAX];
	enum obs_kw cls;
};

enum obs_vip_kind {
	OBS_VIP_GARP = 1,      /* gratuitous ARP: request or reply with sender IP == target IP */
	OBS_VIP_ARP_REPLY = 2, /* an ARP reply for the VIP */
	OBS_VIP_VRRP = 3,      /* a VRRP advert that lists the VIP */
};

const char *obs_vip_kind_name(enum obs_vip_kind k); /* "garp", "reply", "vrrp" */

/* Someone on the wire said "this address is mine" (or, VRRP priority 0, "no longer"). */
struct obs_vip {
	int64_t t_ns;
	struct in_addr vip;
	enum obs_vip_kind kind;
	char net[OBS_NET_MAX];
	char node[OBS_NAME_MAX]; /* the sending node, "" when unknown */
	uint8_t mac[6];		 /* sender MAC (ARP: sender hardware address) */
	int vrid, prio;		 /* VRRP only, else 0 */
	int adver_ms;		 /* VRRP only: Max Adver Int, else 0 */
};

enum obs_lb_kind {
	OBS_LB_STATE = 1,   /* HA state change (from, to) */
	OBS_LB_BACKEND = 2, /* a backend marked up or down */
	OBS_LB_EXIT = 3,    /* a service process of node @lb ended (the service layer's
			     * "exit" event: crash, kill fault or the end of the run) */
};

/* An fl-lb event line, or the exit of a process on its node. */
struct obs_lb {
	int64_t t_ns;
	enum obs_lb_kind kind;
	char lb[OBS_NAME_MAX]; /* the event's src */
	char from[16], to[16]; /* state */
	char backend[OBS_NAME_MAX];
	bool up; /* backend */
};

enum obs_mark_kind {
	OBS_MARK_RETRANS = 1,	 /* a TCP segment carrying data seen again */
	OBS_MARK_FRAG_NEEDED = 2, /* ICMP frag-needed / ICMPv6 packet-too-big */
	OBS_MARK_UNREACH = 3,	 /* any other ICMP / ICMPv6 destination unreachable */
};

const char *obs_mark_kind_name(enum obs_mark_kind k); /* "retransmit", "frag-needed" ... */

struct obs_mark {
	int64_t t_ns;
	enum obs_mark_kind kind;
	char net[OBS_NET_MAX];
	char node[OBS_NAME_MAX]; /* sender */
};

/* What the capture of one network wrote (the capture "end" event, obs_cap.c). */
struct obs_capture {
	char net[OBS_NET_MAX];
	char files[256];   /* the files kept, space-separated */
	uint64_t frames;   /* written */
	uint64_t bytes;	   /* of frame data written */
	uint64_t dropped;  /* by the kernel (the socket's buffer was full) */
	uint64_t not_written; /* over the cap, when it stops there */
	uint64_t comments; /* fault notes placed */
	uint64_t max;	   /* the cap per file, 0: none */
	int ring;	   /* files kept with a cap, 0: stop at it */
	bool cap_reached;
};

/* What one `collect` checker measured ("collect" event): its value, or why none. */
struct obs_collect {
	char name[OBS_NAME_MAX];
	char node[OBS_NAME_MAX];
	bool measured;
	double v;
	char why[256]; /* when not measured */
};

struct obs_store {
	int64_t t0_ns; /* the timeline's zero; 0 when not known */
	struct obs_req *req;
	size_t n_req, cap_req;
	struct obs_fault *flt;
	size_t n_flt, cap_flt;
	struct obs_vip *vip;
	size_t n_vip, cap_vip;
	struct obs_lb *lb;
	size_t n_lb, cap_lb;
	struct obs_mark *mark;
	size_t n_mark, cap_mark;
	struct obs_kwarn *kw;
	size_t n_kw, cap_kw;
	struct obs_capture *cap;
	size_t n_cap, cap_cap;
	char (*log)[OBS_LOG_NAME_MAX]; /* file names of the request logs read */
	size_t n_log, cap_log;
	struct obs_collect *col;
	size_t n_col, cap_col;
};

/* ---- obs_store.c ---- */

struct obs_store *obs_store_new(void);
void obs_store_free(struct obs_store *st); /* NULL is a no-op */

/* Append a copy of one record; 0, or -1 with errno ENOMEM. */
int obs_req_add(struct obs_store *st, const struct obs_req *r);
int obs_vip_add(struct obs_store *st, const struct obs_vip *v);
int obs_lb_add(struct obs_store *st, const struct obs_lb *l);
int obs_mark_add(struct obs_store *st, const struct obs_mark *m);
int obs_kwarn_add(struct obs_store *st, const struct obs_kwarn *k);
int obs_capture_add(struct obs_store *st, const struct obs_capture *c);
int obs_collect_add(struct obs_store *st, const struct obs_collect *c);
/* The newest value collected as @name, or NULL. */
const struct obs_collect *obs_collect_find(const struct obs_store *st, const char *name);
/* The id (>= 1) of request log @name, added when new; -1 with errno ENOMEM (or
 * ENAMETOOLONG). obs_log_find: its id, or 0 when no request was read from it. */
int obs_log_id(struct obs_store *st, const char *name);
int obs_log_find(const struct obs_store *st, const char *name);
/* Record fault @id applied at @t_ns; fills node from @target. */
int obs_fault_apply(struct obs_store *st, int id, const char *kind, const char *target,
		    int64_t t_ns);
/* The path (the mechanism) the newest open firing @id was applied through. */
void obs_fault_set_path(struct obs_store *st, int id, const char *path);
/* Record fault @id reverted at @t_ns; -1 with errno ENOENT when it was never applied. */
int obs_fault_revert(struct obs_store *st, int id, int64_t t_ns);

/* ---- obs_csv.c: fl-load's requests.csv ---- */

/*
 * obs_req_parse - one data line of requests.csv (with or without its newline)
 * Returns 0 and fills @out, 1 for the header line, or -1 with errno EINVAL.
 */
int obs_req_parse(const char *line, struct obs_req *out);

/* Reads a requests.csv that is still being written: only complete lines count. */
struct obs_tail;

/* obs_tail_new - follow @path (it need not exist yet). NULL with errno ENOMEM. */
struct obs_tail *obs_tail_new(const char *path);
void obs_tail_free(struct obs_tail *t); /* NULL is a no-op; closes the file */
/*
 * obs_tail_poll - read what was appended since the last call and add every new complete
 * line to @st. Returns the number of requests added (0 when the file does not exist
 * yet), or -1 with errno (a read error, ENOMEM). Bad lines are counted, not fatal.
 */
int obs_tail_poll(struct obs_tail *t, struct obs_store *st);
size_t obs_tail_bad_lines(const struct obs_tail *t);

/* ---- obs_events.c: events.jsonl into the store ---- */

/*
 * obs_event_ingest - add what one events.jsonl line says to @st: timeline apply/revert,
 * wire arp/vrrp/retransmit/icmp, fl-lb state/backend, capture end, collect (a checker's
 * value or error, svc_collect.c), and the timeline's zero
 * ({"src":"timeline","ev":"start"} or any "ev":"t0"). Other events are ignored.
 * Returns 1 when the line was recorded, 0 when ignored, -1 with errno (EINVAL: not
 * a JSON object with t_ns, src and ev; ENOMEM).
 */
int obs_event_ingest(struct obs_store *st, const char *line);

/*
 * obs_store_load_run - fill @st from run directory @dir: events.jsonl and every
 * requests*.csv in it, each request tagged with the log it came from (obs_req.log).
 * Returns 0, or -1 with errno (ENOENT: no events.jsonl).
 * @bad counts lines that could not be read (may be NULL).
 */
int obs_store_load_run(struct obs_store *st, const char *dir, size_t *bad);

/* ---- obs_frame.c: pure frame decoders (no I/O) ---- */

enum obs_frame_kind {
	OBS_FR_NONE = 0, /* nothing of interest */
	OBS_FR_ARP = 1,
	OBS_FR_VRRP = 2,
	OBS_FR_ICMP = 3,
	OBS_FR_TCP = 4,
};

enum obs_arp_op {
	OBS_ARP_REQUEST = 1,
	OBS_ARP_REPLY = 2,
};

struct obs_frame {
	enum obs_frame_kind kind;
	uint8_t src_mac[6];
	/* ARP */
	enum obs_arp_op arp_op;
	bool arp_gratuitous; /* sender IP == target IP */
	uint8_t arp_sha[6];
	struct in_addr arp_spa, arp_tpa;
	/* VRRP */
	struct in_addr ip_src;
	int vrid, prio, adver_ms, naddr;
	struct in_addr addrs[8]; /* the first 8 addresses of the advert */
	/* ICMP */
	bool frag_needed; /* ICMP 3/4 or ICMPv6 2; otherwise a destination unreachable */
	int icmp_type, icmp_code;
	/* TCP (IPv4 and IPv6): addresses, ports, sequence, payload length */
	int family;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	uint32_t seq;
	uint32_t payload;
	bool syn, fin, rst;
	/* Where it was seen (a network index; the decoder sets 0). Part of a TCP flow's
	 * key: a segment routed from one network to another is not a retransmission. */
	int segment;
};

/*
 * obs_mono_from_real - a CLOCK_REALTIME timestamp (a packet's, from the kernel) on
 * CLOCK_MONOTONIC, given both clocks read together at @real_now_ns / @mono_now_ns.
 * A timestamp after @real_now_ns (cannot happen but for a clock step) gives
 * @mono_now_ns.
 */
int64_t obs_mono_from_real(int64_t real_ts_ns, int64_t real_now_ns, int64_t mono_now_ns);

/*
 * obs_frame_decode - decode an Ethernet frame (as AF_PACKET/SOCK_RAW gives it).
 * @len: bytes captured; @wire_len: the frame's real length (may be more than @len when
 * truncated by the filter); TCP payload is taken from the IP header, not from @len.
 * Returns the kind (OBS_FR_NONE for anything else, malformed frames included).
 */
enum obs_frame_kind obs_frame_decode(const uint8_t *buf, size_t len, struct obs_frame *out);

/* Retransmission detector: a fixed-size table of flows, each with the highest sequence
 * end seen. A data segment that starts before that end is a retransmission. */
struct obs_tcp;
struct obs_tcp *obs_tcp_new(void);
void obs_tcp_free(struct obs_tcp *t); /* NULL is a no-op */
/* Feed one decoded TCP frame; true when it is a retransmission. */
bool obs_tcp_is_retrans(struct obs_tcp *t, const struct obs_frame *f);

/* ---- obs_wire.c: the wire observer on a live run ---- */

struct run;
struct obs_wire;

/*
 * obs_wire_start - open an AF_PACKET socket inside the lab namespace of @r (never the
 * host's), map each lab port to its (node, network), and watch it on the run's loop.
 * Each decoded observation goes to events.jsonl (src "wire") and into @st.
 * Registered on the run's teardown list. Returns the observer, or NULL with errno.
 */
struct obs_wire *obs_wire_start(struct run *r, struct obs_store *st);
/* Frames read, frames kept (from a node port, incoming), decode failures. */
void obs_wire_stats(const struct obs_wire *w, uint64_t *read, uint64_t *kept,
		    uint64_t *bad);

/* ---- obs_cap.c: pcapng captures of a live run ---- */

struct obs_cap;

/*
 * obs_cap_start - capture every network of @r whose scn_network.capture is on: a
 * pcapng file per network in the run directory (obs_cap.c says which frames, when,
 * and how fault notes and the cap work), fed from the run's loop. On the teardown
 * list. Returns the capture (with nothing to capture, one that does nothing), or NULL
 * with a message in @err (what started is still torn down by the list).
 */
struct obs_cap *obs_cap_start(struct run *r, char *err, size_t len);
/* Read what is left, close the files and write each network's "capture" "end" event;
 * once (teardown calls it too). NULL is a no-op. */
void obs_cap_finish(struct obs_cap *c);

/* ---- obs_run.c: the observers of a live run ---- */

/*
 * obs_run_start - start every observer of run @r (its lab built, its services ready):
 * the wire observer, into a store of their own. The store and the observers are on
 * the run's teardown list, which stops and frees them. Returns the store, or NULL
 * with a message in @err when one could not start (the run may go on without it).
 */
struct obs_store *obs_run_start(struct run *r, char *err, size_t len);

struct obs_reqlogs;

/* Follow the request logs (requests*.csv) of run @r's directory as they appear and grow;
 * NULL with errno ENOMEM. */
struct obs_reqlogs *obs_reqlogs_new(const struct run *r);
/* Add every request logged since the last call to @st (complete lines only, so a line
 * fl-load is still writing is never miscounted). */
void obs_reqlogs_poll(struct obs_reqlogs *f, struct obs_store *st);
void obs_reqlogs_free(struct obs_reqlogs *f); /* NULL is a no-op */

#endif
