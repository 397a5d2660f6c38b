"""t_mod_registrar.py - the registrar and usrloc modules.

A raw-socket client registers over UDP and TCP with save("location") and
checks the 200 OK's Contact list and expires, refresh, Expires: 0,
Contact: *, 423 Interval Too Brief, max_expires, max_contacts (503),
Call-ID/CSeq ordering, the save() flags, expiry, and what lookup() makes
of a later request's R-URI and destination URI (the config answers an
OPTIONS with X-RU / X-DU headers).  kamcmd drives ul.dump, ul.lookup,
ul.rm, ul.rm_contact, ul.add, ul.flush and the usrloc statistics.
Malformed REGISTERs get 400 and the daemon keeps serving; sipp registers,
refreshes and unregisters many users; config errors are refused.

With the registrar settings of Kamailio's stock config (use_path 1,
method_filtering 1, gruu_enabled 0, path_mode 0/1/2; registrar_path.cfg)
a REGISTER's Path is stored, echoed per path_mode, shown by ul.lookup
with the methods of Allow, and a request looked up and relayed by tm
goes to the first Path hop (a UDP socket of the test) with the path as
Route header; a method the binding does not accept fails lookup() (-2).
"""

import os
import re
import shutil
import socket
import subprocess
import time
import uuid

import harness

CFG = "registrar.cfg.in"
PATH_CFG = "registrar_path.cfg.in"
SIPP_XML = os.path.join(harness.SRCDIR, "test", "integration", "sipp",
                        "registrar_register.xml")


# --- a SIP client ---------------------------------------------------------------

class Sip:
    """One UDP or TCP socket to the daemon; request() returns the reply."""

    def __init__(self, port, proto="udp"):
        self.port, self.proto = port, proto
        if proto == "udp":
            self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.s.bind(("127.0.0.1", 0))
        else:
            self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.s.settimeout(10)
        self.local = self.s.getsockname()[1]
        self.buf = b""

    def close(self):
        self.s.close()

    def send_raw(self, text):
        if self.proto == "udp":
            self.s.sendto(text.encode(), ("127.0.0.1", self.port))
        else:
            self.s.sendall(text.encode())

    def recv(self):
        if self.proto == "udp":
            return self.s.recv(65535).decode()
        while b"\r\n\r\n" not in self.buf:
            chunk = self.s.recv(65535)
            if not chunk:
                raise harness.TestFailure("connection closed by tandem")
            self.buf += chunk
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        m = re.search(rb"Content-Length:\s*(\d+)", head, re.I)
        n = int(m.group(1)) if m else 0
        while len(rest) < n:
            rest += self.s.recv(65535)
        self.buf = rest[n:]
        return (head + b"\r\n\r\n" + rest[:n]).decode()

    def request(self, method="REGISTER", user="alice", headers="",
                callid=None, cseq=1, to=None):
        self.send_request(method, user, headers, callid, cseq, to)
        return self.recv()

    def send_request(self, method="REGISTER", user="alice", headers="",
                     callid=None, cseq=1, to=None):
        callid = callid or uuid.uuid4().hex
        to_line = "To: <sip:%s@example.com>\r\n" % user if to is None else to
        msg = ("%s sip:%s@127.0.0.1:%d SIP/2.0\r\n"
               "Via: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK%s;rport\r\n"
               "From: <sip:%s@example.com>;tag=f1\r\n"
               "%s"
               "Call-ID: %s\r\n"
               "CSeq: %d %s\r\n"
               "Max-Forwards: 70\r\n"
               "%s"
               "Content-Length: 0\r\n\r\n"
               % (method, user, self.port, self.proto.upper(), self.local,
                  uuid.uuid4().hex[:12], user, to_line, callid, cseq, method,
                  headers))
        self.send_raw(msg)


def status(reply):
    m = re.match(r"SIP/2\.0 (\d{3}) ", reply or "")
    return int(m.group(1)) if m else None


def header(reply, name):
    m = re.search(r"^%s:\s*(.*?)\r?$" % re.escape(name), reply, re.M | re.I)
    return m.group(1) if m else None


def contacts(reply):
    """{uri: {param: value}} of the reply's Contact header."""
    found = {}
    value = header(reply, "Contact")
    if not value:
        return found
    for item in re.findall(r'<([^>]*)>((?:;[^,;]+(?:="[^"]*")?)*)', value):
        params = {}
        for p in re.findall(r';([^=;,]+)(?:=("[^"]*"|[^;,]*))?', item[1]):
            params[p[0]] = p[1]
        found[item[0]] = params
    return found


def register(t, c, contact, user="alice", expect=200, **kw):
    r = c.request(user=user, headers=contact, **kw)
    t.eq(status(r), expect, "REGISTER %s -> %d" % (contact.strip(), expect),
         reply=r)
    return r


def start(t, extra=""):
    cfg = t.render(CFG, EXTRA=extra)
    return t.daemon(cfg), t.values["PORT"]


def kamcmd(t, *args):
    return harness.kamcmd(t, t.path("ctl.sock"), *args)


# --- save() and lookup() ----------------------------------------------------------


def log_has(t, d, pattern, what, timeout=10):
    """The script logs after its reply is sent: wait for the line."""
    deadline = time.monotonic() + timeout
    while not re.search(pattern, d.log(), re.M) and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    t.match(pattern, d.log(), what)

