/*
 * cmd_live.c - 'faultline ps', 'exec', 'shell' and 'inject': a look inside a live run
 * through its control socket (harness/run/run_ctl.h has the protocol).
 *
 * Live runs are found without any registry (which a kill -9 would leave behind): the
 * kernel lists every bound unix socket in /proc/net/unix, and a listening one whose
 * path ends in /control.sock is asked "hello"; what answers is a live run. RUN is a
 * run directory, its control.sock, or the scenario name of exactly one live run.
 *
 * exec and shell into a netns node: the run hands over the node's namespace fd
 * (SCM_RIGHTS), this process enters it (lab_netns_enter) and execs the command, so
 * its exit status is the command's own. Into a qemu node: the run relays the command
 * to the guest's agent ("run": to its end, at most 10 s, 64 KiB of output, no
 * standard input); shell gets a terminal session there (the agent's "pty"), relayed
 * by the run: this terminal in raw mode, keys and resizes one way, output the other.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "sockpath.h"
#include "agent_proto.h"
#include "cmd.h"
#include "jsonl.h"
#include "lab.h"
#include "run_ctl.h"

#define LIVE_MAX 64 /* live runs listed by ps / searched by name */

/* One request to the socket at @path: the reply object (caller frees) and, when the
 * reply carried one, a file descriptor in *@fd (else -1). NULL with @err on failure. */
static json_t *live_call(const char *path, json_t *req, int *fd, char *err, size_t len)
{
	char *text = json_dumps(req, JSON_COMPACT), *buf = malloc(RUN_CTL_REPLY_MAX + 1);
	char cbuf[CMSG_SPACE(sizeof(int))];
	size_t got = 0;
	json_t *rep = NULL;
	int s = -1;

	json_decref(req);
	if (fd)
		*fd = -1;
	if (!text || !buf) {
		snprintf(err, len, "out of memory");
		goto out;
	}
	s = sockpath_connect(path, SOCK_CLOEXEC);
	if (s == -1) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		goto out;
	}
	size_t n = strlen(text);
	text[n] = '\n';
	if (write(s, text, n + 1) != (ssize_t)(n + 1)) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		goto out;
	}
	while (got < RUN_CTL_REPLY_MAX && !memchr(buf, '\n', got)) {
		struct iovec iov = {buf + got, RUN_CTL_REPLY_MAX - got};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		ssize_t r = recvmsg(s, &mh, MSG_CMSG_CLOEXEC);
		if (r <= 0)
			break;
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS && fd)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
		got += (size_t)r;
	}
	rep = jsonl_line_parse(buf, got);
	if (!json_is_object(rep)) {
		json_decref(rep);
		rep = NULL;
		snprintf(err, len, "%s: no answer (the run may have ended)", path);
	}
out:
	if (s >= 0)
		close(s);
	free(text);
	free(buf);
	return rep;
}

/* The reply's error as the user's message, or NULL when it says ok. */
static const char *live_error(const json_t *rep)
{
	return json_is_true(json_object_get(rep, "ok")) ? NULL : jsonl_get_str(rep, "error");
}

/* Every listening socket path ending in /control.sock (from /proc/net/unix). */
static int live_socks(char (*paths)[PATH_MAX], int max)
{
	FILE *f = fopen("/proc/net/unix", "r");
	char line[PATH_MAX + 128];
	int n = 0;

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		unsigned long flags = 0;
		char path[PATH_MAX] = "";
		/* Num RefCount Protocol Flags Type St Inode Path */
		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %4095s", &flags, path) != 2)
			continue;
		size_t l = strlen(path), k = strlen("/" RUN_CTL_SOCK);
		if (!(flags & 0x10000) || l < k || strcmp(path + l - k, "/" RUN_CTL_SOCK))
			continue; /* 0x10000: __SO_ACCEPTCON, a listening socket */
		bool dup = false;
		for (int i = 0; i < n; i++)
			dup |= !strcmp(paths[i], path);
		if (!dup)
			snprintf(paths[n++], PATH_MAX, "%s", path);
	}
	fclose(f);
	return n;
}

