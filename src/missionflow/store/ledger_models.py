"""The ledger's tables: its entries and its one head row (see store/ledger.py for how they are
written and store/ledger_verify.py for how they are checked)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, bindparam, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from missionflow.store.models import Base
from missionflow.store.types import UTCDateTime


class LedgerRow(Base):
    """One entry of the tamper-evident ledger: what a covered row held after a write, chained to the
    entry before it (``prev``) and to its subject's previous entry (``subject_prev``), and sealed
    with an HMAC under a key kept outside the database."""

    __tablename__ = "mf_ledger"
    __table_args__ = (CheckConstraint("seq >= 1", name="seq_from_one"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(30))
    row_key: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(100))
    subject_prev: Mapped[str] = mapped_column(String(64))
    prev: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(16))
    mac: Mapped[str] = mapped_column(String(64))


# A write finds its subject's last entry by this index (the subject chain).
Index("ix_mf_ledger_subject_seq", LedgerRow.subject, LedgerRow.seq)


class LedgerHeadRow(Base):
    """The ledger's one head row (id 1): where the chain ends, sealed so that cutting its tail shows.
    Every write locks it to append, so the sequence has no gap and no fork."""

    __tablename__ = "mf_ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ledger_id: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    mac: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    head_mac: Mapped[str] = mapped_column(String(64))


HEAD_ID = 1
"""The head is the one row of its table."""
LEDGER = Base.metadata.tables[LedgerRow.__tablename__]
HEAD = Base.metadata.tables[LedgerHeadRow.__tablename__]

LAST_OF_SUBJECT = (
    select(LEDGER.c.mac)
    .where(LEDGER.c.subject == bindparam("subject"))
    .order_by(LEDGER.c.seq.desc())
    .limit(1)
    .scalar_subquery()
)
# Built once: building a statement costs more than running it (SQLAlchemy derives its cache key
# anew for each new statement object): 3 statements built per fire were a fifth of its time.
HEAD_QUERY = (
    select(HEAD.c.ledger_id, HEAD.c.seq, HEAD.c.mac, HEAD.c.key_id, HEAD.c.head_mac, LAST_OF_SUBJECT)
    .where(HEAD.c.id == HEAD_ID)
    .with_for_update(of=HEAD)
)
INSERT_ENTRIES = insert(LEDGER)
MOVE_HEAD = (
    update(HEAD)
    .where(HEAD.c.id == HEAD_ID)
    .values(
        seq=bindparam("new_seq"),
        mac=bindparam("new_mac"),
        key_id=bindparam("new_key_id"),
        head_mac=bindparam("new_head_mac"),
    )
)
