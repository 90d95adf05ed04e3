"""Configuration of the transactions publisher (read once at cold start: ``meridian.config``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from meridian.config import REGION, Reader

# An SNS topic ARN of any partition (standard or FIFO topic name).
_TOPIC_ARN = re.compile(
    r"^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$"
)


@dataclass(frozen=True)
class TransactionEventsConfig:
    environment: str
    region: str
    topic_arn: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> TransactionEventsConfig:
        read = Reader(env)
        config = cls(
            environment=read.text("ENVIRONMENT"),
            region=read.text("AWS_REGION", REGION),
            topic_arn=read.text("EVENTS_TOPIC_ARN", _TOPIC_ARN),
        )
        if config.region and config.topic_arn and f":sns:{config.region}:" not in config.topic_arn:
            # The publisher only ever publishes to its own region's topic (contract F).
            read.problems.append("EVENTS_TOPIC_ARN must be a topic of this function's region")
        read.done("transaction_events")
        return config
