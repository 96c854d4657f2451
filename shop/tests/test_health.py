import pytest
from django.test import override_settings


def test_healthz_answers_without_touching_the_database_even_for_an_unknown_host(client):
    # No django_db mark: any database access would fail this test. The load balancer probes
    # with the instance's own address as Host, which is not in ALLOWED_HOSTS.
    response = client.get("/healthz", HTTP_HOST="10.0.3.17")
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_readyz_is_ok_when_database_and_cache_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_503_and_names_the_cache_when_the_cache_is_unreachable(client):
    # A real Redis client pointed at a port where nothing listens.
    unreachable = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }
    with override_settings(CACHES=unreachable):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert list(response.json()["failing"]) == ["cache"]
