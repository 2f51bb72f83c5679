"""What the class maps of a high-dimensional model show: digits and pieces per plane.

Usage: python scripts/plane_stats.py [--model gan-100d] [--planes 10] [--grid 50]
       [--checkpoints DIR] [--json]

For random planes random:0 .. random:N-1 (and the morph's plane points:0;seed=1;seed=2
and principal:0,1), the class map at ``--grid`` points a side: how many digits hold at
least 1% of it, how many connected pieces its areas make, and the largest piece's share
(gan_core.latent.area_statistics). Maps go through the map cache, so a second run is quick.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def plane_rows(explorer, specs: list[str], n: int) -> list[dict]:
    from gan_core.latent import area_statistics
    from gan_core.slices import slice_norm_report

    rows = []
    for spec in specs:
        plane = explorer.latent_slice(spec)
        stats = area_statistics(explorer.slice_map(plane, n))
        typical = slice_norm_report(plane, explorer.prior, n)["share"]
        rows.append({"plane": spec, "digits": len(stats["digits"]), "which": stats["digits"],
                     "pieces": stats["total_pieces"], "largest": round(stats["largest_share"], 3),
                     "typical_norm": round(typical, 3)})  # fmt: skip
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="gan-100d")
    p.add_argument("--planes", type=int, default=10, help="random planes random:0..N-1")
    p.add_argument("--grid", type=int, default=50)
    p.add_argument("--checkpoints", default=None)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)

    from gan_core.explorer import LatentExplorer

    explorer = LatentExplorer.from_checkpoint(args.model, args.checkpoints)
    specs = [f"random:{i}" for i in range(args.planes)] + ["points:0;seed=1;seed=2",
                                                          "principal:0,1"]  # fmt: skip
    rows = plane_rows(explorer, specs, args.grid)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{args.model}: {args.grid}x{args.grid} maps")
    print("| plane | digits (>= 1%) | pieces | largest piece | points of typical norm |")
    print("| --- | --- | --- | --- | --- |")
    for r in rows:
        which = ",".join(map(str, r["which"]))
        print(f"| {r['plane']} | {r['digits']} ({which}) | {r['pieces']} | {r['largest']:.0%} "
              f"| {r['typical_norm']:.0%} |")  # fmt: skip
    random_rows = rows[: args.planes]
    if random_rows:
        mean = lambda key: sum(r[key] for r in random_rows) / len(random_rows)  # noqa: E731
        print(f"random planes: {mean('digits'):.1f} digits, {mean('pieces'):.1f} pieces, "
              f"largest piece {mean('largest'):.0%} on average")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
