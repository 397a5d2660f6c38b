"""t_mod_tm.py - stateful transactions (tm) over UDP, with the test acting
as both the caller (UAC) and the called party (UAS).

Covers t_newtran()/t_reply() and the absorbed retransmission, t_relay()
of MESSAGE (our Via, Max-Forwards, the 200 back without it), a 480 and
a silent UAS running failure_route, the UDP retransmissions of timer E,
408 without a failure route, INVITE with 100/180/486, the hop-by-hop ACK
and the retransmitted 486 until the ACK, CANCEL, unresolvable
destinations, garbage replies, tm.stats/tm.list and tm.t_uac_start.
"""

import os
import re
import shutil
import socket
import subprocess
import time

import harness

TAG_RE = r"tag=([0-9a-f]{32})"
seq = [0]


def start(t):
    uas_port = t.port("udp")
    path = t.render("tm.cfg.in", UASPORT=uas_port)
    d = t.daemon(path)
    return d, t.values["PORT"], uas_port


def udp(port=0, timeout=3.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(timeout)
    return s


def request(sock, method="MESSAGE", test="reply", ruri=None, extra="",
            body="hello", branch=None, callid=None, cseq=1):
    seq[0] += 1
    port = sock.getsockname()[1]
    branch = branch or "z9hG4bK-uac-%d-%d" % (os.getpid(), seq[0])
    callid = callid or "cid-%d-%d@test" % (os.getpid(), seq[0])
    ruri = ruri or "sip:bob@127.0.0.1"
    return ("%s %s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\r\n"
            "From: <sip:alice@127.0.0.1>;tag=ft%d\r\n"
            "To: <sip:bob@127.0.0.1>\r\n"
            "Call-ID: %s\r\n"
            "CSeq: %d %s\r\n"
            "Max-Forwards: 70\r\n"
            "X-Test: %s\r\n"
            "%s"
            "Content-Length: %d\r\n\r\n%s"
            % (method, ruri, port, branch, seq[0], callid, cseq, method,
               test, extra, len(body), body)), branch, callid


def recv(sock, timeout=3.0):
    sock.settimeout(timeout)
    try:
        data, addr = sock.recvfrom(65535)
        return data.decode(), addr
    except socket.timeout:
        return None, None


def recv_all(sock, seconds):
    """Every datagram that comes within seconds."""
    end = time.time() + seconds
    out = []
    while True:
        left = end - time.time()
        if left <= 0:
            return out
        data, addr = recv(sock, left)
        if data is None:
            return out
        out.append((data, addr))


def hdrs(text, name):
    return re.findall(r"^%s:\s*(.*?)\r?$" % name, text, re.M | re.I)


def reply_to(req, code, reason, to_tag="uastag1", body=""):
    """The UAS's reply: Vias, From, To (+tag), Call-ID, CSeq copied."""
    lines = ["SIP/2.0 %d %s" % (code, reason)]
    for line in req.split("\r\n")[1:]:
        if not line:
            break
        name = line.split(":", 1)[0].strip().lower()
        if name in ("via", "from", "call-id", "cseq"):
            lines.append(line)
        elif name == "to":
            lines.append(line if "tag=" in line or code == 100
                         else line + ";tag=" + to_tag)
    lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


def send(sock, port, text):
    sock.sendto(text.encode() if isinstance(text, str) else text,
                ("127.0.0.1", port))


def route_count(d, what):
    return len(re.findall(what, d.log()))


def wait_log(d, pattern, seconds=5.0):
    end = time.time() + seconds
    while time.time() < end:
        if re.search(pattern, d.log(), re.M):
            return True
        time.sleep(0.05)
    return False


# --- t_newtran / t_reply ------------------------------------------------------------

def test_reply_and_retransmission(t):
    d, port, _ = start(t)
    uac = udp()
    req, _, cid = request(uac, test="reply")
    send(uac, port, req)
    r1, _ = recv(uac)
    t.check(r1 is not None, "the MESSAGE is answered")
    t.match(r"^SIP/2.0 202 Accepted here\r\n", r1, "202 from t_reply()")
    t.match(TAG_RE, hdrs(r1, "To")[0], "the To header got a tag")
    send(uac, port, req)
    r2, _ = recv(uac)
    t.eq(r2, r1, "the retransmission gets the very same reply")
    t.eq(route_count(d, r"ROUTE MESSAGE %s" % re.escape(cid)), 1,
         "request_route ran once for the two copies")


def test_check_trans(t):
    d, port, _ = start(t)
    uac = udp()
    req, _, _ = request(uac, test="check")
    send(uac, port, req)
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 200 Checked", r or "", "t_check_trans() false "
            "before t_newtran(), true after")


