"""The account-and-region-wide API Gateway CloudWatch role is owned by infra/account only.

`aws_api_gateway_account` is one setting per account and Region: "To avoid overwriting other roles,
you should only have one AWS::ApiGateway::Account resource per region per account"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-account.html).
An environment that declares it overwrites every other stack's setting, and destroying that
environment leaves the Region pointing at a deleted role (API Gateway logging stops for every
stack).
`terraform test` cannot assert that a resource type is absent, so this test reads the sources.
"""

from __future__ import annotations

import re
from pathlib import Path

INFRA = Path(__file__).resolve().parents[2] / "infra"
ACCOUNT_SETTING = re.compile(r'^\s*resource\s+"aws_api_gateway_account"', re.MULTILINE)


def declarations(root: Path) -> list[str]:
    return sorted(
        str(path.relative_to(INFRA))
        for path in root.rglob("*.tf")
        if ".terraform" not in path.parts and ACCOUNT_SETTING.search(path.read_text())
    )


def test_environment_stacks_never_declare_the_account_setting() -> None:
    environment_files = [d for d in declarations(INFRA) if not d.startswith("account/")]
    assert environment_files == [], (
        "aws_api_gateway_account belongs to infra/account (one per account and Region), "
        f"not to the environments: {environment_files}"
    )


def test_the_account_module_declares_it_once() -> None:
    assert declarations(INFRA / "account") == ["account/main.tf"]
    text = (INFRA / "account" / "main.tf").read_text()
    assert len(ACCOUNT_SETTING.findall(text)) == 1
