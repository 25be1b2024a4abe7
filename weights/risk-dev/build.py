#!/usr/bin/env python3
"""Join candidates.csv (from select.py) with the hand labels in labels.txt into
risk_dev.csv, and sanity-check the result. No labelling happens here: labels.txt
was typed by the annotator while reading each sentence.

Checks: every candidate has exactly one label line; every category id exists in
../risk-taxonomy.json; levels are none/low/medium/high; each (source, row) really
holds the text; near-duplicate texts (same text once URLs, mojibake and
non-alphanumerics are removed) are dropped, keeping the first id; the written
file re-parses with the csv module.
"""
import collections
import csv
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
TD = os.path.join(HERE, "..", "training-data")
SRC = {
    "tw_train": (os.path.join(TD, "twitter-financial-news", "sent_train.csv"), "text"),
    "tw_valid": (os.path.join(TD, "twitter-financial-news", "sent_valid.csv"), "text"),
    "sentfin": (os.path.join(TD, "sentfin", "sentfin_headline_level.csv"), "title"),
}
LEVELS = ["none", "low", "medium", "high"]


def norm(t):
    t = re.sub(r"https?://\S+", " ", t)
    t = t.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", t)


def main():
    tax = json.load(open(os.path.join(HERE, "..", "risk-taxonomy.json"), encoding="utf-8"))
    cat_ids = [c["id"] for c in tax["categories"]]
    labels = {}
    for line in open(os.path.join(HERE, "labels.txt"), encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        i, cats, level = line.rstrip("\n").split("\t")
        assert i not in labels, f"duplicate label line {i}"
        cats = [] if cats == "-" else cats.split("|")
        assert all(c in cat_ids for c in cats), (i, cats)
        assert len(set(cats)) == len(cats), i
        assert level in LEVELS, (i, level)
        labels[i] = (cats, level)

    sources = {}
    for name, (path, col) in SRC.items():
        with open(path, encoding="utf-8", newline="") as f:
            sources[name] = [r[col] for r in csv.DictReader(f)]

    cands = list(csv.DictReader(open(os.path.join(HERE, "candidates.csv"), encoding="utf-8", newline="")))
    assert set(labels) == {c["id"] for c in cands}, "labels and candidates differ"
    out_rows, seen, dropped = [], {}, []
    for c in cands:
        assert sources[c["source"]][int(c["row"]) - 1] == c["text"], c["id"]
        k = norm(c["text"])
        if k in seen:
            dropped.append((c["id"], seen[k]))
            continue
        seen[k] = c["id"]
        cats, level = labels[c["id"]]
        # categories in taxonomy order for stable output
        cats = [x for x in cat_ids if x in cats]
        out_rows.append([c["id"], c["source"], c["row"], c["text"], "|".join(cats), level])

    out = os.path.join(HERE, "risk_dev.csv")
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        w.writerow(["id", "source", "row", "text", "categories", "level"])
        w.writerows(out_rows)

    # re-parse and report
    back = list(csv.DictReader(open(out, encoding="utf-8", newline="")))
    assert len(back) == len(out_rows)
    assert [b["text"] for b in back] == [r[3] for r in out_rows]
    per_cat = collections.Counter()
    per_level = collections.Counter()
    n_cats = collections.Counter()
    pool = {c["id"]: c["pool"] for c in cands}
    rand_cat, rand_level, n_rand = collections.Counter(), collections.Counter(), 0
    for b in back:
        cats = b["categories"].split("|") if b["categories"] else []
        assert all(x in cat_ids for x in cats)
        assert b["level"] in LEVELS
        per_cat.update(cats)
        per_level[b["level"]] += 1
        n_cats[len(cats)] += 1
        if pool[b["id"]] == "random":
            n_rand += 1
            rand_cat.update(cats)
            rand_level[b["level"]] += 1
    print(f"wrote {out}: {len(back)} sentences; dropped near-duplicates {dropped}")
    print("sources:", dict(collections.Counter(b["source"] for b in back)))
    print("per category:", {c: per_cat[c] for c in cat_ids})
    print("per level:", {l: per_level[l] for l in LEVELS})
    print("number of categories per sentence:", dict(sorted(n_cats.items())))
    print(f"random subset ({n_rand}):", {c: rand_cat[c] for c in cat_ids}, {l: rand_level[l] for l in LEVELS})
    # level/category consistency: a sentence with categories is never level none
    for b in back:
        if b["categories"] and b["level"] == "none":
            print("WARN category with level none:", b["id"])


if __name__ == "__main__":
    main()
