/*
 * relay_probe.c - the traffic of scripts/bench.d/30-faults.sh's fl-relay figures: UDP
 * and TCP senders and sinks run as `service ... exec` in two netns nodes of one lab.
 * A run is cut into phases ("START:DUR,..." in seconds from the program's start); the
 * scenario puts the relay in the path for some of them and not for the others, so one
 * run measures both paths. Every line printed is "phase=I key=value...".
 *
 *   relay_probe udp-tx ADDR PORT SIZE RATE PHASES  SIZE-byte payloads, RATE/s (0: as
 *                                                   fast as it can); per phase: sent
 *   relay_probe udp-sink PORT SECS                  per phase of the frames' sender:
 *                                                   frames/s, Mbit/s, one-way delay
 *                                                   (kernel receive stamp - send stamp)
 *                                                   ($PROBE_DUMP: every frame's
 *                                                   "phase seq rx_ns delay_ns" there)
 *   relay_probe echo PORT SECS                      UDP echo
 *   relay_probe rtt ADDR PORT RATE PHASES           one probe at a time, RATE/s: round
 *                                                   trip median, p99, max
 *   relay_probe tcp-sink PORT SECS                  reads every connection to its end
 *   relay_probe tcp-tx ADDR PORT PHASES             a connection per phase, written for
 *                                                   DUR: Mbit/s until the sink's close
 *
 * Stamps are CLOCK_REALTIME, which every namespace of the host shares.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PHASES_MAX  8
#define SAMPLES_MAX (4 << 20)
#define BATCH	    64

struct probe_hdr {
	uint32_t phase, seq;
	uint64_t ts;
};

struct phase {
	double start, dur;
	uint64_t frames, bytes, first, last;
	uint64_t *lat;
	size_t n_lat;
};

static struct phase ph[PHASES_MAX];
static int n_ph;
static uint64_t t_start;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "relay_probe: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void phases_parse(const char *s)
{
	while (*s && n_ph < PHASES_MAX) {
		char *end;
		ph[n_ph].start = strtod(s, &end);
		if (*end != ':')
			break;
		ph[n_ph].dur = strtod(end + 1, &end);
		n_ph++;
		s = *end == ',' ? end + 1 : end;
	}
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = {.tv_sec = (time_t)(t / 1000000000ULL),
			      .tv_nsec = (long)(t % 1000000000ULL)};
	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static uint64_t at(double s)
{
	return t_start + (uint64_t)(s * 1e9);
}

static struct sockaddr_in addr_of(const char *ip, const char *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
	if (ip && inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "relay_probe: bad address %s\n", ip);
		exit(2);
	}
	return a;
}

static int sock_bound(int type, const char *port)
{
	struct sockaddr_in a = addr_of(NULL, port);
	int fd = socket(AF_INET, type, 0), one = 1, buf = 8 << 20;
	if (fd == -1)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1)
		die("bind");
	return fd;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* " med_us=M p99_us=P max_us=X" of @p's samples, less @sub_ns each. */
static void lat_print(struct phase *p, int64_t sub_ns)
{
	if (!p->n_lat)
		return;
	qsort(p->lat, p->n_lat, sizeof(*p->lat), cmp_u64);
	size_t i99 = (p->n_lat * 99 + 99) / 100 - 1;
	printf(" samples=%zu med_us=%.1f p99_us=%.1f max_us=%.1f", p->n_lat,
	       ((int64_t)p->lat[p->n_lat / 2] - sub_ns) / 1e3,
	       ((int64_t)p->lat[i99] - sub_ns) / 1e3,
	       ((int64_t)p->lat[p->n_lat - 1] - sub_ns) / 1e3);
}

static void lat_add(struct phase *p, uint64_t v)
{
	if (!p->lat && !(p->lat = malloc(SAMPLES_MAX * sizeof(*p->lat))))
		die("malloc");
	if (p->n_lat < SAMPLES_MAX)
		p->lat[p->n_lat++] = v;
}

