"""Decision tables (DMN): deploying .dmn files, the office's drafts of the scoring rules, validating, previewing
what a draft would change, and publishing it."""
