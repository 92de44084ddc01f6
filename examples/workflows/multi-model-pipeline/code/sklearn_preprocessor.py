"""The housing preprocessor: fitted by a training job, then run by batch transform on the raw
training data and served as the first container of the inference pipeline.

Raw rows are YEAR_BUILT, SQUARE_FEET, NUM_BEDROOMS, NUM_BATHROOMS, LOT_ACRES, GARAGE_SPACES,
FRONT_PORCH, DECK and, in training data only, PRICE. The numeric features are standardised and the
two y/n features one-hot encoded, so every output row has FEATURE_DIM features: the Linear Learner
jobs (4-train.yaml) set feature_dim to the same number. Training rows keep their price, first, as
Linear Learner's text/csv;label_size=1 expects.
"""

import glob
import io
import os

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC_FEATURES = ['YEAR_BUILT', 'SQUARE_FEET', 'NUM_BEDROOMS', 'NUM_BATHROOMS', 'LOT_ACRES', 'GARAGE_SPACES']
CATEGORICAL_FEATURES = {'FRONT_PORCH': ['y', 'n'], 'DECK': ['y', 'n']}
LABEL = 'PRICE'

FEATURES = NUMERIC_FEATURES + list(CATEGORICAL_FEATURES)
FEATURE_DIM = len(NUMERIC_FEATURES) + sum(len(values) for values in CATEGORICAL_FEATURES.values())


def read_rows(text_or_file):
    rows = pd.read_csv(text_or_file, header=None)
    rows.columns = FEATURES + [LABEL] if len(rows.columns) == len(FEATURES) + 1 else FEATURES
    return rows


def fit(rows):
    transformer = ColumnTransformer(
        [
            ('numeric', StandardScaler(), NUMERIC_FEATURES),
            ('categorical', OneHotEncoder(categories=list(CATEGORICAL_FEATURES.values())), list(CATEGORICAL_FEATURES)),
        ]
    )
    return transformer.fit(rows[FEATURES])


if __name__ == '__main__':
    files = glob.glob(os.path.join(os.environ['SM_CHANNEL_TRAIN'], '**', '*.csv'), recursive=True)
    rows = pd.concat([read_rows(f) for f in files])
    joblib.dump(fit(rows), os.path.join(os.environ['SM_MODEL_DIR'], 'model.joblib'))


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, 'model.joblib'))


def input_fn(body, content_type):
    if content_type != 'text/csv':
        raise ValueError(f'{content_type} is not supported: send text/csv')
    return read_rows(io.StringIO(body))


def predict_fn(rows, transformer):
    features = transformer.transform(rows[FEATURES])
    if LABEL in rows:
        return np.insert(features, 0, rows[LABEL], axis=1)
    return features


def output_fn(prediction, accept):
    out = io.StringIO()
    np.savetxt(out, prediction, delimiter=',', fmt='%g')
    return out.getvalue()
