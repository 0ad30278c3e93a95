"""The roles editor and staff (issue 4). Their groups and permissions are no longer set
here: strategy_portal.permissions.ROLES is the one table, applied after every migrate
(apply_roles, a post_migrate handler)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("projects", "0001_initial"),
        ("municipalities", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # Roles: strategy_portal.permissions.ROLES, applied by apply_roles after every migrate.
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
