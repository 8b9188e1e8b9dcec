"""The OpenAPI 3 document served at /api/openapi.json, kept next to the API it describes."""
from __future__ import annotations

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
            "/api/process-instances": {"post": {
                "summary": "启动流程（条块约请、跟踪督查、定期例会、社区事务准入、项目全年推进）",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["process_key"], "additionalProperties": False,
                    "properties": {"process_key": {"type": "string"}, "business_key": {"type": "string"},
                                   "data": {"type": "object"}}}}}},
                "responses": {"201": _json({"$ref": "#/components/schemas/Instance"}, "已启动"),
                              **_errors(401, 403, 422)}}},
            "/api/process-instances/{instance_id}": {"get": {
                "summary": "流程实例：状态、待办与办理记录", "parameters": [_path_id("instance_id")],
                "responses": {"200": _json({"$ref": "#/components/schemas/Instance"}, "实例"), **_errors(401, 404)}}},
            "/api/openapi.json": {"get": {"summary": "本文档", "security": [],
                                          "responses": {"200": _json({"type": "object"}, "OpenAPI 文档")}}},
        },
    }
