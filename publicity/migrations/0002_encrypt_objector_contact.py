"""The objector's contact encrypted at rest (core.crypto); history never copies it."""

import core.crypto
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('publicity', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='objection',
            name='objector_contact',
            field=core.crypto.EncryptedCharField(max_length=60, verbose_name='联系方式'),
        ),
        migrations.RunPython(core.crypto.migrate_encrypt("publicity", ["Objection"], ["objector_contact"]), migrations.RunPython.noop),
    ]
