"""The JSON API under /api: Bearer tokens, the same permissions as the pages, errors as JSON, an OpenAPI
document. One blueprint (``api``, defined with what its routes share in common.py); the routes are grouped in
modules that do not import each other: tasks, instances, projects, dashboard, definitions (deploying and
migrating), decisions (DMN files), notifications and openapi."""
from __future__ import annotations

from . import dashboard, decisions, definitions, events, instances, notifications, openapi, projects, tasks  # noqa: F401,E501  (routes on bp)
from .common import bp

__all__ = ["bp"]
