/*
 * wpconfig.c - a scanner for wp-config.php (see wpconfig.h).
 *
 * Three layers.  lex() cuts PHP into tokens, skipping inline HTML, comments,
 * strings (with their "{$...}" parts) and heredocs.  step() consumes one
 * token and keeps the structure: open blocks and whether they run (always,
 * maybe, never), brackets, alternative syntax (if (...): ... endif;).  The
 * on_*() handlers look ahead on a copy of the lexer to recognise define(),
 * const, $table_prefix, guards and includes; they never consume tokens, so
 * the structure is kept in one place.  Every look-ahead reads a bounded
 * number of tokens, so a file is scanned in linear time.
 */
#include "config/wpconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/strparse.h"

#define NEST_MAX 64	   /* open blocks */
#define INTERP_MAX 16	   /* nested "{$...}" in strings */
#define LOOK_MAX 32	   /* tokens an include is searched for wp-settings */
#define NOPOS ((size_t)-1) /* no token */
#define KEY_OTHER (-1)	   /* a constant we do not read */
#define KEY_COMPUTED (-2)  /* a name PHP would have to compute */
#define NDEFINES WPCONFIG_TABLE_PREFIX /* keys set with define() */

enum tk {
	TK_EOF,
	TK_ERR,
	TK_OPEN,
	TK_CLOSE,
	TK_IDENT,
	TK_VAR,
	TK_STR,
	TK_DOC,
	TK_NUM,
	TK_OP
};

struct tok {
	enum tk kind;
	size_t pos; /* offset of the first byte in the text */
	size_t len; /* bytes */
};

struct lexer {
	const char *s;	 /* the text; borrowed */
	size_t len;	 /* its length */
	size_t pos;	 /* next byte to read */
	bool php;	 /* in code, not inline HTML */
	unsigned interp; /* depth of "{$...}" being skipped */
	const char *err; /* message of a TK_ERR */
	size_t errpos;	 /* where the faulty construct starts */
};

/* How surely code runs: ordered, the larger of two wins. */
enum run { RUN_LIVE, RUN_MAYBE, RUN_DEAD };
#define BLK_ALT 4 /* blk[] flag: opened by "...:" rather than "{" */

/* What is known about a key at the current point of the file. */
enum kst { K_UNSET, K_VALUE, K_UNKNOWN, K_MAYBE };

/* Why a key is unreadable; see set_why(). */
enum why {
	W_NONE,
	W_NOTLIT,
	W_DQUOTE,
	W_NUL,
	W_COND,
	W_INCLUDE,
	W_EVAL,
	W_COMPUTED,
	W_HOST
};

/* The parts of a literal string. */
enum lit { LIT_OK, LIT_DQ, LIT_NUL, LIT_NOMEM };

enum hdr { HDR_NONE, HDR_WAIT, HDR_OPEN, HDR_DONE };

struct parser {
	struct lexer lx;
	struct tok t;		     /* current token */
	struct tok prev;	     /* the one before */
	bool start;		     /* t begins a statement */
	bool stopped;		     /* past wp-settings.php: structure only */
	bool halt;		     /* __halt_compiler: the rest is data */
	bool ns;		     /* a namespace was declared */
	bool opened;		     /* a <?php tag was seen */
	unsigned char blk[NEST_MAX]; /* open blocks: enum run | BLK_ALT */
	unsigned nblk, ndead, nmaybe;
	size_t paren;		     /* open ( and [ */
	enum hdr hdr;		     /* reading a control header "if (...)" */
	bool hdr_else;		     /* ... of elseif or else */
	size_t hdr_paren;	     /* paren depth outside the header */
	size_t guard_pos;	     /* token governed by a guard */
	enum run guard_run;	     /* how surely it runs */
	size_t alt_pos;		     /* ':' opening an alternative block */
	bool alt_else;		     /* ... of "else:" or "elseif (...):" */
	enum kst st[WPCONFIG__MAX];  /* what is known of each key */
	char *val[WPCONFIG__MAX];    /* K_VALUE: the value; owned, wiped */
	size_t vpos[WPCONFIG__MAX];  /* K_VALUE: where it was set */
	enum why why[WPCONFIG__MAX]; /* why a key is unreadable */
	size_t wpos[WPCONFIG__MAX];  /* ... and where (formatted at the end) */
	struct wpconfig *res;	     /* why[] is written here */
	enum mw_err rc;		     /* set when a step fails */
	const char *fail;	     /* MW_ECONFIG: what is wrong */
	size_t failpos;		     /* ... and where */
};

static const struct {
	const char *name; /* as written in wp-config.php */
	const char *conf; /* the mautic-wp.conf key that stands in */
} keys[WPCONFIG__MAX] = {
	{"DB_NAME", "db_name"},		   /* WPCONFIG_DB_NAME */
	{"DB_USER", "db_user"},		   /* WPCONFIG_DB_USER */
	{"DB_PASSWORD", "db_password"},	   /* WPCONFIG_DB_PASSWORD */
	{"DB_HOST", "db_host"},		   /* WPCONFIG_DB_HOST */
	{"$table_prefix", "table_prefix"}, /* WPCONFIG_TABLE_PREFIX */
};

/* PHP's multi-byte operators, longest first. */
static const char *const ops[] = {
	"<<=", ">>=", "**=", "...", "<=>", "===", "!==", "?\?=", "?->",
	"++",  "--",  "->",  "=>",  "::",  "==",  "!=",	 "<>",	 "<=",
	">=",  "&&",  "||",  "??",  "+=",  "-=",  "*=",	 "/=",	 ".=",
	"%=",  "&=",  "|=",  "^=",  "<<",  ">>",  "**",
};

