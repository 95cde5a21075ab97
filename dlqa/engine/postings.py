"""Stage 7, the writer: Whoosh's segment writer with a compact posting pool, fed a field at
a time.

Why: Whoosh's `PostingPool` holds every posting as a 5-tuple (about 200 bytes of Python
objects), spills past `limitmb` to pickled run files and merges them; and its
`add_document` asks each field's format for a generator of (term, frequency, weight,
value) and adds them one Python call at a time. An answer gives about one posting per
character (bigrams) plus its words: at 10k answers 7.4 million postings, so every
per-posting Python step costs seconds.

Here (`CompactSegmentWriter.add_document`) a text field's postings for one answer come from
its token list in one batch (`formats.index_batch`) and go into the pool in one call, in C
(`map`, `list.extend`); each term keeps its postings together as they come (one list of
document and value pairs, about 18 bytes a posting), so writing the segment sorts the
distinct terms, slices each term's list in C and gathers nothing. Postings of one term are
in document order because a segment writer numbers documents as they are added, and merged
segments are appended after them with higher numbers.

The segment's postings are written a term at a time (`codec.BlockFieldWriter`): Whoosh's
field writer takes one posting per call, with type asserts, a field-length lookup and block
statistics each time. The blocks written are Whoosh 3's (its readers read them unchanged);
their pickles use protocol 3, whose bytes and small-int opcodes are a fraction of protocol
2's.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator
from itertools import repeat
from operator import itemgetter
from typing import Any

from whoosh.writing import SegmentWriter

from dlqa.engine.codec import DlqaCodec

_Posting = tuple[str, bytes, int, float, bytes | None]

#: Postings per block (Whoosh's default is 128). Each block costs a header, a zlib stream
#: and a read with Python-level bookkeeping, and a common gram has tens of thousands of
#: postings: at 10k answers 1,024 made the index 10% smaller (52.1 → 47.2 MB) and phrase
#: reads a quarter faster; 4,096 gained little more. dlqa never skips within a term.
BLOCK_POSTINGS = 1024
#: zlib level of the blocks (Whoosh's default 3). At 10k: 6 makes the postings 2% smaller
#: than 4 but takes twice the CPU (2.0 s against 1.0 s, an eighth of the leaner writer's
#: ingest); 4 is smaller than 3 and as fast. Reading is as fast at every level.
BLOCK_COMPRESSION = 4
#: Whoosh's compound segments are read through a BytesIO copy of each part, so opening a
#: 100 MB index copied 100 MB before every search; plain segment files are opened in place.
SEGMENT_COMPOUND = False


class CompactPool:
    """A drop-in for `whoosh.writing.PostingPool` (add, iter_postings, cleanup, fieldnames),
    which also takes a document's postings of one text field in one call (`add_terms`).

    Each term keeps its postings together as they come, so a term's documents and values
    are ready at the end: nothing is gathered. A text field's term (`text_formats`: field →
    its `dlqa.engine.formats` format) keeps one list of (document, value) pairs laid flat;
    its weights are its counts times the field's boost, which the format reads back from the
    values when the term is written, so they take no memory meanwhile (about 18 bytes per
    posting in all, two thirds of triples). One list per term, appended to in one call per
    posting, is the fastest layout measured: with the documents in an array beside it, a
    posting touched twice the memory and adding took twice as long (3.5 s against 1.8 s at
    10k), for 13 bytes a posting instead of 18. Its terms are kept as str, encoded once per
    term when written (Whoosh's bytes terms, from merged segments, are decoded).

    Whoosh's postings (`add`: merged segments, untokenised fields, boosted documents) keep
    their own weights, as flat (document, weight, value) triples per term.
    """

    def __init__(self, text_formats: dict[str, Any] | None = None) -> None:
        self.fieldnames: set[str] = set()
        self._formats = dict(text_formats or {})
        #: field → term → [doc, value, doc, value, …] (documents ascending)
        self._terms: dict[str, defaultdict[str, list[Any]]] = {}
        #: field → term → [doc, weight, value, doc, weight, value, …] from `add`
        self._triples: dict[str, defaultdict[Any, list[Any]]] = {}
        self._count = 0
        self._doccount = 0

    def __len__(self) -> int:
        return self._count

    def add(self, item: _Posting) -> None:
        """One posting, as Whoosh's writer adds them."""
        fieldname, text, docnum, weight, value = item
        if fieldname in self._formats:
            text = text.decode("utf-8")
        terms = self._triples.get(fieldname)
        if terms is None:
            terms = self._triples[fieldname] = defaultdict(list)
            self.fieldnames.add(fieldname)
        terms[text] += (docnum, weight, value)
        self._count += 1
        if docnum >= self._doccount:
            self._doccount = docnum + 1

    def add_terms(self, fieldname: str, docnum: int, terms: list[str], values: list[bytes]) -> None:
        """One document's postings of a text field: each term once, with its value (its
        weight is the format's: `weights_of`).

        In C: the defaultdict finds or makes each term's list, `list.extend` appends the pair.
        """
        known = self._terms.get(fieldname)
        if known is None:
            known = self._terms[fieldname] = defaultdict(list)
            self.fieldnames.add(fieldname)
        deque(map(list.extend, map(known.__getitem__, terms), zip(repeat(docnum), values)), 0)
        self._count += len(terms)
        if docnum >= self._doccount:
            self._doccount = docnum + 1

    def _sorted_terms(self) -> Iterator[tuple[str, bytes, list[int], list[Any], list[Any]]]:
        """(field, term, its documents, weights, values) in (field, term, document) order.
        A str term sorts as its UTF-8 bytes do (UTF-8 keeps code point order)."""
        empty: dict[Any, Any] = {}
        for fieldname in sorted(self.fieldnames):
            batched = self._terms.get(fieldname, empty)
            triples = self._triples.get(fieldname, empty)
            fieldformat = self._formats.get(fieldname)
            keys = batched.keys() | triples.keys() if batched and triples else (batched or triples).keys()
            for key in sorted(keys):
                text = key.encode("utf-8") if fieldformat is not None else key
                flat = triples.get(key)
                term = batched.get(key)
                if term is None:
                    yield fieldname, text, flat[0::3], flat[1::3], flat[2::3]
                    continue
                term_docs, term_values = term[0::2], term[1::2]
                weights = fieldformat.weights_of(term_values)
                if flat is None:
                    yield fieldname, text, term_docs, weights, term_values
                    continue
                merged = sorted(zip([*term_docs, *flat[0::3]], [*weights, *flat[1::3]],
                                    [*term_values, *flat[2::3]], strict=True), key=itemgetter(0))
                merged_docs, merged_weights, merged_values = map(list, zip(*merged, strict=True))
                yield fieldname, text, merged_docs, merged_weights, merged_values

    def iter_postings(self) -> Iterator[_Posting]:
        """Every posting in (field, term, document) order."""
        for fieldname, text, docs, weights, values in self._sorted_terms():
            for doc, weight, value in zip(docs, weights, values, strict=True):
                yield fieldname, text, doc, weight, value

    def write(self, fieldwriter: Any, schema: Any, lengths: Any) -> None:
        """Write every posting through `fieldwriter`, a term at a time when it can take one
        (`BlockFieldWriter.add_term_blocks`), else a posting at a time (Whoosh's own).

        `lengths` is the new segment's per-document reader (field lengths feed each block's
        min/max length, as in Whoosh).
        """
        by_term = getattr(fieldwriter, "add_term_blocks", None)
        field_lengths: list[int] = []
        current = None
        for fieldname, text, docs, weights, values in self._sorted_terms():
            if fieldname != current:
                if current is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, schema[fieldname])
                field_lengths = _field_lengths(lengths, fieldname, self._doccount)
                current = fieldname
            if by_term is not None:
                by_term(text, docs, weights, values, field_lengths)
                continue
            fieldwriter.start_term(text)
            for doc, weight, value in zip(docs, weights, values, strict=True):
                fieldwriter.add(doc, weight, value, field_lengths[doc])
            fieldwriter.finish_term()
        if current is not None:
            fieldwriter.finish_field()

    def cleanup(self) -> None:
        """Nothing on disk to remove; drop the memory."""
        self._terms, self._triples = {}, {}
        self.fieldnames = set()
        self._count = self._doccount = 0


