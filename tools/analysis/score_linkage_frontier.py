#!/usr/bin/env python3
"""What a release that keeps the classifier's score costs in linkage, for any mechanism.

Reads the originals' scores of a `dpflow sweep --image-borne-as-released` results JSON (the row
"original": `image_borne_scores`, the test labels and the disclosed strata) and models a release
whose score is the original's logit plus independent Gaussian noise of tau times the logits'
standard deviation. For each tau it prints the mean, over `--draws` draws, of
  - the image-borne AUC of the noisy scores (ties count 1/2), and
  - the score attacker's linkage verification AUC within the disclosed strata, pooled: for each
    film, |its logit - its release's| against |its logit - the release of another film of its
    stratum| (the larger distance should be the impostor's).
This is a model of a mechanism, not a bound on every one; docs/privacy-implementation.md ("the
score attacker") quotes its output for models/nih128-glow-unlabelled.sweep.json. Standard
library only.

    python3 tools/analysis/score_linkage_frontier.py models/nih128-glow-unlabelled.sweep.json
"""
import argparse
import json
import math
import random
import statistics


def logit(p):
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def auc(scores, labels):
    positives = [s for s, y in zip(scores, labels) if y == 1]
    negatives = [s for s, y in zip(scores, labels) if y == 0]
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def pooled_linkage_verification(originals, releases, strata):
    wins = pairs = 0.0
    for i, (original, stratum) in enumerate(zip(originals, strata)):
        genuine = abs(original - releases[i])
        for j, other in enumerate(strata):
            if j == i or other != stratum:
                continue
            impostor = abs(original - releases[j])
            wins += (impostor > genuine) + 0.5 * (impostor == genuine)
            pairs += 1
    return wins / pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("results_json")
    parser.add_argument("--taus", default="0,0.25,0.5,0.75,1,1.5,2,3")
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with open(args.results_json) as f:
        results = json.load(f)
    original = next(row for row in results["rows"] if row["mechanism"] == "original")
    labels = results["test_labels"]
    strata = original["disclosed_strata"]
    logits = [logit(p) for p in original["image_borne_scores"]]
    spread = statistics.pstdev(logits)
    rng = random.Random(args.seed)
    print(f"{len(logits)} films; originals' image-borne AUC {auc(logits, labels):.3f}; logit sd {spread:.3f}")
    print("tau   image-borne AUC   score linkage verification within strata")
    for tau in (float(t) for t in args.taus.split(",")):
        aucs, verifications = [], []
        for _ in range(args.draws if tau > 0 else 1):
            released = [x + tau * spread * rng.gauss(0.0, 1.0) for x in logits]
            aucs.append(auc(released, labels))
            verifications.append(pooled_linkage_verification(logits, released, strata))
        print(f"{tau:<5g} {statistics.mean(aucs):15.3f}   {statistics.mean(verifications):.3f}")


if __name__ == "__main__":
    main()