static struct tok lex(struct lexer *lx);

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_ident_start(char ch)
{
	unsigned char c = (unsigned char)ch;

	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c >= 0x80;
}

static bool
is_ident(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* Line number (from 1) of offset pos, counting \n, \r\n and \r. */
static size_t
line_of(const char *s, size_t len, size_t pos)
{
	size_t i, line = 1;

	for (i = 0; i < pos && i < len; i++)
		if (s[i] == '\n' ||
		    (s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n')))
			line++;
	return line;
}

static struct tok
lex_error(struct lexer *lx, size_t at, const char *what)
{
	lx->err = what;
	lx->errpos = at;
	return (struct tok){TK_ERR, at, 0};
}

/* Inline HTML up to "<?php" (then a blank or the end) or "<?=". */
static struct tok
lex_html(struct lexer *lx)
{
	const char *s = lx->s;
	size_t i;

	for (i = lx->pos; i + 1 < lx->len; i++) {
		if (s[i] != '<' || s[i + 1] != '?')
			continue;
		if (i + 2 < lx->len && s[i + 2] == '=')
			break;
		if (lx->len - i >= 5 && str_ieq(s + i + 2, 3, "php") &&
		    (i + 5 == lx->len || is_space(s[i + 5])))
			break;
	}
	if (i + 1 >= lx->len) {
		lx->pos = lx->len;
		return (struct tok){TK_EOF, lx->len, 0};
	}
	lx->php = true;
	lx->pos = i + (s[i + 2] == '=' ? 3 : 5);
	return (struct tok){TK_OPEN, i, lx->pos - i};
}

/* Skip blanks and comments.  A // or # comment ends before "?>". */
static bool
skip_blank(struct lexer *lx)
{
	const char *s = lx->s;
	size_t n = lx->len, at;

	while (lx->pos < n) {
		char c = s[lx->pos], d = lx->pos + 1 < n ? s[lx->pos + 1] : 0;

		if (is_space(c)) {
			lx->pos++;
		} else if ((c == '#' && d != '[') || (c == '/' && d == '/')) {
			while (lx->pos < n && s[lx->pos] != '\n' &&
			       s[lx->pos] != '\r' &&
			       !(s[lx->pos] == '?' && lx->pos + 1 < n &&
				 s[lx->pos + 1] == '>'))
				lx->pos++;
		} else if (c == '/' && d == '*') {
			at = lx->pos;
			for (lx->pos += 2; lx->pos + 1 < n; lx->pos++)
				if (s[lx->pos] == '*' && s[lx->pos + 1] == '/')
					break;
			if (lx->pos + 1 >= n) {
				lex_error(lx, at, "unterminated /* comment");
				return false;
			}
			lx->pos += 2;
		} else {
			break;
		}
	}
	return true;
}

/* Skip the code of "{$...}" or "${...}" up to its closing brace. */
static bool
skip_interp(struct lexer *lx, size_t at)
{
	unsigned depth = 1;
	struct tok t;

	if (++lx->interp > INTERP_MAX) {
		lex_error(lx, at, "string interpolation nested too deeply");
		return false;
	}
	while (depth > 0) {
		t = lex(lx);
		if (t.kind == TK_ERR)
			return false;
		if (t.kind == TK_EOF) {
			lex_error(lx, at, "unterminated string");
			return false;
		}
		if (t.kind == TK_OP && t.len == 1 && lx->s[t.pos] == '{')
			depth++;
		else if (t.kind == TK_OP && t.len == 1 && lx->s[t.pos] == '}')
			depth--;
	}
	lx->interp--;
	return true;
}

/* At byte i of an interpolating string: skip "{$...}" or "${...}" and
 * return 1, return 0 when there is none, -1 on error. */
static int
interp_at(struct lexer *lx, size_t *i, size_t at)
{
	const char *s = lx->s;
	char d;

	if (*i + 1 >= lx->len)
		return 0;
	d = s[*i + 1];
	if (!((s[*i] == '{' && d == '$') || (s[*i] == '$' && d == '{')))
		return 0;
	lx->pos = *i + (s[*i] == '{' ? 1 : 2);
	if (!skip_interp(lx, at))
		return -1;
	*i = lx->pos;
	return 1;
}

/* Skip a string opened by quote q at lx->pos. */
static bool
skip_quoted(struct lexer *lx, char q)
{
	size_t at = lx->pos, i = lx->pos + 1;
	int r;

	while (i < lx->len) {
		if (lx->s[i] == '\\') {
			i += 2;
			continue;
		}
		if (lx->s[i] == q) {
			lx->pos = i + 1;
			return true;
		}
		r = q == '\'' ? 0 : interp_at(lx, &i, at);
		if (r < 0)
			return false;
		if (r == 0)
			i++;
	}
	lex_error(lx, at, "unterminated string");
	return false;
}

/* Skip a heredoc or nowdoc whose "<<<" is at lx->pos: 1 when skipped,
 * 0 when it is not one (then "<<<" are operators), -1 on error. */
static int
skip_doc(struct lexer *lx)
{
	const char *s = lx->s;
	size_t n = lx->len, at = lx->pos, i = lx->pos + 3, id, idlen, j;
	bool bol = true;
	char q = 0;
	int r;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && (s[i] == '\'' || s[i] == '"'))
		q = s[i++];
	if (i >= n || !is_ident_start(s[i]))
		return 0;
	for (id = i; i < n && is_ident(s[i]); i++)
		;
	idlen = i - id;
	if (q != 0 && (i >= n || s[i++] != q))
		return 0;
	if (i < n && s[i] == '\r')
		i++;
	if (i >= n || s[i++] != '\n')
		return 0;
	while (i < n) {
		for (j = i; bol && j < n && (s[j] == ' ' || s[j] == '\t'); j++)
			;
		if (bol && n - j >= idlen &&
		    memcmp(s + j, s + id, idlen) == 0 &&
		    (j + idlen == n || !is_ident(s[j + idlen]))) {
			lx->pos = j + idlen;
			return 1;
		}
		bol = s[i] == '\n';
		if (q != '\'' && s[i] == '\\') {
			i += i + 1 < n && s[i + 1] != '\n' ? 2 : 1;
			continue;
		}
		r = q == '\'' ? 0 : interp_at(lx, &i, at);
		if (r < 0)
			return -1;
		if (r == 0)
			i++;
		else
			bol = false;
	}
	lex_error(lx, at, "unterminated heredoc");
	return -1;
}

/* The next token; TK_ERR with lx->err on a malformed file. */
static struct tok
lex(struct lexer *lx)
{
	const char *s = lx->s;
	struct tok t = {TK_OP, 0, 0};
	size_t i;
	char c, d;
	int r = 0;

	if (!lx->php)
		return lex_html(lx);
	if (!skip_blank(lx))
		return (struct tok){TK_ERR, lx->errpos, 0};
	t.pos = lx->pos;
	if (lx->pos >= lx->len)
		return (struct tok){TK_EOF, lx->len, 0};
	c = s[lx->pos];
	d = lx->pos + 1 < lx->len ? s[lx->pos + 1] : 0;
	if (c == '?' && d == '>') {
		if (lx->interp > 0)
			return lex_error(lx, t.pos, "?> inside a string");
		lx->pos += 2;
		lx->php = false;
		t.kind = TK_CLOSE;
	} else if (c == '\'' || c == '"' || c == '`') {
		if (!skip_quoted(lx, c))
			return (struct tok){TK_ERR, lx->errpos, 0};
		t.kind = c == '`' ? TK_DOC : TK_STR;
	} else if (c == '<' && lx->len - lx->pos >= 3 &&
		   memcmp(s + lx->pos, "<<<", 3) == 0 &&
		   (r = skip_doc(lx)) != 0) {
		if (r < 0)
			return (struct tok){TK_ERR, lx->errpos, 0};
		t.kind = TK_DOC;
	} else if (is_ident_start(c) || (c == '$' && is_ident_start(d))) {
		for (lx->pos++; lx->pos < lx->len && is_ident(s[lx->pos]);)
			lx->pos++;
		t.kind = c == '$' ? TK_VAR : TK_IDENT;
	} else if (c >= '0' && c <= '9') {
		while (lx->pos < lx->len &&
		       (is_ident(s[lx->pos]) || s[lx->pos] == '.'))
			lx->pos++;
		t.kind = TK_NUM;
	} else if ((unsigned char)c < 0x20 || c == 0x7f) {
		return lex_error(lx, t.pos, "unexpected control byte in code");
	} else {
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (lx->len - lx->pos >= strlen(ops[i]) &&
			    memcmp(s + lx->pos, ops[i], strlen(ops[i])) == 0)
				break;
		lx->pos +=
			i < sizeof(ops) / sizeof(ops[0]) ? strlen(ops[i]) : 1;
	}
	t.len = lx->pos - t.pos;
	return t;
}

static bool
is_op(const char *s, const struct tok *t, const char *op)
{
	return t->kind == TK_OP && t->len == strlen(op) &&
	       memcmp(s + t->pos, op, t->len) == 0;
}

/* The next token on la is operator op. */
static bool
next_is(const char *s, struct lexer *la, const char *op)
{
	struct tok t = lex(la);

	return is_op(s, &t, op);
}

/* An identifier equal to kw, ASCII case ignored (PHP keywords). */
static bool
is_kw(const char *s, const struct tok *t, const char *kw)
{
	return t->kind == TK_IDENT && str_ieq(s + t->pos, t->len, kw);
}

/* Next byte of the string body b[*i..n) quoted with q, or -1 where PHP
 * would have to evaluate it: '$', or a double-quoted escape other than
 * \" \\ \$ \n \t.  In single quotes only \' and \\ are escapes. */
static int
lit_next(const char *b, size_t n, char q, size_t *i)
{
	unsigned char c = (unsigned char)b[(*i)++], d;

	if (q == '"' && c == '$')
		return -1;
	if (c != '\\' || *i >= n)
		return c;
	d = (unsigned char)b[*i];
	if (q == '\'') {
		if (d == '\'' || d == '\\')
			(*i)++;
		return d == '\'' || d == '\\' ? d : '\\';
	}
	(*i)++;
	switch (d) {
	case '"':
	case '\\':
	case '$':
		return d;
	case 'n':
		return '\n';
	case 't':
		return '\t';
	default:
		return -1;
	}
}

/* Decode string token t into *out (allocated; caller wipes and frees). */
static enum lit
decode(const char *s, const struct tok *t, char **out /* OUT */)
{
	const char *b = s + t->pos + 1;
	size_t n = t->len - 2, i = 0, o = 0;
	enum lit rc = LIT_OK;
	char *d;
	int c;

	d = malloc(n + 1);
	if (d == NULL)
		return LIT_NOMEM;
	while (i < n && rc == LIT_OK) {
		c = lit_next(b, n, s[t->pos], &i);
		if (c <= 0)
			rc = c < 0 ? LIT_DQ : LIT_NUL;
		else
			d[o++] = (char)c;
	}
	d[o] = '\0';
	if (rc != LIT_OK) {
		explicit_bzero(d, n + 1);
		free(d);
		return rc;
	}
	*out = d;
	return LIT_OK;
}

/* The define() key a string token names, KEY_OTHER or KEY_COMPUTED. */
static int
key_of(const char *s, const struct tok *t)
{
	const char *b = s + t->pos + 1;
	unsigned alive = (1u << NDEFINES) - 1;
	size_t n = t->len - 2, i = 0, j = 0;
	int k, c;

	if (t->kind != TK_STR)
		return KEY_COMPUTED;
	while (i < n) {
		c = lit_next(b, n, s[t->pos], &i);
		if (c < 0)
			return KEY_COMPUTED;
		for (k = 0; k < NDEFINES; k++)
			if ((alive & (1u << k)) &&
			    (keys[k].name[j] == '\0' || keys[k].name[j] != c))
				alive &= ~(1u << k);
		j++;
	}
	for (k = 0; k < NDEFINES; k++)
		if ((alive & (1u << k)) && keys[k].name[j] == '\0')
			return k;
	return KEY_OTHER;
}

static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static bool
fail(struct parser *p, size_t pos, const char *what)
{
	p->rc = MW_ECONFIG;
	p->fail = what;
	p->failpos = pos;
	return false;
}

/* Write the reason why key k is unreadable; pos locates it. */
static void
set_why(struct parser *p, int k, enum why w, size_t pos)
{
	char *d = p->res->why[k];
	const char *n = keys[k].name, *c = keys[k].conf;
	size_t line = line_of(p->lx.s, p->lx.len, pos);

	switch (w) {
	case W_NONE:
		d[0] = '\0';
		break;
	case W_NOTLIT:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s at line %zu is not a literal string; set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_DQUOTE:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s at line %zu is a double-quoted string with $ or an escape other than \\\" \\\\ \\$ \\n \\t; use single quotes or set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_NUL:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s at line %zu contains a NUL byte; set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_COND:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s at line %zu is set under a condition; set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_INCLUDE:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s may be set by the file included at line %zu; point wp_config at that file or set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_EVAL:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s may be set by the eval() at line %zu; set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_COMPUTED:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s may be set by the define() with a computed name at line %zu; set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_HOST:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s at line %zu is not host, host:port, host:/socket, :/socket or [ipv6]:port; set db_host, db_port, db_socket in mautic-wp.conf",
			n, line);
		break;
	}
}

/* Key k becomes st (K_UNKNOWN or K_MAYBE) for reason w. */
static bool
unreadable(struct parser *p, int k, enum kst st, enum why w, size_t pos)
{
	wipe_free(p->val[k]);
	p->val[k] = NULL;
	if (p->st[k] != K_MAYBE || st != K_MAYBE) {
		p->why[k] = w;
		p->wpos[k] = pos;
	}
	p->st[k] = st;
	return true;
}

/* Key k takes the value of string token v set at pos. */
static bool
set_value(struct parser *p, int k, const struct tok *v, size_t pos)
{
	char *d = NULL;

	switch (decode(p->lx.s, v, &d)) {
	case LIT_OK:
		break;
	case LIT_DQ:
		return unreadable(p, k, K_UNKNOWN, W_DQUOTE, pos);
	case LIT_NUL:
		return unreadable(p, k, K_UNKNOWN, W_NUL, pos);
	case LIT_NOMEM:
		p->rc = MW_ENOMEM;
		return false;
	}
	wipe_free(p->val[k]);
	p->val[k] = d;
	p->vpos[k] = pos;
	p->st[k] = K_VALUE;
	p->why[k] = W_NONE;
	return true;
}

/* Keys not set yet may be set by what is at pos. */
static void
taint_unset(struct parser *p, int last, enum why w, size_t pos)
{
	int k;

	for (k = 0; k < last; k++)
		if (p->st[k] == K_UNSET)
			unreadable(p, k, K_MAYBE, w, pos);
}

static bool
push(struct parser *p, unsigned b)
{
	if (p->nblk == NEST_MAX)
		return fail(p, p->t.pos, "blocks nested too deeply");
	p->blk[p->nblk++] = (unsigned char)b;
	p->ndead += (b & 3) == RUN_DEAD;
	p->nmaybe += (b & 3) == RUN_MAYBE;
	return true;
}

static bool
pop(struct parser *p, bool alt)
{
	unsigned b;

	if (p->nblk == 0 || !(p->blk[p->nblk - 1] & BLK_ALT) != !alt)
		return fail(p, p->t.pos,
			    alt ? "end of block without its opening"
				: "unbalanced }");
	b = p->blk[--p->nblk];
	p->ndead -= (b & 3) == RUN_DEAD;
	p->nmaybe -= (b & 3) == RUN_MAYBE;
	return true;
}

/* The token before t makes t a member or declared name, not a call. */
static bool
after_member(const struct parser *p)
{
	const char *s = p->lx.s;

	return is_op(s, &p->prev, "->") || is_op(s, &p->prev, "?->") ||
	       is_op(s, &p->prev, "::") || is_kw(s, &p->prev, "function") ||
	       is_kw(s, &p->prev, "const");
}

/* At the ':' of "if (...):" (push a block) or "else:" (the block now
 * maybe runs). */
static bool
alt_colon(struct parser *p)
{
	unsigned b;

	if (!p->alt_else) {
		b = p->t.pos == p->guard_pos ? p->guard_run : RUN_MAYBE;
		return push(p, b | BLK_ALT);
	}
	if (p->nblk == 0 || !(p->blk[p->nblk - 1] & BLK_ALT))
		return fail(p, p->t.pos, "else: outside if: ... endif");
	b = p->blk[--p->nblk];
	p->ndead -= (b & 3) == RUN_DEAD;
	p->nmaybe -= (b & 3) == RUN_MAYBE;
	return push(p, RUN_MAYBE | BLK_ALT);
}

/* Consume the one-byte operator t; *start: the next token begins a
 * statement; *carry: it inherits t's guard ("\define", "@define"). */
static bool
step_op(struct parser *p, enum hdr was, bool *start, bool *carry)
{
	const struct tok *c = &p->t;

	switch (p->lx.s[c->pos]) {
	case '{':
		*start = true;
		return push(p,
			    c->pos == p->guard_pos ? p->guard_run : RUN_MAYBE);
	case '}':
		*start = true;
		return pop(p, false);
	case ';':
		*start = true;
		return true;
	case '(':
	case '[':
		if (was == HDR_WAIT) {
			p->hdr = HDR_OPEN;
			p->hdr_paren = p->paren;
		}
		p->paren++;
		return true;
	case ')':
	case ']':
		if (p->paren == 0)
			return fail(p, c->pos, "unbalanced ) or ]");
		if (--p->paren == p->hdr_paren && was == HDR_OPEN)
			p->hdr = HDR_DONE;
		return true;
	case ':':
		*start = c->pos == p->alt_pos;
		return !*start || alt_colon(p);
	case '@':
	case '\\':
		*carry = c->pos == p->guard_pos;
		*start = p->start;
		return true;
	default:
		return true;
	}
}

/* Consume the keyword t: control headers and the ends of alternative
 * blocks. */
static bool
step_kw(struct parser *p)
{
	static const char *const ctl[] = {"if",	     "elseif", "while",	 "for",
					  "foreach", "switch", "declare"};
	static const char *const end[] = {"endif",     "endwhile",
					  "endfor",    "endforeach",
					  "endswitch", "enddeclare"};
	const char *s = p->lx.s;
	size_t i;

	for (i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++)
		if (is_kw(s, &p->t, ctl[i])) {
			p->hdr = HDR_WAIT;
			p->hdr_else = i == 1;
			return true;
		}
	if (is_kw(s, &p->t, "else")) {
		p->hdr = HDR_DONE;
		p->hdr_else = true;
		return true;
	}
	for (i = 0; i < sizeof(end) / sizeof(end[0]); i++)
		if (is_kw(s, &p->t, end[i]))
			return pop(p, true);
	return true;
}

/* Consume t, keeping blocks, brackets and alternative syntax. */
static bool
step(struct parser *p)
{
	const struct tok *c = &p->t;
	bool start = false, carry = false, ok = true;
	enum hdr was = p->hdr;

	p->hdr = was == HDR_OPEN ? HDR_OPEN : HDR_NONE;
	if (c->kind == TK_OP && c->len == 1)
		ok = step_op(p, was, &start, &carry);
	else if (c->kind == TK_OPEN || c->kind == TK_CLOSE)
		start = c->kind == TK_CLOSE || c->len == 5; /* not "<?=" */
	else if (c->kind == TK_IDENT && !after_member(p))
		ok = step_kw(p);
	if (!ok)
		return false;
	p->prev = p->t;
	p->t = lex(&p->lx);
	if (p->t.kind == TK_ERR)
		return fail(p, p->lx.errpos, p->lx.err);
	if (carry)
		p->guard_pos = p->t.pos;
	if (p->hdr == HDR_DONE && is_op(p->lx.s, &p->t, ":")) {
		p->alt_pos = p->t.pos;
		p->alt_else = p->hdr_else;
	}
	p->start = start;
	return true;
}

/* How surely t runs; *start tells whether it begins a statement. */
static enum run
run_of(const struct parser *p, bool *start)
{
	enum run eff = p->ndead ? RUN_DEAD : p->nmaybe ? RUN_MAYBE : RUN_LIVE;

	if (p->t.pos == p->guard_pos) {
		*start = true;
		return eff > p->guard_run ? eff : p->guard_run;
	}
	*start = p->start;
	return p->start || eff > RUN_MAYBE ? eff : RUN_MAYBE;
}

/* After "defined" on la: "( 'K' )".  *g: how surely code guarded by
 * "!defined('K')" runs. */
static bool
la_defined(const struct parser *p, struct lexer *la, enum run *g)
{
	const char *s = p->lx.s;
	struct tok a;
	int k;

	if (!next_is(s, la, "("))
		return false;
	a = lex(la);
	if (a.kind != TK_STR || !next_is(s, la, ")"))
		return false;
	k = key_of(s, &a);
	if (k < 0 || p->st[k] == K_MAYBE)
		*g = RUN_MAYBE;
	else
		*g = p->st[k] == K_UNSET ? RUN_LIVE : RUN_DEAD;
	return true;
}

/* Next token on la, past one "\" (a fully qualified \define). */
static struct tok
lex_fq(const char *s, struct lexer *la)
{
	struct tok t = lex(la);

	return is_op(s, &t, "\\") ? lex(la) : t;
}

/* At "if" starting a statement: "if ( ! defined ( 'K' ) )" or
 * "if ( ! isset ( $table_prefix ) )" guards what follows. */
static void
look_if(struct parser *p)
{
	const char *s = p->lx.s;
	struct lexer la = p->lx;
	struct tok x;
	enum run g;
	enum kst st = p->st[WPCONFIG_TABLE_PREFIX];

	if (!next_is(s, &la, "(") || !next_is(s, &la, "!"))
		return;
	x = lex_fq(s, &la);
	if (is_kw(s, &x, "defined")) {
		if (!la_defined(p, &la, &g))
			return;
	} else if (is_kw(s, &x, "isset")) {
		x = lex(&la);
		if (!is_op(s, &x, "("))
			return;
		x = lex(&la);
		if (x.kind != TK_VAR || x.len != 13 ||
		    memcmp(s + x.pos, "$table_prefix", 13) != 0 ||
		    !next_is(s, &la, ")"))
			return;
		g = st == K_UNSET   ? RUN_LIVE
		    : st == K_VALUE ? RUN_DEAD
				    : RUN_MAYBE;
	} else {
		return;
	}
	if (!next_is(s, &la, ")"))
		return;
	p->guard_pos = lex(&la).pos;
	p->guard_run = g;
}

/* At "defined" (neg: at "!") starting a statement:
 * "defined('K') || define(...)" or "!defined('K') && define(...)". */
static void
look_defined(struct parser *p, bool neg)
{
	const char *s = p->lx.s;
	struct lexer la = p->lx;
	struct tok x;
	enum run g;

	if (neg) {
		x = lex_fq(s, &la);
		if (!is_kw(s, &x, "defined"))
			return;
	}
	if (!la_defined(p, &la, &g))
		return;
	x = lex(&la);
	if (neg ? !(is_op(s, &x, "&&") || is_kw(s, &x, "and"))
		: !(is_op(s, &x, "||") || is_kw(s, &x, "or")))
		return;
	p->guard_pos = lex(&la).pos;
	p->guard_run = g;
}

/* After the value of a define(): ") " or ", true )" and the like. */
static bool
define_tail(const char *s, struct lexer *la)
{
	struct tok x = lex(la);

	if (is_op(s, &x, ","))
		x = lex(la);
	if (is_kw(s, &x, "true") || is_kw(s, &x, "false")) {
		x = lex(la);
		if (is_op(s, &x, ","))
			x = lex(la);
	}
	return is_op(s, &x, ")");
}

/* At "define": what it does to a key.  First define wins, as in PHP. */
static bool
on_define(struct parser *p, enum run run)
{
	const char *s = p->lx.s;
	struct lexer la = p->lx;
	struct tok v;
	int k;

	if (!next_is(s, &la, "("))
		return true;
	v = lex(&la);
	k = key_of(s, &v);
	if (k != KEY_COMPUTED && !next_is(s, &la, ","))
		k = KEY_COMPUTED; /* 'DB_' . 'NAME' */
	if (k == KEY_COMPUTED)
		taint_unset(p, NDEFINES, W_COMPUTED, p->t.pos);
	if (k < 0 || p->st[k] != K_UNSET)
		return true;
	if (run != RUN_LIVE)
		return unreadable(p, k, K_MAYBE, W_COND, p->t.pos);
	v = lex(&la);
	if (v.kind != TK_STR || !define_tail(s, &la))
		return unreadable(p, k, K_UNKNOWN, W_NOTLIT, p->t.pos);
	return set_value(p, k, &v, p->t.pos);
}

/* Key k in "const K = v e" (e: the token after the value). */
static bool
const_value(struct parser *p, int k, enum run run, const struct tok *v,
	    const struct tok *e, size_t pos)
{
	const char *s = p->lx.s;

	if (run != RUN_LIVE)
		return unreadable(p, k, K_MAYBE, W_COND, pos);
	if (v->kind != TK_STR ||
	    !(is_op(s, e, ",") || is_op(s, e, ";") || e->kind == TK_CLOSE))
		return unreadable(p, k, K_UNKNOWN, W_NOTLIT, pos);
	return set_value(p, k, v, pos);
}

/* At "const" starting a top-level statement: const K = 'v', ...; */
static bool
on_const(struct parser *p, enum run run)
{
	const char *s = p->lx.s;
	struct lexer la = p->lx;
	struct tok n, v, e;
	int k;

	if (p->nblk != 0 || p->ns)
		return true; /* a class or namespaced constant */
	for (;;) {
		n = lex(&la);
		if (n.kind != TK_IDENT || !next_is(s, &la, "="))
			return true;
		v = lex(&la);
		e = lex(&la);
		for (k = 0; k < NDEFINES; k++)
			if (n.len == strlen(keys[k].name) &&
			    memcmp(s + n.pos, keys[k].name, n.len) == 0)
				break;
		if (k < NDEFINES && p->st[k] == K_UNSET &&
		    !const_value(p, k, run, &v, &e, n.pos))
			return false;
		if (!is_op(s, &e, ","))
			return true;
	}
}

/* At $table_prefix: an assignment sets it (the last one wins). */
static bool
on_prefix(struct parser *p, enum run run, bool start)
{
	static const char *const assign[] = {
		"=",  ".=", "?\?=", "+=", "-=",	 "*=",	"/=",
		"%=", "&=", "|=",   "^=", "<<=", ">>=", "**="};
	const int k = WPCONFIG_TABLE_PREFIX;
	const char *s = p->lx.s;
	struct lexer la = p->lx;
	struct tok op = lex(&la), v, e;
	size_t i;

	if (p->t.len != 13 || memcmp(s + p->t.pos, "$table_prefix", 13) != 0)
		return true;
	for (i = 0; i < sizeof(assign) / sizeof(assign[0]); i++)
		if (is_op(s, &op, assign[i]))
			break;
	if (i == sizeof(assign) / sizeof(assign[0]))
		return true;
	if (run != RUN_LIVE || !start)
		return unreadable(p, k, K_MAYBE, W_COND, p->t.pos);
	v = lex(&la);
	e = lex(&la);
	if (i != 0 || v.kind != TK_STR ||
	    !(is_op(s, &e, ";") || e.kind == TK_CLOSE))
		return unreadable(p, k, K_UNKNOWN, W_NOTLIT, p->t.pos);
	return set_value(p, k, &v, p->t.pos);
}

/* At include/require (eval: at eval): the include of wp-settings.php
 * ends what matters; any other may set the keys not set yet. */
static void
on_include(struct parser *p, bool eval)
{
	static const char tail[] = "wp-settings.php";
	const size_t tl = sizeof(tail) - 1;
	const char *s = p->lx.s;
	struct lexer la = p->lx;
	struct tok x;
	unsigned i;

	for (i = 0; !eval && i < LOOK_MAX; i++) {
		x = lex(&la);
		if (x.kind == TK_EOF || x.kind == TK_ERR || is_op(s, &x, ";"))
			break;
		if (x.kind == TK_STR && x.len >= tl + 2 &&
		    memcmp(s + x.pos + x.len - 1 - tl, tail, tl) == 0) {
			p->stopped = true;
			return;
		}
	}
	taint_unset(p, WPCONFIG__MAX, eval ? W_EVAL : W_INCLUDE, p->t.pos);
}

/* Look at the current token; false when the scan must stop. */
static bool
handle(struct parser *p)
{
	const char *s = p->lx.s;
	const struct tok *t = &p->t;
	bool start;
	enum run run = run_of(p, &start);

	if (is_kw(s, t, "__halt_compiler"))
		p->halt = true;
	if (p->stopped || run == RUN_DEAD || p->halt || after_member(p))
		return true;
	if (t->kind == TK_VAR)
		return on_prefix(p, run, start);
	if (start && is_op(s, t, "!"))
		look_defined(p, true);
	if (t->kind != TK_IDENT)
		return true;
	if (is_kw(s, t, "define"))
		return on_define(p, run);
	if (is_kw(s, t, "include") || is_kw(s, t, "include_once") ||
	    is_kw(s, t, "require") || is_kw(s, t, "require_once") ||
	    is_kw(s, t, "eval"))
		on_include(p, is_kw(s, t, "eval"));
	if (!start)
		return true;
	if (is_kw(s, t, "if"))
		look_if(p);
	else if (is_kw(s, t, "defined"))
		look_defined(p, false);
	else if (is_kw(s, t, "const"))
		return on_const(p, run);
	else if (is_kw(s, t, "namespace"))
		p->ns = true;
	else if (run == RUN_LIVE && (is_kw(s, t, "return") ||
				     is_kw(s, t, "exit") || is_kw(s, t, "die")))
		p->stopped = true;
	return true;
}

/* Scan the whole text; false with p->rc on a malformed file. */
static bool
scan(struct parser *p)
{
	p->t = lex(&p->lx);
	if (p->t.kind == TK_ERR)
		return fail(p, p->lx.errpos, p->lx.err);
	p->start = true;
	while (p->t.kind != TK_EOF) {
		p->opened |= p->t.kind == TK_OPEN;
		if (!handle(p))
			return false;
		if (p->halt)
			break;
		if (!step(p))
			return false;
	}
	if (!p->opened)
		return fail(p, 0, "no <?php tag");
	if (p->nblk != 0)
		return fail(p, p->lx.len,
			    "the file ends inside a block (truncated?)");
	if (p->paren != 0)
		return fail(p, p->lx.len,
			    "the file ends inside ( ) or [ ] (truncated?)");
	if (p->lx.php && !p->start && !p->halt)
		return fail(p, p->lx.len,
			    "the file ends inside a statement (truncated?)");
	return true;
}

/* A byte of a host name or IPv4 address in DB_HOST. */
static bool
is_host_char(char c)
{
	return c > 0x20 && c < 0x7f && c != '/' && c != '[' && c != ']' &&
	       c != ':';
}

/* A byte of an IPv6 address (no IPv4 tail: wpdb's pattern stops at '.'). */
static bool
is_v6_char(char c)
{
	return (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') || c == ':';
}

/* Split DB_HOST into r->host, r->port, r->socket in the forms that
 * wpdb::parse_db_host() reads (host, host:port, host:/socket, :/socket,
 * ::1, [::1], [::1]:port), strictly: MW_EINPUT for anything else. */
static enum mw_err
split_host(const char *h, struct wpconfig *r)
{
	const char *sock = strstr(h, ":/"), *end, *a = h, *e, *q;
	bool v6 = false;
	uint64_t port = 0;

	end = sock != NULL ? sock : h + strlen(h);
	if (sock != NULL &&
	    !str_is_clean_utf8(sock + 1, strlen(sock + 1), false))
		return MW_EINPUT;
	for (q = h; q < end && !v6; q++)
		v6 = *q == ':' && memchr(q + 1, ':', (size_t)(end - q - 1));
	if (v6) {
		a = h + (h[0] == '[');
		for (e = a; e < end && is_v6_char(*e); e++)
			;
		q = e;
		if (a != h && (q == end || *q++ != ']'))
			return MW_EINPUT;
		if (a == e || (a == h && q != end))
			return MW_EINPUT;
	} else {
		for (e = h; e < end && is_host_char(*e); e++)
			;
		q = e;
	}
	if (q < end && (*q != ':' || str_u64(q + 1, (size_t)(end - q - 1), 1,
					     65535, &port) != MW_OK))
		return MW_EINPUT;
	if (e > a && (r->host = strndup(a, (size_t)(e - a))) == NULL)
		return MW_ENOMEM;
	if (sock != NULL && (r->socket = strdup(sock + 1)) == NULL)
		return MW_ENOMEM;
	r->port = port;
	return MW_OK;
}

/* DB_HOST is in no form we read: drop it, keep the reason. */
static void
bad_host(struct parser *p)
{
	struct wpconfig *r = p->res;

	free(r->host);
	free(r->socket);
	free(r->db_host);
	r->host = r->socket = r->db_host = NULL;
	r->port = 0;
	p->why[WPCONFIG_DB_HOST] = W_HOST;
	p->wpos[WPCONFIG_DB_HOST] = p->vpos[WPCONFIG_DB_HOST];
}

/* Move the values and reasons into p->res; split DB_HOST. */
static bool
finish(struct parser *p)
{
	struct wpconfig *r = p->res;
	char **field[WPCONFIG__MAX] = {&r->db_name, &r->db_user,
				       &r->db_password, &r->db_host,
				       &r->table_prefix};
	enum mw_err rc;
	int k;

	for (k = 0; k < WPCONFIG__MAX; k++) {
		*field[k] = p->val[k];
		p->val[k] = NULL;
	}
	rc = r->db_host != NULL ? split_host(r->db_host, r) : MW_OK;
	if (rc == MW_EINPUT)
		bad_host(p);
	for (k = 0; k < WPCONFIG__MAX; k++)
		if (p->why[k] != W_NONE)
			set_why(p, k, p->why[k], p->wpos[k]);
	if (rc == MW_ENOMEM) {
		p->rc = MW_ENOMEM;
		return false;
	}
	return true;
}

enum mw_err
wpconfig_parse(const char *text, size_t len, struct wpconfig *out, char *err,
	       size_t errsz)
{
	struct wpconfig res = {0};
	struct parser p = {0};
	int k;

	if (text == NULL && len > 0) {
		snprintf(err, errsz, "no text");
		return MW_EINPUT;
	}
	if (len > WPCONFIG_MAX) {
		snprintf(err, errsz, "larger than %d bytes", WPCONFIG_MAX);
		return MW_ECONFIG;
	}
	p.lx.s = text != NULL ? text : "";
	p.lx.len = len;
	p.guard_pos = p.alt_pos = p.hdr_paren = NOPOS;
	p.res = &res;
	if (scan(&p) && finish(&p)) {
		*out = res;
		return MW_OK;
	}
	if (p.rc == MW_ENOMEM)
		snprintf(err, errsz, "out of memory");
	else
		snprintf(err, errsz, "%s at line %zu", p.fail,
			 line_of(p.lx.s, p.lx.len, p.failpos));
	for (k = 0; k < WPCONFIG__MAX; k++)
		wipe_free(p.val[k]);
	wpconfig_free(&res);
	return p.rc;
}

enum mw_err
wpconfig_read(const char *path, struct wpconfig *out, char *err, size_t errsz)
{
	enum mw_err rc = MW_ECONFIG;
	char chunk[4096];
	struct buf b;
	struct stat st;
	ssize_t n;
	int fd;

	buf_init(&b, WPCONFIG_MAX);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errsz, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "not a regular file");
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errsz, "cannot read: %s",
				 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		rc = buf_add(&b, chunk, (size_t)n);
		if (rc != MW_OK) {
			if (rc == MW_ETOOBIG)
				snprintf(err, errsz, "larger than %d bytes",
					 WPCONFIG_MAX);
			else
				snprintf(err, errsz, "out of memory");
			rc = rc == MW_ETOOBIG ? MW_ECONFIG : rc;
			goto out;
		}
	}
	rc = wpconfig_parse(b.p != NULL ? b.p : "", b.len, out, err, errsz);
out:
	explicit_bzero(chunk, sizeof(chunk));
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	return rc;
}

enum mw_err
wpconfig_check(const struct wpconfig *c, unsigned need, char *err, size_t errsz)
{
	const char *val[WPCONFIG__MAX] = {c->db_name, c->db_user,
					  c->db_password, c->db_host,
					  c->table_prefix};
	int k;

	for (k = 0; k < WPCONFIG__MAX; k++) {
		if (!(need & WPCONFIG_NEED(k)) || val[k] != NULL)
			continue;
		if (c->why[k][0] != '\0')
			snprintf(err, errsz, "%s", c->why[k]);
		else
			snprintf(
				err, errsz,
				"%s is not %s in wp-config.php; set %s in mautic-wp.conf",
				keys[k].name,
				k == WPCONFIG_TABLE_PREFIX ? "set" : "defined",
				keys[k].conf);
		return MW_ECONFIG;
	}
	return MW_OK;
}

void
wpconfig_free(struct wpconfig *c)
{
	if (c == NULL)
		return;
	free(c->db_name);
	free(c->db_user);
	wipe_free(c->db_password);
	free(c->db_host);
	free(c->host);
	free(c->socket);
	free(c->table_prefix);
	memset(c, 0, sizeof(*c));
}
