"""The effects the trade attaches to transitions: declared here so that workflow files may name
them; the store runs them in the transaction of the transition. The engine finds this module
through the ``missionflow.effects`` entry point."""

from __future__ import annotations

from missionflow.freelance.vocabulary import ISSUE_FINAL_INVOICE
from missionflow.workflow import declare_effect

declare_effect(
    ISSUE_FINAL_INVOICE,
    words={
        "en": "issues the final invoice (the contract, amendments and extras, minus the deposits)",
        "fr": "émet la facture finale (le contrat, les avenants et suppléments, moins les acomptes)",
    },
)
