#include "config.h"

#include "module_api.h"
#include "version.h"

const char *
version_string(void)
{
	return PACKAGE_NAME " " PACKAGE_VERSION;
}

void
version_print(FILE *fp)
{
	fprintf(fp, "%s (SIP + MSRP server, Kamailio-config compatible)\n",
	    version_string());
	fprintf(fp, "build flags: %s\n", TD_BUILD_FLAGS);
	fprintf(fp, "module ABI: %d\n", MOD_ABI_VERSION);
	fprintf(fp, "module dir: %s\n", TD_MODULE_DIR);
	fprintf(fp, "compiled with: "
#if defined(__clang__)
	    "clang " __clang_version__
#elif defined(__GNUC__)
	    "gcc " __VERSION__
#else
	    "unknown compiler"
#endif
	    " on " __DATE__ "\n");
}
