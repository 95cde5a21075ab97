"""The naive baseline the issue measured: Whoosh + jieba's `ChineseAnalyzer`, one document per
answer, BM25F, stock query parser.

Why it lives here: dlqa's numbers only mean something next to what the obvious implementation
does on the same corpus, measured in the same run on the same machine. Three subcommands, each
run by `run.py` as its own process so memory and start-up are measured like dlqa's:

    python3 benchmarks/naive.py ingest  --corpus DIR --index IDX [--procs 2] [--source auto]
    python3 benchmarks/naive.py search  --index IDX QUERY [--jsonl] [--limit 10]
    python3 benchmarks/naive.py latency --index IDX [--repeat 5]

`--source`: answers come from dlqa's own extraction (`dlqa.extract.parse_file`) so both sides
index the same answers at the same extraction cost; while that extraction is incomplete
(`auto` checks it against the generator's per-file answer counts), they come from the
generator's `answers.jsonl` instead, and the report says so.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from terms import queries  # noqa: E402

#: How many pages `--source auto` parses to decide whether dlqa's extraction can be used.
PROBE_PAGES = 30


def _quiet_jieba() -> None:
    """jieba logs its dictionary loading to stderr; keep benchmark output readable."""
    import jieba

    jieba.setLogLevel(logging.WARNING)


def extraction_works(corpus: Path) -> tuple[bool, str]:
    """Whether dlqa's extraction finds the generator's answers on a sample of pages."""
    try:
        from dlqa.extract import parse_file
    except Exception as error:  # noqa: BLE001 - any import failure means "not usable yet"
        return False, f"dlqa.extract not importable: {error}"
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    files: dict[str, int] = truth["files"]
    names = sorted(files)[:PROBE_PAGES]
    matching = 0
    for name in names:
        try:
            found = len(parse_file(corpus / "pages" / name).answers)
        except Exception:  # noqa: BLE001 - a crash on a page means the same
            found = -1
        # One extra is fine: dlqa keeps a V2EX opening post or a blog's 其他观点 section as an
        # answer, and the generator keeps those free of query terms.
        matching += files[name] <= found <= files[name] + 1
    ok = matching >= 0.9 * len(names)
    return (
        ok,
        f"dlqa extraction found the generated answers on {matching}/{len(names)} sample pages",
    )


def answers_from_extraction(corpus: Path) -> Iterator[tuple[str, str, str]]:
    """(file, title, body) for every answer dlqa extracts from the pages."""
    from dlqa.extract import parse_file

    for path in sorted((corpus / "pages").glob("*.txt")):
        page = parse_file(path)
        for answer in page.answers:
            yield path.name, page.title or "", answer.body


def answers_from_generator(corpus: Path) -> Iterator[tuple[str, str, str]]:
    """(file, title, body) from the generator's answers.jsonl."""
    with (corpus / "answers.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            yield record["file"], record.get("title", ""), record["body"]


def ingest(corpus: Path, index: Path, procs: int, source: str) -> dict[str, object]:
    """Build the naive index from scratch; returns what was indexed and how."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    _quiet_jieba()
    note = "forced"
    if source == "auto":
        works, note = extraction_works(corpus)
        source = "extract" if works else "answers"
    analyzer = ChineseAnalyzer()
    schema = Schema(
        file=ID(stored=True),
        title=TEXT(stored=True, analyzer=analyzer),
        body=TEXT(stored=True, analyzer=analyzer),
    )
    index.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(index), schema)
    writer = ix.writer(procs=procs) if procs > 1 else ix.writer()
    records = (
        answers_from_extraction(corpus) if source == "extract" else answers_from_generator(corpus)
    )
    count = 0
    for file, title, body in records:
        writer.add_document(file=file, title=title, body=body)
        count += 1
    writer.commit()
    return {"answers": count, "source": source, "source_note": note, "procs": procs}


def _open(index: Path):  # type: ignore[no-untyped-def]
    from whoosh import index as whoosh_index
    from whoosh.qparser import MultifieldParser

    _quiet_jieba()
    ix = whoosh_index.open_dir(str(index))
    return ix, MultifieldParser(["title", "body"], ix.schema)


def search(index: Path, query: str, limit: int, as_jsonl: bool) -> None:
    """What a naive `search` command prints: the top hits, one JSON object per line."""
    ix, parser = _open(index)
    with ix.searcher() as searcher:
        results = searcher.search(parser.parse(query), limit=limit)
        for rank, hit in enumerate(results, 1):
            record = {
                "rank": rank,
                "score": round(hit.score, 4),
                "file": hit["file"],
                "body": hit["body"][:200],
            }
            if as_jsonl:
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(f"{rank}. {hit['file']} {record['body'][:60]}\n")
        sys.stdout.write(f"# {len(results)} answers\n" if not as_jsonl else "")


def latency(index: Path, repeat: int) -> dict[str, object]:
    """In-process latency over the 30 terms: one warm-up pass, then `repeat` timed passes.

    Each timed query does what a search command does after start-up: parse, search for the top
    10, count all matches, read the stored fields of the hits.
    """
    ix, parser = _open(index)
    totals: dict[str, int] = {}
    samples: list[float] = []
    with ix.searcher() as searcher:

        def one(term: str) -> int:
            results = searcher.search(parser.parse(term), limit=10)
            for hit in results:
                _ = hit["body"]
            return len(results)

        for term in queries():
            totals[term] = one(term)
        for _ in range(repeat):
            for term in queries():
                started = time.perf_counter()
                one(term)
                samples.append(time.perf_counter() - started)
    return {"totals": totals, "samples": samples, "p50": statistics.median(samples)}


def main() -> None:
    parser = argparse.ArgumentParser(description="Naive Whoosh + jieba baseline.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_ingest = sub.add_parser("ingest")
    p_ingest.add_argument("--corpus", type=Path, required=True)
    p_ingest.add_argument("--index", type=Path, required=True)
    p_ingest.add_argument("--procs", type=int, default=2)
    p_ingest.add_argument("--source", choices=("auto", "extract", "answers"), default="auto")
    p_search = sub.add_parser("search")
    p_search.add_argument("query")
    p_search.add_argument("--index", type=Path, required=True)
    p_search.add_argument("--limit", type=int, default=10)
    p_search.add_argument("--jsonl", action="store_true")
    p_latency = sub.add_parser("latency")
    p_latency.add_argument("--index", type=Path, required=True)
    p_latency.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.command == "ingest":
        print(
            json.dumps(ingest(args.corpus, args.index, args.procs, args.source), ensure_ascii=False)
        )
    elif args.command == "search":
        search(args.index, args.query, args.limit, args.jsonl)
    else:
        print(json.dumps(latency(args.index, args.repeat), ensure_ascii=False))


if __name__ == "__main__":
    main()
