"""Console-owned audit trail of mutating actions (see `console.audit.log`)."""

from console.audit.log import RESULTS, AuditLog, AuditRecord, Result

__all__ = ["RESULTS", "AuditLog", "AuditRecord", "Result"]
