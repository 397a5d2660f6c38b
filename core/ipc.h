/*
 * ipc.h - framed messages between Tandem's processes over socketpairs
 * (SOCK_SEQPACKET: one send is one message, EOF when the peer dies).
 *
 * Wire layout of one message (host byte order: both ends are this
 * machine, this binary):
 *
 *   0        2        4                8               16
 *   +--------+--------+----------------+----------------+---------...
 *   | type   | flags  | len (payload)  | conn_id        | payload
 *   +--------+--------+----------------+----------------+---------...
 *   plus, when flags has IPC_F_FD, exactly one fd in SCM_RIGHTS.
 *
 * Example: the supervisor hands connection 42 to a worker:
 *   { .type = IPC_CONN_ADOPT, .flags = IPC_F_FD, .len = 8, .conn_id = 42 }
 *   + struct ipc_adopt { .flags = 0 } + the socket's fd.
 *
 * A static table in ipc.c says, per type, the exact payload length and
 * whether an fd is required or forbidden; ipc_recv() rejects anything
 * else (EBADMSG) and closes every fd that it does not hand to the caller
 * (a truncated control message, an fd where none belongs, extra fds).
 */
#ifndef TD_IPC_H
#define TD_IPC_H

#include <stddef.h>
#include <stdint.h>

enum ipc_type {
	IPC_CONN_ADOPT = 1,     /* sup -> worker, fd: own conn_id from now  */
	IPC_CONN_DONE,          /* worker -> sup: conn closed; drop the dup */
	IPC_CONN_OUTBOUND,      /* worker -> sup, fd: keep a dup of my conn */
	IPC_SEND,               /* any -> owner's inbox: write a shm block  */
	IPC_CONN_CLOSE,         /* any -> owner's inbox: close conn_id      */
	IPC_SHUTDOWN,           /* sup -> child: stop gracefully            */
	IPC_TYPE_MAX
};

#define IPC_F_FD     0x0001u
#define IPC_MAX_LEN  256u       /* largest payload of any type          */

struct ipc_hdr {
	uint16_t  type;
	uint16_t  flags;
	uint32_t  len;
	uint64_t  conn_id;
};

struct ipc_adopt {              /* IPC_CONN_ADOPT payload               */
	uint32_t  flags;            /* IPC_ADOPT_RESCUED: after a crash     */
	uint32_t  pad;
};
#define IPC_ADOPT_RESCUED 0x1u

struct ipc_send {               /* IPC_SEND payload                     */
	uint64_t  blk;              /* shm address of the bytes (shm_malloc'd;
	                             * the receiver frees it)                */
	uint32_t  len;
	uint32_t  flags;            /* IPC_SEND_CLOSE: close after writing  */
};
#define IPC_SEND_CLOSE 0x1u

/*
 * Reads one message.  Returns 1 (a message: *h, payload, *fd set), 0
 * (EAGAIN on a non-blocking socket), or -1 (error or EOF; errno set,
 * ECONNRESET for EOF, EBADMSG for a message that breaks the table).
 * *fd is -1 or a descriptor the CALLER now owns and must close.
 */
int ipc_recv(int sock, struct ipc_hdr *h, void *payload, size_t cap, int *fd);

/* Sends header + payload (+ fd when fd >= 0; the caller keeps it).
 * 0, or -1 with errno (EAGAIN when the peer's queue is full). */
int ipc_send(int sock, const struct ipc_hdr *h, const void *payload, int fd);

/* A SOCK_SEQPACKET socketpair, close-on-exec.  0 or -1. */
int ipc_pair(int sv[2]);

const char *ipc_type_name(unsigned type);

#endif
