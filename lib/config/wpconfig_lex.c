/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wpconfig_lex.c - the tokenizer of the wp-config.php scanner: it cuts PHP
 * into tokens, skipping inline HTML, comments, strings (with their
 * "{$...}" parts) and heredocs, and evaluates the literal strings it can
 * without running PHP.
 */
#include "config/wpconfig_int.h"

#include <stdbool.h>
#include <string.h>

#include "base/strparse.h"

#define INTERP_MAX 16 /* nested "{$...}" in strings */

/* PHP's multi-byte operators, longest first. */
static const char *const ops[] = {
	"<<=", ">>=", "**=", "...", "<=>", "===", "!==", "?\?=", "?->",
	"++",  "--",  "->",  "=>",  "::",  "==",  "!=",	 "<>",	 "<=",
	">=",  "&&",  "||",  "??",  "+=",  "-=",  "*=",	 "/=",	 ".=",
	"%=",  "&=",  "|=",  "^=",  "<<",  ">>",  "**",
};

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

size_t
wpconfig_line_of(const char *s, size_t len, size_t pos)
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
		t = wpconfig_lex(lx);
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

struct tok
wpconfig_lex(struct lexer *lx)
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

enum lit
wpconfig_decode(const char *s, const struct tok *t, char **out /* OUT */)
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

int
wpconfig_key_of(const char *s, const struct tok *t)
{
	const char *b = s + t->pos + 1;
	unsigned alive =
		((1u << WPCONFIG__MAX) - 1) & ~(1u << WPCONFIG_TABLE_PREFIX);
	size_t n = t->len - 2, i = 0, j = 0;
	int k, c;

	if (t->kind != TK_STR)
		return KEY_COMPUTED;
	while (i < n) {
		c = lit_next(b, n, s[t->pos], &i);
		if (c < 0)
			return KEY_COMPUTED;
		for (k = 0; k < WPCONFIG__MAX; k++)
			if ((alive & (1u << k)) &&
			    (wpconfig_keys[k].name[j] == '\0' ||
			     wpconfig_keys[k].name[j] != c))
				alive &= ~(1u << k);
		j++;
	}
	for (k = 0; k < WPCONFIG__MAX; k++)
		if ((alive & (1u << k)) && wpconfig_keys[k].name[j] == '\0')
			return k;
	return KEY_OTHER;
}
