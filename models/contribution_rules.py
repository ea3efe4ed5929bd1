"""The profit-contribution rule, in one place: the pipeline applies it to delivered data and the
generator applies it to its simulated truth, so realised contribution and our estimate agree.

All rates are annual fractions unless named `_monthly`; amounts are CNY.
"""

# Funds-transfer price the treasury credits deposits with, by product (CNY deposits).
FTP_RATE = {"CURRENT": 0.0200, "NOTICE": 0.0220, "TIME": 0.0280}
# Foreign-currency deposits are credited at a flat FTP.
FTP_RATE_FOREIGN = 0.0350
# Loans are charged this cost of funds.
LOAN_COST_OF_FUNDS = 0.0250
# Expected loss: annual probability of default by days-past-due bucket, times loss given default.
PD_BY_DPD = ((0, 0.01), (1, 0.10), (30, 0.35), (90, 0.80))  # (min days past due, annual PD)
LGD = {"MORTGAGE": 0.20, "AUTO": 0.40, "CONSUMER": 0.65, "BUSINESS": 0.55}
# Cards: interchange share of purchase amount; interest and fees are income as booked;
# cash advances earn a fee share.
INTERCHANGE_RATE = 0.0045
CASH_ADVANCE_FEE_RATE = 0.01
# Servicing cost of every open account, per month (statements, systems, branch time).
SERVICING_COST_MONTHLY = 3.0
# Spot rates used to express foreign-currency balances in CNY.
CNY_PER_UNIT = {"CNY": 1.0, "USD": 7.10, "EUR": 7.70, "HKD": 0.91, "JPY": 0.047, "GBP": 9.00}


def annual_pd(days_past_due: int) -> float:
    pd = PD_BY_DPD[0][1]
    for floor, value in PD_BY_DPD:
        if days_past_due >= floor:
            pd = value
    return pd
