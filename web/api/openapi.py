"""The OpenAPI 3 document served at /api/openapi.json (without a token), kept next to the API it describes."""
from __future__ import annotations

from flask import jsonify

from .common import bp

ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string"}, "errors": {"type": "object", "additionalProperties": {"type": "string"}}}}
TASK = {"type": "object", "required": ["id", "name", "state", "instance_id"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "lane": {"type": "string", "nullable": True},
    "assigned_unit": {"type": "string", "nullable": True}, "state": {"type": "string"},
    "due_on": {"type": "string", "format": "date", "nullable": True},
    "claimed_by": {"type": "string", "nullable": True}, "instance_id": {"type": "integer"},
    "business_key": {"type": "string", "nullable": True}, "process_key": {"type": "string"},
    "created_at": {"type": "string"}, "completed_by": {"type": "string", "nullable": True},
    "urgency": {"type": "string", "enum": ["normal", "soon", "overdue"]},
    "working_days_left": {"type": "integer", "nullable": True},
    "form": {"type": "array", "items": {"type": "object"}}}}
INSTANCE = {"type": "object", "required": ["id", "process_key", "status", "open_tasks"], "properties": {
    "id": {"type": "integer"}, "process_key": {"type": "string"}, "version": {"type": "integer"},
    "business_key": {"type": "string", "nullable": True}, "status": {"type": "string"},
    "error": {"type": "string", "nullable": True}, "started_at": {"type": "string"},
    "ended_at": {"type": "string", "nullable": True},
    "open_tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}},
    "history": {"type": "array", "items": {"type": "object"}}}}

DASHBOARD = {"type": "object", "required": ["year", "today", "matrix", "units", "consultations", "completions"],
             "properties": {
    "year": {"type": "integer"}, "today": {"type": "string", "format": "date"},
    "matrix": {"type": "object", "properties": {
        "rows": {"type": "array", "items": {"type": "object", "properties": {
            "number": {"type": "integer"}, "business_key": {"type": "string"}, "text": {"type": "string"},
            "lead_units": {"type": "string"}, "started": {"type": "boolean"},
            "cells": {"type": "array", "items": {"type": "object", "properties": {
                "quarter": {"type": "integer"}, "label": {"type": "string"},
                "status": {"type": "string", "enum": ["on_time", "late", "returned", "missing", "not_due",
                                                      "not_applicable"]},
                "due_on": {"type": "string", "format": "date"},
                "submitted_on": {"type": "string", "format": "date", "nullable": True},
                "accepted": {"type": "boolean"}}}}}}},
        "totals": {"type": "object", "description": "季度（\"1\"–\"4\"）→ 状态 → 项目数"}}},
    "units": {"type": "array", "items": {"type": "object", "properties": {
        "unit_code": {"type": "string", "nullable": True}, "unit_name": {"type": "string"},
        "overdue": {"type": "integer"}, "oldest_overdue_workdays": {"type": "integer"},
        "due_soon": {"type": "integer"}}}},
    "consultations": {"type": "object", "properties": {
        "total": {"type": "integer"}, "open": {"type": "integer"}, "overall": {"type": "object"},
        "by_department": {"type": "array", "items": {"type": "object"}}}},
    "completions": {"type": "object", "properties": {
        "counts": {"type": "object"}, "late": {"type": "integer"}, "overdue_not_submitted": {"type": "integer"}}}}}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    names = {400: "参数有误", 401: "缺少或无效的令牌", 403: "无权操作", 404: "不存在或不可见",
             409: "任务已不在待办状态或已被他人认领", 422: "数据有误（按字段列出）"}
    return {str(code): _json({"$ref": "#/components/schemas/Error"}, names[code]) for code in codes}


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def _query(name: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema}


COMMENT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "author": {"type": "string"}, "unit_code": {"type": "string"},
    "unit_name": {"type": "string"}, "task_id": {"type": "integer", "nullable": True},
    "task_name": {"type": "string", "nullable": True}, "body": {"type": "string"}, "created_at": {"type": "string"}}}
