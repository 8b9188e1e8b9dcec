"""Tasks: the inbox (待办/已办, claiming, the task page), who may see and do a task, completing one (its form
checked, its facts recorded), drafts, comments and attachments, 延期申请 and the office's 改派.

May use: cases/ (a task page shows its case; extension and reassignment forms use its checker), projects/,
runtime, records/, plan/, accounts/, directory/, forms, workdays.
"""
