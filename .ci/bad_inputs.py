#!/usr/bin/env python3
"""Bad inputs through the real binary: every case must end with the expected exit status (never a panic, never a
hang), say what it says, and leave the files it must keep byte for byte as they were.

Usage: bad_inputs.py BIN [--markdown]    (--markdown prints the table kept in docs/RELIABILITY.md)
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

BIN = os.path.abspath(sys.argv[1])
MARKDOWN = "--markdown" in sys.argv
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = open(os.path.join(HERE, "assets", "sample-article-ar.txt"), encoding="utf-8").read()
TIMEOUT = 20


def run(args, cwd):
    start = time.time()
    p = subprocess.run([BIN, *args], cwd=cwd, capture_output=True, timeout=TIMEOUT)
    return p.returncode, (p.stderr + p.stdout).decode("utf-8", "replace"), time.time() - start


def digest(path):
    if os.path.isdir(path):
        return "dir"
    if not os.path.exists(path):
        return None
    if not os.path.isfile(path):
        return "special"
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as f:
        f.write(data)


def annotated(d, name="doc.txt", text=SAMPLE):
    """A text with one GPE annotation (روسيا) in its sidecar, made by the binary itself."""
    p = os.path.join(d, name)
    write(p, text)
    write(os.path.join(d, "names.tsv"), "روسيا\tGPE\n")
    code, out, _ = run(["preannotate", p, "--gazetteer", os.path.join(d, "names.tsv"), "--accept-all"], d)
    assert code == 0, out
    os.remove(os.path.join(d, "names.tsv"))
    return p


def sidecar(p):
    return p + ".warraq.ron"


CASES = []


def case(group, what, expect, says=None, keep=()):
    """Registers a case: `setup(d)` returns the arguments; `expect` the allowed exit codes; `says` a text the output
    must contain; `keep` the files (relative to d) that must be unchanged."""
    def wrap(setup):
        CASES.append((group, what, setup, expect, says, keep))
        return setup
    return wrap


# ----- text files -----
@case("text", "a file that does not exist", {1}, "no such file")
def _(d): return ["annotations", os.path.join(d, "missing.txt")]

@case("text", "a folder", {1}, "is a folder")
def _(d): return ["annotations", d]

@case("text", "/dev/zero (endless)", {1}, "not a regular file")
def _(d): return ["annotations", "/dev/zero"]

@case("text", "/dev/null (a device)", {1}, "not a regular file")
def _(d): return ["annotations", "/dev/null"]

@case("text", "a named pipe (FIFO) nobody writes to", {1}, "not a regular file")
def _(d):
    os.mkfifo(os.path.join(d, "fifo.txt"))
    return ["annotations", os.path.join(d, "fifo.txt")]

@case("text", "a symbolic link to nothing", {1}, "no such file")
def _(d):
    os.symlink(os.path.join(d, "gone"), os.path.join(d, "link.txt"))
    return ["annotations", os.path.join(d, "link.txt")]

@case("text", "a symbolic link loop", {1}, "cannot be read")
def _(d):
    os.symlink(os.path.join(d, "b.txt"), os.path.join(d, "a.txt"))
    os.symlink(os.path.join(d, "a.txt"), os.path.join(d, "b.txt"))
    return ["annotations", os.path.join(d, "a.txt")]

@case("text", "a 300 MB file (sparse)", {1}, "larger than the 256 MiB", keep=["big.txt"])
def _(d):
    with open(os.path.join(d, "big.txt"), "wb") as f:
        f.truncate(300 * 1024 * 1024)
    return ["annotations", os.path.join(d, "big.txt")]

@case("text", "an empty file", {0}, keep=["empty.txt"])
def _(d):
    write(os.path.join(d, "empty.txt"), "")
    return ["annotations", os.path.join(d, "empty.txt")]

@case("text", "a binary file (PNG bytes)", {1}, "binary", keep=["pic.txt"])
def _(d):
    write(os.path.join(d, "pic.txt"), b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    return ["annotations", os.path.join(d, "pic.txt")]

@case("text", "NUL bytes in the middle of text", {0, 1}, keep=["nul.txt"])
def _(d):
    write(os.path.join(d, "nul.txt"), "نص".encode() + b"\x00" * 3 + "آخر".encode())
    return ["annotations", os.path.join(d, "nul.txt")]

@case("text", "UTF-8 with a few invalid bytes", {0}, keep=["bad.txt"])
def _(d):
    write(os.path.join(d, "bad.txt"), SAMPLE.encode()[:2000] + b"\xff\xfe\xc3" + SAMPLE.encode()[2000:4001])
    return ["render", os.path.join(d, "bad.txt"), "--width", "400", "--out", os.path.join(d, "bad.png")]

@case("text", "UTF-16 LE with BOM", {0}, keep=["u16.txt"])
def _(d):
    write(os.path.join(d, "u16.txt"), b"\xff\xfe" + SAMPLE.encode("utf-16-le"))
    return ["layout", os.path.join(d, "u16.txt"), "--width", "400"]

@case("text", "UTF-16 BE with BOM", {0}, keep=["u16be.txt"])
def _(d):
    write(os.path.join(d, "u16be.txt"), b"\xfe\xff" + SAMPLE.encode("utf-16-be"))
    return ["layout", os.path.join(d, "u16be.txt"), "--width", "400"]

@case("text", "windows-1256 without a BOM", {0}, keep=["cp1256.txt"])
def _(d):
    write(os.path.join(d, "cp1256.txt"), SAMPLE.encode("cp1256", "replace"))
    return ["layout", os.path.join(d, "cp1256.txt"), "--width", "400"]

@case("text", "a BOM and nothing else", {0}, keep=["bom.txt"])
def _(d):
    write(os.path.join(d, "bom.txt"), b"\xef\xbb\xbf")
    return ["annotations", os.path.join(d, "bom.txt")]

@case("text", "CR-only and mixed line ends", {0}, keep=["cr.txt"])
def _(d):
    write(os.path.join(d, "cr.txt"), "سطر\rسطر\r\nسطر\nسطر")
    return ["layout", os.path.join(d, "cr.txt"), "--width", "300"]

@case("text", "one 775 kB line (no line breaks)", {0}, keep=["line.txt"])
def _(d):
    write(os.path.join(d, "line.txt"), "كلمة عربية طويلة " * 25000)
    return ["layout", os.path.join(d, "line.txt"), "--width", "600"]

@case("text", "20 000 combining marks on one letter", {0}, keep=["flood.txt"])
def _(d):
    write(os.path.join(d, "flood.txt"), "م" + "\u0651" * 20000)
    return ["layout", os.path.join(d, "flood.txt"), "--width", "600"]

@case("text", "only bidi controls (RLO, LRI, PDI…)", {0}, keep=["bidi.txt"])
def _(d):
    write(os.path.join(d, "bidi.txt"), "\u202e\u2066\u2069\u200f\u202c" * 200)
    return ["layout", os.path.join(d, "bidi.txt"), "--width", "300"]

# ----- sidecars -----
@case("sidecar", "not RON at all", {1}, "line 1", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE); write(sidecar(p), "this is not ron")
    return ["annotations", p]

@case("sidecar", "cut off in the middle", {1}, "line", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = annotated(d)
    data = open(sidecar(p), "rb").read()
    write(sidecar(p), data[: len(data) // 2])
    return ["annotations", p]

@case("sidecar", "an empty file", {1}, "line 1", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE); write(sidecar(p), "")
    return ["annotations", p]

@case("sidecar", "written by a newer Warraq (format 9)", {1}, "newer Warraq", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = annotated(d)
    write(sidecar(p), open(sidecar(p), encoding="utf-8").read().replace("format: 2", "format: 9", 1) + "\n")
    return ["annotations", p]

@case("sidecar", "not UTF-8", {1}, "not UTF-8", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = annotated(d)
    write(sidecar(p), open(sidecar(p), "rb").read().replace(b"GPE", b"G\xffE", 1))
    return ["annotations", p]

@case("sidecar", "a folder where the sidecar should be", {1}, "is a folder", keep=["doc.txt"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE); os.mkdir(sidecar(p))
    return ["annotations", p]

@case("sidecar", "a FIFO where the sidecar should be", {1}, "not a regular file", keep=["doc.txt"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE); os.mkfifo(sidecar(p))
    return ["annotations", p]

@case("sidecar", "the same id twice", {0}, "appeared twice", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = annotated(d)
    t = open(sidecar(p), encoding="utf-8").read()
    write(sidecar(p), t.replace("(id: 2,", "(id: 1,", 1))
    return ["annotations", p]

@case("sidecar", "an id of 2^64 − 1", {0}, "too large", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = annotated(d)
    t = open(sidecar(p), encoding="utf-8").read()
    write(sidecar(p), t.replace("(id: 1,", "(id: 18446744073709551615,", 1))
    return ["annotations", p]

@case("sidecar", "offsets past the end of the text", {0}, keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = annotated(d)
    t = open(sidecar(p), encoding="utf-8").read()
    write(sidecar(p), t.replace("start: ", "start: 9999999", 1).replace("end: ", "end: 9999999", 1))
    return ["annotations", p, "--json"]

@case("sidecar", "start after end", {0}, "start", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = annotated(d)
    t = open(sidecar(p), encoding="utf-8").read()
    i = t.index("start: ")
    write(sidecar(p), t[:i] + "start: 4000, end: 3, " + t[t.index("tag:", i):])
    return ["annotations", p]

@case("sidecar", "a tag missing from the tag set", {0}, "was not in the tag set", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = annotated(d)
    t = open(sidecar(p), encoding="utf-8").read()
    write(sidecar(p), t.replace('tag: "GPE"', 'tag: "WEAPON"', 1))
    return ["annotations", p]

@case("sidecar", "the text changed since it was annotated", {0}, keep=["doc.txt.warraq.ron"])
def _(d):
    p = annotated(d)
    write(p, "سطر جديد في الأعلى\n" + SAMPLE)
    return ["annotations", p, "--json"]

@case("sidecar", "the annotated text is gone from the file", {0}, keep=["doc.txt.warraq.ron"])
def _(d):
    p = annotated(d)
    write(p, "نص مختلف تماما")
    return ["annotations", p]

@case("sidecar", "a 1100 MB sidecar (sparse)", {1}, "larger than the 1024 MiB", keep=["doc.txt"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE)
    with open(sidecar(p), "wb") as f:
        f.truncate(1100 * 1024 * 1024)
    return ["annotations", p]

@case("sidecar", "a broken folder warraq-tags.ron", {0}, "warraq-tags.ron", keep=["doc.txt", "doc.txt.warraq.ron", "warraq-tags.ron"])
def _(d):
    p = annotated(d)
    write(os.path.join(d, "warraq-tags.ron"), "(oops")
    return ["annotations", p]

@case("sidecar", "preannotate over an unreadable sidecar", {1}, "nothing was changed", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE); write(sidecar(p), "(broken")
    write(os.path.join(d, "n.tsv"), "روسيا\tGPE\n")
    return ["preannotate", p, "--gazetteer", os.path.join(d, "n.tsv")]

# ----- export -----
@case("export", "CSV export of data.csv beside itself", {1}, "this is an input", keep=["data.csv", "data.csv.warraq.ron"])
def _(d):
    p = annotated(d, "data.csv"); return ["export", p, "--format", "csv"]

@case("export", "JSONL export of data.jsonl beside itself", {1}, "this is an input", keep=["data.jsonl"])
def _(d):
    p = annotated(d, "data.jsonl"); return ["export", p, "--format", "jsonl"]

@case("export", "CoNLL export of data.conll beside itself", {1}, "this is an input", keep=["data.conll"])
def _(d):
    p = annotated(d, "data.conll"); return ["export", p, "--format", "conll"]

@case("export", "W3C export of data.jsonld beside itself", {1}, "this is an input", keep=["data.jsonld"])
def _(d):
    p = annotated(d, "data.jsonld"); return ["export", p, "--format", "w3c"]

@case("export", "--out names the text, with --force", {1}, "this is an input", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = annotated(d); return ["export", p, "--format", "csv", "--out", p, "--force"]

@case("export", "--out names the sidecar, with --force", {1}, "this is an input", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = annotated(d); return ["export", p, "--format", "csv", "--out", sidecar(p), "--force"]

@case("export", "--out names another document's sidecar", {1}, "annotations file", keep=["doc.txt.warraq.ron"])
def _(d):
    p = annotated(d); return ["export", p, "--format", "csv", "--out", os.path.join(d, "x.txt.warraq.ron")]

@case("export", "--out names warraq-tags.ron", {1}, "annotations file", keep=["doc.txt.warraq.ron"])
def _(d):
    p = annotated(d); return ["export", p, "--format", "csv", "--out", os.path.join(d, "warraq-tags.ron")]

@case("export", "--out through another name of the text (./, ..)", {1}, "input", keep=["doc.txt"])
def _(d):
    p = annotated(d); os.mkdir(os.path.join(d, "sub"))
    return ["export", p, "--format", "csv", "--out", os.path.join(d, "sub", "..", ".", "doc.txt"), "--force"]

@case("export", "an output that already exists", {1}, "--force", keep=["out.csv"])
def _(d):
    p = annotated(d); write(os.path.join(d, "out.csv"), "mine\n")
    return ["export", p, "--format", "csv", "--out", os.path.join(d, "out.csv")]

@case("export", "an output that already exists, with --force", {0}, "exported")
def _(d):
    p = annotated(d); write(os.path.join(d, "out.csv"), "mine\n")
    return ["export", p, "--format", "csv", "--out", os.path.join(d, "out.csv"), "--force"]

@case("export", "--out another annotated document's text, with --force", {1}, "annotated document's text", keep=["other.txt", "other.txt.warraq.ron"])
def _(d):
    p = annotated(d); o = annotated(d, "other.txt")
    return ["export", p, "--format", "csv", "--out", o, "--force"]

@case("export", "--out a lock file, with --force", {1}, "annotations file")
def _(d):
    p = annotated(d); return ["export", p, "--format", "csv", "--out", p + ".warraq.lock", "--force"]

@case("export", "brat into the text's own folder", {1}, "this is an input", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = annotated(d); return ["export", p, "--format", "brat", "--out", d, "--force"]

@case("export", "brat --out an existing file", {1}, "brat writes a folder", keep=["f"])
def _(d):
    p = annotated(d); write(os.path.join(d, "f"), "x"); return ["export", p, "--format", "brat", "--out", os.path.join(d, "f")]

@case("export", "a document whose sidecar is unreadable", {1}, "line", keep=["doc.txt", "doc.txt.warraq.ron"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE); write(sidecar(p), "(")
    return ["export", p, "--format", "csv", "--out", os.path.join(d, "o.csv")]

@case("export", "an unknown format", {2}, "invalid value 'xml' for '--format")
def _(d):
    p = annotated(d); return ["export", p, "--format", "xml"]

@case("export", "no file given", {2}, "required arguments were not provided")
def _(d): return ["export", "--format", "csv"]

@case("export", "into folders that do not exist yet", {0}, "exported")
def _(d):
    p = annotated(d); return ["export", p, "--format", "jsonl", "--out", os.path.join(d, "a", "b", "c.jsonl")]

# ----- import -----
def brat_pair(d, ann, text="موسكو عاصمة روسيا"):
    write(os.path.join(d, "d.txt"), text)
    write(os.path.join(d, "d.ann"), ann)
    return os.path.join(d, "d.ann")

@case("import", "brat fragments out of order (T1 GPE 6 10;0 5)", {1}, "out of order", keep=["d.txt", "d.ann"])
def _(d): return ["import", brat_pair(d, "T1\tGPE 6 10;0 5\tعاصم موسكو\n"), "--format", "brat", "--out", os.path.join(d, "o")]

@case("import", "brat fragments that overlap (0 5;3 8)", {1}, "out of order", keep=["d.txt", "d.ann"])
def _(d): return ["import", brat_pair(d, "T1\tGPE 0 5;3 8\tx\n"), "--format", "brat", "--out", os.path.join(d, "o")]

@case("import", "brat offsets past the end", {1}, "past the end", keep=["d.txt", "d.ann"])
def _(d): return ["import", brat_pair(d, "T1\tGPE 0 500\tx\n"), "--format", "brat", "--out", os.path.join(d, "o")]

@case("import", "brat quote that does not match the text", {1}, "not \"", keep=["d.txt", "d.ann"])
def _(d): return ["import", brat_pair(d, "T1\tGPE 0 5\tروسيا\n"), "--format", "brat", "--out", os.path.join(d, "o")]

@case("import", "brat numbers that do not fit (99999999999999999999)", {1}, "START END", keep=["d.txt", "d.ann"])
def _(d): return ["import", brat_pair(d, "T1\tGPE 0 99999999999999999999\tx\n"), "--format", "brat", "--out", os.path.join(d, "o")]

@case("import", "brat R linking an annotation to itself (reported; the A and N lines are imported)", {0}, "links an annotation to itself", keep=["d.txt", "d.ann"])
def _(d):
    return ["import", brat_pair(d, "T1\tGPE 0 5\tموسكو\nR1\tIn Arg1:T1 Arg2:T1\nA1\tNeg T1\nN1\tReference T1 Wikidata:Q649\tموسكو\n"), "--format", "brat", "--out", os.path.join(d, "o")]

@case("import", "brat .ann without its .txt", {1}, "no such file", keep=["d.ann"])
def _(d):
    write(os.path.join(d, "d.ann"), "T1\tGPE 0 5\tموسكو\n")
    return ["import", os.path.join(d, "d.ann"), "--format", "brat"]

@case("import", "brat into its own folder where a sidecar exists", {1}, "already exist", keep=["d.txt", "d.ann", "d.txt.warraq.ron"])
def _(d):
    a = brat_pair(d, "T1\tGPE 0 5\tموسكو\n"); write(os.path.join(d, "d.txt.warraq.ron"), "(mine)")
    return ["import", a, "--format", "brat"]

@case("import", "CoNLL with 100 tag columns on a line", {0}, "only the first 32", keep=["w.conll"])
def _(d):
    write(os.path.join(d, "w.conll"), "كلمة " + " ".join(["B-PER"] * 100) + "\n")
    return ["import", os.path.join(d, "w.conll"), "--format", "conll", "--out", os.path.join(d, "o")]

@case("import", "CoNLL tags that are not IOB2 (X-PER)", {1}, "not an IOB2 tag", keep=["w.conll"])
def _(d):
    write(os.path.join(d, "w.conll"), "محمد X-PER\nعلي O\n")
    return ["import", os.path.join(d, "w.conll"), "--format", "conll", "--out", os.path.join(d, "o")]

@case("import", "CoNLL I- with no B- before it", {0}, "does not continue", keep=["w.conll"])
def _(d):
    write(os.path.join(d, "w.conll"), "محمد I-PER\nعلي I-PER\n")
    return ["import", os.path.join(d, "w.conll"), "--format", "conll", "--out", os.path.join(d, "o")]

@case("import", "CoNLL file that is binary", {1}, "binary", keep=["w.conll"])
def _(d):
    write(os.path.join(d, "w.conll"), bytes(range(256)) * 16)
    return ["import", os.path.join(d, "w.conll"), "--format", "conll", "--out", os.path.join(d, "o")]

@case("import", "CoNLL one sentence of 200 000 tokens", {0}, "imported", keep=["long.conll"])
def _(d):
    write(os.path.join(d, "long.conll"), "".join(f"كلمة{i % 10} {'B-PER' if i % 7 == 0 else 'O'}\n" for i in range(200000)))
    return ["import", os.path.join(d, "long.conll"), "--format", "conll", "--out", os.path.join(d, "o")]

@case("import", "JSONL line that is not JSON", {0}, "in.jsonl:2:", keep=["in.jsonl"])
def _(d):
    write(os.path.join(d, "in.jsonl"), '{"text": "نص", "entities": []}\n{oops\n')
    return ["import", os.path.join(d, "in.jsonl"), "--format", "jsonl", "--out", os.path.join(d, "o")]

@case("import", "JSONL document named with an absolute path", {0}, "imported", keep=["in.jsonl"])
def _(d):
    write(os.path.join(d, "in.jsonl"), json.dumps({"document": os.path.join(d, "escaped.txt"), "text": "نص", "entities": []}) + "\n")
    return ["import", os.path.join(d, "in.jsonl"), "--format", "jsonl", "--out", os.path.join(d, "o")]

@case("import", "JSONL document named ../../x.txt", {0}, "imported", keep=["in.jsonl"])
def _(d):
    write(os.path.join(d, "in.jsonl"), json.dumps({"document": "../../x.txt", "text": "نص", "entities": []}) + "\n")
    return ["import", os.path.join(d, "in.jsonl"), "--format", "jsonl", "--out", os.path.join(d, "o", "p")]

@case("import", "JSONL documents named x.warraq.lock, .hidden and with U+202E", {0}, "imported", keep=["in.jsonl"])
def _(d):
    lines = [json.dumps({"document": n, "text": "نص", "entities": []}) for n in ["x.txt.warraq.lock", ".hidden", "\u202eevil.txt"]]
    write(os.path.join(d, "in.jsonl"), "\n".join(lines) + "\n")
    return ["import", os.path.join(d, "in.jsonl"), "--format", "jsonl", "--out", os.path.join(d, "o")]

@case("import", "a brat .ann whose every line is wrong", {1}, "nothing was written", keep=["d.txt", "d.ann"])
def _(d):
    a = brat_pair(d, "T1\tPER 0 5\tعاصمة\nT2\tPER 0\tx\n")
    code_dir = os.path.join(d, "d.txt.warraq.ron")
    return ["import", a, "--format", "brat"]

@case("import", "JSONL entity outside the text", {0}, "outside the text", keep=["in.jsonl"])
def _(d):
    write(os.path.join(d, "in.jsonl"), json.dumps({"text": "نص", "entities": [{"start": 0, "end": 50, "label": "PER"}]}) + "\n")
    return ["import", os.path.join(d, "in.jsonl"), "--format", "jsonl", "--out", os.path.join(d, "o")]

@case("import", "JSONL two lines naming the same document", {0}, "already exist", keep=["in.jsonl"])
def _(d):
    line = json.dumps({"document": "same.txt", "text": "نص", "entities": []})
    write(os.path.join(d, "in.jsonl"), line + "\n" + line + "\n")
    return ["import", os.path.join(d, "in.jsonl"), "--format", "jsonl", "--out", os.path.join(d, "o")]

@case("import", "JSONL naming a different text already in --out", {1}, "different file", keep=["in.jsonl", "o/x.txt"])
def _(d):
    write(os.path.join(d, "o", "x.txt"), "mine")
    write(os.path.join(d, "in.jsonl"), json.dumps({"document": "x.txt", "text": "نص", "entities": []}) + "\n")
    return ["import", os.path.join(d, "in.jsonl"), "--format", "jsonl", "--out", os.path.join(d, "o")]

@case("import", "an unknown import format", {2}, "invalid value 'xml' for '--format")
def _(d): return ["import", os.path.join(d, "x"), "--format", "xml"]

# ----- gazetteers -----
@case("gazetteer", "a name of 40 000 characters", {0}, "longer than 200", keep=["doc.txt", "n.tsv"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE); write(os.path.join(d, "n.tsv"), "ا" * 40000 + "\tPER\nروسيا\tGPE\n")
    return ["preannotate", p, "--gazetteer", os.path.join(d, "n.tsv")]

@case("gazetteer", "an empty list", {1}, "no NAME<TAB>TAG", keep=["doc.txt"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE); write(os.path.join(d, "n.tsv"), "")
    return ["preannotate", p, "--gazetteer", os.path.join(d, "n.tsv")]

@case("gazetteer", "a binary list", {1}, "binary", keep=["doc.txt"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE); write(os.path.join(d, "n.tsv"), bytes(range(256)) * 4)
    return ["preannotate", p, "--gazetteer", os.path.join(d, "n.tsv")]

@case("gazetteer", "/dev/zero as the list", {1}, "not a regular file", keep=["doc.txt"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE)
    return ["preannotate", p, "--gazetteer", "/dev/zero"]

@case("gazetteer", "lines without a tag, and a 1 MB line", {0}, "is not NAME<TAB>TAG", keep=["doc.txt", "n.tsv"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE); write(os.path.join(d, "n.tsv"), "بلا وسم\n" + "x" * 1000000 + "\nروسيا\tGPE\n")
    return ["preannotate", p, "--gazetteer", os.path.join(d, "n.tsv")]

# ----- team work: agree and curate -----
def two_annotators(d):
    """alice/doc.txt and bob/doc.txt, the sample annotated once in each (by the binary itself)."""
    for who in ["alice", "bob"]:
        os.makedirs(os.path.join(d, who), exist_ok=True)
        annotated(os.path.join(d, who))
    return os.path.join(d, "alice"), os.path.join(d, "bob")

TEAM_FILES = ["alice/doc.txt", "alice/doc.txt.warraq.ron", "bob/doc.txt", "bob/doc.txt.warraq.ron"]

@case("team", "curate into an annotator's folder", {1}, "must be apart", keep=TEAM_FILES)
def _(d):
    a, b = two_annotators(d)
    return ["curate", a, b, "--into", os.path.join(a, "curated")]

@case("team", "curate through a link inside the curated folder into an annotator's", {1}, "through a link",
      keep=TEAM_FILES)
def _(d):
    a, b = two_annotators(d)
    os.makedirs(os.path.join(d, "out"))
    os.symlink(a, os.path.join(d, "out", "sub"))
    os.makedirs(os.path.join(a, "sub"), exist_ok=True)
    shutil.copy(os.path.join(a, "doc.txt"), os.path.join(a, "sub", "doc.txt"))
    shutil.copy(sidecar(os.path.join(a, "doc.txt")), sidecar(os.path.join(a, "sub", "doc.txt")))
    os.makedirs(os.path.join(b, "sub"), exist_ok=True)
    shutil.copy(os.path.join(b, "doc.txt"), os.path.join(b, "sub", "doc.txt"))
    shutil.copy(sidecar(os.path.join(b, "doc.txt")), sidecar(os.path.join(b, "sub", "doc.txt")))
    return ["curate", a, b, "--into", os.path.join(d, "out")]

@case("team", "curate the same annotator twice", {1}, "given twice", keep=TEAM_FILES)
def _(d):
    a, _ = two_annotators(d)
    return ["curate", a, a + "/../alice", "--into", os.path.join(d, "out")]

@case("team", "curate --into a file", {1}, "not a folder", keep=TEAM_FILES)
def _(d):
    a, b = two_annotators(d)
    write(os.path.join(d, "afile"), "x")
    return ["curate", a, b, "--into", os.path.join(d, "afile")]

@case("team", "agree with an unreadable annotator's sidecar", {1}, "left out", keep=TEAM_FILES)
def _(d):
    a, b = two_annotators(d)
    write(sidecar(os.path.join(b, "doc.txt")), "(format: 2, source: ")
    return ["agree", a, b]

@case("team", "a curated sidecar whose curation record is malformed", {1}, "line",
      keep=["c/doc.txt", "c/doc.txt.warraq.ron"])
def _(d):
    p = os.path.join(d, "c", "doc.txt"); write(p, SAMPLE)
    write(sidecar(p), '(\n  format: 2,\n  curation: Some((sources: 5, decided: ["x"])),\n'
                      '  source: (size: 1, sha256: "", encoding: "UTF-8"),\n  annotations: [],\n)\n')
    return ["annotations", p]


# ----- numbers and the command line -----
for label, args in [
    ("--width 1e7", ["--width", "1e7"]),
    ("--font-size 1e30", ["--width", "600", "--font-size", "1e30"]),
    ("--font-size 10000", ["--width", "600", "--font-size", "10000"]),
    ("--width 20000 --height 20000", ["--width", "20000", "--height", "20000"]),
    ("--width NaN", ["--width", "NaN"]),
    ("--width -5", ["--width", "-5"]),
    ("--height 0", ["--width", "600", "--height", "0"]),
]:
    def make(a):
        def setup(d):
            return ["render", os.path.join(HERE, "assets", "sample-article-ar.txt"), *a, "--out", os.path.join(d, "p.png")]
        return setup
    case("numbers", f"render {label}", {2}, None)(make(args))

@case("numbers", "--from-line past the last line", {1}, "past the end")
def _(d): return ["render", os.path.join(HERE, "assets", "sample-article-ar.txt"), "--width", "300", "--from-line", "99999999", "--out", os.path.join(d, "p.png")]

@case("numbers", "a width that is not a number", {2}, "not a number")
def _(d): return ["layout", os.path.join(HERE, "assets", "sample-article-ar.txt"), "--width", "wide"]

@case("numbers", "an unknown option", {2}, "unexpected argument '--bogus'")
def _(d): return ["layout", os.path.join(HERE, "assets", "sample-article-ar.txt"), "--bogus"]

@case("numbers", "render over its own input, with --force", {1}, "this is an input", keep=["doc.txt"])
def _(d):
    p = os.path.join(d, "doc.txt"); write(p, SAMPLE)
    return ["render", p, "--width", "300", "--out", p, "--force"]


# ----- suggestion model folders (warraq suggest --model): the text and its sidecar are never touched -----
def model_dir(d, config=None, tokenizer=None, weights=None):
    """A model folder: a BERT config.json with labels, a small WordPiece tokenizer.json, and weights; each may be
    replaced by other bytes. The text to suggest in is doc.txt."""
    write(os.path.join(d, "doc.txt"), SAMPLE)
    m = os.path.join(d, "model")
    cfg = {"model_type": "bert", "vocab_size": 32, "hidden_size": 8, "num_hidden_layers": 1,
           "num_attention_heads": 2, "intermediate_size": 16, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
           "max_position_embeddings": 32, "type_vocab_size": 2, "initializer_range": 0.02, "layer_norm_eps": 1e-12,
           "pad_token_id": 0, "id2label": {"0": "O", "1": "B-LOC", "2": "I-LOC"}}
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "روسيا"])}
    tok = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
           "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                          "strip_accents": None, "lowercase": False},
           "pre_tokenizer": {"type": "BertPreTokenizer"}, "post_processor": None, "decoder": None,
           "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                     "max_input_chars_per_word": 100, "vocab": vocab}}
    write(os.path.join(m, "config.json"), config if config is not None else json.dumps(cfg))
    write(os.path.join(m, "tokenizer.json"), tokenizer if tokenizer is not None else json.dumps(tok))
    if weights is not None:
        write(os.path.join(m, "model.safetensors"), weights)
    return ["suggest", os.path.join(d, "doc.txt"), "--model", m]


@case("model", "no model folder at all", {1}, "not a folder", keep=["doc.txt"])
def _(d):
    write(os.path.join(d, "doc.txt"), SAMPLE)
    return ["suggest", os.path.join(d, "doc.txt"), "--model", os.path.join(d, "nothing")]

@case("model", "config.json of random bytes", {1}, "config.json", keep=["doc.txt"])
def _(d): return model_dir(d, config=bytes(range(256)) * 4)

@case("model", "config.json without id2label (not a token classifier)", {1}, "id2label", keep=["doc.txt"])
def _(d): return model_dir(d, config=json.dumps({"model_type": "bert", "vocab_size": 32}))

@case("model", "labels LABEL_0, LABEL_1 (saved without names)", {1}, "LABEL_0", keep=["doc.txt"])
def _(d): return model_dir(d, config=json.dumps({"model_type": "bert", "id2label": {"0": "LABEL_0", "1": "LABEL_1"}}))

@case("model", "a RoBERTa config", {1}, "roberta", keep=["doc.txt"])
def _(d): return model_dir(d, config=json.dumps({"model_type": "roberta", "id2label": {"0": "O", "1": "B-LOC"}}))

@case("model", "tokenizer.json cut in the middle", {1}, "tokenizer.json", keep=["doc.txt"])
def _(d): return model_dir(d, tokenizer='{"version": "1.0", "model": {"type": "WordPi')

@case("model", "no weights file", {1}, "no model.safetensors", keep=["doc.txt"])
def _(d): return model_dir(d)

@case("model", "model.safetensors of zero bytes", {1}, "model.safetensors", keep=["doc.txt"])
def _(d): return model_dir(d, weights=b"")

@case("model", "model.safetensors claiming a huge header", {1}, "model.safetensors", keep=["doc.txt"])
def _(d): return model_dir(d, weights=(2**40).to_bytes(8, "little") + b"{}")

@case("model", "only model.onnx", {1}, "ONNX", keep=["doc.txt"])
def _(d):
    args = model_dir(d)
    write(os.path.join(d, "model", "model.onnx"), b"\x08\x07")
    return args


def main():
    failures = 0
    rows = []
    for n, (group, what, setup, expect, says, keep) in enumerate(CASES, 1):
        d = tempfile.mkdtemp(prefix="warraq-bad-")
        try:
            args = setup(d)
            before = {k: digest(os.path.join(d, k)) for k in keep}
            try:
                code, out, took = run(args, d)
            except subprocess.TimeoutExpired:
                code, out, took = "hang", "", TIMEOUT
            after = {k: digest(os.path.join(d, k)) for k in keep}
            ok = code in expect and "panicked" not in out and before == after
            if says is not None and says not in out:
                ok = False
            if "escaped" in what or "../../" in what:
                ok = ok and not os.path.exists(os.path.join(d, "escaped.txt")) and not os.path.exists(os.path.join(os.path.dirname(d), "x.txt"))
            first = next((l for l in out.splitlines() if l.strip()), "(no output)")
            first = first.replace(d, "…").replace("|", "\\|")
            if len(first) > 150:
                first = first[:150] + "…"
            kept = ", ".join(keep) + " unchanged" if keep else "—"
            rows.append(f"| {n} | {group} | {what} | {code} | {first} | {kept} |")
            if not ok:
                failures += 1
                print(f"FAIL {n} {group}: {what}: exit {code} (expected {sorted(expect)}), says {says!r}, kept {before == after}\n{out}", file=sys.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)
    if MARKDOWN:
        print("| # | input | case | exit | what the user sees (first line) | kept |")
        print("|---|---|---|---|---|---|")
        print("\n".join(rows))
    print(f"bad inputs: {len(CASES) - failures} passed, {failures} failed", file=sys.stderr)
    sys.exit(1 if failures else 0)


main()
