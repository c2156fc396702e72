"""The import direction: app (resources, console, web) -> operations -> models -> plumbing.

Every module of `service/` belongs to one layer and imports only from its own layer or those
below it; `calendars/` imports nothing from `service/`. A new package or top-level module
fails here until it is given a layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Highest first. A module's layer is that of the longest prefix naming it ("service" itself,
# the package that builds the app, is matched exactly).
LAYERS: dict[str, tuple[str, ...]] = {
    "app": (
        "service",
        "service.cli",
        "service.resources",
        "service.console",
        "service.web",
        # app wiring that lives beside the dispatcher: the scheduler process, /metrics figures
        "service.notify.jobs",
        "service.notify.monitoring",
    ),
    "operations": (
        "service.access",
        "service.booking",
        "service.demo",
        "service.directory",
        "service.feeds",
        "service.interpreters",
        "service.notify",
        "service.privacy",
        "service.reporting",
        "service.series",
    ),
    "models": ("service.models",),
    "plumbing": ("service.plumbing",),
}
RANK = {layer: rank for rank, layer in enumerate(LAYERS)}


def layer_of(module: str) -> str | None:
    """The layer of a `service` module, or None when no layer names it."""
    best: tuple[int, str] | None = None
    for layer, prefixes in LAYERS.items():
        for prefix in prefixes:
            names = module == prefix or (prefix != "service" and module.startswith(prefix + "."))
            if names and (best is None or len(prefix) > best[0]):
                best = (len(prefix), layer)
    return best[1] if best else None


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(root: Path, dotted: str) -> bool:
    base = root.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imported_modules(root: Path, path: Path) -> set[str]:
    """Every module `path` imports, absolute; `from p import m` counts as p.m when m is one."""
    here = module_name(root, path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package[: len(package) - node.level + 1]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if is_module(root, candidate) else base)
    return found


def violations(root: Path) -> list[str]:
    """Each import against the direction, each `service` module without a layer."""
    problems = []
    for path in sorted((root / "service").rglob("*.py")):
        importer = module_name(root, path)
        own = layer_of(importer)
        if own is None:
            problems.append(f"{importer}: no layer; add its package to LAYERS in {__name__}")
            continue
        for imported in sorted(imported_modules(root, path)):
            if imported != "service" and not imported.startswith("service."):
                continue
            theirs = layer_of(imported)
            if theirs is not None and RANK[theirs] < RANK[own]:
                problems.append(f"{importer} ({own}) imports {imported} ({theirs})")
    for path in sorted((root / "calendars").rglob("*.py")):
        for imported in sorted(imported_modules(root, path)):
            if imported == "service" or imported.startswith("service."):
                problems.append(f"{module_name(root, path)} (calendars) imports {imported}")
    return problems


def test_imports_follow_the_layers() -> None:
    assert violations(ROOT) == []


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_checker_finds_imports_against_the_direction(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "service/__init__.py": "from service import resources\n",
            "service/resources/__init__.py": "from service.booking import bookings\n",
            "service/booking/__init__.py": "",
            "service/booking/bookings.py": "from service.models import Booking\n",
            "service/models/__init__.py": "from service.plumbing.db import Base\n",
            "service/plumbing/__init__.py": "",
            "service/plumbing/db.py": "import sqlalchemy\n",
            "calendars/__init__.py": "import datetime\n",
        },
    )
    assert violations(tmp_path) == []

    write(
        tmp_path,
        {
            "service/plumbing/clock.py": "from service.models import Booking\n",
            "service/booking/holds.py": "from ..resources import errors\n",
            "service/models/booking.py": "import service.booking.bookings\n",
            "service/stray.py": "",
            "calendars/ics.py": "from service.plumbing import db\n",
        },
    )
    assert violations(tmp_path) == [
        "service.booking.holds (operations) imports service.resources (app)",
        "service.models.booking (models) imports service.booking.bookings (operations)",
        "service.plumbing.clock (plumbing) imports service.models (models)",
        "service.stray: no layer; add its package to LAYERS in " + __name__,
        "calendars.ics (calendars) imports service.plumbing.db",
    ]
