/*
 * run_ctl.h - a live run's control socket, RUN_DIR/control.sock: how `faultline ps`,
 * `exec`, `shell` and `inject` reach a running (or held) lab. The run serves it on its
 * own event loop; the run does every piece of work itself (an injected fault is applied
 * and reverted by the run's timeline), the socket only carries requests.
 *
 * Who may use it: root only. The socket is made 0600 (the umask while binding) and
 * owned by root, and every connection's peer credentials (SO_PEERCRED) must say uid 0.
 *
 * The protocol (docs/live.md): one request per connection, one JSON object on one line
 * of at most RUN_CTL_REQ_MAX bytes; one reply, one JSON object on one line of at most
 * RUN_CTL_REPLY_MAX bytes, {"ok":true,...} or {"ok":false,"error":"TEXT"}:
 *
 *	{"op":"hello"}                  -> scenario, dir, pid, state ("timeline"/"held"),
 *	                                   t0_ns, duration_ms, nodes: [{name, kind, addrs}]
 *	{"op":"netns","node":"N"}       -> {"ok":true} with the node's network namespace
 *	                                   fd attached (SCM_RIGHTS); a guest has none
 *	{"op":"run","node":"N","argv":[...]} -> status, output: the command run to its end
 *	                                   inside node N by its kind (a guest's agent)
 *	{"op":"inject","fault":"TEXT"}  -> msg: what was applied (run_ctl_ops.inject)
 *
 * Namespaces are handed over as fds, never bind-mounted: a kill -9 of the run leaves
 * no name behind (the socket file is left in the run directory with nobody listening).
 */
#ifndef FL_RUN_CTL_H
#define FL_RUN_CTL_H

#include <stddef.h>

#define RUN_CTL_SOCK	  "control.sock"
#define RUN_CTL_REQ_MAX	  4096
#define RUN_CTL_REPLY_MAX (128 * 1024)
#define RUN_CTL_CONNS_MAX 16 /* connections at once; more are refused */
/* A connection whose request is not whole after this long is closed when another comes. */
#define RUN_CTL_IDLE_NS (5 * 1000000000LL)

struct run;
struct run_ctl;

/* What the run lends the socket: @inject fires fault line @text now (0, with what was
 * done in @msg; -1 with why in @msg). NULL: injecting is refused. */
struct run_ctl_ops {
	int (*inject)(void *arg, const char *text, char *msg, size_t len);
	void *arg;
};

/*
 * run_ctl_start - listen on RUN_DIR/control.sock (an absolute path, at most 107 bytes)
 * on run_loop(@r); @ops is copied. The socket is closed and its file removed by the
 * run's teardown list. Returns the control, or NULL with errno (ENAMETOOLONG: the run
 * directory's path is too long for a unix socket).
 */
struct run_ctl *run_ctl_start(struct run *r, const struct run_ctl_ops *ops);
/* The state "hello" reports: "timeline" (the default), "held" ... (@state is static). */
void run_ctl_state_set(struct run_ctl *c, const char *state);

#endif
