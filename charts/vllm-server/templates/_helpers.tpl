{{- define "vllm-server.fullname" -}}{{ include "privllm-lib.fullname" . }}{{- end -}}

{{/* GPUs the model needs in total, and the nodes it spans. */}}
{{- define "vllm-server.totalGpus" -}}{{ mul .Values.model.tensorParallel .Values.model.pipelineParallel }}{{- end -}}
{{- define "vllm-server.nodes" -}}
{{- $total := int (include "vllm-server.totalGpus" .) -}}
{{- $per := int .Values.gpuPool.gpusPerNode -}}
{{- if le $total $per -}}1{{- else -}}
{{- if mod $total $per -}}
{{- fail (printf "model.tensorParallel x model.pipelineParallel = %d is not a whole number of %d-GPU nodes" $total $per) -}}
{{- end -}}
{{- div $total $per -}}
{{- end -}}
{{- end -}}
{{- define "vllm-server.multiNode" -}}{{ if gt (int (include "vllm-server.nodes" .)) 1 }}true{{ end }}{{- end -}}

{{/*
Flags that weaken the server are refused however they are spelled:
vLLM's parser accepts underscores for dashes, and "--flag=value".
*/}}
{{- define "vllm-server.checkArgs" -}}
{{- if .Values.model.trustRemoteCode -}}
{{- fail "model.trustRemoteCode=true is refused: it executes code shipped with the weights" -}}
{{- end -}}
{{- $forbidden := list "--trust-remote-code" "--api-key" "--allowed-local-media-path" "--enable-log-requests" "--host" "--port" -}}
{{- range .Values.model.extraArgs -}}
{{- $flag := . | lower | replace "_" "-" | splitList "=" | first | trim -}}
{{- if has $flag $forbidden -}}
{{- fail (printf "model.extraArgs %q is refused: %s is set by the chart or weakens security (trust-remote-code runs shipped code, api-key belongs in Vault, allowed-local-media-path reads node files, enable-log-requests logs prompts)" . $flag) -}}
{{- end -}}
{{- end -}}
{{- if not .Values.model.servedName -}}
{{- fail "model.servedName is required: the name clients send as \"model\"" -}}
{{- end -}}
{{- if and (eq .Values.weights.source "pvc") (not .Values.weights.claimName) -}}
{{- fail "weights.claimName is required when weights.source is pvc" -}}
{{- end -}}
{{- if and (eq .Values.weights.source "image") (not .Values.weights.imageReference) -}}
{{- fail "weights.imageReference is required when weights.source is image" -}}
{{- end -}}
{{- if and .Values.weights.verify (not .Values.weights.manifestSha256) -}}
{{- fail "weights.manifestSha256 is required: the sha256 of the checksum manifest, recorded in the stack, so a rewritten manifest is refused (sha256sum SHA256SUMS prints it)" -}}
{{- end -}}
{{- if and .Values.weights.subPath (ne .Values.weights.source "pvc") -}}
{{- fail "weights.subPath applies to weights.source pvc only (an image volume mounts the artifact's root)" -}}
{{- end -}}
{{- if and (eq .Values.model.loadFormat "runai_streamer") .Values.weights.cache.enabled -}}
{{- fail "model.loadFormat runai_streamer streams from the mount; weights.cache.enabled would copy first: choose one" -}}
{{- end -}}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- fail (printf "autoscaling.minReplicas %d is larger than autoscaling.maxReplicas %d" (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) -}}
{{- end -}}
{{- if and (eq (int .Values.autoscaling.minReplicas) 0) (not .Values.autoscaling.scaleToZero) -}}
{{- fail "autoscaling.minReplicas 0 needs autoscaling.scaleToZero: true" -}}
{{- end -}}
{{- if and .Values.autoscaling.scaleToZero (eq .Values.autoscaling.mode "hpa") -}}
{{- fail "autoscaling.scaleToZero needs mode keda: a HorizontalPodAutoscaler cannot scale to zero" -}}
{{- end -}}
{{- end -}}

{{/* Where vLLM reads the weights: the verified node-local copy when the cache is on, else the mount. */}}
{{- define "vllm-server.servePath" -}}
{{- if .Values.weights.cache.enabled -}}/models/cache{{- else -}}{{ .Values.model.path }}{{- end -}}
{{- end -}}