# --- t_relay of MESSAGE ---------------------------------------------------------------

def relay_setup(t, test, method="MESSAGE", extra=""):
    d, port, uas_port = start(t)
    uac, uas = udp(), udp(uas_port)
    req, branch, cid = request(uac, method=method, test=test, extra=extra)
    send(uac, port, req)
    fwd, addr = recv(uas)
    t.check(fwd is not None, "the UAS got the %s" % method)
    return d, port, uac, uas, req, fwd, addr, branch, cid


def test_relay_200(t):
    d, port, uac, uas, req, fwd, addr, branch, _ = relay_setup(t, "relay")
    vias = hdrs(fwd, "Via")
    t.eq(len(vias), 2, "the forwarded request has our Via on top",
         request=fwd)
    t.match(r"^SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK\S+$" % port, vias[0],
            "our Via: the listen address and a magic-cookie branch")
    t.match(r"branch=%s" % re.escape(branch), vias[1], "the UAC's Via")
    t.eq(hdrs(fwd, "Max-Forwards"), ["69"], "Max-Forwards decremented")
    t.match(r"\r\n\r\nhello$", fwd, "the body is kept")
    send(uas, addr[1], reply_to(fwd, 200, "OK"))
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 200 OK\r\n", r or "", "the 200 is relayed upstream")
    t.eq(len(hdrs(r, "Via")), 1, "our Via is removed from the reply")
    t.match(re.escape(branch), hdrs(r, "Via")[0], "the UAC's Via stays")
    # a retransmitted request after the 200 gets the 200 again
    send(uac, port, req)
    r2, _ = recv(uac)
    t.eq(r2, r, "the retransmission after the final reply gets it again")
    t.eq(recv(uas, 0.5)[0], None, "and is not forwarded again")


def test_relay_to_host_port(t):
    d, port, uac, uas, req, fwd, addr, _, _ = relay_setup(t, "relay-to")
    send(uas, addr[1], reply_to(fwd, 202, "Accepted"))
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 202 Accepted", r or "", "t_relay(host, port) works")


def test_relay_480_failure_route(t):
    d, port, uac, uas, req, fwd, addr, _, cid = relay_setup(t, "relay")
    send(uas, addr[1], reply_to(fwd, 480, "Temporarily Unavailable"))
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 202 Stored by failure route", r or "",
            "failure_route answered with t_reply()")
    t.check(wait_log(d, r"FAILURE MESSAGE %s" % re.escape(cid)),
            "failure_route ran on the MESSAGE")
    t.eq(recv(uac, 0.5)[0], None, "the 480 itself is not relayed")


def test_failure_route_without_reply_relays_best(t):
    d, port, uac, uas, req, fwd, addr, _, _ = relay_setup(
        t, "relay", extra="X-Fail: pass\r\n")
    send(uas, addr[1], reply_to(fwd, 486, "Busy Here"))
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 486 Busy Here", r or "", "the 486 is relayed "
            "when failure_route does not answer")


