import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Address, User

pytestmark = pytest.mark.django_db

ADDRESS = {"name": "Ada Lovelace", "line1": "1 High Street", "city": "London", "postcode": "n1 9gu", "country": "GB"}


@pytest.fixture
def ada(client):
    user = User.objects.create_user(email="ada@example.com", password="a-long-password-1", first_name="Ada")
    client.force_login(user)
    return user


def api(client, method, url, data=None):
    return getattr(client, method)(url, data, content_type="application/json")


def test_a_customer_reads_and_changes_their_name_but_not_their_email_here(client, ada):
    assert api(client, "get", "/api/v1/me/").json()["first_name"] == "Ada"
    changed = api(client, "patch", "/api/v1/me/", {"last_name": "Lovelace", "email": "eve@example.com"})
    assert changed.status_code == 200
    assert (changed.json()["last_name"], changed.json()["email"]) == ("Lovelace", "ada@example.com")
    too_long = api(client, "patch", "/api/v1/me/", {"first_name": "x" * 151})
    assert too_long.status_code == 400 and "first_name" in too_long.json()["fields"]


def test_the_account_api_needs_a_signed_in_customer(client):
    for url in ("/api/v1/me/", "/api/v1/me/addresses/", "/api/v1/me/addresses/1/"):
        response = api(client, "get", url)
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


def test_a_customer_keeps_an_address_book_with_one_default(client, ada):
    first = api(client, "post", "/api/v1/me/addresses/", ADDRESS)
    assert first.status_code == 201 and first.json()["is_default"] is True and first.json()["postcode"] == "N1 9GU"
    second = api(client, "post", "/api/v1/me/addresses/", {**ADDRESS, "name": "Work", "is_default": True}).json()
    book = api(client, "get", "/api/v1/me/addresses/").json()
    assert [(a["name"], a["is_default"]) for a in book] == [("Work", True), ("Ada Lovelace", False)]

    renamed = api(client, "patch", f"/api/v1/me/addresses/{second['id']}/", {"name": "Office"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Office"
    assert api(client, "delete", f"/api/v1/me/addresses/{second['id']}/").status_code == 204
    assert api(client, "get", "/api/v1/me/addresses/").json()[0]["is_default"] is True


def test_a_bad_address_is_a_400_naming_the_field(client, ada):
    response = api(client, "post", "/api/v1/me/addresses/", {**ADDRESS, "postcode": "12345"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "postcode" in response.json()["fields"]
    missing = api(client, "post", "/api/v1/me/addresses/", {"name": "Ada"})
    assert missing.status_code == 400 and {"line1", "city", "postcode", "country"} <= set(missing.json()["fields"])


def test_nobody_reads_changes_or_deletes_another_customers_address_by_id_or_guess(client, ada):
    bob = User.objects.create_user(email="bob@example.com", password="a-long-password-1")
    bobs = Address.objects.create(user=bob, is_default=True, **ADDRESS)
    for address_id in (bobs.pk, bobs.pk + 1000, 2**63 + 1):
        for method, body in (("get", None), ("patch", {"name": "Eve"}), ("delete", None)):
            response = api(client, method, f"/api/v1/me/addresses/{address_id}/", body)
            assert (response.status_code, response.json()["code"]) == (404, "address_not_found"), (method, address_id)
    assert Address.objects.get(pk=bobs.pk).name == "Ada Lovelace"
    assert api(client, "get", "/api/v1/me/addresses/").json() == []


def test_the_address_book_runs_the_same_number_of_queries_for_one_address_or_many(client, ada):
    def book_queries():
        with CaptureQueriesContext(connection) as captured:
            assert api(client, "get", "/api/v1/me/addresses/").status_code == 200
        return len(captured)

    Address.objects.create(user=ada, is_default=True, **ADDRESS)
    one = book_queries()
    for n in range(5):
        Address.objects.create(user=ada, **{**ADDRESS, "name": f"Friend {n}"})
    assert book_queries() == one
