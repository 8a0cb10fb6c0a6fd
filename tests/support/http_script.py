"""A real local HTTP server that answers from a script: for testing HTTP clients without mocks."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Script:
    """What the server answers, one response per request, and what it received."""

    def __init__(self, answers: list[tuple[int, dict]]) -> None:
        self.answers = answers
        self.requests: list[dict] = []


def serve(script: Script) -> ThreadingHTTPServer:
    """Start a server on a free loopback port that plays ``script``; the caller shuts it down."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            script.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
            status, answer = script.answers.pop(0) if script.answers else (500, {})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 200:
                self.send_header("Idempotent-Replayed", "true")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
