/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * utf8.h - strict UTF-8 validation, as PCRE's /u modifier, MariaDB's
 * utf8mb4 and WordPress's wp_check_invalid_utf8() read text: no overlong
 * forms, no surrogates (U+D800-U+DFFF), nothing above U+10FFFF.
 */
#ifndef MW_UTF8_H
#define MW_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Which control bytes a string may hold besides valid UTF-8. */
enum utf8_ctrl {
	UTF8_ANY,     /* all of them, NUL included */
	UTF8_NO_NUL,  /* all but NUL */
	UTF8_TAB,     /* no C0 control or DEL except tab */
	UTF8_NO_CTRL, /* no C0 control or DEL at all */
	UTF8__MAX
};

/* Bytes (1 to 4) of the valid sequence that starts s[0..len), or 0 when
 * len is 0 or the sequence is invalid or cut short. */
size_t utf8_seqlen(const char *s, size_t len);

/* True when s[0..len) is valid UTF-8 holding no control byte that ctrl
 * refuses. */
bool utf8_is_valid(const char *s, size_t len, enum utf8_ctrl ctrl);

#endif