def _field_lengths(lengths: Any, fieldname: str, doccount: int) -> list[int]:
    """doc → the field length Whoosh's writer would look up for it (0 when unknown)."""
    if not lengths:
        return [0] * doccount
    get = lengths.doc_field_length_reader(fieldname)
    return [get(doc) or 0 for doc in range(doccount)]


class CompactSegmentWriter(SegmentWriter):
    """Whoosh's segment writer with a `CompactPool`, writing its postings term by term.

    No extension point: SegmentWriter takes no pool and has no public hook for writing the
    pool out, so this overrides its private `_flush_segment` (and `finish_segment` and
    `abandon` below call `_finalize_segment` and `_close_segment`, as `whoosh.multiproc`
    does). `dlqa.engine.compat` checks that they are still there.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        #: name → format of the fields whose postings `add_document` takes a field at a time
        #: (None: the schema has a field this writer leaves to Whoosh's `add_document`)
        self.batch_formats: dict[str, Any] | None = _batch_formats(self.schema)
        self.pool = CompactPool(self.batch_formats)
        #: True while ingest workers write segments into the same folder: Whoosh's commit
        #: would delete every segment file its TOC does not name (theirs included) and the
        #: temporary folder all writers of an index share. The ingest calls
        #: `segments.remove_unlisted_files` once they have stopped.
        self.others_writing = False

    def add_document(self, **fields: Any) -> None:
        """Whoosh's `SegmentWriter.add_document`, with each text field's postings made from
        its token list (`index_batch`) and added in one call, instead of a Python call and a
        tuple per posting through the format's generator, `FieldType.index` and `pool.add`.
        Other fields, and fields given a boost, go Whoosh's way."""
        batch_formats = self.batch_formats
        if batch_formats is None:
            super().add_document(**fields)
            return
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    fieldformat = batch_formats.get(fieldname) if fieldboost == 1.0 else None
                    batch = fieldformat.index_batch(value, field.analyzer) if fieldformat else None
                    if batch is not None:
                        terms, values, length = batch
                        pool.add_terms(fieldname, docnum, terms, values)
                        if not field.scorable:
                            length = 0
                    else:
                        for text, freq, weight, value_bytes in field.index(value):
                            if field.scorable:
                                length += freq
                            pool.add((fieldname, text, docnum, weight * fieldboost, value_bytes))
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except ValueError:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _commit_toc(self, segments: list[Any]) -> None:
        if not self.others_writing:
            super()._commit_toc(segments)
            return
        from whoosh.index import TOC

        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)

    def _finish(self) -> None:
        if self.others_writing:
            self._tempstorage = _SharedTempFolder()
        super()._finish()

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        self.pool.write(self.fieldwriter, self.schema, lengths)
        self.fieldwriter.close()
        if lengths:
            lengths.close()


