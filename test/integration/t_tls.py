"""t_tls.py - the tls module: SIP (sips) and MSRP (msrps) on the same TLS
port, on OpenSSL 3.

A test CA, server and client certificates are made in each test's tmp
dir with the openssl CLI.  Clients are Python's ssl module and
`openssl s_client`: SIP OPTIONS over TLS answered by sl, with the
$tls_* pseudo-variables; MSRP AUTH + SEND relayed between two TLS
clients (Use-Path says msrps://), also with the pair owned by different
workers; an outbound msrps: next hop verified with the client profile
(SNI, CA, a rogue peer refused) and a silent one waited for without
spinning; profiles chosen by the local address (require_certificate and
a CRL on one port only); a plaintext client, a TLS 1.0 client and a
client stalled mid-handshake dropped while a good client keeps working;
tls.list / tls.info over kamcmd; startup errors naming the file; and no
fd or shm leak over 2,000 TLS connect/close cycles.
"""

import os
import re
import select
import socket
import ssl
import subprocess
import threading
import time
import warnings

import harness
import msrp_client as mc

OPENSSL = "openssl"
KAMCMD = "/usr/sbin/kamcmd"
SIP_CFG = "tls_sip.cfg.in"
MSRP_CFG = "tls_msrp.cfg.in"


# --- certificates ------------------------------------------------------------

def _run(argv, cwd):
    p = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise harness.TestFailure("%s failed:\n%s" % (
            " ".join(argv), p.stderr.decode(errors="replace")))


