"""Stored answers: a serverless `serving_hardware` also sets the new `serving_platform`.

The questionnaire asks where the model service runs (`serving_platform`); a team that
answered serverless hardware before the question existed runs serverless, and its plan
must push metrics instead of having them scraped. Answers that name a platform keep it.
"""

from typing import Any

from django.db import migrations


def set_serving_platform(apps: Any, schema_editor: Any) -> None:
    Assessment = apps.get_model("assessment", "Assessment")
    changed = []
    for assessment in Assessment.objects.only("id", "answers").iterator():
        answers = assessment.answers
        if (
            isinstance(answers, dict)
            and answers.get("serving_hardware") == "serverless"
            and answers.get("serving_platform") in (None, "")
        ):
            assessment.answers = {**answers, "serving_platform": "serverless"}
            changed.append(assessment)
    Assessment.objects.bulk_update(changed, ["answers"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [
        migrations.RunPython(set_serving_platform, migrations.RunPython.noop, elidable=True),
    ]
