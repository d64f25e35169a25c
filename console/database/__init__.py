"""The console database (Reflex's `rx.Model` tables, Alembic migrations): the audit log and the score history.

The domain core never imports this package; it declares the stores it needs (`console.audit.log.AuditStore`,
`console.compliance.history.HistoryStore`) and this package implements them. `runtime.open_database` opens it.
"""
