"""The activity feed moves from progress to plans (it is the plan's history). Only Django's
state moves: the table stays `progress_activity`, its rows and indexes untouched."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

KINDS = [
    ("done", "ticked off"),
    ("reopened", "reopened"),
    ("skipped", "skipped"),
    ("taken", "took"),
    ("assigned", "assigned"),
    ("moved", "moved"),
    ("renamed", "renamed"),
    ("added", "added"),
    ("noted", "updated the note of"),
    ("measured", "measured"),
    ("started", "started the plan"),
    ("finished", "finished the plan"),
    ("paused", "paused the plan"),
    ("resumed", "resumed the plan"),
    ("rescheduled", "moved the start date"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0006_reminders_from"),
        ("progress", "0002_more_activity"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Activity",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(choices=KINDS, max_length=16)),
                        ("detail", models.JSONField(blank=True, default=dict)),
                        (
                            "at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        (
                            "actor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "kpi_target",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="activities",
                                to="plans.kpitarget",
                            ),
                        ),
                        (
                            "plan",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="activities",
                                to="plans.plan",
                            ),
                        ),
                        (
                            "task",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="activities",
                                to="plans.plantask",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "progress_activity",
                        "verbose_name": "activity",
                        "verbose_name_plural": "activities",
                        "ordering": ["-at", "-pk"],
                        "indexes": [models.Index(fields=["plan", "-at"], name="activity_plan_recent")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
