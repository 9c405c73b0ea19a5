"""`make load` (issue 16): the engineer's loop against gunicorn and PostgreSQL.

Fifty engineers, each with a session of their own, loop through My tasks, an htmx tick,
the team dashboard and the task's page, first as fast as they can (the loop's rate,
against `/healthz`'s rate in the same run), then at a person's pace (latency). Afterwards
every tick the client saw succeed is checked against the database. `__main__` runs it;
the other modules hold one part each, the computations pure so that tests can pin them.
"""
