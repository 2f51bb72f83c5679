"""Quality metrics: weak and strong independent classifiers, classifier-FID, class coverage.

- weak independent classifier (during training): a tiny model trained briefly to tell real
  from generated images; its held-out accuracy, near 0.5 is good.
- strong independent classifier (the study's final metric): a CNN trained to separate N real
  test images from N generated ones; its held-out error in percent, higher is better, 50 is
  perfect.
- classifier-FID: Frechet distance between the digit classifier's penultimate features of
  real test images and of generated images. Not Inception FID: only comparable within this
  project.
- class coverage: share of each digit among samples of the prior; for a CGAN, label
  fidelity: share of samples classified as the label they were conditioned on.
- faint pixels and stroke statistics: the haze next to strokes, and the strokes' ink,
  saturation and breaks, each beside real MNIST's.
"""

from __future__ import annotations

import time

import numpy as np

from gan_core.grids import generate_images
from gan_core.images import squeeze
from gan_core.priors import UNIFORM, Prior


def sample_prior(n: int, latent_dim: int, seed: int = 0, prior: Prior = UNIFORM) -> np.ndarray:
    """``n`` latent points from the training prior (default uniform on [-1, 1]^d)."""
    return prior.sample(n, latent_dim, seed)


def generate_samples(
    generator, n: int, latent_dim: int, conditional: bool, seed: int = 0, prior: Prior = UNIFORM
):
    """(images, labels or None) for ``n`` prior samples; CGAN labels cycle through 0..9."""
    z = sample_prior(n, latent_dim, seed, prior)
    labels = (np.arange(n) % 10).astype(np.int32) if conditional else None
    return generate_images(generator, z, labels), labels


def _real_vs_fake_split(real, fake, seed: int, holdout: float):
    rng = np.random.default_rng(seed)
    x = np.concatenate([real, fake]).astype(np.float32)
    y = np.concatenate([np.ones(len(real)), np.zeros(len(fake))]).astype(np.float32)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - holdout))
    return x[:cut], y[:cut], x[cut:], y[cut:]


def weak_classifier_accuracy(
    real_pool: np.ndarray,
    generator,
    latent_dim: int,
    conditional: bool,
    n: int = 2000,
    epochs: int = 2,
    seed: int = 0,
    prior: Prior = UNIFORM,
) -> float:
    """Held-out accuracy of a tiny CNN trained briefly on n real vs n generated images."""
    import keras
    from keras import layers

    rng = np.random.default_rng(seed)
    real = real_pool[rng.choice(len(real_pool), min(n, len(real_pool)), replace=False)]
    fake, _ = generate_samples(
        generator, len(real), latent_dim, conditional, seed=seed + 1, prior=prior
    )
    x_tr, y_tr, x_te, y_te = _real_vs_fake_split(real, fake, seed, holdout=0.25)
    model = keras.Sequential(
        [
            keras.Input(tuple(real.shape[1:])),
            layers.Conv2D(8, 5, strides=2, activation="relu"),
            layers.Flatten(),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(keras.optimizers.Adam(1e-3), "binary_crossentropy", metrics=["accuracy"])
    model.fit(x_tr, y_tr, batch_size=128, epochs=epochs, verbose=0)
    return float(model.evaluate(x_te, y_te, verbose=0, batch_size=512)[1])


def build_strong_classifier(image_shape=(28, 28, 1)):
    """The study's real-vs-fake CNN for images of ``image_shape`` (H, W, C)."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(tuple(int(v) for v in image_shape)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.3),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="strong_real_vs_fake",
    )


def strong_classifier_error(
    real: np.ndarray, fake: np.ndarray, epochs: int = 5, seed: int = 0, holdout: float = 0.2
) -> dict:
    """Held-out error (percent) of a CNN trained to tell ``real`` from ``fake`` images."""
    import keras

    keras.utils.set_random_seed(seed)
    x_tr, y_tr, x_te, y_te = _real_vs_fake_split(real, fake, seed, holdout)
    model = build_strong_classifier(x_tr.shape[1:])
    model.compile(keras.optimizers.Adam(1e-3), "binary_crossentropy", metrics=["accuracy"])
    model.fit(x_tr, y_tr, batch_size=128, epochs=epochs, verbose=0, validation_split=0.0)
    acc = float(model.evaluate(x_te, y_te, verbose=0, batch_size=512)[1])
    return {
        "strong_classifier_error_percent": round(100.0 * (1.0 - acc), 3),
        "strong_classifier_train_images": int(len(x_tr)),
        "strong_classifier_heldout_images": int(len(x_te)),
        "strong_classifier_epochs": epochs,
    }


def strong_classifier_errors(
    real: np.ndarray, fake: np.ndarray, epochs: int = 5, seeds=(0,), holdout: float = 0.2
) -> dict:
    """The strong-classifier error over several classifiers, one per seed (each its own
    initialisation, shuffle and held-out split): their mean as the error, each one beside it.

    One classifier's error moves by a factor of up to 3 with its seed alone on the bundled
    models, so a single number says little about a generator's error of a few tenths of a
    percent; the mean of three is what the models are compared by."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("strong_classifier_errors needs at least one seed")
    runs = [strong_classifier_error(real, fake, epochs, s, holdout) for s in seeds]
    errors = [r["strong_classifier_error_percent"] for r in runs]
    result = dict(runs[0])
    result["strong_classifier_error_percent"] = round(float(np.mean(errors)), 3)
    result["strong_classifier_error_by_seed_percent"] = errors
    result["strong_classifier_seeds"] = seeds
    return result


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix (eigenvalues clipped at 0)."""
    vals, vecs = np.linalg.eigh(matrix)
    return (vecs * np.sqrt(np.clip(vals, 0.0, None))) @ vecs.T


def frechet_distance(feat_a: np.ndarray, feat_b: np.ndarray) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (N, k).

    Uses tr sqrt(A B) = tr sqrt(A^1/2 B A^1/2), which stays real and stable when the
    covariances are singular (dead ReLU features).
    """
    feat_a, feat_b = np.asarray(feat_a, np.float64), np.asarray(feat_b, np.float64)
    mu_a, mu_b = feat_a.mean(0), feat_b.mean(0)
    cov_a = np.atleast_2d(np.cov(feat_a, rowvar=False))
    cov_b = np.atleast_2d(np.cov(feat_b, rowvar=False))
    root_a = _sqrt_psd(cov_a)
    middle = root_a @ cov_b @ root_a
    tr_covmean = float(
        np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0.0, None)).sum()
    )
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2.0 * tr_covmean)


