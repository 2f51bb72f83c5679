"""``gan-explorer``: the command line of the project."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _fmt_metric(metrics: dict, key: str, suffix: str = "") -> str:
    value = metrics.get(key)
    return "-" if value is None else f"{value}{suffix}"


def _model_root(args, model_id):
    """The folder ``model_id`` lives in: the uploads folder for an uploaded id."""
    from gan_core.uploaded_generators import model_root

    return model_root(model_id, args.checkpoints, getattr(args, "uploads", None))


def cmd_info(args) -> int:
    from gan_core.checkpoints import checkpoints_root, describe_checkpoints
    from gan_core.uploaded_generators import UPLOAD_PREFIX, uploads_root

    root = checkpoints_root(args.checkpoints)
    rows = describe_checkpoints(root)
    uploads = uploads_root(args.uploads)
    if uploads.is_dir():  # imported and uploaded generators (gan-explorer import, the home page)
        rows += [r for r in describe_checkpoints(uploads) if r["id"].startswith(UPLOAD_PREFIX)]
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
        return 0
    print(f"checkpoints: {root}")
    if not rows:
        print("  (none found)")
        return 0
    header = f"{'id':<16}{'latent':>7}{'cond':>6}{'act':>12}{'epochs':>8}{'params':>11}  metrics"
    print(header)
    print("-" * len(header))
    status = 0
    for row in rows:
        m = row.get("metrics") or {}
        if "error" in row:
            print(f"{row['id']:<16}  ERROR: {row['error']}")
            status = 1
            continue
        if row["id"] == "classifier":
            print(
                f"{'classifier':<16}{'':>7}{'':>6}{'':>12}{m.get('epochs', '-'):>8}{row['params']:>11,}  "
                f"test error {_fmt_metric(m, 'test_error_percent', '%')}"
            )
            continue
        summary = (
            f"strong-clf error {_fmt_metric(m, 'strong_classifier_error_percent', '%')}, "
            f"cFID {_fmt_metric(m, 'classifier_fid')}, digits {_fmt_metric(m, 'classes_present')}"
        )
        if row["conditional"]:
            summary += f", label fidelity {_fmt_metric(m, 'label_fidelity_percent', '%')}"
        print(
            f"{row['id']:<16}{row['latent_dim']:>7}{'yes' if row['conditional'] else 'no':>6}"
            f"{row['activation']:>12}{row['epochs']:>8}{row['params']:>11,}  {summary}"
        )
    return status


def _recipe_changes(args) -> dict:
    """The recipe options given on the command line (only those)."""
    changes = {
        "g_learning_rate": args.g_lr,
        "d_learning_rate": args.d_lr,
        "lr_decay_fraction": args.lr_decay,
        "ema_half_life_images": args.ema_half_life,
        "ema_half_life_end_images": args.ema_half_life_end,
        "r1_gamma": args.r1_gamma,
        "r1_every": args.r1_every,
        "label_margin_weight": args.label_margin_weight,
        "d_input_gain": args.d_input_gain,
        "d_input_linear": args.d_input_linear,
    }
    if args.ema_follows_lr is not None:
        changes["ema_follows_lr"] = args.ema_follows_lr
    if args.no_matching_aware:
        changes["matching_aware"] = False
    return {k: v for k, v in changes.items() if v is not None}


def _recipe_from_args(args, Recipe, RecipeError):
    """The recipe the train options ask for: the defaults, or the plain loop with --plain."""
    recipe = Recipe.legacy(args.g_lr or 2e-4) if args.plain else Recipe()
    return Recipe.from_json({**recipe.to_json(), **_recipe_changes(args)})


def cmd_train(args) -> int:
    from gan_core.branching import branch_run
    from gan_core.checkpoints import (
        CheckpointError,
        load_classifier,
        load_config,
        resolve_model_dir,
    )
    from gan_core.data import DataSourceError
    from gan_core.datasets import dataset_info, load_dataset
    from gan_core.priors import Prior, PriorError
    from gan_core.recipe import Recipe, RecipeError
    from gan_core.train_state import TrainingError
    from gan_core.training import TrainSettings
    from gan_core.training_jax import make_trainer

    try:
        recipe = _recipe_from_args(args, Recipe, RecipeError)
        Prior.parse(args.prior)
    except (RecipeError, PriorError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.branch_from is not None:
        if args.resume or args.plain:
            print("error: --branch-from cannot be combined with --resume or --plain",
                  file=sys.stderr)  # fmt: skip
            return 2
        try:
            dst = branch_run(args.branch_from, args.model_id, args.checkpoints,
                             _recipe_changes(args))  # fmt: skip
        except TrainingError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"branched {args.branch_from} into {dst}")
        args.resume = True
    try:
        dataset = args.dataset
        if args.resume and dataset is None:  # a resumed run keeps its dataset
            folder = resolve_model_dir(args.model_id, _model_root(args, args.model_id))
            if (folder / "config.json").is_file():  # else the trainer says what is missing
                dataset = load_config(folder).dataset
        info = dataset_info(dataset)
    except (CheckpointError, DataSourceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    settings = TrainSettings(
        model_id=args.model_id,
        latent_dim=args.latent_dim,
        conditional=args.conditional,
        activation=args.activation,
        epochs=args.epochs,
        batch_size=args.batch_size,
        recipe=recipe,
        seed=args.seed,
        mixed_precision=args.precision,
        limit_images=args.limit,
        weak_every=args.weak_every,
        bn_samples=args.bn_samples,
        map_points=args.map_points,
        root=args.checkpoints,
        prior=Prior.parse(args.prior),
        dataset=info.name,
    )
    try:
        data = load_dataset(info.name)
        try:
            classifier = load_classifier(args.checkpoints, info.name)
        except CheckpointError as exc:
            print(f"warning: no {info.title} classifier, class maps are skipped ({exc})",
                  file=sys.stderr)  # fmt: skip
            classifier = None
        trainer = make_trainer(settings, data, classifier, resume=args.resume)
    except (DataSourceError, TrainingError, CheckpointError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for note in trainer.notes:
        print(f"note: {note}")
    print(
        f"training {args.model_id} on {info.title}: latent {trainer.s.latent_dim}, "
        f"{'conditional, ' if trainer.s.conditional else ''}{trainer.s.activation}, "
        f"from epoch {trainer.epoch} to {args.epochs}, {trainer.steps_per_epoch} steps/epoch"
    )
    try:
        trainer.train(
            args.epochs,
            progress=not args.quiet,
            on_epoch=lambda r: print(json.dumps(r), flush=True),
            stop_at=args.stop_at,
        )
    except KeyboardInterrupt:
        print(
            f"\ninterrupted; epoch {trainer.epoch} is saved. Continue with: "
            f"gan-explorer train {args.model_id} --resume --epochs {args.epochs}",
            file=sys.stderr,
        )
        return 130
    return 0


def cmd_evaluate(args) -> int:
    from gan_core.checkpoints import (
        CheckpointError,
        atomic_write_json,
        load_classifier,
        load_generator,
    )
    from gan_core.data import DataSourceError
    from gan_core.datasets import load_dataset
    from gan_core.evaluation import evaluate_generator, last_map_change
    from gan_core.priors import model_prior

    try:
        ckpt = load_generator(args.model_id, _model_root(args, args.model_id))
        classifier = load_classifier(args.checkpoints, ckpt.config.dataset)
        mnist = load_dataset(ckpt.config.dataset)
    except (CheckpointError, DataSourceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    generator, out_name = ckpt.generator, "metrics.json"
    if args.raw:
        from gan_core.branching import raw_generator
        from gan_core.train_state import TrainingError

        try:
            generator, out_name = raw_generator(ckpt.path), "metrics_raw.json"
        except (TrainingError, CheckpointError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    metrics = evaluate_generator(
        generator,
        ckpt.config.latent_dim,
        ckpt.config.conditional,
        mnist.x_test,
        classifier,
        n_strong=args.samples,
        n_fid=args.samples,
        strong_epochs=args.strong_epochs,
        seed=args.seed,
        strong_seeds=args.strong_seeds,
        prior=model_prior(ckpt.config),
    )
    metrics["epochs_trained"] = ckpt.config.epochs_trained
    metrics["dataset"] = ckpt.config.dataset
    if not args.raw:  # the recorded maps are the served generator's
        metrics["map_change_last_epoch_percent"] = last_map_change(ckpt.path)
    atomic_write_json(ckpt.path / out_name, metrics)
    print(json.dumps(metrics, indent=2))
    return 0


def cmd_train_classifier(args) -> int:
    from gan_core.checkpoints import resolve_model_dir
    from gan_core.classifier import train_classifier
    from gan_core.data import DataSourceError
    from gan_core.datasets import dataset_info, load_dataset

    try:
        info = dataset_info(args.dataset)
        data = load_dataset(info.name)
    except DataSourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = resolve_model_dir(info.classifier_id, args.checkpoints)
    print(f"training the {info.title} classifier into {out}", flush=True)
    _, metrics = train_classifier(
        data.x_train, data.y_train, data.x_test, data.y_test, epochs=args.epochs, out_dir=out,
        n_classes=info.n_classes, flip=info.mirror,
        extra_metrics={"dataset": info.name, "class_names": list(info.class_names)},
    )  # fmt: skip
    print(json.dumps(metrics, indent=2))
    return 0


def cmd_precompute(args) -> int:
    from tqdm.auto import tqdm

    from gan_core.cache import MapCache
    from gan_core.checkpoints import CheckpointError, list_model_ids
    from gan_core.explorer import LatentExplorer

    ids = args.model_ids or list_model_ids(args.checkpoints)
    if not ids:
        print("error: no models found to precompute", file=sys.stderr)
        return 2
    cache = MapCache(args.cache_dir)
    status = 0
    for model_id in ids:
        try:
            explorer = LatentExplorer.from_checkpoint(
                model_id, _model_root(args, model_id), cache=cache
            )
        except CheckpointError as exc:
            print(f"error: {model_id}: {exc}", file=sys.stderr)
            status = 1
            continue
        jobs = explorer.map_jobs(args.grid, args.cube)
        with tqdm(total=len(jobs), desc=model_id, unit="map") as bar:

            def show(row, bar=bar, model_id=model_id):
                source = "cache hit" if row["cached"] else "computed"
                bar.write(f"  {model_id} {row['map']}: {row['seconds']:.2f} s ({source})")

            report = explorer.all_maps(
                args.grid, args.cube, progress=lambda *_, bar=bar: bar.update(1), on_map=show
            )
        computed = [r for r in report if not r["cached"]]
        seconds = sum(r["seconds"] for r in report)
        print(
            f"{model_id}: {len(report)} maps, {len(report) - len(computed)} from cache, "
            f"{len(computed)} computed, {seconds:.1f} s in all"
        )
    print(f"cache: {cache.directory} ({cache.hits} hits, {cache.misses} misses)")
    return status


def cmd_serve(args) -> int:
    if args.uploads:  # read by the dashboard's registry when it is first imported
        from gan_core.uploaded_generators import UPLOADS_ENV

        os.environ[UPLOADS_ENV] = str(args.uploads)
    from dashboard.app import run_server  # lazily: the other commands never need Dash

    return run_server(
        host=args.host, port=args.port, checkpoints=args.checkpoints, debug=args.debug
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _point(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",")]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from exc


def _export_slice_map(args, explorer, label) -> None:
    """``export map --slice``: the class map on a latent slice as JSON (gan_core.export)."""
    from gan_core.checkpoints import atomic_write_bytes
    from gan_core.export import ExportError, slice_map_json

    if not args.out.lower().endswith(".json"):
        raise ExportError(
            f"a slice map is written as JSON: --out must end in .json, not {args.out!r}"
        )
    n = args.grid or (100 if args.k == 2 else args.cube)
    latent_slice = explorer.latent_slice(args.slice, args.k)
    cmap = explorer.slice_map(latent_slice, n, label=label)
    data = slice_map_json(args.model_id, cmap)
    atomic_write_bytes(Path(args.out), (json.dumps(data) + "\n").encode())
    print(f"{args.out}: class map of {args.model_id} on {latent_slice.describe(n)}")


def cmd_export(args) -> int:
    from gan_core import export
    from gan_core.browser_model import BrowserModelError
    from gan_core.checkpoints import CheckpointError
    from gan_core.explorer import LatentExplorer
    from gan_core.latent import LatentInputError
    from gan_core.slices import SliceError

    try:
        explorer = LatentExplorer.from_checkpoint(
            args.model_id, _model_root(args, args.model_id), cache_dir=args.cache_dir
        )
        label = args.label if explorer.conditional else None
        if args.slice is not None and args.what != "map":
            raise export.ExportError("--slice is for 'export map'")
        if args.what == "map" and args.slice is not None:
            _export_slice_map(args, explorer, label)
        elif args.what == "morph":
            if not args.a or not args.b:
                raise LatentInputError("a morph needs --a and --b")
            points = [args.a, *(args.via or []), args.b]
            m = explorer.morph(points, frames=args.frames, mode=args.mode, label=label)
            if args.out.endswith(".mp4"):
                export.frames_to_mp4(m.images, args.out, fps=args.fps)
            else:
                export.frames_to_gif(
                    m.images, args.out, fps=args.fps, progress_bar=args.progress_bar
                )
            print(f"{args.out}: {len(m.images)} frames, crossed areas {m.sequence_text}")
        elif args.what == "onnx":
            import shutil

            model = explorer.browser_model()
            shutil.copyfile(model.path, args.out)
            manifest = Path(args.out).with_suffix(".json")
            manifest.write_text(
                json.dumps({**model.manifest, "file": Path(args.out).name}, indent=1)
            )
            layers = ", ".join(layer["name"] for layer in model.manifest["layers"])
            print(f"{args.out}: {Path(args.out).stat().st_size / 2**20:.1f} MiB ONNX graph of "
                  f"{args.model_id} + the classifier (outputs image, probs, {layers}); "
                  f"inputs and outputs in {manifest}")  # fmt: skip
        elif args.what == "map":
            export.map_png(explorer, args.grid or 100, args.cube, w=args.w, label=label,
                           path=args.out)  # fmt: skip
            print(f"{args.out}: class map of {args.model_id}")
        else:  # state
            point = args.a or [0.0] * explorer.latent_dim
            export.state_json(export.view_state(explorer, point, label), args.out)
            print(f"{args.out}: view state of {args.model_id}")
    except (
        CheckpointError,
        LatentInputError,
        SliceError,
        export.ExportError,
        BrowserModelError,
        OSError,
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _class_names_arg(text):
    """--class-names: a .json or .txt file's text, else the text itself (comma-separated)."""
    if text is None or Path(text).suffix.lower() not in (".json", ".txt"):
        return text
    with open(text, "rb") as fh:
        return fh.read(64 * 1024)


