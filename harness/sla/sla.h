/*
 * sla.h - metrics over a run's observations, and the verdict on each `expect`.
 *
 * Every metric is defined in docs/metrics.md; this header only names them. All inputs
 * are an obs_store (obs.h) and a struct sla_cfg saying where the window lies, and
 * nothing but sla_run.c does I/O: it fills the store from a run directory and judges
 * it. `faultline run` judges each run that way once it has ended, and `faultline
 * matrix` each column's run directory, so both give the same numbers.
 *
 * Units of values: durations in milliseconds (fractional: the time base is ns),
 * percentages 0..100, counts as whole numbers - the units of struct scn_expect.
 */
#ifndef FL_SLA_H
#define FL_SLA_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "obs.h"
#include "scn.h"

enum sla_metric {
	SLA_SUCCESS = 1,
	SLA_ERRORS,
	SLA_REQUESTS,
	SLA_REFUSED,
	SLA_RESET,
	SLA_TIMEOUT,
	SLA_CONNECT_TIMEOUT,
	SLA_BAD_BODY,
	SLA_BAD_STATUS,
	SLA_P50,
	SLA_P99,
	SLA_MAX,
	SLA_OUTAGE,
	SLA_LONGEST_OUTAGE,
	SLA_UPTIME,
	SLA_FAILOVER,
	SLA_SPLIT_BRAIN,
	SLA_VIP_MOVES,
	SLA_DETECT,
	SLA_RETRANSMITS,
	SLA_FRAG_NEEDED,
	SLA_KERNEL_WARNINGS, /* then one per class, in enum obs_kw's order: */
	SLA_KW_SOFT_LOCKUP,
	SLA_KW_HARD_LOCKUP,
	SLA_KW_RCU_STALL,
	SLA_KW_HUNG_TASK,
	SLA_KW_WARNING,
	SLA_KW_BUG,
	SLA_KW_CLOCKSOURCE,
	SLA_KW_NETDEV_WATCHDOG,
	SLA_KW_IRQ_NOBODY,
	SLA_METRIC__MAX
};

/* The name written in `expect` ("connect-timeout"), its unit; 0 / NULL if unknown. */
const char *sla_metric_name(enum sla_metric m);
enum sla_metric sla_metric_find(const char *name);
enum scn_unit sla_metric_unit(enum sla_metric m);

struct sla_value {
	bool measured;
	double v;	 /* in the metric's unit; 0 when not measured */
	const char *why; /* when not measured: a static phrase saying why */
};

struct sla_metrics {
	struct sla_value v[SLA_METRIC__MAX]; /* indexed by enum sla_metric; [0] unused */
};

struct sla_cfg {
	int64_t t0_ns;		/* window start: the timeline's zero */
	int64_t duration_ns;	/* window length: the scenario's duration */
	int64_t advert_ns;	/* advert interval where no VRRP advert tells it (1 s) */
	int64_t hold_adverts;	/* a claim lasts this many advert intervals (3) */
	int64_t uptime_min_ns;	/* outages at least this long are downtime (1 s) */
	int guests;		/* nodes of the scenario that are guests (kernel-warnings) */
};

/* Defaults above, with advert_ns the largest `advert` of @s's lb services. */
void sla_cfg_init(struct sla_cfg *cfg, const struct scn *s, int64_t t0_ns);

/* A half-open interval [a, b) of ns. */
struct sla_ival {
	int64_t a, b;
};

/* A sorted set of disjoint, non-touching intervals. */
struct sla_mask {
	struct sla_ival *v;
	int n;
};

/* The window [t0, t0 + duration). */
struct sla_ival sla_window(const struct sla_cfg *cfg);
/* Union of the faults' [apply, revert) (open: the window end), clipped to the window.
 * Returns 0 (an empty mask when no fault was applied) or -1 with errno ENOMEM. */
int sla_mask_faults(const struct obs_store *st, const struct sla_cfg *cfg,
		    struct sla_mask *out);
void sla_mask_release(struct sla_mask *m);
/* Length of @i inside @m (or inside the window when @m is NULL, see sla_clip). */
int64_t sla_mask_overlap(const struct sla_mask *m, struct sla_ival i);
bool sla_mask_has(const struct sla_mask *m, int64_t t);

