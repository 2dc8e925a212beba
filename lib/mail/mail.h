/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mail.h - sending one plain-text message the way wp_mail() would, through
 * the sendmail binary or an SMTP server (libcurl).
 */
#ifndef MW_MAIL_H
#define MW_MAIL_H

#include <stddef.h>

#include "base/buf.h"
#include "config/config.h"
#include "base/err.h"

#define MAIL_TIMEOUT_MS 10000 /* whole SMTP exchange or sendmail run */
#define MAIL_SUBJECT_MAX 90   /* bytes of a subject */
#define MAIL_WORD_MAX 39      /* bytes in one RFC 2047 encoded word */

/* Compose an RFC 5322 message into out: From from cfg->mail_from, else
 * "WordPress <wordpress@site-host>"; a subject or sender name that is not
 * ASCII goes as RFC 2047 encoded words on folded lines.  MW_EINPUT, with
 * out unchanged, when to is not one bare address or the subject or sender
 * is not valid UTF-8, holds a control byte (CR, LF, NUL ...) or the
 * subject is over MAIL_SUBJECT_MAX bytes; else out's error (MW_ETOOBIG,
 * MW_ENOMEM). */
enum mw_err mail_compose(const struct cfg *cfg, const char *to,
			 const char *subject, const char *body,
			 struct buf *out /* OUT */) MW_MUST_CHECK;

/* Compose and send.  Errors are logged here (never the body); returns
 * MW_EUPSTREAM when the transport refused the message. */
enum mw_err mail_send(const struct cfg *cfg, const char *to,
		      const char *subject, const char *body) MW_MUST_CHECK;

/* Connect to the SMTP server of cfg (smtp_url, ca_file) and say hello,
 * sending no message, within 5 s: what --check asks.  MW_EUPSTREAM with
 * the reason in err when it does not answer; logs nothing. */
enum mw_err mail_probe(const struct cfg *cfg, char *err,
		       size_t errsz) MW_MUST_CHECK;

#endif
