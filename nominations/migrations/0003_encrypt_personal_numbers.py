"""ID numbers and phones encrypted at rest, with a blind index for ID-number lookups (core.crypto).

The data step encrypts what was stored in plaintext, in the live and the historical table.
"""

import core.crypto
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('nominations', '0002_import_job'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalnomination',
            name='id_number_index',
            field=core.crypto.BlindIndexField(source='id_number'),
        ),
        migrations.AddField(
            model_name='nomination',
            name='id_number_index',
            field=core.crypto.BlindIndexField(source='id_number'),
        ),
        migrations.AlterField(
            model_name='historicalnomination',
            name='id_number',
            field=core.crypto.EncryptedCharField(blank=True, max_length=18, verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='historicalnomination',
            name='phone',
            field=core.crypto.EncryptedCharField(blank=True, max_length=20, verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='nomination',
            name='id_number',
            field=core.crypto.EncryptedCharField(blank=True, max_length=18, verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='nomination',
            name='phone',
            field=core.crypto.EncryptedCharField(blank=True, max_length=20, verbose_name='联系电话'),
        ),
        migrations.RunPython(
            core.crypto.migrate_encrypt(
                "nominations", ["Nomination", "HistoricalNomination"], ["id_number", "phone"], [("id_number_index", "id_number")]
            ),
            migrations.RunPython.noop,
        ),
    ]
