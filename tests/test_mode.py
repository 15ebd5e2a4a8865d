import importlib
import random
import re
import sys
import tomllib   # Python 3.11+, as pyproject's requires-python says
from pathlib import Path

import numpy as np
import torch

import gankit


def test_steps_follow_gankit_quick(monkeypatch):
    def steps_with(value):
        monkeypatch.setenv("GANKIT_QUICK", value)
        return importlib.reload(gankit.mode).steps(lecture=1000, quick=7)

    try:
        assert steps_with("1") == 7 and steps_with("0") == 1000 and steps_with("") == 1000
    finally:
        monkeypatch.undo()
        importlib.reload(gankit.mode)


def test_device_is_available_and_computes_what_numpy_computes():
    """The device the kit picks is one torch reports available here, and a matrix product on it is NumPy's."""
    d = gankit.device()
    available = {"cuda": torch.cuda.is_available, "mps": torch.backends.mps.is_available, "cpu": lambda: True}
    assert available[d.type]()
    a, b = np.random.default_rng(0).normal(size=(2, 6, 6))
    on_device = torch.tensor(a, dtype=torch.float32, device=d) @ torch.tensor(b, dtype=torch.float32, device=d)
    assert np.allclose(on_device.cpu().numpy(), a @ b, atol=1e-5)


def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    """With the availability of each backend patched: CUDA first, then Apple's MPS, then the CPU."""
    def device_with(cuda, mps):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
        return gankit.mode.device().type

    assert [device_with(True, True), device_with(True, False), device_with(False, True), device_with(False, False)] \
        == ["cuda", "cuda", "mps", "cpu"]


def test_seed_repeats_a_run_of_python_numpy_and_torch():
    def draws():
        return random.random(), np.random.rand(), torch.randn(3).tolist()

    gankit.seed(5)
    a = draws()
    gankit.seed(5)
    assert a == draws() and draws() != a


ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_the_supported_pythons_are_one_statement():
    """pyproject's requires-python (">=3.X") says which Pythons the kit supports; environment.yml and the workflows
    in docs/ install its lowest, README names it, and the Python running the tests is one of them."""
    floor = re.fullmatch(r">=\s*(3\.\d+)", PROJECT["requires-python"]).group(1)
    assert sys.version_info[:2] >= tuple(map(int, floor.split(".")))
    assert re.findall(r"^\s+- python=(\S+)\s*$", (ROOT / "environment.yml").read_text(), re.M) == [floor]
    workflows = {p.name: re.findall(r'python-version:\s*"?([\d.]+)', p.read_text())
                 for p in (ROOT / "docs").glob("*.yml")}
    assert all(found == [floor] for found in workflows.values() if found), workflows
    assert f"Python {floor} or later" in (ROOT / "README.md").read_text()


def test_environment_yml_installs_the_kit_and_what_pyproject_declares():
    extras = PROJECT["optional-dependencies"]
    wanted = {re.split(r"[<>=\\[ ]", d)[0].lower() for d in PROJECT["dependencies"] + extras["lab"] + extras["test"]
              + extras["instructor"]}
    env = (ROOT / "environment.yml").read_text()
    pip_section = env.split("- pip:")[1]
    listed = {m.lower() for m in re.findall(r"^\s+- ([A-Za-z][\w-]*)\s*$", pip_section, re.M)}
    assert listed == wanted
    assert re.search(r"^\s+- -e \.\s*$", pip_section, re.M), "environment.yml must install the kit itself (- -e .)"
