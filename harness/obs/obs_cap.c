/*
 * obs_cap.c - packet capture: one pcapng file per captured network in the run
 * directory (capture-NET.pcapng; with a ring, capture-NET.1.pcapng, .2 ...), written
 * with the block codec of common/pcapng.c.
 *
 * Which frames. Like the wire observer (obs_wire.c, which explains the copies a frame
 * makes in the lab namespace), each frame is kept once: as its sender's port received
 * it. One AF_PACKET socket per network in the lab namespace, with a classic BPF filter
 * that passes only frames that are not PACKET_OUTGOING on one of the network's node
 * ports (a veth's lab side or a guest's tap), cut to the snap length in the kernel.
 * Each port is an interface of the file (an IDB named after its node), so Wireshark's
 * frame.interface_name says who sent a frame. Not the bridge device: a packet socket
 * bound to it sees only what the bridge delivers locally (broadcast, multicast, frames
 * to the bridge itself), never unicast it forwards from port to port. What follows
 * from "as sent":
 *   - a port behind fl-relay (delay, loss, duplicate ...) keeps its ifindex when the
 *     relay takes it off the bridge, so its frames are captured as the node sent them,
 *     before the relay delays, drops or copies them; what the relay emits towards the
 *     bridge leaves from the relay's own veth, which is no node's port: not captured.
 *   - a frame a blackhole or partition filter drops later in the lab is captured;
 *     a port that is down captures nothing.
 *
 * When. A frame's time is the kernel's receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME,
 * the clock pcapng wants), written in nanoseconds (if_tsresol 9). recvmsg() rather
 * than a PACKET_RX_RING: a test lab's rate needs no ring, and the timestamp is the same
 * kernel stamp either way.
 *
 * Faults. Every fault apply and revert (the timeline's events, through a run event tap)
 * becomes a note "faultline: apply #1 blackhole c.public (t=+1.500 s)" on the first
 * frame of each file whose timestamp is at or after the fault's moment, as that
 * frame's opt_comment (tshark: frame.comment; Wireshark: the packet's comment). Notes
 * no frame followed before the capture ended go on an empty frame (length 0) at their
 * own time.
 *
 * Bounded. With max SIZE no file grows past SIZE: a block that does not fit ends the
 * capture (stop: later frames are counted as not written) or, with ring N, begins a
 * new file (the same headers) and removes the oldest beyond N.
 *
 * Why our own writer: libpcap (Debian's 1.10) writes only classic pcap files
 * (pcap_dump), which have no comments and one interface per file; linking it would
 * buy nothing the 150 lines of pcapng.c do not.
 *
 * Recorded: {"src":"capture","ev":"start"} per network with the file, and "real_ns" (the
 * realtime clock at t_ns) that maps a file's times onto the run's; {"ev":"end"} with
 * files, frames, bytes, dropped (the kernel's, PACKET_STATISTICS), not_written (over
 * the cap), cap_reached and comments.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"
#include "jsonl.h"
#include "lab.h"
#include "obs.h"
#include "pcapng.h"
#include "run.h"
#include "scn.h"

#define OBS_CAP_BURST	    256	      /* frames per wake-up, so the loop stays fair */
#define OBS_CAP_RCVBUF	    (8 << 20) /* socket buffer: a burst of a busy run */
#define OBS_CAP_NOTE_MAX    160	      /* one fault note */
#define OBS_CAP_COMMENT_MAX 1024      /* the notes on one frame */
#define OBS_CAP_DRAIN_MAX   100000    /* frames read at the end, at most */
#define OBS_CAP_FILE_MAX    64	      /* a file name */

struct obs_cap_note {
	int64_t real_ns;
	char text[OBS_CAP_NOTE_MAX];
};

struct obs_cap_net {
	struct obs_cap *c;
	int net;
	struct scn_capture cfg;
	int fd;
	int *ifindex; /* the network's ports; a port's index is its interface id */
	int *node;
	int n_ports;
	FILE *f;
	uint64_t file_bytes, hdr_bytes; /* hdr: the SHB and IDBs each file begins with */
	int seq, first_seq; /* ring: the file being written, the oldest kept */
	bool full;	    /* stop: the cap was reached, nothing more is written */
	bool cap_reached;
	uint64_t frames, bytes, dropped, not_written, comments;
	struct obs_cap_note *note;
	size_t n_note;
	uint8_t *frame; /* cfg.snaplen bytes */
	uint8_t *blk;	/* one block */
	size_t blk_cap;
};

