#!/usr/bin/env bash
# cpu.sh <pid...>: total utime+stime in clock ticks of the given pids (and their children for postgres)
t=0
for p in "$@"; do
  for q in $p $(pgrep -P $p 2>/dev/null); do
    if [ -r /proc/$q/stat ]; then
      v=$(awk '{print $14+$15}' /proc/$q/stat); t=$((t+v))
    fi
  done
done
echo $t
