from django.db import migrations


class Migration(migrations.Migration):
    """原資料の見出し now belongs to each edition (indicators.Heading)."""

    dependencies = [
        ("indicators", "0009_heading"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='historicalindicator',
            name='group',
        ),
        migrations.RemoveField(
            model_name='indicator',
            name='group',
        ),
    ]
