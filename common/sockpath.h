/*
 * sockpath.h - an AF_UNIX address for any path. A socket path has room for 107 bytes
 * (sun_path); a run directory nested in explore, shrink or matrix directories can be
 * longer. Then the address goes through the directory instead: the directory opened
 * O_PATH, and "/proc/self/fd/N/NAME", which bind() and connect() resolve like any path.
 */
#ifndef FL_SOCKPATH_H
#define FL_SOCKPATH_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>

struct sockpath {
	struct sockaddr_un sa;
	int dirfd; /* the directory's O_PATH descriptor, -1 when @path fitted as it is */
};

/* Does @path fit in sun_path as it is (no detour through the directory needed)? */
bool sockpath_fits(const char *path);

/*
 * sockpath_set - @p's address for @path (bind or connect to &p->sa, then
 * sockpath_done). Returns 0, or -1 with errno (ENAMETOOLONG when even the last part
 * does not fit; open()'s errno for the directory).
 */
int sockpath_set(struct sockpath *p, const char *path);
/* Closes the directory's descriptor, if one was opened. */
void sockpath_done(struct sockpath *p);

/*
 * sockpath_connect - a stream socket connected to @path; @flags (SOCK_CLOEXEC,
 * SOCK_NONBLOCK) are or-ed into its type. A non-blocking connect that is under way
 * (EINPROGRESS) counts as failed. -1 with errno.
 */
int sockpath_connect(const char *path, int flags);

#endif
