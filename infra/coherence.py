"""Coherence: can the planned cluster come up? Every check names the object that fails it.

- every custom-resource kind has its CRD (planned, or pre-installed per the stack);
- every runtimeClassName, priorityClassName, storageClassName, serviceAccountName and every
  referenced ConfigMap, Secret, PVC and SecretProviderClass resolves to a planned object or one
  the stack declares pre-existing;
- every SecretProviderClass names a Vault role that `privllm vault bootstrap` creates, bound to
  the service account and namespace of each pod that mounts it, with a policy granting its paths;
- every image comes from the stack's mirror at a fixed version;
- the admission dry run (infra/admission.py) admits every planned object.

In a partial plan, a reference that an unrendered release could provide is "unverified", not a
problem: the plan already says it is partial and names those releases.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from privllm.kube import containers, pod_specs

if TYPE_CHECKING:
    from infra.plan import Plan

BUILTIN_GROUPS = {
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io", "scheduling.k8s.io",
    "node.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io",
    "coordination.k8s.io", "discovery.k8s.io", "certificates.k8s.io", "flowcontrol.apiserver.k8s.io", "resource.k8s.io",
    "events.k8s.io",
}
CLUSTER_SCOPED = {
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass",
    "PriorityClass", "RuntimeClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "CSIDriver",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
    "IngressClass", "VolumeAttachment", "CSINode", "FlowSchema", "PriorityLevelConfiguration", "ConstraintTemplate",
}
BUILTIN_PRIORITY_CLASSES = {"system-cluster-critical", "system-node-critical"}
GATEKEEPER_CONSTRAINTS = "constraints.gatekeeper.sh"
# An existing Prometheus declared by the stack runs the Prometheus Operator, whose CRDs these are.
PROMETHEUS_OPERATOR_CRDS = {"servicemonitors.monitoring.coreos.com", "podmonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com"}


def group_of(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""


def crd_scopes(objects: list[dict]) -> dict[str, str]:
    return {
        (o.get("spec") or {}).get("names", {}).get("kind", ""): (o.get("spec") or {}).get("scope", "Namespaced")
        for o in objects
        if o.get("kind") == "CustomResourceDefinition"
    }


def is_cluster_scoped(obj: dict, crd_scopes: dict[str, str] | None = None) -> bool:
    kind = obj.get("kind", "")
    if kind in CLUSTER_SCOPED or group_of(obj.get("apiVersion", "")) == GATEKEEPER_CONSTRAINTS:
        return True
    return (crd_scopes or {}).get(kind) == "Cluster"


def with_namespace(obj: dict, namespace: str, release_objects: list[dict]) -> dict:
    """What Helm does on install: a namespaced object without a namespace lands in the release's."""
    meta = obj.setdefault("metadata", {})
    if not meta.get("namespace") and not is_cluster_scoped(obj, crd_scopes(release_objects)):
        meta["namespace"] = namespace
    return obj


def custom_kinds(objects: list[dict]) -> set[tuple[str, str]]:
    """(apiVersion, kind) of every kind a planned CRD or ConstraintTemplate defines."""
    found = set()
    for o in objects:
        spec = o.get("spec") or {}
        if o.get("kind") == "CustomResourceDefinition":
            for v in spec.get("versions") or []:
                found.add((f"{spec.get('group')}/{v.get('name')}", (spec.get("names") or {}).get("kind")))
        elif o.get("kind") == "ConstraintTemplate":
            kind = ((spec.get("crd") or {}).get("spec") or {}).get("names", {}).get("kind")
            for version in ("v1", "v1beta1", "v1alpha1"):
                found.add((f"{GATEKEEPER_CONSTRAINTS}/{version}", kind))
    return found


def _name(obj: dict) -> str:
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{obj.get('kind')} {ns + '/' if ns else ''}{meta.get('name')}"


