"""t_mod_rr.py - the rr module: Record-Route and loose routing.

The test plays the caller (UDP or TCP) and the callee (UDP) around a
proxy running tm and rr (cfg/rr.cfg.in).  An INVITE is record-routed
and relayed; the callee sees our Record-Route (address, ;lr, ftag,
add_rr_param() parameters set before and after record_route()); the ACK
and the callee's BYE come back with our Route and reach the other side
without it and with their Request-URI unchanged; is_direction() and
check_route_param() show in the log.  Then: a loose next hop in the same
Route line, a strict previous hop (our URI as Request-URI), a strict
next hop (16.6 step 6), preloaded Routes (someone else's, our own only),
record_route()'s variants (parameters with variables, preset with two
URIs, advertised address, remove, TCP's transport=tcp), the module
parameters, and bad input: refused parameters, malformed Route headers
(loose_route() false with a log line, the daemon keeps serving).
"""

import re
import socket
import time

import harness

seq = [0]


# --- a small SIP toolkit -----------------------------------------------------------

def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(3)
    return s


class Tcp:
    """A TCP connection to the proxy, read message by message."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""

    def port(self):
        return self.s.getsockname()[1]

    def send(self, text):
        self.s.sendall(text.encode())

    def recv(self, timeout=3.0):
        self.s.settimeout(timeout)
        try:
            while b"\r\n\r\n" not in self.buf:
                chunk = self.s.recv(65535)
                if not chunk:
                    return None
                self.buf += chunk
        except socket.timeout:
            return None
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        m = re.search(rb"Content-Length:\s*(\d+)", head, re.I)
        n = int(m.group(1)) if m else 0
        self.buf = rest[n:]
        return (head + b"\r\n\r\n" + rest[:n]).decode()


def request(method, ruri, via_port, case, from_tag="ft-caller",
            to_tag=None, callid=None, cseq=1, extra="", proto="UDP",
            branch=None):
    seq[0] += 1
    callid = callid or "rr-%d-%f@test" % (seq[0], time.time())
    branch = branch or "z9hG4bK-rr-%d-%f" % (seq[0], time.time())
    return ("%s %s SIP/2.0\r\n"
            "Via: SIP/2.0/%s 127.0.0.1:%d;branch=%s\r\n"
            "From: <sip:alice@example.com>;tag=%s\r\n"
            "To: <sip:bob@example.com>%s\r\n"
            "Call-ID: %s\r\n"
            "CSeq: %d %s\r\n"
            "Max-Forwards: 70\r\n"
            "X-Case: %s\r\n"
            "%s"
            "Content-Length: 0\r\n\r\n"
            % (method, ruri, proto, via_port, branch, from_tag,
               ";tag=" + to_tag if to_tag else "", callid, cseq, method,
               case, extra))


def reply(req, code=200, reason="OK", to_tag="tt-callee", extra=""):
    """The UA's reply: Vias, From, To (+tag), Call-ID, CSeq and (RFC 3261
    12.1.1) the Record-Routes copied."""
    lines = ["SIP/2.0 %d %s" % (code, reason)]
    for line in req.split("\r\n")[1:]:
        if not line:
            break
        name = line.split(":", 1)[0].strip().lower()
        if name in ("via", "from", "call-id", "cseq", "record-route"):
            lines.append(line)
        elif name == "to":
            lines.append(line if "tag=" in line else line + ";tag=" + to_tag)
    return "\r\n".join(lines) + "\r\n" + extra + "Content-Length: 0\r\n\r\n"


def send(sock, port, text):
    sock.sendto(text.encode(), ("127.0.0.1", port))


def expect(sock, start, timeout=3.0):
    """The first message on sock whose first line starts with start
    (others, such as a 100 Trying, are skipped); None on timeout."""
    end = time.time() + timeout
    while time.time() < end:
        if isinstance(sock, Tcp):
            data = sock.recv(max(0.05, end - time.time()))
        else:
            sock.settimeout(max(0.05, end - time.time()))
            try:
                data = sock.recv(65535).decode()
            except socket.timeout:
                data = None
        if data is None:
            return None
        if data.startswith(start):
            return data
    return None


def first_line(text):
    return text.split("\r\n", 1)[0]


def hdrs(text, name):
    head = text.split("\r\n\r\n", 1)[0]
    return re.findall(r"^%s[ \t]*:[ \t]*(.*?)\r?$" % name, head, re.M | re.I)


def header_names(text):
    head = text.split("\r\n\r\n", 1)[0]
    return [ln.split(":", 1)[0] for ln in head.split("\r\n")[1:]]


def wait_log(d, pattern, seconds=5.0):
    end = time.time() + seconds
    while time.time() < end:
        m = re.search(pattern, d.log(), re.M)
        if m:
            return m
        time.sleep(0.05)
    return None


def log_has(t, d, pattern, what):
    m = wait_log(d, pattern)
    t.check(m is not None, what, log=d.log())
    return m


def start(t, fromtag=1, full_lr=0, username=0, ignore="", adv=""):
    callee = udp()
    path = t.render("rr.cfg.in", CALLEE=callee.getsockname()[1],
                    FROMTAG=fromtag, FULL_LR=full_lr, USERNAME=username,
                    IGNORE=ignore, ADV=adv)
    d = t.daemon(path)
    return d, t.values["PORT"], callee


def relay_initial(t, d, port, callee, case, caller=None, method="MESSAGE",
                  extra="", ruri=None):
    """Sends an initial request through the proxy; returns (what the
    callee got, the caller socket).  The callee answers 200."""
    caller = caller or udp()
    cport = caller.port() if isinstance(caller, Tcp) \
        else caller.getsockname()[1]
    ruri = ruri or "sip:bob@127.0.0.1:%d" % callee.getsockname()[1]
    req = request(method, ruri, cport, case, extra=extra,
                  proto="TCP" if isinstance(caller, Tcp) else "UDP")
    if isinstance(caller, Tcp):
        caller.send(req)
    else:
        send(caller, port, req)
    got = expect(callee, method)
    t.check(got is not None, "the callee receives the %s (%s)"
            % (method, case), log=d.log())
    callee.sendto(reply(got).encode(), ("127.0.0.1", port))
    ok = expect(caller, "SIP/2.0 200")
    t.check(ok is not None, "the caller gets the 200 back (%s)" % case)
    return got, caller


def in_dialog(t, d, port, sender, receiver, case, ruri, route_lines,
              from_tag="tt-callee", to_tag="ft-caller", method="MESSAGE"):
    """An in-dialog request from sender through the proxy; returns what
    receiver got (it answers 200), or None."""
    req = request(method, ruri, sender.getsockname()[1], case,
                  from_tag=from_tag, to_tag=to_tag,
                  extra="".join("Route: %s\r\n" % r for r in route_lines))
    send(sender, port, req)
    got = expect(receiver, method)
    if got is not None and method != "ACK":
        receiver.sendto(reply(got).encode(), ("127.0.0.1", port))
        expect(sender, "SIP/2.0 200")
    return got


# --- the dialog ---------------------------------------------------------------------

def test_invite_dialog(t):
    d, port, callee = start(t)
    caller = udp()
    cport = caller.getsockname()[1]
    lport = callee.getsockname()[1]
    invite = request("INVITE", "sip:bob@127.0.0.1:%d" % lport, cport, "rr",
                     extra="Contact: <sip:alice@127.0.0.1:%d>\r\n" % cport)
    send(caller, port, invite)
    got = expect(callee, "INVITE")
    t.check(got is not None, "the callee receives the INVITE", log=d.log())
    rr = "<sip:127.0.0.1:%d;lr;ftag=ft-caller;nat=yes;after=1>" % port
    t.eq(header_names(got)[0], "Record-Route",
         "the Record-Route is the first header of the forwarded INVITE")
    t.eq(hdrs(got, "Record-Route"), [rr], "one Record-Route: our address, "
         ";lr, ftag, add_rr_param()'s before and after record_route()")
    t.eq(first_line(got), "INVITE sip:bob@127.0.0.1:%d SIP/2.0" % lport,
         "the Request-URI is the callee's")
    log_has(t, d, r"RR rr second refused", "a second record_route() is false")
    log_has(t, d, r"double attempt to record-route", "... and logged")

    ok = reply(got, extra="Contact: <sip:bob@127.0.0.1:%d>\r\n" % lport)
    callee.sendto(ok.encode(), ("127.0.0.1", port))
    ok = expect(caller, "SIP/2.0 200")
    t.check(ok is not None, "the caller gets the 200 OK")
    t.eq(hdrs(ok, "Record-Route"), [rr], "the 200 OK carries the "
         "Record-Route back to the caller")

    # the caller's ACK and the callee's BYE follow the route set
    ack = in_dialog(t, d, port, caller, callee, "ack",
                    "sip:bob@127.0.0.1:%d" % lport, [rr], method="ACK",
                    from_tag="ft-caller", to_tag="tt-callee")
    t.check(ack is not None, "the ACK reaches the callee", log=d.log())
    t.eq(first_line(ack), "ACK sip:bob@127.0.0.1:%d SIP/2.0" % lport,
         "the ACK's Request-URI is unchanged (loose routing)")
    t.eq(hdrs(ack, "Route"), [], "our Route is removed from the ACK")
    log_has(t, d, r"DIR ack downstream", "the ACK is downstream "
            "(its From tag is the ftag)")
    log_has(t, d, r"PARAM ack nat=yes", "check_route_param() matches "
            "the Route's nat=yes")
    log_has(t, d, r"IN ack ACK route_uri=sip:127\.0\.0\.1:%d;lr;"
            r"ftag=ft-caller;nat=yes;after=1$" % port,
            "$route_uri is the URI of the first Route")

    bye = in_dialog(t, d, port, callee, caller, "bye",
                    "sip:alice@127.0.0.1:%d" % cport, [rr], method="BYE")
    t.check(bye is not None, "the callee's BYE reaches the caller",
            log=d.log())
    t.eq(first_line(bye), "BYE sip:alice@127.0.0.1:%d SIP/2.0" % cport,
         "the BYE's Request-URI is unchanged")
    t.eq(hdrs(bye, "Route"), [], "our Route is removed from the BYE")
    log_has(t, d, r"DIR bye upstream", "the BYE is upstream")
    t.no_match(r"DIR bye downstream", d.log(), "and not downstream")
    log_has(t, d, r"LR bye rc=1 ru=sip:alice@127\.0\.0\.1:%d du=<null>$"
            % cport, "loose_route() is true, $ru unchanged, no $du")
    log_has(t, d, r"LR2 bye rc=1 ru=sip:alice@127\.0\.0\.1:%d du=<null>$"
            % cport, "a second loose_route() gives the same")
    d.stop()


# --- loose_route() cases ------------------------------------------------------------

def test_loose_next_hop(t):
    d, port, callee = start(t)
    caller = udp()
    cport = caller.getsockname()[1]
    target = "sip:alice@127.0.0.1:%d" % cport
    nxt = "<sip:127.0.0.1:%d;lr;x=2>" % cport
    ours = "<sip:127.0.0.1:%d;lr;ftag=ft-caller>" % port

    got = in_dialog(t, d, port, callee, caller, "comma", target,
                    [ours + ", " + nxt])
    t.check(got is not None, "the request reaches the next hop",
            log=d.log())
    t.eq(first_line(got), "MESSAGE %s SIP/2.0" % target,
         "the Request-URI is unchanged")
    t.eq(hdrs(got, "Route"), [nxt], "just our value is removed from the "
         "comma-separated Route line")
    log_has(t, d, r"LR comma rc=1 ru=%s du=sip:127\.0\.0\.1:%d;lr;x=2$"
            % (re.escape(target), cport), "$du is the next Route")
    log_has(t, d, r"DIR comma upstream", "a From tag other than the ftag "
            "is upstream")
    t.no_match(r"PARAM comma", d.log(), "check_route_param() is false "
               "without nat=yes")

    got = in_dialog(t, d, port, callee, caller, "lines", target,
                    [ours, nxt])
    t.eq(hdrs(got or "", "Route"), [nxt], "our Route line is removed, "
         "the next one stays")

    got = in_dialog(t, d, port, callee, caller, "last", target,
                    [nxt + ", " + ours])
    t.eq(hdrs(got or "", "Route"), [nxt + ", " + ours],
         "a Route of ours that is not the first is left alone "
         "(the first is someone else's)")
    d.stop()


def test_strict_routers(t):
    d, port, callee = start(t)
    caller = udp()
    cport = caller.getsockname()[1]
    target = "sip:alice@127.0.0.1:%d" % cport

    # the previous hop was a strict router: our URI is the Request-URI,
    # the target the last Route (16.4)
    ours = "sip:127.0.0.1:%d;lr;ftag=ft-caller;nat=yes" % port
    got = in_dialog(t, d, port, callee, caller, "strictprev", ours,
                    ["<%s>" % target])
    t.check(got is not None, "the request reaches the target", log=d.log())
    t.eq(first_line(got), "MESSAGE %s SIP/2.0" % target,
         "the last Route became the Request-URI")
    t.eq(hdrs(got, "Route"), [], "and was removed")
    log_has(t, d, r"PARAM strictprev nat=yes", "check_route_param() "
            "reads our URI in the Request-URI")

    # the next hop is a strict router (16.6 step 6)
    hop = "sip:127.0.0.1:%d;s=1" % cport
    got = in_dialog(t, d, port, callee, caller, "strictnext",
                    target + ";o=1",
                    ["<sip:127.0.0.1:%d;lr>, <%s>" % (port, hop)])
    t.check(got is not None, "the request reaches the strict next hop",
            log=d.log())
    t.eq(first_line(got), "MESSAGE %s SIP/2.0" % hop,
         "the strict next hop is the Request-URI")
    t.eq(hdrs(got, "Route"), ["<%s;o=1>" % target], "the old "
         "Request-URI is the last Route")
    d.stop()


def test_preloaded(t):
    d, port, callee = start(t)
    lport = callee.getsockname()[1]
    pre = "<sip:127.0.0.1:%d;lr>" % lport

    got, _ = relay_initial(t, d, port, callee, "pre",
                           ruri="sip:bob@nowhere.invalid",
                           extra="Route: %s\r\n" % pre)
    t.eq(first_line(got), "MESSAGE sip:bob@nowhere.invalid SIP/2.0",
         "the Request-URI is unchanged")
    t.eq(hdrs(got, "Route"), [pre], "someone else's preloaded Route stays")
    log_has(t, d, r"PRELOADED pre rc=1 ru=sip:bob@nowhere\.invalid "
            r"du=sip:127\.0\.0\.1:%d;lr$" % lport,
            "loose_route() is true with $du the preloaded Route")

    got, _ = relay_initial(t, d, port, callee, "ownpre",
                           extra="Route: <sip:127.0.0.1:%d;lr>\r\n" % port)
    t.eq(hdrs(got, "Route"), [], "our own preloaded Route is removed")
    log_has(t, d, r"INITIAL ownpre rc=-3$", "loose_route() is false "
            "(-3) for a request outside a dialog with only our Route")
    t.eq(len(hdrs(got, "Record-Route")), 1, "the script then "
         "record-routes it")

    got, _ = relay_initial(t, d, port, callee, "noroute")
    log_has(t, d, r"INITIAL noroute rc=-1$", "no Route: -1")
    d.stop()


# --- record_route() variants -----------------------------------------------------------

def test_record_route_variants(t):
    d, port, callee = start(t)
    rr = lambda case, **kw: hdrs(relay_initial(t, d, port, callee, case,
                                               **kw)[0], "Record-Route")

    t.eq(rr("rrparam"), ["<sip:127.0.0.1:%d;lr;ftag=ft-caller;m=MESSAGE>"
                         % port], "record_route(\";m=$rm\") renders "
         "its parameters")
    t.eq(rr("preset"), ["<sip:10.1.2.3:5099;x=1;lr;ftag=ft-caller>",
                        "<sip:10.1.2.4;lr;ftag=ft-caller>"],
         "record_route_preset() with two URIs: two headers, in order")
    t.eq(rr("adv"), ["<sip:203.0.113.9:7000;lr;ftag=ft-caller>"],
         "record_route_advertised_address()")
    log_has(t, d, r"RR adv second refused", "record_route() after it is "
            "refused")
    t.eq(rr("remove"), [], "remove_record_route() drops it")
    t.eq(rr("again"), ["<sip:127.0.0.1:%d;lr;ftag=ft-caller;second=1>"
                       % port], "after remove_record_route() a new one "
         "may be made")

    tcp = Tcp(port)
    got, _ = relay_initial(t, d, port, callee, "plain", caller=tcp)
    t.eq(hdrs(got, "Record-Route"),
         ["<sip:127.0.0.1:%d;transport=tcp;lr;ftag=ft-caller>" % port],
         "over TCP the URI has transport=tcp")
    tcp.s.close()
    d.stop()


def test_modparams(t):
    d, port, callee = start(t, fromtag=0, full_lr=1, username=1,
                            ignore="gw")
    got, _ = relay_initial(t, d, port, callee, "plain")
    t.eq(hdrs(got, "Record-Route"), ["<sip:bob@127.0.0.1:%d;lr=on>" % port],
         "add_username 1, enable_full_lr 1, append_fromtag 0")

    # ignore_user: a Route of our address with that user is not ours
    ua = udp()
    for case, user, du in (("ign", "gw@", "sip:gw@127.0.0.1:%d;lr" % port),
                           ("notign", "bob@", "<null>")):
        send(ua, port, request("MESSAGE", "sip:alice@127.0.0.1:9",
                               ua.getsockname()[1], case, to_tag="tt",
                               extra="X-Reply: 1\r\nRoute: <sip:%s127.0.0.1:"
                               "%d;lr>\r\n" % (user, port)))
        r = expect(ua, "SIP/2.0")
        t.eq(first_line(r or ""), "SIP/2.0 200 Not relayed",
             "the script answers (%s)" % case)
        log_has(t, d, r"LR %s rc=1 ru=sip:alice@127\.0\.0\.1:9 du=%s$"
                % (case, re.escape(du)), "Route user %s: $du %s"
                % (user, du))
    d.stop()


def test_advertised_listen(t):
    d, port, callee = start(t, adv="advertise 198.51.100.7:5080")
    got, _ = relay_initial(t, d, port, callee, "plain")
    t.eq(hdrs(got, "Record-Route"),
         ["<sip:198.51.100.7:5080;lr;ftag=ft-caller>"],
         "record_route() writes the listen's advertised address")
    d.stop()


# --- bad input ------------------------------------------------------------------------

def test_bad_input(t):
    d, port, callee = start(t)
    ua = udp()
    uport = ua.getsockname()[1]

    for case, param in (("badparam", "a>b"), ("badparam", "a=1,b=2"),
                        ("badparam", "a b"), ("badadv", "1.2.3.4;x=1"),
                        ("badadv", "<1.2.3.4>")):
        send(ua, port, request("MESSAGE", "sip:bob@127.0.0.1", uport, case,
                               extra="X-Param: %s\r\n" % param))
        r = expect(ua, "SIP/2.0")
        t.eq(first_line(r or ""), "SIP/2.0 500 RR refused",
             "%s %r is refused" % (case, param))
    log_has(t, d, r"cannot go into a Record-Route URI", "the refusal is "
            "logged")
    t.check(expect(callee, "MESSAGE", 0.3) is None, "nothing was relayed")

    for route in ("sip:127.0.0.1:%d;lr" % port, "<sip:;lr>", "%%%garbage",
                  "<sip:127.0.0.1;lr", "<>", "<sip:127.0.0.1;lr>,",
                  "<http://127.0.0.1/>"):
        send(ua, port, request("MESSAGE", "sip:bob@127.0.0.1", uport, "bad",
                               to_tag="tt", extra="Route: %s\r\n" % route))
        r = expect(ua, "SIP/2.0")
        t.eq(first_line(r or ""), "SIP/2.0 404 No route",
             "loose_route() is false for Route: %s" % route)
    t.eq(len(re.findall(r"loose_route: malformed Route header", d.log())), 7,
         "each malformed Route header is logged", log=d.log())

    send(ua, port, request("MESSAGE", "sip:bob@127.0.0.1", uport, "none",
                           to_tag="tt"))
    r = expect(ua, "SIP/2.0")
    t.eq(first_line(r or ""), "SIP/2.0 404 No route",
         "an in-dialog request without Route: loose_route() false")
    log_has(t, d, r"LR none false rc=-1", "with -1")

    got, _ = relay_initial(t, d, port, callee, "plain")
    t.eq(len(hdrs(got, "Record-Route")), 1, "the proxy still serves")
    d.stop()


if __name__ == "__main__":
    harness.main()
