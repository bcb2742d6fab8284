"""The repository's metadata and its sources page are complete and consistent.

A clone must stand alone for someone who wants to cite, check or extend the model: `CITATION.cff` must be
valid Citation File Format with the package's version, `LICENSE` must be the licence `pyproject.toml` names,
and `docs/sources.md` must hold every section the code and the documents cite, so that a link such as
`docs/sources.md#stylized-fact-4` always lands somewhere.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "docs" / "sources.md"

# Folders that hold no project text (tool state, caches, results written by runs).
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache", "build", "dist"}
TEXT_SUFFIXES = {".md", ".py", ".toml", ".cff", ".txt", ".cfg", ".yaml", ".yml"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in " -_" or cat[0] in "LNM":
            kept.append(ch)
    return "".join(kept).replace(" ", "-")


def _headings(markdown: str) -> list[str]:
    """The page's headings in order, outside fenced code blocks."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = re.match(r"^(#{1,6})\s+(.+?)\s*#*\s*$", line)
        if m and not fenced:
            out.append(m.group(2))
    return out


def anchors(markdown: str) -> set[str]:
    """Every anchor of the page, with GitHub's -1, -2 suffixes for repeated headings."""
    seen: dict[str, int] = {}
    result = set()
    for heading in _headings(markdown):
        slug = github_slug(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        result.add(slug if n == 0 else f"{slug}-{n}")
    return result


@pytest.fixture(scope="module")
def sources_text() -> str:
    return SOURCES.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sources_anchors(sources_text: str) -> set[str]:
    return anchors(sources_text)


# --- the slug function itself -------------------------------------------------------------------------------

@pytest.mark.parametrize("heading, slug", [
    ("Stylized fact 4", "stylized-fact-4"),
    ("The panel's timeline", "the-panels-timeline"),
    ("Prices, supply and love vegetables", "prices-supply-and-love-vegetables"),
    ("Linkage-ism", "linkage-ism"),
    ("7.13 Emergency online linkage (`[online]`, `simulation/linkage/online.py`)",
     "713-emergency-online-linkage-online-simulationlinkageonlinepy"),
])
def test_github_slug(heading: str, slug: str) -> None:
    assert github_slug(heading) == slug


def test_repeated_headings_get_numbered_anchors() -> None:
    assert anchors("# A\n## Notes\n### Notes\n```\n# not a heading\n```\n") == {"a", "notes", "notes-1"}


# --- CITATION.cff -------------------------------------------------------------------------------------------

def test_citation_cff_is_valid_and_matches_pyproject() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    project = _pyproject()
    for key in ("cff-version", "message", "title", "authors"):  # the keys CFF 1.2.0 requires
        assert cff.get(key), f"CITATION.cff: required key {key!r} missing or empty"
    assert str(cff["cff-version"]) == "1.2.0"
    assert str(cff["version"]) == project["version"], "CITATION.cff: version differs from pyproject.toml"
    assert cff["license"] == project["license"] == "MIT"
    assert cff["type"] == "software"
    for person in cff["authors"]:
        assert person.get("name") or person.get("family-names"), f"CITATION.cff: author has no name: {person}"
    preferred = cff["preferred-citation"]
    for key in ("type", "title", "authors"):  # required in a CFF reference
        assert preferred.get(key), f"CITATION.cff: preferred-citation lacks {key!r}"
    assert str(preferred.get("version", project["version"])) == project["version"]


# --- LICENSE and CHANGELOG ----------------------------------------------------------------------------------

def test_license_is_the_one_pyproject_names() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert _pyproject()["license"] == "MIT"
    assert text.splitlines()[0].strip() == "MIT License"
    assert re.search(r"^Copyright \(c\) \d{4} the LiánDòng authors$", text, re.MULTILINE)
    assert "Permission is hereby granted, free of charge" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_changelog_has_unreleased_and_the_current_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version = _pyproject()["version"]
    assert re.search(r"^## \[Unreleased\]", text, re.MULTILINE)
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", text, re.MULTILINE), (
        f"CHANGELOG.md: no dated section for version {version} (pyproject.toml)")


# --- docs/sources.md ----------------------------------------------------------------------------------------

def test_stylized_facts_1_to_10_each_present_once_with_a_statement(sources_text: str) -> None:
    headings = _headings(sources_text)
    facts = [h for h in headings if re.fullmatch(r"Stylized fact \d+", h)]
    assert facts == [f"Stylized fact {n}" for n in range(1, 11)], facts
    for n in range(1, 11):
        body = sources_text.split(f"### Stylized fact {n}\n", 1)[1].split("\n### ", 1)[0]
        assert "**" in body and len(body) > 200, f"stylized fact {n} has no statement"


