"""Summarise wrk runs (bench/pages.sh writes their list) as a Markdown table of median rounds."""

import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def millis(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def parse(path: Path) -> tuple[float, float, float]:
    text = path.read_text()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    p50 = millis(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))  # type: ignore[union-attr]
    p99 = millis(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))  # type: ignore[union-attr]
    return rps, p50, p99


def main(runs_file: str) -> None:
    runs: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    urls: dict[str, str] = {}
    for line in Path(runs_file).read_text().splitlines():
        name, url, result = line.split("\t")
        urls[name] = url
        runs[name].append(parse(Path(result)))
    hello = statistics.median(r[0] for r in runs["hello"])
    print("| page | URL | requests/s (median of rounds) | % of hello | p50 ms | p99 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for name, results in runs.items():
        rps = statistics.median(r[0] for r in results)
        p50 = statistics.median(r[1] for r in results)
        p99 = statistics.median(r[2] for r in results)
        print(f"| {name} | `{urls[name]}` | {rps:,.0f} | {100 * rps / hello:.0f}% | {p50:.1f} | {p99:.1f} |")


if __name__ == "__main__":
    main(sys.argv[1])
