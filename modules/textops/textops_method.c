/*
 * textops_method.c - the method list of is_method() (textops_method.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "textops_method.h"

static int
tx_is_token(char c)
{
	return isalnum((unsigned char)c) || (c != '\0' &&
	    strchr("-.!%*_+`'~", c) != NULL);
}

struct tx_methods *
tx_methods_parse(const char *text, size_t len, const char **err)
{
	struct tx_methods *ms = NULL;
	str_t rest, tok;

	if ((ms = calloc(1, sizeof(*ms))) == NULL ||
	    (ms->text = malloc(len + 1)) == NULL) {
		*err = "out of memory";
		goto fail;
	}
	memcpy(ms->text, text, len);
	ms->text[len] = '\0';
	rest = str_make(ms->text, len);
	if (len == 0) {
		*err = "empty method list";
		goto fail;
	}
	for (;;) {
		char *bar = str_chr(&rest, '|');

		tok = str_make(rest.s, bar ? (size_t)(bar - rest.s) : rest.len);
		str_trim(&tok);
		if (tok.len == 0) {
			*err = "empty method name in the list";
			goto fail;
		}
		for (size_t i = 0; i < tok.len; i++)
			if (!tx_is_token(tok.s[i])) {
				*err = "a method name holds a character that "
				    "is not allowed in a SIP token";
				goto fail;
			}
		if (ms->n == TX_METHODS_MAX) {
			*err = "too many methods in the list";
			goto fail;
		}
		ms->m[ms->n++] = tok;
		if (bar == NULL)
			return ms;
		rest = str_make(bar + 1, rest.len - (size_t)(bar + 1 - rest.s));
	}
fail:
	tx_methods_free(ms);
	return NULL;
}

int
tx_methods_match(const struct tx_methods *ms, const str_t *method)
{
	for (int i = 0; i < ms->n; i++)
		if (str_casecmp_eq(&ms->m[i], method))
			return 1;
	return 0;
}

void
tx_methods_free(struct tx_methods *ms)
{
	if (ms == NULL)
		return;
	free(ms->text);
	free(ms);
}
