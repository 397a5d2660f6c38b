/*
 * out_text.c - prints a reply the way kamcmd does, so that scripts
 * written against kamcmd's output read tandemctl's:
 *
 *   kamailio 5.6.3 (x86_64/linux)        a top-level value
 *   {                                    a struct
 *   	now: Sun Nov 22 00:07:25 2026      its members, one tab deeper
 *   	slot: [                            a member that is an array
 *   		1
 *   	]
 *   }
 */
#include "config.h"

#include <stdio.h>

#include "modules/ctl/binrpc.h"
#include "tandemctl.h"

static void
indent(FILE *fp, int depth)
{
	for (int i = 0; i < depth; i++)
		fputc('\t', fp);
}

int
out_text_reply(FILE *fp, const uint8_t *body, size_t len, char *err,
    size_t errsz)
{
	struct binrpc_dec d;
	struct binrpc_val v;
	int depth = 0, rc;

	binrpc_dec_init(&d, body, len);
	while ((rc = binrpc_dec_next(&d, &v)) == 1) {
		if (v.end) {
			depth--;
			indent(fp, depth);
			fputs(v.type == BINRPC_T_STRUCT ? "}\n" : "]\n", fp);
			continue;
		}
		indent(fp, depth);
		if (v.name != NULL) {
			fwrite(v.name, 1, v.name_len, fp);
			fputs(": ", fp);
		}
		switch (v.type) {
		case BINRPC_T_INT:
			fprintf(fp, "%lld\n", v.i);
			break;
		case BINRPC_T_DOUBLE:
			fprintf(fp, "%f\n", v.d);
			break;
		case BINRPC_T_STR:
		case BINRPC_T_BYTES:
			fwrite(v.s, 1, v.len, fp);
			fputc('\n', fp);
			break;
		case BINRPC_T_STRUCT:
			fputs("{\n", fp);
			depth++;
			break;
		case BINRPC_T_ARRAY:
			fputs("[\n", fp);
			depth++;
			break;
		default:
			snprintf(err, errsz, "bad reply: value of type %d",
			    v.type);
			return -1;
		}
	}
	if (rc < 0) {
		snprintf(err, errsz, "bad reply: %s", binrpc_strerror(rc));
		return -1;
	}
	return 0;
}

void
out_text_fault(FILE *fp, int code, const char *msg, size_t len)
{
	fprintf(fp, "error: %d - ", code);
	fwrite(msg, 1, len, fp);
	fputc('\n', fp);
}
