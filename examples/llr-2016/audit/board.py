"""A simulated audit board: reads the sampled papers of a ballot file, for trying an audit.

The ballot file's papers are taken to lie in the manifest's boxes in order:
the first box holds its first papers, and so on. For each paper of the
sample, the board writes what the paper says, as a CSV in the ballot file's
own format with the paper's box and position. ``--misread N`` makes it read
N of the papers as blank, to see an audit find a discrepancy.

    python board.py MANIFEST BALLOTS SAMPLE [--misread N] > readings.csv
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import sys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("ballots")
    parser.add_argument("sample")
    parser.add_argument("--misread", type=int, default=0, help="papers read as blank")
    args = parser.parse_args()
    with open(args.manifest, newline="") as f:
        boxes = [(row["box"], int(row["papers"])) for row in csv.DictReader(f)]
    start, at = {}, 0
    for box, papers in boxes:
        start[box], at = at, at + papers
    with open(args.sample, newline="") as f:
        text = f.read()
    drawn = (
        json.loads(text)["draws"]
        if text.lstrip().startswith("{")
        else csv.DictReader(io.StringIO(text))
    )  # the sample's sealed JSON, or its CSV list
    wanted = {(row["batch"], int(row["position"])) for row in drawn}
    rows = {start[box] + position - 1: (box, position) for box, position in wanted}
    opened = gzip.open if args.ballots.endswith(".gz") else open
    with opened(args.ballots, "rt", newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(["box", "position", *header])
        misread = args.misread
        for index, row in enumerate(reader):
            if index in rows:
                if misread:
                    row, misread = [""] * len(row), misread - 1
                out.writerow([*rows[index], *row])


if __name__ == "__main__":
    main()
