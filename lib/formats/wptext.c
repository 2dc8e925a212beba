/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wptext.c - WordPress 6.1's text rules for user fields, so that what we
 * store is byte for byte what wp_insert_user() stores: the API of
 * wptext.h, each function the chain of filters WordPress applies to one
 * field.
 *
 * The filters are ports of the WordPress functions (wp-includes/
 * formatting.php and kses.php) and PHP built-ins whose names they carry
 * (wptext_int.h): wptext_str.c (PHP string functions), wptext_html.c
 * (strip_tags, entities), wptext_kses.c (kses), wptext_url.c (kses's
 * protocol check, parse_url, esc_url), wptext_sanitize.c (remove_accents,
 * sanitize_user, sanitize_title, sanitize_text_field, is_email).
 * wptext_tables.c holds the data read from WordPress itself by
 * gen_wptext_tables.php.  tests/unit/wptext_parity.php runs the PHP
 * originals on tests/data/wptext-cases.txt for comparison.
 *
 * Modelled as WordPress is called by wp_create_user(), the REST API and
 * wp-admin: the value is slashed, filtered, and unslashed before the
 * INSERT.  Site options are the defaults: blog_charset UTF-8, locale en_US,
 * no plugin filters, no intl extension (no NFC normalization).
 *
 * Where WordPress would go on but we answer MW_EINPUT:
 *  - an input longer than IN_MAX bytes;
 *  - kses input with block delimiters ("<!-- wp:", "<!-- /wp:"), which
 *    WordPress re-serializes through its block parser;
 *  - a URL whose scheme part holds a numeric reference above PHP_INT_MAX
 *    (PHP throws a TypeError in chr(): WordPress dies);
 *  - description or URL output that is not valid UTF-8 (wpdb refuses to
 *    write it), a URL over 100 characters (user_url_too_long);
 *  - nicename of a login with non-ASCII bytes (strict logins are ASCII);
 *  - comments in kses input nested more than KSES_DEPTH_MAX deep or not
 *    stable after KSES_ROUNDS_MAX rounds (wptext_kses.c; never seen,
 *    bounds the work).
 * Every scan is linear in the input, also where WordPress's regular
 * expressions backtrack.
 */
#include "formats/wptext.h"

#include <stdio.h>
#include <string.h>

#include "formats/wptext_int.h"

/* Copy the result to the caller's buffer; free w. */
static enum mw_err
sb_finish(struct sb *w, char *out, size_t outsz)
{
	enum mw_err rc = w->rc;

	if (rc == MW_OK && sb_len(w) >= outsz)
		rc = MW_EINPUT;
	if (rc == MW_OK) {
		memcpy(out, sb_ptr(w), sb_len(w));
		out[sb_len(w)] = '\0';
	}
	sb_free(w);
	return rc;
}

/* wp_filter_kses() of the pre_user_* filters but the description's. */
static void
kses_field(struct sb *o, const char *s, size_t n)
{
	wptext_kses(o, s, n, KSES_FIELD);
}

static void
specialchars_noquotes(struct sb *o, const char *s, size_t n)
{
	wptext_specialchars(o, s, n, false);
}

static bool
input_ok(const char *in, char *out, size_t outsz)
{
	return in != NULL && out != NULL && outsz > 0 &&
	       strnlen(in, IN_MAX + 1) <= IN_MAX;
}

enum mw_err
wptext_sanitize_login(const char *in, bool lower, char *out, size_t outsz)
{
	struct sb w, t;
	char *p;
	size_t i, j, len;

	if (!input_ok(in, out, outsz))
		return MW_EINPUT;
	sb_init(&w);
	sb_init(&t);
	if (lower) {
		/* wpmu_create_user(): sanitized raw, blanks out, lower-cased */
		wptext_sanitize_user(&t, in, strlen(in));
	} else {
		/* wp_create_user() slashes; sanitize_user() drops slashes */
		wptext_addslashes(&w, in, strlen(in));
		wptext_sanitize_user(&t, sb_ptr(&w), sb_len(&w));
	}
	sb_move(&w, &t);
	p = w.b.p;
	len = sb_len(&w);
	for (i = j = 0; p != NULL && i < len; i++)
		if (!lower || p[i] != ' ')
			p[j++] = lower ? (char)to_lower((unsigned char)p[i])
				       : p[i];
	len = j < WPTEXT_LOGIN_MAX ? j : WPTEXT_LOGIN_MAX;
	while (len > 0 && p[len - 1] == ' ')
		len--;
	w.b.len = len;
	if (p != NULL)
		p[len] = '\0';
	if (len == 0 || (len == 1 && p[0] == '0'))
		sb_fail(&w, MW_EINPUT); /* empty($user_login) */
	sb_free(&t);
	return sb_finish(&w, out, outsz);
}

