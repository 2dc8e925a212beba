/* SPDX-License-Identifier: GPL-2.0-or-later */
/* err.c - names and HTTP statuses of enum mw_err. */
#include "base/err.h"

const char *
mw_strerror(enum mw_err e)
{
	switch (e) {
	case MW_OK:
		return "ok";
	case MW_ENOMEM:
		return "out_of_memory";
	case MW_EINPUT:
		return "bad_request";
	case MW_EAUTH:
		return "forbidden";
	case MW_EMETHOD:
		return "method_not_allowed";
	case MW_ETOOBIG:
		return "too_large";
	case MW_ECONFIG:
		return "config_error";
	case MW_EUPSTREAM:
		return "mautic_error";
	case MW_ETIMEOUT:
		return "mautic_timeout";
	case MW_EDB:
		return "database_unavailable";
	case MW_EINTERNAL:
		return "internal_error";
	case MW_EFULL:
		return "queue_full";
	case MW_ERR__MAX:
		break;
	}
	return "internal_error";
}

int
mw_http_status(enum mw_err e)
{
	switch (e) {
	case MW_OK:
		return 200;
	case MW_EINPUT:
		return 400;
	case MW_EAUTH:
		return 403;
	case MW_EMETHOD:
		return 405;
	case MW_ETOOBIG:
		return 413;
	case MW_EUPSTREAM:
		return 502;
	case MW_EDB:
	case MW_EFULL:
		return 503;
	case MW_ETIMEOUT:
		return 504;
	case MW_ENOMEM:
	case MW_ECONFIG:
	case MW_EINTERNAL:
	case MW_ERR__MAX:
		break;
	}
	return 500;
}
