"""t_mod_cfg_rpc.py - the cfg_rpc module in the running daemon.

Kamailio's kamcmd drives cfg.* through ctl: cfg.set_now_int core debug 3
in the ctl process makes the UDP receivers and the TCP worker write their
debug lines at once (the level is shared); cfg.list, cfg.get, cfg.help,
the prepared changes (cfg.set_delayed*, cfg.diff, cfg.commit,
cfg.rollback) and cfg.reset; bad input (an unknown group or variable, a
value that is not a number, out of range) gets Kamailio's fault, the
reason in the log, nothing changed, and the daemon keeps answering.
"""

import itertools
import re
import socket
import time

import harness

CFG = "cfg_rpc.cfg.in"
kamcmd = harness.kamcmd
_seq = itertools.count(1)


def options(callid, port, proto):
    return ("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/%s 127.0.0.1:%d;rport;branch=z9hG4bK%s\r\n"
            "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
            "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
            % (proto, port, callid, callid)).encode()


def ask(t, port, proto="udp"):
    """One request; waits for its 200.  Returns the Call-ID."""
    callid = "cfg-%d" % next(_seq)
    if proto == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(5)
        s.sendto(options(callid, s.getsockname()[1], "UDP"),
                 ("127.0.0.1", port))
        try:
            reply = s.recvfrom(65535)[0]
        except socket.timeout:
            reply = b""
    else:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(options(callid, s.getsockname()[1], "TCP"))
        reply = b""
        try:
            while b"\r\n\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except socket.timeout:
            pass
    s.close()
    t.check(reply.startswith(b"SIP/2.0 200 "), "%s over %s answered 200"
            % (callid, proto), reply=reply)
    return callid


def debug_pid(d, callid):
    """The pid that logged callid's debug line, or None."""
    m = re.search(r"^\s*(\d+) DEBUG: <script>: D %s debug line from (\d+)"
                  % re.escape(callid), d.log(), re.M)
    return int(m.group(1)) if m else None


def notice_pid(d, callid):
    m = re.search(r"^\s*(\d+) NOTICE: <script>: N %s from"
                  % re.escape(callid), d.log(), re.M)
    return int(m.group(1)) if m else None


def start(t):
    d = t.daemon(t.render(CFG))
    return d, t.values["PORT"], t.path("ctl.sock")


def wait_log(d, pattern, timeout=5):
    deadline = time.monotonic() + timeout
    while not re.search(pattern, d.log(), re.M) and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    return re.search(pattern, d.log(), re.M)


def test_debug_in_every_process(t):
    d, port, sock = start(t)
    cid = ask(t, port)
    t.check(notice_pid(d, cid) is not None and debug_pid(d, cid) is None,
            "at debug=2 a request logs no debug line")
    t.eq(kamcmd(t, sock, "cfg.get", "core", "debug"), "2\n",
         "cfg.get core debug")

    t.eq(kamcmd(t, sock, "cfg.set_now_int", "core", "debug", 3), "",
         "cfg.set_now_int core debug 3 replies nothing")
    m = wait_log(d, r"^\s*(\d+) NOTICE: cfg_rpc: core\.debug has been "
                    r"changed to 3$")
    t.check(m is not None, "the change is logged", log=d.log())
    ctl_pid = int(m.group(1))
    t.eq(kamcmd(t, sock, "cfg.get", "core", "debug"), "3\n",
         "cfg.get shows 3")
    t.eq(kamcmd(t, sock, "core.debug"), "3\n", "and so does core.debug")
    pids = set()
    for proto in ("udp", "udp", "udp", "tcp"):
        cid = ask(t, port, proto)
        pid = debug_pid(d, cid)
        t.check(pid is not None, "%s: the request logs its debug line"
                % cid, log=d.log())
        t.ne(pid, ctl_pid, "%s: from another process than ctl's" % cid)
        pids.add(pid)
    t.check(len(pids) >= 2, "debug lines from %d processes" % len(pids))

    t.eq(kamcmd(t, sock, "cfg.seti", "core", "debug", 2), "",
         "cfg.seti core debug 2")
    for proto in ("udp", "tcp"):
        cid = ask(t, port, proto)
        t.check(notice_pid(d, cid) is not None and
                debug_pid(d, cid) is None,
                "%s: no debug line after going back to 2" % proto)
    d.stop()


def test_list_get_help(t):
    d, port, sock = start(t)
    t.eq(kamcmd(t, sock, "cfg.list"), "core: debug\n",
         "cfg.list: the one core value that can change at runtime")
    t.eq(kamcmd(t, sock, "cfg.list", "core"), "core: debug\n",
         "cfg.list core")
    t.eq(kamcmd(t, sock, "cfg.list", "tm"), "", "cfg.list of a group "
         "nobody declared is empty")
    t.eq(kamcmd(t, sock, "cfg.get", "core"), "{\n\tdebug: 2\n}\n",
         "cfg.get core: a struct of the group")
    t.eq(kamcmd(t, sock, "cfg.get", "nosuch"), "{\n}\n",
         "cfg.get of an unknown group: an empty struct")
    t.eq(kamcmd(t, sock, "cfg.help", "core", "debug"),
         "debug level\n(parameter type is integer)\n", "cfg.help")
    t.eq(kamcmd(t, sock, "cfg.set", "core", "debug", "s:3"), "",
         "cfg.set with a string that reads as a number")
    t.eq(kamcmd(t, sock, "cfg.get", "core", "debug"), "3\n", "is set")
    t.eq(kamcmd(t, sock, "cfg.sets", "core", "debug", "s:1"), "",
         "cfg.sets too")
    t.eq(kamcmd(t, sock, "cfg.set_now_string", "core", "debug", "s:2"), "",
         "and cfg.set_now_string")
    t.eq(kamcmd(t, sock, "cfg.get", "core", "debug"), "2\n", "is set")
    d.stop()