struct obs_cap {
	struct run *r;
	struct obs_cap_net *v;
	int n;
	bool done;
};

/* ---- the socket ---- */

struct obs_cap_sock {
	struct sock_fprog prog;
	int fd;
};

/*
 * Pass frames not PACKET_OUTGOING on one of @ifindex[0..n), cut to @snaplen:
 *   0: A = pkttype; 1: A == OUTGOING ? drop : next; 2: A = ifindex;
 *   3..3+n-1: A == ifindex[i] ? accept : next; 3+n: drop; 4+n: accept
 */
static struct sock_filter *obs_cap_bpf(const int *ifindex, int n, uint32_t snaplen)
{
	struct sock_filter *b = calloc((size_t)n + 5, sizeof(*b));

	if (!b || n > 200) { /* jump offsets are 8 bits */
		free(b);
		errno = b ? E2BIG : ENOMEM;
		return NULL;
	}
	b[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE);
	b[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING,
					    (uint8_t)(n + 1), 0);
	b[2] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_IFINDEX);
	for (int i = 0; i < n; i++)
		b[3 + i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							(uint32_t)ifindex[i], (uint8_t)(n - i), 0);
	b[3 + n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	b[4 + n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, snaplen);
	return b;
}

/* Runs inside the lab namespace. Bound to no protocol until the filter is on, so no
 * unfiltered frame is ever queued. */