def cmd_import(args) -> int:
    from gan_core.checkpoints import CheckpointError
    from gan_core.labelling import MAX_CLASSIFIER_BYTES
    from gan_core.uploaded_generators import (
        MAX_UPLOAD_BYTES,
        import_generator,
        labelling_note,
        uploads_root,
    )

    folder = uploads_root(args.uploads)
    try:
        with open(args.file, "rb") as fh:
            data = fh.read(MAX_UPLOAD_BYTES + 1)
        classifier = None
        if args.classifier is not None:
            with open(args.classifier, "rb") as fh:
                classifier = fh.read(MAX_CLASSIFIER_BYTES + 1)
        model_id = import_generator(
            data, Path(args.file).name, folder, prior=args.prior, classifier=classifier,
            classifier_filename=Path(args.classifier or "classifier.keras").name,
            class_names=_class_names_arg(args.class_names), dataset=args.dataset,
        )  # fmt: skip
        note = labelling_note(model_id, folder)
    except (CheckpointError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(model_id)
    print(f"its maps are coloured by {note}", file=sys.stderr)
    return 0


def _add_info(sub) -> None:
    p = sub.add_parser("info", help="list the checkpoints with latent dim, parameters and metrics")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_info)


def _add_train(sub) -> None:
    from gan_core.constants import ACTIVATIONS, BN_SAMPLES, DEFAULT_ACTIVATION, PRECISIONS
    from gan_core.datasets import DATASETS

    p = sub.add_parser("train", help="train (or resume) a GAN/CGAN into checkpoints/<MODEL_ID>")
    p.add_argument("model_id")
    p.add_argument("--latent-dim", type=int, default=2)
    p.add_argument(
        "--prior",
        default="uniform",
        help="the latent prior: uniform (on [-1,1]^d, the study's), normal (standard "
        "normal, as the TensorFlow DCGAN tutorial), or a text such as 'normal(0,0.5)'",
    )
    p.add_argument("--conditional", action="store_true", help="train a CGAN (label-conditioned)")
    p.add_argument(
        "--dataset", choices=sorted(DATASETS), default=None,
        help="training images: mnist (default) or fashion-mnist; a resumed run keeps its own",
    )  # fmt: skip
    p.add_argument("--activation", choices=ACTIVATIONS, default=DEFAULT_ACTIVATION)
    p.add_argument(
        "--epochs",
        type=int,
        default=30,
        help="the run's length in epochs (the learning-rate decay ends there)",
    )
    p.add_argument(
        "--stop-at", type=int, default=None, help="stop after this many epochs (resume later)"
    )
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="compute precision; auto: mixed_bfloat16 where the machine has native bfloat16 "
        "(a GPU, AVX512-BF16 or AMX), else float32; a resumed run keeps its own where it can",
    )
    _add_recipe_options(p)
    p.add_argument("--limit", type=int, default=None, help="use only the first N training images")
    p.add_argument(
        "--weak-every", type=int, default=10, help="weak classifier every N epochs (0: never)"
    )
    p.add_argument(
        "--bn-samples",
        type=int,
        default=BN_SAMPLES,
        help=f"prior samples for the averaged generator's BatchNorm statistics, recomputed "
        f"after every epoch ({BN_SAMPLES}; fewer for quick smoke runs)",
    )
    p.add_argument(
        "--map-points",
        type=int,
        help="points per axis of the per-epoch class map (100 in 2D, 16 in 3D, 8 in 4D and "
        "per CGAN label; fewer for quick smoke runs; a resumed run keeps its own)",
    )
    p.add_argument("--resume", action="store_true", help="continue from the saved training state")
    p.add_argument(
        "--branch-from",
        metavar="SOURCE_ID",
        help="start MODEL_ID from SOURCE_ID's last epoch (SOURCE_ID untouched), with its recipe "
        "changed only by the recipe options given here",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_train)


