from django.core.management.base import BaseCommand, CommandError

from indicators import demo
from strategy_portal import fiscal_years


class Command(BaseCommand):
    help = (
        "Fill a COPY of the data with invented FY2018–FY2022 figures and a target for every "
        "indicator, marked as demo data. Refuses a database without the demo marker unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="mark this database as a demo copy"
        )
        parser.add_argument("--first-year", type=int, default=2018)
        parser.add_argument("--last-year", type=int, default=2022)
        parser.add_argument(
            "--seed", type=int, default=2018, help="random seed (same seed, same figures)"
        )

    def handle(self, *args, first_year, last_year, seed, force, **options):
        if last_year < first_year:
            raise CommandError("--last-year は --first-year 以降にしてください。")
        try:
            figures, targets = demo.fill(
                first_year=first_year, last_year=last_year, seed=seed, force=force
            )
        except demo.DemoRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"デモデータ（架空の数値）：実績 {figures}件（{fiscal_years.span(first_year, last_year)}）と"
            f"目標 {targets}件を作成しました。すべてのページにデモの表示が出ます。"
        )
