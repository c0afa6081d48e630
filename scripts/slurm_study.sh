#!/usr/bin/env bash
# Runs a pact calibration (history matching, wave after wave) or sensitivity analysis on a Slurm
# cluster. Each stage (a calibration's wave; a sensitivity analysis's one design) is a job array
# of N slices, then a merge job that starts when every slice has ended (`afterany`, so it always
# ends and names any missing slice); the next wave starts only when the merge succeeded
# (`afterok`), since its points depend on the wave before. A last job writes the study's tables.
# If a job fails, the jobs after it never start; submitting the same command again resumes
# (finished runs and merged waves are kept, not run again).
#
#   scripts/slurm_study.sh calibrate scenarios/calibration/historical.toml results/calibration 16
#   scripts/slurm_study.sh sensitivity scenarios/sensitivity/historical.toml results/sensitivity 16
#
# Environment: PACT (the pact binary, default: pact on PATH), SBATCH_ARGS (extra sbatch options,
# e.g. "--partition=short --time=02:00:00"), CPUS (cores per slice, default 1).
# Paths may contain spaces: every one is quoted for the shell that runs the job.
set -euo pipefail
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: $0 calibrate|sensitivity FILE OUT_DIR [SLICES]" >&2
  exit 2
fi
kind=$1
file=$2
out=$3
n=${4:-16}
pact=${PACT:-pact}
cpus=${CPUS:-1}
case $kind in calibrate | sensitivity) ;; *) echo "$0: '$kind': allowed calibrate or sensitivity" >&2; exit 2 ;; esac
case $n in '' | *[!0-9]* | 0) echo "$0: SLICES: '$n' is not a whole number of at least 1" >&2; exit 2 ;; esac
case $cpus in '' | *[!0-9]* | 0) echo "$0: CPUS: '$cpus' is not a whole number of at least 1" >&2; exit 2 ;; esac
if [ ! -f "$file" ]; then
  echo "$0: $file: no such $kind file" >&2
  exit 2
fi
# The stages and the folder each stage's sweep runs in.
if [ "$kind" = calibrate ]; then
  stages=$(sed -n 's/^[[:space:]]*waves[[:space:]]*=[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$file" | head -n 1)
  if [ -z "$stages" ]; then
    echo "$0: $file: key \`waves\` not found (a whole number of waves is required)" >&2
    exit 2
  fi
else
  stages=1
fi
stage_dir() {
  if [ "$kind" = calibrate ]; then printf '%s/wave-%s/sweep' "$out" "$1"; else printf '%s/sweep' "$out"; fi
}
logs="$out.slurm"
mkdir -p "$logs"
q() { printf '%q' "$1"; }
study_cmd="$(q "$pact") $kind $(q "$file") --out $(q "$out") --threads $cpus"
after=""
jobs=()
for s in $(seq 1 "$stages"); do
  dir=$(stage_dir "$s")
  # shellcheck disable=SC2086
  array=$(sbatch --parsable ${SBATCH_ARGS:-} ${after:+--dependency=afterok:$after} \
    --array=0-$((n - 1)) --cpus-per-task="$cpus" --job-name="pact-$kind-$s" \
    --output="$logs/stage-$s-slice-%a.out" --wrap="$study_cmd --shard \$SLURM_ARRAY_TASK_ID/$n")
  array=${array%%;*}
  # A calibration that ruled out every point stops early: later waves have no sweep to merge.
  merge_cmd="if [ -f $(q "$dir/manifest.json") ] && [ ! -f $(q "$dir/results.csv") ]; then $(q "$pact") merge $(q "$dir"); fi"
  # shellcheck disable=SC2086
  merge=$(sbatch --parsable ${SBATCH_ARGS:-} --dependency=afterany:"$array" \
    --job-name="pact-merge-$s" --output="$logs/stage-$s-merge.out" --wrap="$merge_cmd")
  merge=${merge%%;*}
  jobs+=("$array" "$merge")
  after=$merge
done
# shellcheck disable=SC2086
tables=$(sbatch --parsable ${SBATCH_ARGS:-} --dependency=afterok:"$after" --cpus-per-task="$cpus" \
  --job-name="pact-$kind-tables" --output="$logs/tables.out" --wrap="$study_cmd")
tables=${tables%%;*}
jobs+=("$tables")
echo "submitted $stages stage(s) of $n slices each, every stage's merge, and the tables as job $tables"
echo "logs in $logs; to stop everything: scancel ${jobs[*]}"
