"""The pipeline's stages, in data-flow order: sources, fetch, clean, coding, sinks.

Each sub-package holds plain, typed functions and the thin Beam PTransforms that wrap them.
"""
