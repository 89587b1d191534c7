"""Loading everything about one process into :class:`stages.Records`."""
from __future__ import annotations

from sqlmodel import Session, select

from stages import Records

from . import models as m

_BY_PROCESS = {
    "people": m.Person, "withdrawals": m.SectorWithdrawal, "sessions": m.SecretariatSession,
    "decisions": m.Decision, "documents": m.Document, "declarations": m.Declaration,
    "channels": m.Channel, "inputs": m.Input, "themes": m.Theme,
    "sensitization_sessions": m.SensitizationSession, "working_tables": m.WorkingTable,
    "problem_trees": m.ProblemTree, "commitments": m.Commitment, "agencies": m.Agency,
    "activities": m.Activity, "indicators": m.Indicator, "progress_reports": m.ProgressReport,
    "public_events": m.PublicEvent, "stage_changes": m.StageChange,
    "commitment_assessments": m.CommitmentAssessment,
}


def load_records(session: Session, process: m.Process) -> Records:
    rows = {name: list(session.exec(select(model).where(model.process_id == process.id).order_by(model.id)))
            for name, model in _BY_PROCESS.items()}
    session_ids = [s.id for s in rows["sessions"]]
    decision_ids = [d.id for d in rows["decisions"]]
    rows["attendance"] = list(session.exec(
        select(m.Attendance).where(m.Attendance.session_id.in_(session_ids)).order_by(m.Attendance.id))) if session_ids else []
    rows["votes"] = list(session.exec(
        select(m.Vote).where(m.Vote.decision_id.in_(decision_ids)).order_by(m.Vote.id))) if decision_ids else []
    commitment_ids = [c.id for c in rows["commitments"]]
    rows["commitment_versions"] = list(session.exec(
        select(m.CommitmentVersion).where(m.CommitmentVersion.commitment_id.in_(commitment_ids))
        .order_by(m.CommitmentVersion.id))) if commitment_ids else []
    return Records(process=process, **rows)