def test_register_udp_then_lookup(t):
    d, port = start(t)
    c = Sip(port)
    r = register(t, c, "Contact: <sip:alice@127.0.0.1:%d>;expires=300\r\n"
                 % c.local)
    cs = contacts(r)
    t.eq(list(cs), ["sip:alice@127.0.0.1:%d" % c.local],
         "the 200 OK lists the contact", reply=r)
    t.check(cs["sip:alice@127.0.0.1:%d" % c.local]["expires"] in
            ("300", "299"), "with its expires (the contact's parameter)")
    t.check("received" not in cs["sip:alice@127.0.0.1:%d" % c.local],
            "no received: the contact is where the REGISTER came from")
    r = c.request("OPTIONS")
    t.eq(status(r), 200, "OPTIONS: lookup() found alice", reply=r)
    t.eq(header(r, "X-RU"), "sip:alice@127.0.0.1:%d" % c.local,
         "the new R-URI is the contact")
    t.eq(header(r, "X-DU"), "<null>", "no destination URI: not behind a "
         "NAT ($du is null)")
    # a second contact, from elsewhere (NAT), default expires, higher q
    nat = Sip(port)
    r = register(t, nat, "Contact: <sip:alice@10.9.9.9:5060>;q=0.8\r\n")
    cs = contacts(r)
    t.eq(len(cs), 2, "both bindings listed", reply=r)
    p = cs["sip:alice@10.9.9.9:5060"]
    t.check(p["expires"] in ("120", "119"), "default_expires 120 applied")
    t.eq(p["q"], "0.8", "q listed back")
    t.eq(p["received"], '"sip:127.0.0.1:%d"' % nat.local,
         "received: where it really came from")
    r = c.request("OPTIONS")
    t.eq(header(r, "X-RU"), "sip:alice@10.9.9.9:5060",
         "lookup() takes the highest q", reply=r)
    t.eq(header(r, "X-DU"), "sip:127.0.0.1:%d" % nat.local,
         "and sends it to the NAT's public address")
    # registered() and an unknown user
    t.eq(status(c.request("MESSAGE")), 200, "registered() is true for alice")
    t.eq(status(c.request("MESSAGE", user="nobody")), 404,
         "registered() is false for nobody")
    r = c.request("OPTIONS", user="nobody")
    t.eq(status(r), 404, "lookup() of nobody fails", reply=r)
    log_has(t, d, r"LOOKUP \S+ rc=-1", "and returns -1")
    # a query: REGISTER without Contact lists the bindings, changes nothing
    r = c.request(user="alice")
    t.eq(len(contacts(r)), 2, "a REGISTER without Contact lists both",
         reply=r)
    log_has(t, d, r"SAVE-RC \S+ 4\b", "save() returned 4 (query)")
    d.stop()


def test_register_tcp_lookup_uses_connection(t):
    d, port = start(t)
    c = Sip(port, "tcp")
    r = register(t, c, "Contact: <sip:bob@127.0.0.1:5999;transport=tcp>\r\n",
                 user="bob")
    p = contacts(r).get("sip:bob@127.0.0.1:5999;transport=tcp")
    t.check(p is not None, "the contact is listed", reply=r)
    t.eq(p["received"], '"sip:127.0.0.1:%d;transport=tcp"' % c.local,
         "received names the TCP connection's far end")
    u = Sip(port)
    r = u.request("OPTIONS", user="bob")
    t.eq(status(r), 200, "OPTIONS over UDP finds bob", reply=r)
    t.eq(header(r, "X-RU"), "sip:bob@127.0.0.1:5999;transport=tcp",
         "R-URI is the contact")
    t.eq(header(r, "X-DU"), "sip:127.0.0.1:%d;transport=tcp" % c.local,
         "destination URI goes back over the connection")
    out = kamcmd(t, "ul.lookup", "location", "bob")
    m = t.match(r"Tcpconn-Id: (\d+)", out, "ul.lookup shows the connection")
    t.check(int(m.group(1)) > 0, "a real connection id")
    t.match(r"Socket: tcp:127\.0\.0\.1:%d" % port, out,
            "and the receiving socket")
    c.close()
    d.stop()


def test_refresh_remove_and_star(t):
    d, port = start(t)
    c = Sip(port)
    cid = uuid.uuid4().hex
    a = "Contact: <sip:carol@127.0.0.1:7001>;expires=100\r\n"
    b = "Contact: <sip:carol@127.0.0.1:7002>\r\nExpires: 200\r\n"
    register(t, c, a, user="carol", callid=cid, cseq=1)
    r = register(t, c, b, user="carol", callid=cid, cseq=2)
    t.eq(len(contacts(r)), 2, "two bindings", reply=r)
    r = register(t, c, "Contact: <sip:carol@127.0.0.1:7001>;expires=900\r\n",
                 user="carol", callid=cid, cseq=3)
    t.check(contacts(r)["sip:carol@127.0.0.1:7001"]["expires"] in
            ("900", "899"), "refresh: the new expires is listed", reply=r)
    r = register(t, c, "Contact: <sip:carol@127.0.0.1:7001>\r\n"
                 "Expires: 0\r\n", user="carol", callid=cid, cseq=4)
    t.eq(list(contacts(r)), ["sip:carol@127.0.0.1:7002"],
         "Expires: 0 removed that binding only", reply=r)
    log_has(t, d, r"SAVE-RC \S+ 3\b", "save() returned 3 (deleted)")
    register(t, c, a, user="carol", callid=cid, cseq=5)
    r = register(t, c, "Contact: *\r\n", user="carol", expect=400,
                 callid=cid, cseq=6)
    t.eq(header(r, "P-Registrar-Error"), "Expires must be 0 for star "
         "contact", "Contact: * without Expires: 0 is refused")
    r = register(t, c, "Contact: *\r\nContact: <sip:x@h>\r\nExpires: 0\r\n",
                 user="carol", expect=400, callid=cid, cseq=7)
    t.eq(header(r, "P-Registrar-Error"), "Star contact and other contacts "
         "present", "Contact: * with another contact is refused")
    t.eq(len(contacts(c.request(user="carol"))), 2,
         "the refused requests changed nothing")
    r = register(t, c, "Contact: *\r\nExpires: 0\r\n", user="carol",
                 callid=cid, cseq=8)
    t.eq(contacts(r), {}, "Contact: * with Expires: 0 removed all", reply=r)
    t.eq(status(c.request("OPTIONS", user="carol")), 404,
         "lookup() finds nothing any more")
    d.stop()


