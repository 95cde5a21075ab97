"""dlqa: a searchable library of answers from saved Chinese deep-learning Q&A pages.

    from dlqa import Library
    results = Library("index").search("过拟合")

The pipeline, one module per stage, is laid out in README's "How it works": extraction
(`reader` → `blocks` → `sites` → `layouts` → `model`), `analysis` (segmentation), `engine`
(the only code that knows Whoosh), `store` (the index on disk, ingest), `query` → `search`
→ `results`, `render_human` / `render_json`, `cli`; `library.Library` is the facade.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Library", "__version__"]


def __getattr__(name: str) -> Any:
    """`dlqa.Library`, imported on first use: `dlqa parse` and `dlqa ingest` need none of
    the search modules it brings."""
    if name == "Library":
        from dlqa.library import Library

        return Library
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
