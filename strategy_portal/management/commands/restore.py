from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from strategy_portal.pagecache import DATA_APPS


class Command(BaseCommand):
    help = "Load a backup written by `manage.py backup` into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        holding = [
            model._meta.label
            for model in apps.get_models()
            if model._meta.app_label in DATA_APPS and model.objects.exists()
        ]
        if holding:
            raise CommandError(
                "The database already holds data (" + ", ".join(holding[:5]) + "); "
                "restore only into an empty, migrated database."
            )
        with transaction.atomic():
            call_command("loaddata", file, verbosity=0)
        self.stdout.write(f"restored {file}")