def test_cseq_ordering(t):
    d, port = start(t)
    c = Sip(port)
    cid = uuid.uuid4().hex
    ct = "Contact: <sip:dave@127.0.0.1:7100>;expires=60\r\n"
    register(t, c, ct, user="dave", callid=cid, cseq=10)
    r = register(t, c, "Contact: <sip:dave@127.0.0.1:7100>;expires=0\r\n",
                 user="dave", callid=cid, cseq=9, expect=400)
    t.eq(header(r, "P-Registrar-Error"), "Invalid CSeq number",
         "an older CSeq of the same Call-ID is refused")
    t.eq(status(c.request("OPTIONS", user="dave")), 200,
         "and the binding is still there")
    r = register(t, c, ct, user="dave", callid=cid, cseq=10)
    t.eq(len(contacts(r)), 1, "the same CSeq again: a retransmission, 200")
    r = register(t, c, "Contact: <sip:dave@127.0.0.1:7100>;expires=0\r\n",
                 user="dave", callid=uuid.uuid4().hex, cseq=1)
    t.eq(contacts(r), {}, "another Call-ID may use any CSeq", reply=r)
    d.stop()


def test_expires_bounds_and_max_contacts(t):
    d, port = start(t, 'modparam("registrar", "min_expires", 30)\n'
                       'modparam("registrar", "min_expires_mode", 1)\n'
                       'modparam("registrar", "max_expires", 600)\n'
                       'modparam("registrar", "max_contacts", 2)\n'
                       'modparam("registrar", "retry_after", 15)\n')
    c = Sip(port)
    r = register(t, c, "Contact: <sip:eve@127.0.0.1:7200>;expires=5\r\n",
                 user="eve", expect=423)
    t.eq(header(r, "Min-Expires"), "30", "423 carries Min-Expires: 30")
    t.eq(status(c.request("OPTIONS", user="eve")), 404,
         "nothing was saved")
    r = register(t, c, "Contact: <sip:eve@127.0.0.1:7200>;expires=5000\r\n",
                 user="eve")
    t.check(contacts(r)["sip:eve@127.0.0.1:7200"]["expires"] in
            ("600", "599"), "expires capped at max_expires", reply=r)
    register(t, c, "Contact: <sip:eve@127.0.0.1:7201>\r\n", user="eve")
    r = register(t, c, "Contact: <sip:eve@127.0.0.1:7202>\r\n", user="eve",
                 expect=503)
    t.eq(header(r, "P-Registrar-Error"), "Too many registered contacts",
         "a third contact is refused")
    t.eq(header(r, "Retry-After"), "15", "with Retry-After")
    r = c.request(user="eve")
    t.eq(len(contacts(r)), 2, "still two bindings", reply=r)
    d.stop()


def test_min_expires_raised_by_default(t):
    d, port = start(t, 'modparam("registrar", "min_expires", 30)\n')
    c = Sip(port)
    r = register(t, c, "Contact: <sip:fay@127.0.0.1:7300>;expires=5\r\n",
                 user="fay")
    t.check(contacts(r)["sip:fay@127.0.0.1:7300"]["expires"] in
            ("30", "29"), "too brief: raised to min_expires (Kamailio's "
            "min_expires_mode 0)", reply=r)
    d.stop()


def test_expiry(t):
    d, port = start(t, 'modparam("registrar", "min_expires", 1)\n')
    c = Sip(port)
    register(t, c, "Contact: <sip:gus@127.0.0.1:7400>;expires=2\r\n",
             user="gus")
    register(t, c, "Contact: <sip:gus@127.0.0.1:7401>;expires=60\r\n",
             user="gus")
    t.eq(status(c.request("OPTIONS", user="gus")), 200, "registered")
    time.sleep(2.5)
    r = c.request("OPTIONS", user="gus")
    t.eq(header(r, "X-RU"), "sip:gus@127.0.0.1:7401",
         "the expired binding is no longer used", reply=r)
    r = c.request(user="gus")
    t.eq(list(contacts(r)), ["sip:gus@127.0.0.1:7401"],
         "nor listed", reply=r)
    # the timer runs every second; on a loaded machine it may run late
    deadline = time.monotonic() + 15
    while True:
        out = kamcmd(t, "stats.get_statistics", "usrloc:")
        if re.search(r"usrloc:location-expires = [1-9]", out) or \
                time.monotonic() > deadline:
            break
        time.sleep(0.2)
    t.match(r"usrloc:location-expires = [1-9]", out,
            "the timer removed it (usrloc:location-expires)")
    t.match(r"usrloc:registered_users = 1\b", out,
            "usrloc:registered_users is 1")
    d.stop()


