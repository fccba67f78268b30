/*
 * node_freezer.c - a cgroup v1 freezer state written, then checked on the run's event
 * loop rather than waited for (node_freezer.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"
#include "node_freezer.h"

static int node_freezer_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return errno = e, -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int64_t node_freezer_check(struct ev_loop *loop, int64_t now_ns, void *arg)
{
	struct node_freezer *fz = arg;
	char state[32];

	(void)loop;
	if (node_freezer_read(fz->path, state, sizeof(state)) < 0)
		snprintf(state, sizeof(state), "unreadable");
	bool settled = !strcmp(state, fz->want);
	if (!settled && now_ns - fz->t0_ns < fz->bound_ns)
		return now_ns + NODE_FREEZER_POLL_NS;
	fz->timer = 0;
	fz->fn(fz->arg, settled, state, now_ns - fz->t0_ns);
	return -1;
}

void node_freezer_cancel(struct node_freezer *fz)
{
	if (fz->timer)
		ev_timer_del(fz->loop, fz->timer);
	fz->timer = 0;
}

bool node_freezer_pending(const struct node_freezer *fz)
{
	return fz->timer != 0;
}

int node_freezer_set(struct node_freezer *fz, struct ev_loop *loop, const char *dir, bool frozen,
		     int64_t bound_ns, node_freezer_fn *fn, void *arg, char *err, size_t len)
{
	const char *want = frozen ? "FROZEN" : "THAWED";
	char now[32];

	node_freezer_cancel(fz);
	snprintf(fz->path, sizeof(fz->path), "%s/freezer.state", dir);
	int fd = open(fz->path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return snprintf(err, len, "%s: %s", fz->path, strerror(errno)), -1;
	ssize_t w = write(fd, want, strlen(want));
	int e = errno;
	close(fd);
	if (w < 0) {
		snprintf(err, len, "%s: write %s: %s", fz->path, want, strerror(e));
		return errno = e, -1;
	}
	int64_t t0 = ev_now_ns();
	if (node_freezer_read(fz->path, now, sizeof(now)) < 0)
		return snprintf(err, len, "%s: %s", fz->path, strerror(errno)), -1;
	if (!strcmp(now, want))
		return 0;
	*fz = (struct node_freezer){
	    .loop = loop, .t0_ns = t0, .bound_ns = bound_ns, .want = want, .fn = fn, .arg = arg};
	snprintf(fz->path, sizeof(fz->path), "%s/freezer.state", dir);
	fz->timer = ev_timer_add(loop, t0 + NODE_FREEZER_POLL_NS, node_freezer_check, fz);
	if (fz->timer < 0) {
		fz->timer = 0;
		return snprintf(err, len, "%s: timer: %s", fz->path, strerror(errno)), -1;
	}
	return 0;
}
