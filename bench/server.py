"""The product's Flask app served by a real HTTP server in a thread, and a client with Bearer tokens."""
from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime

from werkzeug.serving import make_server

from workflows.accounts.tokens import issue_token
from workflows.accounts.users import find_user


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request on the console
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join()


class ApiClient:
    """Posts as the user of each unit; one token per user, issued the way `flask users token` issues it."""

    def __init__(self, session, base_url: str):
        self.session = session
        self.base_url = base_url
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            self.tokens[username] = issue_token(self.session, find_user(self.session, username), datetime.utcnow())
            self.session.commit()
        return self.tokens[username]

    def post(self, path: str, username: str, body: dict) -> tuple[int, dict, float]:
        """Status, answer and seconds from sending the request to reading the whole answer."""
        request = urllib.request.Request(f"{self.base_url}{path}", data=json.dumps(body).encode(), method="POST",
                                         headers={"Authorization": f"Bearer {self.token(username)}",
                                                  "Content-Type": "application/json"})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, answer = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()
        return status, json.loads(answer or b"{}"), time.perf_counter() - started
