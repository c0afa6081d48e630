#!/bin/sh
# The counterfactual library against the historical baseline: `pact compare` for every
# scenario of scenarios/ that extends historical.toml, with common random numbers, then one
# Markdown table of the paired differences B − A (the README's "What the library says" table;
# each scenario's compare.md holds the means, 95% intervals and sign stability).
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
    echo "| scenario (B − historical) | strikers 1921 H1 | strikers 1922–23 | legitimacy 1922–23 | real wage 1922–23 | output 1924–25 | party in factories 1924–25 | abstention |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
} >"$table"
for f in scenarios/*.toml; do
    s=$(basename "$f" .toml)
    grep -q '^extends = "historical.toml"' "$f" || continue
    "$pact" compare scenarios/historical.toml "$f" --replicates "$reps" --scale "$scale" \
        --out "$out/$s" --force >/dev/null
    # One cell per headline: the paired difference B − A; "(ns)" where its 95% interval
    # includes 0, "0" where every pair is equal.
    awk -F, -v s="$s" '
        function cell(o, w, f,    k) { k = o SUBSEP w
            if (!(k in d)) return "–"
            if (d[k] == 0 && lo[k] == 0 && hi[k] == 0) return "0"
            return sprintf(f, d[k]) ((lo[k] <= 0 && hi[k] >= 0) ? " (ns)" : "") }
        NR > 1 { d[$1 SUBSEP $2] = $5; lo[$1 SUBSEP $2] = $6; hi[$1 SUBSEP $2] = $7 }
        END {
            printf "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", s,
                cell("strikers", "1921-01-01..1921-07-01", "%+.0f"),
                cell("strikers", "1922-01-01..1924-01-01", "%+.0f"),
                cell("legitimacy", "1922-01-01..1924-01-01", "%+.3f"),
                cell("real_wage", "1922-01-01..1924-01-01", "%+.3f"),
                cell("output_index", "1924-01-01..1926-01-01", "%+.3f"),
                cell("party_in_factories", "1924-01-01..1926-01-01", "%+.0f"),
                cell("abstention", "all elections", "%+.3f")
}' "$out/$s/compare.csv" >>"$table"
done
# The baseline's own levels (mean_a, the same in every comparison), as the first row.
first=$(ls "$out"/*/compare.csv | head -n 1)
awk -F, '
    NR > 1 { a[$1 SUBSEP $2] = $3 }
    END {
        printf "| `historical` (level) | %.0f | %.0f | %.3f | %.3f | %.3f | %.0f | %.3f |\n",
            a["strikers" SUBSEP "1921-01-01..1921-07-01"],
            a["strikers" SUBSEP "1922-01-01..1924-01-01"],
            a["legitimacy" SUBSEP "1922-01-01..1924-01-01"],
            a["real_wage" SUBSEP "1922-01-01..1924-01-01"],
            a["output_index" SUBSEP "1924-01-01..1926-01-01"],
            a["party_in_factories" SUBSEP "1924-01-01..1926-01-01"],
            a["abstention" SUBSEP "all elections"]
    }' "$first" >"$out/level.tmp"
{ head -n 2 "$table"; cat "$out/level.tmp"; tail -n +3 "$table"; } >"$out/library.md"
rm -f "$table" "$out/level.tmp"
cat "$out/library.md"
