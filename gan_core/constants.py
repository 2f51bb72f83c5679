"""Names shared by the library and the command line, importable without TensorFlow."""

ACTIVATIONS = ("relu", "leaky_relu", "prelu", "elu")
DEFAULT_ACTIVATION = "leaky_relu"
# Training compute precisions; "auto" picks by the machine (gan_core.training.resolve_precision).
PRECISIONS = ("auto", "float32", "mixed_bfloat16")
