"""Nothing in the repository points outside it (issue 19 item 6): no file names the contract, architecture or
style documents that lived beside the repository, and every relative link of the Markdown docs reaches a file
of the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(r"\.\./shared/|\bshared/API\.md|\bAPI\.md\b|\bARCHITECTURE\.md\b|\bSTYLE\.md\b")
LINK = re.compile(r"\]\(([^)\s]+)\)")
TEXT = (".py", ".md", ".yaml", ".yml", ".toml", ".json", ".txt", ".cfg", ".ts")


def tracked() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return [REPO / name for name in names.splitlines()
            if (name.endswith(TEXT) or name == "Makefile") and not name.startswith("clients/")
            and (REPO / name).is_file()]


def test_no_file_names_a_document_outside_the_repository() -> None:
    this = Path(__file__).resolve()
    found = [f"{path.relative_to(REPO)}:{number}: {line.strip()}"
             for path in tracked() if path != this
             for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             if OUTSIDE.search(line)]
    assert found == []


def test_every_relative_link_of_the_docs_reaches_a_file() -> None:
    docs = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    broken = []
    for doc in docs:
        for target in LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:|#", target):
                continue
            if not (doc.parent / target.split("#", 1)[0]).exists():
                broken.append(f"{doc.relative_to(REPO)}: {target}")
    assert broken == []
