#!/usr/bin/env python3
"""Selects the real sentences the team labels for risk: the frozen risk test set
(risk-test/candidates.csv) and the risk training set (risk-train/candidates.csv).

Selection only: this script never labels anything. Labels are typed by a person
reading each sentence, following ../weights/LABELLING.md.

Pools (MIT-licensed records of ../training-data/, split membership from
training-data/splits.csv, written by `go run ./tools/datasplits`):
  test pool   records in the twitter-test split (Twitter sent_valid.csv) or the
              sentfin-test split (SEntFiN's held-out 10%): nothing is trained
              on them and no setting is chosen on them.
  train pool  records in the train split only (not dev, not test).
Both pools drop every record whose text is, once normalised (lower case, URLs,
non-letters and spacing removed), the same as a risk-dev sentence or as a
record already selected, and exact duplicates within the pool.

Each set is half uniform random (base rates: most sentences carry no risk) and
half drawn through the broad keyword groups of ../risk-dev/select.py (to find
enough positives of rare categories). The keyword group is a search aid, not
the label. The rows are then shuffled so random and keyword rows interleave.

Usage: python3 weights/select_risk.py   (deterministic; rewrites both files)
"""
import csv
import importlib.util
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20261202

spec = importlib.util.spec_from_file_location("riskdev_select", os.path.join(HERE, "risk-dev", "select.py"))
riskdev = importlib.util.module_from_spec(spec)
spec.loader.exec_module(riskdev)

SETS = [
    # name, pool splits, random count, keyword count per group
    ("risk-test", {"twitter-test", "sentfin-test"}, 220, 20),
    ("risk-train", {"train"}, 1100, 100),
]


def norm(text):
    text = re.sub(r"https?://\S+", " ", text.lower())
    return re.sub(r"[^a-z]+", "", text)


def load_records():
    splits = {}
    with open(os.path.join(HERE, "training-data", "splits.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            splits[(r["source"], int(r["row"]))] = r["split"]
    records = []
    for name, path, col in riskdev.SOURCES:
        with open(path, encoding="utf-8", newline="") as f:
            for i, rec in enumerate(csv.DictReader(f), start=1):
                records.append((name, i, rec[col], splits.get((name, i))))
    return records


def main():
    records = load_records()
    with open(os.path.join(HERE, "risk-dev", "risk_dev.csv"), encoding="utf-8", newline="") as f:
        excluded = {norm(r["text"]) for r in csv.DictReader(f)}
    for n, (name, pool_splits, n_random, per_group) in enumerate(SETS):
        rng = random.Random(SEED + n)
        pool, seen = [], set(excluded)
        for rec in records:
            key = norm(rec[2])
            if rec[3] in pool_splits and key and key not in seen:
                seen.add(key)
                pool.append(rec)
        picked = [(i, "random") for i in rng.sample(range(len(pool)), n_random)]
        taken = {i for i, _ in picked}
        for g in riskdev.GROUP_ORDER:
            rx = riskdev.compile_group(riskdev.KEYWORDS[g])
            cands = [i for i, rec in enumerate(pool) if i not in taken and rx.search(rec[2])]
            rng.shuffle(cands)
            for i in cands[:per_group]:
                picked.append((i, "kw:" + g))
                taken.add(i)
        rng.shuffle(picked)
        prefix = "rt" if name == "risk-test" else "rr"
        out = os.path.join(HERE, name, "candidates.csv")
        with open(out, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["id", "source", "row", "pool", "text"])
            for k, (i, why) in enumerate(picked, start=1):
                src, row, text, _ = pool[i]
                w.writerow([f"{prefix}{k:04d}", src, row, why, text])
        print(f"{name}: pool {len(pool)}, wrote {len(picked)} candidates to {out}")


if __name__ == "__main__":
    main()
