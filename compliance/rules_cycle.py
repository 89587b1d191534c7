"""Rules that hold throughout the cycle: the forum, the public repository, the plan calendar.

Why one module: one pure function per rule of the whole cycle, sharing the forum's and the
repository's items; developing and implementing the plan have their own modules.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter

from i18n import N_, NN_, Msg

from . import evidence as ev
from .facts import Facts, count_in, criterion, is_url, months_after, plus_months
from .model import Item, Result, capped, counted, met, not_applicable, not_enough_data, not_met


MEMBERS = NN_("{count} member", "{count} members")
PUBLISH = "publish_document"


def forum_mixed(f: Facts) -> Result:
    unknown = [p for p in f.r.people if p.role == "member" and (p.joined_at is None or not p.sector)]
    if unknown:
        return not_enough_data(
            NN_("{count} member has no sector or joining date: who was seated cannot be told.",
                "{count} members have no sector or joining date: who was seated cannot be told."),
            missing=[Item("member", p.handle) for p in unknown], count=len(unknown),
            next_step=N_("Record each member's sector and joining date."))
    when = f.entered("consultation") if f.passed("declaration") and f.entered("consultation") else f.as_of
    members = f.members_at(when)
    seated = Counter(p.sector for p in members)
    gov = sum(n for s, n in seated.items() if f.is_government(s))
    non = sum(n for s, n in seated.items() if not f.is_government(s))
    gaps = []
    if not gov:
        gaps.append(Item("sectors", "government", name=N_("no government member")))
    if not non:
        gaps.append(Item("sectors", "non_government", name=N_("no non-government member")))
    for s, need in sorted(f.r.required_sectors.items()):
        if seated.get(s, 0) < max(need, 1):
            gaps.append(Item("sector", s, note=NN_("required sector: {have} of {count} seat", "required sector: {have} of {count} seats"),
                             fields={"have": seated.get(s, 0), "count": max(need, 1)}))
    evidence = [Item("sector", s, note=MEMBERS, fields={"count": n}) for s, n in sorted(seated.items())]
    common = dict(date=f.iso(when), evidence=evidence)
    if not gaps:
        return met(N_("On {date}: {gov} and {non}; every required sector is seated."),
                   gov=counted(NN_("{count} government member", "{count} government members"), gov),
                   non=counted(NN_("{count} non-government member", "{count} non-government members"), non), **common)
    return not_met(N_("On {date} the secretariat is not mixed or lacks required sectors."), missing=gaps,
                   next_step=N_("Add members of the missing sectors ('{action:action}') before the consultation starts."),
                   action="add_person", **common)


RECORD_SESSIONS = N_("Record the attendance or the closing of those sessions.")


def forum_cadence(f: Facts) -> Result:
    gap = f.s["forum_max_gap_months"]
    held = f.held_sessions
    end = f.end
    if not held:
        due = plus_months(f.start, gap)
        if f.unknown_sessions:
            return not_enough_data(
                N_("Sessions whose date has passed have neither attendance nor closing recorded: whether they met is unknown."),
                missing=[ev.session(f, s) for s in f.unknown_sessions], gap=gap,
                next_step=RECORD_SESSIONS)
        if end > due:
            return not_met(N_("The secretariat has not met in the {gap} months since the process was created ({start})."),
                           missing=[Item("gap", f"{f.iso(f.start)}/{f.iso(end)}")], gap=gap, start=f.iso(f.start),
                           final=True, next_step=N_("Convene and hold a secretariat session."))
        return not_applicable(N_("The secretariat is not installed yet; its first session is due by {due}."),
                              due=f.iso(due), gap=gap,
                              next_step=N_("Install the secretariat in session before {due}."))
    points = [s.scheduled_for for s in held] + [end]
    long_gaps = [(a, b) for a, b in zip(points, points[1:]) if b > plus_months(a, gap)]
    longest = max((b - a).days for a, b in zip(points, points[1:])) if len(points) > 1 else 0
    evidence, total = capped(held, lambda s: ev.session(f, s))
    details = dict(n=len(held), gap=gap, longest=longest, evidence=evidence, evidence_total=total)
    if not long_gaps:
        due = plus_months(held[-1].scheduled_for, gap)
        step = None if f.closed_at else N_("The next session must be held by {due}.")
        return met(NN_("{n} session held; the longest gap was {longest} days (at most {gap} months).",
                       "{n} sessions held; the longest gap was {longest} days (at most {gap} months).", count="n"),
                   next_step=step, due=f.iso(due), **details)
    doubtful = [s for s in f.unknown_sessions if any(a < s.scheduled_for < b for a, b in long_gaps)]
    missing = [Item("gap", f"{f.iso(a)}/{f.iso(b)}", note=N_("{days} days without a session"),
                    fields={"days": (b - a).days}) for a, b in long_gaps]
    if doubtful:
        return not_enough_data(
            N_("There are gaps over {gap} months, but sessions in them have neither attendance nor closing recorded."),
            missing=[ev.session(f, s) for s in doubtful] + missing,
            next_step=RECORD_SESSIONS, **details)
    return not_met(NN_("The secretariat went more than {gap} months without meeting (once: {longest} days).",
                       "The secretariat went more than {gap} months without meeting ({count} times; the longest, {longest} days)."),
                   missing=missing, count=len(long_gaps), final=True,
                   next_step=N_("Meet at least every {gap} months; convene a session as soon as possible."), **details)


def _documents_rule(f: Facts, kind: str, found: Msg, absent: Msg, step: Msg) -> Result:
    docs = f.docs(kind)
    if docs:
        return met(found, evidence=[ev.document(f, d) for d in docs], count=len(docs))
    undated = [d for d in f.undated_docs if d.kind == kind]
    if undated:
        return not_enough_data(N_("There are documents of kind '{kind:document_kind}' without a publication date: cannot verify."),
                               missing=[Item("document", d.key, ref=d.ref) for d in undated], next_step=step,
                               kind=kind, action=PUBLISH)
    hidden = [d for d in f.r.documents if d.kind == kind and not d.public]
    return not_met(absent, missing=[Item("document", d.key, note=N_("recorded, not public"))
                                    for d in hidden] or [ev.wanted_document(kind)], next_step=step,
                   kind=kind, action=PUBLISH)


def forum_rules_public(f: Facts) -> Result:
    return _documents_rule(
        f, "rules",
        NN_("The secretariat's rules are published ({count} document).",
            "The secretariat's rules are published ({count} documents)."),
        N_("The secretariat's operating and participation rules are not published."),
        N_("Publish the secretariat's rules ('{action:action}', kind '{kind:document_kind}')."))


def website(f: Facts) -> Result:
    sites = f.docs("website")
    good = [d for d in sites if is_url(d.ref)]
    start = f.entered("consultation") if f.passed("declaration") and f.entered("consultation") else None
    step = N_("Publish the process page's address ('{action:action}', kind '{kind:document_kind}', with its web address).")
    how = dict(action=PUBLISH, kind="website")
    if good:
        first = good[0]
        if start is not None and first.published_at > start:
            return not_met(N_("The public page was recorded on {date}, after the consultation started ({start})."),
                           evidence=[ev.document(f, first)], missing=[Item("window", f"{f.iso(start)}/{f.iso(first.published_at)}")],
                           date=f.iso(first.published_at), start=f.iso(start), final=True)
        return met(N_("The process has a public page since {date}."),
                   evidence=[ev.document(f, d) for d in good], date=f.iso(first.published_at))
    if sites or [d for d in f.undated_docs if d.kind == "website"]:
        return not_enough_data(N_("A page is recorded without a web address (http/https) or a date: cannot verify."),
                               missing=[Item("document", d.key, ref=d.ref) for d in sites + f.undated_docs
                                        if d.kind == "website"], next_step=step, **how)
    return not_met(N_("No public page of the process is recorded."),
                   missing=[ev.wanted_document("website")], next_step=step, **how)


def repository_cadence(f: Facts) -> Result:
    need, window = f.s["repository_min_updates"], f.s["repository_window_months"]
    times = [d.published_at for d in f.public_docs]
    start, end = f.start, f.end
    details = dict(need=need, window=window, count=len(times))
    evidence = [ev.document(f, d) for d in f.public_docs[-5:]]
    first_end = plus_months(start, window)
    if end < first_end:
        if f.closed_at is not None:
            required = max(1, math.ceil(need * (end - start).days / max((first_end - start).days, 1)))
            if len(times) >= required:
                return met(NN_("{count} publication in a process shorter than {window} months ({required} required).",
                               "{count} publications in a process shorter than {window} months ({required} required)."),
                           evidence=evidence, required=required, **details)
            return not_met(NN_("Only {count} publication in the repository; {required} were required.",
                               "Only {count} publications in the repository; {required} were required."),
                           missing=[Item("window", f"{f.iso(start)}/{f.iso(end)}")], required=required, final=True,
                           **details)
        if len(times) >= need:
            return met(NN_("{count} dated publication in the repository (at least {need} every {window} months).",
                           "{count} dated publications in the repository (at least {need} every {window} months)."),
                       evidence=evidence, **details)
        return not_applicable(N_("The first {window}-month window has not ended yet (it ends on {due}); {count} of {need} so far."),
                              due=f.iso(first_end), evidence=evidence,
                              next_step=NN_("Publish at least {need} dated document before {due}.",
                                            "Publish at least {need} dated documents before {due}.", count="need"),
                              **details)
    last_start = plus_months(end, -window)
    candidates = [(start, False)] + [(t, True) for t in times if start <= t <= last_start]
    worst = min(((count_in(times, t, plus_months(t, window), lo_open=open_), t) for t, open_ in candidates),
                key=lambda x: x[0])
    if worst[0] >= need:
        deadline = plus_months(times[-need], window) if len(times) >= need else end
        step = None if f.closed_at else N_("The next publication is due by {due}.")
        return met(NN_("{count} publication; every {window}-month window has at least {need}.",
                       "{count} publications; every {window}-month window has at least {need}."),
                   evidence=evidence, next_step=step, due=f.iso(deadline), **details)
    t = worst[1]
    missing = [Item("window", f"{f.iso(t)}/{f.iso(plus_months(t, window))}",
                    note=NN_("{count} publication", "{count} publications"), fields={"count": worst[0]})]
    if f.undated_docs:
        return not_enough_data(N_("Some {window}-month window has fewer than {need} publications, but some documents are undated."),
                               missing=missing + [Item("document", d.key) for d in f.undated_docs], **details)
    return not_met(NN_("A {window}-month window had only {worst} publication (at least {need}).",
                       "A {window}-month window had only {worst} publications (at least {need}).", count="worst"),
                   missing=missing, worst=worst[0], final=True, evidence=evidence,
                   next_step=N_("Publish dated documents regularly: at least {need} every {window} months."), **details)


def stage_evidence(f: Facts) -> Result:
    from stages import STAGE_NAMES

    done = [s for s in STAGE_NAMES if f.passed(s)]
    if not done:
        return not_applicable(N_("No stage has ended yet."))
    by_stage = Counter(d.stage for d in f.public_docs)
    lacking = [s for s in done if not by_stage.get(s)]
    evidence = [ev.stage(s, NN_("{count} public document", "{count} public documents"), count=by_stage[s])
                for s in done if by_stage.get(s)]
    if not lacking:
        return met(N_("Every ended stage ({count}) has at least one public document."), evidence=evidence, count=len(done))
    step = N_("Publish the evidence of those stages ('{action:action}', saying the stage it belongs to).")
    unstaged = [d for d in f.public_docs if not d.stage]
    if unstaged:
        return not_enough_data(N_("Ended stages without a document attributed to them: {items:stage}; "
                                  "and some documents say no stage."),
                               missing=[ev.stage(s) for s in lacking] + [ev.document(f, d) for d in unstaged],
                               items=lacking, evidence=evidence, next_step=step, action=PUBLISH)
    return not_met(N_("Ended stages without any public document: {items:stage}."),
                   missing=[ev.stage(s) for s in lacking], items=lacking, evidence=evidence, next_step=step,
                   action=PUBLISH)


def minutes_published(f: Facts) -> Result:
    limit = f.s["minutes_max_days"]
    closed = [s for s in f.r.sessions if s.closed_at is not None and s.closed_at <= f.as_of]
    if not closed:
        return not_applicable(N_("No session has been closed yet."), limit=limit)
    late, unknown, waiting, ok = [], [], [], []
    for s in closed:
        deadline = s.closed_at + dt.timedelta(days=limit)
        if s.minutes_ref and s.minutes_published_at is None:
            unknown.append(s)
        elif s.minutes_ref and s.minutes_published_at <= f.as_of:
            (late if s.minutes_published_at > deadline else ok).append(s)
        elif f.as_of > deadline:
            late.append(s)
        else:
            waiting.append(s)
    details = dict(limit=limit, count=len(closed))
    evidence = [ev.session(f, s) for s in ok]
    if late:
        return not_met(N_("Sessions without minutes published within {limit} days: {n}."),
                       missing=[ev.session(f, s) for s in late], n=len(late), evidence=evidence,
                       next_step=N_("Publish the pending minutes ('{action:action}')."), action="publish_minutes",
                       **details)
    if unknown:
        return not_enough_data(N_("Some minutes are recorded without a publication date."),
                               missing=[ev.session(f, s) for s in unknown], evidence=evidence, **details)
    step = N_("Publish the minutes of {items} within {limit} days of closing.") if waiting else None
    return met(NN_("The minutes of the closed session are published or within their time limit.",
                   "The minutes of the {count} closed sessions are published or within their time limit."),
               evidence=evidence, next_step=step, items=", ".join(s.key for s in waiting), **details)


def materials_before_meetings(f: Facts) -> Result:
    hours = f.s["materials_notice_hours"]
    due = f.sessions_due
    if not due:
        return not_applicable(N_("No session date has come yet."), hours=hours)
    unknown = [s for s in due if s.agenda_published_at is None]
    late = [s for s in due if s.agenda_published_at is not None
            and s.agenda_published_at > s.scheduled_for - dt.timedelta(hours=hours)]
    ok = [s for s in due if s not in late and s not in unknown]
    evidence, total = capped(ok, lambda s: ev.session(f, s))
    details = dict(hours=hours, count=len(due), evidence=evidence, evidence_total=total)
    if late:
        return not_met(N_("Sessions whose agenda and materials were published late: {n} of {count}."),
                       missing=[ev.session(f, s, N_("agenda published {at}"),
                                           at=f.iso(s.agenda_published_at)) for s in late],
                       n=len(late), final=True,
                       next_step=N_("Convene each session with its agenda before its date ('{action:action}')."),
                       action="convene_session", **details)
    if unknown:
        return not_enough_data(N_("Sessions without an agenda publication date: {n}."),
                               missing=[ev.session(f, s) for s in unknown], n=len(unknown), **details)
    return met(NN_("The session had its agenda published before it met.",
                   "All {count} sessions had their agenda published before they met."), **details)


def declaration_signed(f: Facts) -> Result:
    vague = [d for d in f.r.declarations if any(not (s or {}).get("sector") for s in (d.signatories or []))]
    offending = criterion("declaration", "declaration_signed_by_executive_and_guarantor").check(f.r)
    step = N_("Record the declaration signed by the executive and the guarantor body ('{action:action}').")
    if not offending:
        return met(N_("Declaration signed by the executive and the guarantor body."),
                   evidence=[Item("declaration", d.signed_on.isoformat(), d.signed_on.isoformat(), d.document_ref,
                                  name=N_("signed declaration")) for d in f.r.declarations])
    if vague:
        return not_enough_data(N_("Some declarations do not give their signatories' sectors."),
                               missing=[Item("declaration", str(d.signed_on), str(d.signed_on), name=N_("declaration"))
                                        for d in vague], next_step=step, action="sign_declaration")
    return not_met(N_("The declaration signed by the executive and the guarantor body is missing."),
                   missing=[Item("declaration", "declaration", name=N_("the signed declaration"))], next_step=step,
                   action="sign_declaration")


def plan_cadence(f: Facts) -> Result:
    months = f.s["plan_cadence_months"]
    history = (getattr(f.r.process, "settings", None) or {}).get("plan_history")
    step_record = N_("Record whether there was a previous plan and when it ended ('{action:action}').")
    if not history:
        return not_enough_data(N_("Whether there was a previous plan, and when it ended, is not recorded."),
                               missing=[Item("setting", "plan_history", name=N_("the previous plans"))],
                               next_step=step_record, months=months, action="record_plan_history")
    if history.get("first_plan"):
        return not_applicable(N_("This is the first plan: there is no previous plan to measure against."), months=months)
    ended = dt.date.fromisoformat(history["previous_plan_ended_on"])
    deadline = months_after(ended, months)
    details = dict(months=months, ended=ended.isoformat(), due=deadline.isoformat(), action=PUBLISH, kind="plan")
    new_plan = Item("plan", "plan", deadline.isoformat(), name=N_("the new action plan"))
    plan = f.docs("plan")
    if plan:
        when = f.day(plan[0].published_at)
        if when <= deadline:
            return met(N_("The plan was published on {date}, within {months} months of the previous plan's end ({ended})."),
                       evidence=[ev.document(f, plan[0])], date=when.isoformat(), **details)
        return not_met(N_("The plan was published on {date}, after the deadline ({due})."),
                       evidence=[ev.document(f, plan[0])], missing=[new_plan],
                       date=when.isoformat(), final=True, **details)
    if f.today <= deadline:
        return not_applicable(N_("The new plan is not published yet; it is due by {due}."),
                              next_step=N_("Publish the plan ('{action:action}', kind '{kind:document_kind}') before {due}."),
                              **details)
    return not_met(N_("No new plan was published within {months} months of the previous plan's end ({ended})."),
                   missing=[new_plan], final=True,
                   next_step=N_("Publish the plan ('{action:action}', kind '{kind:document_kind}')."),
                   **details)


TERM = Item("setting", "term_months", name=N_("the plan's term"))


def plan_duration(f: Facts) -> Result:
    allowed = list(f.s["plan_durations_months"])
    if not allowed:
        return not_applicable(N_("The rule set sets no plan durations."))
    term = getattr(f.r.process, "term_months", None)
    details = dict(allowed=", ".join(str(a) for a in allowed), term=term)
    if not term:
        return not_enough_data(N_("The plan's duration is not recorded."), missing=[TERM], **details)
    if term in allowed:
        return met(N_("The plan lasts {term} months (allowed: {allowed})."),
                   evidence=[Item("setting", "term_months", note=N_("{term} months"), fields={"term": term},
                                  name=TERM.name)],
                   **details)
    return not_met(N_("The plan lasts {term} months; the rule set allows {allowed}."),
                   missing=[TERM],
                   next_step=N_("Adjust the process's term or the rule set it follows."), **details)
