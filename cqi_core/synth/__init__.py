"""The synthetic agency generator: a whole child welfare agency in the canonical export.

`generate(size, out)` writes every table of docs/DATA_CONTRACT.md (CSV files and the case
review workbook) plus a README that states the seed, the as-of date and the planted
changes. Sizes: "demo" (about 8,000 children; committed in data/sample) and "state"
(about 200,000 children and millions of rows, generated in chunks with bounded memory).
The knobs (sizes, rates, planted changes, dates) live in plan.yaml; reviewer narratives
and feedback texts in narratives.yaml and voices.yaml.

Layers, in the order the generator runs them: plan → agency (units, workforce) → people
(families, children) → care (episodes) → placements → visits → reports → reviews
(casefacts, narratives) → voices (feedback, staff survey) → dirty (optional) → writer.
"""

from __future__ import annotations

from cqi_core.synth.generator import GenerateSummary, PlantedChange, generate
from cqi_core.synth.plan import PUBLIC_SIZES

__all__ = ["PUBLIC_SIZES", "GenerateSummary", "PlantedChange", "generate"]
