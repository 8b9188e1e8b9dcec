"""Every code the product stores or shows, as the word a clerk uses: one table per vocabulary.

Pages, history lines, tables, PDFs, exports and the dashboard look codes up here and nowhere else. A code without
a label is a bug, not a fallback: `label` raises `MissingLabel`, and tests/test_labels.py reads every enum value
of bpmn/*.bpmn and every status the records and the engine write, and asserts each has its label.
"""
from __future__ import annotations

from datetime import date

# The diagrams' enum form fields, by field id (the same code can mean different things in two fields:
# ``return`` is 退回修改 in a review, 退回补充 for a completion report, 退回重评 for a score).
CHOICES: dict[str, dict[str, str]] = {
    "status": {"on_track": "正常推进", "at_risk": "存在风险", "delayed": "进度滞后"},
    "next_step": {"submit": "提交区推进办", "consult": "先征求责任单位意见"},
    "verdict": {"accept": "通过", "return": "退回修改"},
    "completion_verdict": {"confirm": "确认办结", "return": "退回补充"},
    "score_decision": {"confirm": "确认", "return": "退回重评"},
    "finding": {"satisfactory": "符合要求", "rectify": "限期整改"},
    "verification": {"passed": "整改到位", "failed": "整改不到位"},
    "reply_kind": {"plan": "处理方案", "result": "处理结果"},
    "rating": {"satisfied": "满意", "unsatisfied": "不满意"},
    "coordination": {"close": "协调办结", "redo": "退回部门重新答复"},
    "extension_decision": {"approve": "同意延期", "refuse": "不同意延期"},
    "action_verdict": {"done": "已落实", "again": "未落实，继续跟踪"},
    "lawful": {"yes": "有法定依据", "no": "无法定依据", "unclear": "依据不充分"},
    "access_decision": {"approve": "准予下沉", "reject": "不予准入", "return": "退回修改"},
}

# Form fields that hold uploaded files (type "attachments" in the diagrams): shown as file names, never as ids.
FILE_FIELDS: frozenset[str] = frozenset({"attachments", "evidence"})

# Every form field of the diagrams, by id, as the history and the task pages name it (the diagrams' own label,
# without units such as "（%）"; where two diagrams label one id differently, the wording both can carry).
FIELDS: dict[str, str] = {
    "access_comment": "审核意见", "access_decision": "审核结论", "action_comment": "说明", "action_result": "落实情况",
    "action_verdict": "确认意见", "affair": "下沉事务", "agenda_items": "议题", "agenda_problems": "需协调的问题",
    "answer": "落实情况", "applicant_name": "申请单位", "approved_due": "批准延至", "attachments": "附件",
    "chase_note": "催办记录", "completion_comment": "意见说明", "completion_results": "主要成效",
    "completion_summary": "完成情况", "completion_verdict": "审核意见", "contribution": "本单位材料",
    "coordination": "协调结果", "coordination_note": "协调说明", "current_due": "当前期限", "decision_comment": "审批意见",
    "decisions": "决定事项", "dispatch_note": "分派说明", "evidence": "佐证材料", "experience": "经验做法、案例",
    "extension_decision": "审批结论", "extension_reason": "延期理由", "final_score": "最终得分", "finding": "督查结论",
    "finding_note": "结论说明", "funding": "随事务下沉的经费", "invited_departments": "被约请部门",
    "lawful": "是否有法定依据", "legal_basis": "法律法规依据", "legal_note": "法律意见", "minutes": "会议纪要",
    "next_step": "下一步", "office_comment": "推进办意见", "on_responsibility_list": "是否列入街道职责清单",
    "original_task": "原任务", "percent": "完成比例", "problems": "存在问题", "progress": "进展情况",
    "rating": "评价", "rating_reason": "不满意的原因", "rectification": "整改情况", "rectify_due": "整改期限",
    "reply_kind": "答复类型", "reply_text": "答复内容", "requested_due": "申请延至", "score_comment": "说明",
    "score_decision": "确认意见", "self_score": "自评分", "self_shortcomings": "存在不足和下一步打算",
    "self_summary": "全年完成情况", "signer": "签收人", "signer_phone": "联系电话", "staffing": "随事务下沉的人员",
    "status": "推进状态", "supervisor_comment": "评价意见", "supervisor_score": "评分", "verdict": "审核意见",
    "verification": "核查结论", "verification_note": "核查说明",
}