static json_t *live_hello(const char *path, char *err, size_t len)
{
	return live_call(path, json_pack("{s:s}", "op", "hello"), NULL, err, len);
}

/* RUN into the path of its socket and its hello; NULL after saying why on stderr. */
static json_t *live_find(const char *cmd, const char *run, char *path, size_t len)
{
	char err[512], (*socks)[PATH_MAX] = calloc(LIVE_MAX, PATH_MAX);
	struct stat st;
	json_t *found = NULL;
	int n_found = 0;

	if (!socks)
		return NULL;
	if (stat(run, &st) == 0) {
		snprintf(path, len, S_ISDIR(st.st_mode) ? "%s/" RUN_CTL_SOCK : "%s", run);
		found = live_hello(path, err, sizeof(err));
		if (!found)
			fprintf(stderr, "faultline %s: %s: no live run there (%s)\n", cmd, run,
				err);
		free(socks);
		return found;
	}
	int n = live_socks(socks, LIVE_MAX);
	for (int i = 0; i < n; i++) {
		json_t *h = live_hello(socks[i], err, sizeof(err));
		if (!h || strcmp(jsonl_get_str(h, "scenario"), run)) {
			json_decref(h);
			continue;
		}
		if (n_found++ == 0) {
			found = h;
			snprintf(path, len, "%s", socks[i]);
			continue;
		}
		if (n_found == 2)
			fprintf(stderr,
				"faultline %s: several live runs of %s; name one by its "
				"directory:\n  %s\n",
				cmd, run, jsonl_get_str(found, "dir"));
		fprintf(stderr, "  %s\n", jsonl_get_str(h, "dir"));
		json_decref(h);
	}
	free(socks);
	if (n_found == 1)
		return found;
	json_decref(found);
	if (n_found == 0)
		fprintf(stderr,
			"faultline %s: no live run directory or scenario '%s' "
			"('faultline ps' lists the live runs)\n",
			cmd, run);
	return NULL;
}

static void ps_print(const json_t *h)
{
	size_t i;
	json_t *node;

	printf("%s  pid %lld  %s  %s\n", jsonl_get_str(h, "scenario"),
	       (long long)jsonl_get_int(h, "pid", 0), jsonl_get_str(h, "state"),
	       jsonl_get_str(h, "dir"));
	json_array_foreach(json_object_get(h, "nodes"), i, node)
	{
		json_t *a;
		size_t k;
		printf("  %-12s %-6s", jsonl_get_str(node, "name"), jsonl_get_str(node, "kind"));
		json_array_foreach(json_object_get(node, "addrs"), k, a)
		    printf(" %s", json_string_value(a));
		putchar('\n');
	}
}

int cmd_ps(int argc, char **argv)
{
	char err[512], (*socks)[PATH_MAX];
	int shown = 0;

	if (argc > 1) {
		bool help = !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h");
		fprintf(
		    help ? stdout : stderr,
		    "usage: faultline ps\n\nList the live runs on this machine (running or held "
		    "with 'run --hold'), with their nodes and addresses. Needs root.\n");
		return help ? FL_EXIT_OK : FL_EXIT_INPUT;
	}
	if (!(socks = calloc(LIVE_MAX, PATH_MAX)))
		return FL_EXIT_HOST;
	int n = live_socks(socks, LIVE_MAX);
	for (int i = 0; i < n; i++) {
		json_t *h = live_hello(socks[i], err, sizeof(err));
		if (h && !live_error(h)) {
			ps_print(h);
			shown++;
		}
		json_decref(h);
	}
	free(socks);
	if (!shown)
		printf("no live runs\n");
	return FL_EXIT_OK;
}

/* The kind of node @name in hello @h ("netns", "qemu"), or NULL after saying so. */
static const char *live_node_kind(const char *cmd, const json_t *h, const char *name)
{
	size_t i;
	json_t *node;
	char names[512] = "";
	size_t at = 0;

	json_array_foreach(json_object_get(h, "nodes"), i, node)
	{
		if (!strcmp(jsonl_get_str(node, "name"), name))
			return jsonl_get_str(node, "kind");
		if (at < sizeof(names))
			at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s",
					       i ? ", " : "", jsonl_get_str(node, "name"));
	}
	fprintf(stderr, "faultline %s: run %s has no node '%s' (nodes: %s)\n", cmd,
		jsonl_get_str(h, "scenario"), name, names);
	return NULL;
}

