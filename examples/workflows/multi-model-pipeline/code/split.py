"""Splits a city's preprocessed training rows 70/30 into the train and validation channels of its
Linear Learner job, as the original workflow does by hand between its transform and its training."""

import glob

import pandas as pd
from sklearn.model_selection import train_test_split

rows = pd.concat(pd.read_csv(f, header=None) for f in glob.glob('/opt/ml/processing/input/*.out'))
train, validation = train_test_split(rows, test_size=0.3)
train.to_csv('/opt/ml/processing/train/train.csv', header=False, index=False)
validation.to_csv('/opt/ml/processing/validation/validation.csv', header=False, index=False)
