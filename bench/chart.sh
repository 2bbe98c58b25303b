#!/usr/bin/env bash
# Draws a benchmark's results as a PNG with gnuplot (installs gnuplot-nox if missing).
#
#   bench/chart.sh <results.md> <out.png>
#
# bench/run.sh's results (latest.md): saturation rps per target (bars) and p99 at the fixed rate (bars).
# bench/scale.sh's results (scale-latest.md): p50/p99 and saturation rps against the route count, per proxy, for the
# requests to the last route.
set -euo pipefail

usage() { echo "usage: bench/chart.sh <results.md> <out.png>" >&2; exit 2; }
(( $# == 2 )) || usage
IN=$1; OUT=$2
[[ -f $IN ]] || { echo "FAILED: no results file $IN" >&2; exit 1; }

if ! command -v gnuplot >/dev/null 2>&1; then
  echo "Installing gnuplot-nox..."
  sudo=; [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq gnuplot-nox >/dev/null
fi

DATA=$(mktemp -d /tmp/meshgate-chart.XXXXXX)
trap 'rm -rf "$DATA"' EXIT

# the table's rows (lines starting with "| " after the header row that starts with the given cells), cells trimmed
table() { # header-prefix
  awk -v head="$1" '
    index($0, head) == 1 {on = 1; next}
    on && /^\|---/ {next}
    on && /^\| / {n = split($0, c, "|"); line = ""; for (i = 2; i < n; i++) {gsub(/^ +| +$/, "", c[i]); line = line (i > 2 ? "\t" : "") c[i]} print line; next}
    on {exit}' "$IN"
}
number() { sed 's/[^0-9.]//g'; }

title=$(head -1 "$IN" | sed 's/^# *//')
when=$(sed -n '3p' "$IN" | cut -d, -f1)

case $(head -1 "$IN") in
  "# Side-by-side benchmark"*)
    table "| target | rps |" | while IFS=$'\t' read -r target rps _ _ _ _ p99 _; do
      printf '"%s"\t%s\t%s\n' "$target" "$rps" "$(echo "$p99" | number)"
    done >"$DATA/targets.tsv"
    [[ -s $DATA/targets.tsv ]] || { echo "FAILED: no target table in $IN" >&2; exit 1; }
    rate=$(sed -n 's/.*| p99 | p99.9 | .* at \([0-9]*\) rps.*/\1/p' "$IN" | head -1)
    gnuplot <<GNUPLOT
set terminal pngcairo size 1200,520 font ",10"
set output "$OUT"
set datafile separator "\t"
set multiplot layout 1,2 title "$title ($when)"
set style data histograms
set style histogram clustered gap 1
set boxwidth 0.8 relative
set style fill solid 0.8 border -1
set grid ytics
set xtics rotate by 25 right nomirror
set bmargin 7
set yrange [0:*]
unset key
set title "saturation (wrk -t1 -c32), requests/s"
plot "$DATA/targets.tsv" using 2:xtic(1) lc rgb "#4c78a8", '' using 0:2:(sprintf("%d", \$2)) with labels offset 0,0.7
set title "p99 at ${rate:-1000} rps (hey), ms"
plot "$DATA/targets.tsv" using 3:xtic(1) lc rgb "#e45756", '' using 0:3:(sprintf("%.1f", \$3)) with labels offset 0,0.7
unset multiplot
GNUPLOT
    ;;
  "# Route scale"*)
    table "| proxy | routes |" | while IFS=$'\t' read -r proxy routes position p50 p99 rps _; do
      [[ $position == last* ]] || continue
      printf '%s\t%s\t%s\t%s\t%s\n' "$proxy" "$routes" "$(echo "$p50" | number)" "$(echo "$p99" | number)" "$rps"
    done >"$DATA/scale.tsv"
    [[ -s $DATA/scale.tsv ]] || { echo "FAILED: no route count table in $IN" >&2; exit 1; }
    grep -F 'Meshgate' "$DATA/scale.tsv" >"$DATA/meshgate.tsv" || true
    grep -F 'plain' "$DATA/scale.tsv" >"$DATA/scg.tsv" || true
    gnuplot <<GNUPLOT
set terminal pngcairo size 1200,520 font ",10"
set output "$OUT"
set datafile separator "\t"
set multiplot layout 1,2 title "Gateway latency and throughput against the route count ($when): requests to the last route"
set logscale x
set xtics ("10" 10, "100" 100, "1,000" 1000, "10,000" 10000)
set xrange [5:20000]
set yrange [0:*]
set grid
set key top left
set xlabel "routes"
set title "latency at 1000 rps (hey), ms"
plot "$DATA/meshgate.tsv" using 2:4 with linespoints lw 2 pt 7 lc rgb "#e45756" title "Meshgate p99", \
     "$DATA/meshgate.tsv" using 2:3 with linespoints lw 2 pt 6 dt 2 lc rgb "#e45756" title "Meshgate p50", \
     "$DATA/scg.tsv" using 2:4 with linespoints lw 2 pt 5 lc rgb "#4c78a8" title "plain SCG p99", \
     "$DATA/scg.tsv" using 2:3 with linespoints lw 2 pt 4 dt 2 lc rgb "#4c78a8" title "plain SCG p50"
set title "saturation (wrk -t1 -c32), requests/s"
set key top right
plot "$DATA/meshgate.tsv" using 2:5 with linespoints lw 2 pt 7 lc rgb "#e45756" title "Meshgate gateway", \
     "$DATA/scg.tsv" using 2:5 with linespoints lw 2 pt 5 lc rgb "#4c78a8" title "plain SCG"
unset multiplot
GNUPLOT
    ;;
  *) echo "FAILED: $IN is neither bench/run.sh's nor bench/scale.sh's results" >&2; exit 1 ;;
esac
[[ -s $OUT ]] || { echo "FAILED: gnuplot wrote nothing to $OUT" >&2; exit 1; }
echo "Chart: $OUT"
