"""Who may do what: every role against every page and endpoint of ``app.url_map``, on one world per module.

The world (tests/permission_support.py): the 2017 plan activated (区委组织部 has the 2017-02 report task), a
条块约请 of 曹杨新村街道 dispatched to 区民政局, and one user per role. ``unit`` is the clerk of the task's unit (区委组织部, a district department);
``other_unit`` the clerk of 曹杨新村街道 (a street with no part in 2017-02). HTML pages send anonymous visitors
to /login (``LOGIN``); the API answers 401. Refused requests (401/403/404/409/422, or to /login) are checked to
change nothing. Posts that pass the permission check are mostly sent without their fields, so they answer 422;
the few that succeed (claim, release, draft, upload, deleting a spare file) run after the row's refusals.
A route added to the app fails ``test_every_route_has_a_row_in_the_matrix`` until it gets its row here.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import pytest

from tests.permission_support import world  # noqa: F401
from tests.web_support import csrf_token, ensure_user, sign_in
from workflows.accounts.tokens import issue_token

LOGIN = "→login"  # a 302 to the sign-in page
ROLES = ("anonymous", "unit", "other_unit", "office", "supervisor", "auditor", "admin")
SKIPPED = {"static", "projects.bpmn_js"}  # files, the same for everyone


def row(anonymous, unit, other_unit, office, supervisor, auditor, admin) -> dict[str, int | str]:
    return dict(zip(ROLES, (anonymous, unit, other_unit, office, supervisor, auditor, admin)))


# endpoint → method → role → status.
MATRIX = {
    #                                        anonymous  unit other office super auditor admin
    # pages for everyone signed in
    "inbox.home":             {"GET":  row(LOGIN,     302, 302,  302,   302,  302,    302)},
    "inbox.index":            {"GET":  row(LOGIN,     200, 200,  200,   200,  200,    200)},
    "inbox.done":             {"GET":  row(LOGIN,     200, 200,  200,   200,  200,    200)},
    "pages.index":            {"GET":  row(LOGIN,     200, 200,  200,   200,  200,    200)},
    "health.healthz":         {"GET":  row(200,       200, 200,  200,   200,  200,    200)},
    "favicon":                {"GET":  row(200,       200, 200,  200,   200,  200,    200)},
    # 消息: a unit's message is its own (another's is 404); auditors share the office's but mark nothing read
    "notifications.index":    {"GET":  row(LOGIN,     200, 200,  200,   200,  200,    200)},
    "notifications.read":     {"POST": row(LOGIN,     302, 404,  404,   404,  403,    404)},
    "notifications.read_all": {"POST": row(LOGIN,     302, 302,  302,   302,  403,    302)},
    "api.list_notifications": {"GET":  row(401,       200, 200,  200,   200,  200,    200)},
    "api.read_notification":  {"POST": row(401,       200, 404,  404,   404,  403,    404)},
    "auth.login":             {"GET":  row(200,       200, 200,  200,   200,  200,    200),
                               "POST": row(422,       422, 422,  422,   422,  422,    422)},  # the empty form, refused
    "auth.logout":            {"POST": row(LOGIN,   LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)},
    "auth.account":           {"GET":  row(LOGIN,     200, 200,  200,   200,  200,    200)},
    "auth.change_password":   {"POST": row(LOGIN,     422, 422,  422,   422,  422,    422)},  # no current password
    "auth.revoke_token":      {"POST": row(LOGIN,     404, 404,  404,   404,  404,    404)},  # the spare user's
    # a unit's task: its unit does it, another unit gets 404, overseers read it and do nothing of the unit's work
    "inbox.task":             {"GET":  row(LOGIN,     200, 404,  200,   200,  200,    200)},
    "inbox.submit":           {"POST": row(LOGIN,     422, 404,  403,   403,  403,    403)},
    "inbox.claim":            {"POST": row(LOGIN,     302, 404,  403,   403,  403,    403)},
    "inbox.release":          {"POST": row(LOGIN,     302, 404,  403,   403,  403,    403)},
    "inbox.save_draft":       {"POST": row(LOGIN,     302, 404,  403,   403,  403,    403)},
    "task_notes.upload":      {"POST": row(LOGIN,     302, 404,  403,   403,  403,    403)},  # a real .txt file
    "inbox.upload_with_draft": {"POST": row(LOGIN,    302, 404,  403,   403,  403,    403)},  # the same, with the form
    "task_notes.download":    {"GET":  row(LOGIN,     200, 404,  200,   200,  200,    200)},
    "task_notes.delete":      {"POST": row(LOGIN,     302, 404,  403,   403,  403,    403)},  # only its uploader
    "task_notes.comment":     {"POST": row(LOGIN,     422, 404,  422,   422,  403,    422)},
    "task_actions.extension": {"GET":  row(LOGIN,     200, 404,  403,   403,  403,    403),
                               "POST": row(LOGIN,     422, 404,  403,   403,  403,    403)},
    "task_actions.reassign":  {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200),
                               "POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    # a lead's 催办 of a unit owing input: the world's task owes none to itself, so even its unit is refused
    "task_actions.chase":     {"POST": row(LOGIN,     403, 404,  403,   403,  403,    403)},
    # projects: everyone reads every project; the office (and admin) corrects one
    "projects.index":         {"GET":  row(LOGIN,     200, 200,  200,   200,  200,    200)},
    "projects.export":        {"GET":  row(LOGIN,     200, 200,  200,   200,  200,    200)},
    "projects.show":          {"GET":  row(LOGIN,     200, 200,  200,   200,  200,    200)},
    "projects.diagram":       {"GET":  row(LOGIN,     200, 200,  200,   200,  200,    200)},
    "projects.edit":          {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    # start pages: streets raise 约请, departments apply for 准入, the office calls meetings, 督查科 opens checks
    "starts.index":           {"GET":  row(LOGIN,     200, 200,  200,   200,  200,    200)},
    "starts.consultation":    {"GET":  row(LOGIN,     403, 200,  403,   403,  403,    403),
                               "POST": row(LOGIN,     403, 422,  403,   403,  403,    403)},
    "starts.access":          {"GET":  row(LOGIN,     200, 403,  403,   403,  403,    403),
                               "POST": row(LOGIN,     422, 403,  403,   403,  403,    403)},
    "starts.meeting":         {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200),
                               "POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    "starts.check":           {"GET":  row(LOGIN,     403, 403,  403,   200,  403,    200),
                               "POST": row(LOGIN,     403, 403,  403,   422,  403,    422)},
    # any deployed process (web/starts.py): the world's key is the lifecycle, the office's (no project: 422);
    # 我发起的 is everyone's own
    "starts.process":         {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200),
                               "POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    "starts.started":         {"GET":  row(LOGIN,     200, 200,  200,   200,  200,    200)},
    # every instance (web/instances.py): the overseers read, the office and admin cancel (no reason: 422)
    "instances.index":        {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "instances.show":         {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "instances.diagram":      {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "instances.cancel":       {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    # 重试 (web/instances.py): the office and admin; the world's instance is running, not in error (409)
    "instances.retry":        {"POST": row(LOGIN,     403, 403,  409,   403,  403,    409)},
    # 角色对应 (web/roles.py): the overseers read, the office and admin map (an empty form maps nothing)
    "roles.index":            {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "roles.edit":             {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "roles.save":             {"POST": row(LOGIN,     403, 403,  302,   403,  403,    302)},
    # overseers' pages: the dashboard and the year-end reports
    "dashboard.index":        {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    # where the time goes: the overseers read it
    "analytics.index":        {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "analytics.show":         {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "analytics.diagram":      {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "analytics.export":       {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    # the office's settings: the office and the administrator (the empty form is refused)
    "settings_page.index":    {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "settings_page.save":     {"POST": row(LOGIN,     403, 403,  302,   403,  403,    302)},  # nothing to change
    "dashboard.urge":         {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},  # nothing ticked
    "reports.index":          {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "reports.project_pdf_by_form": {"GET": row(LOGIN, 403, 403,  422,   422,  422,    422)},  # no number given
    "reports.project_pdf":    {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "reports.year_pdf":       {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "reports.year_csv":       {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "reports.year_xlsx":      {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    # a year-end book's job (web/reports/jobs.py): the world's job id is unknown (404)
    "reports.job_status":     {"GET":  row(LOGIN,     403, 403,  404,   404,  404,    404)},
    "reports.job_file":       {"GET":  row(LOGIN,     403, 403,  404,   404,  404,    404)},
    # the auditor's checks (web/reports): verify a downloaded PDF (no file: 422), the full export
    "reports.verify_form":    {"GET":  row(LOGIN,     403, 403,  200,   200,  200,    200)},
    "reports.verify_upload":  {"POST": row(LOGIN,     403, 403,  422,   422,  422,    422)},
    "reports.full_export_zip": {"GET": row(LOGIN,     403, 403,  403,   403,  200,    200)},
    # outbound notifications (web/admin, web/notifications): the admin's outbox and robots, everyone's settings
    "admin.outbox_page":      {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "admin.resend":           {"POST": row(LOGIN,     403, 403,  404,   403,  403,    404)},
    "admin.webhooks":         {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "admin.set_webhook":      {"POST": row(LOGIN,     403, 403,  404,   403,  403,    404)},  # not a unit
    "admin.set_email":        {"POST": row(LOGIN,     403, 403,  302,   403,  403,    302)},
    "notifications.preferences": {"GET": row(LOGIN,   200, 200,  200,   200,  200,    200)},
    "notifications.save_preferences": {"POST": row(LOGIN, 302, 302, 302, 302, 302,   302)},
    # administration: the office and the administrator only
    "admin.index":            {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "admin.units":            {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "admin.unit":             {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200),
                               "POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},  # an unknown member
    "admin.users":            {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200),
                               "POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    "admin.reset_password":   {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},  # no password
    "admin.set_active":       {"POST": row(LOGIN,     403, 403,  302,   403,  403,    302)},  # active stays active
    "admin.api_tokens":       {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "admin.revoke_token":     {"POST": row(LOGIN,     403, 403,  302,   403,  403,    302)},  # the spare user's
    "admin.plans":            {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "admin.plan_preview_page": {"POST": row(LOGIN,    403, 403,  422,   403,  403,    422)},  # no file
    "admin.plan_confirm":     {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},  # no preview
    "calendar.index":         {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "calendar.year":          {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "calendar.set_day":       {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},  # no day
    "calendar.clear_day":     {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},  # no day
    "calendar.mark_year":     {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},  # 2017 is built in
    "calendar.import_notice": {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},  # no file
    # the JSON API: a Bearer token for everything but its own description
    "api.openapi":            {"GET":  row(200,       200, 200,  200,   200,  200,    200)},
    "api.projects":           {"GET":  row(401,       200, 200,  200,   200,  200,    200)},
    "api.project":            {"GET":  row(401,       200, 200,  200,   200,  200,    200)},
    "api.tasks":              {"GET":  row(401,       200, 200,  200,   200,  200,    200)},
    "api.task":               {"GET":  row(401,       200, 404,  200,   200,  200,    200)},
    "api.claim":              {"POST": row(401,       200, 404,  403,   403,  403,    403)},
    "api.release":            {"POST": row(401,       200, 404,  403,   403,  403,    403)},
    "api.complete":           {"POST": row(401,       422, 404,  403,   403,  403,    403)},
    "api.save_draft":         {"PUT":  row(401,       200, 404,  403,   403,  403,    403)},
    "api.comments":           {"GET":  row(401,       200, 404,  200,   200,  200,    200)},
    "api.add_comment":        {"POST": row(401,       422, 404,  422,   422,  403,    422)},
    "api.attachments":        {"GET":  row(401,       200, 404,  200,   200,  200,    200)},
    "api.upload_attachment":  {"POST": row(401,       201, 404,  403,   403,  403,    403)},
    "api.download_attachment": {"GET": row(401,       200, 404,  200,   200,  200,    200)},
    "api.reassign":           {"POST": row(401,       403, 403,  422,   403,  403,    422)},
    "api.request_extension":  {"POST": row(401,       422, 404,  403,   403,  403,    403)},
    "api.start_instance":     {"POST": row(401,       403, 403,  422,   403,  403,    422)},  # a meeting, no fields
    "api.instance":           {"GET":  row(401,       200, 404,  200,   200,  200,    200)},
    "api.list_instances":     {"GET":  row(401,       403, 403,  200,   200,  200,    200)},
    "api.cancel_instance":    {"POST": row(401,       403, 403,  422,   403,  403,    422)},  # no reason
    "api.dashboard_figures":  {"GET":  row(401,       403, 403,  200,   200,  200,    200)},
    # process definitions: overseers read the versions, the office and admin deploy (no file: 422) and migrate
    # (the world's instance is on the newest version: 409)
    "api.process_definitions": {"GET": row(401,       403, 403,  200,   200,  200,    200)},
    "api.deploy_definition":  {"POST": row(401,       403, 403,  422,   403,  403,    422)},
    "api.definition_xml":     {"GET":  row(401,       403, 403,  200,   200,  200,    200)},
    "api.definition_roles":   {"GET":  row(401,       403, 403,  200,   200,  200,    200)},
    "api.map_definition_roles": {"PUT": row(401,      403, 403,  200,   403,  403,    200)},  # {} maps nothing
    "api.migrate_instance":   {"POST": row(401,       403, 403,  409,   403,  403,    409)},
    # the process editor (web/editor.py): the office and the administrator only; posts without their fields
    # answer 422, the modeler's JSON posts without "xml" too; the world's key has no draft (404, discarding: 302);
    # the world's instance is on the newest version (409)
    "editor.index":           {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "editor.deployed":        {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "editor.new":             {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    "editor.upload":          {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    "editor.edit":            {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "editor.download":        {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "editor.draft":           {"GET":  row(LOGIN,     403, 403,  404,   403,  403,    404)},
    "editor.save_draft":      {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    "editor.discard_draft":   {"POST": row(LOGIN,     403, 403,  302,   403,  403,    302)},
    "editor.validate":        {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    "editor.deploy":          {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    "editor.migrate":         {"POST": row(LOGIN,     403, 403,  409,   403,  403,    409)},
    "editor.save_roles":      {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},  # no body: not a mapping
    # decision tables: overseers read the versions, the office and admin deploy (no file: 422); the world's key
    # names no decision (404)
    # messages and signals: the office and the administrator send (without a name: 422)
    "api.send_message":       {"POST": row(401,       403, 403,  422,   403,  403,    422)},
    "api.send_signal":        {"POST": row(401,       403, 403,  422,   403,  403,    422)},
    "api.decision_definitions": {"GET": row(401,      403, 403,  200,   200,  200,    200)},
    "api.deploy_decisions":   {"POST": row(401,       403, 403,  422,   403,  403,    422)},
    "api.decision_xml":       {"GET":  row(401,       403, 403,  404,   404,  404,    404)},
    # the decision pages (web/decisions.py): the office and the administrator only; the editor's JSON posts
    # without "xml" answer 422, an upload without a file too; discarding the (absent) draft: 302
    "decisions.index":        {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "decisions.upload":       {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    "decisions.download":     {"GET":  row(LOGIN,     403, 403,  404,   403,  403,    404)},
    "decisions.scoring":      {"GET":  row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "decisions.scoring_table": {"GET": row(LOGIN,     403, 403,  200,   403,  403,    200)},
    "decisions.save_draft":   {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    "decisions.discard_draft": {"POST": row(LOGIN,    403, 403,  302,   403,  403,    302)},
    "decisions.validate":     {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    "decisions.preview":      {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
    "decisions.publish":      {"POST": row(LOGIN,     403, 403,  422,   403,  403,    422)},
}
# What is sent: no fields unless named here (an allowed post then answers 422 and changes nothing).
FORMS = {"admin.unit": {"members": "no-such-unit"}, "admin.set_active": {"active": "1"}}
JSON_BODIES = {"api.start_instance": {"process_key": "regular_meeting"}}
UPLOADS = {"task_notes.upload", "inbox.upload_with_draft", "api.upload_attachment"}  # these send a small real text file
FRESH_CLIENT = {"auth.logout"}  # signs the client out, so it gets a client of its own
CHANGES = ("POST", "PUT", "PATCH", "DELETE")
ARGUMENTS = {"task_notes.delete": {"attachment_id": "spare_attachment_id"},  # the uploader deletes a spare one
             "task_actions.chase": {"other_id": "task_id"}}


def send(world, role: str, endpoint: str, method: str):
    """The request the matrix checks, as the role's browser or API client would send it."""
    url, upload = world.url(endpoint, ARGUMENTS.get(endpoint)), endpoint in UPLOADS
    if endpoint.startswith("api."):
        body = JSON_BODIES.get(endpoint, {}) if method in CHANGES else None
        return world.call_api(role, method, url, body, upload=upload)
    if method == "GET":
        return world.client(role).get(url)
    return world.post_form(role, url, FORMS.get(endpoint, {}), fresh=endpoint in FRESH_CLIENT, upload=upload)