static int obs_cap_socket(void *arg)
{
	struct obs_cap_sock *k = arg;
	int one = 1, buf = OBS_CAP_RCVBUF, e;
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};

	k->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (k->fd == -1)
		return -1;
	if (setsockopt(k->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) == -1)
		setsockopt(k->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf)); /* a hint */
	if (setsockopt(k->fd, SOL_SOCKET, SO_ATTACH_FILTER, &k->prog, sizeof(k->prog)) == -1 ||
	    setsockopt(k->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) == -1 ||
	    setsockopt(k->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) == -1 ||
	    bind(k->fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		e = errno;
		close(k->fd);
		k->fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

static int obs_cap_net_socket(struct obs_cap_net *n, struct lab *lab)
{
	struct obs_cap_sock k = {.fd = -1};
	struct sock_filter *b = obs_cap_bpf(n->ifindex, n->n_ports, n->cfg.snaplen);

	if (!b)
		return -1;
	k.prog = (struct sock_fprog){(unsigned short)(n->n_ports + 5), b};
	int rc = lab_in_netns(lab_netns_fd(lab), obs_cap_socket, &k), e = errno;
	free(b);
	n->fd = k.fd;
	errno = e;
	return rc;
}

/* ---- the files ---- */

static void obs_cap_file_name(const struct obs_cap_net *n, int seq, char *buf, size_t len)
{
	const char *net = run_scn(n->c->r)->networks[n->net].name;

	if (n->cfg.ring)
		snprintf(buf, len, "capture-%s.%d.pcapng", net, seq);
	else
		snprintf(buf, len, "capture-%s.pcapng", net);
}

/* Write the block of @len bytes at @b to the file. */
static int obs_cap_write(struct obs_cap_net *n, const uint8_t *b, size_t len)
{
	if (!len || fwrite(b, 1, len, n->f) != len)
		return errno = len ? EIO : EOVERFLOW, -1;
	n->file_bytes += len;
	return 0;
}

/* Open file number @seq and write its Section Header and one IDB per port (in a
 * buffer of their own: n->blk may hold the frame that made a ring turn). */
static int obs_cap_file_open(struct obs_cap_net *n, int seq)
{
	const struct scn *s = run_scn(n->c->r);
	char name[OBS_CAP_FILE_MAX], path[4096];
	uint8_t hdr[128]; /* an SHB or an IDB: names are at most SCN_NAME_MAX */

	obs_cap_file_name(n, seq, name, sizeof(name));
	if (run_path(n->c->r, name, path, sizeof(path)) == -1)
		return -1;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		return -1;
	if (!(n->f = fdopen(fd, "w"))) {
		close(fd);
		return -1;
	}
	setvbuf(n->f, NULL, _IOFBF, 64 << 10);
	n->seq = seq;
	n->file_bytes = 0;
	if (obs_cap_write(n, hdr, pcapng_shb(hdr, sizeof(hdr), "faultline " FL_VERSION)) == -1)
		return -1;
	for (int i = 0; i < n->n_ports; i++)
		if (obs_cap_write(n, hdr,
				  pcapng_idb(hdr, sizeof(hdr), n->cfg.snaplen,
					     s->nodes[n->node[i]].name)) == -1)
			return -1;
	n->hdr_bytes = n->file_bytes;
	return 0;
}

static int obs_cap_file_close(struct obs_cap_net *n)
{
	int rc = 0;

	if (n->f && fclose(n->f) == EOF)
		rc = -1;
	n->f = NULL;
	return rc;
}

/* Ring: the next file; the oldest goes when there are more than cfg.ring. */
static int obs_cap_rotate(struct obs_cap_net *n)
{
	char name[OBS_CAP_FILE_MAX], path[4096];

	if (obs_cap_file_close(n) == -1 || obs_cap_file_open(n, n->seq + 1) == -1)
		return -1;
	while (n->seq - n->first_seq + 1 > n->cfg.ring) {
		obs_cap_file_name(n, n->first_seq++, name, sizeof(name));
		if (run_path(n->c->r, name, path, sizeof(path)) == 0)
			unlink(path);
	}
	return 0;
}

/* Write the block in n->blk under the cap: 0 written, 1 not (stop: the cap was
 * reached), -1 with errno. */
static int obs_cap_put(struct obs_cap_net *n, size_t len)
{
	if (!n->f || n->full)
		return 1;
	if (n->cfg.max && n->file_bytes + len > n->cfg.max) {
		n->cap_reached = true;
		if (!n->cfg.ring)
			return (n->full = true), 1;
		if (n->hdr_bytes + len > n->cfg.max)
			return 1; /* too big for any file: a new one would not hold it either */
		if (obs_cap_rotate(n) == -1)
			return -1;
	}
	return obs_cap_write(n, n->blk, len);
}

/* ---- notes and frames ---- */

/* The notes due at @ts_ns joined into @buf (how many in *@k); NULL when none. */
static const char *obs_cap_notes_due(const struct obs_cap_net *n, uint64_t ts_ns, char *buf,
				     size_t len, size_t *k)
{
	size_t at = 0;

	for (*k = 0; *k < n->n_note && (uint64_t)n->note[*k].real_ns <= ts_ns; (*k)++)
		if (at < len)
			at += (size_t)snprintf(buf + at, len - at, "%s%s", *k ? "; " : "",
					       n->note[*k].text);
	return *k ? buf : NULL;
}

static void obs_cap_notes_drop(struct obs_cap_net *n, size_t k)
{
	if (!k)
		return;
	memmove(n->note, n->note + k, (n->n_note - k) * sizeof(*n->note));
	n->n_note -= k;
	n->comments += k;
}

/* One frame of n->frame from port @port into the file. */
static void obs_cap_frame(struct obs_cap_net *n, int port, uint64_t ts_ns, uint32_t caplen,
			  uint32_t origlen)
{
	char text[OBS_CAP_COMMENT_MAX];
	size_t k;
	const char *comment = obs_cap_notes_due(n, ts_ns, text, sizeof(text), &k);
	size_t len = pcapng_epb(n->blk, n->blk_cap, (uint32_t)port, ts_ns, n->frame, caplen,
				origlen, comment);

	if (obs_cap_put(n, len) != 0) {
		n->not_written++;
		return;
	}
	n->frames++;
	n->bytes += caplen;
	obs_cap_notes_drop(n, k);
}

static int obs_cap_port(const struct obs_cap_net *n, int ifindex)
{
	for (int i = 0; i < n->n_ports; i++)
		if (n->ifindex[i] == ifindex)
			return i;
	return -1;
}

/* Realtime ns of the frame in @msg, and its length before the snap (auxdata). */
static uint64_t obs_cap_meta(struct msghdr *msg, uint32_t *origlen)
{
	struct timespec ts;
	uint64_t t = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			t = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		} else if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
			struct tpacket_auxdata aux;
			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			*origlen = aux.tp_len;
		}
	}
	if (!t) { /* no stamp (cannot happen with SO_TIMESTAMPNS on): now */
		clock_gettime(CLOCK_REALTIME, &ts);
		t = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	return t;
}

