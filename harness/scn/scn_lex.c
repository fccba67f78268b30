/*
 * scn_lex.c - lexical layer of the scenario language.
 *
 * scn_lines_split() turns the file into logical lines: a '#' outside a string starts a
 * comment that runs to the end of the physical line, a '\' as the last character of a
 * physical line (outside a string, before any comment) joins the next one, blank lines
 * vanish. Strings never span physical lines.
 *
 * scn_line_tokenize() substitutes ${NAME} and splits a logical line into words and
 * double-quoted strings (escapes \" and \\ only).
 *
 * Invariant: every byte of a logical or substituted line carries the line and column it
 * was written at (bytes that came from a ${NAME} carry the position of its '$'), so every
 * error points into the file as written. Columns count characters, not bytes: UTF-8
 * continuation bytes do not advance them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn_int.h"

/* A growing byte buffer with a position per byte. */
struct scn_sbuf {
	char *text;
	struct scn_loc *map;
	size_t len, cap;
};

static int scn_sbuf_put(struct scn_sbuf *b, char c, struct scn_loc loc)
{
	if (b->len + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 128;
		char *t = realloc(b->text, cap);
		if (!t)
			return -1;
		b->text = t;
		struct scn_loc *m = realloc(b->map, cap * sizeof(*m));
		if (!m)
			return -1;
		b->map = m;
		b->cap = cap;
	}
	b->text[b->len] = c;
	b->map[b->len++] = loc;
	b->text[b->len] = '\0';
	return 0;
}

static void scn_sbuf_free(struct scn_sbuf *b)
{
	free(b->text);
	free(b->map);
	memset(b, 0, sizeof(*b));
}

static int scn_lex_fail(const char *file, struct scn_err *err, struct scn_loc loc,
			const char *msg)
{
	snprintf(err->file, sizeof(err->file), "%s", file);
	err->line = loc.line;
	err->col = loc.col;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	errno = EINVAL;
	return -1;
}

static bool scn_is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* Hand the finished logical line in @b over to the array (blank lines are dropped). */
static int scn_line_emit(struct scn_sbuf *b, struct scn_loc end, struct scn_line **lines,
			 int *n)
{
	if (b->len == 0 || scn_is_blank(b->text, b->len)) {
		b->len = 0;
		return 0;
	}
	if (scn_sbuf_put(b, '\0', end) < 0)
		return -1;
	b->len--; /* map[len] is the end position; the NUL stays */
	struct scn_line *l = scn_grow(lines, n, sizeof(**lines));
	if (!l)
		return -1;
	l->text = b->text;
	l->map = b->map;
	l->len = b->len;
	memset(b, 0, sizeof(*b));
	return 0;
}

/*
 * Append one physical line [s, s+n) to @b. Sets *cont when it ends in a continuation
 * backslash, *end to the position after its last character.
 */
static int scn_phys_line(const char *file, const char *s, size_t n, int ln,
			 struct scn_sbuf *b, bool *cont, struct scn_loc *end, struct scn_err *err)
{
	struct scn_loc loc = {ln, 0}, quote = {0, 0};
	bool in_str = false;
	size_t start = b->len;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xc0) != 0x80)
			loc.col++;
		if (c == '\r' && i + 1 == n)
			break;
		if (!in_str && c == '#')
			break;
		if (c == '"' && !in_str)
			quote = loc;
		if (c == '"')
			in_str = !in_str;
		else if (in_str && c == '\\' && i + 1 < n) {
			if (scn_sbuf_put(b, (char)c, loc) < 0)
				return -1;
			c = (unsigned char)s[++i];
			loc.col++;
		}
		if (scn_sbuf_put(b, (char)c, loc) < 0)
			return -1;
	}
	if (in_str)
		return scn_lex_fail(file, err, quote, "unterminated string (a string ends with \" on the same line)");
	while (b->len > start && (b->text[b->len - 1] == ' ' || b->text[b->len - 1] == '\t'))
		b->len--;
	*cont = b->len > start && b->text[b->len - 1] == '\\';
	if (*cont)
		b->text[b->len - 1] = ' ';
	*end = b->len > start ? b->map[b->len - 1] : (struct scn_loc){ln, 1};
	end->col++;
	return 0;
}

int scn_lines_split(const char *file, const char *text, size_t len, struct scn_line **lines,
		    int *n, struct scn_err *err)
{
	struct scn_sbuf b = {0};
	struct scn_loc end = {1, 1};
	bool cont = false;
	size_t i = 0;
	int ln = 0;

	*lines = NULL;
	*n = 0;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t plen = nl ? (size_t)(nl - (text + i)) : len - i;
		ln++;
		if (scn_phys_line(file, text + i, plen, ln, &b, &cont, &end, err) < 0)
			goto err_free;
		if (!cont && scn_line_emit(&b, end, lines, n) < 0)
			goto err_oom;
		i += plen + 1;
	}
	if (scn_line_emit(&b, end, lines, n) < 0)
		goto err_oom;
	scn_sbuf_free(&b);
	return 0;
err_oom:
	scn_lex_fail(file, err, end, "out of memory");
	errno = ENOMEM;
err_free:
	scn_sbuf_free(&b);
	scn_lines_free(*lines, *n);
	*lines = NULL;
	*n = 0;
	return -1;
}

