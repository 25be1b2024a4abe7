#!/usr/bin/env python3
"""Select candidate sentences for the finscore hand-labelled risk dev set.

Selection only: this script never labels anything. Labels in risk_dev.csv were
typed into labels.txt by the annotator while reading each sentence; no model or
rule assigned them (see README.md, including who the annotator was).

Sources (MIT-licensed, see ../training-data/):
  tw_train  ../training-data/twitter-financial-news/sent_train.csv  column `text`
  tw_valid  ../training-data/twitter-financial-news/sent_valid.csv  column `text`
  sentfin   ../training-data/sentfin/sentfin_headline_level.csv     column `title`

`row` is the 1-based data-record number in the source file as read by Python's
csv module (header excluded; a tweet containing a newline is still one record).

Procedure (deterministic, SEED below):
  1. Read all records from the three files in the order above; drop exact
     duplicate texts (first occurrence kept, comparison on the text stripped of
     surrounding whitespace).
  2. Random half: N_RANDOM texts drawn uniformly without replacement from the
     whole pool (random.Random(SEED).sample).
  3. Keyword half: for each of the 10 keyword groups (one per taxonomy
     category, see KEYWORDS) take the texts not yet selected that match any
     keyword of the group (case-insensitive; a keyword must start at a word
     start, and one written with a trailing "$" must also end at a word end,
     so "ban$" matches "ban" but not "bank"), shuffle them with the same RNG
     and take PER_GROUP[group] of them (180 in total). Groups are processed in
     a fixed order; a text can only be selected once.
     The group a text came from is only a search aid: it is NOT its label.
  4. Stage 2 (added after labelling the first 360, because liquidity, esg and
     credit had fewer than ~15 positives): with random.Random(SEED + 1), draw
     PER_GROUP2 more texts from narrower keyword lists KEYWORDS2 for those three
     groups, appended after the shuffled first 360 (ids rd361...).
  5. Write candidates.csv: id,source,row,pool,text
     (pool = random | kw:<group> | kw2:<group>). The first 360 are shuffled
     (same RNG) before stage 2 so random and keyword rows are interleaved while
     labelling, to reduce anchoring on the pool.

Usage: python3 select.py   (run from anywhere; writes next to this file)
"""
import csv
import os
import random
import re

SEED = 20261130
N_RANDOM = 180

HERE = os.path.dirname(os.path.abspath(__file__))
TD = os.path.join(HERE, "..", "training-data")
SOURCES = [
    ("tw_train", os.path.join(TD, "twitter-financial-news", "sent_train.csv"), "text"),
    ("tw_valid", os.path.join(TD, "twitter-financial-news", "sent_valid.csv"), "text"),
    ("sentfin", os.path.join(TD, "sentfin", "sentfin_headline_level.csv"), "title"),
]

# Broad, deliberately over-inclusive keyword lists used only to find candidates.
KEYWORDS = {
    "credit": ["default", "downgrad", "bankrupt", "insolven", "chapter 11", "junk",
               "bad loan", "npa$", "npas$", "non-performing", "restructur", "creditor",
               "moody", "fitch", "debt", "ibc$", "nclt$", "haircut", "bondholder",
               "coupon", "covenant", "credit rating", "provision"],
    "liquidity": ["liquidity", "cash burn", "going concern", "rights issue",
                  "dilut", "emergency fund", "refinanc", "bailout", "bail out",
                  "rescue", "withdrawal", "redemption", "cash crunch", "credit line",
                  "dividend cut", "cuts dividend", "suspends dividend", "cash-strapped",
                  "cash strapped", "raise capital", "capital raise", "stake sale",
                  "pledge", "deposit"],
    "market": ["plunge", "slump", "crash", "tumble", "sell-off", "selloff",
               "volatil", "bear market", "halted", "trading halt", "sink", "sank",
               "plummet", "rout$", "tank$", "tanks$", "tanked", "nosedive",
               "record low", "52-week low", "wipe", "bloodbath", "panic", "crater",
               "lower circuit", "meltdown", "correction", "slide", "slid$"],
    "legal": ["lawsuit", "sue$", "sued$", "sues$", "suit$", "suits$", "court",
              "litigation", "class action", "class-action", "settle", "verdict",
              "jury", "judge", "patent", "damages", "plaintiff", "tribunal",
              "legal", "arbitration", "injunction"],
    "regulatory": ["probe", "investigat", "fine$", "fined$", "fines$", "penalt",
                   "sebi", "regulator", "antitrust", "anti-trust", "fda$", "ban$",
                   "bans$", "banned", "sanction", "licence", "license", "crackdown",
                   "compliance", "watchdog", "ftc$", "doj$", "scrutiny", "subpoena",
                   "cci$", "show cause", "show-cause", "warning letter", "crl$"],
    "fraud_governance": ["fraud", "scam", "embezzl", "restate", "auditor",
                         "insider trading", "whistleblow", "short seller",
                         "short-seller", "resign", "ousted", "steps down",
                         "step down", "quits", "arrest", "raid", "irregular",
                         "misconduct", "forensic", "cbi$", "money laundering",
                         "siphon", "divert", "governance", "accounting"],
    "operational": ["recall", "hack", "cyber", "data breach", "outage", "strike$",
                    "strikes$", "shutdown", "shut down", "shuts", "fire$", "fires$",
                    "blaze", "explosion", "blast", "accident", "supply chain",
                    "shortage", "disrupt", "ransomware", "glitch", "grounded",
                    "defect", "walkout", "lockout", "crash-land", "contaminat"],
    "macro": ["recession", "inflation", "tariff", "trade war", "trade-war",
              "rate hike", "hikes rates", "war$", "slowdown", "gdp$",
              "unemployment", "brexit", "fiscal deficit", "current account deficit",
              "rupee", "coronavirus", "covid", "pandemic", "geopolitic",
              "tension", "demonetis", "demonetiz", "sovereign", "stagflation"],
    "earnings": ["loss", "miss", "profit warning", "guidance", "cuts", "lower",
                 "decline", "falls", "drop", "weak", "write-down", "writedown",
                 "write-off", "impairment", "below estimate", "disappoint",
                 "slash", "warn", "margin", "net down", "profit down"],
    "esg": ["spill", "scandal", "emission", "pollut", "boycott", "harass",
            "backlash", "outrage", "reputation", "climate", "labor", "labour",
            "protest", "toxic", "environmental", "human rights", "discriminat",
            "safety", "deaths", "killed", "dead$", "deforest", "child labo",
            "greenwash", "sexual", "racis", "esg$"],
}
GROUP_ORDER = ["esg", "fraud_governance", "legal", "liquidity", "operational",
               "regulatory", "credit", "macro", "market", "earnings"]
