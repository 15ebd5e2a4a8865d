"""The precision-recall chart of notebook 07 (gankit.tradeoff): every point stored on the closing comparison's terms,
the three stored files agreeing on the baseline, each knob's sampler giving what was scored, the table's verdicts,
the chart and the slider, the caption in words, and a w trained in the notebook rescored, not the stored one shown."""
import copy
import json

import matplotlib
import pytest
import torch

from gankit import drs_mnist, results, reweight_mnist, spread, tradeoff

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def S():
    return tradeoff.stored()


def test_every_point_of_every_curve_is_stored_at_one_n_on_the_same_seeds(S):
    assert S["n"] == results.N and tuple(S["seeds"]) == spread.SEEDS
    for label in results.MODELS:
        by = S["scores"][label]
        for points in tradeoff.CURVES.values():
            for p in ["baseline"] + points:
                assert by[p]["fid"].n == S["n"] and by[p]["recall"].seeds == tuple(S["seeds"]), (label, p)
        assert all(by[p]["acceptance"] is not None for p in tradeoff.CURVES["DRS"])
        assert all(0 < by[p]["acceptance"] <= 1 for p in tradeoff.CURVES[tradeoff.REWEIGHTING])


def test_a_higher_drs_percentile_accepts_fewer_samples(S):
    for label in results.MODELS:
        rates = [S["scores"][label][p]["acceptance"] for p in tradeoff.CURVES["DRS"]]
        assert rates == sorted(rates, reverse=True), (label, rates)


def test_files_scored_on_other_terms_are_refused():
    blobs = [json.loads(p.read_text()) for p in (results.CLOSING, reweight_mnist.SWEEP, tradeoff.TRADEOFF)]
    assert tradeoff.stored(blobs=blobs)["scores"].keys() == set(results.MODELS)
    other_n = copy.deepcopy(blobs)
    other_n[2]["n"] = 1000
    with pytest.raises(ValueError, match="closing comparison's terms"):
        tradeoff.stored(blobs=other_n)
    other_baseline = copy.deepcopy(blobs)
    other_baseline[1]["scores"]["WGAN-GP"]["baseline"]["fid"][0] += 0.1
    with pytest.raises(ValueError, match="rerun it"):
        tradeoff.stored(blobs=other_baseline)


def test_the_summary_names_every_point_that_raised_precision_beyond_the_noise_by_more_than_small(S):
    lines = tradeoff.summary(S, "WGAN-GP").splitlines()
    moves = tradeoff.moves(S, "WGAN-GP")
    for line, (method, points) in zip(lines, tradeoff.CURVES.items()):
        up = [p.rsplit(" ", 1)[1] for p in points if moves[p][0].beyond and moves[p][0].diff > tradeoff.SMALL]
        assert line.startswith(method + ":") and (f"at {', '.join(up)}:" in line if up else "at no point" in line)


def test_the_table_gives_the_recall_cost_only_where_both_moved_beyond_the_noise_and_precision_by_more_than_small(S):
    rows, moves = tradeoff.rows(S, "GAN (R1)"), tradeoff.moves(S, "GAN (R1)")
    points = [p for ps in tradeoff.CURVES.values() for p in ps]
    assert [r[1] for r in rows] == [p.rsplit(" ", 1)[1] for p in points]
    for r, p in zip(rows, points):
        dp, dr = moves[p]
        assert (r[6] is None) == (not (dp.beyond and dr.beyond and dp.diff > tradeoff.SMALL)), p
        assert r[4].endswith("(noise)") == (not dp.beyond) and r[5].endswith("(noise)") == (not dr.beyond), p
        if r[6] is not None:
            assert r[6] == pytest.approx(-dr.diff / dp.diff)
    assert len(tradeoff.table(S, "GAN (R1)").splitlines()) == 3 + len(points)   # header, rule, rows, the timing


def test_every_point_s_seconds_come_from_one_timing_run(S):
    """The shipped chart reads every point's seconds from one run of ``--time`` (comparable across rows); the three
    scoring runs' own seconds, on differently loaded machines, are what ``stored(blobs=...)`` keeps, each marked."""
    timings = json.loads(tradeoff.TIMINGS.read_text())
    per = timings["seconds_per_1000"]
    for label, by in S["scores"].items():
        assert set(by) <= set(per[label]), label
        assert all(by[p]["seconds"] == per[label][p] for p in by), label
    assert "timed_by" not in S and S["timing"].startswith(f"{tradeoff.COMMAND} --time on {timings['machine']}")
    assert tradeoff.table(S, "GAN (R1)").splitlines()[-1] == f"seconds per 1,000 samples: {S['timing']}"
    assert tradeoff.closing_table(S).splitlines()[-1] == f"seconds per 1,000 samples: {S['timing']}"
    cheap = [per["GAN (R1)"][p] for p in per["GAN (R1)"] if p.startswith(("truncation", "kit's"))]
    assert max(cheap) < min(per["GAN (R1)"][p] for p in per["GAN (R1)"] if p.startswith("DRS"))


def test_seconds_of_three_scoring_runs_name_the_run_that_timed_them():
    blobs = [json.loads(p.read_text()) for p in (results.CLOSING, reweight_mnist.SWEEP, tradeoff.TRADEOFF)]
    S3 = tradeoff.stored(blobs=blobs)
    seconds = {r[1]: r[-1] for r in tradeoff.rows(S3, "GAN (R1)") if r[0] in ("DRS", "truncation")}
    assert seconds["q=95"].endswith("(a)") and seconds["q=50"].endswith("(c)") and seconds["t=1"].endswith("(b)")
    last = tradeoff.table(S3, "GAN (R1)").splitlines()[-2:]
    assert last[0].startswith("seconds timed by run a: ")
    assert last[1] == "the plain generator's seconds in each run: " + ", ".join(
        f"{r} {v:.2f}" for r, v in S3["plain_seconds"]["GAN (R1)"].items())


