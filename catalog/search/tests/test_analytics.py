from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.search.analytics import search_click_record, search_record, search_report
from catalog.search.models import SearchClick, SearchQuery, SearchSynonym
from catalog.search.tests.conftest import product

pytestmark = pytest.mark.django_db


def searched(query: str, results: int, *, session: str = "s1", days_ago: int = 0) -> SearchQuery:
    logged = search_record(query=query, results=results, backend="database", session_key=session)
    if days_ago:
        SearchQuery.objects.filter(pk=logged.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return logged


def test_the_report_gives_top_queries_with_click_through_missing_queries_and_a_daily_trend():
    lantern = product("White Metal Lantern")
    searched("Lantern", 3, session="a")
    searched("lantern", 3, session="b")
    searched("LANTERN ", 3, session="c", days_ago=2)
    searched("zebra", 0, session="a")
    searched("zebra", 0, session="b", days_ago=1)
    searched("mug", 5, session="a", days_ago=40)  # outside the period
    search_click_record(query="lantern", product_id=lantern.pk, position=1, session_key="a")
    search_click_record(query="lantern", product_id=lantern.pk, position=2, session_key="a")  # same search
    report = search_report(days=30)
    assert (report.searches, report.no_results, report.clicked) == (5, 2, 1)
    assert report.click_through == pytest.approx(0.2)
    assert [(q.normalised, q.searches, q.clicked) for q in report.top] == [("lantern", 3, 1), ("zebra", 2, 0)]
    assert report.top[0].click_through == pytest.approx(1 / 3)
    assert [(q.normalised, q.searches) for q in report.missing] == [("zebra", 2)]
    assert len(report.trend) == 30
    assert [(d.searches, d.no_results, d.clicked) for d in report.trend[-3:]] == [(1, 0, 0), (1, 1, 0), (3, 1, 1)]


def test_a_click_belongs_to_the_shoppers_own_latest_search_of_those_words():
    lantern = product("White Metal Lantern")
    mine = searched("lantern", 3, session="mine")
    searched("lantern", 3, session="theirs")
    click = search_click_record(query="Lantern", product_id=lantern.pk, position=4, session_key="mine")
    assert (click.search, click.position, click.normalised) == (mine, 4, "lantern")
    stale = searched("lamp", 1, session="mine")
    SearchQuery.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert search_click_record(query="lamp", product_id=lantern.pk, position=1, session_key="mine").search is None
    assert SearchClick.objects.count() == 2


def test_staff_see_the_search_report_with_a_chart(staff_client):
    searched("lantern", 3)
    searched("zebra", 0)
    response = staff_client.get("/admin/catalog/searchquery/report/", {"days": "7"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "What shoppers search for" in page
    assert "<strong>last 7 days</strong>" in page
    assert page.count('<rect class="all"') == 7
    assert "<td>zebra</td>" in page
    changelist = staff_client.get("/admin/catalog/searchquery/").content.decode()
    assert 'href="/admin/catalog/searchquery/report/"' in changelist


def test_shoppers_cannot_see_the_report(client):
    response = client.get("/admin/catalog/searchquery/report/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_edit_synonyms_in_admin_and_the_change_applies_to_search(staff_client):
    response = staff_client.post("/admin/catalog/searchsynonym/add/", {"terms": "Tas , bag, TOTE"})
    assert response.status_code == 302
    assert SearchSynonym.objects.filter(terms="tas, bag, tote").exists()
