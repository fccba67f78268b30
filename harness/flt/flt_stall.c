/*
 * flt_stall.c - `stall NODE`: the whole node freezes, as a guest kernel lockup looks
 * from outside: its processes stop running but keep their sockets and addresses, and
 * the kernel keeps answering nothing on their behalf (ARP and ICMP still work, as on a
 * locked guest whose NIC is alive).
 *
 * netns nodes: the node's cgroup v1 freezer (lab_node_cgroup()): write FROZEN / THAWED
 * to freezer.state and wait until it reads back so (FREEZING is the in-between state).
 * Without a cgroup: SIGSTOP / SIGCONT to every process living in the node's network
 * namespace (found through /proc/PID/ns/net). A node kind with a stall of its own (qemu:
 * QMP stop/cont) does it instead. Stalls are counted per node; the last revert thaws.
 * The revert sits on the teardown list above the services, so a frozen node is thawed
 * before they are killed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flt_int.h"
#include "lab.h"
#include "node.h"

#define FLT_FREEZE_WAIT_NS 3000000000LL /* a freezer that has not settled by then is stuck */

static int flt_freezer_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int flt_freezer_set(struct flt_ctx *ctx, const char *dir, const char *state)
{
	char path[512], now[32];
	snprintf(path, sizeof(path), "%s/freezer.state", dir);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return flt_fail(ctx, "%s: %s", path, strerror(errno));
	ssize_t w = write(fd, state, strlen(state));
	int e = errno;
	close(fd);
	if (w < 0)
		return errno = e, flt_fail(ctx, "%s: write %s: %s", path, state, strerror(e));
	struct timespec ts = {0, 100000}, t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (flt_freezer_read(path, now, sizeof(now)) < 0)
			return flt_fail(ctx, "%s: %s", path, strerror(errno));
		if (!strcmp(now, state))
			return 0;
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000000000LL + (t.tv_nsec - t0.tv_nsec) >
		    FLT_FREEZE_WAIT_NS)
			return errno = ETIMEDOUT, flt_fail(ctx, "%s stays %s", path, now);
		nanosleep(&ts, NULL);
	}
}

/* SIGSTOP / SIGCONT every process whose network namespace is @node's. */
static int flt_stall_signal(struct flt_ctx *ctx, int node, int signo)
{
	struct stat ns;
	if (fstat(lab_node_netns_fd(ctx->lab, node), &ns) < 0)
		return flt_fail(ctx, "stall %s: %s", ctx->s->nodes[node].name, strerror(errno));
	DIR *d = opendir("/proc");
	if (!d)
		return flt_fail(ctx, "/proc: %s", strerror(errno));
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

int flt_stall_set_sys(struct flt_ctx *ctx, int node, bool stop)
{
	const struct node_kind *k = node_kind_of(ctx->lab, node);
	char err[256];

	if (k->stall) { /* the kind's own (a guest: QMP stop/cont, not waited for) */
		if (k->stall(ctx->lab, node, stop, err, sizeof(err)) == -1)
			return flt_fail(ctx, "%s", err);
		return 0;
	}
	const char *cg = lab_node_cgroup(ctx->lab, node);
	if (cg && cg[0])
		return flt_freezer_set(ctx, cg, stop ? "FROZEN" : "THAWED");
	return flt_stall_signal(ctx, node, stop ? SIGSTOP : SIGCONT);
}

static int flt_stall_apply(struct flt_ctx *ctx, struct flt_inst *in)
{
	struct flt_ref *r = &ctx->stall[in->node];
	if (flt_ref_idle(r) && ctx->io->stall_set(ctx, in->node, true) < 0)
		return -1;
	in->gen = flt_ref_take(r);
	return 0;
}

static int flt_stall_revert(struct flt_ctx *ctx, struct flt_inst *in)
{
	if (!flt_ref_drop(&ctx->stall[in->node], in->gen))
		return 0;
	return ctx->io->stall_set(ctx, in->node, false);
}

static int flt_stall_parse(struct scn_p *p, struct scn_fault *f)
{
	return scn_arg_target(p, f, SCN_ARG_NODE);
}

const struct flt_kind flt_stall_kind = {
    .scn = {.name = "stall", .parse = flt_stall_parse, .undo = SCN_UNDO_END},
    .apply = flt_stall_apply,
    .revert = flt_stall_revert,
};
