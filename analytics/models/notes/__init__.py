"""Needs found in interview notes: free Chinese text → the four areas.

`text` cuts a note into clauses and counts character n-grams, marking clauses that decline a
need (暂不, 不考虑, 没有…计划); `mentions` finds products and competitors named; `model` trains
one calibrated classifier per area on tagged notes, picks each area's threshold, evaluates it,
and scores the warehouse's interactions.
"""
