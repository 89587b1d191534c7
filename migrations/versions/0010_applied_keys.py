"""idempotency keys of applied actions, so a re-run apply file continues where it stopped

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 17:45:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'applied_key',
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('audit_entry_id', sa.Integer(), nullable=False),
        sa.Column('applied_at', storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['audit_entry_id'], ['audit_entry.id']),
        sa.ForeignKeyConstraint(['process_id'], ['process.id']),
        sa.PrimaryKeyConstraint('key'),
    )
    with op.batch_alter_table('applied_key') as batch:
        batch.create_index(batch.f('ix_applied_key_audit_entry_id'), ['audit_entry_id'], unique=False)
        batch.create_index(batch.f('ix_applied_key_process_id'), ['process_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('applied_key') as batch:
        batch.drop_index(batch.f('ix_applied_key_process_id'))
        batch.drop_index(batch.f('ix_applied_key_audit_entry_id'))
    op.drop_table('applied_key')
