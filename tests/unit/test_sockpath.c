/*
 * test_sockpath.c - AF_UNIX addresses for paths longer than sun_path: a socket bound
 * and connected to in a directory whose path is 200 bytes long.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sockpath.h"

void register_sockpath_suite(void);

static void test_short_path_as_is(void)
{
	struct sockpath p;

	CU_ASSERT_EQUAL_FATAL(0, sockpath_set(&p, "/tmp/x.sock"));
	CU_ASSERT_STRING_EQUAL("/tmp/x.sock", p.sa.sun_path);
	CU_ASSERT_EQUAL(-1, p.dirfd);
	sockpath_done(&p);
}

static void test_long_path_bind_connect(void)
{
	char top[] = "/tmp/fl-sockpath-XXXXXX", dir[PATH_MAX], path[PATH_MAX];
	struct sockpath p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(top));
	snprintf(dir, sizeof(dir), "%s/", top);
	while (strlen(dir) < 200)
		strcat(dir, "d");
	CU_ASSERT_EQUAL_FATAL(0, mkdir(dir, 0700));
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	CU_ASSERT(strlen(path) >= sizeof(p.sa.sun_path));

	CU_ASSERT_EQUAL_FATAL(0, sockpath_set(&p, path));
	CU_ASSERT(p.dirfd >= 0);
	CU_ASSERT_EQUAL(0, strncmp(p.sa.sun_path, "/proc/self/fd/", 14));
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CU_ASSERT_EQUAL(0, bind(l, (struct sockaddr *)&p.sa, sizeof(p.sa)));
	CU_ASSERT_EQUAL(0, listen(l, 1));
	sockpath_done(&p);
	CU_ASSERT_EQUAL(-1, p.dirfd);

	struct stat st; /* the socket is where the long path says */
	CU_ASSERT_EQUAL(0, stat(path, &st));
	CU_ASSERT(S_ISSOCK(st.st_mode));
	int c = sockpath_connect(path, SOCK_CLOEXEC);
	CU_ASSERT(c >= 0);
	int a = accept(l, NULL, NULL);
	CU_ASSERT(a >= 0);
	CU_ASSERT_EQUAL(1, write(c, "x", 1));
	char b = 0;
	CU_ASSERT_EQUAL(1, read(a, &b, 1));
	CU_ASSERT_EQUAL('x', b);
	close(a);
	close(c);
	close(l);

	/* nobody listening: connect's errno, no descriptor left behind */
	unlink(path);
	errno = 0;
	CU_ASSERT_EQUAL(-1, sockpath_connect(path, 0));
	CU_ASSERT_EQUAL(ENOENT, errno);
	rmdir(dir);
	rmdir(top);
}

static void test_last_part_too_long(void)
{
	char path[300] = "/tmp/";
	struct sockpath p;

	while (strlen(path) < 250)
		strcat(path, "n");
	errno = 0;
	CU_ASSERT_EQUAL(-1, sockpath_set(&p, path));
	CU_ASSERT_EQUAL(ENAMETOOLONG, errno);
}

void register_sockpath_suite(void)
{
	CU_pSuite s = CU_add_suite("sockpath", NULL, NULL);

	CU_add_test(s, "short_path_as_is", test_short_path_as_is);
	CU_add_test(s, "long_path_bind_connect", test_long_path_bind_connect);
	CU_add_test(s, "last_part_too_long", test_last_part_too_long);
}
