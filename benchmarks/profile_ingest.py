"""Where a one-process ingest spends its time, by pipeline stage (py-spy, sampling).

    python3 benchmarks/profile_ingest.py --corpus DIR [--rate 50] [--keep FOLDED]

DIR is a `benchmarks/generate.py` output folder (its `pages/` are ingested into a temporary
index with `--jobs 1`, so every stage runs in the profiled process). py-spy samples the
process from outside (`pip install py-spy`; a benchmark-only tool, like ripgrep), which
distorts Python's many small calls far less than cProfile. Each sample is counted once, for
the innermost frame that names a stage, and the table shares out the ingest's CPU seconds.
The stage names follow the modules of this commit; a refactor that renames them shows up as
a larger "other" row.
"""

from __future__ import annotations

import argparse
import collections
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: (stage, substrings of a py-spy frame "function (file:line)" that belong to it), innermost first.
STAGES: list[tuple[str, list[str]]] = [
    ("segmentation: rjieba + adapter", ["CompiledSegmenter.", "JiebaSegmenter.", "jieba/"]),
    ("word field: letter/digit filter, fold", ["_word_spans", "index_words", "WordAnalyzer._index_spans",
                                                "fold (", "_folded"]),
    ("gram spans (bigrams, positions)", ["gram_spans (", "index_grams"]),
    ("term → positions dicts", ["_DlqaTokenizer.term_positions", "batch_from_tokens"]),
    ("position values encoding", ["encode_positions", "posting_value", "_encode", "_pack_uint",
                                  "_Memo."]),
    ("per-field glue (word_values, FieldType.index)", ["word_values", "FieldType.index",
                                                        "index_batch", "index_tokens"]),
    ("posting pool: add (per answer and field)", ["CompactPool.add", "CompactPool._terms_of"]),
    ("block encoding (pickle, zlib, deltas)", ["BlockFieldWriter.", "_deltas", "_mini_values",
                                               "_mini_weights", "_dumps", "add_block_statistics"]),
    ("posting pool: flush (sort terms, slice)", ["CompactPool."]),
    ("stored fields, columns", ["add_column_value", "finish_doc", "PerDocWriter", "columns.py",
                                "encode_body"]),
    ("Whoosh per-document code", ["SegmentWriter.add_document", "whoosh/writing.py"]),
    ("parse, extract, document fields", ["parse_bytes", "extract", "_document", "index_file",
                                         "file_signature", "_sha1"]),
    ("startup, imports, segmenter load", ["<module>", "load_segmenter", "_jieba", "build ("]),
]


def stage_shares(folded: Path) -> tuple[int, collections.Counter[str]]:
    """(samples, samples per stage) of py-spy's raw (collapsed-stack) output."""
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in folded.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, number = line.rpartition(" ")
        samples = int(number)
        total += samples
        for frame in reversed(stack.split(";")):
            stage = next((name for name, parts in STAGES if any(part in frame for part in parts)), None)
            if stage is not None:
                counts[stage] += samples
                break
        else:
            counts["other"] += samples
    return total, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a benchmarks/generate.py output folder")
    parser.add_argument("--rate", type=int, default=50, help="py-spy samples per second")
    parser.add_argument("--keep", type=Path, help="also keep py-spy's raw stacks here")
    args = parser.parse_args()
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        print("profile_ingest: py-spy is not installed (pip install py-spy)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        folded = args.keep or Path(scratch) / "ingest.folded"
        load = os.getloadavg()[0]
        subprocess.run([py_spy, "record", "-r", str(args.rate), "-f", "raw", "-o", str(folded), "--",
                        sys.executable, "-m", "dlqa", "ingest", str(args.corpus / "pages"),
                        "--index", str(Path(scratch) / "index"), "--jobs", "1"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # py-spy's own share is small
        total, counts = stage_shares(folded)
    cpu = usage.ru_utime + usage.ru_stime
    print(f"one-process ingest of {args.corpus / 'pages'}: {total} samples, ≈ {cpu:.1f} CPU s, "
          f"load {load:.2f} → {os.getloadavg()[0]:.2f}")
    print("| stage | share | ≈ CPU s |")
    print("| --- | --- | --- |")
    for name, _ in [*STAGES, ("other", [])]:
        share = counts[name] / total if total else 0.0
        print(f"| {name} | {100 * share:.1f} % | {share * cpu:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
