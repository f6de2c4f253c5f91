# The chart of make soak: gnuplot -e "dir='build/soak'" tools/soak.gp
# reads dir/series.tsv (tools/soak-report) and draws dir/chart.png: the
# results' latency, the RSS of the runner and of nginx, and their open
# fds with the containers present, against the minutes of the soak.

set terminal pngcairo size 1100,1000 font ",11"
set output dir."/chart.png"
set datafile separator "\t"
set datafile missing "?"
set key top left horizontal opaque box
# room above the data for the key
set offsets 0, 0, graph 0.3, 0
set grid
set xlabel "minutes since the load started"
set lmargin 12
set rmargin 12

# one time axis for all three: the latency has no point at 0
stats dir."/series.tsv" using 1 nooutput
set xrange [0:STATS_max]

set multiplot layout 3,1 title "make soak"

set title "latency of the results that ended in each sample interval"
set ylabel "ms (log scale)"
set logscale y
set format y "%.0f"
# the offsets' room is linear: on a log axis, a factor of 4 instead
stats dir."/series.tsv" using 3 nooutput
set offsets 0, 0, 0, 0
set yrange [*:STATS_max * 4]
plot dir."/series.tsv" using 1:3 with linespoints pt 7 ps 0.5 lw 2 \
         title "p99", \
     "" using 1:2 with linespoints pt 7 ps 0.5 lw 2 title "p50"
unset logscale y
set format y "% h"
set offsets 0, 0, graph 0.3, 0

set title "resident memory (VmRSS)"
set ylabel "MiB"
set yrange [0:*]
plot dir."/series.tsv" using 1:5 with lines lw 2 title "sandbox-runner", \
     "" using 1:6 with lines lw 2 title "nginx (master + workers)"

set title "open file descriptors and containers"
set ylabel "open fds"
set y2label "containers"
# the same room above the containers, on their own axis
stats dir."/series.tsv" using 9 nooutput
set y2range [0:STATS_max * 1.4 + 1]
set y2tics
plot dir."/series.tsv" using 1:7 with lines lw 2 title "runner fds", \
     "" using 1:8 with lines lw 2 title "nginx fds", \
     "" using 1:9 axes x1y2 with steps lw 1 dt 2 title "containers (right)"

unset multiplot
