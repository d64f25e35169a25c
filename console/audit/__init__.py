"""Console-owned audit trail of mutating actions (see `console.audit.log`); `audit_log()` is the process's one."""

from console.audit.log import RESULTS, AuditLog, AuditRecord, AuditStore, Result
from console.audit.runtime import AuditLogUnavailable, audit_log

__all__ = ["RESULTS", "AuditLog", "AuditLogUnavailable", "AuditRecord", "AuditStore", "Result", "audit_log"]
