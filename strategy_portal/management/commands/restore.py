from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from indicators.models import Result
from projects.models import Project


class Command(BaseCommand):
    help = "Load a backup written by `manage.py backup` into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        if Project.objects.exists() or Result.objects.exists():
            raise CommandError(
                "The database already holds data; restore only into an empty, migrated database."
            )
        with transaction.atomic():
            call_command("loaddata", file, verbosity=0)
        self.stdout.write(f"restored {file}")
