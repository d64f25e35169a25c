"""The console database's tables, as Reflex models (`rx.Model`): the audit log and the score history.

The schema is created and changed only by the Alembic revisions in `alembic/versions/` (`reflex db
makemigrations` writes them from these models); the audit log's append-only triggers live there too.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

import sqlalchemy
from reflex.model import Model
from sqlmodel import Field

__all__ = ["AuditEntry", "LegacyAuditImport", "OutcomeChangeRecord", "ScoreSample", "table_of"]


class AuditEntry(Model, table=True):
    """One audit record (`console.audit.AuditRecord`). Append-only: never updated or deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sqlalchemy.Index("audit_log_time", "time", "id"),
        sqlalchemy.Index("audit_log_actor", "actor", "time", "id"),
        sqlalchemy.Index("audit_log_action", "action", "time", "id"),  # the audit page's action filter
    )

    time: datetime = Field(sa_type=sqlalchemy.DateTime(timezone=True), nullable=False)  # UTC
    actor: str = Field(nullable=False)  # e.g. "oidc:<sub>"
    action: str = Field(nullable=False)  # e.g. "scale"
    target: str = Field(nullable=False)  # e.g. "deployments.apps/shop/web"
    result: str = Field(nullable=False)  # ok | denied | error
    detail: str = Field(sa_type=sqlalchemy.Text, nullable=False, default="")


class ScoreSample(Model, table=True):
    """A scope's pooled tally at one moment (a sample every 5 minutes and on change; kept 30 days)."""

    __tablename__ = "score_sample"
    __table_args__ = (
        sqlalchemy.Index("score_sample_scope", "scope_kind", "scope_id", "at"),
        sqlalchemy.Index("score_sample_at", "at"),
    )

    scope_kind: str = Field(nullable=False)  # sovereign | organization | environment | application | namespace
    scope_id: str = Field(nullable=False)  # "" for the sovereign; "<environment>/<application>" for an application
    at: float = Field(nullable=False)  # seconds since the epoch
    num: int = Field(nullable=False)  # policy weight passing
    den: int = Field(nullable=False)  # policy weight counted
    violations: int = Field(nullable=False)
    resources: int = Field(nullable=False)


class OutcomeChangeRecord(Model, table=True):
    """One resource's verdict on one policy moved (`console.compliance.model.OutcomeChange`)."""

    __tablename__ = "outcome_change"
    __table_args__ = (sqlalchemy.Index("outcome_change_at", "at"),)

    at: float = Field(nullable=False)  # seconds since the epoch
    resource: str = Field(nullable=False)  # ResourceRef.key: lower(kind)/namespace/name
    namespace: str = Field(nullable=False)
    application: str = Field(nullable=False)
    environment: str = Field(nullable=False)
    organization: str = Field(nullable=False)
    policy: str = Field(nullable=False)
    before: str = Field(nullable=False)  # pass | fail | warn, or "" (did not count)
    after: str = Field(nullable=False)
    weight: int = Field(nullable=False)


class LegacyAuditImport(Model, table=True):
    """An old audit.db whose records were copied into `audit_log` (so a retried import copies nothing twice)."""

    __tablename__ = "legacy_audit_import"

    fingerprint: str = Field(nullable=False, unique=True)  # sha256 of the file's records, in order
    source: str = Field(nullable=False)  # the file's path when it was imported
    records: int = Field(nullable=False)
    imported_at: datetime = Field(sa_type=sqlalchemy.DateTime(timezone=True), nullable=False)


def table_of(model: type[Model]) -> sqlalchemy.Table:
    """The SQLAlchemy table of a model (for Core queries: bulk inserts, selects of a few columns)."""
    return cast(sqlalchemy.Table, model.__table__)  # type: ignore[attr-defined]  # set by SQLModel for table=True
