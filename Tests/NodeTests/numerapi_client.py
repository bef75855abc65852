"""numerapi 3.1.1 itself against the local server (numerai_server.py): the requests the node's
tests compare the node's with. Credentials from NUMERAI_PUBLIC_ID / NUMERAI_SECRET_KEY, as numerapi reads them.

    python numerapi_client.py API_URL DATASET DEST SUBMISSION_CSV MODEL_ID
"""
import sys

import numerapi
from numerapi import base_api

api_url, dataset, dest, submission, model_id = sys.argv[1:6]
base_api.API_TOURNAMENT_URL = api_url  # numerapi posts every query to this module constant
napi = numerapi.NumerAPI(verbosity="warning", show_progress_bars=False)
print("round", napi.get_current_round())
print("open", napi.check_round_open())
napi.download_dataset(dataset, dest)
print("submission", napi.upload_predictions(submission, model_id=model_id))
