/*
 * cmd_run.c - 'faultline run': load every file (all must be valid before anything is
 * built), then run each in its own lab, one after another (with --jobs side by side,
 * each in a child process: cmd_jobs.c). Its options and cmd_run_one() serve
 * 'faultline explore' too.
 *
 * One run goes through these phases, in this order, each one call into the module
 * that owns it (named in brackets):
 *
 *   load [scn] -> run_new [run] -> lab_build [lab] -> services, ready [svc]
 *   -> observers [obs] -> t0 -> timeline, live line [tl, flt, rep] -> wait
 *   -> revert faults [tl] -> collect [svc] -> stop services [svc] -> judge [sla]
 *   -> table [rep]
 *   -> teardown [run]; once every file has run: the report files [rep]
 *
 * SIGINT, SIGTERM and SIGHUP are blocked from the start and read through the run's
 * event loop (signalfd), so an interrupted run always goes through teardown.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "ev.h"
#include "flt.h"
#include "jsonl.h"
#include "lab.h"
#include "obs.h"
#include "rep.h"
#include "run.h"
#include "run_ctl.h"
#include "scn.h"
#include "sla.h"
#include "svc.h"
#include "tl.h"

#define RUN_STOP_GRACE_MS 1000
#define RUN_READY_TIMEOUT_MS 20000 /* per group of services: guests boot under TCG */

/* What one run came to, for the summary line, the exit status and the reports. */
struct run_result {
	int status;
	int signo; /* the signal that interrupted it, 0 when none */
	int64_t up_ns, down_ns, ran_ns;
	int n_svc, n_svc_failed; /* services, of which exited unexpectedly */
	char failed[256];	 /* "web1 web (exit status 1), ..." */
	struct sla_result *judged; /* NULL when the run could not be judged */
};

static void run_usage(FILE *f)
{
	fprintf(f,
		"usage: faultline run [OPTIONS] FILE...\n"
		"\n"
		"Build each scenario's lab, start its services, run its timeline, judge its\n"
		"expectations and tear everything down. Files run one after another, or with\n"
		"--jobs side by side, each in a lab (and a process) of its own.\n"
		"\n"
		"  --jobs N            run up to N CPUs' worth of labs at once (a lab of network\n"
		"                      namespaces counts 1, a lab with QEMU guests 1 per guest);\n"
		"                      each run's lines show when it ends; 'auto': the number\n"
		"                      of CPUs, %d here (default: one after another, in this\n"
		"                      process)\n"
		"  --run-dir DIR       keep run directories in DIR (default: runs)\n"
		"  --set NAME=VALUE    give a value to a 'param' (repeatable)\n"
		"  --seed N            override the scenario's seed\n"
		"  --dry-run           print the plan, build nothing\n"
		"  --as-scenario OUT   with --dry-run and one FILE: write FILE with its timeline as\n"
		"                      one 'at T FAULT for D' line per firing to OUT ('-': stdout,\n"
		"                      instead of the plan)\n"
		"  --json FILE         write the whole result as JSON (an array for several files)\n"
		"  --junit FILE        write a JUnit XML report (one testsuite per file)\n"
		"  --svg FILE          draw the timeline (several files: FILE-<scenario>.svg each)\n"
		"  --pcap              capture every network: capture-NET.pcapng in the run\n"
		"                      directory, fault applies and reverts as packet comments\n"
		"                      (a network's own 'capture' statement keeps its options)\n"
		"  --pcap-max SIZE     with --pcap: at most SIZE bytes per file (e.g. 10M; at\n"
		"                      least 4k), then stop writing\n"
		"  --pcap-ring N       with --pcap-max: at the cap begin a new file, keep the\n"
		"                      last N (2..1000)\n"
		"  --hold              keep the lab, its services and observers after the\n"
		"                      timeline until Ctrl-C or SIGTERM, to look inside with\n"
		"                      'faultline shell|exec|inject RUN ...' (one FILE, no\n"
		"                      --jobs); the expectations are judged on the timeline's\n"
		"                      span only\n"
		"  --html FILE         a page of the run: the timeline inline, relative links\n"
		"                      to its logs (several files: FILE-<scenario>.html each)\n"
		"  --shard K/N         run only the files at positions i (from 0) with\n"
		"                      i mod N = K-1; --json then writes a shard report for\n"
		"                      'faultline merge' (docs/ci.md)\n"
		"  -q                  no progress, tables or summary lines\n"
		"\n"
		"Needs root. Exit status, the worst of all files: 0 all expectations held (in a\n"
		"reproduction: exactly those marked 'fails' failed), 1 not so, 2 bad input, 3 the\n"
		"host cannot run it.\n",
		cmd_jobs_default());
}



