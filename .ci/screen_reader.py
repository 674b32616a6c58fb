#!/usr/bin/env python3
"""What a screen reader reads from the running window, through AT-SPI (what Orca uses).

Run inside a D-Bus session with the accessibility bus up and Warraq showing a document (see .ci/screen_reader.sh).
Usage: screen_reader.py FIRST_SENTENCE ANNOTATION_LABEL
Prints the document's readable tree (roles and names) and fails unless the document node is there, a paragraph
reads FIRST_SENTENCE (in logical order), the document's text (AT-SPI Text, from its text runs) holds it with the
caret in it, and an annotation node reads ANNOTATION_LABEL.
"""
import sys
import time

import pyatspi

want_sentence, want_label = sys.argv[1], sys.argv[2]


def find_app():
    desktop = pyatspi.Registry.getDesktop(0)
    for _ in range(40):
        for app in desktop:
            if app is not None and "warraq" in (app.name or "").lower():
                return app
        time.sleep(0.5)
    return None


def walk(node, depth=0, out=None):
    if out is None:
        out = []
    try:
        role = node.getRoleName()
        name = node.name or ""
    except Exception:
        return out
    out.append((depth, role, name, node))
    if depth > 40:
        return out
    for child in node:
        if child is not None:
            walk(child, depth + 1, out)
    return out


app = find_app()
if app is None:
    names = [a.name for a in pyatspi.Registry.getDesktop(0) if a is not None]
    sys.exit(f"screen reader: no Warraq application on the accessibility bus (found: {names})")
nodes = []
for _ in range(20):
    nodes = walk(app)
    if any(r == "document frame" or r == "document web" or r.startswith("document") for _, r, _, _ in nodes):
        break
    time.sleep(0.5)
for depth, role, name, _ in nodes:
    if role in ("paragraph", "mark", "status bar") or role.startswith("document") or name == want_label:
        print(f"{'  ' * depth}{role}: {name[:90]}")
documents = [n for n in nodes if n[1].startswith("document")]
paragraphs = [n for n in nodes if n[1] == "paragraph" and n[2] == want_sentence]
marks = [n for n in nodes if n[2] == want_label]
problems = []
if not documents:
    problems.append("no document node")
if not paragraphs:
    problems.append(f"no paragraph reads {want_sentence!r}")
if not marks:
    problems.append(f"no annotation reads {want_label!r}")
if documents:
    # The document's text as Orca reads it by character, word and line: the Text interface, with the caret.
    try:
        text = documents[0][3].queryText()
        content = text.getText(0, text.characterCount)
        caret = text.caretOffset
        print(f"document text: {text.characterCount} characters, caret at {caret}: {content[:60]!r}")
        if want_sentence not in content:
            problems.append("the document's text does not hold the first sentence")
        if not 0 <= caret <= text.characterCount:
            problems.append(f"no caret in the document's text ({caret})")
        # Moving the caret with the keys moves it in what the screen reader reads (Left: forward in Arabic).
        import subprocess
        window = subprocess.run(["xdotool", "search", "--name", "Warraq"], capture_output=True, text=True)
        ids = window.stdout.split()
        if ids:
            subprocess.run(["xdotool", "windowfocus", "--sync", ids[-1]], check=False)
            time.sleep(0.5)
            subprocess.run(["xdotool", "key", "--delay", "200", "ctrl+Home", "Left", "Left", "Left"], check=False)
            for _ in range(20):
                time.sleep(0.25)
                moved = documents[0][3].queryText().caretOffset
                if moved == 3:
                    break
            print(f"after Ctrl+Home and Left three times the caret is at {moved}")
            if moved != 3:
                problems.append(f"the caret did not move in the document's text ({caret} -> {moved})")
    except NotImplementedError:
        problems.append("the document has no Text interface")
if problems:
    sys.exit("screen reader: " + "; ".join(problems))
print(f"screen reader: the document, its first sentence and the annotation {want_label!r} are read")
