/*
 * db.c - finding the database module for a URL.  The core stores
 * nothing itself: it only maps "scheme://" to the module "db_scheme".
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "module_api.h"

#define DB_SCHEME_MAX 32

const struct db_api *
db_bind(const char *url)
{
	char modname[DB_SCHEME_MAX + 4];
	const char *sep;
	const struct db_api *api;
	size_t n;

	if (url == NULL || (sep = strstr(url, "://")) == NULL ||
	    sep == url) {
		log_errx("db_url \"%s\": expected scheme://..., as in "
		    "sqlite:///var/lib/tandem/msilo.db", url ? url : "");
		return NULL;
	}
	n = (size_t)(sep - url);
	if (n > DB_SCHEME_MAX) {
		log_errx("db_url \"%s\": the scheme is too long", url);
		return NULL;
	}
	snprintf(modname, sizeof(modname), "db_%.*s", (int)n, url);
	api = mod_api_get(modname, DB_API_VERSION);
	if (api == NULL)
		log_errx("db_url \"%s\": no database module for \"%.*s\" "
		    "(loadmodule \"%s.so\" before the module using it)", url,
		    (int)n, url, modname);
	return api;
}
