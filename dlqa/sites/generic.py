"""The fallback for pages no other site claims: one answer holding the cleaned main text."""

from __future__ import annotations

from dlqa.model import Answer, Page
from dlqa.sites import Site, Source


def recognise(source: Source) -> bool:
    return True


def extract(source: Source) -> Page:
    lines = [line.strip() for line in source.lines]
    title = source.html_title or next((line for line in lines if line), None)
    body = "\n".join(lines)
    return Page(source_file=source.path, site="web", title=title, page_url=source.url,
                answers=[Answer(position=0, body=body)] if body.strip() else [])


SITE = Site("web", recognise, extract)
