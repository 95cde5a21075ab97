"""Freeze the seed pages' chrome and answer text into `benchmarks/seed_text.py`.

Why a frozen copy: the generator must produce the same corpus for the same seed forever, even
when `corpus/` gains pages or is reorganised. So the lines it borrows from the five sample pages
(their site chrome, verbatim, non-breaking spaces included, and the sentences of their answer
bodies) are cut out once, by line ranges checked against the files' SHA-1, and written as Python
literals. Re-run only when the borrowed material should change:

    python3 benchmarks/freeze_seeds.py [--corpus corpus]
"""

from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: The sample pages this was written against. A changed file would shift the line ranges.
EXPECTED_SHA1: dict[str, str | None] = {
    "000_51283b9247c6f6b8.txt": "98a4f07ec07d703725254f913ed7307666a674a6",
    "001_2ea22efa9c380bb6.txt": "d8a823d32640a3dfeb269a35544ae49fad34ff66",
    "002_a9eb4036717c8451.txt": "ae1d311cd6b9cf5ad1def9afcc34f29644300e86",
    "003_6d93edac9a05b0ae.txt": "8ffccf63f16f6fa62f09d1b38a97287c13cebd82",
    "004_6ac2522374faf313.txt": "f2113476fadfab5b2dd835ddfa488124d6555389",
}

#: Chrome cut from the samples, as (file, first line, last line), 1-based and inclusive.
CHROME_RANGES: dict[str, tuple[str, int, int]] = {
    # python88.com: the community nav menu down to the breadcrumb.
    "PY88_NAV": ("000_51283b9247c6f6b8.txt", 1, 18),
    # WeChat account promo after the byline, in 000/002/004.
    "PY88_PROMO": ("000_51283b9247c6f6b8.txt", 24, 26),
    "PY88_REPOST": ("000_51283b9247c6f6b8.txt", 28, 28),
    "PY88_DAODU": ("000_51283b9247c6f6b8.txt", 30, 32),
    "PY88_END": ("000_51283b9247c6f6b8.txt", 153, 153),
    # The download list, the 交流群 paragraph and the python88 signature (address and views
    # are substituted by the generator).
    "PY88_FOOTER": ("000_51283b9247c6f6b8.txt", 156, 171),
    "PY88_GOODNEWS": ("002_a9eb4036717c8451.txt", 173, 177),
    # 极市 repost header of 004 (作者丨/来源丨/编辑丨 lines are rebuilt around these).
    "JISHI_TAIL": ("004_6ac2522374faf313.txt", 29, 30),
    "JISHI_DAODU": ("004_6ac2522374faf313.txt", 32, 34),
    # Blog repost fixed headings and footer.
    "BLOG_FOOTER": ("001_2ea22efa9c380bb6.txt", 89, 91),
    # V2EX header (line 6 is the OP's name and 7 the node, rebuilt) and footer.
    "V2EX_HEADER": ("003_6d93edac9a05b0ae.txt", 1, 5),
    "V2EX_FOOTER": ("003_6d93edac9a05b0ae.txt", 315, 320),
}

#: Answer-body line ranges used as the sentence source (attribution lines are dropped below).
BODY_RANGES: list[tuple[str, int, int]] = [
    ("000_51283b9247c6f6b8.txt", 38, 140),
    ("001_2ea22efa9c380bb6.txt", 15, 88),
    ("002_a9eb4036717c8451.txt", 28, 171),
    ("004_6ac2522374faf313.txt", 38, 125),
]
#: Editor's interludes between answers in 000 ("下面两位答主…"): page text, not answer text.
EXCLUDED_LINES = {
    ("000_51283b9247c6f6b8.txt", 55),
    ("000_51283b9247c6f6b8.txt", 88),
    ("000_51283b9247c6f6b8.txt", 104),
}
V2EX_FILE = "003_6d93edac9a05b0ae.txt"

_ATTRIBUTION = re.compile(
    r"^(\s*(作者[:：丨]|来源链接|回答[一二三四五六七八九十]+[:：]|#\s*回答|0\d$|原文链接|https?://\S+$|其他观点))"
)
_FLOOR = re.compile(r"^\s*\xa0 \xa0 \d+$")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…])")


def read_lines(corpus: Path, name: str) -> list[str]:
    """The file's lines, after checking it is still the file the ranges were written for."""
    data = (corpus / name).read_bytes()
    expected = EXPECTED_SHA1.get(name)
    digest = hashlib.sha1(data).hexdigest()
    if expected and digest != expected:
        raise SystemExit(f"{name} changed (sha1 {digest}); re-check the line ranges first")
    return data.decode("utf-8").split("\n")


def sentences_of(line: str) -> list[str]:
    """Split a body line into sentences; tiny fragments are dropped as they read as noise."""
    parts = [part.strip().strip("\xa0") for part in _SENTENCE_END.split(line)]
    return [part for part in parts if len(part) >= 6]


def v2ex_replies(lines: list[str]) -> list[str]:
    """Reply bodies of the V2EX thread, found by its name / floor / name / time rhythm."""
    replies: list[str] = []
    index = 0
    while index < len(lines):
        if index + 1 < len(lines) and _FLOOR.match(lines[index + 1]):
            cursor = index + 3
            if lines[cursor].strip() == "OP":
                cursor += 1
            cursor += 1  # the time line
            body: list[str] = []
            while cursor < len(lines) and not (
                cursor + 1 < len(lines) and _FLOOR.match(lines[cursor + 1])
            ):
                if lines[cursor].startswith("    关于"):
                    break
                body.append(lines[cursor].strip())
                cursor += 1
            text = " ".join(part for part in body if part)
            if text:
                replies.append(text)
            index = cursor
        else:
            index += 1
    return replies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent / "corpus")
    parser.add_argument("--out", type=Path, default=HERE / "seed_text.py")
    args = parser.parse_args()

    out: list[str] = [
        '"""Material borrowed verbatim from the five sample pages in corpus/ (generated file).',
        "",
        "Written by `benchmarks/freeze_seeds.py`; do not edit by hand. Chrome lines keep their",
        "non-breaking spaces; SENTENCES and V2EX_REPLIES are the sample answer bodies, split.",
        '"""',
        "",
    ]
    for name, (file_name, first, last) in CHROME_RANGES.items():
        lines = read_lines(args.corpus, file_name)[first - 1 : last]
        out.append(f"{name} = (")
        out.extend(f"    {line!r}," for line in lines)
        out.append(")")
    sentences: list[str] = []
    for file_name, first, last in BODY_RANGES:
        for number, line in enumerate(read_lines(args.corpus, file_name)[first - 1 : last], first):
            if (
                not line.strip()
                or _ATTRIBUTION.match(line)
                or (file_name, number) in EXCLUDED_LINES
            ):
                continue
            for sentence in sentences_of(line.strip()):
                if sentence not in sentences:
                    sentences.append(sentence)
    out.append("SENTENCES = (")
    out.extend(f"    {sentence!r}," for sentence in sentences)
    out.append(")")
    out.append("V2EX_REPLIES = (")
    out.extend(f"    {reply!r}," for reply in v2ex_replies(read_lines(args.corpus, V2EX_FILE)))
    out.append(")")
    args.out.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(sentences)} sentences)")


if __name__ == "__main__":
    main()
