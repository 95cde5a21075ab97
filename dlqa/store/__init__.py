"""The index on disk as dlqa manages it: where it is and what it remembers (`manifest`),
opening it and calling it damaged (`opening`), what one answer becomes in it
(`documents`), filling it (`ingest`, with `workers`), and what it holds (`stats`)."""
