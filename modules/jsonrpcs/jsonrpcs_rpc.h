/*
 * jsonrpcs_rpc.h - serving one JSON-RPC 2.0 request document with the
 * RPC registry (core/rpc.h): validates the request, turns its params
 * into the string arguments handlers read, runs the method through an
 * rpc_writer that builds a JSON tree, and writes the response.
 * Transport-free: the FIFO, the datagram socket and jsonrpc_exec() hand
 * it documents and send what it returns.
 *
 * The shape of "result" follows Kamailio's jsonrpcs: nothing is {}, one
 * value (or struct, or array) is that value, several are an array.
 */
#ifndef TD_JSONRPCS_RPC_H
#define TD_JSONRPCS_RPC_H

#include <stddef.h>

#include "jsonrpcs_json.h"

/* JSON-RPC 2.0 error codes (the specification's, section 5.1), with the
 * messages Kamailio's jsonrpcs uses. */
#define JSONRPCS_E_PARSE     (-32700)   /* "Parse Error"        */
#define JSONRPCS_E_REQUEST   (-32600)   /* "Invalid Request"    */
#define JSONRPCS_E_METHOD    (-32601)   /* "Method Not Found"   */
#define JSONRPCS_E_PARAMS    (-32602)   /* "Invalid Parameters" */
#define JSONRPCS_E_INTERNAL  (-32603)   /* "Internal Error"     */

#define JSONRPCS_MAX_PARAMS   128
#define JSONRPCS_METHOD_MAX   128
#define JSONRPCS_TEXT_MAX     512

struct jsonrpcs_reply {
	struct jsonrpcs_buf  out;       /* the response text             */
	int                  send;      /* 1: out is to be sent; 0: none
	                                   (a notification)              */
	int                  code;      /* 200, or the error code        */
	char                 text[JSONRPCS_TEXT_MAX];  /* "OK" or the error
	                                   message                       */
	struct jsonrpcs_doc  doc;       /* scratch: the response tree    */
};

void jsonrpcs_reply_init(struct jsonrpcs_reply *r);
void jsonrpcs_reply_free(struct jsonrpcs_reply *r);

/*
 * Serves the request whose top value is node 0 of req (a parsed
 * document).  A notification (a valid request without "id") is run but
 * gets no response (r->send 0) unless always_reply is set (jsonrpc_exec
 * shows a response for every request).  A request that is not valid gets
 * an error response with "id": null when its id cannot be read.
 * 0, or -1 when memory ran out (r->send 0).
 */
int jsonrpcs_serve(const struct jsonrpcs_doc *req, int pretty,
                   int always_reply, struct jsonrpcs_reply *r);

/*
 * Parses text as one whole document and serves it; text that is not one
 * JSON value gets a Parse Error response (id null).  scratch is reused
 * between calls.  0 or -1 as above.
 */
int jsonrpcs_serve_text(const char *text, size_t len, int pretty,
                        int always_reply, struct jsonrpcs_doc *scratch,
                        struct jsonrpcs_reply *r);

/* An error response with "id": null and, when data is not NULL, a "data"
 * member saying more.  0 or -1. */
int jsonrpcs_error_reply(struct jsonrpcs_reply *r, int pretty, int code,
                         const char *data);

/* The message for one of the JSONRPCS_E_* codes. */
const char *jsonrpcs_error_text(int code);

#endif
