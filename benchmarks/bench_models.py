"""Benchmark of the models issue against SPEC §7 and issue 3: build + train at 5,000 accounts,
build and score at 300,000 accounts.

Each workload runs as the real command (`python -m analytics …`) in a child process; times are
wall-clock medians over --repeat runs (the province-scale ones run once), peak memory is the
child's own. The 5,000-account build is also given as a ratio of the demo generation time in the
same run, a baseline that moves with the machine's load, and the province-scale steps with their CPU
seconds, which move less with it than wall-clock time does on a shared machine.

    python benchmarks/bench_models.py            # ≈ 10–15 min on 2 cores (generates 300k)
    python benchmarks/bench_models.py --quick    # 5,000 accounts only
    python benchmarks/bench_models.py --province-db W.duckdb   # copy a generated 300k warehouse
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> tuple[float, float, float]:
    """Seconds, peak GiB and CPU seconds of one `python -m analytics …` child."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "analytics", *args, "--quiet"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # ru_maxrss of children is the largest child so far; each workload runs after smaller ones.
    peak = max(before.ru_maxrss, after.ru_maxrss) / 2**20
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, peak, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--accounts", type=int, default=300_000, help="province-scale size")
    parser.add_argument(
        "--province-db", type=Path, help="a generated (unbuilt) province warehouse to copy instead of generating one"
    )
    args = parser.parse_args()
    lines = ["needsmine models benchmark (SPEC §7, issue 3)"]
    with tempfile.TemporaryDirectory(prefix="needsmine-bench-") as tmp_name:
        tmp = Path(tmp_name)
        small = tmp / "small.duckdb"
        demo, build, train, score = [], [], [], []
        for _ in range(args.repeat):
            demo.append(run("demo", "--accounts", "5000", "--seed", "7", "--db", str(small))[0])
            build.append(run("build", "--db", str(small))[0])
            train.append(run("train", "--db", str(small))[0])
            score.append(run("score", "--db", str(small))[0])
        med = {
            k: statistics.median(v) for k, v in (("demo", demo), ("build", build), ("train", train), ("score", score))
        }
        lines.append(
            f"  5,000 accounts: build {med['build']:.1f} s + train {med['train']:.1f} s = "
            f"{med['build'] + med['train']:.1f} s (target ≤ 30 s), score {med['score']:.1f} s; "
            f"medians of {args.repeat}; "
            f"build = {med['build'] / med['demo']:.2f}× the demo generation ({med['demo']:.1f} s)"
        )
        if not args.quick:
            big = tmp / "big.duckdb"
            if args.province_db:
                shutil.copy(args.province_db, big)
                gen = "copied"
            else:
                gen_s, gen_peak, _ = run("demo", "--accounts", str(args.accounts), "--seed", "1", "--db", str(big))
                gen = f"generate {gen_s:.1f} s (peak {gen_peak:.2f} GiB)"
            build_s, build_peak, build_cpu = run("build", "--db", str(big))
            # Score the province with the 5,000-account models: scoring speed does not depend on
            # where the models learned, and training at province scale is not a target.
            small_models = small.with_name(small.stem + ".models")
            big_models = big.with_name(big.stem + ".models")
            subprocess.run(["cp", "-r", str(small_models), str(big_models)], check=True)
            score_s, score_peak, _ = run("score", "--db", str(big))
            lines.append(
                f"  {args.accounts:,} accounts: {gen}, "
                f"build {build_s:.1f} s (target ≤ 60 s, {build_cpu:.0f} s of CPU, peak {build_peak:.2f} GiB), "
                f"score {score_s:.1f} s (target ≤ 60 s, peak {score_peak:.2f} GiB)"
            )
    print("\n".join(lines))
    if "--json" in sys.argv:
        print(json.dumps({"lines": lines}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
