"""a channel's place, schedule and instructions (how to take part in person); an input's text as
received when it held contact data (private: the published text is masked); following a process
confirmed by its own link (``citizen_contact.follow_confirmed_at``; those who followed and had
confirmed their address before keep receiving the digest)

Revision ID: 0018
Revises: 0015
Create Date: 2026-11-30 20:40:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0018'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('channel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('schedule', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('instructions', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('input', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_text', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    with op.batch_alter_table('citizen_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_confirmed_at', storage.types.UTCDateTime(), nullable=True))
    contact = sa.table('citizen_contact', sa.column('following', sa.Boolean()),
                       sa.column('confirmed_at', storage.types.UTCDateTime()),
                       sa.column('follow_confirmed_at', storage.types.UTCDateTime()))
    op.execute(contact.update().where(contact.c.following.is_(True), contact.c.confirmed_at.is_not(None))
               .values(follow_confirmed_at=contact.c.confirmed_at))


def downgrade() -> None:
    with op.batch_alter_table('citizen_contact', schema=None) as batch_op:
        batch_op.drop_column('follow_confirmed_at')
    with op.batch_alter_table('input', schema=None) as batch_op:
        batch_op.drop_column('original_text')
    with op.batch_alter_table('channel', schema=None) as batch_op:
        batch_op.drop_column('instructions')
        batch_op.drop_column('schedule')
        batch_op.drop_column('place')
