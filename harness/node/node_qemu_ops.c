/*
 * node_qemu_ops.c - what the rest of faultline does to a booted guest: stall and carrier
 * through QMP, processes and files through fl-agent, and the guest facts and clock.
 * Every function finds the guest by (run, node) and fails with errno ENOENT for a node
 * that is no guest and EAGAIN for a guest that has not booted yet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_qemu_int.h"
#include "qmp.h"

#define QMP_TIMEOUT_MS 5000

bool node_qemu_is_guest(struct run *r, int node)
{
	return guest_ready(r, node) != NULL;
}

const struct node_qemu_facts *node_qemu_facts(struct run *r, int node)
{
	struct guest *g = guest_ready(r, node);

	return g ? &g->facts : NULL;
}

pid_t node_qemu_pid(struct run *r, int node)
{
	struct guest *g = guest_find(r, node);

	return g ? g->pid : -1;
}

int node_qemu_stall(struct run *r, int node, bool stop)
{
	struct guest *g = guest_ready(r, node);

	if (!g)
		return -1;
	/*
	 * A stopped guest's clocks stop too, so its offset to the host grows by the stall:
	 * a sync point just before the stop and one just after the resume keep the guest
	 * times on either side mapped right (node_qemu_guest_to_host).
	 */
	if (stop && !g->stalled)
		guest_clock_sync(g, true);
	if (qmp_cmd(g->qmp, stop ? "stop" : "cont", NULL, NULL, 0, QMP_TIMEOUT_MS) < 0)
		return -1;
	bool was = g->stalled;
	g->stalled = stop;
	if (!stop && was)
		guest_clock_sync(g, true);
	return 0;
}

int node_qemu_set_link(struct run *r, int node, int net, bool up)
{
	struct guest *g = guest_ready(r, node);
	char args[64];

	if (!g)
		return -1;
	snprintf(args, sizeof(args), "{\"name\":\"nic%d\",\"up\":%s}", net, up ? "true" : "false");
	return qmp_cmd(g->qmp, "set_link", args, NULL, 0, QMP_TIMEOUT_MS);
}

pid_t node_qemu_spawn(struct run *r, int node, char *const argv[], const char *out_path,
		      const char *err_path)
{
	struct guest *g = guest_ready(r, node);
	const char *words[AGENT_ARGS_MAX];
	struct agent_msg rep;
	int n = 0;

	if (!g)
		return -1;
	words[n++] = out_path ? out_path : "/dev/null";
	words[n++] = err_path ? err_path : "/dev/null";
	while (argv[n - 2] && n < AGENT_ARGS_MAX) {
		words[n] = argv[n - 2];
		n++;
	}
	if (guest_agent_call(g, "spawn", n, words, NULL, &rep, 5000) < 0 || rep.argc < 1)
		return -1;
	return (pid_t)atoi(rep.argv[0]);
}

int node_qemu_set_exit_fn(struct run *r, int node, node_qemu_exit_fn *fn, void *arg)
{
	struct guest *g = guest_find(r, node);

	if (!g)
		return -1;
	g->exit_fn = fn;
	g->exit_arg = arg;
	return 0;
}

int node_qemu_signal(struct run *r, int node, pid_t pid, int signo)
{
	struct guest *g = guest_ready(r, node);
	char p[16], s[16];
	const char *words[] = { p, s };
	struct agent_msg rep;

	if (!g)
		return -1;
	snprintf(p, sizeof(p), "%d", (int)pid);
	snprintf(s, sizeof(s), "%d", signo);
	return guest_agent_call(g, "kill", 2, words, NULL, &rep, 5000);
}

int node_qemu_exit_status(struct run *r, int node, pid_t pid)
{
	struct guest *g = guest_ready(r, node);

	if (!g)
		return -1;
	guest_agent_pump(g);
	for (int i = 0; i < g->n_exits; i++)
		if (g->exits[i].pid == pid)
			return g->exits[i].status;
	errno = EAGAIN;
	return -1;
}

static int copy_word(const struct agent_msg *rep, int i, char *buf, size_t len)
{
	size_t n = rep->argc > i ? rep->arglen[i] : 0;

	if (n >= len)
		n = len - 1;
	memcpy(buf, rep->argc > i ? rep->argv[i] : "", n);
	buf[n] = '\0';
	return (int)n;
}

int node_qemu_run(struct run *r, int node, char *const argv[], char *out, size_t len)
{
	struct guest *g = guest_ready(r, node);
	const char *words[AGENT_ARGS_MAX];
	struct agent_msg rep;
	int n = 0;

	if (!g)
		return -1;
	while (argv[n] && n < AGENT_ARGS_MAX) {
		words[n] = argv[n];
		n++;
	}
	if (guest_agent_call(g, "run", n, words, NULL, &rep, 15000) < 0 || rep.argc < 2)
		return -1;
	if (out && len)
		copy_word(&rep, 1, out, len);
	return atoi(rep.argv[0]);
}

int node_qemu_read_at(struct run *r, int node, const char *path, int64_t offset, char *buf,
		      size_t len)
{
	struct guest *g = guest_ready(r, node);
	char off[24];
	const char *words[] = { path, off };
	struct agent_msg rep;

	if (!g)
		return -1;
	if (g->stalled) {
		errno = EAGAIN;
		return -1;
	}
	snprintf(off, sizeof(off), "%lld", (long long)offset);
	if (guest_agent_call(g, "read", 2, words, NULL, &rep, 2000) < 0)
		return -1;
	return copy_word(&rep, 0, buf, len);
}

int node_qemu_read(struct run *r, int node, const char *path, char *buf, size_t len)
{
	struct guest *g = guest_find(r, node);
	const char *words[] = { path };
	struct agent_msg rep;

	if (!g)
		return -1;
	if (guest_agent_call(g, "read", 1, words, NULL, &rep, 5000) < 0)
		return -1;
	return copy_word(&rep, 0, buf, len);
}

