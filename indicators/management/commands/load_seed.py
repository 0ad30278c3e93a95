from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indicators.seed import SeedError, load_all, load_edition


class Command(BaseCommand):
    help = "Load the seed fixtures (municipalities and every report edition). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=settings.SEED_DIR)
        parser.add_argument(
            "--edition", type=Path, help="load only this edition folder (e.g. a new report)"
        )
        parser.add_argument(
            "--replace", action="store_true", help="reload editions already in the database"
        )

    def handle(self, *args, dir, edition, replace, **options):
        try:
            report = [load_edition(edition, replace)] if edition else load_all(dir, replace)
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        for line in report:
            self.stdout.write(", ".join(f"{k}={v}" for k, v in line.items()))
