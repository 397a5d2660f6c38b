/*
 * main.c - tandem: command line, startup order and exit codes.
 *
 * Exit codes: 0 success (and on SIGTERM/SIGINT), 1 usage or config
 * error, 2 fatal error at runtime.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cfg/cfg.h"
#include "cfg/kw.h"
#include "globals.h"
#include "log.h"
#include "module.h"
#include "route.h"
#include "supervisor.h"
#include "version.h"

#define MAX_DEFINES 64

struct opts {
	const char *cfg_file;
	int         check_only;
	int         foreground;         /* -D count */
	int         stderr_log;
	int         debug_plus;
	const char *defines[MAX_DEFINES + 1];
	int         ndefines;
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: tandem [-cDEhV] [-d]... [-f file] [-L dir]... [-l addr]...\n"
	    "              [-m MB] [-A name[=value]]...\n"
	    "  -f file   configuration file (default %s)\n"
	    "  -c        check the configuration and exit (0: ok)\n"
	    "  -L dir    look for modules in dir first (repeatable)\n"
	    "  -D        do not daemonize; -DD: also stay in the foreground\n"
	    "  -E        log to stderr\n"
	    "  -d        more debug output (repeatable)\n"
	    "  -l addr   listen on [proto:]addr[:port] instead of the config's\n"
	    "            listen= lines (repeatable)\n"
	    "  -m MB     shared memory size in megabytes (default 64)\n"
	    "  -A name[=value]  #!define name before reading the config\n"
	    "  -V        print version and build flags\n"
	    "  -h        this help\n", TD_DEFAULT_CFG);
}

static int
add_cmdline_listen(const char *text)
{
	struct listen_spec ls;
	const char *err = NULL;

	if (core_cfg.nlisten == CORE_MAX_LISTEN) {
		fprintf(stderr, "tandem: too many -l addresses\n");
		return -1;
	}
	if (kw_parse_listen(text, &ls, &err) < 0) {
		fprintf(stderr, "tandem: -l %s: %s\n", text, err);
		return -1;
	}
	core_cfg.listen[core_cfg.nlisten++] = ls;
	core_cfg.listen_from_cmdline = 1;
	return 0;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	int c;
	char *end;
	long v;

	while ((c = getopt(argc, argv, "f:cL:DEdl:m:A:Vh")) != -1) {
		switch (c) {
		case 'f': o->cfg_file = optarg; break;
		case 'c': o->check_only = 1; break;
		case 'L': mod_path_add(optarg); break;
		case 'D': o->foreground++; break;
		case 'E': o->stderr_log = 1; break;
		case 'd': o->debug_plus++; break;
		case 'l':
			if (add_cmdline_listen(optarg) < 0)
				return -1;
			break;
		case 'm':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 65536) {
				fprintf(stderr, "tandem: -m %s: expected megabytes "
				    "(1..65536)\n", optarg);
				return -1;
			}
			core_cfg.shm_mb = v;
			break;
		case 'A':
			if (o->ndefines == MAX_DEFINES) {
				fprintf(stderr, "tandem: too many -A\n");
				return -1;
			}
			o->defines[o->ndefines++] = optarg;
			break;
		case 'V':
			version_print(stdout);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tandem: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 0;
}

/*
 * The supervisor keeps a dup of every TCP connection: the soft fd limit
 * is raised to the hard one so that tcp_max_connections can be reached.
 */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit(RLIMIT_NOFILE) failed");
	}
}

/* Detaches from the terminal (no -D). 0, or -1 (logged). */
static int
daemonize(void)
{
	pid_t pid;
	int fd;

	pid = fork();
	if (pid == -1) {
		log_err("fork() failed");
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (setsid() == -1) {
		log_err("setsid() failed");
		return -1;
	}
	pid = fork();
	if (pid == -1) {
		log_err("fork() failed");
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (chdir("/") == -1)
		log_warn("chdir(/) failed");
	fd = open("/dev/null", O_RDWR);
	if (fd != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (!core_cfg.log_stderror)
			dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = { .cfg_file = TD_DEFAULT_CFG };
	struct cfg cfg;
	int rc;

	core_cfg_defaults(&core_cfg);
	log_init("tandem", 1, core_cfg.log_facility);
	if (parse_args(argc, argv, &o) < 0)
		return 1;
	if (o.debug_plus)
		log_set_level(L_WARN + o.debug_plus);

	rc = cfg_load(o.cfg_file, &core_cfg, o.defines, &cfg);
	if (o.check_only) {
		diag_print(&cfg.diag, stderr);
		if (rc == 0)
			fprintf(stderr, "%s: config file ok\n", o.cfg_file);
		else
			fprintf(stderr, "%s: %u error%s, config refused\n",
			    o.cfg_file, cfg.diag.errors,
			    cfg.diag.errors == 1 ? "" : "s");
		cfg_free(&cfg);
		mod_unload_all();
		core_cfg_free(&core_cfg);
		return rc == 0 ? 0 : 1;
	}
	if (rc < 0) {
		diag_print(&cfg.diag, stderr);
		fprintf(stderr, "%s: config refused\n", o.cfg_file);
		cfg_free(&cfg);
		mod_unload_all();
		return 1;
	}

	/* the command line wins over the config */
	if (o.stderr_log)
		core_cfg.log_stderror = 1;
	core_cfg.debug += o.debug_plus;
	log_init(core_cfg.log_name ? core_cfg.log_name : "tandem",
	    core_cfg.log_stderror, core_cfg.log_facility);
	log_set_level(core_cfg.debug);
	if (core_cfg.log_prefix)
		log_set_prefix(core_cfg.log_prefix);
	diag_log(&cfg.diag);            /* the warnings */
	route_set_cfg(&cfg);

	if (o.foreground == 0 && daemonize() < 0)
		return 2;
	raise_fd_limit();
	rc = supervisor_run(argc, argv);
	route_set_cfg(NULL);
	cfg_free(&cfg);
	mod_unload_all();
	core_cfg_free(&core_cfg);
	return rc;
}