def test_the_closing_table_has_each_method_at_its_one_setting(S):
    text = tradeoff.closing_table(S)
    for label in results.MODELS:
        for m in ("baseline",) + tuple(tradeoff.DEFAULT.values()):
            assert any(line.startswith(label) and f" {m} " in f"{line} " for line in text.splitlines()), (label, m)
    assert "truncation" not in text


def test_the_kit_s_reweighting_is_labelled_as_the_kit_s_wherever_it_is_shown(S):
    """The kit's construction, not Issenhuth et al.'s algorithm: legend, tables, summary and closing rows say so."""
    assert tradeoff.REWEIGHTING == "kit's reweighting"
    legend = tradeoff.chart(S, "GAN (R1)").get_legend_handles_labels()[1]
    assert "kit's reweighting (cap m')" in legend and not any(t.startswith("latent reweighting") for t in legend)
    for text in (tradeoff.table(S, "GAN (R1)"), tradeoff.summary(S, "GAN (R1)"), tradeoff.closing_table(S)):
        assert "kit's reweighting" in text and "latent reweighting" not in text
    assert "kit's reweighting m'=2" in tradeoff.closing_table(S)


def test_a_zoom_writes_only_each_curve_s_last_knob_value(S):
    ax = tradeoff.chart(S, "GAN (R1)", zoom=1.0)      # wide enough to hold every point
    written = sorted(t.get_text() for t in ax.texts)
    assert written == sorted(ps[-1].rsplit(" ", 1)[1] for ps in tradeoff.CURVES.values())
    full = tradeoff.chart(S, "GAN (R1)")              # no knob value beside the star, every other one written
    by = S["scores"]["GAN (R1)"]
    star = (by["baseline"]["recall"].mean, by["baseline"]["precision"].mean)
    far = [p for ps in tradeoff.CURVES.values() for p in ps
           if max(abs(by[p]["recall"].mean - star[0]), abs(by[p]["precision"].mean - star[1])) >= tradeoff.CROWDED]
    assert 0 < len(full.texts) == len(far) < sum(map(len, tradeoff.CURVES.values()))
    assert not full.containers                          # no error bars: the verdicts judge the noise


def test_chart_draws_one_curve_per_method_and_rings_a_point(S):
    ax = tradeoff.chart(S, "WGAN-GP", highlight="DRS q=95")
    labels = ax.get_legend_handles_labels()[1]
    assert len(labels) == len(tradeoff.CURVES) + 1 and "plain generator" in labels
    assert ax.get_xlabel().startswith("recall") and ax.get_ylabel().startswith("precision")


@pytest.fixture(scope="module")
def samplers():
    ck, W = drs_mnist.load("dcgan_adam"), reweight_mnist.load("dcgan_adam")
    return tradeoff.every_sampler(ck, W, drs_mnist.split_test()[0][:500])


def test_every_point_has_its_sampler_and_each_gives_n_images(samplers):
    assert set(samplers) == {"baseline"} | {p for ps in tradeoff.CURVES.values() for p in ps}
    for p in ("truncation t=1", "kit's reweighting m'=2", "DRS q=50", "DOT latent k=3"):
        x = samplers[p](8, 0)
        x = x[0] if isinstance(x, tuple) else x
        assert x.shape == (8, 1, 28, 28) and torch.isfinite(x).all(), p
    moved, plain = samplers["DOT target k=3"](4, 1)[0], samplers["baseline"](4, 1)
    assert moved.shape == plain.shape and not torch.equal(moved, plain), "DOT moves the plain samples of the seed"


def test_the_slider_redraws_each_method_at_each_knob_step(S, samplers, monkeypatch):
    monkeypatch.setattr("matplotlib.pyplot.show", lambda: None)
    w = tradeoff.explorer(S, "GAN (R1)", samplers, n=4)
    method, step = w.children[:2]
    assert step.max == len(tradeoff.CURVES[method.value])
    method.value = "DOT target"
    assert step.max == len(tradeoff.CURVES["DOT target"])
    step.value = step.max      # the point is made and drawn without error
    method.value = "truncation"
    step.value = 1


def test_the_caption_writes_the_settings_out_without_a_dict(S):
    text = tradeoff.caption(S)
    assert "{" not in text and "': " not in text and "minutes (wall time, summed)" in text
    assert "DRS: burn in" in text and "DOT latent: steps" in text and "w of the kit's reweighting" not in text


def test_weights_trained_here_are_rescored_and_the_shipped_ones_are_not(monkeypatch):
    shipped = {label: reweight_mnist.load(name) for label, name in results.MODELS.items()}
    stored_sweep, calls = json.loads(reweight_mnist.SWEEP.read_text()), []

    def fake_sweep(weights=None, **kw):
        calls.append(weights)
        return {**stored_sweep, "weights": "trained here, not the shipped files"}

    monkeypatch.setattr(reweight_mnist, "sweep", fake_sweep)
    assert tradeoff.stored(weights=shipped)["weights"] == "the shipped files"
    assert not calls, "the shipped w: the stored sweep is read, nothing rescored"
    other = dict(shipped, **{"WGAN-GP": copy.deepcopy(shipped["WGAN-GP"])})
    with torch.no_grad():
        next(other["WGAN-GP"].parameters()).add_(0.5)
    S2 = tradeoff.stored(weights=other)
    assert calls == [other] and "w of the kit's reweighting: trained here" in tradeoff.caption(S2)
