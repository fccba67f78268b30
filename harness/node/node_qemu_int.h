/*
 * node_qemu_int.h - what the files of the qemu node kind share: one struct guest per
 * qemu node, hung on its lab (lab_node_state), freed by the guest's teardown entry.
 */
#ifndef FL_NODE_QEMU_INT_H
#define FL_NODE_QEMU_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "agent_proto.h"
#include "node.h"
#include "node_qemu.h"
#include "obs.h"

struct run;
struct lab;
struct qmp;
struct node_chan;
struct node_qemu_tails;

#define GUEST_NICS_MAX	16
/* In QEMU: the run directory, when a socket path is too long for sun_path (sockpath.h):
 * QEMU then listens on /proc/self/fd/GUEST_DIR_FD/NAME (the taps are 3..) */
#define GUEST_DIR_FD (3 + GUEST_NICS_MAX)
#define GUEST_EXITS_MAX 128
#define GUEST_SYNC_MAX	64
#define GUEST_PROCS_MAX 64

/* A process started in the guest: who hears of its end. */
struct guest_proc {
	pid_t pid; /* 0: slot free; -1: spawn sent, pid not known yet */
	struct node_proc_fns fns;
};

#define GUEST_PTYS_MAX 4 /* fl-agent's AGENT_PTY_MAX */

/* A terminal session in the guest (node_qemu_pty.c). */
struct guest_pty {
	bool used;
	pid_t pid; /* the guest's, 0 until the agent answered */
	struct node_pty_fns fns; /* zeroed once closed */
};

struct guest {
	struct run *r;
	struct lab *lab;
	int node;
	pid_t pid; /* QEMU; -1 once reaped */
	int n_nics;
	int tap_fd[GUEST_NICS_MAX];  /* harness copies; -1 when closed */
	int nic_net[GUEST_NICS_MAX]; /* scenario network of each NIC */
	struct qmp *qmp;
	struct node_chan *agent;
	char *reply; /* guest_agent_call()'s last reply line */
	uint32_t next_id;
	int64_t t_start_ns;
	bool ready;
	char err[512];
	bool watched; /* booted: QEMU or agent going away is news */
	struct node_qemu_facts facts;
	struct {
		pid_t pid;
		int status;
	} exits[GUEST_EXITS_MAX];
	int n_exits;
	struct guest_proc procs[GUEST_PROCS_MAX];
	struct guest_pty ptys[GUEST_PTYS_MAX];
	bool stalled;	  /* QMP stop in effect: the agent cannot answer */
	unsigned n_stops; /* QMP stops sent so far */
	bool syncing;	  /* a clock ping is out */
	struct {
		int64_t guest_ns, offset_ns; /* from this guest time on, host = guest + offset */
	} sync[GUEST_SYNC_MAX];
	int n_sync;
	struct node_qemu_tails *tails; /* files its services write, copied back */
	struct guest_console *console;  /* its kernel's console, read for trouble */
	char qmp_path[PATH_MAX]; /* the sockets QEMU listens on (sockpath.h for long ones) */
	char agent_path[PATH_MAX];
	char console_path[PATH_MAX];
	char log_path[PATH_MAX];
};

/* The guest of @node of run_lab(@r); NULL with errno ENOENT when it is none. */
struct guest *guest_find(struct run *r, int node);
/* As guest_find(), and NULL with errno EAGAIN before the guest booted. */
struct guest *guest_ready(struct run *r, int node);

/* node_qemu.c: the guest's QEMU or agent went away mid-run (an event, once). */
void guest_gone(struct guest *g, const char *why);
/* node_qemu.c: a "guest-error" event: what the timeline asked that did not happen. */
void guest_error(struct guest *g, const char *what, int err, const char *text);

/* node_qemu_console.c: read the console while the guest runs (from boot on), each
 * line the kernel reports trouble in a "kernel-warning" event; the free reads what is
 * left first. guest_kw_classify: a console line's class, 0 for none. */
int guest_console_watch(struct guest *g);
void guest_console_free(struct guest *g);
enum obs_kw guest_kw_classify(const char *line);

