"""The root of Apiary's exception tree.

    ApiaryError
    ├── DefinitionError      a definition document has problems (apiary.definition)
    ├── ExprError            an expression does not parse or type-check (apiary.expr)
    ├── StorageError         the database cannot be reached or migrated (apiary.storage)
    │   └── MigrationError   ... DestructiveMigration, BlockedMigration, MigrationConflict
    ├── IdentityError        a user, role or token operation cannot be done (apiary.identity)
    └── EngineError          a request the engine refuses; carries an HTTP status and the
                             fields at fault (apiary.engine: BadRequest, Unauthorized,
                             Forbidden, NotFound, Conflict, PreconditionFailed, Invalid)

Every message says what went wrong in the user's terms and what to do next; the CLI prints it
without a traceback.
"""

from __future__ import annotations


class ApiaryError(Exception):
    """Base class of every error Apiary raises on purpose."""
