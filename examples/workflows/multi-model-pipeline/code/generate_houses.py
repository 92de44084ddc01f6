"""Writes the workflow's synthetic housing data: 1,000 houses per city, split 90/10 into
data/train/<city>.csv and data/test/<city>.csv (no header; the price last)."""

import csv
import os
import random

CITIES = ['NewYork_NY', 'LosAngeles_CA', 'Chicago_IL', 'Houston_TX']
HOUSES_PER_CITY = 1000
MAX_YEAR = 2019


def house():
    square_feet = random.gauss(3000, 750)
    bedrooms = random.randint(2, 6)
    bathrooms = random.randint(2, 6) / 2
    lot_acres = round(random.gauss(1.0, 0.25), 2)
    garage_spaces = random.randint(0, 3)
    year_built = min(MAX_YEAR, int(random.gauss(1995, 10)))
    front_porch, deck = random.choice('yn'), random.choice('yn')
    price = int(
        150 * square_feet
        + 10000 * bedrooms
        + 15000 * bathrooms
        + 15000 * lot_acres
        + 10000 * (deck == 'y')
        + 10000 * (front_porch == 'y')
        + 15000 * garage_spaces
        - 5000 * (MAX_YEAR - year_built)
    )
    return [year_built, square_feet, bedrooms, bathrooms, lot_acres, garage_spaces, front_porch, deck, price]


for city in CITIES:
    houses = [house() for _ in range(HOUSES_PER_CITY)]
    cut = HOUSES_PER_CITY * 9 // 10
    for part, rows in (('train', houses[:cut]), ('test', houses[cut:])):
        os.makedirs(f'data/{part}', exist_ok=True)
        with open(f'data/{part}/{city}.csv', 'w', newline='') as f:
            csv.writer(f).writerows(rows)
