"""A real SMTP server on loopback (aiosmtpd) for the notify tests and the digest benchmark.

It keeps every accepted message and can be scripted per recipient: a list of answers used
one per attempt, each a reply line ("451 4.3.0 try later", "550 5.1.1 no such user") or
"drop" (the connection is cut when the message data arrives). Run standalone with
``python tests/notify/smtp_sink.py PORT COUNT_FILE`` to count messages from another process.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections import defaultdict
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class SinkHandler:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.script: dict[str, list[str]] = defaultdict(list)
        self.attempts: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()
        self.keep = True  # False: count only (benchmarks)
        self.count = 0
        self.delay = 0.0  # seconds before answering 250 (widens crash windows in tests)

    def _next_action(self, rcpt: str) -> str | None:
        with self.lock:
            self.attempts[rcpt.lower()] += 1
            actions = self.script.get(rcpt.lower())
            return actions.pop(0) if actions else None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        action = self._next_action(address)
        if action and action != "drop":
            return action
        if action == "drop":
            session.drop_on_data = True
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if getattr(session, "drop_on_data", False):
            session.drop_on_data = False
            server.transport.abort()
            return "421 dropped"
        with self.lock:
            self.count += 1
            if self.keep:
                self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                      bytes(envelope.original_content or envelope.content)))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted"


class HoldingHandler(SinkHandler):
    """The sink, holding the ``hold``-th message before its 250 until ``release`` is set
    (fault tests make an outage land right after a server accepted a mail)."""

    def __init__(self, hold: int) -> None:
        super().__init__()
        self.hold = hold
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if self.count == self.hold:
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        return reply


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    def __init__(self, port: int = 0, handler: SinkHandler | None = None, **controller_kw) -> None:
        self.handler = handler or SinkHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port or free_port(),
                                     **controller_kw)

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def script(self, rcpt: str, *actions: str) -> None:
        self.handler.script[rcpt.lower()].extend(actions)

    def received(self, rcpt: str | None = None) -> list[EmailMessage]:
        with self.handler.lock:
            raws = [raw for _, tos, raw in self.handler.messages
                    if rcpt is None or rcpt.lower() in (t.lower() for t in tos)]
        return [email.message_from_bytes(r, policy=email.policy.default) for r in raws]

    def raw(self, rcpt: str) -> list[bytes]:
        with self.handler.lock:
            return [raw for _, tos, raw in self.handler.messages if rcpt in tos]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        with self.handler.lock:
            for _, tos, _ in self.handler.messages:
                for t in tos:
                    out[t.lower()] += 1
        return dict(out)


if __name__ == "__main__":  # a sink in its own process, for benchmarks
    import sys
    import time

    sink = SmtpSink(int(sys.argv[1])).start()
    sink.handler.keep = False
    print(sink.port, flush=True)
    try:
        while True:
            time.sleep(0.5)
            with open(sys.argv[2], "w") as f:
                f.write(str(sink.handler.count))
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()
