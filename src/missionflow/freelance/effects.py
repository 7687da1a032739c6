"""The effects the trade attaches to transitions: declared here so that workflow files may name
them; the store runs them in the transaction of the transition. The engine finds this module
through the ``missionflow.effects`` entry point."""

from __future__ import annotations

from missionflow.freelance.vocabulary import (
    FIRST_REMINDER_LETTER,
    FORMAL_NOTICE_LETTER,
    ISSUE_FINAL_INVOICE,
    SECOND_REMINDER_LETTER,
)
from missionflow.workflow import declare_effect

declare_effect(
    ISSUE_FINAL_INVOICE,
    words={
        "en": "issues the final invoice (the contract, amendments and extras, minus the deposits)",
        "fr": "émet la facture finale (le contrat, les avenants et suppléments, moins les acomptes)",
    },
)
declare_effect(
    FIRST_REMINDER_LETTER,
    words={
        "en": "writes a payment reminder about what is still unpaid, in the client's language",
        "fr": "rédige une relance de paiement des sommes impayées, dans la langue du client",
    },
)
declare_effect(
    SECOND_REMINDER_LETTER,
    words={
        "en": "writes a second reminder, which announces a formal notice",
        "fr": "rédige une seconde relance, qui annonce la mise en demeure",
    },
)
declare_effect(
    FORMAL_NOTICE_LETTER,
    words={
        "en": "writes a formal notice to pay, with late interest and the recovery indemnity",
        "fr": "rédige une mise en demeure de payer, avec les pénalités et l'indemnité de recouvrement",
    },
)
