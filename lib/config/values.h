/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * values.h - the parsers of single configuration values, for the key
 * table of config.c.  Each gets the value as written (a default too) and
 * returns MW_EINPUT when it is malformed, MW_ENOMEM; a parser of a
 * structured value also stores the parsed form in cfg.
 */
#ifndef MW_VALUES_H
#define MW_VALUES_H

#include "base/err.h"
#include "config/config.h"

/* [cache] redis into cfg->redis_url (see cfg_redis_parse()). */
enum mw_err cfg_value_redis(struct cfg *cfg, const char *value) MW_MUST_CHECK;

/* A file the CGI opens or runs: an absolute path. */
enum mw_err cfg_value_path(struct cfg *cfg, const char *value) MW_MUST_CHECK;

/* http:// or https:// and a host. */
enum mw_err cfg_value_http_url(struct cfg *cfg,
			       const char *value) MW_MUST_CHECK;

/* smtp:// or smtps:// and a host. */
enum mw_err cfg_value_smtp_url(struct cfg *cfg,
			       const char *value) MW_MUST_CHECK;

/* "addr" or "Name <addr>": one address with an @, no blanks. */
enum mw_err cfg_value_mail_from(struct cfg *cfg,
				const char *value) MW_MUST_CHECK;

#endif
