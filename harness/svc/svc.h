/*
 * svc.h - the run's service processes: started in their node by its kind, stdout
 * and stderr to <node>.<service>.out/.err in the run directory, "start" and "exit"
 * events in events.jsonl (src: the node; fields svc, pid, and status or signal),
 * stopped at the end with SIGTERM to the process group and SIGKILL after a grace.
 *
 * One struct svc_set per run holds every service slot (one per scn.services entry).
 * svc_set_start_all() starts them all, kind by kind (svc_kind.h: one descriptor per
 * kind gives its command line, its files and when it is ready); svc_set_start() starts
 * one from an argv. The node's kind (node.h) starts, signals and watches each process
 * on the run's event loop (a pidfd for a netns node, the agent for a guest), so an exit
 * is recorded when it happens.
 *
 * A service on a qemu node runs in its guest: every run-directory path on its command
 * line is mapped to /run/fl/<basename>, and its events file and request log are copied
 * back into the run directory every 100 ms with guest times moved onto the host's
 * CLOCK_MONOTONIC (harness/node/node_qemu_tail.c); signals go through the agent.
 *
 * The kill/restart faults plug in as struct flt_svc_ops { .signal = svc_set_signal,
 * .restart = svc_set_restart, .ctx = set } (the functions take the set as void *).
 */
#ifndef FL_SVC_H
#define FL_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct run;
struct scn;
struct svc_set;

/* The service set of run @r (its lab built); freed by the run's teardown list, which
 * stops every service first. NULL with errno. */
struct svc_set *svc_set_new(struct run *r);
const char *svc_set_error(const struct svc_set *set);
const struct scn *svc_set_scn(const struct svc_set *set);

/* Start service @svc with @argv (copied, kept for restarts); 0 or -1 with errno. */
int svc_set_start(struct svc_set *set, int svc, char *const argv[]);

/* pid of @svc's process (its process group id), -1 when it is not running. */
pid_t svc_set_pid(const struct svc_set *set, int svc);
/* Did @svc exit by itself (not stopped by us)? Then its wait status in @status. */
bool svc_set_exited(const struct svc_set *set, int svc, int *status);

/* Signal @svc's process group (@set is a struct svc_set *). */
int svc_set_signal(void *set, int svc, int signo);
/* Start @svc again with the argv it last started with. */
int svc_set_restart(void *set, int svc);

/* SIGTERM to the running clients (load, probe), and once they are gone (or @grace_ms
 * passed) to every other service; SIGKILL to what is left @grace_ms later. Then the
 * guest services' files are copied into the run directory one last time. */
void svc_set_stop(struct svc_set *set, int64_t grace_ms);
/* Copy every guest service's files (events, request log, stdout, stderr) into the run
 * directory now; a no-op without guest services. */
void svc_set_flush(struct svc_set *set);

/*
 * svc_set_start_all - start every service of run @r, one group per kind in the order
 * of the kinds' table (exec, then fl-web, fl-lb, fl-load), and wait until each group
 * is ready before the next starts — for fl-lb, until every VIP with a peer protocol is
 * held by a member of its highest priority (where it settles; a lower one may win the
 * start) — giving each group @timeout_ms. Events go to <node>.<service>.events in the
 * run directory. 0, or -1 with errno and @err saying which service and why.
 */
int svc_set_start_all(struct run *r, struct svc_set *set, int64_t timeout_ms, char *err,
		      size_t len);
/*
 * svc_collect_run - run every `collect` of @r's scenario (svc_collect.c), one after
 * another, each waited for up to its timeout; each writes a "collect" event with its
 * value or its error. 0 when every one gave a number, else -1 with one line a failure
 * in @err ("collect NAME (FILE:LINE): why\n" each, as many as fit).
 */
int svc_collect_run(struct run *r, char *err, size_t len);
/* svc_collect_value - the last word of @out as a plain decimal number into @v; 0, or -1
 * when @out is empty or its last word is no such number. Pure. */
int svc_collect_value(const char *out, double *v);

/* Path of service @svc's events file in the run directory. */
int svc_events_path(const struct run *r, int svc, char *buf, size_t len);

#endif
