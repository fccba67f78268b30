/*
 * lab_int.h - what the lab's own files (lab.c, lab_cgroup.c, lab_spawn.c) share: the
 * definition of struct lab. Node kinds (harness/node/) see only lab.h.
 */
#ifndef FL_LAB_INT_H
#define FL_LAB_INT_H

#include <limits.h>
#include <net/if.h>
#include <sys/types.h>

#include "lab.h"

struct run;
struct scn;

struct lab_port {
	char name[IF_NAMESIZE]; /* "" when the node is not on the network */
	int ifindex;            /* in the lab namespace */
	int iface_ifindex;      /* the node's own interface, in the node namespace */
};

struct lab {
	struct run *run;
	const struct scn *scn;
	int orig_fd; /* the namespace the builder came from (to return to) */
	int lab_fd;
	int *node_fd;            /* per node; -1 for qemu nodes */
	struct lab_port *ports;  /* [node * n_networks + net] */
	int *br_ifindex;         /* per network */
	char cg_run[PATH_MAX];   /* freezer/faultline/<pid>-<run>, "" when none */
	char (*cg_node)[PATH_MAX]; /* per node, "" when none */
	void **node_state;         /* per node: its kind's own (a guest), or NULL */
	pid_t reaper;
	int reaper_fd; /* write end: its EOF tells the reaper we are gone */
	char error[512];
};

/* lab_cgroup.c */
int lab_cgroup_setup(struct lab *lab);

#endif