static void udp_tx(const char *ip, const char *port, int size, double rate)
{
	struct sockaddr_in a = addr_of(ip, port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1)
		die("udp socket");
	uint8_t buf[BATCH][2048] = {{0}};
	struct iovec iov[BATCH];
	struct mmsghdr mm[BATCH];
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){buf[i], (size_t)size};
		mm[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i], .msg_iovlen = 1}};
	}
	for (int k = 0; k < n_ph; k++) {
		uint64_t t = at(ph[k].start), end = at(ph[k].start + ph[k].dur), seq = 0, sent = 0;
		uint64_t step = rate > 0 ? (uint64_t)(1e9 / rate) : 0;
		sleep_until(t);
		while ((t = now_ns()) < end) {
			int n = rate > 0 ? 1 : BATCH;
			for (int i = 0; i < n; i++) {
				struct probe_hdr h = {(uint32_t)k, (uint32_t)seq++, now_ns()};
				memcpy(buf[i], &h, sizeof(h));
			}
			int r = sendmmsg(fd, mm, (unsigned)n, 0);
			sent += r > 0 ? (uint64_t)r : 0;
			if (step)
				sleep_until(at(ph[k].start) + seq * step);
		}
		printf("phase=%d sent=%llu fps=%.0f\n", k, (unsigned long long)sent,
		       sent / ph[k].dur);
		fflush(stdout);
	}
}

static void udp_sink(const char *port, double secs)
{
	int fd = sock_bound(SOCK_DGRAM, port), one = 1;
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	static uint8_t buf[BATCH][2048], cbuf[BATCH][64];
	struct iovec iov[BATCH];
	struct mmsghdr mm[BATCH];
	uint64_t end = at(secs);
	FILE *dump = getenv("PROBE_DUMP") ? fopen(getenv("PROBE_DUMP"), "w") : NULL;
	n_ph = PHASES_MAX;
	for (;;) {
		uint64_t t = now_ns();
		if (t >= end)
			break;
		struct pollfd pfd = {fd, POLLIN, 0};
		if (poll(&pfd, 1, (int)((end - t) / 1000000 + 1)) <= 0)
			continue;
		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){buf[i], sizeof(buf[i])};
			mm[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iov[i],
							     .msg_iovlen = 1,
							     .msg_control = cbuf[i],
							     .msg_controllen = sizeof(cbuf[i])}};
		}
		int n = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);
		for (int i = 0; i < n; i++) {
			struct probe_hdr h;
			if (mm[i].msg_len < sizeof(h))
				continue;
			memcpy(&h, buf[i], sizeof(h));
			if (h.phase >= PHASES_MAX)
				continue;
			uint64_t rx = now_ns();
			struct cmsghdr *c = CMSG_FIRSTHDR(&mm[i].msg_hdr);
			if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;
				memcpy(&ts, CMSG_DATA(c), sizeof(ts));
				rx = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
			}
			struct phase *p = &ph[h.phase];
			if (!p->frames)
				p->first = rx;
			p->last = rx;
			p->frames++;
			p->bytes += mm[i].msg_len;
			lat_add(p, rx - h.ts);
			if (dump)
				fprintf(dump, "%u %u %llu %lld\n", h.phase, h.seq,
					(unsigned long long)(rx - t_start), (long long)(rx - h.ts));
		}
	}
	for (int k = 0; k < PHASES_MAX; k++) {
		struct phase *p = &ph[k];
		if (!p->frames)
			continue;
		double s = (p->last - p->first) / 1e9;
		/* on the wire: payload + UDP 8 + IPv4 20 + Ethernet 14 */
		double wire = (double)(p->bytes + p->frames * 42) * 8;
		printf("phase=%d frames=%llu fps=%.0f mbps=%.1f", k, (unsigned long long)p->frames,
		       s > 0 ? p->frames / s : 0, s > 0 ? wire / s / 1e6 : 0);
		lat_print(p, 0);
		printf("\n");
	}
}

