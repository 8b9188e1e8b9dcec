"""What the processes leave behind: the fact tables (reports, completions, evaluations, checks, consultations,
meetings, access applications, settings), the recorders that write them when a tagged task completes, the
year-end score, the office's settings and the history as people read it.

May use: plan/, directory/, workdays.
"""
