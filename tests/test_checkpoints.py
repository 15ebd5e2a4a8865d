import pytest
import torch

from gankit import checkpoints, nets


def test_save_and_load_round_trip(tmp_path):
    G, D = nets.make("dcgan")
    grids = torch.randint(0, 256, (2, 64, 1, 28, 28), dtype=torch.uint8)    # a sample grid per epoch, stored packed
    p = checkpoints.save(tmp_path / "x.pt", {"seed": 3, "steps": 10, "grids": grids}, G=G, D=D)
    ck = checkpoints.load(p, device="cpu")
    assert ck.meta["seed"] == 3 and ck.meta["kit_version"] and torch.equal(ck.meta["grids"], grids)
    z = G.noise(4, seed=0)
    G.eval()
    assert torch.allclose(ck.G(z), G(z))
    assert not ck.G.training


@pytest.mark.parametrize("layers", [2, 3])
def test_dcgan_of_either_depth_round_trips_with_its_shapes(tmp_path, layers):
    G, D = nets.make("dcgan", G=dict(c=8, layers=layers), D=dict(c=8, layers=layers))
    ck = checkpoints.load(checkpoints.save(tmp_path / "x.pt", {}, G=G, D=D), device="cpu")
    x = ck.G(G.noise(3, seed=0))
    assert x.shape == (3, 1, 28, 28) and ck.D(x).shape == (3,)
    convs = [m for m in ck.D.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == layers and ck.G.kwargs.get("layers", 2) == layers


@pytest.mark.parametrize("n", [-1, 0, 2.5])
def test_a_sample_count_that_is_not_a_positive_integer_is_refused(n):
    for G in (nets.DCGenerator(c=8), nets.MLPGenerator(), nets.ToyGenerator()):
        with pytest.raises(ValueError, match=f"number of samples n must be a positive integer, got {n}"):
            G.sample(n)


def test_dcgan_depth_is_checked():
    with pytest.raises(ValueError, match="layers must be 2 or 3"):
        nets.DCGenerator(layers=4)


def test_missing_checkpoint_says_how_to_make_it():
    with pytest.raises(checkpoints.CheckpointError, match="python -m gankit.train no_such_net"):
        checkpoints.load("no_such_net")


def test_corrupt_checkpoint_is_a_clear_error(tmp_path):
    p = tmp_path / "broken.pt"
    p.write_bytes(b"not a checkpoint")
    with pytest.raises(checkpoints.CheckpointError, match="could not be read"):
        checkpoints.load(p)


@pytest.mark.shipped
@pytest.mark.parametrize("name", checkpoints.available())
def test_shipped_checkpoints_load_and_are_small(name):
    ck = checkpoints.load(name, device="cpu")
    assert checkpoints.path_of(name).stat().st_size < 8e6  # a few MB: weights, sample grids and loss curves
    assert ck.meta["command"].startswith("python -m gankit.train") and "seed" in ck.meta
    assert "/" not in ck.meta["command"], "the command names no file or folder of the machine that ran it"


def test_loading_builds_only_the_kits_networks(tmp_path):
    """A file that names another class (here torch's own Module, or a kit function) is refused, not built."""
    G, _ = nets.make("toy")
    for name in ("Module", "batched"):
        p = checkpoints.save(tmp_path / f"{name}.pt", {}, G=G)
        blob = torch.load(p, weights_only=True)
        blob["modules"]["G"] = (name, {})
        torch.save(blob, p)
        with pytest.raises(checkpoints.CheckpointError, match="not one of the kit's networks"):
            checkpoints.load(p)


@pytest.mark.shipped
def test_all_shipped_checkpoints_together_stay_small():
    """The Colab install clones them: at most 40 MB together."""
    assert sum(f.stat().st_size for f in checkpoints.FOLDER.glob("*.pt")) <= 40e6


def test_every_shipped_file_is_in_the_package_data():
    """A pip install (Colab's set-up cell) copies only what pyproject's package-data names: every checkpoint, stored
    result and reweighting network must match one of its patterns."""
    import tomllib
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["gankit"]
    package = root / "gankit"
    shipped = {p for pat in patterns for p in package.glob(pat)}          # setuptools globs: * stays in one folder
    files = {p for p in (package / "checkpoints").rglob("*") if p.is_file()}
    assert files and not files - shipped, f"not in pyproject's package-data: {sorted(map(str, files - shipped))}"


def test_a_stored_evaluation_reads_back_as_written(tmp_path):
    blob = {"command": "python -m gankit.example", "seconds": 12, "scores": {"a": [1.5, 2.0]}}
    line = checkpoints.write_stored(tmp_path / "example.json", blob)
    assert line == "stored example.json (12 s)"
    assert checkpoints.read_stored(tmp_path / "example.json", "example", blob["command"]) == blob
    assert (tmp_path / "example.json").read_text().endswith("}\n")
    with pytest.raises(FileNotFoundError, match="python -m gankit.example"):
        checkpoints.read_stored(tmp_path / "missing.json", "example", blob["command"])
