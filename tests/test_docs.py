"""The documentation site cannot go stale: every output file, column and KPI of the code is on
its pages, checked against a real run folder; every public package has an API page.

The site itself is built by CI with warnings as errors (``mkdocs build --strict``, .ci/run).
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

import emob_sim
from emob_sim.analysis.ebike import EBIKE_KPI_KEYS
from emob_sim.analysis.energy import ENERGY_KPI_KEYS
from emob_sim.analysis.kpis import KPI_KEYS
from emob_sim.plan import PLAN_FILES
from emob_sim.runner import COMPARE_FILES, ENERGY_FILES, RUN_FILES
from scripts import docs_hooks

ROOT = Path(emob_sim.__file__).resolve().parents[1]
DOCS = ROOT / "docs"
#: packages of emob_sim without an API page: the command line and the compatibility door
NOT_API = {"cli", "_compat", "__main__"}


def _sections(markdown: str) -> dict[str, str]:
    """File name -> the text of its ``### `name` `` section."""
    parts = re.split(r"^### `([^`]+)`$", markdown, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


def _listed(markdown: str) -> set[str]:
    """The file names in the first column of the folder's file table."""
    return set(re.findall(r"^\| `([^`]+)` \|", markdown.split("\n###")[0], flags=re.MULTILINE))


def test_every_file_the_writers_name_is_listed():
    named = {
        "run": [*RUN_FILES, *ENERGY_FILES],
        "compare": COMPARE_FILES,
        "plan": [f.split(" ")[0] for f in PLAN_FILES],
    }
    for kind, files in named.items():
        listed = _listed(docs_hooks.folder_markdown(kind))
        assert set(files) <= listed, (kind, set(files) - listed)


def test_every_marker_of_the_pages_is_generated():
    for page in ("outputs.md", "kpis.md"):
        text = (DOCS / page).read_text(encoding="utf-8")
        markers = docs_hooks.MARKER.findall(text)
        assert markers, page
        out = docs_hooks.on_page_markdown(text)
        assert "<!-- generated" not in out
    with pytest.raises(ValueError, match="unknown"):
        docs_hooks.generated("nonsense-files")


def test_column_meanings_come_from_the_code():
    sessions = dict(docs_hooks.columns_of(docs_hooks.RUN[6]))
    assert docs_hooks.RUN[6].name == "sessions.parquet"
    # the comment beside the column in SESSION_COLUMNS, and the page's own note for location
    assert sessions["wait_s"] == "start_s - arrive_s, >= 0"
    assert "en_route" in sessions["location"] and "overnight" in sessions["location"]
    assert list(sessions)[-1] == "location"


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    """The default scenario, run and written as `emob-sim run` writes it."""
    result = emob_sim.run(emob_sim.load_scenario())
    return emob_sim.write_run(result, tmp_path_factory.mktemp("docs") / "run")


def test_a_real_run_folder_has_only_documented_files_and_columns(run_folder):
    markdown = docs_hooks.folder_markdown("run")
    listed, sections = _listed(markdown), _sections(markdown)
    files = sorted(p.name for p in run_folder.iterdir())
    assert set(files) <= listed, set(files) - listed
    checked = 0
    for name in files:
        path = run_folder / name
        if name.endswith(".parquet"):
            columns = list(pd.read_parquet(path).columns)
        elif name.endswith(".geojson"):
            features = json.loads(path.read_text(encoding="utf-8"))["features"]
            columns = sorted({k for f in features for k in f["properties"]})
        elif name.endswith(".json"):
            columns = list(json.loads(path.read_text(encoding="utf-8")))
        else:
            continue
        documented = re.findall(r"^\| `([^`]+)` \|", sections[name], flags=re.MULTILINE)
        missing = [c for c in columns if c not in documented]
        assert not missing, f"{name}: columns not on the outputs page: {missing}"
        checked += 1
    assert checked >= 10


def test_every_kpi_has_a_label_and_a_definition():
    table = docs_hooks.kpi_markdown()
    rows = re.findall(r"^\| `([^`]+)` \| [^|]* \| ([^|]*) \| ([^|]*) \|$", table, re.MULTILINE)
    defined = {}
    for key, label, definition in rows:
        assert label.strip(), key
        defined.setdefault(key, []).append(definition.strip())
    for key in (*KPI_KEYS, *EBIKE_KPI_KEYS, *ENERGY_KPI_KEYS):
        assert key in defined, key
    # the car and energy KPIs each have a definition (e-bike KPIs: their label, or a note)
    for key in (*KPI_KEYS, *ENERGY_KPI_KEYS):
        assert any(defined[key]), f"{key}: no definition (scripts/docs_hooks.KPI_DEFINITIONS)"


def _nav_pages(nav: list) -> list[str]:
    out = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        out += _nav_pages(value) if isinstance(value, list) else [value]
    return out


def test_every_public_package_has_an_api_page_in_the_nav():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = set(_nav_pages(config["nav"]))
    packages = sorted(
        p.stem if p.suffix == ".py" else p.name
        for p in (ROOT / "emob_sim").iterdir()
        if (p.suffix == ".py" or (p / "__init__.py").is_file())
        and p.name != "__init__.py"
        and (p.stem if p.suffix == ".py" else p.name) not in NOT_API
    )
    for name in packages:
        if not getattr(importlib.import_module(f"emob_sim.{name}"), "__all__", None):
            continue
        page = DOCS / "api" / f"{name}.md"
        assert page.is_file(), f"emob_sim.{name} has no API page ({page})"
        assert f"::: emob_sim.{name}\n" in page.read_text(encoding="utf-8")
        assert f"api/{name}.md" in nav, f"api/{name}.md is not in mkdocs.yml's nav"
    # and every page of the site is reachable
    pages = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert pages <= nav, pages - nav


def test_the_lazily_imported_names_of_the_api_are_documented_where_they_live():
    page = (DOCS / "api" / "emob_sim.md").read_text(encoding="utf-8")
    assert "::: emob_sim\n" in page
    for name, module in emob_sim._LAZY.items():
        # a link that the strict build resolves (to the function where its module hides it)
        links = (f"][{module}.{name}] |", f"][{module}.{name}.{name}] |")
        assert any(link in page for link in links), name
        assert name in emob_sim.__all__


def test_public_functions_named_like_their_module_are_documented_explicitly():
    """Griffe sees ``emob_sim.batch.sweep`` as the module, not the function it re-exports."""
    found = []
    for page in sorted((DOCS / "api").glob("*.md")):
        if page.stem in ("index", "emob_sim"):
            continue
        package = importlib.import_module(f"emob_sim.{page.stem}")
        folder = Path(package.__file__).parent
        hidden = [n for n in package.__all__ if (folder / f"{n}.py").is_file()]
        text = page.read_text(encoding="utf-8")
        for n in hidden:
            assert f"::: emob_sim.{page.stem}.{n}.{n}\n" in text, (page.stem, n)
        found += hidden
    assert found  # the check means something (runner.place, batch.sweep, placement.propose)
