"""audit log: an index for the audit page's action filter

The audit page (/rbac/audit) filters by action and offers the actions that occur; both read
audit_log_action (action, time, id) instead of scanning the log.

Revision ID: 51b276cb6298
Revises: def946755e1d
Create Date: 2026-12-04 05:00:00.000000

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "51b276cb6298"
down_revision: str | Sequence[str] | None = "def946755e1d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("audit_log_action", ["action", "time", "id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("audit_log_action")
