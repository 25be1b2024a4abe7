#!/usr/bin/env python3
"""Joins the selected candidates with the labels typed for them:
risk-test/candidates.csv + risk-test/labels.txt -> risk-test/risk_test.csv, and
risk-train/candidates.csv + risk-train/labels_*.txt -> risk-train/risk_train.csv.

Rows listed in <folder>/excluded.txt (id, tab, why) are left out of the output:
risk-train rows that the overlap guard (guard_test.go) found too close to an
evaluation sentence.

Output columns (as in risk-dev/risk_dev.csv): id,source,row,text,categories,level
with categories "|"-separated in taxonomy order (empty for none). Checks: every
candidate labelled exactly once, in order; categories known and in taxonomy
order; a row with a category has a level of at least low; every (source, row)
still holds the same text in ../training-data.

Usage: python3 weights/build_risk.py
"""
import csv
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LEVELS = ["none", "low", "medium", "high"]
SOURCES = {
    "tw_train": ("twitter-financial-news/sent_train.csv", "text"),
    "tw_valid": ("twitter-financial-news/sent_valid.csv", "text"),
    "sentfin": ("sentfin/sentfin_headline_level.csv", "title"),
}


def main():
    with open(os.path.join(HERE, "risk-taxonomy.json"), encoding="utf-8") as f:
        order = [c["id"] for c in json.load(f)["categories"]]
    records = {}
    for name, (path, col) in SOURCES.items():
        with open(os.path.join(HERE, "training-data", path), encoding="utf-8", newline="") as f:
            for i, rec in enumerate(csv.DictReader(f), start=1):
                records[(name, i)] = rec[col]
    for folder, labels_glob, out_name in [("risk-test", "labels.txt", "risk_test.csv"),
                                          ("risk-train", "labels_*.txt", "risk_train.csv")]:
        with open(os.path.join(HERE, folder, "candidates.csv"), encoding="utf-8", newline="") as f:
            cands = list(csv.DictReader(f))
        labels = []
        for path in sorted(glob.glob(os.path.join(HERE, folder, labels_glob))):
            with open(path, encoding="utf-8") as f:
                labels += [line.rstrip("\n").split("\t") for line in f if line.strip()]
        if [l[0] for l in labels] != [c["id"] for c in cands]:
            sys.exit(f"{folder}: labels do not cover the candidates exactly once, in order")
        excluded = set()
        path = os.path.join(HERE, folder, "excluded.txt")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                excluded = {line.split("\t")[0] for line in f if line.strip() and not line.startswith("#")}
        rows = []
        for c, (_, cats, level) in zip(cands, labels):
            if c["id"] in excluded:
                continue
            cats = [] if cats == "-" else cats.split("|")
            if any(x not in order for x in cats) or cats != sorted(cats, key=order.index) or len(set(cats)) != len(cats):
                sys.exit(f"{folder} {c['id']}: categories {cats} unknown, repeated or out of taxonomy order")
            if level not in LEVELS or (cats and level == "none"):
                sys.exit(f"{folder} {c['id']}: level {level!r} with categories {cats}")
            if records[(c["source"], int(c["row"]))] != c["text"]:
                sys.exit(f"{folder} {c['id']}: {c['source']} row {c['row']} no longer holds this text")
            rows.append([c["id"], c["source"], c["row"], c["text"], "|".join(cats), level])
        with open(os.path.join(HERE, folder, out_name), "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["id", "source", "row", "text", "categories", "level"])
            w.writerows(rows)
        print(f"{folder}/{out_name}: {len(rows)} rows ({len(excluded)} excluded), {sum(1 for r in rows if not r[4])} with no category")


if __name__ == "__main__":
    main()
