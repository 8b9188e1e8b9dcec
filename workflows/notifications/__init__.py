"""The 消息 centre: a message for a unit or one user whenever something needs them — a task arrived for the unit,
a report was returned, a 催办, a comment on the unit's task, an extension decided, a consultation replied or rated,
an incident on an instance the user started. Written in the same transaction as the fact (messages.py; the task
arrivals by one session hook, arrivals.py); read and marked read from the pages and the API.

May use: engine/ only (it sits below every package that writes a message).
"""
