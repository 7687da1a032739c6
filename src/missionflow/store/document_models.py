"""The tables of the documents a client receives besides invoices: quotes (devis) and their yearly
numbering, and the logos printed on documents. Part of :mod:`missionflow.store.models`' schema."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from missionflow.store.models import Base
from missionflow.store.types import Cents, DecimalText, UTCDateTime


class QuoteRow(Base):
    """An issued quote (devis) in its own gapless yearly series; triggers refuse updates and deletes."""

    __tablename__ = "mf_quotes"
    __table_args__ = (
        UniqueConstraint("number"),
        UniqueConstraint("year", "sequence"),
        CheckConstraint("total_cents >= 0", name="total_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(35))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mf_missions.id"), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    net_cents: Mapped[Decimal] = mapped_column(Cents)
    total_cents: Mapped[Decimal] = mapped_column(Cents)
    deposit_percent: Mapped[Decimal] = mapped_column(DecimalText)
    revision_rounds: Mapped[int] = mapped_column(Integer)
    vat_rate: Mapped[Decimal | None] = mapped_column(DecimalText)
    lines: Mapped[list[object]] = mapped_column(JSON)
    copy: Mapped[dict[str, object]] = mapped_column(JSON)  # issued.DocumentCopy as JSON
    basis: Mapped[str] = mapped_column(String(64))  # digest of the specification it was built from
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuoteCounterRow(Base):
    """The last quote number of a year's series; updated in the quote's transaction."""

    __tablename__ = "mf_quote_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(Integer)
    last_issued_on: Mapped[date] = mapped_column(Date)


class LogoRow(Base):
    """A logo printed on documents, stored once by its SHA-256 when a document is issued with it."""

    __tablename__ = "mf_logos"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LetterRow(Base):
    """A reminder letter (first reminder, second reminder, formal notice) a timer produced, in its own
    gapless yearly series ("REL-2027-0001"); ``copy`` is everything it states (issued.DocumentCopy)."""

    __tablename__ = "mf_letters"
    __table_args__ = (
        UniqueConstraint("number"),
        UniqueConstraint("year", "sequence"),
        CheckConstraint("kind IN ('first_reminder', 'second_reminder', 'formal_notice')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(35))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mf_missions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    issued_on: Mapped[date] = mapped_column(Date)
    trigger: Mapped[str] = mapped_column(String(100))  # the timer that produced it
    copy: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LetterCounterRow(Base):
    """The last letter number of a year's series; updated in the letter's transaction."""

    __tablename__ = "mf_letter_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_sequence: Mapped[int] = mapped_column(Integer)


class SendingRow(Base):
    """A document (invoice, credit note or letter, by its number) e-mailed to a client: written in
    the transaction that sent it, so that it is sent once."""

    __tablename__ = "mf_sendings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("mf_missions.id"), index=True)
    document: Mapped[str] = mapped_column(String(35), index=True)
    recipient: Mapped[str] = mapped_column(String(320))
    message_id: Mapped[str] = mapped_column(String(255))
    actor: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
