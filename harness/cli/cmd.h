/*
 * cmd.h - the faultline subcommands. Each lives in harness/cmd_<name>.c, parses its own
 * options, prints what the user sees and returns the process exit status. This layer is
 * the only one that prints or decides the exit code; everything below returns errors.
 */
#ifndef FL_CMD_H
#define FL_CMD_H

/* Exit statuses (DESIGN.md section 8). */
enum {
	FL_EXIT_OK = 0,	   /* every expectation held */
	FL_EXIT_FAIL = 1,  /* an expectation failed */
	FL_EXIT_INPUT = 2, /* bad input: scenario file, option */
	FL_EXIT_HOST = 3,  /* the host cannot run it: privilege, missing feature */
};

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rep.h"
#include "scn.h"

struct sla_result;
struct json_t;

#define CMD_RUN_MAX_SETS 64
#define CMD_SHARD_MAX 1024

/* --shard K/N: this invocation runs the items i (from 0, in the canonical order) with
 * i mod N == K - 1 (cmd_shard.c). n == 0: not sharded, every item. */
struct cmd_shard {
	int k, n;
};

/* The options of 'faultline run', which 'faultline explore' takes too. */
struct cmd_run_opts {
	const char *run_dir;
	struct scn_set sets[CMD_RUN_MAX_SETS];
	int n_sets;
	bool has_seed;
	uint64_t seed;
	bool dry_run;
	const char *as_scenario; /* run --as-scenario OUT: the schedule as a scenario ("-": stdout) */
	const char *report[REP_KINDS_MAX]; /* the file of each rep_kinds[] format, or NULL */
	bool quiet;
	bool time_lab;	   /* hidden: timings of lab up/down on stderr (scripts/bench) */
	int jobs;	   /* --jobs: 0 = the machine's default (cmd_jobs_default) */
	bool has_jobs;	   /* --jobs given */
	const char *seeds; /* explore: --seeds A-B */
	bool until_fail;   /* explore: --until-fail */
	bool child_quiet;  /* cmd_jobs_run: the runs print no tables of their own */
	bool pcap;	   /* --pcap: capture every network */
	uint64_t pcap_max; /* --pcap-max SIZE: the cap per file of --pcap's captures */
	int pcap_ring;	   /* --pcap-ring N: with --pcap-max, keep the last N files */
	bool hold;	   /* run --hold: keep the lab after the timeline until a signal */
	struct cmd_shard shard; /* --shard K/N */
};

/* One option of @cmd at argv[*@i] (advancing *@i past its value): 0, or -1 after
 * saying why on stderr. */
int cmd_run_opt(const char *cmd, int argc, char **argv, int *i, struct cmd_run_opts *o);
/* Parse @cmd's ("run", "explore") options; the index of the first file, or -1 after
 * saying why on stderr. */
int cmd_run_opts_parse(const char *cmd, int argc, char **argv, struct cmd_run_opts *o);
/* Load @path with the --set values it takes (see cmd_run.c); NULL with @err filled. */
struct scn *cmd_run_load(const char *path, const struct cmd_run_opts *o, int n_files, bool *used,
			 struct scn_err *err);
/* Root, host features, file limit, SIGPIPE: 0 when @scns can run, else an exit status
 * after saying why. */
int cmd_run_prepare(const char *cmd, struct scn **scns, int n);
/* Run @s in its own lab in this process: its exit status, its judged result (or NULL)
 * in *@judged, its run directory in @dir ("" when none was made). */
int cmd_run_one(struct scn *s, const struct cmd_run_opts *o, struct sla_result **judged, char *dir,
		size_t len);

/* The whole of file @path, NUL-terminated, its length in *@len; NULL with errno. */
char *cmd_file_slurp(const char *path, size_t *len);

/* ---- cmd_jobs.c: scenarios side by side, each in a forked child of its own ---- */

/* What one lab costs in CPUs: 1 for namespaces only, 1 per QEMU guest (TCG keeps a
 * CPU busy per guest); at most @cap. */
int cmd_jobs_weight(const struct scn *s, int cap);
/* --jobs when not given: the number of online CPUs (at least 1). */
int cmd_jobs_default(void);
/*
 * cmd_jobs_run - run @scns[0..n) each in a child process of its own (own lab, own run
 * directory: @run_dirs[i], or o->run_dir when @run_dirs is NULL; PR_SET_PDEATHSIG), up to o->jobs
 * CPUs' worth at once (cmd_jobs_weight); each child's output is shown when it ends, a progress line
 * on a terminal meanwhile. Each run is judged back from its run directory: judged[i] (NULL when not
 * judged), status[i] its exit status (-1: not run). With @until_fail no new run starts once one
 * failed. SIGINT, SIGTERM, SIGHUP reach every child, which tear down. Returns the worst
 * exit status.
 */
