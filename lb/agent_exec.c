/*
 * agent_exec.c - the verbs of fl-agent, carried out inside the guest (see agent_proto.h).
 *
 * Interface configuration goes through the guest's own busybox "ip": it is the guest's
 * tool, and the data network it configures is never what carries this control channel.
 * Interfaces are found by MAC address, which the harness chose, so the order in which
 * the guest kernel probed the NICs does not matter.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent_exec.h"
#include "agent_hog.h"
#include "agent_pty.h"

#define RUN_TIMEOUT_MS 10000

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void reply_err(struct agent_reply *rep, int err, const char *text)
{
	rep->err = err ? err : EIO;
	rep->n = 1;
	rep->words[0] = text;
	rep->lens[0] = strlen(text);
}

static void reply_num(struct agent_reply *rep, long long v)
{
	int i = rep->n++;

	snprintf(rep->num[i], sizeof(rep->num[i]), "%lld", v);
	rep->words[i] = rep->num[i];
	rep->lens[i] = strlen(rep->num[i]);
}

static void reply_data(struct agent_reply *rep, size_t len)
{
	int i = rep->n++;

	rep->words[i] = rep->data;
	rep->lens[i] = len;
}

/* fl-agent blocks SIGCHLD for its signalfd; a child must not inherit that. */
static void child_unblock(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int agent_exec_status(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return -1;
}

static int verb_ping(const struct agent_msg *m, struct agent_reply *rep)
{
	(void)m;
	reply_num(rep, mono_ns());
	return 0;
}

/* Read the child's output into rep->data until EOF or the deadline. */
static size_t run_collect(int fd, struct agent_reply *rep, int64_t deadline)
{
	size_t got = 0;
	char sink[4096];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = (deadline - mono_ns()) / 1000000;
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return got;
		if (got < sizeof(rep->data))
			n = read(fd, rep->data + got, sizeof(rep->data) - got);
		else
			n = read(fd, sink, sizeof(sink));
		if (n <= 0)
			return got;
		if (got < sizeof(rep->data))
			got += (size_t)n;
	}
}

static int verb_run(const struct agent_msg *m, struct agent_reply *rep)
{
	int pfd[2], ws = 0;
	pid_t pid;
	size_t got;

	if (m->argc < 1) {
		reply_err(rep, EINVAL, "run: no command");
		return 0;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		reply_err(rep, errno, "run: pipe");
		return 0;
	}
	pid = fork();
	if (pid == 0) {
		child_unblock();
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(m->argv[0], m->argv);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		reply_err(rep, errno, "run: fork");
		return 0;
	}
	got = run_collect(pfd[0], rep, mono_ns() + RUN_TIMEOUT_MS * 1000000LL);
	close(pfd[0]);
	if (waitpid(pid, &ws, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &ws, 0);
	}
	reply_num(rep, agent_exec_status(ws));
	reply_data(rep, got);
	return 0;
}