def test_delayed_and_reset(t):
    d, port, sock = start(t)
    t.eq(kamcmd(t, sock, "cfg.set_delayed_int", "core", "debug", 3), "",
         "cfg.set_delayed_int prepares a change")
    t.eq(kamcmd(t, sock, "cfg.set_delayed", "core", "debug", 1), "",
         "cfg.set_delayed another")
    t.eq(kamcmd(t, sock, "cfg.diff"),
         "{\n\tgroup name: core\n\tvariable name: debug\n\told value: 2"
         "\n\tnew value: 3\n}\n"
         "{\n\tgroup name: core\n\tvariable name: debug\n\told value: 2"
         "\n\tnew value: 1\n}\n", "cfg.diff lists both, in order")
    t.eq(kamcmd(t, sock, "cfg.get", "core", "debug"), "2\n",
         "nothing applied yet")
    t.eq(kamcmd(t, sock, "cfg.rollback"), "", "cfg.rollback")
    t.eq(kamcmd(t, sock, "cfg.diff"), "", "drops them")
    t.eq(kamcmd(t, sock, "cfg.commit"), "", "a commit of nothing")
    t.eq(kamcmd(t, sock, "cfg.get", "core", "debug"), "2\n",
         "changes nothing")

    t.eq(kamcmd(t, sock, "cfg.set_delayed_string", "core", "debug", "s:3"),
         "", "cfg.set_delayed_string with a number")
    t.eq(kamcmd(t, sock, "cfg.commit"), "", "cfg.commit")
    t.eq(kamcmd(t, sock, "cfg.get", "core", "debug"), "3\n", "applies it")
    t.eq(kamcmd(t, sock, "cfg.diff"), "", "and empties the list")
    cid = ask(t, port)
    t.check(debug_pid(d, cid) is not None, "the workers log debug lines")

    t.eq(kamcmd(t, sock, "cfg.reset", "core"), "", "cfg.reset core")
    t.eq(kamcmd(t, sock, "cfg.get", "core", "debug"), "2\n",
         "is back to debug=2 of the config")
    t.eq(kamcmd(t, sock, "cfg.reset", "nosuch"), "", "cfg.reset of an "
         "unknown group does nothing (as in Kamailio)")
    d.stop()


def test_bad_input(t):
    d, port, sock = start(t)
    for args, want, why in [
            (("cfg.seti", "core", "debug", 100),
             "error: 400 - Failed to set the variable",
             r"ERROR: cfg_rpc: core\.debug: integer value 100 is out of "
             r"range \(-5\.\.9\)"),
            (("cfg.set", "core", "debug", "abc"),
             "error: 400 - Failed to set the variable",
             r"ERROR: cfg_rpc: core\.debug: cannot convert string to "
             r"integer 'abc'"),
            (("cfg.set_delayed", "core", "debug", "10"),
             "error: 400 - Failed to set the variable",
             r"ERROR: cfg_rpc: core\.debug: integer value 10 is out of "
             r"range"),
            (("cfg.seti", "core", "nosuch", 1),
             "error: 400 - Failed to set the variable",
             r"ERROR: cfg_rpc: variable not found: core\.nosuch"),
            (("cfg.sets", "nosuch", "debug", "x"),
             "error: 400 - Failed to set the variable",
             r"ERROR: cfg_rpc: variable not found: nosuch\.debug"),
            (("cfg.seti", "core", "debug", "abc"),
             "error: 400 - argument 3 is not a number", None),
            (("cfg.seti", "core", "debug"),
             "error: 400 - missing argument 3", None),
            (("cfg.get", "core", "nosuch"),
             "error: 400 - Failed to get the variable", None),
            (("cfg.get",), "error: 500 - Failed to get the parameters", None),
            (("cfg.help", "core", "nosuch"),
             "error: 400 - Failed to get the variable description", None),
            (("cfg.help", "core"), "error: 400 - missing argument 2", None),
            (("cfg.reset",), "error: 400 - missing argument 1", None)]:
        out = kamcmd(t, sock, *args)
        t.eq(out.rstrip("\n"), want, "%s: a fault" % " ".join(map(str,
                                                                   args)))
        if why:
            t.check(wait_log(d, why) is not None, "the log says why",
                    log=d.log())
    t.eq(kamcmd(t, sock, "cfg.diff"), "", "nothing was prepared")
    t.eq(kamcmd(t, sock, "cfg.get", "core", "debug"), "2\n",
         "nothing was changed")
    t.eq(kamcmd(t, sock, "cfg.list"), "core: debug\n",
         "the daemon keeps answering RPCs")
    cid = ask(t, port)
    t.check(notice_pid(d, cid) is not None and debug_pid(d, cid) is None,
            "and requests, at debug=2")
    d.stop()


if __name__ == "__main__":
    harness.main(globals())
