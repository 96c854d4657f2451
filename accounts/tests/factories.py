import factory
from allauth.account.models import EmailAddress

from accounts.models import Address, User

PASSWORD = "a-long-customer-password"


class UserFactory(factory.django.DjangoModelFactory):
    """A customer whose e-mail address is verified (as after the sign-up flow)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = factory.Sequence(lambda n: f"Customer{n}")
    last_name = "Tester"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    name = "Ada Lovelace"
    line1 = factory.Sequence(lambda n: f"{n + 1} High Street")
    city = "London"
    postcode = "N1 9GU"
    country = "GB"