static void spawn_child(const struct agent_msg *m)
{
	int o = open(m->argv[0], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int e = open(m->argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int n = open("/dev/null", O_RDONLY);

	if (o < 0 || e < 0 || n < 0)
		_exit(126);
	child_unblock();
	setpgid(0, 0);
	dup2(n, 0);
	dup2(o, 1);
	dup2(e, 2);
	execvp(m->argv[2], m->argv + 2);
	_exit(127);
}

static int verb_spawn(const struct agent_msg *m, struct agent_reply *rep)
{
	pid_t pid;

	if (m->argc < 3) {
		reply_err(rep, EINVAL, "spawn: OUT ERR ARGV...");
		return 0;
	}
	pid = fork();
	if (pid == 0)
		spawn_child(m);
	if (pid < 0) {
		reply_err(rep, errno, "spawn: fork");
		return 0;
	}
	/* Also here: a "kill" may come before the child has run at all. */
	setpgid(pid, pid);
	reply_num(rep, pid);
	return 0;
}

static int verb_kill(const struct agent_msg *m, struct agent_reply *rep)
{
	long pid, sig;

	if (m->argc != 2) {
		reply_err(rep, EINVAL, "kill: PID SIGNO");
		return 0;
	}
	pid = strtol(m->argv[0], NULL, 10);
	sig = strtol(m->argv[1], NULL, 10);
	/* A spawned process leads its own process group: signal the whole group. */
	if (pid <= 1 || kill((pid_t)-pid, (int)sig) < 0)
		reply_err(rep, pid <= 1 ? EINVAL : errno, "kill");
	return 0;
}

static int verb_read(const struct agent_msg *m, struct agent_reply *rep)
{
	int fd;
	size_t got = 0;
	ssize_t n;

	off_t off = 0;

	if (m->argc != 1 && m->argc != 2) {
		reply_err(rep, EINVAL, "read: PATH [OFFSET]");
		return 0;
	}
	if (m->argc == 2)
		off = (off_t)strtoll(m->argv[1], NULL, 10);
	fd = open(m->argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		reply_err(rep, errno, m->argv[0]);
		return 0;
	}
	/* /proc files ignore offsets given to read(): skip by reading when not seekable. */
	if (off > 0 && lseek(fd, off, SEEK_SET) != off) {
		close(fd);
		reply_err(rep, ESPIPE, "read: cannot seek");
		return 0;
	}
	while (got < sizeof(rep->data) &&
	       (n = read(fd, rep->data + got, sizeof(rep->data) - got)) > 0)
		got += (size_t)n;
	close(fd);
	reply_data(rep, got);
	return 0;
}

/* One /dev/kmsg record "PRI,SEQ,USEC,FLAGS;TEXT\n..." as "[SEC.USEC] TEXT\n". */
static size_t kmsg_line(const char *rec, size_t len, char *out, size_t room)
{
	const char *semi = memchr(rec, ';', len);
	const char *end;
	unsigned long long usec = 0;
	int n;

	if (!semi)
		return 0;
	sscanf(rec, "%*u,%*u,%llu", &usec);
	end = memchr(semi, '\n', len - (size_t)(semi - rec));
	if (!end)
		end = rec + len;
	n = snprintf(out, room, "[%5llu.%06llu] %.*s\n", usec / 1000000, usec % 1000000,
		     (int)(end - semi - 1), semi + 1);
	if (n < 0 || (size_t)n >= room)
		return 0;
	return (size_t)n;
}

static int verb_dmesg(const struct agent_msg *m, struct agent_reply *rep)
{
	char rec[2048];
	size_t got = 0;
	ssize_t n;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	(void)m;
	if (fd < 0) {
		reply_err(rep, errno, "/dev/kmsg");
		return 0;
	}
	/* One record per read; EPIPE means records were overwritten: keep going. */
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n > 0)
			got += kmsg_line(rec, (size_t)n, rep->data + got, sizeof(rep->data) - got);
	}
	close(fd);
	reply_data(rep, got);
	return 0;
}

