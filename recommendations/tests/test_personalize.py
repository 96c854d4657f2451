"""Amazon Personalize: the export's files (on disk, and on S3 through a real moto server), and the
backend's and the setup command's requests.

moto cannot emulate Personalize, so the Personalize calls are checked with botocore's Stubber:
a stand-in that verifies each request against the service's own model (names, types, limits
such as put_events' 10 events) and returns the response we give it. Nothing here proves that
Personalize ranks well; docs/recommendations.md says how to check that on AWS.
"""

import csv
import io
import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from django.core.management import call_command
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from recommendations.backends import backends_reset
from recommendations.backends.base import SlotQuery
from recommendations.backends.personalize import PersonalizeRecommendationBackend
from recommendations.models import Interaction
from recommendations.personalize_setup import IN_STOCK_FILTER, RECIPES, personalize_setup
from recommendations.selectors import Visitor, slot_get
from recommendations.services import model_train
from recommendations.tests.factories import customer, purchase, sold_product

pytestmark = pytest.mark.django_db
REGION = "eu-west-1"
GROUP = f"arn:aws:personalize:{REGION}:123456789012:dataset-group/pasar"


@pytest.fixture
def history() -> dict[str, Any]:
    products = [sold_product() for _ in range(3)]
    buyer = customer("17850")
    purchase(buyer, products[:2], datetime(2011, 3, 1, 9, 30, tzinfo=UTC))
    Interaction.objects.create(
        kind="view", visitor_id="abc123", product=products[2], occurred_at=datetime(2011, 3, 2, tzinfo=UTC)
    )
    return {"products": products, "buyer": buyer}


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_export_writes_the_three_data_sets_with_their_schemas(history: dict[str, Any], tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("recommendations", "export", str(tmp_path / "export"), stdout=out)
    folder = tmp_path / "export"
    interactions = _read(folder / "interactions.csv")
    assert interactions[0] == ["USER_ID", "ITEM_ID", "TIMESTAMP", "EVENT_TYPE"]
    buyer, products = history["buyer"], history["products"]
    stamp = str(int(datetime(2011, 3, 1, 9, 30, tzinfo=UTC).timestamp()))
    assert sorted(interactions[1:]) == sorted(
        [
            [str(buyer.pk), str(products[0].pk), stamp, "Purchase"],
            [str(buyer.pk), str(products[1].pk), stamp, "Purchase"],
            ["visitor-abc123", str(products[2].pk), str(int(datetime(2011, 3, 2, tzinfo=UTC).timestamp())), "View"],
        ]
    )
    items = _read(folder / "items.csv")
    assert items[0] == ["ITEM_ID", "PRICE", "CATEGORY_L1", "CATEGORY_L2", "CREATION_TIMESTAMP", "IN_STOCK"]
    assert items[1][1] == "9.99" and items[1][5] == "yes" and len(items) == 4
    users = _read(folder / "users.csv")
    assert users[0] == ["USER_ID", "COUNTRY"] and [str(buyer.pk), "GB"] in users
    for name in ("interactions", "items", "users"):
        schema = json.loads((folder / f"{name}.schema.json").read_text())
        assert [f["name"] for f in schema["fields"]] == {"interactions": interactions, "items": items, "users": users}[
            name
        ][0]
        assert schema["type"] == "record" and schema["namespace"] == "com.amazonaws.personalize.schema"
    assert "3 interactions, 3 items" in out.getvalue()


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=5).close()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)  # boto3 reads it: the export needs no option
    client = boto3.client("s3", region_name=REGION, endpoint_url=endpoint)
    client.create_bucket(Bucket="pasar-personalize", CreateBucketConfiguration={"LocationConstraint": REGION})
    yield client
    server.stop()


def test_export_to_an_s3_prefix_uploads_every_file(history: dict[str, Any], s3: Any) -> None:
    call_command("recommendations", "export", "s3://pasar-personalize/exports/2011-09", stdout=io.StringIO())
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="pasar-personalize")["Contents"])
    assert keys == sorted(
        f"exports/2011-09/{name}"
        for name in (
            "interactions.csv",
            "items.csv",
            "users.csv",
            "interactions.schema.json",
            "items.schema.json",
            "users.schema.json",
        )
    )
    body = s3.get_object(Bucket="pasar-personalize", Key="exports/2011-09/interactions.csv")["Body"].read().decode()
    assert body.splitlines()[0] == "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE" and len(body.splitlines()) == 4