def test_timeout_failure_route_and_retransmissions(t):
    d, port, uac, uas, req, fwd, addr, _, cid = relay_setup(t, "relay")
    t0 = time.time()
    again, _ = recv(uas, 1.3)
    gap = time.time() - t0
    t.check(again is not None, "timer E retransmitted the MESSAGE")
    t.check(0.3 < gap < 0.9, "after T1 = 500 ms (%.2f s)" % gap)
    t.eq(again, fwd, "an identical copy")
    r, _ = recv(uac, 3)
    t.match(r"^SIP/2.0 202 Stored by failure route", r or "",
            "fr_timer ran failure_route, which answered")


def test_timeout_408(t):
    d, port, uac, uas, req, fwd, addr, _, _ = relay_setup(t, "relay-plain")
    start_t = time.time()
    r, _ = recv(uac, 4)
    t.match(r"^SIP/2.0 408 Request Timeout", r or "",
            "no reply and no failure_route: 408")
    t.check(time.time() - start_t > 1.0, "after fr_timer (1.5 s)")


def test_unresolvable(t):
    d, port, _ = start(t)
    uac = udp()
    req, _, _ = request(uac, test="unresolvable")
    send(uac, port, req)
    r, _ = recv(uac, 8)
    t.match(r"^SIP/2.0 478 ", r or "", "an unresolvable destination: 478")


# --- INVITE --------------------------------------------------------------------------

def test_invite_486_and_ack(t):
    d, port, uac, uas, req, fwd, addr, branch, cid = relay_setup(
        t, "relay-plain", method="INVITE")
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 100 Trying", r or "", "t_relay() sent 100 Trying")
    send(uas, addr[1], reply_to(fwd, 100, "Trying"))
    send(uas, addr[1], reply_to(fwd, 180, "Ringing"))
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 180 Ringing", r or "", "the 180 is relayed "
            "(the UAS's 100 is not)")
    send(uas, addr[1], reply_to(fwd, 486, "Busy Here"))
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 486 Busy Here", r or "", "the 486 is relayed")
    ack, _ = recv(uas)
    t.match(r"^ACK sip:bob@127.0.0.1 SIP/2.0", ack or "",
            "tm sent the hop-by-hop ACK downstream")
    t.eq(hdrs(ack, "Via")[0], hdrs(fwd, "Via")[0],
         "the ACK carries the INVITE's branch")
    t.match(r"^\d+ ACK$", hdrs(ack, "CSeq")[0], "CSeq method ACK")
    t.match(r"tag=uastag1", hdrs(ack, "To")[0], "To of the reply")
    # timer G: the 486 again until the caller ACKs
    r2, _ = recv(uac, 1.5)
    t.match(r"^SIP/2.0 486 Busy Here", r2 or "",
            "the 486 is retransmitted while no ACK came")
    to = hdrs(r, "To")[0]
    ack_up = ("ACK sip:bob@127.0.0.1 SIP/2.0\r\n"
              "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\r\n"
              "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 ACK\r\n"
              "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
              % (uac.getsockname()[1], branch, hdrs(req, "From")[0], to,
                 cid))
    send(uac, port, ack_up)
    time.sleep(0.3)
    recv_all(uac, 0.1)
    t.eq(recv_all(uac, 1.2), [], "no more 486 after the ACK")
    t.eq(route_count(d, r"ROUTE ACK"), 0, "the ACK was absorbed")
    t.eq(recv(uas, 0.3)[0], None, "and not forwarded")