ATTACHMENT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "filename": {"type": "string"}, "content_type": {"type": "string"},
    "size": {"type": "integer"}, "sha256": {"type": "string"}, "task_id": {"type": "integer", "nullable": True},
    "uploaded_by": {"type": "string"}, "unit_code": {"type": "string"}, "uploaded_at": {"type": "string"}}}


def _task_note_paths() -> dict:
    """Comments, attachments and drafts of a task (tasks.py, workflows/tasks/notes.py)."""
    task_id = [_path_id("task_id")]
    too_large = {"413": _json({"$ref": "#/components/schemas/Error"}, "请求体超过上限（单个附件 10 MB）")}
    upload = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}}
    return {
        "/api/tasks/{task_id}/comments": {
            "get": {"summary": "流程中的意见（按时间先后）", "parameters": task_id,
                    "responses": {"200": _json({"type": "array", "items": COMMENT}, "意见"), **_errors(401, 404)}},
            "post": {"summary": "发表意见（1–2000 字；审计账号不可）", "parameters": task_id,
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "required": ["body"], "properties": {"body": {"type": "string"}}}}}},
                     "responses": {"201": _json(COMMENT, "已发表"), **_errors(401, 403, 404, 422)}}},
        "/api/tasks/{task_id}/attachments": {
            "get": {"summary": "流程中的附件", "parameters": task_id,
                    "responses": {"200": _json({"type": "array", "items": ATTACHMENT}, "附件"), **_errors(401, 404)}},
            "post": {"summary": "上传附件（办理单位；PDF、Office、WPS、OFD、JPG、PNG、TXT、ZIP，按内容核验类型）",
                     "parameters": task_id, "requestBody": upload,
                     "responses": {"201": _json(ATTACHMENT, "已上传"), **_errors(401, 403, 404, 409, 422),
                                   **too_large}}},
        "/api/attachments/{attachment_id}": {"get": {
            "summary": "下载附件", "parameters": [_path_id("attachment_id")],
            "responses": {"200": {"description": "文件内容（Content-Disposition: attachment）",
                                  "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                                      "format": "binary"}}}},
                          **_errors(401, 404)}}},
        "/api/tasks/{task_id}/draft": {"put": {
            "summary": "保存草稿（不校验必填；表单外的字段被忽略；不超过 64 KB）", "parameters": task_id,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": _json({"type": "object", "properties": {
                "task_id": {"type": "integer"}, "data": {"type": "object"}, "saved_by": {"type": "string"},
                "saved_at": {"type": "string"}}}, "已保存"), **_errors(401, 403, 404, 409, 422)}}},
    }


