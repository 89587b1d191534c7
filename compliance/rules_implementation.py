"""Rules for implementation, monitoring and reporting."""
from __future__ import annotations

from i18n import N_, NN_

from . import evidence as ev
from .facts import Facts, months_after, plus_months
from .model import Item, Result, capped, met, not_applicable, not_enough_data, not_met

DAYS_PER_YEAR = 365.25


def implementation_dialogue(f: Facts) -> Result:
    need = f.s["implementation_min_sessions_per_year"]
    stage = f.s["implementation_starts_at"]
    start = f.entered(stage)
    if start is None:
        return not_applicable(N_("Implementation has not started yet: it starts with the stage '{stage:stage}'."),
                              stage=stage, need=need)
    end = f.end
    in_period = [s for s in f.held_sessions if start <= s.scheduled_for <= end]
    with_cs = [s for s in in_period if any(not f.is_government(x) for x in f.sectors_present(s))]
    doubtful = [s for s in f.unknown_sessions if start <= s.scheduled_for <= end] + \
               [s for s in in_period if not f.attendance_by_session.get(s.id)]
    windows, short, pending = [], [], None
    k = 0
    while True:
        w0, w1 = plus_months(start, 12 * k), plus_months(start, 12 * (k + 1))
        if w0 >= end:
            break
        count = sum(1 for s in with_cs if w0 <= s.scheduled_for < w1)
        if w1 <= end:
            required = need
        elif f.closed_at is not None:
            required = int(need * (end - w0).days / DAYS_PER_YEAR + 0.5)
        else:
            required = None
        windows.append((w0, w1, count, required))
        if required is None:
            pending = (w0, w1, count)
        elif count < required:
            short.append((w0, min(w1, end), count, required))
        k += 1
    evidence = [ev.session(f, s, N_("non-government sectors present: {sectors:sector}"),
                           sectors=sorted(x for x in f.sectors_present(s) if not f.is_government(x))) for s in with_cs]
    details = dict(need=need, count=len(with_cs), start=f.iso(start))
    if short:
        missing = [Item("window", f"{f.iso(a)}/{f.iso(b)}",
                        note=NN_("{n} of {req} session with civil society", "{n} of {req} sessions with civil society",
                                 count="req"),
                        fields={"n": n, "req": req}) for a, b, n, req in short]
        if any(a <= s.scheduled_for <= b for s in doubtful for a, b, _, _ in short):
            return not_enough_data(N_("Some year lacks sessions with civil society, but some sessions have no attendance recorded."),
                                   missing=[ev.session(f, s) for s in doubtful] + missing, evidence=evidence, **details)
        return not_met(N_("During implementation some year had fewer than {need} secretariat sessions with civil society."),
                       missing=missing, evidence=evidence, final=True,
                       next_step=N_("Meet with civil society at least {need} times a year to present progress and gather comments."),
                       **details)
    step = None
    if pending is not None and pending[2] < need:
        step = NN_("{left} more session with civil society is due by {due}.",
                   "{left} more sessions with civil society are due by {due}.", count="left")
        details.update(left=need - pending[2], due=f.iso(pending[1]))
        if len(windows) == 1:
            return not_applicable(NN_("First implementation year under way: {count} of {need} session with civil society; "
                                      "judged when the year ends ({due}).",
                                      "First implementation year under way: {count} of {need} sessions with civil society; "
                                      "judged when the year ends ({due}).", count="need"),
                                  evidence=evidence, next_step=step, **details)
    return met(NN_("{count} secretariat session with civil society during implementation (at least {need} a year).",
                   "{count} secretariat sessions with civil society during implementation (at least {need} a year)."),
               evidence=evidence, next_step=step, **details)