def checked_routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})}


def refused(status: int | str) -> bool:
    return status == LOGIN or status >= 400


# Within a row the refusals go first, so that an allowed change (a claim, a deletion) cannot alter what they see.
CASES = [(endpoint, method, role) for endpoint, methods in MATRIX.items() for method, expected in methods.items()
         for role in sorted(expected, key=lambda role: not refused(expected[role]))]


def test_every_route_has_a_row_in_the_matrix(world):
    missing = sorted(f"{method} {endpoint}" for endpoint, method in checked_routes(world.app)
                     if method not in MATRIX.get(endpoint, {}))
    assert not missing, f"routes without a row in MATRIX (tests/test_permissions.py): {', '.join(missing)}"


def test_every_row_of_the_matrix_names_a_route_and_every_role(world):
    routes = checked_routes(world.app)
    stale = sorted({f"{method} {endpoint}" for endpoint, method, _ in CASES if (endpoint, method) not in routes})
    assert not stale, f"rows for routes that do not exist: {stale}"
    assert all(set(expected) == set(ROLES) for methods in MATRIX.values() for expected in methods.values())


# POSTs an auditor may make: checking a downloaded PDF against the data changes nothing, and the auditor's own
# notification settings are theirs (as their password is, under auth.).
AUDITOR_MAY_POST = {"reports.verify_upload", "notifications.save_preferences"}


