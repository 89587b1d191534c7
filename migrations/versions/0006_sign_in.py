"""sign-in kept by the server: sessions, limits, known browsers; token age and one-time reset codes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08 10:00:00
"""
import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('account') as batch:
        batch.add_column(sa.Column('api_token_created_at', storage.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('reset_code_hash', sa.String(), nullable=True))
        batch.add_column(sa.Column('reset_expires_at', storage.types.UTCDateTime(), nullable=True))
    # a token made before this version counts from the last change of its credentials
    op.execute("UPDATE account SET api_token_created_at = updated_at WHERE api_token_hash IS NOT NULL")

    op.create_table(
        'sign_in_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('csrf', sa.String(length=64), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('seen_at', storage.types.UTCDateTime(), nullable=False),
        sa.Column('flash', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('sign_in_session') as batch:
        batch.create_index(batch.f('ix_sign_in_session_digest'), ['digest'], unique=True)
        batch.create_index(batch.f('ix_sign_in_session_person_id'), ['person_id'], unique=False)

    op.create_table(
        'sign_in_limit',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('blocked_until', storage.types.UTCDateTime(), nullable=True),
        sa.Column('updated_at', storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )

    op.create_table(
        'sign_in_device',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['person.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('sign_in_device') as batch:
        batch.create_index(batch.f('ix_sign_in_device_digest'), ['digest'], unique=True)
        batch.create_index(batch.f('ix_sign_in_device_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sign_in_device') as batch:
        batch.drop_index(batch.f('ix_sign_in_device_person_id'))
        batch.drop_index(batch.f('ix_sign_in_device_digest'))
    op.drop_table('sign_in_device')
    op.drop_table('sign_in_limit')
    with op.batch_alter_table('sign_in_session') as batch:
        batch.drop_index(batch.f('ix_sign_in_session_person_id'))
        batch.drop_index(batch.f('ix_sign_in_session_digest'))
    op.drop_table('sign_in_session')
    with op.batch_alter_table('account') as batch:
        batch.drop_column('reset_expires_at')
        batch.drop_column('reset_code_hash')
        batch.drop_column('api_token_created_at')
