/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * phpser.h - PHP serialize()/unserialize() for the usermeta and option
 * values WordPress stores (mautic_tags, wp_capabilities, wp_user_roles).
 *
 * Only scalars and arrays: objects (O:, C:), references (r:, R:) and enums
 * (E:) are refused.  Every parser limit is a named constant; input past a
 * limit is MW_EINPUT, never a crash.
 */
#ifndef MW_PHPSER_H
#define MW_PHPSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define PHPS_MAX_INPUT (8u << 20) /* bytes accepted by phps_unserialize */
#define PHPS_MAX_DEPTH 8	  /* nested arrays */
#define PHPS_MAX_COUNT 100000	  /* elements in all arrays together */

enum phps_type {
	PHPS_NULL,   /* N; */
	PHPS_BOOL,   /* b:0; b:1; */
	PHPS_INT,    /* i:-12; */
	PHPS_DOUBLE, /* d:0.5; (also INF, -INF, NAN) */
	PHPS_STRING, /* s:3:"abc"; */
	PHPS_ARRAY,  /* a:N:{key;value...} */
	PHPS__MAX
};

struct phps_entry;

struct phps_value {
	enum phps_type type; /* what this value is */
	bool b;		     /* PHPS_BOOL */
	int64_t i;	     /* PHPS_INT */
	double d;	     /* PHPS_DOUBLE */
	char *s;     /* PHPS_STRING: owned, NUL-terminated; may hold NUL */
	size_t slen; /* PHPS_STRING: byte length */
	struct phps_entry *items; /* PHPS_ARRAY: owned, n entries in order */
	size_t n;		  /* PHPS_ARRAY: number of entries */
};

struct phps_entry {
	struct phps_value key; /* PHPS_INT or PHPS_STRING */
	struct phps_value val; /* any type */
};

/* Parse exactly s[0..len): one value, no trailing bytes.  On MW_OK *out owns
 * the tree (release with phps_free); on error *out is untouched.  Returns
 * MW_EINPUT for anything malformed or past a limit, MW_ENOMEM. */
enum mw_err phps_unserialize(const char *s, size_t len,
			     struct phps_value *out /* OUT */) MW_MUST_CHECK;

/* Release what a value owns and reset it to PHPS_NULL.  NULL is fine. */
void phps_free(struct phps_value *v);

/* Append PHP's serialize() of v to out (byte lengths for s:N:, shortest
 * round-trip doubles as PHP 7.1+ prints them). */
enum mw_err phps_serialize(const struct phps_value *v,
			   struct buf *out) MW_MUST_CHECK;

/* Append serialize() of one string, s:LEN:"bytes"; (s may hold NUL). */
enum mw_err phps_serialize_str(const char *s, size_t len, struct buf *out);

/* Append serialize() of a PHP list of strings: a:N:{i:0;s:L:"...";...}. */
enum mw_err phps_serialize_strlist(const char *const *strs, size_t n,
				   struct buf *out) MW_MUST_CHECK;

/* Append serialize() of a PHP array of n strings under string keys, in
 * order: a:N:{s:K:"key";s:L:"value";...}.  A key that reads as an integer
 * is written i:N; as PHP stores it.  keys and vals are borrowed; none may
 * be NULL.  On error out is as it was. */
enum mw_err phps_serialize_strmap(const char *const *keys,
				  const char *const *vals, size_t n,
				  struct buf *out);

/* Read a serialized list of strings (such as mautic_tags).  Returns
 * allocated copies in *strs (caller frees each and the array) and their
 * count; non-string members are skipped.  A value that is not an array
 * yields an empty list, as WP Fusion reads a corrupt value; MW_EINPUT only
 * for input that is not valid serialized data at all. */
enum mw_err phps_unserialize_strlist(const char *s, size_t len,
				     char ***strs /* OUT */,
				     size_t *n /* OUT */) MW_MUST_CHECK;

/* WordPress's is_serialized($data, $strict): whether a string looks like
 * serialized data (PHP-trimmed first). */
bool phps_looks_serialized(const char *s, size_t len, bool strict);

/* WordPress's maybe_serialize() for a string: a value that looks serialized
 * is serialized once more (s:N:"...";), so that WordPress reads back the
 * string and never unserializes what a webhook sent; others are copied.
 * Appends to out. */
enum mw_err phps_maybe_serialize(const char *s, size_t len, struct buf *out);

/* PHP's (bool) of a value: false for NULL (or v NULL), false, 0, 0.0, ""
 * and "0" and an empty array; true for anything else.  WordPress reads
 * checkbox options and capability grants this way. */
bool phps_truthy(const struct phps_value *v);

/* Look up a string key in an array; NULL if absent or v is not an array. */
const struct phps_value *phps_get(const struct phps_value *v, const char *key);

#endif