def test_the_matrix_lets_auditors_read_everything_and_change_nothing():
    for endpoint, methods in MATRIX.items():
        for method, expected in methods.items():
            if method in CHANGES and not endpoint.startswith("auth.") and endpoint not in AUDITOR_MAY_POST:
                assert expected["auditor"] == 403, f"{method} {endpoint}: auditors must get 403"
            if method == "GET" and expected["office"] == 200:
                assert expected["auditor"] == 200 or endpoint.startswith(
                    ("starts.", "admin.", "calendar.", "task_actions.", "editor.", "decisions.", "settings_page.")), \
                    f"GET {endpoint}: auditors read what the office reads"


def test_the_matrix_sends_anonymous_visitors_to_sign_in_and_refuses_them_on_the_api():
    public = {"auth.login", "auth.logout", "health.healthz", "api.openapi", "favicon"}
    for endpoint, methods in MATRIX.items():
        if endpoint not in public:
            assert {expected["anonymous"] for expected in methods.values()} == {
                401 if endpoint.startswith("api.") else LOGIN}, endpoint


def answered(response) -> int | str:
    if response.status_code == 302 and urlsplit(response.location).path == "/login":
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("endpoint, method, role", CASES, ids=[f"{m} {e} as {r}" for e, m, r in CASES])
def test_the_role_gets_what_the_matrix_says(world, endpoint, method, role):
    expected = MATRIX[endpoint][method][role]
    before = world.state() if method in CHANGES else None

    response = send(world, role, endpoint, method)

    assert answered(response) == expected, f"{method} {endpoint} as {role}: {response.status_code} " \
                                           f"{response.get_data(as_text=True)[:300]}"
    if method in CHANGES and (refused(expected) or endpoint.startswith("auth.")):
        assert world.state() == before, f"the refused {method} {endpoint} as {role} changed something"


