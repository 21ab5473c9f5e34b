"""The rules of docs/architecture.md, checked: the import arrows (import-linter, .importlinter),
the type hints (mypy, .mypy.ini; strict for the Kuaishou client), and benches that use no tests."""

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(tool: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kslive_site.settings", "KSLIVE_ENV_FILE": ""}
    return subprocess.run([str(BIN / tool)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_imports_follow_the_arrows():
    result = run("lint-imports")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_type_check_passes():
    result = run("mypy")

    assert result.returncode == 0, result.stdout + result.stderr


def test_benches_import_no_tests():
    offenders = []
    for script in sorted((REPO / "bench").glob("*.py")):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            offenders += [f"{script.name}: {name}" for name in names if name == "tests" or name.startswith("tests.")]

    assert offenders == []


def test_make_test_collects_the_tests_of_every_part():
    import configparser

    testpaths = configparser.ConfigParser()
    testpaths.read(REPO / "pytest.ini")
    collected = set(testpaths["pytest"]["testpaths"].split())
    parts_with_tests = {path.parent.parent.name for path in REPO.glob("*/tests/__init__.py")}

    assert parts_with_tests <= collected, f"not in pytest.ini's testpaths: {sorted(parts_with_tests - collected)}"
