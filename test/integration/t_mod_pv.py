"""t_mod_pv.py - the pv module in a running daemon: $var lives per
process across messages, $avp per message, $shv is shared by every
process, pv_printf, $Ts/$time, $au, the modparams, and the {s.}, {uri.}
and {param.} transformations on real SIP traffic over UDP and TCP.
What the config computes is read back from its log(1, ...) lines.
"""

import hashlib
import os
import re
import socket
import subprocess
import time

import harness

CFG = "pv.cfg.in"


def options(callid, port, proto="UDP", extra=""):
    return ("OPTIONS sip:bob@127.0.0.1:%d;transport=%s SIP/2.0\r\n"
            "Via: SIP/2.0/%s 127.0.0.1:5999;branch=z9hG4bK-%s\r\n"
            "From: <sip:alice@example.com>;tag=ft-%s\r\n"
            "To: <sip:bob@example.com>\r\n"
            "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\n%s"
            "Content-Length: 0\r\n\r\n"
            % (port, proto.lower(), proto, callid, callid, callid,
               extra)).encode()


def send_udp(port, data):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(data, ("127.0.0.1", port))


def tcp_conn(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def wait_line(d, pattern, timeout=15):
    """The first match of pattern in the daemon log, waiting for it."""
    deadline = time.monotonic() + timeout
    while True:
        m = re.search(pattern, d.log(), re.M)
        if m:
            return m
        if time.monotonic() > deadline:
            raise harness.TestFailure("no /%s/ in the log after %ds\n%s"
                                      % (pattern, timeout,
                                         harness.indent(d.log())))
        time.sleep(0.05)


def start(t, children):
    cfg = t.render(CFG, CHILDREN=children)
    return t.daemon(cfg), t.values["PORT"]


def test_var_counts_per_process_avp_per_message(t):
    d, port = start(t, 1)
    t.say("three messages over UDP: one receiver process counts them")
    for i in range(1, 4):
        send_udp(port, options("udp-%d" % i, port))
        wait_line(d, r"PV-UNSET udp-%d ok" % i)
    cnts = [wait_line(d, r"PV-CNT udp-%d pid=(\d+) proto=udp cnt=(\d+)"
                      % i) for i in range(1, 4)]
    t.eq(len({m.group(1) for m in cnts}), 1, "one process got them all")
    t.eq([int(m.group(2)) for m in cnts], [1, 2, 3],
         "$var(cnt) went up by one per message")
    m = wait_line(d, r"PV-SESS udp-3 (\S+)")
    t.eq(m.group(1).split(".")[:3], ["s", cnts[2].group(1), "3"],
         "pv_printf rendered s.$(pp).$(var(cnt)).$(RANDOM)")
    t.match(r"^s\.\d+\.3\.\d+$", m.group(1), "and $(RANDOM) is a number")

    t.say("the TCP worker is another process: its own counter")
    with tcp_conn(port) as s:
        s.sendall(options("tcp-1", port, "TCP"))
        m = wait_line(d, r"PV-CNT tcp-1 pid=(\d+) proto=tcp cnt=(\d+)")
    t.ne(m.group(1), cnts[0].group(1), "TCP went to another process")
    t.eq(m.group(2), "1", "whose $var(cnt) starts at 0 + 1")

    log = d.log()
    for i in range(1, 4):
        t.match(r"PV-AVP-BEFORE udp-%d <null>$" % i, log,
                "no AVP left over from the previous message (%d)" % i)
        t.match(r"PV-AVP udp-%d all=\[top, udp-%d\] first=udp-%d i7=7$"
                % (i, i, i), log, "$avp values stack, newest first")
        t.match(r"PV-AVP-DEL udp-%d <null>$" % i, log,
                "$avp(x) = $null deletes them")
    t.match(r"PV-FUNCS udp-1 ok", log, "is_int() and pv_isset()")
    d.stop()


def test_transformations_time_auth(t):
    d, port = start(t, 1)
    before = int(time.time())
    extra = ("X-Data: one,two,three\r\nX-Quote: it's\r\n"
             "Proxy-Authorization: Digest username=\"alice@atlanta.com\", "
             "realm=\"biloxi.com\", nonce=\"n\", uri=\"sip:bob\", "
             "response=\"00\"\r\n")
    send_udp(port, options("tr-udp", port, "UDP", extra))
    with tcp_conn(port) as s:
        s.sendall(options("tr-tcp", port, "TCP", extra))
        wait_line(d, r"PV-UNSET tr-tcp ok")
    after = int(time.time())
    wait_line(d, r"PV-UNSET tr-udp ok")
    log = d.log()
    md5 = hashlib.md5(b"one,two,three").hexdigest()
    for cid, proto in (("tr-udp", "udp"), ("tr-tcp", "tcp")):
        m = t.match(r"PV-TR %s sel=(\S*) ruser=(\S*) rtr=(\S*) tag=(\S*) "
                    r"md5=(\S*) len=(\S*) sub=(\S*) esc=(.*)$" % cid, log,
                    "the transformations ran (%s)" % proto)
        t.eq(m.groups(), ("TWO", "bob", proto, "ft-" + cid, md5, "13",
                          "ree", "it\\'s"),
             "{s.select}{s.toupper}, {uri.*}, {param.value}, {s.md5}, "
             "{s.len}, {s.substr}, {s.escape.common}")
        t.match(r"PV-AUTH %s au=alice ar=biloxi.com ad=atlanta.com$" % cid,
                log, "$au $ar $ad from Proxy-Authorization")
        t.match(r"PV-SHVINIT %s gwhost=gw.example.com gwport=5070 "
                r"greeting=hi$" % cid, log, "shvset and varset values")
    m = t.match(r"PV-TS tr-udp ts=(\d+) tv=(\d+) year=(\d+) mon=(\d+) "
                r"f=(\d+)$", log, "the time pseudo-variables")
    ts = int(m.group(1))
    t.check(before <= ts <= after, "$Ts %d is now (%d..%d)"
            % (ts, before, after))
    t.eq(int(m.group(2)), ts, "$TV(s) is the message's $Ts")
    lt = time.localtime(ts)
    t.eq((int(m.group(3)), int(m.group(4)), int(m.group(5))),
         (lt.tm_year, lt.tm_mon, lt.tm_year),
         "$time(year), $time(mon) (1..12), $timef(%Y)")
    d.stop()


def test_shv_shared_by_processes(t):
    d, port = start(t, 4)
    value = "v%d" % int(time.time() * 1000)
    conns = [tcp_conn(port)]
    conns[0].sendall(options("set-1", port, "TCP", "X-Set: %s\r\n" % value))
    setter = wait_line(d, r"PV-SET set-1 pid=(\d+)").group(1)
    t.say("read it back through new connections, spread over the workers")
    readers = {}
    for i in range(8):
        c = tcp_conn(port)
        conns.append(c)
        cid = "get-%d" % i
        c.sendall(options(cid, port, "TCP", "X-Get: 1\r\n"))
        m = wait_line(d, r"PV-GET %s pid=(\d+) val=(\S+) hits=(\d+)" % cid)
        readers[m.group(1)] = (m.group(2), m.group(3))
    others = {p: v for p, v in readers.items() if p != setter}
    t.check(others, "some reads ran in a process other than the setter "
            "(%s; setter %s)" % (sorted(readers), setter))
    for pid, (val, hits) in others.items():
        t.eq(val, value, "process %s sees $shv(val)" % pid)
        t.eq(hits, "1", "and $shv(hits) (shvset i:0, plus one)")
    for c in conns:
        c.close()
    d.stop()


def test_config_errors(t):
    cfg = t.render("pv_bad.cfg.in")
    r = harness.check_config(cfg, harness.MODDIR)
    t.ne(r.rc, 0, "tandem -c refuses the config", **r.context())
    errs = harness.error_lines(r.err + r.out)
    text = "\n".join(errs)
    for want in (r"pv_bad.cfg:7:\d+: error: shvset: 'notanumber' is not an "
                 r"integer",
                 r"pv_bad.cfg:10:\d+: error: .*'x' is not a number",
                 r"pv_bad.cfg:11:\d+: error: unknown transformation "
                 r"\{s.nosuch\}",
                 r"pv_bad.cfg:12:\d+: error: unknown \$time\(month\)",
                 r"pv_bad.cfg:13:\d+: error: .*must be one character",
                 r"pv_bad.cfg:14:\d+: error: .*expected one pseudo-variable"):
        t.match(want, text, "the error is reported where it is",
                stderr=r.err)


kamcmd = harness.kamcmd


def test_shv_rpc(t):
    cfg = t.render("pv_rpc.cfg.in")
    d = t.daemon(cfg)
    port, sock = t.values["PORT"], t.path("ctl.sock")
    out = kamcmd(t, sock, "pv.shvGet", "a")
    t.match(r"name: a\s+type: int\s+value: 1", out, "pv.shvGet a",
            stdout=out)
    out = kamcmd(t, sock, "pv.shvGet")
    t.match(r"items: \{\s+shv: \{\s+name: a\s+type: int\s+value: 1\s+\}"
            r"\s+shv: \{\s+name: b\s+type: string\s+value: hello\s+\}",
            out, "pv.shvGet lists every variable", stdout=out)
    t.eq(kamcmd(t, sock, "pv.shvSet", "a", "int", "42"), "",
         "pv.shvSet a int 42")
    t.eq(kamcmd(t, sock, "pv.shvSet", "b", "str", "set by rpc"), "",
         "pv.shvSet b str ...")
    send_udp(port, options("rpc-1", port))
    t.match(r"PV-RPC rpc-1 a=42 b=set by rpc$",
            wait_line(d, r"PV-RPC rpc-1 .*").group(0), "the script sees "
            "what the RPC set")
    out = ""
    deadline = time.monotonic() + 10
    while "from rpc-1" not in out and time.monotonic() < deadline:
        out = kamcmd(t, sock, "pv.shvGet", "b")
        time.sleep(0.1)
    t.match(r"type: string\s+value: from rpc-1", out,
            "and the RPC sees what the script set", stdout=out)
    for args, want in ((["pv.shvGet", "nope"], "404 - Variable not found"),
                       (["pv.shvSet", "nope", "int", "1"],
                        "404 - Variable not found"),
                       (["pv.shvSet", "a", "bogus", "1"],
                        "500 - Unknown parameter type"),
                       (["pv.shvSet", "a", "int", "x1"],
                        "500 - Missing integer parameter value")):
        out = kamcmd(t, sock, *args)
        t.match(r"^error: " + re.escape(want), out,
                "kamcmd %s fails" % " ".join(args), stdout=out)
    d.stop()


def test_ruri_and_duri_set(t):
    """$ru/$rU/$rd/$rp/$du are writable and the core's seturi family
    works; `uri == myself` looks at the new Request-URI."""
    d = t.daemon(t.render("pv_ruri.cfg.in"))
    port = t.values["PORT"]
    send_udp(port, options("ru-1", port))
    want = [
        r"RU0 ru-1 ru=sip:bob@127.0.0.1:%d;transport=udp rU=bob "
        r"rd=127.0.0.1 rp=%d du=<null>" % (port, port),
        r"RU1 ru-1 ru=sip:carol@127.0.0.1:%d;transport=udp" % port,
        r"RU2 ru-1 ru=sip:carol@example.org:5070;transport=udp",
        r"RU3 ru-1 ru=sip:example.org;transport=udp",
        r"RU4 ru-1 not mine",
        r"RU5 ru-1 du=sip:127.0.0.1:5099;transport=tcp",
        r"RU6 ru-1 mine ru=sip:bob@127.0.0.1:%d;transport=udp du=<null>"
        % port,
        r"RU7 ru-1 ru=sip:dave@10.0.0.1 rU=dave",
    ]
    for w in want:
        wait_line(d, "^.*" + w + "$")
    wait_line(d, r"\$ru: 'not a uri' is not a SIP URI")
    # like Kamailio, a failed assignment is logged and the route goes on
    wait_line(d, r"RU8 ru-1 ru=sip:dave@10.0.0.1$")
    d.stop()


if __name__ == "__main__":
    harness.main(globals())
