"""The demo shop's customers: one account for each CustomerID of the Online Retail data, with a
made-up name and address in the customer's country.

People are drawn with Faker seeded by the customer id, so a customer is the same person on every
run and every machine, whichever months are imported. E-mail addresses are on the reserved
example.com domain (customer-12346@example.com), and the accounts have no usable password: nobody
can sign in as a demo customer until staff set one. (Faker is pinned: another version may draw other
people, which changes nothing already imported.)
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from typing import TypeVar

from django.db import transaction
from faker import Faker
from tqdm import tqdm

from accounts.models import Address, User

_T = TypeVar("_T")

CUSTOMER_EMAIL_DOMAIN = "example.com"  # reserved for examples (RFC 2606): no mail ever reaches anyone
_BATCH = 1000
# Letters for the postcodes made up here: those a UK postcode's inward code may use (BS 7666).
_UK_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class DemoCountry:
    """How to make up a person in a country of the data.

    `names` is the Faker locale for names; `streets` the one for street, town and postcode, where
    Faker has one for the country. Where it has none, `cities` and `postcode` (a Faker bothify
    pattern: # a digit, ? a letter) stand in for the town and postcode.
    """

    code: str  # ISO 3166-1 alpha-2
    names: str
    streets: str = ""
    cities: tuple[str, ...] = ()
    postcode: str = ""

    @property
    def street_locale(self) -> str:
        return self.streets or self.names


# The data's country names (as spelt there), each with its ISO code and Faker's locales.
DEMO_COUNTRIES: dict[str, DemoCountry] = {
    "United Kingdom": DemoCountry("GB", "en_GB"),
    "EIRE": DemoCountry("IE", "en_IE"),
    "Channel Islands": DemoCountry("JE", "en_GB", cities=("St Helier", "St Saviour", "St Brelade"), postcode="JE# #??"),
    "Germany": DemoCountry("DE", "de_DE"),
    "France": DemoCountry("FR", "fr_FR"),
    "Spain": DemoCountry("ES", "es_ES"),
    "Netherlands": DemoCountry("NL", "nl_NL"),
    "Belgium": DemoCountry("BE", "nl_BE"),
    "Switzerland": DemoCountry("CH", "de_CH"),
    "Austria": DemoCountry("AT", "de_AT"),
    "Australia": DemoCountry("AU", "en_AU"),
    "Portugal": DemoCountry("PT", "pt_PT"),
    "Norway": DemoCountry("NO", "no_NO"),
    "Finland": DemoCountry("FI", "fi_FI"),
    "Italy": DemoCountry("IT", "it_IT"),
    "Sweden": DemoCountry("SE", "sv_SE"),
    "Denmark": DemoCountry("DK", "da_DK"),
    "Poland": DemoCountry("PL", "pl_PL"),
    "Czech Republic": DemoCountry("CZ", "cs_CZ"),
    "Greece": DemoCountry("GR", "el_GR"),
    "Cyprus": DemoCountry("CY", "el_GR", cities=("Nicosia", "Limassol", "Larnaca", "Paphos"), postcode="####"),
    "Malta": DemoCountry("MT", "en_GB", cities=("Valletta", "Sliema", "Birkirkara", "Mosta"), postcode="??? ####"),
    "Iceland": DemoCountry("IS", "is_IS", "en_GB", cities=("Reykjavík", "Kópavogur", "Akureyri"), postcode="###"),
    "Lithuania": DemoCountry("LT", "lt_LT", "en_GB", cities=("Vilnius", "Kaunas", "Klaipėda"), postcode="LT-#####"),
    "Israel": DemoCountry("IL", "he_IL"),
    "Japan": DemoCountry("JP", "ja_JP"),
    "Singapore": DemoCountry("SG", "en_GB", cities=("Singapore",), postcode="######"),
    "Canada": DemoCountry("CA", "en_CA"),
    "USA": DemoCountry("US", "en_US"),
    "Brazil": DemoCountry("BR", "pt_BR"),
    "RSA": DemoCountry("ZA", "zu_ZA"),
    "United Arab Emirates": DemoCountry("AE", "ar_AA", "en_GB", cities=("Dubai", "Abu Dhabi", "Sharjah"), postcode="00000"),
    "Saudi Arabia": DemoCountry("SA", "ar_SA", "en_GB", cities=("Riyadh", "Jeddah", "Dammam"), postcode="#####"),
    "Bahrain": DemoCountry("BH", "ar_AA", "en_GB", cities=("Manama", "Muharraq", "Riffa"), postcode="###"),
    "Lebanon": DemoCountry("LB", "ar_AA", "en_GB", cities=("Beirut", "Tripoli", "Sidon"), postcode="#### ####"),
}  # fmt: skip
# "Unspecified", "European Community" and any country not above: the shop's own country.
DEMO_HOME_COUNTRY = DEMO_COUNTRIES["United Kingdom"]


@dataclass(frozen=True)
class DemoCustomer:
    """A customer as the data shows them."""

    customer_id: str
    country: str  # as spelt in the data
    first_seen: datetime


@dataclass(frozen=True)
class ShipTo:
    """A shipping address, as an order keeps it."""

    name: str
    line1: str
    line2: str
    city: str
    postcode: str
    country: str  # ISO code
    phone: str = ""


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str
    email: str
    address: ShipTo


@dataclass(frozen=True)
class DemoAccount:
    """A customer's account in the shop, as their orders need it."""

    user_id: int
    email: str
    ship_to: ShipTo


@dataclass(frozen=True)
class DemoCustomersResult:
    accounts: dict[str, DemoAccount]  # by CustomerID, those created and those already there
    created: int
    existing: int
    skipped: int  # the e-mail address belongs to an account that is not from the data


def demo_customer_email(*, customer_id: str) -> str:
    return f"customer-{customer_id}@{CUSTOMER_EMAIL_DOMAIN}".lower()


@cache
def _faker(locale: str) -> Faker:
    return Faker(locale)


def _seed(customer_id: str, purpose: str) -> int:
    # Not hash(): that changes with every process.
    return int.from_bytes(hashlib.sha256(f"{purpose}:{customer_id}".encode()).digest()[:8], "big")


def demo_person(*, customer_id: str, country: str) -> DemoPerson:
    """The made-up person behind a CustomerID: the same for the same id and country, always."""
    spec = DEMO_COUNTRIES.get(country, DEMO_HOME_COUNTRY)
    names = _faker(spec.names)
    names.seed_instance(_seed(customer_id, "name"))
    first_name, last_name = names.first_name(), names.last_name()
    streets = _faker(spec.street_locale)
    streets.seed_instance(_seed(customer_id, "address"))
    # en_GB puts a flat on a line of its own: "Flat 12\nMary Green".
    line1, _, line2 = (part.strip() for part in streets.street_address().partition("\n"))
    if spec.cities:
        city = streets.random_element(spec.cities)
        postcode = streets.bothify(spec.postcode, letters=_UK_INWARD_LETTERS)
    else:
        city, postcode = streets.city(), streets.postcode()
    name = f"{first_name} {last_name}"
    return DemoPerson(
        first_name=first_name[:150],
        last_name=last_name[:150],
        email=demo_customer_email(customer_id=customer_id),
        address=ShipTo(
            name=name[:120],
            line1=line1[:200],
            line2=line2.replace("\n", ", ")[:200],
            city=city[:100],
            postcode=postcode[:20],
            country=spec.code,
        ),
    )


def in_chunks(items: Sequence[_T], size: int = 5000) -> Iterable[Sequence[_T]]:
    """Slices of `items`, keeping each query's IN list well under the databases' parameter limits."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _accounts_existing(customer_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    """(user id, e-mail) of the customers imported before, by CustomerID."""
    found: dict[str, tuple[int, str]] = {}
    for chunk in in_chunks(customer_ids):
        for customer_id, pk, email in User.objects.filter(source_customer_id__in=chunk).values_list(
            "source_customer_id", "pk", "email"
        ):
            found.setdefault(customer_id, (pk, email))
    return found


def _default_addresses(user_ids: Sequence[int]) -> dict[int, ShipTo]:
    found = {}
    for chunk in in_chunks(user_ids):
        for address in Address.objects.filter(user_id__in=chunk, is_default=True):
            found[address.user_id] = ShipTo(
                name=address.name,
                line1=address.line1,
                line2=address.line2,
                city=address.city,
                postcode=address.postcode,
                country=address.country,
                phone=address.phone,
            )
    return found


def _customers_create(people: list[tuple[DemoCustomer, DemoPerson]]) -> dict[str, int]:
    """The accounts and their default addresses, in one transaction; the new user ids by CustomerID."""
    users = []
    for customer, person in people:
        user = User(
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            source_customer_id=customer.customer_id,
            date_joined=customer.first_seen,
        )
        user.set_unusable_password()
        users.append(user)
    with transaction.atomic():
        User.objects.bulk_create(users)
        Address.objects.bulk_create(
            Address(user=user, is_default=True, **asdict(person.address))
            for user, (_, person) in zip(users, people, strict=True)
        )
    return {user.source_customer_id: user.pk for user in users}


def demo_customers_write(*, customers: Sequence[DemoCustomer], progress: bool = False) -> DemoCustomersResult:
    """Create an account with a default address for each customer not imported before.

    A customer is recognised by User.source_customer_id; one imported before is left as it is (its
    orders ship to its default address as it is now). A customer whose e-mail address is taken by
    an account that is not from the data is skipped. Accounts are written a thousand at a time, each
    batch in one transaction with its addresses; no signal or e-mail is sent.
    """
    by_id = {customer.customer_id: customer for customer in customers}
    existing = _accounts_existing(list(by_id))
    wanted = [
        (customer, demo_person(customer_id=customer.customer_id, country=customer.country))
        for customer in customers
        if customer.customer_id not in existing
    ]
    taken: set[str] = set()
    for chunk in in_chunks([person.email for _, person in wanted]):
        taken.update(email.lower() for email in User.objects.filter(email__in=chunk).values_list("email", flat=True))
    new = [(customer, person) for customer, person in wanted if person.email not in taken]

    created: dict[str, int] = {}
    with tqdm(total=len(new), desc="Customers", unit=" customers", disable=not progress) as bar:
        for start in range(0, len(new), _BATCH):
            batch = new[start : start + _BATCH]
            created.update(_customers_create(batch))
            bar.update(len(batch))

    accounts = {
        customer.customer_id: DemoAccount(
            user_id=created[customer.customer_id], email=person.email, ship_to=person.address
        )
        for customer, person in new
    }
    addresses = _default_addresses([pk for pk, _ in existing.values()])
    for customer_id, (pk, email) in existing.items():
        ship_to = addresses.get(pk) or demo_person(customer_id=customer_id, country=by_id[customer_id].country).address
        accounts[customer_id] = DemoAccount(user_id=pk, email=email, ship_to=ship_to)
    return DemoCustomersResult(
        accounts=accounts, created=len(created), existing=len(existing), skipped=len(wanted) - len(new)
    )
