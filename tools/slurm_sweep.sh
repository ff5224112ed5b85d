#!/usr/bin/env bash
# The channel sweep as a Slurm job array: one array task per run, each doing --run K of
# every combination; a last job, started after the array ends, merges the runs into one
# table. From the project's root:
#   sbatch --array=1-5 tools/slurm_sweep.sh             # the runs
#   sbatch --dependency=singleton --job-name=sfew-sweep tools/slurm_sweep.sh merge
# Extra arguments go to experiments/channel_sweep.lua (e.g. --data FRAMES --epochs 700);
# give the merge job the same --out and --combos.
#SBATCH --job-name=sfew-sweep
#SBATCH --cpus-per-task=2
#SBATCH --time=02:00:00
#SBATCH --output=slurm-sweep-%A_%a.log
set -eu
cd "${SLURM_SUBMIT_DIR:-$(dirname "$0")/..}"
sfewlua=${SFEWLUA:-build/sfewlua}
if [ "${1:-}" = merge ]; then
  shift
  exec "$sfewlua" experiments/channel_sweep.lua --merge "$@"
fi
: "${SLURM_ARRAY_TASK_ID:?submit with sbatch --array=1-N (one task per run)}"
exec "$sfewlua" experiments/channel_sweep.lua --run "$SLURM_ARRAY_TASK_ID" \
  --threads "${SLURM_CPUS_PER_TASK:-2}" "$@"