void scn_lines_free(struct scn_line *lines, int n)
{
	for (int i = 0; i < n; i++) {
		free(lines[i].text);
		free(lines[i].map);
	}
	free(lines);
}

void scn_toks_clear(struct scn_toks *t)
{
	free(t->v);
	free(t->line);
	free(t->map);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

/* "a, b, c" or "none declared" into @buf: for error messages. */
static void scn_param_names(const struct scn *s, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; i < s->n_params && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 s->params[i].name);
	if (s->n_params == 0)
		snprintf(buf, len, "none declared");
}

/* Expand the ${NAME} at l->text[*i]; a value put inside a string is escaped. */
static int scn_subst_one(struct scn_p *p, const struct scn_line *l, size_t *i, bool in_str,
			 struct scn_sbuf *b)
{
	struct scn_loc at = l->map[*i];
	const char *name = l->text + *i + 2;
	const char *close = strchr(name, '}');
	if (!close)
		return scn_fail(p, at, "unterminated '${' (expected ${NAME})");
	const char *v = scn_param_value(p->s, name, (size_t)(close - name));
	if (!v) {
		char names[256];
		scn_param_names(p->s, names, sizeof(names));
		return scn_fail(p, at, "undefined param '%.*s' (params: %s)",
				(int)(close - name), name, names);
	}
	for (; *v; v++) {
		if (in_str && (*v == '"' || *v == '\\') && scn_sbuf_put(b, '\\', at) < 0)
			return scn_oom(p);
		if (scn_sbuf_put(b, *v, at) < 0)
			return scn_oom(p);
	}
	*i = (size_t)(close - l->text);
	return 0;
}

static int scn_subst(struct scn_p *p, const struct scn_line *l, bool substitute,
		     struct scn_sbuf *b)
{
	bool in_str = false;
	for (size_t i = 0; i < l->len; i++) {
		char c = l->text[i];
		if (substitute && c == '$' && l->text[i + 1] == '{') {
			if (scn_subst_one(p, l, &i, in_str, b) < 0)
				return -1;
			continue;
		}
		if (c == '"')
			in_str = !in_str;
		if (in_str && c == '\\' && i + 1 < l->len) {
			if (scn_sbuf_put(b, c, l->map[i]) < 0)
				return scn_oom(p);
			c = l->text[++i];
		}
		if (scn_sbuf_put(b, c, l->map[i]) < 0)
			return scn_oom(p);
	}
	if (scn_sbuf_put(b, '\0', l->map[l->len]) < 0)
		return scn_oom(p);
	b->len--;
	return 0;
}

/* A string token starting at line[*i] (the quote); unescapes into @out. */
static int scn_lex_string(struct scn_p *p, size_t *i, char *out)
{
	const char *line = p->t.line;
	struct scn_loc *map = p->t.map;
	size_t j = *i + 1, o = 0;

	for (; line[j] && line[j] != '"'; j++) {
		if (line[j] == '\\') {
			j++;
			if (line[j] != '"' && line[j] != '\\')
				return scn_fail(p, map[j - 1],
						"unknown escape '\\%c' in a string (only \\\" and \\\\)",
						line[j] ? line[j] : ' ');
		}
		out[o++] = line[j];
	}
	out[o] = '\0';
	if (!line[j])
		return scn_fail(p, map[*i], "unterminated string");
	j++;
	if (line[j] && line[j] != ' ' && line[j] != '\t')
		return scn_fail(p, map[j], "expected a space after the closing '\"'");
	*i = j;
	return 0;
}

static int scn_lex_word(struct scn_p *p, size_t *i, char *out)
{
	const char *line = p->t.line;
	size_t j = *i, o = 0;
	for (; line[j] && line[j] != ' ' && line[j] != '\t'; j++) {
		if (line[j] == '"')
			return scn_fail(p, p->t.map[j], "unexpected '\"' inside a word");
		out[o++] = line[j];
	}
	out[o] = '\0';
	*i = j;
	return 0;
}

static int scn_lex_tokens(struct scn_p *p)
{
	struct scn_toks *t = &p->t;
	size_t len = strlen(t->line), i = 0, o = 0;
	t->buf = malloc(2 * len + 2);
	if (!t->buf)
		return scn_oom(p);
	while (1) {
		while (t->line[i] == ' ' || t->line[i] == '\t')
			i++;
		if (!t->line[i])
			return 0;
		struct scn_tok *tok = scn_grow(&t->v, &t->n, sizeof(*tok));
		if (!tok)
			return scn_oom(p);
		tok->text = t->buf + o;
		tok->loc = t->map[i];
		tok->off = i;
		tok->quoted = t->line[i] == '"';
		tok->map = tok->quoted ? NULL : t->map + i;
		int rc = tok->quoted ? scn_lex_string(p, &i, tok->text) : scn_lex_word(p, &i, tok->text);
		if (rc < 0)
			return -1;
		o += strlen(tok->text) + 1;
	}
}

int scn_line_tokenize(struct scn_p *p, const struct scn_line *l, bool substitute)
{
	struct scn_sbuf b = {0};

	scn_toks_clear(&p->t);
	if (scn_subst(p, l, substitute, &b) < 0) {
		scn_sbuf_free(&b);
		return -1;
	}
	p->t.line = b.text;
	p->t.map = b.map;
	p->t.end = l->map[l->len];
	return scn_lex_tokens(p);
}
