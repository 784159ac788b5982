"""Create the group whose members may download the de-identified research export (access.RESEARCHERS_GROUP)."""

from typing import Any

from django.db import migrations


def create_group(apps: Any, schema_editor: Any) -> None:
    apps.get_model("auth", "Group").objects.get_or_create(name="researchers")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0002_clinicians_group")]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
