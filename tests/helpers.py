"""Paths shared by the tests."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = sorted(CORPUS.glob("*.txt"))

#: Chrome that must never reach an answer body, whatever the page.
CHROME_MARKERS = (
    "社区所有版块导航",
    "选择加\"星标\"",
    "重磅干货",
    "第一时间送达",
    "下载1",
    "下载2",
    "交流群",
    "知识星球",
    "本文地址",
    "次点击",
    "更多推荐",
    "所有评论",
    "这是一个创建于",
    "VERSION:",
    "帮助文档",
    "著作权归作者所有",
    "点击上方",
    "现在注册",
    "Python社区是",
    "二次转载",
    "本文转自",
)


def result_ids(data: dict) -> set[str]:
    """The ids of the answers a `search --json` result says match every term (partial matches,
    listed after them with their `missing` terms, left out)."""
    return {result["id"] for result in data["results"] if not result.get("missing")}


def strings_in(value: object) -> list[str]:
    """Every string inside a JSON-like value (dicts, lists, nested), in order."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings_in(item)]
    return []
