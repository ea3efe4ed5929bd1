"""Churn: point-in-time features, labels from the data, a calibrated model, scores with drivers.

Churn definition (the label, computed from the delivered data only): a customer churns in
(D, D+90 days] when either
  1. every account they held on D is closed by D+90 and no new account was opened in between, or
  2. their total balance on D+90 (deposits in CNY at fixed spot rates + loan outstanding, from each
     account's last balance row on or before D+90) is below 100 CNY and they made no card
     transaction (purchase, cash advance, payment or refund) and no FX deal during the 90 days.
An account counts as closed from its close date, or, for a closed/settled/written-off account
without one, from its last activity. The customers scored (and labelled) on D are those with an
open account on D or an FX deal in the 365 days up to D. Training labels are taken at historic
month-ends whose 90 following days are in the data.

Features (`sql/marts/churn_features.sql`) use only rows dated on or before D and accounts opened on
or before D; a close date after D is unknown on D and the current account status is never used.

Modules: `features` (features and labels at a date, training snapshots), `model` (candidates,
out-of-time selection, calibration), `explanations` (scores and their drivers), `storage` (the churn
tables: versions, risk history, nightly features), `versions` (train or reuse, promote after the
blocking check), `nightly` (which customers are recomputed tonight), `evaluate` (against the truth).
"""