/* A report option (--json FILE ...: rep_kinds[]) at argv[*@i]? Then its file is kept. */
static bool run_opt_report(int argc, char **argv, int *i, struct cmd_run_opts *o)
{
	const char *v;

	for (int k = 0; rep_kinds[k].option; k++)
		if ((v = cmd_opt_value(argc, argv, i, rep_kinds[k].option)))
			return (o->report[k] = v), true;
	return false;
}

/* --jobs N: a number >= 1, or "auto": the machine's default (cmd_jobs_default). */
static int run_opt_jobs(const char *cmd, const char *v, struct cmd_run_opts *o)
{
	char *end;
	long n;

	errno = 0;
	n = strcmp(v, "auto") ? strtol(v, &end, 10) : (end = "", cmd_jobs_default());
	if (errno || *end || !*v || n < 1 || n > 1024) {
		fprintf(stderr, "faultline %s: --jobs wants a number from 1 to 1024 or 'auto', "
				"got '%s'\n", cmd, v);
		return -1;
	}
	o->jobs = (int)n;
	o->has_jobs = true;
	return 0;
}

/* explore's own options at argv[*@i]: 1 taken, 0 not one, -1 bad. */
static int run_opt_explore(int argc, char **argv, int *i, struct cmd_run_opts *o)
{
	char *v;

	if (!strcmp(argv[*i], "--until-fail"))
		return (o->until_fail = true), 1;
	if ((v = cmd_opt_value(argc, argv, i, "--seeds")))
		return (o->seeds = v), 1;
	return 0;
}

/* --pcap, --pcap-max SIZE, --pcap-ring N at argv[*@i]: 1 taken, 0 not one, -1 bad. */
static int run_opt_pcap(const char *cmd, int argc, char **argv, int *i, struct cmd_run_opts *o)
{
	char *v, *end;
	long n;

	if (!strcmp(argv[*i], "--pcap"))
		return (o->pcap = true), 1;
	if ((v = cmd_opt_value(argc, argv, i, "--pcap-max"))) {
		if (scn_size_parse(v, &o->pcap_max) == -1 || o->pcap_max < SCN_CAP_MAX_MIN) {
			fprintf(stderr, "faultline %s: --pcap-max wants a size of at least %d bytes "
					"such as 10M, got '%s'\n", cmd, SCN_CAP_MAX_MIN, v);
			return -1;
		}
		return 1;
	}
	if (!(v = cmd_opt_value(argc, argv, i, "--pcap-ring")))
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || !*v || n < 2 || n > 1000) {
		fprintf(stderr, "faultline %s: --pcap-ring wants a number of files from 2 to 1000, "
				"got '%s'\n", cmd, v);
		return -1;
	}
	o->pcap_ring = (int)n;
	return 1;
}

static int run_opt_seed(const char *cmd, const char *v, struct cmd_run_opts *o)
{
	char *end;

	errno = 0;
	o->seed = strtoull(v, &end, 0);
	if (errno || *end || !*v || *v == '-') {
		fprintf(stderr, "faultline %s: --seed wants a number, got '%s'\n", cmd, v);
		return -1;
	}
	o->has_seed = true;
	return 0;
}

int cmd_run_opt(const char *cmd, int argc, char **argv, int *i, struct cmd_run_opts *o)
{
	char *a = argv[*i], *v;
	int ex, pc;

	if ((pc = run_opt_pcap(cmd, argc, argv, i, o)) != 0)
		return pc < 0 ? -1 : 0;
	if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
		o->quiet = true;
	else if (!strcmp(a, "--dry-run"))
		o->dry_run = true;
	else if (!strcmp(cmd, "run") && !strcmp(a, "--hold"))
		o->hold = true;
	else if (!strcmp(a, "--time-lab"))
		o->time_lab = true;
	else if ((v = cmd_opt_value(argc, argv, i, "--run-dir")))
		o->run_dir = v;
	else if (!strcmp(cmd, "run") && (v = cmd_opt_value(argc, argv, i, "--as-scenario")))
		o->as_scenario = v;
	else if (run_opt_report(argc, argv, i, o))
		return 0;
	else if ((v = cmd_opt_value(argc, argv, i, "--jobs")))
		return run_opt_jobs(cmd, v, o);
	else if ((v = cmd_opt_value(argc, argv, i, "--seed")))
		return run_opt_seed(cmd, v, o);
	else if ((v = cmd_opt_value(argc, argv, i, "--shard"))) {
		if (cmd_shard_parse(v, &o->shard) == -1) {
			fprintf(stderr, "faultline %s: --shard wants K/N with 1 <= K <= N <= %d, "
					"got '%s'\n", cmd, CMD_SHARD_MAX, v);
			return -1;
		}
	}
	else if ((v = cmd_opt_value(argc, argv, i, "--set"))) {
		if (o->n_sets == CMD_RUN_MAX_SETS || cmd_set_parse(v, &o->sets[o->n_sets++]) == -1) {
			fprintf(stderr, "faultline %s: --set wants NAME=VALUE, got '%s'\n", cmd, v);
			return -1;
		}
	} else if (strcmp(cmd, "explore") || (ex = run_opt_explore(argc, argv, i, o)) == 0) {
		fprintf(stderr, "faultline %s: unknown option or missing value '%s' (try --help)\n",
			cmd, a);
		return -1;
	} else if (ex < 0)
		return -1;
	return 0;
}

