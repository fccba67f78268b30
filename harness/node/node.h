/*
 * node.h - node kinds: one struct node_kind per enum scn_node_kind, one file each
 * (node_netns.c, node_qemu*.c), one table (node.c). The lab, the services and the
 * faults act on a node only through its kind; no code outside a kind's files asks
 * which kind a node is.
 *
 * A kind sees the lab through the narrow API of lab.h (namespace fds, bridges, ports,
 * lab_port_set, lab_node_state, lab_run, lab_fail); its per-node state (a guest) is
 * hung on the lab with lab_node_state_set() and freed by the teardown entry its build
 * pushed on the run's teardown list (run_defer), so the lab owns it and nothing is
 * process-wide. What was really in effect in a node (a guest's kernel, clocksource,
 * interrupt routing: its facts) is reported by its build as an event (guest-ready).
 *
 * Process starts and ends are reported through struct node_proc_fns with a wait(2)-
 * style status, whatever the kind: a host pidfd for netns, the guest agent's replies
 * and exit lines for qemu.
 */
#ifndef FL_NODE_H
#define FL_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct lab;

/*
 * Who hears about a process a kind started, all from the run's event loop except
 * where said: @started once its pid is known (netns: before spawn returns), or @failed
 * with why it never ran; then @exited with a wait(2)-style status.
 */
struct node_proc_fns {
	void (*started)(void *arg, int node, pid_t pid);
	void (*failed)(void *arg, int node, int err, const char *why);
	void (*exited)(void *arg, int node, pid_t pid, int wstatus);
	void *arg;
};

/* A command run to its end in a node (node_kind.run): @err 0 and its exit status
 * (128+N for signal N) and output (stdout and stderr together, capped), or @err an
 * errno and @why. Called once, from the loop. */
typedef void node_run_fn(void *arg, int err, const char *why, int status, const char *out,
			 size_t len);

/* Who hears about a terminal session (node_kind.pty_open), from the loop: @started
 * once (@err 0, or an errno and @why: then nothing more); then @out for what the
 * program writes, and @exited once with its status (exit code, or 128+signal). */
struct node_pty_fns {
	void (*started)(void *arg, int err, const char *why);
	void (*out)(void *arg, const char *data, size_t len);
	void (*exited)(void *arg, int status);
	void *arg;
};

struct node_kind {
	const char *name;
	int scn_kind; /* the enum scn_node_kind it implements */
	/*
	 * Build every node of this kind of the lab's scenario, after the lab namespace,
	 * its bridges and the netns namespaces exist (the lab makes those itself, batched
	 * for speed; the netns kind's build only sets up its bookkeeping). Called once per
	 * lab, only when the scenario has such a node; everything made goes on the run's
	 * teardown list (the kind's teardown). 0, or -1 with lab_error() set.
	 */
	int (*build)(struct lab *lab);
	/* NULL: pids are the host's; else the word a "start" event marks them with. */
	const char *pid_space;
	/* The node's own interfaces are out of the host's reach (inside a guest): only
	 * their lab-side ports can be shaped (bandwidth `in`). */
	bool iface_inside;
	/*
	 * Start @argv in @node, stdout/stderr to the run-directory files @out/@err_path
	 * (NULL: none); @fns (copied) hear how it goes. Never waits for the node. Returns
	 * 0, or -1 with errno and @err (@len bytes) saying why (then no @fns call).
	 */
	int (*spawn)(struct lab *lab, int node, char *const argv[], const char *out,
		     const char *err_path, const struct node_proc_fns *fns, char *err, size_t len);
	/* Signal the process group of @pid; 0 or -1 with errno. Never waits. */
	int (*signal)(struct lab *lab, int node, pid_t pid, int signo);
	/*
	 * Collect @pid now, which SIGKILL already ended, calling its @exited before
	 * returning. NULL: the end only comes through the loop (a guest's agent), later.
	 */
	void (*reap)(struct lab *lab, int node, pid_t pid);
	/* Never call @pid's node_proc_fns again: their owner is going away. */
	void (*forget)(struct lab *lab, int node, pid_t pid);
	/*
	 * Freeze (@stop) or thaw the whole node; 0 or -1 with errno and @err. Never waits
	 * for the node: what comes back later is an event. NULL: the faults freeze the
	 * node's processes on the host (freezer cgroup, else SIGSTOP).
	 */
	int (*stall)(struct lab *lab, int node, bool stop, char *err, size_t len);
	/* Carrier of @node's interface on network @net, as stall. NULL: the faults set
	 * the lab-side port's. */
	int (*link_set)(struct lab *lab, int node, int net, bool up, char *err, size_t len);
	/* Real-time CPU hogs on @cpus CPUs inside the node for @ms, which end by
	 * themselves; 0 or -1 with errno and @err. Never waits. NULL: the kind has no
	 * kernel of its own to starve (a netns node shares the host's). */
	int (*hog)(struct lab *lab, int node, int64_t ms, int cpus, char *err, size_t len);
	/*
	 * Run @argv inside @node to its end, for `faultline exec` of a node the host cannot
	 * enter by namespace (a guest: the agent's "run", at most 10 s and 64 KiB of output,
	 * no standard input); @done hears the outcome. Never waits. 0, or -1 with errno and
	 * @err (then @done is never called). NULL: the node is entered by its namespace fd.
	 */
	int (*run)(struct lab *lab, int node, char *const argv[], node_run_fn *done, void *arg,
		   char *err, size_t len);
	/*
	 * A terminal session in @node for `faultline shell`: @argv on a pty of @rows x @cols
	 * of its own (a guest: its agent's "pty"); @fns (copied) hear how it goes. Returns
	 * a session id > 0, or -1 with errno and @err. Never waits. NULL with @run.
	 */
	int (*pty_open)(struct lab *lab, int node, int rows, int cols, char *const argv[],
			const struct node_pty_fns *fns, char *err, size_t len);
	/* Bytes typed into session @sid; its terminal's size. 0 or -1 with errno. */
	int (*pty_write)(struct lab *lab, int node, int sid, const char *data, size_t len);
	int (*pty_resize)(struct lab *lab, int node, int sid, int rows, int cols);
	/* Hang session @sid up (SIGHUP to its process group); its fns are never called
	 * again. */
	void (*pty_close)(struct lab *lab, int node, int sid);
	/* Read file @path as the node sees it into @buf (NUL-terminated); its length. */
	int (*read)(struct lab *lab, int node, const char *path, char *buf, size_t len);
	/* Copy what the node's processes wrote into the run directory now (NULL: they
	 * write there themselves). */
	void (*flush)(struct lab *lab, int node);
};

/* Every kind, NULL-terminated: the one table. */
extern const struct node_kind *const node_kinds[];

/* The kind of @node of the lab's scenario (never NULL for a valid node). */
const struct node_kind *node_kind_of(const struct lab *lab, int node);
/* The kind implementing enum scn_node_kind @scn_kind (checks that have no lab yet). */
const struct node_kind *node_kind_find(int scn_kind);

extern const struct node_kind node_netns_kind;
extern const struct node_kind node_qemu_kind;

#endif
