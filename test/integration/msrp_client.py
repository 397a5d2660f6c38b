"""msrp_client.py - a small MSRP (RFC 4975) client for the integration
tests: frames, replies, digest AUTH against a relay (RFC 4976), stdlib
only.  Each client's URI carries its real local port, so a relay that
looks connections up by address finds it.

Client(..., tls=ctx) speaks MSRP over TLS (msrps:, RFC 4975 §6): the
socket is wrapped with the given ssl.SSLContext and the URIs say
msrps://; everything else is the same."""

import hashlib
import os
import re
import socket
import ssl
import time

_tid_counter = [0]


def new_tid():
    _tid_counter[0] += 1
    return "t%05d%s" % (_tid_counter[0], os.urandom(3).hex())


class Frame:
    def __init__(self, raw):
        self.raw = raw
        head, _, _ = raw.partition(b"\r\n")
        parts = head.decode("latin-1").split(" ", 3)
        self.tid = parts[1]
        self.is_reply = parts[2].isdigit()
        self.code = int(parts[2]) if self.is_reply else None
        self.method = None if self.is_reply else parts[2]
        self.reason = parts[3] if self.is_reply and len(parts) > 3 else ""
        end = b"\r\n-------" + self.tid.encode()
        idx = raw.rindex(b"-------" + self.tid.encode())
        self.flag = chr(raw[idx + 7 + len(self.tid)])
        hb = raw[len(head) + 2:idx]
        if b"\r\n\r\n" in hb:
            hdrs, _, body = hb.partition(b"\r\n\r\n")
            self.body = body[:-2] if body.endswith(b"\r\n") else body
        else:
            hdrs, self.body = hb, b""
        self.headers = []
        for line in hdrs.decode("latin-1").split("\r\n"):
            if line:
                n, _, v = line.partition(":")
                self.headers.append((n.strip(), v.strip()))
        del end

    def header(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "<Frame %s %s>" % (self.tid, self.code or self.method)


class Client:
    def __init__(self, port, host="127.0.0.1", name=None, timeout=20,
                 tls=None):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        scheme = "msrp"
        if tls is not None:
            self.sock = tls.wrap_socket(self.sock, server_hostname=host)
            scheme = "msrps"
        self.relay = "%s://%s:%d;tcp" % (scheme, host, port)
        lport = self.sock.getsockname()[1]
        self.session = name or os.urandom(4).hex()
        self.uri = "%s://127.0.0.1:%d/%s;tcp" % (scheme, lport,
                                                 self.session)
        self.buf = b""
        self.use_path = None

    def close(self):
        self.sock.close()

    # --- writing ---------------------------------------------------------
    def frame_bytes(self, method, to_path, from_path=None, headers=(),
                    body=None, tid=None, flag="$", content_type="text/plain"):
        tid = tid or new_tid()
        lines = ["MSRP %s %s" % (tid, method),
                 "To-Path: %s" % to_path,
                 "From-Path: %s" % (from_path or self.uri)]
        lines += ["%s: %s" % h for h in headers]
        out = "\r\n".join(lines).encode() + b"\r\n"
        if body is not None:
            if content_type and not any(h[0].lower() == "content-type"
                                        for h in headers):
                out += b"Content-Type: " + content_type.encode() + b"\r\n"
            out += b"\r\n" + body + b"\r\n"
        out += b"-------" + tid.encode() + flag.encode() + b"\r\n"
        return tid, out

    def send_raw(self, data, byte_by_byte=False):
        if byte_by_byte:
            for i in range(len(data)):
                self.sock.send(data[i:i + 1])
        else:
            self.sock.sendall(data)

    def send(self, method, to_path, **kw):
        byte = kw.pop("byte_by_byte", False)
        tid, data = self.frame_bytes(method, to_path, **kw)
        self.send_raw(data, byte)
        return tid

    # --- reading ---------------------------------------------------------
    def _fill(self, deadline):
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise EOFError("connection closed by the relay")
        self.buf += chunk

    def read_frame(self, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            m = re.match(rb"MSRP (\S+) ", self.buf)
            if m:
                tid = m.group(1)
                pat = re.compile(b"\r\n-------" + re.escape(tid) + rb"[$+#]\r\n")
                em = pat.search(self.buf)
                if em:
                    raw = self.buf[:em.end()]
                    self.buf = self.buf[em.end():]
                    return Frame(raw)
            elif len(self.buf) >= 5 and not self.buf.startswith(b"MSRP "):
                raise AssertionError("not MSRP from the relay: %r"
                                     % self.buf[:80])
            if time.monotonic() > deadline:
                raise TimeoutError("no frame within %ss (have %d bytes)"
                                   % (timeout, len(self.buf)))
            self._fill(deadline)

    def read_reply(self, tid, timeout=20):
        """Reads frames until the reply to tid; others are kept aside."""
        self.pending = getattr(self, "pending", [])
        deadline = time.monotonic() + timeout
        while True:
            f = self.read_frame(max(0.1, deadline - time.monotonic()))
            if f.is_reply and f.tid == tid:
                return f
            self.pending.append(f)

    def read_request(self, timeout=20):
        self.pending = getattr(self, "pending", [])
        for i, f in enumerate(self.pending):
            if not f.is_reply:
                return self.pending.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            f = self.read_frame(max(0.1, deadline - time.monotonic()))
            if not f.is_reply:
                return f
            self.pending.append(f)

    def closed_by_peer(self, timeout=10):
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self.sock.settimeout(max(0.01, deadline - time.monotonic()))
                if not self.sock.recv(65536):
                    return True
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
            return True
        except socket.timeout:
            return False
        return False

    # --- AUTH (RFC 4976 §5) -----------------------------------------------
    def auth(self, user="alice", password="xyz123", expires=None):
        hdrs = []
        if expires is not None:
            hdrs.append(("Expires", str(expires)))
        tid = self.send("AUTH", self.relay, headers=hdrs)
        r = self.read_reply(tid)
        if r.code != 401:
            return r
        chal = parse_challenge(r.header("WWW-Authenticate"))
        cnonce = os.urandom(8).hex()
        nc = "00000001"
        ha1 = md5("%s:%s:%s" % (user, chal["realm"], password))
        ha2 = md5("AUTH:%s" % self.relay)
        if "qop" in chal:
            resp = md5("%s:%s:%s:%s:auth:%s" % (ha1, chal["nonce"], nc,
                                                 cnonce, ha2))
            extra = ', qop=auth, nc=%s, cnonce="%s"' % (nc, cnonce)
        else:
            resp = md5("%s:%s:%s" % (ha1, chal["nonce"], ha2))
            extra = ""
        cred = ('Digest username="%s", realm="%s", nonce="%s", uri="%s", '
                'response="%s", algorithm=MD5%s'
                % (user, chal["realm"], chal["nonce"], self.relay, resp,
                   extra))
        if chal.get("opaque"):
            cred += ', opaque="%s"' % chal["opaque"]
        tid = self.send("AUTH", self.relay,
                        headers=[("Authorization", cred)] + hdrs)
        r = self.read_reply(tid)
        if r.code == 200:
            self.use_path = r.header("Use-Path")
        return r


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def parse_challenge(value):
    if not value or not value.lower().startswith("digest"):
        raise AssertionError("no digest challenge: %r" % value)
    out = {}
    for m in re.finditer(r'(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]+))', value[6:]):
        out[m.group(1).lower()] = m.group(2) if m.group(2) is not None \
            else m.group(3)
    if "qop" in out:
        out["qop"] = out["qop"].split(",")[0].strip()
    return out
