"""Reads Warraq's golden export files the way the consuming tools do, and checks every entity lands on its text.

- brat: the .txt read with Python's universal newlines (as brat's server reads it); each T line's fragments, joined by
  one space, must equal its text field.
- JSONL: Python str slicing (code points, as spaCy's Doc.char_span and Label Studio use) gives each entity's text.
- doccano JSONL: UTF-16 slicing gives the entity text of the same annotation.
- CoNLL IOB2: seqeval (the reference IOB2 scorer) parses every tag column in strict IOB2 mode and finds one entity
  per B- tag.
"""
import json
import sys
from pathlib import Path

from seqeval.scheme import IOB2, Entities

root = Path(__file__).resolve().parent.parent
golden = root / "tests" / "data" / "golden"
sample = root / "assets" / "sample-article-ar.txt"
failures = []

# brat
text = open(sample, encoding="utf-8").read()  # universal newlines, like brat
brat_count = 0
for line in (golden / "sample.ann").read_text(encoding="utf-8").splitlines():
    if not line.startswith("T"):
        continue
    tid, spec, quoted = line.split("\t")
    label, ranges = spec.split(" ", 1)
    pieces = []
    for r in ranges.split(";"):
        s, e = map(int, r.split())
        pieces.append(text[s:e])
    if " ".join(pieces) != quoted:
        failures.append(f"brat {tid}: {pieces!r} != {quoted!r}")
    brat_count += 1

# JSONL (code points) and doccano (UTF-16)
doc = json.loads((golden / "sample.jsonl").read_text(encoding="utf-8").splitlines()[0])
for e in doc["entities"]:
    if doc["text"][e["start"]:e["end"]] != e["text"]:
        failures.append(f"jsonl {e['id']}: {doc['text'][e['start']:e['end']]!r} != {e['text']!r}")
dc = json.loads((golden / "sample.doccano.jsonl").read_text(encoding="utf-8").splitlines()[0])
u16 = dc["text"].encode("utf-16-le")
for (s, e, label), ent in zip(dc["label"], doc["entities"]):
    got = u16[2 * s:2 * e].decode("utf-16-le")
    if got != ent["text"] or label != ent["label"]:
        failures.append(f"doccano {label} {s}-{e}: {got!r} != {ent['text']!r}")

# CoNLL IOB2 through seqeval, column by column
for name in ["sample.conll", "sample.outermost.conll"]:
    sentences, current = [], []
    for line in (golden / name).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
            current = []
        else:
            current.append(line.split()[1:])
    if current:
        sentences.append(current)
    width = max(len(t) for s in sentences for t in s)
    for col in range(width):
        seqs = [[t[col] if col < len(t) else "O" for t in s] for s in sentences]
        begins = sum(tag.startswith("B-") for s in seqs for tag in s)
        try:
            ents = Entities(seqs, IOB2).entities
        except Exception as exc:  # seqeval raises on tags that are not IOB2
            failures.append(f"{name} column {col + 1}: not IOB2: {exc}")
            continue
        found = sum(len(x) for x in ents)
        if found != begins:
            failures.append(f"{name} column {col + 1}: seqeval found {found} entities, {begins} B- tags")
        covered = sum(e.end - e.start for x in ents for e in x)
        tagged = sum(tag != "O" for s in seqs for tag in s)
        if covered != tagged:
            failures.append(f"{name} column {col + 1}: seqeval's entities cover {covered} tokens, {tagged} are tagged")

for f in failures:
    print("FAIL", f)
print(f"{brat_count} brat, {len(doc['entities'])} jsonl/doccano entities checked; CoNLL parsed by seqeval")
print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