def classifier_fid(classifier, real: np.ndarray, fake: np.ndarray) -> float:
    """Frechet distance on the digit classifier's penultimate features (not Inception FID)."""
    from gan_core.classifier import feature_extractor

    features = feature_extractor(classifier)

    def embed(x):
        return np.concatenate(
            [
                np.asarray(features(x[i : i + 1000], training=False), np.float64)
                for i in range(0, len(x), 1000)
            ]
        )

    return frechet_distance(embed(real), embed(fake))


def class_coverage(classifier, images: np.ndarray, labels: np.ndarray | None = None) -> dict:
    """Share of each predicted class (the classifier's K classes: the digits for MNIST);
    with labels, also the label fidelity (percent)."""
    from gan_core.classifier import classify

    probs = classify(classifier, images)
    pred = probs.argmax(1)
    share = np.bincount(pred, minlength=probs.shape[1]) / max(len(pred), 1)
    out = {
        "class_share_percent": {str(k): round(100.0 * float(v), 2) for k, v in enumerate(share)},
        "classes_present": int((share > 0).sum()),
        "min_class_share_percent": round(100.0 * float(share.min()), 2),
    }
    if labels is not None:
        out.update(label_fidelity_by_label(pred, labels))
    return out


def label_fidelity_by_label(pred: np.ndarray, labels: np.ndarray) -> dict:
    """Label fidelity overall and per label (percent of each label's samples classified as
    that label), and what the mislabelled samples became (the digit most of them became and
    its share of them)."""
    pred, labels = np.asarray(pred), np.asarray(labels).reshape(-1)
    n_labels = max(10, int(max(pred.max(initial=0), labels.max(initial=0))) + 1)
    wrong = pred[pred != labels]
    out = {
        "label_fidelity_percent": round(100.0 * float((pred == labels).mean()), 2),
        "label_fidelity_by_label_percent": {
            str(k): round(100.0 * float((pred[labels == k] == k).mean()), 2)
            for k in range(n_labels)
            if (labels == k).any()
        },  # fmt: skip
    }
    if len(wrong):
        counts = np.bincount(wrong, minlength=n_labels)
        out["mislabelled_mostly_as"] = int(counts.argmax())
        out["mislabelled_mostly_as_share_percent"] = round(100.0 * counts.max() / len(wrong), 2)
    return out


