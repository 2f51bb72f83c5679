"""The home page's tables."""


def test_home_models_table_flags_stale_metrics_and_rounds_fid():
    from dashboard.components.tables import models_table

    described = [
        {"id": "fresh", "dataset": "MNIST", "latent_dim": 2, "conditional": False, "activation": "leaky_relu", "epochs": 12,
         "metrics": {"epochs_trained": 12, "classifier_fid": 195.7896, "strong_classifier_error_percent": 0.025,
                     "strong_classifier_heldout_images": 4000, "classes_present": 9,
                     "faint_pixel_percent": 1.234, "map_change_last_epoch_percent": 7.5}},
        {"id": "stale", "latent_dim": 3, "conditional": True, "activation": "relu", "epochs": 20,
         "prior": "uniform[-1,1]",
         "metrics": {"epochs_trained": 12, "label_fidelity_percent": 67.31}},
        {"id": "broken", "error": "generator.keras is truncated"},
        {"id": "wide", "dataset": "Fashion-MNIST", "latent_dim": 100, "prior": "normal(0,1)", "conditional": False,
         "activation": "leaky_relu", "epochs": 9, "metrics": {}},
        {"id": "own", "dataset": "own classifier (3 classes)", "latent_dim": 2,
         "conditional": False, "activation": "leaky_relu", "epochs": 0, "metrics": {}},
        {"id": "classifier", "kind": "digit classifier", "metrics": {}},
    ]  # fmt: skip

    def cells(component):
        if isinstance(component, (str, int, float)):
            return [str(component)]
        children = getattr(component, "children", None)
        if children is None:
            return []
        if not isinstance(children, (list, tuple)):
            children = [children]
        out = []
        for child in children:
            out.extend(cells(child))
        return out

    body = models_table(described).children[1].children
    fresh, stale, broken, wide, own = (cells(row) for row in body)
    assert fresh == [
        "fresh",
        "MNIST",
        "2",
        "no",
        "LeakyReLU",
        "12",
        "0.025% (1 of 4,000)",
        "195.8",
        "9",
        "–",
        "1.23%",
        "7.5%",
    ]
    assert stale[5] == "20 (metrics from epoch 12)" and stale[-3] == "67.31%"
    assert stale[6] == "–" and stale[4] == "ReLU"
    assert broken == ["broken", "unusable: generator.keras is truncated"]
    assert stale[2] == "3" and wide[2] == "100 (normal(0,1))"  # the prior, unless the box
    # The dataset column: what the model was trained on, or its own classifier.
    assert stale[1] == "–" and wide[1] == "Fashion-MNIST"
    assert own[:2] == ["own", "own classifier (3 classes)"]
    head = [th.children for th in models_table(described).children[0].children.children]
    assert head[:3] == ["model", "dataset", "latent"]
