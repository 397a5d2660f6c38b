/*
 * corex_file.h - file_read() and file_write() of corex, apart from the
 * script glue so that the unit tests can drive them.
 */
#ifndef TD_COREX_FILE_H
#define TD_COREX_FILE_H

#include <stddef.h>

#include "core/arena.h"
#include "core/str.h"

/* The largest file file_read() takes: its text goes into a variable of
 * the message being routed. */
#define COREX_FILE_MAX  (1024 * 1024)

/*
 * Reads the regular file path (at most COREX_FILE_MAX bytes) into a, as
 * *out (NUL-terminated; an empty file gives an empty string).  Does not
 * wait on a FIFO or a device.  0, or -1 with the reason in err.
 */
int corex_file_read(const char *path, struct arena *a, str_t *out,
                    char *err, size_t errlen);

/*
 * Writes data to path, created (mode 0666 less the umask) or truncated,
 * as fopen(path, "w") does.  Does not wait on a FIFO without a reader.
 * 0, or -1 with the reason in err.
 */
int corex_file_write(const char *path, const str_t *data, char *err,
                     size_t errlen);

#endif
