/*
 * net_nl.c - the lab's rtnetlink socket: struct net_nl is a struct nlk (common/nlk.c,
 * the one request/ack path) of NETLINK_ROUTE, so the lab's requests are queued, sent
 * many per sendmsg and their acks gathered afterwards; and the sysctl writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "nlk.h"

struct net_nl {
	struct nlk *sk;
};

struct net_nl *net_nl_open_ns(int netns_fd, int window)
{
	struct net_nl *nl = malloc(sizeof(*nl));

	if (!nl)
		return NULL;
	nl->sk = nlk_open(NETLINK_ROUTE, netns_fd);
	if (!nl->sk || (window > 0 && nlk_window_set(nl->sk, window) == -1)) {
		int e = errno;
		nlk_close(nl->sk);
		free(nl);
		errno = e;
		return NULL;
	}
	return nl;
}

struct net_nl *net_nl_open(void)
{
	return net_nl_open_ns(-1, NET_NL_WINDOW);
}

void net_nl_close(struct net_nl *nl)
{
	if (!nl)
		return;
	nlk_close(nl->sk);
	free(nl);
}

struct nlk *net_nl_sock(struct net_nl *nl)
{
	return nl->sk;
}

const char *net_nl_error(const struct net_nl *nl)
{
	return nlk_error(nl->sk);
}

struct nlmsghdr *net_nl_msg(struct net_nl *nl, uint16_t type, uint16_t flags, const char *what)
{
	return nlk_msg(nl->sk, type, flags, what);
}

int net_nl_send(struct net_nl *nl)
{
	return nlk_send(nl->sk);
}

int net_nl_wait(struct net_nl *nl)
{
	return nlk_wait(nl->sk);
}

int net_nl_flush(struct net_nl *nl)
{
	return nlk_flush(nl->sk);
}

int net_sysctl_set(const char *key, const char *value)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	int e = errno;
	close(fd);
	if (n != (ssize_t)len) {
		errno = n == -1 ? e : EIO;
		return -1;
	}
	return 0;
}
