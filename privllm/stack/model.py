"""StackConfig: the one description of a deployment.

Every top-level field is one Pulumi config key in the ``privllm`` namespace
(``privllm:target``, ``privllm:models``, ...). Models are strict: unknown keys
are refused, so a typo never silently falls back to a default.
Cross-field rules raise :class:`RuleViolation` with the key path they concern,
so the error names the exact key (``privllm:models[1].pool``).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StringConstraints, model_validator

from privllm.facts import ALLOWED_PROMPT_LOGGING, CHART_PINS, IMAGE_PINS, PUBLIC_REGISTRIES, VAULT_KV_MOUNT, VAULT_TRANSIT_KEY
from privllm.stack.catalog import ARCHITECTURES
from privllm.stack.gateway_config import GatewaySettings
from privllm.stack.hardware import GPUS, INSTANCE_TYPES

DnsLabel = Annotated[str, StringConstraints(pattern=r"^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$")]
Cidr = Annotated[str, StringConstraints(pattern=r"^[0-9.]+/[0-9]{1,2}$")]
HostPort = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.-]+:[0-9]{1,5}$")]

Quantization = Literal["none", "fp8", "awq", "gptq", "compressed-tensors", "bitsandbytes"]
KvCacheDtype = Literal["auto", "fp8", "fp8_e4m3", "fp8_e5m2"]
DataClass = Literal["public", "internal", "confidential", "restricted"]
PromptLogging = Literal["never", "hash", "redacted"]
GpuName = Literal["h100-80gb", "h200-141gb", "a100-80gb", "a100-40gb", "l40s-48gb", "l4-24gb"]

_PINNED_REVISION = re.compile(r"^([0-9a-f]{40}|sha256:[0-9a-f]{64})$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_MANIFEST_DIGEST = re.compile(r"^(sha256:)?[0-9a-f]{64}$")


class RuleViolation(ValueError):
    """A cross-field rule failed; ``path`` is relative to the model that raised it."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.path = path
        self.message = message


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, validate_default=True)


def _host(reference: str) -> str:
    """The registry host of ``host[:port]/path`` or ``oci://host/path``."""
    return reference.removeprefix("oci://").removeprefix("https://").split("/", 1)[0].lower()


def is_public_registry(reference: str) -> bool:
    host = _host(reference).split(":", 1)[0]
    return any(host == p or host.endswith("." + p) for p in PUBLIC_REGISTRIES)


def _network(value: str, path: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise RuleViolation(path, f"{value!r} is not a valid IPv4 CIDR ({exc})") from None


# ---------------------------------------------------------------- target
class Target(Strict):
    kind: Literal["kind", "eks", "existing"]
    cluster_name: DnsLabel
    kubernetes_version: Literal["1.31", "1.32", "1.33", "1.34"] = "1.33"
    region: str | None = None
    allowed_regions: list[str] = Field(default_factory=list)
    kube_context: str | None = None

    @model_validator(mode="after")
    def _rules(self) -> Target:
        if self.kind == "eks" and not self.region:
            raise RuleViolation("region", "required when kind is 'eks' (an AWS region such as 'eu-central-1')")
        if self.kind == "existing" and not self.kube_context:
            raise RuleViolation("kube_context", "required when kind is 'existing' (a kubeconfig context name)")
        if self.region and self.allowed_regions and self.region not in self.allowed_regions:
            raise RuleViolation(
                "region",
                f"{self.region!r} is outside the data-residency allowlist {self.allowed_regions}",
            )
        return self


# ---------------------------------------------------------------- mirror
class Image(Strict):
    repository: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._/-]*$")]
    tag: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")]
    # Learned by the mirroring step; never invented. Absent means "tag only".
    digest: str | None = None

    @model_validator(mode="after")
    def _rules(self) -> Image:
        if self.tag == "latest":
            raise RuleViolation("tag", "'latest' is not a fixed version; pin a release tag")
        if self.digest is not None and not _DIGEST.match(self.digest):
            raise RuleViolation("digest", f"{self.digest!r} is not 'sha256:' followed by 64 hex digits")
        return self


class Chart(Strict):
    name: DnsLabel
    # SemVer; a leading "v" is allowed because some upstream charts (aws-efa-k8s-device-plugin) are versioned so.
    version: Annotated[str, StringConstraints(pattern=r"^v?[0-9]+\.[0-9]+\.[0-9]+([-+][A-Za-z0-9.-]+)?$")]


def _default_images() -> dict[str, Image]:
    return {key: Image(repository=repo, tag=tag) for key, (repo, tag) in IMAGE_PINS.items()}


def _default_charts() -> dict[str, Chart]:
    return {key: Chart(name=key, version=version) for key, version in CHART_PINS.items()}