def test_save_flags_and_unregister(t):
    d, port = start(t)
    c = Sip(port)
    r = c.request(user="hal", headers="X-Mode: noreply\r\n"
                  "Contact: <sip:hal@127.0.0.1:7500>\r\n")
    t.eq(status(r), 202, "save() with flag 2 sends no reply: the "
         "script's 202 is the only one", reply=r)
    log_has(t, d, r"SAVE-RC \S+ 1\b", "save() returned 1 (inserted)")
    register(t, c, "Contact: <sip:hal@127.0.0.1:7501>\r\n", user="hal")
    r = c.request(user="hal", headers="X-Mode: replace\r\n"
                  "Contact: <sip:hal@127.0.0.1:7502>\r\n")
    t.eq(list(contacts(r)), ["sip:hal@127.0.0.1:7502"],
         "save() with flag 4 keeps only the new contact", reply=r)
    t.eq(status(c.request("SUBSCRIBE", user="hal")), 200,
         "unregister() removed hal's bindings")
    t.eq(status(c.request("SUBSCRIBE", user="hal")), 404,
         "a second unregister() finds nothing")
    t.eq(status(c.request("OPTIONS", user="hal")), 404, "hal is gone")
    d.stop()


# --- RPC ----------------------------------------------------------------------------

def test_ul_rpc(t):
    d, port = start(t)
    c = Sip(port)
    register(t, c, "Contact: <sip:ida@127.0.0.1:7600>\r\n"
             "User-Agent: test-phone/1.0\r\n", user="ida")
    register(t, c, "Contact: <sip:ida@127.0.0.1:7601>;q=0.1\r\n", user="ida")
    register(t, c, "Contact: <sip:jo@127.0.0.1:7700>\r\n", user="jo")
    out = kamcmd(t, "ul.dump")
    t.match(r"Domain: location", out, "ul.dump names the table")
    t.match(r"AoR: ida", out, "ul.dump lists ida")
    t.match(r"AoR: jo", out, "and jo")
    t.match(r"User-Agent: test-phone/1\.0", out, "with the User-Agent")
    t.match(r"Expires: 1[12]\d", out, "and the remaining expires")
    t.match(r"Q: -1$", out, "an unset q shows as -1 (as Kamailio's)",
            flags=re.M)
    out = kamcmd(t, "ul.dump", "brief")
    t.match(r"sip:ida@127\.0\.0\.1:7600", out, "ul.dump brief")
    t.no_match(r"Call-ID", out, "brief has no details")
    out = kamcmd(t, "ul.lookup", "location", "ida")
    t.eq(len(re.findall(r"Address:", out)), 2, "ul.lookup: two contacts",
         out=out)
    out = kamcmd(t, "ul.lookup", "location", "nobody")
    t.match(r"404", out, "ul.lookup of an unknown AOR: 404")
    out = kamcmd(t, "ul.lookup", "nosuchtable", "ida")
    t.match(r"Domain table not found", out, "unknown table")
    kamcmd(t, "ul.rm_contact", "location", "ida", "sip:ida@127.0.0.1:7600")
    r = c.request("OPTIONS", user="ida")
    t.eq(header(r, "X-RU"), "sip:ida@127.0.0.1:7601",
         "ul.rm_contact removed one contact", reply=r)
    out = kamcmd(t, "ul.rm_contact", "location", "ida", "sip:none@h")
    t.match(r"Contact not found", out, "removing an unknown contact fails")
    kamcmd(t, "ul.rm", "location", "ida")
    t.eq(status(c.request("OPTIONS", user="ida")), 404, "ul.rm removed ida")
    kamcmd(t, "ul.add", "location", "kim", "sip:kim@10.0.0.7", "0", "0.5")
    r = c.request("OPTIONS", user="kim")
    t.eq(header(r, "X-RU"), "sip:kim@10.0.0.7", "ul.add: a permanent "
         "binding lookup() finds", reply=r)
    out = kamcmd(t, "stats.get_statistics", "usrloc:")
    t.match(r"usrloc:registered_users = 2\b", out,
            "registered_users counts jo and kim")
    t.match(r"usrloc:location-contacts = 2\b", out, "two contacts")
    kamcmd(t, "ul.flush")
    out = kamcmd(t, "ul.dump")
    t.no_match(r"AoR:", out, "ul.flush emptied the table")
    out = kamcmd(t, "ul.db_users", "location")
    t.match(r"memory only", out, "ul.db_users: no database")
    d.stop()


# --- Path and method filtering (the stock config's settings) -------------

def start_path(t, mode, extra=""):
    cfg = t.render(PATH_CFG, PATHMODE=mode, EXTRA=extra)
    return t.daemon(cfg), t.values["PORT"]


class Hop:
    """The first Path hop: a UDP socket that receives what tm relays and
    answers it."""

    def __init__(self):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", 0))
        self.s.settimeout(10)
        self.port = self.s.getsockname()[1]

    def receive(self, t, what):
        try:
            data, addr = self.s.recvfrom(65535)
        except socket.timeout:
            raise harness.TestFailure("nothing relayed to the Path hop: "
                                      + what)
        return data.decode(), addr

    def answer(self, req, addr, code=200, reason="OK"):
        """A reply built from the request's own headers (RFC 3261 8.2.6)."""
        head = req.split("\r\n\r\n", 1)[0].split("\r\n")[1:]
        keep = [h for h in head if re.match(r"(Via|From|Call-ID|CSeq):",
                                            h, re.I)]
        to = [h for h in head if re.match(r"To:", h, re.I)][0]
        if ";tag=" not in to:
            to += ";tag=hop1"
        rep = ("SIP/2.0 %d %s\r\n" % (code, reason) + "\r\n".join(keep)
               + "\r\n" + to + "\r\nContent-Length: 0\r\n\r\n")
        self.s.sendto(rep.encode(), addr)

    def close(self):
        self.s.close()


