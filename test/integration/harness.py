"""harness.py - drive the real tandem daemon the way an operator would.

Standard library only.  A test script imports this module, defines
functions named test_*, and ends with ``harness.main()``:

    import harness

    def test_version(t):
        r = harness.run_tandem(["-V"])
        t.eq(r.rc, 0, "tandem -V exits 0")

    if __name__ == "__main__":
        harness.main()

Each test gets a context ``t`` with its own temporary directory (``t.tmp``,
kept when TANDEM_TEST_KEEP=1), config rendering (``t.render``), free
loopback ports (``t.port``), daemons (``t.daemon``) that are always stopped
at the end, and assertions that print what they assert.  The runner prints
``ok NAME`` or ``FAIL NAME: why`` per test, then ``N passed, M failed``, and
exits 0 only if every test passed (and at least one ran).

Where things are comes from the environment that ``make check`` exports
(TANDEM_BIN, TANDEM_MODDIR, TANDEM_TESTMOD_DIR, TANDEM_SRCDIR); the defaults
are the in-tree paths, so a script also runs by hand from a built tree:

    python3 test/integration/t_cli.py [test_name ...]

Other knobs: TANDEM_TEST_TIMEOUT (seconds per test, default 120).
"""

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def _env_path(name, default):
    value = os.environ.get(name)
    return os.path.abspath(value) if value else default


SRCDIR = _env_path("TANDEM_SRCDIR", REPO)
BIN = _env_path("TANDEM_BIN", os.path.join(REPO, "core", "tandem"))
MODDIR = _env_path("TANDEM_MODDIR", os.path.join(REPO, "modules"))
TESTMOD_DIR = _env_path("TANDEM_TESTMOD_DIR",
                        os.path.join(REPO, "test", "modules"))
KEEP = os.environ.get("TANDEM_TEST_KEEP") == "1"
TEST_TIMEOUT = int(os.environ.get("TANDEM_TEST_TIMEOUT", "120"))

FIXTURES = os.path.join(SRCDIR, "test", "fixtures")
TEMPLATES = os.path.join(SRCDIR, "test", "integration", "cfg")

# What the daemon logs once it serves: the supervisor's NOTICE line
# "tandem 0.1.0 running (pid N)", written after the listen sockets are
# bound and every child process has started.  A test may wait for
# something else (Daemon(ready_log=..., ready_file=..., ready_tcp=...)).
DEFAULT_READY_LOG = r"\btandem \S+ running \(pid \d+\)"

# Log lines that fail a test at teardown.  The logger writes
# "<pid> LEVEL: message"; the sanitizers write their own reports.
LOUD_LOG_RE = re.compile(r"\b(?:CRITICAL|ALERT|BUG):")
SANITIZER_RE = re.compile(
    r"ERROR: (?:AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)"
    r"|runtime error:"
    r"|SUMMARY: (?:AddressSanitizer|UndefinedBehaviorSanitizer)")


class TestFailure(AssertionError):
    """A failed assertion; its text is what the runner prints."""


class TestTimeout(TestFailure):
    pass


# --- output ------------------------------------------------------------------

def say(msg=""):
    """Prints one line of the test's narrative."""
    print("  " + msg if msg else "", flush=True)


def indent(text, prefix="    | ", limit=60):
    """The last `limit` lines of text, indented, for failure messages."""
    lines = text.splitlines()
    cut = []
    if limit and len(lines) > limit:
        cut = ["%s... (%d lines before)" % (prefix, len(lines) - limit)]
        lines = lines[-limit:]
    return "\n".join(cut + [prefix + line for line in lines])


def _detail(**blocks):
    parts = []
    for name, text in blocks.items():
        if text is None:
            continue
        text = text if isinstance(text, str) else repr(text)
        if text == "":
            parts.append("  %s: (empty)" % name)
        elif "\n" in text.rstrip("\n"):
            parts.append("  %s:\n%s" % (name, indent(text)))
        else:
            parts.append("  %s: %s" % (name, text.rstrip("\n")))
    return "\n".join(parts)


# --- assertions --------------------------------------------------------------

def check(cond, what, **context):
    """Asserts cond; prints `what` either way.  Extra keyword arguments
    (stdout=..., stderr=..., log=...) are shown when it fails."""
    say("assert: " + what)
    if not cond:
        detail = _detail(**context)
        raise TestFailure(what + ("\n" + detail if detail else ""))