class Mirror(Strict):
    air_gapped: bool = True
    image_registry: Annotated[str, StringConstraints(pattern=r"^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*$")]
    chart_repository: Annotated[str, StringConstraints(pattern=r"^(oci|https)://[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*$")]
    images: dict[str, Image] = Field(default_factory=_default_images)
    charts: dict[str, Chart] = Field(default_factory=_default_charts)

    @model_validator(mode="after")
    def _rules(self) -> Mirror:
        if self.air_gapped:
            for field in ("image_registry", "chart_repository"):
                value = getattr(self, field)
                if is_public_registry(value):
                    raise RuleViolation(field, f"{value!r} is a public registry; an air-gapped stack must use its own mirror")
        missing = sorted(set(IMAGE_PINS) - set(self.images))
        if missing:
            raise RuleViolation("images", f"missing entries {missing}; every component image must be pinned here")
        missing = sorted(set(CHART_PINS) - set(self.charts))
        if missing:
            raise RuleViolation("charts", f"missing entries {missing}; every third-party chart must be pinned here")
        return self

    def image_ref(self, key: str) -> str:
        """Full reference of a component image in the mirror, digest when known."""
        image = self.images[key]
        ref = f"{self.image_registry}/{image.repository}:{image.tag}"
        return f"{ref}@{image.digest}" if image.digest else ref


# ---------------------------------------------------------------- network
class EgressDestination(Strict):
    name: DnsLabel
    cidr: Cidr
    ports: list[Annotated[StrictInt, Field(ge=1, le=65535)]] = Field(min_length=1)


class Network(Strict):
    vpc_cidr: Cidr = "10.40.0.0/16"
    availability_zones: list[str] = Field(default_factory=list)
    private_subnets: list[Cidr] = Field(default_factory=list)
    gateway_ingress_cidrs: list[Cidr] = Field(min_length=1)
    egress: list[EgressDestination] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rules(self) -> Network:
        vpc = _network(self.vpc_cidr, "vpc_cidr")
        if len(self.private_subnets) != len(self.availability_zones):
            raise RuleViolation(
                "private_subnets",
                f"{len(self.private_subnets)} subnets for {len(self.availability_zones)} availability zones; give one per zone",
            )
        for i, subnet in enumerate(self.private_subnets):
            if not _network(subnet, f"private_subnets[{i}]").subnet_of(vpc):
                raise RuleViolation(f"private_subnets[{i}]", f"{subnet} is not inside vpc_cidr {self.vpc_cidr}")
        for i, cidr in enumerate(self.gateway_ingress_cidrs):
            if _network(cidr, f"gateway_ingress_cidrs[{i}]").prefixlen == 0:
                raise RuleViolation(f"gateway_ingress_cidrs[{i}]", "0.0.0.0/0 would make the gateway public; name your clients' ranges")
        for i, dest in enumerate(self.egress):
            if _network(dest.cidr, f"egress[{i}].cidr").prefixlen < 8:
                raise RuleViolation(f"egress[{i}].cidr", f"{dest.cidr} is open egress; name the destination's own range (/8 or narrower)")
        return self


# ---------------------------------------------------------------- GPU pools
class Taint(Strict):
    key: str
    value: str = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


# Network cards of the EFA-capable GPU instance types: an EFA pool puts one EFA interface on each.
EFA_NETWORK_CARDS = {"p5.48xlarge": 32, "p5e.48xlarge": 32, "p5en.48xlarge": 16, "p4d.24xlarge": 4, "p4de.24xlarge": 4}


