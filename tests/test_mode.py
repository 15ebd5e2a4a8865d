import importlib
import os

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


def test_device_is_usable():
    assert torch.zeros(2, device=gankit.device()).sum().item() == 0


def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    """With the availability of each backend patched: CUDA first, then Apple's MPS, then the CPU."""
    def device_with(cuda, mps):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
        return gankit.mode.device().type

    assert [device_with(True, True), device_with(True, False), device_with(False, True), device_with(False, False)] \
        == ["cuda", "cuda", "mps", "cpu"]


def test_seed_repeats_a_run():
    gankit.seed(5)
    a = torch.randn(3)
    gankit.seed(5)
    assert torch.equal(a, torch.randn(3))


def test_environment_yml_installs_the_kit_and_what_pyproject_declares():
    import re
    import tomllib

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    project = tomllib.load(open(os.path.join(root, "pyproject.toml"), "rb"))["project"]
    extras = project["optional-dependencies"]
    wanted = {re.split(r"[<>=\\[ ]", d)[0].lower() for d in project["dependencies"] + extras["lab"] + extras["test"]}
    env = open(os.path.join(root, "environment.yml")).read()
    pip_section = env.split("- pip:")[1]
    listed = {m.lower() for m in re.findall(r"^\s+- ([A-Za-z][\w-]*)\s*$", pip_section, re.M)}
    assert listed == wanted
    assert re.search(r"^\s+- -e \.\s*$", pip_section, re.M), "environment.yml must install the kit itself (- -e .)"
