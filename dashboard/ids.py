"""Every component id of the app, in one place."""

# app-level
NAV = "nav"  # the navigation bar (app.py)

# explore
EX_MODEL = "explore-model"
EX_SLIDER = "explore-slider"  # pattern-matching: {"type": EX_SLIDER, "index": i}
EX_READOUT = "explore-readout"
EX_IMAGE = "explore-image"
EX_PROBS = "explore-probs"
EX_ACTS = "explore-activations"
EX_ERROR = "explore-error"
EX_LABEL = "explore-label"  # CGAN "Change Number"
EX_MAP_LABEL = "explore-map-label"  # CGAN "Change 3D map"

# morph
MO_MODEL = "morph-model"
MO_A = "morph-a"  # {"type": MO_A, "index": i}
MO_B = "morph-b"
MO_CLICK_MODE = "morph-click-mode"
MO_WAYPOINTS = "morph-waypoints"
MO_CLEAR = "morph-clear"
MO_FRAMES = "morph-frames"
MO_MODE = "morph-mode"
MO_STRIP = "morph-strip"
MO_FRAME_IMAGE = "morph-frame-image"
MO_SCRUB = "morph-scrub"
MO_PLAY = "morph-play"
MO_INTERVAL = "morph-interval"
MO_SPEED = "morph-speed"
MO_SEQUENCE = "morph-sequence"
MO_ONLY_CROSSED = "morph-only-crossed"
MO_RESULT = "morph-result"
MO_ERROR = "morph-error"
MO_LABEL = "morph-label"

# activations
AC_MODEL = "act-model"
AC_SLIDER = "act-slider"  # {"type": AC_SLIDER, "index": i}
AC_LABEL = "act-label"
AC_LAYER = "act-layer"
AC_VIEW = "act-view"
AC_KIND = "act-kind"
AC_VALUE = "act-value"
AC_LAYER_FIG = "act-layer-fig"
AC_EDITS = "act-edits"
AC_EDIT_LIST = "act-edit-list"
AC_UNDO = "act-undo"
AC_CLEAR = "act-clear"
AC_ORIGINAL = "act-original"
AC_EDITED = "act-edited"
AC_DIFF = "act-diff"
AC_ERROR = "act-error"
