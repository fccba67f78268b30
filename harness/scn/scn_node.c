/*
 * scn_node.c - the 'network' and 'node' statements.
 *
 * network NAME CIDR [mtu BYTES]
 * node NAME [netns | qemu] on NET[=ADDR] [NET[=ADDR] ...] [append "ARGS"] [kernel PATH|RELEASE]
 *      [initrd PATH] [memory SIZE] [cpus N] [machine pc|microvm] [gateway ADDR] [forward]
 *
 * After 'on', every word that is not an option keyword names a network, so a misspelt
 * network is reported as one. Addresses not given are handed out by scn_validate().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

static int scn_net_overlap(struct scn_p *p, const struct scn_tok *t, struct in_addr a, int plen)
{
	for (int i = 0; i < p->s->n_networks; i++) {
		const struct scn_network *o = &p->s->networks[i];
		int min = plen < o->plen ? plen : o->plen;
		if (!scn_addr_in(a, o->addr, min))
			continue;
		char buf[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &o->addr, buf, sizeof(buf));
		return scn_fail(p, t->loc, "network %s overlaps network '%s' (%s/%d)", t->text,
				o->name, buf, o->plen);
	}
	return 0;
}

static int scn_net_cidr(struct scn_p *p, struct scn_network *n)
{
	struct scn_tok *t = scn_tok_want(p, "a network such as 198.18.0.0/24");
	if (!t)
		return -1;
	if (scn_cidr_parse(t->text, &n->addr, &n->plen) < 0) {
		if (errno != ERANGE)
			return scn_fail(p, t->loc, "expected a network such as 198.18.0.0/24, got '%s'",
					t->text);
		char buf[INET_ADDRSTRLEN];
		struct in_addr a = {htonl(ntohl(n->addr.s_addr) & scn_mask(n->plen))};
		inet_ntop(AF_INET, &a, buf, sizeof(buf));
		return scn_fail(p, t->loc, "network %s has host bits set (did you mean %s/%d?)",
				t->text, buf, n->plen);
	}
	if (n->plen < 8 || n->plen > 30)
		return scn_fail(p, t->loc, "network %s: the prefix length must be 8..30", t->text);
	return scn_net_overlap(p, t, n->addr, n->plen);
}

int scn_stmt_network(struct scn_p *p)
{
	struct scn_network n = {0};
	struct scn_tok *name = scn_tok_want(p, "a network name");
	if (!name)
		return -1;
	if (name->quoted || !scn_name_ok(name->text, SCN_NET_NAME_MAX))
		return scn_fail(p, name->loc, "invalid network name '%s' (a letter, then letters, "
				"digits, '_' or '-'; at most %d characters: it names interfaces)",
				name->text, SCN_NET_NAME_MAX - 1);
	int dup = scn_net_find(p->s, name->text);
	if (dup >= 0)
		return scn_fail(p, name->loc, "duplicate network '%s' (first declared at line %d)",
				name->text, p->s->networks[dup].loc.line);
	snprintf(n.name, sizeof(n.name), "%s", name->text);
	n.loc = p->t.v[0].loc;
	if (scn_net_cidr(p, &n) < 0)
		return -1;
	if (scn_tok_kw(p, "mtu")) {
		long mtu;
		if (scn_get_int(p, "an MTU", 68, 65535, &mtu) < 0)
			return -1;
		n.mtu = (int)mtu;
	}
	if (scn_tok_end(p, "mtu BYTES") < 0)
		return -1;
	struct scn_network *slot = scn_grow(&p->s->networks, &p->s->n_networks, sizeof(*slot));
	if (!slot)
		return scn_oom(p);
	*slot = n;
	return 0;
}

/* The SIZE of `capture ... max SIZE`: at least SCN_CAP_MAX_MIN, so the headers fit. */
static int scn_capture_max(struct scn_p *p, uint64_t *max)
{
	struct scn_tok *t = scn_tok_want(p, "a file size such as 1M");
	if (!t)
		return -1;
	if (scn_size_parse(t->text, max) < 0 || *max < SCN_CAP_MAX_MIN)
		return scn_fail(p, t->loc, "expected a file size of at least %d bytes such as 1M, "
				"got '%s'", SCN_CAP_MAX_MIN, t->text);
	return 0;
}