def header_lines(msg):
    return msg.split("\r\n\r\n", 1)[0].split("\r\n")


def ul_field(out, name):
    m = re.search(r"^\s*%s: (.*?)\s*$" % re.escape(name), out, re.M)
    return m.group(1) if m else None


ALLOW = "Allow: INVITE, ACK, CANCEL, BYE, MESSAGE, OPTIONS\r\n"
ALLOW_BITS = "783"      # 1 + 2 + 4 + 8 + 256 + 512, Kamailio's values


def test_path_stored_and_routed(t):
    d, port = start_path(t, 0)
    hop = Hop()
    c = Sip(port)
    edge = "<sip:edge@127.0.0.1:%d;lr>" % hop.port
    paths = ("Path: %s, <sip:mid@192.0.2.2;lr>\r\n"
             "Path: <sip:core@192.0.2.3;lr;ob>\r\n" % edge)
    vector = "%s, <sip:mid@192.0.2.2;lr>,<sip:core@192.0.2.3;lr;ob>" % edge
    r = register(t, c, "Contact: <sip:alice@192.0.2.9:5060>\r\n" + paths +
                 ALLOW + "Supported: path\r\n")
    t.eq(header(r, "Path"), None, "path_mode 0: the 200 OK has no Path, "
         "even with Supported: path", reply=r)
    p = contacts(r).get("sip:alice@192.0.2.9:5060")
    t.check(p is not None and "received" not in p, "the contact is listed, "
            "without received: behind a Path NAT is the edge's business",
            reply=r)
    out = kamcmd(t, "ul.lookup", "location", "alice")
    t.eq(ul_field(out, "Path"), vector, "ul.lookup shows every Path value "
         "in order, the Path headers joined with ','", out=out)
    t.eq(ul_field(out, "Methods"), ALLOW_BITS, "and the Allow methods as "
         "Kamailio's bit set")
    out = kamcmd(t, "ul.dump")
    t.eq(ul_field(out, "Path"), vector, "ul.dump shows the path too",
         out=out)
    t.eq(ul_field(out, "Methods"), ALLOW_BITS, "and the methods")

    r = c.request("OPTIONS")
    t.eq(header(r, "X-RC"), "1", "lookup() finds alice", reply=r)
    t.eq(header(r, "X-RU"), "sip:alice@192.0.2.9:5060", "R-URI: the contact")
    t.eq(header(r, "X-DU"), "sip:edge@127.0.0.1:%d;lr" % hop.port,
         "$du: the first Path URI")

    # tm relays a MESSAGE to the first hop with the path as Route
    cid = uuid.uuid4().hex
    c.send_request("MESSAGE", callid=cid)
    req, addr = hop.receive(t, "MESSAGE")
    lines = header_lines(req)
    t.eq(lines[0], "MESSAGE sip:alice@192.0.2.9:5060 SIP/2.0",
         "the hop gets the request for the contact", request=req)
    routes = [h for h in lines if h.lower().startswith("route:")]
    t.eq(routes, ["Route: " + vector], "with the whole path as one Route "
         "header", request=req)
    vias = [i for i, h in enumerate(lines) if h.lower().startswith("via:")]
    t.eq(lines.index(routes[0]), vias[-1] + 1, "right after the Vias",
         request=req)
    t.match(r"^Call-ID: %s\r?$" % cid, req, "it is the client's MESSAGE")
    hop.answer(req, addr)
    r = c.recv()
    t.eq(status(r), 200, "the hop's 200 goes back to the client", reply=r)

    # a Route the request already has stays below the path's
    c.send_request("MESSAGE", headers="Route: <sip:other@192.0.2.7;lr>\r\n")
    req, addr = hop.receive(t, "MESSAGE with Route")
    routes = [h for h in header_lines(req) if h.lower().startswith("route:")]
    t.eq(routes, ["Route: " + vector, "Route: <sip:other@192.0.2.7;lr>"],
         "the path goes in front of the request's own Route", request=req)
    hop.answer(req, addr)
    t.eq(status(c.recv()), 200, "answered")

    # method_filtering: SUBSCRIBE is not in alice's Allow
    r = c.request("SUBSCRIBE")
    t.eq(status(r), 405, "an initial SUBSCRIBE: lookup() returns -2 (the "
         "stock config answers 405)", reply=r)
    log_has(t, d, r"LOOKUP-FAIL \S+ -2$", "lookup() returned -2")
    r = c.request("OPTIONS", headers="X-Ignored: 1\r\n")
    t.eq(header(r, "X-RC"), "1", "OPTIONS is allowed", reply=r)
    # not for requests inside a dialog (a To tag), as Kamailio
    c.send_request("SUBSCRIBE", to="To: <sip:alice@example.com>;tag=dlg1\r\n")
    req, addr = hop.receive(t, "in-dialog SUBSCRIBE")
    t.match(r"^SUBSCRIBE sip:alice@192\.0\.2\.9:5060 ", req,
            "a SUBSCRIBE with a To tag is not filtered")
    hop.answer(req, addr)
    t.eq(status(c.recv()), 200, "answered")

    # without Allow every method is accepted
    register(t, c, "Contact: <sip:bob@192.0.2.8>\r\nPath: %s\r\n" % edge,
             user="bob")
    out = kamcmd(t, "ul.lookup", "location", "bob")
    t.eq(ul_field(out, "Methods"), "-1", "no Allow: every method (-1, as "
         "Kamailio shows it)", out=out)
    c.send_request("SUBSCRIBE", user="bob")
    req, addr = hop.receive(t, "SUBSCRIBE to bob")
    t.match(r"^SUBSCRIBE sip:bob@192\.0\.2\.8 ", req, "relayed")
    t.eq([h for h in header_lines(req) if h.lower().startswith("route:")],
         ["Route: " + edge], "with bob's one-hop path")
    hop.answer(req, addr)
    t.eq(status(c.recv()), 200, "answered")

    # a refresh without Path drops the path
    register(t, c, "Contact: <sip:bob@192.0.2.8>\r\n", user="bob")
    out = kamcmd(t, "ul.lookup", "location", "bob")
    t.eq(ul_field(out, "Path"), "[not set]", "refreshed without Path: no "
         "path any more", out=out)
    r = c.request("OPTIONS", user="bob")
    t.eq(header(r, "X-DU"), "sip:127.0.0.1:%d" % c.local,
         "lookup() uses received again", reply=r)
    hop.close()
    d.stop()


