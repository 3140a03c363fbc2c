#!/usr/bin/env python3
"""Measure the PII scanner on a held-out corpus: one the scanner was never tuned on.

    pip install faker
    python3 tools/generate-pii-corpus.py 99 > /tmp/held-out.jsonl
    python3 tools/pii-heldout.py /tmp/held-out.jsonl [path/to/rehearse]

Each row is scanned by the built binary (`rehearse pii scan --people FILE`, the row's people),
so this measures exactly what users run. Prints row-level recall and precision and the misses.
"""
import json
import os
import subprocess
import sys
import tempfile

corpus = sys.argv[1]
binary = sys.argv[2] if len(sys.argv) > 2 else ".build/debug/rehearse"
tp = fp = fn = tn = 0
misses, extras = [], []
for line in open(corpus, encoding="utf-8"):
    row = json.loads(line)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as people:
        for person in row["people"]:
            people.write(json.dumps(person) + "\n")
    scan = subprocess.run([binary, "pii", "scan", "--people", people.name], input=json.dumps(row["input"]) + "\n",
                          capture_output=True, text=True, check=False)
    os.unlink(people.name)
    found = {(f["pointer"], f["type"]) for f in json.loads(scan.stdout)["findings"]}
    labels = {(l["pointer"], l["type"]) for l in row["labels"]}
    if labels and found:
        tp += 1
    elif labels:
        fn += 1
    elif found:
        fp += 1
    else:
        tn += 1
    if labels - found:
        misses.append((row["id"], sorted(labels - found)))
    if found - labels:
        extras.append((row["id"], sorted(found - labels)))
print(f"{corpus}: rows TP {tp} FP {fp} FN {fn} TN {tn}; recall {tp / max(1, tp + fn):.4f}, precision {tp / max(1, tp + fp):.4f}")
for miss in misses[:20]:
    print("  missed", miss)
for extra in extras[:20]:
    print("  extra", extra)
