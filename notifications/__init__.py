"""Deadline reminders: rules to due reminders, the outbox, rendering and SMTP sending.

- :mod:`.planner`: pure — a process's records, its settings and a clock to the reminders
  due now (and why the others are not); the rules themselves are data in
  :mod:`stages.reminders`.
- :mod:`.outbox`: due reminders stored once per idempotency key, claimed by one worker.
- :mod:`.sender`: re-check, render (:mod:`.render`, :mod:`.mime`, :mod:`.ical`), send
  (:mod:`.transport`: aiosmtplib or .eml files; :mod:`.config`), mark.
- :mod:`.worker`: APScheduler ticking the sweep and the sender.

Imports ``stages`` and ``storage`` only; ``workflow`` wires it to actions and commands.
See docs/reminders.md for the rules, the settings and the delivery guarantee.
"""