/* Into @node's namespace, then exec @argv: returns only on failure (an exit status). */
static int live_enter_exec(const char *cmd, const char *path, const char *node, char **argv,
			   const json_t *h)
{
	char err[512];
	int fd;
	json_t *rep = live_call(path, json_pack("{s:s,s:s}", "op", "netns", "node", node), &fd, err,
				sizeof(err));

	if (!rep || live_error(rep) || fd < 0) {
		const char *why = !rep		    ? err
				  : live_error(rep) ? jsonl_get_str(rep, "error")
						    : "no namespace came back";
		fprintf(stderr, "faultline %s: %s\n", cmd, why);
		json_decref(rep);
		return FL_EXIT_HOST;
	}
	json_decref(rep);
	if (lab_netns_enter(fd) == -1) {
		fprintf(stderr, "faultline %s: entering %s: %s\n", cmd, node, strerror(errno));
		return FL_EXIT_HOST;
	}
	close(fd);
	setenv("FL_RUN", jsonl_get_str(h, "dir"), 1);
	setenv("FL_NODE", node, 1);
	execvp(argv[0], argv);
	fprintf(stderr, "faultline %s: %s: %s\n", cmd, argv[0], strerror(errno));
	return 127;
}

/* @argv run in guest @node through the run's relay; its output to stdout; its status. */
static int live_guest_run(const char *cmd, const char *path, const char *node, char **argv)
{
	char err[512];
	json_t *a = json_array();

	for (int i = 0; a && argv[i]; i++)
		json_array_append_new(a, jsonl_str(argv[i]));
	json_t *rep =
	    live_call(path, json_pack("{s:s,s:s,s:o}", "op", "run", "node", node, "argv", a), NULL,
		      err, sizeof(err));
	if (!rep || live_error(rep)) {
		fprintf(stderr, "faultline %s: %s\n", cmd, rep ? jsonl_get_str(rep, "error") : err);
		json_decref(rep);
		return FL_EXIT_HOST;
	}
	const json_t *out = json_object_get(rep, "output");
	fwrite(json_string_value(out), 1, json_string_length(out), stdout);
	fflush(stdout);
	int st = (int)jsonl_get_int(rep, "status", 1);
	json_decref(rep);
	return st < 0 ? 1 : st;
}

static int live_usage(const char *cmd, const char *args, const char *what, bool help)
{
	fprintf(help ? stdout : stderr, "usage: faultline %s %s\n\n%s\n", cmd, args, what);
	return help ? FL_EXIT_OK : FL_EXIT_INPUT;
}

static bool is_help(int argc, char **argv)
{
	return argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
}

#define EXEC_WHAT                                                                                  \
	"Run COMMAND inside node NODE of a live run (RUN: its run directory or its\n"              \
	"scenario name): a netns node in its namespaces, its exit status passed through;\n"        \
	"a qemu node through its agent (to its end, at most 10 s and 64 KiB of output,\n"          \
	"stdout and stderr together, no standard input). Needs root."

int cmd_exec(int argc, char **argv)
{
	char path[PATH_MAX];
	int dd = 3;

	if (is_help(argc, argv))
		return live_usage("exec", "RUN NODE -- COMMAND...", EXEC_WHAT, true);
	if (argc > 3 && strcmp(argv[3], "--"))
		dd = 2; /* "--" may be left out */
	if (argc < 4 || (dd == 3 && argc < 5))
		return live_usage("exec", "RUN NODE -- COMMAND...", EXEC_WHAT, false);
	json_t *h = live_find("exec", argv[1], path, sizeof(path));
	const char *kind = h ? live_node_kind("exec", h, argv[2]) : NULL;
	int rc = FL_EXIT_INPUT;
	if (kind && !strcmp(kind, "netns"))
		rc = live_enter_exec("exec", path, argv[2], argv + dd + 1, h);
	else if (kind)
		rc = live_guest_run("exec", path, argv[2], argv + dd + 1);
	json_decref(h);
	return rc;
}

