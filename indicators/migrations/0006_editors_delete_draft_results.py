"""Editors may delete a figure entered by mistake, while it is still a draft.

ResultAdmin.has_delete_permission limits the permission to drafts; the
deletion is kept in the result's history with its reason.
"""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="indicators", codename="delete_result"
    )
    for group in Group.objects.filter(name="editor"):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="editor"):
        group.permissions.remove(
            *group.permissions.filter(content_type__app_label="indicators", codename="delete_result")
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0005_denominator_label_help")]

    operations = [migrations.RunPython(grant, revoke)]
