#!/usr/bin/env bash
# Spark resource discovery script for NVIDIA GPUs: prints the GPUs this node (or container) sees as
# Spark's JSON, e.g. {"name": "gpu", "addresses": ["0","1"]}. The addresses are nvidia-smi's
# indices, which the job hands to ND4J as CUDA device indices (io.sparkrl.policy.DeviceBinding);
# set CUDA_DEVICE_ORDER=PCI_BUS_ID on the executors so CUDA numbers the devices as nvidia-smi does.
# Use: --conf spark.executor.resource.gpu.discoveryScript=gpu-discovery.sh (YARN, Kubernetes;
# ship it with --files) or spark.worker.resource.gpu.discoveryScript=/path/gpu-discovery.sh
# (standalone workers). NVIDIA_SMI overrides the command (tests).
set -euo pipefail
SMI="${NVIDIA_SMI:-nvidia-smi}"
if ! command -v "$SMI" > /dev/null 2>&1; then
  echo "gpu-discovery.sh: $SMI not found on $(hostname): no NVIDIA driver on this node?" >&2
  exit 1
fi
indices=$("$SMI" --query-gpu=index --format=csv,noheader)
addresses=$(printf '%s\n' "$indices" | awk 'NF { printf "%s\"%s\"", (n++ ? "," : ""), $1 }')
printf '{"name": "gpu", "addresses": [%s]}\n' "$addresses"
