"""Real servers on 127.0.0.1 for the outbound channels: an SMTP server (aiosmtpd) that keeps what it receives, and
an HTTP receiver for group robots that answers with a chosen status."""
from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


class MailBox:
    """aiosmtpd's handler: every mail received, parsed (``mails``: list of email.message.EmailMessage)."""

    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.mails.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"

    def bodies(self) -> list[str]:
        return [mail.get_content() for mail in self.mails]


@pytest.fixture
def smtp_server():
    """``(host, port, mailbox)`` of an SMTP server running for the test."""
    mailbox = MailBox()
    with socket.socket() as probe:  # aiosmtpd checks its server by connecting to the port it was given: not 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, mailbox
    finally:
        controller.stop()


class Receiver:
    """What the robot receiver got (``posts``: the JSON bodies), the HTTP status and the robot's ``errcode`` it
    answers with."""

    def __init__(self):
        self.posts, self.status, self.errcode, self.url = [], 200, 0, ""


@pytest.fixture
def robot_receiver():
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 — http.server's hook name
            receiver.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            body = json.dumps({"errcode": receiver.errcode, "errmsg": "ok" if not receiver.errcode else "invalid"}).encode()
            self.send_response(receiver.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
