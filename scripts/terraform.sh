#!/usr/bin/env bash
# Run terraform with a CLI config that uses a local provider mirror when one is present.
#
# When $TF_PROVIDER_MIRROR (default /opt/tf-plugins) holds hashicorp/aws, providers are installed
# from that filesystem mirror only (offline machines, CI without registry access); otherwise the
# public registry is used as usual. The generated config lives in build/ so it never leaks into
# the user's own ~/.terraformrc.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mirror="${TF_PROVIDER_MIRROR:-/opt/tf-plugins}"

if [[ -d "${mirror}/registry.terraform.io/hashicorp/aws" ]]; then
  config_dir="${repo_root}/build/terraform"
  mkdir -p "${config_dir}"
  config_file="${config_dir}/cli.tfrc"
  cat > "${config_file}.tmp.$$" <<CONFIG
provider_installation {
  filesystem_mirror {
    path    = "${mirror}"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
CONFIG
  mv -f "${config_file}.tmp.$$" "${config_file}"
  export TF_CLI_CONFIG_FILE="${config_file}"
fi

# No prompts, no colour codes in logs, no usage reporting.
export TF_INPUT=0
export TF_IN_AUTOMATION=1
export CHECKPOINT_DISABLE=1

exec terraform "$@"
