"""Lambda's event source mapping API: moto answers, this keeps moto from running the mappings.

Before ``CreateEventSourceMapping`` reaches moto, every table of the Region gets a
``lambda_event_source_mappings`` that stays empty (``runner.detach_moto_invocations``), so moto
registers nothing to invoke through Docker on the next table write; after any successful
create/update/delete the runner re-reads the mappings at once (a LATEST mapping starts from the
records present when it was created), inside ``runner.exclusive()`` so that the runner of the
emulator that created a mapping is the one that claims it (``runner.CLAIMS``).
"""

from __future__ import annotations

import re

from devstack.eventsources.runner import EventSourceRunner
from devstack.fillers import Forward
from devstack.wsgi import AwsRequest, Response

_MAPPINGS = re.compile(r"^/2015-03-31/event-source-mappings/?(?P<uuid>[^/]*)$")


class EventSourceMappingFiller:
    def __init__(self, runner: EventSourceRunner) -> None:
        self.runner = runner

    def handle(self, request: AwsRequest, forward: Forward) -> Response | None:
        if request.service != "lambda" or not request.region:
            return None
        if request.method == "GET" or not _MAPPINGS.match(request.path):
            return None
        self.runner.detach_region(request.region)
        # One block: no other emulator of the process claims a mapping this request creates.
        with self.runner.exclusive():
            response = forward(request)
            if response.status < 300:
                self.runner.sync()
        return response
