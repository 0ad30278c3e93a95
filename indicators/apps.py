from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "指標と実績"

    def ready(self):
        from projects.services import PUBLICATION_CHECKS

        from .checklist import publication_gaps

        PUBLICATION_CHECKS.append(publication_gaps)
