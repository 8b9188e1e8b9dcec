"""Process definitions: checking and deploying diagrams from the editor or Camunda Modeler, the editor's drafts,
versions, and migrating a running instance to the newest version.

May use: cases (the domain start services), runtime, records (history wording), plan, accounts, directory/ (the lanes
the router knows and the office's role mappings).
"""
