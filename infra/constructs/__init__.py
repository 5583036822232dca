"""The building blocks PlatformStack composes: each owns one concern and builds it in `_build_*` helpers."""