def test_a_colleagues_claim_answers_409_to_the_rest_of_the_unit_on_the_pages_and_the_api(world):
    task_id = world.params["claimed_task_id"]
    before = world.state()

    for action in ("claim", "release", ""):
        url = f"/tasks/{task_id}/{action}".rstrip("/")
        assert world.post_form("unit", url, {}).status_code == 409, url
    for action, body in (("claim", None), ("release", None), ("complete", {"completion_summary": "已完成"})):
        url = f"/api/tasks/{task_id}/{action}"
        assert world.call_api("unit", "POST", url, body).status_code == 409, url
    assert world.state() == before


def test_the_supervisor_sees_every_project_of_the_plan(world):
    supervisor = world.client("supervisor")

    page = supervisor.get("/projects").get_data(as_text=True)
    assert all(f'href="/projects/{number}?year=2017"' in page for number in range(1, 56))
    assert len(world.call_api("supervisor", "GET", "/api/projects").json) == 55
    assert world.call_api("supervisor", "GET", "/api/projects/55").status_code == 200


def test_the_street_follows_its_consultation_but_not_the_departments_task_and_other_units_see_neither(world):
    consultation, signing = world.params["consultation_id"], world.params["signing_id"]

    assert world.call_api("other_unit", "GET", f"/api/process-instances/{consultation}").status_code == 200
    assert world.call_api("unit", "GET", f"/api/process-instances/{consultation}").status_code == 404
    for role in ("unit", "other_unit"):
        assert world.client(role).get(f"/tasks/{signing}").status_code == 404
        assert world.call_api(role, "GET", f"/api/tasks/{signing}").status_code == 404
    assert world.client("office").get(f"/tasks/{signing}").status_code == 200


