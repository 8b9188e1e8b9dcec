"""Cases opened by hand: a street's 条块约请, the supervision section's check, the office's meeting and a
department's access application (the start forms, checked field by field), starting any process by key
through the API, and the summary a task page shows of its case.

May use: projects/, runtime, records/, plan/, accounts/, directory/, forms.
"""
