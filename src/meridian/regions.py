"""The write fence (issue 12): which region may take writes.

Meridian's global table runs the "write to one Region" model
(https://docs.aws.amazon.com/prescriptive-guidance/latest/dynamodb-global-tables/write-to-one-region.html):
conditional writes are evaluated only against the replica of the region that takes them
("Conditional writes evaluate the condition expression against the version of the item in the
Region", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html),
so the idempotency guard, the profile's ``version`` lock, create-if-absent and the erasure mark
are only sound when every write goes to one region. CloudFront routes every method to that
region; the fence makes the same rule hold for every other path in (a direct regional call, a
stale DNS answer, an edge still deploying a failover): a function whose own region is not
``WRITE_REGION`` refuses every mutating request before it touches the table.

``WRITE_REGION`` is set by Terraform from ``active_region`` and ``writes_paused``
(``"none"`` while writes are paused for a planned failover: every region refuses).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from meridian import errors

# The methods that change data; GET, HEAD and OPTIONS are served by every region.
MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRITES_PAUSED = "none"
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
# Long enough for a planned failover's drain check to finish, short enough that a client
# retrying through CloudFront reaches the write region soon after the edge has switched.
RETRY_AFTER_SECONDS = 5


class RegionNotWritableError(errors.ServiceUnavailableError):
    """503: this region does not take writes now; the same request may succeed later (through
    CloudFront, which sends it to the write region) — a dependency-class answer, never a 4xx."""

    code = "REGION_NOT_WRITABLE"
    retry_after_seconds = RETRY_AFTER_SECONDS


@dataclass(frozen=True, slots=True)
class WriteFence:
    """This function's region and the one region that takes writes (None: writes paused)."""

    region: str
    write_region: str | None

    @classmethod
    def from_env(cls, region: str, write_region: str) -> WriteFence:
        """From AWS_REGION and WRITE_REGION (a region name or ``none``), already validated."""
        return cls(region, None if write_region == WRITES_PAUSED else write_region)

    @property
    def accepts_writes(self) -> bool:
        return self.write_region == self.region

    def refuses(self, method: str) -> bool:
        return method.upper() in MUTATING_METHODS and not self.accepts_writes

    def check(self, method: str) -> None:
        """Raise RegionNotWritableError when a ``method`` request must not be served here."""
        if not self.refuses(method):
            return
        if self.write_region is None:
            raise RegionNotWritableError(
                "writes are paused for a regional failover; retry in a few seconds"
            )
        raise RegionNotWritableError(
            f"this region ({self.region}) serves reads only: writes are accepted only in"
            f" {self.write_region}; retry through the API's public URL"
        )
