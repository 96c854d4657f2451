"""The customer's own details. The e-mail address is changed through allauth, which verifies the
new address before it replaces the old one."""

from django.core.exceptions import ValidationError

from accounts.exceptions import ProfileInvalid
from accounts.models import User


def profile_update(*, user: User, first_name: str | None = None, last_name: str | None = None) -> User:
    """Change the customer's name (None: unchanged). Saves only the fields given. Raises ProfileInvalid."""
    changed = []
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if value is not None:
            setattr(user, field, value.strip())
            changed.append(field)
    if not changed:
        return user
    try:
        user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name not in changed])
    except ValidationError as error:
        raise ProfileInvalid({f: [str(m) for m in ms] for f, ms in error.message_dict.items()}) from error
    user.save(update_fields=changed)
    return user
