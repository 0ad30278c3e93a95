from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by migrations, or disposable: not part of a backup.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes"]


class Command(BaseCommand):
    help = "Write every row (data, users, history) to a JSON file (.json.gz compresses it)."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="e.g. backups/portal.json.gz")

    def handle(self, *args, output, **options):
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=EXCLUDED,
            output=output,
            indent=None,
            verbosity=0,
        )
        self.stdout.write(f"backup written to {output}")
