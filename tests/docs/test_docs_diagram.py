"""The architecture diagram matches the Terraform, and the committed PNG matches its source."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from docs_support import REPO_ROOT, load_diagram_module

diagram = load_diagram_module()

INFRA_DIR = REPO_ROOT / "infra"
RESOURCE_BLOCK = re.compile(r'^\s*resource\s+"(aws_[a-z0-9_]+)"\s+"', re.MULTILINE)

# The major services the platform is made of: resource-type prefix → what to call it in a failure.
MAJOR_SERVICES = {
    "aws_api_gateway_": "API Gateway REST API",
    "aws_lambda_": "Lambda",
    "aws_dynamodb_": "DynamoDB",
    "aws_cognito_": "Cognito",
    "aws_cloudfront_": "CloudFront",
    "aws_wafv2_": "WAFv2",
    "aws_route53_": "Route 53",
    "aws_kms_": "KMS",
    "aws_secretsmanager_": "Secrets Manager",
    "aws_sns_": "SNS",
    "aws_cloudwatch_": "CloudWatch",
}


def terraform_resource_types(root: Path = INFRA_DIR) -> set[str]:
    """Every `resource "aws_..."` type declared in infra/**/*.tf (tests excluded)."""
    types: set[str] = set()
    for tf_file in root.rglob("*.tf"):
        if ".terraform" in tf_file.parts:
            continue
        types.update(RESOURCE_BLOCK.findall(tf_file.read_text()))
    return types


def drawn_resource_types() -> set[str]:
    return {t for component in diagram.COMPONENTS for t in component.resource_types}


@pytest.fixture(scope="module")
def infra_types() -> set[str]:
    types = terraform_resource_types()
    if not types:
        pytest.skip("infra/ holds no Terraform resources in this checkout (infra not merged yet)")
    return types


def test_resource_block_parser_reads_types(tmp_path: Path) -> None:
    (tmp_path / "modules" / "x").mkdir(parents=True)
    (tmp_path / "modules" / "x" / "main.tf").write_text(
        'resource "aws_sns_topic" "alarms" {\n  name = "x"\n}\n'
        '  resource "aws_kms_key" "this" {}\n'
        'data "aws_iam_policy_document" "p" {}\n'
        '# resource "aws_fake_thing" "commented" — not at the start of a line\n'
    )
    assert terraform_resource_types(tmp_path) == {"aws_sns_topic", "aws_kms_key"}


def test_every_component_but_the_client_stands_for_terraform_resources() -> None:
    unmapped = [c.node_id for c in diagram.COMPONENTS if not c.resource_types]
    assert unmapped == ["client"]


def test_node_ids_and_edges_are_consistent() -> None:
    ids = [c.node_id for c in diagram.COMPONENTS]
    assert len(ids) == len(set(ids)), "duplicate node ids"
    for source, target, _label in diagram.EDGES:
        assert source in ids, source
        assert target in ids, target
    assert {c.cluster for c in diagram.COMPONENTS} - {""} <= set(diagram.CLUSTERS)


def test_drawn_resource_types_exist_in_the_terraform(infra_types: set[str]) -> None:
    missing = {
        c.node_id: sorted(set(c.resource_types) - infra_types)
        for c in diagram.COMPONENTS
        if set(c.resource_types) - infra_types
    }
    assert not missing, f"diagram nodes stand for resource types absent from infra/: {missing}"


def test_every_major_service_in_the_terraform_is_drawn(infra_types: set[str]) -> None:
    drawn_prefixes = {
        p for p in MAJOR_SERVICES if any(t.startswith(p) for t in drawn_resource_types())
    }
    used_prefixes = {p for p in MAJOR_SERVICES if any(t.startswith(p) for t in infra_types)}
    assert used_prefixes <= drawn_prefixes, sorted(used_prefixes - drawn_prefixes)


def test_committed_png_shows_the_current_source() -> None:
    stamped = diagram.read_summary(diagram.PNG_PATH.read_bytes())
    assert stamped is not None, "architecture.png carries no graph summary: run `make diagram`"
    assert stamped == diagram.graph_summary(), "architecture.png is stale: run `make diagram`"


def test_png_summary_roundtrip_detects_a_stale_picture() -> None:
    png = diagram.PNG_PATH.read_bytes()
    summary = diagram.graph_summary()
    changed = {"nodes": [*summary["nodes"], ["extra", "Extra"]], "edges": summary["edges"]}
    restamped = diagram.embed_summary(png, changed)
    assert diagram.read_summary(restamped) == changed
    assert diagram.read_summary(restamped) != summary
    # Re-stamping replaces the chunk instead of adding a second one.
    assert restamped.count(diagram.PNG_METADATA_KEY.encode()) == 1


@pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz `dot` is not installed (make graphviz installs it when root); "
    "the committed PNG's stamped summary is still checked against the source above",
)
def test_graphviz_renders_exactly_the_source_graph(tmp_path: Path) -> None:
    dot_file = diagram.render(tmp_path / "architecture", "dot")
    assert diagram.summary_from_dot(dot_file) == diagram.graph_summary()
    png = diagram.write_png(tmp_path / "architecture.png")
    assert diagram.read_summary(png.read_bytes()) == diagram.read_summary(
        diagram.PNG_PATH.read_bytes()
    )
