"""Who uses the app on the peak day, as locust users signed in through the login page like a browser.

Each user sends one request per locust task, so ``constant_throughput(rate)`` makes a user send ``rate``
requests a second and N users offer N × rate requests a second (as long as answers come back faster).

- `Clerk`: a lead unit's clerk: the inbox (earliest due first), a report task's page, 保存草稿, 提交; when the
  unit has no report left it opens and drafts its 提交办结报告 without submitting it.
- `Office`: 区推进办: its inbox searched for 审核季度报告, such a task's page, 通过 (accept).
- `Supervisor`: 督查科 on the dashboard. `Auditor`: one project's PDF. One user each, one request every 5 s;
  the other users are clerks and the office's staff, 7 to 2.

A task id is taken by one locust user at a time (`Shared.taken`), so two users never race for the same task;
each acknowledged completion (302 after POST) is kept in `Shared.completions` for the history check.
Imported only in the swarm's own process (`load_swarm.py`): locust patches the standard library with gevent.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from locust import HttpUser, constant_throughput, task

from .load_forms import FORMS, REVIEW, REVIEW_LISTING, csrf_token

TASK_LINK = re.compile(r'<a href="/tasks/(\d+)">([^<·]+?)(?: · [^<]*)?</a>')
REQUEST_SECONDS = 60  # an answer later than this is a failure, not a hung user


@dataclass
class Shared:
    """What the users of one swarm share (all greenlets of one process)."""

    clerks: list[str] = field(default_factory=list)   # unit logins, handed out in turn
    projects: list[int] = field(default_factory=list)  # project numbers for the auditor's PDF
    taken: set[int] = field(default_factory=set)
    completions: list[int] = field(default_factory=list)
    signed_in: int = 0                                 # users past their sign-in (a phase counts after all are)
    posting: int = 0                                   # POSTs sent and not yet answered
    stopping: bool = False                             # the run is over: start nothing new
    handed: int = 0

    def next_clerk(self) -> str:
        self.handed += 1
        return self.clerks[(self.handed - 1) % len(self.clerks)]


SHARED = Shared()


def expect(response, status: int, text: str | None = None) -> bool:
    """Mark the request failed unless it answered ``status`` (and, for pages, contains ``text``)."""
    if response.status_code != status or (text is not None and text not in response.text):
        response.failure(f"{response.status_code} (expected {status}): {response.text[:200]!r}")
        return False
    response.success()
    return True


class SignedIn(HttpUser):
    abstract = True
    username = ""
    csrf = ""

    def on_start(self) -> None:
        self.csrf = csrf_token(self.client.get("/login", name="GET /login", timeout=REQUEST_SECONDS).text)
        with self.client.post("/login", data={"username": self.username, "password": "demo", "csrf_token": self.csrf},
                              name="POST /login", allow_redirects=False, catch_response=True,
                              timeout=REQUEST_SECONDS) as response:
            expect(response, 302)
        with self.client.get("/inbox", name="GET /inbox (after login)", catch_response=True,
                             timeout=REQUEST_SECONDS) as response:
            if expect(response, 200):
                self.csrf = csrf_token(response.text)  # the session's token, for every form from now on
        SHARED.signed_in += 1

    def page(self, path: str, name: str) -> str | None:
        with self.client.get(path, name=name, catch_response=True, timeout=REQUEST_SECONDS) as response:
            return response.text if expect(response, 200, "</html>") else None

    def post(self, path: str, name: str, data: dict) -> bool:
        """Counted in `Shared.posting` while unanswered, so that the swarm ends only after its answer."""
        SHARED.posting += 1
        try:
            with self.client.post(path, data=data | {"csrf_token": self.csrf}, name=name, allow_redirects=False,
                                  catch_response=True, timeout=REQUEST_SECONDS) as response:
                return expect(response, 302)
        finally:
            SHARED.posting -= 1

    def take(self, listing: str | None, names: tuple[str, ...]) -> tuple[int, str] | None:
        """The first listed task of these names that no other user holds, now held by this one."""
        for task_id, name in TASK_LINK.findall(listing or ""):
            if name.strip() in names and int(task_id) not in SHARED.taken:
                SHARED.taken.add(int(task_id))
                return int(task_id), name.strip()
        return None


class Clerk(SignedIn):
    weight = 7

    def on_start(self) -> None:
        self.username = SHARED.next_clerk()
        self.held: tuple[int, str] | None = None
        self.step = 0
        super().on_start()

    @task
    def next_step(self) -> None:
        if SHARED.stopping:
            return
        if self.step == 0:
            self.choose(self.page("/inbox", "GET /inbox (lead unit)"))
        elif self.step == 1:
            self.page(f"/tasks/{self.held[0]}", f"GET /tasks/<id> ({self.held[1]})")
        elif self.step == 2:
            self.post(f"/tasks/{self.held[0]}/draft", f"POST /tasks/<id>/draft ({self.held[1]})", FORMS[self.held[1]])
            if self.held[1] == "提交办结报告":
                SHARED.taken.discard(self.held[0])
                self.held = None  # opened and drafted only
        else:
            self.submit()
        self.step = (self.step + 1) % 4 if self.held else 0

    def choose(self, listing: str | None) -> None:
        self.held = self.take(listing, ("汇总填报季度报告", "提供季度进展材料")) or self.browse(listing)

    def browse(self, listing: str | None) -> tuple[int, str] | None:
        """No report left for this unit: a completion report no other user holds, opened and drafted, never
        submitted (and released again after its draft)."""
        found = [(int(i), n.strip()) for i, n in TASK_LINK.findall(listing or "")
                 if n.strip() == "提交办结报告" and int(i) not in SHARED.taken]
        chosen = random.choice(found) if found else None
        if chosen:
            SHARED.taken.add(chosen[0])
        return chosen

    def submit(self) -> None:
        task_id, name = self.held
        if self.post(f"/tasks/{task_id}", f"POST /tasks/<id> (complete {name})", FORMS[name]):
            SHARED.completions.append(task_id)
        self.held = None


class Office(SignedIn):
    weight = 2
    username = "office"

    def on_start(self) -> None:
        self.held: int | None = None
        self.opened = False
        super().on_start()

    @task
    def next_step(self) -> None:
        if SHARED.stopping:
            return
        if self.held is None:
            taken = self.take(self.page(REVIEW_LISTING, "GET /inbox (office)"), ("审核季度报告",))
            self.held, self.opened = (taken[0] if taken else None), False
        elif not self.opened:
            self.opened = self.page(f"/tasks/{self.held}", "GET /tasks/<id> (审核季度报告)") is not None
        else:
            if self.post(f"/tasks/{self.held}", "POST /tasks/<id> (complete 审核季度报告)", REVIEW):
                SHARED.completions.append(self.held)
            self.held = None


class Supervisor(SignedIn):
    fixed_count = 1
    username = "supervisor"
    wait_time = constant_throughput(0.2)

    @task
    def dashboard(self) -> None:
        self.page("/dashboard", "GET /dashboard")


class Auditor(SignedIn):
    fixed_count = 1
    username = "auditor"
    wait_time = constant_throughput(0.2)

    @task
    def project_pdf(self) -> None:
        number = random.choice(SHARED.projects)
        with self.client.get(f"/reports/projects/{number}.pdf", name="GET /reports/projects/<n>.pdf",
                             catch_response=True, timeout=REQUEST_SECONDS) as response:
            if response.status_code != 200 or not response.content.startswith(b"%PDF"):
                response.failure(f"{response.status_code}: not a PDF")


def pace(rate: float) -> None:
    """The clerks and the office's staff send ``rate`` requests a second (the supervisor and the auditor one
    every 5 s)."""
    for user in (Clerk, Office):
        user.wait_time = constant_throughput(rate)


USERS = [Clerk, Office, Supervisor, Auditor]


def is_page(name: str) -> bool:
    """An HTML page a person waits for: every GET but the sign-in and the PDF download."""
    return name.startswith("GET /") and "login" not in name and not name.endswith(".pdf")


def is_completion(name: str) -> bool:
    return name.startswith("POST /tasks/<id> (complete")
