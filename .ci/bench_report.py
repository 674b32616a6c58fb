#!/usr/bin/env python3
"""Runs the benchmarks and writes their figures into docs/BENCHMARKS.md.

    python3 .ci/bench_report.py            # run every benchmark (about 15 minutes on 2 cores), then write
    python3 .ci/bench_report.py --write    # only write, from the figures the last runs left
    python3 .ci/bench_report.py --only book,suggest   # run and write those tables; the others are left as they are

Figures come from criterion's estimates (target/criterion/GROUP/NAME/new/estimates.json: the median) and from what
the benchmarks record themselves (target/bench-figures/BENCH.json: peak memory, counts, the book's frame times).
The book benchmark runs three times and every figure is the median of the three. Each table is written between
`<!-- figures:NAME -->` and `<!-- /figures:NAME -->` in docs/BENCHMARKS.md; the prose around them is kept.
"""

import json
import pathlib
import re
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"
FIGURES = TARGET / "bench-figures"
DOC = ROOT / "docs" / "BENCHMARKS.md"
BOOK_RUNS = 3


def run(args):
    print("+", " ".join(args), flush=True)
    subprocess.run(args, cwd=ROOT, check=True)


BENCHES = ["engine", "large_document", "search", "sidecar", "agreement", "suggest", "book"]


def run_all(only):
    FIGURES.mkdir(parents=True, exist_ok=True)
    for f in FIGURES.glob("*.json"):
        if only is None or f.stem.split("-")[0] in only:
            f.unlink()
    for bench in BENCHES[:-1]:
        if only is None or bench in only:
            run(["cargo", "bench", "--bench", bench])
    if only is not None and "book" not in only:
        return
    runs = []
    for _ in range(BOOK_RUNS):
        run(["cargo", "bench", "--bench", "book"])
        runs.append(json.loads((FIGURES / "book.json").read_text()))
        (FIGURES / "book.json").unlink()
    (FIGURES / "book-runs.json").write_text(json.dumps(runs, indent=1))


def criterion_ms(group, name):
    path = TARGET / "criterion" / group / name / "new" / "estimates.json"
    if not path.exists():
        sys.exit(f"{path} is missing: run the benchmarks first (python3 .ci/bench_report.py)")
    return json.loads(path.read_text())["median"]["point_estimate"] / 1e6


def figures(bench):
    path = FIGURES / f"{bench}.json"
    if not path.exists():
        sys.exit(f"{path} is missing: run the benchmarks first (python3 .ci/bench_report.py)")
    return json.loads(path.read_text())


def book():
    runs = json.loads((FIGURES / "book-runs.json").read_text())
    out = {}
    for key in runs[0]:
        values = [r[key] for r in runs]
        if all(isinstance(v, (int, float)) for v in values):
            out[key] = statistics.median(values)
            out[key + "/range"] = (min(values), max(values))
        else:
            out[key] = values[0]
    out["runs"] = len(runs)
    return out


def ms(v):
    return f"{v:.0f} ms" if v >= 20 else f"{v:.1f} ms" if v >= 1 else f"{v:.2f} ms"


def status(ok):
    return "✔" if ok else "✘ not met"