class _Checker:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.cfg = plan.cfg
        self.pre = self.cfg.preinstalled
        self.objects = plan.objects + [t for _, t in plan.tests]
        self.index: set[tuple[str, str, str]] = set()  # (kind, namespace, name)
        for o in self.objects:
            meta = o.get("metadata") or {}
            self.index.add((o.get("kind", ""), meta.get("namespace") or "", meta.get("name", "")))
        for ref in self.pre.objects:
            kind, ns, name = ref.split("/")
            self.index.add((kind, ns, name))
        self.unrendered_ns = {r.namespace for r in plan.unrendered}

    def fail(self, message: str, namespace: str | None) -> None:
        """A problem, unless an unrendered release (in that namespace, or any for cluster-scoped) could settle it."""
        if self.plan.partial and (namespace is None or namespace in self.unrendered_ns):
            self.plan.unverified.append(message)
        else:
            self.plan.problems.append(message)

    def has(self, kind: str, namespace: str, name: str) -> bool:
        return (kind, namespace, name) in self.index

    # ---------------------------------------------------------------- CRDs
    def crds(self) -> None:
        defined = custom_kinds(self.objects)
        preinstalled = set(self.pre.crds) | (PROMETHEUS_OPERATOR_CRDS if self.pre.prometheus else set())
        for o in self.objects:
            api, kind = o.get("apiVersion", ""), o.get("kind", "")
            if group_of(api) in BUILTIN_GROUPS or (api, kind) in defined:
                continue
            if any(crd == f"{kind.lower()}s.{group_of(api)}" or crd == f"{group_of(api)}/{kind}" for crd in preinstalled):
                continue
            self.fail(
                f"{_name(o)}: no CustomResourceDefinition for {api} {kind} is planned or declared in privllm:preinstalled.crds",
                None,
            )

    # ---------------------------------------------------------------- references
    def references(self) -> None:
        default_sc = self.pre.default_storage_class or next(
            (
                (o.get("metadata") or {}).get("name")
                for o in self.objects
                if o.get("kind") == "StorageClass"
                and ((o.get("metadata") or {}).get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class") == "true"
            ),
            None,
        )
        classes = {
            "RuntimeClass": set(self.pre.runtime_classes),
            "PriorityClass": set(self.pre.priority_classes) | BUILTIN_PRIORITY_CLASSES,
            "StorageClass": set(self.pre.storage_classes) | ({default_sc} if default_sc else set()),
        }
        for kind in classes:
            classes[kind] |= {(o.get("metadata") or {}).get("name") for o in self.objects if o.get("kind") == kind}

        def cls(obj: dict, kind: str, name: str | None, field: str) -> None:
            if name and name not in classes[kind]:
                self.fail(f"{_name(obj)}: {field} {name!r} names no planned or pre-installed {kind}", None)

        def claim_class(obj: dict, spec: dict, what: str) -> None:
            sc = spec.get("storageClassName")
            if sc is None and not spec.get("volumeName"):
                if not default_sc:
                    self.fail(
                        f"{_name(obj)}: {what} has no storageClassName and the cluster has no default StorageClass "
                        "(plan one, or declare privllm:preinstalled.default_storage_class)",
                        None,
                    )
            elif sc:
                cls(obj, "StorageClass", sc, f"{what} storageClassName")

        for o in self.objects:
            ns = (o.get("metadata") or {}).get("namespace") or ""
            if o.get("kind") == "PersistentVolumeClaim":
                claim_class(o, o.get("spec") or {}, "the claim")
            if o.get("kind") == "StatefulSet":
                for t in (o.get("spec") or {}).get("volumeClaimTemplates") or []:
                    claim_class(o, t.get("spec") or {}, f"volumeClaimTemplate {t.get('metadata', {}).get('name')}")
            templates = {t.get("metadata", {}).get("name") for t in (o.get("spec") or {}).get("volumeClaimTemplates") or []}
            for spec in pod_specs(o):
                cls(o, "RuntimeClass", spec.get("runtimeClassName"), "runtimeClassName")
                cls(o, "PriorityClass", spec.get("priorityClassName"), "priorityClassName")
                sa = spec.get("serviceAccountName") or spec.get("serviceAccount")
                if sa and sa != "default" and not self.has("ServiceAccount", ns, sa):
                    self.fail(f"{_name(o)}: serviceAccountName {sa!r} names no ServiceAccount in {ns}", ns)
                for kind, name, where in _pod_refs(spec):
                    if kind == "PersistentVolumeClaim" and name in templates:
                        continue
                    if not self.has(kind, ns, name):
                        self.fail(f"{_name(o)}: {where} names {kind} {ns}/{name}, which is neither planned nor declared pre-existing", ns)

    # ---------------------------------------------------------------- Vault
    def secret_provider_classes(self) -> None:
        from privllm.vault import kubernetes_roles, policies

        roles = kubernetes_roles(self.cfg)
        grants = {name: re.findall(r'path "([^"]+)"\s*\{[^}]*"read"', text) for name, text in policies(self.cfg).items()}
        spcs = {
            ((o.get("metadata") or {}).get("namespace"), (o.get("metadata") or {}).get("name")): o
            for o in self.objects
            if o.get("kind") == "SecretProviderClass"
        }
        for (ns, name), spc in spcs.items():
            params = (spc.get("spec") or {}).get("parameters") or {}
            if (spc.get("spec") or {}).get("provider") != "vault":
                continue
            role = roles.get(params.get("roleName"))
            if role is None:
                self.plan.problems.append(
                    f"{_name(spc)}: Vault role {params.get('roleName')!r} is not one `privllm vault bootstrap` creates ({sorted(roles)})"
                )
                continue
            if ns not in role["ns"]:
                self.plan.problems.append(f"{_name(spc)}: Vault role {params.get('roleName')!r} binds namespace {role['ns']}, not {ns}")
            allowed = [g for p in role["policies"] for g in grants.get(p, [])]
            import yaml

            for item in yaml.safe_load(params.get("objects") or "[]") or []:
                path = item.get("secretPath", "")
                if not any(fnmatch.fnmatchcase(path, g) for g in allowed):
                    self.plan.problems.append(
                        f"{_name(spc)}: object {item.get('objectName')!r} reads {path}, which role {params.get('roleName')!r}'s policies do not grant"
                    )
            for o in self.objects:
                if (o.get("metadata") or {}).get("namespace") != ns:
                    continue
                for spec in pod_specs(o):
                    if not _mounts_spc(spec, name):
                        continue
                    sa = spec.get("serviceAccountName") or "default"
                    if sa not in role["sa"]:
                        self.plan.problems.append(
                            f"{_name(o)}: mounts SecretProviderClass {name} as service account {sa!r}, "
                            f"but Vault role {params.get('roleName')!r} binds only {role['sa']}"
                        )

    # ---------------------------------------------------------------- images
    def images(self) -> None:
        registry = self.cfg.mirror.image_registry.rstrip("/") + "/"
        for o in self.objects:
            for spec in pod_specs(o):
                for c in containers(spec):
                    image = c.get("image", "")
                    if not image.startswith(registry):
                        self.plan.problems.append(f"{_name(o)}: container {c.get('name')} pulls {image!r}, not from the mirror {registry}")
                    elif ":" not in image.removeprefix(registry).split("@")[0] or image.split("@")[0].endswith(":latest"):
                        self.plan.problems.append(f"{_name(o)}: container {c.get('name')} pulls {image!r}, not a fixed version")


def _pod_refs(spec: dict) -> Iterator[tuple[str, str, str]]:
    for v in spec.get("volumes") or []:
        if "configMap" in v and not v["configMap"].get("optional"):
            yield "ConfigMap", v["configMap"].get("name"), f"volume {v.get('name')}"
        if "secret" in v and not v["secret"].get("optional"):
            yield "Secret", v["secret"].get("secretName"), f"volume {v.get('name')}"
        if "persistentVolumeClaim" in v:
            yield "PersistentVolumeClaim", v["persistentVolumeClaim"].get("claimName"), f"volume {v.get('name')}"
        for src in (v.get("projected") or {}).get("sources") or []:
            for key, kind in (("configMap", "ConfigMap"), ("secret", "Secret")):
                if key in src and not src[key].get("optional"):
                    yield kind, src[key].get("name"), f"projected volume {v.get('name')}"
        attrs = (v.get("csi") or {}).get("volumeAttributes") or {}
        if "secretProviderClass" in attrs:
            yield "SecretProviderClass", attrs["secretProviderClass"], f"volume {v.get('name')}"
    for s in spec.get("imagePullSecrets") or []:
        yield "Secret", s.get("name"), "imagePullSecrets"
    for c in containers(spec):
        for src in c.get("envFrom") or []:
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                if key in src and not src[key].get("optional"):
                    yield kind, src[key].get("name"), f"container {c.get('name')} envFrom"
        for e in c.get("env") or []:
            ref = e.get("valueFrom") or {}
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                if key in ref and not ref[key].get("optional"):
                    yield kind, ref[key].get("name"), f"container {c.get('name')} env {e.get('name')}"


def _mounts_spc(spec: dict, name: str) -> bool:
    return any(((v.get("csi") or {}).get("volumeAttributes") or {}).get("secretProviderClass") == name for v in spec.get("volumes") or [])


def check(plan: Plan) -> None:
    """Fill plan.problems and plan.unverified."""
    from infra.admission import dry_run

    checker = _Checker(plan)
    checker.crds()
    checker.references()
    checker.secret_provider_classes()
    checker.images()
    plan.problems += dry_run(plan.objects)
