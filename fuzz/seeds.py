#!/usr/bin/env python3
"""Makes the fuzz targets' seed corpora from the t/ suites.

Every "--- request" block of t/*.t (a request line and its body) becomes
the module's request input, and its body the runner's submission, frame
and base64 seeds; reply, result and Docker stream seeds are made around
the same bodies in the shapes docs/protocol.md gives.  The init_payload
seeds are the payloads the runner itself makes of the submissions
(the submit target run with SBX_FUZZ_PAYLOADS).  Run once from the
repository root after `make fuzz-build`; the output is committed.

    fuzz/seeds.py [build/fuzz]
"""

import base64
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
MAX_SEED = 8192


def requests():
    """(method, target, body) of every plain --- request block."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "t", "*.t"))):
        text = open(path, encoding="utf-8", errors="replace").read()
        for m in re.finditer(r"^--- request\n(.*?)(?=^--- |\Z)", text,
                             re.S | re.M):
            block = m.group(1).rstrip("\n")
            line, _, body = block.partition("\n")
            parts = line.split(" ", 1)
            if len(parts) != 2 or not parts[0].isupper():
                continue
            out.append((parts[0], parts[1].strip(), body.strip()))
    return out


def put(target, data, seen):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_SEED:
        return
    name = hashlib.sha1(data).hexdigest()
    if (target, name) in seen:
        return
    seen.add((target, name))
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def frame(word, body=b"", attrs=()):
    if isinstance(body, str):
        body = body.encode()
    head = "SBX/1 %s %d" % (word, len(body))
    for k, v in attrs:
        head += " %s=%s" % (k, v)
    return head.encode() + b"\r\n" + body


def docker(stream, data):
    return bytes([stream, 0, 0, 0]) + len(data).to_bytes(4, "big") + data


def step(status, out=b"", err=b"", **extra):
    s = {"status": status, "exit_code": 0, "signal": None,
         "stdout": base64.b64encode(out).decode(),
         "stderr": base64.b64encode(err).decode(),
         "time_ms": 12, "wall_time_ms": 19, "memory_kb": 8900,
         "truncated": {"stdout": False, "stderr": False}}
    s.update(extra)
    return s


def results():
    """sandbox-init reports, one per status docs/protocol.md names."""
    r = []
    for st in ("accepted", "wrong_answer", "time_limit_exceeded",
               "memory_limit_exceeded", "output_limit_exceeded",
               "runtime_error", "internal_error", "skipped"):
        extra = {}
        if st == "time_limit_exceeded":
            extra["limit"] = "cpu"
        if st == "runtime_error":
            extra = {"exit_code": 1, "signal": "SIGSEGV"}
        if st == "internal_error":
            extra["message"] = "cannot execute the program"
        r.append({"tests": [step("accepted", b"42\n"),
                            step(st, b"x", b"Traceback\n", **extra)],
                  "error": None})
    r.append({"compile": step("compilation_error", b"",
                              b"main.c:3:5: error: expected ';'\n"),
              "tests": [], "error": None})
    r.append({"compile": step("ok"), "tests": [step("accepted", b"1\n")],
              "error": None})
    r.append({"tests": [step("runtime_error", b"",
                             b"java.lang.OutOfMemoryError: Java heap\n",
                             exit_code=1)], "error": None})
    r.append({"error": "payload: not a JSON object"})
    return r


def handover(seen):
    """init's live frames and then its result, as a container's log
    brings them: the language's index, the size of the pieces, the log."""
    langs = [l["id"] for l in json.load(open(os.path.join(
        ROOT, "runner", "languages.json")))["languages"]]

    def live(*frames):
        return b"".join(f + b"\n" for f in frames)

    def out(step, stream, data):
        return frame("OUT", base64.b64encode(data),
                     [("step", step), ("stream", stream)])

    def test(n, st):
        t = dict(st)
        t.pop("stdout")
        t.pop("stderr")
        return frame("TEST", json.dumps(t), [("test", n)])

    ran = results()[0]
    streams = [
        ("python", live(frame("STATUS", attrs=[("status", "running")]),
                        out(0, "stdout", b"42\n"),
                        test(0, ran["tests"][0]),
                        out(1, "stdout", "h\u00e9".encode()[:2]),
                        out(1, "stdout", "h\u00e9".encode()[2:]),
                        out(1, "stderr", b"Traceback\n"),
                        test(1, ran["tests"][1]),
                        frame("RESULT", json.dumps(ran)))),
        ("c", live(frame("STATUS", attrs=[("status", "compiling")]),
                   out("compile", "stderr", b"main.c:3:5: error\n"),
                   frame("RESULT", json.dumps(results()[-4])))),
        ("java", live(frame("STATUS", attrs=[("status", "running")]),
                      out(0, "stderr", b"Exception in thread \"main\" "
                          b"java.lang.OutOfMemoryError: Java heap space\n"),
                      test(0, step("runtime_error", exit_code=1)))),
    ]
    for lang, log in streams:
        if lang in langs:
            for piece in (0, 6, 255):
                put("handover", bytes([langs.index(lang), piece]) + log,
                    seen)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT,
                                                               "build",
                                                               "fuzz")
    # made seeds are made again; crash inputs found by fuzzing stay
    for path in glob.glob(os.path.join(CORPUS, "*", "*")):
        if not os.path.basename(path).startswith("crash-"):
            os.remove(path)
    seen = set()
    bodies = []

    verbs = {"submissions": "SUBMIT", "batch": "BATCH",
             "languages": "LANGUAGES", "health": "HEALTH",
             "metrics": "METRICS"}

    for method, target, body in requests():
        # the module: conf byte, target, Content-Type, body
        kind = 0 if target.startswith("/api/") else 1
        for conf in (kind, kind + 5):
            put("module_request", bytes([conf]) + target.encode()
                + b"\napplication/json\n" + body.encode(), seen)

        path = target.split("?")[0].rstrip("/")
        last = path.rsplit("/", 1)[-1]
        if method == "GET" and "/submissions/" in path:
            put("api", frame("GET", attrs=[("id", last)]), seen)
        elif last in verbs and method == "GET":
            put("api", frame(verbs[last]), seen)

        if not body:
            continue
        bodies.append(body)
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None

        put("base64", base64.b64encode(body.encode()), seen)

        if last == "batch":
            put("api", frame("BATCH", body, [("max-wall_time_ms", "5000")]),
                seen)
            for item in (doc or {}).get("submissions", []) \
                    if isinstance(doc, dict) else []:
                put("submit", json.dumps(item), seen)
        else:
            put("submit", body, seen)
            put("api", frame("SUBMIT", body, [("wait", "0")]), seen)
            put("api", frame("SUBMIT", body, [("wait", "1"),
                                             ("max-memory_kb", "65536")]),
                seen)

        if isinstance(doc, dict):
            for t in doc.get("tests", []) or []:
                if isinstance(t, dict) and "expected_output" in t:
                    exp = str(t["expected_output"]).encode()
                    put("check", b"\x00" + exp + b"\x00" + exp, seen)
                    put("check", b"\x01 " + exp + b"\n\x00" + exp, seen)
            chk = doc.get("checker")
            if isinstance(chk, dict):
                pat = str(chk.get("pattern", "")).encode()
                put("check", b"\x02" + b"42\n\x00" + pat + b"\x00" + pat,
                    seen)

    # checkers: float tokens, a regex that backtracks, the plain four
    put("check", b"\x031.0000001 2\n\x001 2.0", seen)
    put("check", b"\x03nan inf\x00nan inf", seen)
    put("check", b"\x02aaaaaaaaaaaaaaaaaaaaaaaaaaaaab\x00(a+)+$", seen)
    put("check", b"\x04 x \x00x\x00", seen)

    # the runner's replies to the module, each endpoint
    replies = [
        frame("200", '{"status":"accepted","stdout":"42\\n"}',
              [("id", "0b7c2f4e-8d4f-4c1a-9c2b-3f1e5d6a7b8c"),
               ("status", "accepted"), ("language", "python")]),
        frame("202", '{"id":"x","status":"queued"}',
              [("id", "x"), ("status", "queued")]),
        frame("503", '{"error":{"code":"queue_full"}}',
              [("retry-after", "2")]),
        frame("404", '{"error":{"code":"not_found"}}'),
        frame("200", "sbx_jobs_total 3\n") + b"trailing",
        frame("200", ""),
        frame("200", '{"languages":[]}')[:20],
    ]
    for i, rep in enumerate(replies):
        put("module_reply", bytes([i % 6]) + rep, seen)
        put("proto", rep, seen)
    for f in os.listdir(os.path.join(CORPUS, "api")):
        data = open(os.path.join(CORPUS, "api", f), "rb").read()
        put("proto", data.split(b"\r\n", 1)[0] + b"\r\n", seen)

    # init's reports, as a frame, as bare JSON, and in a Docker stream
    for r in results():
        body = json.dumps(r).encode()
        res = frame("RESULT", body) + b"\n"
        put("result", res, seen)
        put("result", body, seen)
        put("demux", docker(1, res[:40]) + docker(2, b"warning\n")
            + docker(1, res[40:]), seen)

    handover(seen)

    # what the runner sends init: the submit target writes the payloads
    sub = os.path.join(CORPUS, "submit")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, SBX_FUZZ_PAYLOADS=tmp)
        files = sorted(os.path.join(sub, f) for f in os.listdir(sub))
        subprocess.run([os.path.join(build, "submit")] + files, env=env,
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        for f in sorted(os.listdir(tmp)):
            put("init_payload", open(os.path.join(tmp, f), "rb").read(),
                seen)

    for t in sorted(os.listdir(CORPUS)):
        n = len(os.listdir(os.path.join(CORPUS, t)))
        print("%-16s %4d seeds" % (t, n))


if __name__ == "__main__":
    main()
