/*
 * agent_pty.c - fl-agent's terminal sessions (see agent_pty.h).
 *
 * Invariant: a session's slot is in use from its fork until its program is reaped;
 * its master is open until then too, but polled only until it reads EOF/EIO (the
 * program and all it started closed the terminal), so a dead terminal never spins.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "agent_pty.h"

struct pty_sess {
	pid_t pid; /* 0: free */
	int master;
	int eof;
};

static struct pty_sess sess[AGENT_PTY_MAX];

static struct pty_sess *sess_find(pid_t pid)
{
	for (int i = 0; pid > 0 && i < AGENT_PTY_MAX; i++)
		if (sess[i].pid == pid)
			return &sess[i];
	return NULL;
}

/* In the child: the slave as the controlling terminal and stdio; never returns. */
static void pty_child(const char *slave, const struct winsize *ws, char *const argv[])
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* fl-agent blocks SIGCHLD */
	setsid();
	int fd = open(slave, O_RDWR);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		_exit(126);
	ioctl(fd, TIOCSWINSZ, ws);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	setenv("TERM", "xterm", 0);
	execvp(argv[0], argv);
	_exit(127);
}

pid_t agent_pty_start(int rows, int cols, char *const argv[])
{
	struct pty_sess *s = NULL;
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};

	for (int i = 0; !s && i < AGENT_PTY_MAX; i++)
		if (!sess[i].pid)
			s = &sess[i];
	if (!s)
		return errno = EMFILE, -1;
	if (!argv[0] || rows < 1 || cols < 1 || rows > 1000 || cols > 1000)
		return errno = EINVAL, -1;
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	char *slave = m < 0 ? NULL : (grantpt(m), unlockpt(m), ptsname(m));
	if (!slave) {
		int e = errno;
		if (m >= 0)
			close(m);
		return errno = e, -1;
	}
	pid_t pid = fork();
	if (pid == 0)
		pty_child(slave, &ws, argv);
	if (pid < 0) {
		int e = errno;
		close(m);
		return errno = e, -1;
	}
	fcntl(m, F_SETFL, O_NONBLOCK);
	*s = (struct pty_sess){.pid = pid, .master = m};
	return pid;
}

int agent_pty_write(pid_t pid, const char *data, size_t len)
{
	struct pty_sess *s = sess_find(pid);

	if (!s || s->eof)
		return errno = ESRCH, -1;
	while (len) {
		ssize_t n = write(s->master, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) { /* the program is not reading: wait a little */
			struct pollfd p = {.fd = s->master, .events = POLLOUT};
			if (poll(&p, 1, 100) <= 0)
				return errno = EAGAIN, -1;
			continue;
		}
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int agent_pty_resize(pid_t pid, int rows, int cols)
{
	struct pty_sess *s = sess_find(pid);
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};

	if (!s)
		return errno = ESRCH, -1;
	if (rows < 1 || cols < 1 || rows > 1000 || cols > 1000)
		return errno = EINVAL, -1;
	return ioctl(s->master, TIOCSWINSZ, &ws);
}

int agent_pty_pollfds(struct pollfd *p, int max)
{
	int n = 0;

	for (int i = 0; i < AGENT_PTY_MAX && n < max; i++)
		if (sess[i].pid && !sess[i].eof)
			p[n++] = (struct pollfd){.fd = sess[i].master, .events = POLLIN};
	return n;
}

/* Read what @s's master holds (one chunk, or all of it with @all). */
static void sess_read(struct pty_sess *s, int all,
		      void (*out)(void *arg, pid_t pid, const char *data, size_t len), void *arg)
{
	char buf[AGENT_PTY_CHUNK];

	do {
		ssize_t n = read(s->master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) { /* EIO: every holder of the terminal closed it */
			s->eof = 1;
			return;
		}
		out(arg, s->pid, buf, (size_t)n);
	} while (all);
}

void agent_pty_service(const struct pollfd *p, int n,
		       void (*out)(void *arg, pid_t pid, const char *data, size_t len), void *arg)
{
	for (int k = 0; k < n; k++) {
		if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		for (int i = 0; i < AGENT_PTY_MAX; i++)
			if (sess[i].pid && sess[i].master == p[k].fd)
				sess_read(&sess[i], 0, out, arg);
	}
}

int agent_pty_reaped(pid_t pid, void (*out)(void *arg, pid_t pid, const char *data, size_t len),
		     void *arg)
{
	struct pty_sess *s = sess_find(pid);

	if (!s)
		return 0;
	if (!s->eof)
		sess_read(s, 1, out, arg);
	close(s->master);
	*s = (struct pty_sess){0};
	return 1;
}
