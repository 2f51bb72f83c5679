"""Names shared by the library and the command line, importable without TensorFlow."""

ACTIVATIONS = ("relu", "leaky_relu", "prelu", "elu")
DEFAULT_ACTIVATION = "leaky_relu"
# Training compute precisions; "auto" picks by the machine (gan_core.training.resolve_precision).
PRECISIONS = ("auto", "float32", "mixed_bfloat16")
# Prior samples for the averaged generator's BatchNorm statistics, recomputed every epoch:
# with 4,096 fresh ones per epoch two recomputations alone changed 6.9% of gan-2d's 100x100
# map, with 16,384 1.6%.
BN_SAMPLES = 16384