def _add_recipe_options(p) -> None:
    r = p.add_argument_group("recipe (defaults: gan_core.recipe.Recipe; saved in config.json)")
    r.add_argument(
        "--plain", action="store_true", help="the study's loop: one learning rate, nothing else"
    )
    r.add_argument("--g-lr", type=float, help="generator learning rate (default 1e-4)")
    r.add_argument("--d-lr", type=float, help="discriminator learning rate (default 4e-4)")
    r.add_argument(
        "--lr-decay", type=float, help="share of the epochs with a linear decay to 0 (0.25)"
    )
    r.add_argument(
        "--ema-half-life", type=float, help="generator EMA half-life in images, 0 = off (10000)"
    )
    r.add_argument(
        "--ema-half-life-end",
        type=float,
        help="EMA half-life in images reached as the learning rate decays to 0 (0 = off)",
    )
    r.add_argument(
        "--ema-follows-lr",
        type=float,
        nargs="?",
        const=1.0,
        metavar="BELOW",
        help="once the learning-rate scale is below BELOW (alone: 1, the whole decay), scale "
        "the EMA's step by scale / BELOW: the average stops as the rates do (0 = off)",
    )
    r.add_argument("--r1-gamma", type=float, help="R1 penalty weight, 0 = off (0.01)")
    r.add_argument("--r1-every", type=int, help="apply R1 every N steps (16)")
    r.add_argument(
        "--no-matching-aware",
        action="store_true",
        help="CGAN: do not count real images with wrong labels as fake",
    )
    r.add_argument(
        "--label-margin-weight",
        type=float,
        help="CGAN: weight of the label-embedding margin penalty, 0 = off (1.0)",
    )
    r.add_argument(
        "--d-input-gain",
        type=float,
        help="D sees images through log(1 + g p) / log(1 + g), stretching near-black (1000; 0 = off)",
    )
    r.add_argument(
        "--d-input-linear",
        type=float,
        help="share A of the linear intensity mixed into D's curve: (1 - A) curve + A p, so "
        "D still sees grey levels near white (0.5; 0: the curve alone)",
    )


