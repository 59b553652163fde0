"""The synthetic Thai people of `bench/linkage_data.py` (true matches known), loaded once for
the linkage tests: `from ppaos.targeting.tests.synthetic import data`."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _load_linkage_data():
    spec = importlib.util.spec_from_file_location("linkage_data", ROOT / "bench/linkage_data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("linkage_data", module)
    spec.loader.exec_module(module)
    return module


data = _load_linkage_data()
