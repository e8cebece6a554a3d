"""The epilog of ``nof1 --help``: the workflow with examples (the exit codes follow it,
printed from ``_common.EXIT_CODES``)."""

WORKFLOW = """\
workflow (one trial, from design to result):
  1. design    nof1 design my-trial --start 2027-01-04 --product "magnesium citrate 300 mg" \\
                 --control-product "placebo capsule"
               writes my-trial/participant/ (diary.html, paper-diary.html, calendar.ics,
               schedule.html, ...) and my-trial/helper/ (key.json, packs.html); prints the
               design, its power and the commitment. Own outcomes:
                 --outcome "mood:0-10:higher:mcid=1.5:question=How was your mood today?"
  2. status    nof1 status my-trial               where the trial stands today: period,
                                                  pack, missing diary days (no allocation)
  3. diary     the participant imports participant/calendar.ics, opens participant/diary.html
               every evening on a phone or computer (or fills paper-diary.html), and exports
               diary.csv into my-trial/participant/
  4. groups    nof1 groups my-trial               (helper) group key for a blinded analysis
     verify    nof1 verify my-trial               the key still matches the commitment
  5. analyze   nof1 analyze my-trial              unblind, print the table, write report.html
  plan first:  nof1 power --pairs 6 --grid-pairs 3-10 --grid-period-days 14,21
  try it all:  nof1 demo demo-trial"""
