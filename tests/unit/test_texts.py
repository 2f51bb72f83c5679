"""The short texts the pages show."""

import numpy as np


def test_metric_text_formats_what_a_table_shows():
    from dashboard.texts import metric_text

    m = {
        "strong_classifier_error_percent": 0.15,
        "strong_classifier_heldout_images": 4000,
        "classifier_fid": 86.0296,
        "classes_present": 10,
        "label_fidelity_percent": 67.31,
    }
    assert metric_text(m, "strong_classifier_error_percent") == "0.15% (6 of 4,000)"
    assert metric_text(m, "classifier_fid") == "86.0"
    assert metric_text(m, "classes_present") == "10"
    assert metric_text(m, "label_fidelity_percent") == "67.31%"
    # Older metrics without the held-out count, missing or malformed values.
    assert (
        metric_text({"strong_classifier_error_percent": 0.0}, "strong_classifier_error_percent")
        == "0%"
    )
    assert metric_text(m, "min_class_share_percent") == "–"
    # The mean of several classifiers shows their range instead of one held-out count.
    several = {**m, "strong_classifier_error_percent": 0.767}
    several["strong_classifier_error_by_seed_percent"] = [1.15, 0.425, 0.725]
    assert (
        metric_text(several, "strong_classifier_error_percent") == "0.767% (mean of 3: 0.425–1.15%)"
    )
    several["strong_classifier_error_by_seed_percent"] = [1.15, "x"]
    assert metric_text(several, "strong_classifier_error_percent") == "0.767% (31 of 4,000)"
    assert metric_text(None, "classifier_fid") == "–"
    assert metric_text({"classifier_fid": "86"}, "classifier_fid") == "–"
    assert metric_text({"classes_present": True}, "classes_present") == "–"


def test_epochs_text_says_when_metrics_are_older_than_the_model():
    from dashboard.texts import epochs_text

    assert epochs_text(12, {"epochs_trained": 12}) == "12"
    assert epochs_text(13, {"epochs_trained": 12}) == "13 (metrics from epoch 12)"
    assert epochs_text(13, {}) == "13"
    assert epochs_text(13, None) == "13"


def test_convergence_text_names_the_last_map_change_and_the_faint_haze():

    from dashboard.texts import convergence_text

    metrics = {"faint_pixel_percent": 6.8, "real_faint_pixel_percent": 0.752}
    text = convergence_text(np.array([np.nan, 0.6, 0.084]), metrics)
    assert text == (
        "Class map changed 8.4% in the last epoch; faint pixels (grey 1-10 of 255) 6.8% of "
        "pixels, real MNIST 0.75%."
    )
    assert convergence_text(np.array([np.nan]), {}) == ""  # one epoch: nothing to compare
    assert convergence_text(None, metrics).startswith("Faint pixels")
