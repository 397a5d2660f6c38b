/*
 * src.h - the config's source files and positions in them.
 *
 * Every token, AST node and diagnostic carries a cfg_pos; the file is an
 * index into the cfg_src table so positions stay small.
 */
#ifndef TD_CFG_SRC_H
#define TD_CFG_SRC_H

#include <stdint.h>

struct cfg_pos {
	uint32_t file;          /* index in cfg_src.files; 0 = none      */
	uint32_t line;          /* 1-based; 0 = unknown                    */
	uint32_t col;           /* 1-based                                 */
};

struct cfg_src {
	char   **files;         /* files[0] is "<none>"                    */
	uint32_t nfiles;
};

void        src_init(struct cfg_src *s);
/* Returns the file's index (adding it once), or 0 on allocation failure. */
uint32_t    src_add_file(struct cfg_src *s, const char *path);
const char *src_file_name(const struct cfg_src *s, uint32_t file);
void        src_free(struct cfg_src *s);

#endif
