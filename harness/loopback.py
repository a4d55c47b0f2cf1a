"""An HTTP server on 127.0.0.1 in a background thread: the shape every stand-in node and test proxy shares.

The local Solana RPC and Akash REST servers and the fault-injecting proxies of the tests differ
only in how they answer a request; `LoopbackServer` does the rest (threads, quiet logs, the
reply or a dropped connection, start and stop).
"""

from __future__ import annotations

import http.server
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

# (status, JSON body), optionally with extra headers (e.g. Retry-After), or "drop"
Reply = tuple[int, bytes] | tuple[int, bytes, dict[str, str]] | Literal["drop"]


@dataclass(frozen=True)
class Request:
    """One request as the answering function sees it (header names lowercase, last value of a query key)."""

    verb: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


class _QuietServer(http.server.ThreadingHTTPServer):
    """A client that hangs up mid-answer (a run stopped by Ctrl-C) is not an error worth a traceback."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LoopbackServer:
    """Serve `respond(request) -> (status, JSON bytes[, headers]) | "drop"` on http://127.0.0.1:<port>.

    Args:
        respond: the answer to one request; "drop" closes the connection without one.
        port: 0 picks a free port.
        keep_alive: speak HTTP/1.1 with persistent connections (as real nodes do).
        name: the serving thread's name.
    """

    def __init__(self, respond: Callable[[Request], Reply], *, host: str = "127.0.0.1", port: int = 0,
                 keep_alive: bool = False, name: str = "loopback") -> None:

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
            # headers and body go out in two writes: without TCP_NODELAY, Nagle + delayed ACK
            # stall every keep-alive answer by ~40 ms
            disable_nagle_algorithm = True

            def _answer(self) -> None:
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                reply = respond(Request(self.command, url.path, {k: v[-1] for k, v in parse_qs(url.query).items()},
                                        {k.lower(): v for k, v in self.headers.items()}, body))
                if reply == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                status, payload, *extra = reply
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (extra[0] if extra else {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

            def log_message(self, *args: object) -> None:
                pass

        self._server = _QuietServer((host, port), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name=name, daemon=True)

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
