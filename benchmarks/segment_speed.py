"""Segmentation speed: jieba 0.42.1 vs dlqa's compiled segmenter, same text, same run.

    python3 benchmarks/segment_speed.py [--corpus DIR] [--mb 6]

The text is the answer bodies of a benchmark corpus (`benchmarks/generate.py`, its
`answers.jsonl`; one is generated in a temporary folder when --corpus is not given), folded
as dlqa folds it. Each engine segments the same answers in jieba's search mode with HMM and
dlqa's glossary (`dlqa.segmenter.build`, as `dlqa.analysis` builds it); the table gives MB/s
of UTF-8 answer text per core, the load time, and whether the tokens are jieba's. "rjieba
raw" is rjieba without the adapter's corrections (not token-identical), for scale; the last
row is what ingest runs per field, the adapter plus dlqa's filter of letter-or-digit words.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from dlqa import segmenter  # noqa: E402
from dlqa.analysis import GLOSSARY_JIEBA_FREQ, fold, jieba_words  # noqa: E402


def answer_texts(corpus: Path, limit_bytes: int) -> list[str]:
    """Folded answer bodies of `corpus/answers.jsonl`, up to `limit_bytes` of UTF-8."""
    texts: list[str] = []
    size = 0
    with (corpus / "answers.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            body = fold(json.loads(line)["body"])
            texts.append(body)
            size += len(body.encode("utf-8"))
            if size >= limit_bytes:
                break
    return texts


def timed(tokenize: Callable[[str], list], texts: list[str]) -> tuple[float, list[list]]:
    start = time.perf_counter()
    tokens = [tokenize(text) for text in texts]
    return time.perf_counter() - start, tokens


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="a benchmarks/generate.py output folder")
    parser.add_argument("--mb", type=float, default=6.0, help="MB of answer text to segment")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        corpus = args.corpus
        if corpus is None:
            corpus = Path(scratch)
            answers = max(1000, int(args.mb * 600))  # about 1.9 kB of body per answer
            subprocess.run([sys.executable, str(HERE / "generate.py"), "--answers", str(answers),
                            "--out", str(corpus)], check=True, stdout=subprocess.DEVNULL)
        texts = answer_texts(corpus, int(args.mb * 1e6))
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    words = jieba_words()  # exactly what dlqa adds to jieba

    rows: list[tuple[str, float, float, str]] = []
    start = time.perf_counter()
    reference = segmenter.build(words, GLOSSARY_JIEBA_FREQ, engine="jieba")
    load = time.perf_counter() - start
    seconds, expected = timed(reference.tokenize, texts)
    rows.append(("jieba 0.42.1", load, seconds, "reference"))

    start = time.perf_counter()
    compiled = segmenter.build(words, GLOSSARY_JIEBA_FREQ, engine="rjieba")
    load = time.perf_counter() - start
    seconds, got = timed(compiled.tokenize, texts)
    same = sum(a == b for a, b in zip(expected, got, strict=True))
    rows.append(("dlqa.segmenter (rjieba + adapter)", load, seconds, f"{same}/{len(texts)} answers"))

    raw = compiled._rjieba  # the same loaded engine, without the corrections
    seconds, got = timed(lambda text: raw.tokenize(text, "search", True), texts)
    same = sum(a == b for a, b in zip(expected, got, strict=True))
    rows.append(("rjieba raw (no adapter)", 0.0, seconds, f"{same}/{len(texts)} answers"))

    from dlqa import analysis  # what ingest runs: the adapter, then dlqa's letter-or-digit filter

    analysis.load_segmenter()
    seconds, _ = timed(lambda text: list(analysis._word_spans(text)), texts)
    rows.append(("dlqa word field (`_word_spans`)", 0.0, seconds, "same filter as with jieba"))

    load1, load5, _ = os.getloadavg()
    print(f"{len(texts)} answers, {megabytes:.1f} MB of folded answer text; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load {load1:.2f}/{load5:.2f}, Python {platform.python_version()}")
    print("| engine | load (s) | MB/s | × jieba | identical to jieba |")
    print("| --- | --- | --- | --- | --- |")
    base = rows[0][2]
    for name, load, seconds, identical in rows:
        load_text = f"{load:.2f}" if load else "–"
        print(f"| {name} | {load_text} | {megabytes / seconds:.2f} | {base / seconds:.1f} | {identical} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
