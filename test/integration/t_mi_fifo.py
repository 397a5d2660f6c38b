"""t_mi_fifo.py - the mi_fifo module: Kamailio's MI FIFO, driven the way
kamctl's fifo mode drives it.  A request ":method:reply_fifo\\n" plus one
argument per line and an empty line goes into the FIFO; the reply ("200
OK" and the tree, or "<code> <reason>") comes back on the reply FIFO.
Malformed input is logged and skipped, the process keeps serving, the FIFO
has the configured mode, and it is gone after a clean stop.
"""

import errno
import os
import re
import select
import stat
import time

import harness

CFG = "mi.cfg.in"


def start(t, extra=""):
    for i in range(3):
        try:
            d = t.daemon(t.render(CFG, EXTRA=extra),
                         ready_log=r"mi_fifo: serving ")
            return d, t.path("tandem_fifo")
        except harness.TestFailure as e:
            # the port was taken meanwhile by a test running in parallel
            if "Address already in use" not in str(e) or i == 2:
                raise
            t.say("the port was taken meanwhile: trying another one")
            t.daemons.pop().kill()      # it exited: nothing to stop
            t.values.pop("PORT", None)


_seq = [0]


def reply_fifo(t, name=None, where=None):
    """Makes a reply FIFO; returns (path, fd open for reading).  It is
    opened before the request is sent, so that the server finds a reader
    at once (the module also retries for a while, as clients are slow)."""
    _seq[0] += 1
    name = name or "reply_%d" % _seq[0]
    path = os.path.join(where or t.tmp, name)
    os.mkfifo(path, 0o600)
    return path, os.open(path, os.O_RDONLY | os.O_NONBLOCK)


def write_fifo(fifo, data):
    if isinstance(data, str):
        data = data.encode()
    fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    try:
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


