"""The two roles of issue 4, as Django groups with their permissions.

- editor: signs in to the admin (the user is is_staff); may view the strategy's
  content, projects, measures and indicators, and add/change results and targets.
  No delete, nothing on users, groups or permissions, no change to any text.
- staff: prefectural staff who sign in at /accounts/login/ (not is_staff, so no
  admin) and may read everything, drafts included; they change nothing.

Permissions are normally created after all migrations have run (post_migrate);
on a fresh database they do not exist yet, so they are created here first.
Running this migration again (or on a database that has the groups) only adds
what is missing. Later models get their permissions in later migrations.
"""

from django.db import migrations

ROLES = {
    "editor": {
        "projects": {
            "strategy": ["view"],
            "strategyphase": ["view"],
            "edition": ["view"],
            "sourcecorrection": ["view"],
            "project": ["view"],
            "theme": ["view"],
            "section": ["view"],
            "category": ["view"],
            "measure": ["view"],
        },
        "indicators": {
            "indicator": ["view"],
            "result": ["view", "add", "change"],
            "target": ["view", "add", "change"],
        },
    },
    "staff": {
        "projects": {
            model: ["view"]
            for model in (
                "strategy",
                "strategyphase",
                "edition",
                "sourcecorrection",
                "project",
                "theme",
                "section",
                "category",
                "measure",
            )
        },
        "indicators": {model: ["view"] for model in ("indicator", "result", "target")},
        "municipalities": {
            model: ["view"]
            for model in ("subprefecture", "municipality", "collaborationarea", "dmo")
        },
    },
}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, apps_models in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, models in apps_models.items():
            for model, actions in models.items():
                for action in actions:
                    group.permissions.add(
                        Permission.objects.get(
                            content_type__app_label=app_label,
                            codename=f"{action}_{model}",
                        )
                    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("projects", "0001_initial"),
        ("municipalities", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
