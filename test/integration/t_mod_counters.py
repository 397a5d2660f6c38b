"""t_mod_counters.py - the counters module in the running daemon.

Script counters declared with modparam script_counter are counted by
UDP requests (cnt_inc, cnt_add with a number, a header and a $var,
cnt_reset) in two UDP receivers and read back with Kamailio's kamcmd
through ctl: cnt.get, cnt.reset, cnt.grps_list, cnt.var_list,
cnt.grp_get_all, cnt.help and their aliases, over the script counters
and the statistics of the core and of the modules.  Bad RPC input gets
a fault and the daemon keeps answering; mistakes in the config are
refused with their position (or, for a statistic no module registers,
at startup).
"""

import itertools
import re
import socket
import time

import harness

CFG = "counters.cfg.in"
BAD = "counters_bad.cfg.in"
kamcmd = harness.kamcmd
_seq = itertools.count(1)


def options(callid, port, headers):
    extra = "".join("%s: %s\r\n" % kv for kv in headers.items())
    return ("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;rport;branch=z9hG4bK%s\r\n"
            "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
            "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\n%s"
            "Content-Length: 0\r\n\r\n"
            % (port, callid, callid, extra)).encode()


def ask(t, port, **headers):
    """Sends one request over UDP and waits for its 200 (the counters
    are updated before the reply is sent).  Returns the Call-ID."""
    callid = "cnt-%d" % next(_seq)
    headers = {k.replace("_", "-"): v for k, v in headers.items()}
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", 0))
        s.settimeout(5)
        s.sendto(options(callid, s.getsockname()[1], headers),
                 ("127.0.0.1", port))
        reply = s.recvfrom(65535)[0].decode()
    except socket.timeout:
        reply = ""
    finally:
        s.close()
    t.check(reply.startswith("SIP/2.0 200 "), "%s %r answered 200"
            % (callid, headers), reply=reply)
    return callid


