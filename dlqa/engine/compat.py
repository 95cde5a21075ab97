"""The whoosh3 versions the engine supports, and the Whoosh internals it relies on.

Supported: whoosh3 >= 3.54, < 4 (pinned in pyproject.toml). 3.54 is the release the engine's
shortcuts were written and tested against (its `doc_field_length_reader`, its AndNotMatcher
bug that `queries.FixedAndNotMatcher` fixes); a major release may change the on-disk blocks
that `codec.BlockFieldWriter` writes and `evaluate` reads.

Where Whoosh has an extension point the engine subclasses it (see `codec`). Where it has
none, the engine uses a private name, each listed below with the place that needs it.
`missing_internals()` checks them all, on live objects of a tiny index, so a whoosh3 release
that renames one fails `tests/test_engine.py` with the name and the place, instead of some
AttributeError deep in a search.
"""

from __future__ import annotations

import os
from typing import Any

import whoosh
from whoosh import fields, matching, scoring
from whoosh.codec import whoosh3
from whoosh.columns import FixedBytesColumn
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.writing import SegmentWriter

from dlqa.engine.postings import segment_writer
from dlqa.engine.segments import create_segments, open_segments

#: The whoosh3 releases the engine is tested with: [lowest, first unsupported).
SUPPORTED = ((3, 54), (4,))

#: (object, attribute, where the engine uses it) for classes and modules.
CLASS_INTERNALS: tuple[tuple[Any, str, str], ...] = (
    (SegmentWriter, "_flush_segment", "postings.CompactSegmentWriter writes its pool"),
    (SegmentWriter, "_check_state", "postings.CompactSegmentWriter.add_document"),
    (SegmentWriter, "_check_fields", "postings.CompactSegmentWriter.add_document"),
    (SegmentWriter, "_doc_boost", "postings.CompactSegmentWriter.add_document"),
    (SegmentWriter, "_field_boost", "postings.CompactSegmentWriter.add_document"),
    (SegmentWriter, "_finalize_segment", "postings.finish_segment (ingest workers)"),
    (SegmentWriter, "_close_segment", "postings.abandon (ingest workers)"),
    (SegmentWriter, "_commit_toc", "postings.CompactSegmentWriter keeps workers' unfinished files"),
    (SegmentWriter, "_finish", "postings.CompactSegmentWriter keeps workers' temporary folder"),
    (FileIndex, "_read_toc", "segments.SegmentIndex.reader"),
    (FileStorage, "_fpath", "codec.SegmentStorage.open_file"),
    (whoosh3.W3PerDocReader, "_get_column_file", "codec.OpenColumnsReader"),
    (whoosh3.W3PerDocReader, "_cached_reader", "evaluate: field lengths in one read"),
    (matching.AndNotMatcher, "_find_first", "queries.FixedAndNotMatcher"),
    (matching.AndNotMatcher, "_find_next", "queries.FixedAndNotMatcher"),
    (scoring.WeightLengthScorer, "_score", "evaluate: scores without a matcher"),
    (whoosh3, "_lenfield", "evaluate: the length column's name"),
    (whoosh3.W3TermInfo, "_struct", "codec.BlockFieldWriter packs term infos"),
)
#: (what, attributes) of live objects, checked by `missing_internals`.
INSTANCE_INTERNALS: dict[str, tuple[str, ...]] = {
    "W3Codec": ("_blocklimit", "_compression", "_inlinelimit"),
    "SegmentWriter": ("_added", "docnum", "perdocwriter", "fieldwriter", "pool"),
    "W3FieldWriter": ("_codec", "_postfile", "_tindex", "_fieldid"),
    "W3PerDocWriter": ("_colwriters",),
    "OrderedHashWriter": ("dbfile", "index", "buckets", "lastkey", "hashtype", "hashfn"),
    "SegmentReader": ("_perdoc", "_terms", "deleted_docs_set"),
    "W3PerDocReader": ("_colfiles",),
    "W3TermsReader": ("_postfile",),
    "FixedBytesColumn.Reader": ("_dbfile", "_basepos", "_count"),
    "NumericColumn.Reader": ("_dbfile", "_basepos", "_count", "_fixedlen", "_typecode"),
}


def version_supported(version: tuple[int, ...] = whoosh.__version__) -> bool:
    lowest, first_unsupported = SUPPORTED
    return lowest <= tuple(version) < first_unsupported


def missing_internals(folder: str | os.PathLike[str]) -> list[str]:
    """Every internal the engine relies on that this whoosh3 lacks, one line each (empty when
    all are there). Writes and reads a one-answer index in `folder` (created, or empty)."""
    missing = [f"{getattr(owner, '__name__', owner)}.{name} (used by {where})"
               for owner, name, where in CLASS_INTERNALS if not hasattr(owner, name)]
    live: dict[str, Any] = {"W3Codec": whoosh3.W3Codec()}
    os.makedirs(folder, exist_ok=True)
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT(phrase=True),
                           key=fields.COLUMN(FixedBytesColumn(2)))
    ix = create_segments(folder, schema)
    writer = segment_writer(ix)
    live.update(SegmentWriter=writer, W3FieldWriter=writer.fieldwriter,
                W3PerDocWriter=writer.perdocwriter,
                OrderedHashWriter=getattr(writer.fieldwriter, "_tindex", None))
    missing += _missing_attributes(live)
    writer.add_document(id="a", body="过拟合 overfitting", key=b"ab")
    writer.commit()
    with open_segments(folder).searcher() as searcher:
        leaf = searcher.reader()
        perdoc = getattr(leaf, "_perdoc", None)
        opened = {
            "SegmentReader": leaf,
            "W3PerDocReader": perdoc,
            "W3TermsReader": getattr(leaf, "_terms", None),
            "FixedBytesColumn.Reader": leaf.column_reader("key", translate=False),
        }
        if perdoc is not None and hasattr(perdoc, "_cached_reader"):
            opened["NumericColumn.Reader"] = perdoc._cached_reader(whoosh3._lenfield("body"),
                                                                   whoosh3.LENGTHS_COLUMN)
        missing += _missing_attributes(opened)
    return missing


def _missing_attributes(objects: dict[str, Any]) -> list[str]:
    out = []
    for what, obj in objects.items():
        for name in INSTANCE_INTERNALS[what]:
            if obj is None or not hasattr(obj, name):
                out.append(f"{what} object .{name}")
    return out