def test_onreply_branch_routes(t):
    """t_on_reply(), t_on_branch(), t_is_set(): the branch_route runs
    before the request leaves, the onreply_route on each reply with the
    transaction's flags; drop there stops a provisional reply only."""
    d, port, uac, uas, req, fwd, addr, _, cid = relay_setup(t, "routes")
    t.check(wait_log(d, r"BRANCH MESSAGE %s sip:127.0.0.1:%d"
                     % (re.escape(cid), uas.getsockname()[1])),
            "branch_route ran before the relay, with $du set")
    send(uas, addr[1], reply_to(fwd, 181, "Forwarded"))
    send(uas, addr[1], reply_to(fwd, 183, "Progress"))
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 183 Progress", r or "",
            "the 181 dropped by onreply_route, the 183 relayed")
    t.check(wait_log(d, r"ONREPLY 181 %s" % re.escape(cid)),
            "onreply_route saw the 181")
    t.check(wait_log(d, r"ONREPLY-FLAG 183 %s" % re.escape(cid)),
            "with the request's setflag(4)")
    send(uas, addr[1], reply_to(fwd, 200, "OK"))
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 200 OK", r or "", "the 200 relayed")
    t.check(wait_log(d, r"ONREPLY 200 %s" % re.escape(cid)),
            "onreply_route saw the 200")

    # drop on a final reply: it goes on (here to failure_route)
    req, branch, cid = request(uac, test="routes")
    send(uac, port, req)
    fwd, addr = recv(uas)
    send(uas, addr[1], reply_to(fwd, 404, "Not Found"))
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 202 Stored by failure route", r or "",
            "a final reply dropped in onreply_route still ends the branch")
    t.check(wait_log(d, r"a final reply is relayed anyway"),
            "and the log says so")

    # drop in branch_route: no branch, t_relay() is false
    req, branch, cid = request(uac, test="routes", extra="X-Branch: drop\r\n")
    send(uac, port, req)
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 500 branch dropped", r or "",
            "a branch dropped in branch_route: t_relay() false")
    t.eq(recv(uas, 0.5)[0], None, "nothing was forwarded")


def test_force_rport_relay(t):
    """force_rport() before t_relay(): the forwarded request's upstream
    Via gets rport= and received=, and the reply goes back to the source
    port, not to the sent-by port 9."""
    d, port, uas_port = start(t)
    uac, uas = udp(), udp(uas_port)
    req, branch, cid = request(uac, test="relay-rport")
    req = req.replace("Via: SIP/2.0/UDP 127.0.0.1:%d;" % uac.getsockname()[1],
                      "Via: SIP/2.0/UDP 127.0.0.1:9;")
    send(uac, port, req)
    fwd, addr = recv(uas)
    t.check(fwd is not None, "the UAS got the MESSAGE")
    t.match(r"^SIP/2.0/UDP 127.0.0.1:9;branch=%s;rport=%d;"
            r"received=127.0.0.1$" % (re.escape(branch),
                                      uac.getsockname()[1]),
            hdrs(fwd, "Via")[1], "the UAC's Via with rport= and received=")
    send(uas, addr[1], reply_to(fwd, 200, "OK"))
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 200 OK", r or "", "the 200 reached the source port")


def test_forward_no_connect(t):
    """set_forward_no_connect(): t_relay() over TCP uses an open
    connection only; without it the worker connects to the next hop."""
    d, port, _ = start(t)
    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.bind(("127.0.0.1", 0))
    lsn.listen(4)
    lsn.settimeout(3)
    tport = lsn.getsockname()[1]

    def ask(connect):
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        text = ("MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\n"
                "Via: SIP/2.0/TCP 127.0.0.1:%d;branch=z9hG4bK-nc%s\r\n"
                "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:bob@127.0.0.1>\r\n"
                "Call-ID: nc-%s@test\r\nCSeq: 1 MESSAGE\r\n"
                "Max-Forwards: 70\r\nX-Test: relay-tcp\r\nX-Port: %d\r\n"
                "X-Connect: %s\r\nContent-Length: 0\r\n\r\n"
                % (c.getsockname()[1], connect, connect, tport, connect))
        c.sendall(text.encode())
        return c

    c = ask("no")
    c.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
    t.match(r"^SIP/2.0 503 ", data.decode(), "no connection: 503",
            reply=data.decode())
    try:
        lsn.accept()
        t.check(False, "nothing connected to the next hop")
    except socket.timeout:
        t.check(True, "nothing connected to the next hop")
    c.close()
    c = ask("yes")
    try:
        peer, _ = lsn.accept()
        peer.settimeout(5)
        got = peer.recv(65535).decode()
        peer.close()
    except socket.timeout:
        got = ""
    t.match(r"^MESSAGE sip:bob@127.0.0.1 SIP/2.0", got,
            "without set_forward_no_connect() the worker connected")
    c.close()
    lsn.close()