def progress_reported(f: Facts) -> Result:
    months = f.s["progress_max_months"]
    start = f.entered(f.s["implementation_starts_at"])
    if start is None:
        return not_applicable(N_("Implementation has not started yet."), months=months)
    end = f.end
    undated = [a for a in f.r.activities if a.start_date is None]
    overdue, waiting, started = [], [], 0
    end_day, start_day = f.day(end), f.day(start)
    for a in f.r.activities:
        a_start = a.start_date
        if a_start is None or a_start > end_day:
            continue
        started += 1
        since = max(a_start, start_day)
        reports, done = f.progress_by_activity.get(a.id, ()), False
        for p in reports:
            when = p.reported_on
            if when > months_after(since, months):
                overdue.append((a, since, when))
            if when > since:
                since = when
            if p.status == "completed" or p.percent >= 100:
                done = True
                break
        if done:
            continue
        if end_day > months_after(since, months):
            overdue.append((a, since, end_day))
        elif not reports:
            waiting.append((a, months_after(since, months)))
    details = dict(months=months, started=started, waiting=len(waiting), action="report_progress")
    if waiting:
        details["due"] = f.iso(min(d for _, d in waiting))
    if overdue:
        ms, total = capped(overdue, lambda x: ev.activity(
            x[0], N_("no progress report from {since} to {until}"),
            since=f.iso(x[1]), until=f.iso(x[2])))
        return not_met(NN_("{count} period of more than {months} months without a progress report of a started, unfinished activity.",
                           "{count} periods of more than {months} months without a progress report of a started, unfinished activity."),
                       missing=ms, missing_total=total, count=total,
                       next_step=N_("Report those activities' progress with evidence ('{action:action}')."), **details)
    if undated:
        ms, total = capped(undated, ev.activity)
        return not_enough_data(N_("Activities without a start date: whether they were due to report is unknown."),
                               missing=ms, missing_total=total, **details)
    if not started:
        return not_applicable(N_("No activity has started yet."), **details)
    step = NN_("Report the first progress of {waiting} activity by {due} ('{action:action}').",
               "Report the first progress of {waiting} activities by {due} ('{action:action}').",
               count="waiting") if waiting else None
    if len(waiting) == started:
        return not_applicable(NN_("The started activity is still within the time for its first report.",
                                  "The {started} started activities are still within the time for their first report.",
                                  count="started"),
                              next_step=step, **details)
    reports = [p for p in f.r.progress_reports if p.evidence_ref]
    key = {a.id: a.key for a in f.r.activities}
    evs, total = capped(reports, lambda p: Item("progress_report", key.get(p.activity_id, "?"), p.reported_on.isoformat(),
                                                p.evidence_ref))
    return met(NN_("No started activity has gone more than {months} months without a progress report ({started} started).",
                   "No started activity has gone more than {months} months without a progress report ({started} started).",
                   count="started"),
               evidence=evs, evidence_total=total, next_step=step, **details)


def implementation_progress(f: Facts) -> Result:
    start = f.entered(f.s["implementation_starts_at"])
    if start is None:
        return not_applicable(N_("Implementation has not started yet."))
    ended = f.closed_at is not None or f.today >= f.term_end
    progressed = []
    for c in f.r.commitments:
        for a in f.activities_by_commitment.get(c.id, []):
            p = f.latest_progress.get(a.id)
            if p is not None and (p.status != "not_started" or p.percent > 0):
                progressed.append(c)
                break
    details = dict(n=len(progressed), total=len(f.r.commitments), end=f.term_end.isoformat(), action="report_progress")
    if progressed:
        return met(N_("Commitments with implementation progress: {n} of {total}."),
                   evidence=[ev.commitment(c) for c in progressed], **details)
    step = N_("Report the activities' progress ('{action:action}').")
    if not ended:
        return not_applicable(N_("No commitment shows progress yet; this is judged at the end of the plan ({end})."),
                              next_step=step, **details)
    if not f.r.progress_reports:
        return not_enough_data(N_("There is no progress report: no evidence to judge implementation."),
                               missing=[Item("progress_report", "progress_report", name=N_("a progress report"))],
                               next_step=step, **details)
    return not_met(N_("At the end of the plan no commitment moved past 'not started'."),
                   missing=[ev.commitment(c) for c in f.r.commitments], final=f.closed_at is not None, next_step=step, **details)