def test_the_office_reassigns_a_task_and_only_the_new_unit_sees_it_afterwards(world):
    task_id = world.params["spare_task_id"]  # 区房管局's report on 2017-05

    response = world.post_form("office", f"/tasks/{task_id}/reassign", {"unit": "caoyang", "reason": "属地街道牵头"})

    assert response.status_code == 302
    assert world.client("other_unit").get(f"/tasks/{task_id}").status_code == 200
    assert world.call_api("other_unit", "GET", f"/api/tasks/{task_id}").status_code == 200
    spare = world.app.test_client()
    assert sign_in(spare, "spare").status_code == 302  # a clerk of 区房管局
    assert spare.get(f"/tasks/{task_id}").status_code == 404


def test_unknown_tasks_projects_and_attachments_answer_404_to_the_office_too(world):
    office = world.client("office")

    for url in ("/tasks/999999", "/projects/999", "/attachments/999999"):
        assert office.get(url).status_code == 404, url
    for url in ("/api/tasks/999999", "/api/projects/999", "/api/attachments/999999",
                "/api/process-instances/999999"):
        assert world.call_api("office", "GET", url).status_code == 404, url


@pytest.mark.parametrize("page, unit", [("consultation", "changfeng"), ("access", "minzhengju")])
def test_an_auditor_of_a_street_or_department_may_not_start_its_processes(world, page, unit):
    username = f"auditor-{unit}"
    ensure_user(world.session, username, unit, "auditor")
    auditor = world.app.test_client()
    assert sign_in(auditor, username).status_code == 302
    before = world.state()

    assert auditor.get(f"/start/{page}").status_code == 403
    token = csrf_token(auditor.get("/inbox"))
    assert auditor.post(f"/start/{page}", data={"csrf_token": token}).status_code == 403
    assert world.state() == before


