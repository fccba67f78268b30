/*
 * lab_cgroup.c - the run's freezer cgroups and the reaper that removes them.
 *
 * Layout: /sys/fs/cgroup/freezer/faultline/<pid>-<run>/<node>, <pid> being faultline's.
 * The kernel never frees a cgroup by itself, and a frozen task does not die even of
 * SIGKILL, so a small reaper process is forked when the run starts. It holds the read
 * end of a pipe whose write end only faultline holds (close-on-exec, so no service
 * inherits it): EOF means faultline is gone, by any means, kill -9 included. The
 * reaper then removes every node cgroup (one that still has tasks is thawed and its
 * tasks killed first) and exits. An orderly teardown does the same itself first, so
 * the reaper finds nothing.
 * 'faultline cleanup' sweeps the cgroups of runs whose faultline process is dead.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab_int.h"
#include "run.h"
#include "scn.h"

#define CG_FREEZER "/sys/fs/cgroup/freezer"
#define CG_TOP CG_FREEZER "/faultline"

static int file_put(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* SIGKILL every task of @dir; returns how many there were (0: empty), -1 if unreadable. */
static int cg_kill_tasks(const char *dir)
{
	char path[PATH_MAX];
	int n = 0, pid;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	while (fscanf(f, "%d", &pid) == 1) {
		kill(pid, SIGKILL);
		n++;
	}
	fclose(f);
	return n;
}

/* Thaw, empty and remove one leaf cgroup; "already gone" is success. */
static void cg_leaf_sweep(const char *dir)
{
	struct timespec tick = {0, 5 * 1000 * 1000};

	/* an empty cgroup goes at once, frozen or not (the common case: no thaw, which
	 * was a third of a 1000-node teardown); one with tasks refuses (EBUSY) */
	if (rmdir(dir) == 0 || errno == ENOENT)
		return;
	file_put(dir, "freezer.state", "THAWED");
	/* killed tasks leave the cgroup once they have run their exit: wait ~2 s at most */
	for (int i = 0; i < 400; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return;
		if (cg_kill_tasks(dir) == -1)
			return;
		nanosleep(&tick, NULL);
	}
}

/* Sweep every node cgroup under @dir, then @dir itself and the top when empty. */
static void cg_run_sweep(const char *dir)
{
	DIR *d = opendir(dir);

	if (d) {
		struct dirent *e;
		char path[PATH_MAX];
		while ((e = readdir(d))) {
			if (e->d_type != DT_DIR || e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			cg_leaf_sweep(path);
		}
		closedir(d);
	}
	cg_leaf_sweep(dir);
	rmdir(CG_TOP); /* fails while another run uses it: fine */
}

static void cg_teardown(void *arg)
{
	struct lab *lab = arg;

	if (lab->cg_run[0])
		cg_run_sweep(lab->cg_run);
}

static void reaper_stop(void *arg)
{
	struct lab *lab = arg;

	if (lab->reaper_fd != -1)
		close(lab->reaper_fd);
	lab->reaper_fd = -1;
	if (lab->reaper > 0)
		while (waitpid(lab->reaper, NULL, 0) == -1 && errno == EINTR)
			;
	lab->reaper = 0;
}

/* The reaper: no fd but its pipe, no signal but SIGKILL; sweeps once faultline is gone. */
static void reaper_main(int rfd, const char *cg)
{
	char c;

	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD)
			signal(s, SIG_IGN);
	setpgid(0, 0); /* out of the terminal's group: ^C is for faultline */
	if (rfd != 3 && dup2(rfd, 3) == -1)
		_exit(1);
	int null = open("/dev/null", O_RDWR);
	for (int fd = 0; fd < 3 && null != -1; fd++)
		dup2(null, fd);
	close_range(4, ~0U, 0);
	while (read(3, &c, 1) == -1 && errno == EINTR)
		;
	cg_run_sweep(cg);
	_exit(0);
}

static int reaper_start(struct lab *lab)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		return lab_fail(lab, "reaper: %s", strerror(errno));
	pid_t pid = fork();
	if (pid == -1) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return lab_fail(lab, "reaper: fork: %s", strerror(errno));
	}
	if (pid == 0)
		reaper_main(p[0], lab->cg_run);
	close(p[0]);
	lab->reaper = pid;
	lab->reaper_fd = p[1];
	if (run_defer(lab->run, reaper_stop, lab, "reaper") == -1) {
		reaper_stop(lab);
		return lab_fail(lab, "reaper: %s", strerror(errno));
	}
	return 0;
}

/* mkdir of the run's directory; retried because a finishing run may remove the top. */
static int cg_run_mkdir(const char *dir)
{
	for (int i = 0; i < 10; i++) {
		if (mkdir(CG_TOP, 0755) == -1 && errno != EEXIST)
			return -1;
		if (mkdir(dir, 0755) == 0)
			return 0;
		if (errno != ENOENT)
			return -1;
	}
	return -1;
}

int lab_cgroup_setup(struct lab *lab)
{
	const struct scn *s = lab->scn;
	const char *leaf = strrchr(run_dir(lab->run), '/');

	if (access(CG_FREEZER "/tasks", F_OK) == -1)
		return 0; /* no freezer here: nodes run without one, stall faults say so */
	snprintf(lab->cg_run, sizeof(lab->cg_run), CG_TOP "/%d-%s", (int)getpid(),
		 leaf ? leaf + 1 : run_dir(lab->run));
	if (reaper_start(lab) == -1)
		return -1;
	if (cg_run_mkdir(lab->cg_run) == -1)
		return lab_fail(lab, "cgroup %s: %s", lab->cg_run, strerror(errno));
	if (run_defer(lab->run, cg_teardown, lab, "cgroups") == -1)
		return lab_fail(lab, "cgroups: %s", strerror(errno));
	for (int i = 0; i < s->n_nodes; i++) {
		int n = snprintf(lab->cg_node[i], PATH_MAX, "%s/%s", lab->cg_run,
				 s->nodes[i].name);
		if (n >= PATH_MAX || mkdir(lab->cg_node[i], 0755) == -1) {
			lab->cg_node[i][0] = '\0';
			return lab_fail(lab, "cgroup of node %s: %s", s->nodes[i].name,
					strerror(errno));
		}
	}
	return 0;
}

const char *lab_node_cgroup(const struct lab *lab, int node)
{
	return lab->cg_node[node];
}

/* Is the faultline that made run cgroup @name ("<pid>-...") still running? */
static int cg_owner_alive(const char *name)
{
	char path[64], comm[32] = "";
	int pid = atoi(name);

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return strncmp(comm, "faultline", 9) == 0;
}

int lab_cleanup_stale(void (*fn)(const char *what, void *arg), void *arg)
{
	DIR *d = opendir(CG_TOP);
	int removed = 0;
	char path[PATH_MAX], what[PATH_MAX + 16];
	struct dirent *e;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.' || cg_owner_alive(e->d_name))
			continue;
		snprintf(path, sizeof(path), CG_TOP "/%s", e->d_name);
		cg_run_sweep(path);
		snprintf(what, sizeof(what), "cgroup %s", path);
		if (fn)
			fn(what, arg);
		removed++;
	}
	closedir(d);
	if (rmdir(CG_TOP) == 0) {
		if (fn)
			fn("cgroup " CG_TOP, arg);
		removed++;
	}
	return removed;
}
