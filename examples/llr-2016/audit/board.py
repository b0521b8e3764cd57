"""A simulated audit board: reads the sampled papers of a ballot file, for trying an audit.

The ballot file's papers are taken to lie in the manifest's boxes in order:
the first box holds its first papers, and so on. For each paper of the
sample, the board writes what the paper says, as a CSV in the ballot file's
own format with the paper's box and position. ``--misread N`` makes it read
N of the papers as blank, to see an audit find a discrepancy.

With ``--packets``, MANIFEST is the count's packet manifest (packets.csv) and
each paper says what its packet's label says: first preference, where it went
at stage two, or its rejection heading (the ballot file is not read).

    python board.py MANIFEST BALLOTS SAMPLE [--misread N] [--packets] > readings.csv
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
    parser.add_argument("--packets", action="store_true", help="MANIFEST is packets.csv")
    args = parser.parse_args()
    if args.packets:
        read_packets(args.manifest, drawn_papers(args.sample), args.misread)
        return
    with open(args.manifest, newline="") as f:
        boxes = [(row["box"], int(row["papers"])) for row in csv.DictReader(f)]
    start, at = {}, 0
    for box, papers in boxes:
        start[box], at = at, at + papers
    wanted = drawn_papers(args.sample)
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


def drawn_papers(sample: str) -> set[tuple[str, int]]:
    """The papers of a sample: its sealed JSON, or its CSV list."""
    with open(sample, newline="") as f:
        text = f.read()
    drawn = (
        json.loads(text)["draws"]
        if text.lstrip().startswith("{")
        else csv.DictReader(io.StringIO(text))
    )
    return {(row["batch"], int(row["position"])) for row in drawn}


def read_packets(manifest: str, wanted: set[tuple[str, int]], misread: int) -> None:
    """Each drawn paper as its packet's label says it is."""
    with open(manifest, newline="") as f:
        labels = {row["packet"]: row for row in csv.DictReader(f)}
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["packet", "position", "first", "second", "rejected"])
    for packet, position in sorted(wanted):
        label = labels[packet]
        first, to = label["first"], label["transferred_to"]
        second = "" if to in ("", "not transferred") else to
        row = [first, second, ""] if first in CANDIDATES else ["", "", first]
        if misread:
            row, misread = ["", "", ""], misread - 1
        out.writerow([packet, position, *row])


CANDIDATES = ("Willy Bach", "Neil Durban Bannister", "Sarah Hill", "David Sprason")


if __name__ == "__main__":
    main()
