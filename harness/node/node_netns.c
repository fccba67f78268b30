/*
 * node_netns.c - the netns node kind: a network namespace of its own on the host. The
 * lab builds these nodes itself, batched with the lab namespace (lab.c); their
 * processes are host processes started by lab_spawn(), each watched through a pidfd on
 * the run's event loop and reaped here, once, with waitpid on its own pid (so no other
 * child of faultline is reaped by mistake). Stall: the node's freezer cgroup
 * (node_freezer.h: written, then checked on the loop, never waited for), else SIGSTOP /
 * SIGCONT to every process in the node's network namespace. Carrier: IFF_UP of the
 * node's lab-side port, through one rtnetlink socket in the lab namespace opened at
 * first use.
 *
 * Per node, the lab holds a list of the processes started there (lab_node_state); the
 * lists and whatever is still on them go with the run's teardown list, below the
 * services (which stop theirs with a grace first).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ev.h"
#include "jsonl.h"
#include "lab.h"
#include "net.h"
#include "node.h"
#include "node_freezer.h"
#include "run.h"
#include "scn.h"

struct netns_proc {
	struct lab *lab;
	int node;
	pid_t pid;
	int pidfd;
	struct node_proc_fns fns;
	struct netns_proc *next;
};

#define NETNS_FREEZE_BOUND_NS 3000000000LL /* a freezer not settled by then is stuck */

struct netns_lab;

struct netns_node {
	struct lab *lab;
	int node;
	struct netns_proc *procs;
	struct netns_lab *all;
	struct node_freezer fz; /* a stall's freezer check still pending */
};

/* The kind's state of one lab: every node's (netns or not), one allocation. */
struct netns_lab {
	struct lab *lab;
	struct net_nl *nl; /* rtnetlink in the lab namespace, for carrier; at first use */
	struct netns_node node[];
};

static void netns_proc_unlink(struct netns_node *nn, struct netns_proc *p)
{
	for (struct netns_proc **pp = &nn->procs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			return;
		}
}

/* @p ended with @status: stop watching, tell its owner, forget it. */
static void netns_proc_ended(struct netns_node *nn, struct netns_proc *p, int status)
{
	ev_fd_del(run_loop(lab_run(nn->lab)), p->pidfd);
	close(p->pidfd);
	netns_proc_unlink(nn, p);
	if (p->fns.exited)
		p->fns.exited(p->fns.arg, p->node, p->pid, status);
	free(p);
}

/* Reap @p if it ended (or wait for it: @block); 1 when it did. */
static int netns_proc_reap(struct netns_node *nn, struct netns_proc *p, bool block)
{
	int status;
	pid_t r;

	while ((r = waitpid(p->pid, &status, block ? 0 : WNOHANG)) == -1 && errno == EINTR)
		;
	if (r == 0)
		return 0;
	netns_proc_ended(nn, p, r == -1 ? 0 : status);
	return 1;
}

static void netns_on_pidfd(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	struct netns_proc *p = arg;

	(void)loop;
	(void)fd;
	(void)events;
	netns_proc_reap(lab_node_state(p->lab, p->node), p, false);
}

/* Teardown: after the services (whose set stops them with a grace first). */
static void netns_nodes_free(void *arg)
{
	struct netns_lab *all = arg;
	struct lab *lab = all->lab;
	int n = run_scn(lab_run(lab))->n_nodes;

	for (int i = 0; i < n; i++) {
		struct netns_node *nn = &all->node[i];

		node_freezer_cancel(&nn->fz);
		while (nn->procs) {
			struct netns_proc *p = nn->procs;

			p->fns.exited = NULL; /* its owner is gone already */
			kill(-p->pid, SIGKILL);
			netns_proc_reap(nn, p, true);
		}
		if (nn->lab)
			lab_node_state_set(lab, i, NULL);
	}
	net_nl_close(all->nl);
	free(all);
}

/* The namespaces are the lab's (batched in lab.c): here only the process lists, in one
 * allocation for every netns node, so 1000 nodes cost one entry on the teardown list. */
static int netns_build(struct lab *lab)
{
	const struct scn *s = run_scn(lab_run(lab));
	struct netns_lab *all =
	    calloc(1, sizeof(*all) + ((size_t)s->n_nodes + 1) * sizeof(all->node[0]));

	if (!all || run_defer(lab_run(lab), netns_nodes_free, all, "node processes") == -1) {
		free(all);
		return lab_fail(lab, "node processes: %s", strerror(errno));
	}
	all->lab = lab;
	for (int i = 0; i < s->n_nodes; i++)
		if (node_kind_of(lab, i) == &node_netns_kind) {
			all->node[i] = (struct netns_node){.lab = lab, .node = i, .all = all};
			lab_node_state_set(lab, i, &all->node[i]);
		}
	return 0;
}