{{/*
The vLLM command line as a list (the chart tests check every flag against the pinned release's
parser, serving/vllm/cli_table.json). Multi-node uses vLLM's native launcher (multiprocessing
executor over torch.distributed): every node runs `vllm serve` with --nnodes and its --node-rank;
rank 0 serves the API, the others run --headless. No Ray head to wait for, no placement group.
Pass (dict "root" $ "role" "single|leader|worker").
*/}}
{{- define "vllm-server.argList" -}}
{{- $ := .root -}}
{{- $m := $.Values.model -}}
{{- $args := list "vllm" "serve" (include "vllm-server.servePath" $) "--served-model-name" $m.servedName "--host" "0.0.0.0" "--port" (toString (int $.Values.service.port)) -}}
{{- $args = concat $args (list "--tensor-parallel-size" (toString (int $m.tensorParallel)) "--pipeline-parallel-size" (toString (int $m.pipelineParallel))) -}}
{{- $args = concat $args (list "--max-model-len" (toString (int $m.maxModelLen)) "--gpu-memory-utilization" (toString $m.gpuMemoryUtilization) "--max-num-seqs" (toString (int $m.maxNumSeqs))) -}}
{{- $args = concat $args (list "--kv-cache-dtype" $m.kvCacheDtype) -}}
{{- if ne $m.quantization "none" -}}{{- $args = concat $args (list "--quantization" $m.quantization) -}}{{- end -}}
{{- if $m.loadFormat -}}{{- $args = concat $args (list "--load-format" $m.loadFormat) -}}{{- end -}}
{{- $args = append $args (ternary "--enable-prefix-caching" "--no-enable-prefix-caching" $m.enablePrefixCaching) -}}
{{- $args = append $args "--disable-fastapi-docs" -}}
{{- if include "vllm-server.multiNode" $ -}}
{{- $args = concat $args (list "--distributed-executor-backend" "mp" "--nnodes" (include "vllm-server.nodes" $) "--master-addr" "$(LWS_LEADER_ADDRESS)" "--master-port" (toString (int $.Values.multiNode.masterPort))) -}}
{{- $args = concat $args (list "--node-rank" (ternary "0" "$(LWS_WORKER_INDEX)" (eq .role "leader"))) -}}
{{- if eq .role "worker" -}}{{- $args = append $args "--headless" -}}{{- end -}}
{{- end -}}
{{- $args = concat $args $m.extraArgs -}}
{{- toJson $args -}}
{{- end -}}

{{- define "vllm-server.image" -}}
{{- include "privllm-lib.image" (dict "registry" .Values.image.registry "repository" .Values.image.repository "tag" .Values.image.tag "digest" .Values.image.digest) -}}
{{- end -}}

{{- define "vllm-server.secretProviderClassName" -}}
{{- default (printf "%s-api-key" (include "vllm-server.fullname" .)) .Values.apiKey.secretProviderClass -}}
{{- end -}}

{{/* Offline, no telemetry, every cache on a writable emptyDir. */}}
{{- define "vllm-server.env" -}}
- name: HF_HUB_OFFLINE
  value: "1"
- name: TRANSFORMERS_OFFLINE
  value: "1"
- name: HF_HUB_DISABLE_TELEMETRY
  value: "1"
- name: VLLM_NO_USAGE_STATS
  value: "1"
- name: DO_NOT_TRACK
  value: "1"
- name: HOME
  value: /home/vllm
- name: XDG_CACHE_HOME
  value: /cache
- name: HF_HOME
  value: /cache/huggingface
- name: VLLM_CACHE_ROOT
  value: /cache/vllm
- name: TRITON_CACHE_DIR
  value: /cache/triton
- name: TMPDIR
  value: /tmp
{{- if include "vllm-server.multiNode" . }}
# Each node announces its own address to the torch.distributed group.
- name: VLLM_HOST_IP
  valueFrom:
    fieldRef: {fieldPath: status.podIP}
{{- end }}
{{- if and (include "vllm-server.multiNode" .) (gt (int .Values.multiNode.efaInterfaces) 0) }}
# NCCL over EFA (libfabric): the aws-ofi-nccl plugin in the image picks the efa provider with GPUDirect RDMA.
- name: FI_PROVIDER
  value: efa
- name: FI_EFA_USE_DEVICE_RDMA
  value: "1"
