"""Names shared by the library and the command line, importable without TensorFlow."""

ACTIVATIONS = ("relu", "leaky_relu", "prelu", "elu")
DEFAULT_ACTIVATION = "leaky_relu"
