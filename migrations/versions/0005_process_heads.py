"""the process row keeps its audit chain's head and its key counters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 15:00:00
"""
import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process') as batch:
        batch.add_column(sa.Column('audit_seq', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('audit_head', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('audit_at', storage.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('counters', sa.JSON(), nullable=False, server_default='{}'))
    # the head of every existing chain: its newest entry
    op.execute("""
        UPDATE process SET
          audit_seq = COALESCE((SELECT MAX(seq) FROM audit_entry a WHERE a.process_id = process.id), 0),
          audit_head = (SELECT hash FROM audit_entry a WHERE a.process_id = process.id
                        ORDER BY seq DESC LIMIT 1),
          audit_at = (SELECT at FROM audit_entry a WHERE a.process_id = process.id ORDER BY seq DESC LIMIT 1)
    """)


def downgrade() -> None:
    with op.batch_alter_table('process') as batch:
        batch.drop_column('counters')
        batch.drop_column('audit_at')
        batch.drop_column('audit_head')
        batch.drop_column('audit_seq')
