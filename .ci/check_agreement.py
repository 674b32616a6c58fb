"""Checks `warraq agree` against reference implementations (docs/agreement.md).

Generates annotators' corpora (overlapping, nested and disagreeing spans) as brat files, imports each annotator's
files into a folder with `warraq import`, runs `warraq agree --json` for two and for three annotators, and compares
every figure with a direct computation here: the span scores by their definitions, Cohen's kappa with scikit-learn's
cohen_kappa_score, Krippendorff's alpha with the `krippendorff` package. Fails when any figure is more than 1e-9 off.

    python3 .ci/check_agreement.py [path/to/warraq]
"""
import json
import random
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import krippendorff
from sklearn.metrics import cohen_kappa_score

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/warraq"
WORDS = "قال محمد بن سلمان في القاهرة إن الاجتماع انتهى وأضاف الرئيس أن مصر مستعدة للحوار مع روسيا والصين".split()
TAGS = ["PER", "LOC", "ORG"]
rng = random.Random(20261130)
failures = []


def make_text():
    lines = []
    for _ in range(rng.randint(3, 6)):
        lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))))
    return "\n".join(lines) + "\n"


def word_spans(text):
    spans, start = [], None
    for i, c in enumerate(text + " "):
        if c in " \n":
            if start is not None:
                spans.append((start, i))
                start = None
        elif start is None:
            start = i
    return spans


def annotate(text):
    words = word_spans(text)
    out = set()
    for _ in range(rng.randint(4, 12)):
        i = rng.randrange(len(words))
        j = min(len(words) - 1, i + rng.choice([0, 0, 0, 1, 2]))
        if "\n" in text[words[i][0]:words[j][1]]:
            j = i
        out.add((words[i][0], words[j][1], rng.choice(TAGS)))
    return out


def perturb(spans, text):
    words = word_spans(text)
    out = set()
    for s, e, t in spans:
        r = rng.random()
        if r < 0.15:
            continue  # dropped
        if r < 0.3:
            t = rng.choice(TAGS)  # another tag
        elif r < 0.4:
            inside = [w for w in words if s <= w[0] and w[1] <= e]
            if inside:
                s, e = inside[0]  # a shorter span (overlapping)
        out.add((s, e, t))
    out |= annotate(text) if rng.random() < 0.5 else set()
    return out


def write_brat(folder, name, text, spans):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    lines = [f"T{k}\t{t} {s} {e}\t{text[s:e]}" for k, (s, e, t) in enumerate(sorted(spans), 1)]
    (folder / f"{name}.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")


def labels(text, spans):
    order = sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0], x[2]))
    lab = [None] * len(text)
    for s, e, t in order:
        for i in range(s, e):
            if lab[i] is None:
                lab[i] = t
    return [lab[i] or "O" for i, c in enumerate(text) if not c.isspace()]


def exact(a, b):
    tp = sum((Counter(a) & Counter(b)).values())
    fp, fn = len(b) - tp, len(a) - tp
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}


def overlap(a, b):
    def hit(x, ys):
        return any(x[0] == y[0] and x[3] == y[3] and x[1] < y[2] and y[1] < x[2] for y in ys)

    p = sum(hit(x, a) for x in b) / len(b) if b else 0.0
    r = sum(hit(x, b) for x in a) / len(a) if a else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def close(what, got, want):
    if got is None or want is None or abs(got - want) > 1e-9:
        failures.append(f"{what}: warraq {got!r}, reference {want!r}")


def check_pair(result, texts, a, b, label):
    sa = [(d, s, e, t) for d, spans in enumerate(a) for (s, e, t) in spans]
    sb = [(d, s, e, t) for d, spans in enumerate(b) for (s, e, t) in spans]
    for kind, want in [("exact", exact(sa, sb)), ("overlap", overlap(sa, sb))]:
        for k, v in want.items():
            close(f"{label} {kind} {k}", result[kind][k], v)
    for tag in TAGS:
        ta = [x for x in sa if x[3] == tag]
        tb = [x for x in sb if x[3] == tag]
        if not ta and not tb:
            continue
        for kind, want in [("exact", exact(ta, tb)), ("overlap", overlap(ta, tb))]:
            for k, v in want.items():
                close(f"{label} {tag} {kind} {k}", result["per_tag"][tag][kind][k], v)
    la = [x for d, t in enumerate(texts) for x in labels(t, a[d])]
    lb = [x for d, t in enumerate(texts) for x in labels(t, b[d])]
    close(f"{label} kappa", result["kappa"], cohen_kappa_score(la, lb))


