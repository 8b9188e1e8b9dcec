"""What the peak day's users send and read: the forms they fill in and the CSRF token they take from a page. Shared by
the locust users (load_users.py) and the per-request measurement (load_pages.py), which must not import locust
(it patches the standard library with gevent)."""
from __future__ import annotations

import re

CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"|<input[^>]*value="([^"]+)"[^>]*name="csrf_token"')
REVIEW_LISTING = "/inbox?q=审核季度报告"  # the office's inbox searched for the reviews
REPORT = {"progress": "按计划推进，本季度完成阶段目标", "percent": "60", "status": "on_track", "problems": "",
          "experience": "", "next_step": "submit"}
FORMS = {"汇总填报季度报告": REPORT, "提供季度进展材料": {"contribution": "本单位按计划推进"},
         "提交办结报告": {"completion_summary": "正在收尾"}}
REVIEW = {"verdict": "accept", "office_comment": ""}


def csrf_token(page: str) -> str:
    """The form's CSRF token (flask-wtf's hidden field, in whichever order its attributes come)."""
    found = CSRF.search(page)
    if found is None:
        raise ValueError("no csrf_token on the page")
    return found.group(1) or found.group(2)
