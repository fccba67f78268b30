/*
 * scn_int.h - internals shared by the scn_*.c files (not for other modules).
 *
 * The pipeline: scn_lex.c cuts the text into logical lines (comments removed,
 * continuations joined, every byte mapped back to the line and column it was written
 * at), substitutes ${param} and splits a line into tokens. scn_parse.c, scn_svc.c (with
 * one scn_svc_<kind>.c per service kind) and scn_fault.c turn the tokens of one
 * statement into the model; scn_validate.c runs the checks that need the whole file
 * (address hand-out, times against the duration, ha defaults). Every error goes
 * through scn_fail() and stops the parse.
 */
#ifndef FL_SCN_INT_H
#define FL_SCN_INT_H

#include <stdarg.h>

#include "scn.h"

/* One logical line, before ${} substitution. */
struct scn_line {
	char *text;          /* NUL-terminated; comments removed, continuations joined */
	struct scn_loc *map; /* where each byte of text was written; map[len] is the end */
	size_t len;
};

struct scn_tok {
	char *text;                /* unescaped, NUL-terminated */
	struct scn_loc loc;        /* first character (the quote of a string) */
	const struct scn_loc *map; /* per byte of text for unquoted tokens, else NULL */
	size_t off;                /* byte offset in the substituted line */
	bool quoted;
};

/* The tokens of the statement being parsed, and a cursor over them. */
struct scn_toks {
	struct scn_tok *v;
	int n;
	int pos;
	struct scn_loc end;  /* just past the last character of the line */
	char *line;          /* the substituted line the tokens came from */
	struct scn_loc *map; /* loc of each byte of line */
	char *buf;           /* token text storage */
};

/* Per timeline statement: where its times were written, checked once the duration is known. */
struct scn_ev_locs {
	struct scn_loc at, from, until;
	bool has_from, has_until;
};

/* Per service: what the final pass needs to know about how it was written. */
struct scn_svc_locs {
	struct scn_loc vip;
	bool ha_given;
};

struct scn_p {
	struct scn *s;
	struct scn_err *err;
	struct scn_toks t;
	struct scn_loc scenario_loc;
	bool has_scenario;
	bool has_duration;
	bool has_seed;
	struct scn_ev_locs *ev_locs; /* parallel to s->events */
	struct scn_svc_locs *svc_locs; /* parallel to s->services */
};

/* scn_lex.c */
int scn_lines_split(const char *file, const char *text, size_t len, struct scn_line **lines,
		    int *n, struct scn_err *err);
void scn_lines_free(struct scn_line *lines, int n);
int scn_line_tokenize(struct scn_p *p, const struct scn_line *l, bool substitute);
void scn_toks_clear(struct scn_toks *t);

/* scn_parse.c: errors and the token cursor */
int scn_fail(struct scn_p *p, struct scn_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int scn_failv(struct scn_err *err, struct scn_loc loc, const char *fmt, va_list ap);
struct scn_tok *scn_tok_peek(struct scn_p *p);
bool scn_tok_kw(struct scn_p *p, const char *kw);
bool scn_tok_is_kw(const struct scn_tok *t, const char *kw);
struct scn_tok *scn_tok_want(struct scn_p *p, const char *what);
struct scn_loc scn_tok_loc_at(const struct scn_tok *t, size_t off);
int scn_tok_end(struct scn_p *p, const char *expected);
void *scn_grow(void *arrp, int *n, size_t size);
int scn_oom(struct scn_p *p);
int scn_get_duration(struct scn_p *p, int64_t *ms, bool positive);
int scn_get_int(struct scn_p *p, const char *what, long min, long max, long *v);
int scn_get_addr(struct scn_p *p, struct in_addr *a, struct scn_loc *loc);
int scn_get_node(struct scn_p *p, int *node, struct scn_loc *loc);
int scn_node_at(struct scn_p *p, const char *name, struct scn_loc loc, int *node);
int scn_get_net_at(struct scn_p *p, const char *name, struct scn_loc loc, int *net);
int scn_param_lines(struct scn_p *p, const struct scn_line *lines, int n,
		    const struct scn_set *sets, int n_sets);
const char *scn_param_value(const struct scn *s, const char *name, size_t len);

/* scn_units.c */
bool scn_name_ok(const char *s, size_t max);
int scn_ipv4_parse(const char *s, struct in_addr *a);
int scn_cidr_parse(const char *s, struct in_addr *a, int *plen);
bool scn_addr_in(struct in_addr a, struct in_addr net, int plen);

/* The netmask of a /@plen in host byte order (a shift by 32 is undefined in C). */
static inline uint32_t scn_mask(int plen)
{
	return plen > 0 ? ~0u << (32 - plen) : 0;
}
int scn_signal_parse(const char *s, int *sig);

/* scn_node.c, scn_svc.c, scn_fault.c: one statement each, the keyword consumed */
int scn_stmt_network(struct scn_p *p);
int scn_stmt_capture(struct scn_p *p);
int scn_stmt_node(struct scn_p *p);
int scn_stmt_service(struct scn_p *p);
struct scn_svc_opt {
	const char *kw;
	int (*parse)(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x);
};
int scn_svc_opts(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x,
		 const struct scn_svc_opt *opts, const char *expected);
int scn_set_int(struct scn_p *p, const char *what, long min, long max, int *dst);
int scn_get_choice(struct scn_p *p, const char *what, const char *const *names, int *idx);

/*
 * The grammar half of a service kind (the other half, running it, is svc/'s struct
 * svc_kind): the keyword after 'service NODE', which is also the service's default
 * name, and the parser of the rest of the statement, which fills the kind's fields of
 * struct scn_service. One per scn_svc_<kind>.c, listed in scn_svc.c's table.
 */
struct scn_svc_grammar {
	const char *kw;
	enum scn_svc_kind kind;
	int (*parse)(struct scn_p *p, struct scn_service *sv, struct scn_svc_locs *x);
	const char *dup_hint; /* added to "node 'n' already has a service named 'x'", or NULL */
	bool client;	      /* writes the per-request record (a request log, requests*.csv): a
				 client that 'expect ... of CLIENT' can name (scn_client.c) */
};
/* The grammar of @kind, NULL for none (a struct scn_service from scn_parse has one). */
const struct scn_svc_grammar *scn_svc_grammar_of(enum scn_svc_kind kind);
/* Free what a service's fields own (every kind's; scn_free and a failed parse). */
void scn_service_release(struct scn_service *sv);
int scn_stmt_timeline(struct scn_p *p, const char *kw);
int scn_fault_parse(struct scn_p *p, struct scn_fault *f);
void scn_fault_release(struct scn_fault *f);
int scn_stmt_expect(struct scn_p *p);
int scn_stmt_collect(struct scn_p *p);

/* scn_validate.c */
int scn_validate(struct scn_p *p);
int scn_addr_owner(const struct scn *s, struct in_addr a, bool vips, char *who, size_t len);

#endif
