/*
 * fl_agent.c - fl-agent, the guest side of the control channel. Runs as the guest's
 * PID 1 (the image's /init execs it), so it also reaps every orphan. It reads requests
 * from a virtio-serial port, answers each (agent_exec.c) and reports the exit of every
 * spawned process as "0 exit PID STATUS". It announces itself with "0 ready MONO_NS";
 * the harness pings as well, since that line is lost when nobody listens yet.
 *
 * The port reads EOF while no host is connected: the loop then sleeps briefly instead of
 * spinning.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent_exec.h"
#include "agent_proto.h"
#include "agent_pty.h"

#define PORT_NAME "fl.agent"
#define PORT_WAIT_MS 10000

static struct agent_rbuf rbuf;
static struct agent_reply reply;
static char out[AGENT_LINE_MAX];

static void usage(FILE *f)
{
	fprintf(f, "usage: fl-agent [--port DEVICE]\n"
		   "  --port DEVICE  virtio-serial port (default: the port named " PORT_NAME ")\n");
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* /dev/vportNpM of the port named @name, found through sysfs. */
static int port_find(const char *name, char *path, size_t len)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *e;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (e = readdir(d))) {
		char p[300], n[64] = "";
		FILE *f;

		snprintf(p, sizeof(p), "/sys/class/virtio-ports/%s/name", e->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;
		if (fgets(n, sizeof(n), f) && !strncmp(n, name, strlen(name))) {
			snprintf(path, len, "/dev/%s", e->d_name);
			found = 0;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

static int port_open(const char *given)
{
	char path[320];

	for (int waited = 0; waited < PORT_WAIT_MS; waited += 50) {
		if (given)
			snprintf(path, sizeof(path), "%s", given);
		if (given || port_find(PORT_NAME, path, sizeof(path)) == 0) {
			int fd = open(path, O_RDWR | O_CLOEXEC);

			if (fd >= 0)
				return fd;
		}
		sleep_ms(50);
	}
	fprintf(stderr, "fl-agent: no virtio-serial port %s\n", given ? given : PORT_NAME);
	return -1;
}

/* Write a whole line; a port with no host behind it drops it (nobody to tell). */
static void send_line(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void send_words(int fd, uint32_t id, const char *verb, int argc, const char *const w[],
		       const size_t lens[])
{
	int n = agent_msg_format(out, sizeof(out), id, verb, argc, w, lens);

	if (n > 0)
		send_line(fd, out, (size_t)n);
}

static void send_event2(int fd, const char *verb, long long a, long long b, int argc)
{
	char sa[32], sb[32];
	const char *w[2] = { sa, sb };

	snprintf(sa, sizeof(sa), "%lld", a);
	snprintf(sb, sizeof(sb), "%lld", b);
	send_words(fd, 0, verb, argc, w, NULL);
}

static void handle_line(int fd, char *line)
{
	struct agent_msg m;

	if (agent_msg_parse(line, &m) < 0 || m.id == 0)
		return; /* not a request: nothing to answer to */
	agent_exec_dispatch(&m, &reply);
	if (reply.err) {
		char num[16];
		const char *w[2] = { num, reply.words[0] };
		size_t l[2] = { 0, reply.lens[0] };

		snprintf(num, sizeof(num), "%d", reply.err);
		l[0] = strlen(num);
		send_words(fd, m.id, "err", 2, w, l);
		return;
	}
	send_words(fd, m.id, "ok", reply.n, reply.words, reply.lens);
}

/* Returns -1 when the port read EOF (no host connected). */
static int port_read(int fd)
{
	size_t room;
	char *p = agent_rbuf_space(&rbuf, &room);
	ssize_t n = read(fd, p, room);
	char *line;

	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN) ? 0 : -1;
	agent_rbuf_commit(&rbuf, (size_t)n);
	while ((line = agent_rbuf_line(&rbuf)) || errno == E2BIG)
		if (line)
			handle_line(fd, line);
	return 0;
}

/* A terminal session's output: "0 out PID DATA". */
static void send_out(void *arg, pid_t pid, const char *data, size_t len)
{
	char sp[24];
	const char *w[2] = { sp, data };
	size_t l[2] = { 0, len };

	l[0] = (size_t)snprintf(sp, sizeof(sp), "%d", (int)pid);
	send_words(*(int *)arg, 0, "out", 2, w, l);
}

static void reap(int port, int sfd)
{
	struct signalfd_siginfo si;
	int ws;
	pid_t pid;

	while (read(sfd, &si, sizeof(si)) == sizeof(si))
		;
	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
		agent_pty_reaped(pid, send_out, &port); /* its last output before its exit */
		send_event2(port, "exit", pid, agent_exec_status(ws), 2);
	}
}

static int agent_loop(int port, int sfd)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	send_event2(port, "ready", (long long)ts.tv_sec * 1000000000 + ts.tv_nsec, 0, 1);
	for (;;) {
		struct pollfd p[2 + AGENT_PTY_MAX] = { { .fd = port, .events = POLLIN },
						       { .fd = sfd, .events = POLLIN } };
		int n = 2 + agent_pty_pollfds(p + 2, AGENT_PTY_MAX);

		if (poll(p, (nfds_t)n, -1) < 0 && errno != EINTR)
			return -1;
		/* output before exits: a session's last words precede its exit event */
		agent_pty_service(p + 2, n - 2, send_out, &port);
		if (p[1].revents & POLLIN)
			reap(port, sfd);
		if ((p[0].revents & (POLLIN | POLLHUP)) && port_read(port) < 0)
			sleep_ms(20);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "port", required_argument, NULL, 'p' },
					      { "help", no_argument, NULL, 'h' },
					      { NULL, 0, NULL, 0 } };
	const char *port_path = NULL;
	sigset_t mask;
	int c, port, sfd;

	while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			port_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	port = port_open(port_path);
	if (sfd < 0 || port < 0)
		return 1;
	agent_rbuf_init(&rbuf);
	return agent_loop(port, sfd) < 0 ? 1 : 0;
}
