/*
 * node_netns.c - the netns node kind: a network namespace of its own on the host. The
 * lab builds these nodes itself, batched with the lab namespace (lab.c); their
 * processes are host processes started by lab_spawn(), each watched through a pidfd on
 * the run's event loop and reaped here, once, with waitpid on its own pid (so no other
 * child of faultline is reaped by mistake). Stall and carrier are done on the host side
 * by the faults (freezer cgroup, lab-side port): the kind leaves those hooks NULL.
 *
 * Per node, the lab holds a list of the processes started there (lab_node_state); the
 * lists and whatever is still on them go with the run's teardown list, below the
 * services (which stop theirs with a grace first).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ev.h"
#include "lab.h"
#include "node.h"
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

struct netns_node {
	struct lab *lab;
	int node;
	struct netns_proc *procs;
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
	struct netns_node *all = arg;
	struct lab *lab = all[0].lab;
	int n = run_scn(lab_run(lab))->n_nodes;

	for (int i = 0; i < n; i++) {
		struct netns_node *nn = &all[i];

		while (nn->procs) {
			struct netns_proc *p = nn->procs;

			p->fns.exited = NULL; /* its owner is gone already */
			kill(-p->pid, SIGKILL);
			netns_proc_reap(nn, p, true);
		}
		if (nn->lab)
			lab_node_state_set(lab, i, NULL);
	}
	free(all);
}

/* The namespaces are the lab's (batched in lab.c): here only the process lists, in one
 * allocation for every netns node, so 1000 nodes cost one entry on the teardown list. */
static int netns_build(struct lab *lab)
{
	const struct scn *s = run_scn(lab_run(lab));
	struct netns_node *all = calloc((size_t)s->n_nodes + 1, sizeof(*all));

	if (!all || run_defer(lab_run(lab), netns_nodes_free, all, "node processes") == -1) {
		free(all);
		return lab_fail(lab, "node processes: %s", strerror(errno));
	}
	all[0].lab = lab; /* netns_nodes_free finds the lab here even with no netns node */
	for (int i = 0; i < s->n_nodes; i++)
		if (node_kind_of(lab, i) == &node_netns_kind) {
			all[i] = (struct netns_node){.lab = lab, .node = i};
			lab_node_state_set(lab, i, &all[i]);
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
    .read = netns_read,
};