def test_path_modes(t):
    paths = "Path: <sip:edge@192.0.2.1;lr>, <sip:core@192.0.2.3;lr>\r\n"
    vector = "<sip:edge@192.0.2.1;lr>, <sip:core@192.0.2.3;lr>"
    # 1: echoed only to a UA that said Supported: path
    d, port = start_path(t, 1)
    c = Sip(port)
    r = register(t, c, "Contact: <sip:m1@192.0.2.9>\r\n" + paths, user="m1")
    t.eq(header(r, "Path"), None, "path_mode 1 without Supported: path: "
         "no Path in the 200", reply=r)
    out = kamcmd(t, "ul.lookup", "location", "m1")
    t.eq(ul_field(out, "Path"), vector, "but stored", out=out)
    r = register(t, c, "Contact: <sip:m2@192.0.2.9>\r\n" + paths +
                 "Supported: replaces, PATH\r\n", user="m2")
    t.eq(header(r, "Path"), vector, "with Supported: path the 200 repeats "
         "the Path (RFC 3327 5.3)", reply=r)
    r = register(t, c, "Contact: <sip:m3@192.0.2.9>\r\nSupported: path\r\n",
                 user="m3")
    t.eq(header(r, "Path"), None, "no Path in the request, none in the "
         "reply", reply=r)
    d.stop()
    # 2: Path without Supported: path is refused
    d, port = start_path(t, 2)
    c = Sip(port)
    r = register(t, c, "Contact: <sip:s1@192.0.2.9>\r\n" + paths,
                 user="s1", expect=420)
    t.eq(header(r, "Unsupported"), "path", "420 names the extension",
         reply=r)
    t.eq(header(r, "Path"), vector, "and repeats the Path")
    t.eq(header(r, "P-Registrar-Error"), "No support for found Path "
         "indicated", "Kamailio's reason")
    r = c.request("OPTIONS", user="s1")
    t.eq(header(r, "X-RC"), "-1", "nothing was saved", reply=r)
    r = register(t, c, "Contact: <sip:s2@192.0.2.9>\r\n" + paths +
                 "Supported: path\r\n", user="s2")
    t.eq(header(r, "Path"), vector, "with Supported: path: 200 and Path",
         reply=r)
    r = register(t, c, "Contact: <sip:s3@192.0.2.9>\r\n", user="s3")
    t.eq(status(r), 200, "no Path: nothing to refuse", reply=r)
    r = c.request(user="s1", headers=paths)
    t.eq(status(r), 200, "a query with Path is not refused", reply=r)
    d.stop()


