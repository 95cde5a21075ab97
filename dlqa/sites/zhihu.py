"""Placeholder: the zhihu rules are being written."""

from __future__ import annotations

from dlqa.model import Page
from dlqa.sites import Site, Source


def recognise(source: Source) -> bool:
    return False


def extract(source: Source) -> Page:
    return Page(source_file=source.path, site="zhihu")


SITE = Site("zhihu", recognise, extract)
