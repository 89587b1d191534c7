"""index for the page's news: a process's inputs by when they received their reasoned response

Revision ID: 0024
Revises: 0019
Create Date: 2026-12-01 00:30:00
"""
from alembic import op

revision = '0024'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('input', schema=None) as batch_op:
        batch_op.create_index('ix_input_process_answered', ['process_id', 'answered_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('input', schema=None) as batch_op:
        batch_op.drop_index('ix_input_process_answered')
