"""Process definitions: checking and deploying diagrams from the editor or Camunda Modeler, the editor's drafts,
versions, migrating a running instance to the newest version; starting any process (starting_any.py), the
instances' lists and pages (instances.py) and the office's mapping of lane and group names (roles.py).

May use: cases (the domain start services), runtime, records (history wording), plan, accounts, directory/ (the lanes
the router knows and the office's role mappings).
"""
