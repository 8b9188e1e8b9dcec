"""bpmnlint's reports in Chinese: the office reads no English, so a report shows only the Chinese sentence
(the rule stays in the problem's ``rule`` for whoever needs it)."""
from __future__ import annotations

# bpmnlint's messages by rule.
LINT_MESSAGES = {
    "label-required": "元素缺少名称", "no-disconnected": "元素没有连线", "no-implicit-start": "元素没有进入的连线",
    "no-implicit-end": "元素没有离开的连线", "start-event-required": "流程缺少开始事件",
    "end-event-required": "流程缺少结束事件", "no-complex-gateway": "不支持复杂网关",
    "conditional-flows": "条件连线缺少条件", "no-duplicate-sequence-flows": "重复的连线",
    "no-gateway-join-fork": "网关同时汇合与分支", "no-implicit-split": "任务有多条离开的连线但没有网关",
    "single-blank-start-event": "只能有一个空白开始事件", "single-event-definition": "一个事件只能有一个事件定义",
    "no-bpmndi": "缺少图形信息（BPMN DI），可用 python -m engine.layout 补画",
    "fake-join": "多条连线进入任务而没有汇合网关", "superfluous-gateway": "多余的网关（只有一进一出）",
    "superfluous-termination": "多余的终止结束事件", "no-overlapping-elements": "元素相互重叠",
    "superfluous-label": "多余的名称", "global": "全局元素有误", "link-event": "链接事件不成对",
    "event-based-gateway": "事件网关的后续必须是捕获事件", "ad-hoc-sub-process": "自由子流程有误",
    "sub-process-blank-start-event": "子流程须有空白开始事件",
    "event-sub-process-typed-start-event": "事件子流程的开始事件须有类型",
    "standard-size": "元素不是标准尺寸", "conditional-event": "条件事件缺少条件",
    "no-inclusive-gateway": "包容网关",
}
# Rules that say different things under one name: the English message picks the Chinese one.
LINT_MESSAGE_VARIANTS = {"Element is outside of parent boundary": "元素超出了所在泳道、池或子流程的边界"}
UNKNOWN_LINT_MESSAGE = "流程图的画法不够规范（可部署）"


def lint_message(rule: str, english: str) -> str:
    """bpmnlint's report in Chinese only (the office reads no English): by its message where a rule has several,
    else by its rule."""
    return LINT_MESSAGE_VARIANTS.get(english) or LINT_MESSAGES.get(rule, UNKNOWN_LINT_MESSAGE)
