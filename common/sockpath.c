/*
 * sockpath.c - AF_UNIX addresses for paths longer than sun_path (see sockpath.h).
 */
#include "sockpath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool sockpath_fits(const char *path)
{
	return strlen(path) < sizeof(((struct sockaddr_un *)0)->sun_path);
}

int sockpath_set(struct sockpath *p, const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	memset(p, 0, sizeof(*p));
	p->sa.sun_family = AF_UNIX;
	p->dirfd = -1;
	if (sockpath_fits(path)) {
		memcpy(p->sa.sun_path, path, strlen(path) + 1);
		return 0;
	}
	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return errno = ENAMETOOLONG, -1;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	p->dirfd = open(slash == path ? "/" : dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (p->dirfd < 0)
		return -1;
	if (snprintf(p->sa.sun_path, sizeof(p->sa.sun_path), "/proc/self/fd/%d/%s", p->dirfd,
		     slash + 1) >= (int)sizeof(p->sa.sun_path)) {
		sockpath_done(p);
		return errno = ENAMETOOLONG, -1;
	}
	return 0;
}

void sockpath_done(struct sockpath *p)
{
	if (p->dirfd >= 0)
		close(p->dirfd);
	p->dirfd = -1;
}

int sockpath_connect(const char *path, int flags)
{
	struct sockpath p;
	int fd, e;

	if (sockpath_set(&p, path) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | flags, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&p.sa, sizeof(p.sa)) == -1) {
		e = errno;
		close(fd);
		fd = -1;
		errno = e;
	}
	e = errno;
	sockpath_done(&p);
	errno = e;
	return fd;
}