/* capture NET [snaplen N] [max SIZE] [ring N]: NET declared above, once. */
int scn_stmt_capture(struct scn_p *p)
{
	struct scn_capture c = {.on = true, .snaplen = SCN_CAP_SNAPLEN, .loc = p->t.v[0].loc};
	struct scn_tok *t = scn_tok_want(p, "a network name");
	int net;
	long v;

	if (!t || scn_get_net_at(p, t->text, t->loc, &net) < 0)
		return -1;
	struct scn_network *n = &p->s->networks[net];
	if (n->capture.on)
		return scn_fail(p, t->loc, "network '%s' is captured already (line %d)", n->name,
				n->capture.loc.line);
	for (;;) {
		if (scn_tok_kw(p, "snaplen")) {
			if (scn_get_int(p, "a snap length in bytes", 64, SCN_CAP_SNAPLEN, &v) < 0)
				return -1;
			c.snaplen = (uint32_t)v;
		} else if (scn_tok_kw(p, "max")) {
			if (scn_capture_max(p, &c.max) < 0)
				return -1;
		} else if (scn_tok_kw(p, "ring")) {
			if (scn_get_int(p, "a number of files", 2, 1000, &v) < 0)
				return -1;
			c.ring = (int)v;
		} else
			break;
	}
	if (scn_tok_end(p, "snaplen N, max SIZE or ring N") < 0)
		return -1;
	if (c.ring && !c.max)
		return scn_fail(p, c.loc, "'ring %d' needs 'max SIZE' (a new file begins at the cap)",
				c.ring);
	n->capture = c;
	return 0;
}

/* An explicit interface address: inside the network, a host address, not used yet. */
static int scn_iface_addr_check(struct scn_p *p, const struct scn_network *n,
				struct in_addr a, struct scn_loc loc)
{
	char buf[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN], who[96];
	uint32_t host = ntohl(a.s_addr) & ~scn_mask(n->plen);

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	inet_ntop(AF_INET, &n->addr, net, sizeof(net));
	if (!scn_addr_in(a, n->addr, n->plen))
		return scn_fail(p, loc, "address %s is not in network '%s' (%s/%d)", buf, n->name,
				net, n->plen);
	if (host == 0 || host == ~scn_mask(n->plen))
		return scn_fail(p, loc, "address %s is the %s address of network '%s' (%s/%d)", buf,
				host ? "broadcast" : "network", n->name, net, n->plen);
	if (scn_addr_owner(p->s, a, true, who, sizeof(who)))
		return scn_fail(p, loc, "address %s is already used by %s", buf, who);
	return 0;
}

/* NET or NET=ADDR */
static int scn_node_iface(struct scn_p *p, struct scn_node *nd, struct scn_tok *t)
{
	struct scn_iface ifc = {.loc = t->loc};
	char *eq = strchr(t->text, '=');
	if (eq)
		*eq = '\0';
	if (scn_get_net_at(p, t->text, t->loc, &ifc.net) < 0)
		return -1;
	for (int i = 0; i < nd->n_ifaces; i++)
		if (nd->ifaces[i].net == ifc.net)
			return scn_fail(p, t->loc, "node '%s' is already on network '%s'", nd->name,
					t->text);
	if (eq) {
		struct scn_loc aloc = scn_tok_loc_at(t, (size_t)(eq + 1 - t->text));
		if (scn_ipv4_parse(eq + 1, &ifc.addr) < 0)
			return scn_fail(p, aloc, "expected an IPv4 address such as 198.18.0.10 after "
					"'%s=', got '%s'", t->text, eq + 1);
		if (scn_iface_addr_check(p, &p->s->networks[ifc.net], ifc.addr, aloc) < 0)
			return -1;
		ifc.addr_given = true;
	}
	struct scn_iface *slot = scn_grow(&nd->ifaces, &nd->n_ifaces, sizeof(*slot));
	if (!slot)
		return scn_oom(p);
	*slot = ifc;
	return 0;
}

static int scn_node_string(struct scn_p *p, char **dst, const char *what)
{
	struct scn_tok *t = scn_tok_want(p, what);
	if (!t)
		return -1;
	free(*dst);
	if (!(*dst = strdup(t->text)))
		return scn_oom(p);
	return 0;
}

static int scn_node_memory(struct scn_p *p, struct scn_node *nd)
{
	struct scn_tok *t = scn_tok_want(p, "a size such as 256M or 1G");
	if (!t)
		return -1;
	if (scn_size_parse(t->text, &nd->memory) < 0 || nd->memory < 16 * 1024 * 1024)
		return scn_fail(p, t->loc, "expected a memory size of at least 16M such as 256M "
				"or 1G, got '%s'", t->text);
	return 0;
}

static const char *const scn_qemu_opts[] = {"append", "kernel", "initrd", "memory", "cpus",
					    "machine"};