def make_pki(t):
    """In t.tmp: ca.pem/.key (the test CA); server (CN tandem.test, SAN
    IP:127.0.0.1), alice (a client), peer (CN peer.test, an msrps next
    hop) and revoked (listed in crl.pem) signed by it; rogue-ca and
    mallory / roguepeer signed by a CA nobody trusts.  EC P-256 keys:
    quick handshakes."""
    def key(name):
        _run([OPENSSL, "genpkey", "-algorithm", "EC", "-pkeyopt",
              "ec_paramgen_curve:P-256", "-out", name + ".key"], t.tmp)

    def ca(name, cn):
        key(name)
        _run([OPENSSL, "req", "-x509", "-new", "-key", name + ".key",
              "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + cn],
             t.tmp)

    def leaf(name, cn, issuer, san=None):
        key(name)
        _run([OPENSSL, "req", "-new", "-key", name + ".key", "-out",
              name + ".csr", "-subj", "/CN=" + cn], t.tmp)
        ext = "basicConstraints=CA:FALSE\n"
        if san:
            ext += "subjectAltName=%s\n" % san
        t.write(name + ".ext", ext)
        _run([OPENSSL, "x509", "-req", "-in", name + ".csr", "-CA",
              issuer + ".pem", "-CAkey", issuer + ".key", "-set_serial",
              "0x" + os.urandom(8).hex(), "-days", "2", "-extfile",
              name + ".ext", "-out", name + ".pem"], t.tmp)

    ca("ca", "Tandem Test CA")
    ca("rogue-ca", "Rogue CA")
    leaf("server", "tandem.test", "ca", "DNS:tandem.test,IP:127.0.0.1")
    leaf("alice", "alice", "ca")
    leaf("peer", "peer.test", "ca", "DNS:peer.test,IP:127.0.0.1")
    leaf("mallory", "mallory", "rogue-ca")
    leaf("roguepeer", "peer.test", "rogue-ca", "IP:127.0.0.1")
    leaf("revoked", "revoked", "ca")
    # crl.pem: the test CA revokes "revoked"
    t.write("ca.cnf", "[ca]\ndefault_ca = ca_default\n[ca_default]\n"
            "database = index.txt\ncrlnumber = crlnumber\n"
            "default_md = sha256\ndefault_crl_days = 2\n")
    t.write("index.txt", "")
    t.write("crlnumber", "01\n")
    _run([OPENSSL, "ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert",
          "ca.pem", "-revoke", "revoked.pem"], t.tmp)
    _run([OPENSSL, "ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert",
          "ca.pem", "-gencrl", "-out", "crl.pem"], t.tmp)


def client_ctx(t, cert=None, verify=True):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if verify:
        ctx.load_verify_locations(t.path("ca.pem"))
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if cert:
        ctx.load_cert_chain(t.path(cert + ".pem"), t.path(cert + ".key"))
    return ctx


def tls_connect(t, port, ctx=None, **kw):
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    return (ctx or client_ctx(t, **kw)).wrap_socket(
        raw, server_hostname="127.0.0.1")


# --- SIP ---------------------------------------------------------------------

def sip(callid, extra="X-TLS: 1\r\n"):
    return ("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK%s\r\n"
            "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
            "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\n%s"
            "Content-Length: 0\r\n\r\n" % (callid, callid, extra)).encode()


def status_line(s, timeout=10):
    """The first line of the next response on s ("" on EOF)."""
    s.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace").split("\r\n")[0]


def options(s, tag, extra="X-TLS: 1\r\n"):
    s.sendall(sip(tag, extra))
    return status_line(s)


def refused(t, port, what, **kw):
    """Asserts a TLS client gets no SIP answer: the handshake fails, or
    (TLS 1.3: the server checks the client's certificate after the
    client finished) the first read ends in an alert or EOF."""
    try:
        s = tls_connect(t, port, **kw)
        s.sendall(sip("refused"))
        line = status_line(s)
        s.close()
    except (ssl.SSLError, ConnectionError, OSError) as e:
        t.say("%s: %s" % (what, e))
        line = ""
    t.eq(line, "", "%s: refused, no SIP answer" % what)


def start_sip(t, children=2, extra="", port2=None):
    make_pki(t)
    values = {"CHILDREN": children, "EXTRA": extra}
    if port2:
        values["PORT2"] = port2
    cfg = t.render(SIP_CFG, **values)
    d = t.daemon(cfg)
    return d, t.values["PORT"], t.values["PORT2"]


# --- RPC ---------------------------------------------------------------------

def kamcmd(t, *args):
    argv = [KAMCMD, "-s", "unix:" + t.path("ctl.sock")] + [str(a)
                                                            for a in args]
    p = subprocess.run(argv, capture_output=True, timeout=20,
                       stdin=subprocess.DEVNULL)
    out = p.stdout.decode(errors="replace")
    t.eq(p.returncode, 0, "kamcmd %s exits 0" % " ".join(map(str, args)),
         stdout=out, stderr=p.stderr.decode(errors="replace"))
    return out


def structs(text):
    """kamcmd's printout of top-level structs -> list of dicts."""
    return [dict(re.findall(r"^\t(\w+): (.*)$", block, re.M))
            for block in re.findall(r"^\{\n(.*?)^\}", text, re.M | re.S)]


def wait_for(fn, timeout=10, step=0.1):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


# --- tests -------------------------------------------------------------------

def test_sip_options_python_and_s_client(t):
    d, port, _ = start_sip(t)
    s = tls_connect(t, port)
    line = options(s, "o1")
    m = t.match(r"^SIP/2\.0 200 N (TLSv1\.3)\|(\S+)\|<null>\|0\|tls$", line,
                "OPTIONS over TLS answered; $tls_version, $tls_cipher, "
                "no peer CN, $tls_peer_verified 0, $pr tls")
    t.eq(m.group(2), s.cipher()[0], "$tls_cipher is the negotiated cipher")
    t.eq(options(s, "o2", extra=""), "SIP/2.0 200 OK",
         "a second request on the same TLS connection")

    old = client_ctx(t)
    old.maximum_version = ssl.TLSVersion.TLSv1_2
    s12 = tls_connect(t, port, ctx=old)
    t.match(r"^SIP/2\.0 200 N TLSv1\.2\|", options(s12, "o3"),
            "a TLS 1.2 client is accepted by the default TLSv1.2+")

    rows = structs(kamcmd(t, "tls.list"))
    ports = {int(r["src_port"]): r for r in rows}
    for c, ver in ((s, "TLSv1.3"), (s12, "TLSv1.2")):
        r = ports.get(c.getsockname()[1])
        t.check(r is not None, "tls.list shows the connection from port %d"
                % c.getsockname()[1], rows=repr(rows))
        t.eq(r["version"], ver, "with its version")
        t.eq(r["cipher"], c.cipher()[0], "and cipher")
        t.eq((r["direction"], r["peer_verified"], r["profile"]),
             ("inbound", "0", "[server:default]"),
             "inbound, peer not verified, the default profile")
    info = structs(kamcmd(t, "tls.info"))[0]
    t.eq((info["opened_connections"], info["established_connections"]),
         ("2", "2"), "tls.info counts both connections")
    t.eq(info["max_connections"], "4096", "and the limit")
    s.close()
    s12.close()
    t.check(wait_for(lambda: structs(kamcmd(t, "tls.list")) == []),
            "closed connections leave tls.list")

    # openssl s_client, verifying the server against the test CA
    p = subprocess.Popen([OPENSSL, "s_client", "-connect",
                          "127.0.0.1:%d" % port, "-CAfile", t.path("ca.pem"),
                          "-verify_return_error", "-quiet"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    got = b""
    try:
        p.stdin.write(sip("sc1", extra=""))
        p.stdin.flush()
        deadline = time.monotonic() + 15
        while b"\r\n\r\n" not in got and time.monotonic() < deadline:
            r, _, _ = select.select([p.stdout], [], [], 0.5)
            if r:
                chunk = os.read(p.stdout.fileno(), 4096)
                if not chunk:
                    break
                got += chunk
    finally:
        p.kill()
        p.wait()
    t.match(r"^SIP/2\.0 200 OK\r\n", got.decode(errors="replace"),
            "openssl s_client gets the 200 OK",
            stderr=p.stderr.read().decode(errors="replace"))
    d.stop()


def test_profiles_and_client_certificates(t):
    port2 = t.port()
    t.write("tls.cfg", "# per-port profiles\n"
            "[server:default]\nmethod = TLSv1.2+\n\n"
            "[server:127.0.0.1:%d]\n"
            "method = TLSv1.3\n"
            "require_certificate = yes\n"
            "crl = crl.pem   # relative: next to the main config\n" % port2)
    d, port, port2 = start_sip(t, port2=port2, extra='modparam("tls", '
                               '"config", "%s")' % t.path("tls.cfg"))
    s = tls_connect(t, port, cert="alice")
    t.match(r"^SIP/2\.0 200 N TLSv1\.3\|\S+\|<null>\|0\|tls$",
            options(s, "p1"), "default profile: no certificate asked for, "
            "even from a client that has one")
    s.close()
    refused(t, port2, "[server:127.0.0.1:%d] without a client certificate"
            % port2)
    refused(t, port2, "a certificate from a CA not in ca_list",
            cert="mallory")
    refused(t, port2, "a certificate revoked by crl", cert="revoked")
    old = client_ctx(t, cert="alice")
    old.maximum_version = ssl.TLSVersion.TLSv1_2
    refused(t, port2, "a TLS 1.2 client on the TLSv1.3 profile", ctx=old)
    s = tls_connect(t, port2, cert="alice")
    t.match(r"^SIP/2\.0 200 V TLSv1\.3\|\S+\|alice\|1\|tls$",
            options(s, "p2"), "a certificate from the CA is accepted: "
            "is_peer_verified(), $tls_peer_subject_cn alice, verified 1")
    rows = structs(kamcmd(t, "tls.list"))
    t.eq([(r["peer_cn"], r["peer_verified"], r["profile"]) for r in rows],
         [("alice", "1", "[server:127.0.0.1:%d] (line 5)" % port2)],
         "tls.list shows the peer's CN, verdict and profile")
    s.close()
    log = d.log()
    t.match(r"handshake failed: .*certificate", log,
            "the refusals are logged with the reason")
    t.match(r"handshake failed: .*certificate revoked", log,
            "the revoked certificate among them")
    d.stop()


def half_client_hello(t):
    """The first half of a real ClientHello."""
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = client_ctx(t).wrap_bio(inc, out, server_hostname="127.0.0.1")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = out.read()
    return hello[:len(hello) // 2]


def drained_to_eof(s, timeout=10):
    """Reads until the server closes; returns (closed, bytes seen)."""
    s.settimeout(timeout)
    seen = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return True, seen
            seen += chunk
    except (ConnectionResetError, BrokenPipeError):
        return True, seen
    except socket.timeout:
        return False, seen


def test_bad_clients_dropped_good_client_unaffected(t):
    # one worker: every client below shares the good client's process
    d, port, _ = start_sip(t, children=1)
    good = tls_connect(t, port)
    t.match(r"^SIP/2\.0 200 N", options(good, "g1"), "the good client works")

    stalled = socket.create_connection(("127.0.0.1", port), timeout=10)
    stalled.sendall(half_client_hello(t))
    t0 = time.monotonic()
    t.say("a client sent half a ClientHello and waits")

    plain = socket.create_connection(("127.0.0.1", port), timeout=10)
    plain.sendall(sip("plain", extra=""))
    closed, seen = drained_to_eof(plain)
    t.check(closed and b"SIP/2.0" not in seen, "a plaintext SIP client on "
            "the TLS port is dropped without an answer")
    plain.close()
    t.match(r"^SIP/2\.0 200 N", options(good, "g2"),
            "the good client still works (a handshake is pending)")

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1
    err = ""
    try:
        s10 = tls_connect(t, port, ctx=ctx)
        s10.close()
    except (ssl.SSLError, OSError) as e:
        err = str(e)
    t.match(r"(?i)protocol.version|unsupported.protocol", err,
            "a TLS 1.0 client is refused by the server (protocol version)")
    t.match(r"^SIP/2\.0 200 N", options(good, "g3"),
            "the good client still works")

    closed, _ = drained_to_eof(stalled, timeout=15)
    waited = time.monotonic() - t0
    t.check(closed and 1.5 <= waited <= 10, "the stalled handshake is "
            "dropped after handshake_timeout=2 (%.1f s)" % waited)
    stalled.close()
    t.match(r"^SIP/2\.0 200 N", options(good, "g4"),
            "the good client works afterwards")
    late = tls_connect(t, port)
    t.match(r"^SIP/2\.0 200 N", options(late, "l1"),
            "and so does a new one")
    late.close()
    good.close()
    log = d.log()
    t.match(r"handshake failed: .*(unsupported protocol|version)", log,
            "the TLS 1.0 refusal is logged")
    d.stop()


# --- MSRP --------------------------------------------------------------------

def write_msrp_tls_cfg(t, peer_port=None):
    text = "[client:default]\nverify_certificate = yes\n"
    if peer_port:
        text += ("\n[client:127.0.0.1:%d]\nverify_certificate = yes\n"
                 "server_name = peer.test\n" % peer_port)
    t.write("tls.cfg", text)


def start_msrp(t, children=1, peer_port=None):
    make_pki(t)
    write_msrp_tls_cfg(t, peer_port)
    cfg = t.render(MSRP_CFG, CHILDREN=children)
    d = t.daemon(cfg)
    return d, t.values["PORT"]


def tls_pair(t, port, names=("alice", "bob")):
    ctx = client_ctx(t)
    a = mc.Client(port, name=names[0], tls=ctx)
    b = mc.Client(port, name=names[1], tls=ctx)
    for c in (a, b):
        r = c.auth()
        if r.code != 200 or not c.use_path:
            raise harness.TestFailure("AUTH for %s: %s %s"
                                      % (c.session, r.code, r.reason))
    return a, b


def relay(t, a, b, body, quiet=False):
    """a -> relay -> b over TLS; the relayed frame is checked and b
    answers 200."""
    check = (lambda *x, **k: None) if quiet else t.eq
    to = "%s %s" % (b.use_path.strip(), b.uri)
    tid = a.send("SEND", to, body=body,
                 headers=[("Message-ID", "m" + os.urandom(3).hex()),
                          ("Byte-Range", "1-%d/%d" % (len(body),
                                                      len(body)))])
    r = a.read_reply(tid, timeout=60)
    check(r.code, 200, "the relay answers the SEND with 200")
    got = b.read_request(timeout=60)
    check(got.tid, tid, "the frame reached the other TLS client")
    if got.tid != tid or got.body != body:
        raise harness.TestFailure("frame %s (%d bytes) arrived as %s "
                                  "(%d bytes)" % (tid, len(body), got.tid,
                                                  len(got.body)))
    check(got.header("To-Path"), b.uri, "To-Path lost the relay's URI")
    _, data = b.frame_bytes("200 OK", got.header("From-Path").split()[0],
                            tid=got.tid)
    b.send_raw(data)


def test_msrp_auth_and_send_over_tls(t):
    d, port = start_msrp(t)
    a, b = tls_pair(t, port)
    t.match(r"^msrps://127\.0\.0\.1:%d/\S+;tcp$" % port, a.use_path.strip(),
            "Use-Path is an msrps:// URI")
    for size in (1, 5000, 70000, 1 << 20):
        relay(t, a, b, os.urandom(size // 2).hex().encode()[:size])
    relay(t, b, a, b"back the other way")
    to = "%s %s" % (b.use_path.strip(), b.uri)
    blob, tids = b"", []
    for i in range(30):
        tid, data = a.frame_bytes("SEND", to, body=b"pipelined %d" % i,
                                  headers=[("Message-ID", "p%d" % i),
                                           ("Byte-Range", "1-12/12")])
        blob += data
        tids.append(tid)
    a.send_raw(blob)
    t.eq([b.read_request().tid for _ in tids], tids,
         "30 frames written at once arrive in order")
    a.close()
    b.close()
    d.stop()


def test_msrp_pairs_across_workers_children_4(t):
    d, port = start_msrp(t, children=4)
    pairs = [tls_pair(t, port, ("a%d" % i, "b%d" % i)) for i in range(12)]
    owner = {int(r["src_port"]): r["owner_pid"]
             for r in structs(kamcmd(t, "tls.list"))}
    split = [(a, b) for a, b in pairs
             if owner.get(a.sock.getsockname()[1]) !=
             owner.get(b.sock.getsockname()[1])]
    t.check(len(owner) == 24 and split, "%d of 12 TLS pairs are owned by "
            "different workers (%d owners)" % (len(split),
                                               len(set(owner.values()))))
    for i, (a, b) in enumerate(pairs):
        relay(t, a, b, b"x%d" % i * (1000 + i), quiet=True)
        relay(t, b, a, b"y%d" % i * (100 + i), quiet=True)
    t.say("every frame of the 12 pairs crossed intact, both ways")
    # stopped with the 24 TLS connections open: the workers free their
    # TLS state on the way out (no leak report under ASan)
    d.stop()
    for a, b in pairs:
        a.close()
        b.close()


class Peer(threading.Thread):
    """A TLS server for one connection: records SNI, the first MSRP frame
    or the handshake error."""

    def __init__(self, t, cert, port):
        super().__init__(daemon=True)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(t.path(cert + ".pem"), t.path(cert + ".key"))
        self.sni, self.frames, self.errors = [], [], []
        self.done = threading.Event()   # the test has looked
        self.ctx.sni_callback = lambda obj, name, ctx: self.sni.append(name)
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", port))
        self.ls.listen(4)
        self.ls.settimeout(30)

    def run(self):
        try:
            conn, _ = self.ls.accept()
        except OSError:
            return
        try:
            s = self.ctx.wrap_socket(conn, server_side=True)
            s.settimeout(20)
            buf = b""
            while not re.search(rb"\r\n-------\S+[$+#]\r\n", buf):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
            self.frames.append(buf)
            self.done.wait(30)
            s.close()
        except (ssl.SSLError, OSError) as e:
            self.errors.append(str(e))
            conn.close()
        finally:
            self.ls.close()


def test_msrp_outbound_msrps_next_hop(t):
    good_port, rogue_port = t.port("tcp"), t.port("tcp")
    d, port = start_msrp(t, peer_port=good_port)
    good = Peer(t, "peer", good_port)
    rogue = Peer(t, "roguepeer", rogue_port)
    good.start()
    rogue.start()
    a = mc.Client(port, name="alice", tls=client_ctx(t))
    to = ("msrps://127.0.0.1:%d/relay;tcp msrps://127.0.0.1:%d/peer;tcp "
          "msrp://127.0.0.1:9/final;tcp" % (port, good_port))
    tid = a.send("SEND", to, body=b"to the next hop",
                 headers=[("Message-ID", "o1"), ("Byte-Range", "1-15/15")])
    t.eq(a.read_reply(tid).code, 200, "the relay answers 200")
    wait_for(lambda: good.frames or good.errors, timeout=20)
    t.eq(good.errors, [], "the next hop saw no TLS error")
    t.eq(len(good.frames), 1, "the next hop got one frame over TLS")
    t.match(r"^MSRP %s SEND\r\nTo-Path: msrps://127\.0\.0\.1:%d/peer;tcp "
            r"msrp://127\.0\.0\.1:9/final;tcp\r\n" % (tid, good_port),
            good.frames[0].decode(errors="replace"),
            "relayed with the relay's URI taken off the To-Path")
    t.eq(good.sni, ["peer.test"], "the client profile's server_name was "
         "sent as SNI")
    rows = [r for r in structs(kamcmd(t, "tls.list"))
            if r["direction"] == "outbound"]
    t.eq([(r["peer_cn"], r["peer_verified"], r["dst_port"] != "0")
          for r in rows][:1], [("peer.test", "1", True)],
         "tls.list: the outbound connection verified peer.test")
    good.done.set()
    good.join(20)

    to = ("msrps://127.0.0.1:%d/relay;tcp msrps://127.0.0.1:%d/peer;tcp "
          "msrp://127.0.0.1:9/final;tcp" % (port, rogue_port))
    tid = a.send("SEND", to, body=b"to a rogue hop",
                 headers=[("Message-ID", "o2"), ("Byte-Range", "1-14/14")])
    t.eq(a.read_reply(tid).code, 200, "the relay answers 200")
    rogue.join(20)
    t.eq(rogue.frames, [], "a next hop whose certificate does not verify "
         "gets no frame")
    t.check(rogue.errors, "its handshake failed (%s)" % rogue.errors)
    t.check(wait_for(lambda: re.search(
        r"conn \d+ to 127\.0\.0\.1:%d: handshake failed: .*certificate"
        % rogue_port, d.log())), "the relay logged why")
    a.close()
    d.stop()


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total


def test_outbound_handshake_wait_does_not_spin(t):
    """A next hop that accepts TCP and never answers the ClientHello:
    the worker waits for it without spinning, drops it after the
    handshake timeout, and keeps serving."""
    silent_port = t.port("tcp")
    d, port = start_msrp(t)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", silent_port))
    ls.listen(4)
    a = mc.Client(port, name="alice", tls=client_ctx(t))
    to = ("msrps://127.0.0.1:%d/relay;tcp msrps://127.0.0.1:%d/peer;tcp "
          "msrp://127.0.0.1:9/final;tcp" % (port, silent_port))
    tid = a.send("SEND", to, body=b"into the void",
                 headers=[("Message-ID", "v1"), ("Byte-Range", "1-13/13")])
    t.eq(a.read_reply(tid).code, 200, "the relay answers 200")
    ls.settimeout(10)
    conn, _ = ls.accept()
    hz = os.sysconf("SC_CLK_TCK")
    procs = list(d.children())
    c0 = cpu_ticks(procs)
    time.sleep(2)
    used = (cpu_ticks(procs) - c0) / hz
    t.check(used < 0.5, "while the handshake waits, the daemon used %.2f s "
            "of CPU in 2 s (no busy loop)" % used)
    b = mc.Client(port, name="bob", tls=client_ctx(t))
    t.eq(b.auth().code, 200, "another client is served meanwhile")
    conn.settimeout(20)
    closed, _ = drained_to_eof(conn, timeout=20)
    t.check(closed, "the silent hop is dropped after the handshake timeout")
    conn.close()
    ls.close()
    a.close()
    b.close()
    d.stop()


# --- errors and leaks --------------------------------------------------------

def startup(t, extra):
    cfg = t.render(SIP_CFG, CHILDREN=1, EXTRA=extra,
                   dest="bad%d.cfg" % len(os.listdir(t.tmp)))
    return harness.run_tandem(["-DD", "-E", "-f", cfg, "-L", harness.MODDIR],
                              timeout=30)


def test_startup_errors_name_the_file(t):
    make_pki(t)
    missing = t.path("missing.pem")
    cases = [
        ('modparam("tls", "certificate", "%s")' % missing,
         r"cannot read certificate file %s" % re.escape(missing)),
        ('modparam("tls", "private_key", "%s")' % t.path("alice.key"),
         r"private key file %s does not match certificate file %s"
         % (re.escape(t.path("alice.key")), re.escape(t.path("server.pem")))),
        ('modparam("tls", "certificate", "%s")' % t.path("server.csr"),
         r"certificate file %s: not a usable PEM certificate"
         % re.escape(t.path("server.csr"))),
        ('modparam("tls", "ca_list", "%s")' % missing,
         r"cannot read ca_list file %s" % re.escape(missing)),
    ]
    for extra, pattern in cases:
        r = startup(t, extra)
        t.ne(r.rc, 0, "tandem refuses to start", **r.context())
        t.match(pattern, r.out + r.err, "the error names the file",
                **r.context())
    t.write("bad.cfg", "[server:default]\nmethod = TLSv1.2+\n"
            "verify_certificate = perhaps\n")
    cfg = t.render(SIP_CFG, CHILDREN=1, dest="badprof.cfg",
                   EXTRA='modparam("tls", "config", "%s")'
                   % t.path("bad.cfg"))
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.eq(r.rc, 1, "tandem -c refuses a bad tls.cfg", **r.context())
    t.match(r"error: tls: config: %s:3: verify_certificate: 'perhaps' is "
            r"not a boolean" % re.escape(t.path("bad.cfg")), r.err,
            "with the profile file's name and line", **r.context())
    cfg = t.render(SIP_CFG, CHILDREN=1, dest="badmethod.cfg",
                   EXTRA='modparam("tls", "tls_method", "TLSv1")')
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.eq(r.rc, 1, "tandem -c refuses tls_method TLSv1", **r.context())
    t.match(r"badmethod\.cfg:\d+:\d+: error: tls: tls_method 'TLSv1': .*"
            r"RFC 8996", r.err, "at the modparam's position", **r.context())


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def shm_real_used(t):
    m = re.search(r"^\treal_used: (\d+)$", kamcmd(t, "core.shmmem"), re.M)
    t.check(m is not None, "core.shmmem has real_used")
    return int(m.group(1))


def test_no_fd_or_shm_leak_over_2000_tls_cycles(t):
    d, port, _ = start_sip(t, children=2)
    ctx = client_ctx(t)
    warm = tls_connect(t, port, ctx=ctx)
    options(warm, "warm")
    warm.close()
    wait_for(lambda: structs(kamcmd(t, "tls.list")) == [])
    procs = [d.pid] + list(d.children())
    fds0 = {p: fd_count(p) for p in procs}
    shm0 = shm_real_used(t)
    t.say("start: shm real_used=%d, fds=%s" % (shm0, fds0))
    for i in range(2000):
        s = tls_connect(t, port, ctx=ctx)
        if i % 10 == 0:
            line = options(s, "c%d" % i, extra="")
            if line != "SIP/2.0 200 OK":
                raise harness.TestFailure("cycle %d: %r" % (i, line))
        s.close()
    deadline = time.monotonic() + 30
    while True:
        fds = {p: fd_count(p) for p in procs}
        shm1 = shm_real_used(t)
        if (fds == fds0 and shm1 == shm0) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    t.say("end: shm real_used=%d, fds=%s" % (shm1, fds))
    t.eq(fds, fds0, "every process has the open-fd count it started with")
    t.eq(shm1, shm0, "shared memory usage is back to its start value")
    t.eq(structs(kamcmd(t, "tls.list")), [], "tls.list is empty again")
    d.stop()


if __name__ == "__main__":
    harness.main(globals())