def embedding_fidelity_bound(
    embedding: np.ndarray, samples: int = 20_000, seed: int = 0, resolution: float = 0.0
) -> float:
    """The label fidelity (percent) the best possible generator could reach with a CGAN's
    label embedding, when the embedding multiplies z drawn uniformly from [-1, 1]^d.

    Label k's inputs z * e_k fill the box [-|e_k|, |e_k|] (centred at the origin: every
    two boxes overlap). An input in several boxes is the same input for each of their
    labels, so one image serves all of them; the best choice there is the label whose box
    is smallest (its density is highest). Monte Carlo over ``samples`` inputs per label.

    ``resolution`` > 0 models a generator that cannot tell apart inputs closer than that,
    as a share of the largest component: each input is seen blurred by Gaussian noise of
    that standard deviation, and the best choice is the label most likely to have given
    the blurred input (:func:`fitted_input_resolution` finds it for a trained model).
    """
    by_label = embedding_fidelity_by_label(embedding, samples, seed, resolution)
    return round(float(np.mean(by_label)), 2)


def embedding_fidelity_by_label(
    embedding: np.ndarray, samples: int = 20_000, seed: int = 0, resolution: float = 0.0
) -> np.ndarray:
    """Each label's share (percent) of :func:`embedding_fidelity_bound`."""
    e = np.abs(np.asarray(embedding, np.float64)) + 1e-12
    rng = np.random.default_rng(seed)
    sigma = float(resolution) * float(e.max())
    won = []
    for k in range(len(e)):
        x = rng.uniform(-1.0, 1.0, (samples, e.shape[1])) * e[k]
        if sigma > 0:
            x = x + rng.normal(0.0, sigma, x.shape)
        score = _box_log_likelihood(x, e, sigma)  # (samples, labels)
        best = score == score.max(1, keepdims=True)  # an equal box shares the input
        won.append(float((best[:, k] / best.sum(1)).mean()))
    return 100.0 * np.array(won)


def _box_log_likelihood(x: np.ndarray, e: np.ndarray, sigma: float) -> np.ndarray:
    """log p(x | label) for inputs uniform in each label's box [-e, e], seen through
    Gaussian noise of standard deviation ``sigma`` (none at 0)."""
    log_volume = np.log(2.0 * e).sum(1)[None]
    if sigma <= 0:
        inside = (np.abs(x)[:, None, :] <= e[None]).all(-1)
        return np.where(inside, -log_volume, -np.inf)
    from scipy.special import log_ndtr

    near = -np.abs(x)[:, None, :]  # the boxes are symmetric: work in the lower tail
    hi, lo = (near + e[None]) / sigma, (near - e[None]) / sigma
    # log(Phi(hi) - Phi(lo)), hi > lo; expm1 keeps a thin box's small mass exact
    gap = np.minimum(log_ndtr(lo) - log_ndtr(hi), -1e-300)
    log_mass = log_ndtr(hi) + np.log(-np.expm1(gap))
    return log_mass.sum(-1) - log_volume


def fitted_input_resolution(embedding: np.ndarray, fidelity: float, samples: int = 4000) -> float:
    """The ``resolution`` at which :func:`embedding_fidelity_bound` equals a measured label
    fidelity (percent): how finely a trained generator tells its labels' inputs apart, if
    it draws the best label for what it can resolve. 0 when the fidelity reaches the exact
    bound."""
    lo, hi = 0.0, 1.0
    if fidelity >= embedding_fidelity_bound(embedding, samples):
        return 0.0
    for _ in range(20):
        mid = 0.5 * (lo + hi)
        if embedding_fidelity_bound(embedding, samples, resolution=mid) > fidelity:
            lo = mid
        else:
            hi = mid
    return round(0.5 * (lo + hi), 4)


def origin_digit(generator, classifier, latent_dim: int) -> int:
    """The digit a CGAN draws at z = 0: the same image for every label, since the label's
    embedding multiplies z (inputs near the origin barely depend on the label, and are
    drawn near this image)."""
    from gan_core.classifier import classify

    z = np.zeros((1, latent_dim), np.float32)
    image = generate_images(generator, z, np.zeros(1, np.int32))
    return int(classify(classifier, image).argmax(1)[0])


FAINT_TOP_LEVEL = 10  # the faint band is grey levels 1..10 of 255; stroke pixels lie above


def grey_levels(images) -> np.ndarray:
    """Images in [-1, 1] as the grey levels 0..255 they round to in uint8 (as floats)."""
    return np.rint((np.asarray(images, np.float32) + 1.0) * 127.5)


def faint_mask(levels: np.ndarray) -> np.ndarray:
    """Where grey ``levels`` (0..255) are in the faint band 1..10."""
    return (levels >= 1) & (levels <= FAINT_TOP_LEVEL)


def faint_pixel_share(images: np.ndarray) -> float:
    """Percent of pixels at 1..10 of 255 once rounded to uint8 (images in [-1, 1]).

    Real MNIST has 0.75%: its background is exact black. A generator whose tanh never quite
    reaches -1 leaves a grey haze that a real-vs-fake classifier sees at once.
    """
    return faint_level_share(grey_levels(images))


