"""Users' phones encrypted at rest (core.crypto), in the live and the historical table."""

import core.crypto
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0002_duties'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicaluser',
            name='phone',
            field=core.crypto.EncryptedCharField(blank=True, max_length=40, verbose_name='办公电话'),
        ),
        migrations.AlterField(
            model_name='user',
            name='phone',
            field=core.crypto.EncryptedCharField(blank=True, max_length=40, verbose_name='办公电话'),
        ),
        migrations.RunPython(core.crypto.migrate_encrypt("orgs", ["User", "HistoricalUser"], ["phone"]), migrations.RunPython.noop),
    ]
