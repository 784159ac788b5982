"""Create the group whose members are clinicians (access.CLINICIANS_GROUP)."""

from typing import Any

from django.db import migrations


def create_group(apps: Any, schema_editor: Any) -> None:
    apps.get_model("auth", "Group").objects.get_or_create(name="clinicians")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