/* Read up to @max frames; how many were read. */
static int obs_cap_drain(struct obs_cap_net *n, int max)
{
	union {
		char b[CMSG_SPACE(sizeof(struct timespec)) +
		       CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		struct cmsghdr align;
	} ctl;
	int i;

	for (i = 0; i < max; i++) {
		struct sockaddr_ll sll;
		struct iovec iov = {n->frame, n->cfg.snaplen};
		struct msghdr msg = {.msg_name = &sll,
				     .msg_namelen = sizeof(sll),
				     .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = ctl.b,
				     .msg_controllen = sizeof(ctl.b)};
		ssize_t got = recvmsg(n->fd, &msg, MSG_DONTWAIT);
		if (got == -1)
			break; /* EAGAIN, or an error the next wake-up sees again */
		uint32_t origlen = (uint32_t)got;
		uint64_t ts = obs_cap_meta(&msg, &origlen);
		int port = obs_cap_port(n, sll.sll_ifindex);
		if (port >= 0 && sll.sll_pkttype != PACKET_OUTGOING) /* the filter said so too */
			obs_cap_frame(n, port, ts, (uint32_t)got,
				      origlen < got ? (uint32_t)got : origlen);
	}
	return i;
}

static void obs_cap_read(struct ev_loop *loop, int fd, uint32_t events, void *arg)
{
	(void)loop;
	(void)fd;
	(void)events;
	obs_cap_drain(arg, OBS_CAP_BURST);
}

/* The timeline's apply and revert, as a note for every file. */
static void obs_cap_tap(void *arg, int64_t t_ns, const char *src, const char *ev, const json_t *o)
{
	struct obs_cap *c = arg;
	struct timespec real, mono;

	if (strcmp(src, "timeline") || (strcmp(ev, "apply") && strcmp(ev, "revert")))
		return;
	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	int64_t off =
	    ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000 + (real.tv_nsec - mono.tv_nsec);
	struct obs_cap_note note = {.real_ns = t_ns + off};
	snprintf(note.text, sizeof(note.text), "faultline: %s #%lld %s %s (t=+%.3f s)", ev,
		 (long long)jsonl_get_int(o, "id", 0), jsonl_get_str(o, "fault"),
		 jsonl_get_str(o, "target"), (double)(t_ns - run_t0(c->r)) / 1e9);
	for (int i = 0; i < c->n; i++) {
		struct obs_cap_net *n = &c->v[i];
		void *p = realloc(n->note, (n->n_note + 1) * sizeof(*n->note));
		if (!p)
			continue; /* the note is lost; the event is in events.jsonl */
		n->note = p;
		n->note[n->n_note++] = note;
	}
}

/* ---- start and end ---- */

static json_t *obs_cap_files(const struct obs_cap_net *n)
{
	json_t *a = json_array();
	char name[OBS_CAP_FILE_MAX];

	for (int s = n->first_seq; a && s <= n->seq; s++) {
		obs_cap_file_name(n, s, name, sizeof(name));
		json_array_append_new(a, json_string(name));
	}
	return a;
}

/* Drain, place the notes left, close, and say what was captured. */
static void obs_cap_net_end(struct obs_cap_net *n)
{
	struct tpacket_stats st;
	socklen_t sl = sizeof(st);

	if (n->fd >= 0) {
		obs_cap_drain(n, OBS_CAP_DRAIN_MAX);
		if (getsockopt(n->fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) == 0)
			n->dropped += st.tp_drops;
		ev_fd_del(run_loop(n->c->r), n->fd);
		close(n->fd);
		n->fd = -1;
	}
	while (n->n_note) { /* no frame came after these: an empty frame each */
		size_t len = pcapng_epb(n->blk, n->blk_cap, 0, (uint64_t)n->note[0].real_ns, NULL,
					0, 0, n->note[0].text);
		if (obs_cap_put(n, len) != 0)
			break;
		obs_cap_notes_drop(n, 1);
	}
	bool ok = obs_cap_file_close(n) == 0;
	run_event_obj(n->c->r, ev_now_ns(), "capture", "end",
		      json_pack("{s:o,s:o,s:I,s:I,s:I,s:I,s:b,s:I,s:I,s:i,s:I,s:b}", "net",
				jsonl_str(run_scn(n->c->r)->networks[n->net].name), "files",
				obs_cap_files(n), "frames", (json_int_t)n->frames, "bytes",
				(json_int_t)n->bytes, "dropped", (json_int_t)n->dropped,
				"not_written", (json_int_t)n->not_written, "cap_reached",
				n->cap_reached, "comments", (json_int_t)n->comments, "max",
				(json_int_t)n->cfg.max, "ring", n->cfg.ring, "snaplen",
				(json_int_t)n->cfg.snaplen, "write_ok", ok));
}

void obs_cap_finish(struct obs_cap *c)
{
	if (!c || c->done)
		return;
	c->done = true;
	run_event_untap(c->r, obs_cap_tap, c);
	for (int i = 0; i < c->n; i++)
		obs_cap_net_end(&c->v[i]);
}

static void obs_cap_free(void *arg)
{
	struct obs_cap *c = arg;

	obs_cap_finish(c);
	for (int i = 0; i < c->n; i++) {
		free(c->v[i].ifindex);
		free(c->v[i].node);
		free(c->v[i].note);
		free(c->v[i].frame);
		free(c->v[i].blk);
	}
	free(c->v);
	free(c);
}

/* The ports of network @n->net, its buffers. */
static int obs_cap_net_init(struct obs_cap_net *n, const struct scn *s, const struct lab *lab)
{
	n->ifindex = calloc((size_t)s->n_nodes + 1, sizeof(int));
	n->node = calloc((size_t)s->n_nodes + 1, sizeof(int));
	n->blk_cap = pcapng_epb_len(n->cfg.snaplen, NULL) + 8 + OBS_CAP_COMMENT_MAX + 64;
	n->frame = malloc(n->cfg.snaplen);
	n->blk = malloc(n->blk_cap);
	if (!n->ifindex || !n->node || !n->frame || !n->blk)
		return -1;
	for (int k = 0; k < s->n_nodes; k++) {
		int ifindex = lab_port_ifindex(lab, k, n->net);
		if (ifindex > 0) {
			n->ifindex[n->n_ports] = ifindex;
			n->node[n->n_ports++] = k;
		}
	}
	return 0;
}

static int obs_cap_net_start(struct obs_cap_net *n, struct lab *lab)
{
	const struct scn *s = run_scn(n->c->r);
	struct timespec real;
	char name[OBS_CAP_FILE_MAX];

	if (obs_cap_net_init(n, s, lab) == -1 || obs_cap_file_open(n, 1) == -1 ||
	    obs_cap_net_socket(n, lab) == -1 ||
	    ev_fd_add(run_loop(n->c->r), n->fd, EPOLLIN, obs_cap_read, n) == -1)
		return -1;
	n->first_seq = 1;
	int64_t mono = ev_now_ns();
	clock_gettime(CLOCK_REALTIME, &real);
	obs_cap_file_name(n, 1, name, sizeof(name));
	run_event_obj(n->c->r, mono, "capture", "start",
		      json_pack("{s:o,s:s,s:I,s:I,s:I,s:i,s:i}", "net",
				jsonl_str(s->networks[n->net].name), "file", name, "real_ns",
				(json_int_t)real.tv_sec * 1000000000 + real.tv_nsec, "snaplen",
				(json_int_t)n->cfg.snaplen, "max", (json_int_t)n->cfg.max, "ring",
				n->cfg.ring, "ports", n->n_ports));
	return 0;
}

struct obs_cap *obs_cap_start(struct run *r, char *err, size_t len)
{
	const struct scn *s = run_scn(r);
	struct lab *lab = run_lab(r);
	struct obs_cap *c = calloc(1, sizeof(*c));

	if (!c || !(c->v = calloc((size_t)s->n_networks + 1, sizeof(*c->v)))) {
		free(c);
		snprintf(err, len, "capture: %s", strerror(ENOMEM));
		return NULL;
	}
	c->r = r;
	if (run_defer(r, obs_cap_free, c, "capture") == -1) {
		snprintf(err, len, "capture: %s", strerror(errno));
		free(c->v);
		free(c);
		return NULL;
	}
	for (int k = 0; k < s->n_networks; k++) {
		if (!s->networks[k].capture.on)
			continue;
		struct obs_cap_net *n = &c->v[c->n++];
		*n =
		    (struct obs_cap_net){.c = c, .net = k, .cfg = s->networks[k].capture, .fd = -1};
		if (!lab || obs_cap_net_start(n, lab) == -1) {
			snprintf(err, len, "capture of %s: %s", s->networks[k].name,
				 lab ? strerror(errno) : "no lab");
			return NULL; /* the teardown list frees what was started */
		}
	}
	if (c->n && run_event_tap(r, obs_cap_tap, c) == -1) {
		snprintf(err, len, "capture: fault notes: %s", strerror(errno));
		return NULL;
	}
	return c;
}
