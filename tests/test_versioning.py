"""The kit ready to be reused: one version everywhere, an install that needs no tag, licenses stated where they apply.

`gankit.__version__` is the one constant: CITATION.cff and CHANGELOG.md name it, the Colab set-up cell installs
the tag `v` + it (CONTRIBUTING.md, "Releases").
"""
import re
from pathlib import Path

import gankit
from gankit import notebooks

ROOT = Path(__file__).resolve().parents[1]


def cff_field(name):
    """A top-level scalar of CITATION.cff (the file is flat YAML at the top level; no YAML parser needed)."""
    m = re.search(rf"^{name}:\s*\"?([^\"#\n]*?)\"?\s*(#.*)?$", (ROOT / "CITATION.cff").read_text(), re.M)
    return m and m.group(1)


def test_citation_names_the_kits_version():
    assert cff_field("cff-version") == "1.2.0"
    assert cff_field("version") == gankit.__version__, (
        f"CITATION.cff says version {cff_field('version')}, gankit.__version__ is {gankit.__version__}: bump both")
    assert cff_field("title") and cff_field("license") == "MIT"


def test_changelog_has_the_version_and_an_unreleased_section():
    headings = re.findall(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert headings[:1] == ["Unreleased"], f"CHANGELOG.md must start with an Unreleased section, has {headings}"
    assert gankit.__version__ in headings, f"CHANGELOG.md has no section for {gankit.__version__}: {headings}"


def test_the_setup_cell_installs_the_default_branch_not_a_tag():
    """Only the default branch is published: an install must not depend on a tag (an old tag would install a kit
    without the later notebooks' modules)."""
    assert f'git+{notebooks.REPO}"' in notebooks.SETUP_CELL and "ls-remote" not in notebooks.SETUP_CELL


def test_licenses_agree():
    license_text = (ROOT / "LICENSE").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^license = \{ ?text = "MIT" ?\}', pyproject, re.M) and "MIT License" in license_text
    assert "Permission is hereby granted, free of charge" in license_text, "LICENSE lacks the MIT License's text"
    assert "Creative Commons Attribution 4.0" in license_text and "CC BY 4.0" in license_text
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"MIT.*CC BY 4\.0", readme, re.S), "README must say what covers the code and the notebooks' text"
