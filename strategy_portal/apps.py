from django.apps import AppConfig


class StrategyPortalConfig(AppConfig):
    name = "strategy_portal"
    verbose_name = "北海道創生総合戦略ポータル"

    def ready(self):
        from . import cache, checks  # noqa: F401  (checks registers itself)

        cache.connect_signals()
