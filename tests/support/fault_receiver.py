#!/usr/bin/env python3
"""A fault-injecting webhook receiver for the sender tests, on 127.0.0.1.

It verifies every signature itself (Python's hmac, independent of
HookGuard) and answers each request by a per-path script:

  POST /_script {"path": "/a", "scheme": "wp-relay", "secret": "...",
                 "steps": [{"status": 500}, {"status": 429, "retry_after": "2"},
                           {"sleep": 3}, {"status": 301, "location": "/b"},
                           {"close": true}, {"status": 422, "body": "..."}]}
      sets what /a answers: one step per request, then 200 for ever (or the
      spec's "default" step, e.g. {"sleep": 0.2} for a receiver taking 200 ms).
      "close" drops the connection without an answer (a receiver that is down).
  GET  /_log          every request so far: path, time, headers, body, verified, step
  POST /_reset        forgets scripts and the log

Usage: fault_receiver.py PORT_FILE  (listens on a free port, writes it to PORT_FILE)
"""
import base64, hashlib, hmac, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
SCRIPTS = {}
LOG = []


def b64(key, msg, algo=hashlib.sha256):
    return base64.b64encode(hmac.new(key, msg, algo).digest()).decode()


def verify(scheme, secret, headers, body):
    """Whether body and headers carry a valid signature of scheme under secret."""
    h = {k.lower(): v for k, v in headers.items()}
    key = secret.encode()
    if scheme == "wp-relay":
        ts = h.get("x-wp-timestamp", "")
        return hmac.compare_digest(h.get("x-wp-signature", ""), b64(key, ts.encode() + b"." + body))
    if scheme == "woo-order-sync":
        return hmac.compare_digest(h.get("x-woo-signature", ""), "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest())
    if scheme == "woocommerce":
        return hmac.compare_digest(h.get("x-wc-webhook-signature", ""), b64(key, body))
    if scheme == "standard-webhooks":
        raw = base64.b64decode(secret.split("_", 1)[1])
        signed = (h.get("webhook-id", "") + "." + h.get("webhook-timestamp", "") + ".").encode() + body
        return any(hmac.compare_digest(s.split(",", 1)[-1], b64(raw, signed)) for s in h.get("webhook-signature", "").split())
    return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=None):
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # The sender gave up waiting (its timeout): that was the point.

    def do_GET(self):
        if self.path == "/_log":
            with LOCK:
                self.answer(200, json.dumps(LOG).encode(), {"Content-Type": "application/json"})
        else:
            self.answer(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/_script":
            spec = json.loads(body)
            with LOCK:
                SCRIPTS[spec["path"]] = spec
            return self.answer(204)
        if self.path == "/_reset":
            with LOCK:
                SCRIPTS.clear()
                LOG.clear()
            return self.answer(204)
        with LOCK:
            spec = SCRIPTS.get(self.path, {})
            step = spec["steps"].pop(0) if spec.get("steps") else spec.get("default", {})
            LOG.append({
                "path": self.path, "time": time.time(), "version": self.request_version,
                "headers": dict(self.headers.items()), "body": body.decode("utf-8", "replace"),
                "verified": verify(spec.get("scheme", ""), spec.get("secret", ""), dict(self.headers.items()), body),
                "step": step,
            })
        if step.get("close"):
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if step.get("sleep"):
            time.sleep(step["sleep"])
        headers = {"Content-Type": "application/json"}
        if "retry_after" in step:
            headers["Retry-After"] = step["retry_after"]
        if "location" in step:
            headers["Location"] = step["location"]
        self.answer(step.get("status", 200), step.get("body", '{"ok":true}').encode(), headers)


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()