def row(*cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def table(header, rows):
    lines = [row(*header), row(*(["---"] * len(header)))]
    lines += [row(*r) for r in rows]
    return "\n".join(lines)


def book_table(b):
    def rng(key, unit=ms):
        lo, hi = b[key + "/range"]
        return f"{unit(b[key])} ({unit(lo)}–{unit(hi)})"

    mb = lambda v: f"{v:.0f} MB"
    rows = [
        ("file chosen → first frame with its text (worker reads, decodes, loads and checks 100 000 annotations)",
         rng("first_frame_ms"), "≤ 300 ms", status(b["first_frame_ms"] <= 300)),
        ("the worker's part alone (`OpenDocument::open`)", rng("open_document_ms"), "", ""),
        (f"resident memory: the window before opening / with the book open / with the search index built",
         f"{mb(b['rss_start_mb'])} / {mb(b['rss_open_mb'])} / {mb(b['rss_index_mb'])}", "≤ 300 MB with the index",
         status(b["rss_index_mb"] <= 300)),
        ("search index size", f"{b['index_bytes_per_text_byte']:.2f} bytes per byte of text", "≤ 2",
         status(b["index_bytes_per_text_byte"] <= 2)),
        (f"Ctrl+F, type a word → matches shown (index built on a worker; {b['first_search_matches']:.0f} matches)",
         rng("first_search_ms"), "", ""),
        ("… longest frame meanwhile", rng("first_search_frame_max_ms"), "≤ 8 ms",
         status(b["first_search_frame_max_ms"] <= 8)),
        ("erase it and type another word → matches shown (index built)", rng("second_search_ms"), "", ""),
        ("… longest frame meanwhile", rng("second_search_frame_max_ms"), "≤ 8 ms",
         status(b["second_search_frame_max_ms"] <= 8)),
        ("frame while wheel-scrolling, median / p99 (600 frames)",
         f"{ms(b['scroll_median_ms'])} / {rng('scroll_p99_ms')}", "p99 ≤ 8 ms", status(b["scroll_p99_ms"] <= 8)),
        ("Ctrl+End → the end of the book on screen", rng("jump_to_end_ms"), "≤ 50 ms",
         status(b["jump_to_end_ms"] <= 50)),
        (f"Tag All on «{b['tag_all_word']}» → review open with {b['tag_all_candidates']:.0f} candidates "
         f"(search on a worker: {ms(b['tag_all_search_ms'])})", rng("review_open_ms"), "≤ 100 ms",
         status(b["review_open_ms"] <= 100)),
        ("frame while the review is open, p99", rng("review_frame_p99_ms"), "≤ 8 ms",
         status(b["review_frame_p99_ms"] <= 8)),
        (f"frame right after accepting them all ({b['annotations_after_tag_all']:.0f} annotations)",
         rng("frame_after_applying_ms"), "", ""),
        (f"pre-annotation from a list → {b['preannotate_suggestions']:.0f} suggestions listed",
         rng("preannotate_ms"), "", ""),
        ("… the frame the suggestions land in", rng("suggestions_landing_frame_ms"), "≤ 100 ms (review opens)",
         status(b["suggestions_landing_frame_ms"] <= 100)),
        ("Ctrl+S → saved (prepared a slice per frame, written by a worker)", rng("save_ms"), "", ""),
        ("… longest frame meanwhile", rng("save_frame_max_ms"), "≤ 8 ms", status(b["save_frame_max_ms"] <= 8)),
        ("another writer changed the sidecar, then Ctrl+S → their change merged in and saved (merge on a worker)",
         rng("merge_save_ms"), "", ""),
        ("… longest frame meanwhile (the merged annotations land in one of them)", rng("merge_save_frame_max_ms"),
         "≤ 8 ms", status(b["merge_save_frame_max_ms"] <= 8)),
        ("the frame the opened book first appears in (its view and panel built)", rng("opening_frame_max_ms"), "",
         ""),
        (f"one more annotation, Suggest While Annotating on → the learner's {b['learned_suggestions']:.0f} suggestions "
         "listed (annotations taken in a slice per frame, learned and matched on a worker)", rng("learn_ms"), "", ""),
        ("… longest frame meanwhile (the suggestions land in one of them)", rng("learn_frame_max_ms"), "≤ 8 ms",
         status(b["learn_frame_max_ms"] <= 8)),
        (f"all {b['frames']:.0f} frames of the session: p99 / longest", f"{rng('frame_p99_ms')} / {rng('frame_max_ms')}",
         "", ""),
        ("peak resident memory of the whole session", mb(b["peak_mb"]), "", ""),
    ]
    head = (f"{b['book_mb']:.1f} MB, {b['paragraphs']:.0f} paragraphs, {b['annotations']:.0f} annotations; "
            f"window 1100×800; median of {b['runs']} runs (range in brackets).\n\n")
    return head + table(["measure", "result", "target", "status"], rows)


def sidecar_table():
    f = figures("sidecar")
    exact = lambda k: f"{f['exact/' + k]:,} of 100,000 at exactly the expected place".replace(",", " ")
    peak = lambda k: f"{f['peak_mb/' + k]:.0f} MB"
    rows = [
        ("save: serialize, write, fsync, keep `.bak`, rename, fsync folder", ms(criterion_ms("sidecar_100k", "save")),
         peak("save"), "≤ 150 ms", status(criterion_ms("sidecar_100k", "save") <= 150)),
        ("load with an unchanged source (read, parse, check every quote)",
         ms(criterion_ms("sidecar_100k", "load_unchanged_source")), peak("load_unchanged_source"), "≤ 300 ms",
         status(criterion_ms("sidecar_100k", "load_unchanged_source") <= 300)),
        ("open the 10 MB text with it (`OpenDocument::open`: read, decode, fingerprint, split, load, lock)",
         ms(criterion_ms("sidecar_100k", "open_document")), peak("open_document"), "", ""),
        (f"load after an edit that shifts every annotation ({exact('shifted_by_an_edit')})",
         ms(criterion_ms("reanchor_100k", "shifted_by_an_edit")), peak("shifted_by_an_edit"), "≤ 1 s",
         status(criterion_ms("reanchor_100k", "shifted_by_an_edit") <= 1000)),
        (f"load after a letter changed inside every annotation ({exact('letter_changed_in_every_one')})",
         ms(criterion_ms("reanchor_100k", "letter_changed_in_every_one")), peak("letter_changed_in_every_one"),
         "≤ 3 s", status(criterion_ms("reanchor_100k", "letter_changed_in_every_one") <= 3000)),
    ]
    return table(["benchmark", "median", "peak memory", "target", "status"], rows)


def search_table():
    f = figures("search")
    q = lambda n: criterion_ms("search_10MB", n)
    rows = [
        ("build the search index of 10 MB", ms(q("build_index")), f"{f['peak_mb/build_index']:.0f} MB", "≤ 1 s",
         status(q("build_index") <= 1000)),
        ("index size", f"{f['index_bytes_per_text_byte']:.2f} bytes per byte of text", "", "≤ 2",
         status(f["index_bytes_per_text_byte"] <= 2)),
        (f"a query (القاهرة, {f['matches/query']} matches mapped back to offsets)", ms(q("query")), "", "≤ 20 ms",
         status(q("query") <= 20)),
        (f"a whole-word query (فلسطين, {f['matches/query_whole_word']} matches)", ms(q("query_whole_word")), "",
         "≤ 20 ms", status(q("query_whole_word") <= 20)),
        (f"a whole-word query for a common word (في, {f['matches/query_common_word']} matches)",
         ms(q("query_common_word")), "", "", ""),
        ("10 000-name gazetteer over 10 MB", ms(q("gazetteer_10k_names")),
         f"{f['peak_mb/gazetteer_10k_names']:.0f} MB", "≤ 2 s", status(q("gazetteer_10k_names") <= 2000)),
    ]
    return table(["benchmark", "median", "peak memory", "target", "status"], rows)


def engine_table():
    full = criterion_ms("document", "full_layout/1MB")
    rewrap = criterion_ms("document", "rewrap/1MB")
    hit = criterion_ms("hit_test", "") * 1000
    sel = criterion_ms("selection_geometry_paragraph", "") * 1000
    rows = [
        ("full layout of 1 MB of Arabic (shape, bidi, break, align; 600 px, 20 px)", ms(full), "", ""),
        ("re-wrap the same shaped 1 MB at a new width", ms(rewrap), "≥ 20× faster than full layout",
         f"{full / rewrap:.1f}× {status(full / rewrap >= 20)}"),
        ("hit test (point → text position) in a 441-character paragraph", f"{hit:.2f} µs", "≤ 5 µs", status(hit <= 5)),
        ("selection geometry for a range covering most of that paragraph", f"{sel:.2f} µs", "≤ 50 µs",
         status(sel <= 50)),
    ]
    return table(["benchmark", "median", "target", "status"], rows)


def large_table():
    f = figures("large_document")
    rows = [
        ("read + decode + split into paragraphs", ms(f["decode_ms"]), "", ""),
        ("open to first frame (including the above)", ms(f["first_frame_ms"]), "≤ 250 ms",
         status(f["first_frame_ms"] <= 250)),
        ("frame while wheel-scrolling (600 frames, 150 px each), median / p99",
         f"{ms(f['scroll_median_ms'])} / {ms(f['scroll_p99_ms'])}", "p99 ≤ 8 ms", status(f["scroll_p99_ms"] <= 8)),
        ("frame right after a scroll-bar jump, median / max", f"{ms(f['jump_median_ms'])} / {ms(f['jump_max_ms'])}",
         "", ""),
        ("every paragraph's height measured in the background after", f"{f['measured_s']:.1f} s", "", ""),
        ("frame while scrolling once measured, median / p99",
         f"{ms(f['measured_scroll_median_ms'])} / {ms(f['measured_scroll_p99_ms'])}", "p99 ≤ 8 ms",
         status(f["measured_scroll_p99_ms"] <= 8)),
        ("resident memory with the document open", f"{f['rss_after_mb']:.0f} MB", "≤ 200 MB",
         status(f["rss_after_mb"] <= 200)),
    ]
    out = (f"{f['size_mb']:.1f} MB, {f['paragraphs']:.0f} paragraphs, window 1100×800, text 22 px.\n\n"
           + table(["measure", "result", "target", "status"], rows))
    hb = f.get("hb_shape_1mb_ms")
    ratio = f"{f['layout_1mb_ms'] / hb:.2f} {status(f['layout_1mb_ms'] / hb <= 1.5)}" if hb else "hb-shape not installed"
    out += "\n\nThe same 1 MB laid out whole (median of 5) against HarfBuzz's `hb-shape` (shaping only, one font):\n\n"
    out += table(["Warraq (shape, bidi, line breaking, alignment)", "hb-shape", "ratio (target ≤ 1.5)"],
                 [(ms(f["layout_1mb_ms"]), ms(hb) if hb else "—", ratio)])
    return out


def agreement_table():
    f = figures("agreement")
    t = criterion_ms("agree", "two_annotators_100_documents")
    rows = [
        ("`warraq agree` on two folders of 100 documents × 1 000 annotations (find, open, pair, score)", ms(t),
         f"{f['peak_mb/two_annotators_100_documents']:.0f} MB", "≤ 1 s", status(t <= 1000)),
    ]
    c = criterion_ms("curate", "two_annotators_100_documents")
    rows.append(("`warraq curate` of the same folders into a new one (copy, group, merge agreed, write)", ms(c),
                 f"{f['peak_mb/curate_100_documents']:.0f} MB", "≤ 3 s", status(c <= 3000)))
    r = criterion_ms("curate", "book_100000_read_and_group")
    rows.append(("a curated book opened: two copies of 10 MB × 100 000 annotations read and grouped (worker)", ms(r),
                 f"{f['peak_mb/curate_book_read']:.0f} MB", "≤ 2 s", status(r <= 2000)))
    i = criterion_ms("curate", "book_100000_take_in")
    rows.append(("… then taken in on the window's thread", ms(i), "—", "≤ 16 ms", status(i <= 16)))
    return table(["benchmark", "median", "peak memory", "target", "status"], rows)


def suggest_table():
    f = figures("suggest")
    t = criterion_ms("suggest", "bert_base_10000_words")
    rows = [
        (f"a BERT-base-sized model over 10 000 words ({f['paragraphs']} paragraphs, {f['windows']} windows)",
         ms(t), f"{f['peak_mb/bert_base_10000_words']:.0f} MB", f"{10000 / (t / 1000):.0f} words/s"),
        ("loading that model from its folder (safetensors, f32)", ms(f["load_ms"]), "—", "—"),
    ]
    out = table(["benchmark", "median", "peak memory", "rate"], rows)
    out += "\n\nThe same run in the window (Suggest in This Document), every frame timed while the model works:\n\n"
    out += table(["until done", "suggestions landed", "frames", "frame p50", "frame p99", "longest frame", "target",
                  "status"],
                 [(ms(f["window_total_ms"]), f["window_suggestions"], f["window_frames"], ms(f["window_frame_p50_ms"]),
                   ms(f["window_frame_p99_ms"]), ms(f["window_frame_max_ms"]), "every frame ≤ 16 ms",
                   status(f["window_frame_max_ms"] <= 16))])
    return out


def write(only):
    text = DOC.read_text()
    tables = {"book": lambda: book_table(book()), "sidecar": sidecar_table, "search": search_table,
              "engine": engine_table, "large": large_table, "agreement": agreement_table, "suggest": suggest_table}
    # (The large_document benchmark's table is "large".)
    wanted = None if only is None else {"large" if n == "large_document" else n for n in only}
    parts = {name: make() for name, make in tables.items() if wanted is None or name in wanted}
    for name, body in parts.items():
        pattern = re.compile(rf"(<!-- figures:{name} -->\n).*?(<!-- /figures:{name} -->)", re.S)
        if not pattern.search(text):
            sys.exit(f"docs/BENCHMARKS.md has no <!-- figures:{name} --> … <!-- /figures:{name} --> section")
        text = pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)
    DOC.write_text(text)
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    only = None
    if "--only" in sys.argv:
        at = sys.argv.index("--only") + 1
        if at >= len(sys.argv):
            sys.exit(f"--only takes a list of benchmarks: {','.join(BENCHES)}")
        only = set(sys.argv[at].split(","))
        unknown = only - set(BENCHES)
        if unknown:
            sys.exit(f"no such benchmark: {', '.join(sorted(unknown))} (there are {', '.join(BENCHES)})")
    if "--write" not in sys.argv:
        run_all(only)
    write(only)