def test_path_allow_bad_input(t):
    d, port = start_path(t, 0)
    c = Sip(port)
    bad = [
        "Path: sip:edge@192.0.2.1;lr\r\n",
        "Path: <sip:edge@192.0.2.1;lr\r\n",
        "Path: garbage<<\r\n",
        "Path: <http://edge.example.com/>\r\n",
        "Path: <sip:edge@192.0.2.1;lr>,\r\n",
        "Path: <sip:edge@192.0.2.1;lr> junk\r\n",
        "Path: <sip:ok@192.0.2.1;lr>\r\nPath: \"open <sip:x@h>\r\n",
        "Path: %s\r\n" % ", ".join("<sip:proxy%02d.example.com;lr>" % i
                                   for i in range(40)),
    ]
    for hdrs in bad:
        r = c.request(user="bad", headers="Contact: <sip:bad@192.0.2.9>\r\n"
                      + hdrs)
        t.eq(status(r), 400, "400 for %r" % hdrs[:60], reply=r)
        t.eq(header(r, "P-Registrar-Error"), "Path parse error",
             "Kamailio's reason")
    r = c.request("OPTIONS", user="bad")
    t.eq(header(r, "X-RC"), "-1", "nothing was saved", reply=r)
    t.match(r"WARNING: registrar: REGISTER for bad: Path 'sip:edge@192\.0\."
            r"2\.1;lr': a Path value must be a name-addr", d.log(),
            "the log says what is wrong")

    # an empty Path header adds nothing
    register(t, c, "Contact: <sip:e@192.0.2.9>\r\nPath:\r\n", user="e")
    out = kamcmd(t, "ul.lookup", "location", "e")
    t.eq(ul_field(out, "Path"), "[not set]", "an empty Path: no path",
         out=out)

    # a malformed Allow is ignored (every method), as Kamailio
    register(t, c, "Contact: <sip:a1@192.0.2.9>\r\n"
             "Allow: INVITE,,@@@ BYE\r\n", user="a1")
    out = kamcmd(t, "ul.lookup", "location", "a1")
    t.eq(ul_field(out, "Methods"), "-1", "malformed Allow: every method",
         out=out)
    log_has(t, d, r"malformed Allow header 'INVITE,,@@@ BYE' ignored",
            "and a warning")
    # an empty Allow is no method at all (RFC 3261 20.5)
    register(t, c, "Contact: <sip:a2@192.0.2.9>\r\nAllow:\r\n", user="a2")
    out = kamcmd(t, "ul.lookup", "location", "a2")
    t.eq(ul_field(out, "Methods"), "0", "empty Allow: no method", out=out)
    r = c.request("OPTIONS", user="a2")
    t.eq(header(r, "X-RC"), "-2", "so lookup() finds none that accepts "
         "OPTIONS", reply=r)
    # several Allow headers add up, unknown methods are "other"
    register(t, c, "Contact: <sip:a3@192.0.2.9>\r\nAllow: INVITE\r\n"
             "Allow: message, FOO\r\n", user="a3")
    out = kamcmd(t, "ul.lookup", "location", "a3")
    t.eq(ul_field(out, "Methods"), str(1 + 256 + 524288),
         "INVITE + MESSAGE + other", out=out)
    # the contact's methods parameter wins over Allow (Kamailio)
    register(t, c, "Contact: <sip:a4@192.0.2.9>;"
             "methods=\"INVITE,MESSAGE\"\r\nAllow: INVITE, BYE\r\n",
             user="a4")
    out = kamcmd(t, "ul.lookup", "location", "a4")
    t.eq(ul_field(out, "Methods"), "257", "methods=\"INVITE,MESSAGE\"",
         out=out)
    r = c.request(user="a5", headers="Contact: <sip:a5@192.0.2.9>;"
                  "methods=\"@@\"\r\n")
    t.eq(status(r), 400, "a malformed methods parameter: 400", reply=r)
    t.eq(header(r, "P-Registrar-Error"), "Message parse error",
         "Kamailio's reason")
    # ul.add's methods argument
    kamcmd(t, "ul.add", "location", "kim", "sip:kim@192.0.2.7", "0", "0.5",
           "<sip:edge@192.0.2.1;lr>", "0", "0", "1")
    out = kamcmd(t, "ul.lookup", "location", "kim")
    t.eq(ul_field(out, "Methods"), "1", "ul.add: methods 1 (INVITE)",
         out=out)
    r = c.request("OPTIONS", user="kim")
    t.eq(header(r, "X-RC"), "-2", "OPTIONS to kim is filtered", reply=r)
    r = register(t, c, "Contact: <sip:ok@127.0.0.1:7900>\r\n", user="ok")
    r = c.request("OPTIONS", user="ok")
    t.eq(header(r, "X-RC"), "1", "the daemon still serves", reply=r)
    d.stop()


def test_path_ignored_without_use_path(t):
    d, port = start(t)
    c = Sip(port)
    r = register(t, c, "Contact: <sip:np@192.0.2.9>\r\n"
                 "Path: <sip:edge@192.0.2.1;lr>\r\nSupported: path\r\n"
                 "Allow: INVITE\r\n", user="np")
    t.eq(header(r, "Path"), None, "use_path 0: no Path in the 200", reply=r)
    out = kamcmd(t, "ul.lookup", "location", "np")
    t.eq(ul_field(out, "Path"), "[not set]", "nor stored", out=out)
    t.eq(ul_field(out, "Methods"), "1", "the methods are kept all the same")
    r = c.request("OPTIONS", user="np")
    t.eq(status(r), 200, "method_filtering 0: OPTIONS is looked up", reply=r)
    t.eq(header(r, "X-DU"), "sip:127.0.0.1:%d" % c.local,
         "$du is received, not the Path")
    # malformed Path headers are not even read
    r = c.request(user="np2", headers="Contact: <sip:np2@192.0.2.9>\r\n"
                  "Path: garbage<<\r\n")
    t.eq(status(r), 200, "a malformed Path is ignored", reply=r)
    # a path given by ul.add is used by lookup() all the same
    kamcmd(t, "ul.add", "location", "kim", "sip:kim@192.0.2.7", "0", "0.5",
           "<sip:edge@192.0.2.1;lr>")
    r = c.request("OPTIONS", user="kim")
    t.eq(header(r, "X-DU"), "sip:edge@192.0.2.1;lr", "a binding with a "
         "path (ul.add) goes to its first hop", reply=r)
    d.stop()


# --- bad input ------------------------------------------------------------------

