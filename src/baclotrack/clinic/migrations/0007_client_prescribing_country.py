"""Client.prescribing_country: the jurisdiction whose regulatory cap applies (decision 0175).

Three steps (STYLE.md): add the column nullable, fill it, make it non-null. Existing clients are
prescribed where their standard drink comes from, so every cap stays as it was: the code is
copied, except the WHO drink, which is no country's law and becomes ZZ (no national cap, as
before). The mapping is frozen here rather than imported from the core, so that a later change
to the core cannot change what this migration did.
"""

from typing import Any

from django.db import migrations, models

CHOICES = [
    ("AU", "AU"),
    ("BE", "BE"),
    ("CA", "CA"),
    ("CH", "CH"),
    ("DE", "DE"),
    ("ES", "ES"),
    ("FR", "FR"),
    ("IT", "IT"),
    ("LU", "LU"),
    ("NL", "NL"),
    ("UK", "UK"),
    ("US", "US"),
    ("ZZ", "ZZ (another country)"),
]
HELP = "The country whose rules govern the prescription; its regulatory dose cap applies."
#: Standard-drink country -> prescribing country for existing rows.
DRINK_TO_PRESCRIBING = {"US": "US", "UK": "UK", "FR": "FR", "AU": "AU", "CA": "CA", "WHO": "ZZ"}


def copy_country(apps: Any, schema_editor: Any) -> None:
    Client = apps.get_model("clinic", "Client")
    clients = Client._base_manager.using(schema_editor.connection.alias)
    for drink, prescribing in DRINK_TO_PRESCRIBING.items():
        clients.filter(country=drink).update(prescribing_country=prescribing)
    unmapped = clients.filter(prescribing_country__isnull=True).values_list("country", flat=True)
    if unmapped.exists():
        raise RuntimeError(f"clients with an unknown standard-drink country: {sorted(set(unmapped))}")


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0006_plan_step_messages_and_assessment_flags"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="prescribing_country",
            field=models.CharField(
                choices=CHOICES, help_text=HELP, max_length=2, null=True, verbose_name="prescribing country"
            ),
        ),
        migrations.RunPython(copy_country, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="client",
            name="prescribing_country",
            field=models.CharField(
                choices=CHOICES, help_text=HELP, max_length=2, verbose_name="prescribing country"
            ),
        ),
    ]
