"""Plans carry the moment their reminders count from.

A started plan gets what `plan_start` sets now: when it was started, or the start of its
day 1 if that was earlier. Boundaries that passed while a plan was paused, or before its
day 1 moved, are in the reminder ledger as skipped already."""

import zoneinfo
from datetime import datetime, time

from django.db import migrations, models


def fill_reminders_from(apps, schema_editor):
    Plan = apps.get_model("plans", "Plan")
    started = Plan.objects.filter(start_date__isnull=False).select_related("team")
    for plan in started.iterator(chunk_size=500):
        zone = zoneinfo.ZoneInfo(plan.team.time_zone)
        day_one = datetime.combine(plan.start_date, time(), zone)
        plan.reminders_from = min(plan.started_at or day_one, day_one)
        plan.save(update_fields=["reminders_from"])


class Migration(migrations.Migration):

    dependencies = [
        ("plans", "0005_capacity"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="reminders_from",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_reminders_from, migrations.RunPython.noop, elidable=True),
    ]
