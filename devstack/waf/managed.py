"""AWS managed rule groups, APPROXIMATED (AWS does not publish their rules).

AWS documents each group's rule names, what they inspect and their default action, but not their
patterns: https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
(Core rule set, Known bad inputs) and
https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-use-case.html (SQL
database). The devstack stands in for them as follows (every other rule of a group: not emulated):

* SQL injection (``AWSManagedRulesSQLiRuleSet``: ``SQLi_QUERYARGUMENTS``, ``SQLi_BODY``,
  ``SQLi_COOKIE``, ``SQLi_URIPATH``) and cross-site scripting (``AWSManagedRulesCommonRuleSet``:
  ``CrossSiteScripting_QUERYARGUMENTS``, ``_BODY``, ``_COOKIE``, ``_URIPATH``): libinjection's
  detectors (``@detectSQLi`` / ``@detectXSS``) run by OWASP ModSecurity v3 through the maintained
  ``libmodsecurity`` bindings (PyPI, cp313 wheels). Chosen over ``libinjection-python`` (last
  release 2022, source only, needs a C compiler) and hand-written patterns. An approximation: AWS's
  own detection engine differs, so borderline inputs may be judged differently; classic probes
  (``' OR '1'='1``, ``<script>``) are caught by both.
* ``AWSManagedRulesCommonRuleSet`` size rules (query string > 2,048 bytes, cookie > 10,240,
  body > 8 KB, URI path > 1,024) and ``NoUserAgent_HEADER``: exactly as documented.
* ``AWSManagedRulesKnownBadInputsRuleSet``: ``Log4JRCE_*`` (``${jndi:`` in the query, body, URI
  path or a header) and ``PROPFIND_METHOD``. ``Host_localhost_HEADER`` is NOT emulated: every
  request to the devstack has a loopback Host, which on AWS never happens.
* ``AWSManagedRulesAnonymousIpList``: NOT emulated (no IP reputation data; every local client is
  a loopback address).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from libmodsecurity import ModSecurity, RulesSet, Transaction

from devstack.waf.statements import BODY_INSPECTION_LIMIT, Inspected

COMMON = "AWSManagedRulesCommonRuleSet"
SQLI = "AWSManagedRulesSQLiRuleSet"
KNOWN_BAD_INPUTS = "AWSManagedRulesKnownBadInputsRuleSet"
ANONYMOUS_IP = "AWSManagedRulesAnonymousIpList"

# The group's rules in their documented order, each (name, label suffix); default action Block.
GROUP_RULES: dict[str, tuple[str, ...]] = {
    COMMON: (
        "NoUserAgent_HEADER",
        "SizeRestrictions_QUERYSTRING",
        "SizeRestrictions_Cookie_HEADER",
        "SizeRestrictions_BODY",
        "SizeRestrictions_URIPATH",
        "CrossSiteScripting_COOKIE",
        "CrossSiteScripting_QUERYARGUMENTS",
        "CrossSiteScripting_BODY",
        "CrossSiteScripting_URIPATH",
    ),
    SQLI: ("SQLi_QUERYARGUMENTS", "SQLi_BODY", "SQLi_COOKIE", "SQLi_URIPATH"),
    KNOWN_BAD_INPUTS: (
        "PROPFIND_METHOD",
        "Log4JRCE_HEADER",
        "Log4JRCE_QUERYSTRING",
        "Log4JRCE_BODY",
        "Log4JRCE_URIPATH",
    ),
    ANONYMOUS_IP: (),
}

# SecRule id -> AWS rule name. ModSecurity parses the query (ARGS_GET, decoded) and cookies;
# REQUEST_FILENAME is the decoded path; the body is what WAF inspects (its first 8 KB).
_DETECTORS: dict[int, tuple[str, str, str]] = {
    1001: ("SQLi_QUERYARGUMENTS", "ARGS_GET", "@detectSQLi"),
    1002: ("SQLi_BODY", "REQUEST_BODY", "@detectSQLi"),
    1003: ("SQLi_COOKIE", "REQUEST_COOKIES", "@detectSQLi"),
    1004: ("SQLi_URIPATH", "REQUEST_FILENAME", "@detectSQLi"),
    2001: ("CrossSiteScripting_QUERYARGUMENTS", "ARGS_GET", "@detectXSS"),
    2002: ("CrossSiteScripting_BODY", "REQUEST_BODY", "@detectXSS"),
    2003: ("CrossSiteScripting_COOKIE", "REQUEST_COOKIES", "@detectXSS"),
    2004: ("CrossSiteScripting_URIPATH", "REQUEST_FILENAME", "@detectXSS"),
}


def _rules_text() -> str:
    lines = ["SecRuleEngine DetectionOnly", "SecRequestBodyAccess On"]
    for rule_id, (name, variable, operator) in _DETECTORS.items():
        transformations = "t:none,t:urlDecodeUni"
        if operator == "@detectXSS":
            transformations += ",t:htmlEntityDecode"
        lines.append(
            f'SecRule {variable} "{operator}" '
            f"\"id:{rule_id},phase:2,pass,log,{transformations},msg:'{name}'\""
        )
    return "\n".join(lines) + "\n"


class InjectionDetector:
    """libinjection (through ModSecurity v3) over the request parts the AWS rules inspect."""

    def __init__(self) -> None:
        self._engine = ModSecurity()
        self._engine.set_connector_information("meridian-devstack-waf")
        # Rule matches are read from the transaction; without a callback the library prints
        # every match to stderr.
        self._engine.set_rule_message_callback(_ignore)
        self._rules = RulesSet()
        if self._rules.load(_rules_text()) < 0:
            raise RuntimeError(f"ModSecurity rules: {self._rules.get_parser_error()}")
        self._lock = threading.Lock()

    def detect(self, request: Inspected) -> set[str]:
        transaction = Transaction(self._engine, self._rules)
        transaction.process_connection("127.0.0.1", 0, "127.0.0.1", 0)
        uri = request.uri_path + (f"?{request.query_string}" if request.query_string else "")
        transaction.process_uri(uri, request.method, "1.1")
        for name, value in request.headers:
            transaction.add_request_header(name, value)
        transaction.process_request_headers()
        transaction.append_request_body(request.body[:BODY_INSPECTION_LIMIT])
        transaction.process_request_body()
        found = {
            _DETECTORS[message.rule_id][0]
            for message in transaction.get_rule_messages()
            if message.rule_id in _DETECTORS
        }
        transaction.process_logging()
        return found


def _ignore(_message: object) -> None:
    return None


def _log4j(value: str) -> bool:
    return "${jndi:" in unquote(value).lower()


@dataclass
class ManagedRuleGroups:
    """Which rules of which AWS managed group match a request (each group's rules in order)."""

    detector_factory: Callable[[], InjectionDetector] = InjectionDetector

    def __post_init__(self) -> None:
        self._detector: InjectionDetector | None = None
        self._lock = threading.Lock()

    def _injections(self, request: Inspected) -> set[str]:
        with self._lock:
            if self._detector is None:
                self._detector = self.detector_factory()
            detector = self._detector
        return detector.detect(request)

    def matching_rules(self, group: str, request: Inspected) -> list[str]:
        """The names of the group's rules that match, in the group's order."""
        rules = GROUP_RULES.get(group)
        if not rules:
            return []
        found: set[str] = set()
        if group in (COMMON, SQLI):
            found |= self._injections(request)
        if group == COMMON:
            found |= _common_rules(request)
        if group == KNOWN_BAD_INPUTS:
            found |= _known_bad_inputs(request)
        return [name for name in rules if name in found]


def _common_rules(request: Inspected) -> set[str]:
    """The Core rule set's size rules and NoUserAgent_HEADER, with the documented limits."""
    found: set[str] = set()
    cookie = request.header("cookie") or ""
    if request.header("user-agent") is None:
        found.add("NoUserAgent_HEADER")
    if len(request.query_string.encode()) > 2048:
        found.add("SizeRestrictions_QUERYSTRING")
    if len(cookie.encode()) > 10240:
        found.add("SizeRestrictions_Cookie_HEADER")
    if len(request.body) > BODY_INSPECTION_LIMIT:
        found.add("SizeRestrictions_BODY")
    if len(request.uri_path.encode()) > 1024:
        found.add("SizeRestrictions_URIPATH")
    return found


def _known_bad_inputs(request: Inspected) -> set[str]:
    found: set[str] = set()
    if request.method.upper() == "PROPFIND":
        found.add("PROPFIND_METHOD")
    if any(_log4j(value) for _, value in request.headers):
        found.add("Log4JRCE_HEADER")
    if _log4j(request.query_string):
        found.add("Log4JRCE_QUERYSTRING")
    if _log4j(request.body[:BODY_INSPECTION_LIMIT].decode("utf-8", errors="replace")):
        found.add("Log4JRCE_BODY")
    if _log4j(request.uri_path):
        found.add("Log4JRCE_URIPATH")
    return found
