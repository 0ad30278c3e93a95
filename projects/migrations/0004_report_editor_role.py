"""The role report_editor (the next edition's text). Its group and permissions are no
longer set here: strategy_portal.permissions.ROLES is the one table, applied after every
migrate (apply_roles, a post_migrate handler)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_measure_and_category_history"),
        ("indicators", "0006_editors_delete_draft_results"),
        ("municipalities", "0002_area_order"),
    ]

    # Roles: strategy_portal.permissions.ROLES, applied by apply_roles after every migrate.
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