def _backend(**options: Any) -> PersonalizeRecommendationBackend:
    return PersonalizeRecommendationBackend(
        region_name=REGION,
        recommender_arns={slot: f"arn:aws:personalize:{REGION}:123456789012:recommender/{slot}" for slot in RECIPES},
        filter_arn=f"arn:aws:personalize:{REGION}:123456789012:filter/in-stock",
        tracking_id="tracking-1",
        **options,
    )


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


def test_recommendations_ask_the_recommender_with_the_in_stock_filter(aws_credentials: None) -> None:
    backend = _backend()
    with Stubber(backend.runtime) as stub:
        stub.add_response(
            "get_recommendations",
            {"itemList": [{"itemId": "12"}, {"itemId": "7"}]},
            {
                "recommenderArn": f"arn:aws:personalize:{REGION}:123456789012:recommender/also_viewed",
                "itemId": "5",
                "numResults": 16,
                "filterArn": f"arn:aws:personalize:{REGION}:123456789012:filter/in-stock",
            },
        )
        assert backend.recommend(SlotQuery(slot="also_viewed", product_id=5, limit=4)) == [12, 7]
        stub.assert_no_pending_responses()


def test_events_go_to_personalize_in_batches_of_at_most_ten(aws_credentials: None) -> None:
    backend = _backend()
    product = sold_product()
    at = datetime(2011, 9, 1, tzinfo=UTC)
    events = [Interaction(pk=n + 1, kind="view", visitor_id="v1", product=product, occurred_at=at) for n in range(23)]
    with Stubber(backend.events) as stub:
        for _batch in range(3):
            stub.add_response(
                "put_events",
                {},
                {"trackingId": "tracking-1", "userId": "visitor-v1", "sessionId": "v1", "eventList": ANY},
            )
        sent: list[int] = []
        backend.events.meta.events.register(
            "provide-client-params.personalize-events.PutEvents",
            lambda params, **kwargs: sent.append(len(params["eventList"])),
        )
        backend.events_send(events)
        stub.assert_no_pending_responses()
    assert sent == [10, 10, 3]