int cmd_run_opts_parse(const char *cmd, int argc, char **argv, struct cmd_run_opts *o)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1;
		if (cmd_run_opt(cmd, argc, argv, &i, o) == -1)
			return -1;
	}
	if (i == argc) {
		fprintf(stderr, "faultline %s: no scenario file (try --help)\n", cmd);
		return -1;
	}
	if ((o->pcap_max && !o->pcap) || (o->pcap_ring && !o->pcap_max)) {
		fprintf(stderr, "faultline %s: %s\n", cmd,
			o->pcap_ring && !o->pcap_max ? "--pcap-ring needs --pcap-max"
						     : "--pcap-max needs --pcap");
		return -1;
	}
	return i;
}

static bool interrupted(int *signo)
{
	sigset_t pend;

	sigpending(&pend);
	for (int s = 1; s < NSIG; s++)
		if ((s == SIGINT || s == SIGTERM || s == SIGHUP) && sigismember(&pend, s)) {
			*signo = s;
			return true;
		}
	return false;
}

static void on_signal(struct ev_loop *loop, int signo, void *arg)
{
	struct run_result *res = arg;

	res->signo = signo;
	ev_loop_stop(loop);
}

/* Services [svc]: every one started, and ready. */
static int run_services_start(struct run *r, struct svc_set *set, struct run_result *res)
{
	const struct scn *s = run_scn(r);
	char err[1024];

	res->n_svc = s->n_services;
	if (svc_set_start_all(r, set, RUN_READY_TIMEOUT_MS, err, sizeof(err)) == -1) {
		fprintf(stderr, "faultline run: %s: %s\n", s->name, err);
		return -1;
	}
	return 0;
}

static void run_schedule_free(void *arg)
{
	tl_schedule_free(arg);
}

/* The timeline [tl, flt]: the schedule, freed by the teardown list after its state. */
static struct tl_state *run_timeline_start(struct run *r, struct svc_set *set,
					   struct flt_svc_ops *ops)
{
	const struct scn *s = run_scn(r);
	struct tl_schedule *sch = tl_schedule_build(s, s->seed);
	if (!sch || run_defer(r, run_schedule_free, sch, "schedule") == -1) {
		tl_schedule_free(sch);
		return NULL;
	}
	*ops = (struct flt_svc_ops){.signal = svc_set_signal, .restart = svc_set_restart,
				    .ctx = set};
	return tl_start(r, sch, ops);
}

/* Judge the run from its directory [sla] and print its table [rep]; the report files
 * are written once every scenario has run (run_all). */
static void run_judge(struct run *r, const struct cmd_run_opts *o, int64_t t0,
		      struct run_result *res)
{
	const struct scn *s = run_scn(r);
	char err[512] = "";
	struct sla_result *v = sla_run_judge(s, run_dir(r), t0, s->seed, err, sizeof(err));

	if (!v) {
		fprintf(stderr, "faultline run: %s: %s\n", s->name, err);
		res->status = FL_EXIT_HOST;
		return;
	}
	if (*err)
		fprintf(stderr, "faultline run: %s: %s\n", s->name, err);
	if (!o->quiet)
		rep_text_summary(stdout, v);
	if (!v->ok && res->status == FL_EXIT_OK)
		res->status = FL_EXIT_FAIL;
	res->judged = v;
}

/* Services that ended by themselves: not stopped at the end, not killed by a fault. */
static void run_services_failed(const struct svc_set *set, const struct scn *s,
				struct run_result *res)
{
	size_t at = 0;
	int st;

