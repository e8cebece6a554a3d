"""Planning a trial before it starts: simulated diaries and the power of a design.

:mod:`.simulate` draws daily scores for a schedule (AR(1) noise, trend, missing
days); :mod:`.power` runs the pre-registered analysis on many simulated trials to
give the probability of each decision of the rule.
"""
