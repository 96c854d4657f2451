"""Create or update the shop's Amazon Personalize resources from an export, idempotently.

The Terraform AWS provider has no Personalize resources, so this is where they are made: an
ECOMMERCE dataset group, the three schemas and data sets, an import job per data set from the
export's S3 prefix, an event tracker, the in-stock filter and the four recommenders. Each run
looks up what exists by name and creates only what is missing; `import_data` starts new
(full) import jobs from the export, which is how the data is brought up to date. Recommenders
need imported data: while an import is still running, the run says so and stops before them;
run it again when the imports are done.
"""

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import boto3

from recommendations.export import SCHEMAS

DOMAIN = "ECOMMERCE"
RECIPES = {
    "for_you": ("recommended-for-you", "arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you"),
    "also_viewed": ("also-viewed", "arn:aws:personalize:::recipe/aws-ecomm-customers-who-viewed-x-also-viewed"),
    "bought_together": ("bought-together", "arn:aws:personalize:::recipe/aws-ecomm-frequently-bought-together"),
    "best_sellers": ("best-sellers", "arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-purchases"),
}
DATASET_TYPES = {"interactions": "Interactions", "items": "Items", "users": "Users"}
IN_STOCK_FILTER = 'INCLUDE ItemID WHERE Items.IN_STOCK IN ("yes")'


@dataclass
class SetupResult:
    dataset_group_arn: str = ""
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    imports_started: list[str] = field(default_factory=list)
    imports_pending: list[str] = field(default_factory=list)
    recommender_arns: dict[str, str] = field(default_factory=dict)
    filter_arn: str = ""
    tracking_id: str = ""


def _pages(call: Callable[..., dict[str, Any]], key: str, **params: Any) -> Iterator[dict[str, Any]]:
    token = None
    while True:
        response = call(**params, **({"nextToken": token} if token else {}))
        yield from response.get(key, [])
        token = response.get("nextToken")
        if not token:
            return


class _Setup:
    def __init__(self, client: Any, result: SetupResult) -> None:
        self.client, self.result = client, result

    def _find(self, call: str, key: str, name: str, arn_key: str, **params: Any) -> str | None:
        for item in _pages(getattr(self.client, call), key, **params):
            if item.get("name") == name:
                self.result.existing.append(name)
                return str(item[arn_key])
        return None

    def ensure(self, kind: str, name: str, create: Callable[[], dict[str, Any]], **params: Any) -> str:
        call, key, arn_key = {
            "dataset group": ("list_dataset_groups", "datasetGroups", "datasetGroupArn"),
            "schema": ("list_schemas", "schemas", "schemaArn"),
            "dataset": ("list_datasets", "datasets", "datasetArn"),
            "event tracker": ("list_event_trackers", "eventTrackers", "eventTrackerArn"),
            "filter": ("list_filters", "Filters", "filterArn"),
            "recommender": ("list_recommenders", "recommenders", "recommenderArn"),
        }[kind]
        found = self._find(call, key, name, arn_key, **params)
        if found:
            return found
        arn = str(create()[arn_key])
        self.result.created.append(name)
        return arn


def personalize_setup(
    *,
    name: str,
    s3_prefix: str,
    role_arn: str,
    import_data: bool = False,
    client: Any | None = None,
) -> SetupResult:
    """Bring the Personalize resources named `name`-* in line with the export at `s3_prefix`
    (an s3://bucket/prefix written by personalize_export), importing with `role_arn`."""
    client = client or boto3.client("personalize")
    result = SetupResult()
    setup = _Setup(client, result)
    group = setup.ensure(
        "dataset group",
        name,
        partial(client.create_dataset_group, name=name, domain=DOMAIN),
    )
    result.dataset_group_arn = group
    datasets: dict[str, str] = {}
    for data, dataset_type in DATASET_TYPES.items():
        schema_name = f"{name}-{data}"
        schema = setup.ensure(
            "schema",
            schema_name,
            partial(client.create_schema, name=schema_name, schema=json.dumps(SCHEMAS[data]), domain=DOMAIN),
        )
        datasets[data] = setup.ensure(
            "dataset",
            schema_name,
            partial(
                client.create_dataset,
                name=schema_name,
                schemaArn=schema,
                datasetGroupArn=group,
                datasetType=dataset_type,
            ),
            datasetGroupArn=group,
        )
    prefix = s3_prefix.rstrip("/")
    for data, dataset in datasets.items():
        jobs = list(_pages(client.list_dataset_import_jobs, "datasetImportJobs", datasetArn=dataset))
        if import_data or not jobs:
            job_name = f"{name}-{data}-{int(time.time())}"
            client.create_dataset_import_job(
                jobName=job_name,
                datasetArn=dataset,
                dataSource={"dataLocation": f"{prefix}/{data}.csv"},
                roleArn=role_arn,
                importMode="FULL",
            )
            result.imports_started.append(job_name)
            result.imports_pending.append(data)
        elif max(jobs, key=lambda job: str(job.get("creationDateTime", ""))).get("status") != "ACTIVE":
            result.imports_pending.append(data)
    tracker = setup.ensure(
        "event tracker",
        f"{name}-events",
        partial(client.create_event_tracker, name=f"{name}-events", datasetGroupArn=group),
        datasetGroupArn=group,
    )
    result.tracking_id = client.describe_event_tracker(eventTrackerArn=tracker)["eventTracker"].get("trackingId", "")
    result.filter_arn = setup.ensure(
        "filter",
        f"{name}-in-stock",
        partial(client.create_filter, name=f"{name}-in-stock", datasetGroupArn=group, filterExpression=IN_STOCK_FILTER),
        datasetGroupArn=group,
    )
    if result.imports_pending:
        return result
    for slot, (suffix, recipe) in RECIPES.items():
        recommender_name = f"{name}-{suffix}"
        result.recommender_arns[slot] = setup.ensure(
            "recommender",
            recommender_name,
            partial(client.create_recommender, name=recommender_name, datasetGroupArn=group, recipeArn=recipe),
            datasetGroupArn=group,
        )
    return result
