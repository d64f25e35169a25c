"""Console-owned audit trail of mutating actions (see `console.audit.log`); `audit_log()` is the process's one."""

from console.audit.log import RESULTS, AuditLog, AuditRecord, Result
from console.audit.runtime import audit_log

__all__ = ["RESULTS", "AuditLog", "AuditRecord", "Result", "audit_log"]
