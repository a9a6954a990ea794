"""Write a synthetic credit-default application dataset for demos and end-to-end tests.

Run it with a generated client project's Python, which has numpy, pandas and pyarrow:

    uv run --project demo python scripts/make_credit_data.py applications.parquet --rows 60000 --seed 7

The table looks like a consumer-loan book: one row per application with an ID, an application date
spread over three years, applicant and loan attributes, missing values at realistic rates, and a 0/1
`default` target with a 3-5 % positive rate. Defaults follow a logistic function of the features, with
thresholds and interactions, plus unobserved noise: a gradient-boosted model reaches a ROC AUC of about
0.82, a linear model a little less. The default rate drifts upward over time (the first year's is lower
than the third's), so a temporal split tests on a later, riskier book than it trained on, as it would on
a real one.

The same arguments always write the same bytes (given the same pyarrow), so the file's content hash is
stable and `mlp data add` gives the same dataset identity every time.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

START_DATE = np.datetime64("2022-01-01")
DAYS = 3 * 365
TARGET_RATE = 0.04

EMPLOYMENT_TYPES = ["salaried", "self_employed", "contract", "part_time", "unemployed", "retired"]
EMPLOYMENT_P = [0.62, 0.15, 0.10, 0.07, 0.03, 0.03]
EMPLOYMENT_RISK = [0.0, 0.35, 0.25, 0.3, 0.9, 0.1]
EMPLOYMENT_LOG_INCOME = [0.0, 0.1, -0.05, -0.6, -1.2, -0.4]

HOME_OWNERSHIP = ["mortgage", "rent", "own", "other"]
HOME_P = [0.42, 0.38, 0.17, 0.03]
HOME_RISK = [-0.15, 0.2, -0.25, 0.3]

LOAN_PURPOSES = [
    "debt_consolidation",
    "credit_card",
    "home_improvement",
    "car",
    "medical",
    "small_business",
    "other",
]
PURPOSE_P = [0.38, 0.2, 0.12, 0.12, 0.05, 0.05, 0.08]
PURPOSE_RISK = [0.1, 0.05, -0.2, -0.25, 0.3, 0.55, 0.1]

REGIONS = ["north", "south", "east", "west", "central"]
REGION_P = [0.22, 0.24, 0.18, 0.2, 0.16]
REGION_RISK = [-0.05, 0.15, 0.0, -0.1, 0.05]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Write a synthetic credit-default dataset as parquet.")
    parser.add_argument("output", help="path of the parquet file to write")
    parser.add_argument("--rows", type=int, default=60_000, help="number of applications (default 60000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error(f'--rows must be at least 1, got "{args.rows}"')
    return args


def pick(rng: np.random.Generator, names: list[str], p: list[float], n: int) -> np.ndarray:
    """Category indices drawn with probabilities `p`."""
    return rng.choice(len(names), size=n, p=p)


def calibrated_intercept(logit: np.ndarray, rate: float) -> float:
    """The intercept that makes the mean default probability equal `rate` (bisection; logit is monotone)."""
    low, high = -20.0, 20.0
    for _ in range(60):
        mid = (low + high) / 2
        if (1 / (1 + np.exp(-(logit + mid)))).mean() > rate:
            high = mid
        else:
            low = mid
    return (low + high) / 2


def with_missing(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    """A float copy of `values` with NaN where a uniform draw falls below `rate`."""
    out = values.astype(float)
    out[rng.random(len(values)) < rate] = np.nan
    return out


def make_applications(rows: int, seed: int) -> pd.DataFrame:
    """Builds the application table; deterministic for (rows, seed)."""
    rng = np.random.default_rng(seed)
    n = rows

    day = np.sort(rng.integers(0, DAYS, size=n))
    years = day / 365.0
    application_date = (START_DATE + day.astype("timedelta64[D]")).astype("datetime64[ns]")

    age = np.clip(rng.normal(42, 12, n), 21, 75).round().astype(int)
    employment = pick(rng, EMPLOYMENT_TYPES, EMPLOYMENT_P, n)
    employment[(age >= 62) & (rng.random(n) < 0.5)] = EMPLOYMENT_TYPES.index("retired")
    employment_length = np.clip(rng.exponential(6, n), 0, age - 18).round(1)
    without_job = np.isin(employment, [EMPLOYMENT_TYPES.index(t) for t in ("unemployed", "retired")])
    employment_length[without_job] = 0.0

    # Incomes rise with age up to the fifties and drift up ~3 % a year (wage inflation).
    age_effect = -((age - 52) / 25.0) ** 2
    log_income = 10.9 + 0.35 * age_effect + np.array(EMPLOYMENT_LOG_INCOME)[employment]
    income = np.exp(log_income + rng.normal(0, 0.45, n))
    income = income * 1.03**years
    income = np.round(income, -2)

    home = pick(rng, HOME_OWNERSHIP, HOME_P, n)
    purpose = pick(rng, LOAN_PURPOSES, PURPOSE_P, n)
    region = pick(rng, REGIONS, REGION_P, n)

    term_months = rng.choice([12, 24, 36, 48, 60], size=n, p=[0.08, 0.17, 0.4, 0.15, 0.2])
    loan_amount = np.clip(np.round(income * rng.lognormal(-1.6, 0.55, n), -2), 1_000, 60_000)
    credit_history_months = np.round((age - 18) * 12 * rng.beta(3, 1.6, n)).astype(int)
    num_open_accounts = rng.poisson(3 + credit_history_months / 120)
    utilization = np.clip(rng.beta(2, 4, n) * 1.15, 0, 1.2).round(3)

    # The unobserved creditworthiness that drives delinquencies, pricing and default alike.
    latent = rng.normal(0, 1, n)
    num_delinquencies = rng.poisson(np.exp(-1.6 + 0.7 * latent + 1.2 * utilization))

    monthly_rate_guess = 0.12 / 12
    payment = loan_amount * monthly_rate_guess / (1 - (1 + monthly_rate_guess) ** -term_months)
    existing_debt_ratio = rng.beta(2, 6, n) * 0.6
    debt_to_income = np.round(existing_debt_ratio + payment * 12 / income, 3)

    # Applicants who leave income blank (more often the self-employed) default more often.
    self_employed = employment == EMPLOYMENT_TYPES.index("self_employed")
    income_missing = rng.random(n) < np.where(self_employed, 0.07, 0.025)
    loan_to_income = loan_amount / income
    risk = (
        0.55 * latent
        + 0.3 * np.clip(debt_to_income, 0, 1.5)
        + 0.2 * utilization
        + 0.18 * np.minimum(num_delinquencies, 6)
        - 0.0025 * np.minimum(credit_history_months, 360)
        - 0.2 * (np.log(income) - 10.8)
        + 0.0012 * (age - 40) ** 2
        - 0.02 * np.minimum(employment_length, 15)
        + 0.006 * (term_months - 36)
        + np.array(EMPLOYMENT_RISK)[employment]
        + np.array(HOME_RISK)[home]
        + np.array(PURPOSE_RISK)[purpose]
        + np.array(REGION_RISK)[region]
        # Thresholds and interactions a linear model cannot draw: maxed-out credit lines, payments
        # above a third of income, recent delinquencies on a thin file, young applicants borrowing big.
        + 1.2 * (utilization > 0.7)
        + 0.8 * (debt_to_income > 0.35)
        + 1.0 * ((num_delinquencies >= 1) & (credit_history_months < 120))
        + 1.0 * ((age < 30) & (loan_to_income > 0.25))
        + 0.8 * income_missing
    )
    # Lenders price what they can see in grades: the rate carries part of the risk, in steps.
    seen = risk - 0.55 * latent + rng.normal(0, 0.8, n)
    grade = np.digitize(seen, np.quantile(seen, [0.2, 0.4, 0.6, 0.75, 0.88, 0.95]))
    grade_rate = np.array([6.5, 8.0, 9.9, 12.5, 15.5, 19.0, 23.5])
    interest_rate = np.clip(grade_rate[grade] + rng.normal(0, 0.8, n), 3.0, 29.9).round(2)

    logit = 1.3 * risk + 0.25 * years + rng.normal(0, 0.6, n)
    probability = 1 / (1 + np.exp(-(logit + calibrated_intercept(logit, TARGET_RATE))))
    default = (rng.random(n) < probability).astype(np.int8)

    customer_id = np.char.add("C", np.char.zfill((rng.permutation(n) + 1_000_000).astype(str), 8))

    employment_missing = rng.random(n) < 0.05
    employment_names = np.array(EMPLOYMENT_TYPES, dtype=object)[employment]
    employment_names[employment_missing] = None

    return pd.DataFrame(
        {
            "customer_id": customer_id.astype(object),
            "application_date": application_date,
            "age": age,
            "income": np.where(income_missing, np.nan, income),
            "employment_type": pd.array(employment_names, dtype="string"),
            "employment_length_years": np.where(
                employment_missing | (rng.random(n) < 0.01), np.nan, employment_length
            ),
            "home_ownership": pd.array(np.array(HOME_OWNERSHIP, dtype=object)[home], dtype="string"),
            "loan_purpose": pd.array(np.array(LOAN_PURPOSES, dtype=object)[purpose], dtype="string"),
            "region": pd.array(np.array(REGIONS, dtype=object)[region], dtype="string"),
            "loan_amount": loan_amount,
            "term_months": term_months,
            "interest_rate": interest_rate,
            "debt_to_income": with_missing(rng, debt_to_income, 0.01),
            "credit_history_months": with_missing(rng, credit_history_months, 0.015),
            "num_open_accounts": num_open_accounts,
            "num_delinquencies": num_delinquencies,
            "utilization": with_missing(rng, utilization, 0.02),
            "default": default,
        }
    )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    table = make_applications(args.rows, args.seed)
    table.to_parquet(args.output, engine="pyarrow", index=False)
    print(
        f"wrote {len(table)} rows to {args.output}; default rate {table['default'].mean():.2%}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