def test_an_auditor_in_the_offices_unit_does_none_of_the_offices_tasks(world):
    task_id, before = world.params["office_task_id"], world.state()

    for action in ("", "/claim", "/draft", "/comments", "/extension", "/reassign"):
        assert world.post_form("auditor", f"/tasks/{task_id}{action}", {"body": "同意"}).status_code == 403, action
    for method, action, body in (("POST", "/claim", None), ("POST", "/complete", {}), ("PUT", "/draft", {}),
                                 ("POST", "/comments", {"body": "同意"}), ("POST", "/extension", {}),
                                 ("POST", "/reassign", {})):
        assert world.call_api("auditor", method, f"/api/tasks/{task_id}{action}", body).status_code == 403, action
    assert world.state() == before


def test_a_post_without_its_csrf_token_is_refused_with_400_and_changes_nothing(world):
    before = world.state()

    response = world.client("unit").post(f"/tasks/{world.params['task_id']}/claim")

    assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)
    assert world.state() == before


def test_a_deactivated_user_is_signed_out_and_their_api_token_stops_working(world):
    user = ensure_user(world.session, "leaver", "fangguanju")
    token = issue_token(world.session, user, datetime.utcnow())
    world.session.commit()
    leaver = world.app.test_client()
    assert sign_in(leaver, "leaver").status_code == 302

    deactivated = world.post_form("office", f"/admin/users/{user.id}/active", {"active": "0"})

    assert deactivated.status_code == 302
    assert answered(leaver.get("/inbox")) == LOGIN
    assert world.app.test_client().get("/api/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_colleague_of_the_street_that_raised_a_consultation_follows_it_through_the_api_too(world):
    """PERMISSION BUG (web/api.py ``_involved``): an instance a unit started is visible only to the clerk who
    started it, so a colleague of the same street gets 404; visibility is per unit everywhere else."""
    world.tokens["caoyang2"] = issue_token(world.session, ensure_user(world.session, "caoyang2", "caoyang"),
                                           datetime.utcnow())
    world.session.commit()

    response = world.call_api("caoyang2", "GET", f"/api/process-instances/{world.params['consultation_id']}")

    assert response.status_code == 200