def _add_evaluate(sub) -> None:
    p = sub.add_parser(
        "evaluate", help="strong classifier, classifier-FID and coverage -> metrics.json"
    )
    p.add_argument("model_id")
    p.add_argument("--samples", type=int, default=10_000)
    p.add_argument("--strong-epochs", type=int, default=5)
    p.add_argument(
        "--strong-seeds",
        type=_positive_int,
        default=3,
        help="strong classifiers trained, one per seed from --seed on; the error reported is "
        "their mean, each one beside it (default 3)",
    )
    p.add_argument(
        "--raw",
        action="store_true",
        help="evaluate the trained, not averaged, generator (training state) -> metrics_raw.json",
    )
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_evaluate)


def _add_precompute(sub) -> None:
    p = sub.add_parser("precompute", help="fill the map cache (all models, or the given ids)")
    p.add_argument("model_ids", nargs="*")
    p.add_argument("--grid", type=int, default=100, help="2D map points per axis")
    p.add_argument("--cube", type=int, default=16, help="cube points per axis")
    p.add_argument("--cache-dir", default=None, help="default: $GAN_EXPLORER_CACHE or .cache/maps")
    p.set_defaults(func=cmd_precompute)


def _add_export(sub) -> None:
    p = sub.add_parser(
        "export",
        help="write a morph (GIF/MP4), a class map (PNG), a view state (JSON) or the "
        "generator + classifier as the ONNX graph the page runs (onnx)",
    )
    p.add_argument("what", choices=("morph", "map", "state", "onnx"))
    p.add_argument("model_id")
    p.add_argument("--out", required=True, help="output file (.gif/.mp4, .png, .json, .onnx)")
    p.add_argument("--a", type=_point, help="point A (or the point of a state), e.g. --a=-1,0")
    p.add_argument("--b", type=_point, help="point B, e.g. 1,0")
    p.add_argument("--via", type=_point, action="append", help="a waypoint (repeatable)")
    p.add_argument("--frames", type=int, default=24, help="morph frames (default 24)")
    p.add_argument("--mode", choices=("linear", "slerp"), default="linear", help="morph path")
    p.add_argument("--fps", type=float, default=8.0, help="morph frames per second (default 8)")
    p.add_argument(
        "--no-progress-bar",
        dest="progress_bar",
        action="store_false",
        help="GIF without the progress bar under the frames",
    )
    p.add_argument("--label", type=int, default=0, help="CGAN label")
    p.add_argument("--w", type=float, default=0.0, help="4th coordinate of a 4D cube")
    p.add_argument(
        "--grid", type=int, default=None,
        help="map points per axis (default 100; a --slice cube: --cube's 16)",
    )  # fmt: skip
    p.add_argument("--cube", type=int, default=16, help="cube points per axis (default 16)")
    p.add_argument(
        "--slice", metavar="SPEC", default=None,
        help="map: the class map on a latent slice, written as JSON (--out FILE.json): "
        "axes:I,J | random:SEED | points:P;Q;R with P = seed=N or v=x1,...,xd | "
        "principal:I,J; three indices or four points with --k 3; any spec may end in @v=... "
        "(the origin moved there)",
    )  # fmt: skip
    p.add_argument("--k", type=int, choices=(2, 3), default=2,
                   help="with --slice: 2 for a plane (default), 3 for a cube")  # fmt: skip
    p.add_argument("--cache-dir", default=None, help="default: $GAN_EXPLORER_CACHE or .cache/maps")
    p.set_defaults(func=cmd_export)


