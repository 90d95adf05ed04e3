"""Every lock file lets `terraform init` verify the AWS provider on the platforms users have.

`terraform init` accepts a provider package only if it matches a hash in the lock file: `h1:` (the
unpacked package of one platform) or `zh:` (the registry's SHA256SUMS of the release zips, one per
platform) (https://developer.hashicorp.com/terraform/language/files/dependency-lock#hashes).
A lock file with only the linux_amd64 `h1:` makes init fail on macOS and arm64 laptops. The zh
hashes are HashiCorp's published checksums of terraform-provider-aws 5.100.0 (every platform);
`make tf-lock` (needs the registry) adds the h1 hash of each platform in TF_LOCK_PLATFORMS.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

INFRA = Path(__file__).resolve().parents[2] / "infra"
LOCK_FILES = sorted(
    p for p in INFRA.rglob(".terraform.lock.hcl") if ".terraform" not in p.parent.parts
)
LINUX_AMD64_H1 = "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0="
RELEASE_ZIP_COUNT = 15  # terraform-provider-aws_5.100.0_<os>_<arch>.zip, every platform


def test_every_terraform_directory_has_a_lock_file() -> None:
    directories = {p.parent for p in INFRA.rglob("versions.tf") if ".terraform" not in p.parts}
    assert directories == {p.parent for p in LOCK_FILES}


@pytest.mark.parametrize("lock_file", LOCK_FILES, ids=lambda p: str(p.relative_to(INFRA)))
def test_lock_file_verifies_every_platform(lock_file: Path) -> None:
    text = lock_file.read_text()
    assert 'version     = "5.100.0"' in text
    assert LINUX_AMD64_H1 in text
    zh = re.findall(r'"zh:([0-9a-f]{64})"', text)
    assert len(set(zh)) >= RELEASE_ZIP_COUNT, "zh: hashes of every platform's release zip"


def test_lock_files_agree() -> None:
    assert len({p.read_text() for p in LOCK_FILES}) == 1


def test_make_tf_lock_covers_the_users_platforms() -> None:
    makefile = (INFRA.parent / "mk" / "infra.mk").read_text()
    platforms = re.search(r"^TF_LOCK_PLATFORMS := (.+)$", makefile, re.MULTILINE)
    assert platforms is not None
    assert set(platforms.group(1).split()) >= {
        "linux_amd64",
        "linux_arm64",
        "darwin_amd64",
        "darwin_arm64",
    }
