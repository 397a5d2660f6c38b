/*
 * tcp_worker.h - a TCP worker: owns the connections the supervisor hands
 * it (fd passing), reads and frames them, runs the routes, and writes
 * what anyone sends on them.
 */
#ifndef TD_TCP_WORKER_H
#define TD_TCP_WORKER_H

/* The worker process's main loop; returns when told to stop (SIGTERM or
 * IPC_SHUTDOWN).  slot is its process table slot. */
void tcp_worker_main(int slot, volatile int *stop);

/* fork=no: one process accepts, reads UDP and TCP and runs the timers. */
void tcp_worker_solo(int slot, volatile int *stop);

#endif
