/*
 * agent_pty.h - fl-agent's terminal sessions: a program on a pseudo-terminal of its
 * own (its own session, the pty as its controlling terminal), for `faultline shell`
 * into a guest. The verbs (agent_exec.c) start a session, write to it and resize it;
 * fl-agent's loop polls every session's master and sends what the program wrote as
 * "0 out PID DATA" events (at most AGENT_PTY_CHUNK bytes each); when the program is
 * reaped, what is left on the master is sent before its "0 exit PID STATUS".
 */
#ifndef FL_AGENT_PTY_H
#define FL_AGENT_PTY_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

#define AGENT_PTY_MAX	4    /* sessions at once */
#define AGENT_PTY_CHUNK 4096 /* bytes of output per "out" event */

/* Start @argv on a new pty of @rows x @cols: its pid, or -1 with errno (EMFILE: too
 * many sessions). */
pid_t agent_pty_start(int rows, int cols, char *const argv[]);
/* Write @len bytes to session @pid's terminal (as typed); 0 or -1 with errno (ESRCH:
 * no such session). */
int agent_pty_write(pid_t pid, const char *data, size_t len);
int agent_pty_resize(pid_t pid, int rows, int cols);

/* What fl-agent's loop polls: one pollfd per session master still open, from @p[0];
 * returns how many (at most @max). */
int agent_pty_pollfds(struct pollfd *p, int max);
/* After poll: read every ready master, @out(@arg, pid, data, len) for each chunk. */
void agent_pty_service(const struct pollfd *p, int n,
		       void (*out)(void *arg, pid_t pid, const char *data, size_t len), void *arg);
/* @pid was reaped: if it was a session, drain its master through @out and free it;
 * returns 1 then, else 0. */
int agent_pty_reaped(pid_t pid, void (*out)(void *arg, pid_t pid, const char *data, size_t len),
		     void *arg);

#endif
