"""The API speaks the app's language, which it names in Accept-Language (its URLs have no prefix)."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_app_asking_for_indonesian_gets_countries_and_errors_in_indonesian(client):
    countries = client.get("/api/v1/checkout/countries/", headers={"Accept-Language": "id"})
    assert countries["Content-Language"] == "id"
    assert "Accept-Language" in countries["Vary"]
    names = {country["code"]: country["name"] for country in countries.json()}
    assert names["DE"] == "Jerman"

    english = client.get("/api/v1/checkout/countries/", headers={"Accept-Language": "en"})
    assert {country["code"]: country["name"] for country in english.json()}["DE"] == "Germany"


def test_an_app_that_names_no_language_gets_the_shops_default(client):
    response = client.get("/api/v1/checkout/countries/")
    assert response["Content-Language"] == "en"
