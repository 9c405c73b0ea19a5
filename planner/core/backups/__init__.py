"""Backups of Planner's database: `spec` says what to run (pure), `services` runs it for the
`backup` and `restore` management commands."""
