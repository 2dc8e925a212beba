/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wpconfig.h - read the database settings from a site's wp-config.php.
 *
 * The file is scanned, never executed.  Only the literal forms people write
 * are understood:
 *
 *   define( 'DB_NAME', 'value' );          define("DB_NAME", "value", true);
 *   defined('DB_NAME') || define(...);      !defined('X') && define(...);
 *   if ( ! defined( 'DB_NAME' ) ) { define(...); }
 *   const DB_NAME = 'value';                (top level, no namespace)
 *   $table_prefix = 'wp_';                  if (!isset($table_prefix)) ...
 *
 * Single-quoted strings know PHP's \' and \\ escapes; double-quoted strings
 * may use \" \\ \$ \n \t and no '$' at all.  Comments, strings, heredocs and
 * inline HTML are skipped, so a commented-out define does not count.  As in
 * PHP, the first define() of a constant wins and the last assignment of
 * $table_prefix wins.  Scanning ends at the include of wp-settings.php (where
 * WordPress connects) or at a top-level return/exit.
 *
 * A key whose value cannot be known without running PHP (getenv(), a
 * concatenation, a define under an unrelated condition, a key that a
 * preceding include may set) is left NULL and its reason is kept in why[],
 * so that a key set in mautic-wp.conf can still stand in for it;
 * wpconfig_check() turns what the caller needs into one error.
 *
 * Messages never contain values, and do not repeat the file's path: the
 * caller prefixes it.
 */
#ifndef MW_WPCONFIG_H
#define MW_WPCONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define WPCONFIG_MAX (1024 * 1024) /* larger files are refused */
#define WPCONFIG_WHY_MAX 200	   /* room for one reason, NUL included */

/* The settings read, in the order wpconfig_check() reports them. */
enum wpconfig_key {
	WPCONFIG_DB_NAME,
	WPCONFIG_DB_USER,
	WPCONFIG_DB_PASSWORD,
	WPCONFIG_DB_HOST,
	WPCONFIG_TABLE_PREFIX,
	/* optional constants, never needed: only read when present */
	WPCONFIG_WP_SITEURL,	  /* WP_SITEURL: overrides the option */
	WPCONFIG_MULTISITE,	  /* MULTISITE: true or false */
	WPCONFIG_WPF_STAGING,	  /* WPF_STAGING_MODE: true or false */
	WPCONFIG_WPF_PREFIX_KEYS, /* WPF_MULTISITE_PREFIX_KEYS */
	WPCONFIG__MAX
};

/* Bit of a key in wpconfig_check()'s need mask. */
#define WPCONFIG_NEED(k) (1u << (k))
/* The five database settings (the optional constants are never needed). */
#define WPCONFIG_NEED_ALL ((1u << (WPCONFIG_TABLE_PREFIX + 1)) - 1)

struct wpconfig {
	/* DB_NAME; owned; NULL if not found or unreadable */
	char *db_name;
	/* DB_USER; owned; NULL if not found or unreadable */
	char *db_user;
	/* DB_PASSWORD; owned, wiped by wpconfig_free(); NULL as above */
	char *db_password;
	/* DB_HOST as written; owned; NULL as above */
	char *db_host;
	/* DB_HOST's host part; owned; NULL when socket-only or empty;
	 * an IPv6 address comes without its brackets */
	char *host;
	/* DB_HOST's port, 1..65535; 0 when not given */
	uint64_t port;
	/* DB_HOST's socket path (host:/path, :/path); owned; NULL if none */
	char *socket;
	/* $table_prefix; owned; NULL as above; not validated here */
	char *table_prefix;
	/* WP_SITEURL as written; owned; NULL when absent or unreadable */
	char *wp_siteurl;
	/* The boolean constants MULTISITE, WPF_STAGING_MODE and
	 * WPF_MULTISITE_PREFIX_KEYS: "true" or "false" when defined to the
	 * literal true or false (any case), else NULL (owned) */
	char *multisite;
	char *wpf_staging;
	char *wpf_prefix_keys;
	/* why a key is NULL although the file sets it ("DB_PASSWORD at
	 * line 23 is not a literal string; ..."); "" when there is no
	 * reason (read or simply absent) */
	char why[WPCONFIG__MAX][WPCONFIG_WHY_MAX];
};

/*
 * Read and parse the file at path: a regular file of at most WPCONFIG_MAX
 * bytes, read as it is (no permission demands).  The text is wiped after
 * parsing.  On MW_OK *out is filled (release it with wpconfig_free());
 * otherwise *out is untouched and err says why: MW_ECONFIG for a file that
 * cannot be read or is not well-formed PHP, MW_ENOMEM.
 */
enum mw_err wpconfig_read(const char *path, struct wpconfig *out /* OUT */,
			  char *err, size_t errsz) MW_MUST_CHECK;

/*
 * Parse text[0..len) as wp-config.php.  Returns MW_OK with *out filled
 * (keys absent or unreadable are NULL, see why[]), MW_ECONFIG when the text
 * is not a complete PHP file (unterminated string or comment, unbalanced
 * braces, a NUL byte in code, no "<?php", over WPCONFIG_MAX), MW_ENOMEM.
 * *out is written only on MW_OK.
 */
enum mw_err wpconfig_parse(const char *text, size_t len,
			   struct wpconfig *out /* OUT */, char *err,
			   size_t errsz) MW_MUST_CHECK;

/*
 * MW_OK when every key in need (WPCONFIG_NEED bits) has a value, else
 * MW_ECONFIG with the first missing key's reason in err ("DB_NAME is not
 * defined in wp-config.php; set db_name in mautic-wp.conf").
 */
enum mw_err wpconfig_check(const struct wpconfig *c, unsigned need, char *err,
			   size_t errsz) MW_MUST_CHECK;

/* Release everything c owns, wiping the password; leaves c zeroed.
 * Accepts NULL and a zeroed struct. */
void wpconfig_free(struct wpconfig *c);

#endif