def _task_action_paths() -> dict:
    def body(required: list[str], properties: dict) -> dict:
        return {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": required, "additionalProperties": False, "properties": properties}}}}

    extension = {"type": "object", "properties": {
        "id": {"type": "integer"}, "task_id": {"type": "integer"}, "status": {"type": "string"},
        "current_due_on": {"type": "string", "format": "date"}, "requested_due_on": {"type": "string", "format": "date"},
        "reason": {"type": "string"}, "instance_id": {"type": "integer"}}}
    return {
        "/api/tasks/{task_id}/reassign": {"post": {
            "summary": "改派任务给另一个单位（区推进办、管理员；单位须为具体单位而非单位组；认领随之取消）",
            "parameters": [_path_id("task_id")],
            "requestBody": body(["unit", "reason"], {"unit": {"type": "string", "description": "单位代码或名称"},
                                                     "reason": {"type": "string", "maxLength": 500}}),
            "responses": {"200": _json({"$ref": "#/components/schemas/Task"}, "已改派"),
                          **_errors(401, 403, 404, 409, 422)}}},
        "/api/tasks/{task_id}/extension": {"post": {
            "summary": "延期申请（任务所在单位；须晚于当前期限且不超过一年；同一任务同时只能有一份待审批的申请）",
            "parameters": [_path_id("task_id")],
            "requestBody": body(["requested_due_on", "reason"], {
                "requested_due_on": {"type": "string", "format": "date"},
                "reason": {"type": "string", "minLength": 1, "maxLength": 500}}),
            "responses": {"201": _json(extension, "已提交，等待区推进办审批"), **_errors(401, 403, 404, 409, 422)}}},
    }


DEFINITION = {"type": "object", "required": ["key", "version"], "properties": {
    "key": {"type": "string"}, "version": {"type": "integer"}, "name": {"type": "string"},
    "deployed_by": {"type": "string"}, "deployed_at": {"type": "string"}}}
REFUSED_DIAGRAM = {"type": "object", "required": ["error", "problems"], "properties": {
    "error": {"type": "string"}, "problems": {"type": "array", "items": {"type": "object", "properties": {
        "element": {"type": "string", "nullable": True, "description": "BPMN 元素 id"},
        "message": {"type": "string"},
        "rule": {"type": "string", "description": "bpmnlint:<规则>、parse、sandbox、xml 或 unsupported"}}}}}}


def _decision_paths() -> dict:
    """Deploying DMN decision tables (decisions.py, workflows/decisions/files.py)."""
    dmn = {"type": "string", "description": "DMN XML，不超过 5 MB"}
    deployed = {"type": "object", "required": ["definitions"], "properties": {
        "definitions": {"type": "array", "items": DEFINITION}}}
    return {
        "/api/decision-definitions": {
            "get": {"summary": "已部署的决策及各版本（区推进办、督查科、审计、管理员）",
                    "responses": {"200": _json({"type": "array", "items": DEFINITION}, "版本列表"),
                                  **_errors(401, 403)}},
            "post": {"summary": "部署 DMN 文件（区推进办、管理员）：文件中的每个决策成为其新版本，业务规则任务使用最新版本",
                     "requestBody": {"required": True, "content": {
                         "application/xml": {"schema": dmn}, "text/xml": {"schema": dmn},
                         "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                             "file": {"type": "string", "format": "binary"}}}}}},
                     "responses": {"201": _json(deployed, "已部署"),
                                   "422": _json(REFUSED_DIAGRAM, "未部署：按单元格（规则、列）列出问题"),
                                   "413": _json({"$ref": "#/components/schemas/Error"}, "文件大于 5 MB"),
                                   **_errors(401, 403)}}},
        "/api/decision-definitions/{key}/{version}/xml": {"get": {
            "summary": "下载某一版本的 DMN XML",
            "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}},
                           _path_id("version")],
            "responses": {"200": {"description": "DMN XML", "content": {"application/xml": {"schema": dmn}}},
                          **_errors(401, 403, 404)}}},
    }


def _definition_paths() -> dict:
    """Deploying diagrams and migrating instances (definitions.py, workflows/processes/deployment.py)."""
    bpmn = {"type": "string", "description": "BPMN 2.0 XML，不超过 5 MB"}
    deployed = {**DEFINITION, "properties": {**DEFINITION["properties"], "definitions": {
        "type": "array", "items": DEFINITION}, "notes": {"type": "array", "items": {"type": "string"}}}}
    return {
        "/api/process-definitions": {
            "get": {"summary": "已部署的流程及各版本（区推进办、督查科、审计、管理员）；startable=true：调用者可发起的流程、"
                               "说明与开始表单（所有人）",
                    "parameters": [_query("startable", {"type": "string", "enum": ["true"]})],
                    "responses": {"200": _json({"type": "array", "items": DEFINITION}, "版本列表"),
                                  **_errors(401, 403)}},
            "post": {"summary": "部署 BPMN 文件（区推进办、管理员）：每个流程成为新版本，运行中的实例保持原版本",
                     "requestBody": {"required": True, "content": {
                         "application/xml": {"schema": bpmn}, "text/xml": {"schema": bpmn},
                         "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                             "file": {"type": "string", "format": "binary"}}}}}},
                     "responses": {"201": _json(deployed, "已部署；notes 说明自动修正（如设为可执行）"),
                                   "422": _json(REFUSED_DIAGRAM, "未部署：按元素列出问题"),
                                   "413": _json({"$ref": "#/components/schemas/Error"}, "文件大于 5 MB"),
                                   **_errors(401, 403)}}},
        "/api/process-definitions/{key}/{version}/xml": {"get": {
            "summary": "下载某一版本的 BPMN XML",
            "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}},
                           _path_id("version")],
            "responses": {"200": {"description": "BPMN XML", "content": {"application/xml": {"schema": bpmn}}},
                          **_errors(401, 403, 404)}}},
        "/api/process-instances/{instance_id}/migrate": {"post": {
            "summary": "把运行中的实例迁移到其流程的最新版本（区推进办、管理员；所等待的任务须在新版本中存在）",
            "parameters": [_path_id("instance_id")],
            "responses": {"200": _json({"$ref": "#/components/schemas/Instance"}, "已迁移"),
                          **_errors(401, 403, 404, 409)}}},
    }


def _instance_list() -> dict:
    """我发起的 for everyone; every instance, filtered, for the overseers (instances.py)."""
    row = {"type": "object", "properties": {name: {"type": "string"} for name in (
        "process_key", "process_name", "business_key", "status", "started_by", "started_at", "current_step")}}
    filters = [_query(name, {"type": "string"}) for name in ("process", "status", "business_key", "project")]
    return {"summary": "流程实例列表：started_by=me（我发起的）或 my_unit 人人可用；其余筛选限区推进办、督查科、审计、管理员",
            "parameters": [_query("started_by", {"type": "string"}), _query("version", {"type": "integer"}), *filters],
            "responses": {"200": _json({"type": "array", "items": row}, "实例及当前环节"), **_errors(400, 401, 403)}}


def _start_paths() -> dict:
    """Cancelling an instance and the office's mapping of a process's lane and group names (instances.py,
    definitions.py)."""
    key = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
    names = {"type": "array", "items": {"type": "object", "properties": {
        "name": {"type": "string"}, "unit": {"type": "string", "nullable": True},
        "known_as": {"type": "string", "nullable": True}}}}
    return {
        "/api/process-instances/{instance_id}/cancel": {"post": {
            "summary": "取消运行中的实例（区推进办、管理员），须说明理由", "parameters": [_path_id("instance_id")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}}}},
            "responses": {"200": _json({"$ref": "#/components/schemas/Instance"}, "已取消"),
                          **_errors(401, 403, 404, 409, 422)}}},
        "/api/process-definitions/{key}/roles": {
            "get": {"summary": "流程的泳道与候选组名称及其对应单位", "parameters": [key],
                    "responses": {"200": _json(names, "名称"), **_errors(401, 403, 404)}},
            "put": {"summary": "设置名称对应的单位（区推进办、管理员）：{名称: 单位代码或名称, 空串为取消}，适用于以后各版本",
                    "parameters": [key],
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
                    "responses": {"200": _json(names, "已保存"), **_errors(401, 403, 404, 422)}}},
    }