/* One option keyword at the cursor; 1 when the token is not an option. */
static int scn_node_opt(struct scn_p *p, struct scn_node *nd, struct scn_loc *gw_loc)
{
	struct scn_tok *t = scn_tok_peek(p);
	for (size_t i = 0; i < sizeof(scn_qemu_opts) / sizeof(scn_qemu_opts[0]); i++)
		if (scn_tok_is_kw(t, scn_qemu_opts[i]) && nd->kind != SCN_NODE_QEMU)
			return scn_fail(p, t->loc, "'%s' is only for qemu nodes (write 'node %s "
					"qemu on ...')", t->text, nd->name);
	long v;
	if (scn_tok_kw(p, "append"))
		return scn_node_string(p, &nd->append, "kernel arguments such as \"noapic\"");
	if (scn_tok_kw(p, "kernel"))
		return scn_node_string(p, &nd->kernel,
				       "a kernel image path or a release such as 6.1.0-47-cloud-amd64");
	if (scn_tok_kw(p, "initrd"))
		return scn_node_string(p, &nd->initrd, "an initramfs path");
	if (scn_tok_kw(p, "memory"))
		return scn_node_memory(p, nd);
	if (scn_tok_kw(p, "cpus")) {
		int rc = scn_get_int(p, "a CPU count", 1, 64, &v);
		nd->cpus = (int)v;
		return rc;
	}
	if (scn_tok_kw(p, "machine")) {
		struct scn_tok *m = scn_tok_want(p, "a machine: pc or microvm");
		if (!m)
			return -1;
		if (strcmp(m->text, "pc") && strcmp(m->text, "microvm"))
			return scn_fail(p, m->loc, "expected a machine: pc or microvm, got '%s'",
					m->text);
		nd->microvm = !strcmp(m->text, "microvm");
		return 0;
	}
	if (scn_tok_kw(p, "gateway")) {
		nd->has_gateway = true;
		return scn_get_addr(p, &nd->gateway, gw_loc);
	}
	if (scn_tok_kw(p, "forward"))
		return nd->forward = true, 0;
	return 1;
}

static int scn_node_gateway_check(struct scn_p *p, const struct scn_node *nd,
				  struct scn_loc loc)
{
	char buf[INET_ADDRSTRLEN];
	for (int i = 0; i < nd->n_ifaces; i++) {
		const struct scn_network *n = &p->s->networks[nd->ifaces[i].net];
		if (scn_addr_in(nd->gateway, n->addr, n->plen))
			return 0;
	}
	inet_ntop(AF_INET, &nd->gateway, buf, sizeof(buf));
	return scn_fail(p, loc, "gateway %s is not in any network of node '%s'", buf, nd->name);
}

static int scn_node_body(struct scn_p *p, struct scn_node *nd)
{
	struct scn_loc gw_loc = {0, 0};
	struct scn_tok *t;
	while ((t = scn_tok_peek(p))) {
		int rc = scn_node_opt(p, nd, &gw_loc);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		p->t.pos++;
		if (scn_node_iface(p, nd, t) < 0)
			return -1;
	}
	if (nd->n_ifaces == 0)
		return scn_fail(p, p->t.end, "expected a network after 'on' (node '%s' needs one)",
				nd->name);
	if (nd->has_gateway)
		return scn_node_gateway_check(p, nd, gw_loc);
	return 0;
}

static void scn_node_release(struct scn_node *nd)
{
	free(nd->ifaces);
	free(nd->append);
	free(nd->kernel);
	free(nd->initrd);
}

static int scn_node_head(struct scn_p *p, struct scn_node *nd)
{
	struct scn_tok *name = scn_tok_want(p, "a node name");
	if (!name)
		return -1;
	if (name->quoted || !scn_name_ok(name->text, SCN_NAME_MAX))
		return scn_fail(p, name->loc, "invalid node name '%s' (a letter, then letters, "
				"digits, '_' or '-'; at most %d characters)", name->text, SCN_NAME_MAX - 1);
	int dup = scn_node_find(p->s, name->text);
	if (dup >= 0)
		return scn_fail(p, name->loc, "duplicate node '%s' (first declared at line %d)",
				name->text, p->s->nodes[dup].loc.line);
	snprintf(nd->name, sizeof(nd->name), "%s", name->text);
	nd->kind = SCN_NODE_NETNS;
	if (scn_tok_kw(p, "qemu"))
		nd->kind = SCN_NODE_QEMU;
	else
		scn_tok_kw(p, "netns");
	struct scn_tok *on = scn_tok_want(p, "'on' and the node's networks");
	if (!on)
		return -1;
	if (!scn_tok_is_kw(on, "on"))
		return scn_fail(p, on->loc, "expected %s'on' and the node's networks, got '%s'",
				p->t.pos == 3 ? "netns, qemu or " : "", on->text);
	return 0;
}

int scn_stmt_node(struct scn_p *p)
{
	struct scn_node nd = {.loc = p->t.v[0].loc};
	if (scn_node_head(p, &nd) < 0 || scn_node_body(p, &nd) < 0)
		goto err;
	struct scn_node *slot = scn_grow(&p->s->nodes, &p->s->n_nodes, sizeof(*slot));
	if (!slot) {
		scn_oom(p);
		goto err;
	}
	*slot = nd;
	return 0;
err:
	scn_node_release(&nd);
	return -1;
}
