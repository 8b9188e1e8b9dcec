"""Messages and signals (issue 15 §4): POST /api/messages delivers to the one waiting catch event, receive task,
boundary event or event-based gateway branch, or starts a process with that message start event; 409 for none
or several; POST /api/signals reaches every waiting catch and signal start; message and signal throws of one
instance reach the others in the same transaction. Each diagram runs to its end through API calls."""
from __future__ import annotations

from tests.event_support import deploy_events, instance, start, status, task_names
from tests.start_support import call, complete  # noqa: F401


def _send(call, body, username="office", path="/api/messages"):
    return call(username, "POST", path, json=body)


def test_a_message_reaches_the_waiting_catch_event_of_the_instance_with_its_business_key(call):
    deploy_events(call, "message_wait")
    first, second = start(call, "message_wait", "报送-1"), start(call, "message_wait", "报送-2")

    response = _send(call, {"name": "材料已报送", "business_key": "报送-2", "variables": {"pages": 12}})

    assert response.status_code == 200, response.json
    assert response.json == {"delivered_to": [second], "started": []}
    assert task_names(call, second) == ["审核材料"] and task_names(call, first) == []
    review = instance(call, second)["open_tasks"][0]
    complete(call, "office", review)
    assert status(call, second) == "completed"


def test_the_history_records_who_sent_the_message(call):
    deploy_events(call, "message_wait")
    instance_id = start(call, "message_wait", "报送-1")

    _send(call, {"name": "材料已报送", "business_key": "报送-1"})

    received = [event for event in instance(call, instance_id)["history"] if event["kind"] == "message_received"]
    assert [(event["actor"], event["data"]["name"]) for event in received] == [("office", "材料已报送")]


def test_a_message_correlates_by_the_instances_variables(call):
    deploy_events(call, "message_wait")
    start(call, "message_wait", data={"topic": "旧改"})
    wanted = start(call, "message_wait", data={"topic": "加装电梯"})

    response = _send(call, {"name": "材料已报送", "correlation": {"topic": "加装电梯"}})

    assert response.json["delivered_to"] == [wanted]


def test_a_message_that_matches_two_instances_is_refused_with_409_and_changes_nothing(call):
    deploy_events(call, "message_wait")
    ids = [start(call, "message_wait"), start(call, "message_wait")]

    response = _send(call, {"name": "材料已报送"})

    assert response.status_code == 409 and "2 个" in response.json["error"]
    assert [task_names(call, i) for i in ids] == [[], []]


def test_with_all_true_every_matching_instance_receives_the_message(call):
    deploy_events(call, "message_wait")
    ids = [start(call, "message_wait"), start(call, "message_wait")]

    response = _send(call, {"name": "材料已报送", "all": True})

    assert sorted(response.json["delivered_to"]) == sorted(ids)
    assert [task_names(call, i) for i in ids] == [["审核材料"], ["审核材料"]]


def test_a_message_nothing_waits_for_is_refused_with_409_naming_it(call):
    response = _send(call, {"name": "没人等的消息"})

    assert response.status_code == 409 and "没人等的消息" in response.json["error"]


def test_a_receive_task_gets_its_message(call):
    deploy_events(call, "receive_task")
    instance_id = start(call, "receive_closed", "办结-1")

    assert _send(call, {"name": "已办结", "business_key": "办结-1"}).status_code == 200
    assert status(call, instance_id) == "completed"


def test_a_message_start_event_starts_an_instance_with_the_business_key_and_variables(call):
    deploy_events(call, "message_start")

    response = _send(call, {"name": "新线索", "business_key": "线索-7", "variables": {"source": "12345热线"}})

    [started] = response.json["started"]
    assert instance(call, started)["business_key"] == "线索-7"
    task = instance(call, started)["open_tasks"][0]
    assert task["name"] == "受理线索"
    complete(call, "office", task)
    assert status(call, started) == "completed"


def test_a_message_boundary_event_interrupts_the_task_it_is_attached_to(call):
    deploy_events(call, "message_boundary")
    instance_id = start(call, "withdrawable", "撤回-1")
    assert task_names(call, instance_id) == ["办理"]

    _send(call, {"name": "撤回", "business_key": "撤回-1"})

    assert status(call, instance_id) == "completed" and task_names(call, instance_id) == []


def test_an_event_based_gateway_takes_the_message_branch(call):
    deploy_events(call, "event_gateway")
    instance_id = start(call, "reply_or_timeout")

    _send(call, {"name": "同意"})

    history = instance(call, instance_id)["history"]
    assert status(call, instance_id) == "completed"
    assert not any(event["kind"] == "timer_fired" for event in history)


def test_a_message_starts_the_event_sub_process_of_a_running_instance(call):
    deploy_events(call, "event_subprocess")
    instance_id = start(call, "with_supplement", "补-1")

    assert _send(call, {"name": "补充材料", "business_key": "补-1"}).json["delivered_to"] == [instance_id]

    assert sorted(task_names(call, instance_id)) == ["办理", "登记补充材料"]
    for task in instance(call, instance_id)["open_tasks"]:
        complete(call, "office", task)
    assert status(call, instance_id) == "completed"