def _event_paths() -> dict:
    """Messages and signals the office sends (events.py)."""
    delivered = _json({"type": "object", "properties": {
        "delivered_to": {"type": "array", "items": {"type": "integer"}, "description": "收到的实例"},
        "started": {"type": "array", "items": {"type": "integer"}, "description": "因此启动的实例"}}}, "已送达")
    no_receiver = _json({"$ref": "#/components/schemas/Error"}, "没有或有多个接收者（未设 all）")
    variables = {"type": "object", "description": "变量名 → 值，成为接收实例的变量"}
    message = {"type": "object", "required": ["name"], "additionalProperties": False, "properties": {
        "name": {"type": "string"}, "business_key": {"type": "string"},
        "correlation": {"type": "object", "description": "变量名 → 接收实例须有的值"},
        "variables": variables, "all": {"type": "boolean"}}}
    signal = {"type": "object", "required": ["name"], "additionalProperties": False,
              "properties": {"name": {"type": "string"}, "variables": variables}}
    return {
        "/api/messages": {"post": {
            "summary": "发送消息（区推进办、管理员）：送达唯一匹配的等待实例，或启动以该消息开始的流程",
            "requestBody": {"required": True, "content": {"application/json": {"schema": message}}},
            "responses": {"200": delivered, "409": no_receiver, **_errors(401, 403, 422)}}},
        "/api/signals": {"post": {
            "summary": "广播信号（区推进办、管理员）：送达所有等待该信号的实例，并启动以该信号开始的流程",
            "requestBody": {"required": True, "content": {"application/json": {"schema": signal}}},
            "responses": {"200": delivered, **_errors(401, 403, 422)}}},
    }


