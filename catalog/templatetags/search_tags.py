"""Links of the search results page: each keeps the search and changes one thing."""

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from catalog.search.forms import SearchForm

register = template.Library()


def _params(form: SearchForm) -> list[tuple[str, str]]:
    """The form's cleaned values as query parameters, in the form's order (never the raw query
    string, which may carry junk that a cached page would hand to every later visitor)."""
    if not form.is_valid():
        return []
    params: list[tuple[str, str]] = []
    for name, value in form.cleaned_data.items():
        if name == "attr":
            params += [("attr", f"{n}:{v}") for n, values in value.items() for v in values]
        elif value not in (None, "", False):
            params.append((name, "on" if value is True else str(value)))
    return params


@register.simple_tag
def search_url(form: SearchForm, **changes: Any) -> str:
    """The results URL with `changes` applied and paging reset (unless `page` is one of them).

    A change to None or "" removes the parameter; `attr_toggle="colour:red"` adds or removes that
    attribute filter; `q` replaces the query.
    """
    params = [(k, v) for k, v in _params(form) if k != "page"]
    toggle = changes.pop("attr_toggle", None)
    if toggle is not None:
        if ("attr", toggle) in params:
            params.remove(("attr", toggle))
        else:
            params.append(("attr", toggle))
    for name, value in changes.items():
        params = [(k, v) for k, v in params if k != name]
        if value not in (None, "", False) and not (name == "page" and str(value) == "1"):
            params.append((name, "on" if value is True else str(value)))
    query = urlencode(params)
    return reverse("search:results") + (f"?{query}" if query else "")


@register.simple_tag
def search_click_url(query: str, product_id: int, position: int) -> str:
    """A result's link through the click recorder (which redirects to the product)."""
    return reverse("search:click") + "?" + urlencode({"q": query, "product": product_id, "position": position})


@register.filter
def attr_selected(form: SearchForm, pair: str) -> bool:
    """{% if form|attr_selected:"colour:red" %}"""
    if not form.is_valid():
        return False
    name, _, value = pair.partition(":")
    return value in form.cleaned_data.get("attr", {}).get(name, ())


@register.simple_tag
def search_hidden(form: SearchForm, *exclude: str) -> list[tuple[str, str]]:
    """The search's parameters except `exclude` (and the page), for a form's hidden inputs."""
    return [(k, v) for k, v in _params(form) if k not in exclude and k != "page"]