/* ---- sla_vip.c: who claimed a VIP on the wire, and when ---- */

struct sla_claim {
	struct in_addr vip;
	char node[OBS_NAME_MAX];
	int64_t a, b; /* [a, b): from the first announcement to the last one + hold */
};

struct sla_claims {
	struct sla_claim *v; /* sorted by vip, then a */
	int n;
};

/*
 * sla_claims_build - merge the VIP observations of @st into claim intervals per
 * (VIP, node): each announcement (gratuitous ARP, ARP reply, VRRP advert with priority
 * > 0) claims [t, t + hold); hold = hold_adverts x the VIP's advert interval (the
 * largest Max Adver Int seen in its adverts, else cfg->advert_ns); an announcement at
 * or before the end of the current claim extends it; a VRRP advert with priority 0
 * ends the node's claim at once. Returns 0 or -1 with errno ENOMEM.
 */
int sla_claims_build(const struct obs_store *st, const struct sla_cfg *cfg,
		     struct sla_claims *out);
void sla_claims_release(struct sla_claims *c);

/* ---- sla_metrics.c ---- */

/*
 * sla_metrics_compute - every metric of docs/metrics.md for @st over the window, or only
 * over the part of it inside @mask (the "during faults" scope) when @mask is not NULL.
 * Returns 0 or -1 with errno ENOMEM.
 */
int sla_metrics_compute(const struct obs_store *st, const struct sla_cfg *cfg,
			const struct sla_mask *mask, struct sla_metrics *out);

/* The request metrics alone (success ... uptime); used by the live progress line too. */
int sla_req_metrics(const struct obs_store *st, const struct sla_cfg *cfg,
		    const struct sla_mask *mask, struct sla_metrics *out);
/* Is @m a request metric, measured per client too? (success ... uptime) */
bool sla_metric_per_client(enum sla_metric m);
/*
 * sla_client_metrics - the request metrics of one client: the requests of @st read
 * from request log @log (an obs_log_find id; 0, no log: no request), over the window
 * or @mask as sla_metrics_compute; every other metric not measured. 0 or -1 (ENOMEM).
 */
int sla_client_metrics(const struct obs_store *st, const struct sla_cfg *cfg,
		       const struct sla_mask *mask, int log, struct sla_metrics *out);
/* failover, split-brain, vip-moves (sla_vip.c) and detect (sla_detect.c). */
int sla_vip_metrics(const struct obs_store *st, const struct sla_cfg *cfg,
		    const struct sla_mask *mask, struct sla_metrics *out);
void sla_detect_metric(const struct obs_store *st, const struct sla_cfg *cfg,
		       struct sla_metrics *out);

/* ---- sla_eval.c: verdicts ---- */

enum sla_status {
	SLA_PASS = 1,
	SLA_FAIL = 2,
	SLA_UNMEASURED = 3, /* the metric has no value in this run: counts as failed */
	SLA_INVALID = 4,    /* unknown metric or scope, wrong unit: counts as failed */
};

const char *sla_status_name(enum sla_status s); /* "pass", "FAIL", "not measured" ... */

struct sla_verdict {
	char *text;  /* the expectation as written */
	char metric[OBS_NAME_MAX];
	enum scn_op op;
	double want;
	enum scn_unit unit;
	char *scope; /* NULL for the whole window */
	int client;  /* 'of CLIENT': index into sla_result.clients; -1 for every client */
	struct sla_value got;
	enum sla_status status;
	enum scn_want wanted; /* the expectation's mark: must hold, must fail, either */
	bool as_wanted;	      /* status is what @wanted asks (sla_want_met) */
	char msg[160]; /* "measured 340.2ms, wanted < 1000ms", "not measured: ..." */
};

/* One client of the scenario (scn_service_is_client), and its request metrics. */
struct sla_client {
	char name[2 * OBS_NAME_MAX]; /* "NODE.SERVICE" */
	char log[OBS_LOG_NAME_MAX];  /* its request log's file name (scn_client_log) */
	int svc;		     /* index into the scenario's services */
	bool logged;		     /* a request was read from its log */
	struct sla_metrics all;	     /* whole window; metrics not per client: unmeasured */
	struct sla_metrics during;   /* during faults */
};

