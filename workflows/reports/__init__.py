"""Figures read from the record tables, never by restoring instances: the office's dashboard, the year-end
report, its overdue appendix and its tables as CSV and XLSX.

May use: projects/ (which process is a project's lifecycle), runtime, records/, plan/, directory/, workdays.
"""
