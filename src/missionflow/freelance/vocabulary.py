"""The words the freelance trade gives meaning to in a workflow file: tags on states and
transitions, the effects a store runs, the parties, and the facts guards read.

A workflow means these by declaring them (``tags: [approval]`` on the transition the client
approves with), so that no code has to recognise a trigger or a state by its name: copy a
workflow, rename every trigger, and the trade still knows which one approves.
"""

from __future__ import annotations

# --- tags on states ---------------------------------------------------------------------------

WORK = "work"
"""A state where the freelancer is working: its days count as effort in the clients report."""

# --- tags on transitions ----------------------------------------------------------------------

SIGNATURE = "signature"
"""The client signs the quote and the terms: ``contract sign`` records the contract with it."""
APPROVAL = "approval"
"""The client approves the work: ``mission approve-tacit`` fires it on the client's silence."""
DELIVERY = "delivery"
"""The freelancer hands over a deliverable: ``missionflow deliver`` fires it."""
REVISION = "revision"
"""The client asks for a revision round: the rounds are counted against those agreed."""
SESSION = "session"
"""A coaching session is held: sessions are counted against those agreed."""

# --- effects ----------------------------------------------------------------------------------

ISSUE_FINAL_INVOICE = "issue_final_invoice"
"""The store issues the final invoice in the transaction of the transition."""
FIRST_REMINDER_LETTER = "first_reminder_letter"
"""The store writes a payment reminder about what is still unpaid (a timer's reminder)."""
SECOND_REMINDER_LETTER = "second_reminder_letter"
"""The store writes a second reminder, which announces the formal notice."""
FORMAL_NOTICE_LETTER = "formal_notice_letter"
"""The store writes a formal notice to pay, with the late interest and the recovery indemnity."""
LETTER_EFFECTS = {
    FIRST_REMINDER_LETTER: "first_reminder",
    SECOND_REMINDER_LETTER: "second_reminder",
    FORMAL_NOTICE_LETTER: "formal_notice",
}
"""Each letter effect and the kind of letter it writes: how a workflow declares the escalation
(first reminder, second reminder, formal notice) on the timers it chooses."""

# --- history entries that are not transitions ---------------------------------------------------

DOCUMENT_SENT = "document_sent"
"""The trigger of the history entry that records a document e-mailed to the client: the mission
stays where it is (source and destination are its state)."""

# --- parties ----------------------------------------------------------------------------------

CLIENT = "client"
FREELANCER = "freelancer"
PARTIES = (FREELANCER, CLIENT)

# --- facts ------------------------------------------------------------------------------------

FACTS = frozenset(
    {
        "client",
        "criteria_answers",
        "specification",
        "contract",
        "amendments",
        "payments",
        "invoices",
        "dues",
        "history",
    }
)
"""The parts of a Mission a store reads from separate rows; a guard declares those it reads.

The mission's own fields (state, amount, deposit, deadline, revision counts...) are always there.
"""
SETTINGS = "settings"
"""The fact (in the guard context) that holds the freelancer's Settings."""
