"""Console-owned audit trail of mutating actions (see `console.audit.log`); `audit_log()` is the process's one."""

from console.audit.log import RESULTS, AuditLog, AuditNotWritable, AuditRecord, AuditStore, Result
from console.audit.query import AuditPage, AuditQuery, InvalidAuditQuery, StoredRecord
from console.audit.runtime import AuditLogUnavailable, audit_log

__all__ = [
    "RESULTS",
    "AuditLog",
    "AuditLogUnavailable",
    "AuditNotWritable",
    "AuditPage",
    "AuditQuery",
    "AuditRecord",
    "AuditStore",
    "InvalidAuditQuery",
    "Result",
    "StoredRecord",
    "audit_log",
]
