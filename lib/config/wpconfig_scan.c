/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wpconfig_scan.c - the scan of wp-config.php.  step() consumes one token
 * and keeps the structure: open blocks and whether they run (always,
 * maybe, never), brackets, alternative syntax (if (...): ... endif;).  The
 * on_*() handlers look ahead on a copy of the lexer to recognise define(),
 * const, $table_prefix, guards and includes; they never consume tokens, so
 * the structure is kept in one place.  Every look-ahead reads a bounded
 * number of tokens, so a file is scanned in linear time.
 */
#include "config/wpconfig_int.h"

#include <stdbool.h>
#include <string.h>

#define LOOK_MAX 32 /* tokens an include is searched for wp-settings */

static bool
fail(struct parser *p, size_t pos, const char *what)
{
	p->rc = MW_ECONFIG;
	p->fail = what;
	p->failpos = pos;
	return false;
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

	if (is_bool_key(k)) {
		/* Only the literals count: WP Fusion compares with === true. */
		if (!is_kw(p->lx.s, v, "true") && !is_kw(p->lx.s, v, "false"))
			return unreadable(p, k, K_UNKNOWN, W_NOTLIT, pos);
		d = strdup(is_kw(p->lx.s, v, "true") ? "true" : "false");
		if (d == NULL) {
			p->rc = MW_ENOMEM;
			return false;
		}
		goto take;
	}
	if (v->kind != TK_STR)
		return unreadable(p, k, K_UNKNOWN, W_NOTLIT, pos);
	switch (wpconfig_decode(p->lx.s, v, &d)) {
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
take:
	wipe_free(p->val[k]);
	p->val[k] = d;
	p->vpos[k] = pos;
	p->st[k] = K_VALUE;
	p->why[k] = W_NONE;
	return true;
}

/* Keys not set yet (only the define()d ones with defines_only) may be
 * set by what is at pos. */
static void
taint_unset(struct parser *p, bool defines_only, enum why w, size_t pos)
{
	int k;

	for (k = 0; k < WPCONFIG__MAX; k++)
		if (p->st[k] == K_UNSET && (!defines_only || is_define_key(k)))
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
	return pop(p, true) && push(p, RUN_MAYBE | BLK_ALT);
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
	p->t = wpconfig_lex(&p->lx);
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
	a = wpconfig_lex(la);
	if (a.kind != TK_STR || !next_is(s, la, ")"))
		return false;
	k = wpconfig_key_of(s, &a);
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
	struct tok t = wpconfig_lex(la);

	return is_op(s, &t, "\\") ? wpconfig_lex(la) : t;
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
		x = wpconfig_lex(&la);
		if (!is_op(s, &x, "("))
			return;
		x = wpconfig_lex(&la);
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
	p->guard_pos = wpconfig_lex(&la).pos;
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
	x = wpconfig_lex(&la);
	if (neg ? !(is_op(s, &x, "&&") || is_kw(s, &x, "and"))
		: !(is_op(s, &x, "||") || is_kw(s, &x, "or")))
		return;
	p->guard_pos = wpconfig_lex(&la).pos;
	p->guard_run = g;
}

/* After the value of a define(): ") " or ", true )" and the like. */
static bool
define_tail(const char *s, struct lexer *la)
{
	struct tok x = wpconfig_lex(la);

	if (is_op(s, &x, ","))
		x = wpconfig_lex(la);
	if (is_kw(s, &x, "true") || is_kw(s, &x, "false")) {
		x = wpconfig_lex(la);
		if (is_op(s, &x, ","))
			x = wpconfig_lex(la);
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
	v = wpconfig_lex(&la);
	k = wpconfig_key_of(s, &v);
	if (k != KEY_COMPUTED && !next_is(s, &la, ","))
		k = KEY_COMPUTED; /* 'DB_' . 'NAME' */
	if (k == KEY_COMPUTED)
		taint_unset(p, true, W_COMPUTED, p->t.pos);
	if (k < 0 || p->st[k] != K_UNSET)
		return true;
	if (run != RUN_LIVE)
		return unreadable(p, k, K_MAYBE, W_COND, p->t.pos);
	v = wpconfig_lex(&la);
	if ((v.kind != TK_STR && v.kind != TK_IDENT) || !define_tail(s, &la))
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
	if ((v->kind != TK_STR && v->kind != TK_IDENT) ||
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
		n = wpconfig_lex(&la);
		if (n.kind != TK_IDENT || !next_is(s, &la, "="))
			return true;
		v = wpconfig_lex(&la);
		e = wpconfig_lex(&la);
		for (k = 0; k < WPCONFIG__MAX; k++)
			if (is_define_key(k) &&
			    n.len == strlen(wpconfig_keys[k].name) &&
			    memcmp(s + n.pos, wpconfig_keys[k].name, n.len) ==
				    0)
				break;
		if (k < WPCONFIG__MAX && p->st[k] == K_UNSET &&
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
	struct tok op = wpconfig_lex(&la), v, e;
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
	v = wpconfig_lex(&la);
	e = wpconfig_lex(&la);
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
		x = wpconfig_lex(&la);
		if (x.kind == TK_EOF || x.kind == TK_ERR || is_op(s, &x, ";"))
			break;
		if (x.kind == TK_STR && x.len >= tl + 2 &&
		    memcmp(s + x.pos + x.len - 1 - tl, tail, tl) == 0) {
			p->stopped = true;
			return;
		}
	}
	taint_unset(p, false, eval ? W_EVAL : W_INCLUDE, p->t.pos);
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

bool
wpconfig_scan(struct parser *p)
{
	p->t = wpconfig_lex(&p->lx);
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
