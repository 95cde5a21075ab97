"""Old import path of the posting formats, which indexes of schema 5 and 6 written before the
engine package pickled by path: such an index still opens. The formats are
`dlqa.engine.formats`."""

from dlqa.engine.formats import CompactPositions, CountedFrequency

__all__ = ["CompactPositions", "CountedFrequency"]