static void udp_echo(const char *port, double secs)
{
	int fd = sock_bound(SOCK_DGRAM, port);
	struct timeval tv = {0, 200000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	uint8_t buf[2048];
	while (now_ns() < at(secs)) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n > 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
	}
}

static void udp_rtt(const char *ip, const char *port, double rate)
{
	struct sockaddr_in a = addr_of(ip, port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1)
		die("udp socket");
	struct timeval tv = {0, 200000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	uint8_t buf[64] = {0};
	for (int k = 0; k < n_ph; k++) {
		uint64_t step = (uint64_t)(1e9 / rate), seq = 0, lost = 0;
		struct phase *p = &ph[k];
		while (at(p->start) + seq * step < at(p->start + p->dur)) {
			sleep_until(at(p->start) + seq * step);
			struct probe_hdr h = {(uint32_t)k, (uint32_t)seq++, now_ns()}, r;
			memcpy(buf, &h, sizeof(h));
			if (send(fd, buf, sizeof(buf), 0) == -1)
				die("send");
			for (;;) {
				ssize_t n = recv(fd, &r, sizeof(r), 0);
				if (n == -1) {
					lost++;
					break;
				}
				if (n == sizeof(r) && r.seq == h.seq && r.phase == h.phase) {
					lat_add(p, now_ns() - h.ts);
					break;
				}
			}
		}
		printf("phase=%d probes=%llu lost=%llu", k, (unsigned long long)seq,
		       (unsigned long long)lost);
		lat_print(p, 0);
		printf("\n");
		fflush(stdout);
	}
}

static void tcp_sink(const char *port, double secs)
{
	int fd = sock_bound(SOCK_STREAM, port);
	static uint8_t buf[1 << 18];
	if (listen(fd, 4) == -1)
		die("listen");
	while (now_ns() < at(secs)) {
		struct pollfd pfd = {fd, POLLIN, 0};
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		int c = accept(fd, NULL, NULL);
		if (c == -1)
			continue;
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
}

static void tcp_tx(const char *ip, const char *port)
{
	struct sockaddr_in a = addr_of(ip, port);
	static uint8_t buf[1 << 18];
	for (int k = 0; k < n_ph; k++) {
		sleep_until(at(ph[k].start));
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		uint64_t t0 = now_ns(), end = at(ph[k].start + ph[k].dur), bytes = 0;
		if (fd == -1 || connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1)
			die("tcp connect");
		while (now_ns() < end) {
			ssize_t n = write(fd, buf, sizeof(buf));
			if (n <= 0)
				die("write");
			bytes += (uint64_t)n;
		}
		shutdown(fd, SHUT_WR);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		double s = (now_ns() - t0) / 1e9;
		close(fd);
		printf("phase=%d bytes=%llu mbps=%.0f\n", k, (unsigned long long)bytes,
		       bytes * 8 / s / 1e6);
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	t_start = now_ns();
	prctl(PR_SET_TIMERSLACK, 1UL);
	const char *m = argc > 1 ? argv[1] : "";
	if (!strcmp(m, "udp-tx") && argc == 7) {
		phases_parse(argv[6]);
		udp_tx(argv[2], argv[3], atoi(argv[4]), atof(argv[5]));
	} else if (!strcmp(m, "udp-sink") && argc == 4) {
		udp_sink(argv[2], atof(argv[3]));
	} else if (!strcmp(m, "echo") && argc == 4) {
		udp_echo(argv[2], atof(argv[3]));
	} else if (!strcmp(m, "rtt") && argc == 6) {
		phases_parse(argv[5]);
		udp_rtt(argv[2], argv[3], atof(argv[4]));
	} else if (!strcmp(m, "tcp-sink") && argc == 4) {
		tcp_sink(argv[2], atof(argv[3]));
	} else if (!strcmp(m, "tcp-tx") && argc == 5) {
		phases_parse(argv[4]);
		tcp_tx(argv[2], argv[3]);
	} else {
		fprintf(stderr, "usage: see the comment at the top of relay_probe.c\n");
		return 2;
	}
	return 0;
}