/* Name of the interface whose MAC is @mac into @name, or -1. */
static int iface_by_mac(const char *mac, char *name, size_t len)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (e = readdir(d))) {
		char path[300], addr[64] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/sys/class/net/%s/address", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(addr, sizeof(addr), f) && !strncasecmp(addr, mac, strlen(mac))) {
			snprintf(name, len, "%s", e->d_name);
			found = 0;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

static int ip_cmd(struct agent_reply *rep, char *const argv[])
{
	struct agent_msg run = { .id = 0, .argc = 0 };

	while (argv[run.argc] && run.argc < AGENT_ARGS_MAX) {
		run.argv[run.argc] = argv[run.argc];
		run.argc++;
	}
	run.argv[run.argc] = NULL;
	rep->n = 0;
	verb_run(&run, rep);
	if (rep->err)
		return -1;
	if (strcmp(rep->words[0], "0")) {
		/* Report ip's own words: "ip: RTNETLINK answers: ..." */
		rep->err = EIO;
		rep->words[0] = rep->data;
		rep->lens[0] = rep->lens[1];
		rep->n = 1;
		return -1;
	}
	return 0;
}

/* ifconf MAC NAME ADDR/PLEN MTU GATEWAY ("-" for no gateway, "0" for the default MTU) */
static int verb_ifconf(const struct agent_msg *m, struct agent_reply *rep)
{
	char cur[256];
	const char *mac, *name, *addr, *mtu, *gw;

	if (m->argc != 5) {
		reply_err(rep, EINVAL, "ifconf: MAC NAME ADDR/PLEN MTU GATEWAY");
		return 0;
	}
	mac = m->argv[0], name = m->argv[1], addr = m->argv[2], mtu = m->argv[3];
	gw = m->argv[4];
	if (iface_by_mac(mac, cur, sizeof(cur)) < 0) {
		reply_err(rep, ENODEV, "ifconf: no interface with that MAC");
		return 0;
	}
	if (strcmp(cur, name) &&
	    ip_cmd(rep, (char *[]){ "ip", "link", "set", cur, "name", (char *)name, NULL }))
		return 0;
	if (strcmp(mtu, "0") &&
	    ip_cmd(rep, (char *[]){ "ip", "link", "set", (char *)name, "mtu", (char *)mtu, NULL }))
		return 0;
	if (ip_cmd(rep, (char *[]){ "ip", "addr", "add", (char *)addr, "dev", (char *)name, NULL }) ||
	    ip_cmd(rep, (char *[]){ "ip", "link", "set", (char *)name, "up", NULL }))
		return 0;
	if (strcmp(gw, "-") &&
	    ip_cmd(rep, (char *[]){ "ip", "route", "add", "default", "via", (char *)gw, NULL }))
		return 0;
	rep->n = 0;
	return 0;
}

/* hog MS CPUS: real-time hogs for MS ms on the first CPUS CPUs (agent_hog.c); the
 * reply is the pid of their parent, whose exit comes as an event. */
static int verb_hog(const struct agent_msg *m, struct agent_reply *rep)
{
	if (m->argc != 2) {
		reply_err(rep, EINVAL, "hog: MS CPUS");
		return 0;
	}
	pid_t pid = agent_hog_start(strtol(m->argv[0], NULL, 10), (int)strtol(m->argv[1], NULL, 10));
	if (pid < 0)
		reply_err(rep, errno, "hog");
	else
		reply_num(rep, pid);
	return 0;
}

/* pty ROWS COLS ARGV...: a terminal session (agent_pty.c); the reply is its pid, its
 * output comes as "0 out PID DATA" events, its end as "0 exit PID STATUS". */
static int verb_pty(const struct agent_msg *m, struct agent_reply *rep)
{
	if (m->argc < 3) {
		reply_err(rep, EINVAL, "pty: ROWS COLS ARGV...");
		return 0;
	}
	pid_t pid = agent_pty_start((int)strtol(m->argv[0], NULL, 10),
				    (int)strtol(m->argv[1], NULL, 10), m->argv + 2);
	if (pid < 0)
		reply_err(rep, errno, "pty");
	else
		reply_num(rep, pid);
	return 0;
}

/* in PID DATA: bytes typed into session PID's terminal. */
static int verb_in(const struct agent_msg *m, struct agent_reply *rep)
{
	if (m->argc != 2) {
		reply_err(rep, EINVAL, "in: PID DATA");
		return 0;
	}
	if (agent_pty_write((pid_t)strtol(m->argv[0], NULL, 10), m->argv[1], m->arglen[1]) < 0)
		reply_err(rep, errno, "in");
	return 0;
}

/* winch PID ROWS COLS: session PID's terminal size. */
static int verb_winch(const struct agent_msg *m, struct agent_reply *rep)
{
	if (m->argc != 3) {
		reply_err(rep, EINVAL, "winch: PID ROWS COLS");
		return 0;
	}
	if (agent_pty_resize((pid_t)strtol(m->argv[0], NULL, 10), (int)strtol(m->argv[1], NULL, 10),
			     (int)strtol(m->argv[2], NULL, 10)) < 0)
		reply_err(rep, errno, "winch");
	return 0;
}

struct agent_verb {
	const char *name;
	int (*fn)(const struct agent_msg *m, struct agent_reply *rep);
};

static const struct agent_verb verbs[] = {
	{ "ping", verb_ping },   { "run", verb_run },   { "spawn", verb_spawn },
	{ "kill", verb_kill },   { "read", verb_read }, { "dmesg", verb_dmesg },
	{ "ifconf", verb_ifconf }, { "hog", verb_hog },
	{ "pty", verb_pty },	   { "in", verb_in },	  { "winch", verb_winch },
};

int agent_exec_dispatch(const struct agent_msg *m, struct agent_reply *rep)
{
	rep->err = 0;
	rep->n = 0;
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i].name, m->verb))
			return verbs[i].fn(m, rep);
	reply_err(rep, ENOSYS, "unknown verb");
	return 0;
}
