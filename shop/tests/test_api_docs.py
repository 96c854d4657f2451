import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

CONTRACT = {
    "/api/v1/products/": {"get"},
    "/api/v1/products/{slug}/": {"get"},
    "/api/v1/categories/": {"get"},
    "/api/v1/cart/": {"get", "post"},
    "/api/v1/cart/lines/": {"post"},
    "/api/v1/cart/lines/{line_id}/": {"patch", "delete"},
    "/api/v1/checkout/": {"post"},
    "/api/v1/orders/": {"get"},
    "/api/v1/orders/{number}/": {"get"},
    "/api/v1/me/": {"get", "patch"},
    "/api/v1/me/addresses/": {"get", "post"},
}


def test_the_openapi_schema_documents_every_path_of_the_apps_contract_and_the_error_shape(client):
    response = client.get("/api/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path, methods in CONTRACT.items():
        assert methods <= set(schema["paths"][path]), path
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message", "fields"]
    checkout = schema["paths"]["/api/v1/checkout/"]["post"]
    assert {"4XX", "503", "201"} <= set(checkout["responses"])
    assert "Idempotency-Key" in {p["name"] for p in checkout["parameters"]}


def test_the_interactive_docs_are_served_from_the_shops_own_static_files(client):
    for url in ("/api/docs/", "/api/docs/redoc/"):
        page = client.get(url).content.decode()
        assert "/static/drf_spectacular_sidecar/" in page
        assert "cdn" not in page.lower()


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.example.com"])
def test_web_clients_on_allowed_origins_may_call_the_api_with_its_headers(client):
    preflight = client.options(
        "/api/v1/cart/",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-session-token, x-cart-token, idempotency-key",
        },
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "idempotency-key" in preflight["Access-Control-Allow-Headers"]
    other = client.get("/api/v1/categories/", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other
