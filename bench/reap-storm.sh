#!/bin/sh
# Main child of the init under test in bench/reap.ts: runs the storm script $1 to leave $2 orphans gated on FIFO $3
# (each holding FIFO $4 open for writing while it lives), then stays until FIFO $5 is released, so the init does
# not exit while its orphans are measured.
"$1" "$2" "$3" "$4"
read -r _ < "$5"
