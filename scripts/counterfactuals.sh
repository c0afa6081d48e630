#!/bin/sh
# The counterfactual library against the historical baseline: `pact compare` for every
# scenario of scenarios/ that extends historical.toml, with common random numbers, then one
# Markdown table of the paired differences (the README's "The counterfactual library" table).
#
#   scripts/counterfactuals.sh [REPLICATES] [SCALE] [OUT]     # defaults: 20 50000 results/counterfactuals
#
# Writes OUT/<scenario>/ (each a `pact compare` folder that `pact verify` re-derives) and
# OUT/library.md. Needs the release binary (`cargo build --release`).
set -eu
reps=${1:-20}
scale=${2:-50000}
out=${3:-results/counterfactuals}
pact=${PACT:-target/release/pact}
mkdir -p "$out"
table="$out/library.md.tmp"
{
    echo "| scenario | strikers 1921 H1 | strikers 1922–23 | legitimacy 1922–23 | real wage 1922–23 | output 1924–25 | party in factories 1924–25 | abstention |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
} >"$table"
for f in scenarios/*.toml; do
    s=$(basename "$f" .toml)
    grep -q '^extends = "historical.toml"' "$f" || continue
    "$pact" compare scenarios/historical.toml "$f" --replicates "$reps" --scale "$scale" \
        --out "$out/$s" --force >/dev/null
    # One cell per headline: the paired difference B − A and its 95% interval.
    awk -F, -v s="$s" '
        function cell(o, w,    k) { k = o SUBSEP w
            if (!(k in d)) return "–"
            return sprintf("%+.3g (%.3g to %.3g)", d[k], lo[k], hi[k]) }
        NR > 1 { d[$1 SUBSEP $2] = $5; lo[$1 SUBSEP $2] = $6; hi[$1 SUBSEP $2] = $7 }
        END {
            printf "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", s,
                cell("strikers", "1921-01-01..1921-07-01"),
                cell("strikers", "1922-01-01..1924-01-01"),
                cell("legitimacy", "1922-01-01..1924-01-01"),
                cell("real_wage", "1922-01-01..1924-01-01"),
                cell("output_index", "1924-01-01..1926-01-01"),
                cell("party_in_factories", "1924-01-01..1926-01-01"),
                cell("abstention", "all elections")
        }' "$out/$s/compare.csv" >>"$table"
done
mv "$table" "$out/library.md"
cat "$out/library.md"