static int netns_spawn(struct lab *lab, int node, char *const argv[], const char *out,
		       const char *err_path, const struct node_proc_fns *fns, char *err, size_t len)
{
	struct netns_node *nn = lab_node_state(lab, node);
	struct netns_proc *p = nn ? calloc(1, sizeof(*p)) : NULL;

	if (!p) {
		if (!nn)
			errno = EINVAL;
		snprintf(err, len, "%s: %s", argv[0], strerror(errno));
		return -1;
	}
	*p = (struct netns_proc){.lab = lab, .node = node, .fns = *fns};
	p->pid = lab_spawn(lab, node, argv, out, err_path);
	if (p->pid == -1) {
		snprintf(err, len, "%s: %s", argv[0], strerror(errno));
		free(p);
		return -1;
	}
	p->pidfd = pidfd_open(p->pid, 0);
	if (p->pidfd == -1 ||
	    ev_fd_add(run_loop(lab_run(lab)), p->pidfd, EPOLLIN, netns_on_pidfd, p) == -1) {
		int e = errno;
		kill(-p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) == -1 && errno == EINTR)
			;
		if (p->pidfd >= 0)
			close(p->pidfd);
		free(p);
		snprintf(err, len, "watch: %s", strerror(e));
		errno = e;
		return -1;
	}
	p->next = nn->procs;
	nn->procs = p;
	if (fns->started)
		fns->started(fns->arg, node, p->pid);
	return 0;
}

static int netns_signal(struct lab *lab, int node, pid_t pid, int signo)
{
	(void)lab;
	(void)node;
	return kill(-pid, signo);
}

static void netns_reap(struct lab *lab, int node, pid_t pid)
{
	struct netns_node *nn = lab_node_state(lab, node);

	for (struct netns_proc *p = nn ? nn->procs : NULL; p; p = p->next)
		if (p->pid == pid) {
			netns_proc_reap(nn, p, true);
			return;
		}
}

static void netns_forget(struct lab *lab, int node, pid_t pid)
{
	struct netns_node *nn = lab_node_state(lab, node);

	for (struct netns_proc *p = nn ? nn->procs : NULL; p; p = p->next)
		if (p->pid == pid)
			p->fns.exited = NULL; /* still reaped, at teardown at the latest */
}

/* A freeze that did not settle within the bound: an event (one that settled late,
 * within a few ms under load, is normal and not recorded, so events.jsonl stays the
 * same run to run). */
static void netns_on_freezer(void *arg, bool settled, const char *state, int64_t waited_ns)
{
	struct netns_node *nn = arg;
	struct run *r = lab_run(nn->lab);

	if (settled)
		return;
	run_event_obj(r, ev_now_ns(), run_scn(r)->nodes[nn->node].name, "stall-stuck",
		      json_pack("{s:o,s:I}", "state", jsonl_str(state), "waited_ms",
				(json_int_t)(waited_ns / 1000000)));
}

/* SIGSTOP / SIGCONT every process whose network namespace is @node's. */
static int netns_stall_signal(struct lab *lab, int node, int signo, char *err, size_t len)
{
	struct stat ns;
	if (fstat(lab_node_netns_fd(lab, node), &ns) < 0) {
		snprintf(err, len, "stall %s: %s", run_scn(lab_run(lab))->nodes[node].name,
			 strerror(errno));
		return -1;
	}
	DIR *d = opendir("/proc");
	if (!d)
		return snprintf(err, len, "/proc: %s", strerror(errno)), -1;
	struct dirent *de;
	while ((de = readdir(d))) {
		char path[64];
		struct stat st;
		pid_t pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		if (stat(path, &st) == 0 && st.st_ino == ns.st_ino && st.st_dev == ns.st_dev)
			(void)kill(pid, signo); /* gone meanwhile: nothing to stop */
	}
	closedir(d);
	return 0;
}

static int netns_stall(struct lab *lab, int node, bool stop, char *err, size_t len)
{
	struct netns_node *nn = lab_node_state(lab, node);
	const char *cg = lab_node_cgroup(lab, node);

	if (!nn) {
		errno = EINVAL;
		return snprintf(err, len, "stall: no such netns node"), -1;
	}
	if (cg && cg[0])
		return node_freezer_set(&nn->fz, run_loop(lab_run(lab)), cg, stop,
					NETNS_FREEZE_BOUND_NS, netns_on_freezer, nn, err, len);
	return netns_stall_signal(lab, node, stop ? SIGSTOP : SIGCONT, err, len);
}

/* IFF_UP of the node's lab-side port: its own interface (the veth's peer) loses
 * carrier and keeps its address and routes. */
static int netns_link_set(struct lab *lab, int node, int net, bool up, char *err, size_t len)
{
	struct netns_node *nn = lab_node_state(lab, node);
	int ifindex = lab_port_ifindex(lab, node, net);

	if (!nn || ifindex < 0) {
		errno = ENOENT;
		return snprintf(err, len, "no such port"), -1;
	}
	if (!nn->all->nl && !(nn->all->nl = net_nl_open_ns(lab_netns_fd(lab), 0)))
		return snprintf(err, len, "netlink socket in the lab namespace: %s",
				strerror(errno)),
		       -1;
	if (net_link_set_up(nn->all->nl, ifindex, up) < 0 || net_nl_flush(nn->all->nl) < 0)
		return snprintf(err, len, "%s", net_nl_error(nn->all->nl)), -1;
	return 0;
}

/* A file as the node sees it: the host's, as netns nodes share its mounts. */
static int netns_read(struct lab *lab, int node, const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	(void)lab;
	(void)node;
	if (!f)
		return -1;
	size_t n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (int)n;
}

const struct node_kind node_netns_kind = {
    .name = "netns",
    .scn_kind = SCN_NODE_NETNS,
    .build = netns_build,
    .spawn = netns_spawn,
    .signal = netns_signal,
    .reap = netns_reap,
    .forget = netns_forget,
    .stall = netns_stall,
    .link_set = netns_link_set,
    .read = netns_read,
};
