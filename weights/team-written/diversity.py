#!/usr/bin/env python3
"""Measures how varied the team-written sentences are (Python 3 standard library).

- distinct-n: distinct word n-grams / all word n-grams (n = 1, 2, 3, 4), over
  the whole set (words lower-cased, punctuation split off).
- template reuse: each sentence is reduced to a skeleton (numbers -> 0,
  currency codes and symbols -> CUR, capitalised words not at the start ->
  NAME); the share of sentences whose skeleton another sentence shares, and
  the largest group of sentences with one skeleton.
- near duplicates: pairs of sentences whose word sets overlap with Jaccard
  similarity >= 0.8 (checked among sentences sharing a rare word, to stay fast).
- companies: how many distinct capitalised names, and how often the most
  frequent appear.

Usage: python3 weights/team-written/diversity.py
"""
import collections
import csv
import glob
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
CUR = r"(?:EUR|USD|GBP|CHF|SEK|NOK|DKK|JPY|INR|Rs\.?|AUD|CAD|BRL|ZAR|SGD|HKD|PLN|MXN|CNY|KRW|€|\$|£|¥)"


def words(text):
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]", text.lower())


def skeleton(text):
    t = re.sub(CUR, " CUR ", text)
    t = re.sub(r"\d+(?:[.,\s]\d+)*", "0", t)
    toks = t.split()
    out = []
    for i, w in enumerate(toks):
        out.append("NAME" if i > 0 and w[:1].isupper() and w not in ("CUR",) else w.lower())
    return " ".join(re.sub(r"(NAME )+", "NAME ", " ".join(out)).split())


def main():
    rows = []
    for path in sorted(glob.glob(os.path.join(HERE, "*.csv"))):
        with open(path, encoding="utf-8", newline="") as f:
            rows += [(os.path.basename(path), r) for r in csv.DictReader(f)]
    texts = [r["text"] for _, r in rows]
    print(f"{len(texts)} team-written sentences in {len(set(f for f, _ in rows))} files")
    print("by file:", dict(collections.Counter(f for f, _ in rows)))
    print("by style:", dict(collections.Counter(r["style"] for _, r in rows)))
    print("by sentiment:", dict(collections.Counter(r["sentiment"] for _, r in rows)))
    cats = collections.Counter(c for _, r in rows for c in r["categories"].split("|") if c)
    print("by category:", dict(cats), "| no category:", sum(1 for _, r in rows if not r["categories"]))
    toks = [words(t) for t in texts]
    print(f"words: {sum(map(len, toks))}, mean {sum(map(len, toks)) / len(toks):.1f} per sentence")
    for n in (1, 2, 3, 4):
        grams = [tuple(t[i:i + n]) for t in toks for i in range(len(t) - n + 1)]
        print(f"distinct-{n}: {len(set(grams))} of {len(grams)} = {len(set(grams)) / len(grams):.3f}")
    sk = collections.Counter(skeleton(t) for t in texts)
    shared = sum(c for c in sk.values() if c > 1)
    print(f"template reuse: {shared} sentences ({shared / len(texts):.1%}) share their skeleton with another; "
          f"{len(sk)} distinct skeletons; largest group {max(sk.values())}")
    for s, c in sk.most_common(3):
        if c > 1:
            print(f"  {c}x {s[:110]}")
    # Near duplicates by Jaccard over word sets, among sentences sharing a rare word.
    sets = [set(t) for t in toks]
    df = collections.Counter(w for s in sets for w in s)
    by_word = collections.defaultdict(list)
    for i, s in enumerate(sets):
        rare = sorted(s, key=lambda w: (df[w], w))[:2]
        for w in rare:
            by_word[w].append(i)
    pairs = set()
    for ids in by_word.values():
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                i, j = ids[a], ids[b]
                inter = len(sets[i] & sets[j])
                if inter / len(sets[i] | sets[j]) >= 0.8:
                    pairs.add((min(i, j), max(i, j)))
    print(f"near-duplicate pairs (word Jaccard >= 0.8): {len(pairs)}")
    names = collections.Counter(m for t in texts for m in re.findall(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*(?= (?:plc|AG|ASA|SA|Ltd|Inc|Group|Holdings|Bank|Bancorp|Corp|AB|NV|SE|Oyj|GmbH)\b)", t))
    print(f"company-like names before a legal suffix: {len(names)} distinct; most frequent {names.most_common(3)}")


if __name__ == "__main__":
    main()
