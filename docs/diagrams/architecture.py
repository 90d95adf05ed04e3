"""Meridian's architecture diagram, drawn from code.

`make diagram` renders `docs/diagrams/architecture.png` from the components and edges below (with
the `diagrams` package and Graphviz `dot`) and stamps the PNG with the graph it shows (a PNG tEXt
chunk), so `tests/docs` can tell whether the committed picture still matches this source.

Each component names the Terraform resource types it stands for; `tests/docs` checks that those
types exist in `infra/**/*.tf` and that every major service the Terraform uses is drawn.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DIAGRAM_DIR = Path(__file__).resolve().parent
PNG_PATH = DIAGRAM_DIR / "architecture.png"
PNG_METADATA_KEY = "meridian-graph"
PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass(frozen=True)
class Component:
    """One box of the picture and the Terraform resource types it stands for."""

    node_id: str
    label: str
    icon: str  # "module.Class" under the `diagrams` package
    cluster: str  # "" = top level
    resource_types: tuple[str, ...]  # empty only for what Terraform does not manage (the client)


CLUSTERS: dict[str, str] = {
    "edge": "Global edge (us-east-1)",
    "shared": "Shared services (primary region)",
    PRIMARY: "Primary region (default us-east-1)",
    SECONDARY: "Secondary region (default us-west-2)",
}


def _regional(region: str) -> tuple[Component, ...]:
    """The components each region runs (the `regional_api` module, instantiated per region)."""
    return (
        Component(
            f"api_{region}",
            "API Gateway REST API\nstage v1 (OpenAPI body)",
            "aws.network.APIGateway",
            region,
            ("aws_api_gateway_rest_api", "aws_api_gateway_stage", "aws_api_gateway_deployment"),
        ),
        Component(
            f"waf_{region}",
            "WAF (regional)\norigin-header check",
            "aws.security.WAF",
            region,
            ("aws_wafv2_web_acl", "aws_wafv2_web_acl_association"),
        ),
        Component(
            f"lambda_{region}",
            "Lambda (python3.13, arm64)\nprofiles · transactions\nauthorizer · health",
            "aws.compute.Lambda",
            region,
            ("aws_lambda_function", "aws_lambda_permission", "aws_iam_role"),
        ),
        Component(
            f"table_{region}",
            "DynamoDB global table\nreplica",
            "aws.database.Dynamodb",
            region,
            ("aws_dynamodb_table",),
        ),
        Component(
            f"kms_{region}",
            "KMS key\n(multi-region)",
            "aws.security.KMS",
            region,
            ("aws_kms_key",) if region == PRIMARY else ("aws_kms_replica_key",),
        ),
        Component(
            f"secret_{region}",
            "Secrets Manager\npartner signing key" + (" (replica)" if region == SECONDARY else ""),
            "aws.security.SecretsManager",
            region,
            ("aws_secretsmanager_secret",),
        ),
        Component(
            f"logs_{region}",
            "CloudWatch Logs\n(90 days, KMS)",
            "aws.management.CloudwatchLogs",
            region,
            ("aws_cloudwatch_log_group",),
        ),
        Component(
            f"alarms_{region}",
            "CloudWatch alarms\n5XX, p99, errors, throttles,\nreplication latency",
            "aws.management.CloudwatchAlarm",
            region,
            ("aws_cloudwatch_metric_alarm",),
        ),
        Component(
            f"sns_{region}",
            "SNS alarm topic\n(KMS, e-mail)",
            "aws.integration.SNS",
            region,
            ("aws_sns_topic", "aws_sns_topic_subscription"),
        ),
    )


COMPONENTS: tuple[Component, ...] = (
    Component("client", "Clients\n(apps, partners)", "onprem.client.Users", "", ()),
    Component(
        "route53",
        "Route 53\nalias + health checks\n(with a custom domain)",
        "aws.network.Route53",
        "edge",
        ("aws_route53_record", "aws_route53_health_check"),
    ),
    Component(
        "acm",
        "ACM certificates\n(with a custom domain)",
        "aws.security.CertificateManager",
        "edge",
        ("aws_acm_certificate",),
    ),
    Component(
        "cloudfront",
        "CloudFront\nHTTPS, all requests\nto active_region",
        "aws.network.CloudFront",
        "edge",
        ("aws_cloudfront_distribution",),
    ),
    Component(
        "waf_edge",
        "WAF (CLOUDFRONT)\nmanaged rules + rate limit",
        "aws.security.WAF",
        "edge",
        ("aws_wafv2_web_acl",),
    ),
    Component(
        "cognito",
        "Cognito user pool\n+ app client",
        "aws.security.Cognito",
        "shared",
        ("aws_cognito_user_pool", "aws_cognito_user_pool_client"),
    ),
    Component(
        "dashboard",
        "CloudWatch dashboard\n(both regions)",
        "aws.management.Cloudwatch",
        "shared",
        ("aws_cloudwatch_dashboard",),
    ),
    *_regional(PRIMARY),
    *_regional(SECONDARY),
)

EDGES: tuple[tuple[str, str, str], ...] = (
    ("client", "route53", "DNS"),
    ("client", "cloudfront", "HTTPS"),
    ("client", "cognito", "sign-in"),
    ("waf_edge", "cloudfront", "filters"),
    ("acm", "cloudfront", "TLS"),
    ("cloudfront", "api_primary", "active (default)"),
    ("cloudfront", "api_secondary", "standby (flip active_region)"),
    *(
        edge
        for region in (PRIMARY, SECONDARY)
        for edge in (
            (f"waf_{region}", f"api_{region}", "filters"),
            (f"api_{region}", f"lambda_{region}", "proxy + authorizer"),
            (f"lambda_{region}", f"table_{region}", "GetItem / Query"),
            (f"lambda_{region}", f"secret_{region}", "partner key"),
            (f"lambda_{region}", f"logs_{region}", "logs"),
            (f"kms_{region}", f"table_{region}", "encrypts"),
            (f"api_{region}", "cognito", "verifies tokens"),
            (f"alarms_{region}", f"sns_{region}", "notify"),
        )
    ),
    ("table_primary", "table_secondary", "replication"),
    ("secret_primary", "secret_secondary", "replication"),
)


def graph_summary() -> dict[str, list[list[str]]]:
    """What the picture shows, independent of layout and Graphviz version: nodes and edges."""
    return {
        "nodes": sorted([c.node_id, c.label] for c in COMPONENTS),
        "edges": sorted([source, target] for source, target, _ in EDGES),
    }


def _icon_class(icon: str) -> Any:  # noqa: ANN401 - `diagrams` ships no type information
    module_name, class_name = icon.rsplit(".", 1)
    return getattr(importlib.import_module(f"diagrams.{module_name}"), class_name)


def render(out_base: Path, outformat: str) -> Path:
    """Draw the diagram to `<out_base>.<outformat>` (needs Graphviz `dot`) and return its path."""
    diagrams = importlib.import_module("diagrams")
    nodes: dict[str, Any] = {}
    with diagrams.Diagram(
        "Meridian",
        filename=str(out_base),
        outformat=outformat,
        show=False,
        direction="LR",
        graph_attr={"fontsize": "20", "pad": "0.4", "splines": "spline"},
    ):
        top_level = [c for c in COMPONENTS if not c.cluster]
        for component in top_level:
            nodes[component.node_id] = _icon_class(component.icon)(
                component.label, nodeid=component.node_id
            )
        for cluster_id, cluster_label in CLUSTERS.items():
            with diagrams.Cluster(cluster_label):
                for component in (c for c in COMPONENTS if c.cluster == cluster_id):
                    nodes[component.node_id] = _icon_class(component.icon)(
                        component.label, nodeid=component.node_id
                    )
        for source, target, label in EDGES:
            nodes[source] >> diagrams.Edge(label=label) >> nodes[target]
    return out_base.with_suffix(f".{outformat}")


def summary_from_dot(dot_file: Path) -> dict[str, list[list[str]]]:
    """Nodes and edges of a DOT file of this diagram, as Graphviz reads them (`dot -Tjson`)."""
    graph = json.loads(
        subprocess.run(  # noqa: S603 - fixed argv, no shell
            [shutil.which("dot") or "dot", "-q", "-Tjson", str(dot_file)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    # Clusters are objects too (they list their `nodes`); icon nodes are the others.
    objects = [o for o in graph.get("objects", []) if "nodes" not in o]
    names = {o["_gvid"]: o["name"] for o in objects}
    return {
        "nodes": sorted([o["name"], o.get("label", "")] for o in objects),
        "edges": sorted([names[e["tail"]], names[e["head"]]] for e in graph.get("edges", [])),
    }


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def embed_summary(png: bytes, summary: dict[str, list[list[str]]]) -> bytes:
    """Insert (or replace) the tEXt chunk holding the graph summary, right after IHDR."""
    existing = read_summary(png)
    if existing is not None:
        png = _strip_summary(png)
    text = PNG_METADATA_KEY.encode("latin-1") + b"\0" + json.dumps(summary).encode("ascii")
    ihdr_end = 8 + 8 + struct.unpack(">I", png[8:12])[0] + 4
    return png[:ihdr_end] + _png_chunk(b"tEXt", text) + png[ihdr_end:]


def _chunks(png: bytes) -> list[tuple[bytes, bytes, int, int]]:
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    chunks, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        data = png[offset + 8 : offset + 8 + length]
        end = offset + 12 + length
        chunks.append((kind, data, offset, end))
        offset = end
    return chunks


def _strip_summary(png: bytes) -> bytes:
    prefix = PNG_METADATA_KEY.encode("latin-1") + b"\0"
    kept = [png[start:end] for kind, data, start, end in _chunks(png)
            if not (kind == b"tEXt" and data.startswith(prefix))]  # fmt: skip
    return png[:8] + b"".join(kept)


def read_summary(png: bytes) -> dict[str, list[list[str]]] | None:
    """The graph summary stamped into a PNG by `embed_summary`, or None."""
    prefix = PNG_METADATA_KEY.encode("latin-1") + b"\0"
    for kind, data, _, _ in _chunks(png):
        if kind == b"tEXt" and data.startswith(prefix):
            loaded: dict[str, list[list[str]]] = json.loads(data[len(prefix) :])
            return loaded
    return None


def write_png(destination: Path = PNG_PATH) -> Path:
    """Render the PNG, check Graphviz drew exactly our graph, and stamp the summary into it."""
    with tempfile.TemporaryDirectory() as tmp:
        drawn = summary_from_dot(render(Path(tmp) / "architecture", "dot"))
        if drawn != graph_summary():
            raise RuntimeError(f"Graphviz drew a different graph than the source: {drawn}")
        png = render(Path(tmp) / "architecture", "png").read_bytes()
    destination.write_bytes(embed_summary(png, graph_summary()))
    return destination


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=PNG_PATH, help="PNG to write")
    args = parser.parse_args(argv)
    print(f"wrote {write_png(args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