int cmd_jobs_run(struct scn **scns, int n, const struct cmd_run_opts *o,
		 const char *const *run_dirs, bool until_fail, struct sla_result **judged,
		 int *status);

/* ---- cmd_shard.c: one shard of the work, and its report for 'faultline merge' ---- */

/* "K/N" with 1 <= K <= N <= CMD_SHARD_MAX into @sh; -1 when not that. */
int cmd_shard_parse(const char *arg, struct cmd_shard *sh);
/* Does item @i (from 0, in the canonical order) go to shard @sh? Always, unsharded. */
bool cmd_shard_has(const struct cmd_shard *sh, int i);
/* The items of @sh among @total into @idx (room for @total), in order; their number. */
int cmd_shard_pick(const struct cmd_shard *sh, int total, int *idx);
/* {"index", "exit", "result"} of one run (taking @result; NULL: null); NULL on ENOMEM. */
struct json_t *cmd_shard_item(int index, int status, struct json_t *result);
/* {"METRIC": "<%a of its value>"} for every metric @r measured over the whole window. */
struct json_t *cmd_shard_exact(const struct sla_result *r);
/* ["NAME=VALUE", ...] of @sets, for a plan; NULL on ENOMEM. */
struct json_t *cmd_shard_sets(const struct scn_set *sets, int n);
/* Write the shard report (cmd_shard.c's comment has its shape) to @path, taking @plan
 * and @items (NULL: a failed build, ENOMEM). 0, or -1 with errno. */
int cmd_shard_write(const char *path, const struct cmd_shard *sh, const char *command,
		    struct json_t *plan, int total, struct json_t *items);

/* ---- cmd_merge.c: 'faultline merge', the shards' reports into a single run's ---- */

struct cmd_merged {
	char command[16];	  /* "run", "explore", "matrix" */
	struct json_t *json;	  /* what the single run writes to --json; NULL: no file */
	struct sla_result **judged; /* what it writes to --junit, in order */
	int n_judged;
	int status; /* its exit status: the worst of the items' */
};

/*
 * cmd_merge_shards - join shard reports @docs[0..n) (read from files @names, for the
 * messages) into what one invocation without --shard would have reported, in @out.
 * Every shard 1/N ... N/N must be there exactly once, of the same command and plan,
 * each with exactly its items. 0, or -1 with the reason in @err (naming the files).
 */
int cmd_merge_shards(struct json_t *const *docs, const char *const *names, int n,
		     struct cmd_merged *out, char *err, size_t len);
/* Free what cmd_merge_shards() put in @m; idempotent. */
void cmd_merged_release(struct cmd_merged *m);

/* ---- cmd_explore.c ---- */

/* "A-B" (or "A": one seed) into *@a <= *@b; -1 when not that. */
int cmd_seeds_parse(const char *arg, uint64_t *a, uint64_t *b);

struct cmd_stats {
	int n;
	double min, median, p95, max;
};

/* The number of seeds that failed (ran, not interrupted, not ok) among @n. */
int cmd_explore_failed(struct sla_result *const *rr, const int *st, int n);
/* explore's --json object for seeds @seeds[0..n) of scenario @name ("runs" holds those
 * with @st >= 0); NULL on ENOMEM. */
struct json_t *cmd_explore_json(const char *name, const uint64_t *seeds, int n,
				struct sla_result *const *rr, const int *st);

/* min / median (the mean of the middle two for an even count) / p95 (nearest rank) /
 * max of @v[0..n), which it sorts; -1 with EINVAL when n < 1. */
int cmd_stats_compute(double *v, int n, struct cmd_stats *out);

/* "NAME=VALUE" into @set (pointing into @arg, which is cut at '='); -1 when there is
 * no '=' or no name. */
int cmd_set_parse(char *arg, struct scn_set *set);
/* Is every program of @s's `requires` there? 0, or -1 with "FILE:L:C: requires ..." in
 * @msg (the CLI exits 3: this host cannot run it). */
int cmd_requires_check(const struct scn *s, char *msg, size_t len);
/* An option's value: "--opt VALUE" or "--opt=VALUE" (advancing *@i past VALUE); NULL
 * when argv[*@i] is not @opt. */
char *cmd_opt_value(int argc, char **argv, int *i, const char *opt);

/* argv[0] is the subcommand's name. */
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_explore(int argc, char **argv);
/* cmd_live.c: a look inside a live run through its control socket (run_ctl.h) */
int cmd_ps(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_shell(int argc, char **argv);
int cmd_inject(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_shrink(int argc, char **argv);

#endif
