from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StrategyPortalConfig(AppConfig):
    name = "strategy_portal"
    verbose_name = "北海道創生総合戦略ポータル"

    def ready(self):
        from . import checks, pagecache, permissions  # noqa: F401  (checks registers itself)

        pagecache.connect_signals()
        # After every migrate (and every test database flush): the roles' groups hold
        # exactly what permissions.ROLES says.
        post_migrate.connect(permissions.apply_roles, dispatch_uid="portal-apply-roles")
