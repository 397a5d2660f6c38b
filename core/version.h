/*
 * version.h - the version and build description printed by tandem -V.
 */
#ifndef TD_VERSION_H
#define TD_VERSION_H

#include <stdio.h>

const char *version_string(void);       /* "tandem 0.1.0" */
void        version_print(FILE *fp);    /* -V: version, flags, ABI */

#endif
