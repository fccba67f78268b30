/*
 * lb_backend.c - the backend pool's data: parsing, choice, counts (see lb_backend.h).
 */
#include "lb_backend.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void lb_pool_init(struct lb_pool *p, struct loop *loop)
{
	memset(p, 0, sizeof(*p));
	p->loop = loop;
	p->sched.mode = LB_BALANCE_RR;
	p->check = LB_CHECK_HTTP;
	lb_health_cfg_default(&p->hc);
}

int lb_parse_addr(const char *s, struct sockaddr_in *sa)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		goto bad;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	port = strtol(colon + 1, &end, 10);
	if (*end || end == colon + 1 || port < 1 || port > 65535)
		goto bad;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int lb_pool_add(struct lb_pool *p, const char *spec)
{
	const char *eq = strchr(spec, '=');
	struct lb_backend *b;

	if (p->n >= LB_MAX_BACKENDS) {
		errno = ENOSPC;
		return -1;
	}
	b = &p->b[p->n];
	if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof(b->name) ||
	    lb_parse_addr(eq + 1, &b->addr) < 0) {
		errno = EINVAL;
		return -1;
	}
	memcpy(b->name, spec, (size_t)(eq - spec));
	b->name[eq - spec] = 0;
	b->pool = p;
	b->check_fd = -1;
	lb_health_init(&b->health);
	return p->n++;
}

int lb_pool_pick(struct lb_pool *p, uint64_t exclude)
{
	struct lb_sched_item it[LB_MAX_BACKENDS];

	for (int i = 0; i < p->n; i++) {
		it[i].up = p->b[i].health.state == LB_HEALTH_UP;
		it[i].conns = p->b[i].conns;
	}
	return lb_sched_pick(&p->sched, it, p->n, exclude);
}

bool lb_pool_any_up(const struct lb_pool *p)
{
	for (int i = 0; i < p->n; i++)
		if (p->b[i].health.state == LB_HEALTH_UP)
			return true;
	return false;
}

int lb_backend_connect(const struct lb_backend *b, int mss)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (mss > 0 && setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof(mss)) == -1)
		goto err;
	if (connect(fd, (const struct sockaddr *)&b->addr, sizeof(b->addr)) == -1 &&
	    errno != EINPROGRESS)
		goto err;
	return fd;
err:
	{
		int e = errno;

		close(fd);
		errno = e;
	}
	return -1;
}