- name: FI_EFA_FORK_SAFE
  value: "1"
- name: NCCL_NET_GDR_LEVEL
  value: SYS
{{- end }}
{{- end -}}

{{/*
Pod spec shared by the Deployment and both LeaderWorkerSet templates.
Pass (dict "root" $ "role" "single|leader|worker").
*/}}
{{- define "vllm-server.podSpec" -}}
{{- $ := .root -}}
{{- $role := .role -}}
{{- $v := $.Values -}}
{{- $efa := and (include "vllm-server.multiNode" $) (gt (int $v.multiNode.efaInterfaces) 0) -}}
serviceAccountName: {{ include "vllm-server.fullname" $ }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with $v.runtimeClassName }}
runtimeClassName: {{ . }}
{{- end }}
{{- with $v.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
securityContext:
  {{- include "privllm-lib.podSecurityContext" $v.securityContext | nindent 2 }}
{{- with $v.gpuPool.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.gpuPool.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
terminationGracePeriodSeconds: 60
initContainers:
  # sha256sum --check in Python: parallel per file, the manifest's own digest pinned by the stack,
  # and (cache on) a node-local copy written while hashing (files/sha256sums.py says why each).
  - name: verify-weights
    image: {{ include "vllm-server.image" $ }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    command: ["python3", "/etc/privllm/scripts/sha256sums.py"]
    args:
      - --check
      - {{ $v.weights.checksumManifest | quote }}
      - --dir
      - {{ $v.model.path | quote }}
      - --manifest-sha256
      - {{ $v.weights.manifestSha256 | quote }}
      - --workers
      - {{ $v.weights.verifyWorkers | quote }}
      {{- if $v.weights.cache.enabled }}
      - --copy-to
      - /models/cache
      {{- end }}
    securityContext:
      {{- include "privllm-lib.containerSecurityContext" . | nindent 6 }}
    resources:
      requests: {cpu: "2", memory: 512Mi}
      limits: {cpu: {{ max 2 (int $v.weights.verifyWorkers) | quote }}, memory: 1Gi}
    volumeMounts:
      - {{ include "vllm-server.weightsMount" $ }}
      - {name: scripts, mountPath: /etc/privllm/scripts, readOnly: true}
      - {name: tmp, mountPath: /tmp}
      {{- if $v.weights.cache.enabled }}
      - {name: weights-cache, mountPath: /models/cache}
      {{- end }}
containers:
  - name: vllm
    image: {{ include "vllm-server.image" $ }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    command: ["/bin/sh", "-c"]
    args:
      - |
        set -eu
        {{- if ne $role "worker" }}
        # The key is read from the Vault-mounted file at start: never in the manifest or on the command line.
        VLLM_API_KEY="$(cat /var/run/secrets/privllm/{{ $v.apiKey.fileName }})"
        export VLLM_API_KEY
        {{- end }}
        {{- $quoted := list }}
        {{- range (include "vllm-server.argList" (dict "root" $ "role" $role) | fromJsonArray) }}{{ $quoted = append $quoted (squote .) }}{{ end }}
        exec {{ join " " $quoted }}
    env:
      {{- include "vllm-server.env" $ | nindent 6 }}
    ports:
      {{- if eq $role "worker" }}
      - {name: dist, containerPort: {{ $v.multiNode.masterPort }}, protocol: TCP}
      {{- else }}
      - {name: http, containerPort: {{ $v.service.port }}, protocol: TCP}
      {{- end }}
    {{- if ne $role "worker" }}
    # Budget = the cold start (weight load, torch.compile, CUDA graphs), set by the stack from serving/vllm/coldstart.py.
    startupProbe:
      httpGet: {path: /health, port: http}
      periodSeconds: {{ $v.probes.startupPeriodSeconds }}
      failureThreshold: {{ $v.probes.startupFailureThreshold }}
    readinessProbe:
      httpGet: {path: /health, port: http}
      periodSeconds: 10
      failureThreshold: 3
    livenessProbe:
      httpGet: {path: /health, port: http}
      periodSeconds: 20
      failureThreshold: 3
    {{- end }}
    securityContext:
      {{- include "privllm-lib.containerSecurityContext" . | nindent 6 }}
    resources:
      requests:
        cpu: {{ $v.resources.cpu | quote }}
        memory: {{ $v.resources.memory | quote }}
        {{- if $v.resources.gpus }}
        nvidia.com/gpu: {{ $v.resources.gpus }}
        {{- end }}
        {{- if $efa }}
        vpc.amazonaws.com/efa: {{ $v.multiNode.efaInterfaces }}
        {{- end }}
      limits:
        cpu: {{ $v.resources.cpu | quote }}
        memory: {{ $v.resources.memory | quote }}
        {{- if $v.resources.gpus }}
        nvidia.com/gpu: {{ $v.resources.gpus }}
        {{- end }}
        {{- if $efa }}
        vpc.amazonaws.com/efa: {{ $v.multiNode.efaInterfaces }}
        {{- end }}
    volumeMounts:
      - {{ include "vllm-server.weightsMount" $ }}
      {{- if $v.weights.cache.enabled }}
      - {name: weights-cache, mountPath: /models/cache, readOnly: true}
      {{- end }}
      {{- if ne $role "worker" }}
      - {name: api-key, mountPath: /var/run/secrets/privllm, readOnly: true}
      {{- end }}
      - {name: home, mountPath: /home/vllm}
      - {name: cache, mountPath: /cache}
      {{- if $v.compileCache.claimName }}
      - {name: compile-cache, mountPath: /cache/vllm}
      {{- end }}
      - {name: tmp, mountPath: /tmp}
      - {name: dshm, mountPath: /dev/shm}
  {{- if ne $role "worker" }}
  # /metrics and /health on their own port: the scraper never reaches the API port (files/metrics_proxy.py).
  - name: metrics
    image: {{ include "vllm-server.image" $ }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    command: ["python3", "/etc/privllm/scripts/metrics_proxy.py"]
    args: ["--listen-port", {{ $v.service.metricsPort | quote }}, "--upstream", "http://127.0.0.1:{{ $v.service.port }}"]
    # Every container of a model server runs offline (policy L3 offline hub mode), this one included.
    env:
      - {name: HF_HUB_OFFLINE, value: "1"}
    ports:
      - {name: metrics, containerPort: {{ $v.service.metricsPort }}, protocol: TCP}
    securityContext:
      {{- include "privllm-lib.containerSecurityContext" . | nindent 6 }}
    resources:
      requests: {cpu: 50m, memory: 64Mi}
      limits: {cpu: 500m, memory: 128Mi}
    volumeMounts:
      - {name: scripts, mountPath: /etc/privllm/scripts, readOnly: true}
  {{- end }}
volumes:
  {{- if eq $v.weights.source "pvc" }}
  - name: weights
    persistentVolumeClaim:
      claimName: {{ $v.weights.claimName }}
      readOnly: true
  {{- else }}
  - name: weights
    image:
      reference: {{ $v.weights.imageReference }}
      pullPolicy: IfNotPresent
  {{- end }}
  - name: scripts
    configMap:
      name: {{ include "vllm-server.fullname" $ }}-scripts
      defaultMode: 0444
  {{- if $v.weights.cache.enabled }}
  # Node-local: the node's ephemeral storage (instance-store NVMe where the node is set up so); kept across container restarts.
  - name: weights-cache
    emptyDir:
      sizeLimit: {{ $v.weights.cache.sizeLimit }}
  {{- end }}
  {{- if ne $role "worker" }}
  - name: api-key
    csi:
      driver: secrets-store.csi.k8s.io
      readOnly: true
      volumeAttributes:
        secretProviderClass: {{ include "vllm-server.secretProviderClassName" $ }}
  {{- end }}
  {{- if $v.compileCache.claimName }}
  # torch.compile artifacts shared by replicas: vLLM keys them by model and configuration hash.
  - name: compile-cache
    persistentVolumeClaim:
      claimName: {{ $v.compileCache.claimName }}
  {{- end }}
  {{- include "privllm-lib.scratchVolumes" (list "home" "cache" "tmp") | nindent 2 }}
  - name: dshm
    emptyDir:
      medium: Memory
      sizeLimit: {{ $v.shmSize }}
{{- end -}}

{{/* The weights mount: read-only, with subPath so model.path is the weights directory itself. */}}
{{- define "vllm-server.weightsMount" -}}
{name: weights, mountPath: {{ .Values.model.path }}, readOnly: true{{ with .Values.weights.subPath }}, subPath: {{ . | quote }}{{ end }}}
{{- end -}}