def faint_level_share(levels: np.ndarray) -> float:
    """Percent of grey levels (0..255, e.g. stored uint8 samples) at 1..10."""
    levels = np.asarray(levels)
    if not levels.size:
        raise ValueError("no pixels to measure")
    return round(100.0 * float(faint_mask(levels).mean()), 3)


def stroke_statistics(images: np.ndarray) -> dict:
    """What a real-vs-fake classifier can see of the strokes themselves (images in [-1, 1]).

    - ``ink_pixels_mean``: pixels above mid-grey per image (MNIST's first 10,000 test
      digits: 103.9);
    - ``saturated_pixel_percent``: share of pixels at 250..255 of 255 (MNIST: 7.5%);
    - ``broken_digit_percent``: images whose pixels above mid-grey form more than one
      8-connected piece (MNIST: 3.2%);
    - ``faint_per_stroke_pixel``: pixels at 1..10 of 255 per pixel at 11..255, the width
      of the haze around the strokes whatever their thickness (MNIST: 0.041, its edges fall
      to black within a pixel; a generator whose edges fade out over several has more).
    """
    from scipy import ndimage

    x = squeeze(np.asarray(images, np.float32))
    if x.ndim == 4:  # colour (N, H, W, 3): strokes on the mean of the channels
        x = x.mean(-1)
    ink = x > 0.0
    eight = np.ones((3, 3), bool)
    broken = [ndimage.label(im, structure=eight)[1] > 1 for im in ink]
    levels = grey_levels(x)
    return {
        "ink_pixels_mean": round(float(ink.sum((1, 2)).mean()), 1),
        "saturated_pixel_percent": round(100.0 * float((levels >= 250).mean()), 3),
        "broken_digit_percent": round(100.0 * float(np.mean(broken)), 2),
        "faint_per_stroke_pixel": round(
            float(faint_mask(levels).sum()) / max(1, int((levels > FAINT_TOP_LEVEL).sum())), 4
        ),
    }


def last_map_change(model_dir) -> float | None:
    """Percent of monitoring-grid points whose class changed between the last two epochs
    (None without two recorded maps)."""
    from gan_core.history import load_history, map_change_fraction

    maps = load_history(model_dir)["class_maps"]
    if maps is None or len(maps["classes"]) < 2:
        return None
    return round(100.0 * float(map_change_fraction(maps["classes"][-2:])[-1]), 2)


def evaluate_generator(
    generator,
    latent_dim: int,
    conditional: bool,
    real_test: np.ndarray,
    classifier,
    n_strong: int = 10_000,
    n_fid: int = 10_000,
    strong_epochs: int = 5,
    seed: int = 0,
    strong_seeds: int = 1,
    prior: Prior = UNIFORM,
) -> dict:
    """All metrics for one generator, as written to metrics.json; the strong-classifier
    error is the mean of ``strong_seeds`` classifiers (seeds ``seed``, ``seed + 1``, ...)."""
    if strong_seeds < 1:
        raise ValueError(f"strong_seeds must be at least 1, got {strong_seeds!r}")
    start = time.time()
    n_strong = min(n_strong, len(real_test))
    fake, labels = generate_samples(
        generator, max(n_fid, n_strong), latent_dim, conditional, seed, prior
    )
    metrics: dict = {}
    metrics.update(
        strong_classifier_errors(
            real_test[:n_strong],
            fake[:n_strong],
            strong_epochs,
            range(seed, seed + strong_seeds),
        )
    )
    metrics["classifier_fid"] = round(
        classifier_fid(classifier, real_test[:n_fid], fake[:n_fid]), 4
    )
    metrics["classifier_fid_note"] = (
        "Frechet distance on the dataset classifier's features, not Inception FID"
    )
    metrics.update(
        class_coverage(classifier, fake[:n_fid], None if labels is None else labels[:n_fid])
    )
    if conditional:
        metrics["origin_digit"] = origin_digit(generator, classifier, latent_dim)
        embedding = generator.get_layer("label_embedding").get_weights()[0]
        metrics["label_fidelity_bound_percent"] = embedding_fidelity_bound(embedding)
    metrics["faint_pixel_percent"] = faint_pixel_share(fake[:n_fid])
    metrics["real_faint_pixel_percent"] = faint_pixel_share(real_test[:n_fid])
    metrics["strokes"] = stroke_statistics(fake[:n_fid])
    metrics["real_strokes"] = stroke_statistics(real_test[:n_fid])
    metrics["samples"] = int(len(fake))
    metrics["prior"] = prior.spec
    metrics["eval_seconds"] = round(time.time() - start, 1)
    return metrics
