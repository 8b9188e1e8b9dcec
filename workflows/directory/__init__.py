"""The unit directory: units and groups (tables, ``data/units.yaml``, name look-ups) and which unit a BPMN lane
routes a task to.

May use: engine/ only; every other package stands on it.
"""
