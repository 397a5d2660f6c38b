"""t_cli.py - the command line: -V, -h, bad options, and -c (check the
config and exit) with its "file:line:col: error: ..." diagnostics.

Exit status contract (doc/tandem.8): 0 success, 1 config or usage error,
2 fatal error at run time.
"""

import os
import re

import harness

EXAMPLE_CFG = os.path.join(harness.SRCDIR, "doc", "examples", "tandem.cfg")

# -h must list each of these options
HELP_OPTIONS = ["-f", "-c", "-L", "-D", "-E", "-d", "-l", "-V", "-h", "-m"]


def test_version(t):
    r = harness.run_tandem(["-V"])
    t.eq(r.rc, 0, "tandem -V exits 0", **r.context())
    version = harness.project_version()
    t.match(r"\b%s\b" % re.escape(version), r.out,
            "stdout names the version from configure.ac", **r.context())
    t.match(r"\basan=(?:yes|no)\b.*\bwerror=(?:yes|no)\b", r.out,
            "stdout shows the build flags", **r.context())
    flags = harness.build_flags()
    if flags is not None:
        t.check(flags in r.out,
                "the build flags are this build's (%s)" % flags,
                **r.context())


def test_help(t):
    r = harness.run_tandem(["-h"])
    t.eq(r.rc, 0, "tandem -h exits 0", **r.context())
    for opt in HELP_OPTIONS:
        t.match(r"(?:^|[\s,\[|])%s\b" % re.escape(opt), r.out,
                "the help on stdout lists %s" % opt, **r.context())


def test_unknown_option(t):
    r = harness.run_tandem(["-Z"])
    t.eq(r.rc, 1, "an unknown option is a usage error: exit 1",
         **r.context())
    t.match(r"^\s*usage:", r.err, "stderr has a usage line",
            flags=re.M | re.I, **r.context())


def test_check_example_config(t):
    r = harness.check_config(EXAMPLE_CFG, moddir=harness.MODDIR, cwd=t.tmp)
    t.eq(r.rc, 0, "tandem -c accepts doc/examples/tandem.cfg",
         **r.context())
    t.eq(harness.error_lines(r.err), [], "and reports no error",
         **r.context())


def test_example_config_runs(t):
    # README's first command, on a free port instead of 5060
    port = t.port()
    d = t.daemon(EXAMPLE_CFG, args=["-l", "127.0.0.1:%d" % port])
    d.stop()


def test_check_missing_file(t):
    missing = t.path("no-such-file.cfg")
    r = harness.check_config(missing, cwd=t.tmp)
    t.eq(r.rc, 1, "-c on a missing file exits 1", **r.context())
    t.check(missing in r.err, "stderr names the file %s" % missing,
            **r.context())


def test_check_syntax_error(t):
    cfg = t.write("syntax-error.cfg",
                  "request_route {\n"
                  "  if ($var(x) == ) { exit; }\n"
                  "}\n")
    r = harness.check_config(cfg, cwd=t.tmp)
    t.eq(r.rc, 1, "-c on a syntax error exits 1", **r.context())
    m = t.match(r"^%s:2:\d+: error: .*$" % re.escape(cfg), r.err,
                "stderr has a file:2:col: error: line", **r.context())
    t.say("reported: " + m.group(0))


def test_unknown_global_parameter(t):
    cfg = t.write("unknown-global.cfg",
                  "debug=2\n"
                  "foo_bar=1\n"
                  "request_route {\n"
                  "  exit;\n"
                  "}\n")
    r = harness.check_config(cfg, cwd=t.tmp)
    t.eq(r.rc, 1, "-c on an unknown global parameter exits 1",
         **r.context())
    m = t.match(r"^%s:2:1: error: .*foo_bar.*$" % re.escape(cfg), r.err,
                "the error is at 2:1 and names foo_bar", **r.context())
    t.say("reported: " + m.group(0))


def test_check_reports_every_error(t):
    cfg = t.write("two-errors.cfg",
                  "debug=2\n"
                  "foo_bar=1\n"
                  "children=2\n"
                  "baz_qux=yes\n"
                  "request_route {\n"
                  "  exit;\n"
                  "}\n")
    r = harness.check_config(cfg, cwd=t.tmp)
    t.eq(r.rc, 1, "-c on a config with two errors exits 1", **r.context())
    errors = harness.error_lines(r.err)
    t.eq(len(errors), 2, "two error lines, one per error", **r.context())
    t.match(r"^%s:2:1: error: .*foo_bar" % re.escape(cfg), r.err,
            "the first is at 2:1 (foo_bar)", **r.context())
    t.match(r"^%s:4:1: error: .*baz_qux" % re.escape(cfg), r.err,
            "the second is at 4:1 (baz_qux)", **r.context())


if __name__ == "__main__":
    harness.main()
