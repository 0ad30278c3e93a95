from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StrategyPortalConfig(AppConfig):
    name = "strategy_portal"
    verbose_name = "北海道創生総合戦略ポータル"

    def ready(self):
        from . import checks, pagecache, permissions, pictures  # noqa: F401  (checks registers itself)

        pagecache.connect_signals()
        # A committed change of the data: draw the pictures of the charts it changed.
        pagecache.data_committed.connect(pictures.on_data_committed, dispatch_uid="portal-pictures")
        # After every migrate (and every test database flush): the roles' groups hold
        # exactly what permissions.ROLES says.
        post_migrate.connect(permissions.apply_roles, dispatch_uid="portal-apply-roles")