def read_reply(fd, timeout=10):
    """Reads one MI reply: it ends with its only empty line."""
    buf = b""
    deadline = time.monotonic() + timeout
    try:
        while not (buf.endswith(b"\n\n") or buf == b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise harness.TestFailure("no complete MI reply within "
                                          "%ds; got %r" % (timeout, buf))
            select.select([fd], [], [], min(left, 0.2))
            try:
                buf += os.read(fd, 65536)
            except BlockingIOError:
                pass
    finally:
        os.close(fd)
    return buf.decode("utf-8", "replace")


def mi(t, fifo, method, *args, reply_name=None):
    """Sends one request; returns the reply text."""
    path, fd = reply_fifo(t)
    req = ":%s:%s\n" % (method, reply_name or path)
    req += "".join(a + "\n" for a in args) + "\n"
    t.say("request: %r" % req)
    write_fifo(fifo, req)
    text = read_reply(fd)
    t.say("reply: %r" % text)
    return text


def wait_log(d, pattern, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = re.search(pattern, d.log(), re.M)
        if m:
            return m
        time.sleep(0.1)
    return harness.match(pattern, d.log(), "log line within %ds" % timeout)


def mi_pid(d):
    m = re.search(r"^\s*(\d+) INFO: mi_fifo: serving ", d.log(), re.M)
    return int(m.group(1)) if m else None


# --- tests -------------------------------------------------------------------


def test_requests(t):
    d, fifo = start(t)
    st = os.lstat(fifo)
    t.check(stat.S_ISFIFO(st.st_mode), "%s is a FIFO" % fifo)
    t.eq(oct(stat.S_IMODE(st.st_mode)), oct(0o660), "default fifo_mode")
    version = harness.project_version()
    t.match(r"\A200 OK\n:: tandem %s \S+.*\n\n\Z" % re.escape(version),
            mi(t, fifo, "core.version"), "core.version over the FIFO")
    t.eq(mi(t, fifo, "core.echo", "hello", '"two words"', '""', "x"),
         "200 OK\n:: hello\n:: two words\n:: \n:: x\n\n",
         "arguments, quoted ones unquoted")
    up = mi(t, fifo, "core.uptime")
    t.match(r"\A200 OK\n::\n\tnow:: .+\n\tup_since:: .+\n\tuptime:: \d+\n\n\Z",
            up, "a struct: members indented with the default tab")
    ps = mi(t, fifo, "core.ps")
    t.match(r"^:: mi_fifo$", ps, "core.ps lists the mi_fifo process")
    t.eq(mi(t, fifo, "no.such"), "500 command no.such not found\n\n",
         "an unknown method is a fault")
    t.eq(mi(t, fifo, "core.echo", "a\rb"), "200 OK\n:: a\\rb\n\n",
         "a CR inside a value cannot break the reply")
    d.stop()
    t.check(not os.path.exists(fifo), "the FIFO is removed at stop")


def test_pipelined_in_one_write(t):
    d, fifo = start(t)
    fds = [reply_fifo(t) for _ in range(3)]
    req = "".join(":core.echo:%s\r\nn%d\r\n\r\n" % (p, i)
                  for i, (p, _) in enumerate(fds))
    write_fifo(fifo, req)
    for i, (_, fd) in enumerate(fds):
        t.eq(read_reply(fd), "200 OK\n:: n%d\n\n" % i,
             "reply %d of 3 requests written at once (CRLF lines)" % i)
    d.stop()


def test_malformed_then_good(t):
    d, fifo = start(t)
    pid = mi_pid(d)
    t.check(pid is not None, "the mi_fifo process logged its start")
    bad = [
        ("garbage\n\n", "request does not start with ':'"),
        (":core.version\n\n", "missing reply fifo name"),
        (":core.version:\n\n", "missing reply fifo name"),
        ("::x\n\n", "missing method name"),
        (":core.echo:a/b\n\n", "neither a file name nor an absolute path"),
        (":core.echo:%s\n%s\n\n" % (t.path("never"), "x" * 5000),
         "line too long"),
        (":core.echo:%s\na\0b\n\n" % t.path("never"), "NUL byte in request"),
        (":core.echo:%s\n%s\n" % (t.path("never"),
                                 "".join("a%d\n" % i for i in range(40))),
         "too many arguments"),
    ]
    for data, why in bad:
        write_fifo(fifo, data)
        wait_log(d, r"mi_fifo: .*request skipped: .*%s" % re.escape(why))
        t.eq(mi(t, fifo, "core.echo", "still"), "200 OK\n:: still\n\n",
             "answered after %r" % data[:30])
    # garbage glued to a good request in one write, no blank line between
    path, fd = reply_fifo(t)
    write_fifo(fifo, "junk line\nmore junk\n:core.echo:%s\nglued\n\n" % path)
    t.eq(read_reply(fd), "200 OK\n:: glued\n\n",
         "a request right after garbage lines is answered")
    t.eq(mi_pid(d), pid, "the same mi_fifo process served it all")
    t.check(not os.path.exists(t.path("never")), "no reply file was made")
    d.stop()


def test_missing_or_bad_reply_fifo(t):
    d, fifo = start(t)
    gone = t.path("no_such_reply")
    write_fifo(fifo, ":core.version:%s\n\n" % gone)
    wait_log(d, r"mi_fifo: reply fifo %s does not exist; reply dropped"
             % re.escape(gone))
    regular = t.write("regular_file", "keep me\n")
    write_fifo(fifo, ":core.version:%s\n\n" % regular)
    wait_log(d, r"mi_fifo: reply fifo %s is not a FIFO; reply dropped"
             % re.escape(regular))
    with open(regular, encoding="utf-8") as f:
        t.eq(f.read(), "keep me\n", "a regular file is never written")
    t.eq(mi(t, fifo, "core.echo", "ok"), "200 OK\n:: ok\n\n",
         "the next request is answered")
    d.stop()
    d.check_log()


def test_reply_dir_and_indent(t):
    replies = t.path("replies")
    os.mkdir(replies)
    d, fifo = start(t, extra='modparam("mi_fifo", "reply_dir", "%s")\n'
                    'modparam("mi_fifo", "reply_indent", "  ")\n'
                    'modparam("mi_fifo", "fifo_mode", 0600)' % replies)
    st = os.lstat(fifo)
    t.eq(oct(stat.S_IMODE(st.st_mode)), oct(0o600),
         "fifo_mode 0600 (octal, as in Kamailio)")
    path, fd = reply_fifo(t, name="rel_reply", where=replies)
    write_fifo(fifo, ":core.uptime:rel_reply\n\n")
    t.match(r"\A200 OK\n::\n  now:: .+\n  up_since:: .+\n  uptime:: \d+\n\n\Z",
            read_reply(fd), "a relative reply name lives in reply_dir; "
            "members indented with reply_indent")
    d.stop()


def test_stale_fifo_is_replaced(t):
    fifo = t.path("tandem_fifo")
    os.mkfifo(fifo, 0o600)
    os.chmod(fifo, 0o604)
    d, fifo = start(t)
    t.match(r"mi_fifo: replacing the old FIFO %s" % re.escape(fifo), d.log(),
            "a FIFO left by a crash is made anew")
    t.eq(oct(stat.S_IMODE(os.lstat(fifo).st_mode)), oct(0o660),
         "with the configured mode")
    t.match(r"\A200 OK\n", mi(t, fifo, "core.version"), "and served")
    d.stop()
    t.check(not os.path.exists(fifo), "removed at stop")


def test_existing_file_is_startup_error(t):
    path = t.write("tandem_fifo", "not a fifo\n")
    cfg = t.render(CFG, EXTRA="")
    r = harness.run_tandem(["-DD", "-E", "-f", cfg, "-L", harness.MODDIR],
                           timeout=30, cwd=t.tmp)
    t.ne(r.rc, 0, "tandem refuses to start", **r.context())
    t.match(r"mi_fifo: %s exists and is not a FIFO" % re.escape(path),
            r.err + r.out, "the error names the file", **r.context())
    with open(path, encoding="utf-8") as f:
        t.eq(f.read(), "not a fifo\n", "the file is left alone")


def test_config_errors(t):
    cases = [
        ('modparam("mi_fifo", "fifo_mode", 999)',
         r"fifo_mode: 999 is not a file mode"),
        ('modparam("mi_fifo", "fifo_user", "no-such-user-xyz")',
         r"fifo_user: no such user 'no-such-user-xyz'"),
        ('modparam("mi_fifo", "fifo_group", "no-such-group-xyz")',
         r"fifo_group: no such group 'no-such-group-xyz'"),
    ]
    for extra, why in cases:
        cfg = t.render(CFG, dest="bad.cfg", EXTRA=extra)
        r = harness.check_config(cfg, moddir=harness.MODDIR)
        t.ne(r.rc, 0, "tandem -c refuses %s" % extra, **r.context())
        t.match(r"bad\.cfg:\d+:\d+: error: .*%s" % why, r.err + r.out,
                "the error points at the modparam", **r.context())


def test_missing_fifo_name(t):
    cfg = t.render("#!KAMAILIO\nlog_stderror=yes\nlisten=127.0.0.1:@PORT@\n"
                   "loadmodule \"mi_fifo.so\"\nrequest_route { exit; }\n",
                   dest="nofifo.cfg")
    r = harness.run_tandem(["-DD", "-E", "-f", cfg, "-L", harness.MODDIR],
                           timeout=30, cwd=t.tmp)
    t.ne(r.rc, 0, "tandem refuses to start", **r.context())
    t.match(r"mi_fifo: parameter fifo_name is not set", r.err + r.out,
            "and says why", **r.context())


def test_fifo_writer_gone_keeps_serving(t):
    # a client that opens and closes the FIFO without writing, many times
    d, fifo = start(t)
    for _ in range(50):
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError as e:
            if e.errno != errno.ENXIO:
                raise
    t.eq(mi(t, fifo, "core.echo", "alive"), "200 OK\n:: alive\n\n",
         "served after clients that wrote nothing")
    d.stop()


def test_respawned_process_serves(t):
    d, fifo = start(t)
    pid = mi_pid(d)
    os.kill(pid, 9)
    wait_log(d, r"mi_fifo \(pid %d\) killed by signal 9; respawning" % pid)
    t.eq(mi(t, fifo, "core.echo", "again"), "200 OK\n:: again\n\n",
         "the new mi_fifo process serves the same FIFO")
    d.stop()
    t.check(not os.path.exists(fifo), "removed at stop")


if __name__ == "__main__":
    harness.main()
