"""Exports: a plan as CSV, Markdown and a printable report; a team as a JSON document that
imports back into another Planner."""
