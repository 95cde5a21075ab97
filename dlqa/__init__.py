"""dlqa: a searchable library of answers from saved Chinese deep-learning Q&A pages.

The pipeline, one module per stage: `reader` (bytes → text) → `blocks` (HTML → lines) →
`sites` (recognise the site, strip its chrome) → `layouts` (split into answers) → `model`
(`Page`, `Answer`) → `analysis` (jieba segmentation) → `index` (Whoosh) → `query` → `search`
→ `render_human` / `render_json`. `extract.parse_file` is the entry point of extraction.
"""

__version__ = "0.1.0"