enum mw_err
wptext_nicename(const char *login, char *out, size_t outsz)
{
	struct sb w;
	size_t i, len;

	if (!input_ok(login, out, outsz))
		return MW_EINPUT;
	len = strlen(login);
	for (i = 0; i < len; i++)
		if ((unsigned char)login[i] >= 0x80)
			return MW_EINPUT;
	sb_init(&w);
	wptext_sanitize_title(&w, login,
			      len < WPTEXT_NICENAME_MAX ? len
							: WPTEXT_NICENAME_MAX);
	if (sb_len(&w) > WPTEXT_NICENAME_MAX)
		sb_fail(&w, MW_EINPUT);
	return sb_finish(&w, out, outsz);
}

enum mw_err
wptext_nicename_suffix(const char *nicename, unsigned suffix, char *out,
		       size_t outsz)
{
	struct sb w;
	char digits[16];
	size_t i, chars, keep;
	int nd;

	if (!input_ok(nicename, out, outsz))
		return MW_EINPUT;
	nd = snprintf(digits, sizeof(digits), "%u", suffix);
	keep = 49 - (size_t)nd;
	for (i = chars = 0; nicename[i] != '\0'; i++) {
		if (((unsigned char)nicename[i] & 0xc0) != 0x80 &&
		    chars++ == keep)
			break;
	}
	sb_init(&w);
	sb_put(&w, nicename, i);
	sb_putc(&w, '-');
	sb_puts(&w, digits);
	return sb_finish(&w, out, outsz);
}

enum mw_err
wptext_display(const char *in, char *out, size_t outsz)
{
	/* wp_slash(), then pre_user_display_name: sanitize_text_field,
	 * wp_filter_kses (stripslashes, wp_kses, addslashes) and
	 * _wp_specialchars at priority 30, then wp_unslash(). */
	static stage_fn *const fns[] = {
		wptext_addslashes,   wptext_sanitize_text_field,
		wptext_stripslashes, kses_field,
		wptext_addslashes,   specialchars_noquotes,
		wptext_stripslashes,
	};
	struct sb w;

	if (!input_ok(in, out, outsz))
		return MW_EINPUT;
	sb_init(&w);
	wptext_chain(&w, in, strlen(in), fns, sizeof(fns) / sizeof(fns[0]));
	return sb_finish(&w, out, outsz);
}

enum mw_err
wptext_text_field(const char *in, char *out, size_t outsz)
{
	struct sb w;

	if (!input_ok(in, out, outsz))
		return MW_EINPUT;
	sb_init(&w);
	wptext_sanitize_text_field(&w, in, strlen(in));
	return sb_finish(&w, out, outsz);
}

enum mw_err
wptext_description(const char *in, char *out, size_t outsz)
{
	struct sb w;

	if (!input_ok(in, out, outsz))
		return MW_EINPUT;
	sb_init(&w);
	/* empty($userdata['description']) stores ''; slashing and
	 * wp_filter_kses's stripslashes cancel out. */
	if (strcmp(in, "0") != 0)
		wptext_kses(&w, in, strlen(in), KSES_DESCRIPTION);
	if (!utf8_is_valid(sb_ptr(&w), sb_len(&w), UTF8_ANY))
		sb_fail(&w, MW_EINPUT);
	return sb_finish(&w, out, outsz);
}

bool
wptext_is_email(const char *in)
{
	struct sb w;
	size_t n;
	bool same;

	if (in == NULL)
		return false;
	n = strnlen(in, WPTEXT_EMAIL_MAX + 1);
	if (n > WPTEXT_EMAIL_MAX || !wptext_email_valid(in, n))
		return false;
	/* is_email() implies sanitize_email() keeps it; pre_user_email's
	 * wp_filter_kses must keep it too (an & would become &amp;). */
	sb_init(&w);
	kses_field(&w, in, n);
	same = w.rc == MW_OK && sb_len(&w) == n &&
	       memcmp(sb_ptr(&w), in, n) == 0;
	sb_free(&w);
	return same;
}

enum mw_err
wptext_url(const char *in, char *out, size_t outsz)
{
	/* wp_slash(), then pre_user_url: wp_strip_all_tags, sanitize_url,
	 * wp_filter_kses; no backslash survives sanitize_url, so slashes
	 * and wp_unslash() cancel out after it. */
	static stage_fn *const fns[] = {wptext_addslashes,
					wptext_strip_all_tags,
					wptext_esc_url_raw, kses_field};
	struct sb w;

	if (!input_ok(in, out, outsz))
		return MW_EINPUT;
	sb_init(&w);
	/* empty($userdata['user_url']) stores '' */
	if (in[0] != '\0' && strcmp(in, "0") != 0)
		wptext_chain(&w, in, strlen(in), fns,
			     sizeof(fns) / sizeof(fns[0]));
	if (!utf8_is_valid(sb_ptr(&w), sb_len(&w), UTF8_ANY) ||
	    wptext_utf8_chars(sb_ptr(&w), sb_len(&w)) > WPTEXT_URL_MAX)
		sb_fail(&w, MW_EINPUT);
	return sb_finish(&w, out, outsz);
}
