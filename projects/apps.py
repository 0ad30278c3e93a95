from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "戦略とプロジェクト"

    def ready(self):
        from . import errata

        errata.connect()