# Keyword draws per group: more for categories that are rare in the data (the
# random half already supplies many earnings/market/macro sentences).
PER_GROUP = {"esg": 24, "fraud_governance": 24, "legal": 22, "liquidity": 24,
             "operational": 22, "regulatory": 18, "credit": 18, "macro": 10,
             "market": 10, "earnings": 8}

# Stage-2 supplementary keyword lists (see main()).
KEYWORDS2 = {
    "liquidity": ["cash burn", "cash crunch", "fund crunch", "dividend cut",
                  "cuts dividend", "suspends dividend", "bailout", "bail out",
                  "credit facility", "capital infusion", "salary", "salaries",
                  "liquidity", "emergency", "dilut"],
    "esg": ["spill", "emission", "pollut", "boycott", "harass", "backlash",
            "human rights", "toxic", "sexual", "racis", "outrage", "scandal",
            "greenwash"],
    "credit": ["default", "bankrupt", "insolven", "chapter 11", "junk", "bad loan",
               "npa$", "npas$", "stressed asset", "debt recast", "cdr$", "nclt$",
               "haircut", "bondholder", "rating cut", "downgrad", "crisil", "icra$",
               "moody", "fitch"],
}
PER_GROUP2 = {"liquidity": 12, "esg": 10, "credit": 10}


def compile_group(words):
    """A keyword matches at a word start; a trailing "$" also requires a word end."""
    parts = []
    for w in words:
        if w.endswith("$"):
            parts.append(r"(?<![a-z0-9])" + re.escape(w[:-1]) + r"(?![a-z0-9])")
        else:
            parts.append(r"(?<![a-z0-9])" + re.escape(w))
    return re.compile("|".join(parts), re.I)


def load_pool():
    pool, seen = [], set()
    for name, path, col in SOURCES:
        with open(path, encoding="utf-8", newline="") as f:
            for i, rec in enumerate(csv.DictReader(f), start=1):
                text = rec[col]
                key = text.strip()
                if key in seen:
                    continue
                seen.add(key)
                pool.append((name, i, text))
    return pool


def main():
    rng = random.Random(SEED)
    pool = load_pool()
    chosen = rng.sample(range(len(pool)), N_RANDOM)
    picked = [(idx, "random") for idx in chosen]
    taken = set(chosen)
    for g in GROUP_ORDER:
        rx = compile_group(KEYWORDS[g])
        cands = [i for i, (_, _, t) in enumerate(pool) if i not in taken and rx.search(t)]
        rng.shuffle(cands)
        for idx in cands[:PER_GROUP[g]]:
            picked.append((idx, "kw:" + g))
            taken.add(idx)
        print(f"{g:17s} matches(not yet taken)={len(cands):5d} taken={min(PER_GROUP[g], len(cands))}")
    rng.shuffle(picked)
    # Stage 2 (added after the first 360 were labelled: liquidity, esg and credit
    # had fewer than ~15 positives). Separate RNG so the first 360 are unchanged;
    # narrower, higher-precision keyword lists; appended as rd361 onwards.
    rng2 = random.Random(SEED + 1)
    for g in ["liquidity", "esg", "credit"]:
        rx = compile_group(KEYWORDS2[g])
        cands = [i for i, (_, _, t) in enumerate(pool) if i not in taken and rx.search(t)]
        rng2.shuffle(cands)
        for idx in cands[:PER_GROUP2[g]]:
            picked.append((idx, "kw2:" + g))
            taken.add(idx)
        print(f"stage2 {g:10s} matches(not yet taken)={len(cands):5d} taken={min(PER_GROUP2[g], len(cands))}")
    out = os.path.join(HERE, "candidates.csv")
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        w.writerow(["id", "source", "row", "pool", "text"])
        for n, (idx, kind) in enumerate(picked, start=1):
            src, row, text = pool[idx]
            w.writerow([f"rd{n:03d}", src, row, kind, text])
    print(f"pool={len(pool)} selected={len(picked)} -> {out}")


if __name__ == "__main__":
    main()
