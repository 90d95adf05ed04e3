"""CloudFront: the distribution rules AWS enforces at its API (docs/aws-rules.md, "Edge").

- A cache behaviour that targets an origin group may not allow POST, PUT, PATCH or DELETE:
  CreateDistribution(WithTags) / UpdateDistribution are refused with ``InvalidArgument`` and
  AWS's own message (CloudFront fails over only GET, HEAD and OPTIONS:
  https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html).
- With the default ``*.cloudfront.net`` certificate CloudFront *stores* ``MinimumProtocolVersion
  = TLSv1`` whatever is sent (a normalisation, not a refusal): :func:`as_aws_stores`, applied by
  the CloudFront filler to the document it hands to moto
  (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from devstack.validation import rest_xml_error
from devstack.wsgi import AwsRequest, Response

_CREATE = re.compile(r"^/2020-05-31/distribution$")
_UPDATE = re.compile(r"^/2020-05-31/distribution/[^/]+/config$")

# The message is AWS's own.
ORIGIN_GROUP_WRITES = (
    "The parameter AllowedMethods cannot include POST, PUT, PATCH, or DELETE for a cached "
    "behavior associated with an origin group."
)
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def check(request: AwsRequest) -> Response | None:
    """AWS's refusal of a CreateDistribution(WithTags) / UpdateDistribution, or None."""
    writes = (request.method == "POST" and _CREATE.match(request.path)) or (
        request.method == "PUT" and _UPDATE.match(request.path)
    )
    if not writes:
        return None
    return origin_group_with_writes(request.body)


def origin_group_with_writes(body: bytes) -> Response | None:
    """AWS's InvalidArgument when a behaviour targets an origin group and allows writes."""
    try:
        root = ET.fromstring(body)  # noqa: S314 - local clients only
    except ET.ParseError:
        return None
    # CreateDistributionWithTags wraps the DistributionConfig in a DistributionConfigWithTags.
    config = root.find("{*}DistributionConfig")
    if config is not None:
        root = config
    groups = {
        g.findtext("{*}Id") for g in root.iterfind(".//{*}OriginGroups/{*}Items/{*}OriginGroup")
    }
    behaviours = [
        *root.iterfind("{*}DefaultCacheBehavior"),
        *root.iterfind("{*}CacheBehaviors/{*}Items/{*}CacheBehavior"),
    ]
    for behaviour in behaviours:
        if behaviour.findtext("{*}TargetOriginId") not in groups:
            continue
        methods = {
            (m.text or "").strip()
            for m in behaviour.iterfind("{*}AllowedMethods/{*}Items/{*}Method")
        }
        if methods & _WRITE_METHODS:
            return rest_xml_error("InvalidArgument", ORIGIN_GROUP_WRITES)
    return None


_DEFAULT_CERTIFICATE = "<CloudFrontDefaultCertificate>true</CloudFrontDefaultCertificate>"
_MINIMUM_PROTOCOL = re.compile(r"<MinimumProtocolVersion>[^<]*</MinimumProtocolVersion>")
_VIEWER_CERTIFICATE = re.compile(r"<ViewerCertificate>.*?</ViewerCertificate>", re.DOTALL)


def as_aws_stores(body: bytes) -> bytes:
    """With the default certificate AWS stores MinimumProtocolVersion TLSv1 whatever is sent.

    https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html: "If the
    distribution uses the CloudFront domain name ... CloudFront automatically sets the security
    policy to TLSv1 regardless of the value that you set here". A configuration asking for more
    therefore never converges, on AWS and here.
    """
    text = body.decode("utf-8", "replace")

    def certificate(match: re.Match[str]) -> str:
        block = match.group(0)
        if _DEFAULT_CERTIFICATE not in block:
            return block
        version = "<MinimumProtocolVersion>TLSv1</MinimumProtocolVersion>"
        if _MINIMUM_PROTOCOL.search(block):
            return _MINIMUM_PROTOCOL.sub(version, block)
        return block.replace("</ViewerCertificate>", f"{version}</ViewerCertificate>")

    return _VIEWER_CERTIFICATE.sub(certificate, text).encode()
