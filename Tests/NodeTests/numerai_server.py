"""A local stand-in for Numerai's tournament API, for the node's tests (never on the user's path).

Speaks the contract numerapi 3.1.1 uses: GraphQL as POST / with JSON {"query", "variables"}
(`rounds`, `dataset`, `submission_upload_auth`, `create_submission`, `submissions`), the PUT of
a submission's bytes to the URL the upload authorisation returned, and GET of dataset files.

    python numerai_server.py STATE_DIR

STATE_DIR/config.json (re-read on every request, so a test changes behaviour between runs):
    {"round": 841, "open": true, "public_id": "...", "secret_key": "...", "models": ["id", ...],
     "files": {"v5.0/live.h5": "/abs/path"},
     "faults": [{"op": "create_submission", "model_id": "id", "mode": "500", "times": 2}]}
fault modes: "500" (answer HTTP 500), "drop" (close the connection without an answer),
"commit_then_drop" (do the operation, then close without an answer: a lost answer),
"error" (a GraphQL error with "message"). op is rounds, dataset, submission_upload_auth,
create_submission, submissions or put.

Writes STATE_DIR/port when listening, appends every request to STATE_DIR/journal.jsonl
(method, path, lower-case headers, JSON body or the PUT's byte count and file), stores PUT
bodies in STATE_DIR/uploads/ and every created submission in STATE_DIR/submissions.json.
"""
import json
import os
import socket
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = sys.argv[1]
LOCK = threading.Lock()
FAULTS_USED = {}


def path(name):
    return os.path.join(STATE, name)


def load(name, default):
    try:
        with open(path(name)) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def save(name, value):
    tmp = path(name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(value, f, indent=1)
    os.replace(tmp, path(name))


def operation(query):
    for op in ("submission_upload_auth", "create_submission", "submissions(", "dataset(", "rounds("):
        if op in query:
            return op.rstrip("(")
    return "unknown"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def journal(self, entry):
        with LOCK:
            with open(path("journal.jsonl"), "a") as f:
                f.write(json.dumps(entry) + "\n")

    def fault(self, config, op, model_id):
        with LOCK:
            for i, f in enumerate(config.get("faults", [])):
                if f["op"] != op or f.get("model_id", model_id) != model_id:
                    continue
                key = json.dumps(f, sort_keys=True)
                if FAULTS_USED.get(key, 0) < f.get("times", 1):
                    FAULTS_USED[key] = FAULTS_USED.get(key, 0) + 1
                    return f
        return None

    def send_json(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def base(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def do_POST(self):
        config = load("config.json", {})
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        body = json.loads(raw)
        query, variables = body.get("query", ""), body.get("variables") or {}
        op = operation(query)
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.journal({"method": "POST", "path": self.path, "op": op, "headers": headers, "body": body})
        fault = self.fault(config, op, variables.get("modelId"))
        if fault and fault["mode"] == "500":
            return self.send_json(500, {"error": "injected"})
        if fault and fault["mode"] == "drop":
            return self.drop()
        if fault and fault["mode"] == "error":
            return self.send_json(200, {"errors": [{"message": fault["message"]}], "data": None})

        token = f"Token {config.get('public_id')}${config.get('secret_key')}"
        if op in ("submission_upload_auth", "create_submission", "submissions") and headers.get("authorization") != token:
            return self.send_json(200, {"errors": [{"message": "You must be authenticated: invalid API token"}], "data": None})
        if op == "rounds":
            if not config.get("open", True):
                return self.send_json(200, {"errors": [{"message": "Current round not open for submissions"}], "data": None})
            return self.send_json(200, {"data": {"rounds": [{"number": config["round"], "openTime": "2020-01-01T00:00:00Z",
                                                             "closeStakingTime": "2100-01-01T00:00:00.000Z"}]}})
        if op == "dataset":
            name = variables["filename"]
            if name not in config.get("files", {}):
                return self.send_json(200, {"errors": [{"message": f"dataset {name} not found"}], "data": None})
            return self.send_json(200, {"data": {"dataset": f"{self.base()}/files/{name}"}})
        model = variables.get("modelId")
        if model not in config.get("models", []):
            return self.send_json(200, {"errors": [{"message": "Model not found"}], "data": None})
        if op == "submission_upload_auth":
            key = f"{uuid.uuid4().hex[:12]}/{variables['filename']}"
            return self.send_json(200, {"data": {"submission_upload_auth": {"filename": key, "url": f"{self.base()}/upload/{key}"}}})
        if op == "create_submission":
            key = variables["filename"]
            if not os.path.exists(path(os.path.join("uploads", key))):
                return self.send_json(200, {"errors": [{"message": f"no upload named {key}"}], "data": None})
            with LOCK:
                subs = load("submissions.json", [])
                sid = str(uuid.uuid4())
                subs.append({"id": sid, "filename": key, "modelId": model, "round": config["round"]})
                save("submissions.json", subs)
            if fault and fault["mode"] == "commit_then_drop":
                return self.drop()
            return self.send_json(200, {"data": {"create_submission": {"id": sid}}})
        if op == "submissions":
            subs = [s for s in load("submissions.json", []) if s["modelId"] == model]
            return self.send_json(200, {"data": {"submissions": [
                {"id": s["id"], "filename": s["filename"], "insertedAt": "2026-01-01T00:00:00Z"} for s in subs]}})
        return self.send_json(400, {"errors": [{"message": f"unknown operation: {query[:80]}"}]})

    def do_PUT(self):
        config = load("config.json", {})
        length = int(self.headers.get("Content-Length", 0))
        data = self.rfile.read(length)
        key = self.path[len("/upload/"):]
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.journal({"method": "PUT", "path": self.path, "op": "put", "headers": headers, "bytes": len(data)})
        model = None
        for s in config.get("put_models", {}):
            if s in key:
                model = config["put_models"][s]
        fault = self.fault(config, "put", model)
        if fault and fault["mode"] == "500":
            return self.send_json(500, {"error": "injected"})
        if fault and fault["mode"] == "drop":
            return self.drop()
        os.makedirs(os.path.dirname(path(os.path.join("uploads", key))), exist_ok=True)
        with open(path(os.path.join("uploads", key)), "wb") as f:
            f.write(data)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        config = load("config.json", {})
        name = self.path[len("/files/"):]
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.journal({"method": "GET", "path": self.path, "op": "get", "headers": headers})
        if self.fault(config, "get", None):
            return self.drop()
        source = config.get("files", {}).get(name)
        if source is None:
            return self.send_json(404, {"error": "no such file"})
        with open(source, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(path("port.tmp"), "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(path("port.tmp"), path("port"))
    server.serve_forever()
