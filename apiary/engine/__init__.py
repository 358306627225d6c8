"""The engine: records, permissions, workflows and the audit trail, in one transaction.

    runtime = Runtime(db, apps)                      apps served from one database
    runtime.publish(app)                             serve a new app version
    svc = runtime.records("helpdesk")                RecordService for the current version
    principal = runtime.identity.authenticate(token, "helpdesk")
    svc.list(principal, "Ticket", ListQuery(filter="priority == 'high'")) -> Page
    svc.get / create / update / delete / transition / history
    svc.aggregate(principal, "Ticket", AggregateQuery(group_by="priority")) -> Aggregate
                                                     counts, sums... in one SELECT, same rules
    verify_audit(db) -> AuditReport                  check the audit trail's hash chain

Every surface (API, web, automations, importers) calls these; none re-implements a rule.
Errors are drawn in :mod:`apiary.engine.errors`.
"""

from apiary.engine.aggregates import Aggregate, AggregateQuery, Bucket
from apiary.engine.errors import (
    BadRequest,
    Conflict,
    EngineError,
    FieldProblem,
    Forbidden,
    Invalid,
    NotFound,
    PreconditionFailed,
    Unauthorized,
)
from apiary.engine.listing import ListQuery, Page
from apiary.engine.permissions import may_read_field, may_write_field
from apiary.engine.principal import Principal
from apiary.engine.records import RecordService
from apiary.engine.runtime import Runtime
from apiary.engine.verification import AuditProblem, AuditReport, verify_audit

__all__ = [
    "Aggregate",
    "AggregateQuery",
    "AuditProblem",
    "AuditReport",
    "BadRequest",
    "Bucket",
    "Conflict",
    "EngineError",
    "FieldProblem",
    "Forbidden",
    "Invalid",
    "ListQuery",
    "NotFound",
    "Page",
    "PreconditionFailed",
    "Principal",
    "RecordService",
    "Runtime",
    "Unauthorized",
    "may_read_field",
    "may_write_field",
    "verify_audit",
]
