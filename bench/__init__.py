"""The benchmark of issue 8: the city's scale (16 districts × the 55-project plan) on SQLite and PostgreSQL,
with a bare SpiffWorkflow workflow as the yardstick. Run it with `make bench` or `python -m bench`."""
