/*
 * node.h - node kinds. netns nodes are built by lab.c itself (batched across all nodes
 * for speed); qemu nodes by harness/node_qemu.c, which creates the node's taps in the
 * lab namespace, registers each with lab_port_set() and starts the guest.
 */
#ifndef FL_NODE_H
#define FL_NODE_H

struct lab;
struct run;

/* Build qemu node @node of run_scn(@r): 0, or -1 with errno and lab_error() set. */
int node_qemu_build(struct lab *lab, struct run *r, int node);
/* (taps are registered with lab_port_set(), declared in lab.h) */

#endif
