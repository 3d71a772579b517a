"""Benchmarks at scale (see bench/README.md). Not part of the trainer package."""

import os
import sys

# BENCH_CODE: measure a clean export of a commit (git archive HEAD trainer | tar -x -C DIR)
# instead of the working tree, even when run from the checkout (where "" comes first).
if os.environ.get("BENCH_CODE"):
    sys.path.insert(0, os.environ["BENCH_CODE"])
