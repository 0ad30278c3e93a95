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
