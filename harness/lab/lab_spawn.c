/*
 * lab_spawn.c - starting a process inside a node.
 *
 * The child, between fork and exec: its own process group, PR_SET_PDEATHSIG(SIGKILL)
 * (then a getppid() check, in case faultline died before the prctl), the node's freezer
 * cgroup, the node's network namespace and a private mount namespace whose /sys is
 * the node's, stdio, a clean signal mask. A node without a namespace of its own (a
 * qemu node) is refused (EINVAL): its kind starts its processes (node.h). Whatever fails there is
 * reported to the parent through a close-on-exec pipe, so lab_spawn() returns -1 with
 * the child's errno instead of a process that exits 127 later.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab_int.h"
#include "scn.h"

static int exec_ok(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int lab_prog_find(const char *prog, char *buf, size_t len)
{
	if (strchr(prog, '/')) {
		snprintf(buf, len, "%s", prog);
		return exec_ok(buf) ? 0 : -1;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		if ((int)n > 0 && snprintf(buf, len, "%.*s/%s", (int)n, path, prog) < (int)len &&
		    exec_ok(buf))
			return 0;
		path += n + (path[n] == ':');
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			if (snprintf(buf, len, "%s/%s", self, prog) < (int)len && exec_ok(buf))
				return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

static int open_out(const char *path)
{
	if (!path)
		return open("/dev/null", O_WRONLY);
	return open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
}

/*
 * /sys/class/net shows the namespace of whoever mounted sysfs: give the child its own
 * mount namespace (slave, so nothing propagates back) with a sysfs of its node. Best
 * effort: a program that never looks at /sys runs fine without it.
 */
static void sysfs_remount(void)
{
	if (unshare(CLONE_NEWNS) == -1 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == -1)
		return;
	if (umount2("/sys", MNT_DETACH) == 0)
		mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* In the child: never returns. */
static void spawn_child(struct lab *lab, int node, const char *prog, char *const argv[],
			const char *out, const char *err, int errfd, pid_t parent)
{
	int e;
	sigset_t none;

	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(127); /* faultline is already gone */
	const char *cg = node >= 0 ? lab->cg_node[node] : "";
	if (cg[0]) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		int fd = open(path, O_WRONLY);
		if (fd == -1 || write(fd, "0", 1) != 1)
			goto fail;
		close(fd);
	}
	if (setns(node >= 0 ? lab->node_fd[node] : lab->lab_fd, CLONE_NEWNET) == -1)
		goto fail;
	sysfs_remount();
	int in = open("/dev/null", O_RDONLY);
	int o = open_out(out), x = open_out(err);
	if (in == -1 || o == -1 || x == -1 || dup2(in, 0) == -1 || dup2(o, 1) == -1 ||
	    dup2(x, 2) == -1)
		goto fail;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	execv(prog, argv);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0) {
		/* nothing more we can say */
	}
	_exit(127);
}

pid_t lab_spawn(struct lab *lab, int node, char *const argv[], const char *out_path,
		const char *err_path)
{
	char prog[PATH_MAX];
	int p[2], e = 0;

	/* A node without a namespace (a guest) runs its processes its own way (node.h). */
	if (!argv || !argv[0] || node < -1 || node >= lab->scn->n_nodes ||
	    (node >= 0 && lab->node_fd[node] < 0)) {
		errno = EINVAL;
		return -1;
	}
	if (lab_prog_find(argv[0], prog, sizeof(prog)) == -1)
		return -1;
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == -1) {
		e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	if (pid == 0)
		spawn_child(lab, node, prog, argv, out_path, err_path, p[1], parent);
	close(p[1]);
	setpgid(pid, pid); /* also here, so signals to the group work at once */
	ssize_t n;
	while ((n = read(p[0], &e, sizeof(e))) == -1 && errno == EINTR)
		;
	close(p[0]);
	if (n > 0) {
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		errno = e;
		return -1;
	}
	return pid;
}

int lab_netns_enter(int fd)
{
	if (setns(fd, CLONE_NEWNET) == -1)
		return -1;
	sysfs_remount();
	return 0;
}
