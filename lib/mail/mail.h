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

/* Compose an RFC 5322 message (From from cfg->mail_from, else
 * "WordPress <wordpress@site-host>"; UTF-8 subject encoded per RFC 2047)
 * into out.  MW_EINPUT when a header value holds CR, LF or NUL. */
enum mw_err mail_compose(const struct cfg *cfg, const char *to,
			 const char *subject, const char *body,
			 struct buf *out /* OUT */) MW_MUST_CHECK;

/* Compose and send.  Errors are logged here (never the body); returns
 * MW_EUPSTREAM when the transport refused the message. */
enum mw_err mail_send(const struct cfg *cfg, const char *to,
		      const char *subject, const char *body) MW_MUST_CHECK;

#endif