def document() -> dict:
    task_ref = {"$ref": "#/components/schemas/Task"}
    year = _query("year", {"type": "integer"})
    task_filters = [_query("process", {"type": "string"}), _query("project", {"type": "string"}),
                    _query("area", {"type": "integer"}), _query("status", {"type": "string",
                                                                           "enum": ["claimed", "unclaimed"]}),
                    _query("overdue", {"type": "string", "enum": ["true", "false"]}), _query("q", {"type": "string"}),
                    _query("page", {"type": "integer", "minimum": 1, "maximum": 10000}),
                    _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100})]
    page = {"type": "object", "properties": {"items": {"type": "array", "items": task_ref},
                                             "page": {"type": "integer"}, "per_page": {"type": "integer"},
                                             "total": {"type": "integer"}}}
    on_task = lambda summary, ok: {  # noqa: E731
        "post": {"summary": summary, "parameters": [_path_id("task_id")],
                 "responses": {"200": _json(ok, "成功"), **_errors(401, 403, 404, 409)}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "普陀区重点工作督查督办 API", "version": "1.0"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR, "Task": TASK, "Instance": INSTANCE},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/projects": {"get": {"summary": "计划项目列表", "parameters": [year],
                                      "responses": {"200": _json({"type": "array", "items": {"type": "object"}}, "项目"),
                                                    **_errors(401)}}},
            "/api/projects/{number}": {"get": {"summary": "一个项目", "parameters": [_path_id("number"), year],
                                               "responses": {"200": _json({"type": "object"}, "项目"),
                                                             **_errors(401, 404)}}},
            "/api/tasks": {"get": {"summary": "本单位待办", "parameters": task_filters,
                                   "responses": {"200": _json(page, "待办"), **_errors(400, 401)}}},
            "/api/tasks/{task_id}": {"get": {"summary": "一个任务及其表单", "parameters": [_path_id("task_id")],
                                             "responses": {"200": _json(task_ref, "任务"), **_errors(401, 404)}}},
            "/api/tasks/{task_id}/claim": on_task("认领", task_ref),
            "/api/tasks/{task_id}/release": on_task("释放", task_ref),
            "/api/tasks/{task_id}/complete": {"post": {
                "summary": "提交表单完成任务", "parameters": [_path_id("task_id")],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": _json({"type": "object", "properties": {
                    "completed": {"type": "integer"}, "instance_status": {"type": "string"},
                    "next_tasks": {"type": "array", "items": task_ref}}}, "已完成，及随后的待办"),
                    **_errors(401, 403, 404, 409, 422)}}},
            "/api/process-instances": {"get": _instance_list(), "post": {
                "summary": "启动调用者可发起的任何流程：开始表单逐字段校验（422）；同一 Idempotency-Key 只启动一个实例",
                "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["process_key"], "additionalProperties": False,
                    "properties": {"process_key": {"type": "string"}, "business_key": {"type": "string"},
                                   "data": {"type": "object"}}}}}},
                "responses": {"201": _json({"$ref": "#/components/schemas/Instance"}, "已启动"),
                              **_errors(401, 403, 422)}}},
            "/api/process-instances/{instance_id}": {"get": {
                "summary": "流程实例：状态、待办与办理记录", "parameters": [_path_id("instance_id")],
                "responses": {"200": _json({"$ref": "#/components/schemas/Instance"}, "实例"), **_errors(401, 404)}}},
            "/api/dashboard": {"get": {
                "summary": "驾驶舱：项目×季度报送矩阵、各单位逾期待办、条块约请统计、办结情况（区推进办、督查科、审计、管理员）",
                "parameters": [_query("year", {"type": "integer", "description": "计划年度，缺省为最新已启动的计划"})],
                "responses": {"200": _json(DASHBOARD, "驾驶舱数据（日期为 ISO 格式，天数为工作日）"),
                              **_errors(401, 403, 404, 422)}}},
            **_task_note_paths(),
            **_task_action_paths(),
            **_definition_paths(),
            **_decision_paths(),
            **_start_paths(),
            **_event_paths(),
            "/api/openapi.json": {"get": {"summary": "本文档", "security": [],
                                          "responses": {"200": _json({"type": "object"}, "OpenAPI 文档")}}},
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
