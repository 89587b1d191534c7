"""an audit entry keeps when it was recorded beside when the fact happened

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 16:30:00
"""
import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_entry') as batch:
        batch.add_column(sa.Column('recorded_at', storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_entry') as batch:
        batch.drop_column('recorded_at')