/* A connected stream socket to @path, or -1 with why in @err. */
static int live_connect(const char *path, char *err, size_t len)
{
	int s = sockpath_connect(path, SOCK_CLOEXEC);

	if (s == -1) {
		snprintf(err, len, "%.300s: %s", path, strerror(errno));
		return -1;
	}
	return s;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The session's lines from the run: output, and at the end "x STATUS" (its status
 * in *@st, 1 returned). 0 to go on, -1 when the run went away. */
static int guest_pty_lines(int s, struct agent_rbuf *rb, int *st)
{
	size_t room;
	char *p = agent_rbuf_space(rb, &room), *line;
	ssize_t n = read(s, p, room);

	if (n <= 0)
		return -1;
	agent_rbuf_commit(rb, (size_t)n);
	while ((line = agent_rbuf_line(rb)) || errno == E2BIG) {
		if (!line)
			continue;
		if (line[0] == 'o' && line[1] == ' ') {
			int l = agent_word_decode(line + 2);
			if (l > 0 && write_all(STDOUT_FILENO, line + 2, (size_t)l) == -1)
				return -1;
		} else if (sscanf(line, "x %d", st) == 1) {
			return 1;
		}
	}
	return 0;
}

/* Typed bytes (at most 1024 a line: encoded they stay within the run's 4096) and
 * terminal resizes to the run. 0, or -1 at the end of standard input. */
static int guest_pty_input(int s, int sfd)
{
	char buf[1024], line[3 * sizeof(buf) + 8];
	struct winsize ws;
	struct signalfd_siginfo si;

	if (sfd >= 0 && read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) {
			int n = snprintf(line, sizeof(line), "w %d %d\n", ws.ws_row, ws.ws_col);
			write_all(s, line, (size_t)n);
		}
		return 0;
	}
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n <= 0)
		return -1;
	memcpy(line, "i ", 2);
	int w = agent_word_encode(buf, (size_t)n, line + 2, sizeof(line) - 3);
	if (w < 0)
		return 0;
	line[2 + w] = '\n';
	return write_all(s, line, (size_t)w + 3) == -1 ? -1 : 0;
}

/* The relay of a guest's terminal session: raw terminal here, the program's own pty
 * there. Returns the program's exit status. */
