"""The year's plan as data: its tables (plan, task areas, projects and their units), the plan file (``data/``,
checked by document.py, loaded by loading.py), the office's spreadsheet read into the file's layout, and
finding a project by business key.

May use: directory/. The plan in motion (activation, replacing a started plan) is projects/, which stands on the
records and the engine's wiring that this package lies beneath.
"""