def eq(actual, expected, what, **context):
    say("assert: %s (expect %r)" % (what, expected))
    if actual != expected:
        detail = _detail(**context)
        raise TestFailure("%s: expected %r, got %r\n%s"
                          % (what, expected, actual, detail))


def ne(actual, unexpected, what, **context):
    say("assert: %s (not %r)" % (what, unexpected))
    if actual == unexpected:
        raise TestFailure("%s: got %r\n%s"
                          % (what, actual, _detail(**context)))


def match(pattern, text, what, flags=re.M, **context):
    """Asserts that regex `pattern` occurs in text; returns the match."""
    say("assert: %s (/%s/)" % (what, pattern))
    m = re.search(pattern, text, flags)
    if not m:
        context.setdefault("text", text)
        raise TestFailure("%s: /%s/ not found\n%s"
                          % (what, pattern, _detail(**context)))
    return m


def no_match(pattern, text, what, flags=re.M, **context):
    say("assert: %s (no /%s/)" % (what, pattern))
    m = re.search(pattern, text, flags)
    if m:
        raise TestFailure("%s: found %r\n%s"
                          % (what, m.group(0), _detail(text=text, **context)))


def assert_no_sanitizer_report(text, where):
    """Fails if text holds an ASan/LSan/UBSan report."""
    lines = [ln for ln in text.splitlines() if SANITIZER_RE.search(ln)]
    if lines:
        raise TestFailure("sanitizer report in %s:\n%s"
                          % (where, indent(text, limit=120)))


# --- the source tree ---------------------------------------------------------

def project_version():
    """The version in configure.ac's AC_INIT, e.g. "0.1.0"."""
    with open(os.path.join(SRCDIR, "configure.ac"), encoding="utf-8") as f:
        m = re.search(r"AC_INIT\(\[[^]]*\],\s*\[([^]]+)\]", f.read())
    if not m:
        raise TestFailure("no AC_INIT version in configure.ac")
    return m.group(1)


def build_flags():
    """TD_BUILD_FLAGS from the config.h next to the binary's build, or None
    when that config.h cannot be found (binary outside a build tree)."""
    build = os.path.dirname(os.path.dirname(BIN))
    try:
        with open(os.path.join(build, "config.h"), encoding="utf-8") as f:
            m = re.search(r'#define TD_BUILD_FLAGS "([^"]*)"', f.read())
    except OSError:
        return None
    return m.group(1) if m else None


def module_path(name, moddir=None):
    """Where module `name` is, or None: DIR/name/name.so or DIR/name.so
    (or DIR/name/.libs/name.so, which the loader also tries)."""
    moddir = moddir or MODDIR
    for path in (os.path.join(moddir, name, name + ".so"),
                 os.path.join(moddir, name + ".so"),
                 os.path.join(moddir, name, ".libs", name + ".so")):
        if os.path.isfile(path):
            return path
    return None


def require_binary():
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        raise TestFailure("tandem binary not found at %s: build it (make) "
                          "or set TANDEM_BIN" % BIN)


# --- running tandem ----------------------------------------------------------

class Result:
    """What one run of tandem did.  Unpacks as (rc, stdout, stderr)."""

    def __init__(self, argv, rc, out, err):
        self.argv, self.rc, self.out, self.err = argv, rc, out, err

    def __iter__(self):
        return iter((self.rc, self.out, self.err))

    def lines(self, stream="err"):
        return getattr(self, stream).splitlines()

    def context(self):
        """Keyword arguments for the assertions: shown when one fails."""
        return {"command": " ".join(self.argv), "rc": str(self.rc),
                "stdout": self.out, "stderr": self.err}


def run_tandem(args, timeout=60, cwd=None, env=None, sanitizer_ok=False):
    """Runs tandem with args to completion.  Returns a Result.

    Fails the test if the run takes longer than `timeout` seconds or (unless
    sanitizer_ok) prints a sanitizer report."""
    require_binary()
    argv = [BIN] + [str(a) for a in args]
    say("run: " + " ".join(argv))
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           cwd=cwd, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise TestFailure("%s did not finish in %ds\n%s" % (
            " ".join(argv), timeout,
            _detail(stdout=(e.stdout or b"").decode("utf-8", "replace"),
                    stderr=(e.stderr or b"").decode("utf-8", "replace"))))
    r = Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
               p.stderr.decode("utf-8", "replace"))
    if not sanitizer_ok:
        assert_no_sanitizer_report(r.out + r.err, " ".join(argv))
    return r


