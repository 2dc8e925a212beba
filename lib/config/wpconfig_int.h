/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wpconfig_int.h - what the files of the wp-config.php scanner share:
 * tokens and the lexer (wpconfig_lex.c), the parser state that the scan
 * (wpconfig_scan.c) fills and wpconfig.c turns into a struct wpconfig.
 * Included only by config/wpconfig*.c; not part of the library's
 * interface.
 */
#ifndef MW_WPCONFIG_INT_H
#define MW_WPCONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/strparse.h"
#include "config/wpconfig.h"

#define NEST_MAX 64	   /* open blocks */
#define NOPOS ((size_t)-1) /* no token */
#define KEY_OTHER (-1)	   /* a constant we do not read */
#define KEY_COMPUTED (-2)  /* a name PHP would have to compute */

/* ------------------------------------------------------------------ */
/* Tokens (wpconfig_lex.c)                                             */
/* ------------------------------------------------------------------ */

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

/* The parts of a literal string. */
enum lit { LIT_OK, LIT_DQ, LIT_NUL, LIT_NOMEM };

/* The next token; TK_ERR with lx->err on a malformed file.  A copy of a
 * lexer looks ahead without moving the original. */
struct tok wpconfig_lex(struct lexer *lx);

/* Line number (from 1) of offset pos, counting \n, \r\n and \r. */
size_t wpconfig_line_of(const char *s, size_t len, size_t pos);

/* Decode string token t into *out (allocated; caller wipes and frees). */
enum lit wpconfig_decode(const char *s, const struct tok *t,
			 char **out /* OUT */);

/* The define() key a token names, KEY_OTHER or KEY_COMPUTED. */
int wpconfig_key_of(const char *s, const struct tok *t);

static inline bool
is_op(const char *s, const struct tok *t, const char *op)
{
	return t->kind == TK_OP && t->len == strlen(op) &&
	       memcmp(s + t->pos, op, t->len) == 0;
}

/* The next token on la is operator op. */
static inline bool
next_is(const char *s, struct lexer *la, const char *op)
{
	struct tok t = wpconfig_lex(la);

	return is_op(s, &t, op);
}

/* An identifier equal to kw, ASCII case ignored (PHP keywords). */
static inline bool
is_kw(const char *s, const struct tok *t, const char *kw)
{
	return t->kind == TK_IDENT && str_ieq(s + t->pos, t->len, kw);
}

/* ------------------------------------------------------------------ */
/* The scan (wpconfig_scan.c)                                          */
/* ------------------------------------------------------------------ */

/* How surely code runs: ordered, the larger of two wins. */
enum run { RUN_LIVE, RUN_MAYBE, RUN_DEAD };
#define BLK_ALT 4 /* blk[] flag: opened by "...:" rather than "{" */

/* What is known about a key at the current point of the file. */
enum kst { K_UNSET, K_VALUE, K_UNKNOWN, K_MAYBE };

/* Why a key is unreadable; wpconfig.c words it. */
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

/* Scan the whole text of p->lx into p->st, p->val and p->why; false with
 * p->rc (and for MW_ECONFIG p->fail, p->failpos) on a malformed file. */
bool wpconfig_scan(struct parser *p);

/* ------------------------------------------------------------------ */
/* Keys (wpconfig.c)                                                   */
/* ------------------------------------------------------------------ */

struct keyname {
	const char *name; /* as written in wp-config.php */
	const char *conf; /* the mautic-wp.conf key that stands in */
};

extern const struct keyname wpconfig_keys[WPCONFIG__MAX];

/* Keys set with define() (all but $table_prefix). */
static inline bool
is_define_key(int k)
{
	return k != WPCONFIG_TABLE_PREFIX;
}

/* Keys whose value is the literal true or false, not a string. */
static inline bool
is_bool_key(int k)
{
	return k == WPCONFIG_MULTISITE || k == WPCONFIG_WPF_STAGING ||
	       k == WPCONFIG_WPF_PREFIX_KEYS;
}

/* Wipe and free a NUL-terminated secret; accepts NULL. */
static inline void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

#endif
