"""citizens take part: inputs from the public site (kind, themes, profile, hidden with a reason;
comments on the draft commitments have no channel),
the contacts citizens give (confirmed, following, erased) and the outbox writing to them

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 17:30:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('citizen_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('following', sa.Boolean(), nullable=False),
    sa.Column('followed_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('unfollowed_at', storage.types.UTCDateTime(), nullable=True),
    sa.Column('erased_at', storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('process_id', 'email'),
    sa.UniqueConstraint('token'),
    )
    with op.batch_alter_table('citizen_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citizen_contact_process_id'), ['process_id'], unique=False)

    with op.batch_alter_table('input', schema=None) as batch_op:
        batch_op.alter_column('channel_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), server_default='input',
                                      nullable=False))
        batch_op.add_column(sa.Column('commitment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('themes', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('profile', sa.JSON(), server_default='{}', nullable=False))
        batch_op.add_column(sa.Column('source_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('hidden_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('hidden_note', sqlmodel.sql.sqltypes.AutoString(), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('hidden_at', storage.types.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_input_source_digest'), ['source_digest'], unique=False)
        batch_op.create_foreign_key('fk_input_commitment_id', 'commitment', ['commitment_id'], ['id'])

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('contact_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_outbox_contact_id', 'citizen_contact', ['contact_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_contact_id', type_='foreignkey')
        batch_op.drop_column('contact_id')
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('input', schema=None) as batch_op:
        batch_op.drop_constraint('fk_input_commitment_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_input_source_digest'))
        for column in ('hidden_at', 'hidden_note', 'hidden_reason', 'source_digest', 'profile', 'themes',
                       'commitment_id', 'kind'):
            batch_op.drop_column(column)
        batch_op.alter_column('channel_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('citizen_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citizen_contact_process_id'))
    op.drop_table('citizen_contact')
