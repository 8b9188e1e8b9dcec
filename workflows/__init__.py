"""The domain: annual plans, the unit directory, routing of lanes to units, forms glue."""
