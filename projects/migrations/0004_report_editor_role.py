"""The role `report_editor`: writes the next edition's text in the admin, and publishes it.

Least privilege: a separate group from `editor` (figures), so the people who
enter results do not also rewrite the report, and the reverse; one person may
be in both groups. Deleting text is limited to draft editions by the admin.
"""

from django.db import migrations

PERMISSIONS = {
    "projects": {
        "strategy": ["view"],
        "strategyphase": ["view"],
        "edition": ["view", "add", "change"],
        "sourcecorrection": ["view", "add", "change"],
        "project": ["view"],
        "theme": ["view"],
        "section": ["view", "change"],
        "category": ["view", "add", "change", "delete"],
        "measure": ["view", "add", "change", "delete"],
    },
    "indicators": {
        "indicator": ["view", "add", "change"],
        "result": ["view"],
        "target": ["view"],
    },
    "municipalities": {"municipality": ["view"]},
}


def create_role(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="report_editor")
    for app_label, models in PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions:
                group.permissions.add(
                    Permission.objects.get(
                        content_type__app_label=app_label, codename=f"{action}_{model}"
                    )
                )


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="report_editor").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_measure_and_category_history"),
        ("indicators", "0006_editors_delete_draft_results"),
        ("municipalities", "0002_area_order"),
    ]

    operations = [migrations.RunPython(create_role, remove_role)]
