"""Where the time goes: per process definition, each step's waiting and finished tasks and how long they took in
working days, overall and per unit, read with SQL from the human_task and history_event tables (never by
restoring instances). ``diagram`` reads a definition's steps from its BPMN; ``figures`` counts; ``export``
writes the CSV."""