	for (int i = 0; i < s->n_services; i++) {
		if (!svc_set_exited(set, i, &st))
			continue;
		res->n_svc_failed++;
		if (at >= sizeof(res->failed))
			continue;
		at += (size_t)snprintf(res->failed + at, sizeof(res->failed) - at,
				       "%s%s %s (%s %d)", at ? ", " : "",
				       s->nodes[s->services[i].node].name, s->services[i].name,
				       WIFSIGNALED(st) ? "signal" : "exit status",
				       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
}

/* run_ctl_ops.inject: @text parsed as a timeline fault of the run's scenario, fired
 * by the run's timeline. */
static int run_inject(void *arg, const char *text, char *msg, size_t len)
{
	struct tl_state *tl = arg;
	struct scn_event ev;
	struct scn_err err;

	if (scn_fault_line_parse(tl_scn(tl), "inject", text, &ev, &err) == -1) {
		scn_err_format(&err, msg, len);
		return -1;
	}
	int rc = tl_inject(tl, &ev, msg, len);
	scn_event_release(&ev); /* empty when tl_inject took it */
	return rc;
}

/* --hold: the lab stays up after the timeline, until a signal, which ends the hold
 * (not the run: it is judged as usual). */
static void run_hold(struct run *r, struct run_ctl *ctl, struct run_result *res)
{
	const struct scn *s = run_scn(r);
	const char *node = s->n_nodes ? s->nodes[0].name : "NODE";
	const char *dir = run_dir(r);

	run_ctl_state_set(ctl, "held");
	run_event_obj(r, ev_now_ns(), "run", "hold", NULL);
	printf("%s: holding the lab (run %s); the report covers the timeline's %.1f s only\n"
	       "  faultline shell %s %s\n"
	       "  faultline exec %s %s -- COMMAND...\n"
	       "  faultline inject %s \"FAULT [for D]\"\n"
	       "  faultline ps\n"
	       "ready: Ctrl-C or SIGTERM ends the hold and tears the lab down\n",
	       s->name, dir, s->duration_ms / 1e3, dir, node, dir, node, dir);
	fflush(stdout);
	int64_t from = ev_now_ns();
	ev_loop_run(run_loop(r), -1);
	run_event_obj(r, ev_now_ns(), "run", "hold-end",
		      json_pack("{s:s}", "signal", res->signo ? sigabbrev_np(res->signo) : ""));
	fprintf(stderr, "faultline run: %s: held %.1f s, ended by %s\n", s->name,
		(ev_now_ns() - from) / 1e9, res->signo ? strsignal(res->signo) : "its loop");
	res->signo = 0; /* the way a hold ends: not an interrupted run */
}

/* Everything between a built lab and teardown. */
static void run_body(struct run *r, const struct cmd_run_opts *o, struct run_result *res)
{
	const struct scn *s = run_scn(r);
	struct svc_set *set = svc_set_new(r);

	(void)o;
	if (!set || run_services_start(r, set, res) == -1) {
		if (!set)
			fprintf(stderr, "faultline run: %s: services: %s\n", s->name,
				strerror(errno));
		res->status = FL_EXIT_HOST;
		return;
	}
	char obs_err[512];
	if (!obs_run_start(r, obs_err, sizeof(obs_err)))
		fprintf(stderr, "faultline run: %s: %s; no wire observations\n", s->name, obs_err);
	struct obs_cap *cap = obs_cap_start(r, obs_err, sizeof(obs_err));
	if (!cap)
		fprintf(stderr, "faultline run: %s: %s\n", s->name, obs_err);

	int64_t t0 = ev_now_ns();
	run_set_t0(r, t0);
	run_event_obj(r, t0, "run", "t0", json_pack("{s:o}", "scenario", jsonl_str(s->name)));

	/* Expand the timeline and arm its firings on run_loop(r). */
	struct flt_svc_ops ops;
	struct tl_state *tl = run_timeline_start(r, set, &ops);
	if (!tl) {
		fprintf(stderr, "faultline run: %s: timeline: %s\n", s->name, strerror(errno));
		res->status = FL_EXIT_HOST;
		return;
	}

	/* The control socket: ps, exec, shell, inject (run_ctl.h). */
	struct run_ctl_ops ctl_ops = {.inject = run_inject, .arg = tl};
	struct run_ctl *ctl = run_ctl_start(r, &ctl_ops);
	if (!ctl)
		fprintf(stderr, "faultline run: %s: control socket in %s: %s; no exec, shell or "
			"inject\n", s->name, run_dir(r), strerror(errno));

	/* The progress line is for a person watching: only on a terminal. */
	struct rep_live *live = NULL;
	if (!o->quiet && isatty(STDOUT_FILENO))
		live = rep_live_start(r, tl, stdout);
	if (!interrupted(&res->signo))
		ev_loop_run(run_loop(r), t0 + s->duration_ms * 1000000);
	res->ran_ns = ev_now_ns() - t0;
	rep_live_stop(live);
	if (o->hold && !res->signo)
		run_hold(r, ctl, res);

	/* Revert every fault still applied (revert_at_end). */
	tl_stop(tl);
	char tl_err[512];
	int n_tl_err = tl_errors(tl, tl_err, sizeof(tl_err));
	if (n_tl_err)
		fprintf(stderr, "faultline run: %s: %d fault apply/revert failures, last: %s\n",
			s->name, n_tl_err, tl_err);

	/* The checkers, while the services still run [svc]; not after an interruption. */
	char col_err[2048];
	if (!res->signo && !interrupted(&res->signo) &&
	    svc_collect_run(r, col_err, sizeof(col_err)) == -1)
		for (char *l = col_err, *nl; (nl = strchr(l, '\n')); l = nl + 1)
			fprintf(stderr, "faultline run: %s: %.*s\n", s->name, (int)(nl - l), l);

	svc_set_stop(set, RUN_STOP_GRACE_MS);
	run_services_failed(set, s, res);
	obs_cap_finish(cap); /* its "end" events, before the run's and the judging */
	run_event_obj(r, ev_now_ns(), "run", "end",
		      json_pack("{s:b}", "interrupted", res->signo != 0));

	run_judge(r, o, t0, res); /* FL_EXIT_FAIL when an expectation failed */
}

/* "quickstart: ran 15.0 s; 5 nodes, 2 networks (up 14 ms, down 31 ms); 5 services, none
 * exited unexpectedly" - the run directory too when no table above named it. */
static void run_summary_line(const struct scn *s, const struct run_result *res,
			     const char *dir)
{
	printf("%s: ran %.1f s; %d node%s, %d network%s (up %.0f ms, down %.0f ms); %d service%s, ",
	       s->name, res->ran_ns / 1e9, s->n_nodes, s->n_nodes == 1 ? "" : "s",
	       s->n_networks, s->n_networks == 1 ? "" : "s", res->up_ns / 1e6,
	       res->down_ns / 1e6, res->n_svc, res->n_svc == 1 ? "" : "s");
	if (res->n_svc_failed)
		printf("%d exited unexpectedly: %s", res->n_svc_failed, res->failed);
	else
		printf("none exited unexpectedly");
	if (!res->judged)
		printf("; run directory %s", dir);
	putchar('\n');
}

/* --pcap: every network not captured by a statement of its own, with --pcap-max and
 * --pcap-ring. */
static void run_pcap_apply(struct scn *s, const struct cmd_run_opts *o)
{
	for (int i = 0; o->pcap && i < s->n_networks; i++)
		if (!s->networks[i].capture.on)
			s->networks[i].capture = (struct scn_capture){
			    .on = true, .snaplen = SCN_CAP_SNAPLEN, .max = o->pcap_max,
			    .ring = o->pcap_ring};
}

/*
 * What every process the run starts in a node inherits (docs/scenario-language.md,
 * "The environment of commands"): FL_RUN_DIR, the run directory, and FL_SCENARIO_DIR,
 * the directory of the scenario file, both absolute, so a command finds the files
 * shipped beside the scenario and writes its own into the run directory. The process
 * environment is the CLI's to set: one run at a time per process (--jobs runs each in
 * a child).
 */
static int run_env_set(const struct scn *s, const char *dir)
{
	char abs[PATH_MAX], file[PATH_MAX];

	if (!realpath(dir, abs) || setenv("FL_RUN_DIR", abs, 1) == -1)
		return -1;
	if (!s->file || !realpath(s->file, file))
		return unsetenv("FL_SCENARIO_DIR");
	char *slash = strrchr(file, '/');
	if (slash)
		*(slash == file ? slash + 1 : slash) = '\0';
	return setenv("FL_SCENARIO_DIR", file, 1);
}

int cmd_run_one(struct scn *s, const struct cmd_run_opts *o, struct sla_result **judged,
		char *out_dir, size_t len)
{
	struct run_result res = {.status = FL_EXIT_OK};

	run_pcap_apply(s, o);
	struct run *r = run_new(s, o->run_dir);

	*judged = NULL;
	if (len)
		*out_dir = '\0';
	if (!r) {
		fprintf(stderr, "faultline run: %s: run directory under %s: %s\n", s->name,
			o->run_dir ? o->run_dir : "runs", strerror(errno));
		return FL_EXIT_HOST;
	}
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", run_dir(r));
	if (len)
		snprintf(out_dir, len, "%s", dir);
	if (run_env_set(s, dir) == -1) {
		fprintf(stderr, "faultline run: %s: FL_RUN_DIR: %s\n", s->name, strerror(errno));
		run_free(r);
		return FL_EXIT_HOST;
	}
	if (ev_signal_add(run_loop(r), SIGINT, on_signal, &res) == -1 ||
	    ev_signal_add(run_loop(r), SIGTERM, on_signal, &res) == -1 ||
	    ev_signal_add(run_loop(r), SIGHUP, on_signal, &res) == -1) {
		fprintf(stderr, "faultline run: signals: %s\n", strerror(errno));
		run_free(r);
		return FL_EXIT_HOST;
	}
	int64_t start = ev_now_ns();
	struct lab *lab = lab_build(r);
	res.up_ns = ev_now_ns() - start;
	if (!lab) {
		fprintf(stderr, "faultline run: %s: lab: %s\n", s->name,
			run_lab(r) ? lab_error(run_lab(r)) : strerror(errno));
		res.status = FL_EXIT_HOST;
	} else if (!interrupted(&res.signo)) {
		run_event_obj(r, ev_now_ns(), "run", "lab",
			      json_pack("{s:i,s:i,s:I}", "nodes", s->n_nodes, "networks",
					s->n_networks, "up_ns", (json_int_t)res.up_ns));
		run_body(r, o, &res);
	}
	int64_t down = ev_now_ns();
	run_free(r);
	res.down_ns = ev_now_ns() - down;
	if (o->time_lab)
		fprintf(stderr, "lab-timing: nodes=%d up_ms=%.1f down_ms=%.1f\n", s->n_nodes,
			res.up_ns / 1e6, res.down_ns / 1e6);
	*judged = res.judged;
	if (res.signo) {
		fprintf(stderr, "faultline run: %s: interrupted by %s; torn down\n", s->name,
			strsignal(res.signo));
		return 128 + res.signo;
	}
	if (!o->quiet && lab)
		run_summary_line(s, &res, dir);
	fflush(stdout); /* each scenario's lines as it ends, even into a pipe */
	return res.status;
}

/* --dry-run: every scenario's schedule (of the shard @sh), one firing a line; nothing
 * is built. */
static int run_dry(struct scn **scns, int n, const struct cmd_shard *sh)
{
	char line[1024];

	for (int i = 0; i < n; i++) {
		if (!cmd_shard_has(sh, i))
			continue;
		struct tl_schedule *sch = tl_schedule_build(scns[i], scns[i]->seed);
		if (!sch) {
			fprintf(stderr, "faultline run: %s: timeline: %s\n", scns[i]->name,
				strerror(errno));
			return FL_EXIT_INPUT;
		}
		printf("%s: seed %llu, %d firings\n", scns[i]->name,
		       (unsigned long long)scns[i]->seed, sch->n);
		for (int k = 0; k < sch->n; k++) {
			tl_firing_format(scns[i], &sch->v[k], line, sizeof(line));
			printf("%s\n", line);
		}
		tl_schedule_free(sch);
	}
	return FL_EXIT_OK;
}

/* The whole of file @path, NUL-terminated, its length in *@len; NULL with errno. */
char *cmd_file_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *b = realloc(buf, cap = cap * 2 + 4096 + 1);
			if (!b)
				break;
			buf = b;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0) {
			fclose(f);
			buf[n] = '\0';
			*len = n;
			return buf;
		}
	}
	fclose(f);
	free(buf);
	return NULL;
}

