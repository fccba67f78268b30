/*
 * web_events.c - JSON event lines (see web_events.h).
 */
#include "web_events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "loop.h"

int web_events_open(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

int web_json_escape(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char tmp[8];
		int k;
		if (c == '"' || c == '\\')
			k = snprintf(tmp, sizeof(tmp), "\\%c", c);
		else if (c < 0x20)
			k = snprintf(tmp, sizeof(tmp), "\\u%04x", c);
		else
			k = snprintf(tmp, sizeof(tmp), "%c", c);
		if (n + (size_t)k >= size)
			return -1;
		for (int i = 0; i < k; i++)
			out[n++] = tmp[i];
	}
	if (n >= size)
		return -1;
	out[n] = '\0';
	return (int)n;
}

int web_events_write(int fd, const char *src, const char *ev, const char *more)
{
	char name[256], line[1024];

	if (fd < 0)
		return 0;
	if (web_json_escape(name, sizeof(name), src) == -1) {
		errno = EMSGSIZE;
		return -1;
	}
	int n = snprintf(line, sizeof(line), "{\"t_ns\":%llu,\"src\":\"%s\",\"ev\":\"%s\"%s}\n",
			 (unsigned long long)loop_now_ns(), name, ev, more ? more : "");
	if (n < 0 || (size_t)n >= sizeof(line)) {
		errno = EMSGSIZE;
		return -1;
	}
	return write(fd, line, (size_t)n) == n ? 0 : -1;
}
