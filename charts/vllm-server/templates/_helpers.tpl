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

{{/* The vLLM command line, each argument shell-quoted. */}}
{{- define "vllm-server.args" -}}
{{- $m := .Values.model -}}
{{- $args := list "vllm" "serve" $m.path "--served-model-name" $m.servedName "--host" "0.0.0.0" "--port" (toString (int .Values.service.port)) -}}
{{- $args = concat $args (list "--tensor-parallel-size" (toString (int $m.tensorParallel)) "--pipeline-parallel-size" (toString (int $m.pipelineParallel))) -}}
{{- $args = concat $args (list "--max-model-len" (toString (int $m.maxModelLen)) "--gpu-memory-utilization" (toString $m.gpuMemoryUtilization) "--max-num-seqs" (toString (int $m.maxNumSeqs))) -}}
{{- $args = concat $args (list "--kv-cache-dtype" $m.kvCacheDtype) -}}
{{- if ne $m.quantization "none" -}}{{- $args = concat $args (list "--quantization" $m.quantization) -}}{{- end -}}
{{- $args = append $args (ternary "--enable-prefix-caching" "--no-enable-prefix-caching" $m.enablePrefixCaching) -}}
{{- if include "vllm-server.multiNode" . -}}{{- $args = concat $args (list "--distributed-executor-backend" "ray") -}}{{- end -}}
{{- $args = concat $args $m.extraArgs -}}
{{- $quoted := list -}}
{{- range $args -}}{{- $quoted = append $quoted (squote .) -}}{{- end -}}
{{- join " " $quoted -}}
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
{{- end -}}

{{/*
Pod spec shared by the Deployment and both LeaderWorkerSet templates.
Pass (dict "root" $ "role" "single|leader|worker").
*/}}
{{- define "vllm-server.podSpec" -}}
{{- $ := .root -}}
{{- $role := .role -}}
{{- $v := $.Values -}}
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
  - name: verify-weights
    image: {{ include "vllm-server.image" $ }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    command: ["/bin/sh", "-c"]
    args:
      - >-
        cd {{ $v.model.path | quote }} &&
        test -s {{ $v.weights.checksumManifest | quote }} &&
        sha256sum --check --strict --quiet {{ $v.weights.checksumManifest | quote }} &&
        echo "weights verified against {{ $v.weights.checksumManifest }} (revision {{ $v.weights.revision }})"
    securityContext:
      {{- include "privllm-lib.containerSecurityContext" . | nindent 6 }}
    resources:
      requests: {cpu: "1", memory: 512Mi}
      limits: {cpu: "2", memory: 1Gi}
    volumeMounts:
      - {name: weights, mountPath: {{ $v.model.path }}, readOnly: true}
      - {name: tmp, mountPath: /tmp}
containers:
  - name: vllm
    image: {{ include "vllm-server.image" $ }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    command: ["/bin/sh", "-c"]
    args:
      - |
        set -eu
        {{- if eq $role "worker" }}
        exec ray start --address="${LWS_LEADER_ADDRESS}:6379" --block
        {{- else }}
        # The key is read from the Vault-mounted file at start: never in the manifest or on the command line.
        VLLM_API_KEY="$(cat /var/run/secrets/privllm/{{ $v.apiKey.fileName }})"
        export VLLM_API_KEY
        {{- if eq $role "leader" }}
        ray start --head --port=6379
        {{- end }}
        exec {{ include "vllm-server.args" $ }}
        {{- end }}
    env:
      {{- include "vllm-server.env" $ | nindent 6 }}
    ports:
      - {name: http, containerPort: {{ $v.service.port }}, protocol: TCP}
    {{- if ne $role "worker" }}
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
      limits:
        cpu: {{ $v.resources.cpu | quote }}
        memory: {{ $v.resources.memory | quote }}
        {{- if $v.resources.gpus }}
        nvidia.com/gpu: {{ $v.resources.gpus }}
        {{- end }}
    volumeMounts:
      - {name: weights, mountPath: {{ $v.model.path }}, readOnly: true}
      - {name: api-key, mountPath: /var/run/secrets/privllm, readOnly: true}
      - {name: home, mountPath: /home/vllm}
      - {name: cache, mountPath: /cache}
      - {name: tmp, mountPath: /tmp}
      - {name: dshm, mountPath: /dev/shm}
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
  - name: api-key
    csi:
      driver: secrets-store.csi.k8s.io
      readOnly: true
      volumeAttributes:
        secretProviderClass: {{ include "vllm-server.secretProviderClassName" $ }}
  {{- include "privllm-lib.scratchVolumes" (list "home" "cache" "tmp") | nindent 2 }}
  - name: dshm
    emptyDir:
      medium: Memory
      sizeLimit: {{ $v.shmSize }}
{{- end -}}
