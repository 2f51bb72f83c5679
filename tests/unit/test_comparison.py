"""The activation-function comparison: real (tiny) variants, really evaluated, then tabulated."""

from __future__ import annotations

import json

import pytest

from gan_core.checkpoints import describe_checkpoints
from gan_core.comparison import activation_comparison
from gan_explorer.cli import main
from tests.conftest import copy_classifier, make_checkpoint


def _evaluate(root, model_id):
    args = [
        "--checkpoints",
        str(root),
        "evaluate",
        model_id,
        "--samples",
        "300",
        "--strong-epochs",
        "1",
    ]
    assert main(args) == 0
    return json.loads((root / model_id / "metrics.json").read_text())


@pytest.fixture(scope="module")
def variant_root(tmp_path_factory):
    """gan-3d (LeakyReLU) and its relu/elu variants, a 2D model and a CGAN, all evaluated."""
    root = tmp_path_factory.mktemp("variants")
    for model_id, activation in (
        ("gan-3d", "leaky_relu"),
        ("gan-3d-relu", "relu"),
        ("gan-3d-elu", "elu"),
    ):
        make_checkpoint(root, model_id, 3, False, seed=5, activation=activation)
    make_checkpoint(root, "gan-2d", 2, False, seed=5)
    make_checkpoint(root, "cgan-3d", 3, True, seed=5, activation="relu")
    make_checkpoint(root, "gan-3d-prelu", 3, False, seed=5, activation="prelu")  # never evaluated
    copy_classifier(root)
    metrics = {
        m: _evaluate(root, m) for m in ("gan-3d", "gan-3d-relu", "gan-3d-elu", "gan-2d", "cgan-3d")
    }
    return root, metrics


@pytest.mark.slow  # evaluates five models through the CLI
def test_table_has_one_row_per_evaluated_variant_best_first(variant_root):
    root, metrics = variant_root
    result = activation_comparison(describe_checkpoints(root))
    assert [r["model"] for r in result["rows"]] == sorted(
        ("gan-3d", "gan-3d-relu", "gan-3d-elu"),
        key=lambda m: (
            -metrics[m]["strong_classifier_error_percent"],
            metrics[m]["classifier_fid"],
        ),
    )
    for row in result["rows"]:
        m = metrics[row["model"]]
        assert row["strong_classifier_error_percent"] == m["strong_classifier_error_percent"]
        assert row["classifier_fid"] == m["classifier_fid"]
        assert row["classes_present"] == m["classes_present"]
    assert {r["activation"] for r in result["rows"]} == {"leaky_relu", "relu", "elu"}
    assert [r["best"] for r in result["rows"]] == [True, False, False]
    # The unevaluated PReLU model is reported missing; the 2D model and the CGAN take no part.
    assert result["missing"] == ["prelu"]
    assert result["same_budget"] and result["budget"].startswith("0 epochs, batch 256")


@pytest.mark.slow  # evaluates five models through the CLI
def test_a_different_budget_is_reported_not_hidden(variant_root, tmp_path):
    import shutil

    root, _ = variant_root
    copy = tmp_path / "ck"
    shutil.copytree(root, copy)
    cfg_path = copy / "gan-3d-elu" / "config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["batch_size"] = 64
    cfg_path.write_text(json.dumps(cfg))
    result = activation_comparison(describe_checkpoints(copy))
    assert not result["same_budget"]
    assert result["budget"] == ""
    assert any(
        i.startswith("batch_size differs") and "gan-3d-elu 64" in i for i in result["issues"]
    )


@pytest.mark.slow  # evaluates five models through the CLI
def test_unusable_and_uploaded_models_never_enter_the_table(variant_root, tmp_path):
    import shutil

    root, _ = variant_root
    copy = tmp_path / "ck"
    shutil.copytree(root, copy)
    (copy / "gan-3d-relu" / "generator.keras").write_bytes(b"not a zip")
    rows = describe_checkpoints(copy)
    rows.append({"id": "upload-abc", "latent_dim": 3, "conditional": False, "activation": "relu",
                 "metrics": {"strong_classifier_error_percent": 40.0}})  # fmt: skip
    result = activation_comparison(rows)
    assert sorted(r["model"] for r in result["rows"]) == ["gan-3d", "gan-3d-elu"]
    assert "relu" in result["missing"]


def test_no_variants_gives_an_empty_table():
    result = activation_comparison([])
    assert result["rows"] == [] and result["missing"] == ["relu", "leaky_relu", "prelu", "elu"]


def _row(model_id, activation, recipe, error):
    budget = {"batch_size": 64, "learning_rate": 1e-4, "mixed_precision": "mixed_bfloat16",
              "seed": 0, "recipe": recipe}  # fmt: skip
    metrics = {"strong_classifier_error_percent": error, "classifier_fid": 50.0,
               "epochs_trained": 6}  # fmt: skip
    return {"id": model_id, "latent_dim": 3, "conditional": False, "activation": activation,
            "epochs": 6, "metrics": metrics, "budget": budget}  # fmt: skip


def test_a_different_training_recipe_is_a_different_budget():
    from gan_core.recipe import Recipe

    recipe = Recipe().to_json()
    reordered = dict(reversed(list(recipe.items())))  # the same options in another order
    same = activation_comparison(
        [_row("gan-3d-relu", "relu", recipe, 1.0), _row("gan-3d-elu", "elu", reordered, 2.0)]
    )
    assert same["same_budget"] and same["budget"].endswith("seed 0, the training recipe")

    plain = activation_comparison(
        [_row("gan-3d-relu", "relu", recipe, 1.0), _row("gan-3d-elu", "elu", {}, 2.0)]
    )
    assert plain["issues"] == ["recipe differs: gan-3d-relu training recipe, gan-3d-elu plain loop"]
    changed = Recipe(d_input_gain=15.0).to_json()
    other = activation_comparison(
        [_row("gan-3d-relu", "relu", recipe, 1.0), _row("gan-3d-elu", "elu", changed, 2.0)]
    )
    assert other["issues"] == ["recipe d_input_gain differs: gan-3d-relu 1000.0, gan-3d-elu 15.0"]
    # Of two LeakyReLU models the one trained like the others is compared.
    older = {k: v for k, v in recipe.items() if k not in ("ema_follows_lr",)}
    # recorded before an option existed, trained as its off value: the same budget
    before = activation_comparison(
        [_row("gan-3d-relu", "relu", recipe, 1.0), _row("gan-3d-elu", "elu", older, 2.0)]
    )
    assert before["same_budget"] and before["issues"] == []
    newer = {**recipe, "ema_follows_lr": 0.5}
    after = activation_comparison(
        [_row("gan-3d-relu", "relu", older, 1.0), _row("gan-3d-elu", "elu", newer, 2.0)]
    )
    assert after["issues"] == ["recipe ema_follows_lr differs: gan-3d-relu 0.0, gan-3d-elu 0.5"]
    rows = [_row("gan-3d-relu", "relu", recipe, 1.0), _row("gan-3d-elu", "elu", recipe, 2.0),
            _row("gan-3d", "leaky_relu", {}, 3.0),
            _row("gan-3d-leaky", "leaky_relu", recipe, 0.5)]  # fmt: skip
    chosen = activation_comparison(rows)
    assert "gan-3d-leaky" in [r["model"] for r in chosen["rows"]] and chosen["same_budget"]