class CapacityReservation(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^cr-[0-9a-f]{8,17}$")]
    # "reservation": an On-Demand Capacity Reservation; "block": an EC2 Capacity Block for ML.
    kind: Literal["reservation", "block"] = "reservation"
    # The zone the reservation lives in: the pool launches only there.
    availability_zone: str


class GpuPool(Strict):
    name: DnsLabel
    instance_type: str | None = None
    gpu: GpuName
    gpus_per_node: Annotated[StrictInt, Field(ge=1, le=16)]
    min_nodes: Annotated[StrictInt, Field(ge=0, le=1000)] = 0
    max_nodes: Annotated[StrictInt, Field(ge=1, le=1000)]
    labels: dict[str, str] = Field(default_factory=dict)
    taints: list[Taint] = Field(default_factory=lambda: [Taint(key="nvidia.com/gpu", value="present")])
    # eks only: launch into a capacity reservation or a purchased capacity block (p5 capacity).
    capacity_reservation: CapacityReservation | None = None
    # eks only: EFA interfaces on every network card, for models that span nodes.
    efa: bool = False

    @model_validator(mode="after")
    def _rules(self) -> GpuPool:
        if self.min_nodes > self.max_nodes:
            raise RuleViolation("min_nodes", f"{self.min_nodes} is larger than max_nodes {self.max_nodes}")
        if self.instance_type is not None:
            known = INSTANCE_TYPES.get(self.instance_type)
            if known is None:
                raise RuleViolation("instance_type", f"{self.instance_type!r} is not a known GPU instance type; known: {sorted(INSTANCE_TYPES)}")
            if (known.gpu, known.gpus) != (self.gpu, self.gpus_per_node):
                raise RuleViolation(
                    "gpu",
                    f"{self.instance_type} has {known.gpus} x {known.gpu}, not {self.gpus_per_node} x {self.gpu}",
                )
        if self.efa and self.instance_type is not None and self.instance_type not in EFA_NETWORK_CARDS:
            raise RuleViolation("efa", f"{self.instance_type!r} has no EFA support the kit knows; EFA instance types: {sorted(EFA_NETWORK_CARDS)}")
        return self


# ---------------------------------------------------------------- models
class Weights(Strict):
    uri: Annotated[str, StringConstraints(pattern=r"^(s3|oci|pvc)://[A-Za-z0-9._/:@-]+$")]
    revision: str
    checksum_manifest: str = "SHA256SUMS"
    # sha256 of the checksum manifest itself (`sha256sum SHA256SUMS` where the weights were mirrored):
    # the manifest sits next to the weights it vouches for, so without this it catches corruption, not tampering.
    manifest_sha256: str
    # Copy the weights to node-local storage (instance-store NVMe) while verifying; vLLM loads from there.
    node_cache: bool = False
    # vLLM's weight loader: auto, or runai_streamer (concurrent streaming reads, for s3:// and pvc:// mounts).
    load_format: Literal["auto", "runai_streamer"] = "auto"

    @model_validator(mode="after")
    def _rules(self) -> Weights:
        if not _PINNED_REVISION.match(self.revision):
            raise RuleViolation("revision", f"{self.revision!r} is not pinned; give a 40-hex commit or a sha256: digest")
        if not _MANIFEST_DIGEST.match(self.manifest_sha256):
            raise RuleViolation("manifest_sha256", f"{self.manifest_sha256!r} is not 64 hex digits (optionally after 'sha256:'); `sha256sum {self.checksum_manifest}` prints it")
        if self.load_format == "runai_streamer" and self.uri.startswith("oci://"):
            raise RuleViolation("load_format", "runai_streamer streams from s3:// or pvc:// weights; an oci:// image volume is already node-local")
        if self.load_format == "runai_streamer" and self.node_cache:
            raise RuleViolation("node_cache", "choose node_cache or load_format runai_streamer: the streamer reads the mount itself, the cache copies first")
        return self


class Autoscaling(Strict):
    min_replicas: Annotated[StrictInt, Field(ge=0, le=100)] = 1
    max_replicas: Annotated[StrictInt, Field(ge=1, le=100)] = 1
    scale_to_zero: bool = False
    target_queue_depth: Annotated[StrictInt, Field(ge=1, le=1000)] = 4
    kv_cache_threshold: Annotated[StrictFloat, Field(gt=0, le=1)] = 0.85
    polling_seconds: Annotated[StrictInt, Field(ge=5, le=300)] = 10
    cooldown_seconds: Annotated[StrictInt, Field(ge=30, le=3600)] = 600

    @model_validator(mode="after")
    def _rules(self) -> Autoscaling:
        if self.min_replicas > self.max_replicas:
            raise RuleViolation("min_replicas", f"{self.min_replicas} is larger than max_replicas {self.max_replicas}")
        if self.min_replicas == 0 and not self.scale_to_zero:
            raise RuleViolation("min_replicas", "0 needs scale_to_zero: true")
        if self.scale_to_zero and self.min_replicas != 0:
            raise RuleViolation("scale_to_zero", f"true needs min_replicas: 0 (got {self.min_replicas})")
        return self


class Model(Strict):
    name: DnsLabel
    served_name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$")]
    architecture: str
    weights: Weights
    quantization: Quantization = "none"
    kv_cache_dtype: KvCacheDtype = "auto"
    tensor_parallel: Annotated[StrictInt, Field(ge=1, le=64)] = 1
    pipeline_parallel: Annotated[StrictInt, Field(ge=1, le=16)] = 1
    max_model_len: Annotated[StrictInt, Field(ge=256, le=1_048_576)] = 8192
    gpu_memory_utilization: Annotated[StrictFloat, Field(ge=0.5, le=0.95)] = 0.9
    # None: derived from sizing (see serving.vllm.sizing.max_num_seqs_for).
    max_num_seqs: Annotated[StrictInt, Field(ge=1, le=4096)] | None = None
    enable_prefix_caching: bool = True
    pool: DnsLabel | None = None
    autoscaling: Autoscaling = Field(default_factory=Autoscaling)
    data_classification: DataClass = "internal"
    high_risk: bool = False
    response_schema: dict | None = None
    # ReadWriteMany claim for vLLM's torch.compile cache, shared by replicas (saves most of the compile on a cold start).
    compile_cache_claim: DnsLabel | None = None

    @property
    def gpus(self) -> int:
        return self.tensor_parallel * self.pipeline_parallel


# ---------------------------------------------------------------- gateway
class Gateway(GatewaySettings):
    """The gateway's settings (the model the gateway itself loads) plus how many replicas run it."""

    replicas: Annotated[StrictInt, Field(ge=1, le=100)] = 2
    """Gateway replicas; more than one shares rate limits and reviews through Redis."""


# ---------------------------------------------------------------- vault
class Vault(Strict):
    mode: Literal["in-cluster", "external"] = "in-cluster"
    address: Annotated[str, StringConstraints(pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]+)?/?$")] | None = None
    auth_method: Literal["kubernetes"] = "kubernetes"
    kv_mount: DnsLabel = VAULT_KV_MOUNT
    transit_key: DnsLabel = VAULT_TRANSIT_KEY

    @model_validator(mode="after")
    def _rules(self) -> Vault:
        if self.mode == "external" and not self.address:
            raise RuleViolation("address", "required when mode is 'external' (an https:// URL)")
        if self.mode == "in-cluster" and self.address:
            raise RuleViolation("address", "only for mode 'external'; the in-cluster Vault's address is derived")
        return self


# ---------------------------------------------------------------- telemetry
class SiemDestination(Strict):
    name: DnsLabel
    protocol: Literal["syslog-tls", "splunk-hec", "otlp-http", "otlp-grpc"]
    endpoint: HostPort
    ca_secret: DnsLabel = "siem-ca"
    token_secret: DnsLabel | None = None

    @model_validator(mode="after")
    def _rules(self) -> SiemDestination:
        if self.protocol == "splunk-hec" and not self.token_secret:
            raise RuleViolation("token_secret", "Splunk HEC needs a token; name the Vault secret that holds it")
        return self


# The only retention periods CloudWatch Logs accepts (PutRetentionPolicy), from 30 days up.
CLOUDWATCH_RETENTION_DAYS = (30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


class Telemetry(Strict):
    siem: list[SiemDestination] = Field(min_length=1)
    queue_size: Annotated[StrictInt, Field(ge=100, le=10_000_000)] = 50_000
    audit_retention_days: StrictInt = 365

    @model_validator(mode="after")
    def _rules(self) -> Telemetry:
        if self.audit_retention_days not in CLOUDWATCH_RETENTION_DAYS:
            raise RuleViolation(
                "audit_retention_days",
                f"{self.audit_retention_days} is not a retention CloudWatch Logs accepts; valid values: {list(CLOUDWATCH_RETENTION_DAYS)}",
            )
        return self


# ---------------------------------------------------------------- data
class Data(Strict):
    prompt_logging: PromptLogging = "never"
    retention_days: Annotated[StrictInt, Field(ge=0, le=3650)] = 30
    max_retention_days: Annotated[StrictInt, Field(ge=0, le=3650)] = 90
    inference_bucket: str | None = None
    training_bucket: str | None = None

    @model_validator(mode="after")
    def _rules(self) -> Data:
        if self.retention_days > self.max_retention_days:
            raise RuleViolation("retention_days", f"{self.retention_days} exceeds max_retention_days {self.max_retention_days}")
        if self.inference_bucket and self.inference_bucket == self.training_bucket:
            raise RuleViolation("training_bucket", "must differ from inference_bucket: training and inference data are kept apart")
        return self


# ---------------------------------------------------------------- rbac
class Rbac(Strict):
    platform_admin: list[str] = Field(min_length=1)
    model_operator: list[str] = Field(default_factory=list)
    auditor: list[str] = Field(default_factory=list)
    app_client: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rules(self) -> Rbac:
        for role in ("platform_admin", "model_operator", "auditor", "app_client"):
            for i, group in enumerate(getattr(self, role)):
                if group.startswith("system:"):
                    raise RuleViolation(f"{role}[{i}]", f"{group!r} is a built-in Kubernetes group; bind your organisation's groups")
        return self


# ---------------------------------------------------------------- what the cluster already has
_PREEXISTING_OBJECT = r"^[A-Za-z]+/[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$"


class Prometheus(Strict):
    # The organisation's Prometheus (with its Operator, which brings the monitoring.coreos.com CRDs).
    address: Annotated[str, StringConstraints(pattern=r"^https?://[a-z0-9.-]+(:[0-9]+)?$")]


class Preinstalled(Strict):
    """What the cluster has before the kit: the plan resolves every reference against the planned
    objects and these, and names whatever resolves to neither."""

    crds: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+\.[a-z0-9.-]+$")]] = Field(default_factory=list)  # CRD names
    storage_classes: list[DnsLabel] = Field(default_factory=list)
    default_storage_class: DnsLabel | None = None
    runtime_classes: list[DnsLabel] = Field(default_factory=list)
    priority_classes: list[DnsLabel] = Field(default_factory=list)
    # Objects the organisation provides, "Kind/namespace/name" (e.g. Secret/privllm-vault/vault-tls).
    objects: list[Annotated[str, StringConstraints(pattern=_PREEXISTING_OBJECT)]] = Field(default_factory=list)
    prometheus: Prometheus | None = None


# ---------------------------------------------------------------- aws (eks target)
IamRoleArn = Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,128}$")]
Ipv4 = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,3}(\.[0-9]{1,3}){3}$")]
DnsDomain = Annotated[str, StringConstraints(pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$")]


class EksAccess(Strict):
    """IAM roles given EKS access entries. Authentication mode is API with creator-admin off,
    so these entries are the only way in; each maps to the kit's RBAC groups."""

    # The role `privllm up` / CI runs as: cluster admin (it installs CRDs, webhooks, RBAC).
    deployer: IamRoleArn
    platform_admin: list[IamRoleArn] = Field(default_factory=list)
    model_operator: list[IamRoleArn] = Field(default_factory=list)
    auditor: list[IamRoleArn] = Field(default_factory=list)


class TransitGateway(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^tgw-[0-9a-f]{8,17}$")]


class Runner(Strict):
    """An in-VPC runner reached through SSM Session Manager (no inbound port): CI or an operator
    runs `privllm up` / kubectl from it."""

    ami_id: Annotated[str, StringConstraints(pattern=r"^ami-[0-9a-f]{8,17}$")]
    instance_type: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*\.[a-z0-9]+$")] = "m6i.large"


class DnsForward(Strict):
    domain: DnsDomain
    resolver_ips: list[Ipv4] = Field(min_length=1)


class Connectivity(Strict):
    # Where operators and CI come from; they reach the private API endpoint on 443 through the TGW.
    operator_cidrs: list[Cidr] = Field(default_factory=list)
    transit_gateway: TransitGateway | None = None
    runner: Runner | None = None
    # Corporate zones the nodes resolve through the corporate DNS (Route 53 Resolver rules).
    dns_forwarding: list[DnsForward] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rules(self) -> Connectivity:
        if not self.transit_gateway and not self.runner:
            raise RuleViolation("transit_gateway", "the API endpoint is private: declare a path in (transit_gateway with operator_cidrs, or runner)")
        if self.operator_cidrs and not self.transit_gateway:
            raise RuleViolation("operator_cidrs", "operators outside the VPC need transit_gateway to reach the API endpoint")
        if self.transit_gateway and not self.operator_cidrs and not self.runner:
            raise RuleViolation("operator_cidrs", "name the operators' and CI's networks that reach the API through the transit gateway")
        for i, cidr in enumerate(self.operator_cidrs):
            if _network(cidr, f"operator_cidrs[{i}]").prefixlen < 8:
                raise RuleViolation(f"operator_cidrs[{i}]", f"{cidr} is too broad for API access; name the operators' own range (/8 or narrower)")
        return self


class Aws(Strict):
    access: EksAccess
    connectivity: Connectivity
    # ACM certificate of the gateway's internal load balancer (TLS listener).
    gateway_certificate_arn: Annotated[str, StringConstraints(pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$")]


# ---------------------------------------------------------------- existing clusters
class Prerequisites(Strict):
    """What an existing cluster must already provide; `privllm preflight` checks each against the cluster."""

    # A CNI that enforces NetworkPolicy (the kit's default-deny is void without one).
    network_policy_cni: Literal["calico", "cilium", "antrea", "kube-router"]
    # RuntimeClass of the NVIDIA container runtime; the model charts run GPU pods with this name.
    runtime_class: Literal["nvidia"] = "nvidia"
    # Only when the cluster's feature gates enable image volumes (needed by oci:// weights).
    image_volumes: bool = False
# ---------------------------------------------------------------- review (parameters, exemptions)
PolicyId = Annotated[str, StringConstraints(pattern=r"^PLLM-L[1-6]-[0-9]{3}$")]
Glob = Annotated[str, StringConstraints(min_length=1, max_length=253)]


class ReviewExemption(Strict):
    """One deliberate exception: a policy, the objects it no longer counts (globs), why and who owns it."""

    policy: PolicyId
    kind: Glob = "*"
    namespace: Glob = "*"
    name: Glob = "*"
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10)]
    owner: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class PortRange(Strict):
    min: Annotated[int, Field(ge=1, le=65535)]
    max: Annotated[int, Field(ge=1, le=65535)]

    @model_validator(mode="after")
    def _rules(self) -> PortRange:
        if self.min > self.max:
            raise RuleViolation("min", f"{self.min} is above max {self.max}")
        return self


class ReviewSettings(Strict):
    """What the review is told about deliberate differences (passed to Rego as data.privllm.params)."""

    # Registries besides the mirror that images may come from (host or host/path prefixes).
    allowed_registries: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._/-]+)?$")]] = Field(default_factory=list)
    host_port_ranges: list[PortRange] = Field(default_factory=list)
    # Pod Security profile per namespace; every other namespace is restricted.
    profiles: dict[str, Literal["baseline", "restricted"]] = Field(default_factory=dict)
    # A regular expression image tags must match when no digest is given (default: version-shaped).
    version_tag_pattern: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    exemptions: list[ReviewExemption] = Field(default_factory=list)


# ---------------------------------------------------------------- the stack
# ---------------------------------------------------------------- red team (release gate)
RedTeamFamily = Literal[
    "prompt_injection", "indirect_injection", "system_prompt_extraction", "data_exfiltration",
    "cross_tenant_rag", "model_extraction", "review_bypass", "auth",
]


def _default_redteam_thresholds() -> dict[RedTeamFamily, float]:
    # Share of attacks each family must defend. Access control and data paths must hold every time;
    # model-behaviour families depend on the model as much as on the gateway.
    return {
        "auth": 1.0, "cross_tenant_rag": 1.0, "review_bypass": 1.0, "model_extraction": 1.0, "data_exfiltration": 0.95,
        "prompt_injection": 0.6, "indirect_injection": 0.4, "system_prompt_extraction": 0.6,
    }


class RedTeam(Strict):
    """`privllm redteam`: where it may run, how hard, and what a release must reach."""

    targets: list[Annotated[str, StringConstraints(pattern=r"^https?://[A-Za-z0-9.:\[\]-]+(/\S*)?$")]] = Field(default_factory=list)
    model: str | None = None  # the model probes use; default: the first model of the stack
    high_risk_model: str | None = None
    forbidden_model: str | None = None  # a model the red-team key must not reach
    rag_group: DnsLabel = "redteam"
    thresholds: dict[RedTeamFamily, Annotated[StrictFloat, Field(ge=0, le=1)]] = Field(default_factory=_default_redteam_thresholds)
    default_threshold: Annotated[StrictFloat, Field(ge=0, le=1)] = 0.9  # families from the organisation's own suites
    max_false_refusal: Annotated[StrictFloat, Field(ge=0, le=1)] = 0.05
    max_requests: Annotated[StrictInt, Field(ge=1, le=100_000)] = 500
    requests_per_second: Annotated[StrictFloat, Field(gt=0, le=100)] = 5.0
    extraction_requests: Annotated[StrictInt, Field(ge=1, le=10_000)] = 40


class StackConfig(Strict):
    """A whole deployment. Field names are the keys after ``privllm:``."""

    target: Target
    mirror: Mirror
    network: Network
    gpu_pools: list[GpuPool] = Field(default_factory=list)
    models: list[Model] = Field(min_length=1)
    gateway: Gateway = Field(default_factory=Gateway)
    vault: Vault = Field(default_factory=Vault)
    telemetry: Telemetry
    data: Data = Field(default_factory=Data)
    rbac: Rbac
    redteam: RedTeam = Field(default_factory=RedTeam)
    namespace: DnsLabel = "privllm"
    runbook_base_url: Annotated[str, StringConstraints(pattern=r"^https://\S+[^/]$")] = (
        "https://runbooks.privllm.internal/runbooks"
    )
    # PEM bundle of the internal CA (public), relative to infra/; published as ConfigMap privllm-ca.
    internal_ca_file: str
    # eks target: access entries, the path in, corporate DNS, the gateway's certificate.
    aws: Aws | None = None
    # existing target: the prerequisites the cluster states and `privllm preflight` verifies.
    prerequisites: Prerequisites | None = None
    preinstalled: Preinstalled = Field(default_factory=Preinstalled)
    # what the review is told about deliberate differences: parameters and exemptions.
    review: ReviewSettings = Field(default_factory=ReviewSettings)

    @property
    def internal_ca(self) -> str:
        from privllm.paths import INFRA

        return (INFRA / self.internal_ca_file).read_text()

    @model_validator(mode="after")
    def _rules(self) -> StackConfig:
        t = self.target
        if t.kind == "eks" and not self.network.availability_zones:
            raise RuleViolation("network.availability_zones", "an eks target needs at least two zones with one private subnet each")
        if t.kind == "eks" and len(self.network.availability_zones) < 2:
            raise RuleViolation("network.availability_zones", "an eks target needs at least two zones for a highly available control plane")
        _unique(self.gpu_pools, "gpu_pools")
        _unique(self.models, "models")
        served: set[str] = set()
        for i, m in enumerate(self.models):
            if m.served_name in served:
                raise RuleViolation(f"models[{i}].served_name", f"{m.served_name!r} is served by more than one model")
            served.add(m.served_name)
        pools = {p.name: p for p in self.gpu_pools}
        for i, m in enumerate(self.models):
            self._check_model(i, m, pools)
        self._check_egress()
        self._check_ca()
        self._check_target_specifics()
        allowed = ALLOWED_PROMPT_LOGGING
        for m in self.models:
            if self.data.prompt_logging not in allowed[m.data_classification]:
                raise RuleViolation(
                    "data.prompt_logging",
                    f"{self.data.prompt_logging!r} is not allowed for model {m.name!r} classified {m.data_classification!r}; "
                    f"allowed: {list(allowed[m.data_classification])}",
                )
        return self

    @property
    def eks(self) -> Aws:
        """The aws settings of an eks stack (validation guarantees them there)."""
        if self.aws is None:
            raise ValueError(f"privllm:aws is only set for an eks target (this stack is {self.target.kind!r})")
        return self.aws

    @property
    def region(self) -> str:
        """The AWS region of an eks stack (validation guarantees it there)."""
        if self.target.region is None:
            raise ValueError(f"privllm:target.region is only set for an eks target (this stack is {self.target.kind!r})")
        return self.target.region

    @property
    def onprem(self) -> Prerequisites:
        """The prerequisites of an existing cluster (validation guarantees them there)."""
        if self.prerequisites is None:
            raise ValueError(f"privllm:prerequisites is only set for an existing target (this stack is {self.target.kind!r})")
        return self.prerequisites

    def _check_target_specifics(self) -> None:
        kind = self.target.kind
        if kind == "eks" and self.aws is None:
            raise RuleViolation("aws", "required when target.kind is 'eks': access entries, a path in for operators, the gateway's certificate")
        if kind != "eks" and self.aws is not None:
            raise RuleViolation("aws", f"only for target.kind 'eks' (this stack is {kind!r})")
        if kind == "existing" and self.prerequisites is None:
            raise RuleViolation("prerequisites", "required when target.kind is 'existing': state the CNI and RuntimeClass the cluster provides")
        if kind != "existing" and self.prerequisites is not None:
            raise RuleViolation("prerequisites", f"only for target.kind 'existing' (this stack is {kind!r})")
        for i, pool in enumerate(self.gpu_pools):
            if kind == "eks" and pool.instance_type is None:
                raise RuleViolation(f"gpu_pools[{i}].instance_type", f"required when target.kind is 'eks'; known: {sorted(INSTANCE_TYPES)}")
            if kind != "eks" and (pool.efa or pool.capacity_reservation):
                field = "efa" if pool.efa else "capacity_reservation"
                raise RuleViolation(f"gpu_pools[{i}].{field}", "only for target.kind 'eks'")
            zones = self.network.availability_zones
            if pool.capacity_reservation and pool.capacity_reservation.availability_zone not in zones:
                raise RuleViolation(
                    f"gpu_pools[{i}].capacity_reservation.availability_zone",
                    f"{pool.capacity_reservation.availability_zone!r} is not one of network.availability_zones {zones}",
                )
            if pool.capacity_reservation and pool.capacity_reservation.kind == "block" and pool.min_nodes:
                raise RuleViolation(f"gpu_pools[{i}].min_nodes", "a capacity block starts empty and ends on a date; use min_nodes: 0")
        image_volumes = kind == "existing" and self.prerequisites is not None and self.prerequisites.image_volumes
        for i, m in enumerate(self.models):
            if m.weights.uri.startswith("oci://") and not image_volumes:
                raise RuleViolation(
                    f"models[{i}].weights.uri",
                    "oci:// weights mount an image volume (beta and off by default in Kubernetes 1.33-1.34, and EKS cannot enable it); "
                    "use s3://bucket/prefix or pvc://claim/path (or, on an existing cluster with the gate on, prerequisites.image_volumes: true)",
                )
        if kind == "eks":
            self._check_eks_paths()

    def _check_eks_paths(self) -> None:
        """Every corporate network the stack names needs a route, and every corporate host a DNS zone."""
        vpc = ipaddress.IPv4Network(self.network.vpc_cidr)
        conn = self.eks.connectivity
        named = self.network.gateway_ingress_cidrs + [d.cidr for d in self.network.egress]
        named += [f"{ip}/32" for zone in conn.dns_forwarding for ip in zone.resolver_ips]
        outside = [c for c in named if not ipaddress.IPv4Network(c).subnet_of(vpc)]
        if outside and conn.transit_gateway is None:
            raise RuleViolation("aws.connectivity.transit_gateway", f"{outside} are outside the VPC; they are reached through a transit gateway")
        zones = [z.domain for z in conn.dns_forwarding]
        for path, host in self.corporate_hosts():
            if not any(host == z or host.endswith("." + z) for z in zones):
                raise RuleViolation(
                    "aws.connectivity.dns_forwarding",
                    f"{host} ({path}) is in no forwarded zone {zones}; nodes could not resolve it in the VPC",
                )

    def corporate_hosts(self) -> list[tuple[str, str]]:
        """(key, host name) of every corporate service the cluster reaches by name."""
        found = [("mirror.image_registry", _host(self.mirror.image_registry)), ("mirror.chart_repository", _host(self.mirror.chart_repository))]
        found += [(f"telemetry.siem[{i}].endpoint", s.endpoint.rsplit(":", 1)[0]) for i, s in enumerate(self.telemetry.siem)]
        if self.gateway.oidc:
            found.append(("gateway.oidc.issuer", _host(self.gateway.oidc.issuer)))
        if self.vault.mode == "external" and self.vault.address:
            found.append(("vault.address", _host(self.vault.address)))
        out = []
        for path, host in found:
            host = host.split(":", 1)[0]
            is_ip = re.fullmatch(r"[0-9.]+", host) is not None
            # Public names (a non-air-gapped mirror) resolve through Route 53's own resolver.
            if not is_ip and not host.endswith((".svc", ".svc.cluster.local")) and not is_public_registry(host) and (path, host) not in out:
                out.append((path, host))
        return out

    def _check_ca(self) -> None:
        from cryptography import x509

        from privllm.paths import INFRA

        path = INFRA / self.internal_ca_file
        try:
            certs = x509.load_pem_x509_certificates(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise RuleViolation("internal_ca_file", f"{path} is not a readable PEM certificate bundle ({exc})") from None
        if not certs:
            raise RuleViolation("internal_ca_file", f"{path} holds no certificate")

    def _check_egress(self) -> None:
        """Destinations outside the cluster must be declared egress, or nothing could reach them."""
        ports = {p for d in self.network.egress for p in d.ports}
        for i, siem in enumerate(self.telemetry.siem):
            host, port = siem.endpoint.rsplit(":", 1)
            if not host.endswith((".svc", ".svc.cluster.local")) and int(port) not in ports:
                raise RuleViolation(
                    f"telemetry.siem[{i}].endpoint",
                    f"port {port} is not in any network.egress destination; declare the SIEM's CIDR and port there",
                )
        if self.vault.mode == "external" and self.vault.address:
            rest = self.vault.address.removeprefix("https://").rstrip("/")
            vault_port = int(rest.rsplit(":", 1)[1]) if ":" in rest else 443
            if vault_port not in ports:
                raise RuleViolation("vault.address", f"port {vault_port} is not in any network.egress destination; declare Vault's CIDR and port there")

    def _check_model(self, i: int, m: Model, pools: dict[str, GpuPool]) -> None:
        at = f"models[{i}]"
        if m.architecture not in ARCHITECTURES:
            raise RuleViolation(f"{at}.architecture", f"{m.architecture!r} is not in the catalogue; known: {sorted(ARCHITECTURES)}")
        if m.pool is None:
            if self.target.kind != "kind":
                raise RuleViolation(f"{at}.pool", "required: name a gpu_pools entry (only the kind target runs the CPU stand-in)")
            return
        pool = pools.get(m.pool)
        if pool is None:
            raise RuleViolation(f"{at}.pool", f"{m.pool!r} is not a GPU pool; defined pools: {sorted(pools) or 'none'}")
        per_node = pool.gpus_per_node
        if m.gpus <= per_node:
            if per_node % m.tensor_parallel:
                raise RuleViolation(
                    f"{at}.tensor_parallel",
                    f"{m.tensor_parallel} does not divide the {per_node} GPUs per node of pool {pool.name!r}",
                )
        else:
            if m.tensor_parallel % per_node and per_node % m.tensor_parallel:
                raise RuleViolation(
                    f"{at}.tensor_parallel",
                    f"a multi-node model needs tensor_parallel to divide or be a multiple of {per_node} GPUs per node",
                )
            if m.gpus % per_node:
                raise RuleViolation(
                    f"{at}.pipeline_parallel",
                    f"{m.gpus} GPUs (tensor x pipeline) is not a whole number of {per_node}-GPU nodes in pool {pool.name!r}",
                )
            if m.gpus // per_node > pool.max_nodes:
                raise RuleViolation(
                    f"{at}.tensor_parallel",
                    f"needs {m.gpus // per_node} nodes of pool {pool.name!r}, which has max_nodes {pool.max_nodes}",
                )
        from privllm.stack.kernels import KernelError, kernel_for

        try:
            kernel_for(m.quantization, GPUS[pool.gpu])
        except KernelError as exc:
            raise RuleViolation(f"{at}.quantization", f"{exc} (pool {pool.name!r})") from None
        from privllm.stack.sizing import SizingError, check_fits

        try:
            check_fits(m, pool)
        except SizingError as exc:
            raise RuleViolation(f"{at}.{exc.field}", str(exc)) from None
        if m.gpus > per_node and self.target.kind == "eks" and not pool.efa:
            raise RuleViolation(f"{at}.pool", f"spans {m.gpus // per_node} nodes of pool {pool.name!r}, which needs efa: true for inter-node traffic")
        if m.tensor_parallel > per_node and not pool.efa:
            raise RuleViolation(
                f"{at}.tensor_parallel",
                f"{m.tensor_parallel} spans nodes of pool {pool.name!r}, which has no EFA: tensor-parallel all-reduce would cross "
                f"TCP every layer; keep tensor_parallel <= {per_node} and span nodes with pipeline_parallel",
            )

    def model(self, name: str) -> Model:
        return next(m for m in self.models if m.name == name)

    def pool(self, name: str) -> GpuPool:
        return next(p for p in self.gpu_pools if p.name == name)


def _unique(items: list, field: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.name in seen:
            raise RuleViolation(f"{field}[{i}].name", f"{item.name!r} is used twice")
        seen.add(item.name)
