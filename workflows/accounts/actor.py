"""The person acting, as every package checks them: a username, the unit they act for and their role.

The web layer builds an Actor from the signed-in user or the API token and passes it in explicitly; no
domain code reads Flask's request state.
"""
from __future__ import annotations

from dataclasses import dataclass


class NotAllowed(Exception):
    """The acting user may not do this."""


@dataclass(frozen=True)
class Actor:
    """``role`` is a key of models.ROLES; ``unit_code`` the unit whose tasks they do."""

    username: str
    unit_code: str
    role: str