def test_missing_reply_route_refused_at_load(t):
    cfg = t.write("bad.cfg", "\n".join([
        "listen=udp:127.0.0.1:%d" % t.port(),
        'loadmodule "sl.so"', 'loadmodule "tm.so"',
        "request_route {", '  t_on_reply("NOPE");',
        '  t_on_branch("NADA");', '  if (t_is_set("nothing")) exit;',
        "  t_relay();", "}", ""]))
    r = harness.check_config(cfg, harness.MODDIR)
    t.ne(r.rc, 0, "tandem -c refuses the config", stderr=r.err)
    t.match(r'bad\.cfg:5:\d+: error: t_on_reply\("NOPE"\): the config has '
            r'no onreply_route\[NOPE\]', r.err, "missing onreply_route named")
    t.match(r'bad\.cfg:6:\d+: error: t_on_branch\("NADA"\)', r.err,
            "missing branch_route named")
    t.match(r'bad\.cfg:7:\d+: error: t_is_set\("nothing"\)', r.err,
            "unknown t_is_set target named")


def test_cancel(t):
    d, port, uac, uas, req, fwd, addr, branch, cid = relay_setup(
        t, "relay-plain", method="INVITE")
    recv(uac)                                   # 100 Trying
    send(uas, addr[1], reply_to(fwd, 180, "Ringing"))
    recv(uac)                                   # 180
    cancel = req.replace("INVITE sip", "CANCEL sip", 1) \
        .replace(" INVITE\r\n", " CANCEL\r\n")
    cancel = re.sub(r"Content-Length: \d+\r\n\r\n.*", "Content-Length: 0"
                    "\r\n\r\n", cancel, flags=re.S)
    send(uac, port, cancel)
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 200 ", r or "", "the CANCEL is answered 200")
    t.match(r" CANCEL$", hdrs(r, "CSeq")[0], "for the CANCEL")
    c, _ = recv(uas)
    t.match(r"^CANCEL sip:bob@127.0.0.1 SIP/2.0", c or "",
            "the CANCEL is forwarded downstream")
    t.eq(hdrs(c, "Via")[0], hdrs(fwd, "Via")[0],
         "with the INVITE's branch")
    send(uas, addr[1], reply_to(c, 200, "OK"))
    send(uas, addr[1], reply_to(fwd, 487, "Request Terminated"))
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 487 ", r or "", "the 487 reaches the caller")
    ack, _ = recv(uas)
    t.match(r"^ACK ", ack or "", "the 487 is ACKed downstream")


# --- robustness, RPC, t_uac -------------------------------------------------------------

def test_garbage_replies(t):
    d, port, _ = start(t)
    uac = udp()
    bad = [
        b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKtd"
        b"3.99999\r\nCSeq: 1 MESSAGE\r\nTo: <sip:a@b>\r\n"
        b"Content-Length: 0\r\n\r\n",
        b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKtdzz"
        b"\r\nContent-Length: 0\r\n\r\n",
        b"SIP/2.0 999 What\r\n\r\n",
        b"SIP/2.0 200\r\nVia: garbage\r\n\r\n",
        b"SIP/2.0 180 Ringing\r\nCSeq: x\r\n\r\n",
    ]
    for b in bad:
        send(uac, port, b)
    req, _, _ = request(uac, test="reply")
    send(uac, port, req)
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 202 ", r or "", "the daemon still answers")
    t.no_match(r"killed by signal|respawning", d.log(), "nothing crashed")


kamcmd = harness.kamcmd