# What the records, the engine and the tasks store, by vocabulary.
VOCABULARIES: dict[str, dict[str, str]] = {
    "progress_status": CHOICES["status"],
    "report_status": {"submitted": "已提交，待审核", "returned": "已退回", "accepted": "已通过", "pending": "未报送"},
    "completion_status": {"submitted": "已提交，待确认", "returned": "已退回补充", "confirmed": "已确认办结",
                          "pending": "未提交", "not_submitted": "未提交"},
    "check_status": {"open": "待反馈", "answered": "已反馈，待结论", "rectifying": "整改中", "closed": "已办结"},
    "finding": CHOICES["finding"],
    "consultation_status": {"open": "办理中", "closed": "已办结"},
    "rating": CHOICES["rating"],
    "access_status": {"reviewing": "审核中", "returned": "已退回修改", "approved": "准予下沉", "rejected": "不予准入"},
    "lawful": CHOICES["lawful"],
    "meeting_status": {"called": "已通知", "held": "已召开", "closed": "已办结"},
    "action_status": {"open": "落实中", "reported": "已报告，待确认", "done": "已落实"},
    "extension_status": {"pending": "待区推进办审批", "approved": "已同意", "refused": "不同意", "void": "已作废"},
    "history_kind": {"started": "流程启动", "task_completed": "办理", "timer_fired": "定时触发", "completed": "流程结束",
                     "cancelled": "流程撤销", "error": "流程出错", "project_edited": "修改项目信息",
                     "task_reassigned": "改派", "task_due_changed": "调整期限", "migrated": "升级流程版本",
                     "incident": "运行故障", "retried": "故障后重试", "error_thrown": "流程抛出错误",
                     "instance_started": "发起流程", "task_urged": "催办", "message_received": "收到消息",
                     "signal_received": "收到信号"},
    "task_state": {"ready": "待办", "completed": "已办", "cancelled": "已撤销"},
    "instance_status": {"running": "办理中", "completed": "已结束", "cancelled": "已撤销", "error": "出错待处理"},
    # The one list of a quarterly report's standing against its deadline: pages, the PDF and the dashboard.
    "report_standing": {"on_time": "按时报送", "late": "逾期报送", "returned": "退回待改", "missing": "逾期未报",
                        "not_due": "未到期", "not_applicable": "不适用"},
    "completion_outcome": {"on_time": "按期办结", "late": "逾期办结", "open": "未办结"},
    "extension_status": {"pending": "待区推进办审批", "approved": "已同意", "refused": "不同意", "void": "已作废"},
    # A project's light in the project list, its filter and its CSV export.
    "project_light": {"red": "已逾期", "yellow": "3个工作日内到期", "green": "正常推进", "completed": "已办结"},
}


class MissingLabel(LookupError):
    """A code has no label in its vocabulary: a programming error, never shown as the raw code."""


def label(vocabulary: str, value: str) -> str:
    """The Chinese word for ``value`` in ``vocabulary`` (a key of VOCABULARIES); raises MissingLabel."""
    try:
        return VOCABULARIES[vocabulary][value]
    except KeyError:
        raise MissingLabel(f"“{vocabulary}”中没有“{value}”的名称") from None


def choice_label(field_id: str, value: str) -> str:
    """The label of a diagram's enum choice; raises MissingLabel for a field or value not in CHOICES."""
    try:
        return CHOICES[field_id][value]
    except KeyError:
        raise MissingLabel(f"表单字段“{field_id}”中没有“{value}”的名称") from None


def _chinese_date(value: str) -> str:
    day = date.fromisoformat(str(value)[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def shown_value(field_id: str, value, *, units: dict[str, str], files: dict[int, str] | None = None) -> str:
    """A stored form value as a page shows it: an enum choice as its label, a percentage with %, a date the
    Chinese way, unit codes as names, attachment ids as file names, booleans as 是/否, meeting decisions as
    单位：事项（期限）. ``units``: code → name; ``files``: attachment id → file name. Raises MissingLabel for an
    enum value of a known field that has no label."""
    if value is None or value == "" or value == []:
        return ""
    if field_id in CHOICES:
        return choice_label(field_id, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if field_id == "percent":
        return f"{value}%"
    if field_id in FILE_FIELDS and isinstance(value, list):
        return "、".join((files or {}).get(item, f"附件{item}") for item in value)
    if field_id == "decisions" and isinstance(value, list):
        return "；".join(f"{units.get(item.get('unit'), item.get('unit'))}：{item.get('task')}"
                        f"（{_chinese_date(item['due_on'])}前）" for item in value if isinstance(item, dict))
    if isinstance(value, list):
        return "、".join(units.get(str(item), str(item)) for item in value)
    if field_id.endswith("_due") and isinstance(value, str) and len(value) >= 10:
        return _chinese_date(value)
    return str(value)