/* The run's verdict: a reproduction (an expectation marked 'fails') is judged on
 * whether exactly the marked expectations failed, any other run on whether all held. */
enum sla_outcome {
	SLA_OUT_PASS = 1,
	SLA_OUT_FAIL = 2,
	SLA_OUT_REPRODUCED = 3,
	SLA_OUT_NOT_REPRODUCED = 4,
};

/* "pass", "fail", "reproduced", "not reproduced" (the JSON "verdict" member). */
const char *sla_outcome_name(enum sla_outcome o);

/* sla_want_met - whether @status is what @want asks: SCN_WANT_PASS wants SLA_PASS,
 * SCN_WANT_FAIL wants SLA_FAIL (measured and on the wrong side: an unmeasured metric
 * reproduces nothing), SCN_WANT_EITHER anything but SLA_INVALID. */
bool sla_want_met(enum scn_want want, enum sla_status status);

struct sla_param {
	char *name, *value;
};

/* Facts about one QEMU guest, as fl-agent read them (any field may be NULL). */
struct sla_guest {
	char *node, *kernel, *cmdline, *clocksource, *interrupts; /* kernel: its release */
};

struct sla_result {
	char *scenario, *description, *run_dir;
	char *started; /* the run's start record's wall clock (UTC ISO 8601), NULL: none */
	uint64_t seed;
	struct sla_param *params;
	int n_params;
	struct sla_cfg cfg;
	const struct obs_store *st; /* borrowed: must outlive the writers' use of it */
	struct obs_store *st_owned; /* sla_run_judge's store (== st), freed with the result */
	struct sla_metrics all;	    /* whole window */
	struct sla_metrics during;  /* during faults (unmeasured everywhere when no fault) */
	struct sla_client *clients; /* every client, in the order of the services */
	int n_clients;
	struct sla_verdict *v;
	int n_v;
	int n_failed;  /* verdicts not SLA_PASS */
	int n_invalid; /* of which SLA_INVALID */
	bool passed;   /* n_failed == 0: every expectation held */
	int n_wrong;   /* verdicts not as_wanted */
	bool reproduction; /* some expectation is marked 'fails' */
	enum sla_outcome outcome; /* reproduction ? (re)produced : pass/fail, by n_wrong */
	bool ok;       /* outcome is pass or reproduced: the run exits 0 */
	struct sla_guest *guests;
	int n_guests;
};

/*
 * sla_evaluate - compute the metrics of @st and judge every `expect` of @s.
 * @seed: the seed the run used; @run_dir: may be NULL. @st is kept by reference.
 * Returns the result, or NULL with errno ENOMEM.
 */
struct sla_result *sla_evaluate(const struct scn *s, const struct obs_store *st,
				const struct sla_cfg *cfg, uint64_t seed, const char *run_dir);
void sla_result_free(struct sla_result *r); /* NULL is a no-op; frees st_owned too */

/* sla_judge - one verdict: @got against "@op @want" (no allocation). */
enum sla_status sla_judge(const struct sla_value *got, enum scn_op op, double want);

/* sla_outcome_judge - from @r's verdicts (status, wanted) and @r->reproduction, set
 * each as_wanted and n_wrong, passed, outcome and ok (sla_evaluate calls it). */
void sla_outcome_judge(struct sla_result *r);

/* Add one guest's facts (copied) for the reports; 0 or -1 with errno ENOMEM. */
int sla_result_add_guest(struct sla_result *r, const char *node, const char *kernel,
			 const char *cmdline, const char *clocksource, const char *interrupts);

/* ---- sla_run.c: judging a run from its directory ---- */

/*
 * sla_run_judge - read run directory @dir back (obs_store_load_run: events.jsonl, the
 * services' .events files, requests*.csv), judge @s's expectations over the window
 * that starts at @t0_ns (0: the run's "t0" event) with the run's @seed, and add the
 * guest facts of its "guest-ready" events, and its start record's time (started). The
 * result owns the store it read.
 * Returns it, or NULL with a message in @err; on success @err may hold a warning
 * (unreadable lines) or be left as it was.
 */
struct sla_result *sla_run_judge(const struct scn *s, const char *dir, int64_t t0_ns,
				 uint64_t seed, char *err, size_t len);

#endif
