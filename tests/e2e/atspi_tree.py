#!/usr/bin/python3
"""What a screen reader (Orca) is given: the running Folio window's accessibility tree over AT-SPI.

Finds the application named by argv[1] on the accessibility bus, walks its tree, writes it to
argv[2] (one line per node: role, name, indented), and checks that the window's landmarks and
controls are there with their names and roles. Exits non-zero, saying what is missing, if not.
Run by scripts/atspi.sh (Xvfb, a private D-Bus session, the real app).
"""
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

APP, OUT = sys.argv[1], sys.argv[2]
# (role, name) pairs a screen-reader user must find in Folio's window on its first screen.
EXPECTED = [
    ("frame", "Folio"),
    ("link", "Skip to content"),
    ("push button", "Back"),
    ("push button", "Forward"),
    ("heading", "Folio"),
    ("landmark", "Screens"),
    ("link", "Overview"),
    ("link", "My health"),
    ("link", "Labs and vitals"),
    ("link", "Records"),
    ("link", "Claims"),
    ("link", "Prior authorizations"),
    ("link", "Health plans"),
    ("link", "Export"),
    ("link", "This computer"),
    ("link", "Settings"),
]
WANTED_HEADING = ("heading", "Overview")


def app_named(name, seconds):
    deadline = time.time() + seconds
    seen = []
    while time.time() < deadline:
        desktop = Atspi.get_desktop(0)
        seen = []
        for i in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(i)
            if app is None:
                continue
            seen.append(app.get_name())
            if app.get_name() in name.split(","):
                return app, seen
        time.sleep(0.5)
    return None, seen


def walk(node, depth, lines, pairs, limit=20000):
    if node is None or len(lines) >= limit:
        return
    try:
        role, name = node.get_role_name(), (node.get_name() or "").strip()
    except Exception as e:  # a node that went away while walking
        lines.append("  " * depth + f"(gone: {e})")
        return
    lines.append("  " * depth + f"{role}: {name}")
    pairs.add((role, name))
    for i in range(node.get_child_count()):
        walk(node.get_child_at_index(i), depth + 1, lines, pairs, limit)


def main():
    app, seen = app_named(APP, 60)
    if app is None:
        print(f"no application named {APP!r} on the accessibility bus (saw {seen})", file=sys.stderr)
        return 1
    # The web view's content arrives once the page has loaded: walk until the screen's heading shows.
    deadline = time.time() + 60
    while True:
        lines, pairs = [], set()
        walk(app, 0, lines, pairs)
        if WANTED_HEADING in pairs or time.time() > deadline:
            break
        time.sleep(1)
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    missing = [p for p in EXPECTED + [WANTED_HEADING] if p not in pairs]
    print(f"AT-SPI: {len(lines)} nodes in {APP}'s tree; {len(EXPECTED) + 1 - len(missing)} of {len(EXPECTED) + 1} expected roles and names found")
    for role, name in EXPECTED + [WANTED_HEADING]:
        print(f"  {'ok     ' if (role, name) not in missing else 'MISSING'} {role}: {name}")
    # Unnamed controls: a push button, link, entry or check box with no name is a failure.
    unnamed = sorted({role for role, name in pairs if not name and role in ("push button", "link", "entry", "check box", "radio button", "combo box")})
    if unnamed:
        print(f"unnamed controls of roles: {unnamed}", file=sys.stderr)
    return 1 if missing or unnamed else 0


sys.exit(main())