def test_a_personalize_failure_falls_back_to_the_local_model_and_rests_personalize(
    aws_credentials: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    products = [sold_product() for _ in range(3)]
    buyer = customer()
    purchase(buyer, products, datetime(2011, 3, 1, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        model_train()
    settings.RECOMMENDATIONS_BACKEND = "recommendations.backends.personalize.PersonalizeRecommendationBackend"
    settings.RECOMMENDATIONS_BACKEND_OPTIONS = {
        "region_name": REGION,
        "recommender_arns": {"for_you": f"arn:aws:personalize:{REGION}:123456789012:recommender/for_you"},
    }
    backends_reset()
    from recommendations.backends import recommendation_backend

    backend = recommendation_backend()
    assert isinstance(backend, PersonalizeRecommendationBackend)
    try:
        with Stubber(backend.runtime) as stub:
            stub.add_client_error("get_recommendations", "ThrottlingException", http_status_code=400)
            first = slot_get(slot="for_you", visitor=Visitor(user_id=buyer.pk))
            second = slot_get(slot="for_you", visitor=Visitor(user_id=buyer.pk))  # Personalize is not asked again
            stub.assert_no_pending_responses()
    finally:
        backends_reset()
    assert first.personal and {p.pk for p in first.products} == {p.pk for p in products}
    assert [p.pk for p in second.products] == [p.pk for p in first.products]


def _setup_stubs(stub: Stubber, *, fresh: bool) -> None:
    """The calls personalize_setup makes, for an empty account (fresh) or a complete one."""
    names = {data: f"pasar-{data}" for data in ("interactions", "items", "users")}
    arn = f"arn:aws:personalize:{REGION}:123456789012"
    stub.add_response(
        "list_dataset_groups", {"datasetGroups": [] if fresh else [{"name": "pasar", "datasetGroupArn": GROUP}]}
    )
    if fresh:
        stub.add_response("create_dataset_group", {"datasetGroupArn": GROUP}, {"name": "pasar", "domain": "ECOMMERCE"})
    for name in names.values():
        stub.add_response(
            "list_schemas", {"schemas": [] if fresh else [{"name": name, "schemaArn": f"{arn}:schema/{name}"}]}
        )
        if fresh:
            stub.add_response(
                "create_schema",
                {"schemaArn": f"{arn}:schema/{name}"},
                {"name": name, "schema": ANY, "domain": "ECOMMERCE"},
            )
        stub.add_response(
            "list_datasets",
            {"datasets": [] if fresh else [{"name": name, "datasetArn": f"{arn}:dataset/{name}"}]},
            {"datasetGroupArn": GROUP},
        )
        if fresh:
            stub.add_response(
                "create_dataset",
                {"datasetArn": f"{arn}:dataset/{name}"},
                {"name": name, "schemaArn": f"{arn}:schema/{name}", "datasetGroupArn": GROUP, "datasetType": ANY},
            )
    for data, name in names.items():
        stub.add_response(
            "list_dataset_import_jobs",
            {
                "datasetImportJobs": []
                if fresh
                else [{"jobName": "j", "status": "ACTIVE", "datasetImportJobArn": f"{arn}:job/{name}"}]
            },
            {"datasetArn": f"{arn}:dataset/{name}"},
        )
        if fresh:
            stub.add_response(
                "create_dataset_import_job",
                {"datasetImportJobArn": f"{arn}:job/{name}"},
                {
                    "jobName": ANY,
                    "datasetArn": f"{arn}:dataset/{name}",
                    "dataSource": {"dataLocation": f"s3://bucket/export/{data}.csv"},
                    "roleArn": "arn:aws:iam::123456789012:role/personalize",
                    "importMode": "FULL",
                },
            )
    tracker = f"{arn}:event-tracker/pasar-events"
    stub.add_response(
        "list_event_trackers",
        {"eventTrackers": [] if fresh else [{"name": "pasar-events", "eventTrackerArn": tracker}]},
        {"datasetGroupArn": GROUP},
    )
    if fresh:
        stub.add_response(
            "create_event_tracker",
            {"eventTrackerArn": tracker, "trackingId": "t-1"},
            {"name": "pasar-events", "datasetGroupArn": GROUP},
        )
    stub.add_response("describe_event_tracker", {"eventTracker": {"trackingId": "t-1"}}, {"eventTrackerArn": tracker})
    stub.add_response(
        "list_filters",
        {"Filters": [] if fresh else [{"name": "pasar-in-stock", "filterArn": f"{arn}:filter/s"}]},
        {"datasetGroupArn": GROUP},
    )
    if fresh:
        stub.add_response(
            "create_filter",
            {"filterArn": f"{arn}:filter/s"},
            {"name": "pasar-in-stock", "datasetGroupArn": GROUP, "filterExpression": IN_STOCK_FILTER},
        )
    if not fresh:
        for suffix, _recipe in RECIPES.values():
            stub.add_response(
                "list_recommenders",
                {"recommenders": [{"name": f"pasar-{suffix}", "recommenderArn": f"{arn}:recommender/{suffix}"}]},
                {"datasetGroupArn": GROUP},
            )


def test_personalize_setup_creates_everything_then_creates_nothing_when_run_again(aws_credentials: None) -> None:
    client = boto3.client("personalize", region_name=REGION)
    options: dict[str, Any] = {
        "name": "pasar",
        "s3_prefix": "s3://bucket/export/",
        "role_arn": "arn:aws:iam::123456789012:role/personalize",
    }
    with Stubber(client) as stub:
        _setup_stubs(stub, fresh=True)
        first = personalize_setup(client=client, **options)
        stub.assert_no_pending_responses()
    assert first.imports_pending == ["interactions", "items", "users"] and not first.recommender_arns
    assert (
        first.tracking_id == "t-1" and len(first.created) == 9
    )  # the group, 3 schemas, 3 data sets, the tracker, the filter
    with Stubber(client) as stub:
        _setup_stubs(stub, fresh=False)
        again = personalize_setup(client=client, **options)
        stub.assert_no_pending_responses()
    assert again.created == [] and set(again.recommender_arns) == set(RECIPES)
