"""The CloudFront filler: cache, origin-request and response-headers policies."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def cache_policy_config(name: str, default_ttl: int = 0) -> dict[str, Any]:
    return {
        "Name": name,
        "Comment": "api",
        "MinTTL": 0,
        "DefaultTTL": default_ttl,
        "MaxTTL": max(default_ttl, 1),
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": True,
            "EnableAcceptEncodingBrotli": True,
            "HeadersConfig": {
                "HeaderBehavior": "whitelist",
                "Headers": {"Quantity": 1, "Items": ["Authorization"]},
            },
            "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "all"},
        },
    }


def test_cache_policy_lifecycle(emulator: Any, unique_name: Any) -> None:
    cloudfront = emulator.client("cloudfront")
    name = unique_name("cache")
    created = cloudfront.create_cache_policy(CachePolicyConfig=cache_policy_config(name))
    policy_id = created["CachePolicy"]["Id"]
    fetched = cloudfront.get_cache_policy(Id=policy_id)
    assert fetched["ETag"] == created["ETag"]
    config = fetched["CachePolicy"]["CachePolicyConfig"]
    assert config == cache_policy_config(name)
    assert cloudfront.get_cache_policy_config(Id=policy_id)["CachePolicyConfig"] == config
    custom = cloudfront.list_cache_policies(Type="custom")["CachePolicyList"]["Items"]
    assert policy_id in [item["CachePolicy"]["Id"] for item in custom]

    with pytest.raises(ClientError) as stale:
        cloudfront.update_cache_policy(
            Id=policy_id, IfMatch="EWRONG", CachePolicyConfig=cache_policy_config(name, 60)
        )
    assert stale.value.response["Error"]["Code"] == "PreconditionFailed"
    updated = cloudfront.update_cache_policy(
        Id=policy_id, IfMatch=created["ETag"], CachePolicyConfig=cache_policy_config(name, 60)
    )
    assert updated["ETag"] != created["ETag"]
    assert (
        cloudfront.get_cache_policy(Id=policy_id)["CachePolicy"]["CachePolicyConfig"]["DefaultTTL"]
        == 60
    )

    cloudfront.delete_cache_policy(Id=policy_id, IfMatch=updated["ETag"])
    with pytest.raises(ClientError) as gone:
        cloudfront.get_cache_policy(Id=policy_id)
    assert gone.value.response["Error"]["Code"] == "NoSuchCachePolicy"


def test_duplicate_name_is_refused(emulator: Any, unique_name: Any) -> None:
    cloudfront = emulator.client("cloudfront")
    name = unique_name("dup")
    cloudfront.create_cache_policy(CachePolicyConfig=cache_policy_config(name))
    with pytest.raises(ClientError) as duplicate:
        cloudfront.create_cache_policy(CachePolicyConfig=cache_policy_config(name))
    assert duplicate.value.response["Error"]["Code"] == "CachePolicyAlreadyExists"


def test_managed_policies_are_listed_with_their_real_ids(emulator: Any) -> None:
    cloudfront = emulator.client("cloudfront")
    managed = cloudfront.list_cache_policies(Type="managed")["CachePolicyList"]["Items"]
    by_name = {
        i["CachePolicy"]["CachePolicyConfig"]["Name"]: i["CachePolicy"]["Id"] for i in managed
    }
    assert by_name["Managed-CachingDisabled"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    origin = cloudfront.list_origin_request_policies(Type="managed")["OriginRequestPolicyList"]
    names = [i["OriginRequestPolicy"]["OriginRequestPolicyConfig"]["Name"] for i in origin["Items"]]
    assert "Managed-AllViewerExceptHostHeader" in names


def test_origin_request_and_response_headers_policies(emulator: Any, unique_name: Any) -> None:
    cloudfront = emulator.client("cloudfront")
    origin = cloudfront.create_origin_request_policy(
        OriginRequestPolicyConfig={
            "Name": unique_name("origin"),
            "HeadersConfig": {
                "HeaderBehavior": "whitelist",
                "Headers": {"Quantity": 1, "Items": ["X-Origin-Verify"]},
            },
            "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "all"},
        }
    )
    origin_id = origin["OriginRequestPolicy"]["Id"]
    assert cloudfront.get_origin_request_policy(Id=origin_id)["OriginRequestPolicy"][
        "OriginRequestPolicyConfig"
    ]["HeadersConfig"]["Headers"]["Items"] == ["X-Origin-Verify"]
    headers = cloudfront.create_response_headers_policy(
        ResponseHeadersPolicyConfig={
            "Name": unique_name("headers"),
            "SecurityHeadersConfig": {
                "StrictTransportSecurity": {
                    "Override": True,
                    "IncludeSubdomains": True,
                    "Preload": False,
                    "AccessControlMaxAgeSec": 31536000,
                },
                "ContentTypeOptions": {"Override": True},
            },
        }
    )
    headers_id = headers["ResponseHeadersPolicy"]["Id"]
    config = cloudfront.get_response_headers_policy(Id=headers_id)["ResponseHeadersPolicy"][
        "ResponseHeadersPolicyConfig"
    ]
    assert (
        config["SecurityHeadersConfig"]["StrictTransportSecurity"]["AccessControlMaxAgeSec"]
        == 31536000
    )
    cloudfront.delete_response_headers_policy(Id=headers_id, IfMatch=headers["ETag"])
    cloudfront.delete_origin_request_policy(Id=origin_id, IfMatch=origin["ETag"])


def test_policy_used_by_a_distribution_cannot_be_deleted(emulator: Any, unique_name: Any) -> None:
    cloudfront = emulator.client("cloudfront")
    policy = cloudfront.create_cache_policy(
        CachePolicyConfig=cache_policy_config(unique_name("used"))
    )
    policy_id = policy["CachePolicy"]["Id"]
    distribution = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": unique_name("ref"),
            "Comment": "",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "api",
                        "DomainName": "example.execute-api.us-east-1.amazonaws.com",
                        "CustomOriginConfig": {
                            "HTTPPort": 80,
                            "HTTPSPort": 443,
                            "OriginProtocolPolicy": "https-only",
                        },
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "api",
                "ViewerProtocolPolicy": "https-only",
                "CachePolicyId": policy_id,
            },
        }
    )["Distribution"]
    assert distribution["DistributionConfig"]["DefaultCacheBehavior"]["CachePolicyId"] == policy_id
    with pytest.raises(ClientError) as in_use:
        cloudfront.delete_cache_policy(Id=policy_id, IfMatch=policy["ETag"])
    assert in_use.value.response["Error"]["Code"] == "CachePolicyInUse"


def test_distribution_targeting_an_origin_group_reads_back_as_sent(
    emulator: Any, unique_name: Any
) -> None:
    cloudfront = emulator.client("cloudfront")
    origin = {
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
        }
    }
    config = {
        "CallerReference": unique_name("group"),
        "Comment": "",
        "Enabled": True,
        "Origins": {
            "Quantity": 2,
            "Items": [
                {"Id": "primary", "DomainName": "a.example.com", **origin},
                {"Id": "secondary", "DomainName": "b.example.com", **origin},
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
        "DefaultCacheBehavior": {
            "TargetOriginId": "failover",
            "ViewerProtocolPolicy": "https-only",
        },
    }
    created = cloudfront.create_distribution(DistributionConfig=config)["Distribution"]
    assert created["DistributionConfig"]["DefaultCacheBehavior"]["TargetOriginId"] == "failover"
    fetched = cloudfront.get_distribution(Id=created["Id"])["Distribution"]["DistributionConfig"]
    assert fetched["DefaultCacheBehavior"]["TargetOriginId"] == "failover"
    assert fetched["OriginGroups"]["Items"][0]["Id"] == "failover"
    assert (
        cloudfront.get_distribution_config(Id=created["Id"])["DistributionConfig"][
            "DefaultCacheBehavior"
        ]["TargetOriginId"]
        == "failover"
    )
