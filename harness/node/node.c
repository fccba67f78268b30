/*
 * node.c - the table of node kinds: adding a kind is one file exporting a struct
 * node_kind and one line here (docs/architecture.md, "Adding a node kind").
 */
#include <stddef.h>

#include "lab.h"
#include "node.h"
#include "run.h"
#include "scn.h"

const struct node_kind *const node_kinds[] = {
    &node_netns_kind,
    &node_qemu_kind,
    NULL,
};

const struct node_kind *node_kind_find(int scn_kind)
{
	for (const struct node_kind *const *k = node_kinds; *k; k++)
		if ((*k)->scn_kind == scn_kind)
			return *k;
	return &node_netns_kind;
}

const struct node_kind *node_kind_of(const struct lab *lab, int node)
{
	return node_kind_find((int)run_scn(lab_run(lab))->nodes[node].kind);
}
