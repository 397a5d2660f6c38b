/*
 * udp_recv.h - UDP receivers: each reads datagrams from one listen
 * socket and runs the routes on them.
 */
#ifndef TD_UDP_RECV_H
#define TD_UDP_RECV_H

/* Reads up to max datagrams that are ready on socket sock_idx. */
void udp_read_ready(int sock_idx, int max);
/* A UDP receiver process's loop (blocking reads); returns on *stop. */
void udp_receiver_main(int slot, int sock_idx, volatile int *stop);

#endif