def test_rpc_stats_list_and_t_uac_start(t):
    d, port, uas_port = start(t)
    uas = udp(uas_port)
    sock = os.path.join(t.tmp, "ctl.sock")
    uac = udp()
    req, _, _ = request(uac, test="reply")
    send(uac, port, req)
    recv(uac)
    out = kamcmd(t, sock, "tm.stats")
    t.match(r"total: 1\b", out, "tm.stats counts the transaction")
    t.match(r"2xx: 1\b", out, "and its 2xx reply")
    out = kamcmd(t, sock, "tm.list")
    t.match(r"method: MESSAGE", out, "tm.list shows it (on wt_timer)")
    out = kamcmd(t, sock, "tm.t_uac_start", "MESSAGE",
                 "sip:carol@127.0.0.1:%d" % uas_port, ".", ".",
                 "From: <sip:tm@127.0.0.1>\r\nContent-Type: text/plain\r\n",
                 "hi carol")
    m, addr = recv(uas)
    t.match(r"^MESSAGE sip:carol@127.0.0.1:%d SIP/2.0" % uas_port, m or "",
            "tm.t_uac_start sent the MESSAGE")
    t.match(r";tag=\w+", hdrs(m, "From")[0], "From got a tag")
    t.eq(hdrs(m, "CSeq"), ["1 MESSAGE"], "CSeq 1")
    t.match(r"z9hG4bK", hdrs(m, "Via")[0], "a magic-cookie branch")
    t.eq(hdrs(m, "Content-Type"), ["text/plain"], "the extra header")
    t.match(r"\r\n\r\nhi carol$", m, "the body")
    send(uas, addr[1], reply_to(m, 404, "Not Here"))
    t.check(wait_log(d, r"t_uac_start request \d+ completed with 404"),
            "the callback got the 404")
    # a silent destination: 408 after fr_timer
    kamcmd(t, sock, "tm.t_uac_start", "MESSAGE",
           "sip:carol@127.0.0.1:%d" % uas_port, ".", ".",
           "From: sip:tm@127.0.0.1\r\n", "again")
    t.check(recv(uas)[0] is not None, "the second MESSAGE went out")
    t.check(wait_log(d, r"completed with 408", 4), "fr_timer ended it: 408")


def test_seed_units_and_replies(t):
    d = t.daemon(t.render("tm_seed.cfg.in"))
    port = t.values["PORT"]
    log = d.log()
    for name, ms in (("fr_timer", 10000), ("fr_inv_timer", 15000),
                     ("wt_timer", 10000)):
        t.match(r"WARNING: tm: modparam %s \d+ is below 100: read as "
                r"seconds.*write %d" % (name, ms), log,
                "the SER unit of %s is named at startup" % name)
    uac = udp()
    req, _, _ = request(uac, test="seed")
    send(uac, port, req)
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 202 Accepted", r or "", "MESSAGE: t_reply 202")
    req, _, _ = request(uac, method="OPTIONS", test="seed", body="")
    send(uac, port, req)
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 404 Not found", r or "", "OPTIONS: t_reply 404")


def test_missing_failure_route_refused_at_load(t):
    """t_on_failure() naming a failure_route the config lacks is an error
    at its line, for `tandem -c` as for a start."""
    cfg = t.write("tm_nofr.cfg",
                  'loadmodule "sl.so"\nloadmodule "tm.so"\n'
                  'request_route {\n\tt_on_failure("7");\n'
                  '\tt_relay();\n}\n'
                  'failure_route[1] {\n\tt_reply("500", "x");\n}\n')
    r = harness.check_config(cfg, moddir=harness.MODDIR, cwd=t.tmp)
    t.eq(r.rc, 1, "tandem -c refuses the config", **r.context())
    t.match(r"tm_nofr\.cfg:4:\d+: error: t_on_failure\(\"7\"\): the "
            r"config has no failure_route\[7\]", r.err,
            "the error names the call's line", **r.context())


if __name__ == "__main__":
    harness.main()