/* node_qemu_tap.c: one tap per network of the node, registered with lab_port_set(). */
int guest_taps(struct lab *lab, struct guest *g);

/* node_qemu_agent.c */
int guest_agent_connect(struct guest *g, int64_t deadline_ns);
/*
 * A request's outcome, from the loop: @err 0 on "ok"; the guest's errno on "err" (its
 * text in g->err); ETIMEDOUT, EPIPE, ECANCELED with @rep NULL. @rep is valid during
 * the call only.
 */
typedef void guest_agent_fn(void *arg, struct guest *g, int err, struct agent_msg *rep);
/* Send VERB ARGV... and come back at once; @fn gets the outcome. 0 or -1 with errno. */
int guest_agent_send(struct guest *g, const char *verb, int argc, const char *const argv[],
		     const size_t lens[], int timeout_ms, guest_agent_fn *fn, void *arg);
/* Send VERB ARGV... and run the loop until its reply, into @rep (words valid until the
 * next call). 0 on "ok"; -1 with errno: the guest's errno on "err" (its text in
 * g->err), ETIMEDOUT, EPIPE. Lab build and teardown only. */
int guest_agent_call(struct guest *g, const char *verb, int argc, const char *const argv[],
		     const size_t lens[], struct agent_msg *rep, int timeout_ms);
/* Ping until the agent answers or @deadline_ns; also fails as soon as QEMU exits. */
int guest_agent_wait_ready(struct guest *g, int64_t deadline_ns);

/* node_qemu_clock.c: one ping sent; its reply adds a sync point when the offset moved
 * (or @always). Never waits; 0, or -1 with errno (EAGAIN: stalled). */
int guest_clock_sync(struct guest *g, bool always);

/* node_qemu_facts.c */
int guest_facts_collect(struct guest *g);
void guest_fetch_all(struct guest *g);
int guest_read(struct guest *g, const char *path, char *buf, size_t len);

/* node_qemu_ops.c: the kind's operations on a booted guest */
int guest_spawn_proc(struct lab *lab, int node, char *const argv[], const char *out,
		     const char *err_path, const struct node_proc_fns *fns, char *err, size_t len);
int guest_signal(struct lab *lab, int node, pid_t pid, int signo);
int guest_stall(struct lab *lab, int node, bool stop, char *err, size_t len);
int guest_link_set(struct lab *lab, int node, int net, bool up, char *err, size_t len);
int guest_hog(struct lab *lab, int node, int64_t ms, int cpus, char *err, size_t len);
/* node_qemu_pty.c: terminal sessions through the agent; the agent's "out" events and
 * the exits of session programs are handed to guest_pty_event(). */
int guest_pty_open(struct lab *lab, int node, int rows, int cols, char *const argv[],
		   const struct node_pty_fns *fns, char *err, size_t len);
int guest_pty_write(struct lab *lab, int node, int sid, const char *data, size_t len);
int guest_pty_resize(struct lab *lab, int node, int sid, int rows, int cols);
void guest_pty_close(struct lab *lab, int node, int sid);
/* "out PID DATA" or "exit PID STATUS" of a session: 1 when it was one, else 0. */
int guest_pty_event(struct guest *g, const struct agent_msg *m);
int guest_run(struct lab *lab, int node, char *const argv[], node_run_fn *done, void *arg,
	      char *err, size_t len);
void guest_exited(struct guest *g, pid_t pid, int status);
void guest_forget_proc(struct lab *lab, int node, pid_t pid);

/* node_qemu_tail.c: the files guest services write, copied into the run directory */
/* Map @argv's run-directory paths into the guest (a new argv the caller frees with
 * guest_argv_free) and tail the --events/--out files and @out/@err. */
char **guest_tail_argv(struct guest *g, char *const argv[], const char *out, const char *err,
		       char *gout, char *gerr, size_t glen);
void guest_argv_free(char **a);
/* Copy what is new; @all: stdout/stderr too. Never waits (reads go out async). */
void guest_tail_copy(struct guest *g, bool all);
/* Copy everything now, waiting on the loop (end of run, error messages). */
void guest_tail_flush(struct guest *g);
void guest_tails_free(struct guest *g);

#endif