def check_config(cfg, moddir=None, args=(), cwd=None, timeout=60):
    """Runs `tandem -c -f cfg [-L moddir] args...`: compiles the config and
    exits.  Returns a Result (unpacks as (rc, stdout, stderr))."""
    argv = ["-c", "-f", cfg]
    if moddir:
        argv += ["-L", moddir]
    return run_tandem(argv + list(args), timeout=timeout, cwd=cwd)


def error_lines(text):
    """The diagnostics lines "file:line:col: error: ..." of a -c run."""
    return [ln for ln in text.splitlines() if re.search(r"\berror: ", ln)]


# --- processes ---------------------------------------------------------------

def _proc_stat(pid):
    """(ppid, state, starttime) of pid, or None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8",
                  errors="replace") as f:
            data = f.read()
    except OSError:
        return None
    # "pid (comm) state ppid ..."; comm may hold spaces and parentheses
    fields = data[data.rindex(")") + 2:].split()
    return int(fields[1]), fields[0], int(fields[19])


def _all_pids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]


def descendants(root):
    """{pid: starttime} of every living process below root (not root)."""
    children = {}
    for pid in _all_pids():
        st = _proc_stat(pid)
        if st:
            children.setdefault(st[0], []).append((pid, st[2]))
    found, todo = {}, [root]
    while todo:
        for pid, start in children.get(todo.pop(), ()):
            if pid not in found:
                found[pid] = start
                todo.append(pid)
    return found


def alive(pid, starttime=None):
    """Whether pid runs (not a zombie) and, given starttime, is the same
    process that had it then."""
    st = _proc_stat(pid)
    if st is None or st[1] == "Z":
        return False
    return starttime is None or st[2] == starttime


def proc_desc(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8",
                                                         "replace").strip()
    except OSError:
        return "?"


def _kill_all(pids):
    for pid, start in pids.items():
        if alive(pid, start):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


# --- ports ---------------------------------------------------------------------

_handed_out = set()


def _port_free(host, port, proto):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    kinds = {"tcp": [socket.SOCK_STREAM], "udp": [socket.SOCK_DGRAM],
             "both": [socket.SOCK_STREAM, socket.SOCK_DGRAM]}[proto]
    socks = []
    try:
        for kind in kinds:
            s = socket.socket(family, kind)
            socks.append(s)
            s.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def free_port(host="127.0.0.1", proto="both", low=20000, high=32000):
    """A port free on host for proto ("tcp", "udp" or "both": SIP listens on
    both), found by binding to it.  Below Linux's ephemeral range, so that
    outgoing connections do not take it meanwhile; never the same one twice
    in one script."""
    rnd = random.Random(os.getpid() * 1000003 + time.monotonic_ns())
    for _ in range(1000):
        port = rnd.randrange(low, high)
        if port not in _handed_out and _port_free(host, port, proto):
            _handed_out.add(port)
            return port
    raise TestFailure("no free %s port on %s in %d-%d"
                      % (proto, host, low, high))


def kamcmd(t, sock, *args):
    """What Kamailio's own client, kamcmd, prints for one RPC over the
    ctl unix socket sock (stdout and stderr together).  kamcmd exits 0
    even after an error reply, so its exit code is asserted 0 and the
    callers look at the text."""
    exe = shutil.which("kamcmd")
    t.check(exe is not None, "kamcmd is installed (Debian package kamailio)")
    argv = [exe, "-s", "unix:" + sock] + [str(a) for a in args]
    t.say("run: " + " ".join(argv))
    p = subprocess.run(argv, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                       timeout=20)
    out = p.stdout.decode("utf-8", "replace")
    t.eq(p.returncode, 0, "kamcmd %s exits 0" % " ".join(argv[3:]),
         output=out)
    return out


def tcp_connectable(host, port, timeout=0.2):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# --- templates -------------------------------------------------------------------

_TOKEN_RE = re.compile(r"@([A-Z][A-Z0-9_]*)@")


def render(text, values):
    """Replaces @NAME@ tokens with values[NAME].  Fails on a token without a
    value, so a template cannot silently keep one."""
    def sub(m):
        if m.group(1) not in values:
            raise TestFailure("template token @%s@ has no value (have: %s)"
                              % (m.group(1), ", ".join(sorted(values))))
        return str(values[m.group(1)])
    return _TOKEN_RE.sub(sub, text)


# --- the daemon --------------------------------------------------------------------

class Daemon:
    """tandem running in the foreground (-DD -E) with its log in a file.

    Readiness, checked in this order, whichever are given: ready_file (a
    path that must exist, e.g. a pid file), ready_log (a regex that must
    match the log), ready_tcp ((host, port) that must accept).  With none
    given, ready_log=DEFAULT_READY_LOG."""

    def __init__(self, ctx, cfg, args=(), moddir=None, name="tandem",
                 ready_file=None, ready_log=None, ready_tcp=None,
                 ready_timeout=30, env=None):
        self.ctx, self.cfg, self.args, self.name = ctx, cfg, list(args), name
        self.moddir = MODDIR if moddir is None else moddir
        self.ready_file, self.ready_log = ready_file, ready_log
        self.ready_tcp, self.ready_timeout = ready_tcp, ready_timeout
        if not (ready_file or ready_log or ready_tcp):
            self.ready_log = DEFAULT_READY_LOG
        self.env = env
        self.proc = None
        self.logf = None
        self.log_path = os.path.join(ctx.tmp, name + ".log")
        self.seen = {}          # every descendant seen: pid -> starttime
        self.stopped = False
        self.log_shown = False  # a failure message already holds the log

    @property
    def pid(self):
        return self.proc.pid

    def argv(self):
        argv = [BIN, "-DD", "-E", "-f", self.cfg]
        if self.moddir:
            argv += ["-L", self.moddir]
        return argv + [str(a) for a in self.args]

    def start(self):
        require_binary()
        argv = self.argv()
        say("start: " + " ".join(argv))
        say("log: " + self.log_path)
        self.logf = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.logf,
                                     stderr=subprocess.STDOUT,
                                     cwd=self.ctx.tmp, env=self.env)
        self.ctx.daemons.append(self)
        self.wait_ready()
        return self

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8",
                      errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _note_children(self):
        if self.proc.poll() is None:
            self.seen.update(descendants(self.proc.pid))

    def _ready(self):
        if self.ready_file and not os.path.exists(self.ready_file):
            return False
        if self.ready_log and not re.search(self.ready_log, self.log(),
                                            re.M):
            return False
        if self.ready_tcp and not tcp_connectable(*self.ready_tcp):
            return False
        return True

    def wait_ready(self):
        what = []
        if self.ready_file:
            what.append("file %s exists" % self.ready_file)
        if self.ready_log:
            what.append("log matches /%s/" % self.ready_log)
        if self.ready_tcp:
            what.append("%s:%d accepts TCP" % tuple(self.ready_tcp))
        say("wait until " + " and ".join(what))
        deadline = time.monotonic() + self.ready_timeout
        while True:
            rc = self.proc.poll()
            if rc is not None:
                self.log_shown = True
                raise TestFailure("%s exited with %d before it was ready\n%s"
                                  % (self.name, rc, _detail(log=self.log())))
            self._note_children()
            if self._ready():
                say("ready: pid %d, %d child processes"
                    % (self.proc.pid, len(descendants(self.proc.pid))))
                return
            if time.monotonic() > deadline:
                self.log_shown = True
                raise TestFailure("%s not ready after %ds\n%s"
                                  % (self.name, self.ready_timeout,
                                     _detail(log=self.log())))
            time.sleep(0.05)

    def children(self):
        """{pid: starttime} of the daemon's processes below the main one."""
        return descendants(self.proc.pid)

    def stop(self, expect_rc=0, timeout=20):
        """SIGTERM, then asserts: exit code expect_rc within timeout, no
        process of the daemon left behind, no CRITICAL/ALERT/BUG line and no
        sanitizer report in the log."""
        if self.stopped:
            return
        self.stopped = True
        self.log_shown = True
        self._note_children()
        say("stop: SIGTERM to pid %d (%d processes below it)"
            % (self.proc.pid, len(self.seen)))
        rc = self.proc.poll()
        if rc is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while rc is None and time.monotonic() < deadline:
                self._note_children()
                time.sleep(0.05)
                rc = self.proc.poll()
        if rc is None:
            self.kill()
            raise TestFailure("%s did not exit within %ds of SIGTERM\n%s"
                              % (self.name, timeout, _detail(log=self.log())))
        self.logf.close()
        # children may end a moment after the main process
        deadline = time.monotonic() + 5
        left = {}
        while True:
            left = {p: s for p, s in self.seen.items() if alive(p, s)}
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        left_desc = ["%d: %s" % (p, proc_desc(p)) for p in sorted(left)]
        _kill_all(left)
        log = self.log()
        # a sanitizer report explains a bad exit code: look at it first
        say("assert: no sanitizer report in the log")
        assert_no_sanitizer_report(log, self.log_path)
        eq(rc, expect_rc, "%s exit code after SIGTERM" % self.name, log=log)
        check(not left, "no process of %s left behind" % self.name,
              left="\n".join(left_desc))
        self.check_log(log)

    def check_log(self, log=None):
        """Asserts no sanitizer report and no CRITICAL/ALERT/BUG line in the
        log so far (stop() does it at the end; a test may call it sooner)."""
        log = self.log() if log is None else log
        assert_no_sanitizer_report(log, self.log_path)
        loud = [ln for ln in log.splitlines() if LOUD_LOG_RE.search(ln)]
        check(not loud, "no CRITICAL/ALERT/BUG line in the log",
              lines="\n".join(loud))

    def kill(self):
        """SIGKILL to the daemon and everything below it (teardown after a
        failure: nothing may outlive the test)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._note_children()
            try:
                self.proc.kill()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        _kill_all(self.seen)
        if self.logf and not self.logf.closed:
            self.logf.close()

    def __enter__(self):
        return self if self.proc else self.start()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.stop()
        else:
            self.kill()
        return False


# --- the per-test context ----------------------------------------------------

class Context:
    """What a test gets: a temp dir, ports, templates, daemons, asserts."""

    def __init__(self, name):
        self.name = name
        self._tmp = None
        self.daemons = []
        self.values = {}
        self.renders = {}   # path -> (template, values given) for retries

    @property
    def tmp(self):
        if self._tmp is None:
            script = os.path.splitext(os.path.basename(sys.argv[0]))[0]
            self._tmp = tempfile.mkdtemp(prefix="tandem-%s-%s-"
                                         % (script, self.name))
        return self._tmp

    # assertions, as methods so that a test reads t.eq(...)
    check = staticmethod(check)
    eq = staticmethod(eq)
    ne = staticmethod(ne)
    match = staticmethod(match)
    no_match = staticmethod(no_match)
    say = staticmethod(say)

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def write(self, name, text):
        """Writes text to tmp/name; returns the path."""
        path = self.path(name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def port(self, proto="both", host="127.0.0.1"):
        return free_port(host, proto)

    def template_values(self, **extra):
        values = {"TMP": self.tmp, "MODDIR": MODDIR,
                  "TESTMOD_DIR": TESTMOD_DIR, "SRCDIR": SRCDIR}
        values.update(self.values)
        values.update({k: v for k, v in extra.items()})
        return values

    def render(self, template, dest=None, **values):
        """Renders a template (its text, or a path: absolute, or relative to
        test/integration/cfg/) into tmp/dest and returns the path.  @TMP@,
        @MODDIR@, @TESTMOD_DIR@, @SRCDIR@ are known; @PORT@, @PORT2@, ...
        get free ports unless given.  The values used are kept in
        self.values (t.values["PORT"])."""
        if "\n" not in template and (os.path.isabs(template)
                                     or template.endswith(".in")):
            path = template if os.path.isabs(template) \
                else os.path.join(TEMPLATES, template)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if dest is None:
                dest = os.path.basename(path)
                dest = dest[:-3] if dest.endswith(".in") else dest
        else:
            text = template
        dest = dest or "tandem.cfg"
        for tok in set(_TOKEN_RE.findall(text)):
            if re.fullmatch(r"PORT\d*", tok) and tok not in values \
                    and tok not in self.values:
                self.values[tok] = self.port()
        self.values.update(values)
        path = self.write(dest, render(text, self.template_values()))
        self.renders[path] = (template, dest, dict(values))
        return path

    def daemon(self, cfg, **kw):
        """Starts tandem on cfg (see Daemon) and returns it once ready; the
        test stops it with .stop(), or the teardown kills it.  When cfg was
        rendered here and a port it got was taken meanwhile by another test
        running in parallel (free_port can only probe), it is rendered
        again on fresh ports and started again."""
        for attempt in range(3):
            try:
                return Daemon(self, cfg, **kw).start()
            except TestFailure as e:
                if ("Address already in use" not in str(e) or attempt == 2
                        or cfg not in self.renders):
                    raise
                say("a port was taken meanwhile: rendering on new ports")
                self.daemons.pop().kill()
                template, dest, given = self.renders[cfg]
                for k in [k for k in self.values
                          if re.fullmatch(r"PORT\d*", k) and k not in given]:
                    del self.values[k]
                cfg = self.render(template, dest, **given)

    def cleanup(self, failed):
        for d in self.daemons:
            if failed or not d.stopped:
                d.kill()
            if failed and d.proc is not None and not d.log_shown:
                print("  %s log (%s):\n%s"
                      % (d.name, d.log_path, indent(d.log(), limit=40)))
        if self._tmp is None:
            return
        if KEEP:
            say("kept: " + self._tmp)
        else:
            shutil.rmtree(self._tmp, ignore_errors=True)


# --- the runner --------------------------------------------------------------

class _Alarm:
    def __init__(self, seconds):
        self.seconds = seconds

    def _fire(self, signum, frame):
        raise TestTimeout("test still running after %ds" % self.seconds)

    def __enter__(self):
        self.old = signal.signal(signal.SIGALRM, self._fire)
        signal.alarm(self.seconds)

    def __exit__(self, *exc):
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self.old)
        return False


def collect_tests(namespace):
    """The test_* functions of namespace, in the order they are written."""
    tests = [(f.__code__.co_firstlineno, name, f)
             for name, f in namespace.items()
             if name.startswith("test_") and callable(f)
             and hasattr(f, "__code__")]
    return [(name, f) for _, name, f in sorted(tests)]


def run_test(name, fn):
    """Runs one test; returns True if it passed."""
    print("--- " + name, flush=True)
    ctx = Context(name)
    failed = True
    why = None
    try:
        with _Alarm(TEST_TIMEOUT):
            if fn.__code__.co_argcount >= 1:
                fn(ctx)
            else:
                fn()
            # a daemon the test left running is stopped, with its checks
            for d in ctx.daemons:
                if not d.stopped:
                    d.stop()
        failed = False
    except TestFailure as e:
        why = str(e)
    except Exception:
        why = "exception:\n" + traceback.format_exc()
    finally:
        try:
            ctx.cleanup(failed)
        except Exception:
            traceback.print_exc()
    if failed:
        first, _, rest = why.partition("\n")
        print("FAIL %s: %s" % (name, first), flush=True)
        if rest:
            print(rest, flush=True)
        return False
    print("ok   " + name, flush=True)
    return True


def main(namespace=None):
    """Runs the calling script's test_* functions (or those named on the
    command line), prints "N passed, M failed", exits 0 or 1."""
    namespace = namespace or vars(sys.modules["__main__"])
    tests = collect_tests(namespace)
    wanted = sys.argv[1:]
    if wanted:
        unknown = set(wanted) - {name for name, _ in tests}
        if unknown:
            print("no such test: " + ", ".join(sorted(unknown)))
            sys.exit(1)
        tests = [(n, f) for n, f in tests if n in wanted]
    print("# %s" % os.path.basename(sys.argv[0]))
    print("# TANDEM_BIN=%s" % BIN)
    print("# TANDEM_MODDIR=%s" % MODDIR)
    print("# TANDEM_SRCDIR=%s" % SRCDIR, flush=True)
    passed = failed = 0
    for name, fn in tests:
        if run_test(name, fn):
            passed += 1
        else:
            failed += 1
    print("%d passed, %d failed" % (passed, failed), flush=True)
    if passed + failed == 0:
        print("no test ran", flush=True)
        sys.exit(1)
    sys.exit(0 if failed == 0 else 1)
