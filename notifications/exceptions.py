class NotificationError(Exception):
    """A request the notifications app refuses; the message is safe to show to staff or shoppers."""


class UnknownEvent(NotificationError):
    pass


class NoRecipient(NotificationError):
    pass


class InvalidDevice(NotificationError):
    pass


class InvalidUnsubscribeLink(NotificationError):
    pass


class SegmentUnavailable(NotificationError):
    """A segment filter needs data the shop does not have yet (e.g. orders)."""


class CampaignNotReady(NotificationError):
    pass


class SnsMessageInvalid(NotificationError):
    """An SNS message whose signature, certificate or topic cannot be trusted."""
