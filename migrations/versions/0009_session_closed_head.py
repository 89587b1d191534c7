"""a secretariat session keeps the head of the audit chain at its close

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 18:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('secretariat_session') as batch:
        batch.add_column(sa.Column('closed_seq', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('closed_head', sa.String(length=64), nullable=True))
    # sessions closed before: the head their close_session entry links to, from the trail
    op.execute("""
        UPDATE secretariat_session SET
          closed_seq = (SELECT a.seq - 1 FROM audit_entry a WHERE a.process_id = secretariat_session.process_id
                        AND a.action = 'close_session' AND a.session_key = secretariat_session.key
                        ORDER BY a.seq DESC LIMIT 1),
          closed_head = (SELECT a.prev_hash FROM audit_entry a WHERE a.process_id = secretariat_session.process_id
                         AND a.action = 'close_session' AND a.session_key = secretariat_session.key
                         ORDER BY a.seq DESC LIMIT 1)
        WHERE closed_at IS NOT NULL
    """)


def downgrade() -> None:
    with op.batch_alter_table('secretariat_session') as batch:
        batch.drop_column('closed_head')
        batch.drop_column('closed_seq')
