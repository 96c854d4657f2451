import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json; indent=2", "text/*, */*;q=0.1"])
def test_the_api_answers_json_to_a_client_that_takes_it(client: Client, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/api/v1/categories/", headers=headers)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_a_client_that_takes_no_json_gets_406_in_the_error_shape(client: Client) -> None:
    response = client.get("/api/v1/categories/", headers={"Accept": "application/xml"})
    assert response.status_code == 406 and response.json()["code"] == "not_acceptable"
    assert client.get("/api/v1/cart/", headers={"Accept": "text/html"}).status_code == 406
