"""Summarise wrk runs (bench/pages.sh and bench/api.sh write their list) as a Markdown table.

Each line of the list is a run: name, URL, wrk's output file, and the pair it belongs to (a run of
hello and the page measured right after it). A page's share of hello is the median, over the
rounds, of its requests/s divided by its own pair's hello; the range shows how far the rounds
spread. Requests/s and latencies are medians over the rounds.
"""

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
    hello_of_pair: dict[str, float] = {}
    shares: dict[str, list[float]] = defaultdict(list)
    for line in Path(runs_file).read_text().splitlines():
        name, url, result, pair = line.split("\t")
        urls[name] = url
        measured = parse(Path(result))
        runs[name].append(measured)
        if name == "hello":
            hello_of_pair[pair] = measured[0]
        else:
            shares[name].append(measured[0] / hello_of_pair[pair])
    print(
        "| page | URL | requests/s (median of rounds) | % of hello (median of pairs) | range of pairs | p50 ms | p99 ms |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for name, results in runs.items():
        rps = statistics.median(r[0] for r in results)
        p50 = statistics.median(r[1] for r in results)
        p99 = statistics.median(r[2] for r in results)
        if name == "hello":
            share, spread = "100%", ""
        else:
            share = f"{100 * statistics.median(shares[name]):.0f}%"
            spread = f"{100 * min(shares[name]):.0f}–{100 * max(shares[name]):.0f}%"
        print(f"| {name} | `{urls[name]}` | {rps:,.0f} | {share} | {spread} | {p50:.1f} | {p99:.1f} |")


if __name__ == "__main__":
    main(sys.argv[1])
