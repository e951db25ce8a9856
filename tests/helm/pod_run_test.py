#!/usr/bin/env python3
"""Runs the pod the chart renders, as close as a machine without Kubernetes allows.

Usage: pod_run_test.py MANIFESTS_JSON INGESTD_BINARY SOURCE_DIR WORK_DIR

From the rendered Deployment and ConfigMaps: the container's args, its environment (fieldRefs filled in as
the kubelet would), the ConfigMap files at their mount paths (under a temporary root) and the image's
taxonomy. Against `ingestd embedded-broker` it checks that the daemon starts with them, that the startup,
liveness and readiness probes' paths answer 200, and that SIGTERM ends it with status 0 well within the
pod's terminationGracePeriodSeconds. Deviations, all forced by running outside a pod: paths are prefixed
with the temporary root, the admin server takes a free loopback port (other builds share this machine),
and stages this build does not have yet are left out (and said so). Exits 77 when the binary has no
embedded broker yet.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

SKIP = 77


def wait_for(seconds, predicate):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def main():
    manifests_path, binary, source, work = sys.argv[1:5]
    items = [i["doc"] for i in json.load(open(manifests_path))]
    deployment = next(d for d in items if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    configmaps = {d["metadata"]["name"]: d.get("data", {}) for d in items if d["kind"] == "ConfigMap"}

    shutil.rmtree(work, ignore_errors=True)
    root = os.path.join(work, "root")
    os.makedirs(root)
    # The image's taxonomy, then the pod's ConfigMap volumes over it.
    taxonomy = os.path.join(source, "config", "taxonomy")
    if os.path.isdir(taxonomy):
        shutil.copytree(taxonomy, root + "/etc/ingestd/taxonomy")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        if "configMap" not in volume:
            continue
        data = configmaps.get(volume["configMap"]["name"])
        if data is None:
            print(f"NOTE: ConfigMap {volume['configMap']['name']} is not rendered by the chart; not mounted")
            continue
        target = root + mount["mountPath"]
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        for name, content in data.items():
            with open(os.path.join(target, name), "w") as f:
                f.write(content)

    env = {"PATH": "/usr/bin:/bin"}
    field_values = {"metadata.name": "ingestd-5d9c7b-x2x4q", "metadata.namespace": "ingest"}
    for e in container.get("env", []):
        if "value" in e:
            env[e["name"]] = e["value"]
        elif "fieldRef" in e.get("valueFrom", {}):
            env[e["name"]] = field_values[e["valueFrom"]["fieldRef"]["fieldPath"]]
        else:
            env[e["name"]] = "from-a-secret"

    broker = subprocess.Popen([binary, "embedded-broker", "--partitions", "2"], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    daemon = None
    try:
        line = broker.stdout.readline().strip()
        if not line:
            err = broker.stderr.read()
            if "not part of this build" in err:
                print(f"SKIP: this build has no embedded broker yet: {err.strip()}")
                return SKIP
            print(f"FAIL the embedded broker did not start: {err}")
            return 1
        env["INGESTD_KAFKA_BROKERS"] = line
        print(f"embedded broker at {line}")

        args = [a.replace("/etc/ingestd/", root + "/etc/ingestd/") for a in container["args"]]
        config_path = args[args.index("--config") + 1]
        config_text = open(config_path).read()
        overrides = ["--set", f"tagging.taxonomy_dir={root}/etc/ingestd/taxonomy",
                     "--set", "admin.address=127.0.0.1", "--set", "admin.port=0"]
        block = re.search(r"^  stages:\n((?:  - .*\n)+)", config_text, re.M)
        stages = re.findall(r"- (\S+)", block.group(1)) if block else []
        log_path = os.path.join(work, "daemon.err")
        while True:
            command = [binary] + args + overrides
            if stages:
                command += ["--set", f"pipeline.stages=[{','.join(stages)}]"]
            daemon = subprocess.Popen(command, env=env, cwd="/", stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=open(log_path, "w"))

            def port_or_exit():
                m = re.search(r"listening on 127\.0\.0\.1:(\d+)", open(log_path).read())
                return m.group(1) if m else (daemon.poll() is not None and "exited")

            port = wait_for(20, port_or_exit)
            if port and port != "exited":
                break
            log = open(log_path).read()
            missing = re.search(r'stage \\?"(\w+)\\?" is not available in this build', log)
            if daemon.poll() is not None and missing and missing.group(1) in stages:
                print(f"NOTE: this build has no {missing.group(1)} stage; running without it")
                stages.remove(missing.group(1))
                continue
            print(f"FAIL the daemon did not start with the chart's args and config:\n{log}")
            return 1
        print(f"daemon admin port {port}")

        def ok(path):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as r:
                    return r.status == 200
            except (urllib.error.URLError, OSError):
                return False

        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            if probe not in container:
                continue
            path = container[probe]["httpGet"]["path"]
            if not wait_for(60, lambda: ok(path)):
                print(f"FAIL {probe} {path} did not answer 200 within 60 s\n{open(log_path).read()}")
                return 1
            print(f"ok: {probe} {path} answers 200")

        grace = pod["terminationGracePeriodSeconds"]
        started = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        try:
            status = daemon.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            print(f"FAIL the daemon outlived terminationGracePeriodSeconds ({grace} s) after SIGTERM")
            return 1
        if status != 0:
            print(f"FAIL exit status {status} after SIGTERM\n{open(log_path).read()[-2000:]}")
            return 1
        print(f"ok: SIGTERM: exit 0 after {time.monotonic() - started:.1f} s (grace {grace} s)")
        return 0
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
        broker.terminate()
        try:
            broker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            broker.kill()


if __name__ == "__main__":
    sys.exit(main())
