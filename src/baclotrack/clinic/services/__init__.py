"""Every write of clinical data: one function per action, atomic, each writing its AuditEvent."""