def test_malformed_register(t):
    d, port = start(t)
    c = Sip(port)
    bad = [
        ("Contact: <sip:x@h>;expires=abc\r\n", "Invalid expires param in "
         "contact"),
        ("Contact: <sip:x@h>;q=7\r\n", "Invalid q param in contact"),
        ("Contact: <sip:x@h>;expires=10\r\nExpires: soon\r\n",
         "Expires parse error"),
        ("Contact: <sip:x@h>;reg-id=zz\r\n", "Invalid Reg-Id number"),
    ]
    for hdrs, info in bad:
        r = c.request(user="mal", headers=hdrs)
        t.eq(status(r), 400, "400 for %r" % hdrs, reply=r)
        t.eq(header(r, "P-Registrar-Error"), info, "the reason")
    # libosip2 refuses these whole messages, so the script sees no $rm
    # and never calls save() (the config answers 501); what matters here
    # is that they get an error and harm nothing
    for hdrs in ("Contact: <sip:x@h>, garbage\r\n",
                 "Contact: <sip:x@h\r\n"):
        r = c.request(user="mal", headers=hdrs)
        t.check(status(r) in (400, 501), "an error for %r" % hdrs, reply=r)
    # without To the core drops the request before the route (as
    # Kamailio's core does): no reply, nothing saved
    c.s.settimeout(1)
    try:
        r = c.request(user="mal", to="", headers="Contact: <sip:x@h>\r\n")
    except socket.timeout:
        r = None
    c.s.settimeout(10)
    t.check(r is None, "a REGISTER without To gets no reply", reply=r)
    log_has(t, d, r"request from udp:127\.0\.0\.1:\d+ dropped: no To "
            r"header", "the core dropped it for the missing To")
    r = c.request(user="mal", to="To: <sip:example.com>\r\n",
                  headers="Contact: <sip:x@h>\r\n")
    t.eq(status(r), 400, "a To without user: 400", reply=r)
    t.eq(status(c.request("OPTIONS", user="mal")), 404, "nothing saved")
    register(t, c, "Contact: <sip:ok@127.0.0.1:7800>\r\n", user="ok")
    t.eq(status(c.request("OPTIONS", user="ok")), 200,
         "the daemon still serves")
    d.stop()


# --- sipp -----------------------------------------------------------------------

def run_sipp(t, port, transport, calls=20):
    sipp = shutil.which("sipp")
    t.check(sipp is not None, "sipp is installed (Debian: sip-tester)")
    local = t.port(proto="tcp" if transport == "t1" else "udp")
    argv = [sipp, "127.0.0.1:%d" % port, "-sf", SIPP_XML,
            "-m", str(calls), "-r", "20", "-l", "10", "-t", transport,
            "-i", "127.0.0.1", "-p", str(local), "-nostdin",
            "-timeout", "30s", "-timeout_error", "-trace_err",
            "-error_file", os.path.join(t.tmp, "sipp_%s_err.log" % transport)]
    t.say("run: " + " ".join(argv))
    p = subprocess.run(argv, cwd=t.tmp, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=45)
    out = p.stdout.decode(errors="replace")
    errs = ""
    for name in os.listdir(t.tmp):
        if name.endswith("_errors.log") or name.endswith("_err.log"):
            with open(os.path.join(t.tmp, name), errors="replace") as f:
                errs += f.read()
    t.eq(p.returncode, 0, "sipp -t %s exits 0 (register, refresh, "
         "unregister all answered as expected)" % transport,
         sipp=out[-3000:], errors=errs[-3000:])
    m = t.match(r"Successful call\s*\|\s*\d+\s*\|\s*(\d+)", out,
                "sipp reports its successful calls")
    t.eq(int(m.group(1)), calls, "all %d scenarios succeeded" % calls)


def test_sipp_register(t):
    d, port = start(t)
    run_sipp(t, port, "u1")
    run_sipp(t, port, "t1")
    out = kamcmd(t, "ul.dump")
    t.no_match(r"AoR:", out, "every user unregistered at the end")
    deadline = time.monotonic() + 10
    while len(re.findall(r"SAVE-RC \S+ 1\b", d.log())) < 40 and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    t.eq(len(re.findall(r"SAVE-RC \S+ 1\b", d.log())), 40,
         "40 registrations inserted")
    d.stop()


# --- configuration ------------------------------------------------------------------

def test_config_errors(t):
    cfg = t.render(CFG, EXTRA='modparam("usrloc", "db_mode", 2)\n')
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.ne(r.rc, 0, "db_mode 2 is refused")
    t.match(r"db_mode 2 is not supported: Tandem's usrloc keeps contacts "
            r"in memory only", r.err, "with a clear message", **r.context())
    # the registrar lines of Kamailio's stock config are accepted
    stock = ('modparam("registrar", "method_filtering", 1)\n'
             'modparam("registrar", "gruu_enabled", 0)\n'
             'modparam("registrar", "use_path", 1)\n'
             'modparam("registrar", "path_mode", 0)\n')
    cfg = t.render(CFG, EXTRA=stock)
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.eq(r.rc, 0, "the stock config's registrar settings are accepted",
         **r.context())
    for extra, what, pattern in [
            ('modparam("registrar", "gruu_enabled", 1)\n', "gruu_enabled 1",
             r"gruu_enabled 1 is not supported: Tandem's registrar does "
             r"not issue GRUUs"),
            ('modparam("registrar", "path_mode", 3)\n', "path_mode 3",
             r"path_mode must be 0\.\.2, not 3"),
            ('modparam("registrar", "use_path", 2)\n', "use_path 2",
             r"use_path must be 0\.\.1, not 2"),
            ('modparam("registrar", "method_filtering", -1)\n',
             "method_filtering -1", r"method_filtering must be 0\.\.1")]:
        cfg = t.render(CFG, EXTRA=extra)
        r = harness.check_config(cfg, moddir=harness.MODDIR)
        t.ne(r.rc, 0, "%s is refused" % what)
        t.match(pattern, r.err, "saying why", **r.context())
    cfg = t.render(CFG, EXTRA="")
    text = open(cfg).read()
    cfg = t.write("nousrloc.cfg", text.replace('loadmodule "usrloc.so"\n',
                                               "").replace(
        'modparam("usrloc", "db_mode", 0)\n', "").replace(
        'modparam("usrloc", "timer_interval", 1)\n', ""))
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.ne(r.rc, 0, "registrar without usrloc is refused")
    t.match(r"needs the usrloc module", r.err, "saying why", **r.context())


if __name__ == "__main__":
    harness.main()
