"""What several blueprints share, so that they need not import each other: the task blueprints' guard and task
page (inbox, task_notes, task_actions), attachments in and out (task_notes and the API), and the dashboard's
figures (the dashboard page and the API).

May use: core/, workflows/, engine/; never a blueprint.
"""
