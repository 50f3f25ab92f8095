"""Every silent pass named in issue 19 now fails the review, through the CLI."""

from __future__ import annotations

import json

import pytest

from tests.policies.clirun import review_files

RESTRICTED = "securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}"

CASES = {
    "daemonset-docker-socket-inside-a-list": (
        {"list.yaml": """
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: node-agent, namespace: ops}
    spec:
      template:
        spec:
          containers: [{name: agent, image: "mirror/agent:1.0.0"}]
          volumes: [{name: docker, hostPath: {path: /var/run/docker.sock}}]
"""},
        {"PLLM-L1-010"},
    ),
    "typed-list": (
        {"list.yaml": """
apiVersion: v1
kind: PodList
items:
  - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: "x:1.0", securityContext: {privileged: true}}]}}
"""},
        {"PLLM-L1-011"},
    ),
    "json-file": (
        {"pod.json": json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x:1.0", "securityContext": {"privileged": True}}]}})},
        {"PLLM-L1-011"},
    ),
    "replication-controller": (
        {"rc.yaml": "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{name: c, image: 'x:1.0'}]\n"},
        {"PLLM-L1-010"},
    ),
    "pod-template": (
        {"pt.yaml": "apiVersion: v1\nkind: PodTemplate\nmetadata: {name: pt}\ntemplate:\n  spec:\n    containers: [{name: c, image: 'x:1.0', securityContext: {privileged: true}}]\n"},
        {"PLLM-L1-011"},
    ),
    "kserve-runtime-vllm-latest-as-root": (
        {"rt.yaml": """
apiVersion: serving.kserve.io/v1alpha1
kind: ServingRuntime
metadata: {name: vllm, namespace: models}
spec:
  supportedModelFormats: [{name: huggingface}]
  containers: [{name: kserve-container, image: "vllm/vllm-openai:latest", args: [--model, /mnt/models]}]
"""},
        {"PLLM-L1-014", "PLLM-L3-003", "PLLM-L3-005", "PLLM-L4-010"},
    ),
    "kserve-inference-service-model-container": (
        {"isvc.yaml": """
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {name: llm, namespace: models}
spec:
  predictor:
    model:
      modelFormat: {name: huggingface}
      image: "vllm/vllm-openai:v0.11.0"
      args: [--trust-remote-code]
"""},
        {"PLLM-L3-004", "PLLM-L1-014"},
    ),
    "ray-service-worker-group": (
        {"ray.yaml": """
apiVersion: ray.io/v1
kind: RayService
metadata: {name: llm}
spec:
  rayClusterConfig:
    headGroupSpec: {template: {spec: {containers: [{name: head, image: "rayproject/ray:2.9.0", RESTRICTED}]}}}
    workerGroupSpecs:
      - template: {spec: {containers: [{name: worker, image: "rayproject/ray:2.9.0", securityContext: {privileged: true}}]}}
""".replace("RESTRICTED", RESTRICTED)},
        {"PLLM-L1-011"},
    ),
    "ray-cluster": (
        {"ray.yaml": "apiVersion: ray.io/v1\nkind: RayCluster\nmetadata: {name: c}\nspec:\n  headGroupSpec: {template: {spec: {hostPID: true, containers: [{name: h, image: 'rayproject/ray:2.9.0'}]}}}\n"},
        {"PLLM-L1-010"},
    ),
    "knative-service": (
        {"ksvc.yaml": "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: k}\nspec:\n  template:\n    spec:\n      containers: [{image: 'x:main'}]\n"},
        {"PLLM-L3-003", "PLLM-L1-014"},
    ),
    "argo-rollout": (
        {"ro.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: 'x:1.0', securityContext: {privileged: true}}]\n"},
        {"PLLM-L1-011"},
    ),
    "unknown-custom-resource-with-a-pod-spec": (
        {"cr.yaml": "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec:\n  runner:\n    containers: [{name: c, image: 'x:1.0', securityContext: {privileged: true}}]\n"},
        {"PLLM-L1-011"},
    ),
    "privileged-pod-with-generate-name": (
        {"pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {generateName: p-}\nspec:\n  containers: [{name: c, image: 'x:1.0', securityContext: {privileged: true}}]\n"},
        {"PLLM-L1-011"},
    ),
    "deployment-without-metadata": (
        {"d.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: 'x:1.0', securityContext: {privileged: true}}]\n"},
        {"PLLM-L1-011"},
    ),
    "nameless-container": (
        {"pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{image: 'x:1.0', securityContext: {privileged: true}}]\n"},
        {"PLLM-L1-011"},
    ),
    "nameless-wildcard-cluster-role": (
        {"r.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n"},
        {"PLLM-L4-001"},
    ),
    "nameless-cluster-admin-binding": (
        {"b.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nroleRef: {kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: User, name: bob}]\n"},
        {"PLLM-L4-002"},
    ),
    "open-egress-without-namespace": (
        {"np.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: e}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{}]\n"},
        {"PLLM-L1-008"},
    ),
    "ingress-internet-facing-alb-plain-http": (
        {"i.yaml": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, annotations: {alb.ingress.kubernetes.io/scheme: internet-facing}}\nspec:\n  rules: [{host: a.example, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}}]\n"},
        {"PLLM-L1-006", "PLLM-L1-016"},
    ),
    "gateway-api-route-any-host": (
        {"r.yaml": "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  parentRefs: [{name: g}]\n"},
        {"PLLM-L1-016"},
    ),
    "service-external-ips": (
        {"s.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  externalIPs: [203.0.113.1]\n  ports: [{port: 80}]\n"},
        {"PLLM-L1-006"},
    ),
    "ingress-policy-without-from": (
        {"np.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n, namespace: a}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 80}]}]\n"},
        {"PLLM-L1-003"},
    ),
    "ingress-policy-every-namespace": (
        {"np.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n, namespace: a}\nspec:\n  podSelector: {}\n  ingress: [{from: [{namespaceSelector: {}}]}]\n"},
        {"PLLM-L1-003"},
    ),
    "ingress-policy-two-halves": (
        {"np.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: n, namespace: a}\nspec:\n  podSelector: {}\n  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: 128.0.0.0/1}}]}]\n"},
        {"PLLM-L1-003"},
    ),
    "binding-to-anonymous": (
        {"b.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole, name: view}\nsubjects: [{kind: User, name: system:anonymous}]\n"},
        {"PLLM-L4-008"},
    ),
    "binding-to-unauthenticated": (
        {"b.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: a}\nroleRef: {kind: ClusterRole, name: view}\nsubjects: [{kind: Group, name: system:unauthenticated}]\n"},
        {"PLLM-L4-008"},
    ),
    "escalate-bind-impersonate": (
        {"r.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [escalate, bind]}, {apiGroups: [''], resources: [users], verbs: [impersonate]}]\n"},
        {"PLLM-L4-009"},
    ),
    "main-tag": (
        {"p.yaml": f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers: [{{name: c, image: 'mirror/app:main', {RESTRICTED}}}]\n"},
        {"PLLM-L3-003"},
    ),
    "vllm-workload-without-the-kit-label": (
        {"d.yaml": f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: someone-elses-vllm, namespace: ml}}
spec:
  template:
    metadata: {{labels: {{app: llm}}}}
    spec:
      containers:
        - name: server
          image: "mirror/vllm/vllm-openai:v0.11.0"
          args: [--model, /models/m, --trust-remote-code]
          env: [{{name: HF_TOKEN, value: hf_abcdefghijklmnop}}]
          {RESTRICTED}
"""},
        {"PLLM-L3-001", "PLLM-L3-004", "PLLM-L3-005", "PLLM-L4-005", "PLLM-L4-010"},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_silent_pass_now_fails_the_review(tmp_path, case):
    files, expected = CASES[case]
    outcome = review_files(tmp_path, files)
    assert outcome.code == 1, outcome.output
    assert expected <= outcome.ids, f"missing {expected - outcome.ids}; found {outcome.ids}"
    for finding in outcome.report["findings"]:
        assert finding["resource"]["kind"] and finding["resource"]["source"], finding


def test_pod_spec_in_a_custom_resource_is_reported_as_its_owner(tmp_path):
    files, _ = CASES["kserve-runtime-vllm-latest-as-root"]
    outcome = review_files(tmp_path, files)
    resources = {(f["resource"]["kind"], f["resource"]["name"], f["resource"].get("path")) for f in outcome.report["findings"]}
    assert resources == {("ServingRuntime", "vllm", "spec")}
    assert outcome.report["scope"]["objects_by_kind"] == {"ServingRuntime": 1}
    assert len(outcome.report["scope"]["pod_specs_in_custom_resources"]) == 1


def test_image_outside_any_known_pod_spec_is_reported_not_reviewed(tmp_path):
    files = {"cr.yaml": "apiVersion: example.com/v1\nkind: Model\nmetadata: {name: m}\nspec:\n  server: {image: 'vllm/vllm-openai:latest'}\n"}
    outcome = review_files(tmp_path, files)
    assert outcome.code == 0
    skipped = outcome.report["scope"]["skipped"]
    assert len(skipped) == 1 and "spec.server.image" in skipped[0]["reason"] and "not reviewed" in skipped[0]["reason"]
    assert review_files(tmp_path, files, "--strict").code == 1