/* --dry-run --as-scenario OUT: @s's file with its schedule as 'at' lines, to OUT. */
static int run_as_scenario(const struct scn *s, const char *out)
{
	size_t len;
	char *src = cmd_file_slurp(s->file, &len);
	struct tl_schedule *sch = src ? tl_schedule_build(s, s->seed) : NULL;
	FILE *f = !sch ? NULL : strcmp(out, "-") ? fopen(out, "w") : stdout;
	int rc = FL_EXIT_OK;

	if (!f || tl_scn_write(f, s, sch, src, len) == -1 || (f != stdout && fclose(f) == EOF)) {
		fprintf(stderr, "faultline run: --as-scenario %s: %s: %s\n", out, s->name,
			strerror(errno));
		rc = FL_EXIT_INPUT;
	}
	tl_schedule_free(sch);
	free(src);
	return rc;
}

/* Faults the host cannot run (a filter without nf_tables' bridge family): one line, then exit 3. */
static int run_host_check(struct scn **scns, int n)
{
	struct flt_caps caps;
	char msg[1024];

	if (flt_caps_probe(&caps) == -1) {
		fprintf(stderr, "faultline run: probing the kernel: %s\n", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (flt_scn_check(&caps, scns[i], msg, sizeof(msg)) == -1 ||
		    cmd_requires_check(scns[i], msg, sizeof(msg)) == -1) {
			fprintf(stderr, "%s\n", msg);
			return -1;
		}
	return 0;
}

/* Room for a lab of thousands of namespaces: each node holds an fd while building. */
static void nofile_raise(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int cmd_run_prepare(const char *cmd, struct scn **scns, int n)
{
	if (geteuid() != 0) {
		fprintf(stderr, "faultline %s: needs root (network namespaces, netlink, "
				"cgroups); try again as root\n", cmd);
		return FL_EXIT_HOST;
	}
	if (run_host_check(scns, n) == -1)
		return FL_EXIT_HOST;
	nofile_raise();
	signal(SIGPIPE, SIG_IGN);
	return FL_EXIT_OK;
}

/* Several files: one line each across scenarios, and which could not be judged. */
static void run_final(struct scn **scns, struct sla_result **judged, int n, int ran)
{
	struct sla_result **res = calloc((size_t)n, sizeof(*res));
	int k = 0;

	if (!res)
		return;
	for (int i = 0; i < ran; i++)
		if (judged[i])
			res[k++] = judged[i];
	printf("\n");
	rep_text_final(stdout, res, k);
	for (int i = 0; i < n; i++)
		if (i >= ran || !judged[i])
			printf("%s: %s\n", scns[i]->name, i >= ran ? "not run" : "not judged");
	free(res);
}

/* Each scenario in its own lab, one after another (or side by side): its result in
 * @rrs[i], its exit status in @st[i] (-1: not run). Returns the worst exit status. */
static int run_all(struct scn **scns, int n, const struct cmd_run_opts *o,
		   struct sla_result **rrs, int *st)
{
	int rc = FL_EXIT_OK, ran = 0;

	if (o->has_jobs) /* side by side, each in a child */
		return cmd_jobs_run(scns, n, o, NULL, false, rrs, st);
	for (int i = 0; i < n; i++)
		st[i] = -1;
	while (ran < n) {
		int one = cmd_run_one(scns[ran], o, &rrs[ran], NULL, 0);
		st[ran++] = one;
		rc = one > rc ? one : rc;
		if (one >= 128)
			break;
	}
	return rc;
}

/* --shard with --json: the shard report, an item per file of the shard (@idx[i]: its
 * position among all @files). */
static int run_shard_json(const char *path, const struct cmd_run_opts *o, char **files,
			  int n_files, struct sla_result **rrs, const int *st, const int *idx,
			  int n)
{
	json_t *items = json_array(), *names = json_array();
	json_t *plan;

	for (int i = 0; names && i < n_files; i++)
		if (json_array_append_new(names, jsonl_str(files[i])) == -1)
			json_decref(names), names = NULL;
	plan = json_pack("{s:o,s:o,s:o}", "files", names ? names : json_null(), "sets",
			 cmd_shard_sets(o->sets, o->n_sets), "seed",
			 o->has_seed ? json_integer((json_int_t)o->seed) : json_null());
	if (!names)
		json_decref(plan), plan = NULL;
	for (int i = 0; items && i < n; i++)
		if (json_array_append_new(items, cmd_shard_item(idx[i], st[i],
						rrs[i] ? rep_json_result(rrs[i]) : NULL)) == -1)
			json_decref(items), items = NULL;
	return cmd_shard_write(path, &o->shard, "run", plan, n_files, items);
}

/* The final table and the report files of the runs (with --shard: @n of @n_files,
 * @idx their positions); frees the results. Returns @rc, or worse. */
static int run_reports(struct scn **scns, int n, const struct cmd_run_opts *o,
		       struct sla_result **rrs, const int *st, int rc, char **files,
		       int n_files, const int *idx)
{
	const char *paths[REP_KINDS_MAX];
	char err[1024];
	int ran = 0, k = 0;

	for (int i = 0; i < n; i++)
		ran = st[i] >= 0 ? i + 1 : ran;
	if (n > 1 && !o->quiet)
		run_final(scns, rrs, n, ran);
	memcpy(paths, o->report, sizeof(paths));
	for (int kk = 0; o->shard.n && rep_kinds[kk].option; kk++)
		if (paths[kk] && !strcmp(rep_kinds[kk].option, "--json")) {
			if (run_shard_json(paths[kk], o, files, n_files, rrs, st, idx, n) == -1) {
				fprintf(stderr, "faultline run: report %s: %s\n", paths[kk],
					strerror(errno));
				rc = rc > FL_EXIT_HOST ? rc : FL_EXIT_HOST;
			}
			paths[kk] = NULL;
		}
	struct sla_result **judged = calloc((size_t)n + 1, sizeof(*judged));
	for (int i = 0; judged && i < ran; i++) /* the judged ones, in order */
		if (rrs[i])
			judged[k++] = rrs[i];
	if (k && rep_files_write(judged, k, paths, err, sizeof(err)) == -1) {
		fprintf(stderr, "faultline run: report %s\n", err);
		rc = rc > FL_EXIT_HOST ? rc : FL_EXIT_HOST;
	}
	free(judged);
	for (int i = 0; i < n; i++)
		sla_result_free(rrs[i]);
	return rc;
}

/* Run the files of this invocation (all, or those of its --shard) and report them. */
static int run_shard_all(struct scn **scns, int n, const struct cmd_run_opts *o, char **files)
{
	int *idx = calloc((size_t)n, sizeof(*idx)), *st = calloc((size_t)n, sizeof(*st));
	struct scn **mine = calloc((size_t)n, sizeof(*mine));
	struct sla_result **rrs = calloc((size_t)n, sizeof(*rrs));
	int m = 0, rc = FL_EXIT_HOST;

	if (!idx || !st || !mine || !rrs)
		goto out;
	m = cmd_shard_pick(&o->shard, n, idx);
	for (int i = 0; i < m; i++)
		mine[i] = scns[idx[i]];
	if (o->shard.n && !o->quiet)
		printf("shard %d/%d: %d of %d file%s\n", o->shard.k, o->shard.n, m, n,
		       n == 1 ? "" : "s");
	rc = m ? cmd_run_prepare("run", mine, m) : FL_EXIT_OK;
	if (rc != FL_EXIT_OK)
		goto out;
	rc = m ? run_all(mine, m, o, rrs, st) : FL_EXIT_OK;
	rc = run_reports(mine, m, o, rrs, st, rc, files, n, idx);
out:
	free(idx);
	free(st);
	free(mine);
	free(rrs);
	return rc;
}

/*
 * Load @path with the --set values it takes. One file gets them all, so that a
 * misspelt name is its error; of several files each gets those naming one of its
 * params (marked in @used), so `--set ha=vrrp a.scn b.scn` works when only b has `ha`.
 */
struct scn *cmd_run_load(const char *path, const struct cmd_run_opts *o, int n_files,
			 bool *used, struct scn_err *err)
{
	struct scn_set mine[CMD_RUN_MAX_SETS];
	int n = 0;

	if (n_files == 1 || o->n_sets == 0)
		return scn_load(path, o->sets, o->n_sets, err);
	struct scn *s = scn_load(path, NULL, 0, err);
	if (!s)
		return NULL;
	for (int i = 0; i < o->n_sets; i++)
		for (int k = 0; k < s->n_params; k++)
			if (!strcmp(s->params[k].name, o->sets[i].name)) {
				mine[n++] = o->sets[i];
				used[i] = true;
				break;
			}
	scn_free(s);
	return scn_load(path, mine, n, err);
}

int cmd_run(int argc, char **argv)
{
	struct cmd_run_opts o = {0};
	struct scn_err err;
	char msg[1024];
	int rc = FL_EXIT_OK;

	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			run_usage(stdout);
			return FL_EXIT_OK;
		}
	int first = cmd_run_opts_parse("run", argc, argv, &o);
	if (first < 0)
		return FL_EXIT_INPUT;
	int n = argc - first;
	if (n <= 0)
		return FL_EXIT_INPUT;
	struct scn **scns = calloc((size_t)n + 1, sizeof(*scns));
	if (!scns)
		return FL_EXIT_HOST;
	bool used[CMD_RUN_MAX_SETS] = {false};
	for (int i = 0; i < n; i++) {
		scns[i] = cmd_run_load(argv[first + i], &o, n, used, &err);
		if (!scns[i]) {
			scn_err_format(&err, msg, sizeof(msg));
			fprintf(stderr, "%s\n", msg);
			rc = FL_EXIT_INPUT;
			goto out;
		}
		if (o.has_seed)
			scns[i]->seed = o.seed;
	}
	for (int i = 0; n > 1 && i < o.n_sets; i++)
		if (!used[i]) {
			fprintf(stderr, "faultline run: --set %s: no scenario declares param '%s'\n",
				o.sets[i].name, o.sets[i].name);
			rc = FL_EXIT_INPUT;
			goto out;
		}
	if (o.as_scenario && (!o.dry_run || n != 1)) {
		fprintf(stderr, "faultline run: --as-scenario needs --dry-run and one FILE\n");
		rc = FL_EXIT_INPUT;
		goto out;
	}
	if (o.dry_run) {
		if (!o.as_scenario || strcmp(o.as_scenario, "-"))
			rc = run_dry(scns, n, &o.shard);
		if (rc == FL_EXIT_OK && o.as_scenario)
			rc = run_as_scenario(scns[0], o.as_scenario);
		goto out;
	}
	if (o.hold && (n != 1 || o.has_jobs || o.shard.n)) {
		fprintf(stderr, "faultline run: --hold takes one FILE and no --jobs or --shard\n");
		rc = FL_EXIT_INPUT;
		goto out;
	}
	rc = run_shard_all(scns, n, &o, argv + first);
out:
	for (int i = 0; i < n; i++)
		scn_free(scns[i]);
	free(scns);
	return rc;
}