def _batch_formats(schema: Any) -> dict[str, Any] | None:
    """name → format of every field whose postings can come a field at a time (its format
    has `index_batch`); None when a field has a term vector or separate spelling words,
    which only Whoosh's `add_document` writes."""
    if any(field.vector or field.separate_spelling() for _, field in schema.items()):
        return None
    return {name: field.format for name, field in schema.items()
            if hasattr(field.format, "index_batch")}


class _SharedTempFolder:
    """Stands in for the temporary folder at a commit made while workers still use it."""

    def destroy(self) -> None:
        """Left for the last writer to remove."""


def segment_writer(ix: Any, **kwargs: Any) -> SegmentWriter:
    """The writer dlqa ingests with (a seam tests replace with Whoosh's own)."""
    kwargs.setdefault("codec", DlqaCodec(blocklimit=BLOCK_POSTINGS, compression=BLOCK_COMPRESSION))
    return CompactSegmentWriter(ix, **kwargs)


def worker_writer(ix: Any) -> Any:
    """A writer for an ingest worker: its own segment, written without the index's lock (the
    parent holds it and commits the segment), as Whoosh's multi-process writer does."""
    return segment_writer(ix, _lk=False, compound=SEGMENT_COMPOUND)


def finish_segment(writer: Any) -> Any:
    """A worker writer's finished segment, for the parent's commit; None when it got no
    documents."""
    return writer._finalize_segment() if writer._added else None


def abandon(writer: Any) -> None:
    """Close a worker writer's unfinished segment. Not `writer.cancel()`: that deletes the
    temporary folder every writer of the index shares, under the parent's writer; Whoosh
    removes the unfinished segment's files at the next commit."""
    writer._close_segment()
