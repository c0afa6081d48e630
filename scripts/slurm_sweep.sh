#!/usr/bin/env bash
# Runs a pact sweep on a Slurm cluster: a job array of N slices, then a merge job that starts
# when every slice has succeeded. Re-submitting after a failure resumes: finished runs are kept.
#
#   scripts/slurm_sweep.sh scenarios/sweeps/repression_x_rations.toml results/rxr 16
#
# Environment: PACT (the pact binary, default: pact on PATH), SBATCH_ARGS (extra sbatch options,
# e.g. "--partition=short --time=02:00:00"), CPUS (cores per slice, default 1).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 SWEEP_FILE OUT_DIR [SLICES]" >&2
  exit 2
fi
sweep=$1
out=$2
n=${3:-16}
pact=${PACT:-pact}
cpus=${CPUS:-1}
logs="$out.slurm"
mkdir -p "$logs"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_ARGS:-} --array=0-$((n - 1)) --cpus-per-task="$cpus" \
  --job-name=pact-sweep --output="$logs/slice-%a.out" \
  --wrap="$pact sweep $sweep --out $out --shard \$SLURM_ARRAY_TASK_ID/$n --threads $cpus")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --dependency=afterok:"$array" \
  --job-name=pact-merge --output="$logs/merge.out" --wrap="$pact merge $out")
echo "submitted slices as job $array ($n tasks) and the merge as job ${merge%%;*}"