def ask_tcp(t, port, **headers):
    """ask() over TCP: the TCP worker is another process."""
    callid = "cnt-%d" % next(_seq)
    headers = {k.replace("_", "-"): v for k, v in headers.items()}
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(options(callid, s.getsockname()[1], headers)
                  .replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP"))
        reply = b""
        try:
            while b"\r\n\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except socket.timeout:
            pass
    t.check(reply.startswith(b"SIP/2.0 200 "), "%s over TCP answered 200"
            % callid, reply=reply)
    return callid


def start(t):
    d = t.daemon(t.render(CFG))
    return d, t.values["PORT"], t.path("ctl.sock")


def struct_of(out):
    """kamcmd's rendering of a struct of ints as a dict."""
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^\t(\S+): (-?\d+)$", out, re.M)}


def get(t, sock, group, name):
    out = kamcmd(t, sock, "cnt.get", group, name).strip()
    t.check(re.fullmatch(r"-?\d+", out) is not None,
            "cnt.get %s %s is a number" % (group, name), output=out)
    return int(out)


def test_counts_over_udp(t):
    d, port, sock = start(t)
    ask(t, port)
    ask(t, port, X_Case="opt")
    ask(t, port, X_Case="opt")
    ask(t, port, X_Case="add", X_N="7")
    ask(t, port, X_Case="addvar")
    ask(t, port, X_Case="module")
    ask_tcp(t, port, X_Case="opt")
    pids = set(re.findall(r"C cnt-\d+ pid=(\d+)", d.log()))
    t.check(len(pids) >= 2, "the requests ran in %d processes" % len(pids))
    t.eq(get(t, sock, "script", "reqs"), 7, "cnt_inc counted every request "
         "in every process")
    t.eq(get(t, sock, "mine", "late"), 7, "a name without a group is in "
         "the script_cnt_grp_name group")
    t.eq(get(t, sock, "script", "opts"), 3, "cnt_inc under a condition")
    t.eq(get(t, sock, "test", "bytes"), 7 + 10 - 4,
         "cnt_add with a header, a $var and a negative number")
    t.eq(get(t, sock, "sl", "failures"), 5, "cnt_add on a statistic of "
         "another module")
    t.eq(get(t, sock, "core", "rcv_requests"), 7,
         "the core's statistics are counters too")
    out = kamcmd(t, sock, "cnt.get", "script")
    t.eq(struct_of(out), {"opts": 3, "reqs": 7}, "cnt.get with a group "
         "alone gives the group", output=out)

    # a value that is not a number: false, logged, counter unchanged
    cid = ask(t, port, X_Case="add", X_N="many")
    t.match(r"C %s add rc=-1" % cid, d.log(), "cnt_add with 'many' "
            "returns false")
    t.match(r'ERROR: counters: cnt_add\("test.bytes"\): the value is not '
            r'a number; counter unchanged', d.log(), "with a log line")
    t.eq(get(t, sock, "test", "bytes"), 13, "the counter is unchanged")

    ask(t, port, X_Case="reset")
    t.eq(get(t, sock, "script", "reqs"), 0, "cnt_reset() in the script")
    t.eq(kamcmd(t, sock, "cnt.reset", "script", "opts"), "",
         "cnt.reset replies nothing")
    t.eq(get(t, sock, "script", "opts"), 0, "cnt.reset zeroed it")
    t.eq(get(t, sock, "mine", "late"), 9, "the others count on")
    ask(t, port)
    t.eq(get(t, sock, "script", "reqs"), 1, "counting goes on after a "
         "reset")
    d.stop()


def test_rpc_shapes(t):
    d, port, sock = start(t)
    ask(t, port, X_Case="opt")
    groups = ["core", "mine", "script", "shmem", "sl", "test", "usrloc"]
    out = kamcmd(t, sock, "cnt.grps_list")
    t.eq(out.split(), groups, "cnt.grps_list: every group of the core, "
         "the modules and the script, sorted", output=out)
    t.eq(kamcmd(t, sock, "cnt.list_groups").split(), groups,
         "cnt.list_groups is an alias")
    out = kamcmd(t, sock, "cnt.var_list", "script")
    t.eq(out.split(), ["opts", "reqs"], "cnt.var_list script", output=out)
    t.eq(kamcmd(t, sock, "cnt.list_vars", "script").split(),
         ["opts", "reqs"], "cnt.list_vars is an alias")
    out = kamcmd(t, sock, "cnt.var_list", "sl")
    t.check("sent_replies" in out.split() and "200_replies" in out.split(),
            "cnt.var_list sl lists sl's statistics", output=out)
    t.eq(kamcmd(t, sock, "cnt.var_list", "nosuch"), "",
         "an unknown group lists nothing")
    out = kamcmd(t, sock, "cnt.grp_get_all", "script")
    t.eq(out, "{\n\topts: 1\n\treqs: 1\n}\n", "cnt.grp_get_all: a struct "
         "of name: value, sorted")
    t.eq(kamcmd(t, sock, "cnt.get_vars", "script"), out,
         "cnt.get_vars is an alias")
    out = kamcmd(t, sock, "cnt.grp_get_all", "shmem")
    t.check(struct_of(out).get("total_size", 0) > 1 << 20 and
            struct_of(out).get("free_size", 0) > 0,
            "shmem sizes are current", output=out)
    out = kamcmd(t, sock, "cnt.grp_get_all", "usrloc")
    t.eq(struct_of(out).get("registered_users"), 0, "usrloc's gauges are "
         "there", output=out)
    t.eq(kamcmd(t, sock, "cnt.grp_get_all", "nosuch"), "{\n}\n",
         "an unknown group is an empty struct")
    for (g, n), want in [(("script", "reqs"), "custom script counter."),
                         (("test", "bytes"), "bytes seen"),
                         (("script", "opts"), "requests with X-Case opt"),
                         (("core", "rcv_requests"),
                          "tandem statistic (no description)")]:
        t.eq(kamcmd(t, sock, "cnt.help", g, n), want + "\n",
             "cnt.help %s %s" % (g, n))
    d.stop()


def test_bad_input(t):
    d, port, sock = start(t)
    for args, want in [
            (("cnt.get", "script", "nosuch"),
             "error: 400 - non-existent counter script.nosuch\n"),
            (("cnt.get", "nosuch", "reqs"),
             "error: 400 - non-existent counter nosuch.reqs\n"),
            (("cnt.reset", "script", "nosuch"),
             "error: 400 - non-existent counter script.nosuch\n"),
            (("cnt.help", "test", "nosuch"),
             "error: 400 - non-existent counter test.nosuch\n"),
            (("cnt.get",), "error: 400 - missing argument 1"),
            (("cnt.reset", "script"), "error: 400 - missing argument 2"),
            (("cnt.help", "script"), "error: 400 - missing argument 2"),
            (("cnt.var_list",), "error: 400 - missing argument 1"),
            (("cnt.get", "script", "x" * 300),
             "error: 400 - non-existent counter script." + "x" * 63 + "\n")]:
        out = kamcmd(t, sock, *args)
        t.eq(out.rstrip("\n"), want.rstrip("\n"), "%s: a fault" % args[0])
    t.eq(get(t, sock, "script", "reqs"), 0, "nothing was changed")
    t.eq(kamcmd(t, sock, "cnt.grps_list").split()[0], "core",
         "the daemon keeps answering RPCs")
    ask(t, port)
    t.eq(get(t, sock, "script", "reqs"), 1, "and counting requests")
    d.stop()


def test_config_errors(t):
    cfg = t.render(BAD)
    for define, want in [
            ("DUP", r"counters_bad\.cfg:16:\d+: error: counters: counter "
                    r"script\.reqs already registered"),
            ("EMPTY", r"counters_bad\.cfg:19:\d+: error: counters: counter "
                      r"'grp\.' has an empty name"),
            ("UNDEFINED", r"counters_bad\.cfg:27:\d+: error: counters: "
                          r"counter script\.nosuch does not exist \(forgot "
                          r"to define it\?\)"),
            ("DYNAMIC", r"counters_bad\.cfg:33:\d+: error: cnt_inc\(\): "
                        r"argument 1 must be a literal")]:
        r = harness.check_config(cfg, harness.MODDIR, args=["-A", define])
        t.ne(r.rc, 0, "-A %s: tandem -c refuses the config" % define,
             **r.context())
        t.match(want, r.err + r.out, "-A %s: the error where it is written"
                % define, **r.context())
    r = harness.check_config(cfg, harness.MODDIR)
    t.eq(r.rc, 0, "without a define the config is fine", **r.context())

    # a declared counter a module loaded before already registers
    r = harness.run_tandem(["-f", cfg, "-L", harness.MODDIR, "-DD", "-E",
                            "-A", "COLLIDE"], timeout=30)
    t.eq(r.rc, 2, "a script counter that sl registers stops the daemon",
         **r.context())
    t.match(r"ERROR: counters: counter sl\.failures already registered",
            r.err, "and says which", **r.context())

    # another group's statistic is looked for once the modules are up
    r = harness.run_tandem(["-f", cfg, "-L", harness.MODDIR, "-DD", "-E",
                            "-A", "UNDEFINED_GROUP"], timeout=30)
    t.eq(r.rc, 2, "a counter no module registers stops the daemon",
         **r.context())
    t.match(r"ERROR: counters: counter other\.nosuch does not exist "
            r"\(forgot to define it\?\)", r.err, "and says which",
            **r.context())


if __name__ == "__main__":
    harness.main(globals())
