"""Status page subscribers and their deliveries in the config table (live data, not configuration).

| pk | sk | value | doc |
|---|---|---|---|
| `status-subscriber` | subscriber id | version (every replace is conditional on it) | Subscriber |
| `status-delivery#<update id>` | subscriber id | | Delivery: put only if absent, before the send |
| `status-last-delivery` | subscriber id | | the subscriber's latest Delivery outcome, for the admin list |
"""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError

from klaxon.adapters.tables import ConfigItem
from klaxon.domain.errors import Conflict, NotFound
from klaxon.domain.statuspage.subscribers import Delivery, Subscriber

SUBSCRIBERS = "status-subscriber"
LAST_DELIVERY = "status-last-delivery"
_CONDITION_FAILED = "ConditionalCheckFailedException"


def _deliveries(update_id: str) -> str:
    return f"status-delivery#{update_id}"


class DynamoSubscriberStore:
    def get(self, subscriber_id: str) -> tuple[Subscriber, int] | None:
        """The subscriber with its version, read consistently."""
        try:
            item = ConfigItem.get(SUBSCRIBERS, subscriber_id, consistent_read=True)
        except ConfigItem.DoesNotExist:
            return None
        return Subscriber.model_validate(item.doc), int(item.value or 0)

    def create(self, subscriber: Subscriber) -> None:
        """Conflict when a subscriber with that id exists (the same address subscribing twice at once)."""
        item = ConfigItem(pk=SUBSCRIBERS, sk=subscriber.id, value=1, doc=subscriber.model_dump(mode="json"))
        try:
            item.save(condition=ConfigItem.sk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == _CONDITION_FAILED:
                raise Conflict(f"subscriber {subscriber.id} exists") from error
            raise

    def replace(self, subscriber: Subscriber, version: int) -> None:
        """Conflict when it changed (or was removed) since `version` was read."""
        doc = subscriber.model_dump(mode="json")
        item = ConfigItem(pk=SUBSCRIBERS, sk=subscriber.id, value=version + 1, doc=doc)
        try:
            item.save(condition=ConfigItem.value == version)
        except PutError as error:
            if error.cause_response_code == _CONDITION_FAILED:
                raise Conflict(f"subscriber {subscriber.id} changed meanwhile") from error
            raise

    def delete(self, subscriber_id: str) -> None:
        try:
            ConfigItem(pk=SUBSCRIBERS, sk=subscriber_id).delete(condition=ConfigItem.sk.exists())
        except DeleteError as error:
            if error.cause_response_code == _CONDITION_FAILED:
                raise NotFound(f"no subscriber {subscriber_id!r}") from error
            raise
        ConfigItem(pk=LAST_DELIVERY, sk=subscriber_id).delete()

    def all(self) -> list[Subscriber]:
        return [Subscriber.model_validate(item.doc) for item in ConfigItem.query(SUBSCRIBERS)]

    def recorded(self, update_id: str) -> set[str]:
        """The subscribers a delivery of this update is recorded for (sent, failed or being sent)."""
        query = ConfigItem.query(_deliveries(update_id), consistent_read=True, attributes_to_get=["sk"])
        return {item.sk for item in query}

    def deliveries(self, update_id: str) -> list[Delivery]:
        return [Delivery.model_validate(item.doc) for item in ConfigItem.query(_deliveries(update_id))]

    def claim(self, delivery: Delivery) -> bool:
        """Record a delivery before sending it; False when one is already recorded (never send twice)."""
        item = ConfigItem(
            pk=_deliveries(delivery.update_id),
            sk=delivery.subscriber_id,
            doc=delivery.model_dump(mode="json"),
        )
        try:
            item.save(condition=ConfigItem.sk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == _CONDITION_FAILED:
                return False
            raise
        return True

    def record(self, delivery: Delivery) -> None:
        """The outcome of a claimed delivery, also kept as the subscriber's latest."""
        doc = delivery.model_dump(mode="json")
        ConfigItem(pk=_deliveries(delivery.update_id), sk=delivery.subscriber_id, doc=doc).save()
        ConfigItem(pk=LAST_DELIVERY, sk=delivery.subscriber_id, doc=doc).save()

    def last_deliveries(self) -> dict[str, Delivery]:
        return {item.sk: Delivery.model_validate(item.doc) for item in ConfigItem.query(LAST_DELIVERY)}
