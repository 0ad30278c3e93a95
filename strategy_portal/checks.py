"""System checks of the portal's own settings."""

from django.conf import settings
from django.core.checks import Info, Tags, register


@register(Tags.security, deploy=True)
def opted_out_deploy_checks(app_configs, **kwargs):
    """Say which deploy warnings are silenced because the operator turned a setting off."""
    return [
        Info(f"{check_id} is silenced: {reason}.", id="portal.I001")
        for check_id, reason in settings.OPTED_OUT_DEPLOY_CHECKS.items()
    ]


# Apps whose data is the portal's own: every admin page of theirs asks the permission home.
PORTAL_APPS = ("strategy_portal", "municipalities", "projects", "indicators", "api")


@register(Tags.admin)
def admins_ask_the_permission_home(app_configs, **kwargs):
    """Every ModelAdmin and inline of the portal's models decides through
    strategy_portal.permissions (PermissionHomeAdmin), so a new model's admin cannot
    bring rules of its own (or none)."""
    from django.contrib import admin
    from django.core.checks import Error

    from .admin import PermissionHomeAdmin

    errors = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PORTAL_APPS:
            continue
        for candidate in (type(model_admin), *model_admin.inlines):
            if not issubclass(candidate, PermissionHomeAdmin):
                errors.append(
                    Error(
                        f"{candidate.__module__}.{candidate.__qualname__} does not ask the "
                        "permission home.",
                        hint="Derive it from strategy_portal.admin (ModelAdmin, "
                        "PermissionHomeAdmin, TabularInline, ListedTabularInline …).",
                        obj=candidate,
                        id="portal.E010",
                    )
                )
    return errors
