"""manage.py recommendations train | evaluate | dump | export | personalize-sync."""

import csv
import sys
from argparse import ArgumentParser
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min
from tqdm import tqdm

from accounts.models import User
from catalog.models import Variant
from recommendations import store
from recommendations.evaluation import EvaluationReport, evaluation_run
from recommendations.export import personalize_export
from recommendations.models import TrainingRun
from recommendations.personalize_setup import personalize_setup
from recommendations.services import model_stale, model_train

STEPS = 3  # BlendModel.fit reports counts, item-item similarity and ALS


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


class Command(BaseCommand):
    help = "Train, evaluate or dump the local recommendations model."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        train = commands.add_parser("train", help="Train on every interaction so far and put the lists live.")
        train.add_argument(
            "--if-stale", action="store_true", help="Only if nothing was trained, or there are orders or events since."
        )
        evaluate = commands.add_parser("evaluate", help="Train before a cut-off and judge on the purchases after it.")
        evaluate.add_argument("--train-until", default="2011-06-30", help="Last day trained on (default 2011-06-30).")
        evaluate.add_argument("--test-until", default="2011-09-30", help="Last day judged on (default 2011-09-30).")
        evaluate.add_argument("--k", type=int, default=10)
        dump = commands.add_parser("dump", help="Write each customer's list as CSV: user_id,item_1,...,item_k.")
        dump.add_argument("--k", type=int, default=10)
        dump.add_argument(
            "--slot",
            default="for_you",
            choices=["for_you", "new_for_you", "buy_again"],
            help="Which list (default for_you: repeats and new products).",
        )
        export = commands.add_parser("export", help="Write Amazon Personalize's data sets and schemas.")
        export.add_argument("destination", help="A folder, or s3://bucket/prefix.")
        sync = commands.add_parser(
            "personalize-sync", help="Create or update the Amazon Personalize resources from an export, idempotently."
        )
        sync.add_argument("s3_prefix", help="Where `export` wrote the data: s3://bucket/prefix.")
        sync.add_argument("--name", default="pasar", help="Prefix of every resource's name (default pasar).")
        sync.add_argument("--role-arn", required=True, help="The IAM role Personalize reads the bucket with.")
        sync.add_argument("--import", dest="import_data", action="store_true", help="Start new full imports.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "train":
            if options["if_stale"] and not model_stale():
                self.stdout.write("The model is up to date: no orders or events since it was trained.")
                return
            self._train()
        elif action == "evaluate":
            self._evaluate(options)
        elif action == "dump":
            self._dump(k=options["k"], slot=options["slot"])
        elif action == "export":
            self._export(options["destination"])
        elif action == "personalize-sync":
            self._personalize_sync(options)

    def _progress(self) -> "tuple[tqdm[Any], Any]":
        bar: tqdm[Any] = tqdm(total=STEPS, desc="Training", unit=" steps", file=sys.stderr, disable=None)

        def step(name: str, done: int) -> None:
            bar.set_postfix_str(name)
            bar.update(done)

        return bar, step

    def _train(self) -> None:
        bar, step = self._progress()
        with bar:
            summary = model_train(progress=step, stage=lambda text: bar.set_description(text))
        seconds = summary.seconds
        self.stdout.write(
            f"Trained run {summary.run.pk} on {summary.purchases} purchases and {summary.events} other events "
            f"of {summary.customers} customers over {summary.products} products in {summary.run.seconds:.1f} s "
            f"(reading {seconds['read']:.1f} s, counts {seconds['counts']:.1f} s, "
            f"item-item {seconds['item_item']:.1f} s, ALS {seconds['als']:.1f} s, "
            f"ranking {seconds['rank']:.1f} s, storing {seconds['store']:.1f} s)."
        )
        self.stdout.write(
            f"{summary.lists} lists are live (for you, new for you, buy again, also viewed, bought together, best sellers)."
        )

    def _evaluate(self, options: dict[str, Any]) -> None:
        train_last, test_last = _day(options["train_until"]), _day(options["test_until"])
        if test_last <= train_last:
            raise CommandError("--test-until must be after --train-until.")
        k = options["k"]
        if not 1 <= k <= 100:
            raise CommandError("--k must be from 1 to 100.")
        bar, step = self._progress()
        with bar:
            report = evaluation_run(
                train_until=_start_of(train_last + timedelta(days=1)),
                test_until=_start_of(test_last + timedelta(days=1)),
                k=k,
                progress=step,
            )
        self._report(report, train_last, test_last)

    def _report(self, report: EvaluationReport, train_last: date, test_last: date) -> None:
        k = report.k
        self.stdout.write(
            f"Trained on purchases up to {train_last}, judged on {train_last + timedelta(days=1)} to {test_last} "
            f"(training took {report.train_seconds:.1f} s)."
        )
        self.stdout.write(
            f"Customers judged: {report.customers_all} on all products, {report.customers_new} on products new to "
            f"them; {report.customers_cold} who bought with no earlier history are not judged."
        )
        header = f"{'method':<30} {'all R@' + str(k):>10} {'all NDCG@' + str(k):>12} {'new R@' + str(k):>10} {'new NDCG@' + str(k):>12}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for method in report.methods:
            self.stdout.write(
                f"{method.name:<30} {method.all.recall:>10.4f} {method.all.ndcg:>12.4f} "
                f"{method.new.recall:>10.4f} {method.new.ndcg:>12.4f}"
            )
        blend = report.methods[-1]
        baselines = report.methods[:-1]
        for measure in ("all", "new"):
            best_recall = max(getattr(m, measure).recall for m in baselines)
            best_ndcg = max(getattr(m, measure).ndcg for m in baselines)
            ours = getattr(blend, measure)
            self.stdout.write(
                f"Blend against the best baseline ({measure}): Recall@{k} {_gain(ours.recall, best_recall)}, "
                f"NDCG@{k} {_gain(ours.ndcg, best_ndcg)}"
            )

    def _dump(self, *, k: int, slot: str) -> None:
        if not 1 <= k <= 50:
            raise CommandError("--k must be from 1 to 50.")
        if not TrainingRun.objects.filter(is_current=True).exists():
            raise CommandError("No trained model yet: run `manage.py recommendations train` first.")
        # One SKU per product: its first variant's (the demo's are the data set's StockCodes).
        skus: dict[int, str] = {}
        for product_id, sku in Variant.objects.order_by("product_id", "position", "pk").values_list(
            "product_id", "sku"
        ):
            skus.setdefault(product_id, sku)
        best = [
            skus[pk]
            for pk in store.lists_get([store.global_key("best_sellers")])[store.global_key("best_sellers")]
            if pk in skus
        ]
        customers = (
            User.objects.exclude(source_customer_id="")
            .annotate(first_order=Min("orders__placed_at"))
            .filter(first_order__isnull=False)
            .order_by("source_customer_id")
            .values_list("pk", "source_customer_id")
        )
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["user_id", *(f"item_{n}" for n in range(1, k + 1))])
        rows = list(customers)
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            lists = store.lists_get(store.user_key(slot, pk) for pk, _ in chunk)
            for pk, customer_id in chunk:
                items = [skus[p] for p in lists[store.user_key(slot, pk)] if p in skus][:k]
                for sku in best:  # a customer the model knows too little about gets best sellers
                    if len(items) >= k:
                        break
                    if sku not in items:
                        items.append(sku)
                writer.writerow([customer_id, *items, *([""] * (k - len(items)))])

    def _export(self, destination: str) -> None:
        if urlsplit(destination).scheme not in ("", "s3"):
            raise CommandError("Give a folder or an s3://bucket/prefix.")
        result = personalize_export(destination=destination)
        counts = ", ".join(f"{count} {name}" for name, count in result.rows.items())
        self.stdout.write(f"Wrote {counts} to {result.destination}:")
        for name in result.files:
            self.stdout.write(f"  {name}")

    def _personalize_sync(self, options: dict[str, Any]) -> None:
        prefix = options["s3_prefix"]
        if urlsplit(prefix).scheme != "s3":
            raise CommandError("The export must be on S3 (s3://bucket/prefix) for Personalize to import it.")
        try:
            result = personalize_setup(
                name=options["name"], s3_prefix=prefix, role_arn=options["role_arn"], import_data=options["import_data"]
            )
        except (BotoCoreError, ClientError) as error:
            raise CommandError(f"Personalize refused: {error}") from error
        self.stdout.write(f"Dataset group: {result.dataset_group_arn}")
        self.stdout.write(f"Created: {', '.join(result.created) or 'nothing'}; already there: {len(result.existing)}.")
        for job in result.imports_started:
            self.stdout.write(f"Import started: {job}")
        self.stdout.write(f"PERSONALIZE_TRACKING_ID={result.tracking_id}")
        self.stdout.write(f"PERSONALIZE_FILTER_ARN={result.filter_arn}")
        if result.imports_pending:
            self.stdout.write(
                f"Imports still running ({', '.join(result.imports_pending)}): run this again when they are done "
                "to create the recommenders."
            )
            return
        arns = ",".join(f"{slot}={arn}" for slot, arn in result.recommender_arns.items())
        self.stdout.write(f"PERSONALIZE_RECOMMENDER_ARNS={arns}")


def _gain(ours: float, theirs: float) -> str:
    if theirs <= 0:
        return f"{ours:.4f} (baseline 0)"
    return f"{(ours / theirs - 1) * 100:+.1f}%"