def _add_import(sub) -> None:
    from gan_core.datasets import DATASETS

    p = sub.add_parser(
        "import",
        help="import a Keras generator ((None, d) -> an HxW grey or colour image, 2 <= d <= 512, "
        "16 <= H, W <= 128), with its own classifier or a bundled dataset's, into the uploads "
        "folder, as the home page's upload does; prints its model id",
    )
    p.add_argument("file", help="a Keras 3 .keras file")
    p.add_argument(
        "--prior", default="uniform",
        help="the latent prior it was trained on: uniform (on [-1,1]^d, default), normal "
        "(standard normal) or a text such as 'normal(0,2)' or 'uniform[-2,2]'",
    )  # fmt: skip
    p.add_argument(
        "--classifier", default=None, metavar="C.keras",
        help="its own classifier: a .keras file taking the generator's images to 2..20 class "
        "probabilities (softmax); it colours the maps",
    )  # fmt: skip
    p.add_argument(
        "--class-names", default=None, metavar="NAMES",
        help="with --classifier, its class names in output order: a .json file (a list or "
        '{"class_names": [...]}), a .txt file (one per line) or an inline comma-separated '
        "list such as 'red,green,blue' (default: class 0, class 1, ...)",
    )  # fmt: skip
    p.add_argument(
        "--dataset", choices=sorted(DATASETS), default=None,
        help="without --classifier: the bundled dataset whose classifier colours the maps of a "
        "28x28 grey generator (default: mnist)",
    )  # fmt: skip
    p.set_defaults(func=cmd_import)


