"""The search engine: the only code in dlqa that imports Whoosh (whoosh3 >= 3.54, < 4; see
`compat` for why, and for the Whoosh internals it relies on, checked by a test).

The index stays a Whoosh index: Whoosh's own `open_dir` and searcher open it and find the
same answers (the tests compare them). dlqa reads and writes it faster through these modules:

| module | surface |
| --- | --- |
| `segments` | `create_segments`, `open_segments` (every file opened up front), `SegmentIndex.searcher()`, `column_lookup`, `fixed_width_table`, `answer_docnum`, `merge_policy`, `DAMAGE_ERRORS` |
| `schema` | `make_schema(record fields, …)`: the Whoosh schema made from `model.RECORD_FIELDS` |
| `postings` | `segment_writer` / `worker_writer` (write documents: `add_document`, `commit`), `finish_segment`, `abandon` |
| `queries` | the query tree: Whoosh's query classes, `SafeAndNot`, `boosted` |
| `evaluate` | `scored_docs` / `matching_docs`: a query tree → scored answer ids, as Whoosh scores them |
| `codec` | Whoosh's extension points: mmapped term files, columns opened up front, term-at-a-time blocks written (`BlockFieldWriter`) and read (`read_term_blocks`) |
| `formats`, `analyzers` | posting values and Whoosh analyzers (pickled into the schema by import path) |

Import the submodules themselves; this package imports nothing, so `dlqa ingest` and
`dlqa search` load only the parts they use.
"""