def test_a_message_starting_an_interrupting_event_sub_process_cancels_the_open_task_and_runs_to_the_end(call):
    deploy_events(call, "interrupting_event_subprocess")
    instance_id = start(call, "withdrawable_request", "撤-1")
    assert task_names(call, instance_id) == ["审核申请"]

    assert _send(call, {"name": "撤回申请", "business_key": "撤-1"}).json["delivered_to"] == [instance_id]

    assert task_names(call, instance_id) == ["登记撤回"]  # 审核申请 was interrupted
    complete(call, "office", instance(call, instance_id)["open_tasks"][0])
    assert status(call, instance_id) == "completed"
    assert _send(call, {"name": "撤回申请", "business_key": "撤-1"}).status_code == 409  # nothing waits any more


def test_a_send_task_delivers_its_message_to_the_waiting_instance_with_the_same_business_key(call):
    deploy_events(call, "message_wait", "send_task")
    waiting = start(call, "message_wait", "材料-3")
    sender = start(call, "report_send", "材料-3", data={})

    complete(call, "office", instance(call, sender)["open_tasks"][0], {})

    assert status(call, sender) == "completed"
    assert task_names(call, waiting) == ["审核材料"]


def test_a_message_throw_event_and_a_message_end_event_deliver_to_two_instances(call):
    deploy_events(call, "message_wait", "receive_task", "message_throw_end")
    waiting, closing = start(call, "message_wait", "案-1"), start(call, "receive_closed", "案-1")

    thrower = start(call, "report_and_close", "案-1")

    assert [status(call, i) for i in (thrower, closing)] == ["completed", "completed"]
    assert task_names(call, waiting) == ["审核材料"]


def test_a_thrown_message_nobody_waits_for_is_an_incident_naming_the_thrower(call):
    deploy_events(call, "message_throw_end")

    response = call("office", "POST", "/api/process-instances",
                    json={"process_key": "report_and_close", "business_key": "孤-1"})

    assert response.status_code == 422 and response.json["element"] == "throw_report"
    assert "材料已报送" in response.json["error"]


def test_a_signal_reaches_every_waiting_instance_and_starts_every_signal_start(call):
    deploy_events(call, "signal_catch", "signal_start")
    ids = [start(call, "site_work"), start(call, "site_work")]

    response = _send(call, {"name": "全区停工"}, path="/api/signals")

    assert response.status_code == 200 and sorted(response.json["delivered_to"]) == sorted(ids)
    [started] = response.json["started"]
    assert [status(call, i) for i in ids] == ["completed", "completed"]
    complete(call, "office", instance(call, started)["open_tasks"][0])
    assert status(call, started) == "completed"


def test_a_signal_throw_event_reaches_the_other_instances(call):
    deploy_events(call, "signal_catch", "signal_throw")
    waiting = start(call, "site_work")

    thrower = start(call, "stop_order")

    assert [status(call, i) for i in (thrower, waiting)] == ["completed", "completed"]


def test_a_signal_caught_inside_its_own_instance_does_not_reach_the_others(call):
    deploy_events(call, "signal_catch", "signal_inside")
    waiting = start(call, "site_work")

    thrower = start(call, "own_stop")

    assert [status(call, i) for i in (thrower, waiting)] == ["completed", "running"]


def test_only_the_office_and_the_admin_may_send_messages_and_signals(call):
    deploy_events(call, "signal_catch")
    for username in ("caoyang", "supervisor", "auditor"):
        for path in ("/api/messages", "/api/signals"):
            response = _send(call, {"name": "全区停工"}, username=username, path=path)
            assert response.status_code == 403, (username, path)
    assert _send(call, {"name": "全区停工"}, username="admin", path="/api/signals").status_code == 200


def test_a_bad_message_request_is_refused_per_field_with_422(call):
    response = _send(call, {"name": "", "correlation": [1], "all": "yes", "colour": "red"})

    assert response.status_code == 422
    assert set(response.json["errors"]) == {"name", "correlation", "all", "colour"}


def test_the_history_in_words_names_the_message_and_the_sender_kind_in_chinese():
    from engine import HistoryEvent
    from workflows.records.history import describe
    from workflows.records.labels import label

    event = HistoryEvent(kind="message_received", data={"name": "材料已报送", "variables": []})

    assert label("history_kind", "message_received") == "收到消息" and describe(event, {}) == "“材料已报送”"
    assert label("history_kind", "signal_received") == "收到信号"


def test_a_process_started_only_by_its_message_is_not_offered_to_start_by_hand(call):
    deploy_events(call, "message_start", "signal_catch")

    startable = [d["key"] for d in call("office", "GET", "/api/process-definitions?startable=true").json]
    by_hand = call("office", "POST", "/api/process-instances", json={"process_key": "clue_intake"})

    assert "clue_intake" not in startable and "site_work" in startable
    assert by_hand.status_code == 422
    assert "没有空启动事件" in by_hand.json["errors"]["process_key"]
    assert "POST /api/messages" in by_hand.json["errors"]["process_key"]
