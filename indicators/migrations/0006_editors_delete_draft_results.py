"""Editors may delete a figure entered by mistake, while it is still a draft. The
permission is no longer granted here: strategy_portal.permissions.ROLES is the one
table, applied after every migrate (apply_roles, a post_migrate handler)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("indicators", "0005_denominator_label_help")]

    # Roles: strategy_portal.permissions.ROLES, applied by apply_roles after every migrate.
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
