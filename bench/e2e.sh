#!/usr/bin/env bash
# End-to-end benchmark: ingestd against a kcat consume-and-produce pipe on the same
# embedded broker, topic and data, in the same run. See bench/e2e.py --help.
#   bench/e2e.sh --binary build/ingestd --count 40000 --partitions 96 --runs 3 --chains off,local
exec python3 "$(dirname "$0")/e2e.py" "$@"
