"""The plan in motion: activating a year's plan (one 项目全年推进 per project, and the lanes the fixed units
play), the project pages (current step, traffic light, reports, timeline, the office's corrections recorded in
the lifecycle's history), and replacing a plan by an uploaded table, refused once its projects are under way.

May use: runtime, records/, plan/, directory/, workdays.
"""
