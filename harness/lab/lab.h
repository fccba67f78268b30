/*
 * lab.h - the lab: one anonymous lab namespace with a bridge per scenario network, one
 * namespace per netns node, joined to the bridges by veth pairs. The node side of a
 * pair is named after the network; the lab side ("port") lives in the lab namespace
 * enslaved to the network's bridge.
 *
 * Namespaces are held by fd only. Everything built is registered on the run's teardown
 * list as it is made.
 */
#ifndef FL_LAB_H
#define FL_LAB_H

#include <stdbool.h>
#include <sys/types.h>

struct run;
struct lab;

/*
 * lab_build - build the whole topology of run_scn(@r). Returns the lab (also set as
 * run_lab(@r)), or NULL with errno; then run_lab(@r) is the half-built lab (NULL when
 * even that could not be allocated) and lab_error() says what failed, with the
 * kernel's extended-ack text. Either way the run's teardown list owns everything.
 */
struct lab *lab_build(struct run *r);
const char *lab_error(const struct lab *lab);

/*
 * What a node kind (node.h) may use of the lab besides the getters below: the run,
 * its own per-node state (a guest), and the lab's error text. lab_fail() prints into
 * lab_error() and returns -1 keeping errno.
 */
struct run *lab_run(const struct lab *lab);
void *lab_node_state(const struct lab *lab, int node);
void lab_node_state_set(struct lab *lab, int node, void *state);
int lab_fail(struct lab *lab, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* File descriptor of the lab namespace (bridges, ports, filters). */
int lab_netns_fd(const struct lab *lab);
/* File descriptor of @node's network namespace (qemu nodes: -1). */
int lab_node_netns_fd(const struct lab *lab, int node);

/* Register the port (e.g. a qemu node's tap) joining @node to @net in the lab namespace;
 * 0, or -1 with errno. */
int lab_port_set(struct lab *lab, int node, int net, const char *name, int ifindex);

/* Name and ifindex, in the lab namespace, of the port joining @node to network @net
 * (a veth for netns nodes, a tap for qemu nodes); NULL / -1 when not on it. */
const char *lab_port_name(const struct lab *lab, int node, int net);
int lab_port_ifindex(const struct lab *lab, int node, int net);
/* Name and ifindex of network @net's bridge in the lab namespace. */
const char *lab_bridge_name(const struct lab *lab, int net);
int lab_bridge_ifindex(const struct lab *lab, int net);
/* Ifindex of @node's own interface on @net inside the node's namespace, or -1. */
int lab_iface_ifindex(const struct lab *lab, int node, int net);

/* Run @fn(@arg) with the calling thread inside namespace @netns_fd, then come back to
 * where it was. Returns what @fn returned, or -1 with errno when setns failed. */
int lab_in_netns(int netns_fd, int (*fn)(void *arg), void *arg);

/*
 * Start a process in @node: a child with PR_SET_PDEATHSIG(SIGKILL), its own process
 * group, inside the node's namespace (and the node's freezer cgroup when there is one),
 * stdout/stderr to @out_path/@err_path (NULL: /dev/null), argv[0] looked up in PATH then
 * in the directory of the faultline binary. Returns the pid, or -1 with errno (EINVAL
 * for a node without a namespace of its own). @node -1: the lab namespace itself, no
 * cgroup (the lab's own helpers: fl-relay). File descriptors without FD_CLOEXEC are
 * inherited. The netns node kind's spawn; other
 * kinds start processes their own way (node.h).
 */
pid_t lab_spawn(struct lab *lab, int node, char *const argv[], const char *out_path,
		const char *err_path);

/*
 * lab_netns_enter - move the calling process (single-threaded) into the network
 * namespace @fd (a node's, as `faultline exec` is handed it) the way lab_spawn() puts
 * a service there: setns, then a mount namespace of its own whose /sys is the node's
 * (best effort). Returns 0, or -1 with setns(2)'s errno.
 */
int lab_netns_enter(int fd);

/* The program @prog as lab_spawn() would run it: a path as given, else the first in
 * PATH, else beside the faultline binary (build/bin/fl-*), into @buf; 0, or -1 with
 * errno ENOENT when there is none (executable). */
int lab_prog_find(const char *prog, char *buf, size_t len);

/* The freezer cgroup directory of @node ("" when none could be made). */
const char *lab_node_cgroup(const struct lab *lab, int node);

/*
 * lab_cleanup_stale - remove what runs that died left behind and the kernel cannot
 * free: the freezer cgroups of runs whose faultline process is gone (their tasks are
 * thawed and killed first). @fn(@what, @arg) is told each thing removed. Returns how
 * many were removed, or -1 with errno.
 */
int lab_cleanup_stale(void (*fn)(const char *what, void *arg), void *arg);

#endif
