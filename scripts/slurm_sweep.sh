#!/usr/bin/env bash
# Runs a pact sweep on a Slurm cluster: a job array of N slices, then a merge job that starts
# when every slice has ended (succeeded, failed or cancelled: `afterany`), so it always ends.
# The merge either writes the results or reports, in its log and exit code, which slices are
# missing or incomplete; re-submitting the same command then resumes (finished runs are kept).
#
#   scripts/slurm_sweep.sh scenarios/sweeps/repression_x_rations.toml results/rxr 16
#
# Environment: PACT (the pact binary, default: pact on PATH), SBATCH_ARGS (extra sbatch options,
# e.g. "--partition=short --time=02:00:00"), CPUS (cores per slice, default 1).
# Paths may contain spaces: every one is quoted for the shell that runs the job.
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 SWEEP_FILE OUT_DIR [SLICES]" >&2
  exit 2
fi
sweep=$1
out=$2
n=${3:-16}
pact=${PACT:-pact}
cpus=${CPUS:-1}
case $n in '' | *[!0-9]* | 0) echo "$0: SLICES: '$n' is not a whole number of at least 1" >&2; exit 2 ;; esac
case $cpus in '' | *[!0-9]* | 0) echo "$0: CPUS: '$cpus' is not a whole number of at least 1" >&2; exit 2 ;; esac
if [ ! -f "$sweep" ]; then
  echo "$0: $sweep: no such sweep file" >&2
  exit 2
fi
logs="$out.slurm"
mkdir -p "$logs"
# The job's command line, each path quoted once for the job's shell.
slice_cmd="$(printf '%q' "$pact") sweep $(printf '%q' "$sweep") --out $(printf '%q' "$out") --shard \$SLURM_ARRAY_TASK_ID/$n --threads $cpus"
merge_cmd="$(printf '%q' "$pact") merge $(printf '%q' "$out")"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_ARGS:-} --array=0-$((n - 1)) --cpus-per-task="$cpus" \
  --job-name=pact-sweep --output="$logs/slice-%a.out" --wrap="$slice_cmd")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --dependency=afterany:"$array" \
  --job-name=pact-merge --output="$logs/merge.out" --wrap="$merge_cmd")
merge=${merge%%;*}
echo "submitted slices as job $array ($n tasks) and the merge as job $merge"
echo "the merge runs when every slice has ended; to stop everything: scancel $array $merge"
