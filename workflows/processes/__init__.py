"""Process definitions: checking and deploying diagrams from the editor or Camunda Modeler, the editor's drafts,
versions, and migrating a running instance to the newest version.

May use: runtime, directory/ (the lanes the router knows).
"""
