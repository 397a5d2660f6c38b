/*
 * supervisor.h - the main process: binds, forks the children, accepts
 * TCP connections and passes them to the least-loaded worker, keeps a
 * dup of every TCP fd, reaps and respawns children.
 */
#ifndef TD_SUPERVISOR_H
#define TD_SUPERVISOR_H

/*
 * Everything after the config is loaded: shared memory, sockets, module
 * init, the children, then the supervisor loop until SIGTERM/SIGINT.
 * argc/argv are kept for process titles.  Returns the exit code.
 */
int supervisor_run(int argc, char **argv);

#endif
