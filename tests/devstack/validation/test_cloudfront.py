"""AWS's CloudFront rules (devstack.validation.cloudfront), sent through boto3 to the emulator.

- An origin group on a cache behaviour that allows POST, PUT, PATCH or DELETE: AWS refuses
  CreateDistribution/UpdateDistribution with InvalidArgument (CloudFront fails over only GET,
  HEAD and OPTIONS: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html).
- With the default *.cloudfront.net certificate AWS stores MinimumProtocolVersion = TLSv1 whatever
  is sent (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html),
  so a configuration that asks for anything else never converges.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

ORIGIN_GROUP_WRITES = (
    "The parameter AllowedMethods cannot include POST, PUT, PATCH, or DELETE for a cached "
    "behavior associated with an origin group."
)
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
READ_METHODS = ["GET", "HEAD", "OPTIONS"]


def _origin(origin_id: str, domain: str) -> dict[str, Any]:
    return {
        "Id": origin_id,
        "DomainName": domain,
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
        },
    }


def _behaviour(target: str, methods: list[str]) -> dict[str, Any]:
    return {
        "TargetOriginId": target,
        "ViewerProtocolPolicy": "redirect-to-https",
        "AllowedMethods": {
            "Quantity": len(methods),
            "Items": methods,
            "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]},
        },
        "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    }


def _config(
    reference: str,
    default: dict[str, Any],
    ordered: list[dict[str, Any]] | None = None,
    certificate: dict[str, Any] | None = None,
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "CallerReference": reference,
        "Comment": "",
        "Enabled": True,
        "Origins": {
            "Quantity": 2,
            "Items": [
                _origin("primary", "a.execute-api.us-east-1.amazonaws.com"),
                _origin("secondary", "b.execute-api.us-west-2.amazonaws.com"),
            ],
        },
        "OriginGroups": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "failover",
                    "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [503]}},
                    "Members": {
                        "Quantity": 2,
                        "Items": [{"OriginId": "primary"}, {"OriginId": "secondary"}],
                    },
                }
            ],
        },
        "DefaultCacheBehavior": default,
    }
    if ordered:
        config["CacheBehaviors"] = {"Quantity": len(ordered), "Items": ordered}
    if certificate is not None:
        config["ViewerCertificate"] = certificate
    return config


def _reference() -> str:
    return f"rules-{uuid.uuid4()}"


def _assert_origin_group_refused(error: pytest.ExceptionInfo[ClientError]) -> None:
    assert error.value.response["Error"]["Code"] == "InvalidArgument"
    assert error.value.response["Error"]["Message"] == ORIGIN_GROUP_WRITES
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_default_behaviour_with_writes_on_an_origin_group_is_refused(emulator: Any) -> None:
    cloudfront = emulator.client("cloudfront")

    def count() -> int:
        return int(cloudfront.list_distributions()["DistributionList"]["Quantity"])

    before = count()
    with pytest.raises(ClientError) as refused:
        cloudfront.create_distribution(
            DistributionConfig=_config(_reference(), _behaviour("failover", ALL_METHODS))
        )
    _assert_origin_group_refused(refused)
    assert count() == before  # nothing was created


def test_create_with_tags_is_checked_too(emulator: Any) -> None:
    # Terraform creates distributions with CreateDistributionWithTags.
    cloudfront = emulator.client("cloudfront")
    with pytest.raises(ClientError) as refused:
        cloudfront.create_distribution_with_tags(
            DistributionConfigWithTags={
                "DistributionConfig": _config(_reference(), _behaviour("failover", ALL_METHODS)),
                "Tags": {"Items": [{"Key": "project", "Value": "meridian"}]},
            }
        )
    _assert_origin_group_refused(refused)


def test_ordered_behaviour_with_writes_on_an_origin_group_is_refused(emulator: Any) -> None:
    cloudfront = emulator.client("cloudfront")
    ordered = [
        {"PathPattern": "/v1/*", **_behaviour("failover", ["GET", "HEAD", "OPTIONS", "POST"])}
    ]
    with pytest.raises(ClientError) as refused:
        cloudfront.create_distribution(
            DistributionConfig=_config(
                _reference(), _behaviour("primary", ALL_METHODS), ordered=ordered
            )
        )
    _assert_origin_group_refused(refused)


def test_update_that_puts_writes_on_an_origin_group_is_refused(emulator: Any) -> None:
    cloudfront = emulator.client("cloudfront")
    config = _config(_reference(), _behaviour("primary", ALL_METHODS))
    created = cloudfront.create_distribution(DistributionConfig=config)
    distribution_id = created["Distribution"]["Id"]
    config["DefaultCacheBehavior"] = _behaviour("failover", ALL_METHODS)
    with pytest.raises(ClientError) as refused:
        cloudfront.update_distribution(
            Id=distribution_id, IfMatch=created["ETag"], DistributionConfig=config
        )
    _assert_origin_group_refused(refused)
    stored = cloudfront.get_distribution_config(Id=distribution_id)["DistributionConfig"]
    assert stored["DefaultCacheBehavior"]["TargetOriginId"] == "primary"


def test_origin_group_on_a_read_only_behaviour_is_accepted(emulator: Any) -> None:
    cloudfront = emulator.client("cloudfront")
    ordered = [{"PathPattern": "/v1/health", **_behaviour("failover", READ_METHODS)}]
    created = cloudfront.create_distribution(
        DistributionConfig=_config(
            _reference(), _behaviour("primary", ALL_METHODS), ordered=ordered
        )
    )["Distribution"]
    behaviours = created["DistributionConfig"]["CacheBehaviors"]["Items"]
    assert behaviours[0]["TargetOriginId"] == "failover"


@pytest.mark.parametrize("sent", ["TLSv1.2_2021", "TLSv1.2_2019", "TLSv1"])
def test_default_certificate_stores_tlsv1_whatever_is_sent(emulator: Any, sent: str) -> None:
    cloudfront = emulator.client("cloudfront")
    certificate = {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": sent}
    created = cloudfront.create_distribution(
        DistributionConfig=_config(
            _reference(), _behaviour("primary", ALL_METHODS), certificate=certificate
        )
    )
    assert (
        created["Distribution"]["DistributionConfig"]["ViewerCertificate"]["MinimumProtocolVersion"]
        == "TLSv1"
    )
    distribution_id = created["Distribution"]["Id"]
    stored = cloudfront.get_distribution_config(Id=distribution_id)
    assert stored["DistributionConfig"]["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1"

    config = stored["DistributionConfig"]
    config["ViewerCertificate"]["MinimumProtocolVersion"] = "TLSv1.2_2021"
    updated = cloudfront.update_distribution(
        Id=distribution_id, IfMatch=stored["ETag"], DistributionConfig=config
    )
    assert (
        updated["Distribution"]["DistributionConfig"]["ViewerCertificate"]["MinimumProtocolVersion"]
        == "TLSv1"
    )


def test_acm_certificate_keeps_the_minimum_protocol_version_sent(emulator: Any) -> None:
    cloudfront = emulator.client("cloudfront")
    certificate = {
        "CloudFrontDefaultCertificate": False,
        "ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        "SSLSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    created = cloudfront.create_distribution(
        DistributionConfig=_config(
            _reference(), _behaviour("primary", ALL_METHODS), certificate=certificate
        )
    )
    stored = cloudfront.get_distribution_config(Id=created["Distribution"]["Id"])
    assert stored["DistributionConfig"]["ViewerCertificate"]["MinimumProtocolVersion"] == (
        "TLSv1.2_2021"
    )


def test_custom_error_responses_read_back_as_sent(emulator: Any) -> None:
    cloudfront = emulator.client("cloudfront")
    config = _config(_reference(), _behaviour("primary", ALL_METHODS))
    codes = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504]
    config["CustomErrorResponses"] = {
        "Quantity": len(codes),
        "Items": [{"ErrorCode": code, "ErrorCachingMinTTL": 0} for code in codes],
    }
    created = cloudfront.create_distribution(DistributionConfig=config)
    stored = cloudfront.get_distribution_config(Id=created["Distribution"]["Id"])
    responses = stored["DistributionConfig"]["CustomErrorResponses"]["Items"]
    assert {r["ErrorCode"]: r["ErrorCachingMinTTL"] for r in responses} == dict.fromkeys(codes, 0)
