"""Reads Warraq's golden export files the way the consuming tools do, and checks every entity lands on its text.

- brat: the .txt read with Python's universal newlines (as brat's server reads it); each T line's fragments, joined by
  one space, must equal its text field. Then the whole .ann is read by pybrat (a strict third-party brat parser, errors
  raised): every entity, discontinuous ones with their pieces, both relations with their two ends, the
  normalization (N) and the attributes must come out.
- JSONL: Python str slicing (code points, as spaCy's Doc.char_span and Label Studio use) gives each entity's text.
- doccano JSONL: UTF-16 slicing gives the text of each piece of the same annotation (one label a piece), and the
  relation-extraction keys (`entities`, `relations`) name entities that are there.
- CoNLL IOB2: seqeval (the reference IOB2 scorer) parses every tag column in strict IOB2 mode and finds one entity
  per B- tag.
"""
import json
import sys
from pathlib import Path

from pybrat.parser import BratParser
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

# brat, read whole by pybrat: entities, relations, normalizations, attributes
import shutil
import tempfile

ann = (golden / "sample.ann").read_text(encoding="utf-8")
with tempfile.TemporaryDirectory() as tmp:
    shutil.copy(sample, Path(tmp) / "sample.txt")
    shutil.copy(golden / "sample.ann", Path(tmp) / "sample.ann")
    examples = list(BratParser(error="raise").parse(tmp))
ex = examples[0]
t_lines = [l for l in ann.splitlines() if l.startswith("T")]
if len(ex.entities) != len(t_lines):
    failures.append(f"pybrat read {len(ex.entities)} entities, the .ann has {len(t_lines)}")
for e in ex.entities:
    pieces = [text[s.start:s.end] for s in e.spans]
    if " ".join(pieces) != e.mention:
        failures.append(f"pybrat {e.id}: {pieces!r} != {e.mention!r}")
relations = {(r.type, r.arg1.mention, r.arg2.mention) for r in ex.relations}
want = {("EmployedBy", "أناتولي أنتونوف", "الولايات المتحدة"), ("Negotiates", "روسيا", "الولايات المتحدة")}
if relations != want:
    failures.append(f"pybrat relations {relations!r} != {want!r}")
refs = [(e.mention, r.eid, r.entry) for e in ex.entities for r in e.references]
if refs != [("روسيا", "Q159", "روسيا")]:
    failures.append(f"pybrat normalizations {refs!r}")
if not any(len(e.spans) == 2 and e.mention == "السفير الروسي أنتونوف" for e in ex.entities):
    failures.append("pybrat: the discontinuous entity did not come out in two pieces")
attributes = [l.split("\t")[1].split() for l in ann.splitlines() if l.startswith("A")]
ids = {l.split("\t")[0] for l in t_lines}
for a in attributes:
    if a[1] not in ids:
        failures.append(f"attribute {a} names no entity")
if sorted(a[0] for a in attributes) != ["Certainty", "Negated"]:
    failures.append(f"attributes {attributes!r}")

# JSONL (code points) and doccano (UTF-16)
doc = json.loads((golden / "sample.jsonl").read_text(encoding="utf-8").splitlines()[0])
for e in doc["entities"]:
    if doc["text"][e["start"]:e["end"]] != e["text"]:
        failures.append(f"jsonl {e['id']}: {doc['text'][e['start']:e['end']]!r} != {e['text']!r}")
dc = json.loads((golden / "sample.doccano.jsonl").read_text(encoding="utf-8").splitlines()[0])
u16 = dc["text"].encode("utf-16-le")
pieces = []
for ent in doc["entities"]:
    for s, e in ent.get("fragments") or [[ent["start"], ent["end"]]]:
        pieces.append((doc["text"][s:e], ent["label"]))
if len(dc["label"]) != len(pieces):
    failures.append(f"doccano has {len(dc['label'])} labels for {len(pieces)} pieces")
for (s, e, label), (piece, want) in zip(dc["label"], pieces):
    got = u16[2 * s:2 * e].decode("utf-16-le")
    if got != piece or label != want:
        failures.append(f"doccano {label} {s}-{e}: {got!r} != {piece!r}")
dc_ids = {e["id"] for e in dc.get("entities", [])}
for r in dc.get("relations", []):
    if r["from_id"] not in dc_ids or r["to_id"] not in dc_ids:
        failures.append(f"doccano relation {r} names an entity that is not there")
for r in doc.get("relations", []):
    if r["from_id"] not in {e["id"] for e in doc["entities"]}:
        failures.append(f"jsonl relation {r} names an entity that is not there")

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
print(
    f"{brat_count} brat entities ({len(ex.relations)} relations, by pybrat), {len(doc['entities'])} jsonl/doccano "
    "entities checked; CoNLL parsed by seqeval"
)
print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
