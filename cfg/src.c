#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "src.h"

void
src_init(struct cfg_src *s)
{
	s->files = NULL;
	s->nfiles = 0;
}

uint32_t
src_add_file(struct cfg_src *s, const char *path)
{
	char **nf;
	char *dup;

	if (s->nfiles == 0) {
		s->files = malloc(sizeof(char *));
		if (s->files == NULL || (s->files[0] = strdup("<none>")) == NULL)
			return 0;
		s->nfiles = 1;
	}
	for (uint32_t i = 1; i < s->nfiles; i++)
		if (strcmp(s->files[i], path) == 0)
			return i;
	dup = strdup(path);
	if (dup == NULL)
		return 0;
	nf = realloc(s->files, (s->nfiles + 1) * sizeof(char *));
	if (nf == NULL) {
		free(dup);
		return 0;
	}
	s->files = nf;
	s->files[s->nfiles] = dup;
	return s->nfiles++;
}

const char *
src_file_name(const struct cfg_src *s, uint32_t file)
{
	if (file == 0 || file >= s->nfiles)
		return "<config>";
	return s->files[file];
}

void
src_free(struct cfg_src *s)
{
	for (uint32_t i = 0; i < s->nfiles; i++)
		free(s->files[i]);
	free(s->files);
	s->files = NULL;
	s->nfiles = 0;
}
