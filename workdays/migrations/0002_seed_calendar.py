"""Every database starts with the holiday arrangements the chinese-calendar package knows (DESIGN §5)."""

from django.db import migrations


def seed(apps, schema_editor):
    from workdays.services import seed_from_package

    seed_from_package(
        arrangement_model=apps.get_model("workdays", "HolidayArrangement"),
        day_model=apps.get_model("workdays", "SpecialDay"),
    )


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