def alpha(texts, annotators):
    codes = {}
    rows = []
    for ann in annotators:
        row = [x for d, t in enumerate(texts) for x in labels(t, ann[d])]
        rows.append([codes.setdefault(x, len(codes)) for x in row])
    return krippendorff.alpha(reliability_data=rows, level_of_measurement="nominal")


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    texts = [make_text() for _ in range(8)]
    a = [annotate(t) for t in texts]
    b = [perturb(x, t) for x, t in zip(a, texts)]
    c = [perturb(x, t) for x, t in zip(a, texts)]
    for name, spans in [("a", a), ("b", b), ("c", c)]:
        for d, (text, s) in enumerate(zip(texts, spans)):
            write_brat(tmp / "brat" / name, f"doc{d}", text, s)
            subprocess.run(
                [binary, "import", str(tmp / "brat" / name / f"doc{d}.ann"), "--format", "brat",
                 "--out", str(tmp / name)],
                check=True, capture_output=True,
            )
    two = json.loads(subprocess.run(
        [binary, "agree", str(tmp / "a"), str(tmp / "b"), "--json"], check=True, capture_output=True, text=True
    ).stdout)
    if two["documents"] != len(texts) or two["problems"]:
        failures.append(f"two annotators: {two['documents']} documents, problems {two['problems']}")
    check_pair(two, texts, a, b, "a/b")
    close("a/b alpha", two["alpha"], alpha(texts, [a, b]))
    # Document by document: the same definitions on one document's spans and code points.
    per_doc = {d["document"]: d for d in two["per_document"]}
    if len(per_doc) != len(texts):
        failures.append(f"per_document lists {len(per_doc)} documents, not {len(texts)}")
    for d, text in enumerate(texts):
        got = per_doc.get(f"doc{d}.txt")
        if got is None:
            failures.append(f"doc{d}.txt missing from per_document")
            continue
        sa = [(0, s, e, t) for (s, e, t) in a[d]]
        sb = [(0, s, e, t) for (s, e, t) in b[d]]
        for kind, want in [("exact", exact(sa, sb)), ("overlap", overlap(sa, sb))]:
            for k, v in want.items():
                close(f"doc{d} {kind} {k}", got["pairs"][0][kind][k], v)
        close(f"doc{d} kappa", got["pairs"][0]["kappa"], cohen_kappa_score(labels(text, a[d]), labels(text, b[d])))
        close(f"doc{d} alpha", got["alpha"], alpha([text], [[a[d]], [b[d]]]))
    three = json.loads(subprocess.run(
        [binary, "agree", str(tmp / "a"), str(tmp / "b"), str(tmp / "c"), "--json"],
        check=True, capture_output=True, text=True,
    ).stdout)
    pairs = {(Path(p["reference"]).name, Path(p["other"]).name): p for p in three["pairs"]}
    for (x, y), (sx, sy) in {("a", "b"): (a, b), ("a", "c"): (a, c), ("b", "c"): (b, c)}.items():
        check_pair(pairs[(x, y)], texts, sx, sy, f"{x}/{y} of three")
    close("a/b/c alpha", three["alpha"], alpha(texts, [a, b, c]))
    spans = sum(len(s) for s in a + b + c)

for f in failures:
    print("FAIL", f)
print(f"agreement: {len(texts)} documents, {spans} spans, 2 and 3 annotators; "
      f"{'all figures within 1e-9' if not failures else str(len(failures)) + ' figures off'}")
sys.exit(1 if failures else 0)
