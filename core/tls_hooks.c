#include "config.h"

#include "log.h"
#include "tls_hooks.h"

/* Set by the tls module's init, before fork. */
static const struct tls_hooks *hooks;

int
tls_hooks_set(const struct tls_hooks *h)
{
	if (hooks && h) {
		log_errx("TLS hooks are already registered");
		return -1;
	}
	hooks = h;
	return 0;
}

const struct tls_hooks *
tls_hooks_get(void)
{
	return hooks;
}