static int guest_pty_relay(int s, int sfd)
{
	static struct agent_rbuf rb;
	bool in_open = true;
	int st = 1;

	agent_rbuf_init(&rb);
	for (;;) {
		struct pollfd p[3] = {{.fd = s, .events = POLLIN},
				      {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN},
				      {.fd = sfd, .events = POLLIN}};
		if (poll(p, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			return FL_EXIT_HOST;
		}
		if (p[0].revents) {
			int r = guest_pty_lines(s, &rb, &st);
			if (r)
				return r > 0 ? st : FL_EXIT_HOST;
		}
		if ((p[1].revents || p[2].revents) &&
		    guest_pty_input(s, p[2].revents ? sfd : -1) == -1)
			in_open = false; /* the program sees no more input; its exit ends this */
	}
}

/* A guest's shell: /bin/sh -i on a terminal of its own through the run and the
 * guest's agent; this terminal in raw mode meanwhile. */
static int live_guest_shell(const char *path, const char *node)
{
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	struct termios saved, raw;
	char err[512], line[RUN_CTL_REQ_MAX];
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	int s = live_connect(path, err, sizeof(err));

	if (s == -1) {
		fprintf(stderr, "faultline shell: %s\n", err);
		return FL_EXIT_HOST;
	}
	if (tty)
		ioctl(STDIN_FILENO, TIOCGWINSZ, &ws);
	int n = snprintf(line, sizeof(line),
			 "{\"op\":\"pty\",\"node\":\"%s\",\"rows\":%d,\"cols\":%d,"
			 "\"argv\":[\"/bin/sh\",\"-i\"]}\n",
			 node, ws.ws_row ? ws.ws_row : 24, ws.ws_col ? ws.ws_col : 80);
	/* the first line back: {"ok":true} or the error */
	size_t got = 0;
	char rep[RUN_CTL_REQ_MAX];
	if (write_all(s, line, (size_t)n) == -1) {
		close(s);
		return FL_EXIT_HOST;
	}
	while (got < sizeof(rep) - 1 && !memchr(rep, '\n', got)) {
		ssize_t r = read(s, rep + got, 1); /* byte by byte: the stream follows it */
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	json_t *o = jsonl_line_parse(rep, got);
	if (!json_is_object(o) || live_error(o)) {
		fprintf(stderr, "faultline shell: %s\n",
			json_is_object(o) ? jsonl_get_str(o, "error") : "no answer from the run");
		json_decref(o);
		close(s);
		return FL_EXIT_HOST;
	}
	json_decref(o);
	fprintf(stderr,
		"faultline shell: node %s (guest), a terminal through its agent; "
		"'exit' leaves\r\n",
		node);
	sigset_t winch;
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	sigprocmask(SIG_BLOCK, &winch, NULL);
	int sfd = tty ? signalfd(-1, &winch, SFD_CLOEXEC) : -1;
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	int st = guest_pty_relay(s, sfd);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (sfd >= 0)
		close(sfd);
	close(s);
	return st;
}

#define SHELL_WHAT                                                                                 \
	"An interactive shell inside node NODE of a live run (RUN: its run directory or\n"         \
	"its scenario name): a netns node gets $SHELL (or /bin/sh) in its namespaces, with\n"      \
	"FL_RUN and FL_NODE set; a qemu node /bin/sh -i on a terminal of its own in the\n"         \
	"guest, through the run and the guest's agent (this terminal in raw mode).\n"              \
	"Needs root."

int cmd_shell(int argc, char **argv)
{
	char path[PATH_MAX];

	if (is_help(argc, argv))
		return live_usage("shell", "RUN NODE", SHELL_WHAT, true);
	if (argc != 3)
		return live_usage("shell", "RUN NODE", SHELL_WHAT, false);
	json_t *h = live_find("shell", argv[1], path, sizeof(path));
	const char *kind = h ? live_node_kind("shell", h, argv[2]) : NULL;
	int rc = FL_EXIT_INPUT;
	if (kind && !strcmp(kind, "netns")) {
		char *sh = getenv("SHELL");
		fprintf(stderr, "faultline shell: node %s of %s; 'exit' leaves\n", argv[2],
			jsonl_get_str(h, "dir"));
		rc = live_enter_exec("shell", path, argv[2],
				     (char *[]){sh && *sh ? sh : "/bin/sh", NULL}, h);
	} else if (kind) {
		rc = live_guest_shell(path, argv[2]);
	}
	json_decref(h);
	return rc;
}

#define INJECT_WHAT                                                                                \
	"Fire FAULT now in a live run (RUN: its run directory or its scenario name),\n"            \
	"written as in a timeline statement after its time: \"blackhole web1.lan for 2s\",\n"      \
	"\"kill web1 web\", \"loss any(a,b).lan 30% for 1s..3s\". The run applies it, reverts\n"   \
	"it after its 'for' (without one: when the run ends) and records it in\n"                  \
	"events.jsonl marked \"by\":\"hand\". Needs root."

int cmd_inject(int argc, char **argv)
{
	char path[PATH_MAX], err[512];

	if (is_help(argc, argv))
		return live_usage("inject", "RUN \"FAULT [for D]\"", INJECT_WHAT, true);
	if (argc != 3)
		return live_usage("inject", "RUN \"FAULT [for D]\"", INJECT_WHAT, false);
	json_t *h = live_find("inject", argv[1], path, sizeof(path));
	if (!h)
		return FL_EXIT_INPUT;
	json_decref(h);
	json_t *rep = live_call(path, json_pack("{s:s,s:s}", "op", "inject", "fault", argv[2]),
				NULL, err, sizeof(err));
	if (!rep || live_error(rep)) {
		fprintf(stderr, "faultline inject: %s\n", rep ? jsonl_get_str(rep, "error") : err);
		json_decref(rep);
		return rep ? FL_EXIT_INPUT : FL_EXIT_HOST;
	}
	printf("%s\n", jsonl_get_str(rep, "msg"));
	json_decref(rep);
	return FL_EXIT_OK;
}