def test_patterns_1_to_8_present(sources_text: str) -> None:
    patterns = [h for h in _headings(sources_text) if re.fullmatch(r"Pattern \d+", h)]
    assert patterns == [f"Pattern {n}" for n in range(1, 9)], patterns


CITED_SECTIONS = """
confidence-grades the-source-panel panel-citation speakers claims-the-model-uses three-kinds-of-linkage
linkage-ism public-safety-as-a-linked-issue mass-base-decides-mobilisation
open-recruitment-overloads-the-coordinator resident-leaders leaders-set-the-example needs-first
social-workers-outside-the-formal-system last-mile-precision comprehensive-versus-professional-governance
prices-supply-and-love-vegetables donations funding-strain cadres-with-nobody-to-relieve-them aftermath
the-panels-timeline actors-named-in-the-panel recommendations attribution-notes sourced-figures timeline
scale-and-people health-and-vulnerability mental-health digital-access one-online-social-work-team
supply-and-group-buying prices volunteers stylized-facts model-requirements purpose scale entities
daily-processes phases linkage-mechanisms presets outcomes patterns-the-model-must-reproduce references
official-releases
""".split()


@pytest.mark.parametrize("anchor", CITED_SECTIONS)
def test_sources_has_the_sections_that_are_cited(anchor: str, sources_anchors: set[str]) -> None:
    assert anchor in sources_anchors, f"docs/sources.md has no section with anchor #{anchor}"


def test_each_stated_anchor_is_its_sections_real_anchor(sources_text: str) -> None:
    """Each section opens with 'Anchor: `#x`'; x must be the anchor GitHub gives that section's heading."""
    current = None
    checked = 0
    for line in sources_text.splitlines():
        m = re.match(r"^#{1,6}\s+(.+?)\s*$", line)
        if m:
            current = m.group(1)
        for stated in re.findall(r"Anchor: `#([^`]+)`", line):
            assert current is not None and stated == github_slug(current), (
                f"docs/sources.md: section {current!r} states anchor #{stated}, GitHub gives "
                f"#{github_slug(current or '')}")
            checked += 1
    assert checked >= 40


def test_every_link_inside_sources_resolves(sources_text: str, sources_anchors: set[str]) -> None:
    links = re.findall(r"\]\(#([^)\s]+)\)", sources_text)
    assert len(links) > 50
    missing = sorted({a for a in links if a not in sources_anchors})
    assert not missing, f"docs/sources.md links to missing anchors: {missing}"


def test_every_link_to_sources_in_the_repository_resolves(sources_anchors: set[str]) -> None:
    """A link into docs/sources.md written in any file of the repository must name a real section."""
    broken = []
    for path in _repository_files():
        if path.suffix in TEXT_SUFFIXES and path.is_file():
            broken += _broken_links(path, sources_anchors)
    assert not broken, "links to missing sections of docs/sources.md:\n" + "\n".join(broken)


def _repository_files() -> list[Path]:
    """The files git tracks (scratch files in a work tree are not the repository's); all files without git."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        listed = b""
    if listed:
        return [ROOT / name for name in listed.decode("utf-8").split("\0") if name]
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        files += [Path(folder) / name for name in names]
    return files


def _broken_links(path: Path, sources_anchors: set[str]) -> list[str]:
    broken = []
    text = path.read_text(encoding="utf-8", errors="replace")
    for lineno, line in enumerate(text.splitlines(), 1):
        for anchor in re.findall(r"sources\.md#([A-Za-z0-9_-]+)", line):
            if anchor not in sources_anchors:
                broken.append(f"{path.relative_to(ROOT)}:{lineno}: #{anchor}")
    return broken


def test_sources_page_names_the_panel_and_stands_alone(sources_text: str) -> None:
    for name in ("Yu Zucheng", "Song Wanzhao", "Chen Lanlan", "Huang Bin", "16 April 2020", "公益时报"):
        assert name in sources_text
    for ref in ("10.18564/jasss.4259", "10.1080/21620555.2020.1820860", "10.1016/j.worlddev.2020.105128",
                "10.1186/s12889-021-12419-8", "PMC7723535", "PMC8444804", "Paret", "Schulte"):
        assert ref in sources_text, f"reference list lacks {ref}"


def test_sources_page_links_only_to_files_in_the_repository(sources_text: str) -> None:
    """Relative links must land on files of the clone; everything else is a web address or an anchor."""
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", sources_text)
    local = [t for t in targets if not re.match(r"https?://", t)]
    assert local, "expected links to the ODD and the other documents"
    missing = [t for t in local if not (SOURCES.parent / t).resolve().is_file()]
    assert not missing, f"docs/sources.md links to files that are not in the repository: {missing}"