def _add_serve(sub) -> None:
    p = sub.add_parser("serve", help="run the dashboard")
    p.add_argument(
        "--checkpoints", default=argparse.SUPPRESS,
        help="serve the generators in this folder (any Keras generator (None, d) -> 28x28, 2 <= d <= 512)",
    )  # fmt: skip
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8050)
    p.add_argument("--debug", action="store_true", help="Dash debug mode (never on a shared host)")
    p.set_defaults(func=cmd_serve)


def _add_train_classifier(sub) -> None:
    from gan_core.datasets import DATASETS

    p = sub.add_parser(
        "train-classifier",
        help="train a dataset's classifier (MNIST: checkpoints/classifier, "
        "Fashion-MNIST: checkpoints/classifier-fashion-mnist)",
    )
    p.add_argument("--dataset", choices=sorted(DATASETS), default="mnist")
    p.add_argument("--epochs", type=int, default=5)
    p.set_defaults(func=cmd_train_classifier)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gan-explorer",
        description="Train, evaluate and explore small GANs on MNIST.",
    )
    parser.add_argument(
        "--checkpoints",
        default=None,
        help="checkpoints folder (default: $GAN_EXPLORER_CHECKPOINTS or the bundled checkpoints/)",
    )
    parser.add_argument(
        "--uploads",
        default=None,
        help="uploaded and imported generators (default: $GAN_EXPLORER_UPLOADS or .cache/uploads); "
        "their upload-... ids work with every command",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    _add_info(sub)
    _add_train(sub)
    _add_evaluate(sub)
    _add_precompute(sub)
    _add_export(sub)
    _add_import(sub)
    _add_serve(sub)
    _add_train_classifier(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
