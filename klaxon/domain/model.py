"""The base of every Klaxon pydantic model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """A pydantic model whose validator is built when it is first used, not when its module is imported
    (`defer_build`): a function imports ~150 models and a request uses a few, and building them all at
    import was ~40 ms of the api function's cold start (issue 14)."""

    model_config = ConfigDict(defer_build=True)
